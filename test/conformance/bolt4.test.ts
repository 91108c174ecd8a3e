/**
 * Bolt 4.3 and 4.2, which the reference drivers still speak (TestKit routing.test_routing_v4x3,
 * tx_begin_parameters.test_impersonation_fails_on_v4x3): 4.3 has ROUTE with the database name
 * as its third field and no impersonation; 4.2 has no ROUTE, and the routing table comes from
 * the `dbms.routing.getRoutingTable` procedure in the system database. Over real sockets
 * against the stub server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { names, withDriver } from "../support.js"

const hello = (version: string) => `!: BOLT ${version}
C: HELLO *
S: SUCCESS {"server": "Neo4j/${version}.0", "connection_id": "bolt-1"}
`

const table = (address: string) =>
  `{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}`

const readTx = (db: string) => `C: BEGIN {"mode": "r", "db": "${db}"}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
`

describe("Bolt 4.3", () => {
  it.scopedLive("negotiated from our 4.4-4.2 range; ROUTE carries the database name (null for the home database)", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const address = `127.0.0.1:${port}`
      const stub = yield* StubServer.make({
        port,
        script: `${hello("4.3")}C: ROUTE {"address": "${address}"} [] "adb"
S: SUCCESS {"rt": {"ttl": 1000, "servers": [${table(address)}]}}
${readTx("adb")}C: ROUTE {"address": "${address}"} [] null
S: SUCCESS {"rt": {"ttl": 1000, "servers": [${table(address)}]}}
C: BEGIN {"mode": "r"}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
?: GOODBYE
`
      })
      yield* withDriver(stub.uri("neo4j"), (driver) =>
        Effect.gen(function* () {
          const named = yield* driver.executeQuery("RETURN 1 AS n", {}, { database: "adb", routing: "READ", bookmarkManager: null })
          expect(named.summary.server.protocolVersion).toBe("4.3")
          const home = yield* driver.executeQuery("RETURN 1 AS n", {}, { routing: "READ", bookmarkManager: null })
          expect(home.records[0]!.get("n")).toBe(1)
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("impersonation is an InvalidParameterError naming the user, before anything goes out (direct and routing)", () =>
    Effect.gen(function* () {
      const direct = yield* StubServer.make({ script: `${hello("4.3")}?: GOODBYE\n` })
      const error = yield* withDriver(direct, (driver) =>
        driver.executeQuery("RETURN 1", {}, { impersonatedUser: "that-other-dude", bookmarkManager: null })
      ).pipe(Effect.flip)
      expect(error._tag).toBe("InvalidParameterError")
      expect(error.message).toContain("that-other-dude")
      expect(error.message).toContain("4.4")
      expect(yield* names(direct)).toEqual(["HELLO"])
      const router = yield* StubServer.make({ script: `${hello("4.3")}?: GOODBYE\n` })
      const routed = yield* withDriver(router.uri("neo4j"), (driver) =>
        driver.executeQuery("RETURN 1", {}, { impersonatedUser: "that-other-dude", bookmarkManager: null })
      ).pipe(Effect.flip)
      expect(routed._tag).toBe("InvalidParameterError")
      expect(yield* names(router)).toEqual(["HELLO"])
    })
  )
})

describe("Bolt 4.2", () => {
  it.scopedLive("impersonation is an InvalidParameterError naming the user; the routing procedure is not run", () =>
    Effect.gen(function* () {
      const router = yield* StubServer.make({ script: `${hello("4.2")}?: GOODBYE\n` })
      const error = yield* withDriver(router.uri("neo4j"), (driver) =>
        driver.executeQuery("RETURN 1", {}, { impersonatedUser: "that-other-dude", bookmarkManager: null })
      ).pipe(Effect.flip)
      expect(error._tag).toBe("InvalidParameterError")
      expect(error.message).toContain("that-other-dude")
      expect(yield* names(router)).toEqual(["HELLO"])
    })
  )


  it.scopedLive("the routing table comes from dbms.routing.getRoutingTable in the system database", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const address = `127.0.0.1:${port}`
      const stub = yield* StubServer.make({
        port,
        script: `${hello("4.2")}C: RUN "CALL dbms.routing.getRoutingTable($context, $database)" {"context": {"address": "${address}"}, "database": "adb"} {"mode": "r", "db": "system"}
C: PULL {"n": -1}
S: SUCCESS {"fields": ["ttl", "servers"]}
   RECORD [1000, [${table(address)}]]
   SUCCESS {"type": "r"}
${readTx("adb")}?: GOODBYE
`
      })
      const result = yield* withDriver(stub.uri("neo4j"), (driver) =>
        driver.executeQuery("RETURN 1 AS n", {}, { database: "adb", routing: "READ", bookmarkManager: null })
      )
      expect(result.records[0]!.get("n")).toBe(1)
      expect(result.summary.server.protocolVersion).toBe("4.2")
      yield* stub.verify
    })
  )
})
