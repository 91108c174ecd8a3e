/**
 * Queries built from code and values with the `cypher` tagged template:
 * ``cypher`MATCH (p:Person {name: ${name}}) RETURN p` `` is the text
 * `MATCH (p:Person {name: $p0}) RETURN p` with the parameters `{ p0: name }`. An interpolated
 * value always becomes a parameter, never text: a value cannot change what the query does,
 * whatever it holds (no Cypher injection). `driver.executeQuery`, `driver.stream`,
 * `session.run` and `tx.run` take a `Query` wherever they take a query string.
 *
 * - A `Query` interpolated into another is inlined, its parameters renamed to the next free
 *   names (`$p0` of the piece may become `$p3`): pieces compose without collisions.
 * - Labels, relationship types and property keys cannot be parameters in Cypher: interpolate
 *   them with `identifier(name)`, which quotes the name with backticks (a backtick in it
 *   doubled) and refuses names Neo4j would refuse, or that could end the quoting.
 * - `join(parts, separator)` interpolates several parts; `raw(text)` puts code in as it is (never
 *   a value from outside: it is not escaped).
 *
 * Building a query never throws and never fails: a refused identifier is kept as the query's
 * `error` (an `InvalidParameterError`), and running the query fails with it before anything is
 * sent. Code that wants to fail earlier can `yield* query.error` when it is set.
 *
 * A query prints as its text (`toString`, `JSON.stringify`, `util.inspect`): the parameters are
 * the application's data and stay out of logs; read them from `parameters`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cypher, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const name = "x'}) DETACH DELETE n //"    // whatever the user typed: it stays a value
 *   const query = Cypher.cypher`MATCH (p:Person {name: ${name}}) RETURN p`
 *   // query.text: "MATCH (p:Person {name: $p0}) RETURN p", query.parameters: { p0: name }
 *   return yield* driver.executeQuery(query)
 * })
 * ```
 *
 * @since 0.1.0
 */
import { InvalidParameterError } from "./Neo4jError.js"

const TypeId: unique symbol = Symbol.for("effect-neo4j/Cypher/Query")

/**
 * A Cypher query, or a piece of one, with its parameters: what `cypher`, `identifier`, `raw` and
 * `join` build. Any piece runs as a query and goes into another.
 *
 * @example
 * ```ts
 * import { Cypher } from "effect-neo4j"
 *
 * const adults: Cypher.Query = Cypher.cypher`MATCH (p:Person) WHERE p.age >= ${18} RETURN p`
 * adults.text       // "MATCH (p:Person) WHERE p.age >= $p0 RETURN p"
 * adults.parameters // { p0: 18 }
 * String(adults)    // the text only
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Query {
  readonly [TypeId]: typeof TypeId
  /** the text sent to the server, with `$p0`, `$p1`, ... where values were interpolated */
  readonly text: string
  /** the interpolated values by their generated names: `{ p0: ..., p1: ... }` */
  readonly parameters: Readonly<Record<string, unknown>>
  /**
   * Why the query cannot run (a refused identifier), if it cannot: running it fails with this
   * error before anything is sent.
   */
  readonly error: InvalidParameterError | undefined
}

/**
 * The generated name of the parameter at `index`: `p0`, `p1`, ...
 */
const parameterName = (index: number): string => `p${index}`

class QueryImpl implements Query {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly text: string
  readonly parameters: Readonly<Record<string, unknown>>
  readonly error: InvalidParameterError | undefined
  /** the text around the values: one more piece than values */
  readonly #pieces: ReadonlyArray<string>
  readonly #values: ReadonlyArray<unknown>

  constructor(pieces: ReadonlyArray<string>, values: ReadonlyArray<unknown>, error: InvalidParameterError | undefined) {
    this.#pieces = pieces
    this.#values = values
    this.error = error
    let text = pieces[0]!
    const parameters: Record<string, unknown> = {}
    for (let i = 0; i < values.length; i++) {
      const name = parameterName(i)
      text += `$${name}${pieces[i + 1]!}`
      parameters[name] = values[i]
    }
    this.text = text
    this.parameters = parameters
  }

  /** Appends `part` to a query being built: a Query is inlined (its values renumbered by position), anything else is a value. */
  static append(builder: Builder, part: unknown): void {
    if (part instanceof QueryImpl) {
      const pieces = part.#pieces
      builder.pieces[builder.pieces.length - 1] += pieces[0]!
      for (let i = 1; i < pieces.length; i++) builder.pieces.push(pieces[i]!)
      for (const v of part.#values) builder.values.push(v)
      builder.error ??= part.error
    } else {
      // a parameter whose value is undefined would be left out of RUN's map (as a map's
      // undefined entries are): the query would then fail for a missing parameter
      builder.values.push(part === undefined ? null : part)
      builder.pieces.push("")
    }
  }

  toString(): string {
    return this.text
  }

  toJSON(): unknown {
    return { _id: "Cypher.Query", text: this.text }
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Cypher.Query(${this.text})`
  }
}

interface Builder {
  readonly pieces: Array<string>
  readonly values: Array<unknown>
  error: InvalidParameterError | undefined
}

const text = (builder: Builder, s: string): void => {
  builder.pieces[builder.pieces.length - 1] += s
}

const build = (builder: Builder): Query => new QueryImpl(builder.pieces, builder.values, builder.error)

/**
 * Whether a value is a `Query`.
 *
 * @example
 * ```ts
 * import { Cypher } from "effect-neo4j"
 *
 * Cypher.isQuery(Cypher.cypher`RETURN 1`) // true
 * Cypher.isQuery("RETURN 1")              // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isQuery = (u: unknown): u is Query => u instanceof QueryImpl

/**
 * The tagged template: the template's text is the query's text, each interpolated value a
 * parameter (`$p0`, `$p1`, ... in order; the same value twice is two parameters), each
 * interpolated `Query` inlined with its parameters renamed to follow. `undefined` is sent as
 * `null`. Also exported from the package root as `cypher`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cypher, Neo4jDriver } from "effect-neo4j"
 *
 * const byName = (name: string) => Cypher.cypher`MATCH (p:Person {name: ${name}})`
 * const olderThan = (age: number) => Cypher.cypher`WHERE p.age > ${age}`
 * // MATCH (p:Person {name: $p0}) WHERE p.age > $p1 RETURN p, with { p0: "Ada", p1: 30 }
 * const query = Cypher.cypher`${byName("Ada")} ${olderThan(30)} RETURN p`
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery(query, {}, { routing: "READ" })
 *   return records.map((r) => r.get("p"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cypher = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Query => {
  // the cooked text, as a string literal would give it; the raw text where an escape is invalid
  const builder: Builder = { pieces: [strings[0] ?? strings.raw[0]!], values: [], error: undefined }
  for (let i = 0; i < values.length; i++) {
    QueryImpl.append(builder, values[i])
    text(builder, strings[i + 1] ?? strings.raw[i + 1]!)
  }
  return build(builder)
}

/**
 * The longest name Neo4j takes: 65534 characters on some versions, 65535 on others (Cypher
 * manual, "Naming rules and recommendations").
 */
const MAX_IDENTIFIER_LENGTH = 65534

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why Neo4j (or the quoting) cannot take `name` as a name, if it cannot. */
const identifierProblem = (name: string): string | undefined => {
  if (typeof name !== "string") return "it is not a string"
  if (name.length === 0) return "Neo4j refuses empty names"
  if (name.includes("\u0000")) return "Neo4j refuses names with a NUL character"
  if (name.length > MAX_IDENTIFIER_LENGTH) return `it is longer than Neo4j's limit of ${MAX_IDENTIFIER_LENGTH} characters`
  // Cypher decodes \uXXXX escapes inside a quoted name (the Cypher 4.x parser before tokenizing):
  // "\u0060" is a backtick, which would end the quoting
  if (/\\[uU]/.test(name)) return "it holds a \\u escape, which Cypher would decode (\\u0060 is a backtick)"
  // a lone surrogate cannot be encoded in UTF-8: the name would reach the server altered
  if (LONE_SURROGATE.test(name)) return "it is not well-formed UTF-16 (a lone surrogate)"
  return undefined
}

const shown = (name: string): string =>
  typeof name !== "string" ? String(name) : JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name)

/**
 * A name (label, relationship type, property key, variable, alias) put into the text, where
 * Cypher cannot take a parameter: quoted with backticks, a backtick in it doubled, as Cypher
 * escapes names. Any name can be quoted, except those refused here: an empty one, one with a NUL
 * character (Neo4j refuses both), one longer than 65534 characters, one holding `\u` or `\U`
 * (Cypher decodes `\uXXXX` inside quoted names, and `\u0060` is a backtick) and one with a
 * lone surrogate (it cannot be encoded). A refused name does not throw: the query it goes into
 * carries an `InvalidParameterError` naming it as its `error`, and fails with it when run.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cypher, Neo4jDriver } from "effect-neo4j"
 *
 * // label and property key chosen at run time (say, from a schema), values as parameters
 * const findBy = (label: string, key: string, value: unknown) =>
 *   Cypher.cypher`MATCH (n:${Cypher.identifier(label)} {${Cypher.identifier(key)}: ${value}}) RETURN n`
 *
 * findBy("Person", "name", "Ada").text     // "MATCH (n:`Person` {`name`: $p0}) RETURN n"
 * findBy("We`ird", "x", 1).text            // "MATCH (n:`We``ird` {`x`: $p0}) RETURN n"
 * findBy("", "name", "Ada").error?._tag    // "InvalidParameterError": running it fails, nothing sent
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.executeQuery(findBy("Person", "name", "Ada"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const identifier = (name: string): Query => {
  const problem = identifierProblem(name)
  if (problem !== undefined) {
    // an empty quoted name in the text: whoever sends the text anyway gets nothing injected
    return new QueryImpl(
      ["``"],
      [],
      new InvalidParameterError({ message: `Invalid Cypher identifier ${shown(name)}: ${problem}` })
    )
  }
  return new QueryImpl([`\`${name.replaceAll("`", "``")}\``], [], undefined)
}

/**
 * Text put into the query as it is: not escaped, not checked. Unsafe with anything that comes
 * from outside the program (a request, a file, a database): that is Cypher injection. Meant for
 * code chosen by the program, for example one of a fixed set of clauses; a value belongs in an
 * interpolation, a name in `identifier`.
 *
 * @example
 * ```ts
 * import { Cypher } from "effect-neo4j"
 *
 * // the direction comes from the program's own code, never from the request
 * const order = (descending: boolean) => Cypher.raw(descending ? "DESC" : "ASC")
 * const query = Cypher.cypher`MATCH (p:Person) RETURN p ORDER BY p.age ${order(true)} LIMIT ${10}`
 * query.text // "MATCH (p:Person) RETURN p ORDER BY p.age DESC LIMIT $p0"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (text: string): Query => new QueryImpl([text], [], undefined)

/**
 * Several parts with `separator` between them (`", "` by default), each part as in the
 * template: a `Query` inlined, anything else a parameter. A string separator is code (as with
 * `raw`); an empty list gives an empty piece.
 *
 * @example
 * ```ts
 * import { Cypher } from "effect-neo4j"
 *
 * const keys = ["name", "age"].map(Cypher.identifier)
 * const query = Cypher.cypher`MATCH (p:Person) RETURN ${Cypher.join(keys.map((k) => Cypher.cypher`p.${k}`))}`
 * query.text // "MATCH (p:Person) RETURN p.`name`, p.`age`"
 *
 * const filters = [Cypher.cypher`p.age > ${30}`, Cypher.cypher`p.name STARTS WITH ${"A"}`]
 * const where = Cypher.cypher`MATCH (p:Person) WHERE ${Cypher.join(filters, " AND ")} RETURN p`
 * where.text // "MATCH (p:Person) WHERE p.age > $p0 AND p.name STARTS WITH $p1 RETURN p"
 *
 * const ids = Cypher.join([1, 2, 3]) // "$p0, $p1, $p2"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const join = (parts: Iterable<unknown>, separator: string | Query = ", "): Query => {
  const builder: Builder = { pieces: [""], values: [], error: undefined }
  let first = true
  for (const part of parts) {
    if (!first) {
      if (typeof separator === "string") text(builder, separator)
      else QueryImpl.append(builder, separator)
    }
    first = false
    QueryImpl.append(builder, part)
  }
  return build(builder)
}
