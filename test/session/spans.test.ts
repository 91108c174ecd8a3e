/**
 * Query spans, over real sockets against the scripted stub server: every RUN (auto-commit,
 * explicit transaction, transaction function, executeQuery) is one `neo4j.run` span of kind
 * `client` with the database attributes, its server and database once known, its exit; and never
 * a parameter value or the password.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Tracer } from "effect"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { StubServer } from "../../src/testing/index.js"
import { AUTH_HEAD, driverLayer, PASSWORD } from "../support.js"

/** The current tracer, recording every span it starts. */
const recording = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (base) =>
    Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    })
  )

const attributesOf = (span: Tracer.Span) => Object.fromEntries(span.attributes)

const SECRET_PARAMETER = "card-4111-1111-1111-1111"

describe("query spans", () => {
  it.scopedLive("one neo4j.run span per RUN, with db and server attributes, the exit, and no parameter or password", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${AUTH_HEAD}C: RUN "RETURN $card AS x" {"card": "${SECRET_PARAMETER}"} {"db": "movies"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: BEGIN {"db": "movies"}
C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"], "db": "movies"}
C: RUN "RETURN nope" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input 'nope'"}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const spans: Array<Tracer.Span> = []
      const tracer = yield* recording(spans)
      const failure = yield* Effect.gen(function* () {
        const driver = yield* Neo4jDriver.Neo4jDriver
        const session = yield* driver.session({ database: "movies" })
        const result = yield* session.run("RETURN $card AS x", { card: SECRET_PARAMETER })
        yield* result.list
        yield* driver.executeQuery("RETURN 2 AS x", {}, { database: "movies" })
        return yield* Effect.flip(driver.executeQuery("RETURN nope", {}, { database: "movies" }))
      }).pipe(Effect.scoped, Effect.provide(driverLayer(stub)), Effect.withTracer(tracer))
      expect(failure._tag).toBe("ClientError")
      yield* stub.verify

      const queries = spans.filter((s) => s.name === "neo4j.run")
      expect(queries.map((s) => attributesOf(s)["db.query.text"])).toEqual(["RETURN $card AS x", "RETURN 2 AS x", "RETURN nope"])
      for (const span of queries) {
        expect(span.kind).toBe("client")
        expect(attributesOf(span)).toMatchObject({
          "db.system.name": "neo4j",
          "db.namespace": "movies",
          "server.address": stub.host,
          "server.port": stub.port
        })
        expect(span.status._tag).toBe("Ended")
      }
      const exits = queries.map((s) => (s.status._tag === "Ended" && Exit.isSuccess(s.status.exit) ? "ok" : "failed"))
      expect(exits).toEqual(["ok", "ok", "failed"])
      const everything = JSON.stringify(spans.map((s) => [s.name, attributesOf(s)]))
      expect(everything).not.toContain(SECRET_PARAMETER)
      expect(everything).not.toContain(PASSWORD)
    })
  )
})
