/**
 * Robustness against servers that misbehave (issue 11), each over a real socket against the stub
 * server: an early stop or a session close never hangs on a silent server; interruption and
 * timeouts return at once whatever the server does, the connection's clean-up going on in the
 * background (reused only once clean, else closed); AuthorizationExpired retries on a fresh
 * connection; records reach the consumer as they arrive; a stray message breaks its connection
 * instead of answering the next query; work cut off by the driver's close fails at once, saying so.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Logger, LogLevel, Scope, Stream, TestClock, TestContext } from "effect"
import * as Neo4jDriverModule from "../src/Neo4jDriver.js"
import type { Neo4jDriver } from "../src/Neo4jDriver.js"
import { StubServer } from "../src/testing/index.js"
import { AUTH, eventually, failureOf, HEAD, makeLogCollector, realSleep, withDriver } from "./support.js"

/** real milliseconds `effect` took, with its exit */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const start = Date.now()
    const exit = yield* Effect.exit(effect)
    return { exit, ms: Date.now() - start }
  })

const RUN_1 = `C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"has_more": true}
`

const xs = (records: Chunk.Chunk<{ get: (k: string) => unknown }>) => Chunk.toArray(records).map((r) => r.get("x"))

/** `RETURN x AS x` in a session of its own, its records read */
const sessionList = (driver: Neo4jDriver, x: number) =>
  Effect.scoped(Effect.flatMap(driver.session(), (s) => Effect.flatMap(s.run(`RETURN ${x} AS x`), (r) => r.list)))

/** `RETURN 1`, a pause, then `RETURN 2`, each with its own answer */
const oneThenTwo = (driver: Neo4jDriver) =>
  Effect.gen(function* () {
    expect(xs(yield* sessionList(driver, 1))).toEqual([1])
    yield* realSleep(200)
    expect(xs(yield* sessionList(driver, 2))).toEqual([2])
  })

describe("an early stop never hangs on a silent server (item 1)", () => {
  it.scopedLive("Stream.take(1) with a silent DISCARD and no timeout: returns at once, the connection is closed at the clean-up bound", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}${RUN_1}C: DISCARD {"n": -1}\nS: <STALL>\n`, verifyOnClose: false })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const { exit, ms } = yield* timed(driver.stream("RETURN 1 AS x").pipe(Stream.take(1), Stream.runCollect))
          expect(Exit.map(exit, xs)).toEqual(Exit.succeed([1]))
          expect(ms).toBeLessThan(100)
          // the connection is not idle: it waits for its DISCARD in the background
          const metrics = yield* driver.connectionPoolMetrics()
          expect(metrics.map((m) => m.idle)).toEqual([0])
          // the DISCARD's bound, then the RESET's: the connection is closed
          yield* TestClock.adjust("1 minute")
          expect(yield* eventually(Effect.map(stub.connections, (cs) => cs.every((c) => !c.open)))).toBe(true)
        })
      , { fetchSize: 1 })
    }).pipe(Effect.provide(TestContext.TestContext)), 5000)

  it.effect("closing a session with an unread result on a silent server: Fiber.interrupt returns at once", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}${RUN_1}C: DISCARD {"n": -1}\nS: <STALL>\n`, verifyOnClose: false })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Effect.scoped(Effect.flatMap(driver.session(), (s) => s.run("RETURN 1 AS x"))))
          // the session's close waits for the DISCARD's answer
          expect(yield* eventually(Effect.map(stub.received(), (ms) => ms.some((m) => m.name === "DISCARD")))).toBe(true)
          const { ms } = yield* timed(Fiber.interrupt(fiber))
          expect(ms).toBeLessThan(50)
          // the connection is closed at the RESET's bound
          yield* TestClock.adjust("1 minute")
          expect(yield* eventually(Effect.map(stub.connections, (cs) => cs.every((c) => !c.open)))).toBe(true)
        })
      , { fetchSize: 1 })
    }).pipe(Effect.scoped), 5000)
})

describe("an early stop's background work", () => {
  it.live("records the bookmark and ends without an unhandled failure in the log, though the stream's session closed first", () => {
    const collector = makeLogCollector()
    return Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${RUN_1}C: DISCARD {"n": -1}
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": 1}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:2"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const records = yield* driver.stream("RETURN 1 AS x").pipe(Stream.take(1), Stream.runCollect)
          expect(xs(records)).toEqual([1])
          // the DISCARD is answered in the background
          expect(yield* eventually(Effect.map(driver.connectionPoolMetrics(), (ms) => ms.every((m) => m.idle === 1)))).toBe(true)
          // and its bookmark reaches the driver's bookmark manager (causal consistency)
          const { records: next } = yield* driver.executeQuery("RETURN 2 AS x")
          expect(next.map((r) => r.get("x"))).toEqual([2])
        })
      , { fetchSize: 1 })
      yield* stub.verify
      expect(collector.lines.filter((l) => /unhandled/i.test(l))).toEqual([])
    }).pipe(
      Effect.scoped,
      Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })
})

/** The server does not answer the query; it answers the RESET that ends it (as a real server does). */
const TERMINATED = `C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   IGNORED
   SUCCESS {}
?: GOODBYE
`
const SILENT_RUN = `${HEAD}C: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\n${TERMINATED}`
const SILENT_TX = `${HEAD}C: BEGIN {}\nC: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\nS: SUCCESS {}\n${TERMINATED}`

const ways: ReadonlyArray<readonly [string, string, (d: Neo4jDriver) => Effect.Effect<unknown, unknown>]> = [
  ["executeQuery", SILENT_TX, (d) => d.executeQuery("RETURN 1 AS x")],
  ["session.run", SILENT_RUN, (d) => sessionList(d, 1)],
  [
    "an explicit transaction",
    SILENT_TX,
    (d) =>
      Effect.scoped(
        Effect.flatMap(d.session(), (s) =>
          Effect.flatMap(s.beginTransaction(), (tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))
        )
      )
  ],
  [
    "a transaction function",
    SILENT_TX,
    (d) => Effect.scoped(Effect.flatMap(d.session(), (s) => s.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))))
  ],
  ["driver.stream", SILENT_RUN, (d) => Stream.runCollect(d.stream("RETURN 1 AS x"))]
]

describe("interruption returns at once on an unresponsive server (item 2)", () => {
  for (const [name, script, work] of ways) {
    it.scopedLive(`${name}: Effect.timeout`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script })
        yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const { exit, ms } = yield* timed(Effect.timeout(work(driver), "100 millis"))
            expect(Exit.isFailure(exit)).toBe(true)
            expect(ms).toBeLessThan(150)
          })
        )
        // the RESET went out in the background, and was answered
        yield* stub.verify
      }), 5000)

    it.scopedLive(`${name}: Fiber.interrupt`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script })
        yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(work(driver))
            yield* realSleep(100)
            const { ms } = yield* timed(Fiber.interrupt(fiber))
            expect(ms).toBeLessThan(50)
          })
        )
        yield* stub.verify
      }), 5000)
  }

  it.effect("a RESET the server never answers: the interruption returns at once, the connection is closed at the RESET's bound", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}C: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\nS: <STALL>\n`, verifyOnClose: false })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            sessionList(driver, 1)
          )
          yield* realSleep(100)
          const { ms } = yield* timed(Fiber.interrupt(fiber))
          expect(ms).toBeLessThan(50)
          expect(yield* eventually(Effect.map(stub.received(), (ms) => ms.some((m) => m.name === "RESET")))).toBe(true)
          expect((yield* stub.connections)[0]?.open).toBe(true)
          yield* TestClock.adjust("10 seconds")
          expect(yield* eventually(Effect.map(stub.connections, (cs) => cs.every((c) => !c.open)))).toBe(true)
          expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 0, idle: 0 }])
        })
      )
    }).pipe(Effect.scoped), 5000)

  it.scopedLive("the interrupted connection is reused once its RESET was answered", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   IGNORED
   SUCCESS {}
C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const first = yield* sessionList(driver, 1).pipe(Effect.timeout("100 millis"), Effect.exit)
          expect(Exit.isFailure(first)).toBe(true)
          // the session's next query waits for the connection being cleaned rather than opening one
          const s = yield* driver.session()
          const r = yield* s.run("RETURN 2 AS x")
          expect(xs(yield* r.list)).toEqual([2])
        }).pipe(Effect.scoped)
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    }), 5000)
})

describe("AuthorizationExpired (item 3, re-authentication: issue 13)", () => {
  const zero = `C: RUN "RETURN 0 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [0]
   SUCCESS {"type": "r"}
`
  const expiredTx = `C: BEGIN {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Security.AuthorizationExpired", "message": "authorization expired"}
   IGNORED
?: GOODBYE
`
  const fineTx = `C: BEGIN {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
?: GOODBYE
`
  /** Two connections idle (A, then B on top); a transaction function's first attempt takes B and fails. */
  const scenario = (scripts: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ scripts })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const s1 = yield* driver.session()
          const s2 = yield* driver.session()
          const r1 = yield* s1.run("RETURN 0 AS x")
          const r2 = yield* s2.run("RETURN 0 AS x")
          expect(xs(yield* r1.list)).toEqual([0])
          expect(xs(yield* r2.list)).toEqual([0])
          const s3 = yield* driver.session()
          const records = yield* s3.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))
          expect(xs(records)).toEqual([1])
        }).pipe(Effect.scoped)
      )
      yield* stub.verify
      return yield* stub.connections
    })

  it.scopedLive("Bolt 5.1+: the retry runs on the other pooled connection, logged in again (LOGOFF and LOGON pipelined with BEGIN); the failed one is closed", () =>
    Effect.gen(function* () {
      const a = `${HEAD}${zero}C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}
${fineTx.replace("S: SUCCESS {}\n", "S: SUCCESS {}\n   SUCCESS {}\n   SUCCESS {}\n")}`
      const b = `${HEAD}${zero}${expiredTx}`
      const conns = yield* scenario([a, b])
      // two connections only: none was opened for the retry
      expect(conns.length).toBe(2)
      expect(conns[0]!.received.map((m) => m.name)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "LOGOFF", "LOGON", "BEGIN", "RUN", "PULL", "COMMIT", "GOODBYE"])
      // no RESET on B: closed at once
      expect(conns[1]!.received.map((m) => m.name)).not.toContain("RESET")
    }), 10000)

  it.scopedLive("Bolt 5.0 (no re-authentication): the connections logged in before are closed, the retry opens a new one", () =>
    Effect.gen(function* () {
      const head50 = `!: BOLT 5.0
A: HELLO
`
      const conns = yield* scenario([`${head50}${zero}?: GOODBYE\n`, `${head50}${zero}${expiredTx}`, `${head50}${fineTx}`])
      expect(conns.length).toBe(3)
      expect(conns[0]!.open).toBe(false)
      expect(conns.map((c) => c.received.filter((m) => m.name === "BEGIN").length)).toEqual([0, 1, 1])
    }), 10000)
})

describe("records reach the consumer as they arrive (item 5)", () => {
  for (const fetchSize of [1000, -1]) {
    it.scopedLive(`fetchSize ${fetchSize}: the first record before the batch's end`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${HEAD}C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": ${fetchSize}}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   <SLEEP 600>
   RECORD [2]
   SUCCESS {"type": "r"}
?: GOODBYE
`
        })
        const arrivals = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const start = Date.now()
            return yield* driver.stream("RETURN 1 AS x").pipe(
              Stream.map((r) => [r.get("x"), Date.now() - start] as const),
              Stream.runCollect
            )
          })
        , { fetchSize })
        const [[first, firstAt], [second, secondAt]] = Chunk.toArray(arrivals) as [readonly [unknown, number], readonly [unknown, number]]
        expect([first, second]).toEqual([1, 2])
        // the first record does not wait for the second and the SUCCESS, 600 ms later
        expect(secondAt - firstAt).toBeGreaterThan(400)
        yield* stub.verify
      }), 5000)
  }
})

describe("a stray message breaks its connection (item 6)", () => {
  const answered = (x: number, stray: string) => `${HEAD}C: RUN "RETURN ${x} AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [${x}]
   SUCCESS {"type": "r"}
${stray}?: GOODBYE
`
  for (const [when, stray] of [
    ["with the answer", "S: SUCCESS {}\n"],
    ["later, while the connection is idle", "S: <SLEEP 100>\nS: SUCCESS {}\n"]
  ] as const) {
    it.scopedLive(`an unsolicited SUCCESS ${when}: the next query runs on a new connection, with its own answer`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ scripts: [answered(1, stray), answered(2, "")] })
        yield* withDriver(stub, oneThenTwo)
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(2)
        // the first connection was closed for its stray message, without GOODBYE
        expect((yield* stub.connections)[0]!.received.map((m) => m.name)).toEqual(["HELLO", "LOGON", "RUN", "PULL"])
      }), 5000)
  }
})

describe("NOOP chunks are no stray message", () => {
  it.scopedLive("NOOPs with the answer and on an idle connection: the next query runs on the same connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
   <NOOP>
   <SLEEP 100>
   <NOOP>
C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub, oneThenTwo)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    }), 5000)
})

describe("work cut off by the driver's close (item 7)", () => {
  const stalled = `${HEAD}C: BEGIN {}\nC: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\nS: SUCCESS {}\nS: <STALL>\n`
  const stalledRun = `${HEAD}C: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\nS: <STALL>\n`
  for (const [name, script, work] of [
    ["executeQuery", stalled, (d: Neo4jDriver): Effect.Effect<unknown, unknown> => d.executeQuery("RETURN 1 AS x")],
    ["session.run", stalledRun, (d: Neo4jDriver) => sessionList(d, 1)]
  ] as const) {
    it.scopedLive(`${name}: fails at once, not retried, saying the driver was closed`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script, verifyOnClose: false })
        const scope = yield* Scope.make()
        const driver = yield* Scope.extend(Neo4jDriverModule.driver(stub.uri(), AUTH), scope)
        const fiber = yield* Effect.fork(work(driver as Neo4jDriver))
        expect(yield* eventually(Effect.map(stub.received(), (ms) => ms.some((m) => m.name === "PULL")))).toBe(true)
        const { ms } = yield* timed(Scope.close(scope, Exit.void))
        expect(ms).toBeLessThan(200)
        const error = failureOf(yield* Fiber.await(fiber)) as { _tag: string; message: string; retriable: boolean }
        expect(error._tag).toBe("ServiceUnavailableError")
        expect(error.message).toMatch(/the driver was closed/)
        expect(error.retriable).toBe(false)
        expect((yield* stub.received()).filter((m) => m.name === "RUN").length).toBe(1)
      }), 5000)
  }
})
