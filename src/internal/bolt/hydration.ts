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
 * A DateTime in a zone id this runtime's `Intl` does not know is well formed but cannot be
 * represented: a hydrator with an `Unrepresentable` sink that is collecting (a connection decoding
 * a RECORD) notes it there and lets the rest of the message decode, so that only that record
 * fails (`BrokenRecordError`); without one it is a `PackStreamError` like any bad structure.
 *
 * Hot path: one switch on the signature, module-level functions, no closure per call.
 */
import * as Spatial from "../../Spatial.js"
import * as Temporal from "../../Temporal.js"
import * as Vectors from "../../Vector.js"
import { Float } from "../packstream/numbers.js"
import type { Dehydrator } from "../packstream/packer.js"
import { Structure } from "../packstream/structure.js"
import type { Hydrator } from "../packstream/unpacker.js"
import { checkArity, fail, float, hex, int, nameOf, small, str } from "./hydration/fields.js"
import { hydrateNode, hydratePath, hydrateRelationship, hydrateUnbound } from "./hydration/graph.js"
import {
  DATE,
  DATE_TIME,
  DATE_TIME_ZONE_ID,
  DURATION,
  LEGACY_DATE_TIME,
  LEGACY_DATE_TIME_ZONE_ID,
  LOCAL_DATE_TIME,
  LOCAL_TIME,
  NODE,
  PATH,
  POINT_2D,
  POINT_3D,
  RELATIONSHIP,
  TIME,
  UNBOUND_RELATIONSHIP,
  UNSUPPORTED_TYPE,
  VECTOR
} from "./hydration/tags.js"
import { hydrateUnsupported, hydrateVector, vectorBytes } from "./hydration/vector.js"
import { type Capabilities, format } from "./version.js"

export { STRUCTURE_NAMES, TAG } from "./hydration/tags.js"

// ---------------------------------------------------------------------------------------------
// well-formed values that cannot be represented

/**
 * Where a connection's hydrator notes the well-formed values it cannot represent while a RECORD
 * is decoded (today: a DateTime in a time-zone id this runtime's `Intl` does not know), instead of
 * failing the whole message: the structure's fields are still checked, its raw `Structure` stands
 * in for it, and the rest of the record is decoded (and checked) as usual. The connection then
 * fails that one record. Outside `start`/`stop` such a value is a `PackStreamError`.
 *
 * @since 0.1.0
 * @category models
 */
export class Unrepresentable {
  /** whether such values are noted (between `start` and `stop`) rather than errors */
  collecting = false
  /** what is wrong with the first one noted since `start` */
  first: string | undefined = undefined

  /** Starts noting (before a record's values are decoded). */
  start(): void {
    this.collecting = true
    this.first = undefined
  }

  /** Stops noting: what is wrong with the first value noted since `start`, if any. */
  stop(): string | undefined {
    const first = this.first
    this.collecting = false
    this.first = undefined
    return first
  }
}

/**
 * A DateTime in a zone id: `i` at a UTC instant, legacy `f` at a wall-clock time. An unknown zone
 * id is noted in a collecting sink once the other fields are checked (out of range there is a
 * garbled value, not an unrepresentable one), and the raw structure stands in.
 */
const hydrateZoned = (tag: number, f: Array<unknown>, atInstant: boolean, sink: Unrepresentable | undefined): unknown => {
  const seconds = int(tag, "seconds", f[0])
  const nanoseconds = int(tag, "nanoseconds", f[1])
  const zoneId = str(tag, "tz_id", f[2])
  if (Temporal.isKnownTimeZone(zoneId)) {
    return atInstant
      ? Temporal.DateTime.fromEpochSecond(seconds, nanoseconds, zoneId)
      : Temporal.DateTime.fromLocalEpochSecond(seconds, nanoseconds, zoneId)
  }
  const problem = `${nameOf(tag)}: unknown time zone id ${JSON.stringify(zoneId)}`
  if (sink === undefined || !sink.collecting) return fail(problem)
  // the same checks as with a known zone (at offset 0): a RangeError here is a PackStreamError
  Temporal.DateTime.fromEpochSecond(seconds, nanoseconds, 0)
  sink.first ??= `${problem}, which this runtime's time-zone data (Intl) does not have`
  return new Structure(tag, f)
}

// ---------------------------------------------------------------------------------------------
// temporal and spatial (graph and vector structures are in hydration/)

/** every structure but the graph ones; the value classes' RangeErrors become PackStreamErrors */
const hydrateValue = (
  tag: number,
  f: Array<unknown>,
  utc: boolean,
  vectors: boolean,
  version: string,
  sink: Unrepresentable | undefined
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
        if (tag === DATE_TIME_ZONE_ID) return hydrateZoned(tag, f, true, sink)
        return Temporal.DateTime.fromEpochSecond(
          int(tag, "seconds", f[0]),
          int(tag, "nanoseconds", f[1]),
          int(tag, "tz_offset_seconds", f[2])
        )
      case LEGACY_DATE_TIME:
      case LEGACY_DATE_TIME_ZONE_ID:
        if (utc) fail(`${nameOf(tag)} is not used on Bolt ${version}, which carries DateTime in UTC form`)
        checkArity(tag, f, 3, version)
        if (tag === LEGACY_DATE_TIME_ZONE_ID) return hydrateZoned(tag, f, false, sink)
        return Temporal.DateTime.fromLocalEpochSecond(
          int(tag, "seconds", f[0]),
          int(tag, "nanoseconds", f[1]),
          int(tag, "tz_offset_seconds", f[2])
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
 * unknown tag; on a zone id this runtime does not know too, unless `sink` is collecting (then the
 * sink notes it, see `Unrepresentable`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHydrator = (caps: Capabilities, sink?: Unrepresentable): Hydrator => {
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
        return hydrateValue(signature, fields, utc, vectors, version, sink)
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
