/**
 * The connection pool over real sockets against the scripted stub server, directly (`Pool.make`
 * with `Connection.open`) and through the driver: lazy opening, the size limit under
 * concurrency, an acquisition timeout that covers the whole acquisition, the maximum lifetime,
 * the idle liveness check (RESET), broken connections left out, and interrupted leases reset
 * and reused.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Fiber, Layer, Schedule, Stream, TestClock } from "effect"
import * as Auth from "../../src/Auth.js"
import * as Connection from "../../src/internal/connection/connection.js"
import { run } from "../../src/internal/connection/result.js"
import * as Pool from "../../src/internal/pool/pool.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { StubServer } from "../../src/testing/index.js"
import { connectOptions, HEAD, realSleep, withDriver } from "../support.js"

const IDLE = `${HEAD}?: GOODBYE
`

const makePool = (stub: StubServer.StubServer, options: Partial<Omit<Pool.PoolOptions, "connect">> = {}) =>
  Pool.make({
    address: stub.address,
    maxSize: 10,
    acquisitionTimeout: Duration.seconds(5),
    maxLifetime: Duration.hours(1),
    livenessCheckTimeout: undefined,
    connect: () => Connection.open(connectOptions(stub, "pool-pw")),
    auth: Pool.fixedAuth(connectOptions(stub, "pool-pw").auth.token, false),
    ...options
  })

/** Leases a connection for the duration of `f`. */
const lease = <A, E>(pool: Pool.Pool, f: (c: Connection.Connection) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(pool.acquire(), f))

/** Leases a connection and gives it back at once. */
const touch = (pool: Pool.Pool) => lease(pool, () => Effect.void)

const namesOf = (stub: StubServer.StubServer, connection?: number) =>
  Effect.map(stub.received(connection), (ms) => ms.map((m) => m.name))

const xs = (records: Chunk.Chunk<{ get: (k: string) => unknown }>) => Chunk.toArray(records).map((r) => r.get("x"))

const query = (x: number) => `C: RUN "RETURN ${x} AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [${x}]
   SUCCESS {}
`

describe("lazy", () => {
  it.scopedLive("no connection until the first acquire; a released connection is reused", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: IDLE })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub)
          yield* Effect.sleep("30 millis")
          expect(yield* stub.connectionCount).toBe(0)
          expect(pool.size()).toBe(0)
          const ids = [yield* lease(pool, (c) => Effect.succeed(c.connectionId))]
          expect(pool.size()).toBe(1)
          expect(pool.inUse()).toBe(0)
          ids.push(yield* lease(pool, (c) => Effect.succeed(c.connectionId)))
          expect(ids).toEqual(["bolt-1", "bolt-1"])
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* namesOf(stub)).toEqual(["HELLO", "LOGON", "GOODBYE"])
    })
  )

  it.scopedLive("the driver's Layer opens no socket until the first query", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}${query(1)}?: GOODBYE\n` })
      const DriverLive = Neo4jDriver.layer({ uri: stub.uri(), auth: Auth.basic("neo4j", "pw") })
      yield* Effect.gen(function* () {
        const driver = yield* Neo4jDriver.Neo4jDriver
        yield* Effect.sleep("30 millis")
        expect(yield* stub.connectionCount).toBe(0)
        const { records } = yield* driver.stream("RETURN 1 AS x").pipe(
          Stream.runCollect,
          Effect.map((records) => ({ records }))
        )
        expect(xs(records)).toEqual([1])
        expect(yield* stub.connectionCount).toBe(1)
      }).pipe(Effect.provide(Layer.fresh(DriverLive)))
      yield* stub.verify
    })
  )
})

describe("size limit", () => {
  it.scopedLive("10 concurrent leases with maxSize 3: at most 3 leased and 3 opened", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: IDLE })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { maxSize: 3 })
          let peak = 0
          yield* Effect.forEach(
            Array.from({ length: 10 }, (_, i) => i),
            () =>
              lease(pool, () =>
                Effect.gen(function* () {
                  peak = Math.max(peak, pool.inUse())
                  yield* Effect.sleep("20 millis")
                })
              ),
            { concurrency: "unbounded", discard: true }
          )
          expect(peak).toBe(3)
          expect(pool.size()).toBe(3)
          expect(pool.inUse()).toBe(0)
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(3)
    })
  )

  it.scopedLive("through the driver: 10 concurrent queries with maxConnectionPoolSize 3 use 3 connections", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}{*
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: <SLEEP 20>
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
*}
?: GOODBYE
`
      })
      const results = yield* withDriver(
        stub,
        (driver) =>
          Effect.forEach(
            Array.from({ length: 10 }, (_, i) => i),
            () => Effect.scoped(Effect.flatMap(driver.session(), (s) => Effect.flatMap(s.run("RETURN 1 AS x"), (r) => r.list))),
            { concurrency: "unbounded" }
          ),
        { maxConnectionPoolSize: 3 }
      )
      expect(results.map(xs)).toEqual(Array.from({ length: 10 }, () => [1]))
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(3)
    })
  )
})

describe("acquisition timeout", () => {
  it.scopedLive("covers connecting: a stalled handshake fails within the timeout, leaves no socket, and frees the slot", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ scripts: ["!: HANDSHAKE STALL\n", IDLE] })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { maxSize: 1, acquisitionTimeout: Duration.millis(200) })
          const start = Date.now()
          const error = yield* touch(pool).pipe(
            Effect.flatMap(() => Effect.dieMessage("expected a timeout")),
            Effect.catchTag("ConnectionAcquisitionTimeoutError", Effect.succeed)
          )
          const elapsed = Date.now() - start
          expect(elapsed).toBeGreaterThanOrEqual(190)
          expect(elapsed).toBeLessThan(1000)
          expect(error.message).toContain(stub.address)
          expect(pool.size()).toBe(0)
          expect(pool.inUse()).toBe(0)
          // the client closed its socket: the stub sees the first connection closed
          yield* Effect.sleep("30 millis")
          const [first] = yield* stub.connections
          expect(first!.open).toBe(false)
          // the slot was given back: the next acquire (maxSize 1) gets the second connection
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-2")
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("covers waiting for a slot: maxSize 1 and one lease held", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: IDLE })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { maxSize: 1, acquisitionTimeout: Duration.millis(150) })
          yield* pool.acquire()
          const start = Date.now()
          const error = yield* touch(pool).pipe(
            Effect.flatMap(() => Effect.dieMessage("expected a timeout")),
            Effect.catchTag("ConnectionAcquisitionTimeoutError", Effect.succeed)
          )
          expect(Date.now() - start).toBeGreaterThanOrEqual(140)
          expect(error.message).toContain("pool size 1, 1 in use")
          expect(pool.inUse()).toBe(1)
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )
})

describe("max lifetime", () => {
  // the pool reads Effect's Clock: lifetimes and idle thresholds are driven by TestClock here
  it.scoped("an idle connection past its lifetime is closed with GOODBYE and replaced", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: IDLE })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { maxLifetime: Duration.minutes(10) })
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-1")
          yield* TestClock.adjust("9 minutes")
          // still young: reused
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-1")
          yield* TestClock.adjust("1 minute")
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-2")
          expect(pool.size()).toBe(1)
          yield* realSleep(30)
          const [first] = yield* stub.connections
          expect(first!.open).toBe(false)
          expect(yield* namesOf(stub, 1)).toEqual(["HELLO", "LOGON", "GOODBYE"])
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    })
  )

  it.scoped("a lease that outlives the lifetime is closed on release, not put back", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: IDLE })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { maxLifetime: Duration.minutes(10) })
          yield* lease(pool, () => TestClock.adjust("10 minutes"))
          expect(pool.size()).toBe(0)
          yield* realSleep(30)
          expect(yield* namesOf(stub, 1)).toEqual(["HELLO", "LOGON", "GOODBYE"])
        })
      )
      yield* stub.verify
    })
  )
})

describe("liveness check", () => {
  it.scopedLive("connectionLivenessCheckTimeout 0: RESET before each reuse, never on a fresh connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${query(1)}C: RESET
S: SUCCESS {}
${query(2)}?: GOODBYE
`
      })
      const results = yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const a = yield* Stream.runCollect(driver.stream("RETURN 1 AS x"))
            const b = yield* Stream.runCollect(driver.stream("RETURN 2 AS x"))
            return [xs(a), xs(b)]
          }),
        { connectionLivenessCheckTimeout: 0 }
      )
      expect(results).toEqual([[1], [2]])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scoped("a threshold: RESET only after the connection was idle that long", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}C: RESET\nS: SUCCESS {}\n?: GOODBYE\n` })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub, { livenessCheckTimeout: Duration.minutes(1) })
          yield* touch(pool)
          yield* TestClock.adjust("59 seconds")
          yield* touch(pool)
          expect(yield* namesOf(stub)).toEqual(["HELLO", "LOGON"])
          yield* TestClock.adjust("1 minute")
          yield* touch(pool)
          expect(yield* namesOf(stub)).toEqual(["HELLO", "LOGON", "RESET"])
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  for (const [label, answer] of [
    ["FAILURE", `S: FAILURE {"code": "Neo.DatabaseError.General.UnknownError", "message": "boom"}`],
    ["the server closing the connection", "S: <EXIT>"]
  ] as const) {
    it.scopedLive(`a liveness RESET answered with ${label}: the connection is closed and a new one opened`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ scripts: [`${HEAD}C: RESET\n${answer}\n`, IDLE] })
        yield* Effect.scoped(
          Effect.gen(function* () {
            const pool = yield* makePool(stub, { livenessCheckTimeout: Duration.zero })
            expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-1")
            expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-2")
            expect(pool.size()).toBe(1)
          })
        )
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(2)
      })
    )
  }
})

describe("broken connections", () => {
  it.scopedLive("the server closes an idle connection: the next query runs on a fresh connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [`${HEAD}${query(1)}S: <EXIT>\n`, `${HEAD}${query(2)}?: GOODBYE\n`]
      })
      const results = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const a = yield* Stream.runCollect(driver.stream("RETURN 1 AS x"))
          // let the server's close arrive
          yield* Effect.sleep("50 millis")
          const b = yield* Stream.runCollect(driver.stream("RETURN 2 AS x"))
          return [xs(a), xs(b)]
        })
      )
      expect(results).toEqual([[1], [2]])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    })
  )

  it.scopedLive("directly: the idle connection the server closed is seen as defunct and not handed out", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ scripts: [`${HEAD}${query(1)}S: <EXIT>\n`, IDLE] })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub)
          const first = yield* lease(pool, (c) =>
            Effect.as(Effect.orDie(Effect.flatMap(run(c, { query: "RETURN 1 AS x", fetchSize: 1000 }), (r) => Stream.runDrain(r.records))), c)
          )
          expect(pool.size()).toBe(1)
          yield* Effect.sleep("50 millis")
          expect(first.isDefunct()).toBe(true)
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-2")
          expect(pool.size()).toBe(1)
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("the server closes the connection when it is used: a transaction function retries on a fresh one", () =>
    Effect.gen(function* () {
      const tx = `C: BEGIN {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
`
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}${tx}S: <EXIT>\n`,
          `${HEAD}${tx}S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
        ]
      })
      const { records } = yield* withDriver(stub, (driver) =>
        driver.executeQuery("RETURN 1 AS x", {}, { retry: Schedule.spaced("1 millis") })
      )
      expect(records.map((r) => r.get("x"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    })
  )

  it.scopedLive("a connection that failed with a protocol error is closed on release, without RESET", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: <RAW> 00 03 B1 71 C7 00 00
`,
          IDLE
        ]
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* makePool(stub)
          const error = yield* lease(pool, (c) => Effect.flip(run(c, { query: "RETURN 1 AS x", fetchSize: 1000 })))
          expect(error._tag).toBe("ProtocolError")
          expect(pool.size()).toBe(0)
          expect(yield* lease(pool, (c) => Effect.succeed(c.connectionId))).toBe("bolt-2")
        })
      )
      yield* stub.verify
      expect(yield* namesOf(stub, 1)).toEqual(["HELLO", "LOGON", "RUN", "PULL"])
    })
  )
})

describe("interrupted leases", () => {
  it.scopedLive("a query interrupted before its answer: RESET, then the same connection runs the next query", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: <SLEEP 150>
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
C: RESET
S: SUCCESS {}
${query(2)}?: GOODBYE
`
      })
      const next = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Stream.runCollect(driver.stream("RETURN 1 AS x")))
          while (!(yield* namesOf(stub)).includes("PULL")) yield* Effect.sleep("5 millis")
          yield* Fiber.interrupt(fiber)
          return xs(yield* Stream.runCollect(driver.stream("RETURN 2 AS x")))
        })
      )
      expect(next).toEqual([2])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* namesOf(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "RESET", "RUN", "PULL", "GOODBYE"])
    })
  )

  it.scopedLive("a stream interrupted mid-batch: RESET, then the same connection runs the next query", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "UNWIND range(1, 4) AS x RETURN x" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   <SLEEP 150>
   RECORD [4]
   SUCCESS {}
C: RESET
S: SUCCESS {}
${query(2).replace('{"n": 1000}', '{"n": 2}')}?: GOODBYE
`
      })
      const next = yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Stream.runCollect(driver.stream("UNWIND range(1, 4) AS x RETURN x")))
            while ((yield* namesOf(stub)).filter((n) => n === "PULL").length < 2) yield* Effect.sleep("5 millis")
            yield* Effect.sleep("20 millis")
            yield* Fiber.interrupt(fiber)
            return xs(yield* Stream.runCollect(driver.stream("RETURN 2 AS x")))
          }),
        { fetchSize: 2 }
      )
      expect(next).toEqual([2])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )
})
