/**
 * verifyConnectivity and getServerInfo as the reference drivers (TestKit
 * connectivity_check.test_get_server_info.test_direct_from_pool): a connection just opened is
 * checked by its HELLO; an idle one taken from the pool is checked with exactly one RESET. And
 * connectionPoolMetrics (TestKit's GetConnectionPoolMetrics): in use and idle connections per server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, names, realSleep, withDriver } from "../support.js"

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

describe("the server's connection.recv_timeout_seconds hint", () => {
  it.scopedLive("bounds waits for an answer only: a connection idle longer than it in the pool is reused", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
A: LOGON
C: RUN "QUERY" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RUN "QUERY" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      const values = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const first = yield* Stream.runCollect(driver.stream("QUERY"))
          yield* realSleep(1500)
          const second = yield* Stream.runCollect(driver.stream("QUERY"))
          return [...first, ...second].map((r) => r.get("n"))
        })
      )
      expect(values).toEqual([1, 2])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )
})
