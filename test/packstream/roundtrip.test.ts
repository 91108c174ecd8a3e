/**
 * Property tests: every PackStream value type round-trips, nested to any shape, against a
 * model of the number policy (Integer for integral numbers inside int64, Float otherwise;
 * `number` back for safe integers and `bigint` beyond, or `bigint` always with `useBigInt`).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Float, Int, INT64_MAX, INT64_MIN, Packer, Structure, unpack } from "../../src/internal/packstream/index.js"
import type { Dehydrator, Hydrator } from "../../src/internal/packstream/index.js"

const encode = (value: unknown, dehydrate?: Dehydrator): Uint8Array => {
  const p = new Packer(16, dehydrate)
  p.pack(value)
  return p.toBytes()
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** What an Integer decodes to. */
const integer = (v: bigint, useBigInt: boolean): number | bigint =>
  useBigInt || v < MIN_SAFE || v > MAX_SAFE ? v : Number(v)

/** Whether a plain number is sent as an Integer (-0 is a Float: an Integer has no sign for zero). */
const isIntegerNumber = (n: number): boolean =>
  Number.isInteger(n) && !Object.is(n, -0) && n >= -(2 ** 63) && n < 2 ** 63

/** Sets a key the way the decoder does (an own "__proto__" is a plain entry). */
const setKey = (obj: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The model: what `unpack(pack(value))` must give. */
const expected = (v: unknown, useBigInt = false): unknown => {
  switch (typeof v) {
    case "undefined":
      return null
    case "number":
      return isIntegerNumber(v) ? integer(BigInt(v), useBigInt) : v
    case "bigint":
      return integer(v, useBigInt)
    case "string":
      // lone surrogates travel as U+FFFD
      return Buffer.from(v, "utf8").toString("utf8")
  }
  if (v === null || typeof v === "boolean") return v
  if (v instanceof Int) return integer(BigInt(v.value), useBigInt)
  if (v instanceof Float) return v.value
  if (v instanceof Uint8Array) return Uint8Array.from(v)
  if (Array.isArray(v)) return v.map((x) => expected(x, useBigInt))
  if (v instanceof Structure) return new Structure(v.signature, v.fields.map((x) => expected(x, useBigInt)))
  const out: Record<string, unknown> = {}
  if (v instanceof Map) {
    for (const [k, x] of v) setKey(out, k as string, expected(x, useBigInt))
    return out
  }
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k]
    if (x !== undefined) setKey(out, k, expected(x, useBigInt))
  }
  return out
}

/** Integers near every marker boundary, and anywhere in int64. */
const int64 = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc
    .tuple(
      fc.constantFrom(0n, 16n, 128n, 2n ** 15n, 2n ** 31n, 2n ** 53n, 2n ** 63n),
      fc.bigInt({ min: -3n, max: 3n }),
      fc.boolean()
    )
    .map(([b, d, neg]) => (neg ? -b : b) + d)
    .filter((v) => v >= INT64_MIN && v <= INT64_MAX)
)

/** Strings of any UTF-16 units, lone surrogates included. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 })

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  anyUnits,
  fc.string({ minLength: 14, maxLength: 18 }), // around the tiny string limit
  fc.string({ unit: "binary", minLength: 250, maxLength: 260 })
)

const key = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: "binary", maxLength: 10 }), fc.constantFrom("__proto__", "constructor", "toString", "0", "1"))

const leaf = (withWrappers: boolean) =>
  fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    int64,
    int64.map((b) => Number(b)),
    text,
    fc.uint8Array({ maxLength: 300 }),
    ...(withWrappers
      ? [int64.map((b) => new Int(b)), fc.maxSafeInteger().map((n) => new Int(n)), fc.double().map((d) => new Float(d))]
      : [])
  )

const values = (options: { readonly wrappers: boolean; readonly jsMaps: boolean }) =>
  fc.letrec<{ value: unknown; list: Array<unknown>; map: Record<string, unknown>; struct: Structure; entries: Map<string, unknown> }>(
    (tie) => ({
      value: fc.oneof(
        { depthSize: "small", maxDepth: 5 },
        leaf(options.wrappers),
        tie("list"),
        tie("map"),
        tie("struct"),
        ...(options.jsMaps ? [tie("entries")] : [])
      ),
      list: fc.array(tie("value"), { maxLength: 20 }),
      map: fc.dictionary(key, fc.option(tie("value"), { nil: undefined, freq: 8 }), { maxKeys: 20 }),
      struct: fc
        .tuple(fc.integer({ min: 0, max: 0x7f }), fc.array(tie("value"), { maxLength: 15 }))
        .map(([signature, fields]) => new Structure(signature, fields)),
      entries: fc.uniqueArray(fc.tuple(key, tie("value")), { selector: ([k]) => k, maxLength: 12 }).map((e) => new Map(e))
    })
  ).value

describe("round trips", () => {
  it("every value type, nested, against the model", () => {
    fc.assert(
      fc.property(values({ wrappers: true, jsMaps: true }), (v) => {
        const b = encode(v)
        expect(unpack(b)).toEqual(expected(v))
      }),
      { numRuns: 400 }
    )
  })

  it("with useBigInt every Integer comes back as a bigint", () => {
    fc.assert(
      fc.property(values({ wrappers: true, jsMaps: true }), (v) => {
        expect(unpack(encode(v), undefined, true)).toEqual(expected(v, true))
      }),
      { numRuns: 200 }
    )
  })

  it("encoding is canonical: packing what was unpacked gives the same bytes", () => {
    // without Float wrappers (an integral Float comes back as a number) and JS Maps (key order)
    fc.assert(
      fc.property(values({ wrappers: false, jsMaps: false }), (v) => {
        const b = encode(v)
        expect(same(encode(unpack(b)), b)).toBe(true)
        expect(same(encode(unpack(b, undefined, true)), b)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it("the decoder reads values from a view at any offset of a larger buffer", () => {
    fc.assert(
      fc.property(values({ wrappers: true, jsMaps: true }), fc.nat(16), fc.nat(16), (v, before, after) => {
        const b = encode(v)
        const big = new Uint8Array(before + b.length + after).fill(0xc4)
        big.set(b, before)
        expect(unpack(big.subarray(before, before + b.length))).toEqual(expected(v))
      }),
      { numRuns: 100 }
    )
  })

  it("strings: byte length and round trip for any UTF-16 content", () => {
    fc.assert(
      fc.property(fc.oneof(text, anyUnits), (s) => {
        const b = encode(s)
        const size = Buffer.byteLength(s, "utf8")
        const header = size < 16 ? 1 : size < 256 ? 2 : size < 65536 ? 3 : 5
        expect(b.length).toBe(header + size)
        expect(Buffer.from(b.subarray(header)).equals(Buffer.from(s, "utf8"))).toBe(true)
        expect(unpack(b)).toBe(Buffer.from(s, "utf8").toString("utf8"))
      }),
      { numRuns: 500 }
    )
  })
})

/** Size of the optimal Integer encoding (the spec's table). */
const integerSize = (v: bigint): number =>
  v >= -16n && v <= 127n ? 1 : v >= -128n && v <= 127n ? 2 : v >= -32768n && v <= 32767n ? 3 : v >= -(2n ** 31n) && v < 2n ** 31n ? 5 : 9

const MARKER_BY_SIZE: Record<number, number> = { 2: 0xc8, 3: 0xc9, 5: 0xca, 9: 0xcb }

describe("integer policy", () => {
  it("bigint and Int: smallest marker, exact value, number back while safe", () => {
    fc.assert(
      fc.property(int64, (v) => {
        const b = encode(v)
        const size = integerSize(v)
        expect(b.length).toBe(size)
        if (size > 1) expect(b[0]).toBe(MARKER_BY_SIZE[size])
        expect(same(encode(new Int(v)), b)).toBe(true)
        // Int also takes a number that is exactly this integer
        if (BigInt(Number(v)) === v) expect(same(encode(new Int(Number(v))), b)).toBe(true)
        const decoded = unpack(b)
        if (v >= MIN_SAFE && v <= MAX_SAFE) {
          expect(typeof decoded).toBe("number")
          expect(decoded).toBe(Number(v))
        } else {
          expect(decoded).toBe(v)
        }
        expect(unpack(b, undefined, true)).toBe(v)
      }),
      { numRuns: 2000 }
    )
  })

  it("a plain number with the same integer value encodes to the same bytes", () => {
    fc.assert(
      fc.property(int64, (v) => {
        const n = Number(v)
        // Number(v) may round beyond 2^53; then it is the integer BigInt(n)
        const exact = BigInt(n)
        if (exact > INT64_MAX) {
          expect(encode(n)[0]).toBe(0xc1) // 2^63 is beyond int64: a Float
          return
        }
        expect(same(encode(n), encode(exact))).toBe(true)
      }),
      { numRuns: 1000 }
    )
  })

  it("plain numbers: Integer when integral and inside int64, Float otherwise", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.double({ min: -(2 ** 64), max: 2 ** 64 })), (n) => {
        const b = encode(n)
        if (isIntegerNumber(n)) {
          expect(b[0]).not.toBe(0xc1)
          expect(b.length).toBe(integerSize(BigInt(n)))
          const decoded = unpack(b)
          if (Number.isSafeInteger(n)) expect(decoded).toBe(n)
          else expect(decoded).toBe(BigInt(n))
        } else {
          expect(b.length).toBe(9)
          expect(b[0]).toBe(0xc1)
          const decoded = unpack(b)
          expect(Object.is(decoded, n)).toBe(true)
          // useBigInt concerns Integers only
          expect(Object.is(unpack(b, undefined, true), n)).toBe(true)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("Float always encodes as a Float, bit for bit", () => {
    fc.assert(
      fc.property(fc.double(), (d) => {
        const b = encode(new Float(d))
        expect(b.length).toBe(9)
        expect(b[0]).toBe(0xc1)
        const view = new DataView(b.buffer, b.byteOffset + 1, 8)
        if (!Number.isNaN(d)) {
          const ref = new DataView(new ArrayBuffer(8))
          ref.setFloat64(0, d)
          expect(view.getBigUint64(0)).toBe(ref.getBigUint64(0))
        }
        expect(Object.is(unpack(b), d)).toBe(true)
      }),
      { numRuns: 1000 }
    )
  })

  it("INT_64 bytes decode to number exactly when the value is a safe integer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (raw) => {
        const b = Uint8Array.of(0xcb, ...raw)
        const v = new DataView(b.buffer).getBigInt64(1)
        const decoded = unpack(b)
        if (v >= MIN_SAFE && v <= MAX_SAFE) expect(decoded).toBe(Number(v))
        else expect(decoded).toBe(v)
        expect(unpack(b, undefined, true)).toBe(v)
      }),
      { numRuns: 1000 }
    )
  })
})

describe("structures and hydration", () => {
  class Point {
    constructor(
      readonly srid: number,
      readonly x: number,
      readonly y: number
    ) {}
  }
  const dehydrate: Dehydrator = (v) => (v instanceof Point ? new Structure(0x58, [v.srid, new Float(v.x), new Float(v.y)]) : undefined)
  const hydrate: Hydrator = (signature, fields) =>
    signature === 0x58 ? new Point(fields[0] as number, fields[1] as number, fields[2] as number) : new Structure(signature, fields)

  const point = fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.double({ noNaN: true }), fc.double({ noNaN: true }))
    .map(([s, x, y]) => new Point(s, x, y))

  it("default hydrator gives Structures back, nested in lists and maps", () => {
    fc.assert(
      fc.property(values({ wrappers: false, jsMaps: false }), fc.integer({ min: 0, max: 0x7f }), (v, sig) => {
        const s = new Structure(sig, [v, [v], { v }])
        const decoded = unpack(encode(s))
        expect(decoded).toBeInstanceOf(Structure)
        expect(decoded).toEqual(expected(s))
      }),
      { numRuns: 100 }
    )
  })

  it("a dehydrator and a hydrator round-trip class instances anywhere in a value", () => {
    const withPoints = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small", maxDepth: 4 },
        point,
        fc.integer(),
        fc.string(),
        fc.array(tie("v"), { maxLength: 6 }),
        fc.dictionary(fc.string({ maxLength: 5 }), tie("v"), { maxKeys: 6, noNullPrototype: true }),
        fc.array(tie("v"), { maxLength: 3 }).map((f) => new Structure(0x01, f))
      )
    })).v
    fc.assert(
      fc.property(withPoints, (v) => {
        const decoded = unpack(encode(v, dehydrate), hydrate)
        expect(decoded).toEqual(v)
      }),
      { numRuns: 200 }
    )
  })

  it("the hydrator is called once per structure, innermost first", () => {
    const seen: Array<number> = []
    const b = encode(new Structure(1, [new Structure(2, []), [new Structure(3, [new Structure(4, [])])]]))
    unpack(b, (sig, fields) => {
      seen.push(sig)
      return { sig, fields }
    })
    expect(seen).toEqual([2, 4, 3, 1])
  })
})

describe("the packer's buffer", () => {
  it("grows from any initial size, including 0, and reset() reuses it", () => {
    fc.assert(
      fc.property(fc.nat(64), fc.array(values({ wrappers: true, jsMaps: true }), { minLength: 1, maxLength: 4 }), (initial, vs) => {
        const p = new Packer(initial)
        for (const v of vs) p.pack(v)
        const all = p.toBytes()
        const separately = Buffer.concat(vs.map((v) => encode(v)))
        expect(Buffer.compare(all, separately)).toBe(0)
        p.reset()
        expect(p.bytes().length).toBe(0)
        p.pack(vs[0])
        expect(same(p.bytes(), encode(vs[0]))).toBe(true)
      }),
      { numRuns: 100 }
    )
  })
})

describe("wrappers", () => {
  it("Int and Float carry their own choice", () => {
    expect(unpack(encode([new Int(5n), new Float(5), 5, 5.5]))).toEqual([5, 5, 5, 5.5])
    expect(encode(new Int(5n))).toEqual(Uint8Array.of(0x05))
    expect(encode(new Int(5))).toEqual(Uint8Array.of(0x05))
    expect(encode(new Int(-(2 ** 63)))).toEqual(Uint8Array.of(0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0))
    expect(unpack(encode(new Int(2 ** 60)))).toBe(2n ** 60n)
    expect(encode(new Float(5))[0]).toBe(0xc1)
    expect(new Int(7n).toString()).toBe("Int(7)")
    expect(new Float(0.5).toString()).toBe("Float(0.5)")
  })
})
