/**
 * Bolt chunking (bolt/message.adoc, "Chunking"): the spec's examples as golden bytes, large
 * messages split into 65 535-byte chunks, coalesced messages, the dechunker at every split point,
 * NOOP chunks, and the inbound size limit. Also the VarInt examples of bolt/handshake.adoc.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { chunk, Chunker, MAX_CHUNK } from "../../src/internal/bolt/chunker.js"
import { ChunkingError, DEFAULT_MAX_MESSAGE_SIZE, Dechunker } from "../../src/internal/bolt/dechunker.js"
import { decodeVarInt, encodeVarInt } from "../../src/internal/bolt/varint.js"
import { PackStreamError, Structure, unpack } from "../../src/internal/packstream/index.js"
import { bytes, concat, hexOf, norm } from "../bytes.js"

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

/** Pushes `pieces` in order; returns every message, copied (views may point into the input). */
const dechunkAll = (pieces: ReadonlyArray<Uint8Array>, d = new Dechunker()): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (const p of pieces) for (const m of d.push(p)) out.push(m.slice())
  return out
}

/** Frames a message with the given chunk sizes (any split is legal on the wire). */
const frame = (body: Uint8Array, sizes: ReadonlyArray<number>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  let off = 0
  for (const size of sizes) {
    parts.push(Uint8Array.of(size >> 8, size & 0xff), body.subarray(off, off + size))
    off += size
  }
  if (off !== body.length) throw new Error("sizes do not cover the body")
  parts.push(Uint8Array.of(0, 0))
  return concat(...parts)
}

/** The chunk sizes found in a framed buffer of one message. */
const chunkSizes = (wire: Uint8Array): Array<number> => {
  const sizes: Array<number> = []
  let i = 0
  for (;;) {
    const size = (wire[i]! << 8) | wire[i + 1]!
    i += 2 + size
    if (size === 0) break
    sizes.push(size)
  }
  expect(i).toBe(wire.length)
  return sizes
}

const seq = (n: number, f: (i: number) => number = (i) => i & 0xff): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i))

/** Runs `f`, which must throw a ChunkingError; returns it. */
const chunkingError = (f: () => unknown): ChunkingError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ChunkingError)
    expect((e as ChunkingError)._tag).toBe("ChunkingError")
    return e as ChunkingError
  }
  return expect.fail("expected a ChunkingError")
}

const MSG1 = bytes("00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")
const MSG2 = bytes("0F 0E 0D 0C 0B 0A 09 08")

describe("spec examples (bolt/message.adoc)", () => {
  it("a message in one chunk", () => {
    const wire = "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00"
    expect(hexOf(chunk(MSG1))).toBe(norm(wire))
    const c = new Chunker()
    c.writeMessage(MSG1)
    expect(hexOf(c.take())).toBe(norm(wire))
    expect(dechunkAll([bytes(wire)])).toEqual([MSG1])
  })

  it("a message split in two chunks decodes to the 20 bytes", () => {
    // (the spec's prose says "chunk 1 header 00 01"; its bytes, used here, say 00 10)
    const body = bytes("00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 01 02 03 04")
    const wire = bytes(`00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F
      00 04 01 02 03 04 00 00`)
    expect(frame(body, [16, 4])).toEqual(wire)
    expect(dechunkAll([wire])).toEqual([body])
    // our chunker only splits beyond 65 535 bytes: 20 bytes are one chunk
    expect(hexOf(chunk(body))).toBe(norm(`00 14 ${hexOf(body)} 00 00`))
  })

  it("two messages", () => {
    const wire = `00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00
      00 08 0F 0E 0D 0C 0B 0A 09 08 00 00`
    const c = new Chunker()
    c.writeMessage(MSG1)
    c.writeMessage(MSG2)
    expect(hexOf(c.take())).toBe(norm(wire))
    expect(dechunkAll([bytes(wire)])).toEqual([MSG1, MSG2])
  })

  it("two messages with a NOOP in between", () => {
    const wire = bytes(`00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00
      00 00
      00 08 0F 0E 0D 0C 0B 0A 09 08 00 00`)
    expect(dechunkAll([wire])).toEqual([MSG1, MSG2])
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(dechunkAll([wire.subarray(0, cut), wire.subarray(cut)])).toEqual([MSG1, MSG2])
    }
  })
})

describe("Chunker", () => {
  it.each([
    [1, [1]],
    [MAX_CHUNK - 1, [MAX_CHUNK - 1]],
    [MAX_CHUNK, [MAX_CHUNK]],
    [MAX_CHUNK + 1, [MAX_CHUNK, 1]],
    [2 * MAX_CHUNK, [MAX_CHUNK, MAX_CHUNK]],
    [2 * MAX_CHUNK + 1, [MAX_CHUNK, MAX_CHUNK, 1]],
    [200_000, [MAX_CHUNK, MAX_CHUNK, MAX_CHUNK, 200_000 - 3 * MAX_CHUNK]]
  ])("a message of %i bytes is split into chunks of %j", (size, sizes) => {
    const body = seq(size, (i) => (i * 31 + 7) & 0xff)
    const wire = chunk(body)
    expect(chunkSizes(wire)).toEqual(sizes)
    expect(wire.length).toBe(size + 2 * sizes.length + 2)
    expect(same(frame(body, sizes), wire)).toBe(true)
    const out = dechunkAll([wire])
    expect(out.length).toBe(1)
    expect(same(out[0]!, body)).toBe(true)
  })

  it("a large message packed through begin()/end() is split and reassembled", () => {
    const c = new Chunker(16)
    const text = "é".repeat(70_000) // 140 000 bytes of UTF-8
    const p = c.begin()
    p.structHeader(1, 0x10)
    p.pack(text)
    c.end()
    const wire = c.take()
    expect(chunkSizes(wire)).toEqual([MAX_CHUNK, MAX_CHUNK, 2 + 5 + 140_000 - 2 * MAX_CHUNK])
    const [msg] = dechunkAll([wire])
    expect(unpack(msg!)).toEqual(new Structure(0x10, [text]))
  })

  it("several messages in one take(), then the buffer starts over", () => {
    const c = new Chunker(4)
    expect(c.pending).toBe(false)
    const bodies = [MSG1, seq(100_000, (i) => i % 251), MSG2, seq(3)]
    for (const b of bodies) c.writeMessage(b)
    const p = c.begin()
    p.pack(new Structure(0x3f, [{ n: 1000 }]))
    c.end()
    expect(c.pending).toBe(true)
    const wire = c.take()
    expect(c.pending).toBe(false)
    expect(c.take().length).toBe(0)
    const expected = concat(chunk(MSG1), chunk(bodies[1]!), chunk(MSG2), chunk(seq(3)), bytes("00 08 B1 3F A1 81 6E C9 03 E8 00 00"))
    expect(same(wire, expected)).toBe(true)
    const out = dechunkAll([wire])
    expect(out.length).toBe(5)
    bodies.forEach((b, i) => expect(same(out[i]!, b)).toBe(true))
    expect(unpack(out[4]!)).toEqual(new Structure(0x3f, [{ n: 1000 }]))
    // reused after take()
    c.writeMessage(MSG2)
    expect(hexOf(c.take())).toBe(norm("00 08 0F 0E 0D 0C 0B 0A 09 08 00 00"))
  })

  it("abort() drops a message whose packing failed and keeps the ones before", () => {
    const c = new Chunker(8)
    c.writeMessage(MSG1)
    const p = c.begin()
    p.structHeader(1, 0x10)
    expect(() => p.pack({ a: [1, 2, () => 3] })).toThrow(PackStreamError)
    c.abort()
    c.writeMessage(MSG2)
    expect(dechunkAll([c.take()])).toEqual([MSG1, MSG2])
  })
})

describe("Dechunker", () => {
  // three messages, one over several small chunks, NOOPs before, between and after
  const m1 = seq(5, (i) => i + 1)
  const m2 = seq(40, (i) => 0xff - i)
  const m3 = seq(1, () => 0)
  const wire = concat(
    bytes("00 00"),
    frame(m1, [5]),
    bytes("00 00 00 00"),
    frame(m2, [1, 2, 30, 7]),
    frame(m3, [1]),
    bytes("00 00"),
    frame(m2, [40]),
    bytes("00 00")
  )
  const expected = [m1, m2, m3, m2]

  it("the whole buffer at once", () => {
    expect(dechunkAll([wire])).toEqual(expected)
  })

  it("split in two at every point", () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new Dechunker()
      expect(dechunkAll([wire.subarray(0, cut), wire.subarray(cut)], d)).toEqual(expected)
      expect(d.inMessage).toBe(false)
    }
  })

  it("split in three at every pair of points", () => {
    for (let a = 0; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        const out = dechunkAll([wire.subarray(0, a), wire.subarray(a, b), wire.subarray(b)])
        if (out.length !== 4 || !out.every((m, i) => same(m, expected[i]!))) {
          expect.fail(`split at ${a} and ${b} gave ${out.map(hexOf).join(" | ")}`)
        }
      }
    }
  })

  it("byte by byte", () => {
    const d = new Dechunker()
    const out: Array<Uint8Array> = []
    for (let i = 0; i < wire.length; i++) {
      const got = d.push(wire.subarray(i, i + 1))
      out.push(...got.map((m) => m.slice()))
      // a message completes exactly at its end marker; nothing is pending right after it or a NOOP
      expect(got.length).toBe(MESSAGE_ENDS.includes(i + 1) ? 1 : 0)
      expect(d.inMessage).toBe(!(MESSAGE_ENDS.includes(i + 1) || NOOP_ENDS.includes(i + 1)))
    }
    expect(out).toEqual(expected)
  })

  /** Offsets in `wire` right after an end marker, and right after a NOOP. */
  const MESSAGE_ENDS = [2 + 9, 15 + 50, 65 + 5, 72 + 44]
  const NOOP_ENDS = [2, 13, 15, 72, 118]

  it("the buffer boundaries above are right", () => {
    expect(wire.length).toBe(118)
    for (const e of [...MESSAGE_ENDS, ...NOOP_ENDS]) expect(hexOf(wire.subarray(e - 2, e))).toBe("00 00")
  })

  it("an empty push, and NOOPs alone, yield nothing", () => {
    const d = new Dechunker()
    expect(d.push(new Uint8Array(0))).toEqual([])
    expect(d.push(bytes("00 00 00 00 00"))).toEqual([])
    expect(d.inMessage).toBe(true) // half a header is pending
    expect(d.push(bytes("00"))).toEqual([])
    expect(d.inMessage).toBe(false)
    expect(dechunkAll([bytes("00 00"), frame(MSG2, [8]), bytes("00 00")], d)).toEqual([MSG2])
  })

  it("a large multi-chunk message at sampled split points, and byte-by-byte", () => {
    const big = seq(150_000, (i) => (i * 13) & 0xff)
    const w = concat(chunk(MSG1), chunk(big), bytes("00 00"), chunk(MSG2))
    const cuts = new Set<number>()
    for (let c = 0; c <= w.length; c += 997) cuts.add(c)
    // around every chunk header
    for (const h of [0, 18, 20, 22, 20 + 2 + MAX_CHUNK, 20 + 4 + 2 * MAX_CHUNK, w.length - 14, w.length - 12]) {
      for (let d = -3; d <= 3; d++) if (h + d >= 0 && h + d <= w.length) cuts.add(h + d)
    }
    for (const cut of cuts) {
      const out = dechunkAll([w.subarray(0, cut), w.subarray(cut)])
      expect(out.length).toBe(3)
      expect(same(out[0]!, MSG1) && same(out[1]!, big) && same(out[2]!, MSG2)).toBe(true)
    }
    const d = new Dechunker()
    const out: Array<Uint8Array> = []
    for (let i = 0; i < w.length; i++) for (const m of d.push(w.subarray(i, i + 1))) out.push(m.slice())
    expect(out.length).toBe(3)
    expect(same(out[1]!, big)).toBe(true)
  })

  it("property: any framing, any NOOPs, any split gives the same messages", () => {
    const message = fc.uint8Array({ minLength: 1, maxLength: 300 })
    const framed = fc.tuple(message, fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), fc.nat(2))
    fc.assert(
      fc.property(fc.array(framed, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (msgs, cutSeeds) => {
        const parts: Array<Uint8Array> = []
        for (const [body, rawSizes, noops] of msgs) {
          // turn raw sizes into a partition of the body
          const sizes: Array<number> = []
          let left = body.length
          for (const s of rawSizes) {
            if (left === 0) break
            const n = Math.min(s, left)
            sizes.push(n)
            left -= n
          }
          if (left > 0) sizes.push(left)
          parts.push(frame(body, sizes))
          for (let i = 0; i < noops; i++) parts.push(bytes("00 00"))
        }
        const w = concat(...parts)
        const cuts = [...new Set(cutSeeds.map((s) => (w.length === 0 ? 0 : s % (w.length + 1))))].sort((a, b) => a - b)
        const pieces: Array<Uint8Array> = []
        let prev = 0
        for (const c of cuts) {
          pieces.push(w.subarray(prev, c))
          prev = c
        }
        pieces.push(w.subarray(prev))
        const out = dechunkAll(pieces)
        expect(out).toEqual(msgs.map(([b]) => b))
      }),
      { numRuns: 300 }
    )
  })

  it("property: the Chunker's output dechunks to its input", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 2000 }), { maxLength: 10 }), fc.nat(), (msgs, cutSeed) => {
        const c = new Chunker(16)
        for (const m of msgs) c.writeMessage(m)
        const w = c.take()
        const cut = cutSeed % (w.length + 1)
        expect(dechunkAll([w.subarray(0, cut), w.subarray(cut)])).toEqual(msgs)
      }),
      { numRuns: 200 }
    )
  })
})

describe("maximum message size", () => {
  it("defaults to 256 MiB", () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(256 * 1024 * 1024)
    expect(new Dechunker().maxMessageSize).toBe(DEFAULT_MAX_MESSAGE_SIZE)
  })

  it("a message of exactly the limit passes, one byte more fails", () => {
    expect(dechunkAll([chunk(seq(100))], new Dechunker(100))).toEqual([seq(100)])
    const e = chunkingError(() => new Dechunker(100).push(chunk(seq(101))))
    expect(e.message).toMatch(/maximum size of 100 bytes/)
  })

  it("the limit counts all the chunks of one message, not each chunk", () => {
    const body = seq(120)
    const d = new Dechunker(100)
    // two messages of 60 each are fine
    expect(dechunkAll([frame(seq(60), [30, 30]), frame(seq(60), [60])], d)).toEqual([seq(60), seq(60)])
    // 60 + 60 in one message is not
    chunkingError(() => d.push(frame(body, [60, 60])))
  })

  it("is detected from the header, before the chunk body arrives", () => {
    chunkingError(() => new Dechunker(1000).push(bytes("03 E9")))
    const d = new Dechunker(1000)
    expect(d.push(concat(bytes("00 10"), seq(16)))).toEqual([])
    chunkingError(() => d.push(bytes("FF FF")))
    // a message that failed across pushes, too
    const d2 = new Dechunker(1000)
    const w = frame(seq(1001), [990, 11])
    expect(d2.push(w.subarray(0, 500))).toEqual([])
    chunkingError(() => d2.push(w.subarray(500, 994)))
  })

  it("after a failure the dechunker refuses every further input", () => {
    const d = new Dechunker(10)
    const first = chunkingError(() => d.push(bytes("00 0B")))
    for (const more of [new Uint8Array(0), bytes("00 00"), chunk(seq(3)), bytes("00")]) {
      const again = chunkingError(() => d.push(more))
      expect(again).toBe(first)
    }
  })

  it("messages completed earlier are unaffected", () => {
    const d = new Dechunker(10)
    expect(dechunkAll([chunk(seq(10))], d)).toEqual([seq(10)])
    chunkingError(() => d.push(concat(chunk(seq(3)), bytes("00 0B"))))
  })
})

describe("Dechunker.next(): messages as ranges of the bytes fed", () => {
  /** Steps through what was fed: each message as [the buffer it lies in, start, end]. */
  const stepAll = (d: Dechunker): Array<[Uint8Array, number, number]> => {
    const out: Array<[Uint8Array, number, number]> = []
    while (d.next()) out.push([d.msg, d.msgStart, d.msgEnd])
    return out
  }

  it("a message in one chunk of one feed is a range of the fed bytes, not a copy", () => {
    const wire = concat(bytes("00 00"), chunk(MSG1), chunk(MSG2))
    const d = new Dechunker()
    d.feed(wire)
    expect(d.pending).toBe(true)
    const got = stepAll(d)
    expect(got.map(([buf]) => buf === wire)).toEqual([true, true])
    expect(got.map(([, start, end]) => [start, end])).toEqual([[4, 20], [24, 32]])
    expect(got.map(([buf, start, end]) => buf.subarray(start, end))).toEqual([MSG1, MSG2])
    // everything fed is read: the dechunker lets the buffer go
    expect(d.pending).toBe(false)
    expect(d.next()).toBe(false)
  })

  it("a message over several chunks or feeds is assembled, and spans [0, length)", () => {
    const wire = frame(MSG1, [3, 13])
    const d = new Dechunker()
    d.feed(wire.subarray(0, 7))
    expect(d.next()).toBe(false)
    expect(d.inMessage).toBe(true)
    d.feed(wire.subarray(7))
    const [[buf, start, end]] = stepAll(d) as [[Uint8Array, number, number]]
    expect([start, end]).toEqual([0, MSG1.length])
    expect(buf).toEqual(MSG1)
  })

  it("the messages before an oversized one are stepped to first; then next() fails, and every later call", () => {
    const d = new Dechunker(10)
    d.feed(concat(chunk(seq(3)), chunk(seq(4)), bytes("00 0B")))
    const seen: Array<Uint8Array> = []
    const first = chunkingError(() => {
      while (d.next()) seen.push(d.msg.subarray(d.msgStart, d.msgEnd))
    })
    expect(seen).toEqual([seq(3), seq(4)])
    d.feed(chunk(seq(3)))
    expect(chunkingError(() => d.next())).toBe(first)
  })
})

describe("VarInt (bolt/handshake.adoc)", () => {
  it.each([
    ["01", 1n],
    ["7F", 127n],
    ["FF 82 71", 1851775n],
    ["00", 0n],
    ["80 01", 128n],
    ["FF FF FF FF 0F", 0xffffffffn],
    ["FF FF FF FF FF FF FF FF FF 01", 0xffffffffffffffffn],
    ["80 80 80 80 80 80 80 80 80 01", 1n << 63n]
  ])("%s <-> %s", (hex, value) => {
    expect(hexOf(encodeVarInt(value))).toBe(norm(hex))
    expect(decodeVarInt(bytes(hex))).toEqual({ value, size: bytes(hex).length })
  })

  it("numbers, offsets, and trailing data", () => {
    expect(hexOf(encodeVarInt(1851775))).toBe("FF 82 71")
    expect(decodeVarInt(bytes("AA FF 82 71 05"), 1)).toEqual({ value: 1851775n, size: 3 })
  })

  it("incomplete input asks for more", () => {
    expect(decodeVarInt(new Uint8Array(0))).toBeUndefined()
    expect(decodeVarInt(bytes("FF 82"))).toBeUndefined()
    expect(decodeVarInt(bytes("00 FF"), 1)).toBeUndefined()
  })

  it("out of range", () => {
    expect(() => encodeVarInt(-1)).toThrow(RangeError)
    expect(() => encodeVarInt(2n ** 64n)).toThrow(RangeError)
    expect(() => decodeVarInt(bytes("FF FF FF FF FF FF FF FF FF FF 01"))).toThrow(RangeError)
    // ten bytes whose last one carries bits beyond 2^64 - 1
    expect(() => decodeVarInt(bytes("FF FF FF FF FF FF FF FF FF 03"))).toThrow(RangeError)
    expect(() => decodeVarInt(bytes("FF FF FF FF FF FF FF FF FF 7F"))).toThrow(RangeError)
    expect(() => decodeVarInt(bytes("80 80 80 80 80 80 80 80 80 02"))).toThrow(RangeError)
  })

  it("property: encode then decode is the identity on 0 .. 2^64 - 1", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const b = encodeVarInt(v)
        expect(b.length).toBe(Math.max(1, Math.ceil(v.toString(2).length / 7)))
        expect(decodeVarInt(b)).toEqual({ value: v, size: b.length })
        expect(decodeVarInt(b.subarray(0, b.length - 1))).toBeUndefined()
      }),
      { numRuns: 500 }
    )
  })
})
