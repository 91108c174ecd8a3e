/**
 * End-to-end benchmark: effect-neo4j against neo4j-driver 6.3.0 over real sockets, against the
 * benchmark Bolt server (bench/server), each driver in its own process.
 *
 *   node --import tsx bench/e2e.bench.ts            full run (a few minutes)
 *   node --import tsx bench/e2e.bench.ts --quick    smoke run: small sizes, 1 repetition (under a minute)
 *   options: --reps N  --only stream,nodes,...  --tsx (run the clients through tsx instead of bundles)
 *            --bolt 5.8|6.0  --keep (print every run)
 *
 * How: the server (records framed once at start-up) and each client run in separate processes,
 * so no process pays for another's CPU or memory. The clients are bundled with esbuild first
 * (our src and effect bundled and tree-shaken, as an application ships; neo4j-driver loaded from
 * node_modules), then run with plain `node`. Measured: through tsx the effect-neo4j process
 * carries ~100 MB of loader and compiled sources, and loading the whole `effect` package from
 * node_modules ~22 MB more than its tree-shaken bundle; neither has anything to do with the
 * workloads, so neither is charged to the driver. Each client warms up on a
 * smaller run of its workload (a tenth of the records; up to 2,000 calls), then times one run;
 * every workload is repeated, the order of the
 * two drivers alternating from one repetition to the next, and the table shows medians. Peak RSS
 * is the client process's VmHWM (Linux), the server's counters give the PULLs and records it
 * saw. See bench/README.md.
 */
import { fork } from "node:child_process"
import { mkdirSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { flag, option } from "./argv.js"
import type { ClientArgs, ClientResult, Workload } from "./clients/common.js"
import type { ServerReply, ServerStats } from "./server/queries.js"

// ---------------------------------------------------------------------------------------------
// options

const QUICK = flag("--quick")
const REPS = Number(option("--reps") ?? (QUICK ? 1 : 3))
const ONLY = option("--only")?.split(",")
const USE_TSX = flag("--tsx")
const BOLT = option("--bolt") ?? "5.8"
const KEEP = flag("--keep")
const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.dirname(HERE)

const SIZES = QUICK
  ? { stream: 50_000, nodes: 10_000, sequential: 1_000, concurrent: 2_000, txfn: 500, pauseEvery: 5_000, eager: 10_000 }
  : { stream: 1_000_000, nodes: 200_000, sequential: 20_000, concurrent: 50_000, txfn: 10_000, pauseEvery: 10_000, eager: 200_000 }
const PAUSE_MS = 10
const CONCURRENCY = 64
const CLIENT_TIMEOUT_MS = 180_000

// ---------------------------------------------------------------------------------------------
// processes

interface Entry {
  readonly file: string
  readonly execArgv: ReadonlyArray<string>
}
type EntryName = "server" | "effectNeo4j" | "neo4jDriver" | "raw"
const SOURCES: Record<EntryName, string> = {
  server: path.join(HERE, "server/main.ts"),
  effectNeo4j: path.join(HERE, "clients/effectNeo4j.ts"),
  neo4jDriver: path.join(HERE, "clients/neo4jDriver.ts"),
  raw: path.join(HERE, "clients/raw.ts")
}

/** Bundles the entry points with esbuild (packages external), or runs them through tsx. */
const prepare = async (): Promise<Record<EntryName, Entry>> => {
  const viaTsx = (): Record<EntryName, Entry> => {
    const out = {} as Record<EntryName, Entry>
    for (const [name, file] of Object.entries(SOURCES)) out[name as EntryName] = { file, execArgv: ["--import", "tsx"] }
    return out
  }
  if (USE_TSX) return viaTsx()
  let esbuild: typeof import("esbuild")
  try {
    esbuild = await import("esbuild")
  } catch {
    process.stderr.write("esbuild not found (it comes with tsx): running the clients through tsx\n")
    return viaTsx()
  }
  // inside the project, so that the bundles resolve `effect` and `neo4j-driver` from node_modules
  const outdir = path.join(ROOT, "node_modules", ".cache", "effect-neo4j-e2e")
  mkdirSync(outdir, { recursive: true })
  await esbuild.build({
    entryPoints: SOURCES,
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // effect (and our src) bundled and tree-shaken, as an application ships; neo4j-driver, a
    // CommonJS package that loads whole either way, left in node_modules
    external: ["neo4j-driver"],
    outExtension: { ".js": ".mjs" },
    logLevel: "warning"
  })
  const out = {} as Record<EntryName, Entry>
  for (const name of Object.keys(SOURCES)) out[name as EntryName] = { file: path.join(outdir, `${name}.mjs`), execArgv: [] }
  return out
}

interface Server {
  readonly port: number
  readonly startupMs: number
  readonly stats: () => Promise<ServerStats>
  readonly stop: () => void
}

const startServer = (entry: Entry, extra: ReadonlyArray<string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = fork(entry.file, [...extra], {
      execArgv: [...entry.execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let waiting: ((s: ServerStats) => void) | undefined
    child.on("message", (m: ServerReply) => {
      if (m.type === "ready") {
        resolve({
          port: m.port,
          startupMs: m.startupMs,
          stats: () =>
            new Promise((r) => {
              waiting = r
              child.send({ type: "stats", reset: true })
            }),
          stop: () => {
            child.disconnect()
            child.kill()
          }
        })
      } else if (m.type === "stats") {
        const w = waiting
        waiting = undefined
        w?.(m.stats)
      }
    })
    child.on("exit", (code) => reject(new Error(`the benchmark server exited (${code})`)))
  })

const runClient = (entry: Entry, a: ClientArgs, extra: ReadonlyArray<string> = []): Promise<ClientResult> =>
  new Promise((resolve, reject) => {
    const child = fork(entry.file, [JSON.stringify(a), ...extra], {
      execArgv: [...entry.execArgv, "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let result: ClientResult | undefined
    const timer = setTimeout(() => child.kill("SIGKILL"), CLIENT_TIMEOUT_MS)
    child.on("message", (m: ClientResult) => {
      result = m
    })
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (result) resolve(result)
      else reject(new Error(`client ${path.basename(entry.file)} ${a.workload} failed (${signal ?? code})`))
    })
  })

// ---------------------------------------------------------------------------------------------
// workloads

type Side = "ours" | "oursPromise" | "oursChunked" | "oursTyped" | "theirs" | "theirsNumbers" | "raw" | "rawDecode"

interface Spec {
  readonly id: string
  readonly title: string
  readonly workload: Workload
  readonly size: number
  readonly warmup: number
  readonly sides: ReadonlyArray<Side>
}

const SPECS: ReadonlyArray<Spec> = [
  {
    id: "stream",
    title: `stream: ${SIZES.stream.toLocaleString("en")} records (int, string, float, bool, list)`,
    workload: "stream",
    size: SIZES.stream,
    warmup: SIZES.stream / 10,
    // the raw client speaks Bolt 5.8 through a plain handshake only
    sides: BOLT === "5.8"
      ? ["ours", "oursPromise", "theirs", "theirsNumbers", "raw", "rawDecode"]
      : ["ours", "oursPromise", "theirs", "theirsNumbers"]
  },
  {
    id: "nodes",
    title: `nodes: ${SIZES.nodes.toLocaleString("en")} records of a Node (3 labels, 5 properties)`,
    workload: "nodes",
    size: SIZES.nodes,
    warmup: SIZES.nodes / 10,
    sides: ["ours", "oursPromise", "theirs"]
  },
  {
    id: "sequential",
    title: `sequential: ${SIZES.sequential.toLocaleString("en")} auto-commit queries, one at a time`,
    workload: "sequential",
    size: SIZES.sequential,
    warmup: Math.min(SIZES.sequential / 10, 1_000),
    sides: ["ours", "oursPromise", "theirs"]
  },
  {
    id: "concurrent",
    title: `concurrent: ${SIZES.concurrent.toLocaleString("en")} executeQuery, ${CONCURRENCY} in flight`,
    workload: "concurrent",
    size: SIZES.concurrent,
    warmup: Math.min(SIZES.concurrent / 10, 2_000),
    sides: ["ours", "oursPromise", "theirs"]
  },
  {
    id: "sessions",
    title: `session per query: ${SIZES.concurrent.toLocaleString("en")} sessions of one auto-commit query, ${CONCURRENCY} in flight`,
    workload: "sessions",
    size: SIZES.concurrent,
    warmup: Math.min(SIZES.concurrent / 10, 2_000),
    sides: ["ours", "oursPromise", "theirs"]
  },
  {
    id: "txfn",
    title: `transaction functions: ${SIZES.txfn.toLocaleString("en")} executeWrite, one at a time`,
    workload: "txfn",
    size: SIZES.txfn,
    warmup: Math.min(SIZES.txfn / 10, 500),
    sides: ["ours", "oursPromise", "theirs"]
  },
  {
    id: "eager",
    title: `eager: ${SIZES.eager.toLocaleString("en")} stream records read whole by executeQuery, and by QuerySchema.findAll (every row decoded)`,
    workload: "eager",
    size: SIZES.eager,
    warmup: SIZES.eager / 10,
    sides: ["ours", "oursTyped", "theirs"]
  },
  {
    id: "slow",
    title: `slow consumer: ${SIZES.stream.toLocaleString("en")} records, ${PAUSE_MS} ms pause every ${SIZES.pauseEvery.toLocaleString("en")}`,
    workload: "slow",
    size: SIZES.stream,
    warmup: 0,
    sides: ["ours", "oursPromise", "theirs", "oursChunked"]
  },
  {
    id: "take10",
    title: `take(10) of the ${SIZES.stream.toLocaleString("en")}-record stream`,
    workload: "take10",
    size: SIZES.stream,
    warmup: 0,
    sides: ["ours", "theirs"]
  }
]

const SIDE_NAMES: Record<Side, string> = {
  ours: "effect-neo4j",
  oursPromise: "effect-neo4j, Promise callers (ManagedRuntime.runPromise per call)",
  oursChunked: "effect-neo4j, Stream.runForEachChunk",
  oursTyped: "effect-neo4j, QuerySchema.findAll",
  theirs: "neo4j-driver",
  theirsNumbers: "neo4j-driver, disableLosslessIntegers",
  raw: "raw socket, framing only",
  rawDecode: "raw socket + our decoder"
}

interface Run extends ClientResult {
  readonly server: ServerStats
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

// ---------------------------------------------------------------------------------------------
// main

const main = async (): Promise<void> => {
  const started = Date.now()
  const cpu = cpus()
  const load = loadavg()[0]!.toFixed(2)
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}, ${process.platform}/${process.arch}`
  process.stderr.write(`e2e: preparing clients${USE_TSX ? " (tsx)" : " (esbuild bundles)"}\n`)
  const entries = await prepare()
  const server = await startServer(entries.server, [
    "--stream",
    String(SIZES.stream),
    "--nodes",
    String(SIZES.nodes),
    "--bolt",
    BOLT
  ])
  const uri = `bolt://127.0.0.1:${server.port}`
  process.stderr.write(`e2e: server on ${uri}, records framed in ${server.startupMs.toFixed(0)} ms\n`)
  const checks: Array<string> = []
  const failures: Array<string> = []

  const clientArgs = (spec: Spec, at = uri): ClientArgs => ({
    workload: spec.workload,
    uri: at,
    size: spec.size,
    warmup: spec.warmup,
    concurrency: CONCURRENCY,
    pauseEvery: SIZES.pauseEvery,
    pauseMs: PAUSE_MS
  })

  const runSide = async (side: Side, a: ClientArgs, on: Server = server): Promise<Run> => {
    await on.stats() // reset the counters
    const r =
      side === "ours"
        ? await runClient(entries.effectNeo4j, a)
        : side === "oursPromise"
        ? await runClient(entries.effectNeo4j, { ...a, mode: "promise" })
        : side === "oursChunked"
          ? await runClient(entries.effectNeo4j, { ...a, chunked: true })
          : side === "oursTyped"
          ? await runClient(entries.effectNeo4j, { ...a, workload: "typed" })
          : side === "theirs"
          ? await runClient(entries.neo4jDriver, a)
          : side === "theirsNumbers"
            ? await runClient(entries.neo4jDriver, { ...a, lossless: false })
            : await runClient(entries.raw, a, [side === "raw" ? "count" : "decode"])
    return { ...r, server: await on.stats() }
  }

  // -- checks: neo4j:// (ROUTE) and the plain handshake, for both drivers
  {
    const small: Spec = { ...SPECS[0]!, size: 10_000, warmup: 0 }
    // Bolt 6.0 is only ever negotiated through the manifest: a plain answer can name 5.8 at most
    const plainBolt = BOLT.startsWith("6") ? "5.8" : BOLT
    const plain = await startServer(entries.server, ["--stream", "10000", "--nodes", "10", "--bolt", plainBolt, "--plain"])
    try {
      for (const side of ["ours", "theirs"] as const) {
        const routed = await runSide(side, { ...clientArgs(small), workload: "routing", uri: `neo4j://127.0.0.1:${server.port}` })
        const ok = routed.count === 10_100 && routed.server.routes > 0
        checks.push(
          `${SIDE_NAMES[side]} over neo4j://: ${ok ? "ok" : "FAILED"} (${routed.server.routes} ROUTE, ${routed.count.toLocaleString("en")} records)`
        )
        const p = await runSide(side, clientArgs(small, `bolt://127.0.0.1:${plain.port}`), plain)
        checks.push(
          `${SIDE_NAMES[side]} with a plain (non-manifest) handshake, Bolt ${plainBolt}: ${p.count === 10_000 ? "ok" : "FAILED"}`
        )
      }
    } catch (e) {
      failures.push(`checks: ${String(e)}`)
    } finally {
      plain.stop()
    }
  }

  // -- the workloads: repetitions outside, so that every workload sees the same spread of conditions
  const runs = new Map<string, Array<Run>>()
  const specs = SPECS.filter((s) => ONLY === undefined || ONLY.includes(s.id))
  for (let rep = 0; rep < REPS; rep++) {
    for (const [w, spec] of specs.entries()) {
      const sides = (rep + w) % 2 === 0 ? spec.sides : [...spec.sides].reverse()
      for (const side of sides) {
        process.stderr.write(`e2e: rep ${rep + 1}/${REPS} ${spec.id} ${SIDE_NAMES[side]}`)
        try {
          const r = await runSide(side, clientArgs(spec))
          const key = `${spec.id}/${side}`
          runs.set(key, [...(runs.get(key) ?? []), r])
          process.stderr.write(`: ${r.ms.toFixed(0)} ms\n`)
          if (KEEP) process.stderr.write(`  ${JSON.stringify({ ...r, rssTrace: undefined })}\n`)
        } catch (e) {
          process.stderr.write(": failed\n")
          failures.push(`${spec.id} ${SIDE_NAMES[side]}: ${String(e)}`)
        }
      }
    }
  }
  server.stop()

  // -- the table
  const get = (id: string, side: Side) => runs.get(`${id}/${side}`) ?? []
  const med = (id: string, side: Side, f: (r: Run) => number | undefined): number | undefined => {
    const xs = get(id, side)
      .map(f)
      .filter((x): x is number => x !== undefined && Number.isFinite(x))
    return xs.length === 0 ? undefined : median(xs)
  }
  const fmt = (x: number | undefined, digits = 0): string =>
    x === undefined ? "–" : x >= 1000 && digits === 0 ? Math.round(x).toLocaleString("en") : x.toFixed(digits)
  const rows: Array<string> = []
  /**
   * One row: effect-neo4j in its two modes (fibers: `o`; Promise callers: `p`) against
   * neo4j-driver (`t`), the ratio of each mode, and the target met when both modes meet it.
   */
  const row = (
    workload: string,
    measure: string,
    o: number | undefined,
    p: number | undefined,
    t: number | undefined,
    digits: number,
    target: string,
    met: (ratio: number) => boolean | undefined
  ) => {
    // a growth near zero makes a ratio meaningless: "flat" rows show the figures only
    const ratioOf = (x: number | undefined) => (target !== "flat" && x !== undefined && t !== undefined && t !== 0 ? x / t : undefined)
    const ratios = [ratioOf(o), ratioOf(p)]
    const verdicts = ratios.filter((r): r is number => r !== undefined).map(met)
    const ok = verdicts.length === 0 || verdicts.includes(undefined) ? undefined : verdicts.every(Boolean)
    const cell = (r: number | undefined) => (r === undefined ? "–" : `**${r.toFixed(2)}×**`)
    rows.push(
      `| ${workload} | ${measure} | ${fmt(o, digits)} | ${fmt(p, digits)} | ${fmt(t, digits)} | ${cell(ratios[0])} | ${cell(ratios[1])} | ${target}${ok === undefined ? "" : ok ? " ✓" : " ✗"} |`
    )
  }
  const rate = (r: Run) => r.perSecond
  const rss = (r: Run) => r.peakRssMb
  const heap = (r: Run) => r.heapPeakMb
  // RSS growth over the stream, past the heap's warm-up: the highest RSS sampled in the last
  // quarter minus the highest in the second quarter. Near 0 when memory is flat (a GC sawtooth
  // included); a driver that buffers what the consumer has not read yet grows with the stream.
  const growth = (r: Run) => {
    const t = r.rssTrace ?? []
    const q = Math.floor(t.length / 4)
    return q < 1 ? undefined : Math.max(...t.slice(3 * q)) - Math.max(...t.slice(q, 2 * q))
  }
  /** a measure of workload `id` in both modes against neo4j-driver */
  const both = (id: string, label: string, measure: string, f: (r: Run) => number | undefined, digits: number, target: string, met: (ratio: number) => boolean | undefined) =>
    row(label, measure, med(id, "ours", f), med(id, "oursPromise", f), med(id, "theirs", f), digits, target, met)
  const memory = (id: string, label: string) => {
    both(id, label, "peak RSS, MB", rss, 0, "≤ 1×", (x) => x <= 1)
    both(id, label, "heap peak, MB", heap, 0, "≤ 1×", (x) => x <= 1)
  }

  if (get("stream", "ours").length > 0) {
    // the stream clients' processes, once the driver is loaded and before it connects
    both("stream", "after loading the driver", "RSS, MB", (r) => r.loadRssMb, 0, "≤ 1×", (x) => x <= 1)
    both("stream", "after loading the driver", "heap, MB", (r) => r.loadHeapMb, 1, "≤ 1×", (x) => x <= 1)
    both("stream", "stream", "records/s", rate, 0, "≥ 4×", (x) => x >= 4)
    memory("stream", "stream")
    row("stream", "records/s vs disableLosslessIntegers", med("stream", "ours", rate), med("stream", "oursPromise", rate), med("stream", "theirsNumbers", rate), 0, "–", () => undefined)
  }
  if (get("nodes", "ours").length > 0) {
    both("nodes", "nodes", "records/s", rate, 0, "≥ 4×", (x) => x >= 4)
    memory("nodes", "nodes")
  }
  if (get("sequential", "ours").length > 0) {
    both("sequential", "sequential", "queries/s", rate, 0, "≥ 2×", (x) => x >= 2)
    both("sequential", "sequential", "p50 latency, ms", (r) => r.p50, 3, "lower is better", () => undefined)
    both("sequential", "sequential", "p99 latency, ms", (r) => r.p99, 3, "lower is better", () => undefined)
    memory("sequential", "sequential")
  }
  if (get("concurrent", "ours").length > 0) {
    both("concurrent", "executeQuery, 64 in flight", "queries/s", rate, 0, "≥ 2×", (x) => x >= 2)
    both("concurrent", "executeQuery, 64 in flight", "p99 latency, ms", (r) => r.p99, 2, "lower is better", () => undefined)
    memory("concurrent", "executeQuery, 64 in flight")
  }
  if (get("sessions", "ours").length > 0) {
    both("sessions", "session per query, 64 in flight", "queries/s", rate, 0, "≥ 2×", (x) => x >= 2)
    both("sessions", "session per query, 64 in flight", "p99 latency, ms", (r) => r.p99, 2, "lower is better", () => undefined)
    memory("sessions", "session per query, 64 in flight")
  }
  if (get("txfn", "ours").length > 0) {
    both("txfn", "transaction functions", "transactions/s", rate, 0, "≥ 2×", (x) => x >= 2)
    memory("txfn", "transaction functions")
  }
  if (get("eager", "ours").length > 0) {
    row("eager (executeQuery)", "records/s", med("eager", "ours", rate), undefined, med("eager", "theirs", rate), 0, "–", () => undefined)
    // both figures effect-neo4j's: what decoding every row with a Schema costs
    row("eager: QuerySchema.findAll / executeQuery", "records/s (effect-neo4j: findAll, –, executeQuery)", med("eager", "oursTyped", rate), undefined, med("eager", "ours", rate), 0, "–", () => undefined)
  }
  if (get("slow", "ours").length > 0) {
    both("slow", "slow consumer", "peak RSS, MB, Stream.runForEach", rss, 0, "≤ 1×", (x) => x <= 1)
    both("slow", "slow consumer", "heap peak, MB, Stream.runForEach", heap, 0, "≤ 1×", (x) => x <= 1)
    both("slow", "slow consumer", "RSS growth (2nd → 4th quarter), MB, Stream.runForEach", growth, 1, "flat", () => undefined)
    row("slow consumer", "peak RSS, MB, Stream.runForEachChunk", med("slow", "oursChunked", rss), undefined, med("slow", "theirs", rss), 0, "≤ 1×", (x) => x <= 1)
    row("slow consumer", "RSS growth (2nd → 4th quarter), MB, Stream.runForEachChunk", med("slow", "oursChunked", growth), undefined, med("slow", "theirs", growth), 1, "flat", () => undefined)
  }
  if (get("take10", "ours").length > 0) {
    const pulls = (r: Run) => r.server.byKind.stream?.pulls
    const sent = (r: Run) => r.server.byKind.stream?.records
    row("take(10)", "PULLs seen by the server", med("take10", "ours", pulls), undefined, med("take10", "theirs", pulls), 0, "1", () => undefined)
    row("take(10)", "records the server sent", med("take10", "ours", sent), undefined, med("take10", "theirs", sent), 0, "–", () => undefined)
  }
  if (get("stream", "raw").length > 0) {
    row("stream: raw socket limit", "records/s, effect-neo4j / raw", med("stream", "ours", rate), med("stream", "oursPromise", rate), med("stream", "raw", rate), 0, "–", () => undefined)
    row("stream: raw socket + decoder", "records/s, effect-neo4j / raw+decode", med("stream", "ours", rate), med("stream", "oursPromise", rate), med("stream", "rawDecode", rate), 0, "–", () => undefined)
  }

  // sanity: every run saw the records and PULLs it should have
  for (const [key, rs] of runs) {
    for (const r of rs) {
      const expected = r.workload === "take10" ? 10 : r.count
      const size = r.workload === "nodes" ? SIZES.nodes : r.workload === "eager" || r.workload === "typed" ? SIZES.eager : SIZES.stream
      if (r.count !== expected || (["stream", "nodes", "slow", "eager", "typed"].includes(r.workload) && r.count !== size)) {
        failures.push(`${key}: ${r.count} records/calls, expected ${expected}`)
      }
    }
  }
  const checkValues = (id: string) =>
    new Set([...get(id, "ours"), ...get(id, "oursPromise"), ...get(id, "oursTyped"), ...get(id, "theirs")].map((r) => r.check))
  for (const id of ["stream", "nodes", "slow", "eager", "sequential", "concurrent", "sessions", "txfn"]) {
    if (checkValues(id).size > 1) failures.push(`${id}: the drivers disagree on the data (checksums ${[...checkValues(id)].join(", ")})`)
  }

  const lines: Array<string> = []
  lines.push(`## End-to-end benchmark: effect-neo4j vs neo4j-driver 6.3.0${QUICK ? " (--quick)" : ""}`)
  lines.push("")
  lines.push(`- date: ${new Date().toISOString().slice(0, 10)}`)
  lines.push(`- machine: ${machine} (load average ${load} at start)`)
  lines.push(
    `- median of ${REPS} repetition${REPS > 1 ? "s" : ""}, each client in its own process after a warm-up run (a tenth of the records, up to 2,000 calls); ` +
      `the two drivers' order alternates; Bolt ${BOLT} (manifest handshake) against bench/server, its records framed at start-up; ` +
      `both drivers at their defaults (fetchSize 1000, pool 100; neo4j-driver with lossless Integers)`
  )
  for (const c of checks) lines.push(`- check: ${c}`)
  lines.push("")
  lines.push(
    "| workload | measure | effect-neo4j, fibers | effect-neo4j, Promise callers | neo4j-driver | ratio, fibers | ratio, Promise callers | target |"
  )
  lines.push("|---|---|--:|--:|--:|--:|--:|---|")
  lines.push(...rows)
  lines.push("")
  lines.push("<details><summary>every run (wall ms, CPU ms, peak RSS MB), and ratios on CPU time</summary>")
  lines.push("")
  lines.push("| workload | client | wall ms per run | CPU ms per run | peak RSS MB | heap peak MB | server PULLs / records |")
  lines.push("|---|---|---|---|---|---|---|")
  for (const spec of specs) {
    for (const side of spec.sides) {
      const rs = get(spec.id, side)
      if (rs.length === 0) continue
      const kind = spec.workload === "nodes" ? "nodes" : ["stream", "slow", "take10", "eager"].includes(spec.workload) ? "stream" : spec.workload === "txfn" ? "write" : "tiny"
      lines.push(
        `| ${spec.id} | ${SIDE_NAMES[side]} | ${rs.map((r) => r.ms.toFixed(0)).join(", ")} | ${rs.map((r) => r.cpuMs.toFixed(0)).join(", ")} | ${rs.map((r) => r.peakRssMb.toFixed(0)).join(", ")} | ${rs.map((r) => r.heapPeakMb.toFixed(0)).join(", ")} | ${rs.map((r) => `${r.server.byKind[kind]?.pulls ?? 0} / ${r.server.byKind[kind]?.records ?? 0}`).join(", ")} |`
      )
    }
  }
  lines.push("")
  lines.push("Work per second of client CPU time (user + system, all threads): steadier than wall time when other jobs share the cores.")
  lines.push("")
  lines.push("| workload | effect-neo4j per CPU-s, fibers | Promise callers | neo4j-driver per CPU-s | ratio, fibers | ratio, Promise callers |")
  lines.push("|---|--:|--:|--:|--:|--:|")
  for (const spec of specs) {
    if (spec.workload === "take10" || spec.workload === "slow") continue
    const perCpu = (r: Run) => (r.count / r.cpuMs) * 1000
    const o = med(spec.id, "ours", perCpu)
    const p = med(spec.id, "oursPromise", perCpu)
    const t = med(spec.id, "theirs", perCpu)
    const ratio = (x: number | undefined) => (x === undefined || t === undefined ? "–" : `${(x / t).toFixed(2)}×`)
    if (o !== undefined && t !== undefined) lines.push(`| ${spec.id} | ${fmt(o)} | ${fmt(p)} | ${fmt(t)} | ${ratio(o)} | ${ratio(p)} |`)
  }
  lines.push("")
  lines.push("</details>")
  lines.push("")
  for (const f of failures) lines.push(`- **problem**: ${f}`)
  lines.push(`(${((Date.now() - started) / 1000).toFixed(0)} s)`)
  console.log(lines.join("\n"))
  if (failures.length > 0) process.exitCode = 1
}

await main()
