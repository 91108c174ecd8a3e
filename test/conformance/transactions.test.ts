/**
 * Transactions after a failure, as the reference drivers behave (TestKit tx_run.test_tx_run):
 * a FAILURE to RUN or PULL ends the transaction on the server, so nothing more goes out for it
 * (no ROLLBACK, no further PULL, RUN or COMMIT); `rollback` succeeds at once, `run` and `commit`
 * fail naming the terminated transaction, the transaction's other open results fail with the
 * original error, and the connection goes back to the pool through RESET. Over real sockets
 * against the stub server, scripts at Bolt 5.4.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, names, withDriver } from "../support.js"

const FAILURE = `FAILURE {"code": "Neo.ClientError.MadeUp.Code", "message": "Something went wrong..."}`

describe("a transaction after a failure", () => {
  it.scopedLive("a RUN that fails: rollback succeeds without ROLLBACK; run and commit fail naming the terminated transaction; RESET cleans the connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "invalid" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${FAILURE}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const tx = yield* session.beginTransaction()
          const error = yield* Effect.flip(tx.run("invalid"))
          expect(error._tag).toBe("ClientError")
          expect(error._tag === "ClientError" ? error.code : undefined).toBe("Neo.ClientError.MadeUp.Code")
          expect(yield* tx.isOpen).toBe(false)
          const again = yield* Effect.flip(tx.run("RETURN 1"))
          expect(again._tag).toBe("ResultConsumedError")
          expect(again.message).toContain("transaction was terminated")
          const commit = yield* Effect.flip(tx.commit)
          expect(commit._tag).toBe("ResultConsumedError")
          expect(commit.message).toContain("transaction was terminated")
          yield* tx.rollback
        }).pipe(Effect.scoped)
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "RESET"])
    })
  )

  it.scopedLive("a PULL that fails: its records come first, then the error; the earlier open result fails with the same error and sends nothing", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 2}
S: SUCCESS {}
   SUCCESS {"fields": ["n"], "qid": 1}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: RUN "failing on pull" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"], "qid": 2}
   RECORD [7]
   ${FAILURE}
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const tx = yield* session.beginTransaction()
            const first = yield* tx.run("RETURN 1 AS n")
            const failing = yield* tx.run("failing on pull")
            const seen: Array<unknown> = []
            const error = yield* Effect.flip(
              Stream.runForEach(failing.records, (r) => Effect.sync(() => seen.push(r.get("n"))))
            )
            expect(seen).toEqual([7])
            expect(error._tag === "ClientError" ? error.code : error._tag).toBe("Neo.ClientError.MadeUp.Code")
            const earlier = yield* Effect.flip(first.list)
            expect(earlier._tag === "ClientError" ? earlier.code : earlier._tag).toBe("Neo.ClientError.MadeUp.Code")
            const summary = yield* Effect.flip(first.consume)
            expect(summary._tag).toBe("ClientError")
            const commit = yield* Effect.flip(tx.commit)
            expect(commit._tag).toBe("ResultConsumedError")
          }).pipe(Effect.scoped),
        { fetchSize: 2 }
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "RUN", "PULL", "RESET"])
    })
  )

  it.scopedLive("a transaction function whose query fails with a transient error is retried on a clean connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}
C: RESET
S: SUCCESS {}
C: BEGIN {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
      })
      const n = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          return yield* session.executeWrite((tx) =>
            Effect.flatMap(tx.run("RETURN 1 AS n"), (r) => Effect.map(r.single, (rec) => rec.get("n")))
          )
        }).pipe(Effect.scoped)
      )
      expect(n).toBe(1)
      yield* stub.verify
    })
  )
})

describe("the connection of an explicit transaction", () => {
  it.scopedLive("goes back to the pool at commit and at rollback, though the transactions' scope is still open", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: BEGIN {}
C: RUN "QUERY 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "QUERY 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
C: RUN "QUERY 3" {} {"bookmarks": ["FB:1"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [3]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      const values = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const tx1 = yield* session.beginTransaction()
          const one = yield* Effect.flatMap(tx1.run("QUERY 1"), (r) => r.list)
          yield* tx1.commit
          const afterCommit = yield* driver.connectionPoolMetrics()
          const tx2 = yield* session.beginTransaction()
          const two = yield* Effect.flatMap(tx2.run("QUERY 2"), (r) => r.list)
          yield* tx2.rollback
          const three = yield* Effect.flatMap(session.run("QUERY 3"), (r) => r.list)
          expect(afterCommit.map((m) => m.inUse)).toEqual([0])
          return [...one, ...two, ...three].map((r) => r.get("n"))
        }).pipe(Effect.scoped)
      )
      expect(values).toEqual([1, 2, 3])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )
})

describe("auto-commit results that end in a failure", () => {
  it.scopedLive("records received before a FAILURE are delivered before the error", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   RECORD [2]
   ${FAILURE}
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const seen: Array<unknown> = []
      const error = yield* withDriver(stub, (driver) =>
        Stream.runForEach(driver.stream("RETURN 1 AS n"), (r) => Effect.sync(() => seen.push(r.get("n"))))
      ).pipe(Effect.flip)
      expect(seen).toEqual([1, 2])
      expect(error._tag).toBe("ClientError")
      yield* stub.verify
    })
  )

  it.scopedLive("records received before the connection is lost are delivered before the error", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   <EXIT>
`
      })
      const seen: Array<unknown> = []
      const error = yield* withDriver(stub, (driver) =>
        Effect.flatMap(driver.session(), (session) =>
          Effect.flatMap(session.run("RETURN 1 AS n"), (result) =>
            Stream.runForEach(result.records, (r) => Effect.sync(() => seen.push(r.get("n"))))
          )
        )
      ).pipe(Effect.flip)
      expect(seen).toEqual([1])
      expect(error._tag).toBe("ServiceUnavailableError")
    })
  )
})
