/**
 * Canned results for the benchmark server, encoded once at start-up: every RECORD of a result is
 * framed (chunk header, body, `00 00`) back to back in one buffer, with the byte offset of each
 * record, so that answering `PULL n` is a slice of that buffer (no encoding per record).
 *
 * Rows are generated with a seeded PRNG: the same bytes on every run. Records are encoded with our
 * own Packer + Chunker (as the stub server does); the codec tests hold them to the spec's bytes.
 */
import { Chunker } from "../../src/internal/bolt/chunker.js"
import { RECORD } from "../../src/internal/bolt/signatures.js"
import { NODE_SEED, nodeRow, nodeValues, rng, STREAM_SEED, streamRow } from "../fixtures.js"

/**
 * Pre-framed records: record `i` is `bytes[offsets[i], offsets[i + 1])`.
 */
export interface Canned {
  readonly keys: ReadonlyArray<string>
  readonly count: number
  readonly bytes: Buffer
  readonly offsets: Uint32Array
}

const encode = (keys: ReadonlyArray<string>, count: number, row: (i: number) => ReadonlyArray<unknown>): Canned => {
  const chunker = new Chunker(Math.max(1024, count * 64))
  const offsets = new Uint32Array(count + 1)
  for (let i = 0; i < count; i++) {
    offsets[i] = chunker.packer.length
    const p = chunker.begin()
    p.structHeader(1, RECORD)
    p.packList(row(i))
    chunker.end()
  }
  offsets[count] = chunker.packer.length
  const bytes = chunker.take()
  return { keys, count, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), offsets }
}

/**
 * The stream workload's rows: [int, 16-char string, float, bool, list of 3 short strings]. The
 * ints cover every Integer width a client meets (tiny, INT_8/16/32).
 */
export const streamRecords = (keys: ReadonlyArray<string>, count: number): Canned => {
  const next = rng(STREAM_SEED)
  return encode(keys, count, (i) => streamRow(next, i))
}

/** The nodes workload's rows: one Node (Bolt 5: id, 3 labels, 5 properties, element id). */
export const nodeRecords = (keys: ReadonlyArray<string>, count: number): Canned => {
  const next = rng(NODE_SEED)
  return encode(keys, count, (i) => nodeValues(nodeRow(next, i)))
}

/** One record with one value. */
export const singleRecord = (keys: ReadonlyArray<string>, value: unknown): Canned => encode(keys, 1, () => [value])

/** A result with no records. */
export const emptyResult = (keys: ReadonlyArray<string>): Canned => encode(keys, 0, () => [])
