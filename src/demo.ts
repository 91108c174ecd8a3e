/**
 * `npm run demo`: a few queries through the driver. Against `NEO4J_URI` (with `NEO4J_USERNAME`
 * / `NEO4J_PASSWORD`) when it is set; otherwise against the bundled scripted stub server, which
 * plays the part of a Neo4j 5.26 server over a real socket: an eager query, a streamed one with
 * backpressure (take 5 of 1,000,000), and a transaction function that fails twice with a
 * transient error and succeeds on the third attempt.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Auth from "./Auth.js"
import * as Neo4jDriver from "./Neo4jDriver.js"
import type * as Result from "./Result.js"
import { StubServer } from "./testing/index.js"

/** A summary's query type in words. */
const QUERY_TYPES: Record<Result.QueryType, string> = { r: "read", w: "write", rw: "read/write", s: "schema" }
const queryTypeInWords = (type: Result.QueryType | undefined): string =>
  type === undefined ? "query type not reported" : `a ${QUERY_TYPES[type]} query`

/** One attempt of the transaction function in the demo, up to the server's answer to RUN. */
const createAda = `C: BEGIN *
C: RUN "CREATE (p:Person {name: $name}) RETURN p.name AS name" {"name": "Ada"} {}
C: PULL {"n": 1000}
S: SUCCESS {}`

/** An attempt that fails with a transient error (the 5.7+ FAILURE: `neo4j_code` and the GQL fields); the driver then resets the connection. */
const transientFailure = `{{
${createAda}
   FAILURE {"neo4j_code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "Deadlock detected (scripted)", "gql_status": "50N05", "description": "error: general processing exception - deadlock detected. Deadlock detected while trying to acquire locks. See log for more details.", "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/", "_classification": "TRANSIENT_ERROR"}}
   IGNORED
C: RESET
S: SUCCESS {}
}}`

/** The stub plays a one-member cluster at `address`: it answers ROUTE with itself in every role. */
const stubScript = (address: string) => `!: MANIFEST 6.0 5.8-5.0 4.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/2025.10.0", "connection_id": "bolt-1", "hints": {"ssr.enabled": true}}
A: LOGON
C: ROUTE {"address": "${address}"} [] {}
S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}
C: RESET
S: SUCCESS {}
C: BEGIN {"mode": "r"}
C: RUN "UNWIND range(1, 3) AS i RETURN i, 'person ' + i AS name" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["i", "name"], "t_first": 2}
   RECORD [1, "person 1"]
   RECORD [2, "person 2"]
   RECORD [3, "person 3"]
   SUCCESS {"type": "r", "t_last": 1, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:demo-1"}
C: RUN "UNWIND range(0, 999999) AS i RETURN i" {} {"bookmarks": ["FB:demo-1"]}
S: <STREAM records=1000000 fields=["i"] summary={"type": "r"}>
${transientFailure}
${transientFailure}
${createAda}
   SUCCESS {"fields": ["name"]}
   RECORD ["Ada"]
   SUCCESS {"type": "w", "stats": {"nodes-created": 1, "properties-set": 1, "labels-added": 1}}
C: COMMIT
S: SUCCESS {"bookmark": "FB:demo-2"}
?: GOODBYE
`

const program = Effect.gen(function* () {
  const driver = yield* Neo4jDriver.Neo4jDriver
  const info = yield* driver.verifyConnectivity()
  yield* Console.log(`connected: ${info.agent} at ${info.address}, Bolt ${info.protocolVersion}`)

  const { keys, records, summary } = yield* driver.executeQuery(
    "UNWIND range(1, 3) AS i RETURN i, 'person ' + i AS name",
    {},
    { routing: "READ" }
  )
  yield* Console.log(`executeQuery: keys ${JSON.stringify(keys)}`)
  for (const r of records) yield* Console.log(`  ${r.get("i")}: ${r.get("name")}`)
  const timing = summary.resultAvailableAfter === undefined ? "" : `, first record available after ${summary.resultAvailableAfter} ms`
  yield* Console.log(`  (${queryTypeInWords(summary.queryType)}${timing})`)

  const firstFive = yield* driver.stream("UNWIND range(0, 999999) AS i RETURN i").pipe(
    Stream.take(5),
    Stream.map((r) => r.get("i")),
    Stream.runCollect
  )
  yield* Console.log(`stream: first five of 1,000,000: ${Chunk.toArray(firstFive).join(", ")} (one PULL, then DISCARD)`)

  let attempts = 0
  const created = yield* Effect.scoped(
    Effect.flatMap(driver.session(), (session) =>
      session.executeWrite(
        (tx) =>
          Effect.gen(function* () {
            attempts++
            const result = yield* tx.run("CREATE (p:Person {name: $name}) RETURN p.name AS name", { name: "Ada" })
            const record = yield* result.single
            const s = yield* result.summary
            return `${record.get("name")} (nodes created: ${s.counters.nodesCreated})`
          }),
        // a short back-off for the demo; the default is 1 s, x2, +-20 %, capped at 30 s
        { retry: Schedule.exponential("50 millis").pipe(Schedule.intersect(Schedule.recurs(5))) }
      )
    )
  )
  yield* Console.log(`executeWrite: created ${created} after ${attempts} attempts (2 transient failures retried)`)
})

const main: Effect.Effect<void, unknown> = process.env.NEO4J_URI
  ? Effect.gen(function* () {
      yield* Console.log(`using NEO4J_URI=${process.env.NEO4J_URI}`)
      // against a real server the scripted queries still make sense, except the retry story
      yield* program.pipe(Effect.provide(Neo4jDriver.Neo4jDriverLive))
    })
  : Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const stub = yield* StubServer.make({ port, script: stubScript(`127.0.0.1:${port}`) })
      yield* Console.log(`NEO4J_URI is not set: using the bundled stub server at ${stub.uri("neo4j")}`)
      const driverLayer = Neo4jDriver.layer({ uri: stub.uri("neo4j"), auth: Auth.basic("neo4j", "demo-password") })
      yield* program.pipe(Effect.provide(Layer.fresh(driverLayer)))
      yield* stub.verify
      const routes = (yield* stub.received()).filter((m) => m.name === "ROUTE").length
      yield* Console.log(
        `driver closed; the stub server saw exactly the scripted conversation (${routes} ROUTE: the home database is cached, Bolt 5.8+ server-side routing)`
      )
    }).pipe(Effect.scoped)

Effect.runPromiseExit(main).then((exit) => {
  if (exit._tag === "Failure") {
    console.error("demo failed:", exit.cause.toString())
    process.exitCode = 1
  }
})
