/**
 * The package smoke test's app: what a user writes after `npm install effect-neo4j`, run against
 * the stub server shipped in `effect-neo4j/testing`. Typechecked under NodeNext and Bundler, then run.
 */
import { Effect, Layer, Redacted } from "effect"
import { Auth, Neo4jDriver } from "effect-neo4j"
import { StubServer } from "effect-neo4j/testing"
// a module by its own path (what an app that does not load the root's typed queries imports)
import * as Neo4jDriverByPath from "effect-neo4j/Neo4jDriver"

const script = `!: BOLT 5.4
A: HELLO
A: LOGON
C: BEGIN {}
C: RUN "RETURN $x AS x" {"x": 41} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [42]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`

const program = Effect.gen(function* () {
  const driver = yield* Neo4jDriver.Neo4jDriver
  const { records } = yield* driver.executeQuery("RETURN $x AS x", { x: 41 })
  return records[0]!.get("x")
})

const DriverLive = Layer.unwrapEffect(
  Effect.map(StubServer.StubServer, (stub) =>
    Neo4jDriver.layer({ uri: stub.uri(), auth: Auth.basic("neo4j", Redacted.make("password")) }))
).pipe(Layer.provideMerge(StubServer.layer({ script })))

const main = Effect.gen(function* () {
  const x = yield* program
  yield* StubServer.verify
  return x
}).pipe(Effect.provide(DriverLive))

Effect.runPromise(main).then(
  (x) => {
    if (x !== 42) throw new Error(`expected 42, got ${String(x)}`)
    if (Neo4jDriverByPath.layer !== Neo4jDriver.layer) throw new Error("effect-neo4j/Neo4jDriver is not the root's Neo4jDriver")
    console.log(`query against the stub server: x = ${x}`)
  },
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
