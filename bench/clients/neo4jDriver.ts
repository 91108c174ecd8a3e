/**
 * The workloads on neo4j-driver 6.3.0, in a process of their own (see e2e.bench.ts).
 *
 * Config: the driver's defaults (fetchSize 1000, pool 100, lossless integers: an Integer is a
 * neo4j `Integer` object unless `lossless: false` is passed, which sets `disableLosslessIntegers`).
 * APIs: the fastest each workload allows: `result.subscribe` for full streams, `for await` where
 * backpressure or an early stop is needed, `session.run` for auto-commit queries,
 * `driver.executeQuery` (also for the stream's records read whole: `eager`), a session per query
 * (`sessions`), `session.executeWrite`.
 */
import neo4j from "neo4j-driver"
import type { Driver, Integer, Node, QueryResult, Record as DriverRecord } from "neo4j-driver"
import * as Q from "../server/queries.js"
import { args, inFlight, PASSWORD, report, rssMb, timed, USER } from "./common.js"
import type { ClientArgs } from "./common.js"

const a = args()
const MOD = 1_000_000_007

const num = (v: unknown): number => (neo4j.isInt(v) ? (v as Integer).toNumber() : (v as number))

const stream = (driver: Driver, query: string, n: number, onRecord: (r: DriverRecord) => void): Promise<void> => {
  const session = driver.session()
  return new Promise<void>((resolve, reject) => {
    session.run(query, { n: neo4j.int(n) }).subscribe({
      onNext: onRecord,
      onCompleted: () => resolve(),
      onError: reject
    })
  }).finally(() => session.close())
}

const workloads = {
  stream: async (driver: Driver, n: number) => {
    let check = 0
    let count = 0
    await stream(driver, Q.STREAM, n, (r) => {
      check = (check + num(r.get("id"))) % MOD
      count++
    })
    return { count, check }
  },
  nodes: async (driver: Driver, n: number) => {
    let check = 0
    let count = 0
    await stream(driver, Q.NODES, n, (r) => {
      const node = r.get("n") as Node
      check = (check + num(node.properties.age) + node.labels.length) % MOD
      count++
    })
    return { count, check }
  },
  sequential: async (driver: Driver, n: number) => {
    const session = driver.session()
    const latencies = new Float64Array(n)
    let check = 0
    try {
      for (let i = 0; i < n; i++) {
        const t = performance.now()
        const result = await session.run(Q.TINY)
        check += num(result.records[0]!.get("x"))
        latencies[i] = performance.now() - t
      }
    } finally {
      await session.close()
    }
    return { count: n, check, latencies }
  },
  concurrent: (driver: Driver, n: number, c: ClientArgs) =>
    inFlight(n, c.concurrency, async () => {
      const result: QueryResult = await driver.executeQuery(Q.TINY)
      return num(result.records[0]!.get("x"))
    }),
  sessions: (driver: Driver, n: number, c: ClientArgs) =>
    inFlight(n, c.concurrency, async () => {
      const session = driver.session()
      try {
        const result = await session.run(Q.TINY)
        return num(result.records[0]!.get("x"))
      } finally {
        await session.close()
      }
    }),
  txfn: async (driver: Driver, n: number) => {
    const session = driver.session()
    const latencies = new Float64Array(n)
    let check = 0
    try {
      for (let i = 0; i < n; i++) {
        const t = performance.now()
        check += await session.executeWrite(async (tx) => {
          const result = await tx.run(Q.WRITE, { i: neo4j.int(i) })
          return num(result.records[0]!.get("x"))
        })
        latencies[i] = performance.now() - t
      }
    } finally {
      await session.close()
    }
    return { count: n, check, latencies }
  },
  slow: async (driver: Driver, n: number, c: ClientArgs) => {
    const session = driver.session()
    const rssTrace: Array<number> = []
    let check = 0
    let count = 0
    try {
      for await (const r of session.run(Q.STREAM, { n: neo4j.int(n) })) {
        check = (check + num(r.get("id"))) % MOD
        if (++count % c.pauseEvery === 0) {
          rssTrace.push(rssMb())
          await new Promise((resolve) => setTimeout(resolve, c.pauseMs))
        }
      }
    } finally {
      await session.close()
    }
    return { count, check, rssTrace }
  },
  take10: async (driver: Driver, n: number) => {
    const session = driver.session()
    let check = 0
    let count = 0
    try {
      for await (const r of session.run(Q.STREAM, { n: neo4j.int(n) })) {
        check = (check + num(r.get("id"))) % MOD
        if (++count === 10) break
      }
    } finally {
      await session.close()
    }
    return { count, check }
  },
  eager: async (driver: Driver, n: number) => {
    const { records } = await driver.executeQuery(Q.STREAM, { n: neo4j.int(n) })
    let check = 0
    for (const r of records) check = (check + num(r.get("id"))) % MOD
    return { count: records.length, check }
  },
  // Schema-typed rows are effect-neo4j's alone (QuerySchema); nothing to compare here
  typed: (): Promise<never> => Promise.reject(new Error("the typed workload is effect-neo4j only")),
  routing: async (driver: Driver, n: number) => {
    let check = 0
    for (let i = 0; i < 100; i++) {
      const result = await driver.executeQuery(Q.TINY, {}, { routing: neo4j.routing.READ })
      check += num(result.records[0]!.get("x"))
    }
    let count = 0
    await stream(driver, Q.STREAM, n, () => {
      count++
    })
    return { count: count + 100, check }
  }
}

const driver = neo4j.driver(a.uri, neo4j.auth.basic(USER, PASSWORD), {
  ...(a.lossless === false ? { disableLosslessIntegers: true } : {})
})
try {
  const run = workloads[a.workload]
  if (a.warmup > 0) await run(driver, a.warmup, a)
  const result = await timed(a.workload, () => run(driver, a.size, a))
  await report(result)
} finally {
  await driver.close()
}
