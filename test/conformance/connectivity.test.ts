/**
 * verifyConnectivity and getServerInfo as the reference drivers (TestKit
 * connectivity_check.test_get_server_info.test_direct_from_pool): a connection just opened is
 * checked by its HELLO; an idle one taken from the pool is checked with exactly one RESET. And
 * connectionPoolMetrics (TestKit's GetConnectionPoolMetrics): in use and idle connections per server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, names, withDriver } from "../support.js"

describe("verifyConnectivity", () => {
  it.scopedLive("a new connection: HELLO only; an idle pooled one: one RESET each call", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "QUERY" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RESET
S: SUCCESS {}
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const first = yield* driver.verifyConnectivity()
          expect(first.agent).toBe("Neo4j/5.26.0")
          expect(yield* names(stub)).toEqual(["HELLO", "LOGON"])
          yield* Stream.runDrain(driver.stream("QUERY"))
          const info = yield* driver.getServerInfo()
          expect(info.protocolVersion).toBe("5.4")
          yield* driver.verifyConnectivity()
        })
      )
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL", "RESET", "RESET"])
    })
  )
})

describe("connectionPoolMetrics", () => {
  it.scopedLive("in use while a result holds the connection, idle once it is read; empty before the first query", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "QUERY" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 0, idle: 0 }])
          const session = yield* driver.session()
          const result = yield* session.run("QUERY")
          expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 1, idle: 0 }])
          yield* result.list
          expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 0, idle: 1 }])
        })
      )
      yield* stub.verify
    })
  )
})
