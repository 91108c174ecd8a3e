/**
 * Every `@example` in the public modules' doc comments typechecks, with the project's strict
 * options and the package's own names ("effect-neo4j", "effect-neo4j/testing",
 * "effect-neo4j/node") resolved to the sources. `npm run docs` (@effect/docgen) checks the
 * examples it renders, but not those on a class itself, a class member or an interface member:
 * this test checks them all, so an example that stops compiling fails `npm test` too.
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

describe("doc comment examples", () => {
  it("every @example in the public modules typechecks", () => {
    const examples = publicFiles(src).flatMap(examplesOf)
    // every public module has examples: an extraction that finds none is broken
    expect(examples.length).toBeGreaterThan(150)
    const dir = path.join(root, "test", ".examples")
    const names = examples.map((_, n) => path.join(dir, `example-${n}.ts`))
    // docgen provides `assert` to the examples it runs (node's assert module)
    const prelude = (code: string) =>
      /\bassert\b/.test(code) && !/import .*\bassert\b/.test(code) ? `import * as assert from "node:assert"\n` : ""
    const heads = examples.map((e) => `export {}\n${prelude(e.code)}`)
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
    expect(problems).toEqual([])
  }, 120_000)
})
