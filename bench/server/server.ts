/**
 * A small, fast Bolt server for the end-to-end benchmark. Not the test stub: it checks little and
 * scripts nothing; it answers like a server that has every result ready.
 *
 * - handshake: manifest v1 (when the client offers it and `manifest` is on) or a plain version
 *   answer; one Bolt version (5.x or 6.0) is offered
 * - HELLO, LOGON, LOGOFF, TELEMETRY: SUCCESS
 * - RUN: SUCCESS {fields, t_first, qid in a transaction}; the result is chosen by the query text
 *   (see queries.ts), its size by the `$n` parameter
 * - PULL {n, qid}: exactly n records (all for -1), then SUCCESS {has_more: true} or the summary
 * - DISCARD: drops the rest; the summary
 * - BEGIN / COMMIT (with a bookmark) / ROLLBACK, RESET, GOODBYE
 * - ROUTE: a table that lists this server as router, reader and writer
 *
 * Cost per record: none. Records are framed at start-up (data.ts) and a PULL answer is a slice of
 * that buffer; constant answers are framed once. All the writes of one socket read go out in one
 * `writev` (cork/uncork). Errors, FAILED state and IGNORED are not modelled: a message it does not
 * know gets a FAILURE and the connection carries on.
 */
import * as net from "node:net"
import { Chunker } from "../../src/internal/bolt/chunker.js"
import { Dechunker } from "../../src/internal/bolt/dechunker.js"
import * as S from "../../src/internal/bolt/signatures.js"
import { Unpacker } from "../../src/internal/packstream/unpacker.js"
import type { Canned } from "./data.js"
import { emptyResult, nodeRecords, singleRecord, streamRecords } from "./data.js"
import * as Q from "./queries.js"
import type { KindStats, ServerStats } from "./queries.js"

/**
 * Server settings.
 */
export interface ServerOptions {
  /** records framed for the stream query (a larger `$n` cycles through them) */
  readonly streamRecords: number
  /** records framed for the nodes query */
  readonly nodeRecords: number
  /** the one version offered, 5.0 or later: nodes carry element ids */
  readonly version: { readonly major: number; readonly minor: number }
  /** answer a manifest v1 offer with a manifest (true) or pick a version from the ranges (false) */
  readonly manifest: boolean
  readonly host?: string
  readonly port?: number
}

/**
 * A running server.
 */
export interface BenchServer {
  readonly port: number
  readonly stats: () => ServerStats
  readonly resetStats: () => void
  readonly close: () => Promise<void>
}

// ---------------------------------------------------------------------------------------------
// constant frames

const frame = (signature: number, fields: ReadonlyArray<unknown>): Buffer => {
  const c = new Chunker(256)
  const p = c.begin()
  p.structHeader(fields.length, signature)
  for (const f of fields) p.pack(f)
  c.end()
  const b = c.take()
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

const success = (metadata: Readonly<Record<string, unknown>>): Buffer => frame(S.SUCCESS, [metadata])

const BOOKMARK = "FB:kcwQ8e4Am1yXTa6BTjB0LlLAoAaQ"
const EMPTY_SUCCESS = success({})
const HAS_MORE = success({ has_more: true })
const COMMIT_SUCCESS = success({ bookmark: BOOKMARK })
const unknownFailure = (name: string) =>
  frame(S.FAILURE, [{ code: "Neo.ClientError.Request.Invalid", message: `the benchmark server does not handle ${name}` }])

/** A query kind: its records and its answers, framed once. */
interface Kind {
  readonly name: string
  readonly canned: Canned
  /** RUN's SUCCESS outside a transaction */
  readonly runSuccess: Buffer
  /** RUN's SUCCESS in a transaction, by qid (0 and 1 framed up front) */
  readonly runSuccessQid: Array<Buffer>
  /** the last SUCCESS of an auto-commit result (with a bookmark) */
  readonly summaryAuto: Buffer
  /** the last SUCCESS in a transaction */
  readonly summaryTx: Buffer
  readonly stats: KindStats
}

const makeKind = (name: string, canned: Canned, type: "r" | "w", extra: Readonly<Record<string, unknown>> = {}): Kind => {
  const run = (qid?: number) =>
    success({ fields: canned.keys, t_first: 1, ...(qid === undefined ? {} : { qid }) })
  return {
    name,
    canned,
    runSuccess: run(),
    runSuccessQid: [run(0), run(1)],
    summaryAuto: success({ bookmark: BOOKMARK, type, t_last: 1, db: "neo4j", ...extra }),
    summaryTx: success({ type, t_last: 1, db: "neo4j", ...extra }),
    stats: { runs: 0, pulls: 0, discards: 0, records: 0 }
  }
}

/** A result being streamed on a connection. */
interface Open {
  readonly kind: Kind
  /** records sent so far */
  pos: number
  /** records in this result */
  readonly total: number
  readonly inTx: boolean
}

const isNumber = (v: unknown): v is number | bigint => typeof v === "number" || typeof v === "bigint"

/**
 * Starts the server on `host:port` (127.0.0.1, port 0 by default).
 */
export const start = async (options: ServerOptions): Promise<BenchServer> => {
  const { major, minor } = options.version
  if (major < 5) throw new Error("the benchmark server speaks Bolt 5.0 or later (nodes carry element ids)")
  const kinds = new Map<string, Kind>([
    [Q.STREAM, makeKind("stream", streamRecords(Q.STREAM_KEYS, options.streamRecords), "r")],
    [Q.NODES, makeKind("nodes", nodeRecords(Q.NODES_KEYS, options.nodeRecords), "r")],
    [Q.TINY, makeKind("tiny", singleRecord(["x"], 1), "r")],
    [Q.WRITE, makeKind("write", singleRecord(["x"], 1), "w", { stats: { "nodes-created": 1, "properties-set": 1 } })]
  ])
  const other = makeKind("other", emptyResult([]), "r")
  const counters = {
    connections: 0,
    hellos: 0,
    begins: 0,
    commits: 0,
    rollbacks: 0,
    resets: 0,
    routes: 0
  }
  const allKinds = [...kinds.values(), other]
  let routeSuccess: Buffer | undefined

  const server = net.createServer({ noDelay: true }, (socket) => {
    counters.connections++
    serve(socket)
  })

  const serve = (socket: net.Socket) => {
    let handshake: Buffer | undefined = Buffer.alloc(0)
    /** after a manifest answer: the client's choice (4 bytes + VarInt) is still to come */
    let awaitingChoice = false
    const dechunker = new Dechunker()
    const unpacker = new Unpacker(new Uint8Array(0))
    let inTx = false
    let qids = 0
    /** open results in this transaction by qid; outside one, only `last` */
    let results: Array<Open | undefined> = []
    let last: Open | undefined
    /** BEGIN, COMMIT, ROLLBACK and RESET: no transaction, no open result */
    const endTx = () => {
      inTx = false
      results = []
      last = undefined
    }

    const write = (b: Uint8Array) => {
      socket.write(b)
    }

    const fields = (bytes: Uint8Array): Array<unknown> => {
      unpacker.reset(bytes)
      const [size] = unpacker.structHeader()
      const out: Array<unknown> = []
      for (let i = 0; i < size; i++) out.push(unpacker.unpack())
      return out
    }

    const resultFor = (meta: unknown): Open | undefined => {
      const qid = (meta as { qid?: unknown } | undefined)?.qid
      if (isNumber(qid) && Number(qid) >= 0) return results[Number(qid)]
      return last
    }

    const finish = (r: Open) => {
      if (last === r) last = undefined
      const i = results.indexOf(r)
      if (i >= 0) results[i] = undefined
      write(r.inTx ? r.kind.summaryTx : r.kind.summaryAuto)
    }

    const sendRecords = (r: Open, n: number) => {
      const c = r.kind.canned
      let left = Math.min(n < 0 ? Infinity : n, r.total - r.pos)
      r.kind.stats.records += left
      while (left > 0) {
        const at = r.pos % Math.max(1, c.count)
        const k = Math.min(left, c.count - at)
        write(c.bytes.subarray(c.offsets[at]!, c.offsets[at + k]!))
        r.pos += k
        left -= k
      }
    }

    const onMessage = (bytes: Uint8Array) => {
      const signature = bytes[1]!
      switch (signature) {
        case S.HELLO:
          counters.hellos++
          return write(
            success({ server: "Neo4j/5.26.0", connection_id: `bolt-${counters.connections}`, hints: {} })
          )
        case S.LOGON:
        case S.LOGOFF:
        case S.TELEMETRY:
          return write(EMPTY_SUCCESS)
        case S.RUN: {
          const [query, params] = fields(bytes) as [string, Record<string, unknown> | undefined]
          const kind = kinds.get(query) ?? other
          kind.stats.runs++
          const n = params?.n
          const total = kind.canned.count === 1 ? 1 : isNumber(n) ? Number(n) : kind.canned.count
          const open: Open = { kind, pos: 0, total, inTx }
          if (inTx) {
            const qid = qids++
            results[qid] = open
            last = open
            return write(kind.runSuccessQid[qid] ?? success({ fields: kind.canned.keys, t_first: 1, qid }))
          }
          last = open
          return write(kind.runSuccess)
        }
        case S.PULL: {
          const [meta] = fields(bytes) as [{ n?: unknown; qid?: unknown } | undefined]
          const r = resultFor(meta)
          if (r === undefined) return write(success({ has_more: false }))
          r.kind.stats.pulls++
          const n = isNumber(meta?.n) ? Number(meta.n) : -1
          sendRecords(r, n)
          return r.pos < r.total ? write(HAS_MORE) : finish(r)
        }
        case S.DISCARD: {
          const [meta] = fields(bytes) as [{ n?: unknown; qid?: unknown } | undefined]
          const r = resultFor(meta)
          if (r === undefined) return write(success({ has_more: false }))
          r.kind.stats.discards++
          r.pos = r.total
          return finish(r)
        }
        case S.BEGIN:
          counters.begins++
          endTx()
          inTx = true
          qids = 0
          return write(EMPTY_SUCCESS)
        case S.COMMIT:
          counters.commits++
          endTx()
          return write(COMMIT_SUCCESS)
        case S.ROLLBACK:
          counters.rollbacks++
          endTx()
          return write(EMPTY_SUCCESS)
        case S.RESET:
          counters.resets++
          endTx()
          return write(EMPTY_SUCCESS)
        case S.ROUTE: {
          counters.routes++
          routeSuccess ??= (() => {
            const addresses = [`${options.host ?? "127.0.0.1"}:${port}`]
            return success({
              rt: {
                ttl: 300,
                db: "neo4j",
                servers: [
                  { addresses, role: "ROUTE" },
                  { addresses, role: "READ" },
                  { addresses, role: "WRITE" }
                ]
              }
            })
          })()
          return write(routeSuccess)
        }
        case S.GOODBYE:
          socket.end()
          return
        default:
          return write(unknownFailure(S.MESSAGE_NAMES[signature] ?? `0x${signature.toString(16)}`))
      }
    }

    const onHandshake = (bytes: Buffer): Buffer | undefined => {
      const b: Buffer = handshake!.length === 0 ? bytes : Buffer.concat([handshake!, bytes])
      if (awaitingChoice) {
        // 4 bytes of version, then the capabilities VarInt
        let i = 4
        while (i < b.length && (b[i]! & 0x80) !== 0) i++
        if (i >= b.length) {
          handshake = b
          return undefined
        }
        handshake = undefined
        return b.subarray(i + 1)
      }
      if (b.length < 20) {
        handshake = b
        return undefined
      }
      if (b.readUInt32BE(0) !== 0x6060b017) {
        socket.destroy()
        return undefined
      }
      const slots = [0, 1, 2, 3].map((s) => b.readUInt32BE(4 + 4 * s))
      if (options.manifest && slots.includes(0x000001ff)) {
        awaitingChoice = true
        // manifest v1: one version, no range; no capabilities
        write(Uint8Array.of(0x00, 0x00, 0x01, 0xff, 0x01, 0x00, 0x00, minor, major, 0x00))
        handshake = Buffer.alloc(0)
        return b.length > 20 ? onHandshake(b.subarray(20)) : undefined
      }
      const ok = slots.some((s) => {
        const sMajor = s & 0xff
        const sMinor = (s >> 8) & 0xff
        const range = (s >> 16) & 0xff
        return sMajor === major && minor <= sMinor && minor >= sMinor - range
      })
      if (!ok) {
        write(Uint8Array.of(0, 0, 0, 0))
        socket.end()
        return undefined
      }
      write(Uint8Array.of(0x00, 0x00, minor, major))
      handshake = undefined
      return b.subarray(20)
    }

    socket.on("data", (bytes: Buffer) => {
      socket.cork()
      try {
        let rest: Buffer | undefined = bytes
        if (handshake !== undefined) rest = onHandshake(bytes)
        if (rest !== undefined && rest.length > 0) {
          for (const m of dechunker.push(rest)) onMessage(m)
        }
      } catch (e) {
        process.stderr.write(`bench server: ${String(e)}\n`)
        socket.destroy()
      } finally {
        socket.uncork()
      }
    })
    socket.on("error", () => {})
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port

  return {
    port,
    stats: () => ({
      ...counters,
      byKind: Object.fromEntries(allKinds.map((k) => [k.name, { ...k.stats }]))
    }),
    resetStats: () => {
      for (const k of Object.keys(counters) as Array<keyof typeof counters>) counters[k] = 0
      for (const k of allKinds) k.stats.runs = k.stats.pulls = k.stats.discards = k.stats.records = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
      })
  }
}
