/**
 * What one call costs in Effect's runtime, counted rather than timed (so it reads the same on a
 * busy machine):
 *
 *   node --import tsx bench/ops.ts [--detail executeQuery]
 *
 * - Effect operations per call (every primitive the fiber runs, counted by a supervisor with
 *   `OpSupervision` on) for `executeQuery`, `session.run` + `list` in a scoped session, and
 *   `executeWrite` of one query, against the benchmark server (in this process, Bolt 5.8).
 *   `--detail NAME` lists that call's operations by kind and continuation.
 * - What a Promise caller pays to enter Effect: µs per `ManagedRuntime.runPromise` of an
 *   Effect that does nothing, on a runtime built from `Neo4jDriver.layer`, 64 in flight (timed,
 *   so only a rough figure).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Supervisor from "effect/Supervisor"
import * as Auth from "../src/Auth.js"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import { option } from "./argv.js"
import { inFlight, PASSWORD, USER } from "./clients/common.js"
import * as Q from "./server/queries.js"
import { start } from "./server/server.js"

const detail = option("--detail")

/** Counts the operations it sees, by kind and the source of their continuation. */
class OpCounter extends Supervisor.AbstractSupervisor<void> {
  readonly value = Effect.void
  count = 0
  readonly byKind = new Map<string, number>()
  override onEffect(_fiber: unknown, effect: unknown): void {
    this.count++
    if (detail === undefined) return
    const op = effect as { _op?: string; commit?: unknown; effect_instruction_i0?: unknown; effect_instruction_i1?: unknown }
    const f = op._op === "Commit" ? op.commit : typeof op.effect_instruction_i1 === "function" ? op.effect_instruction_i1 : op.effect_instruction_i0
    const key = `${op._op}: ${typeof f === "function" ? String(f).slice(0, 100).replace(/\s+/g, " ") : typeof f}`
    this.byKind.set(key, (this.byKind.get(key) ?? 0) + 1)
  }
}

const counter = new OpCounter()
const counted = <A, E>(self: Effect.Effect<A, E>) =>
  self.pipe(Effect.supervised(counter), Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)))

const CALLS = 200

const perCall = (name: string, call: Effect.Effect<unknown, unknown>) =>
  Effect.gen(function* () {
    yield* call // the connection opened, the code paths warm
    // the wrapper's own operations, counted once per call below, are measured on Effect.void
    const empty = counter.count
    yield* counted(Effect.void)
    const overhead = counter.count - empty
    counter.byKind.clear()
    const before = counter.count
    for (let i = 0; i < CALLS; i++) yield* counted(call)
    const ops = (counter.count - before) / CALLS - overhead
    console.log(`${name}: ${ops.toFixed(0)} Effect operations per call`)
    if (name === detail) {
      for (const [k, v] of [...counter.byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${(v / CALLS).toFixed(1).padStart(6)}  ${k}`)
    }
  })

const server = await start({ streamRecords: 1000, nodeRecords: 1000, version: { major: 5, minor: 8 }, manifest: true })
const config = { uri: `bolt://127.0.0.1:${server.port}`, auth: Auth.basic(USER, PASSWORD) }
const first = (records: Chunk.Chunk<{ get(k: string): unknown }>) => Chunk.unsafeGet(records, 0).get("x")

await Effect.runPromise(
  Effect.gen(function* () {
    const driver = yield* Neo4jDriver.Neo4jDriver
    yield* perCall("executeQuery", driver.executeQuery(Q.TINY))
    yield* perCall(
      "session.run+list",
      Effect.scoped(Effect.flatMap(driver.session(), (s) => Effect.flatMap(s.run(Q.TINY), (r) => Effect.map(r.list, first))))
    )
    yield* perCall(
      "executeWrite",
      Effect.scoped(
        Effect.flatMap(driver.session(), (s) => s.executeWrite((tx) => Effect.flatMap(tx.run(Q.WRITE, { i: 1 }), (r) => Effect.map(r.list, first))))
      )
    )
  }).pipe(Effect.provide(Neo4jDriver.layer(config)))
)

// 64 async workers, as the bench's Promise callers run (bench/clients/common.ts `inFlight`)
const runtime = ManagedRuntime.make(Neo4jDriver.layer(config))
const nothing = Effect.succeed(0)
await runtime.runPromise(nothing)
const calls = 128_000
let best = Infinity
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now()
  await inFlight(calls, 64, () => runtime.runPromise(nothing))
  best = Math.min(best, ((performance.now() - t) * 1000) / calls)
}
console.log(`ManagedRuntime.runPromise of an Effect that does nothing, 64 in flight: ${best.toFixed(1)} µs per call (best of 3)`)
await runtime.dispose()
await server.close()
