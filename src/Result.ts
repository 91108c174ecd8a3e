/**
 * Query results: `keys`, `records` as a demand-driven `Stream` (a `PULL n` goes out only when the
 * consumer wants the next batch), and the `summary` (counters, query type, database, server,
 * timings, notifications, GQL status objects, plan and profile), with the official drivers'
 * helpers `single`, `peek`, `consume`, `list`.
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import type { Chunk, Effect, Option, Stream } from "effect"
import type { Neo4jError } from "./Neo4jError.js"
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
 * A notification the server attached to a query (deprecated syntax, a missing index hint, ...).
 *
 * @since 0.1.0
 * @category models
 */
export interface Notification {
  readonly code: string
  readonly title: string
  readonly description: string
  readonly severity: string
  readonly category: string
  readonly position?: { readonly offset: number; readonly line: number; readonly column: number }
}

/**
 * A GQL status object (Bolt 5.6+ `statuses`).
 *
 * @since 0.1.0
 * @category models
 */
export interface GqlStatusObject {
  readonly gqlStatus: string
  readonly statusDescription: string
  readonly classification?: string
  readonly severity?: string
  readonly position?: { readonly offset: number; readonly line: number; readonly column: number }
  readonly diagnosticRecord: Readonly<Record<string, unknown>>
}

/**
 * What the server said about a finished query.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultSummary {
  readonly query: { readonly text: string; readonly parameters: Readonly<Record<string, unknown>> }
  /** "r", "w", "rw" or "s" */
  readonly queryType: string | undefined
  readonly counters: Counters
  readonly database: string | undefined
  readonly server: { readonly address: string; readonly agent: string; readonly protocolVersion: string }
  /** milliseconds until the first record was available (`t_first`) */
  readonly resultAvailableAfter: number | undefined
  /** milliseconds to consume the result on the server (`t_last`) */
  readonly resultConsumedAfter: number | undefined
  readonly notifications: ReadonlyArray<Notification>
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
  /** Exactly one record; `ResultCardinalityError` when there is none or more than one. */
  readonly single: Effect.Effect<Neo4jRecord, Neo4jError | ResultCardinalityError>
  /** The next record without consuming it. */
  readonly peek: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError>
}

/**
 * An eager result: all records read, and the summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface EagerResult {
  readonly keys: ReadonlyArray<string>
  readonly records: ReadonlyArray<Neo4jRecord>
  readonly summary: ResultSummary
}


/**
 * `single` found no record, or more than one.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResultCardinalityError extends Data.TaggedError("ResultCardinalityError")<{
  readonly message: string
  readonly count: number
}> {}

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0)

/**
 * Reads the counters from a summary's `stats` map.
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

const position = (p: unknown) => {
  if (typeof p !== "object" || p === null) return undefined
  const r = p as Record<string, unknown>
  return { offset: num(r.offset), line: num(r.line), column: num(r.column) }
}

const str = (v: unknown): string => (typeof v === "string" ? v : "")

/**
 * Builds a summary from RUN's and the final PULL/DISCARD's metadata.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summaryFrom = (
  query: { readonly text: string; readonly parameters: Readonly<Record<string, unknown>> },
  server: ResultSummary["server"],
  runMeta: Readonly<Record<string, unknown>>,
  endMeta: Readonly<Record<string, unknown>>
): ResultSummary => {
  const notifications = Array.isArray(endMeta.notifications)
    ? endMeta.notifications.map((n: Record<string, unknown>) => {
        const pos = position(n.position)
        return {
          code: str(n.code),
          title: str(n.title),
          description: str(n.description),
          severity: str(n.severity),
          category: str(n.category),
          ...(pos ? { position: pos } : {})
        }
      })
    : []
  const gqlStatusObjects = Array.isArray(endMeta.statuses)
    ? endMeta.statuses.map((s: Record<string, unknown>) => {
        const diag = (typeof s.diagnostic_record === "object" && s.diagnostic_record !== null
          ? s.diagnostic_record
          : {}) as Record<string, unknown>
        const pos = position(diag._position)
        return {
          gqlStatus: str(s.gql_status),
          statusDescription: str(s.status_description),
          ...(typeof diag._classification === "string" ? { classification: diag._classification } : {}),
          ...(typeof diag._severity === "string" ? { severity: diag._severity } : {}),
          ...(pos ? { position: pos } : {}),
          diagnosticRecord: diag
        }
      })
    : []
  const t = (v: unknown) => (v === undefined ? undefined : num(v))
  const obj = (v: unknown) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined)
  return {
    query,
    queryType: typeof endMeta.type === "string" ? endMeta.type : undefined,
    counters: countersFrom(endMeta.stats),
    database: typeof endMeta.db === "string" ? endMeta.db : typeof runMeta.db === "string" ? runMeta.db : undefined,
    server,
    resultAvailableAfter: t(runMeta.t_first),
    resultConsumedAfter: t(endMeta.t_last),
    notifications,
    gqlStatusObjects,
    plan: obj(endMeta.plan),
    profile: obj(endMeta.profile),
    bookmark: typeof endMeta.bookmark === "string" ? endMeta.bookmark : undefined,
    metadata: mergeMetadata(runMeta, endMeta)
  }
}

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
