/**
 * Hydration per negotiated version (4.4, 4.4 + utc patch, 5.x, 6.0): golden bytes from the
 * spec's structure examples (bolt/structure-semantics.adoc) in both directions, the version
 * differences (element ids, UTC vs legacy DateTime, Vector/UnsupportedType), malformed structures
 * as PackStreamErrors naming the structure, and fast-check round trips
 * value -> dehydrate -> pack -> unpack -> hydrate for every sendable type, nested in lists and maps.
 */
import { Equal } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Graph from "../../src/Graph.js"
import * as Spatial from "../../src/Spatial.js"
import * as T from "../../src/Temporal.js"
import * as V from "../../src/Vector.js"
import { makeDehydrator, makeHydrator, STRUCTURE_NAMES, TAG } from "../../src/internal/bolt/hydration.js"
import { type Capabilities, capabilities, version } from "../../src/internal/bolt/version.js"
import { Packer, Structure, unpack } from "../../src/internal/packstream/index.js"
import { bytes, hexOf, norm, packStreamError } from "../bytes.js"

const V44 = capabilities(version(4, 4))
const V44_UTC = capabilities(version(4, 4), true)
const V50 = capabilities(version(5, 0))
const V58 = capabilities(version(5, 8))
const V60 = capabilities(version(6, 0))
const ALL: ReadonlyArray<[string, Capabilities]> = [
  ["4.4", V44],
  ["4.4+utc", V44_UTC],
  ["5.0", V50],
  ["5.8", V58],
  ["6.0", V60]
]

const decode = (hex: string | Uint8Array, caps: Capabilities, useBigInt = false): unknown =>
  unpack(typeof hex === "string" ? bytes(hex) : hex, makeHydrator(caps), useBigInt)

const encode = (value: unknown, caps: Capabilities): Uint8Array => {
  const p = new Packer(16, makeDehydrator(caps))
  p.pack(value)
  return p.toBytes()
}

/** a structure packed without hydration knowledge, for malformed inputs */
const raw = (signature: number, ...fields: Array<unknown>): Uint8Array => {
  const p = new Packer(16)
  p.pack(new Structure(signature, fields))
  return p.toBytes()
}

/** tiny string: marker 8x and the ASCII bytes */
const s = (text: string): string => (0x80 | text.length).toString(16) + " " + Buffer.from(text, "ascii").toString("hex")

describe("tags", () => {
  it("are the spec's tag bytes (structure-semantics.adoc, Structures table)", () => {
    const table: Array<[string, string, number]> = [
      ["Node", "N", 0x4e],
      ["Relationship", "R", 0x52],
      ["UnboundRelationship", "r", 0x72],
      ["Path", "P", 0x50],
      ["Date", "D", 0x44],
      ["Time", "T", 0x54],
      ["LocalTime", "t", 0x74],
      ["DateTime", "I", 0x49],
      ["DateTimeZoneId", "i", 0x69],
      ["LocalDateTime", "d", 0x64],
      ["Duration", "E", 0x45],
      ["Point2D", "X", 0x58],
      ["Point3D", "Y", 0x59],
      ["Vector", "V", 0x56],
      ["UnsupportedType", "?", 0x3f],
      ["Legacy DateTime", "F", 0x46],
      ["Legacy DateTimeZoneId", "f", 0x66]
    ]
    for (const [name, code, tag] of table) {
      expect(code.charCodeAt(0)).toBe(tag)
      expect(STRUCTURE_NAMES[tag]).toBe(name)
    }
    expect(Object.values(TAG).sort()).toEqual(table.map(([, , t]) => t).sort())
    expect(TAG.DATE_TIME_ZONE_ID).toBe(0x69)
  })
})

describe("graph structures: the spec's examples", () => {
  // Node(id = 3, labels = ["Example", "Node"], properties = {"name": "example"}, element_id = "abc123")
  const NODE_5 =
    "B4 4E 03 92 87 45 78 61 6D 70 6C 65 84 4E 6F 64 65 A1 84 6E 61 6D 65 87 65 78 61 6D 70 6C 65 86 61 62 63 31 32 33"
  const NODE_4 = "B3 4E 03 92 87 45 78 61 6D 70 6C 65 84 4E 6F 64 65 A1 84 6E 61 6D 65 87 65 78 61 6D 70 6C 65"

  it("Node on 5.x: four fields with the element id", () => {
    for (const caps of [V50, V58, V60]) {
      const n = decode(NODE_5, caps)
      expect(n).toBeInstanceOf(Graph.Node)
      expect(Equal.equals(n, new Graph.Node(3, ["Example", "Node"], { name: "example" }, "abc123"))).toBe(true)
    }
  })

  it("Node on 4.4: three fields; the element id is the id as a string", () => {
    for (const caps of [V44, V44_UTC]) {
      const n = decode(NODE_4, caps) as Graph.Node
      expect(n.elementId).toBe("3")
      expect(Equal.equals(n, new Graph.Node(3, ["Example", "Node"], { name: "example" }, "3"))).toBe(true)
    }
  })

  it("the field count belongs to the version", () => {
    expect(packStreamError(() => decode(NODE_5, V44)).message).toBe(
      "Node structure (0x4E) must have 3 fields on Bolt 4.4, got 4"
    )
    expect(packStreamError(() => decode(NODE_4, V50)).message).toBe(
      "Node structure (0x4E) must have 4 fields on Bolt 5.0, got 3"
    )
  })

  // Relationship(11, 2, 3, "KNOWS", {"name": "example"}, "abc123", "def456", "ghi789")
  const REL_PROPS = `${s("KNOWS")} A1 ${s("name")} ${s("example")}`
  it("Relationship: 8 fields on 5.x, 5 on 4.4", () => {
    const r5 = decode(`B8 52 0B 02 03 ${REL_PROPS} ${s("abc123")} ${s("def456")} ${s("ghi789")}`, V50)
    expect(
      Equal.equals(r5, new Graph.Relationship(11, 2, 3, "KNOWS", { name: "example" }, "abc123", "def456", "ghi789"))
    ).toBe(true)
    const r4 = decode(`B5 52 0B 02 03 ${REL_PROPS}`, V44) as Graph.Relationship
    expect([r4.elementId, r4.startNodeElementId, r4.endNodeElementId]).toEqual(["11", "2", "3"])
    expect(r4.toString()).toBe('(2)-[:KNOWS {name: "example"}]->(3)')
    expect(packStreamError(() => decode(`B5 52 0B 02 03 ${REL_PROPS}`, V58)).message).toBe(
      "Relationship structure (0x52) must have 8 fields on Bolt 5.8, got 5"
    )
  })

  it("UnboundRelationship: 4 fields on 5.x, 3 on 4.4", () => {
    const u5 = decode(`B4 72 11 ${REL_PROPS} ${s("foo")}`, V60)
    expect(Equal.equals(u5, new Graph.UnboundRelationship(17, "KNOWS", { name: "example" }, "foo"))).toBe(true)
    const u4 = decode(`B3 72 11 ${REL_PROPS}`, V44) as Graph.UnboundRelationship
    expect(u4.elementId).toBe("17")
    expect(packStreamError(() => decode(`B3 72 11 ${REL_PROPS}`, V50)).message).toContain("must have 4 fields")
  })

  it("Path: the spec's example (42)-[1000]->(69)-[1000]->(42)<-[1001]-(1)", () => {
    const node = (id: string, eid: string) => `B4 4E ${id} 90 A0 ${s(eid)}`
    const rel = (id: string, eid: string) => `B4 72 ${id} ${s("KNOWS")} A0 ${s(eid)}`
    const hex = `B3 50 93 ${node("2A", "n42")} ${node("45", "n69")} ${node("01", "n1")} 92 ${rel("C9 03 E8", "r1000")} ${rel("C9 03 E9", "r1001")} 96 01 01 01 00 FE 02`
    const path = decode(hex, V50) as Graph.Path
    expect(path).toBeInstanceOf(Graph.Path)
    expect(path.toString()).toBe("(n42)-[:KNOWS]->(n69)-[:KNOWS]->(n42)<-[:KNOWS]-(n1)")
    expect(path.length).toBe(3)
    expect(path.start.identity).toBe(42)
    expect(path.end.identity).toBe(1)
    expect(path.nodes.map((n) => n.identity)).toEqual([42, 69, 42, 1])
    const rels = path.relationships
    expect(rels.map((r) => [r.identity, r.start, r.end, r.startNodeElementId, r.endNodeElementId])).toEqual([
      [1000, 42, 69, "n42", "n69"],
      [1000, 69, 42, "n69", "n42"],
      [1001, 1, 42, "n1", "n42"]
    ])
    expect(path.segments.map((seg) => [seg.start.identity, seg.end.identity])).toEqual([
      [42, 69],
      [69, 42],
      [42, 1]
    ])
  })

  it("Path: the end is the last node walked, not the last node listed", () => {
    const hex = `B3 50 92 B3 4E 01 90 A0 B3 4E 02 90 A0 91 B3 72 0A ${s("R")} A0 94 01 01 01 00`
    const path = decode(hex, V44) as Graph.Path
    expect(path.end.identity).toBe(1)
    expect(path.toString()).toBe("(1)-[:R]->(2)-[:R]->(1)")
  })

  it("Path: a single node", () => {
    const path = decode("B3 50 91 B3 4E 07 90 A0 90 90", V44) as Graph.Path
    expect(path.length).toBe(0)
    expect(path.start.identity).toBe(7)
    expect(path.end).toBe(path.start)
  })

  it("ids beyond 2^53 are bigints; with useBigInt every id is", () => {
    const n = decode(`B3 4E CB 00 40 00 00 00 00 00 01 90 A0`, V44) as Graph.Node
    expect(n.identity).toBe(2n ** 54n + 1n)
    expect(n.elementId).toBe("18014398509481985")
    const m = decode(NODE_5, V50, true) as Graph.Node
    expect(m.identity).toBe(3n)
    expect(Equal.equals(m, decode(NODE_5, V50))).toBe(true)
  })

  it("graph values are not parameters", () => {
    const node = decode(NODE_5, V50)
    expect(packStreamError(() => encode(node, V50)).message).toBe("unsupported parameter value: an instance of Node")
    expect(packStreamError(() => encode({ p: [new Graph.UnboundRelationship(1, "T", {})] }, V50)).message).toContain(
      "UnboundRelationship"
    )
  })
})

describe("temporal structures", () => {
  // 1970-01-01T02:15:00.000000042+01:00: UTC 4500 s, local 8100 s (the spec's examples)
  const PARIS = "8C 45 75 72 6F 70 65 2F 50 61 72 69 73"
  const I = "B3 49 C9 11 94 2A C9 0E 10"
  const i = `B3 69 C9 11 94 2A ${PARIS}`
  const F = "B3 46 C9 1F A4 2A C9 0E 10"
  const f = `B3 66 C9 1F A4 2A ${PARIS}`
  const withOffset = () => new T.DateTime(1970, 1, 1, 2, 15, 0, 42, 3600)
  const withZone = () => new T.DateTime(1970, 1, 1, 2, 15, 0, 42, 3600, "Europe/Paris")
  const zoneOnly = () => new T.DateTime(1970, 1, 1, 2, 15, 0, 42, undefined, "Europe/Paris")

  it("DateTime `I` and DateTimeZoneId `i` (5.0+, 4.4 with the utc patch), both directions", () => {
    for (const caps of [V44_UTC, V50, V58, V60]) {
      expect(Equal.equals(decode(I, caps), withOffset())).toBe(true)
      expect(Equal.equals(decode(i, caps), withZone())).toBe(true)
      expect(hexOf(encode(withOffset(), caps))).toBe(norm(I))
      expect(hexOf(encode(withZone(), caps))).toBe(norm(i))
      // a zone id alone: its offset is resolved for the wall-clock time
      expect(hexOf(encode(zoneOnly(), caps))).toBe(norm(i))
    }
  })

  it("legacy DateTime `F` and DateTimeZoneId `f` (4.4), both directions", () => {
    expect(Equal.equals(decode(F, V44), withOffset())).toBe(true)
    expect(Equal.equals(decode(f, V44), zoneOnly())).toBe(true)
    expect(hexOf(encode(withOffset(), V44))).toBe(norm(F))
    expect(hexOf(encode(zoneOnly(), V44))).toBe(norm(f))
    // the legacy zone form carries no offset: it is dropped
    expect(hexOf(encode(withZone(), V44))).toBe(norm(f))
  })

  it("a DateTime of the other form is an error", () => {
    expect(packStreamError(() => decode(F, V50)).message).toBe(
      "Legacy DateTime structure (0x46) is not used on Bolt 5.0, which carries DateTime in UTC form"
    )
    expect(packStreamError(() => decode(f, V44_UTC)).message).toContain("Legacy DateTimeZoneId structure (0x66)")
    expect(packStreamError(() => decode(I, V44)).message).toBe(
      "DateTime structure (0x49) is not used on Bolt 4.4 without the utc patch: expected the legacy form"
    )
    expect(packStreamError(() => decode(i, V44)).message).toContain("DateTimeZoneId structure (0x69)")
  })

  it("Date, LocalTime, Time, LocalDateTime, Duration: wire forms", () => {
    const cases: Array<[unknown, string]> = [
      [new T.Date(1970, 1, 1), "B1 44 00"],
      [new T.Date(1970, 1, 2), "B1 44 01"],
      [new T.Date(2024, 2, 29), "B1 44 C9 4D 46"], // 19782 days
      [new T.Date(-999_999_999, 1, 1), "B1 44 CB FF FF FF AA F5 CE C3 26"], // -365243219162
      [new T.LocalTime(12, 0, 0, 0), "B1 74 CB 00 00 27 4A 48 A7 80 00"], // 43200e9 ns
      [new T.LocalTime(0, 0, 0, 1), "B1 74 01"],
      [new T.Time(12, 0, 0, 0, 3600), "B2 54 CB 00 00 27 4A 48 A7 80 00 C9 0E 10"],
      [new T.Time(0, 0, 1, 0, -3600), "B2 54 CA 3B 9A CA 00 C9 F1 F0"],
      [new T.LocalDateTime(1970, 1, 1, 1, 15, 0, 42), "B2 64 C9 11 94 2A"],
      [new T.LocalDateTime(1969, 12, 31, 23, 59, 59, 999_999_999), "B2 64 FF CA 3B 9A C9 FF"],
      [new T.Duration(14, 3, 4, 5), "B4 45 0E 03 04 05"],
      [new T.Duration(-1, -2, -3, 0), "B4 45 FF FE FD 00"],
      [new T.Duration(0, 0, 2n ** 62n, 0), "B4 45 00 00 CB 40 00 00 00 00 00 00 00 00"]
    ]
    for (const [caps_name, caps] of ALL) {
      for (const [value, hex] of cases) {
        expect(hexOf(encode(value, caps)), `${caps_name} ${String(value)}`).toBe(norm(hex))
        expect(Equal.equals(decode(hex, caps), value), `${caps_name} ${hex}`).toBe(true)
      }
    }
  })

  it("out-of-range and malformed temporal fields are PackStreamErrors naming the structure", () => {
    expect(packStreamError(() => decode(raw(0x44, 2n ** 62n), V50)).message).toMatch(
      /^Date structure \(0x44\): epoch day 4611686018427387904 is outside/
    )
    expect(packStreamError(() => decode(raw(0x74, -1), V50)).message).toMatch(/^LocalTime structure \(0x74\): nanosecond of day -1/)
    expect(packStreamError(() => decode(raw(0x54, 0, 100000), V50)).message).toMatch(
      /^Time structure \(0x54\): timeZoneOffsetSeconds must be an integer in \[-64800, 64800\]/
    )
    expect(packStreamError(() => decode(raw(0x69, 0, 0, "Mars/Olympus_Mons"), V50)).message).toBe(
      'DateTimeZoneId structure (0x69): unknown time zone id "Mars/Olympus_Mons"'
    )
    expect(packStreamError(() => decode(raw(0x49, 0, 1_000_000_000, 0), V50)).message).toContain("nanosecond")
    expect(packStreamError(() => decode(raw(0x64, 2n ** 63n - 1n, 0), V50)).message).toContain("LocalDateTime structure")
    expect(packStreamError(() => decode(raw(0x44, "1970-01-01"), V50)).message).toBe(
      "Date structure (0x44): field days must be an integer, got a string"
    )
    expect(packStreamError(() => decode(raw(0x44, 1.5), V50)).message).toContain("got a float")
    expect(packStreamError(() => decode(raw(0x45, 1, 2, 3, null), V50)).message).toBe(
      "Duration structure (0x45): field nanoseconds must be an integer, got null"
    )
    expect(packStreamError(() => decode(raw(0x69, 0, 0, 3600), V50)).message).toContain("tz_id must be a string")
  })

  it("bigint fields (useBigInt) hydrate alike", () => {
    for (const hex of ["B1 44 C9 4D 46", "B1 74 CB 00 00 27 4A 48 A7 80 00", I, i, "B4 45 0E 03 04 05"]) {
      expect(Equal.equals(decode(hex, V50, true), decode(hex, V50))).toBe(true)
    }
  })
})

describe("spatial structures", () => {
  it("Point2D and Point3D: the coordinates go as Floats even when integral", () => {
    const p2 = new Spatial.Point(4326, 1, 2)
    const hex2 = "B3 58 C9 10 E6 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00"
    const p3 = new Spatial.Point(9157, 1, 2, -0.5)
    const hex3 = `B4 59 C9 23 C5 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00 C1 BF E0 00 00 00 00 00 00`
    for (const [, caps] of ALL) {
      expect(hexOf(encode(p2, caps))).toBe(norm(hex2))
      expect(hexOf(encode(p3, caps))).toBe(norm(hex3))
      expect(Equal.equals(decode(hex2, caps), p2)).toBe(true)
      expect(Equal.equals(decode(hex3, caps), p3)).toBe(true)
    }
    expect(packStreamError(() => decode(raw(0x58, 4326, "1", 2), V50)).message).toBe(
      "Point2D structure (0x58): field x must be a float, got a string"
    )
    expect((decode(raw(0x58, 4326n, 1.5, 2.5), V50) as Spatial.Point).srid).toBe(4326)
  })
})

describe("Bolt 6.0: Vector and UnsupportedType", () => {
  const cases: Array<[V.Vector, string]> = [
    [V.vector(Int8Array.of(1, -1)), "B2 56 CC 01 C8 CC 02 01 FF"],
    [V.vector(Int16Array.of(1, -2)), "B2 56 CC 01 C9 CC 04 00 01 FF FE"],
    [V.vector(Int32Array.of(-2)), "B2 56 CC 01 CA CC 04 FF FF FF FE"],
    [V.vector(BigInt64Array.of(-(2n ** 63n))), "B2 56 CC 01 CB CC 08 80 00 00 00 00 00 00 00"],
    [V.vector(Float32Array.of(1.5)), "B2 56 CC 01 C6 CC 04 3F C0 00 00"],
    [V.vector(Float64Array.of(-0.5, 1)), "B2 56 CC 01 C1 CC 10 BF E0 00 00 00 00 00 00 3F F0 00 00 00 00 00 00"],
    [V.vector(Float32Array.of()), "B2 56 CC 01 C6 CC 00"]
  ]

  it("each element type, big-endian, both directions", () => {
    for (const [value, hex] of cases) {
      expect(hexOf(encode(value, V60)), value.type).toBe(norm(hex))
      const back = decode(hex, V60)
      expect(back).toBeInstanceOf(V.Vector)
      expect(Equal.equals(back, value), value.type).toBe(true)
    }
  })

  it("a vector from a view into a larger buffer packs only its elements", () => {
    const big = new Int16Array([7, 1, -2, 9])
    expect(hexOf(encode(V.vector(big.subarray(1, 3)), V60))).toBe(norm("B2 56 CC 01 C9 CC 04 00 01 FF FE"))
    const bytesView = new Int8Array([5, 1, -1, 6]).subarray(1, 3)
    expect(hexOf(encode(V.vector(bytesView), V60))).toBe(norm("B2 56 CC 01 C8 CC 02 01 FF"))
  })

  it("malformed vectors", () => {
    expect(packStreamError(() => decode("B2 56 CC 01 C9 CC 03 00 01 FF", V60)).message).toBe(
      "Vector structure (0x56): 3 data bytes is not a whole number of 2-byte elements"
    )
    expect(packStreamError(() => decode("B2 56 CC 01 C2 CC 00", V60)).message).toBe(
      "Vector structure (0x56): unknown element type marker 0xC2"
    )
    expect(packStreamError(() => decode("B2 56 CC 02 C8 C8 CC 00", V60)).message).toContain("type_marker must be one byte")
    expect(packStreamError(() => decode("B2 56 C8 CC 00", V60)).message).toContain("type_marker must be one byte, got a number")
    expect(packStreamError(() => decode("B2 56 CC 01 C8 90", V60)).message).toBe(
      "Vector structure (0x56): field data must be bytes, got a list"
    )
  })

  it("UnsupportedType", () => {
    const hex = `B4 3F ${s("QuantumFloat")} 2A 15 A1 ${s("message")} ${s("upgrade")}`
    const u = decode(hex, V60) as V.UnsupportedType
    expect(Equal.equals(u, new V.UnsupportedType("QuantumFloat", 42, 21, "upgrade"))).toBe(true)
    expect(u.minimumProtocolVersion).toBe("42.21")
    const bare = decode(`B4 3F ${s("X")} 06 01 A0`, V60) as V.UnsupportedType
    expect(bare.message).toBeUndefined()
    expect(packStreamError(() => decode(`B4 3F ${s("X")} 06 01 90`, V60)).message).toBe(
      "UnsupportedType structure (0x3F): field extra must be a map, got a list"
    )
    expect(packStreamError(() => encode([u], V60)).message).toBe("unsupported parameter value: an instance of UnsupportedType")
  })

  it("before 6.0 both are errors, either way", () => {
    for (const caps of [V44, V44_UTC, V50, V58]) {
      expect(packStreamError(() => decode(cases[0]![1], caps)).message).toMatch(
        /^Vector structure \(0x56\) is not part of Bolt (4\.4|5\.0|5\.8) \(it needs 6\.0\)$/
      )
      expect(packStreamError(() => decode(`B4 3F ${s("X")} 06 01 A0`, caps)).message).toContain(
        "UnsupportedType structure (0x3F) is not part of Bolt"
      )
      expect(packStreamError(() => encode(cases[0]![0], caps)).message).toMatch(
        /^a Vector parameter needs Bolt 6\.0 or later; this connection speaks Bolt (4\.4|5\.0|5\.8)$/
      )
    }
  })
})

describe("malformed structures", () => {
  it("an unknown tag", () => {
    for (const [name, caps] of ALL) {
      expect(packStreamError(() => decode("B0 7A", caps)).message).toBe(`unknown structure tag 0x7A on Bolt ${name.replace("+utc", "")}`)
      // message signatures are not values
      expect(packStreamError(() => decode("B1 70 A0", caps)).message).toContain("unknown structure tag 0x70")
    }
  })

  it("every structure refuses a wrong field count", () => {
    const counts: Record<number, [number, number]> = {
      // tag: [4.4 count, 6.0 count]
      0x4e: [3, 4],
      0x52: [5, 8],
      0x72: [3, 4],
      0x50: [3, 3],
      0x44: [1, 1],
      0x54: [2, 2],
      0x74: [1, 1],
      0x64: [2, 2],
      0x45: [4, 4],
      0x58: [3, 3],
      0x59: [4, 4],
      0x46: [3, -1],
      0x66: [3, -1],
      0x49: [-1, 3],
      0x69: [-1, 3],
      0x56: [-1, 2],
      0x3f: [-1, 4]
    }
    let checked = 0
    for (const [tagText, [c44, c60]] of Object.entries(counts)) {
      const tag = Number(tagText)
      for (const [caps, count] of [
        [V44, c44],
        [V60, c60]
      ] as const) {
        if (count < 0) continue
        for (const wrong of [0, count - 1, count + 1]) {
          if (wrong < 0) continue
          const fields = Array.from({ length: wrong }, () => 0)
          const e = packStreamError(() => decode(raw(tag, ...fields), caps))
          expect(e.message).toBe(
            `${STRUCTURE_NAMES[tag]} structure (0x${tag.toString(16).toUpperCase()}) must have ${count} fields on Bolt ${caps.version.major}.${caps.version.minor}, got ${wrong}`
          )
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(60)
  })

  it("wrong field types in graph structures", () => {
    const cases: Array<[Uint8Array, string]> = [
      [raw(0x4e, "3", [], {}, "e"), "Node structure (0x4E): field id must be an integer, got a string"],
      [raw(0x4e, 3, ["A", 1], {}, "e"), "Node structure (0x4E): field labels must be a list of strings, got a list"],
      [raw(0x4e, 3, "A", {}, "e"), "Node structure (0x4E): field labels must be a list of strings, got a string"],
      [raw(0x4e, 3, [], [], "e"), "Node structure (0x4E): field properties must be a map, got a list"],
      [raw(0x4e, 3, [], {}, 3), "Node structure (0x4E): field element_id must be a string, got a number"],
      [raw(0x4e, 3, [], {}, null), "Node structure (0x4E): field element_id must be a string, got null"],
      [raw(0x52, 1, 2, 3, 4, {}, "a", "b", "c"), "Relationship structure (0x52): field type must be a string, got a number"],
      [raw(0x52, 1, "2", 3, "T", {}, "a", "b", "c"), "Relationship structure (0x52): field startNodeId must be an integer, got a string"],
      [raw(0x52, 1, 2, 3, "T", {}, "a", "b", 4), "Relationship structure (0x52): field end_node_element_id must be a string, got a number"],
      [raw(0x72, 1, "T", null, "a"), "UnboundRelationship structure (0x72): field properties must be a map, got null"],
      [raw(0x50, [], [], []), "Path structure (0x50): field nodes must be a non-empty list of nodes, got a list"],
      [raw(0x50, [1], [], []), "Path structure (0x50): field nodes[0] must be a Node, got a number"],
      [raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [1], []), "Path structure (0x50): field rels[0] must be an UnboundRelationship, got a number"],
      [raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [], [1]), "Path structure (0x50): field indices must be a list of even length, got a list"],
      [raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [], [1, 0]), "Path structure (0x50): relationship index 1 at indices[0] is outside ±1..0"],
      [
        raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [new Structure(0x72, [1, "T", {}, "r"])], [0, 0]),
        "Path structure (0x50): relationship index 0 at indices[0] is outside ±1..1"
      ],
      [
        raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [new Structure(0x72, [1, "T", {}, "r"])], [-1, 1]),
        "Path structure (0x50): node index 1 at indices[1] is outside 0..0"
      ],
      [
        raw(0x50, [new Structure(0x4e, [1, [], {}, "n"])], [new Structure(0x72, [1, "T", {}, "r"])], [1, "0"]),
        "Path structure (0x50): field indices[1] must be an integer, got a string"
      ],
      [raw(0x50, [new Structure(0x72, [1, "T", {}, "r"])], [], []), "Path structure (0x50): field nodes[0] must be a Node, got a UnboundRelationship"]
    ]
    for (const [input, message] of cases) expect(packStreamError(() => decode(input, V50)).message).toBe(message)
  })

  it("nested structures hydrate inside lists and maps", () => {
    const value = decode(`92 A1 ${s("d")} B1 44 01 B3 58 C9 10 E6 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00`, V50)
    expect(Graph.equals(value, [{ d: new T.Date(1970, 1, 2) }, Spatial.wgs84(1, 2)])).toBe(true)
    expect(Graph.equals(value, [{ d: new T.Date(1970, 1, 3) }, Spatial.wgs84(1, 2)])).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// round trips

const MIN_EPOCH_DAY = -365243219162n
const MAX_EPOCH_DAY = 365241780471n
const ZONES = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]

const int64 = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
)
const nano = fc.integer({ min: 0, max: 999_999_999 })
const epochDay = fc.bigInt({ min: MIN_EPOCH_DAY, max: MAX_EPOCH_DAY })
const localSecond = fc.bigInt({ min: MIN_EPOCH_DAY * 86400n + 64800n, max: MAX_EPOCH_DAY * 86400n + 86399n - 64800n })
const offset = fc.integer({ min: -64800, max: 64800 })
const zone = fc.constantFrom(...ZONES)

const date = epochDay.map((d) => T.Date.fromEpochDay(d))
const localTime = fc.bigInt({ min: 0n, max: 86_399_999_999_999n }).map((n) => T.LocalTime.fromNanoOfDay(n))
const time = fc.tuple(fc.bigInt({ min: 0n, max: 86_399_999_999_999n }), offset).map(([n, o]) => T.Time.fromNanoOfDay(n, o))
const localDateTime = fc.tuple(localSecond, nano).map(([sec, n]) => T.LocalDateTime.fromEpochSecond(sec, n))
const dateTimeOffset = fc.tuple(localSecond, nano, offset).map(([sec, n, o]) => T.DateTime.fromLocalEpochSecond(sec, n, o))
/** an instant in a zone: offset and zone id, as `i` carries */
const dateTimeAtInstant = fc.tuple(localSecond, nano, zone).map(([sec, n, z]) => T.DateTime.fromEpochSecond(sec, n, z))
/** wall-clock time and zone id, as `f` carries */
const dateTimeZoneOnly = fc.tuple(localSecond, nano, zone).map(([sec, n, z]) => T.DateTime.fromLocalEpochSecond(sec, n, z))
const duration = fc.tuple(int64, int64, int64, nano).map(([m, d, sec, n]) => new T.Duration(m, d, sec, n))
const point = fc.oneof(
  fc.tuple(fc.integer(), fc.double(), fc.double()).map(([srid, x, y]) => new Spatial.Point(srid, x, y)),
  fc.tuple(fc.integer(), fc.double(), fc.double(), fc.double()).map(([srid, x, y, z]) => new Spatial.Point(srid, x, y, z))
)
const vector = fc.oneof(
  fc.int8Array().map((a) => V.vector(a)),
  fc.int16Array().map((a) => V.vector(a)),
  fc.int32Array().map((a) => V.vector(a)),
  fc.bigInt64Array().map((a) => V.vector(a)),
  fc.float32Array().map((a) => V.vector(a)),
  fc.float64Array().map((a) => V.vector(a))
)

const ARBITRARIES: ReadonlyArray<[string, fc.Arbitrary<unknown>]> = [
  ["Date", date],
  ["LocalTime", localTime],
  ["Time", time],
  ["LocalDateTime", localDateTime],
  ["DateTime with offset", dateTimeOffset],
  ["Duration", duration],
  ["Point", point]
]

const roundTrip = (value: unknown, caps: Capabilities): unknown => decode(encode(value, caps), caps)

/**
 * Strict comparison for the round trips: the same class at every position (Equal.equals checks
 * it for the value classes), lists and maps compared element by element.
 */
const same = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, k) => same(x, b[k]))
  if (Equal.isEqual(a)) return Equal.equals(a, b)
  if (a !== null && typeof a === "object") {
    if (b === null || typeof b !== "object" || Array.isArray(b) || Equal.isEqual(b)) return false
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same((a as any)[k], (b as any)[k]))
  }
  return Object.is(a, b)
}

const nested = (leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    leaf,
    fc.array(leaf, { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 5 }), leaf, { maxKeys: 5 }),
    fc.array(fc.dictionary(fc.string({ maxLength: 3 }), fc.array(leaf, { maxLength: 3 }), { maxKeys: 3 }), { maxLength: 3 })
  )

describe("round trips: value -> dehydrate -> pack -> unpack -> hydrate", () => {
  it("the comparison is strict: it sees a changed field", () => {
    expect(same([{ a: new T.Date(2024, 1, 1) }], [{ a: new T.Date(2024, 1, 1) }])).toBe(true)
    expect(same([{ a: new T.Date(2024, 1, 1) }], [{ a: new T.Date(2024, 1, 2) }])).toBe(false)
    expect(same([{ a: new T.Date(2024, 1, 1) }], [{ b: new T.Date(2024, 1, 1) }])).toBe(false)
    expect(same(new T.LocalTime(1, 0, 0, 0), new T.Time(1, 0, 0, 0, 0))).toBe(false)
    expect(same({}, new T.Date(2024, 1, 1))).toBe(false)
  })

  for (const [capsName, caps] of ALL) {
    for (const [name, arb] of ARBITRARIES) {
      it(`${name} on Bolt ${capsName}, nested in lists and maps`, () => {
        fc.assert(
          fc.property(nested(arb), (value) => {
            expect(same(roundTrip(value, caps), value)).toBe(true)
          }),
          { numRuns: 150 }
        )
      })
    }
  }

  for (const [capsName, caps] of [
    ["4.4+utc", V44_UTC],
    ["5.0", V50],
    ["6.0", V60]
  ] as const) {
    it(`DateTime at an instant in a zone (offset and id) on Bolt ${capsName}`, () => {
      fc.assert(
        fc.property(nested(dateTimeAtInstant), (value) => {
          expect(same(roundTrip(value, caps), value)).toBe(true)
        }),
        { numRuns: 150 }
      )
    })
  }

  it("DateTime with a zone id alone on Bolt 4.4 (legacy `f` keeps the wall-clock time)", () => {
    fc.assert(
      fc.property(nested(dateTimeZoneOnly), (value) => {
        expect(same(roundTrip(value, V44), value)).toBe(true)
      }),
      { numRuns: 150 }
    )
  })

  it("DateTime with a zone id alone on Bolt 5: the offset is resolved, the wall-clock time kept (outside transitions)", () => {
    fc.assert(
      fc.property(dateTimeAtInstant, (dt) => {
        const zoneOnly = new T.DateTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.nanosecond, undefined, dt.timeZoneId)
        const back = roundTrip(zoneOnly, V50) as T.DateTime
        expect(back.timeZoneId).toBe(dt.timeZoneId)
        expect(back.timeZoneOffsetSeconds).toBe(zoneOnly.resolvedOffsetSeconds())
        expect(back.toLocalEpochSecond()).toBe(dt.toLocalEpochSecond())
      }),
      { numRuns: 200 }
    )
  })

  it("Vector of every element type on Bolt 6.0, nested in lists and maps", () => {
    fc.assert(
      fc.property(nested(vector), (value) => {
        expect(same(roundTrip(value, V60), value)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it("everything at once on Bolt 6.0", () => {
    const any = fc.oneof(...ARBITRARIES.map(([, a]) => a), dateTimeAtInstant, vector, fc.string(), fc.integer(), fc.constant(null))
    fc.assert(
      fc.property(fc.dictionary(fc.string(), nested(any), { maxKeys: 6 }), (value) => {
        expect(same(roundTrip(value, V60), value)).toBe(true)
      }),
      { numRuns: 200 }
    )
  })
})
