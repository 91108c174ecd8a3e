/**
 * Fuzzing the inbound path: random and mutated bytes through `unpack` and `Dechunker.push`.
 * Nothing may escape but `PackStreamError` / `ChunkingError`, every case must finish quickly,
 * and a length prefix must never drive an allocation beyond the bytes present.
 *
 * Deterministic: a seeded PRNG (set FUZZ_SEED to explore other seeds); a failure reports the
 * seed, the phase, the case number and the input.
 */
import { describe, expect, it } from "vitest"
import { chunk } from "../../src/internal/bolt/chunker.js"
import { ChunkingError, Dechunker } from "../../src/internal/bolt/dechunker.js"
import { decodeVarInt } from "../../src/internal/bolt/varint.js"
import { Float, Int, Packer, PackStreamError, Structure, unpack } from "../../src/internal/packstream/index.js"
import { concat } from "../bytes.js"

const SEED = Number(process.env["FUZZ_SEED"] ?? 0x5eed_2026)

/** mulberry32 */
const prng = (seed: number) => {
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[int(xs.length)]!
  const bytes = (n: number): Uint8Array => {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) b[i] = int(256)
    return b
  }
  return { next, int, pick, bytes }
}
type Rng = ReturnType<typeof prng>

const hexOf = (b: Uint8Array, max = 160): string =>
  Buffer.from(b.subarray(0, max)).toString("hex") + (b.length > max ? `... (${b.length} bytes)` : "")

const encode = (value: unknown): Uint8Array => {
  const p = new Packer(64)
  p.pack(value)
  return p.toBytes()
}

// ---------------------------------------------------------------------------------------------
// corpus of valid encodings

const INTS = [0, 1, -1, 15, 16, -16, -17, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53 - 1]
const BIGS = [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 123456789012345678n]
const STRINGS = ["", "A", "x".repeat(15), "x".repeat(16), "é", "日本", "😀", "\uD800", "Größenmaßstäbe", "y".repeat(255), "z".repeat(256)]

const randomValue = (r: Rng, depth: number): unknown => {
  const k = r.int(depth > 3 ? 9 : 13)
  switch (k) {
    case 0:
      return null
    case 1:
      return r.int(2) === 0
    case 2:
      return r.pick(INTS)
    case 3:
      return r.int(2) === 0 ? r.pick(BIGS) : new Int(BigInt(r.int(1 << 30)) * BigInt(r.int(1 << 30)))
    case 4:
      return r.int(2) === 0 ? (r.next() - 0.5) * 10 ** r.int(30) : new Float(r.int(100))
    case 5:
      return r.pick(STRINGS)
    case 6: {
      const n = r.int(20)
      let s = ""
      for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(3) === 0 ? r.int(0x10000) : 0x20 + r.int(95))
      return s
    }
    case 7:
      return r.bytes(r.pick([0, 1, 3, 16, 255, 256, 300]))
    case 8:
      return r.int(1 << 20) - (1 << 19)
    case 9:
    case 10: {
      const n = r.pick([0, 1, 2, 3, 15, 16, 20])
      return Array.from({ length: n }, () => randomValue(r, depth + 1))
    }
    case 11: {
      const obj: Record<string, unknown> = {}
      const n = r.pick([0, 1, 2, 5, 16])
      for (let i = 0; i < n; i++) obj[r.pick(["a", "b", "key", "é", "日本", `k${i}`])] = randomValue(r, depth + 1)
      return obj
    }
    default: {
      const n = r.int(5)
      return new Structure(r.int(128), Array.from({ length: n }, () => randomValue(r, depth + 1)))
    }
  }
}

const buildCorpus = (r: Rng): Array<Uint8Array> => {
  const corpus: Array<Uint8Array> = []
  for (let i = 0; i < 400; i++) corpus.push(encode(randomValue(r, 0)))
  // messages as the server sends them: SUCCESS {..}, RECORD [..], FAILURE {..}
  corpus.push(encode(new Structure(0x70, [{ fields: ["n", "m"], t_first: 3, qid: 0 }])))
  corpus.push(encode(new Structure(0x71, [[1, "two", [3.5, null], { x: new Structure(0x4e, [1, ["L"], { p: 1 }, "e1"]) }]])))
  corpus.push(encode(new Structure(0x7f, [{ code: "Neo.ClientError.Statement.SyntaxError", message: "bad" }])))
  return corpus
}

// ---------------------------------------------------------------------------------------------
// mutations

const HUGE32 = [0x7fffffff, 0xffffffff, 0x80000000, 0x10000000, 0x00010000]
const SIZED32 = [0xce, 0xd2, 0xd6, 0xda]
const SIZED16 = [0xcd, 0xd1, 0xd5, 0xd9]
const SIZED8 = [0xcc, 0xd0, 0xd4, 0xd8]

const be32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)

/** A sized marker with a length far beyond the few bytes that follow, possibly nested. */
const hugeLength = (r: Rng): Uint8Array => {
  const kind = r.int(3)
  const head =
    kind === 0
      ? concat(Uint8Array.of(r.pick(SIZED32)), be32(r.pick(HUGE32)))
      : kind === 1
        ? Uint8Array.of(r.pick(SIZED16), 0xff, 0xff)
        : Uint8Array.of(r.pick(SIZED8), 0xff)
  const tail = r.bytes(r.int(17))
  const wrappers = [
    new Uint8Array(0),
    Uint8Array.of(0x91),
    Uint8Array.of(0x93, 0x01, 0x02),
    Uint8Array.of(0xa1, 0x81, 0x61),
    Uint8Array.of(0xb1, 0x71),
    Uint8Array.of(0xb3, 0x4e, 0x01, 0x90),
    Uint8Array.of(0xd6, 0x7f, 0xff, 0xff, 0xff) // a huge list whose first item is huge too
  ]
  return concat(r.pick(wrappers), head, tail)
}

const mutate = (r: Rng, input: Uint8Array): Uint8Array => {
  let b: Uint8Array = Uint8Array.from(input)
  const rounds = 1 + r.int(3)
  for (let k = 0; k < rounds; k++) {
    const at = r.int(b.length + 1)
    switch (r.int(8)) {
      case 0: // flip bits
        if (b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << r.int(8)
        break
      case 1: // replace a byte
        if (b.length > 0) b[Math.min(at, b.length - 1)] = r.int(256)
        break
      case 2: // insert bytes
        b = concat(b.subarray(0, at), r.bytes(1 + r.int(4)), b.subarray(at))
        break
      case 3: // delete bytes
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(4))))
        break
      case 4: // truncate
        b = b.slice(0, at)
        break
      case 5: // overwrite with a huge 32-bit length
        b = concat(b.subarray(0, at), be32(r.pick(HUGE32)), b.subarray(Math.min(b.length, at + 4)))
        break
      case 6: // splice in a sized marker with a huge length
        b = concat(b.subarray(0, at), Uint8Array.of(r.pick(SIZED32)), be32(r.pick(HUGE32)), b.subarray(at))
        break
      default: // duplicate a slice
        b = concat(b.subarray(0, at), b.subarray(r.int(b.length + 1)), b.subarray(at))
        break
    }
  }
  return b
}

// ---------------------------------------------------------------------------------------------
// harness

/** Per-case time bound: a case that takes longer than this is a (near) hang. */
const CASE_LIMIT_MS = Number(process.env["FUZZ_CASE_LIMIT_MS"] ?? 1000)

class FuzzFailure extends Error {}

const stats = { unpack: 0, dechunk: 0, varint: 0, maxCaseMs: 0, packStreamErrors: 0, chunkingErrors: 0, decoded: 0 }

const timed = (label: () => string, f: () => void): void => {
  const start = performance.now()
  f()
  const ms = performance.now() - start
  if (ms > stats.maxCaseMs) stats.maxCaseMs = ms
  if (ms > CASE_LIMIT_MS) throw new FuzzFailure(`${label()}: took ${ms.toFixed(1)} ms`)
}

const hydrate = (signature: number, fields: Array<unknown>): unknown => ({ signature, fields })

/** One input through `unpack` (both integer modes, default and custom hydrator). */
const fuzzUnpack = (input: Uint8Array, where: () => string): void => {
  stats.unpack++
  timed(where, () => {
    for (let mode = 0; mode < 2; mode++) {
      try {
        const v = mode === 0 ? unpack(input) : unpack(input, hydrate, true)
        if (mode === 0) {
          stats.decoded++
          // whatever decodes is a well-formed value: packing it fails, if at all, with a PackStreamError
          try {
            encode(v)
          } catch (e) {
            if (!(e instanceof PackStreamError)) throw new FuzzFailure(`${where()}: re-encoding: ${String(e)}; input ${hexOf(input)}`)
          }
        }
      } catch (e) {
        if (e instanceof FuzzFailure) throw e
        if (!(e instanceof PackStreamError)) {
          throw new FuzzFailure(`${where()}: ${String(e)} (${(e as Error)?.constructor?.name}); input ${hexOf(input)}`)
        }
        if (mode === 0) stats.packStreamErrors++
      }
    }
  })
}

/** One byte stream through a Dechunker in random pieces; each message through `unpack`. */
const fuzzDechunk = (r: Rng, input: Uint8Array, maxMessageSize: number, where: () => string, expected?: ReadonlyArray<Uint8Array>): void => {
  stats.dechunk++
  timed(where, () => {
    const d = new Dechunker(maxMessageSize)
    const messages: Array<Uint8Array> = []
    let failed: ChunkingError | undefined
    let i = 0
    let first = true
    while (i < input.length || first) {
      first = false
      // pieces of one byte, of any size, and now and then an empty push
      const n = r.int(16) === 0 ? 0 : r.int(4) === 0 ? 1 : 1 + r.int(input.length - i)
      const piece = input.subarray(i, i + n)
      i += n
      try {
        for (const m of d.push(piece)) {
          if (m.length === 0 || m.length > maxMessageSize) throw new FuzzFailure(`${where()}: message of ${m.length} bytes`)
          messages.push(m.slice())
        }
      } catch (e) {
        if (e instanceof FuzzFailure) throw e
        if (!(e instanceof ChunkingError)) throw new FuzzFailure(`${where()}: ${String(e)}; input ${hexOf(input)}`)
        failed = e
        break
      }
    }
    if (failed) {
      stats.chunkingErrors++
      // refused for good
      try {
        d.push(Uint8Array.of(0, 0))
        throw new FuzzFailure(`${where()}: dechunker accepted input after a failure`)
      } catch (e) {
        if (e !== failed) throw e instanceof FuzzFailure ? e : new FuzzFailure(`${where()}: after a failure: ${String(e)}`)
      }
    }
    // messages are made of input bytes only
    let total = 0
    for (const m of messages) total += m.length
    if (total > input.length) throw new FuzzFailure(`${where()}: ${total} message bytes from ${input.length} input bytes`)
    if (expected !== undefined) {
      const ok = !failed && messages.length === expected.length && messages.every((m, k) => Buffer.compare(m, expected[k]!) === 0)
      if (!ok) throw new FuzzFailure(`${where()}: valid stream dechunked wrong; input ${hexOf(input)}`)
    }
    for (const m of messages) {
      try {
        unpack(m)
      } catch (e) {
        if (!(e instanceof PackStreamError)) throw new FuzzFailure(`${where()}: unpack of a message: ${String(e)}`)
      }
    }
  })
}

// ---------------------------------------------------------------------------------------------

describe("fuzz", () => {
  const r = prng(SEED)
  const corpus = buildCorpus(r)

  it("the corpus is valid to begin with", () => {
    for (const b of corpus) {
      const v = unpack(b)
      // (Float wrappers of integral values come back as Integers, so compare values, not bytes)
      expect(unpack(encode(v))).toEqual(v)
    }
  })

  it("a 2^31 length with 10 bytes of data fails at once, without allocating", () => {
    const before = process.memoryUsage()
    const inputs: Array<Uint8Array> = [
      // a structure claiming a 2^31-item list inside
      Uint8Array.of(0xb1, 0x71, 0xd6, 0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    ]
    for (const marker of SIZED32) {
      for (const len of [0x80000000, 0x7fffffff, 0xffffffff]) inputs.push(concat(Uint8Array.of(marker), be32(len), new Uint8Array(10).fill(0x41)))
    }
    for (const input of inputs) {
      // the fastest of three runs, so that a GC pause does not count
      let fastest = Number.POSITIVE_INFINITY
      for (let k = 0; k < 3; k++) {
        const start = performance.now()
        expect(() => unpack(input)).toThrow(PackStreamError)
        fastest = Math.min(fastest, performance.now() - start)
        const now = process.memoryUsage()
        expect(now.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 2 ** 20)
        expect(now.heapUsed - before.heapUsed).toBeLessThan(64 * 2 ** 20)
      }
      expect(fastest).toBeLessThan(20)
    }
  })

  it("unpack and Dechunker.push: only PackStreamError / ChunkingError, bounded time and memory", () => {
    const start = performance.now()
    const where = (phase: string, n: number) => () => `seed ${SEED.toString(16)}, ${phase} #${n}`
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    const base = process.memoryUsage()
    let maxArrayBuffers = 0
    let maxHeap = 0
    const sample = () => {
      const m = process.memoryUsage()
      maxArrayBuffers = Math.max(maxArrayBuffers, m.arrayBuffers - base.arrayBuffers)
      maxHeap = Math.max(maxHeap, m.heapUsed - base.heapUsed)
    }

    // 1. random bytes
    for (let n = 0; n < 30_000; n++) fuzzUnpack(r.bytes(r.int(48)), where("random", n))
    // 2. valid encodings, mutated
    for (let n = 0; n < 50_000; n++) fuzzUnpack(mutate(r, r.pick(corpus)), where("mutated", n))
    // 3. huge length prefixes with a few bytes of data, memory sampled after each
    for (let n = 0; n < 12_000; n++) {
      fuzzUnpack(hugeLength(r), where("huge-length", n))
      sample()
    }
    sample()

    // 4. the dechunker: random bytes, with a small and the default limit
    for (let n = 0; n < 8_000; n++) fuzzDechunk(r, r.bytes(r.int(64)), r.pick([16, 100, 256 * 1024 * 1024]), where("dechunk-random", n))
    // 5. valid chunked streams: as they are (must give the messages back), then mutated
    for (let n = 0; n < 15_000; n++) {
      const msgs = Array.from({ length: 1 + r.int(4) }, () => r.pick(corpus))
      const parts: Array<Uint8Array> = []
      for (const m of msgs) {
        parts.push(chunk(m))
        if (r.int(4) === 0) parts.push(Uint8Array.of(0, 0))
      }
      const stream = concat(...parts)
      if (n % 3 === 0) fuzzDechunk(r, stream, 256 * 1024 * 1024, where("dechunk-valid", n), msgs)
      else fuzzDechunk(r, mutate(r, stream), r.pick([64, 1024, 256 * 1024 * 1024]), where("dechunk-mutated", n))
    }
    // 6. huge chunk headers with a few bytes
    for (let n = 0; n < 4_000; n++) {
      const input = concat(r.int(2) === 0 ? chunk(r.pick(corpus)) : new Uint8Array(0), Uint8Array.of(0xff, 0xff), r.bytes(r.int(12)), Uint8Array.of(0xff, 0xff, 0xff, 0xff))
      fuzzDechunk(r, input, r.pick([100, 65535, 70000, 256 * 1024 * 1024]), where("dechunk-huge", n))
      sample()
    }
    sample()

    const ms = performance.now() - start
    const inputs = stats.unpack + stats.dechunk
    console.log(
      `fuzz seed 0x${SEED.toString(16)}: ${inputs} inputs (${stats.unpack} through unpack, ${stats.dechunk} through Dechunker.push) in ${(ms / 1000).toFixed(1)} s; ` +
        `${stats.decoded} decoded, ${stats.packStreamErrors} PackStreamError, ${stats.chunkingErrors} ChunkingError; ` +
        `slowest case ${stats.maxCaseMs.toFixed(1)} ms; peak growth arrayBuffers ${(maxArrayBuffers / 2 ** 20).toFixed(1)} MiB, heap ${(maxHeap / 2 ** 20).toFixed(1)} MiB`
    )
    expect(inputs).toBeGreaterThanOrEqual(100_000)
    // both outcomes happen: the fuzzer is not just feeding garbage
    expect(stats.decoded).toBeGreaterThan(5_000)
    expect(stats.packStreamErrors).toBeGreaterThan(10_000)
    expect(stats.chunkingErrors).toBeGreaterThan(1_000)
    // a length-driven allocation would be 64 KiB .. 4 GiB per case
    expect(maxArrayBuffers).toBeLessThan(32 * 2 ** 20)
    expect(maxHeap).toBeLessThan(256 * 2 ** 20)
  })

  it("VarInt: random bytes decode to undefined, a 64-bit value, or a RangeError", () => {
    const rv = prng(SEED ^ 0x7a11)
    for (let n = 0; n < 20_000; n++) {
      const b = rv.bytes(rv.int(14))
      // bias towards continuation bytes so long VarInts happen
      for (let i = 0; i < b.length - 1; i++) if (rv.int(3) > 0) b[i]! |= 0x80
      stats.varint++
      try {
        const v = decodeVarInt(b)
        if (v !== undefined) {
          expect(v.value).toBeLessThanOrEqual(0xffffffffffffffffn)
          expect(v.size).toBeLessThanOrEqual(10)
          expect(b[v.size - 1]! & 0x80).toBe(0)
        } else {
          expect(b.every((x) => (x & 0x80) !== 0)).toBe(true)
          expect(b.length).toBeLessThan(10)
        }
      } catch (e) {
        if (!(e instanceof RangeError)) throw e
      }
    }
  })
})
