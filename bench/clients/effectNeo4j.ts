/**
 * The workloads on effect-neo4j, in a process of their own (see e2e.bench.ts).
 *
 * Config: the defaults (fetchSize 1000, pool 100; an Integer is a `number` when safe). APIs, as a
 * user would write them: `driver.stream` + `Stream.runFold` for full streams (a pure step per
 * record), `Stream.runForEach` with an `Effect.sleep` for the slow consumer, `Stream.take(10)`,
 * `session.run` + `result.list` for auto-commit queries, `driver.executeQuery` with
 * `Effect.forEach({ concurrency })`, a session per query (`sessions`), `session.executeWrite`; the
 * stream's records read whole by
 * `driver.executeQuery` (`eager`) and by a `QuerySchema.findAll` that decodes every row (`typed`).
 */
// by path, as the driver does: through the barrel, esbuild runs the initialisers of every module
// the barrel names that is also imported dynamically (here Schema, which the typed workload loads)
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Auth from "../../src/Auth.js"
import type * as Graph from "../../src/Graph.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import type * as Session from "../../src/Session.js"
import type * as QuerySchema from "../../src/QuerySchema.js"
import * as Q from "../server/queries.js"
import { args, inFlight, PASSWORD, report, rssMb, timed, USER } from "./common.js"
import type { ClientArgs } from "./common.js"

const a = args()
const MOD = 1_000_000_007

type Driver = Neo4jDriver.Neo4jDriver
interface Outcome {
  count: number
  check: number
  latencies?: Float64Array
  rssTrace?: Array<number>
}
type Work = (driver: Driver, n: number, c: ClientArgs) => Effect.Effect<Outcome, Neo4jError | QuerySchema.QuerySchemaError, Scope.Scope>

const fold = (driver: Driver, query: string, n: number, step: (acc: number, r: { get(k: string): unknown }) => number) =>
  driver.stream(query, { n }).pipe(
    Stream.runFold({ count: 0, check: 0 }, (acc, r) => {
      acc.count++
      acc.check = step(acc.check, r)
      return acc
    })
  )

/** `n` calls of `one` as fibers, `concurrency` in flight, each call timed; `one` gives a value to add to the check. */
const fibersInFlight = <E, R>(n: number, concurrency: number, one: () => Effect.Effect<number, E, R>) =>
  Effect.suspend(() => {
    const latencies = new Float64Array(n)
    let check = 0
    return Effect.map(
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) =>
          Effect.suspend(() => {
            const t = performance.now()
            return Effect.map(one(), (x) => {
              check += x
              latencies[i] = performance.now() - t
            })
          }),
        { concurrency, discard: true }
      ),
      () => ({ count: n, check, latencies })
    )
  })

/** A session of its own for one query, closed after it (what a request handler without executeQuery does). */
const sessionQuery = (driver: Driver) =>
  Effect.scoped(
    Effect.flatMap(driver.session(), (session) =>
      Effect.flatMap(session.run(Q.TINY), (result) => Effect.map(result.list, (records) => Chunk.unsafeGet(records, 0).get("x") as number)))
  )

/**
 * The stream workload as a typed query: the request encoded, every row decoded and checked.
 * Loaded on first use, so that the other workloads' processes do not load Schema.
 */
const typedStream = Effect.promise(async () => {
  const [Schema, Neo4jSchema, QuerySchemaModule] = await Promise.all([
    import("effect/Schema"),
    import("../../src/Neo4jSchema.js"),
    import("../../src/QuerySchema.js")
  ])
  return QuerySchemaModule.findAll({
    Request: Schema.Struct({ n: Neo4jSchema.Integer }),
    Result: Schema.Struct({
      id: Neo4jSchema.Integer,
      name: Schema.String,
      score: Schema.Number,
      active: Schema.Boolean,
      tags: Schema.Array(Schema.String)
    }),
    execute: Q.STREAM
  })
}).pipe(Effect.cached, Effect.runSync)

const workloads: Record<ClientArgs["workload"], Work> = {
  stream: (driver, n) => fold(driver, Q.STREAM, n, (check, r) => (check + (r.get("id") as number)) % MOD),
  nodes: (driver, n) =>
    fold(driver, Q.NODES, n, (check, r) => {
      const node = r.get("n") as Graph.Node
      return (check + (node.properties.age as number) + node.labels.length) % MOD
    }),
  sequential: (driver, n) =>
    Effect.gen(function* () {
      const session = yield* driver.session()
      const latencies = new Float64Array(n)
      let check = 0
      for (let i = 0; i < n; i++) {
        const t = performance.now()
        const result = yield* session.run(Q.TINY)
        const records = yield* result.list
        check += Chunk.unsafeGet(records, 0).get("x") as number
        latencies[i] = performance.now() - t
      }
      return { count: n, check, latencies }
    }),
  sessions: (driver, n, c) => fibersInFlight(n, c.concurrency, () => sessionQuery(driver)),
  concurrent: (driver, n, c) =>
    fibersInFlight(n, c.concurrency, () => Effect.map(driver.executeQuery(Q.TINY), (result) => result.records[0]!.get("x") as number)),
  txfn: (driver, n) =>
    Effect.gen(function* () {
      const session = yield* driver.session()
      const latencies = new Float64Array(n)
      let check = 0
      for (let i = 0; i < n; i++) {
        const t = performance.now()
        check += yield* session.executeWrite((tx) =>
          Effect.flatMap(tx.run(Q.WRITE, { i }), (result) =>
            Effect.map(result.list, (records) => Chunk.unsafeGet(records, 0).get("x") as number)
          )
        )
        latencies[i] = performance.now() - t
      }
      return { count: n, check, latencies }
    }),
  slow: (driver, n, c) =>
    Effect.gen(function* () {
      const rssTrace: Array<number> = []
      let check = 0
      let count = 0
      const records = driver.stream(Q.STREAM, { n })
      yield* c.chunked
        ? // a batch at a time: no Effect per record
          Stream.runForEachChunk(records, (chunk) => {
            let pause = false
            for (const r of chunk) {
              check = (check + (r.get("id") as number)) % MOD
              if (++count % c.pauseEvery === 0) pause = true
            }
            if (!pause) return Effect.void
            rssTrace.push(rssMb())
            return Effect.sleep(c.pauseMs)
          })
        : Stream.runForEach(records, (r) => {
            check = (check + (r.get("id") as number)) % MOD
            if (++count % c.pauseEvery !== 0) return Effect.void
            rssTrace.push(rssMb())
            return Effect.sleep(c.pauseMs)
          })
      return { count, check, rssTrace }
    }),
  take10: (driver, n) =>
    Effect.map(driver.stream(Q.STREAM, { n }).pipe(Stream.take(10), Stream.runCollect), (chunk) => {
      let check = 0
      for (const r of chunk) check = (check + (r.get("id") as number)) % MOD
      return { count: chunk.length, check }
    }),
  eager: (driver, n) =>
    Effect.map(driver.executeQuery(Q.STREAM, { n }), ({ records }) => {
      let check = 0
      for (const r of records) check = (check + (r.get("id") as number)) % MOD
      return { count: records.length, check }
    }),
  typed: (driver, n) =>
    Effect.map(Effect.provideService(Effect.flatMap(typedStream, (query) => query({ n })), Neo4jDriver.Neo4jDriver, driver), (rows) => {
      let check = 0
      for (const row of rows) check = (check + row.id) % MOD
      return { count: rows.length, check }
    }),
  routing: (driver, n) =>
    Effect.gen(function* () {
      let check = 0
      for (let i = 0; i < 100; i++) {
        const result = yield* driver.executeQuery(Q.TINY, {}, { routing: "READ" })
        check += result.records[0]!.get("x") as number
      }
      const streamed = yield* fold(driver, Q.STREAM, n, (x) => x)
      return { count: streamed.count + 100, check }
    })
}

// ---------------------------------------------------------------------------------------------
// Promise callers: each call a runtime.runPromise, as an app that enters Effect at its edges

type Runtime = ManagedRuntime.ManagedRuntime<Neo4jDriver.Neo4jDriver, unknown>
type PromiseWork = (runtime: Runtime, n: number, c: ClientArgs) => Promise<Outcome>

/** `f` of the driver, one `runPromise` (the driver looked up from the runtime's context, as a handler does) */
const call = <A>(runtime: Runtime, f: (driver: Driver) => Effect.Effect<A, unknown>): Promise<A> =>
  runtime.runPromise(Effect.flatMap(Neo4jDriver.Neo4jDriver, f))

/** `call` for work that needs a Scope (a stream's workload, a session): one per call */
const callScoped = <A>(runtime: Runtime, f: (driver: Driver) => Effect.Effect<A, unknown, Scope.Scope>): Promise<A> =>
  runtime.runPromise(Effect.scoped(Effect.flatMap(Neo4jDriver.Neo4jDriver, f)))

/** a long-lived session, as an app keeps one for a job, with the per-query calls made on it */
const withSession = async (runtime: Runtime, f: (session: Session.Session) => Promise<Outcome>): Promise<Outcome> => {
  const scope = await runtime.runPromise(Scope.make())
  try {
    const session = await runtime.runPromise(Effect.flatMap(Neo4jDriver.Neo4jDriver, (driver) => Scope.extend(driver.session(), scope)))
    return await f(session)
  } finally {
    await runtime.runPromise(Scope.close(scope, Exit.void))
  }
}

const sequentially = async (n: number, one: (i: number) => Promise<number>): Promise<Outcome> => {
  const latencies = new Float64Array(n)
  let check = 0
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const x = await one(i)
    check += x
    latencies[i] = performance.now() - t
  }
  return { count: n, check, latencies }
}

const promiseWorkloads: Partial<Record<ClientArgs["workload"], PromiseWork>> = {
  // the whole stream is one call: what differs from the fiber mode is the runtime it runs in
  stream: (runtime, n, c) => callScoped(runtime, (driver) => workloads.stream(driver, n, c)),
  nodes: (runtime, n, c) => callScoped(runtime, (driver) => workloads.nodes(driver, n, c)),
  slow: (runtime, n, c) => callScoped(runtime, (driver) => workloads.slow(driver, n, c)),
  take10: (runtime, n, c) => callScoped(runtime, (driver) => workloads.take10(driver, n, c)),
  sequential: (runtime, n) =>
    withSession(runtime, (session) =>
      sequentially(n, () =>
        runtime.runPromise(
          Effect.flatMap(session.run(Q.TINY), (result) => Effect.map(result.list, (records) => Chunk.unsafeGet(records, 0).get("x") as number))
        ))),
  concurrent: (runtime, n, c) =>
    inFlight(n, c.concurrency, () =>
      call(runtime, (driver) => Effect.map(driver.executeQuery(Q.TINY), (result) => result.records[0]!.get("x") as number))),
  sessions: (runtime, n, c) => inFlight(n, c.concurrency, () => call(runtime, sessionQuery)),
  txfn: (runtime, n) =>
    withSession(runtime, (session) =>
      sequentially(n, (i) =>
        runtime.runPromise(
          session.executeWrite((tx) =>
            Effect.flatMap(tx.run(Q.WRITE, { i }), (result) =>
              Effect.map(result.list, (records) => Chunk.unsafeGet(records, 0).get("x") as number)))
        )))
}

const config = { uri: a.uri, auth: Auth.basic(USER, PASSWORD) }

const result = a.mode === "promise"
  ? await (async () => {
    const work = promiseWorkloads[a.workload]
    if (work === undefined) throw new Error(`no Promise-caller form of the ${a.workload} workload`)
    const runtime: Runtime = ManagedRuntime.make(Neo4jDriver.layer(config))
    try {
      if (a.warmup > 0) await work(runtime, a.warmup, a)
      return await timed(a.workload, () => work(runtime, a.size, a))
    } finally {
      await runtime.dispose()
    }
  })()
  : await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const driver = yield* Neo4jDriver.make(config)
        const run = (n: number) => Effect.scoped(workloads[a.workload](driver, n, a))
        if (a.warmup > 0) yield* run(a.warmup)
        return yield* Effect.promise(() => timed(a.workload, () => Effect.runPromise(run(a.size))))
      })
    )
  )
await report(result)
