/**
 * Results through the public driver API, over real sockets against the scripted stub server:
 * keys, the demand-driven record stream (PULL n only when the consumer wants the next batch;
 * DISCARD or RESET when it stops early, and the connection reused clean), the summary,
 * `single`, `peek`, `consume`, `list`, several results open in one transaction, and reads
 * after the transaction ended.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Option, Stream, TestClock } from "effect"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Neo4jRecord } from "../../src/Record.js"
import { StubServer } from "../../src/testing/index.js"
import { count, eventually, HEAD, names, withDriver } from "../support.js"

const column = (records: Iterable<Neo4jRecord>, key: string) => Array.from(records, (r) => r.get(key))

/** A query in its own session: all rows of one column. */
const runAll = (driver: Neo4jDriver.Neo4jDriver, query: string, key: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const session = yield* driver.session()
      const result = yield* session.run(query)
      return column(yield* result.list, key)
    })
  )

const nextQuery = (fetchSize = 1000) => `C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": ${fetchSize}}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
`

describe("keys, records, list", () => {
  it.scopedLive("keys come from RUN's fields; list and the record stream give the rows in order, once", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "MATCH (p) RETURN p.name AS name, p.age AS age" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["name", "age"]}
   RECORD ["Ada", 36]
   RECORD ["Alan", 41]
   SUCCESS {"type": "r"}
C: RUN "RETURN 1 AS one" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["one"]}
   RECORD [1]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("MATCH (p) RETURN p.name AS name, p.age AS age")
          expect(result.keys).toEqual(["name", "age"])
          const rows = yield* result.list
          expect(Chunk.toArray(rows).map((r) => r.toObject())).toEqual([
            { name: "Ada", age: 36 },
            { name: "Alan", age: 41 }
          ])
          const second = yield* session.run("RETURN 1 AS one")
          expect(second.keys).toEqual(["one"])
          expect(column(yield* Stream.runCollect(second.records), "one")).toEqual([1])
          // the records of a result can be read once
          const again = yield* Effect.flip(Stream.runCollect(second.records))
          expect(again._tag).toBe("ResultConsumedError")
        })
      )
      yield* stub.verify
    })
  )
})

describe("records are pulled on demand", () => {
  it.scopedLive("take(10) of 1,000,000 records, fetchSize 1000: one PULL, then DISCARD; the next query reuses the connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] record=[$i] summary={"type": "r"}>
${nextQuery()}?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const first = yield* Effect.scoped(
              Effect.gen(function* () {
                const session = yield* driver.session()
                const result = yield* session.run("UNWIND range(1, 1000000) AS i RETURN i")
                return yield* result.records.pipe(Stream.take(10), Stream.runCollect)
              })
            )
            expect(column(first, "i")).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
            // the batch in flight is read and the rest DISCARDed in the background
            const discarded = Effect.map(names(stub), (ns) => ns.join() === "HELLO,LOGON,RUN,PULL,DISCARD")
            expect(yield* eventually(discarded)).toBe(true)
            expect(yield* runAll(driver, "RETURN 2 AS x", "x")).toEqual([2])
          }),
        { fetchSize: 1000 }
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "DISCARD", "RUN", "PULL"])
    })
  )

  it.scopedLive("driver.stream with take(10): one PULL, DISCARD, and the same connection serves the next query", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r"}>
${nextQuery()}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const first = yield* driver
            .stream("UNWIND range(1, 1000000) AS i RETURN i", {}, { bookmarkManager: null })
            .pipe(Stream.take(10), Stream.runCollect)
          expect(Chunk.size(first)).toBe(10)
          expect(yield* runAll(driver, "RETURN 2 AS x", "x")).toEqual([2])
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* count(stub, "PULL")).toBe(2)
    })
  )

  it.scopedLive("a slow consumer with fetchSize 100 makes the driver PULL only as it consumes", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(0, 249) AS i RETURN i" {} {}
S: <STREAM records=250 fields=["i"] record=[$i] summary={"type": "r", "t_last": 3}>
?: GOODBYE
`
      })
      // the number of PULLs the stub had seen when the consumer reached record i
      const seen: Array<[number, number]> = []
      const checkpoints = new Set([0, 99, 100, 199, 200, 249])
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const result = yield* session.run("UNWIND range(0, 249) AS i RETURN i")
            const all = yield* result.records.pipe(
              Stream.tap((r) => {
                const i = r.get("i") as number
                if (!checkpoints.has(i)) return Effect.void
                // give an eager PULL time to reach the stub before counting
                return Effect.sleep("25 millis").pipe(
                  Effect.zipRight(count(stub, "PULL")),
                  Effect.map((n) => void seen.push([i, n]))
                )
              }),
              Stream.runCollect
            )
            expect(Chunk.size(all)).toBe(250)
            expect((yield* result.summary).resultConsumedAfter).toBe(3)
          }),
        { fetchSize: 100 }
      )
      expect(seen).toEqual([
        [0, 1],
        [99, 1],
        [100, 2],
        [199, 2],
        [200, 3],
        [249, 3]
      ])
      const pulls = (yield* stub.received()).filter((m) => m.name === "PULL").map((m) => m.fields[0])
      expect(pulls).toEqual([{ n: 100n }, { n: 100n }, { n: 100n }])
      yield* stub.verify
    })
  )

  it.scopedLive("a consumer timed out between batches: DISCARD is sent, and the pool hands out the connection clean", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r"}>
${nextQuery(10)}?: GOODBYE
`
      })
      let consumed = 0
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            // connected beforehand, so that the timeout falls on the consumer, not on the connect
            yield* driver.verifyConnectivity()
            // a consumer that stalls on its fourth record, in the middle of the first batch
            const timedOut = yield* driver.stream("UNWIND range(1, 1000000) AS i RETURN i", {}, { bookmarkManager: null }).pipe(
              Stream.mapEffect(() => (consumed === 3 ? Effect.never : Effect.sync(() => consumed++))),
              Stream.runDrain,
              Effect.timeout("250 millis"),
              Effect.flip
            )
            expect(timedOut._tag).toBe("TimeoutException")
            expect(consumed).toBe(3)
            expect(yield* runAll(driver, "RETURN 2 AS x", "x")).toEqual([2])
          }),
        { fetchSize: 10, maxConnectionPoolSize: 1 }
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "DISCARD", "RUN", "PULL"])
    })
  )

  it.scopedLive("a consumer interrupted while a PULL is in flight: RESET is sent, and the next query works on the same connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   SUCCESS {}
${nextQuery(2)}?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const seen: Array<unknown> = []
            const fiber = yield* Effect.fork(
              Effect.scoped(
                Effect.gen(function* () {
                  const session = yield* driver.session()
                  const result = yield* session.run("UNWIND range(1, 1000000) AS i RETURN i")
                  yield* result.records.pipe(
                    Stream.runForEach((r) => Effect.sync(() => seen.push(r.get("i"))))
                  )
                })
              )
            )
            // wait until the second PULL is with the stub, which answers it only once a RESET ends
            // the query (as a real server does): the interruption must not wait for that answer
            expect(yield* eventually(Effect.map(count(stub, "PULL"), (n) => n === 2))).toBe(true)
            expect(yield* count(stub, "RESET")).toBe(0)
            yield* Fiber.interrupt(fiber)
            expect(seen).toEqual([1, 2])
            expect(yield* runAll(driver, "RETURN 2 AS x", "x")).toEqual([2])
          }),
        { fetchSize: 2, maxConnectionPoolSize: 1 }
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "PULL", "RESET", "RUN", "PULL"])
    }), 10_000
  )
})

describe("records are pulled on demand (same session)", () => {
  it.scoped("a timeout cuts a consumer off while a PULL is in flight: RESET, and the session's next query works", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   SUCCESS {}
${nextQuery(2)}?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const result = yield* session.run("UNWIND range(1, 1000000) AS i RETURN i")
            const consumer = yield* Effect.fork(
              result.records.pipe(Stream.runDrain, Effect.timeout("250 millis"), Effect.flip)
            )
            // the second PULL is with the stub, which answers it only once a RESET ends the query
            expect(yield* eventually(Effect.map(count(stub, "PULL"), (n) => n === 2))).toBe(true)
            expect(yield* count(stub, "RESET")).toBe(0)
            // the timeout (on the TestClock) cuts the consumer off
            yield* TestClock.adjust("250 millis")
            const timedOut = yield* Fiber.join(consumer)
            expect(timedOut._tag).toBe("TimeoutException")
            expect(column(yield* (yield* session.run("RETURN 2 AS x")).list, "x")).toEqual([2])
          }),
        { fetchSize: 2 }
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "PULL", "RESET", "RUN", "PULL"])
    }), 10_000
  )
})

describe("summary", () => {
  it.scopedLive("counters, query type, database, server, timings, notifications, GQL statuses, plan and profile", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: MANIFEST 5.8-5.0
A: HELLO
A: LOGON
C: RUN "CREATE (p:Person {name: $name})" {"name": "Ada"} {"db": "people"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": [], "t_first": 7, "db": "people"}
   SUCCESS {"type": "w", "t_last": 11, "db": "people", "bookmark": "FB:1",
            "stats": {"nodes-created": 1, "properties-set": 1, "labels-added": 1},
            "statuses": [{"gql_status": "03N90", "status_description": "info: cartesian product",
                          "neo4j_code": "Neo.ClientNotification.Statement.CartesianProduct", "title": "cartesian",
                          "description": "a cartesian product",
                          "diagnostic_record": {"_classification": "PERFORMANCE", "_severity": "WARNING",
                                                "_position": {"offset": 9, "line": 1, "column": 10}, "OPERATION": ""}}]}
C: RUN "EXPLAIN MATCH (n) RETURN n" {} {"bookmarks": ["FB:1"], "db": "people"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r", "plan": {"operatorType": "ProduceResults@neo4j", "identifiers": ["n"], "args": {}, "children": []}}
C: RUN "PROFILE MATCH (n) RETURN n" {} {"bookmarks": ["FB:1"], "db": "people"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r", "profile": {"operatorType": "ProduceResults@neo4j", "dbHits": 0, "rows": 1, "children": []}}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session({ database: "people" })
          const result = yield* session.run("CREATE (p:Person {name: $name})", { name: "Ada" })
          const s = yield* result.summary
          expect(s.query).toEqual({ text: "CREATE (p:Person {name: $name})", parameters: { name: "Ada" } })
          expect(s.queryType).toBe("w")
          expect(s.database).toBe("people")
          expect(s.server).toEqual({ address: stub.address, agent: "Neo4j/5.26.0", protocolVersion: "5.8" })
          expect(s.resultAvailableAfter).toBe(7)
          expect(s.resultConsumedAfter).toBe(11)
          expect(s.bookmark).toBe("FB:1")
          expect(s.counters).toMatchObject({
            nodesCreated: 1,
            propertiesSet: 1,
            labelsAdded: 1,
            nodesDeleted: 0,
            relationshipsCreated: 0,
            containsUpdates: true,
            containsSystemUpdates: false
          })
          expect(s.notifications).toEqual([
            {
              code: "Neo.ClientNotification.Statement.CartesianProduct",
              title: "cartesian",
              description: "a cartesian product",
              severity: "WARNING",
              severityLevel: "WARNING",
              rawSeverityLevel: "WARNING",
              category: "PERFORMANCE",
              rawCategory: "PERFORMANCE",
              position: { offset: 9, line: 1, column: 10 }
            }
          ])
          expect(s.gqlStatusObjects).toHaveLength(1)
          expect(s.gqlStatusObjects[0]).toMatchObject({
            gqlStatus: "03N90",
            statusDescription: "info: cartesian product",
            classification: "PERFORMANCE",
            severity: "WARNING",
            position: { offset: 9, line: 1, column: 10 }
          })
          expect(s.plan).toBeUndefined()
          expect(s.profile).toBeUndefined()

          const explained = yield* (yield* session.run("EXPLAIN MATCH (n) RETURN n")).consume
          expect(explained.plan).toMatchObject({ operatorType: "ProduceResults@neo4j", identifiers: ["n"] })
          expect(explained.profile).toBeUndefined()
          expect(explained.counters.containsUpdates).toBe(false)

          const profiled = yield* session.run("PROFILE MATCH (n) RETURN n")
          expect(Chunk.size(yield* profiled.list)).toBe(1)
          const p = yield* profiled.summary
          expect(p.profile).toMatchObject({ operatorType: "ProduceResults@neo4j", dbHits: 0, rows: 1 })
          expect(p.queryType).toBe("r")
        })
      )
      yield* stub.verify
    })
  )
})

describe("single, peek, consume", () => {
  it.scopedLive("single: the one record; none or more than one is a ResultCardinalityError and the connection stays clean", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RUN "MATCH (n) WHERE false RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
C: RUN "UNWIND range(1, 1000000) AS n RETURN n" {} {}
S: <STREAM records=1000000 fields=["n"] summary={"type": "r"}>
${nextQuery()}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const one = yield* (yield* session.run("RETURN 1 AS n")).single
          expect(one.get("n")).toBe(1)

          const none = yield* Effect.flip((yield* session.run("MATCH (n) WHERE false RETURN n")).single)
          expect(none._tag).toBe("ResultCardinalityError")
          expect(none).toMatchObject({ count: 0 })

          const many = yield* Effect.flip((yield* session.run("UNWIND range(1, 1000000) AS n RETURN n")).single)
          expect(many._tag).toBe("ResultCardinalityError")
          expect(many.message).toContain("more than one")

          expect(column(yield* (yield* session.run("RETURN 2 AS x")).list, "x")).toEqual([2])
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "DISCARD", "RUN", "PULL"])
    })
  )

  it.scopedLive("peek returns the next record without consuming it; an empty result peeks None", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND [1, 2, 3] AS n RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   SUCCESS {"type": "r"}
C: RUN "MATCH (n) WHERE false RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const result = yield* session.run("UNWIND [1, 2, 3] AS n RETURN n")
            const first = yield* result.peek
            expect(Option.map(first, (r) => r.get("n"))).toEqual(Option.some(1))
            const again = yield* result.peek
            expect(Option.map(again, (r) => r.get("n"))).toEqual(Option.some(1))
            // peeking reads no further than the first batch
            expect(yield* count(stub, "PULL")).toBe(1)
            expect(column(yield* result.list, "n")).toEqual([1, 2, 3])

            const empty = yield* session.run("MATCH (n) WHERE false RETURN n")
            expect(Option.isNone(yield* empty.peek)).toBe(true)
            expect(Chunk.size(yield* empty.list)).toBe(0)
          }),
        { fetchSize: 2 }
      )
      yield* stub.verify
    })
  )

  it.scopedLive("consume discards the unread records (DISCARD) and returns the summary", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r", "t_last": 5}>
${nextQuery()}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("UNWIND range(1, 1000000) AS i RETURN i")
          const summary = yield* result.consume
          expect(summary.queryType).toBe("r")
          expect(summary.resultConsumedAfter).toBe(5)
          // the summary stays readable
          expect((yield* result.summary).queryType).toBe("r")
          expect(column(yield* (yield* session.run("RETURN 2 AS x")).list, "x")).toEqual([2])
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "DISCARD", "RUN", "PULL"])
    })
  )
})

describe("auto-commit results the session finished", () => {
  it.scopedLive("the next query buffers the open result (it stays readable); the session's close discards: reads fail with ResultConsumedError, the summary stays", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 3) AS i RETURN i" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   SUCCESS {"type": "r", "bookmark": "FB:1"}
C: RUN "UNWIND range(1, 1000000) AS x RETURN x" {} {"bookmarks": ["FB:1"]}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r", "bookmark": "FB:2"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const [first, second] = yield* Effect.scoped(
            Effect.gen(function* () {
              const session = yield* driver.session({ fetchSize: 2 })
              const first = yield* session.run("UNWIND range(1, 3) AS i RETURN i")
              expect(Option.map(yield* first.peek, (r) => r.get("i"))).toEqual(Option.some(1))
              // the next query reads the first result to its end into memory first
              const second = yield* session.run("UNWIND range(1, 1000000) AS x RETURN x")
              expect(column(yield* first.list, "i")).toEqual([1, 2, 3])
              expect((yield* first.summary).bookmark).toBe("FB:1")
              return [first, second] as const
            })
          )
          // the session's close finished the second one: its unread records are discarded
          const e2 = yield* Effect.flip(Stream.runCollect(second.records))
          expect(e2._tag).toBe("ResultConsumedError")
          const e3 = yield* Effect.flip(first.list)
          expect(e3._tag).toBe("ResultConsumedError")
          expect((yield* second.summary).bookmark).toBe("FB:2")
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "PULL", "RUN", "PULL", "DISCARD"])
    })
  )

  it.scopedLive("consume discards the unread records: reading them afterwards fails with ResultConsumedError", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 3) AS i RETURN i" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   RECORD [3]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("UNWIND range(1, 3) AS i RETURN i")
          expect((yield* result.consume).queryType).toBe("r")
          for (const read of [Effect.asVoid(result.list), Effect.asVoid(result.peek), Effect.asVoid(Stream.runCollect(result.records))]) {
            const error = yield* Effect.flip(read)
            expect(error._tag).toBe("ResultConsumedError")
          }
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("a query that fails mid-stream: the reader gets the error, RESET is sent, the session's next query works", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND [1, 0] AS d RETURN 1 / d AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   FAILURE {"code": "Neo.ClientError.Statement.ArithmeticError", "message": "/ by zero"}
C: RESET
S: SUCCESS {}
${nextQuery()}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const failing = yield* session.run("UNWIND [1, 0] AS d RETURN 1 / d AS x")
          const error = yield* Effect.flip(failing.list)
          expect(error._tag).toBe("ClientError")
          expect(error).toMatchObject({ code: "Neo.ClientError.Statement.ArithmeticError" })
          expect(column(yield* (yield* session.run("RETURN 2 AS x")).list, "x")).toEqual([2])
        })
      )
      yield* stub.verify
    })
  )
})

describe("results in an explicit transaction", () => {
  it.scopedLive("two results open at once: the second RUN goes out, the first's next PULL names its qid, the latest's leaves it out, both read fully", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "UNWIND [1, 2, 3] AS a RETURN a" {} {}
C: PULL {"n": 2}
S: SUCCESS {}
   SUCCESS {"fields": ["a"], "qid": 0}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: RUN "UNWIND ['x', 'y', 'z'] AS b RETURN b" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["b"], "qid": 1}
   RECORD ["x"]
   RECORD ["y"]
   SUCCESS {"has_more": true}
C: PULL {"n": 2, "qid": 0}
S: RECORD [3]
   SUCCESS {"type": "r", "t_last": 1}
C: PULL {"n": 2}
S: RECORD ["z"]
   SUCCESS {"type": "r", "t_last": 2}
C: COMMIT
S: SUCCESS {"bookmark": "FB:tx"}
?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const tx = yield* session.beginTransaction()
            const a = yield* tx.run("UNWIND [1, 2, 3] AS a RETURN a")
            const b = yield* tx.run("UNWIND ['x', 'y', 'z'] AS b RETURN b")
            expect(a.keys).toEqual(["a"])
            expect(b.keys).toEqual(["b"])
            expect(column(yield* a.list, "a")).toEqual([1, 2, 3])
            expect(column(yield* b.list, "b")).toEqual(["x", "y", "z"])
            expect((yield* a.summary).resultConsumedAfter).toBe(1)
            expect((yield* b.summary).resultConsumedAfter).toBe(2)
            yield* tx.commit
          }),
        { fetchSize: 2 }
      )
      yield* stub.verify
      const pulls = (yield* stub.received()).filter((m) => m.name === "PULL").map((m) => m.fields[0])
      // the latest result's PULL leaves qid out (its implicit default), as the reference drivers do
      expect(pulls).toEqual([{ n: 2n }, { n: 2n }, { n: 2n, qid: 0n }, { n: 2n }])
    })
  )

  it.scopedLive("reading records after the transaction committed fails with ResultConsumedError; the summary stays readable", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
S: SUCCESS {}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r"}>
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const committed = yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction()
              const result = yield* tx.run("UNWIND range(1, 1000000) AS i RETURN i")
              yield* tx.commit
              return result
            })
          )
          const e1 = yield* Effect.flip(committed.list)
          expect(e1._tag).toBe("ResultConsumedError")
          const e2 = yield* Effect.flip(committed.peek)
          expect(e2._tag).toBe("ResultConsumedError")
          expect((yield* committed.summary).queryType).toBe("r")

          // the same after a rollback by scope close
          const rolledBack = yield* Effect.scoped(
            Effect.flatMap(session.beginTransaction(), (tx) => tx.run("RETURN 1 AS n"))
          )
          const e3 = yield* Effect.flip(Stream.runCollect(rolledBack.records))
          expect(e3._tag).toBe("ResultConsumedError")
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual([
        "HELLO", "LOGON", "BEGIN", "RUN", "PULL", "DISCARD", "COMMIT", "BEGIN", "RUN", "PULL", "ROLLBACK"
      ])
    })
  )
})
