/**
 * Bolt protocol versions and the one capability table keyed by the negotiated version.
 * What differs between versions is looked up here, never decided by a class per version.
 */

/**
 * A Bolt protocol version.
 *
 * @since 0.1.0
 */
export interface ProtocolVersion {
  readonly major: number
  readonly minor: number
}

/** Makes a version. */
export const version = (major: number, minor: number): ProtocolVersion => ({ major, minor })

/** "5.8" */
export const format = (v: ProtocolVersion): string => `${v.major}.${v.minor}`

/** Total order on versions: negative when a < b. */
export const compare = (a: ProtocolVersion, b: ProtocolVersion): number =>
  a.major !== b.major ? a.major - b.major : a.minor - b.minor

/** a >= major.minor */
export const atLeast = (v: ProtocolVersion, major: number, minor: number): boolean =>
  v.major > major || (v.major === major && v.minor >= minor)

/**
 * The versions this driver speaks, most preferred first (5.5 is never negotiated by servers).
 *
 * @since 0.1.0
 */
export const SUPPORTED: ReadonlyArray<ProtocolVersion> = [
  version(6, 0),
  version(5, 8),
  version(5, 7),
  version(5, 6),
  version(5, 4),
  version(5, 3),
  version(5, 2),
  version(5, 1),
  version(5, 0),
  version(4, 4),
  version(4, 3),
  version(4, 2)
]

/**
 * What a negotiated version can do. One row per version, computed once.
 *
 * @since 0.1.0
 */
export interface Capabilities {
  readonly version: ProtocolVersion
  /** Node/Relationship/Path carry element ids (5.0+) */
  readonly elementIds: boolean
  /** DateTime structures in UTC form `I`/`i` (5.0+, or 4.4 with the `utc` patch) */
  readonly utcDateTime: boolean
  /** HELLO carries `patch_bolt: ["utc"]` (4.3 and 4.4) */
  readonly utcPatch: boolean
  /** the ROUTE message (4.3+); before, the routing table comes from a procedure */
  readonly route: boolean
  /** ROUTE's third field is an `extra` map (`db`, `imp_user`), not the database name (4.4+) */
  readonly routeExtra: boolean
  /** impersonation: `imp_user` on ROUTE, BEGIN and RUN (4.4+) */
  readonly impersonation: boolean
  /** credentials travel in LOGON, not HELLO (5.1+) */
  readonly logon: boolean
  /** notification filters in HELLO/BEGIN/RUN (5.2+) */
  readonly notificationFilters: boolean
  /** HELLO carries `bolt_agent` (5.3+) */
  readonly boltAgent: boolean
  /** TELEMETRY message (5.4+) */
  readonly telemetry: boolean
  /** notification filters by classification rather than category (5.6+) */
  readonly notificationClassifications: boolean
  /** FAILURE carries GQL fields (5.7+) */
  readonly gqlErrors: boolean
  /** server-side routing hint `ssr.enabled` and home-database cache (5.8+) */
  readonly homeDbCache: boolean
  /** Vector and UnsupportedType structures (6.0+) */
  readonly vectors: boolean
}

/** The capability row for a version (4.4 with `utcPatchAccepted` when the server echoed the patch). */
export const capabilities = (v: ProtocolVersion, utcPatchAccepted = false): Capabilities => {
  const five = v.major >= 5
  return {
    version: v,
    elementIds: five,
    utcDateTime: five || utcPatchAccepted,
    utcPatch: v.major === 4 && v.minor >= 3,
    route: atLeast(v, 4, 3),
    routeExtra: atLeast(v, 4, 4),
    impersonation: atLeast(v, 4, 4),
    logon: atLeast(v, 5, 1),
    notificationFilters: atLeast(v, 5, 2),
    boltAgent: atLeast(v, 5, 3),
    telemetry: atLeast(v, 5, 4),
    notificationClassifications: atLeast(v, 5, 6),
    gqlErrors: atLeast(v, 5, 7),
    homeDbCache: atLeast(v, 5, 8),
    vectors: atLeast(v, 6, 0)
  }
}
