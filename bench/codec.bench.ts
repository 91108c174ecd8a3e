/**
 * Codec benchmark: effect-neo4j against neo4j-driver 6.3.0, on the same bytes, in the same run.
 *
 *   npm run bench                 full run (about 2-3 minutes)
 *   npm run bench -- --quick      small sizes, 3 repetitions (CI smoke run, 15-20 s on 2 idle cores)
 *   options: --reps N  --only stream|nodes  --side ours|theirs|both  (the last two help profiling)
 *
 * Decode: socket pieces -> dechunk -> decode -> hydrate -> record object, per side as its
 * connection does it (ours: connection.ts `dispatch` + result.ts `onRecord`; theirs: see
 * neo4jDriverCodec.ts). Encode: record values -> framed RECORD bytes handed to a socket write.
 * See bench/README.md for what each workload measures and leaves out.
 */
import { cpus, loadavg } from "node:os"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Chunker } from "../src/internal/bolt/chunker.js"
import { Dechunker } from "../src/internal/bolt/dechunker.js"
import { makeDehydrator, makeHydrator } from "../src/internal/bolt/hydration.js"
import * as Res from "../src/internal/bolt/responses.js"
import { RECORD } from "../src/internal/bolt/signatures.js"
import { capabilities, version } from "../src/internal/bolt/version.js"
import { Unpacker } from "../src/internal/packstream/unpacker.js"
import * as Graph from "../src/Graph.js"
import { Neo4jRecord, RecordShape } from "../src/Record.js"
import { flag, option } from "./argv.js"
import {
  frameRecords,
  NODE_KEYS,
  NODE_TAG,
  nodeRows,
  nodeStructure,
  nodeValues,
  socketPieces,
  STREAM_KEYS,
  streamRows,
  streamValues,
  type NodeRow,
  type StreamRow
} from "./fixtures.js"
import * as Driver from "./neo4jDriverCodec.js"

// ---------------------------------------------------------------------------------------------
// options

const QUICK = flag("--quick")
const REPS = Number(option("--reps") ?? (QUICK ? 3 : 5))
const WARMUP = QUICK ? 2 : 1
const ONLY = option("--only")
const SIDE = option("--side") ?? "both"
const STREAM_COUNT = QUICK ? 100_000 : 1_000_000
const NODE_COUNT = QUICK ? 20_000 : 200_000
/** the equality checks run on this many first rows (the generators are sequential: same rows) */
const CHECK_STREAM = Math.min(STREAM_COUNT, 50_000)
const CHECK_NODES = Math.min(NODE_COUNT, 20_000)
/** records per batch handed to the consumer (the default fetch size) */
const BATCH = 1000
/** our connection writes when this much is framed (as the stub server does) */
const WRITE_AT = 64 * 1024

// a full collection between runs, so one side's garbage is not collected on the other's clock
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const caps = capabilities(version(5, 8))

// ---------------------------------------------------------------------------------------------
// the consumer: both sides hand records to the same sink, which keeps one batch at a time

class Sink<R> {
  batch: Array<R> = []
  last: Array<R> = []
  count = 0
  readonly push = (r: R): void => {
    this.batch.push(r)
    this.count++
    if (this.batch.length === BATCH) {
      this.last = this.batch
      this.batch = []
    }
  }
}

// ---------------------------------------------------------------------------------------------
// effect-neo4j: the connection's inbound path without the socket

/**
 * connection.ts `makeConnection`: Dechunker.feed(piece), then `next()` to each message, `dispatch`
 * of its range: a RECORD (`isRecord`, list header checked) to the head of the queue's `onRecord`,
 * any other message through `decodeResponse`; result.ts then `decodeRecord` + `new
 * Neo4jRecord(shape, values)`.
 */
const makeOurDecoder = (keys: ReadonlyArray<string>, onRecord: (r: Neo4jRecord) => void) => {
  const dechunker = new Dechunker()
  const unpacker = new Unpacker(new Uint8Array(0), makeHydrator(caps), false)
  const shape = new RecordShape(keys)
  // as the connection and its result do: a RECORD's list header is checked when it arrives and
  // its fields decoded when the consumer reads it (here at once: the consumer takes every record)
  const head = {
    name: "PULL",
    onRecord: (bytes: Uint8Array, start: number, end: number): void =>
      onRecord(new Neo4jRecord(shape, Res.decodeRecordIn(bytes, start, end, unpacker))),
    outcome: undefined as unknown
  }
  const queue = [head]
  const dispatch = (buf: Uint8Array, start: number, end: number): Error | undefined => {
    const h = queue[0]
    if (h === undefined) return new Error("no request was waiting")
    try {
      if (Res.isRecord(buf, start, end)) {
        const garbled = Res.recordHeaderError(buf, start, end)
        if (garbled !== undefined) return new Error(garbled)
        h.onRecord(buf, start, end)
        return undefined
      }
      queue.shift()
      h.outcome = Res.decodeResponse(buf.subarray(start, end), unpacker)
      return undefined
    } catch (e) {
      return e as Error
    }
  }
  return (piece: Uint8Array): void => {
    dechunker.feed(piece)
    while (dechunker.next()) {
      const err = dispatch(dechunker.msg, dechunker.msgStart, dechunker.msgEnd)
      if (err) throw err
    }
  }
}

/** Our outbound path: records packed into one Chunker, taken (copied) for a socket write every 64 KiB. */
const ourEncode = (rows: ReadonlyArray<ReadonlyArray<unknown>>, onWrite?: (b: Uint8Array) => void): number => {
  const chunker = new Chunker(16 * 1024, makeDehydrator(caps))
  let bytes = 0
  for (let i = 0; i < rows.length; i++) {
    const p = chunker.begin()
    try {
      p.structHeader(1, RECORD)
      p.packList(rows[i]!)
    } catch (e) {
      chunker.abort()
      throw e
    }
    chunker.end()
    if (p.length >= WRITE_AT) {
      const out = chunker.take()
      bytes += out.length
      onWrite?.(out)
    }
  }
  const out = chunker.take()
  onWrite?.(out)
  return bytes + out.length
}

const theirEncode = (rows: ReadonlyArray<ReadonlyArray<unknown>>, onWrite?: (b: Buffer) => void): number => {
  const enc = Driver.makeEncoder(onWrite)
  for (let i = 0; i < rows.length; i++) enc.record(rows[i]!)
  enc.flush()
  return enc.bytes()
}

// ---------------------------------------------------------------------------------------------
// workloads

interface Variant {
  readonly label: string
  readonly direction: "decode" | "encode"
  readonly side: "ours" | "theirs"
  /** runs once over the whole workload (`warmUp`: over its first quarter, unchecked) */
  readonly run: (warmUp?: boolean) => void
}

interface Workload {
  readonly name: string
  readonly count: number
  /** rows of the table: [direction label, our variant, their variant] */
  readonly pairs: ReadonlyArray<readonly [string, string, string]>
  /** the equality checks, run before timing; returns what was checked */
  readonly check: () => string
  /**
   * The timed phases (decode, encode), each built when it runs so that only its own data is live
   * while it is timed (a heap holding a million unrelated rows slows every collection).
   */
  readonly phases: ReadonlyArray<() => Array<Variant>>
}

const decodeVariants = (
  keys: ReadonlyArray<string>,
  pieces: ReadonlyArray<Buffer>,
  count: number
): Array<Variant> => {
  const check = (n: number) => {
    if (n !== count) throw new Error(`decoded ${n} records, expected ${count}`)
  }
  const quarter = Math.ceil(pieces.length / 4)
  const ours = (warmUp = false): void => {
    const sink = new Sink<Neo4jRecord>()
    const push = makeOurDecoder(keys, sink.push)
    const n = warmUp ? quarter : pieces.length
    for (let i = 0; i < n; i++) push(pieces[i]!)
    if (!warmUp) check(sink.count)
  }
  const theirs = (disableLosslessIntegers: boolean) => (warmUp = false): void => {
    const sink = new Sink<Driver.DriverRecord>()
    const dec = Driver.makeDecoder(keys, { disableLosslessIntegers }, sink.push)
    const n = warmUp ? quarter : pieces.length
    for (let i = 0; i < n; i++) dec.push(pieces[i]!)
    if (!warmUp) check(sink.count)
  }
  return [
    { label: "ours", direction: "decode", side: "ours", run: ours },
    { label: "theirs-lossless", direction: "decode", side: "theirs", run: theirs(false) },
    { label: "theirs-lossy", direction: "decode", side: "theirs", run: theirs(true) }
  ]
}

const encodeVariants = (
  ours: ReadonlyArray<ReadonlyArray<unknown>>,
  theirs: ReadonlyArray<ReadonlyArray<unknown>>,
  wireBytes: number
): Array<Variant> => [
  {
    label: "ours-encode",
    direction: "encode",
    side: "ours",
    run: (warmUp = false) => {
      if (warmUp) return void ourEncode(ours.slice(0, ours.length >> 2))
      const n = ourEncode(ours)
      if (n !== wireBytes) throw new Error(`encoded ${n} bytes, expected ${wireBytes}`)
    }
  },
  {
    label: "theirs-encode",
    direction: "encode",
    side: "theirs",
    run: (warmUp = false) => {
      if (warmUp) return void theirEncode(theirs.slice(0, theirs.length >> 2))
      // their chunk boundaries differ (a 1400-byte buffer closes a chunk), so more headers
      const n = theirEncode(theirs)
      if (n < wireBytes) throw new Error(`neo4j-driver encoded ${n} bytes, expected at least ${wireBytes}`)
    }
  }
]

const PAIRS: ReadonlyArray<readonly [string, string, string]> = [
  ["decode (neo4j-driver default: lossless Integer)", "ours", "theirs-lossless"],
  ["decode (neo4j-driver disableLosslessIntegers)", "ours", "theirs-lossy"],
  ["encode", "ours-encode", "theirs-encode"]
]

/** The stream row as a neo4j-driver user passes it: the Integer as `int(...)` (a JS number would go as a Float). */
const driverStreamRow = (r: StreamRow): ReadonlyArray<unknown> => [Driver.int(r[0]), r[1], r[2], r[3], r[4]]

const driverNodeStructure = (n: NodeRow): object =>
  new Driver.DriverStructure(NODE_TAG, [
    Driver.int(n.id),
    n.labels,
    { ...n.properties, age: Driver.int(n.properties.age) },
    n.elementId
  ])

/** wire size of the workload being timed: set by its decode phase, checked by its encode phase */
let wireBytes = 0
let wireInfo = ""

const streamWorkload = (): Workload => ({
  name: "stream",
  count: STREAM_COUNT,
  pairs: PAIRS,
  check: () => {
    const rows = streamRows(CHECK_STREAM)
    return checkStream(rows, rows.map(driverStreamRow))
  },
  phases: [
    () => {
      const wire = frameRecords(streamRows(STREAM_COUNT), streamValues)
      wireBytes = wire.length
      wireInfo = `${(wire.length / 1e6).toFixed(1)} MB`
      return decodeVariants(STREAM_KEYS, socketPieces(wire), STREAM_COUNT)
    },
    () => {
      const rows = streamRows(STREAM_COUNT)
      return encodeVariants(rows, rows.map(driverStreamRow), wireBytes)
    }
  ]
})

const nodesWorkload = (): Workload => ({
  name: "nodes",
  count: NODE_COUNT,
  pairs: PAIRS,
  check: () => {
    const rows = nodeRows(CHECK_NODES)
    return checkNodes(rows, rows.map((n) => [driverNodeStructure(n)]))
  },
  phases: [
    () => {
      const wire = frameRecords(nodeRows(NODE_COUNT), nodeValues)
      wireBytes = wire.length
      wireInfo = `${(wire.length / 1e6).toFixed(1)} MB`
      return decodeVariants(NODE_KEYS, socketPieces(wire), NODE_COUNT)
    },
    () => {
      const rows = nodeRows(NODE_COUNT)
      return encodeVariants(
        rows.map((n) => [nodeStructure(n)]),
        rows.map((n) => [driverNodeStructure(n)]),
        wireBytes
      )
    }
  ]
})

// ---------------------------------------------------------------------------------------------
// checks before timing: both sides decode the same values; both encoders write the same messages

const fail = (what: string): never => {
  throw new Error(`check failed: ${what}`)
}

const same = (what: string, a: unknown, b: unknown): void => {
  if (JSON.stringify(a) !== JSON.stringify(b)) fail(`${what}: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`)
}

/** Decodes `pieces` on both sides (and both integer modes), returns the records at `indices`. */
const decodeAt = (keys: ReadonlyArray<string>, pieces: ReadonlyArray<Buffer>, indices: ReadonlyArray<number>) => {
  const wanted = new Set(indices)
  const ours = new Map<number, Neo4jRecord>()
  let i = 0
  const push = makeOurDecoder(keys, (r) => {
    if (wanted.has(i)) ours.set(i, r)
    i++
  })
  for (const p of pieces) push(p)
  const theirs = (disableLosslessIntegers: boolean) => {
    const out = new Map<number, Driver.DriverRecord>()
    let j = 0
    const dec = Driver.makeDecoder(keys, { disableLosslessIntegers }, (r) => {
      if (wanted.has(j)) out.set(j, r)
      j++
    })
    for (const p of pieces) dec.push(p)
    return out
  }
  return { ours, lossless: theirs(false), lossy: theirs(true), counts: [i] }
}

const sampleIndices = (count: number): Array<number> => {
  const out = [0, 1, 2, 3, Math.floor(count / 2), count - 1]
  for (let i = 7; i < count; i += 9973) out.push(i)
  return out
}

const checkStream = (rows: ReadonlyArray<StreamRow>, driverRows: ReadonlyArray<ReadonlyArray<unknown>>): string => {
  const wire = frameRecords(rows, streamValues)
  const pieces = socketPieces(wire)
  const idx = sampleIndices(rows.length)
  const { ours, lossless, lossy } = decodeAt(STREAM_KEYS, pieces, idx)
  for (const i of idx) {
    const row = rows[i]!
    const o = ours.get(i) ?? fail(`ours: no record ${i}`)
    const t = lossless.get(i) ?? fail(`neo4j-driver: no record ${i}`)
    const l = lossy.get(i) ?? fail(`neo4j-driver (lossy): no record ${i}`)
    same(`record ${i} keys`, o.keys, t.keys)
    same(`record ${i} ours`, o.values, row)
    if (!Driver.isInt(t.get("id"))) fail(`neo4j-driver default should give an Integer for id, got ${typeof t.get("id")}`)
    if (typeof l.get("id") !== "number") fail(`neo4j-driver disableLosslessIntegers should give a number for id`)
    for (const r of [t, l]) {
      same(`record ${i} neo4j-driver`, [Driver.toNumber(r.get(0)), r.get(1), r.get(2), r.get(3), r.get(4)], row)
      same(`record ${i} by key`, [o.get("name"), o.get("tags")], [r.get("name"), r.get("tags")])
    }
  }
  checkEncode("stream", rows.slice(0, 5000), driverRows.slice(0, 5000))
  return `stream: ${idx.length} sampled records of the first ${rows.length.toLocaleString("en")} decode to equal values on both sides (both integer modes); both encoders write identical message bodies for the first 5,000`
}

const checkNodes = (rows: ReadonlyArray<NodeRow>, driverRows: ReadonlyArray<ReadonlyArray<unknown>>): string => {
  const wire = frameRecords(rows, nodeValues)
  const pieces = socketPieces(wire)
  const idx = sampleIndices(rows.length)
  const { ours, lossless, lossy } = decodeAt(NODE_KEYS, pieces, idx)
  for (const i of idx) {
    const row = rows[i]!
    const o = (ours.get(i) ?? fail(`ours: no record ${i}`)).get("n")
    if (!(o instanceof Graph.Node)) fail(`ours: record ${i} holds no Node`)
    const on = o as Graph.Node
    same(`node ${i} ours`, [on.identity, on.labels, on.properties, on.elementId], [row.id, row.labels, row.properties, row.elementId])
    for (const [mode, m] of [["lossless", lossless], ["lossy", lossy]] as const) {
      const t = (m.get(i) ?? fail(`neo4j-driver: no record ${i}`)).get("n") as Driver.DriverNode
      if (!(t instanceof Driver.Node)) fail(`neo4j-driver (${mode}): record ${i} holds no Node`)
      if (mode === "lossless" && !Driver.isInt(t.identity)) fail("neo4j-driver default should give an Integer identity")
      const props = { ...t.properties, age: Driver.toNumber(t.properties["age"]) }
      same(
        `node ${i} neo4j-driver (${mode})`,
        [Driver.toNumber(t.identity), t.labels, props, t.elementId],
        [on.identity, on.labels, on.properties, on.elementId]
      )
    }
  }
  checkEncode("nodes", rows.slice(0, 2000).map((n) => [nodeStructure(n)]), driverRows.slice(0, 2000))
  return `nodes: ${idx.length} sampled nodes of the first ${rows.length.toLocaleString("en")} decode to equal id, labels, properties and element id on both sides (both integer modes); both encoders write identical message bodies for the first 2,000`
}

/** Both encoders' output, dechunked, must be the same message bodies (their chunk boundaries differ). */
const checkEncode = (
  name: string,
  ours: ReadonlyArray<ReadonlyArray<unknown>>,
  theirs: ReadonlyArray<ReadonlyArray<unknown>>
): void => {
  const messages = (writes: Array<Uint8Array>): Array<Uint8Array> => {
    const d = new Dechunker()
    const out: Array<Uint8Array> = []
    for (const w of writes) for (const m of d.push(w)) out.push(m.slice())
    return out
  }
  const ow: Array<Uint8Array> = []
  const tw: Array<Uint8Array> = []
  ourEncode(ours, (b) => ow.push(b.slice()))
  theirEncode(theirs, (b) => tw.push(new Uint8Array(b)))
  const om = messages(ow)
  const tm = messages(tw)
  if (om.length !== ours.length || tm.length !== ours.length) {
    fail(`${name} encode: ${om.length} and ${tm.length} messages for ${ours.length} records`)
  }
  for (let i = 0; i < om.length; i++) {
    if (Buffer.compare(om[i]!, tm[i]!) !== 0) {
      fail(`${name} encode: message ${i} differs:\n ours   ${Buffer.from(om[i]!).toString("hex")}\n theirs ${Buffer.from(tm[i]!).toString("hex")}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// timing

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** One timed run: wall-clock ms, and the process's CPU ms (all its threads, GC helpers included). */
interface Timing {
  readonly wall: number
  readonly cpu: number
}

const time = (run: (warmUp?: boolean) => void): Timing => {
  gc()
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  run()
  const wall = Number(process.hrtime.bigint() - t0) / 1e6
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1000 }
}

/** Warm-up, then REPS rounds; each round runs every variant once (interleaved, so drift hits all alike). */
const measure = (all: ReadonlyArray<Variant>, times: Map<string, Array<Timing>>): void => {
  const variants = all.filter((v) => SIDE === "both" || v.side === SIDE)
  for (let i = 0; i < WARMUP; i++) for (const v of variants) v.run(true)
  for (const v of variants) times.set(v.label, [])
  for (let r = 0; r < REPS; r++) {
    for (const v of variants) times.get(v.label)!.push(time(v.run))
    process.stderr.write(".")
  }
}

const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0)

const LABELS: Record<string, string> = {
  ours: "effect-neo4j decode",
  "theirs-lossless": "neo4j-driver decode (lossless Integer)",
  "theirs-lossy": "neo4j-driver decode (disableLosslessIntegers)",
  "ours-encode": "effect-neo4j encode",
  "theirs-encode": "neo4j-driver encode"
}

const main = (): void => {
  const started = Date.now()
  const cpu = cpus()
  const load = loadavg()[0]!.toFixed(2)
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}, ${process.platform}/${process.arch}`
  const workloads: Array<() => Workload> = []
  if (ONLY === undefined || ONLY === "stream") workloads.push(streamWorkload)
  if (ONLY === undefined || ONLY === "nodes") workloads.push(nodesWorkload)
  const checks: Array<string> = []
  const rows: Array<string> = []
  const details: Array<string> = []
  const cpuRows: Array<string> = []
  for (const make of workloads) {
    const w = make()
    process.stderr.write(`${w.name}: ${w.count.toLocaleString("en")} records: checking`)
    checks.push(w.check())
    gc()
    const times = new Map<string, Array<Timing>>()
    for (const phase of w.phases) {
      process.stderr.write(" timing ")
      measure(phase(), times)
      gc()
    }
    process.stderr.write(` (${wireInfo} on the wire)\n`)
    const rate = (label: string, clock: keyof Timing = "wall"): number | undefined => {
      const t = times.get(label)
      return t && t.length > 0 ? w.count / (median(t.map((x) => x[clock])) / 1000) : undefined
    }
    for (const [direction, ourLabel, theirLabel] of w.pairs) {
      const o = rate(ourLabel)
      const t = rate(theirLabel)
      const ratio = o !== undefined && t !== undefined ? `**${(o / t).toFixed(2)}×**` : "–"
      rows.push(`| ${w.name} | ${direction} | ${o !== undefined ? fmtRate(o) : "–"} | ${t !== undefined ? fmtRate(t) : "–"} | ${ratio} |`)
      const oc = rate(ourLabel, "cpu")
      const tc = rate(theirLabel, "cpu")
      if (oc !== undefined && tc !== undefined) {
        cpuRows.push(`| ${w.name} | ${direction} | ${fmtRate(oc)} | ${fmtRate(tc)} | ${(oc / tc).toFixed(2)}× |`)
      }
    }
    for (const [label, t] of times) {
      const wall = t.map((x) => x.wall)
      details.push(
        `| ${w.name} | ${LABELS[label] ?? label} | ${median(wall).toFixed(0)} | ${Math.min(...wall).toFixed(0)} – ${Math.max(...wall).toFixed(0)} | ${median(t.map((x) => x.cpu)).toFixed(0)} |`
      )
    }
  }
  const lines: Array<string> = []
  lines.push(`## Codec benchmark: effect-neo4j vs neo4j-driver 6.3.0${QUICK ? " (--quick)" : ""}`)
  lines.push("")
  lines.push(`- date: ${new Date().toISOString().slice(0, 10)}`)
  lines.push(`- machine: ${machine} (load average ${load} at start)`)
  lines.push(
    `- sizes: stream ${STREAM_COUNT.toLocaleString("en")} records, nodes ${NODE_COUNT.toLocaleString("en")} records; ` +
      `median of ${REPS} repetitions after ${WARMUP} warm-up round${WARMUP > 1 ? "s" : ""} over a quarter of the data; Bolt 5.8; 64 KiB socket pieces`
  )
  for (const c of checks) lines.push(`- checked before timing: ${c}`)
  lines.push("")
  lines.push("| workload | direction | effect-neo4j records/s | neo4j-driver records/s | ratio ours/theirs |")
  lines.push("|---|---|--:|--:|--:|")
  lines.push(...rows)
  lines.push("")
  lines.push("<details><summary>per-run times, and the same ratios on CPU time</summary>")
  lines.push("")
  lines.push("| workload | variant | wall median ms | wall min – max ms | CPU median ms |")
  lines.push("|---|---|--:|--:|--:|")
  lines.push(...details)
  lines.push("")
  lines.push("Records per second of process CPU time (all threads, GC helpers included): steadier than wall time")
  lines.push("when other jobs share the cores, but it charges parallel GC work that wall time partly hides.")
  lines.push("")
  lines.push("| workload | direction | effect-neo4j records/CPU-s | neo4j-driver records/CPU-s | ratio |")
  lines.push("|---|---|--:|--:|--:|")
  lines.push(...cpuRows)
  lines.push("")
  lines.push("</details>")
  lines.push("")
  lines.push(`(${((Date.now() - started) / 1000).toFixed(0)} s)`)
  console.log(lines.join("\n"))
}

main()
