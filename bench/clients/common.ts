/**
 * What every client process shares: its arguments, peak-RSS measurement, latency percentiles,
 * and how it reports (one JSON message over IPC, or a line on stdout when run by hand).
 *
 * A client is run as `node --import tsx bench/clients/<driver>.ts '<json args>'`.
 */
import { readFileSync } from "node:fs"
import { getHeapStatistics } from "node:v8"

/** The workloads (see bench/README.md). */
export type Workload =
  | "stream"
  | "nodes"
  | "sequential"
  | "concurrent"
  | "sessions"
  | "txfn"
  | "slow"
  | "take10"
  | "routing"
  | "eager"
  | "typed"

/** What the orchestrator passes to a client. */
export interface ClientArgs {
  readonly workload: Workload
  /** bolt://127.0.0.1:port (or neo4j://) */
  readonly uri: string
  /** records (stream, nodes, slow, take10, eager, typed) or calls (sequential, concurrent, txfn) */
  readonly size: number
  /** the same workload, smaller, run first (JIT warm-up); 0 for none */
  readonly warmup: number
  /** concurrent: calls in flight */
  readonly concurrency: number
  /** slow: pause every this many records */
  readonly pauseEvery: number
  /** slow: pause length in ms */
  readonly pauseMs: number
  /** neo4j-driver only: `disableLosslessIntegers` */
  readonly lossless?: boolean
  /** effect-neo4j slow consumer only: Stream.runForEachChunk instead of Stream.runForEach */
  readonly chunked?: boolean
  /**
   * effect-neo4j only: how the workload enters Effect. `fiber` (the default): one Effect program,
   * its callers fibers. `promise`: as an app that calls in from Promises (an HTTP handler, a
   * queue consumer) does, each call a `ManagedRuntime.runPromise` of a runtime built from
   * `Neo4jDriver.layer`.
   */
  readonly mode?: "fiber" | "promise"
}

/** What a client reports. */
export interface ClientResult {
  readonly workload: Workload
  /** records or calls done in the timed part */
  readonly count: number
  readonly ms: number
  /** process CPU time (user + system, all threads) of the timed part, ms */
  readonly cpuMs: number
  /** records/s or calls/s */
  readonly perSecond: number
  /** peak resident set of the whole process (VmHWM), MB */
  readonly peakRssMb: number
  /** resident set before the timed part, MB */
  readonly baseRssMb: number
  /** resident set and V8 heap once the driver is loaded, before it connects (after a GC), MB */
  readonly loadRssMb: number
  readonly loadHeapMb: number
  /** the highest V8 heap use sampled (every 5 ms) during the timed part, MB */
  readonly heapPeakMb: number
  /** V8 heap use before the timed part (after a GC when --expose-gc), MB */
  readonly baseHeapMb: number
  /** latency percentiles in ms, for call workloads */
  readonly p50?: number
  readonly p99?: number
  /** slow: RSS (MB) sampled at each pause */
  readonly rssTrace?: ReadonlyArray<number>
  /** a value derived from the data, so that nothing is optimised away and both sides agree */
  readonly check: number
}

export const args = (): ClientArgs => JSON.parse(process.argv[2] ?? "{}") as ClientArgs

export const USER = "neo4j"
export const PASSWORD = "bench-password"

const MB = 1024 * 1024

/** The peak RSS of this process so far (VmHWM), MB; the current RSS where /proc is missing. */
export const peakRssMb = (): number => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))
    if (m) return Number(m[1]) / 1024
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss() / MB
}

export const rssMb = (): number => process.memoryUsage.rss() / MB

/** The V8 heap in use, MB. */
export const heapMb = (): number => getHeapStatistics().used_heap_size / MB

/** The q-quantile (0..1) of unsorted samples. */
export const percentile = (samples: Float64Array, q: number): number => {
  const s = Float64Array.from(samples).sort()
  if (s.length === 0) return 0
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

/** Sends the result to the orchestrator (IPC) or prints it, then lets the process exit. */
export const report = (result: ClientResult): Promise<void> =>
  new Promise((resolve) => {
    if (process.send) process.send(result, () => resolve())
    else {
      process.stdout.write(JSON.stringify(result) + "\n")
      resolve()
    }
  })

/**
 * Memory once the driver is loaded: this module is imported after the driver by every client, so
 * it is evaluated once the driver's modules are.
 */
;(globalThis as { gc?: () => void }).gc?.()
const loaded = { rss: rssMb(), heap: heapMb() }

/** Times `run` after `warm`; `run` returns its count and check value. */
export const timed = async (
  workload: Workload,
  run: () => Promise<{ count: number; check: number; latencies?: Float64Array; rssTrace?: Array<number> }>
): Promise<ClientResult> => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const baseRssMb = rssMb()
  const baseHeapMb = heapMb()
  let heapPeak = baseHeapMb
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, heapMb())
  }, 5)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await run()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  clearInterval(sampler)
  heapPeak = Math.max(heapPeak, heapMb())
  return {
    workload,
    count: r.count,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    perSecond: (r.count / ms) * 1000,
    peakRssMb: peakRssMb(),
    baseRssMb,
    loadRssMb: loaded.rss,
    loadHeapMb: loaded.heap,
    heapPeakMb: heapPeak,
    baseHeapMb,
    ...(r.latencies ? { p50: percentile(r.latencies, 0.5), p99: percentile(r.latencies, 0.99) } : {}),
    ...(r.rssTrace ? { rssTrace: r.rssTrace } : {}),
    check: r.check
  }
}

/** What a call workload gives back: calls done, a check value, each call's latency in ms. */
export interface Calls {
  readonly count: number
  readonly check: number
  readonly latencies: Float64Array
}

/** `n` calls of `one`, `concurrency` async workers in flight, each call timed; `one` gives a value to add to the check. */
export const inFlight = async (n: number, concurrency: number, one: () => Promise<number>): Promise<Calls> => {
  const latencies = new Float64Array(n)
  let next = 0
  let check = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      const t = performance.now()
      const x = await one() // read before adding: `check += await ...` would add to a stale value
      check += x
      latencies[i] = performance.now() - t
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { count: n, check, latencies }
}
