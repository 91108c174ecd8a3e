/**
 * TestKit's Cypher value encoding (nutkit/protocol/cypher.py) to and from the driver's values.
 *
 * Drivers made by the backend use `useBigInt: true`, so every Integer the driver returns is a
 * `bigint` and every `number` is a Float: that is how CypherInt and CypherFloat are told apart.
 * Parameters are sent with the explicit `Values.int` / `Values.float` wrappers.
 */
import { Graph, Spatial, Temporal, Values, Vector } from "effect-neo4j"
import type { Json } from "./json.js"

/** A TestKit value: `{ name, data }`. */
export interface Tagged {
  readonly name: string
  readonly data?: { readonly [key: string]: Json } | null
}

const tagged = (name: string, data: Record<string, unknown>): { name: string; data: Record<string, unknown> } => ({
  name,
  data
})

/** The wall-clock fields TestKit's CypherTime and CypherDateTime share. */
const clock = (v: { readonly hour: number; readonly minute: number; readonly second: number; readonly nanosecond: number }) => ({
  hour: v.hour,
  minute: v.minute,
  second: v.second,
  nanosecond: v.nanosecond
})

/** The calendar fields of CypherDateTime. */
const calendar = (v: { readonly year: number; readonly month: number; readonly day: number }) => ({
  year: v.year,
  month: v.month,
  day: v.day
})

const isTagged = (u: unknown): u is Tagged =>
  typeof u === "object" && u !== null && !Array.isArray(u) && typeof (u as { name?: unknown }).name === "string"

/** An object with ordinary own keys only (a "__proto__" key stays a key). */
const newMap = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>
const setKey = (o: Record<string, unknown>, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })

const SRID = { cartesian: [7203, 9157], wgs84: [4326, 4979] } as const

const int = (v: Json | undefined, what: string): number => {
  if (typeof v === "number" && Number.isInteger(v)) return v
  if (typeof v === "bigint") return Number(v)
  throw new TypeError(`${what} must be an integer, got ${String(v)}`)
}

const intOrBig = (v: Json | undefined, what: string): number | bigint => {
  if (typeof v === "number" && Number.isInteger(v)) return v
  if (typeof v === "bigint") return v
  throw new TypeError(`${what} must be an integer, got ${String(v)}`)
}

const floatOf = (v: Json | undefined): number => {
  if (typeof v === "number") return v
  if (typeof v === "bigint") return Number(v)
  if (v === "NaN") return Number.NaN
  if (v === "+Infinity" || v === "Infinity") return Number.POSITIVE_INFINITY
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY
  throw new TypeError(`not a float: ${String(v)}`)
}

/** A TestKit value to a driver parameter value. Throws on what cannot be a parameter. */
export const toDriver = (v: unknown): unknown => {
  if (v === null || v === undefined) return null
  if (!isTagged(v)) throw new TypeError(`not a TestKit Cypher value: ${JSON.stringify(v)}`)
  const d = (v.data ?? {}) as { readonly [key: string]: Json }
  switch (v.name) {
    case "CypherNull":
      return null
    case "CypherBool":
      return d.value === true
    case "CypherInt":
      return Values.int(intOrBig(d.value, "CypherInt"))
    case "CypherFloat":
      return Values.float(floatOf(d.value))
    case "CypherString":
      return String(d.value)
    case "CypherBytes": {
      const text = String(d.value ?? "").trim()
      return text === "" ? new Uint8Array(0) : Uint8Array.from(text.split(/\s+/), (h) => parseInt(h, 16))
    }
    case "CypherList":
      return ((d.value ?? []) as ReadonlyArray<unknown>).map(toDriver)
    case "CypherMap":
      return mapToDriver(d.value as Record<string, unknown> | null | undefined)
    case "CypherPoint": {
      const system = d.system as "cartesian" | "wgs84"
      const srids = SRID[system]
      if (srids === undefined) throw new TypeError(`unknown point system ${String(system)}`)
      const z = d.z === null || d.z === undefined ? undefined : floatOf(d.z)
      return new Spatial.Point(z === undefined ? srids[0] : srids[1], floatOf(d.x), floatOf(d.y), z)
    }
    case "CypherDate":
      return new Temporal.Date(int(d.year, "year"), int(d.month, "month"), int(d.day, "day"))
    case "CypherTime": {
      const [h, m, s, ns] = [int(d.hour, "hour"), int(d.minute, "minute"), int(d.second, "second"), int(d.nanosecond, "nanosecond")]
      return d.utc_offset_s === null || d.utc_offset_s === undefined
        ? new Temporal.LocalTime(h, m, s, ns)
        : new Temporal.Time(h, m, s, ns, int(d.utc_offset_s, "utc_offset_s"))
    }
    case "CypherDateTime": {
      const f = [
        int(d.year, "year"),
        int(d.month, "month"),
        int(d.day, "day"),
        int(d.hour, "hour"),
        int(d.minute, "minute"),
        int(d.second, "second"),
        int(d.nanosecond, "nanosecond")
      ] as const
      const offset = d.utc_offset_s === null || d.utc_offset_s === undefined ? undefined : int(d.utc_offset_s, "utc_offset_s")
      const zone = typeof d.timezone_id === "string" ? d.timezone_id : undefined
      if (offset === undefined && zone === undefined) return new Temporal.LocalDateTime(...f)
      return new Temporal.DateTime(...f, offset, zone)
    }
    case "CypherDuration":
      return new Temporal.Duration(
        intOrBig(d.months, "months"),
        intOrBig(d.days, "days"),
        intOrBig(d.seconds, "seconds"),
        intOrBig(d.nanoseconds, "nanoseconds")
      )
    default:
      throw new TypeError(`${v.name} cannot be sent as a parameter`)
  }
}

/** A TestKit map `{ key: CypherX }` (or null) to a parameter object. */
export const mapToDriver = (m: Readonly<Record<string, unknown>> | null | undefined): Record<string, unknown> => {
  const out = newMap()
  if (m === null || m === undefined) return out
  for (const [k, x] of Object.entries(m)) setKey(out, k, toDriver(x))
  return out
}

const float = (n: number) =>
  tagged("CypherFloat", {
    value: Number.isNaN(n) ? "NaN" : n === Number.POSITIVE_INFINITY ? "+Infinity" : n === Number.NEGATIVE_INFINITY ? "-Infinity" : n
  })

const str = (s: string) => tagged("CypherString", { value: s })
const cint = (n: number | bigint) => tagged("CypherInt", { value: typeof n === "number" ? BigInt(n) : n })

const isPlainObject = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const propsOf = (p: Readonly<Record<string, unknown>>, meta = false) => {
  const value = newMap()
  for (const k of Object.keys(p)) setKey(value, k, fromDriver(p[k], meta))
  return tagged("CypherMap", { value })
}

const node = (n: Graph.Node) =>
  tagged("Node", {
    id: cint(n.identity),
    labels: tagged("CypherList", { value: n.labels.map(str) }),
    props: propsOf(n.properties),
    elementId: str(n.elementId)
  })

const relationship = (r: Graph.Relationship) =>
  tagged("Relationship", {
    id: cint(r.identity),
    startNodeId: cint(r.start),
    endNodeId: cint(r.end),
    type: str(r.type),
    props: propsOf(r.properties),
    elementId: str(r.elementId),
    startNodeElementId: str(r.startNodeElementId),
    endNodeElementId: str(r.endNodeElementId)
  })

const pointSystem = (srid: number): string => {
  if (srid === 7203 || srid === 9157) return "cartesian"
  if (srid === 4326 || srid === 4979) return "wgs84"
  throw new TypeError(`a point with SRID ${srid} has no TestKit form`)
}

/**
 * A driver value (from a record, a summary or an error) to TestKit's encoding.
 *
 * `meta`: the value comes from summary or error metadata (a diagnostic record), which the driver
 * decodes with integers as numbers whatever `useBigInt`; there an integral number is taken as
 * an Integer (the driver's own rule for plain numbers, see `Values`).
 */
export const fromDriver = (v: unknown, meta = false): { name: string; data: Record<string, unknown> } => {
  if (v === null || v === undefined) return tagged("CypherNull", {})
  switch (typeof v) {
    case "boolean":
      return tagged("CypherBool", { value: v })
    case "bigint":
      return tagged("CypherInt", { value: v })
    case "number":
      return meta && Number.isSafeInteger(v) && !Object.is(v, -0) ? cint(v) : float(v)
    case "string":
      return str(v)
    case "object":
      break
    default:
      throw new TypeError(`a ${typeof v} has no TestKit form`)
  }
  if (Array.isArray(v)) return tagged("CypherList", { value: v.map((x) => fromDriver(x, meta)) })
  if (v instanceof Uint8Array) {
    return tagged("CypherBytes", { value: Array.from(v, (b) => b.toString(16).padStart(2, "0")).join(" ") })
  }
  if (v instanceof Values.Int) return cint(v.value)
  if (v instanceof Values.Float) return float(v.value)
  if (Graph.isNode(v)) return node(v)
  if (Graph.isRelationship(v)) return relationship(v)
  if (Graph.isPath(v)) {
    return tagged("Path", {
      nodes: tagged("CypherList", { value: v.nodes.map((n) => node(n)) }),
      relationships: tagged("CypherList", { value: v.relationships.map((r) => relationship(r)) })
    })
  }
  if (Spatial.isPoint(v)) {
    return tagged("CypherPoint", { system: pointSystem(v.srid), x: v.x, y: v.y, z: v.z ?? null })
  }
  if (Temporal.isDate(v)) return tagged("CypherDate", { year: v.year, month: v.month, day: v.day })
  if (Temporal.isLocalTime(v)) return tagged("CypherTime", clock(v))
  if (Temporal.isTime(v)) return tagged("CypherTime", { ...clock(v), utc_offset_s: v.timeZoneOffsetSeconds })
  if (Temporal.isLocalDateTime(v)) return tagged("CypherDateTime", { ...calendar(v), ...clock(v) })
  if (Temporal.isDateTime(v)) {
    return tagged("CypherDateTime", {
      ...calendar(v),
      ...clock(v),
      utc_offset_s: v.resolvedOffsetSeconds(),
      timezone_id: v.timeZoneId ?? null
    })
  }
  if (Temporal.isDuration(v)) {
    return tagged("CypherDuration", { months: v.months, days: v.days, seconds: v.seconds, nanoseconds: v.nanoseconds })
  }
  if (Vector.isVector(v) || Vector.isUnsupportedType(v)) {
    throw new TypeError(`${String(v)}: TestKit (this version) has no encoding for vectors`)
  }
  if (isPlainObject(v)) return propsOf(v as Record<string, unknown>, meta)
  throw new TypeError(`a ${(v as object).constructor?.name ?? "value"} has no TestKit form`)
}

/**
 * A map of driver values to `{ key: CypherX }` (the form of summary parameters and diagnostic
 * records); `meta` as in `fromDriver`.
 */
export const mapFromDriver = (m: Readonly<Record<string, unknown>> | undefined, meta = false): Record<string, unknown> => {
  const out = newMap()
  if (m === undefined) return out
  for (const k of Object.keys(m)) setKey(out, k, fromDriver(m[k], meta))
  return out
}
