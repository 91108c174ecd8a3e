/**
 * The connection end to end over real sockets against the scripted stub server: handshake,
 * HELLO (+LOGON), RUN/PULL records, GOODBYE on close, at Bolt 4.4, 5.0, 5.4, 5.8 and 6.0; the
 * handshake's failure cases; no socket left behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Scope, Stream } from "effect"
import * as Connection from "../../src/internal/connection/connection.js"
import { run } from "../../src/internal/connection/result.js"
import { StubServer } from "../../src/testing/index.js"
import * as Graph from "../../src/Graph.js"
import { connectOptions, failureOf, HEAD, openSockets } from "../support.js"

const options = (stub: StubServer.StubServer) => connectOptions(stub, "secret-pw")

const helloLines = (v: string) =>
  v === "4.4" || v === "5.0"
    ? `C: HELLO {"user_agent": "effect-neo4j-test/1.0", "scheme": "basic", "principal": "neo4j", "credentials": "secret-pw", "[patch_bolt]": ["utc"], "[bolt_agent]": *}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-7"${v === "4.4" ? ', "patch_bolt": ["utc"]' : ""}}`
    : `C: HELLO {"user_agent": "effect-neo4j-test/1.0", "[bolt_agent]": {"product": "effect-neo4j/0.1.0"}}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-7"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "secret-pw"}
S: SUCCESS {}`

const queryScript = (header: string, v: string) => `${header}
${helloLines(v)}
C: RUN "MATCH (n) RETURN n.name AS name, n AS node" {"limit": 3} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["name", "node"], "t_first": 1}
   RECORD ["a", Structure<0x4E>[1, ["Person"], {"name": "a"}${v === "4.4" ? "" : ', "4:x:1"'}]]
   RECORD ["b", Structure<0x4E>[2, ["Person"], {"name": "b"}${v === "4.4" ? "" : ', "4:x:2"'}]]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD ["c", Structure<0x4E>[3, ["Person"], {"name": "c"}${v === "4.4" ? "" : ', "4:x:3"'}]]
   SUCCESS {"has_more": false, "type": "r", "t_last": 2}
C: GOODBYE
`

describe("connection end to end", () => {
  for (const [v, header] of [
    ["4.4", "!: BOLT 4.4"],
    ["5.0", "!: BOLT 5.0"],
    ["5.4", "!: BOLT 5.4"],
    ["5.8", "!: MANIFEST 5.8-5.0 4.4"],
    ["6.0", "!: MANIFEST 6.0 5.8-5.0 4.4"]
  ] as const) {
    it.live(`Bolt ${v}: handshake, HELLO${v >= "5.1" ? " + LOGON" : ""}, RUN + PULL batches, GOODBYE`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: queryScript(header, v) })
        const names = yield* Effect.scoped(
          Effect.gen(function* () {
            const conn = yield* Connection.open(options(stub))
            expect(`${conn.version.major}.${conn.version.minor}`).toBe(v)
            expect(conn.server).toBe("Neo4j/5.26.0")
            const cursor = yield* run(conn, {
              query: "MATCH (n) RETURN n.name AS name, n AS node",
              parameters: { limit: 3 },
              fetchSize: 2
            })
            expect(cursor.keys).toEqual(["name", "node"])
            const records = yield* Stream.runCollect(cursor.records)
            const summary = yield* cursor.summary
            expect(summary.type).toBe("r")
            const nodes = Chunk.toArray(records).map((r) => r.get("node") as Graph.Node)
            expect(nodes.map((n) => n.labels)).toEqual([["Person"], ["Person"], ["Person"]])
            expect(nodes[2]!.elementId).toBe(v === "4.4" ? "3" : "4:x:3")
            return Chunk.toArray(records).map((r) => r.get("name"))
          })
        )
        expect(names).toEqual(["a", "b", "c"])
        yield* stub.verify
      }).pipe(Effect.scoped)
    )
  }

  it.live("take(10) of a 1,000,000-record result: one PULL, then DISCARD, and the connection is reused", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: RUN "RETURN 1" {} {}
S: <STREAM records=1000000 fields=["i"]>
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {}
C: GOODBYE
`
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const conn = yield* Connection.open(options(stub))
          const c1 = yield* run(conn, { query: "RETURN 1", fetchSize: 1000 })
          const first = yield* Stream.runCollect(Stream.take(c1.records, 10))
          expect(Chunk.size(first)).toBe(10)
          const c2 = yield* run(conn, { query: "RETURN 2", fetchSize: 1000 })
          const second = yield* Stream.runCollect(c2.records)
          expect(Chunk.toArray(second).map((r) => r.get("x"))).toEqual([2])
        })
      )
      yield* stub.verify
      const names = (yield* stub.received()).map((m) => m.name)
      expect(names.slice(2)).toEqual(["RUN", "PULL", "DISCARD", "RUN", "PULL", "GOODBYE"])
    }).pipe(Effect.scoped)
  )
})

describe("handshake failures", () => {
  const openExit = (script: string) =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script, verifyOnClose: false })
      const exit = yield* Effect.exit(Effect.scoped(Connection.open(options(stub))))
      return exit
    }).pipe(Effect.scoped)

  it.live("no common version: ProtocolError listing our versions", () =>
    Effect.gen(function* () {
      const err = failureOf(yield* openExit("!: HANDSHAKE 00 00 00 00\n"))
      expect(err._tag).toBe("ProtocolError")
      expect(err.message).toContain("6.0")
      expect(err.message).toContain("4.4")
    })
  )

  it.live("manifest with no common version: ProtocolError listing both sides", () =>
    Effect.gen(function* () {
      const err = failureOf(yield* openExit("!: HANDSHAKE 00 00 01 FF 01 00 01 01 04 00\n"))
      expect(err._tag).toBe("ProtocolError")
      expect(err.message).toContain("the server offers 4.1-4.0")
      expect(err.message).toContain("5.8-5.0")
    })
  )

  it.live("HTTP on the Bolt port: ProtocolError pointing at 7687", () =>
    Effect.gen(function* () {
      const err = failureOf(
        yield* openExit("!: HANDSHAKE 48 54 54 50 2F 31 2E 31 20 34 30 30 20 42 61 64 0D 0A 0D 0A\n")
      )
      expect(err._tag).toBe("ProtocolError")
      expect(err.message).toMatch(/HTTP.*7474.*7687/)
    })
  )

  it.live("EOF during the handshake: ServiceUnavailableError", () =>
    Effect.gen(function* () {
      const err = failureOf(yield* openExit("!: HANDSHAKE 00 00\nS: <EXIT>\n"))
      expect(err._tag).toBe("ServiceUnavailableError")
      expect(err.message).toContain("handshake")
    })
  )

  it.live("a server that never answers the handshake: ServiceUnavailableError (Timeout)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: "!: HANDSHAKE STALL\n", verifyOnClose: false })
      const exit = yield* Effect.exit(Effect.scoped(Connection.open({ ...options(stub), connectTimeout: 200 })))
      const err = failureOf(exit)
      expect(err._tag).toBe("ServiceUnavailableError")
      expect((err as { reason: string }).reason).toBe("Timeout")
    }).pipe(Effect.scoped)
  )

  it.live("connection refused: ServiceUnavailableError (Connect)", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(Effect.map(StubServer.make({ script: "!: BOLT 5.4\n", verifyOnClose: false }), (s) => s.port))
      const exit = yield* Effect.exit(
        Effect.scoped(Connection.open({ ...options({ host: "127.0.0.1", port } as StubServer.StubServer) }))
      )
      const err = failureOf(exit)
      expect(err._tag).toBe("ServiceUnavailableError")
      expect((err as { reason: string }).reason).toBe("Connect")
    })
  )

  it.live("wrong password: AuthenticationError without the password in it", () =>
    Effect.gen(function* () {
      const err = failureOf(
        yield* openExit(`!: BOLT 5.4
A: HELLO
C: LOGON *
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
`)
      )
      expect(err._tag).toBe("AuthenticationError")
      expect(String(err)).not.toContain("secret-pw")
      expect(JSON.stringify(err)).not.toContain("secret-pw")
    })
  )

  it.live("garbled bytes after HELLO: ProtocolError", () =>
    Effect.gen(function* () {
      const err = failureOf(
        yield* openExit(`!: BOLT 5.4
C: HELLO *
S: <RAW> 00 03 C4 00 01 00 00
`)
      )
      expect(err._tag).toBe("ProtocolError")
    })
  )

  it.live("no socket is left after each scope, on success and failure", () =>
    Effect.gen(function* () {
      const before = openSockets()
      yield* openExit("!: HANDSHAKE 00 00 00 00\n")
      yield* Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\nA: LOGON\nC: GOODBYE\n" })
        yield* Effect.scoped(Connection.open(options(stub)))
        yield* stub.verify
      }).pipe(Effect.scoped)
      // interruption while the server stalls the handshake
      yield* Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: "!: HANDSHAKE STALL\n", verifyOnClose: false })
        const scope = yield* Scope.make()
        const fiber = yield* Effect.fork(Scope.extend(Connection.open(options(stub)), scope))
        yield* Effect.sleep("50 millis")
        yield* fiber.interruptAsFork(fiber.id())
        yield* Scope.close(scope, Exit.void)
      }).pipe(Effect.scoped)
      yield* Effect.sleep("20 millis")
      expect(openSockets()).toBe(before)
    })
  )
})
