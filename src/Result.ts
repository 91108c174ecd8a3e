/**
 * Query results: `keys`, `records` as a demand-driven `Stream` (a `PULL n` goes out only when the
 * consumer wants the next batch), and the `summary` (counters, query type, database, server,
 * timings, notifications, GQL status objects, plan and profile), with the official drivers'
 * helpers `single`, `peek`, `consume`, `list`.
 *
 * @since 0.1.0
 */
import type * as Chunk from "effect/Chunk"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as Statuses from "./internal/summary/statuses.js"
import type { Neo4jError, ProtocolError } from "./Neo4jError.js"
import type { Neo4jRecord } from "./Record.js"

/**
 * Update counters from the summary (`stats`), with the official drivers' names.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly nodesCreated: number
  readonly nodesDeleted: number
  readonly relationshipsCreated: number
  readonly relationshipsDeleted: number
  readonly propertiesSet: number
  readonly labelsAdded: number
  readonly labelsRemoved: number
  readonly indexesAdded: number
  readonly indexesRemoved: number
  readonly constraintsAdded: number
  readonly constraintsRemoved: number
  readonly systemUpdates: number
  /** whether the query changed data */
  readonly containsUpdates: boolean
  /** whether the query changed the system database */
  readonly containsSystemUpdates: boolean
}

/**
 * A notification's severity, parsed: `UNKNOWN` for anything the server sends beyond `WARNING`
 * and `INFORMATION` (the raw string stays in `rawSeverityLevel` / `rawSeverity`).
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const warnings = (summary: Result.ResultSummary) =>
 *   summary.notifications.filter((n) => n.severityLevel === "WARNING").map((n) => `${n.title}: ${n.description}`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationSeverityLevel = "WARNING" | "INFORMATION" | "UNKNOWN"

/**
 * A notification's category (a GQL status object's classification), parsed: `UNKNOWN` for
 * anything else the server sends (the raw string stays in `rawCategory` / `rawClassification`).
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const deprecations = (summary: Result.ResultSummary) => summary.notifications.filter((n) => n.category === "DEPRECATION")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationCategory =
  | "HINT"
  | "UNRECOGNIZED"
  | "UNSUPPORTED"
  | "PERFORMANCE"
  | "DEPRECATION"
  | "TOPOLOGY"
  | "SECURITY"
  | "GENERIC"
  | "SCHEMA"
  | "UNKNOWN"

/**
 * Where in the query text a notification applies (`line` and `column` from 1, `offset` from 0).
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const at = (p: Result.NotificationPosition) => `line ${p.line}, column ${p.column}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationPosition {
  readonly offset: number
  readonly line: number
  readonly column: number
}

/**
 * A notification the server attached to a query (deprecated syntax, a missing index hint, ...).
 * From Bolt 5.6 servers send GQL status objects only: the notifications are then those of
 * `gqlStatusObjects` with a Neo4j code (`isNotification`), in the same form.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { summary } = yield* driver.executeQuery("MATCH (a:Person), (b:Movie) RETURN a, b") // a cartesian product
 *   for (const n of summary.notifications) {
 *     yield* Effect.logWarning(`${n.code} (${n.severityLevel}, ${n.category}) at line ${n.position?.line}: ${n.description}`)
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Notification {
  /** the Neo4j code, for example `Neo.ClientNotification.Statement.CartesianProduct` */
  readonly code: string
  readonly title: string
  readonly description: string
  /** the severity as sent, "" when absent (the same as `rawSeverityLevel`) */
  readonly severity: string
  /** the severity, parsed (`UNKNOWN` for anything else, or when absent) */
  readonly severityLevel: NotificationSeverityLevel
  /** the severity as sent, "" when absent */
  readonly rawSeverityLevel: string
  /** the category, parsed (`UNKNOWN` for anything else, or when absent) */
  readonly category: NotificationCategory
  /** the category as sent, "" when absent */
  readonly rawCategory: string
  /** absent when the server sent none (or not three numbers) */
  readonly position?: NotificationPosition
}

/**
 * A GQL status object: the outcome of the query (`00000` success, `00001` omitted result,
 * `02000` no data) and its notifications, each with a GQLSTATUS code. Bolt 5.6+ servers send
 * them (`statuses`); before, the driver derives them as the reference drivers do: from the
 * notifications (`01N42` warning, `03N42` information) plus the outcome it saw (`02N42` when a
 * discarded result may have held rows), no data first, then warnings, success, information.
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const noRows = (summary: Result.ResultSummary) => summary.gqlStatusObjects.some((s) => s.gqlStatus === "02000")
 * const notifications = (summary: Result.ResultSummary) =>
 *   summary.gqlStatusObjects.filter((s) => s.isNotification).map((s) => `${s.gqlStatus} ${s.severity}: ${s.statusDescription}`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface GqlStatusObject {
  /** GQLSTATUS, for example `01N01` */
  readonly gqlStatus: string
  readonly statusDescription: string
  /** whether it is a notification (it has a Neo4j code; the notification filters apply to it) */
  readonly isNotification: boolean
  /** the severity, parsed from `diagnosticRecord._severity` (`UNKNOWN` for anything else, or when absent) */
  readonly severity: NotificationSeverityLevel
  /** `diagnosticRecord._severity` when it is a string */
  readonly rawSeverity?: string
  /** the classification, parsed from `diagnosticRecord._classification` (`UNKNOWN` for anything else, or when absent) */
  readonly classification: NotificationCategory
  /** `diagnosticRecord._classification` when it is a string */
  readonly rawClassification?: string
  /** from `diagnosticRecord._position`, when it holds three numbers */
  readonly position?: NotificationPosition
  /**
   * The diagnostic record as sent, with `OPERATION` (""), `OPERATION_CODE` ("0") and
   * `CURRENT_SCHEMA` ("/") filled in when the server left them out.
   */
  readonly diagnosticRecord: Readonly<Record<string, unknown>>
}

/**
 * The query types a summary may report: read-only, write-only, read-write, schema.
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const wrote = (summary: Result.ResultSummary) => summary.queryType === "w" || summary.queryType === "rw"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type QueryType = "r" | "w" | "rw" | "s"

/**
 * What the stream of a result saw, which tells the outcome status a driver reports for a server
 * before Bolt 5.6 (from 5.6 the server sends it).
 *
 * @example
 * ```ts
 * import type { Result } from "effect-neo4j"
 *
 * const outcome: Result.StreamOutcome = { hadRecords: false, discarded: false } // reported as 02000, no data
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOutcome {
  /** at least one RECORD arrived */
  readonly hadRecords: boolean
  /** a DISCARD ended the result: rows may have been dropped unseen */
  readonly discarded: boolean
}

/**
 * What the server said about a finished query.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { summary } = yield* driver.executeQuery("CREATE (:Person {name: $name})", { name: "Ada" })
 *   yield* Effect.log(`${summary.counters.nodesCreated} node(s) created on ${summary.server.address} in ${summary.database}`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultSummary {
  readonly query: { readonly text: string; readonly parameters: Readonly<Record<string, unknown>> }
  /** "r", "w", "rw" or "s"; undefined when the server sent none */
  readonly queryType: QueryType | undefined
  readonly counters: Counters
  readonly database: string | undefined
  readonly server: { readonly address: string; readonly agent: string; readonly protocolVersion: string }
  /** milliseconds until the first record was available (`t_first`) */
  readonly resultAvailableAfter: number | undefined
  /** milliseconds to consume the result on the server (`t_last`) */
  readonly resultConsumedAfter: number | undefined
  /**
   * The notifications: as sent before Bolt 5.6, derived from `gqlStatusObjects` from 5.6.
   * Empty when there are none, and when the server reported none at all (`notificationsReported`
   * tells the two apart).
   */
  readonly notifications: ReadonlyArray<Notification>
  /**
   * The GQL status objects: as sent (in the server's order) from Bolt 5.6, derived before (see
   * `GqlStatusObject`). Never empty unless a 5.6+ server sent an empty list.
   */
  readonly gqlStatusObjects: ReadonlyArray<GqlStatusObject>
  /** the plan for EXPLAIN */
  readonly plan: Readonly<Record<string, unknown>> | undefined
  /** the profile for PROFILE */
  readonly profile: Readonly<Record<string, unknown>> | undefined
  /** the bookmark of an auto-commit query */
  readonly bookmark: string | undefined
  /** all metadata the server sent, for anything not modelled above */
  readonly metadata: Readonly<Record<string, unknown>>
}

/**
 * A streaming result.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session()
 *   const result = yield* session.run("MATCH (p:Person) RETURN p.name AS name")
 *   // one PULL of 1000 records for the first 10, then DISCARD of the rest
 *   const names = yield* result.records.pipe(Stream.map((r) => r.get("name")), Stream.take(10), Stream.runCollect)
 *   const summary = yield* result.consume
 *   return { names, availableAfterMs: summary.resultAvailableAfter }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly keys: ReadonlyArray<string>
  /** The records, pulled batch by batch on demand; can be read once. An early stop discards the rest. */
  readonly records: Stream.Stream<Neo4jRecord, Neo4jError>
  /** The summary; unread records are discarded first. */
  readonly summary: Effect.Effect<ResultSummary, Neo4jError>
  /** Discards unread records and returns the summary (as the official drivers' `consume()`). */
  readonly consume: Effect.Effect<ResultSummary, Neo4jError>
  /** All records. */
  readonly list: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Neo4jError>
  /** Exactly one record; `ResultCardinalityError` (a `Neo4jError`) when there is none or more than one. */
  readonly single: Effect.Effect<Neo4jRecord, Neo4jError>
  /** The next record without consuming it. */
  readonly peek: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError>
  /**
   * The next record, `None` at the end: the official drivers' iterator, one record per call
   * (`records`, `list` and `peek` go on from where it stopped). A record that cannot be read (a
   * `BrokenRecordError`: a DateTime in a time zone this runtime does not know) fails its own
   * call only; the next call reads on.
   *
   * ```ts
   * const first = yield* result.next            // Option<Neo4jRecord>
   * const rest = yield* result.list             // the records after it
   * ```
   */
  readonly next: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError>
}

/**
 * An eager result: all records read, and the summary.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { keys, records, summary } = yield* driver.executeQuery("MATCH (p:Person) RETURN p.name AS name, p.age AS age")
 *   return records.map((r) => r.toObject()) // keys: ["name", "age"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EagerResult {
  readonly keys: ReadonlyArray<string>
  readonly records: ReadonlyArray<Neo4jRecord>
  readonly summary: ResultSummary
}

export {
  /**
   * `single` found no record, or more than one: one of the `Neo4jError` classes (it lives in
   * `Neo4jError`, with the others), re-exported here where `single` is.
   *
   * @since 0.1.0
   * @category errors
   */
  ResultCardinalityError
} from "./Neo4jError.js"

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0)

/**
 * Reads the counters from a summary's `stats` map.
 *
 * @example
 * ```ts
 * import { Result } from "effect-neo4j"
 *
 * const counters = Result.countersFrom({ "nodes-created": 1, "properties-set": 2 })
 * assert.strictEqual(counters.nodesCreated, 1)
 * assert.strictEqual(counters.containsUpdates, true)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const countersFrom = (stats: unknown): Counters => {
  // most results carry no stats (reads): one shared value. No Object.entries or spreads: this
  // runs once per query, and took 11 µs of CPU per query on the benchmark machine (bench/e2e)
  if (typeof stats !== "object" || stats === null) return NO_COUNTERS
  const s = stats as Record<string, unknown>
  const nodesCreated = num(s["nodes-created"])
  const nodesDeleted = num(s["nodes-deleted"])
  const relationshipsCreated = num(s["relationships-created"])
  const relationshipsDeleted = num(s["relationships-deleted"])
  const propertiesSet = num(s["properties-set"])
  const labelsAdded = num(s["labels-added"])
  const labelsRemoved = num(s["labels-removed"])
  const indexesAdded = num(s["indexes-added"])
  const indexesRemoved = num(s["indexes-removed"])
  const constraintsAdded = num(s["constraints-added"])
  const constraintsRemoved = num(s["constraints-removed"])
  const systemUpdates = num(s["system-updates"])
  const containsUpdates =
    typeof s["contains-updates"] === "boolean"
      ? s["contains-updates"]
      : nodesCreated > 0 ||
        nodesDeleted > 0 ||
        relationshipsCreated > 0 ||
        relationshipsDeleted > 0 ||
        propertiesSet > 0 ||
        labelsAdded > 0 ||
        labelsRemoved > 0 ||
        indexesAdded > 0 ||
        indexesRemoved > 0 ||
        constraintsAdded > 0 ||
        constraintsRemoved > 0
  const containsSystemUpdates =
    typeof s["contains-system-updates"] === "boolean" ? s["contains-system-updates"] : systemUpdates > 0
  return {
    nodesCreated,
    nodesDeleted,
    relationshipsCreated,
    relationshipsDeleted,
    propertiesSet,
    labelsAdded,
    labelsRemoved,
    indexesAdded,
    indexesRemoved,
    constraintsAdded,
    constraintsRemoved,
    systemUpdates,
    containsUpdates,
    containsSystemUpdates
  }
}

const NO_COUNTERS: Counters = Object.freeze({
  nodesCreated: 0,
  nodesDeleted: 0,
  relationshipsCreated: 0,
  relationshipsDeleted: 0,
  propertiesSet: 0,
  labelsAdded: 0,
  labelsRemoved: 0,
  indexesAdded: 0,
  indexesRemoved: 0,
  constraintsAdded: 0,
  constraintsRemoved: 0,
  systemUpdates: 0,
  containsUpdates: false,
  containsSystemUpdates: false
})

/**
 * Builds a summary from RUN's and the final PULL/DISCARD's metadata. `stream` tells what the
 * records stream saw, for the outcome status derived for servers before Bolt 5.6 (without it,
 * a result with keys reports `02N42`, "no data - unknown subcondition"). A query `type` outside
 * `QueryType` is left out here; `summaryProblem` reports it as the error it is.
 *
 * @example
 * ```ts
 * import { Result } from "effect-neo4j"
 *
 * const summary = Result.summaryFrom(
 *   { text: "RETURN 1 AS n", parameters: {} },
 *   { address: "localhost:7687", agent: "Neo4j/5.26.0", protocolVersion: "5.4" },
 *   { fields: ["n"], t_first: 1 },
 *   { type: "r", t_last: 2 },
 *   { hadRecords: true, discarded: false }
 * )
 * assert.strictEqual(summary.queryType, "r")
 * assert.strictEqual(summary.gqlStatusObjects[0]?.gqlStatus, "00000")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const summaryFrom = (
  query: { readonly text: string; readonly parameters: Readonly<Record<string, unknown>> },
  server: ResultSummary["server"],
  runMeta: Readonly<Record<string, unknown>>,
  endMeta: Readonly<Record<string, unknown>>,
  stream?: StreamOutcome
): ResultSummary => {
  const t = (v: unknown) => (v === undefined ? undefined : num(v))
  const obj = (v: unknown) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined)
  return {
    query,
    queryType: Statuses.queryTypeOf(endMeta.type),
    counters: countersFrom(endMeta.stats),
    database: typeof endMeta.db === "string" ? endMeta.db : typeof runMeta.db === "string" ? runMeta.db : undefined,
    server,
    resultAvailableAfter: t(runMeta.t_first),
    resultConsumedAfter: t(endMeta.t_last),
    notifications: Statuses.notificationsOf(endMeta),
    gqlStatusObjects: Statuses.gqlStatusObjectsOf(runMeta, endMeta, stream),
    plan: obj(endMeta.plan),
    profile: obj(endMeta.profile),
    bookmark: typeof endMeta.bookmark === "string" ? endMeta.bookmark : undefined,
    metadata: mergeMetadata(runMeta, endMeta)
  }
}

/**
 * Whether the server reported notifications at all (a `notifications` list, or GQL `statuses`
 * from Bolt 5.6), as opposed to leaving them out; `summary.notifications` is empty in both cases
 * when there are none.
 *
 * @example
 * ```ts
 * import { Result } from "effect-neo4j"
 *
 * const notifications = (summary: Result.ResultSummary) => (Result.notificationsReported(summary) ? summary.notifications : null)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const notificationsReported = (summary: ResultSummary): boolean =>
  Statuses.notificationsReported(summary.metadata)

/**
 * Checks a final summary's metadata: a query `type` outside `r`, `w`, `rw`, `s` is a
 * `ProtocolError`, as in the reference drivers (the driver cannot tell what the query did).
 *
 * @example
 * ```ts
 * import { Result } from "effect-neo4j"
 *
 * assert.strictEqual(Result.summaryProblem({ type: "wr" })?._tag, "ProtocolError")
 * assert.strictEqual(Result.summaryProblem({ type: "r" }), undefined)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const summaryProblem = (endMeta: Readonly<Record<string, unknown>>): ProtocolError | undefined =>
  Statuses.summaryProblem(endMeta)

/**
 * `{ ...runMeta, ...endMeta }`, through Object.assign: an object spread of decoded maps cost
 * 3-4 µs per call on the benchmark machine, Object.assign 0.2 µs (bench/e2e). A `__proto__` key
 * (which Object.assign would turn into a prototype) keeps the spread.
 */
const mergeMetadata = (
  runMeta: Readonly<Record<string, unknown>>,
  endMeta: Readonly<Record<string, unknown>>
): Readonly<Record<string, unknown>> =>
  Object.hasOwn(runMeta, "__proto__") || Object.hasOwn(endMeta, "__proto__")
    ? { ...runMeta, ...endMeta }
    : Object.assign({}, runMeta, endMeta)
