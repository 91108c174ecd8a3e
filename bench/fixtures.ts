/**
 * Deterministic data for the codec benchmark: the rows, and the bytes a Bolt 5.8 server would send
 * for them, framed in chunks and cut into socket-sized pieces.
 *
 * The wire bytes are produced once with our Packer + Chunker (the same code the stub server uses);
 * both decoders then read the very same pieces. The benchmark checks, before timing, that
 * neo4j-driver's encoder produces byte-identical frames for the same rows.
 */
import { Chunker } from "../src/internal/bolt/chunker.js"
import { RECORD } from "../src/internal/bolt/signatures.js"
import { Structure } from "../src/internal/packstream/structure.js"

/** Node's default socket read size is 64 KiB: a socket hands the driver pieces of about that size. */
export const SOCKET_PIECE = 64 * 1024

/** Node structure tag. */
export const NODE_TAG = 0x4e

/** A small seeded PRNG (mulberry32): the same data on every run. */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
const TAGS = ["red", "green", "blue", "amber", "teal", "plum", "gold", "jade", "ruby", "onyx", "sand", "rose"]
const LABELS = ["Person", "Customer", "Employee", "Admin", "Account", "Verified", "Active", "Europe"]
const ELEMENT_DB = "4:5f0c3a8e-1b2d-4c6e-9f70-a1b2c3d4e5f6:"

const word = (next: () => number, n: number): string => {
  let s = ""
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return s
}

/** a float with a fractional part (an integral number would be packed as an Integer by us) */
const fraction = (next: () => number, scale: number): number => {
  const f = next() * scale
  return Number.isInteger(f) ? f + 0.5 : f
}

// ---------------------------------------------------------------------------------------------
// workload 1: stream

/** Keys of the stream workload's RECORDs (RUN's `fields`). */
export const STREAM_KEYS = ["id", "name", "score", "active", "tags"] as const

/** One stream row: [int, 16-char string, float, bool, list of 3 short strings]. */
export type StreamRow = [number, string, number, boolean, [string, string, string]]

/** The seed of the stream rows. */
export const STREAM_SEED = 42

/**
 * Stream row `i`, drawing from `next` (a PRNG seeded with `STREAM_SEED`, rows made in order);
 * ints run over 0..~2^31 so every Integer size from tiny to INT_32 occurs.
 */
export const streamRow = (next: () => number, i: number): StreamRow => {
  const pick = (): string => TAGS[Math.floor(next() * TAGS.length)]!
  const id = i % 4 === 0 ? i % 100 : i % 4 === 1 ? i % 30000 : i * 2003
  return [id, word(next, 16), fraction(next, 1000), next() < 0.5, [pick(), pick(), pick()]]
}

/** `count` stream rows. */
export const streamRows = (count: number): Array<StreamRow> => {
  const next = rng(STREAM_SEED)
  const rows = new Array<StreamRow>(count)
  for (let i = 0; i < count; i++) rows[i] = streamRow(next, i)
  return rows
}

// ---------------------------------------------------------------------------------------------
// workload 2: nodes

/** Keys of the nodes workload's RECORDs. */
export const NODE_KEYS = ["n"] as const

/** A node as the server sends it (Bolt 5.x: id, labels, properties, element id). */
export interface NodeRow {
  readonly id: number
  readonly labels: [string, string, string]
  readonly properties: {
    readonly name: string
    readonly age: number
    readonly score: number
    readonly active: boolean
    readonly email: string
  }
  readonly elementId: string
}

/** The seed of the node rows. */
export const NODE_SEED = 7

/** Node row `i`, drawing from `next` (a PRNG seeded with `NODE_SEED`, rows made in order). */
export const nodeRow = (next: () => number, i: number): NodeRow => {
  const a = Math.floor(next() * LABELS.length)
  const labels: [string, string, string] = [
    LABELS[a]!,
    LABELS[(a + 1 + Math.floor(next() * 3)) % LABELS.length]!,
    LABELS[(a + 4 + Math.floor(next() * 3)) % LABELS.length]!
  ]
  const name = word(next, 10)
  return {
    id: i * 3 + 1000,
    labels,
    properties: {
      name,
      age: 18 + Math.floor(next() * 80),
      score: fraction(next, 100),
      active: next() < 0.7,
      email: `${name}@example.com`
    },
    elementId: ELEMENT_DB + (i * 3 + 1000)
  }
}

/** `count` nodes with 3 labels and 5 properties each. */
export const nodeRows = (count: number): Array<NodeRow> => {
  const next = rng(NODE_SEED)
  const rows = new Array<NodeRow>(count)
  for (let i = 0; i < count; i++) rows[i] = nodeRow(next, i)
  return rows
}

/** The wire structure of a node row. */
export const nodeStructure = (n: NodeRow): Structure =>
  new Structure(NODE_TAG, [n.id, n.labels, n.properties, n.elementId])

// ---------------------------------------------------------------------------------------------
// wire bytes

/** Frames one RECORD per row (`values(row)` gives the record's values) into one buffer. */
export const frameRecords = <A>(rows: ReadonlyArray<A>, values: (row: A) => ReadonlyArray<unknown>): Uint8Array => {
  const chunker = new Chunker(1024 * 1024)
  for (const row of rows) {
    const p = chunker.begin()
    p.structHeader(1, RECORD)
    p.packList(values(row))
    chunker.end()
  }
  return chunker.take()
}

/** Cuts bytes into socket-sized pieces, each its own Node Buffer (as a socket's `data` events are). */
export const socketPieces = (bytes: Uint8Array, size = SOCKET_PIECE): Array<Buffer> => {
  const out: Array<Buffer> = []
  for (let off = 0; off < bytes.length; off += size) {
    out.push(Buffer.from(bytes.subarray(off, Math.min(off + size, bytes.length))))
  }
  return out
}

/** Stream rows as record values. */
export const streamValues = (row: StreamRow): ReadonlyArray<unknown> => row

/** Node rows as record values (one field: the node structure). */
export const nodeValues = (row: NodeRow): ReadonlyArray<unknown> => [nodeStructure(row)]
