/**
 * What the reference drivers refuse and allow (TestKit tx_begin_parameters.test_negative_timeout,
 * driver_parameters.test_connection_acquisition_timeout_ms): a negative transaction timeout is
 * a typed error before anything goes out; connectionTimeout bounds the socket only, and the
 * connection acquisition timeout bounds the whole opening (Bolt handshake and HELLO included).
 * Over real sockets against the stub server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, names, withDriver } from "../support.js"

const returnOne = `C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
`

describe("transaction timeouts", () => {
  it.scopedLive("a negative timeout is an InvalidParameterError naming it, on BEGIN and on auto-commit RUN; nothing goes out", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}${returnOne}?: GOODBYE\n` })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const onBegin = yield* Effect.flip(
            Effect.scoped(Effect.flatMap(session.beginTransaction({ timeout: -1 }), (tx) => tx.run("RETURN 1 AS n")))
          )
          expect(onBegin._tag).toBe("InvalidParameterError")
          expect(onBegin.message).toContain("timeout must not be negative")
          const onRun = yield* Effect.flip(session.run("RETURN 1 AS n", {}, { timeout: -5 }))
          expect(onRun._tag).toBe("InvalidParameterError")
          // the connection stays usable
          const records = yield* Stream.runCollect(driver.stream("RETURN 1 AS n"))
          expect(Array.from(records, (r) => r.get("n"))).toEqual([1])
        }).pipe(Effect.scoped)
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL"])
    })
  )
})

describe("connection timeouts", () => {
  it.scopedLive("a handshake slower than connectionTimeout but within the acquisition timeout succeeds", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `!: HANDSHAKE_DELAY 600\n${HEAD.replace("!: BOLT 5.4\n", "!: BOLT 5.4\n")}${returnOne}?: GOODBYE\n` })
      const records = yield* withDriver(stub, (d) => Stream.runCollect(d.stream("RETURN 1 AS n")), {
        connectionTimeout: "200 millis",
        connectionAcquisitionTimeout: "5 seconds"
      })
      expect(Array.from(records, (r) => r.get("n"))).toEqual([1])
      yield* stub.verify
    })
  )
})
