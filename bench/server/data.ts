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
import { Structure } from "../../src/internal/packstream/structure.js"
import { ELEMENT_DB, fraction, LABELS, rng, TAGS, word } from "../fixtures.js"

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
  const next = rng(42)
  const pick = (): string => TAGS[Math.floor(next() * TAGS.length)]!
  return encode(keys, count, (i) => [
    i % 4 === 0 ? i % 100 : i % 4 === 1 ? i % 30000 : i * 2003,
    word(next, 16),
    fraction(next, 1000),
    next() < 0.5,
    [pick(), pick(), pick()]
  ])
}

/** Node structure tag. */
const NODE = 0x4e

/** The nodes workload's rows: one Node (Bolt 5: id, 3 labels, 5 properties, element id). */
export const nodeRecords = (keys: ReadonlyArray<string>, count: number): Canned => {
  const next = rng(7)
  return encode(keys, count, (i) => {
    const a = Math.floor(next() * LABELS.length)
    const labels = [
      LABELS[a]!,
      LABELS[(a + 1 + Math.floor(next() * 3)) % LABELS.length]!,
      LABELS[(a + 4 + Math.floor(next() * 3)) % LABELS.length]!
    ]
    const name = word(next, 10)
    const id = i * 3 + 1000
    const properties = {
      name,
      age: 18 + Math.floor(next() * 80),
      score: fraction(next, 100),
      active: next() < 0.7,
      email: `${name}@example.com`
    }
    return [new Structure(NODE, [id, labels, properties, ELEMENT_DB + id])]
  })
}

/** One record with one value. */
export const singleRecord = (keys: ReadonlyArray<string>, value: unknown): Canned => encode(keys, 1, () => [value])

/** A result with no records. */
export const emptyResult = (keys: ReadonlyArray<string>): Canned => encode(keys, 0, () => [])
