/**
 * The structure tags of bolt/structure-semantics.adoc, their names, and the element type markers
 * of a Vector.
 */

export const NODE = 0x4e
export const RELATIONSHIP = 0x52
export const UNBOUND_RELATIONSHIP = 0x72
export const PATH = 0x50
export const DATE = 0x44
export const TIME = 0x54
export const LOCAL_TIME = 0x74
export const DATE_TIME = 0x49
export const DATE_TIME_ZONE_ID = 0x69
export const LOCAL_DATE_TIME = 0x64
export const DURATION = 0x45
export const POINT_2D = 0x58
export const POINT_3D = 0x59
export const VECTOR = 0x56
export const UNSUPPORTED_TYPE = 0x3f
export const LEGACY_DATE_TIME = 0x46
export const LEGACY_DATE_TIME_ZONE_ID = 0x66

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
export const VECTOR_INT_8 = 0xc8
export const VECTOR_INT_16 = 0xc9
export const VECTOR_INT_32 = 0xca
export const VECTOR_INT_64 = 0xcb
export const VECTOR_FLOAT_32 = 0xc6
export const VECTOR_FLOAT_64 = 0xc1
