/**
 * Bolt messages (spec: bolt/message.adoc), for the versions this driver speaks (4.4 to 6.0).
 *
 * Requests are packed straight into a `Chunker`: each encoder begins one message, packs its
 * structure with the fields the negotiated version expects (looked up in `Capabilities`, never
 * decided per version class) and ends it. Nothing is built as an intermediate object, so a
 * secret inside an auth token is unwrapped from its `Redacted` only while its bytes are written.
 * Constant requests (RESET, GOODBYE, COMMIT, ...) are framed once at module load.
 *
 * Responses are decoded in `responses.ts`.
 *
 * Everything here is synchronous and throws one `PackStreamError` naming the problem.
 */
import * as Redacted from "effect/Redacted"
import { fail } from "../packstream/errors.js"
import type { Packer } from "../packstream/packer.js"
import { isPlainObject } from "../packstream/plain.js"
import { chunk, type Chunker } from "./chunker.js"
import * as S from "./signatures.js"
import { format, type Capabilities } from "./version.js"

// ---------------------------------------------------------------------------------------------
// Request arguments
// ---------------------------------------------------------------------------------------------

/**
 * An auth token: `scheme` plus the entries of that scheme (`principal`, `credentials`, `realm`,
 * `parameters`, ...). Any value, at any depth, may be `Redacted`: it is unwrapped only while its
 * bytes are packed, and traces never show it.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthToken = Readonly<Record<string, unknown>>

/**
 * Identifies the driver in HELLO (`bolt_agent`, Bolt 5.3+). Applications do not set it.
 *
 * @since 0.1.0
 * @category models
 */
export interface BoltAgent {
  /** "Name/Version" of the driver, for example `effect-neo4j/0.1.0` */
  readonly product: string
  /** for example `Linux 6.1; x64` */
  readonly platform?: string | undefined
  /** for example `Node/20.11.0` */
  readonly language?: string | undefined
  /** for example `V8 11.3` */
  readonly languageDetails?: string | undefined
}

/**
 * Notification filters (Bolt 5.2+). Left out entirely before 5.2: whether an unsupported filter
 * is an error is the connection's decision, not the encoder's (it is: see
 * `connection/notificationFilter.ts`, which refuses one before anything is encoded).
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationFilter {
  /** `notifications_minimum_severity`: `"OFF"`, `"WARNING"` or `"INFORMATION"`; absent = server default */
  readonly minimumSeverity?: string | undefined
  /**
   * Classifications not to report (`HINT`, `UNRECOGNIZED`, `UNSUPPORTED`, `PERFORMANCE`,
   * `DEPRECATION`, `GENERIC`, `SECURITY`, `TOPOLOGY`, `SCHEMA`). Sent as
   * `notifications_disabled_categories` on 5.2 to 5.4 and as
   * `notifications_disabled_classifications` from 5.6. Absent = server default.
   */
  readonly disabledClassifications?: ReadonlyArray<string> | undefined
}

/**
 * The HELLO request.
 *
 * @since 0.1.0
 * @category models
 */
export interface HelloArgs {
  /** `user_agent`: identifies the application, "Name/Version" */
  readonly userAgent: string
  /** `bolt_agent`, sent from 5.3 (mandatory there) */
  readonly boltAgent: BoltAgent
  /**
   * `routing`: the routing context (`address` plus the URI query) when the server should route;
   * `null`/absent when it should not (the field is then left out, which the spec treats the same).
   */
  readonly routing?: Readonly<Record<string, string>> | null | undefined
  /** connection-wide notification filters (5.2+) */
  readonly notifications?: NotificationFilter | undefined
  /** the auth token, sent inside HELLO before 5.1 only; from 5.1 it goes in LOGON and is ignored here */
  readonly auth?: AuthToken | undefined
}

/**
 * The `extra` dictionary of BEGIN and of an auto-commit RUN. Each field is sent only when given
 * (`bookmarks: []` is sent as an empty list; leave it out to send nothing).
 *
 * @since 0.1.0
 * @category models
 */
export interface TxExtra {
  readonly bookmarks?: ReadonlyArray<string> | undefined
  /** `tx_timeout` in milliseconds; a fraction is rounded up */
  readonly txTimeout?: number | undefined
  readonly txMetadata?: Readonly<Record<string, unknown>> | undefined
  /** `"r"` is sent as `mode: "r"`; `"w"` is the server default and is left out */
  readonly mode?: "r" | "w" | undefined
  /** database name; absent = home/default database */
  readonly db?: string | undefined
  /** `imp_user`: the impersonated user */
  readonly impersonatedUser?: string | undefined
  /** per-transaction notification filters (5.2+) */
  readonly notifications?: NotificationFilter | undefined
}

/**
 * The RUN request. In an explicit transaction the extra fields stay empty (the spec's rule).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunArgs extends TxExtra {
  readonly query: string
  readonly parameters?: Readonly<Record<string, unknown>> | undefined
}

/**
 * PULL and DISCARD: `n` records (`-1` = all) of the statement `qid` (`-1`/absent = the last one;
 * left out of the message then).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamArgs {
  readonly n: number | bigint
  readonly qid?: number | bigint | undefined
}

/**
 * The ROUTE request (4.4+ form).
 *
 * @since 0.1.0
 * @category models
 */
export interface RouteArgs {
  /** the routing context: `address` plus the URI query */
  readonly routing: Readonly<Record<string, string>>
  readonly bookmarks: ReadonlyArray<string>
  /** database whose table is wanted; absent = the user's home database */
  readonly db?: string | undefined
  readonly impersonatedUser?: string | undefined
}

/**
 * TELEMETRY `api` values (spec: messages-telemetry).
 *
 * @since 0.1.0
 * @category constants
 */
export const TelemetryApi = {
  ManagedTransaction: 0,
  ExplicitTransaction: 1,
  ImplicitTransaction: 2,
  ExecuteQuery: 3
} as const

// ---------------------------------------------------------------------------------------------
// Packing helpers
// ---------------------------------------------------------------------------------------------

const EMPTY_MAP = 0xa0

/** Packs one message: begin, fill, end; a failure drops the half-written message and rethrows. */
const message = (chunker: Chunker, fill: (p: Packer) => void): void => {
  const p = chunker.begin()
  try {
    fill(p)
  } catch (e) {
    chunker.abort()
    throw e
  }
  chunker.end()
}

/** Packs a value, unwrapping `Redacted` at any depth (lists and plain maps are walked). */
const packRevealed = (p: Packer, v: unknown): void => {
  if (Redacted.isRedacted(v)) return packRevealed(p, Redacted.value(v))
  if (Array.isArray(v)) {
    p.listHeader(v.length)
    for (let i = 0; i < v.length; i++) packRevealed(p, v[i])
    return
  }
  if (isPlainObject(v)) {
    let n = 0
    for (const k in v) if (v[k] !== undefined) n++
    p.mapHeader(n)
    for (const k in v) {
      const x = v[k]
      if (x === undefined) continue
      p.packString(k)
      packRevealed(p, x)
    }
    return
  }
  p.pack(v)
}

const packInteger = (p: Packer, name: string, v: number | bigint): void => {
  if (typeof v === "bigint") return p.packBigInt(v)
  if (!Number.isSafeInteger(v)) fail(`${name} must be an integer, got ${v}`)
  p.packSafeInteger(v)
}

const requireVersion = (caps: Capabilities, supported: boolean, what: string, since: string): void => {
  if (!supported) fail(`${what} needs Bolt ${since} or later; the negotiated version is ${format(caps.version)}`)
}

const requireImpersonation = (caps: Capabilities, user: string): void =>
  requireVersion(caps, caps.impersonation, `impersonation (of user ${JSON.stringify(user)})`, "4.4")

/** The notification entries a version sends: [severity?, disabled list key or undefined]. */
const disabledKey = (caps: Capabilities): string =>
  caps.notificationClassifications ? "notifications_disabled_classifications" : "notifications_disabled_categories"

const notificationCount = (caps: Capabilities, f: NotificationFilter | undefined): number =>
  f === undefined || !caps.notificationFilters
    ? 0
    : (f.minimumSeverity !== undefined ? 1 : 0) + (f.disabledClassifications !== undefined ? 1 : 0)

const packNotifications = (p: Packer, caps: Capabilities, f: NotificationFilter | undefined): void => {
  if (f === undefined || !caps.notificationFilters) return
  if (f.minimumSeverity !== undefined) {
    p.packString("notifications_minimum_severity")
    p.packString(f.minimumSeverity)
  }
  if (f.disabledClassifications !== undefined) {
    p.packString(disabledKey(caps))
    p.packList(f.disabledClassifications)
  }
}

const HELLO_KEYS = new Set([
  "user_agent",
  "patch_bolt",
  "routing",
  "notifications_minimum_severity",
  "notifications_disabled_categories",
  "notifications_disabled_classifications",
  "bolt_agent"
])

const packBoltAgent = (p: Packer, a: BoltAgent): void => {
  p.mapHeader(
    1 + (a.platform !== undefined ? 1 : 0) + (a.language !== undefined ? 1 : 0) + (a.languageDetails !== undefined ? 1 : 0)
  )
  p.packString("product")
  p.packString(a.product)
  if (a.platform !== undefined) {
    p.packString("platform")
    p.packString(a.platform)
  }
  if (a.language !== undefined) {
    p.packString("language")
    p.packString(a.language)
  }
  if (a.languageDetails !== undefined) {
    p.packString("language_details")
    p.packString(a.languageDetails)
  }
}

const packTxExtra = (p: Packer, caps: Capabilities, e: TxExtra): void => {
  if (e.impersonatedUser !== undefined) requireImpersonation(caps, e.impersonatedUser)
  const read = e.mode === "r"
  const size =
    (e.bookmarks !== undefined ? 1 : 0) +
    (e.txTimeout !== undefined ? 1 : 0) +
    (e.txMetadata !== undefined ? 1 : 0) +
    (read ? 1 : 0) +
    (e.db !== undefined ? 1 : 0) +
    (e.impersonatedUser !== undefined ? 1 : 0) +
    notificationCount(caps, e.notifications)
  if (size === 0) return p.writeUint8(EMPTY_MAP)
  p.mapHeader(size)
  if (e.bookmarks !== undefined) {
    p.packString("bookmarks")
    p.packList(e.bookmarks)
  }
  if (e.txTimeout !== undefined) {
    p.packString("tx_timeout")
    const t = e.txTimeout
    if (!Number.isFinite(t)) fail(`tx_timeout must be a finite number of milliseconds, got ${t}`)
    if (t < 0) fail(`the transaction timeout must not be negative, got ${t} ms`)
    p.pack(Math.ceil(t))
  }
  if (e.txMetadata !== undefined) {
    p.packString("tx_metadata")
    p.packMap(e.txMetadata)
  }
  if (read) {
    p.packString("mode")
    p.packString("r")
  }
  if (e.db !== undefined) {
    p.packString("db")
    p.packString(e.db)
  }
  if (e.impersonatedUser !== undefined) {
    p.packString("imp_user")
    p.packString(e.impersonatedUser)
  }
  packNotifications(p, caps, e.notifications)
}

// ---------------------------------------------------------------------------------------------
// Constant frames
// ---------------------------------------------------------------------------------------------

const frame0 = (signature: number): Uint8Array => chunk(Uint8Array.of(0xb0, signature))

/**
 * `RESET`, chunked: `00 02 B0 0F 00 00`. Never mutate the constant frames.
 *
 * @since 0.1.0
 * @category constants
 */
export const RESET_FRAME: Uint8Array = frame0(S.RESET)

/**
 * `GOODBYE`, chunked: `00 02 B0 02 00 00`.
 *
 * @since 0.1.0
 * @category constants
 */
export const GOODBYE_FRAME: Uint8Array = frame0(S.GOODBYE)

/**
 * `COMMIT`, chunked: `00 02 B0 12 00 00`.
 *
 * @since 0.1.0
 * @category constants
 */
export const COMMIT_FRAME: Uint8Array = frame0(S.COMMIT)

/**
 * `ROLLBACK`, chunked: `00 02 B0 13 00 00`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ROLLBACK_FRAME: Uint8Array = frame0(S.ROLLBACK)

/**
 * `LOGOFF`, chunked: `00 02 B0 6B 00 00` (5.1+).
 *
 * @since 0.1.0
 * @category constants
 */
export const LOGOFF_FRAME: Uint8Array = frame0(S.LOGOFF)

/**
 * `PULL {"n": -1}`, chunked: `00 06 B1 3F A1 81 6E FF 00 00`.
 *
 * @since 0.1.0
 * @category constants
 */
export const PULL_ALL_FRAME: Uint8Array = chunk(Uint8Array.of(0xb1, S.PULL, 0xa1, 0x81, 0x6e, 0xff))

/**
 * `DISCARD {"n": -1}`, chunked: `00 06 B1 2F A1 81 6E FF 00 00`.
 *
 * @since 0.1.0
 * @category constants
 */
export const DISCARD_ALL_FRAME: Uint8Array = chunk(Uint8Array.of(0xb1, S.DISCARD, 0xa1, 0x81, 0x6e, 0xff))

// ---------------------------------------------------------------------------------------------
// Request encoders
// ---------------------------------------------------------------------------------------------

/**
 * `HELLO {extra}`: `user_agent`; before 5.1 the auth token entries (first, as the spec lists
 * them; entries named like HELLO's own keys are skipped); `patch_bolt: ["utc"]` on 4.x;
 * `routing` when routing; notification filters from 5.2 (`notifications_disabled_categories`
 * before 5.6, `notifications_disabled_classifications` from 5.6); `bolt_agent` from 5.3.
 *
 * @since 0.1.0
 * @category encoders
 */
export const hello = (chunker: Chunker, caps: Capabilities, args: HelloArgs): void =>
  message(chunker, (p) => {
    const auth = caps.logon ? undefined : args.auth
    let authCount = 0
    if (auth !== undefined) for (const k in auth) if (auth[k] !== undefined && !HELLO_KEYS.has(k)) authCount++
    const routing = args.routing ?? undefined
    const size =
      authCount +
      1 +
      (caps.utcPatch ? 1 : 0) +
      (routing !== undefined ? 1 : 0) +
      notificationCount(caps, args.notifications) +
      (caps.boltAgent ? 1 : 0)
    p.structHeader(1, S.HELLO)
    p.mapHeader(size)
    if (auth !== undefined) {
      for (const k in auth) {
        const v = auth[k]
        if (v === undefined || HELLO_KEYS.has(k)) continue
        p.packString(k)
        packRevealed(p, v)
      }
    }
    p.packString("user_agent")
    p.packString(args.userAgent)
    if (caps.utcPatch) {
      p.packString("patch_bolt")
      p.packList(["utc"])
    }
    if (routing !== undefined) {
      p.packString("routing")
      p.packMap(routing)
    }
    packNotifications(p, caps, args.notifications)
    if (caps.boltAgent) {
      p.packString("bolt_agent")
      packBoltAgent(p, args.boltAgent)
    }
  })

/**
 * `LOGON {auth}` (5.1+; earlier versions carry the token in HELLO). `Redacted` values are
 * unwrapped only here, while packing.
 *
 * @since 0.1.0
 * @category encoders
 */
export const logon = (chunker: Chunker, caps: Capabilities, auth: AuthToken): void => {
  requireVersion(caps, caps.logon, "LOGON", "5.1")
  message(chunker, (p) => {
    p.structHeader(1, S.LOGON)
    packRevealed(p, auth)
  })
}

/**
 * `LOGOFF` (5.1+).
 *
 * @since 0.1.0
 * @category encoders
 */
export const logoff = (chunker: Chunker, caps: Capabilities): void => {
  requireVersion(caps, caps.logon, "LOGOFF", "5.1")
  chunker.packer.writeBytes(LOGOFF_FRAME)
}

/**
 * `TELEMETRY api` (5.4+); see `TelemetryApi`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const telemetry = (chunker: Chunker, caps: Capabilities, api: number): void => {
  requireVersion(caps, caps.telemetry, "TELEMETRY", "5.4")
  message(chunker, (p) => {
    p.structHeader(1, S.TELEMETRY)
    packInteger(p, "TELEMETRY api", api)
  })
}

/**
 * `GOODBYE`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const goodbye = (chunker: Chunker, _caps?: Capabilities): void => chunker.packer.writeBytes(GOODBYE_FRAME)

/**
 * `RESET`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const reset = (chunker: Chunker, _caps?: Capabilities): void => chunker.packer.writeBytes(RESET_FRAME)

/**
 * `COMMIT`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const commit = (chunker: Chunker, _caps?: Capabilities): void => chunker.packer.writeBytes(COMMIT_FRAME)

/**
 * `ROLLBACK`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const rollback = (chunker: Chunker, _caps?: Capabilities): void => chunker.packer.writeBytes(ROLLBACK_FRAME)

/**
 * `RUN "query" {parameters} {extra}`. Parameters are packed by the chunker's packer (with its
 * dehydrator for temporal/spatial values); an unsupported value throws and leaves the chunker
 * as it was before this message.
 *
 * @since 0.1.0
 * @category encoders
 */
export const run = (chunker: Chunker, caps: Capabilities, args: RunArgs): void =>
  message(chunker, (p) => {
    p.structHeader(3, S.RUN)
    p.packString(args.query)
    if (args.parameters === undefined) p.writeUint8(EMPTY_MAP)
    else p.packMap(args.parameters)
    packTxExtra(p, caps, args)
  })

/**
 * `BEGIN {extra}`.
 *
 * @since 0.1.0
 * @category encoders
 */
export const begin = (chunker: Chunker, caps: Capabilities, extra: TxExtra): void =>
  message(chunker, (p) => {
    p.structHeader(1, S.BEGIN)
    packTxExtra(p, caps, extra)
  })

const stream = (chunker: Chunker, signature: number, all: Uint8Array, args: StreamArgs): void => {
  const qid = args.qid
  const lastQuery = qid === undefined || qid === -1 || qid === -1n
  if (lastQuery && (args.n === -1 || args.n === -1n)) return chunker.packer.writeBytes(all)
  message(chunker, (p) => {
    p.structHeader(1, signature)
    p.mapHeader(lastQuery ? 1 : 2)
    p.packString("n")
    packInteger(p, "n", args.n)
    if (!lastQuery) {
      p.packString("qid")
      packInteger(p, "qid", qid as number | bigint)
    }
  })
}

/**
 * `PULL {"n": n, "qid": qid}`; `qid` is left out when it is -1 or absent (the last statement).
 *
 * @since 0.1.0
 * @category encoders
 */
export const pull = (chunker: Chunker, _caps: Capabilities, args: StreamArgs): void =>
  stream(chunker, S.PULL, PULL_ALL_FRAME, args)

/**
 * `DISCARD {"n": n, "qid": qid}`; `qid` is left out when it is -1 or absent.
 *
 * @since 0.1.0
 * @category encoders
 */
export const discard = (chunker: Chunker, _caps: Capabilities, args: StreamArgs): void =>
  stream(chunker, S.DISCARD, DISCARD_ALL_FRAME, args)

/**
 * `ROUTE {routing} [bookmarks] {extra}` in the 4.4+ form: `extra` holds `db` and `imp_user`
 * when given; in the 4.3 form the third field is the database name (or null) and impersonation
 * cannot be sent.
 *
 * @since 0.1.0
 * @category encoders
 */
export const route = (chunker: Chunker, caps: Capabilities, args: RouteArgs): void => {
  requireVersion(caps, caps.route, "ROUTE", "4.3")
  if (args.impersonatedUser !== undefined) requireImpersonation(caps, args.impersonatedUser)
  message(chunker, (p) => {
    p.structHeader(3, S.ROUTE)
    p.packMap(args.routing)
    p.packList(args.bookmarks)
    if (!caps.routeExtra) {
      if (args.db === undefined) p.packNull()
      else p.packString(args.db)
      return
    }
    p.mapHeader((args.db !== undefined ? 1 : 0) + (args.impersonatedUser !== undefined ? 1 : 0))
    if (args.db !== undefined) {
      p.packString("db")
      p.packString(args.db)
    }
    if (args.impersonatedUser !== undefined) {
      p.packString("imp_user")
      p.packString(args.impersonatedUser)
    }
  })
}
