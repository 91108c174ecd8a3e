/**
 * Queries typed by Schemas, in the shape of `@effect/sql`'s `SqlSchema`: a `Request` schema
 * encodes what the caller gives into the query's parameters, a `Result` schema decodes each
 * record (as an object of its keys) into a row. `findAll`, `findOne`, `single`, `void` and
 * `stream` each return a function from the request to an Effect (a Stream for `stream`).
 *
 * Where it runs: called directly, the function runs over the driver (`Neo4jDriver` from the
 * context: `executeQuery`, a retried transaction function, or `stream`, an auto-commit query),
 * with the `config` given beside the schemas (routing, database, ...). `.in(tx)` gives the same
 * function over anything with a `run`: a transaction function's `ManagedTransaction`, an
 * explicit `Transaction`, or a `Session` (auto-commit). So one definition serves both, and a
 * repository can be written once for the driver and for a unit of work.
 *
 * `execute` builds the query from the encoded request: a `Cypher.Query` (the encoded request's
 * values interpolated, `cypher` tagged template), or a string whose parameters are the encoded
 * request itself (a map; `undefined`, from `Schema.Void`, for none). `execute` may also be a
 * fixed string.
 *
 * Errors: `QueryParametersError` (the request did not encode: nothing is sent) and
 * `QueryResultError` (a record did not decode: which record, which column, why), beside the
 * driver's `Neo4jError`s; `single` fails with `ResultCardinalityError` (a `Neo4jError`) for no
 * row or several. The two new errors are not `Neo4jError`s: they say the application's schemas
 * and its queries disagree, not that the driver or the server failed, and they are never
 * retried.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { cypher, QuerySchema } from "effect-neo4j"
 *
 * const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })
 *
 * const findByName = QuerySchema.findOne({
 *   Request: Schema.Struct({ name: Schema.String }),
 *   Result: Person,
 *   execute: (req) => cypher`MATCH (p:Person {name: ${req.name}}) RETURN p.name AS name, p.age AS age`,
 *   config: { routing: "READ" }
 * })
 *
 * // Effect<Option<{ name: string; age: number }>, QueryParametersError | QueryResultError | Neo4jError, Neo4jDriver>
 * const ada = findByName({ name: "Ada" })
 * ```
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { isQuery } from "./Cypher.js"
import type { Query } from "./Cypher.js"
import { compile as compileFast, compileRow, MISS } from "./internal/schema/fastDecode.js"
import { Neo4jDriver } from "./Neo4jDriver.js"
import type { QueryConfig } from "./Neo4jDriver.js"
import { ResultCardinalityError } from "./Neo4jError.js"
import type { Neo4jError } from "./Neo4jError.js"
import type { Neo4jRecord, RecordShape } from "./Record.js"
import type { Result } from "./Result.js"

/**
 * The request did not encode with the `Request` schema: nothing was sent. `query` is the query's
 * text when it is known before encoding (a fixed-string `execute`), `undefined` otherwise (the
 * query is built from the encoded request); or the text when the encoded request cannot be a
 * string query's parameter map. `cause` is the `ParseError`, when there is one.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { QuerySchema } from "effect-neo4j"
 *
 * const byAge = QuerySchema.findAll({
 *   Request: Schema.Struct({ age: Schema.Int }),
 *   Result: Schema.Struct({ name: Schema.String }),
 *   execute: "MATCH (p:Person {age: $age}) RETURN p.name AS name"
 * })
 * // fails with QueryParametersError (age: Expected an integer), nothing sent
 * const bad = byAge({ age: 1.5 }).pipe(
 *   Effect.catchTag("QueryParametersError", (e) => Effect.succeed(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class QueryParametersError extends Data.TaggedError("QueryParametersError")<{
  /** the query's text, when known */
  readonly query: string | undefined
  readonly message: string
  readonly cause?: ParseResult.ParseError | undefined
}> {
  /** never retried: the same request fails the same way */
  get retriable(): boolean {
    return false
  }
}

/**
 * A record did not decode with the `Result` schema: `index` is the record's position in the
 * result (from 0), `column` the key where decoding failed (the first element of the
 * `ParseError`'s path, when there is one), `query` the query's text and `cause` the
 * `ParseError`. Its `message` holds the `ParseError`'s tree.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { QuerySchema } from "effect-neo4j"
 *
 * const ages = QuerySchema.findAll({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ age: Schema.Number }),
 *   execute: "MATCH (p:Person) RETURN p.age AS age"
 * })
 * // a person whose age is a string: which row, which column, what was there
 * const program = ages().pipe(
 *   Effect.catchTag("QueryResultError", (e) => Effect.logWarning(`row ${e.index}, column ${e.column}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class QueryResultError extends Data.TaggedError("QueryResultError")<{
  /** the query's text */
  readonly query: string
  /** the record's position in the result, from 0 */
  readonly index: number
  /** the key where decoding failed, when the failure has a path */
  readonly column: string | undefined
  readonly message: string
  readonly cause: ParseResult.ParseError
}> {
  /** never retried: the same query gives the same rows */
  get retriable(): boolean {
    return false
  }
}

/**
 * The errors of the schemas: a request that does not encode, a record that does not decode.
 *
 * @example
 * ```ts
 * import type { QuerySchema } from "effect-neo4j"
 *
 * const describe = (e: QuerySchema.QuerySchemaError): string =>
 *   e._tag === "QueryParametersError" ? `bad request: ${e.message}` : `bad row ${e.index}: ${e.message}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type QuerySchemaError = QueryParametersError | QueryResultError

/**
 * What runs a query: anything with `run`. A transaction function's `ManagedTransaction`, an
 * explicit `Transaction` and a `Session` all are.
 *
 * @example
 * ```ts
 * import type { QuerySchema, Session, Transaction } from "effect-neo4j"
 *
 * const runners = (tx: Transaction.ManagedTransaction, session: Session.Session): ReadonlyArray<QuerySchema.Runner> => [tx, session]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Runner {
  readonly run: (query: string | Query, parameters?: Readonly<Record<string, unknown>>) => Effect.Effect<Result, Neo4jError>
}

/**
 * How the query is built from the encoded request: a function giving a `Cypher.Query` (its
 * interpolated values are its parameters) or a string (the encoded request is its parameter
 * map), or a fixed string (the same). A string needs a request that encodes to a parameter map
 * (an object, or nothing: `Schema.Void`), which the types check: with any other request
 * (`Schema.String`, `Schema.Array(...)`), only a function giving a `Cypher.Query` compiles.
 *
 * @example
 * ```ts
 * import { cypher } from "effect-neo4j"
 * import type { QuerySchema } from "effect-neo4j"
 *
 * const interpolated: QuerySchema.Execute<{ readonly name: string }> = (req) => cypher`MATCH (p:Person {name: ${req.name}}) RETURN p`
 * const named: QuerySchema.Execute<{ readonly name: string }> = "MATCH (p:Person {name: $name}) RETURN p"
 * // a string request is no parameter map: it must be interpolated
 * const byName: QuerySchema.Execute<string> = (name) => cypher`MATCH (p:Person {name: ${name}}) RETURN p`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Execute<I> = [I] extends [ParameterMap] ? string | ((request: I) => string | Query) : (request: I) => Query

/**
 * What a string query takes as its parameters: an object of them, or none.
 *
 * @example
 * ```ts
 * import type { QuerySchema } from "effect-neo4j"
 *
 * const parameters: QuerySchema.ParameterMap = { name: "Ada", born: 1815 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ParameterMap = Readonly<Record<string, unknown>> | void | undefined

/**
 * A typed query: called with a request, it runs over the driver from the context; `.in(runner)`
 * runs it in a transaction (or a session) instead.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Neo4jDriver, QuerySchema } from "effect-neo4j"
 *
 * const create: QuerySchema.TypedQuery<{ readonly name: string }, void, QuerySchema.QuerySchemaError, never> = QuerySchema.void({
 *   Request: Schema.Struct({ name: Schema.String }),
 *   execute: "CREATE (:Person {name: $name})"
 * })
 *
 * const program = Effect.gen(function* () {
 *   yield* create({ name: "Ada" }) // over the driver
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session()
 *   yield* session.executeWrite((tx) => create.in(tx)({ name: "Grace" })) // in a transaction function
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedQuery<I, A, E, R> {
  (request: I): Effect.Effect<A, E | Neo4jError, Neo4jDriver | R>
  /** The same query run by `runner` (a transaction or a session) instead of the driver. */
  readonly in: (runner: Runner) => (request: I) => Effect.Effect<A, E | Neo4jError, R>
}

/**
 * A typed stream: called with a request, it streams over the driver from the context (an
 * auto-commit query, PULLed on demand); `.in(runner)` streams from a transaction (or a session).
 *
 * @example
 * ```ts
 * import { Schema, Stream } from "effect"
 * import { QuerySchema } from "effect-neo4j"
 *
 * const everyone: QuerySchema.TypedStream<void, { readonly name: string }, QuerySchema.QuerySchemaError, never> = QuerySchema.stream({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ name: Schema.String }),
 *   execute: "MATCH (p:Person) RETURN p.name AS name"
 * })
 * const first10 = everyone().pipe(Stream.take(10), Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedStream<I, A, E, R> {
  (request: I): Stream.Stream<A, E | Neo4jError, Neo4jDriver | R>
  /** The same stream read from `runner` (a transaction or a session) instead of the driver. */
  readonly in: (runner: Runner) => (request: I) => Stream.Stream<A, E | Neo4jError, R>
}

/** A query ready to send: its text and, for a string query, the parameters beside it. */
interface Prepared {
  readonly query: string | Query
  readonly text: string
  readonly parameters: Readonly<Record<string, unknown>> | undefined
}

const shorten = (text: string): string => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)

const describeValue = (u: unknown): string => (Array.isArray(u) ? "an array" : u === null ? "null" : `a ${typeof u}`)

/** The request encoded, and the query built from it. */
const preparer = <IA, II, IR>(
  Request: Schema.Schema<IA, II, IR>,
  execute: Execute<II>
): ((request: IA) => Effect.Effect<Prepared, QueryParametersError, IR>) => {
  const encode = Schema.encode(Request)
  const fixed = typeof execute === "string" ? execute : undefined
  return (request) =>
    Effect.flatMap(
      Effect.mapError(
        encode(request),
        (cause) =>
          new QueryParametersError({
            query: fixed,
            message: `The request does not encode with the Request schema${fixed === undefined ? "" : ` of ${shorten(fixed)}`}: ${ParseResult.TreeFormatter.formatErrorSync(cause)}`,
            cause
          })
      ),
      (encoded): Effect.Effect<Prepared, QueryParametersError> => {
        const query = typeof execute === "string" ? execute : execute(encoded)
        if (isQuery(query)) return Effect.succeed({ query, text: query.text, parameters: undefined })
        if (encoded === undefined) return Effect.succeed({ query, text: query, parameters: undefined })
        if (typeof encoded === "object" && encoded !== null && !Array.isArray(encoded)) {
          return Effect.succeed({ query, text: query, parameters: encoded as Readonly<Record<string, unknown>> })
        }
        return Effect.fail(
          new QueryParametersError({
            query,
            message: `A string query takes the encoded request as its parameter map, and this request encodes to ${describeValue(encoded)} (${shorten(query)}); build the query with cypher\`...\` to interpolate it`
          })
        )
      }
    )
}

/** Rows decoded from a run of records, and the error of the record that stopped them, if one did. */
interface Decoded<A> {
  readonly rows: Array<A>
  readonly error: QueryResultError | undefined
}

/**
 * Decodes records with `Result`: `one` a record, `many` a run of records (the first `index` is
 * `from`) up to the first that fails. A synchronous decoder does the common case (a Result
 * schema that needs no service and nothing asynchronous) without an Effect per record; at the
 * first record it refuses, the Effect decoder takes over from that record, so a schema that
 * does need one still decodes, and a failure is reported by the decoder that names it.
 */
const decoder = <A, AI, AR>(Result: Schema.Schema<A, AI, AR>) => {
  const decode = Schema.decodeUnknown(Result)
  const decodeSync = ParseResult.decodeUnknownEither(Result as Schema.Schema<A, AI, never>)
  // most Result schemas compile to one plain function (internal/schema/fastDecode.ts), which
  // reads a struct's columns from the record's values; a row it does not take is decoded by the
  // Schema, which also names what is wrong
  const fastRow = compileRow(Result.ast)
  const fast = fastRow === undefined ? compileFast(Result.ast) : undefined
  let shape: RecordShape | undefined
  let rowOf: ((values: ReadonlyArray<unknown>) => unknown) | undefined
  const decodeFast = (record: Neo4jRecord): unknown => {
    if (fastRow !== undefined) {
      if (record.shape !== shape) {
        shape = record.shape
        rowOf = fastRow(shape.keys)
      }
      return rowOf!(record.values)
    }
    return fast === undefined ? MISS : fast(record.toObject())
  }
  const one = (text: string, record: Neo4jRecord, index: number): Effect.Effect<A, QueryResultError, AR> =>
    Effect.mapError(decode(record.toObject()), (cause) => {
      const first = ParseResult.ArrayFormatter.formatErrorSync(cause)[0]
      const key = first?.path[0]
      const column = key === undefined ? undefined : String(key)
      return new QueryResultError({
        query: text,
        index,
        column,
        message: `Record ${index} of ${shorten(text)} does not decode with the Result schema${column === undefined ? "" : ` (column ${JSON.stringify(column)})`}: ${ParseResult.TreeFormatter.formatErrorSync(cause)}`,
        cause
      })
    })
  const many = (text: string, records: Iterable<Neo4jRecord>, from: number): Effect.Effect<Decoded<A>, never, AR> =>
    Effect.suspend(() => {
      const rows: Array<A> = []
      const rest: Array<Neo4jRecord> = []
      for (const record of records) {
        if (rest.length === 0) {
          const decoded = decodeFast(record)
          if (decoded !== MISS) {
            rows.push(decoded as A)
            continue
          }
          const row = decodeSync(record.toObject())
          if (Either.isRight(row)) {
            rows.push(row.right)
            continue
          }
        }
        rest.push(record)
      }
      if (rest.length === 0) return Effect.succeed({ rows, error: undefined })
      return Effect.gen(function* () {
        for (const record of rest) {
          const row = yield* Effect.either(one(text, record, from + rows.length))
          if (Either.isLeft(row)) return { rows, error: row.left }
          rows.push(row.right)
        }
        return { rows, error: undefined }
      })
    })
  return { one, many }
}

/**
 * Builds a `TypedQuery` from how the records are read (over the driver, or from a runner's
 * result) and what becomes of them.
 */
const typedQuery = <IA, II, IR, A, E, R>(
  Request: Schema.Schema<IA, II, IR>,
  execute: Execute<II>,
  config: QueryConfig | undefined,
  finish: (prepared: Prepared, records: ReadonlyArray<Neo4jRecord>) => Effect.Effect<A, E | Neo4jError, R>
): TypedQuery<IA, A, E | QueryParametersError, IR | R> => {
  const prepare = preparer(Request, execute)
  const overDriver = (request: IA) =>
    Effect.flatMap(prepare(request), (prepared) =>
      Effect.flatMap(Neo4jDriver, (driver) =>
        Effect.flatMap(driver.executeQuery(prepared.query, prepared.parameters, config), ({ records }) => finish(prepared, records))
      )
    )
  return Object.assign(overDriver, {
    in: (runner: Runner) => (request: IA) =>
      Effect.flatMap(prepare(request), (prepared) =>
        Effect.flatMap(
          Effect.flatMap(runner.run(prepared.query, prepared.parameters), (result) => result.list),
          (records) => finish(prepared, Chunk.toReadonlyArray(records))
        )
      )
  })
}

/**
 * Runs a query with a request schema and a result schema, and returns all its rows, decoded.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { cypher, QuerySchema } from "effect-neo4j"
 *
 * const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })
 *
 * const olderThan = QuerySchema.findAll({
 *   Request: Schema.Struct({ age: Schema.Number }),
 *   Result: Person,
 *   execute: (req) => cypher`MATCH (p:Person) WHERE p.age > ${req.age} RETURN p.name AS name, p.age AS age ORDER BY age`,
 *   config: { routing: "READ" }
 * })
 *
 * const program = Effect.gen(function* () {
 *   const people = yield* olderThan({ age: 30 }) // ReadonlyArray<{ name: string; age: number }>
 *   return people.map((p) => p.name)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const findAll = <IA, II, IR, A, AI, AR>(options: {
  readonly Request: Schema.Schema<IA, II, IR>
  readonly Result: Schema.Schema<A, AI, AR>
  readonly execute: Execute<II>
  /** options of `executeQuery` and `stream` over the driver; a runner's own apply with `.in` */
  readonly config?: QueryConfig | undefined
}): TypedQuery<IA, ReadonlyArray<A>, QuerySchemaError, IR | AR> => {
  const { many } = decoder(options.Result)
  return typedQuery(options.Request, options.execute, options.config, (prepared, records) =>
    Effect.flatMap(many(prepared.text, records, 0), ({ error, rows }) => (error === undefined ? Effect.succeed(rows) : Effect.fail(error))))
}

/**
 * Runs a query with a request schema and a result schema, and returns its first row, decoded
 * (`None` for no row). All rows are read; only the first is decoded.
 *
 * @example
 * ```ts
 * import { Effect, Option, Schema } from "effect"
 * import { cypher, QuerySchema } from "effect-neo4j"
 *
 * const findByName = QuerySchema.findOne({
 *   Request: Schema.String,
 *   Result: Schema.Struct({ name: Schema.String, age: Schema.Number }),
 *   execute: (name) => cypher`MATCH (p:Person {name: ${name}}) RETURN p.name AS name, p.age AS age`
 * })
 *
 * const program = Effect.gen(function* () {
 *   const ada = yield* findByName("Ada") // Option<{ name: string; age: number }>
 *   return Option.map(ada, (p) => p.age)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const findOne = <IA, II, IR, A, AI, AR>(options: {
  readonly Request: Schema.Schema<IA, II, IR>
  readonly Result: Schema.Schema<A, AI, AR>
  readonly execute: Execute<II>
  /** options of `executeQuery` over the driver */
  readonly config?: QueryConfig | undefined
}): TypedQuery<IA, Option.Option<A>, QuerySchemaError, IR | AR> => {
  const decode = decoder(options.Result).one
  return typedQuery(options.Request, options.execute, options.config, (prepared, records) =>
    records.length === 0 ? Effect.succeedNone : Effect.asSome(decode(prepared.text, records[0]!, 0)))
}

/**
 * Runs a query with a request schema and a result schema that must return exactly one row:
 * `ResultCardinalityError` otherwise, its `count` the number of rows returned.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { QuerySchema } from "effect-neo4j"
 *
 * const countPeople = QuerySchema.single({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ n: Schema.Number }),
 *   execute: "MATCH (p:Person) RETURN count(p) AS n"
 * })
 *
 * const program = countPeople().pipe(Effect.map(({ n }) => n)) // Effect<number, ...>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const single = <IA, II, IR, A, AI, AR>(options: {
  readonly Request: Schema.Schema<IA, II, IR>
  readonly Result: Schema.Schema<A, AI, AR>
  readonly execute: Execute<II>
  /** options of `executeQuery` over the driver */
  readonly config?: QueryConfig | undefined
}): TypedQuery<IA, A, QuerySchemaError | ResultCardinalityError, IR | AR> => {
  const decode = decoder(options.Result).one
  return typedQuery(options.Request, options.execute, options.config, (prepared, records) =>
    records.length === 1
      ? decode(prepared.text, records[0]!, 0)
      : Effect.fail(
        new ResultCardinalityError({
          count: records.length,
          message: `single: ${shorten(prepared.text)} returned ${records.length === 0 ? "no record" : `${records.length} records`}, not one`
        })
      ))
}

const _void = <IA, II, IR>(options: {
  readonly Request: Schema.Schema<IA, II, IR>
  readonly execute: Execute<II>
  /** options of `executeQuery` over the driver */
  readonly config?: QueryConfig | undefined
}): TypedQuery<IA, void, QueryParametersError, IR> =>
  typedQuery(options.Request, options.execute, options.config, () => Effect.void)

export {
  /**
   * Runs a query with a request schema and returns nothing: its records, if any, are read and
   * dropped.
   *
   * @example
   * ```ts
   * import { Effect, Schema } from "effect"
   * import { cypher, QuerySchema } from "effect-neo4j"
   * import type { Transaction } from "effect-neo4j"
   *
   * const rename = QuerySchema.void({
   *   Request: Schema.Struct({ from: Schema.String, to: Schema.String }),
   *   execute: (req) => cypher`MATCH (p:Person {name: ${req.from}}) SET p.name = ${req.to}`
   * })
   *
   * // Effect<void, QueryParametersError | Neo4jError, Neo4jDriver>
   * const renamed = rename({ from: "Ada", to: "Ada Lovelace" })
   * const inOneTransaction = (tx: Transaction.ManagedTransaction) =>
   *   Effect.all([rename.in(tx)({ from: "Ada", to: "Ada L." }), rename.in(tx)({ from: "Grace", to: "Grace H." })])
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  _void as void
}

/**
 * Streams a query's rows, decoded, with a request schema and a result schema: over the driver an
 * auto-commit query (`driver.stream`), PULLed as the consumer demands, batch by batch; a record
 * that does not decode ends the stream with `QueryResultError`.
 *
 * @example
 * ```ts
 * import { Effect, Schema, Stream } from "effect"
 * import { QuerySchema } from "effect-neo4j"
 *
 * const names = QuerySchema.stream({
 *   Request: Schema.Struct({ limit: Schema.Number }),
 *   Result: Schema.Struct({ name: Schema.String }),
 *   execute: "MATCH (p:Person) RETURN p.name AS name LIMIT $limit"
 * })
 *
 * const program = names({ limit: 1000 }).pipe(
 *   Stream.map((p) => p.name),
 *   Stream.runForEach((name) => Effect.log(name))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stream = <IA, II, IR, A, AI, AR>(options: {
  readonly Request: Schema.Schema<IA, II, IR>
  readonly Result: Schema.Schema<A, AI, AR>
  readonly execute: Execute<II>
  /** options of `stream` over the driver */
  readonly config?: QueryConfig | undefined
}): TypedStream<IA, A, QuerySchemaError, IR | AR> => {
  const prepare = preparer(options.Request, options.execute)
  const { many } = decoder(options.Result)
  // batch by batch (a chunk per PULL): a record that does not decode ends the stream after the
  // rows before it, its own batch's included
  const decodeAll = <E, R>(prepared: Prepared, records: Stream.Stream<Neo4jRecord, E, R>) =>
    Stream.suspend(() => {
      let index = 0
      const decodeChunk = (chunk: Chunk.Chunk<Neo4jRecord>) =>
        Effect.map(many(prepared.text, chunk, index), ({ error, rows }) => {
          index += rows.length
          const decoded = Stream.fromChunk(Chunk.unsafeFromArray(rows))
          return error === undefined ? decoded : Stream.concat(decoded, Stream.fail(error))
        })
      return Stream.flatMap(Stream.chunks(records), (chunk) => Stream.unwrap(decodeChunk(chunk)))
    })
  const overDriver = (request: IA) =>
    Stream.unwrap(
      Effect.flatMap(prepare(request), (prepared) =>
        Effect.map(Neo4jDriver, (driver) => decodeAll(prepared, driver.stream(prepared.query, prepared.parameters, options.config))))
    )
  return Object.assign(overDriver, {
    in: (runner: Runner) => (request: IA) =>
      Stream.unwrap(
        Effect.flatMap(prepare(request), (prepared) =>
          Effect.map(runner.run(prepared.query, prepared.parameters), (result) => decodeAll(prepared, result.records)))
      )
  })
}
