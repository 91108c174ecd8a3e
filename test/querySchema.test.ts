/**
 * QuerySchema (`src/QuerySchema.ts`): queries typed by a Request and a Result schema, over real
 * sockets against the stub server (Bolt 5.4). The parameters as the server sees them (the
 * request encoded), the rows as the application sees them (each record decoded), over the driver
 * (`executeQuery`, `stream`) and `.in(tx)` inside a transaction function; a request that does not
 * encode sends nothing; a record that does not decode names its index and column; `single` with
 * no row or two; the inferred types.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Option, ParseResult, Schema, Stream } from "effect"
import { cypher, QuerySchema as Index } from "../src/index.js"
import type { Cypher } from "../src/index.js"
import { Neo4jDriver } from "../src/Neo4jDriver.js"
import { ResultCardinalityError } from "../src/Neo4jError.js"
import type { Neo4jError } from "../src/Neo4jError.js"
import * as Neo4jSchema from "../src/Neo4jSchema.js"
import * as QuerySchema from "../src/QuerySchema.js"
import { StubServer } from "../src/testing/index.js"
import { failureOf, HEAD, names, withDriver } from "./support.js"
import { eager, lastRunParameters, runSuccess, withDriverService } from "./schema/support.js"

const Person = Schema.Struct({ name: Schema.String, age: Schema.Number, email: Schema.NullOr(Schema.String) })

describe("QuerySchema over the driver (Bolt 5.4)", () => {
  it.scopedLive("findAll: the request encoded into a cypher query's parameters, every row decoded", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(
            "MATCH (p:Person) WHERE p.joined >= $p0 AND p.age > $p1 RETURN p.name AS name, p.age AS age, p.email AS email",
            `{"p0": "2020-01-01T00:00:00.000Z", "p1": 30}`,
            ["name", "age", "email"],
            [`["Ada", 36, "ada@example.com"]`, `["Grace", 45, null]`],
            "r"
          )
        }?: GOODBYE
`
      })
      const joinedSince = QuerySchema.findAll({
        // the app gives a Date, the server gets its encoded form (an ISO string)
        Request: Schema.Struct({ since: Schema.Date, olderThan: Schema.Number }),
        Result: Person,
        execute: (req) =>
          cypher`MATCH (p:Person) WHERE p.joined >= ${req.since} AND p.age > ${req.olderThan} RETURN p.name AS name, p.age AS age, p.email AS email`,
        config: { routing: "READ" }
      })
      const people = yield* withDriverService(stub, () => joinedSince({ since: new Date("2020-01-01T00:00:00Z"), olderThan: 30 }))
      expect(people).toEqual([
        { name: "Ada", age: 36, email: "ada@example.com" },
        { name: "Grace", age: 45, email: null }
      ])
      yield* stub.verify
      expect(yield* lastRunParameters(stub)).toEqual({ p0: "2020-01-01T00:00:00.000Z", p1: 30n })
    })
  )

  it.scopedLive("findOne: a string query takes the encoded request as its parameters; Some for the first row, None for none", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Person {name: $name}) RETURN p.name AS name, p.age AS age, p.email AS email"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, `{"name": "Ada"}`, ["name", "age", "email"], [`["Ada", 36, null]`, `["Ada", 12, null]`])}${
          eager(text, `{"name": "Nobody"}`, ["name", "age", "email"], [])
        }?: GOODBYE
`
      })
      const byName = QuerySchema.findOne({ Request: Schema.Struct({ name: Schema.String }), Result: Person, execute: text })
      const [ada, nobody] = yield* withDriverService(stub, () => Effect.all([byName({ name: "Ada" }), byName({ name: "Nobody" })]))
      expect(ada).toEqual(Option.some({ name: "Ada", age: 36, email: null }))
      expect(nobody).toEqual(Option.none())
      yield* stub.verify
    })
  )

  it.scopedLive("single: one row decoded; none and two are ResultCardinalityError with the count", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Person) WHERE p.age = $p0 RETURN p.name AS name"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, `{"p0": 36}`, ["name"], [`["Ada"]`])}${eager(text, `{"p0": 1}`, ["name"], [])}${
          eager(text, `{"p0": 45}`, ["name"], [`["Grace"]`, `["Hedy"]`])
        }?: GOODBYE
`
      })
      const aged = QuerySchema.single({
        Request: Schema.Number,
        Result: Schema.Struct({ name: Schema.String }),
        execute: (age) => cypher`MATCH (p:Person) WHERE p.age = ${age} RETURN p.name AS name`
      })
      const [one, none, two] = yield* withDriverService(stub, () => Effect.all([aged(36), Effect.exit(aged(1)), Effect.exit(aged(45))]))
      expect(one).toEqual({ name: "Ada" })
      const zero = failureOf(none)
      expect(zero).toBeInstanceOf(ResultCardinalityError)
      expect(zero).toMatchObject({ _tag: "ResultCardinalityError", count: 0 })
      expect(zero.message).toContain("returned no record")
      const many = failureOf(two)
      expect(many).toMatchObject({ _tag: "ResultCardinalityError", count: 2 })
      expect(many.message).toContain("returned 2 records")
      yield* stub.verify
    })
  )

  it.scopedLive("void: a Request only; the parameters sent, nothing returned", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager("CREATE (:Person {name: $name, age: $age})", `{"name": "Ada", "age": 36}`, [], [])}?: GOODBYE
`
      })
      const create = QuerySchema.void({
        Request: Schema.Struct({ name: Schema.String, age: Schema.Number }),
        execute: "CREATE (:Person {name: $name, age: $age})"
      })
      const out = yield* withDriverService(stub, () => create({ name: "Ada", age: 36 }))
      expect(out).toBeUndefined()
      yield* stub.verify
    })
  )

  it.scopedLive("stream: an auto-commit query, each record decoded as it comes", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email LIMIT $limit" {"limit": 3} {}
C: PULL {"n": 1000}
S: ${runSuccess(["name", "age", "email"])}
   RECORD ["Ada", 36, null]
   RECORD ["Grace", 45, "grace@example.com"]
   RECORD ["Hedy", 41, null]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:1"}
?: GOODBYE
`
      })
      const people = QuerySchema.stream({
        Request: Schema.Struct({ limit: Schema.Number }),
        Result: Person,
        execute: "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email LIMIT $limit"
      })
      const rows = yield* withDriverService(stub, () => Stream.runCollect(people({ limit: 3 })))
      expect(Chunk.toArray(rows)).toEqual([
        { name: "Ada", age: 36, email: null },
        { name: "Grace", age: 45, email: "grace@example.com" },
        { name: "Hedy", age: 41, email: null }
      ])
      yield* stub.verify
    })
  )
})

describe("QuerySchema: a Result schema that needs a service or waits", () => {
  // rows are decoded synchronously where the schema allows it; these schemas do not, and must
  // still decode (the Effect decoder takes over), in order, with the failing record's index
  class Clock extends Effect.Tag("test/Clock")<Clock, { readonly year: number }>() {}
  const BornIn = Schema.transformOrFail(Schema.Number, Schema.Number, {
    decode: (age, _, ast) =>
      Effect.flatMap(Clock, ({ year }) =>
        age < 0 ? Effect.fail(new ParseResult.Type(ast, age, "a negative age")) : Effect.succeed(year - age)),
    encode: (born) => Effect.map(Clock, ({ year }) => year - born)
  })
  const Slow = Schema.transformOrFail(Schema.String, Schema.String, {
    decode: (s) => Effect.as(Effect.sleep("1 millis"), s.toUpperCase()),
    encode: ParseResult.succeed
  })
  const Row = Schema.Struct({ name: Slow, born: BornIn })
  const script = `${HEAD}C: RUN "MATCH (p:Person) RETURN p.name AS name, p.age AS born" {} {}
C: PULL {"n": 1000}
S: ${runSuccess(["name", "born"])}
   RECORD ["Ada", 36]
   RECORD ["Grace", 45]
   RECORD ["Nobody", -1]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:1"}
?: GOODBYE
`

  it.scopedLive("findAll and stream decode every row with it; the row that fails is named by its index", () =>
    Effect.gen(function* () {
      const options = { Request: Schema.Void, Result: Row, execute: "MATCH (p:Person) RETURN p.name AS name, p.age AS born" }
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(options.execute, "{}", ["name", "born"], [`["Ada", 36]`, `["Grace", 45]`])}?: GOODBYE\n`
      })
      const clock = Effect.provideService(Clock, { year: 2026 })
      const all = yield* withDriverService(stub, () => clock(QuerySchema.findAll(options)()))
      expect(all).toEqual([{ name: "ADA", born: 1990 }, { name: "GRACE", born: 1981 }])
      yield* stub.verify

      const streamed = yield* StubServer.make({ script })
      const rows: Array<unknown> = []
      const exit = yield* withDriverService(streamed, () =>
        clock(QuerySchema.stream(options)().pipe(Stream.runForEach((row) => Effect.sync(() => rows.push(row))), Effect.exit)))
      expect(rows).toEqual([{ name: "ADA", born: 1990 }, { name: "GRACE", born: 1981 }])
      const error = failureOf(exit)
      expect(error._tag).toBe("QueryResultError")
      expect(error).toMatchObject({ index: 2, column: "born" })
      expect(error.message).toContain("a negative age")
    })
  )
})

describe("QuerySchema: rows that do not decode", () => {
  it.scopedLive("a wrong column type: QueryResultError with the query, the record index, the column and the ParseError", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, "{}", ["name", "age", "email"], [`["Ada", 36, null]`, `["Grace", "old", null]`])}?: GOODBYE
`
      })
      const everyone = QuerySchema.findAll({ Request: Schema.Void, Result: Person, execute: text })
      const error = failureOf(yield* withDriverService(stub, () => Effect.exit(everyone())))
      expect(error).toBeInstanceOf(QuerySchema.QueryResultError)
      if (error._tag !== "QueryResultError") throw error
      expect(error.query).toBe(text)
      expect(error.index).toBe(1)
      expect(error.column).toBe("age")
      expect(ParseResult.isParseError(error.cause)).toBe(true)
      expect(error.retriable).toBe(false)
      expect(error.message).toBe(
        `Record 1 of ${JSON.stringify(text)} does not decode with the Result schema (column "age"): ` +
          `{ readonly name: string; readonly age: number; readonly email: string | null }\n└─ ["age"]\n   └─ Expected number, actual "old"`
      )
      yield* stub.verify
    })
  )

  it.scopedLive("a missing column: the column the Result schema wanted; in a stream, the rows before it are delivered", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Person) RETURN p.name AS name"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, "{}", ["name"], [`["Ada"]`])}C: RUN ${JSON.stringify(text)} {} {"bookmarks": ["FB:1"]}
C: PULL {"n": 1000}
S: ${runSuccess(["name", "age"])}
   RECORD ["Ada", 36]
   RECORD ["Grace", null]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:2"}
?: GOODBYE
`
      })
      const options = { Request: Schema.Void, Result: Schema.Struct({ name: Schema.String, age: Schema.Number }), execute: text }
      const [eagerExit, seen, streamExit] = yield* withDriverService(stub, () =>
        Effect.gen(function* () {
          const eagerExit = yield* Effect.exit(QuerySchema.findAll(options)())
          const seen: Array<unknown> = []
          const streamExit = yield* Effect.exit(
            Stream.runForEach(QuerySchema.stream(options)(), (row) => Effect.sync(() => seen.push(row)))
          )
          return [eagerExit, seen, streamExit] as const
        })
      )
      const missing = failureOf(eagerExit)
      if (missing._tag !== "QueryResultError") throw missing
      expect(missing).toMatchObject({ index: 0, column: "age", query: text })
      expect(missing.message).toContain(`(column "age")`)
      expect(missing.message).toContain(`["age"]\n   └─ is missing`)

      expect(seen).toEqual([{ name: "Ada", age: 36 }])
      const wrong = failureOf(streamExit)
      expect(wrong).toMatchObject({ _tag: "QueryResultError", index: 1, column: "age" })
      expect(wrong.message).toContain("Expected number, actual null")
      yield* stub.verify
    })
  )
})

describe("QuerySchema: requests that do not encode (nothing sent)", () => {
  it.scopedLive("QueryParametersError with the ParseError; the query's text when it is a fixed string; no connection opened", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}?: GOODBYE\n` })
      const fixed = "MATCH (p:Person {age: $age}) RETURN p.name AS name"
      const byAgeText = QuerySchema.findAll({
        Request: Schema.Struct({ age: Schema.Int }),
        Result: Schema.Struct({ name: Schema.String }),
        execute: fixed
      })
      const byAgeCypher = QuerySchema.stream({
        Request: Schema.Struct({ age: Schema.Int }),
        Result: Schema.Struct({ name: Schema.String }),
        execute: (req) => cypher`MATCH (p:Person {age: ${req.age}}) RETURN p.name AS name`
      })
      // a string query with a request that encodes to a string: it has no parameter map (a type
      // error, and should the types be bypassed, a QueryParametersError with nothing sent)
      // @ts-expect-error a string request is no parameter map: only a function giving a Cypher.Query compiles
      const notAMap = QuerySchema.void({ Request: Schema.String, execute: "CREATE (:Tag {name: $name})" })
      const errors = yield* withDriverService(stub, () =>
        Effect.all([
          Effect.flip(byAgeText({ age: 1.5 })),
          Effect.flip(Stream.runCollect(byAgeCypher({ age: 1.5 }))),
          Effect.flip(notAMap("x"))
        ])
      )
      const [text, interpolated, map] = errors
      expect(text).toBeInstanceOf(QuerySchema.QueryParametersError)
      expect(text).toMatchObject({ _tag: "QueryParametersError", query: fixed })
      if (text._tag !== "QueryParametersError") throw text
      expect(ParseResult.isParseError(text.cause)).toBe(true)
      expect(text.message).toContain(`of ${JSON.stringify(fixed)}`)
      expect(text.message).toContain(`└─ ["age"]\n   └─ Int\n`)
      expect(text.message).toContain("Expected an integer, actual 1.5")
      expect(interpolated).toMatchObject({ _tag: "QueryParametersError", query: undefined })
      expect(interpolated.message).toContain("Expected an integer, actual 1.5")
      expect(map).toMatchObject({ _tag: "QueryParametersError", query: "CREATE (:Tag {name: $name})" })
      expect(map.cause).toBeUndefined()
      expect(map.message).toContain("encodes to a string")
      yield* stub.verify
      expect(yield* names(stub)).toEqual([])
    })
  )
})

describe("QuerySchema in a transaction function: .in(tx)", () => {
  it.scopedLive("void, findAll, single and stream share one transaction; a decode failure rolls it back, not retried", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: BEGIN {}
C: RUN "CREATE (p:Person {name: $p0, age: $p1})" {"p0": "Ada", "p1": 36} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess([], 0)}
   SUCCESS {"type": "w", "t_last": 0, "db": "neo4j", "stats": {"nodes-created": 1}}
C: RUN "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email" {} {}
C: PULL {"n": 1000}
S: ${runSuccess(["name", "age", "email"], 1)}
   RECORD ["Ada", 36, null]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
C: PULL {"n": 1000}
S: ${runSuccess(["n"], 2)}
   RECORD [1]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: RUN "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email" {} {}
C: PULL {"n": 1000}
S: ${runSuccess(["name", "age", "email"], 3)}
   RECORD ["Ada", 36, null]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"], "mode": "r"}
C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(["n"], 0)}
   RECORD ["one"]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
      })
      const create = QuerySchema.void({
        Request: Schema.Struct({ name: Schema.String, age: Schema.Number }),
        execute: (p) => cypher`CREATE (p:Person {name: ${p.name}, age: ${p.age}})`
      })
      const all = QuerySchema.findAll({
        Request: Schema.Void,
        Result: Person,
        execute: "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email"
      })
      const count = QuerySchema.single({
        Request: Schema.Void,
        Result: Schema.Struct({ n: Schema.Number }),
        execute: "MATCH (p:Person) RETURN count(p) AS n"
      })
      const streamed = QuerySchema.stream({
        Request: Schema.Void,
        Result: Person,
        execute: "MATCH (p:Person) RETURN p.name AS name, p.age AS age, p.email AS email"
      })
      const [result, failed] = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.executeWrite((tx) =>
            Effect.gen(function* () {
              yield* create.in(tx)({ name: "Ada", age: 36 })
              const people = yield* all.in(tx)()
              const { n } = yield* count.in(tx)()
              const rows = yield* Stream.runCollect(streamed.in(tx)())
              return { people, n, rows: Chunk.toArray(rows) }
            })
          )
          const failed = yield* Effect.exit(session.executeRead((tx) => count.in(tx)()))
          return [result, failed] as const
        })
      )
      expect(result).toEqual({ people: [{ name: "Ada", age: 36, email: null }], n: 1, rows: [{ name: "Ada", age: 36, email: null }] })
      expect(failureOf(failed)).toMatchObject({ _tag: "QueryResultError", index: 0, column: "n" })
      yield* stub.verify
      expect(yield* names(stub)).toEqual([
        "HELLO",
        "LOGON",
        "BEGIN",
        "RUN",
        "PULL",
        "RUN",
        "PULL",
        "RUN",
        "PULL",
        "RUN",
        "PULL",
        "COMMIT",
        "BEGIN",
        "RUN",
        "PULL",
        "ROLLBACK"
      ])
    })
  )

  it.scopedLive("single in a transaction: two rows are ResultCardinalityError", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: BEGIN {"mode": "r"}
C: RUN "MATCH (p:Person) RETURN p.name AS name" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(["name"], 0)}
   RECORD ["Ada"]
   RECORD ["Grace"]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
      })
      const one = QuerySchema.single({
        Request: Schema.Void,
        Result: Schema.Struct({ name: Schema.String }),
        execute: "MATCH (p:Person) RETURN p.name AS name"
      })
      const exit = yield* withDriver(stub, (driver) =>
        Effect.flatMap(driver.session(), (session) => Effect.exit(session.executeRead((tx) => one.in(tx)())))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(failureOf(exit)).toMatchObject({ _tag: "ResultCardinalityError", count: 2 })
      yield* stub.verify
    })
  )
})

describe("QuerySchema: types", () => {
  it("the request and row types are inferred from the schemas", () => {
    expect(Index.findAll).toBe(QuerySchema.findAll)
    const findAll = QuerySchema.findAll({
      Request: Schema.Struct({ since: Schema.Date }),
      Result: Person,
      execute: (req) => {
        // execute sees the encoded request
        expectTypeOf(req).toEqualTypeOf<{ readonly since: string }>()
        return cypher`MATCH (p:Person) WHERE p.joined >= ${req.since} RETURN p`
      }
    })
    type Row = { readonly name: string; readonly age: number; readonly email: string | null }
    expectTypeOf<Parameters<typeof findAll>[0]>().toEqualTypeOf<{ readonly since: Date }>()
    expectTypeOf(findAll).returns.toEqualTypeOf<
      Effect.Effect<ReadonlyArray<Row>, QuerySchema.QuerySchemaError | Neo4jError, Neo4jDriver>
    >()
    expectTypeOf(findAll.in).returns.returns.toEqualTypeOf<
      Effect.Effect<ReadonlyArray<Row>, QuerySchema.QuerySchemaError | Neo4jError, never>
    >()

    const findOne = QuerySchema.findOne({ Request: Schema.String, Result: Person, execute: (x) => cypher`RETURN ${x}` })
    expectTypeOf(findOne).returns.toEqualTypeOf<
      Effect.Effect<Option.Option<Row>, QuerySchema.QuerySchemaError | Neo4jError, Neo4jDriver>
    >()
    const single = QuerySchema.single({ Request: Schema.Void, Result: Person, execute: "RETURN 1" })
    // a void request: called with no argument
    expectTypeOf(single()).toEqualTypeOf<
      Effect.Effect<Row, QuerySchema.QuerySchemaError | ResultCardinalityError | Neo4jError, Neo4jDriver>
    >()
    const v = QuerySchema.void({ Request: Schema.Struct({ name: Schema.String }), execute: "CREATE (:P {name: $name})" })
    expectTypeOf(v).returns.toEqualTypeOf<Effect.Effect<void, QuerySchema.QueryParametersError | Neo4jError, Neo4jDriver>>()
    const s = QuerySchema.stream({ Request: Schema.Void, Result: Person, execute: "RETURN 1" })
    expectTypeOf(s).returns.toEqualTypeOf<Stream.Stream<Row, QuerySchema.QuerySchemaError | Neo4jError, Neo4jDriver>>()
    expectTypeOf(s.in).returns.returns.toEqualTypeOf<Stream.Stream<Row, QuerySchema.QuerySchemaError | Neo4jError, never>>()

    // a schema with a requirement carries it into the query's requirements
    class Clock extends Effect.Tag("Clock")<Clock, { readonly now: number }>() {}
    const Stamped = Schema.transformOrFail(Schema.Number, Schema.Number, {
      decode: (n) => Effect.map(Clock, (c) => c.now - n),
      encode: (n) => ParseResult.succeed(n)
    })
    const withClock = QuerySchema.findAll({ Request: Schema.Void, Result: Schema.Struct({ age: Stamped }), execute: "RETURN 1" })
    expectTypeOf(withClock).returns.toEqualTypeOf<
      Effect.Effect<ReadonlyArray<{ readonly age: number }>, QuerySchema.QuerySchemaError | Neo4jError, Neo4jDriver | Clock>
    >()
    // a string query needs a request that encodes to a parameter map (or to nothing)
    QuerySchema.void({ Request: Schema.Struct({ name: Schema.String }), execute: "CREATE (:P {name: $name})" })
    QuerySchema.void({ Request: Schema.Void, execute: "CREATE (:P)" })
    QuerySchema.void({ Request: Schema.Array(Schema.String), execute: (names) => cypher`UNWIND ${names} AS n CREATE (:P {name: n})` })
    // @ts-expect-error an array is no parameter map
    QuerySchema.void({ Request: Schema.Array(Schema.String), execute: "UNWIND $names AS n CREATE (:P {name: n})" })
    // @ts-expect-error a number is no parameter map, nor is the string a function would build from it
    QuerySchema.findAll({ Request: Schema.Number, Result: Person, execute: (n) => `MATCH (p) RETURN p LIMIT ${n}` })
    expectTypeOf<QuerySchema.Execute<number>>().toEqualTypeOf<(request: number) => Cypher.Query>()

    // a request of the wrong type does not compile
    // @ts-expect-error since must be a Date
    findAll({ since: "2020-01-01" })
  })
})

describe("Neo4jSchema: integers", () => {
  it("Integer: a safe integer from a number or a bigint; refuses one beyond, and a fraction", () => {
    const decode = Schema.decodeUnknownEither(Neo4jSchema.Integer)
    expect(decode(36)).toEqual(Either.right(36))
    expect(decode(36n)).toEqual(Either.right(36))
    expect(decode(-9007199254740991n)).toEqual(Either.right(-9007199254740991))
    const beyond = decode(9007199254740993n)
    expect(Either.isLeft(beyond) && beyond.left.message).toContain("Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual 9007199254740993n")
    const fraction = decode(36.5)
    expect(Either.isLeft(fraction) && fraction.left.message).toContain("actual 36.5")
    expect(Either.isLeft(decode("36"))).toBe(true)
    expect(Schema.encodeSync(Neo4jSchema.Integer)(36)).toBe(36)
    expect(Either.isLeft(Schema.encodeEither(Neo4jSchema.Integer)(2 ** 60))).toBe(true)
    expectTypeOf<typeof Neo4jSchema.Integer.Type>().toEqualTypeOf<number>()
  })

  it("BigInteger: any Integer as a bigint; refuses a fraction; encodes only within int64", () => {
    const decode = Schema.decodeUnknownEither(Neo4jSchema.BigInteger)
    expect(decode(36)).toEqual(Either.right(36n))
    expect(decode(9007199254740993n)).toEqual(Either.right(9007199254740993n))
    expect(Either.isLeft(decode(1.5))).toBe(true)
    expect(Schema.encodeSync(Neo4jSchema.BigInteger)(2n ** 63n - 1n)).toBe(2n ** 63n - 1n)
    const over = Schema.encodeEither(Neo4jSchema.BigInteger)(2n ** 63n)
    expect(Either.isLeft(over) && over.left.message).toContain("Expected an integer within int64")
    expectTypeOf<typeof Neo4jSchema.BigInteger.Type>().toEqualTypeOf<bigint>()
  })

  it.scopedLive("over the wire: a small and a large Integer read, a bigint parameter sent as an Integer", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Person) WHERE p.storage > $p0 RETURN count(p) AS people, sum(p.storage) AS bytes"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, `{"p0": 9007199254740993}`, ["people", "bytes"], [`[36, 9223372036854775807]`], "r")}${
          eager(text, `{"p0": 0}`, ["people", "bytes"], [`[9007199254740993, 0]`], "r")
        }?: GOODBYE
`
      })
      const stats = QuerySchema.single({
        Request: Neo4jSchema.BigInteger,
        Result: Schema.Struct({ people: Neo4jSchema.Integer, bytes: Neo4jSchema.BigInteger }),
        execute: (min) => cypher`MATCH (p:Person) WHERE p.storage > ${min} RETURN count(p) AS people, sum(p.storage) AS bytes`,
        config: { routing: "READ" }
      })
      const [row, tooMany] = yield* withDriverService(stub, () => Effect.all([stats(9007199254740993n), Effect.flip(stats(0n))]))
      expect(row).toEqual({ people: 36, bytes: 9223372036854775807n })
      expect(tooMany).toMatchObject({ _tag: "QueryResultError", index: 0, column: "people" })
      expect(tooMany.message).toContain("Neo4jSchema.BigInteger reads any Integer")
      yield* stub.verify
    })
  )
})
