/**
 * A summary's notifications and GQL status objects, from either wire form, as the reference
 * drivers resolve them (neo4j-javascript-driver `notification.ts`, neo4j-python-driver
 * `_work/summary.py`; TestKit `stub/summary`):
 *
 * - `statuses` (Bolt 5.6+): the GQL status objects, in the server's order, each diagnostic
 *   record completed with the defaults `OPERATION ""`, `OPERATION_CODE "0"`, `CURRENT_SCHEMA "/"`
 *   (a key the server sent is kept, whatever its value). A status is a notification when it has a
 *   `neo4j_code`; the notifications are derived from those (`code` from `neo4j_code`, `title`,
 *   `description`, and severity, category and position from the diagnostic record).
 * - `notifications` (before 5.6): the notifications as sent; the GQL status objects are derived
 *   from them (`01N42` for a warning, `03N42` otherwise, the notification's description or
 *   `warn: unknown warning` / `info: unknown notification`), plus one status the driver makes
 *   from what the stream saw: `00000` (records came), `00001` (no keys: an omitted result),
 *   `02000` (keys, read to the end, no record) or `02N42` (no record seen, but a DISCARD may have
 *   dropped some). They are ordered no data (`02`), warnings (`01`), success (`00`), then the
 *   rest (informational `03`), keeping the server's order within a class.
 *
 * Severity and category/classification are also parsed into closed sets (`UNKNOWN` for anything
 * else), next to the raw strings.
 *
 * Cost: a summary with neither field, or with one of the three plain outcome statuses only (what
 * a 5.6+ server sends for almost every query), gets shared frozen arrays: nothing is allocated.
 */
import { ProtocolError } from "../../Neo4jError.js"
import type {
  GqlStatusObject,
  Notification,
  NotificationCategory,
  NotificationPosition,
  NotificationSeverityLevel,
  QueryType,
  StreamOutcome
} from "../../Result.js"

type Dict = Readonly<Record<string, unknown>>

const isMap = (v: unknown): v is Dict =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)

const SEVERITY_LEVELS: ReadonlySet<string> = new Set(["WARNING", "INFORMATION"])

const CATEGORIES: ReadonlySet<string> = new Set([
  "HINT",
  "UNRECOGNIZED",
  "UNSUPPORTED",
  "PERFORMANCE",
  "DEPRECATION",
  "TOPOLOGY",
  "SECURITY",
  "GENERIC",
  "SCHEMA"
])

/** `WARNING` or `INFORMATION`; anything else (a missing value too) is `UNKNOWN`. */
export const severityLevel = (raw: unknown): NotificationSeverityLevel =>
  typeof raw === "string" && SEVERITY_LEVELS.has(raw) ? (raw as NotificationSeverityLevel) : "UNKNOWN"

/** One of the known categories (classifications); anything else (a missing value too) is `UNKNOWN`. */
export const category = (raw: unknown): NotificationCategory =>
  typeof raw === "string" && CATEGORIES.has(raw) ? (raw as NotificationCategory) : "UNKNOWN"

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined

/** `{ offset, line, column }` when all three are numbers, otherwise nothing. */
export const position = (p: unknown): NotificationPosition | undefined => {
  if (!isMap(p)) return undefined
  const offset = num(p.offset)
  const line = num(p.line)
  const column = num(p.column)
  return offset === undefined || line === undefined || column === undefined ? undefined : { offset, line, column }
}

/**
 * The diagnostic record's defaults (GQL), filled in where the server left a key out.
 */
export const DIAGNOSTIC_RECORD_DEFAULTS: Readonly<{ OPERATION: string; OPERATION_CODE: string; CURRENT_SCHEMA: string }> =
  Object.freeze({ OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" })

/**
 * The server's diagnostic record completed with the defaults (the same object when nothing is
 * missing; a copy otherwise, by spread, so that a `__proto__` key stays a plain key).
 */
export const completeDiagnosticRecord = (diag: unknown): Dict => {
  if (!isMap(diag)) return DIAGNOSTIC_RECORD_DEFAULTS
  if (Object.hasOwn(diag, "OPERATION") && Object.hasOwn(diag, "OPERATION_CODE") && Object.hasOwn(diag, "CURRENT_SCHEMA")) {
    return diag
  }
  return { ...DIAGNOSTIC_RECORD_DEFAULTS, ...diag }
}

const status = (
  gqlStatus: string,
  statusDescription: string,
  diagnosticRecord: Dict,
  isNotification: boolean
): GqlStatusObject => {
  const pos = position(diagnosticRecord._position)
  const rawSeverity = str(diagnosticRecord._severity)
  const rawClassification = str(diagnosticRecord._classification)
  const out: {
    -readonly [K in keyof GqlStatusObject]: GqlStatusObject[K]
  } = {
    gqlStatus,
    statusDescription,
    diagnosticRecord,
    severity: severityLevel(rawSeverity),
    classification: category(rawClassification),
    isNotification
  }
  if (pos !== undefined) out.position = pos
  if (rawSeverity !== undefined) out.rawSeverity = rawSeverity
  if (rawClassification !== undefined) out.rawClassification = rawClassification
  return out
}

const outcomeStatus = (gqlStatus: string, statusDescription: string): GqlStatusObject =>
  Object.freeze(status(gqlStatus, statusDescription, DIAGNOSTIC_RECORD_DEFAULTS, false))

/** The statuses a driver makes for the outcome of a stream (and 5.6+ servers send as they are). */
export const SUCCESS = outcomeStatus("00000", "note: successful completion")
/** The query had no result columns. */
export const OMITTED_RESULT = outcomeStatus("00001", "note: successful completion - omitted result")
/** The result had columns but no row. */
export const NO_DATA = outcomeStatus("02000", "note: no data")
/** No row was seen, but the rest of the result was discarded unseen. */
export const NO_DATA_UNKNOWN_SUBCONDITION = outcomeStatus("02N42", "note: no data - unknown subcondition")

const only = (s: GqlStatusObject): ReadonlyArray<GqlStatusObject> => Object.freeze([s])
const ONLY_SUCCESS = only(SUCCESS)
const ONLY_OMITTED_RESULT = only(OMITTED_RESULT)
const ONLY_NO_DATA = only(NO_DATA)
const ONLY_NO_DATA_UNKNOWN = only(NO_DATA_UNKNOWN_SUBCONDITION)

const NONE: ReadonlyArray<never> = Object.freeze([])

/** The outcome status a driver makes before 5.6 from what the stream saw. */
const outcomeOf = (runMeta: Dict, stream: StreamOutcome | undefined): GqlStatusObject => {
  if (stream?.hadRecords === true) return SUCCESS
  if (!Array.isArray(runMeta.fields) || runMeta.fields.length === 0) return OMITTED_RESULT
  if (stream !== undefined && !stream.discarded) return NO_DATA
  return NO_DATA_UNKNOWN_SUBCONDITION
}

/** A plain outcome status as 5.6+ servers send it: the shared constant when it is exactly one. */
const plainOutcome = (s: Dict): GqlStatusObject | undefined => {
  if (s.neo4j_code !== undefined) return undefined
  const d = s.diagnostic_record
  if (d !== undefined) {
    // the server's record must be exactly the defaults
    if (!isMap(d)) return undefined
    let keys = 0
    for (const k in d) {
      keys++
      if (d[k] !== DIAGNOSTIC_RECORD_DEFAULTS[k as keyof typeof DIAGNOSTIC_RECORD_DEFAULTS]) return undefined
    }
    if (keys !== 3) return undefined
  }
  let known: GqlStatusObject
  switch (s.gql_status) {
    case "00000":
      known = SUCCESS
      break
    case "00001":
      known = OMITTED_RESULT
      break
    case "02000":
      known = NO_DATA
      break
    default:
      return undefined
  }
  if (s.status_description !== known.statusDescription) return undefined
  for (const k in s) if (k !== "gql_status" && k !== "status_description" && k !== "diagnostic_record") return undefined
  return known
}

const fromStatus = (s: unknown): GqlStatusObject => {
  if (!isMap(s)) return status("", "", DIAGNOSTIC_RECORD_DEFAULTS, false)
  return (
    plainOutcome(s) ??
    status(
      str(s.gql_status) ?? "",
      str(s.status_description) ?? "",
      completeDiagnosticRecord(s.diagnostic_record),
      s.neo4j_code !== undefined && s.neo4j_code !== null
    )
  )
}

const fromNotification = (n: Dict): GqlStatusObject => {
  const warning = n.severity === "WARNING"
  const description = str(n.description)
  const diag: Record<string, unknown> = { ...DIAGNOSTIC_RECORD_DEFAULTS }
  if (n.severity !== undefined && n.severity !== null) diag._severity = n.severity
  if (n.category !== undefined && n.category !== null) diag._classification = n.category
  if (n.position !== undefined && n.position !== null) diag._position = n.position
  return status(
    warning ? "01N42" : "03N42",
    description !== undefined && description !== ""
      ? description
      : warning
        ? "warn: unknown warning"
        : "info: unknown notification",
    diag,
    true
  )
}

/** Sort weight of a status by its class: no data, warning, success, then everything else. */
const weight = (s: GqlStatusObject): number => {
  switch (s.gqlStatus.slice(0, 2)) {
    case "02":
      return 0
    case "01":
      return 1
    case "00":
      return 2
    default:
      return 3
  }
}

/**
 * The summary's GQL status objects: the server's `statuses` (5.6+), or, before, the ones derived
 * from its `notifications` and from what the stream saw (see the module comment).
 */
export const gqlStatusObjectsOf = (
  runMeta: Dict,
  endMeta: Dict,
  stream: StreamOutcome | undefined
): ReadonlyArray<GqlStatusObject> => {
  const statuses = endMeta.statuses
  if (Array.isArray(statuses)) {
    if (statuses.length === 1 && isMap(statuses[0])) {
      const known = plainOutcome(statuses[0])
      if (known === SUCCESS) return ONLY_SUCCESS
      if (known === NO_DATA) return ONLY_NO_DATA
      if (known === OMITTED_RESULT) return ONLY_OMITTED_RESULT
    }
    return statuses.length === 0 ? NONE : statuses.map(fromStatus)
  }
  const outcome = outcomeOf(runMeta, stream)
  const notifications = endMeta.notifications
  if (!Array.isArray(notifications) || notifications.length === 0) {
    return outcome === SUCCESS
      ? ONLY_SUCCESS
      : outcome === OMITTED_RESULT
        ? ONLY_OMITTED_RESULT
        : outcome === NO_DATA
          ? ONLY_NO_DATA
          : ONLY_NO_DATA_UNKNOWN
  }
  const out: Array<GqlStatusObject> = [outcome]
  for (const n of notifications) if (isMap(n)) out.push(fromNotification(n))
  // Array.prototype.sort is stable: the server's order stays within a class
  return out.sort((a, b) => weight(a) - weight(b))
}

const notification = (
  code: unknown,
  title: unknown,
  description: unknown,
  severity: unknown,
  cat: unknown,
  pos: unknown
): Notification => {
  const rawSeverityLevel = str(severity) ?? ""
  const rawCategory = str(cat) ?? ""
  const p = position(pos)
  const out: { -readonly [K in keyof Notification]: Notification[K] } = {
    code: str(code) ?? "",
    title: str(title) ?? "",
    description: str(description) ?? "",
    severity: rawSeverityLevel,
    severityLevel: severityLevel(rawSeverityLevel),
    rawSeverityLevel,
    category: category(rawCategory),
    rawCategory
  }
  if (p !== undefined) out.position = p
  return out
}

/**
 * The summary's notifications: the server's `notifications` (before 5.6), or, from 5.6, those of
 * its `statuses` that are notifications (a `neo4j_code`). Empty when the server sent neither.
 */
export const notificationsOf = (endMeta: Dict): ReadonlyArray<Notification> => {
  const notifications = endMeta.notifications
  if (Array.isArray(notifications)) {
    if (notifications.length === 0) return NONE
    const out: Array<Notification> = []
    for (const n of notifications) {
      if (isMap(n)) out.push(notification(n.code, n.title, n.description, n.severity, n.category, n.position))
    }
    return out
  }
  const statuses = endMeta.statuses
  if (!Array.isArray(statuses)) return NONE
  let out: Array<Notification> | undefined
  for (const s of statuses) {
    if (!isMap(s) || s.neo4j_code === undefined || s.neo4j_code === null) continue
    const d = isMap(s.diagnostic_record) ? s.diagnostic_record : undefined
    ;(out ??= []).push(notification(s.neo4j_code, s.title, s.description, d?._severity, d?._classification, d?._position))
  }
  return out ?? NONE
}

/** Whether the server reported notifications at all: a `notifications` list, or `statuses` (5.6+). */
export const notificationsReported = (endMeta: Dict): boolean =>
  Array.isArray(endMeta.notifications) || Array.isArray(endMeta.statuses)

/** The query types a summary may carry. */
export const queryTypeOf = (v: unknown): QueryType | undefined =>
  v === "r" || v === "w" || v === "rw" || v === "s" ? v : undefined

/**
 * What makes a final summary unusable: a query `type` outside `r`, `w`, `rw`, `s` (as the
 * reference drivers, a ProtocolError: this driver cannot tell what the query did).
 */
export const summaryProblem = (endMeta: Dict): ProtocolError | undefined => {
  const t = endMeta.type
  if (t === undefined || t === null || queryTypeOf(t) !== undefined) return undefined
  return new ProtocolError({
    message: `the server sent an unknown query type ${typeof t === "string" ? JSON.stringify(t) : `(a ${Array.isArray(t) ? "list" : typeof t})`} in the summary (expected "r", "w", "rw" or "s")`
  })
}
