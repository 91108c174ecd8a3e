/**
 * Reference behaviours at connection set-up, as TestKit checks them (versions.test_server_agent,
 * authorization.test_custom_scheme_empty), over real sockets against the stub server: a server
 * whose agent is not `Neo4j/...` is refused with a typed error before any query goes out, and a
 * custom auth token leaves its empty fields out of LOGON.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import * as Auth from "../../src/Auth.js"
import type * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { StubServer } from "../../src/testing/index.js"
import { count, withDriver } from "../support.js"

const agentScript = (agent: string) => `!: BOLT 5.7
C: HELLO *
S: SUCCESS {"server": ${JSON.stringify(agent)}, "connection_id": "bolt-1"}
A: LOGON
?: GOODBYE
{?
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
?: GOODBYE
?}
`

const runAndConsume = (d: Neo4jDriver.Neo4jDriver) =>
  Effect.flatMap(d.session(), (session) => Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.consume))

describe("the server's agent", () => {
  for (const agent of ["FooBar/4.3.0", "neo4j/4.1.0", "Neo4j4.3.0", ""]) {
    it.scopedLive(`${JSON.stringify(agent)} is refused with a ProtocolError naming it; no RUN goes out`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: agentScript(agent) })
        const error = yield* withDriver(stub, (d) => runAndConsume(d)).pipe(Effect.flip)
        expect(error._tag).toBe("ProtocolError")
        expect(error.message).toContain("is not Neo4j")
        expect(error.message).toContain(JSON.stringify(agent))
        expect(yield* count(stub, "RUN")).toBe(0)
      })
    )
  }

  for (const agent of ["Neo4j/4.3.0", "Neo4j/Funky!"]) {
    it.scopedLive(`${JSON.stringify(agent)} is accepted and reported in the summary`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: agentScript(agent) })
        const summary = yield* withDriver(stub, runAndConsume)
        expect(summary.server.agent).toBe(agent)
        yield* stub.verify
      })
    )
  }
})

describe("custom auth tokens", () => {
  it.scopedLive("empty credentials, realm and parameters are left out of LOGON; the principal stays", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.1
C: HELLO {"user_agent": *string, "[bolt_agent]": *map, "[routing]": *map}
S: SUCCESS {"server": "Neo4j/5.1.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "minimal-scheme", "principal": ""}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
?: GOODBYE
`
      })
      const auth = Auth.custom("", Redacted.make(""), "", "minimal-scheme", {})
      const records = yield* withDriver(stub, (d) => Stream.runCollect(d.stream("RETURN 1 AS n")), { auth })
      expect(Array.from(records, (r) => r.get("n"))).toEqual([1])
      yield* stub.verify
    })
  )
})
