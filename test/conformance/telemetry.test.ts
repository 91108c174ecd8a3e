/**
 * TELEMETRY (Bolt 5.4+), as the reference drivers send it (TestKit
 * driver_parameters.telemetry): once per API call, in the same write as the call's first message,
 * naming the API (0 transaction function, 1 unmanaged transaction, 2 auto-commit, 3
 * executeQuery); only when the server's `telemetry.enabled` hint asks for it and the user did not
 * set `telemetryDisabled`; a retried transaction function sends it until one was acknowledged.
 * Over real sockets against the stub server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { StubServer } from "../../src/testing/index.js"
import { withDriver } from "../support.js"

const hello = (hint: boolean) => `!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.14.0", "connection_id": "bolt-1"${hint ? `, "hints": {"telemetry.enabled": true}` : ""}}
A: LOGON
`

const tx = `C: BEGIN *
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
`

const autoCommit = `C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
`

const calls: ReadonlyArray<readonly [string, number, string, (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<unknown, unknown>]> = [
  ["executeRead", 0, tx, (d) =>
    Effect.scoped(Effect.flatMap(d.session(), (s) => s.executeRead((t) => Effect.flatMap(t.run("RETURN 1 AS n"), (r) => r.list))))],
  ["beginTransaction", 1, tx, (d) =>
    Effect.scoped(
      Effect.flatMap(d.session(), (s) =>
        Effect.flatMap(s.beginTransaction(), (t) => Effect.zipRight(Effect.flatMap(t.run("RETURN 1 AS n"), (r) => r.list), t.commit))
      )
    )],
  ["session.run", 2, autoCommit, (d) => Stream.runCollect(d.stream("RETURN 1 AS n"))],
  ["executeQuery", 3, tx, (d) => d.executeQuery("RETURN 1 AS n", {}, { bookmarkManager: null })]
]

describe("TELEMETRY", () => {
  for (const [name, api, body, call] of calls) {
    it.scopedLive(`${name}: TELEMETRY ${api} ahead of its first message when the server asks for it`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: `${hello(true)}C: TELEMETRY ${api}\nS: SUCCESS {}\n${body}?: GOODBYE\n` })
        yield* withDriver(stub, call)
        yield* stub.verify
      })
    )
  }

  for (const [name, , body, call] of calls) {
    it.scopedLive(`${name}: no TELEMETRY without the server's hint, nor with telemetryDisabled`, () =>
      Effect.gen(function* () {
        const without = yield* StubServer.make({ script: `${hello(false)}${body}?: GOODBYE\n` })
        yield* withDriver(without, call)
        yield* without.verify
        const disabled = yield* StubServer.make({ script: `${hello(true)}${body}?: GOODBYE\n` })
        yield* withDriver(disabled, call, { telemetryDisabled: true })
        yield* disabled.verify
      })
    )
  }

  it.scopedLive("a retried transaction function sends TELEMETRY again only until one was acknowledged", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${hello(true)}C: TELEMETRY 0
S: SUCCESS {}
C: BEGIN *
S: FAILURE {"code": "Neo.TransientError.General.PleaseRetry", "message": "again"}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: IGNORED
   IGNORED
C: RESET
S: SUCCESS {}
${tx}?: GOODBYE
`
      })
      yield* withDriver(stub, (d) =>
        Effect.scoped(Effect.flatMap(d.session(), (s) => s.executeWrite((t) => Effect.flatMap(t.run("RETURN 1 AS n"), (r) => r.list))))
      )
      yield* stub.verify
    })
  )
})
