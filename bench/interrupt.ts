/**
 * How long `Effect.timeout` and `Fiber.interrupt` take to return on a server that does not answer
 * the query (it answers the RESET that ends it), for each way of running a query (issue 11). Run:
 * `node --import tsx bench/interrupt.ts`. Prints milliseconds; asserts nothing.
 */
import { Effect, Fiber, Stream } from "effect"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import { StubServer } from "../src/testing/index.js"
import * as Auth from "../src/Auth.js"
const HEAD = `!: BOLT 5.4\nA: HELLO\nA: LOGON\n`
const TERM = `C: RESET\nS: FAILURE {"code": "Neo.TransientError.Transaction.Terminated", "message": "t"}\n   IGNORED\n   SUCCESS {}\n?: GOODBYE\n`
const RUN = `${HEAD}C: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\n${TERM}`
const TX = `${HEAD}C: BEGIN {}\nC: RUN "RETURN 1 AS x" {} {}\nC: PULL {"n": 1000}\nS: SUCCESS {}\n${TERM}`
const list = (d: Neo4jDriver.Neo4jDriver) => Effect.scoped(Effect.flatMap(d.session(), (s) => Effect.flatMap(s.run("RETURN 1 AS x"), (r) => r.list)))
const ways: Array<[string, string, (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<unknown, unknown>]> = [
  ["executeQuery", TX, (d) => d.executeQuery("RETURN 1 AS x")],
  ["session.run", RUN, list],
  ["explicit tx", TX, (d) => Effect.scoped(Effect.flatMap(d.session(), (s) => Effect.flatMap(s.beginTransaction(), (tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))))],
  ["tx function", TX, (d) => Effect.scoped(Effect.flatMap(d.session(), (s) => s.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))))],
  ["driver.stream", RUN, (d) => Stream.runCollect(d.stream("RETURN 1 AS x"))]
]
const program = Effect.gen(function* () {
  for (const [name, script, work] of ways) {
    for (const how of ["timeout", "interrupt"] as const) {
      const stub = yield* StubServer.make({ script })
      const ms = yield* Effect.scoped(Effect.gen(function* () {
        const d = yield* Neo4jDriver.driver(stub.uri(), Auth.basic("neo4j", "pw"))
        if (how === "timeout") {
          const t = Date.now()
          yield* Effect.exit(Effect.timeout(work(d), "100 millis"))
          return Date.now() - t - 100
        }
        const f = yield* Effect.fork(work(d))
        yield* Effect.sleep("100 millis")
        const t = Date.now()
        yield* Fiber.interrupt(f)
        return Date.now() - t
      }))
      console.log(`${name.padEnd(14)} ${how.padEnd(9)} returned ${ms} ms after the ${how === "timeout" ? "100 ms timeout" : "interrupt"}`)
    }
  }
}).pipe(Effect.scoped)
Effect.runPromise(program)
