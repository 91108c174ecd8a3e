/**
 * The `cypher` tagged template (`src/Cypher.ts`): the text and parameters it generates, pieces
 * composed with their parameters renamed, identifiers quoted and refused, how a query prints;
 * then over real sockets against the stub server (Bolt 5.4): an injection attempt stays a
 * parameter, and `executeQuery`, `stream`, `session.run` and `tx.run` (explicit and managed
 * transactions) send a cypher query's text and parameters, merged with those given beside it. A
 * name given twice, or a refused identifier, fails before anything is sent.
 */
import * as util from "node:util"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as Cypher from "../src/Cypher.js"
import { cypher } from "../src/index.js"
import * as Index from "../src/index.js"
import type { Neo4jDriver } from "../src/Neo4jDriver.js"
import { InvalidParameterError } from "../src/Neo4jError.js"
import type { Session } from "../src/Session.js"
import type { ManagedTransaction, Transaction } from "../src/Transaction.js"
import { StubServer } from "../src/testing/index.js"
import { HEAD, names, withDriver } from "./support.js"

const INJECTION = "x'}) DETACH DELETE n //"

describe("cypher: text and parameters", () => {
  it("an interpolated value is a generated parameter, never text", () => {
    const name = INJECTION
    const q = cypher`MATCH (p:Person {name: ${name}}) RETURN p`
    expect(q.text).toBe("MATCH (p:Person {name: $p0}) RETURN p")
    expect(q.parameters).toEqual({ p0: INJECTION })
    expect(q.error).toBeUndefined()
    expect(Cypher.isQuery(q)).toBe(true)
    expect(Cypher.isQuery(q.text)).toBe(false)
    expect(Index.Cypher.cypher).toBe(cypher)
  })

  it("values are numbered in order; the same value twice is two parameters; any value goes", () => {
    const when = new Date(0)
    const q = cypher`MATCH (p) WHERE p.age > ${30} AND p.age < ${30} AND p.tags = ${["a", "b"]} AND p.at = ${when} RETURN ${{ k: 1n }}`
    expect(q.text).toBe("MATCH (p) WHERE p.age > $p0 AND p.age < $p1 AND p.tags = $p2 AND p.at = $p3 RETURN $p4")
    expect(q.parameters).toEqual({ p0: 30, p1: 30, p2: ["a", "b"], p3: when, p4: { k: 1n } })
    expect(Object.keys(q.parameters)).toEqual(["p0", "p1", "p2", "p3", "p4"])
  })

  it("no values: the text as written, no parameters; undefined is sent as null", () => {
    expect(cypher`RETURN 1`.text).toBe("RETURN 1")
    expect(cypher`RETURN 1`.parameters).toEqual({})
    expect(cypher``.text).toBe("")
    const q = cypher`RETURN ${undefined} AS u`
    expect(q.parameters).toEqual({ p0: null })
    expect("p0" in q.parameters).toBe(true)
    // values at both ends
    expect(cypher`${1}${2}`.text).toBe("$p0$p1")
  })

  it("the template's text is read as a string literal would be (escapes decoded)", () => {
    expect(cypher`RETURN "a\tb" AS s, ${1} AS n`.text).toBe('RETURN "a\tb" AS s, $p0 AS n')
    expect(cypher`RETURN 'it\'s'`.text).toBe("RETURN 'it's'")
  })
})

describe("cypher: composition", () => {
  it("a query interpolated into another is inlined, its parameters renamed to the next free names", () => {
    const byName = (name: string) => cypher`MATCH (p:Person {name: ${name}})`
    const olderThan = (age: number) => cypher`WHERE p.age > ${age}`
    const q = cypher`${byName("Ada")} ${olderThan(30)} RETURN p LIMIT ${5}`
    expect(q.text).toBe("MATCH (p:Person {name: $p0}) WHERE p.age > $p1 RETURN p LIMIT $p2")
    expect(q.parameters).toEqual({ p0: "Ada", p1: 30, p2: 5 })
  })

  it("the inner p0 after outer values becomes the next name; pieces nest at any depth and may be reused", () => {
    const inner = cypher`x = ${"in"}`
    const middle = cypher`(${inner} OR y = ${"mid"})`
    const q = cypher`WHERE a = ${"out"} AND ${middle} AND ${inner} RETURN ${"last"}`
    expect(q.text).toBe("WHERE a = $p0 AND (x = $p1 OR y = $p2) AND x = $p3 RETURN $p4")
    expect(q.parameters).toEqual({ p0: "out", p1: "in", p2: "mid", p3: "in", p4: "last" })
    // the pieces themselves are unchanged
    expect(inner.text).toBe("x = $p0")
    expect(middle.text).toBe("(x = $p0 OR y = $p1)")
  })

  it("a piece with no parameters is inlined as text", () => {
    const ret = cypher`RETURN n`
    expect(cypher`MATCH (n) ${ret} LIMIT ${1}`.text).toBe("MATCH (n) RETURN n LIMIT $p0")
  })

  it("join: parts between separators, each a piece or a value", () => {
    const keys = ["name", "age"].map(Cypher.identifier)
    expect(cypher`RETURN ${Cypher.join(keys.map((k) => cypher`p.${k}`))}`.text).toBe("RETURN p.`name`, p.`age`")
    const filters = [cypher`p.age > ${30}`, cypher`p.name STARTS WITH ${"A"}`]
    const where = cypher`WHERE ${Cypher.join(filters, " AND ")} AND p.x = ${true}`
    expect(where.text).toBe("WHERE p.age > $p0 AND p.name STARTS WITH $p1 AND p.x = $p2")
    expect(where.parameters).toEqual({ p0: 30, p1: "A", p2: true })
    const ids = Cypher.join([1, 2, 3])
    expect(ids.text).toBe("$p0, $p1, $p2")
    expect(ids.parameters).toEqual({ p0: 1, p1: 2, p2: 3 })
    // a separator that is a query, with a parameter of its own: one per use
    const sep = Cypher.join(["a", "b", "c"], cypher` + ${0} + `)
    expect(sep.text).toBe("$p0 + $p1 + $p2 + $p3 + $p4")
    expect(sep.parameters).toEqual({ p0: "a", p1: 0, p2: "b", p3: 0, p4: "c" })
    expect(Cypher.join([]).text).toBe("")
    expect(Cypher.join(new Set([cypher`a`])).text).toBe("a")
  })

  it("raw: text as it is, not escaped", () => {
    const order = Cypher.raw("DESC")
    const q = cypher`RETURN p ORDER BY p.age ${order} LIMIT ${10}`
    expect(q.text).toBe("RETURN p ORDER BY p.age DESC LIMIT $p0")
    expect(q.parameters).toEqual({ p0: 10 })
    expect(Cypher.raw("a`b").text).toBe("a`b")
  })
})

describe("cypher: identifiers", () => {
  it("quoted with backticks, a backtick inside doubled", () => {
    expect(Cypher.identifier("Person").text).toBe("`Person`")
    expect(Cypher.identifier("We`ird").text).toBe("`We``ird`")
    expect(Cypher.identifier("``").text).toBe("``````")
    expect(Cypher.identifier("has spaces & $ymbols").text).toBe("`has spaces & $ymbols`")
    expect(Cypher.identifier("Ünïcødé 名前 😀").text).toBe("`Ünïcødé 名前 😀`")
    // a backslash not starting a \u escape is a character like any other
    expect(Cypher.identifier("a\\b").text).toBe("`a\\b`")
    expect(Cypher.identifier("1first").parameters).toEqual({})
    expect(Cypher.identifier("x".repeat(65534)).error).toBeUndefined()
  })

  it("a quoted name cannot end the quoting: the backtick of an injection attempt is doubled", () => {
    const q = cypher`MATCH (n:${Cypher.identifier("X`) DETACH DELETE n //")}) RETURN n`
    expect(q.text).toBe("MATCH (n:`X``) DETACH DELETE n //`) RETURN n")
    expect(q.error).toBeUndefined()
  })

  it("labels, relationship types and property keys in a query, values as parameters", () => {
    const q = cypher`MATCH (a:${Cypher.identifier("Person")})-[r:${Cypher.identifier("KNOWS")}]->(b) WHERE a.${Cypher.identifier("first name")} = ${"Ada"} RETURN b`
    expect(q.text).toBe("MATCH (a:`Person`)-[r:`KNOWS`]->(b) WHERE a.`first name` = $p0 RETURN b")
    expect(q.parameters).toEqual({ p0: "Ada" })
  })

  it("refused: empty, NUL, \\u escapes, lone surrogates, too long; a typed error, never a throw", () => {
    const refused: ReadonlyArray<readonly [string, string]> = [
      ["", "empty"],
      ["a\u0000b", "NUL"],
      ["a\\u0060) DETACH DELETE n //", "\\u escape"],
      ["\\U0060", "\\u escape"],
      ["a\\\\u0041", "\\u escape"],
      ["x\uD800y", "lone surrogate"],
      ["\uDC00", "lone surrogate"],
      ["x".repeat(65535), "65534"]
    ]
    for (const [name, why] of refused) {
      const id = Cypher.identifier(name)
      expect(id.error).toBeInstanceOf(InvalidParameterError)
      expect(id.error?._tag).toBe("InvalidParameterError")
      expect(id.error?.retriable).toBe(false)
      expect(id.error?.message).toContain("Invalid Cypher identifier")
      expect(id.error?.message).toContain(why)
      // an inert text: whoever sends it anyway gets no injection
      expect(id.text).toBe("``")
    }
    expect(Cypher.identifier("Per\u0000son").error?.message).toContain('"Per\\u0000son"')
    // a long name is shown shortened
    expect(Cypher.identifier("y".repeat(70000)).error!.message.length).toBeLessThan(200)
  })

  it("a refused identifier is the error of every query it goes into (the first one wins)", () => {
    const bad = Cypher.identifier("")
    const q = cypher`MATCH (n:${bad}) RETURN n`
    expect(q.error).toBe(bad.error)
    const outer = cypher`${cypher`MATCH (n:${Cypher.identifier("a\u0000")})`} SET n:${bad}`
    expect(outer.error?.message).toContain("NUL")
    expect(Cypher.join([cypher`a`, bad]).error).toBe(bad.error)
    expect(Cypher.join([1, 2], bad).error).toBe(bad.error)
  })
})

describe("cypher: printing", () => {
  it("toString, JSON.stringify and util.inspect show the text, never the values", () => {
    const q = cypher`MATCH (u:User {email: ${"ada@example.com"}}) RETURN u`
    expect(String(q)).toBe("MATCH (u:User {email: $p0}) RETURN u")
    expect(`${q}`).toBe("MATCH (u:User {email: $p0}) RETURN u")
    expect(JSON.parse(JSON.stringify(q))).toEqual({ _id: "Cypher.Query", text: "MATCH (u:User {email: $p0}) RETURN u" })
    expect(util.inspect(q)).toBe("Cypher.Query(MATCH (u:User {email: $p0}) RETURN u)")
    for (const printed of [String(q), JSON.stringify(q), util.inspect(q), util.inspect({ q }), util.format("%o", q)]) {
      expect(printed).not.toContain("ada@example.com")
    }
  })
})

describe("cypher: types", () => {
  it("queries, pieces and the APIs that take them", () => {
    expectTypeOf(cypher`RETURN 1`).toEqualTypeOf<Cypher.Query>()
    expectTypeOf(Cypher.identifier).returns.toEqualTypeOf<Cypher.Query>()
    expectTypeOf(Cypher.raw).returns.toEqualTypeOf<Cypher.Query>()
    expectTypeOf(Cypher.join).returns.toEqualTypeOf<Cypher.Query>()
    expectTypeOf<Cypher.Query["parameters"]>().toEqualTypeOf<Readonly<Record<string, unknown>>>()
    expectTypeOf<Cypher.Query["error"]>().toEqualTypeOf<InvalidParameterError | undefined>()
    expectTypeOf<Parameters<Neo4jDriver["executeQuery"]>[0]>().toEqualTypeOf<string | Cypher.Query>()
    expectTypeOf<Parameters<Neo4jDriver["stream"]>[0]>().toEqualTypeOf<string | Cypher.Query>()
    expectTypeOf<Parameters<Session["run"]>[0]>().toEqualTypeOf<string | Cypher.Query>()
    expectTypeOf<Parameters<Transaction["run"]>[0]>().toEqualTypeOf<string | Cypher.Query>()
    expectTypeOf<Parameters<ManagedTransaction["run"]>[0]>().toEqualTypeOf<string | Cypher.Query>()
    const unknownValue: unknown = 1
    if (Cypher.isQuery(unknownValue)) expectTypeOf(unknownValue).toEqualTypeOf<Cypher.Query>()
    // a look-alike object is not a query: only the builders make one
    const run = (_q: Parameters<Neo4jDriver["executeQuery"]>[0]) => {}
    // @ts-expect-error a plain { text, parameters } is not a Cypher.Query
    run({ text: "RETURN 1", parameters: {}, error: undefined })
  })
})

/** RUN's SUCCESS of a faithful Bolt 5.4 server: fields, and qid inside a transaction. */
const runSuccess = (fields: ReadonlyArray<string>, qid?: number) =>
  `SUCCESS {"t_first": 1, "fields": ${JSON.stringify(fields)}${qid === undefined ? "" : `, "qid": ${qid}`}}`

/** The last message `name` the stub received: its fields. */
const lastReceived = (stub: StubServer.StubServer, name: string) =>
  Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === name).at(-1)?.fields)

describe("cypher queries on the wire (Bolt 5.4)", () => {
  it.scopedLive("injection (acceptance): the server sees the query text unchanged and the value as a parameter", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "MATCH (p:Person {name: $p0}) RETURN p" {"p0": ${JSON.stringify(INJECTION)}} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(["p"], 0)}
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
      })
      const name = INJECTION
      const { records, summary } = yield* withDriver(stub, (driver) =>
        driver.executeQuery(cypher`MATCH (p:Person {name: ${name}}) RETURN p`)
      )
      expect(records).toEqual([])
      expect(summary.query).toEqual({ text: "MATCH (p:Person {name: $p0}) RETURN p", parameters: { p0: INJECTION } })
      yield* stub.verify
      const run = yield* lastReceived(stub, "RUN")
      expect(run?.[0]).toBe("MATCH (p:Person {name: $p0}) RETURN p")
      expect(run?.[1]).toEqual({ p0: INJECTION })
    })
  )

  it.scopedLive("executeQuery: a cypher query's parameters merged with those given beside it; identifiers in the text", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {"mode": "r"}
C: RUN "MATCH (p:\`Person\`) WHERE p.\`first name\` = $p0 RETURN p.age AS age LIMIT $limit" {"p0": "Ada", "limit": 10} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(["age"], 0)}
   RECORD [36]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
      })
      const query = cypher`MATCH (p:${Cypher.identifier("Person")}) WHERE p.${Cypher.identifier("first name")} = ${"Ada"} RETURN p.age AS age LIMIT $limit`
      const { records } = yield* withDriver(stub, (driver) => driver.executeQuery(query, { limit: 10 }, { routing: "READ" }))
      expect(records.map((r) => r.get("age"))).toEqual([36])
      yield* stub.verify
    })
  )

  it.scopedLive("stream: an auto-commit RUN of the query's text and parameters", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, $p0) AS i RETURN i * $factor AS x" {"p0": 3, "factor": 2} {}
C: PULL {"n": 1000}
S: ${runSuccess(["x"])}
   RECORD [2]
   RECORD [4]
   RECORD [6]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:1"}
?: GOODBYE
`
      })
      const xs = yield* withDriver(stub, (driver) =>
        Stream.runCollect(driver.stream(cypher`UNWIND range(1, ${3}) AS i RETURN i * $factor AS x`, { factor: 2 }))
      )
      expect(Chunk.toArray(xs).map((r) => r.get("x"))).toEqual([2, 4, 6])
      yield* stub.verify
    })
  )

  it.scopedLive("session.run, tx.run in an explicit transaction and in a transaction function", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "MATCH (n:\`Person\`) RETURN count(n) AS n" {} {}
C: PULL {"n": 1000}
S: ${runSuccess(["n"])}
   RECORD [1]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "CREATE (p:Person {name: $p0, born: $p1})" {"p0": "Ada", "p1": 1815} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess([], 0)}
   SUCCESS {"type": "w", "t_last": 0, "db": "neo4j", "stats": {"nodes-created": 1, "properties-set": 2, "labels-added": 1}}
C: COMMIT
S: SUCCESS {"bookmark": "FB:2"}
C: BEGIN {"bookmarks": ["FB:2"]}
C: RUN "MATCH (p:Person {name: $p0}) SET p.title = $title" {"p0": "Ada", "title": "Countess"} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess([], 0)}
   SUCCESS {"type": "w", "t_last": 0, "db": "neo4j", "stats": {"properties-set": 1}}
C: COMMIT
S: SUCCESS {"bookmark": "FB:3"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run(cypher`MATCH (n:${Cypher.identifier("Person")}) RETURN count(n) AS n`)
          expect((yield* result.single).get("n")).toBe(1)

          const tx = yield* session.beginTransaction()
          const created = yield* tx.run(cypher`CREATE (p:Person {name: ${"Ada"}, born: ${1815}})`)
          expect((yield* created.summary).counters.nodesCreated).toBe(1)
          yield* tx.commit

          yield* session.executeWrite((tx) =>
            Effect.flatMap(tx.run(cypher`MATCH (p:Person {name: ${"Ada"}}) SET p.title = $title`, { title: "Countess" }), (r) => r.consume)
          )
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "BEGIN", "RUN", "PULL", "COMMIT", "BEGIN", "RUN", "PULL", "COMMIT"])
    })
  )
})

describe("cypher queries refused before anything is sent", () => {
  it.scopedLive("a name both in the query and beside it: InvalidParameterError naming it, from each API", () =>
    Effect.gen(function* () {
      // nothing goes out for a refused query. The transaction function's work fails, so its
      // transaction, queued but unsent, is rolled back (BEGIN + ROLLBACK, as for any work that
      // fails before its first query); the explicit transaction's BEGIN goes out with the first
      // RUN that is sent: it goes on after the refusal
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {"mode": "r"}
C: ROLLBACK
S: SUCCESS {}
   SUCCESS {}
C: BEGIN {}
C: RUN "RETURN $p0 AS x" {"p0": 1} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(["x"], 0)}
   RECORD [1]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
      })
      const twice = cypher`RETURN ${1} AS x, $p0 AS y`
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const errors = [
            yield* Effect.flip(driver.executeQuery(twice, { p0: 2 })),
            yield* Effect.flip(Stream.runCollect(driver.stream(twice, { p0: 2 }))),
            yield* Effect.flip(Effect.flatMap(driver.session(), (s) => s.run(twice, { other: 0, p0: 2 })))
          ]
          const session = yield* driver.session()
          errors.push(yield* Effect.flip(session.executeRead((tx) => tx.run(twice, { p0: 2 }))))
          const tx = yield* session.beginTransaction()
          errors.push(yield* Effect.flip(tx.run(twice, { p0: 2 })))
          expect(yield* tx.isOpen).toBe(true)
          expect((yield* Effect.flatMap(tx.run(cypher`RETURN ${1} AS x`), (r) => r.single)).get("x")).toBe(1)
          yield* tx.commit
          for (const e of errors) {
            expect(e).toBeInstanceOf(InvalidParameterError)
            expect(e.message).toContain('"p0"')
            expect(e.message).toContain("given twice")
          }
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "ROLLBACK", "BEGIN", "RUN", "PULL", "COMMIT"])
    })
  )

  it.scopedLive("a refused identifier fails the query with its InvalidParameterError; the query never goes out", () =>
    Effect.gen(function* () {
      // only the transaction function's transaction, rolled back when its work failed
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: ROLLBACK
S: SUCCESS {}
   SUCCESS {}
?: GOODBYE
`
      })
      const bad = cypher`MATCH (n:${Cypher.identifier("a\\u0060) DETACH DELETE n //")}) RETURN n`
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const errors = [
            yield* Effect.flip(driver.executeQuery(bad)),
            yield* Effect.flip(Stream.runCollect(driver.stream(bad))),
            yield* Effect.flip(session.run(bad)),
            yield* Effect.flip(session.executeWrite((tx) => tx.run(bad)))
          ]
          for (const e of errors) expect(e).toBe(bad.error)
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "ROLLBACK"])
      expect(bad.error?.message).toContain("\\u escape")
    })
  )

  it.scopedLive("a plain string query is untouched: $p0 in it is the caller's own parameter", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN $p0 AS x" {"p0": 5} {}
C: PULL {"n": 1000}
S: ${runSuccess(["x"])}
   RECORD [5]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:1"}
?: GOODBYE
`
      })
      const xs = yield* withDriver(stub, (driver) => Stream.runCollect(driver.stream("RETURN $p0 AS x", { p0: 5 })))
      expect(Chunk.toArray(xs).map((r) => r.get("x"))).toEqual([5])
      yield* stub.verify
    })
  )
})
