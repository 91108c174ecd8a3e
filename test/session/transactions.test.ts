/**
 * Transactions through the public driver API, over real sockets against the scripted stub
 * server: explicit transactions (scoped rollback, commit, BEGIN pipelined with the first RUN),
 * transaction config (tx_timeout, tx_metadata) on BEGIN and on auto-commit RUN, access mode,
 * database and impersonation on the wire, and transaction functions retried with a Schedule:
 * transient failures, non-retriable failures, a connection lost during COMMIT or mid-work, and
 * user errors.
 */
import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Data, Duration, Effect, Fiber, Schedule, Stream, TestClock } from "effect"
import { Dechunker } from "../../src/internal/bolt/dechunker.js"
import { MESSAGE_NAMES } from "../../src/internal/bolt/signatures.js"
import { StubServer } from "../../src/testing/index.js"
import type { TransactionFunctionConfig } from "../../src/Session.js"
import type { ManagedTransaction } from "../../src/Transaction.js"
import { count, eventually, HEAD, names, withDriver } from "../support.js"

/** Runs `query` in a transaction function's transaction and reads all of it. */
const readAll = (tx: ManagedTransaction, query: string) =>
  Effect.flatMap(tx.run(query), (r) => r.list)

/**
 * A TCP proxy in front of the stub recording, for every chunk of bytes the client sent after
 * the handshake, the names of the Bolt messages that chunk completed. On loopback one socket
 * write arrives as one chunk, so each entry is one write of the driver.
 */
const recordingProxy = (stub: StubServer.StubServer) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly uri: string
      readonly writes: Array<Array<string>>
      readonly server: net.Server
    }>((resume) => {
      const writes: Array<Array<string>> = []
      const server = net.createServer((client) => {
        const upstream = net.connect(stub.port, stub.host)
        const dechunker = new Dechunker()
        let handshake = true
        client.on("data", (bytes: Buffer) => {
          upstream.write(bytes)
          if (handshake) {
            handshake = false
            return
          }
          writes.push(dechunker.push(new Uint8Array(bytes)).map((m) => MESSAGE_NAMES[m[1]!] ?? "?"))
        })
        upstream.on("data", (bytes: Buffer) => client.write(bytes))
        client.on("close", () => upstream.destroy())
        upstream.on("close", () => client.destroy())
        client.on("error", () => {})
        upstream.on("error", () => {})
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ uri: `bolt://127.0.0.1:${(server.address() as net.AddressInfo).port}`, writes, server }))
      )
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

describe("explicit transactions", () => {
  it.scopedLive("BEGIN waits for the first RUN and goes out in the same write as RUN + PULL; commit sends COMMIT", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "CREATE (n:N) RETURN id(n) AS id" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["id"]}
   RECORD [7]
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
      })
      const proxy = yield* recordingProxy(stub)
      yield* withDriver(proxy.uri, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const tx = yield* session.beginTransaction()
          expect(yield* tx.isOpen).toBe(true)
          yield* Effect.sleep("30 millis")
          expect(yield* names(stub)).not.toContain("BEGIN")
          const result = yield* tx.run("CREATE (n:N) RETURN id(n) AS id")
          expect((yield* result.single).get("id")).toBe(7)
          yield* tx.commit
          expect(yield* tx.isOpen).toBe(false)
          // a second commit is refused, and sends nothing
          const again = yield* Effect.flip(tx.commit)
          expect(again._tag).toBe("ResultConsumedError")
        })
      )
      yield* stub.verify
      expect(proxy.writes).toContainEqual(["BEGIN", "RUN", "PULL"])
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "COMMIT"])
    })
  )

  it.scopedLive("a transaction whose scope closes without commit is rolled back (ROLLBACK on the wire)", () =>
    Effect.gen(function* () {
      const rolledBack = `C: BEGIN {}
C: RUN "CREATE (n:N)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: ROLLBACK
S: SUCCESS {}
`
      // three transactions, each rolled back: by the scope's close, by its failure, then explicitly
      const stub = yield* StubServer.make({ script: `${HEAD}\n${rolledBack.repeat(3)}?: GOODBYE\n` })
      class Oops extends Data.TaggedError("Oops")<{}> {}
      yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          // the scope closes without a commit
          yield* Effect.scoped(
            Effect.flatMap(session.beginTransaction(), (tx) => Effect.flatMap(tx.run("CREATE (n:N)"), (r) => r.consume))
          )
          expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "ROLLBACK"])
          // the scope fails
          const failed = yield* Effect.flip(
            Effect.scoped(
              Effect.gen(function* () {
                const tx = yield* session.beginTransaction()
                yield* tx.run("CREATE (n:N)")
                return yield* new Oops()
              })
            )
          )
          expect(failed._tag).toBe("Oops")
          // an explicit rollback; the scope's close sends nothing more
          yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction()
              yield* tx.run("CREATE (n:N)")
              yield* tx.rollback
              expect(yield* tx.isOpen).toBe(false)
            })
          )
        })
      )
      yield* stub.verify
      expect((yield* names(stub)).filter((n) => n === "ROLLBACK")).toHaveLength(3)
      expect(yield* names(stub)).not.toContain("COMMIT")
    })
  )

  it.scopedLive("a result stopped early inside a transaction is DISCARDed (qid left out: it is the latest); the transaction goes on and commits", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
S: SUCCESS {}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: SUCCESS {"fields": ["i"], "qid": 0}
C: PULL {"n": 1000}
S: <RECORDS 1000 [$i]>
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r"}
C: RUN "RETURN 1 AS one" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["one"], "qid": 1}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction()
              const big = yield* tx.run("UNWIND range(1, 1000000) AS i RETURN i")
              const three = yield* big.records.pipe(Stream.take(3), Stream.runCollect)
              expect(Array.from(three, (r) => r.get("i"))).toEqual([0, 1, 2])
              expect(yield* tx.isOpen).toBe(true)
              expect((yield* (yield* tx.run("RETURN 1 AS one")).single).get("one")).toBe(1)
              yield* tx.commit
            })
          )
        })
      )
      yield* stub.verify
    })
  )

  it.scoped("a result consumer interrupted mid-PULL: the RESET ends the transaction, so no later RUN can go out outside it", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
C: PULL {"n": 2}
S: SUCCESS {}
   SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(
        stub.uri(),
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            yield* Effect.scoped(
              Effect.gen(function* () {
                const tx = yield* session.beginTransaction()
                const result = yield* tx.run("UNWIND range(1, 1000000) AS i RETURN i")
                const consumer = yield* Effect.fork(
                  result.records.pipe(Stream.runDrain, Effect.timeout("250 millis"), Effect.flip)
                )
                // the second PULL is with the stub, which answers it only once a RESET ends the query
                expect(yield* eventually(Effect.map(count(stub, "PULL"), (n) => n === 2))).toBe(true)
                expect(yield* tx.isOpen).toBe(true)
                yield* TestClock.adjust("250 millis")
                const timedOut = yield* Fiber.join(consumer)
                expect(timedOut._tag).toBe("TimeoutException")
                // the server rolled the transaction back on RESET: a RUN now would be auto-committed
                expect(yield* tx.isOpen).toBe(false)
                const run = yield* Effect.flip(tx.run("CREATE (n:N)"))
                expect(run.message).toContain("terminated")
                const commit = yield* Effect.flip(tx.commit)
                expect(commit.message).toContain("terminated")
              })
            )
          }),
        { fetchSize: 2 }
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "PULL", "RESET"])
    }), 10_000
  )

  it.scoped("a transaction function interrupted while its query runs: RESET goes out at once (no ROLLBACK queued behind the query)", () =>
    Effect.gen(function* () {
      // the server answers BEGIN, then works on the query until a RESET ends it (as a real
      // server does): a driver that waited for the query's answer before cleaning would hang
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "CALL slow()" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
C: RESET
S: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "terminated"}
   IGNORED
   SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const work = yield* Effect.fork(
            session
              .executeWrite((tx) => Effect.flatMap(tx.run("CALL slow()"), (r) => r.list))
              .pipe(Effect.timeout("100 millis"), Effect.flip)
          )
          expect(yield* eventually(Effect.map(count(stub, "PULL"), (n) => n === 1))).toBe(true)
          expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL"])
          yield* TestClock.adjust("100 millis")
          const timedOut = yield* Fiber.join(work)
          expect(timedOut._tag).toBe("TimeoutException")
          // sent at the timeout, while the server is still busy with the query
          expect(yield* eventually(Effect.map(count(stub, "RESET"), (n) => n === 1))).toBe(true)
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "RESET"])
    }), 10_000
  )

  it.scopedLive("timeout and metadata go on BEGIN (tx_timeout in ms, tx_metadata) and on an auto-commit RUN's extra", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {"tx_timeout": 5000, "tx_metadata": {"app": "shop", "user": {"id": 1}}}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["1"]}
   SUCCESS {}
C: COMMIT
S: SUCCESS {}
C: RUN "RETURN 2" {} {"tx_timeout": 1500, "tx_metadata": {"app": "shop"}}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
   SUCCESS {}
C: BEGIN {"tx_timeout": 250, "tx_metadata": {"fn": true}}
C: RUN "RETURN 3" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["3"]}
   SUCCESS {}
C: COMMIT
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction({
                timeout: "5 seconds",
                metadata: { app: "shop", user: { id: 1 } }
              })
              yield* readAll(tx, "RETURN 1")
              yield* tx.commit
            })
          )
          yield* Effect.flatMap(
            session.run("RETURN 2", {}, { timeout: Duration.millis(1500), metadata: { app: "shop" } }),
            (r) => r.consume
          )
          yield* session.executeWrite((tx) => readAll(tx, "RETURN 3"), {
            timeout: "250 millis",
            metadata: { fn: true }
          })
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("executeRead sends mode r, executeWrite no mode; database as db and impersonatedUser as imp_user on BEGIN and RUN", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {"mode": "r"}
C: RUN "MATCH (n) RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
C: BEGIN {}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {}
C: BEGIN {"mode": "r", "db": "movies", "imp_user": "ada"}
C: RUN "MATCH (n) RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
C: BEGIN {"db": "movies", "imp_user": "ada"}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {}
C: RUN "MATCH (n) RETURN n" {} {"db": "movies", "imp_user": "ada"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
C: RUN "MATCH (n) RETURN n" {} {"mode": "r", "db": "movies", "imp_user": "ada"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const plain = yield* driver.session()
          yield* plain.executeRead((tx) => readAll(tx, "MATCH (n) RETURN n"))
          yield* plain.executeWrite((tx) => readAll(tx, "CREATE (n)"))
          const ada = yield* driver.session({ database: "movies", impersonatedUser: "ada" })
          yield* ada.executeRead((tx) => readAll(tx, "MATCH (n) RETURN n"))
          yield* ada.executeWrite((tx) => readAll(tx, "CREATE (n)"))
          yield* Effect.flatMap(ada.run("MATCH (n) RETURN n"), (r) => r.consume)
          const adaReads = yield* driver.session({ database: "movies", impersonatedUser: "ada", defaultAccessMode: "READ" })
          yield* Effect.flatMap(adaReads.run("MATCH (n) RETURN n"), (r) => r.consume)
        })
      )
      yield* stub.verify
    })
  )
})

/** What an attempt of `countedWork` sends at once: BEGIN, RUN and PULL. */
const ATTEMPT = `C: BEGIN {}
C: RUN "CREATE (n:N) RETURN 1 AS one" {} {}
C: PULL {"n": 1000}
`

/** The server's answer to an attempt that succeeds up to COMMIT: BEGIN's SUCCESS, then the one record. */
const ONE_RECORD = `S: SUCCESS {}
   SUCCESS {"fields": ["one"]}
   RECORD [1]
   SUCCESS {"type": "w"}
`

const TRANSIENT_ATTEMPT = `${ATTEMPT}S: SUCCESS {}
   FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock (scripted)"}
   IGNORED
C: RESET
S: SUCCESS {}
`

const SUCCESSFUL_ATTEMPT = `${ATTEMPT}${ONE_RECORD}C: COMMIT
S: SUCCESS {"bookmark": "FB:done"}
`

/** `work` in a write transaction function of a new session on a driver for the stub. */
const writeIn = <A, E>(
  stub: StubServer.StubServer,
  work: (tx: ManagedTransaction) => Effect.Effect<A, E>,
  config?: TransactionFunctionConfig
) => withDriver(stub, (driver) => Effect.flatMap(driver.session(), (session) => session.executeWrite(work, config)))

/** The work of the retry tests: counts and times its attempts. */
const countedWork = () => {
  const starts: Array<number> = []
  const work = (tx: ManagedTransaction) =>
    Effect.suspend(() => {
      starts.push(Date.now())
      return Effect.flatMap(tx.run("CREATE (n:N) RETURN 1 AS one"), (r) => Effect.map(r.single, (rec) => rec.get("one")))
    })
  return { starts, work }
}

describe("transaction functions are retried with a Schedule", () => {
  it.scopedLive("two DeadlockDetected failures then success with the default schedule: three runs, about 1 s then 2 s apart", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${TRANSIENT_ATTEMPT}${TRANSIENT_ATTEMPT}${SUCCESSFUL_ATTEMPT}?: GOODBYE
`
      })
      const { starts, work } = countedWork()
      const value = yield* writeIn(stub, work)
      expect(value).toBe(1)
      expect(starts).toHaveLength(3)
      const gaps = [starts[1]! - starts[0]!, starts[2]! - starts[1]!]
      // 1 s and 2 s, each ±20 %
      expect(gaps[0]).toBeGreaterThanOrEqual(800)
      expect(gaps[1]).toBeGreaterThanOrEqual(1600)
      expect(gaps[0]).toBeLessThan(2000)
      expect(gaps[1]).toBeLessThan(3500)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("a per-call schedule replaces the default one", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${TRANSIENT_ATTEMPT}${TRANSIENT_ATTEMPT}${SUCCESSFUL_ATTEMPT}?: GOODBYE
`
      })
      const { starts, work } = countedWork()
      const value = yield* writeIn(stub, work, {
        retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(5)))
      })
      expect(value).toBe(1)
      expect(starts).toHaveLength(3)
      // the default's first delay alone would be at least 800 ms
      expect(starts[2]! - starts[0]!).toBeLessThan(700)
      yield* stub.verify
    })
  )

  it.scopedLive("a per-call schedule that gives up returns the last transient failure", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${TRANSIENT_ATTEMPT}${TRANSIENT_ATTEMPT}?: GOODBYE
`
      })
      const { starts, work } = countedWork()
      const error = yield* Effect.flip(writeIn(stub, work, { retry: Schedule.recurs(1) }))
      expect(error._tag).toBe("TransientError")
      expect(error).toMatchObject({ code: "Neo.TransientError.Transaction.DeadlockDetected" })
      expect(starts).toHaveLength(2)
      yield* stub.verify
    })
  )

  it.scopedLive("maxTransactionRetryTime caps the default schedule: the last attempt starts at it, none after", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${TRANSIENT_ATTEMPT}${TRANSIENT_ATTEMPT}?: GOODBYE
`
      })
      const { starts, work } = countedWork()
      const error = yield* withDriver(
        stub.uri(),
        (driver) => Effect.flatMap(driver.session(), (session) => Effect.flip(session.executeWrite(work))),
        // the first delay (0.8 s to 1.2 s) would end past the budget: it is cut to what is left,
        // so the second attempt is the last
        { maxTransactionRetryTime: "500 millis" }
      )
      expect(error._tag).toBe("TransientError")
      expect(error.message).toMatch(/\(gave up after 2 attempts over [\d.]+ s\)$/)
      expect(starts).toHaveLength(2)
      yield* stub.verify
    })
  )

  it.scopedLive("a transient FAILURE on COMMIT is retried; a FAILURE on BEGIN (DatabaseNotFound) is not", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${ATTEMPT}${ONE_RECORD}C: COMMIT
S: FAILURE {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "unavailable (scripted)"}
C: RESET
S: SUCCESS {}
${SUCCESSFUL_ATTEMPT}C: BEGIN {"bookmarks": ["FB:done"], "db": "nope"}
C: RUN "CREATE (n:N) RETURN 1 AS one" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Database.DatabaseNotFound", "message": "no database nope (scripted)"}
   IGNORED
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const fast = { retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3))) }
      const first = countedWork()
      const second = countedWork()
      const notFound = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          expect(yield* session.executeWrite(first.work, fast)).toBe(1)
          const other = yield* driver.session({ database: "nope", bookmarks: yield* session.lastBookmarks() })
          return yield* Effect.flip(other.executeWrite(second.work, fast))
        })
      )
      expect(first.starts).toHaveLength(2)
      expect(notFound._tag).toBe("ClientError")
      expect(notFound).toMatchObject({ code: "Neo.ClientError.Database.DatabaseNotFound" })
      expect(second.starts).toHaveLength(1)
      yield* stub.verify
    })
  )

  it.scopedLive("a SyntaxError is not retried: the work runs once", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}${ATTEMPT}S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input (scripted)"}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
        ]
      })
      const { starts, work } = countedWork()
      const error = yield* Effect.flip(writeIn(stub, work))
      expect(error._tag).toBe("ClientError")
      expect(error).toMatchObject({ code: "Neo.ClientError.Statement.SyntaxError" })
      expect(starts).toHaveLength(1)
      yield* stub.verify
    })
  )

  it.scopedLive("a connection that dies during COMMIT gives IncompleteCommitError, which is not retried", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}${ATTEMPT}${ONE_RECORD}C: COMMIT
S: <EXIT>
`
        ]
      })
      const { starts, work } = countedWork()
      const error = yield* Effect.flip(writeIn(stub, work))
      expect(error._tag).toBe("IncompleteCommitError")
      expect(starts).toHaveLength(1)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("a connection lost mid-work is retried on a new connection and succeeds (driver-wide schedule)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}${ATTEMPT}S: <EXIT>
`,
          `${HEAD}${SUCCESSFUL_ATTEMPT}?: GOODBYE
`
        ]
      })
      const { starts, work } = countedWork()
      const value = yield* withDriver(
        stub.uri(),
        (driver) => Effect.flatMap(driver.session(), (session) => session.executeWrite(work)),
        {},
        { retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3))) }
      )
      expect(value).toBe(1)
      expect(starts).toHaveLength(2)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    })
  )

  it.scopedLive("a user error from the work is not retried, and the transaction is rolled back", () =>
    Effect.gen(function* () {
      class OutOfStock extends Data.TaggedError("OutOfStock")<{ readonly item: string }> {}
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}C: BEGIN {}
C: RUN "MATCH (i:Item {sku: 'x'}) RETURN i.stock AS stock" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["stock"]}
   RECORD [0]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
        ]
      })
      let runs = 0
      const error = yield* withDriver(stub.uri(), (driver) =>
        Effect.flatMap(driver.session(), (session) =>
          Effect.flip(
            session.executeWrite((tx) =>
              Effect.gen(function* () {
                runs++
                const r = yield* tx.run("MATCH (i:Item {sku: 'x'}) RETURN i.stock AS stock")
                const stock = (yield* r.single).get("stock")
                if (stock === 0) return yield* new OutOfStock({ item: "x" })
                return stock
              })
            )
          )
        )
      )
      expect(error).toEqual(new OutOfStock({ item: "x" }))
      expect(runs).toBe(1)
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "ROLLBACK"])
    })
  )
})
