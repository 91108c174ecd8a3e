/**
 * Golden bytes for PackStream v1: every example of packstream/index.adoc in both directions,
 * the integer boundaries of the "optimal representation" table, and the size boundaries of
 * strings, bytes, lists and maps (15/16, 255/256, 65535/65536).
 */
import { describe, expect, it } from "vitest"
import { Float, Int, INT64_MAX, INT64_MIN, Packer, Structure, unpack } from "../../src/internal/packstream/index.js"

/** "CB 80 00" -> bytes */
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"))

/** bytes -> "CB 80 00" */
const hexOf = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(" ")

const encode = (value: unknown): Uint8Array => {
  const p = new Packer(8)
  p.pack(value)
  return p.toBytes()
}

const enc = (value: unknown): string => hexOf(encode(value))
const norm = (hex: string): string => hexOf(bytes(hex))

describe("spec examples (packstream/index.adoc)", () => {
  it("Null, Boolean", () => {
    expect(enc(null)).toBe("C0")
    expect(enc(true)).toBe("C3")
    expect(enc(false)).toBe("C2")
    expect(unpack(bytes("C0"))).toBe(null)
    expect(unpack(bytes("C3"))).toBe(true)
    expect(unpack(bytes("C2"))).toBe(false)
  })

  it("TINY_INT table: F0..FF is -16..-1, 00..7F is 0..127", () => {
    for (let m = 0xf0; m <= 0xff; m++) {
      const value = m - 0x100
      expect(enc(value)).toBe(m.toString(16).toUpperCase())
      expect(unpack(Uint8Array.of(m))).toBe(value)
      expect(unpack(Uint8Array.of(m), undefined, true)).toBe(BigInt(value))
    }
    for (let m = 0x00; m <= 0x7f; m++) {
      expect(encode(m)).toEqual(Uint8Array.of(m))
      expect(unpack(Uint8Array.of(m))).toBe(m)
      expect(unpack(Uint8Array.of(m), undefined, true)).toBe(BigInt(m))
    }
  })

  it("42 in each of the five representations decodes to 42, and encodes as TINY_INT", () => {
    for (const hex of ["2A", "C8 2A", "C9 00 2A", "CA 00 00 00 2A", "CB 00 00 00 00 00 00 00 2A"]) {
      expect(unpack(bytes(hex))).toBe(42)
      expect(unpack(bytes(hex), undefined, true)).toBe(42n)
    }
    expect(enc(42)).toBe("2A")
    expect(enc(42n)).toBe("2A")
    expect(enc(new Int(42n))).toBe("2A")
  })

  it("int64 minimum and maximum", () => {
    expect(enc(-9223372036854775808n)).toBe("CB 80 00 00 00 00 00 00 00")
    expect(enc(9223372036854775807n)).toBe("CB 7F FF FF FF FF FF FF FF")
    expect(enc(INT64_MIN)).toBe("CB 80 00 00 00 00 00 00 00")
    expect(enc(INT64_MAX)).toBe("CB 7F FF FF FF FF FF FF FF")
    expect(unpack(bytes("CB 80 00 00 00 00 00 00 00"))).toBe(-9223372036854775808n)
    expect(unpack(bytes("CB 7F FF FF FF FF FF FF FF"))).toBe(9223372036854775807n)
  })

  it("Float 1.23", () => {
    expect(enc(1.23)).toBe("C1 3F F3 AE 14 7A E1 47 AE")
    expect(enc(new Float(1.23))).toBe("C1 3F F3 AE 14 7A E1 47 AE")
    expect(unpack(bytes("C1 3F F3 AE 14 7A E1 47 AE"))).toBe(1.23)
  })

  it("Bytes: b[] and b[1, 2, 3]", () => {
    expect(enc(new Uint8Array(0))).toBe("CC 00")
    expect(enc(Uint8Array.of(1, 2, 3))).toBe("CC 03 01 02 03")
    expect(unpack(bytes("CC 00"))).toEqual(new Uint8Array(0))
    expect(unpack(bytes("CC 03 01 02 03"))).toEqual(Uint8Array.of(1, 2, 3))
  })

  it.each([
    ["", "80"],
    ["A", "81 41"],
    [
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "D0 1A 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 51 52 53 54 55 56 57 58 59 5A"
    ],
    ["Größenmaßstäbe", "D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65"]
  ])("String(%j)", (value, hex) => {
    expect(enc(value)).toBe(norm(hex))
    expect(unpack(bytes(hex))).toBe(value)
  })

  it("List: [], [1, 2, 3]", () => {
    expect(enc([])).toBe("90")
    expect(enc([1, 2, 3])).toBe("93 01 02 03")
    expect(unpack(bytes("90"))).toEqual([])
    expect(unpack(bytes("93 01 02 03"))).toEqual([1, 2, 3])
  })

  it("List of three items of different types [Integer(1), Float(2.0), String(\"three\")]", () => {
    const hex = "93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65"
    // a plain 2.0 is integral, so the Float wrapper is what makes it a Float
    expect(enc([1, new Float(2.0), "three"])).toBe(hex)
    expect(enc([1, 2.0, "three"])).toBe("93 01 02 85 74 68 72 65 65")
    const decoded = unpack(bytes(hex)) as Array<unknown>
    expect(decoded).toEqual([1, 2, "three"])
    expect(typeof decoded[1]).toBe("number")
  })

  it("List of 40 integers uses LIST_8", () => {
    const hex = `D4 28
      01 02 03 04 05 06 07 08 09 0A
      0B 0C 0D 0E 0F 10 11 12 13 14
      15 16 17 18 19 1A 1B 1C 1D 1E
      1F 20 21 22 23 24 25 26 27 28`
    const list = Array.from({ length: 40 }, (_, i) => i + 1)
    expect(enc(list)).toBe(norm(hex))
    expect(unpack(bytes(hex))).toEqual(list)
  })

  it("Dictionary: {} and {\"one\": \"eins\"}", () => {
    expect(enc({})).toBe("A0")
    expect(enc({ one: "eins" })).toBe("A1 83 6F 6E 65 84 65 69 6E 73")
    expect(enc(new Map([["one", "eins"]]))).toBe("A1 83 6F 6E 65 84 65 69 6E 73")
    expect(unpack(bytes("A0"))).toEqual({})
    expect(unpack(bytes("A1 83 6F 6E 65 84 65 69 6E 73"))).toEqual({ one: "eins" })
  })

  it("Dictionary {\"A\": 1 ... \"Z\": 26} uses MAP_8", () => {
    const hex = `D8 1A
      81 41 01 81 42 02 81 43 03 81 44 04
      81 45 05 81 46 06 81 47 07 81 48 08
      81 49 09 81 4A 0A 81 4B 0B 81 4C 0C
      81 4D 0D 81 4E 0E 81 4F 0F 81 50 10
      81 51 11 81 52 12 81 53 13 81 54 14
      81 55 15 81 56 16 81 57 17 81 58 18
      81 59 19 81 5A 1A`
    const obj: Record<string, number> = {}
    for (let i = 0; i < 26; i++) obj[String.fromCharCode(0x41 + i)] = i + 1
    expect(enc(obj)).toBe(norm(hex))
    expect(unpack(bytes(hex))).toEqual(obj)
  })

  it("duplicate keys: the last seen value wins", () => {
    // [("key_1", 1), ("key_2", 2), ("key_1", 3)] -> {"key_1": 3, "key_2": 2}
    const hex = "A3 85 6B 65 79 5F 31 01 85 6B 65 79 5F 32 02 85 6B 65 79 5F 31 03"
    const decoded = unpack(bytes(hex)) as Record<string, unknown>
    expect(decoded).toEqual({ key_1: 3, key_2: 2 })
    expect(Object.keys(decoded)).toEqual(["key_1", "key_2"])
  })

  it("Structure: marker B0 + size, tag byte, then the fields", () => {
    expect(enc(new Structure(0x4e, []))).toBe("B0 4E")
    expect(enc(new Structure(0x4e, [1, "a", [true]]))).toBe("B3 4E 01 81 61 91 C3")
    const fifteen = Array.from({ length: 15 }, (_, i) => i)
    expect(enc(new Structure(0x7f, fifteen))).toBe(norm(`BF 7F ${fifteen.map((i) => i.toString(16).padStart(2, "0")).join(" ")}`))
    const s = unpack(bytes("B3 4E 01 81 61 91 C3"))
    expect(s).toBeInstanceOf(Structure)
    expect(s).toEqual(new Structure(0x4e, [1, "a", [true]]))
    // a custom hydrator receives the tag and the decoded fields
    const seen: Array<unknown> = []
    const h = unpack(bytes("B2 58 01 02"), (sig, fields) => {
      seen.push(sig, fields)
      return "hydrated"
    })
    expect(h).toBe("hydrated")
    expect(seen).toEqual([0x58, [1, 2]])
  })
})

describe("integer boundaries take the smallest marker", () => {
  const cases: ReadonlyArray<readonly [bigint, string]> = [
    [0n, "00"],
    [-1n, "FF"],
    [-16n, "F0"],
    [-17n, "C8 EF"],
    [127n, "7F"],
    [128n, "C9 00 80"],
    [-128n, "C8 80"],
    [-129n, "C9 FF 7F"],
    [32767n, "C9 7F FF"],
    [32768n, "CA 00 00 80 00"], // 2^15
    [-32768n, "C9 80 00"],
    [-32769n, "CA FF FF 7F FF"],
    [2n ** 31n - 1n, "CA 7F FF FF FF"],
    [2n ** 31n, "CB 00 00 00 00 80 00 00 00"],
    [-(2n ** 31n), "CA 80 00 00 00"],
    [-(2n ** 31n) - 1n, "CB FF FF FF FF 7F FF FF FF"],
    [2n ** 53n - 1n, "CB 00 1F FF FF FF FF FF FF"],
    [2n ** 53n, "CB 00 20 00 00 00 00 00 00"],
    [-(2n ** 53n) + 1n, "CB FF E0 00 00 00 00 00 01"],
    [-(2n ** 53n), "CB FF E0 00 00 00 00 00 00"],
    [2n ** 60n, "CB 10 00 00 00 00 00 00 00"],
    [INT64_MIN, "CB 80 00 00 00 00 00 00 00"],
    [INT64_MAX, "CB 7F FF FF FF FF FF FF FF"]
  ]

  it.each(cases)("%s -> %s", (value, hex) => {
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    // as a bigint and as Int
    expect(enc(value)).toBe(hex)
    expect(enc(new Int(value))).toBe(hex)
    // as a plain number, whenever the number is exactly this integer
    const asNumber = Number(value)
    if (BigInt(asNumber) === value) expect(enc(asNumber)).toBe(hex)
    // decoding: number while safe, bigint beyond; always bigint with useBigInt
    const decoded = unpack(bytes(hex))
    if (safe) {
      expect(typeof decoded).toBe("number")
      expect(decoded).toBe(asNumber)
    } else {
      expect(typeof decoded).toBe("bigint")
      expect(decoded).toBe(value)
    }
    expect(unpack(bytes(hex), undefined, true)).toBe(value)
  })

  it("non-minimal encodings of boundary values still decode", () => {
    expect(unpack(bytes("CB FF FF FF FF FF FF FF F0"))).toBe(-16)
    expect(unpack(bytes("CA 00 00 00 7F"))).toBe(127)
    expect(unpack(bytes("C9 FF 80"))).toBe(-128)
    expect(unpack(bytes("CB 00 00 00 00 7F FF FF FF"))).toBe(2 ** 31 - 1)
    expect(unpack(bytes("CB 00 00 00 00 7F FF FF FF"), undefined, true)).toBe(2n ** 31n - 1n)
  })

  it("a plain number is an Integer when integral and inside int64, a Float otherwise", () => {
    expect(enc(1.5)).toBe("C1 3F F8 00 00 00 00 00 00")
    expect(enc(-0.5)).toBe("C1 BF E0 00 00 00 00 00 00")
    expect(enc(2 ** 63)).toBe("C1 43 E0 00 00 00 00 00 00") // just beyond int64
    expect(enc(-(2 ** 63))).toBe("CB 80 00 00 00 00 00 00 00") // exactly int64 min
    expect(enc(-(2 ** 64))).toBe("C1 C3 F0 00 00 00 00 00 00")
    expect(enc(Number.POSITIVE_INFINITY)).toBe("C1 7F F0 00 00 00 00 00 00")
    expect(enc(Number.NEGATIVE_INFINITY)).toBe("C1 FF F0 00 00 00 00 00 00")
    expect(enc(Number.NaN)).toBe("C1 7F F8 00 00 00 00 00 00")
    expect(enc(new Float(1))).toBe("C1 3F F0 00 00 00 00 00 00")
    expect(enc(new Float(-0))).toBe("C1 80 00 00 00 00 00 00 00")
    expect(Object.is(unpack(bytes("C1 80 00 00 00 00 00 00 00")), -0)).toBe(true)
    expect(unpack(bytes("C1 7F F8 00 00 00 00 00 00"))).toBeNaN()
    expect(unpack(bytes("C1 7F F0 00 00 00 00 00 00"))).toBe(Number.POSITIVE_INFINITY)
  })

  it("-0 is a Float -0.0, not the Integer 0: the sign survives the round trip", () => {
    expect(enc(-0)).toBe("C1 80 00 00 00 00 00 00 00")
    expect(Object.is(unpack(encode(-0)), -0)).toBe(true)
    expect(enc([-0, 0])).toBe("92 C1 80 00 00 00 00 00 00 00 00")
    expect(enc({ z: -0 })).toBe("A1 81 7A C1 80 00 00 00 00 00 00 00")
    // forced to Integer, it is 0
    expect(enc(new Int(-0))).toBe("00")
  })
})

describe("size boundaries", () => {
  const header = (b: Uint8Array, n: number): string => hexOf(b.subarray(0, n))

  it.each([
    [0, "80", 1],
    [15, "8F", 1],
    [16, "D0 10", 2],
    [255, "D0 FF", 2],
    [256, "D1 01 00", 3],
    [65535, "D1 FF FF", 3],
    [65536, "D2 00 01 00 00", 5]
  ])("String of %i ASCII bytes -> %s", (size, hex, headerLength) => {
    const s = "x".repeat(size)
    const b = encode(s)
    expect(b.length).toBe(headerLength + size)
    expect(header(b, headerLength)).toBe(hex)
    expect(unpack(b)).toBe(s)
  })

  it.each([
    // the size is the UTF-8 byte count, not the JS length
    ["é".repeat(7) + "a", "8F", 1, 15],
    ["é" + "a".repeat(14), "D0 10", 2, 16], // 15 UTF-16 units, 16 bytes
    ["é".repeat(8), "D0 10", 2, 16],
    ["日".repeat(85), "D0 FF", 2, 255],
    ["日".repeat(85) + "a", "D1 01 00", 3, 256],
    ["😀".repeat(16383) + "日", "D1 FF FF", 3, 65535],
    ["😀".repeat(16384), "D2 00 01 00 00", 5, 65536]
  ])("multi-byte string %#: %s", (s, hex, headerLength, size) => {
    const b = encode(s)
    expect(Buffer.byteLength(s, "utf8")).toBe(size)
    expect(b.length).toBe(headerLength + size)
    expect(header(b, headerLength)).toBe(hex)
    expect(unpack(b)).toBe(s)
  })

  it.each([
    [0, "CC 00", 2],
    [255, "CC FF", 2],
    [256, "CD 01 00", 3],
    [65535, "CD FF FF", 3],
    [65536, "CE 00 01 00 00", 5]
  ])("Bytes of %i -> %s", (size, hex, headerLength) => {
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff)
    const b = encode(data)
    expect(b.length).toBe(headerLength + size)
    expect(header(b, headerLength)).toBe(hex)
    const decoded = unpack(b)
    expect(decoded).toBeInstanceOf(Uint8Array)
    expect(Buffer.compare(decoded as Uint8Array, data)).toBe(0)
  })

  it.each([
    [0, "90", 1],
    [15, "9F", 1],
    [16, "D4 10", 2],
    [255, "D4 FF", 2],
    [256, "D5 01 00", 3],
    [65535, "D5 FF FF", 3],
    [65536, "D6 00 01 00 00", 5]
  ])("List of %i items -> %s", (size, hex, headerLength) => {
    const list = Array.from({ length: size }, (_, i) => i & 0x3f)
    const b = encode(list)
    expect(b.length).toBe(headerLength + size)
    expect(header(b, headerLength)).toBe(hex)
    expect(unpack(b)).toEqual(list)
  })

  it.each([
    [0, "A0", 1],
    [15, "AF", 1],
    [16, "D8 10", 2],
    [255, "D8 FF", 2],
    [256, "D9 01 00", 3],
    [65535, "D9 FF FF", 3],
    [65536, "DA 00 01 00 00", 5]
  ])("Map of %i entries -> %s", (size, hex, headerLength) => {
    const obj: Record<string, number> = {}
    const map = new Map<string, number>()
    for (let i = 0; i < size; i++) {
      obj[`k${i}`] = i & 0x3f
      map.set(`k${i}`, i & 0x3f)
    }
    const b = encode(obj)
    expect(header(b, headerLength)).toBe(hex)
    // the body is the entries in order: tiny/STRING_8 key, then a TINY_INT value
    let expectedLength = headerLength
    for (let i = 0; i < size; i++) expectedLength += 1 + `k${i}`.length + 1
    expect(b.length).toBe(expectedLength)
    const decoded = unpack(b) as Record<string, unknown>
    const keys = Object.keys(decoded)
    expect(keys.length).toBe(size)
    const wrong = keys.filter((k) => decoded[k] !== obj[k])
    expect(wrong).toEqual([])
    expect(Buffer.compare(encode(map), b)).toBe(0)
  })

  it("entries with undefined values are left out of the map size", () => {
    expect(enc({ a: 1, b: undefined, c: 2 })).toBe("A2 81 61 01 81 63 02")
    expect(enc([undefined])).toBe("91 C0")
  })

  it("sized forms wider than needed still decode", () => {
    expect(unpack(bytes("D0 01 41"))).toBe("A")
    expect(unpack(bytes("D2 00 00 00 01 41"))).toBe("A")
    expect(unpack(bytes("D4 00"))).toEqual([])
    expect(unpack(bytes("D6 00 00 00 01 01"))).toEqual([1])
    expect(unpack(bytes("D8 00"))).toEqual({})
    expect(unpack(bytes("DA 00 00 00 01 81 61 01"))).toEqual({ a: 1 })
    expect(unpack(bytes("CE 00 00 00 01 FF"))).toEqual(Uint8Array.of(0xff))
  })
})

describe("multi-byte UTF-8", () => {
  it.each([
    ["é", "82 C3 A9", 1],
    ["日本", "86 E6 97 A5 E6 9C AC", 2],
    ["😀", "84 F0 9F 98 80", 2], // one code point, a surrogate pair in JS
    ["a😀b", "86 61 F0 9F 98 80 62", 4],
    ["🏳️‍🌈", "8E F0 9F 8F B3 EF B8 8F E2 80 8D F0 9F 8C 88", 6]
  ])("%s encodes to %s and round-trips", (s, hex, jsLength) => {
    expect(s.length).toBe(jsLength)
    expect(enc(s)).toBe(hex)
    expect(unpack(bytes(hex))).toBe(s)
  })

  it.each([
    ["\uD800", "83 EF BF BD", "\uFFFD"], // lone high surrogate
    ["\uDC00", "83 EF BF BD", "\uFFFD"], // lone low surrogate
    ["a\uD83D", "84 61 EF BF BD", "a\uFFFD"], // high surrogate at the end
    ["\uD83Da", "84 EF BF BD 61", "\uFFFDa"], // high surrogate followed by a non-surrogate
    ["\uDE00\uD83D", "86 EF BF BD EF BF BD", "\uFFFD\uFFFD"] // reversed pair
  ])("lone surrogate %#: 3 bytes as U+FFFD (%s)", (s, hex, decoded) => {
    expect(enc(s)).toBe(hex)
    expect(unpack(bytes(hex))).toBe(decoded)
    // the decoded text encodes to the same bytes
    expect(enc(decoded)).toBe(hex)
  })

  it("a lone surrogate inside a longer string keeps the byte count right", () => {
    const s = "x".repeat(13) + "\uD800" // 16 bytes
    const b = encode(s)
    expect(hexOf(b.subarray(0, 2))).toBe("D0 10")
    expect(b.length).toBe(18)
    expect(unpack(b)).toBe("x".repeat(13) + "\uFFFD")
  })

  it("a leading U+FEFF is data, not a byte-order mark: kept, short or long, value or key", () => {
    expect(enc("\uFEFFa")).toBe("84 EF BB BF 61")
    expect(unpack(bytes("84 EF BB BF 61"))).toBe("\uFEFFa")
    const long = "\uFEFF" + "x".repeat(40)
    expect(unpack(encode(long))).toBe(long)
    expect(unpack(encode({ "\uFEFFk": 1 }))).toEqual({ "\uFEFFk": 1 })
  })

  it("invalid UTF-8 from the server decodes to U+FFFD, never a failure", () => {
    expect(unpack(bytes("83 41 FF C3"))).toBe("A\uFFFD\uFFFD")
    expect(unpack(bytes("D0 14 " + "41 ".repeat(19) + "FF"))).toBe("A".repeat(19) + "\uFFFD")
  })

  // The decision (see unpacker.ts): replacement, as neo4j-javascript-driver's non-fatal TextDecoder,
  // not a failure of the whole message (neo4j-python-driver's strict decode raises)
  it.each([
    ["83 41 FF 42", "A\uFFFDB"], // a byte that never starts a sequence
    ["82 C0 80", "\uFFFD\uFFFD"], // overlong NUL: each byte replaced
    ["83 ED A0 80", "\uFFFD\uFFFD\uFFFD"], // an encoded surrogate (CESU-8) is not UTF-8
    ["84 F0 9F 98 41", "\uFFFDA"], // a truncated 4-byte sequence: one U+FFFD, the next byte kept
    ["81 80", "\uFFFD"], // a lone continuation byte
    ["84 F4 90 80 80", "\uFFFD\uFFFD\uFFFD\uFFFD"] // beyond U+10FFFF
  ])("invalid UTF-8 %s decodes to U+FFFD per the WHATWG rules, as a value, a long string and a key", (hex, decoded) => {
    expect(unpack(bytes(hex))).toBe(decoded)
    // the same bytes in a STRING_8 (the long-string path) and as a map key (the key path)
    const body = bytes(hex).subarray(1)
    const long = Uint8Array.of(0xd0, body.length + 20, ...new Array<number>(20).fill(0x78), ...body)
    expect(unpack(long)).toBe("x".repeat(20) + decoded)
    expect(unpack(Uint8Array.of(0xa1, ...bytes(hex), 0x01))).toEqual({ [decoded]: 1 })
    // Node's native decoder (used when there is a Buffer) and the non-fatal TextDecoder (the
    // fallback) agree, so the result does not depend on the runtime
    expect(new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(body)).toBe(decoded)
  })

  it("maps with multi-byte keys", () => {
    const obj = { "日本": "é", "😀": [1] }
    expect(enc(obj)).toBe("A2 86 E6 97 A5 E6 9C AC 82 C3 A9 84 F0 9F 98 80 91 01")
    expect(unpack(encode(obj))).toEqual(obj)
  })
})
