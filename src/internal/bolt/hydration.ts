/**
 * Hydration: PackStream structures to graph, temporal, spatial and vector values, and back for
 * parameters, per negotiated Bolt version (spec: bolt/structure-semantics.adoc). Pure and
 * synchronous; malformed structures throw one `PackStreamError` naming the structure.
 *
 * What the version changes comes from the `Capabilities` row:
 * - `elementIds` (5.0+): Node 4 fields (3 before), Relationship 8 (5), UnboundRelationship 4 (3);
 *   before 5.0 `elementId` is the numeric id as a string, as the official driver does.
 * - `utcDateTime` (5.0+, 4.4 with the `utc` patch): DateTime `I`/`i` carry UTC seconds; otherwise the
 *   legacy `F`/`f` carry local seconds. A structure of the other form is an error.
 * - `vectors` (6.0+): Vector `V` and UnsupportedType `?`.
 *
 * Hot path: one switch on the signature, module-level functions, no closure per call.
 */
import * as Graph from "../../Graph.js"
import * as Spatial from "../../Spatial.js"
import * as Temporal from "../../Temporal.js"
import * as Vectors from "../../Vector.js"
import { PackStreamError } from "../packstream/errors.js"
import { Float } from "../packstream/numbers.js"
import type { Dehydrator } from "../packstream/packer.js"
import { Structure } from "../packstream/structure.js"
import type { Hydrator } from "../packstream/unpacker.js"
import { type Capabilities, format } from "./version.js"

// ---------------------------------------------------------------------------------------------
// tags (spec: bolt/structure-semantics.adoc)

const NODE = 0x4e
const RELATIONSHIP = 0x52
const UNBOUND_RELATIONSHIP = 0x72
const PATH = 0x50
const DATE = 0x44
const TIME = 0x54
const LOCAL_TIME = 0x74
const DATE_TIME = 0x49
const DATE_TIME_ZONE_ID = 0x69
const LOCAL_DATE_TIME = 0x64
const DURATION = 0x45
const POINT_2D = 0x58
const POINT_3D = 0x59
const VECTOR = 0x56
const UNSUPPORTED_TYPE = 0x3f
const LEGACY_DATE_TIME = 0x46
const LEGACY_DATE_TIME_ZONE_ID = 0x66

/**
 * The structure tags of bolt/structure-semantics.adoc, by name (for the stub server and traces).
 *
 * @since 0.1.0
 * @category constants
 */
export const TAG = {
  NODE,
  RELATIONSHIP,
  UNBOUND_RELATIONSHIP,
  PATH,
  DATE,
  TIME,
  LOCAL_TIME,
  DATE_TIME,
  DATE_TIME_ZONE_ID,
  LOCAL_DATE_TIME,
  DURATION,
  POINT_2D,
  POINT_3D,
  VECTOR,
  UNSUPPORTED_TYPE,
  LEGACY_DATE_TIME,
  LEGACY_DATE_TIME_ZONE_ID
} as const

/**
 * Structure names by tag, as the spec names them, for error messages and traces.
 *
 * @since 0.1.0
 * @category constants
 */
export const STRUCTURE_NAMES: Readonly<Record<number, string>> = {
  [NODE]: "Node",
  [RELATIONSHIP]: "Relationship",
  [UNBOUND_RELATIONSHIP]: "UnboundRelationship",
  [PATH]: "Path",
  [DATE]: "Date",
  [TIME]: "Time",
  [LOCAL_TIME]: "LocalTime",
  [DATE_TIME]: "DateTime",
  [DATE_TIME_ZONE_ID]: "DateTimeZoneId",
  [LOCAL_DATE_TIME]: "LocalDateTime",
  [DURATION]: "Duration",
  [POINT_2D]: "Point2D",
  [POINT_3D]: "Point3D",
  [VECTOR]: "Vector",
  [UNSUPPORTED_TYPE]: "UnsupportedType",
  [LEGACY_DATE_TIME]: "Legacy DateTime",
  [LEGACY_DATE_TIME_ZONE_ID]: "Legacy DateTimeZoneId"
}

/** Vector element type markers (the PackStream markers of the element type). */
const VECTOR_INT_8 = 0xc8
const VECTOR_INT_16 = 0xc9
const VECTOR_INT_32 = 0xca
const VECTOR_INT_64 = 0xcb
const VECTOR_FLOAT_32 = 0xc6
const VECTOR_FLOAT_64 = 0xc1

// ---------------------------------------------------------------------------------------------
// failures

const hex = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

const nameOf = (tag: number): string => `${STRUCTURE_NAMES[tag] ?? "unknown"} structure (0x${hex(tag)})`

const describe = (v: unknown): string => {
  if (v === null) return "null"
  if (Array.isArray(v)) return "a list"
  if (v instanceof Uint8Array) return "bytes"
  if (typeof v === "object") {
    const name = (v as { constructor?: { name?: string } }).constructor?.name
    return name === undefined || name === "Object" ? "a map" : `a ${name}`
  }
  if (typeof v === "number" && !Number.isInteger(v)) return "a float"
  return `a ${typeof v}`
}

function fail(message: string): never {
  throw new PackStreamError({ message })
}

function arity(tag: number, expected: number, got: number, version: string): never {
  return fail(`${nameOf(tag)} must have ${expected} fields on Bolt ${version}, got ${got}`)
}

function badField(tag: number, field: string, expected: string, got: unknown): never {
  return fail(`${nameOf(tag)}: field ${field} must be ${expected}, got ${describe(got)}`)
}

// ---------------------------------------------------------------------------------------------
// field checks

const isInt = (v: unknown): v is number | bigint =>
  typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))

const isMap = (v: unknown): v is Graph.Properties =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype

const isStringList = (v: unknown): v is Array<string> => {
  if (!Array.isArray(v)) return false
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false
  return true
}

const int = (tag: number, field: string, v: unknown): number | bigint => (isInt(v) ? v : badField(tag, field, "an integer", v))

const str = (tag: number, field: string, v: unknown): string => (typeof v === "string" ? v : badField(tag, field, "a string", v))

const float = (tag: number, field: string, v: unknown): number =>
  typeof v === "number" ? v : badField(tag, field, "a float", v)

/** a small integer (index, srid, version) as a number */
const small = (tag: number, field: string, v: unknown): number => {
  if (typeof v === "number" && Number.isInteger(v)) return v
  if (typeof v === "bigint" && v >= -0x7fffffffn && v <= 0x7fffffffn) return Number(v)
  return badField(tag, field, "an integer", v)
}

// ---------------------------------------------------------------------------------------------
// graph

const hydrateNode = (f: Array<unknown>, elementIds: boolean, version: string): Graph.Node => {
  if (f.length !== (elementIds ? 4 : 3)) arity(NODE, elementIds ? 4 : 3, f.length, version)
  const id = f[0]
  const labels = f[1]
  const properties = f[2]
  if (!isInt(id)) badField(NODE, "id", "an integer", id)
  if (!isStringList(labels)) badField(NODE, "labels", "a list of strings", labels)
  if (!isMap(properties)) badField(NODE, "properties", "a map", properties)
  if (!elementIds) return new Graph.Node(id, labels, properties, String(id))
  const elementId = f[3]
  if (typeof elementId !== "string") badField(NODE, "element_id", "a string", elementId)
  return new Graph.Node(id, labels, properties, elementId)
}

const hydrateRelationship = (f: Array<unknown>, elementIds: boolean, version: string): Graph.Relationship => {
  if (f.length !== (elementIds ? 8 : 5)) arity(RELATIONSHIP, elementIds ? 8 : 5, f.length, version)
  const id = f[0]
  const start = f[1]
  const end = f[2]
  const type = f[3]
  const properties = f[4]
  if (!isInt(id)) badField(RELATIONSHIP, "id", "an integer", id)
  if (!isInt(start)) badField(RELATIONSHIP, "startNodeId", "an integer", start)
  if (!isInt(end)) badField(RELATIONSHIP, "endNodeId", "an integer", end)
  if (typeof type !== "string") badField(RELATIONSHIP, "type", "a string", type)
  if (!isMap(properties)) badField(RELATIONSHIP, "properties", "a map", properties)
  if (!elementIds) {
    return new Graph.Relationship(id, start, end, type, properties, String(id), String(start), String(end))
  }
  const elementId = f[5]
  const startElementId = f[6]
  const endElementId = f[7]
  if (typeof elementId !== "string") badField(RELATIONSHIP, "element_id", "a string", elementId)
  if (typeof startElementId !== "string") badField(RELATIONSHIP, "start_node_element_id", "a string", startElementId)
  if (typeof endElementId !== "string") badField(RELATIONSHIP, "end_node_element_id", "a string", endElementId)
  return new Graph.Relationship(id, start, end, type, properties, elementId, startElementId, endElementId)
}

const hydrateUnbound = (f: Array<unknown>, elementIds: boolean, version: string): Graph.UnboundRelationship => {
  if (f.length !== (elementIds ? 4 : 3)) arity(UNBOUND_RELATIONSHIP, elementIds ? 4 : 3, f.length, version)
  const id = f[0]
  const type = f[1]
  const properties = f[2]
  if (!isInt(id)) badField(UNBOUND_RELATIONSHIP, "id", "an integer", id)
  if (typeof type !== "string") badField(UNBOUND_RELATIONSHIP, "type", "a string", type)
  if (!isMap(properties)) badField(UNBOUND_RELATIONSHIP, "properties", "a map", properties)
  if (!elementIds) return new Graph.UnboundRelationship(id, type, properties, String(id))
  const elementId = f[3]
  if (typeof elementId !== "string") badField(UNBOUND_RELATIONSHIP, "element_id", "a string", elementId)
  return new Graph.UnboundRelationship(id, type, properties, elementId)
}

/**
 * indices: pairs (relationship, node). A relationship index is 1-based into `rels`, negative when
 * walked against its direction, never 0; a node index is 0-based into `nodes`. Each occurrence is
 * bound to the nodes it joins, as the spec describes.
 */
const hydratePath = (f: Array<unknown>, version: string): Graph.Path => {
  if (f.length !== 3) arity(PATH, 3, f.length, version)
  const nodes = f[0]
  const rels = f[1]
  const indices = f[2]
  if (!Array.isArray(nodes) || nodes.length === 0) badField(PATH, "nodes", "a non-empty list of nodes", nodes)
  if (!Array.isArray(rels)) badField(PATH, "rels", "a list of unbound relationships", rels)
  if (!Array.isArray(indices) || indices.length % 2 !== 0) badField(PATH, "indices", "a list of even length", indices)
  for (let i = 0; i < nodes.length; i++) {
    if (!(nodes[i] instanceof Graph.Node)) badField(PATH, `nodes[${i}]`, "a Node", nodes[i])
  }
  for (let i = 0; i < rels.length; i++) {
    if (!(rels[i] instanceof Graph.UnboundRelationship)) badField(PATH, `rels[${i}]`, "an UnboundRelationship", rels[i])
  }
  const ns = nodes as Array<Graph.Node>
  const rs = rels as Array<Graph.UnboundRelationship>
  const segments = new Array<Graph.PathSegment>(indices.length / 2)
  let prev = ns[0]!
  for (let i = 0; i < indices.length; i += 2) {
    const r = small(PATH, `indices[${i}]`, indices[i])
    const n = small(PATH, `indices[${i + 1}]`, indices[i + 1])
    if (r === 0 || r > rs.length || -r > rs.length) {
      fail(`${nameOf(PATH)}: relationship index ${r} at indices[${i}] is outside ±1..${rs.length}`)
    }
    if (n < 0 || n >= ns.length) {
      fail(`${nameOf(PATH)}: node index ${n} at indices[${i + 1}] is outside 0..${ns.length - 1}`)
    }
    const next = ns[n]!
    const rel = r > 0 ? rs[r - 1]!.bindTo(prev, next) : rs[-r - 1]!.bindTo(next, prev)
    segments[i >> 1] = new Graph.PathSegment(prev, rel, next)
    prev = next
  }
  return new Graph.Path(ns[0]!, prev, segments)
}

// ---------------------------------------------------------------------------------------------
// temporal, spatial, vector

function checkArity(tag: number, f: Array<unknown>, n: number, version: string): void {
  if (f.length !== n) arity(tag, n, f.length, version)
}

const hydrateVector = (f: Array<unknown>, version: string): Vectors.Vector => {
  checkArity(VECTOR, f, 2, version)
  const marker = f[0]
  const data = f[1]
  if (!(marker instanceof Uint8Array) || marker.length !== 1) {
    badField(VECTOR, "type_marker", "one byte", marker)
  }
  if (!(data instanceof Uint8Array)) badField(VECTOR, "data", "bytes", data)
  const type = marker[0]!
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const bytes = data.length
  switch (type) {
    case VECTOR_INT_8:
      return new Vectors.Vector(new Int8Array(data.buffer, data.byteOffset, bytes))
    case VECTOR_INT_16: {
      const out = new Int16Array(elements(bytes, 2))
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2)
      return new Vectors.Vector(out)
    }
    case VECTOR_INT_32: {
      const out = new Int32Array(elements(bytes, 4))
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4)
      return new Vectors.Vector(out)
    }
    case VECTOR_INT_64: {
      const out = new BigInt64Array(elements(bytes, 8))
      for (let i = 0; i < out.length; i++) out[i] = view.getBigInt64(i * 8)
      return new Vectors.Vector(out)
    }
    case VECTOR_FLOAT_32: {
      const out = new Float32Array(elements(bytes, 4))
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4)
      return new Vectors.Vector(out)
    }
    case VECTOR_FLOAT_64: {
      const out = new Float64Array(elements(bytes, 8))
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8)
      return new Vectors.Vector(out)
    }
    default:
      return fail(`${nameOf(VECTOR)}: unknown element type marker 0x${hex(type)}`)
  }
}

const elements = (bytes: number, size: number): number =>
  bytes % size === 0 ? bytes / size : fail(`${nameOf(VECTOR)}: ${bytes} data bytes is not a whole number of ${size}-byte elements`)

const hydrateUnsupported = (f: Array<unknown>, version: string): Vectors.UnsupportedType => {
  checkArity(UNSUPPORTED_TYPE, f, 4, version)
  const name = str(UNSUPPORTED_TYPE, "name", f[0])
  const major = small(UNSUPPORTED_TYPE, "minimum_protocol_major", f[1])
  const minor = small(UNSUPPORTED_TYPE, "minimum_protocol_minor", f[2])
  const extra = f[3]
  if (!isMap(extra)) badField(UNSUPPORTED_TYPE, "extra", "a map", extra)
  const message = extra["message"]
  if (message !== undefined && message !== null && typeof message !== "string") {
    badField(UNSUPPORTED_TYPE, "extra.message", "a string", message)
  }
  return new Vectors.UnsupportedType(name, major, minor, message ?? undefined)
}

/** every structure but the graph ones; the value classes' RangeErrors become PackStreamErrors */
const hydrateValue = (
  tag: number,
  f: Array<unknown>,
  utc: boolean,
  vectors: boolean,
  version: string
): unknown => {
  try {
    switch (tag) {
      case DATE:
        checkArity(tag, f, 1, version)
        return Temporal.Date.fromEpochDay(int(tag, "days", f[0]))
      case LOCAL_DATE_TIME:
        checkArity(tag, f, 2, version)
        return Temporal.LocalDateTime.fromEpochSecond(int(tag, "seconds", f[0]), int(tag, "nanoseconds", f[1]))
      case DATE_TIME:
      case DATE_TIME_ZONE_ID:
        if (!utc) {
          fail(`${nameOf(tag)} is not used on Bolt ${version} without the utc patch: expected the legacy form`)
        }
        checkArity(tag, f, 3, version)
        return Temporal.DateTime.fromEpochSecond(
          int(tag, "seconds", f[0]),
          int(tag, "nanoseconds", f[1]),
          tag === DATE_TIME ? int(tag, "tz_offset_seconds", f[2]) : str(tag, "tz_id", f[2])
        )
      case LEGACY_DATE_TIME:
      case LEGACY_DATE_TIME_ZONE_ID:
        if (utc) fail(`${nameOf(tag)} is not used on Bolt ${version}, which carries DateTime in UTC form`)
        checkArity(tag, f, 3, version)
        return Temporal.DateTime.fromLocalEpochSecond(
          int(tag, "seconds", f[0]),
          int(tag, "nanoseconds", f[1]),
          tag === LEGACY_DATE_TIME ? int(tag, "tz_offset_seconds", f[2]) : str(tag, "tz_id", f[2])
        )
      case LOCAL_TIME:
        checkArity(tag, f, 1, version)
        return Temporal.LocalTime.fromNanoOfDay(int(tag, "nanoseconds", f[0]))
      case TIME:
        checkArity(tag, f, 2, version)
        return Temporal.Time.fromNanoOfDay(int(tag, "nanoseconds", f[0]), int(tag, "tz_offset_seconds", f[1]))
      case DURATION:
        checkArity(tag, f, 4, version)
        return new Temporal.Duration(
          int(tag, "months", f[0]),
          int(tag, "days", f[1]),
          int(tag, "seconds", f[2]),
          int(tag, "nanoseconds", f[3])
        )
      case POINT_2D:
        checkArity(tag, f, 3, version)
        return new Spatial.Point(small(tag, "srid", f[0]), float(tag, "x", f[1]), float(tag, "y", f[2]))
      case POINT_3D:
        checkArity(tag, f, 4, version)
        return new Spatial.Point(
          small(tag, "srid", f[0]),
          float(tag, "x", f[1]),
          float(tag, "y", f[2]),
          float(tag, "z", f[3])
        )
      case VECTOR:
      case UNSUPPORTED_TYPE:
        if (!vectors) fail(`${nameOf(tag)} is not part of Bolt ${version} (it needs 6.0)`)
        return tag === VECTOR ? hydrateVector(f, version) : hydrateUnsupported(f, version)
      default:
        return fail(`unknown structure tag 0x${hex(tag)} on Bolt ${version}`)
    }
  } catch (e) {
    if (e instanceof RangeError) fail(`${nameOf(tag)}: ${e.message}`)
    throw e
  }
}

/**
 * The unpacker's structure hook for a negotiated version. Throws `PackStreamError` on a wrong
 * field count, a wrong field type, an out-of-range value, a structure of another version, or an
 * unknown tag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHydrator = (caps: Capabilities): Hydrator => {
  const elementIds = caps.elementIds
  const utc = caps.utcDateTime
  const vectors = caps.vectors
  const version = format(caps.version)
  return (signature, fields) => {
    switch (signature) {
      case NODE:
        return hydrateNode(fields, elementIds, version)
      case RELATIONSHIP:
        return hydrateRelationship(fields, elementIds, version)
      case UNBOUND_RELATIONSHIP:
        return hydrateUnbound(fields, elementIds, version)
      case PATH:
        return hydratePath(fields, version)
      default:
        return hydrateValue(signature, fields, utc, vectors, version)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// dehydration (parameters)

const dehydrateDateTime = (v: Temporal.DateTime, utc: boolean): Structure => {
  if (utc) {
    return v.timeZoneId === undefined
      ? new Structure(DATE_TIME, [v.toEpochSecond(), v.nanosecond, v.timeZoneOffsetSeconds])
      : new Structure(DATE_TIME_ZONE_ID, [v.toEpochSecond(), v.nanosecond, v.timeZoneId])
  }
  return v.timeZoneId === undefined
    ? new Structure(LEGACY_DATE_TIME, [v.toLocalEpochSecond(), v.nanosecond, v.timeZoneOffsetSeconds])
    : new Structure(LEGACY_DATE_TIME_ZONE_ID, [v.toLocalEpochSecond(), v.nanosecond, v.timeZoneId])
}

/** elements big-endian, as the spec requires */
const vectorBytes = (v: Vectors.Vector): [number, Uint8Array] => {
  const a = v.data
  switch (v.type) {
    case "INT8":
      return [VECTOR_INT_8, new Uint8Array(a.buffer, a.byteOffset, a.length)]
    case "INT16": {
      const out = new Uint8Array(a.length * 2)
      const view = new DataView(out.buffer)
      const src = a as Int16Array
      for (let i = 0; i < src.length; i++) view.setInt16(i * 2, src[i]!)
      return [VECTOR_INT_16, out]
    }
    case "INT32": {
      const out = new Uint8Array(a.length * 4)
      const view = new DataView(out.buffer)
      const src = a as Int32Array
      for (let i = 0; i < src.length; i++) view.setInt32(i * 4, src[i]!)
      return [VECTOR_INT_32, out]
    }
    case "INT64": {
      const out = new Uint8Array(a.length * 8)
      const view = new DataView(out.buffer)
      const src = a as BigInt64Array
      for (let i = 0; i < src.length; i++) view.setBigInt64(i * 8, src[i]!)
      return [VECTOR_INT_64, out]
    }
    case "FLOAT32": {
      const out = new Uint8Array(a.length * 4)
      const view = new DataView(out.buffer)
      const src = a as Float32Array
      for (let i = 0; i < src.length; i++) view.setFloat32(i * 4, src[i]!)
      return [VECTOR_FLOAT_32, out]
    }
    case "FLOAT64": {
      const out = new Uint8Array(a.length * 8)
      const view = new DataView(out.buffer)
      const src = a as Float64Array
      for (let i = 0; i < src.length; i++) view.setFloat64(i * 8, src[i]!)
      return [VECTOR_FLOAT_64, out]
    }
  }
}

const dehydrate = (value: object, utc: boolean, vectors: boolean, version: string): Structure | undefined => {
  if (value instanceof Temporal.DateTime) return dehydrateDateTime(value, utc)
  if (value instanceof Temporal.Date) return new Structure(DATE, [value.toEpochDay()])
  if (value instanceof Temporal.LocalDateTime) {
    return new Structure(LOCAL_DATE_TIME, [value.toEpochSecond(), value.nanosecond])
  }
  if (value instanceof Temporal.Duration) {
    return new Structure(DURATION, [value.months, value.days, value.seconds, value.nanoseconds])
  }
  if (value instanceof Spatial.Point) {
    return value.z === undefined
      ? new Structure(POINT_2D, [value.srid, new Float(value.x), new Float(value.y)])
      : new Structure(POINT_3D, [value.srid, new Float(value.x), new Float(value.y), new Float(value.z)])
  }
  if (value instanceof Temporal.LocalTime) return new Structure(LOCAL_TIME, [value.toNanoOfDay()])
  if (value instanceof Temporal.Time) {
    return new Structure(TIME, [value.toNanoOfDay(), value.timeZoneOffsetSeconds])
  }
  if (value instanceof Vectors.Vector) {
    if (!vectors) fail(`a Vector parameter needs Bolt 6.0 or later; this connection speaks Bolt ${version}`)
    const [marker, bytes] = vectorBytes(value)
    return new Structure(VECTOR, [Uint8Array.of(marker), bytes])
  }
  // graph values and UnsupportedType are not sendable: the packer reports them
  return undefined
}

/**
 * The packer's hook for parameters on a negotiated version: temporal, spatial and (6.0+) vector
 * values become structures; anything else is `undefined`, which the packer reports as unsupported.
 * A Vector before 6.0 throws `PackStreamError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDehydrator = (caps: Capabilities): Dehydrator => {
  const utc = caps.utcDateTime
  const vectors = caps.vectors
  const version = format(caps.version)
  return (value) => dehydrate(value, utc, vectors, version)
}
