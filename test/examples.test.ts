/**
 * Every `@example` in the public modules' doc comments typechecks, with the project's strict
 * options and the package's own names ("effect-neo4j", "effect-neo4j/testing",
 * "effect-neo4j/node") resolved to the sources. `npm run docs` (@effect/docgen) checks the
 * examples it renders, but not those on a class itself, a class member or an interface member:
 * this test checks them all, so an example that stops compiling fails `npm test` too. So are the
 * ```ts snippets of README.md and the guides in docs/, and the guide of typed queries shows the
 * repository its test runs.
 */
import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

const root = path.resolve(__dirname, "..")
const src = path.join(root, "src")

const publicFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return e.name === "internal" ? [] : publicFiles(full)
    return e.name.endsWith(".ts") && e.name !== "demo.ts" ? [full] : []
  })

interface Example {
  readonly where: string
  readonly code: string
  /** declarations the example says it assumes (a Markdown fragment's `// driver: ...`) */
  readonly context?: string
}

/** The ```ts blocks that follow an `@example` tag, with the doc comment's ` * ` margins removed. */
const examplesOf = (file: string): Array<Example> => {
  const lines = fs.readFileSync(file, "utf8").split("\n")
  const out: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue
    let j = i + 1
    while (j < lines.length && !/^\s*\*\s*```/.test(lines[j]!)) j++
    const body: Array<string> = []
    let k = j + 1
    for (; k < lines.length && !/^\s*\*\s*```/.test(lines[k]!); k++) body.push(lines[k]!.replace(/^\s*\* ?/, ""))
    out.push({ where: `${path.relative(root, file)}:${i + 1}`, code: body.join("\n") })
    i = k
  }
  return out
}

/**
 * What a Markdown fragment may say it assumes, in a comment (`// driver: the driver of ...`), as
 * declarations put ahead of it.
 */
const ASSUMED: ReadonlyArray<readonly [string, string]> = [
  ["// DriverLive:", `declare const DriverLive: import("effect").Layer.Layer<import("effect-neo4j").Neo4jDriver.Neo4jDriver>\n`],
  [
    "// program:",
    `declare const program: import("effect").Effect.Effect<void, import("effect-neo4j").Neo4jError.Neo4jError | import("effect-neo4j").Neo4jError.InvalidConfigError>\n`
  ],
  ["// result:", `declare const result: import("effect-neo4j").Result.Result\n`],
  ["// driver:", `declare const driver: import("effect-neo4j").Neo4jDriver.Neo4jDriver\n`]
]

/**
 * The ```ts blocks of a Markdown page. A block that says it continues (in itself, or in the
 * sentence before it) gets the page's first block ahead of it.
 */
const markdownExamples = (file: string): Array<Example> => {
  const text = fs.readFileSync(file, "utf8")
  const out: Array<Example> = []
  let first: string | undefined
  for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const code = m[1]!
    const before = text.slice(Math.max(0, m.index! - 120), m.index!)
    const continues = first !== undefined && (code.includes("// continuing") || before.includes("continuing"))
    const context = ASSUMED.filter(([k]) => code.includes(k)).map(([, v]) => v).join("") + (continues ? first! : "")
    first ??= code
    const line = text.slice(0, m.index!).split("\n").length
    out.push({ where: `${path.relative(root, file)}:${line}`, code, context })
  }
  return out
}

/** The type errors of `examples`, each a module of its own, named by where it was found. */
const typecheck = (examples: ReadonlyArray<Example>): Array<string> => {
  const dir = path.join(root, "test", ".examples")
  const names = examples.map((_, n) => path.join(dir, `example-${n}.ts`))
  // docgen provides `assert` to the examples it runs (node's assert module)
  const prelude = (code: string) =>
    /\bassert\b/.test(code) && !/import .*\bassert\b/.test(code) ? `import * as assert from "node:assert"\n` : ""
  const heads = examples.map((e) => `export {}\n${prelude(e.code)}${e.context ?? ""}`)
  const texts = new Map(names.map((name, n) => [name, `${heads[n]}${examples[n]!.code}\n`]))
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    noEmit: true,
    customConditions: ["source"],
    baseUrl: root,
    paths: {
      "effect-neo4j": ["src/index.ts"],
      "effect-neo4j/testing": ["src/testing/index.ts"],
      "effect-neo4j/node": ["src/node/index.ts"]
    }
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  host.readFile = (f) => texts.get(path.resolve(f)) ?? readFile(f)
  host.fileExists = (f) => texts.has(path.resolve(f)) || fileExists(f)
  const program = ts.createProgram(names, options, host)
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && texts.has(path.resolve(d.file.fileName)))
    .map((d) => {
      const n = names.indexOf(path.resolve(d.file!.fileName))
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
      const at = line + 1 - heads[n]!.split("\n").length + 1
      return `${examples[n]!.where} (example line ${at}): ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
    })
  return problems
}

describe("doc comment examples", () => {
  it("every @example in the public modules typechecks", () => {
    const examples = publicFiles(src).flatMap(examplesOf)
    // every public module has examples: an extraction that finds none is broken
    expect(examples.length).toBeGreaterThan(150)
    expect(typecheck(examples)).toEqual([])
  }, 120_000)

  it("every ```ts snippet of README.md and docs/*.md typechecks", () => {
    const pages = [path.join(root, "README.md"), ...fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(root, "docs", f))]
    const examples = pages.flatMap(markdownExamples)
    expect(examples.length).toBeGreaterThan(20)
    expect(typecheck(examples)).toEqual([])
  }, 120_000)

  it("docs/typed-queries.md shows test/schema/people.ts, the repository people.test.ts runs, as it is", () => {
    const guide = fs.readFileSync(path.join(root, "docs", "typed-queries.md"), "utf8")
    const shown = /^```ts\n([\s\S]*?)^```/m.exec(guide)?.[1]
    const file = fs.readFileSync(path.join(root, "test", "schema", "people.ts"), "utf8")
    // the file without its header comment, importing the package by its name
    const code = file.slice(file.indexOf("import ")).replaceAll(`from "../../src/index.js"`, `from "effect-neo4j"`)
    expect(shown).toBe(code)
  })
})
