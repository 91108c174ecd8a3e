/**
 * PackStream failures: every unsupported parameter value, every truncation of valid encodings,
 * every reserved marker. Each must be a `PackStreamError` (never a RangeError, TypeError, ...)
 * whose message says what went wrong.
 */
import { describe, expect, it } from "vitest"
import {
  Float,
  Int,
  INT64_MAX,
  INT64_MIN,
  Packer,
  PackStreamError,
  Structure,
  unpack,
  Unpacker
} from "../../src/internal/packstream/index.js"
import type { Dehydrator } from "../../src/internal/packstream/index.js"
import { bytes, packStreamError } from "../bytes.js"

const encode = (value: unknown, dehydrate?: Dehydrator): Uint8Array => {
  const p = new Packer(8, dehydrate)
  p.pack(value)
  return p.toBytes()
}

class Money {
  constructor(readonly cents: number) {}
}

describe("unsupported parameter values", () => {
  const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["a function", () => 1, /function/],
    ["a named function", function named() {}, /function/],
    ["an async function", async () => 1, /function/],
    ["a class (constructor)", Money, /function/],
    ["a symbol", Symbol("s"), /symbol/],
    ["a well-known symbol", Symbol.iterator, /symbol/],
    ["a class instance", new Money(5), /Money/],
    ["a Date", new Date(0), /Date/],
    ["a RegExp", /x/, /RegExp/],
    ["a Set", new Set([1]), /Set/],
    ["a WeakMap", new WeakMap(), /WeakMap/],
    ["a Promise", Promise.resolve(1), /Promise/],
    ["an Error", new Error("x"), /Error/],
    ["an Int32Array", new Int32Array(2), /Int32Array/],
    ["a Float64Array", new Float64Array(2), /Float64Array/],
    ["an ArrayBuffer", new ArrayBuffer(4), /ArrayBuffer/],
    ["a DataView", new DataView(new ArrayBuffer(4)), /DataView/],
    ["a boxed number", Object(1), /Number/],
    ["a boxed string", Object("s"), /String/],
    ["a Map with a number key", new Map<unknown, unknown>([[1, "a"]]), /map keys must be strings.*number/],
    ["a Map with an object key", new Map<unknown, unknown>([[{}, "a"]]), /map keys must be strings.*object/i],
    ["a Map with a symbol key", new Map<unknown, unknown>([[Symbol("k"), "a"]]), /map keys must be strings.*symbol/],
    ["a Map with a string and then a number key", new Map<unknown, unknown>([["a", 1], [2, 2]]), /map keys must be strings/],
    ["a bigint of 2^63", 2n ** 63n, /9223372036854775808.*int64/],
    ["a bigint of -2^63 - 1", INT64_MIN - 1n, /-9223372036854775809.*int64/],
    ["a huge bigint", 10n ** 30n, /1000000000000000000000000000000.*int64/],
    ["an Int of 2^63", new Int(INT64_MAX + 1n), /9223372036854775808.*int64/],
    ["an Int of -2^64", new Int(-(2n ** 64n)), /-18446744073709551616.*int64/],
    ["an Int of a fraction", new Int(1.5), /1\.5.*not an integer/],
    ["an Int of NaN", new Int(Number.NaN), /NaN.*not an integer/],
    ["an Int of Infinity", new Int(Number.POSITIVE_INFINITY), /Infinity.*not an integer/],
    ["an Int of the number 2^63", new Int(2 ** 63), /9223372036854775808.*int64/],
    ["a structure with 16 fields", new Structure(0x01, new Array(16).fill(0)), /16 fields/],
    ["a function inside a list", [1, 2, () => 3], /function/],
    ["a symbol inside a map", { a: { b: Symbol("deep") } }, /symbol/],
    ["a Date inside a Map", new Map([["when", new Date(0)]]), /Date/],
    ["a class instance inside a structure", new Structure(0x01, [new Money(1)]), /Money/],
    ["a bigint beyond int64 inside a list", [[2n ** 64n]], /18446744073709551616.*int64/]
  ]

  it.each(cases)("%s", (_name, value, message) => {
    const e = packStreamError(() => encode(value))
    expect(e.message).toMatch(message)
  })

  it("a class instance the dehydrator does not know names the class", () => {
    const dehydrate: Dehydrator = (v) => (v instanceof Date ? new Structure(0x01, [v.getTime()]) : undefined)
    expect(Buffer.from(encode(new Date(5), dehydrate)).toString("hex")).toBe("b10105")
    expect(packStreamError(() => encode(new Money(5), dehydrate)).message).toMatch(/Money/)
  })

  it("numbers beyond int64 are not errors: they are Floats", () => {
    expect(encode(2 ** 64)[0]).toBe(0xc1)
    expect(encode(-(2 ** 70))[0]).toBe(0xc1)
    expect(encode(new Float(2 ** 80))[0]).toBe(0xc1)
  })

  it("a cyclic list or map is refused with a PackStreamError, not a stack overflow", () => {
    const list: Array<unknown> = [1]
    list.push(list)
    expect(packStreamError(() => encode(list)).message).toMatch(/nest/i)
    const obj: Record<string, unknown> = { a: 1 }
    obj["self"] = obj
    expect(packStreamError(() => encode(obj)).message).toMatch(/nest/i)
    const map = new Map<string, unknown>()
    map.set("self", map)
    expect(packStreamError(() => encode(map)).message).toMatch(/nest/i)
    const fields: Array<unknown> = []
    const s = new Structure(0x01, fields)
    fields.push(s)
    expect(packStreamError(() => encode(s)).message).toMatch(/nest/i)
  })

  it("very deep (acyclic) nesting is refused with a PackStreamError", () => {
    let v: unknown = 1
    for (let i = 0; i < 100_000; i++) v = [v]
    expect(packStreamError(() => encode(v)).message).toMatch(/nest/i)
  })

  it("nesting up to the decoder's limit encodes and decodes", () => {
    let v: unknown = 1
    for (let i = 0; i < 1000; i++) v = [v]
    const b = encode(v)
    expect(b.length).toBe(1001)
    expect(unpack(b)).toEqual(v)
  })

  it("a structure tag outside 0..127 is refused instead of being truncated to a byte", () => {
    expect(packStreamError(() => encode(new Structure(0x14e, []))).message).toMatch(/334/)
    expect(packStreamError(() => encode(new Structure(-1, []))).message).toMatch(/-1/)
    expect(packStreamError(() => encode(new Structure(1.5, []))).message).toMatch(/1\.5/)
    expect(packStreamError(() => encode(new Structure(0x80, []))).message).toMatch(/128/)
    expect(Buffer.from(encode(new Structure(0x7f, []))).toString("hex")).toBe("b07f")
  })

  it("the packer is usable after a failure (reset, then pack again)", () => {
    const p = new Packer(4)
    for (let round = 0; round < 3; round++) {
      p.reset()
      expect(() => p.pack([1, { a: [() => 1] }])).toThrow(PackStreamError)
      const cyclic: Array<unknown> = []
      cyclic.push(cyclic)
      expect(() => p.pack(cyclic)).toThrow(PackStreamError)
      p.reset()
      let deep: unknown = "x"
      for (let i = 0; i < 999; i++) deep = [deep]
      p.pack(deep)
      expect(unpack(p.toBytes())).toEqual(deep)
    }
  })
})

/** Valid encodings whose every proper prefix must fail. */
const validEncodings: ReadonlyArray<unknown> = [
  null,
  true,
  1,
  -16,
  -17,
  200,
  -200,
  70000,
  -70000,
  2 ** 40,
  2n ** 62n,
  1.5,
  "",
  "A",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "Größenmaßstäbe",
  "x".repeat(300),
  "😀".repeat(100),
  new Uint8Array(0),
  Uint8Array.of(1, 2, 3),
  new Uint8Array(300),
  [],
  [1, 2, 3],
  [1, new Float(2), "three"],
  Array.from({ length: 40 }, (_, i) => i),
  Array.from({ length: 300 }, (_, i) => i),
  {},
  { one: "eins" },
  Object.fromEntries(Array.from({ length: 26 }, (_, i) => [String.fromCharCode(65 + i), i + 1])),
  Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
  new Structure(0x4e, []),
  new Structure(0x4e, [1, "a", [true], { b: null }]),
  [{ a: [{ b: [new Structure(0x01, [{ c: [1.5, "d", Uint8Array.of(9)] }])] }] }]
]

describe("truncated input", () => {
  it.each(validEncodings.map((v, i) => [i, v] as const))("every cut point of encoding #%i", (_i, value) => {
    const full = encode(value)
    expect(unpack(full)).toBeDefined()
    let failures = 0
    for (let cut = 0; cut < full.length; cut++) {
      const prefix = full.subarray(0, cut)
      const e = packStreamError(() => unpack(prefix))
      expect(e.message).toMatch(/truncated|need|more bytes/)
      failures++
      // also when the prefix is seen through an offset view of a larger buffer
      if (cut < 64) {
        const padded = new Uint8Array(cut + 7)
        padded.set(prefix, 7)
        packStreamError(() => unpack(padded.subarray(7)))
      }
    }
    expect(failures).toBe(full.length)
  })

  it.each([
    // valid, if wider than needed: the 32-bit size forms without 64 KiB of data
    "D2 00 00 00 05 68 65 6C 6C 6F",
    "CE 00 00 00 02 01 02",
    "D6 00 00 00 02 01 C0",
    "DA 00 00 00 01 81 61 01",
    "D1 00 02 C3 A9",
    "CD 00 01 FF",
    "D5 00 01 90",
    "D9 00 01 80 A0",
    "CB 00 00 00 00 00 00 00 2A",
    "CA 00 00 00 2A",
    "C9 00 2A",
    "C8 2A"
  ])("every cut point of the wide encoding %s", (hex) => {
    const full = bytes(hex)
    expect(() => unpack(full)).not.toThrow()
    for (let cut = 0; cut < full.length; cut++) {
      expect(packStreamError(() => unpack(full.subarray(0, cut))).message).toMatch(/truncated/)
    }
  })

  it.each([
    ["a 70 000-byte Bytes", new Uint8Array(70000)],
    ["an 80 000-byte String", "😀".repeat(20000)],
    ["a 70 000-item List", new Array<number>(70000).fill(1)],
    ["a 70 000-entry Map", Object.fromEntries(Array.from({ length: 70000 }, (_, i) => [`k${i}`, i & 0x3f]))]
  ])("cut points of %s: the header, the ends, and seven between", (_name, value) => {
    const full = encode(value)
    const cuts = new Set<number>()
    for (let c = 0; c < 16; c++) cuts.add(c)
    for (let c = full.length - 16; c < full.length; c++) cuts.add(c)
    for (let k = 1; k < 8; k++) cuts.add(Math.floor((full.length * k) / 8))
    for (const cut of cuts) packStreamError(() => unpack(full.subarray(0, cut)))
  })

  it("empty input", () => {
    expect(packStreamError(() => unpack(new Uint8Array(0))).message).toMatch(/truncated/)
  })

  it("a length prefix beyond the data fails before allocating", () => {
    for (const hex of [
      "D2 7F FF FF FF 41 41",
      "D2 FF FF FF FF",
      "CE 80 00 00 00 01 02 03 04 05 06 07 08 09 0A",
      "D6 7F FF FF FF 01 01 01",
      "DA FF FF FF FF 81 41 01",
      "D1 FF FF 41",
      "CD FF FF",
      "D5 FF FF 01",
      "D9 FF FF 81 41 01",
      "D0 FF",
      "CC 10 01",
      "D4 FF 01",
      "D8 FF 81 41 01",
      "BF 01 01 02",
      "9F 01 01",
      "AF 81 41 01"
    ]) {
      const start = performance.now()
      packStreamError(() => unpack(bytes(hex)))
      expect(performance.now() - start).toBeLessThan(100)
    }
  })
})

describe("trailing bytes, keys and nesting", () => {
  it("trailing bytes after the value", () => {
    expect(packStreamError(() => unpack(bytes("01 02"))).message).toMatch(/1 trailing byte/)
    expect(packStreamError(() => unpack(bytes("90 C0 C0"))).message).toMatch(/2 trailing bytes/)
  })

  it.each([
    ["an integer key", "A1 01 01", /0x01/],
    ["a null key", "A1 C0 01", /0xC0/],
    ["a list key", "A1 90 01", /0x90/],
    ["a bytes key", "A1 CC 00 01", /0xCC/],
    ["a reserved marker as key", "A1 C4 01", /0xC4/]
  ])("a map with %s fails", (_name, hex, marker) => {
    const e = packStreamError(() => unpack(bytes(hex)))
    expect(e.message).toMatch(/map key must be a string/)
    expect(e.message).toMatch(marker)
  })

  it("nesting deeper than 1000 fails with a PackStreamError", () => {
    for (const marker of [0x91, 0xb1]) {
      const deep = new Uint8Array(5000)
      for (let i = 0; i < deep.length; i += marker === 0xb1 ? 2 : 1) {
        deep[i] = marker
        if (marker === 0xb1) deep[i + 1] = 0x01
      }
      expect(packStreamError(() => unpack(deep)).message).toMatch(/nesting/)
    }
    // maps: A1 81 61 A1 81 61 ...
    const map = new Uint8Array(3 * 2000 + 1)
    for (let i = 0; i + 2 < map.length; i += 3) map.set([0xa1, 0x81, 0x61], i)
    expect(packStreamError(() => unpack(map)).message).toMatch(/nesting/)
  })

  it("Unpacker.structHeader refuses anything but a structure", () => {
    const u = new Unpacker(bytes("93 01 02 03"))
    expect(packStreamError(() => u.structHeader()).message).toMatch(/expected a structure.*0x93/)
    const ok = new Unpacker(bytes("B1 70 A0"))
    expect(ok.structHeader()).toEqual([1, 0x70])
    expect(ok.unpack()).toEqual({})
    expect(packStreamError(() => new Unpacker(bytes("B1")).structHeader()).message).toMatch(/truncated/)
  })
})

describe("unknown markers", () => {
  const reserved = [0xc4, 0xc5, 0xc6, 0xc7, 0xcf, 0xd3, 0xd7]
  for (let m = 0xdb; m <= 0xef; m++) reserved.push(m)

  it("the reserved set is exactly the markers that are not PackStream v1", () => {
    expect(reserved.length).toBe(28)
  })

  it.each(reserved.map((m) => [m.toString(16).toUpperCase(), m] as const))("0x%s", (name, m) => {
    const alone = packStreamError(() => unpack(Uint8Array.of(m)))
    expect(alone.message).toMatch(new RegExp(`unknown PackStream marker 0x${name}`))
    // followed by data that would make sense for a neighbouring marker
    packStreamError(() => unpack(Uint8Array.of(m, 0x00, 0x00, 0x00, 0x01, 0x41)))
    // nested inside a list, a map value and a structure
    expect(packStreamError(() => unpack(Uint8Array.of(0x92, 0x01, m))).message).toMatch(/unknown PackStream marker/)
    expect(packStreamError(() => unpack(Uint8Array.of(0xa1, 0x81, 0x61, m))).message).toMatch(/unknown PackStream marker/)
    expect(packStreamError(() => unpack(Uint8Array.of(0xb1, 0x01, m))).message).toMatch(/unknown PackStream marker/)
  })

  it("every other marker byte is known (it decodes or fails only for lack of data)", () => {
    for (let m = 0; m <= 0xff; m++) {
      if (reserved.includes(m)) continue
      try {
        unpack(Uint8Array.of(m, ...new Array<number>(16).fill(0)))
      } catch (e) {
        expect(e).toBeInstanceOf(PackStreamError)
        expect((e as PackStreamError).message).not.toMatch(/unknown PackStream marker/)
      }
    }
  })
})
