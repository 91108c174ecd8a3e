/**
 * The workloads on effect-neo4j, in a process of their own (see e2e.bench.ts).
 *
 * Config: the defaults (fetchSize 1000, pool 100; an Integer is a `number` when safe). APIs, as a
 * user would write them: `driver.stream` + `Stream.runFold` for full streams (a pure step per
 * record), `Stream.runForEach` with an `Effect.sleep` for the slow consumer, `Stream.take(10)`,
 * `session.run` + `result.list` for auto-commit queries, `driver.executeQuery` with
 * `Effect.forEach({ concurrency })`, `session.executeWrite`; the stream's records read whole by
 * `driver.executeQuery` (`eager`) and by a `QuerySchema.findAll` that decodes every row (`typed`).
 */
import { Chunk, Effect, Schema, Stream } from "effect"
import type { Scope } from "effect"
import * as Auth from "../../src/Auth.js"
import type * as Graph from "../../src/Graph.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import * as Neo4jSchema from "../../src/Neo4jSchema.js"
import * as QuerySchema from "../../src/QuerySchema.js"
import * as Q from "../server/queries.js"
import { args, PASSWORD, report, rssMb, timed, USER } from "./common.js"
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

/** The stream workload as a typed query: the request encoded, every row decoded and checked. */
const typedStream = QuerySchema.findAll({
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
  concurrent: (driver, n, c) =>
    Effect.gen(function* () {
      const latencies = new Float64Array(n)
      let check = 0
      yield* Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) =>
          Effect.suspend(() => {
            const t = performance.now()
            return Effect.map(driver.executeQuery(Q.TINY), (result) => {
              check += result.records[0]!.get("x") as number
              latencies[i] = performance.now() - t
            })
          }),
        { concurrency: c.concurrency, discard: true }
      )
      return { count: n, check, latencies }
    }),
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
    Effect.map(Effect.provideService(typedStream({ n }), Neo4jDriver.Neo4jDriver, driver), (rows) => {
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

const program = Effect.gen(function* () {
  const driver = yield* Neo4jDriver.make({ uri: a.uri, auth: Auth.basic(USER, PASSWORD) })
  const run = (n: number) => Effect.scoped(workloads[a.workload](driver, n, a))
  if (a.warmup > 0) yield* run(a.warmup)
  return yield* Effect.promise(() => timed(a.workload, () => Effect.runPromise(run(a.size))))
})

const result = await Effect.runPromise(Effect.scoped(program))
await report(result)
