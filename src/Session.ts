/**
 * Sessions, as in the official drivers: a causally chained sequence of transactions. A session
 * is scoped: it cannot leak; when its scope closes, its open result is finished and its
 * connection returned.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { AuthToken } from "./Auth.js"
import type { BookmarkManager, Bookmarks } from "./Bookmarks.js"
import type { Query } from "./Cypher.js"
import type { NotificationFilter } from "./DriverConfig.js"
import type { Neo4jError } from "./Neo4jError.js"
import type { Result } from "./Result.js"
import type { ManagedTransaction, Transaction, TransactionConfig } from "./Transaction.js"

/**
 * READ or WRITE: where a cluster sends the work.
 *
 * @since 0.1.0
 * @category models
 */
export type AccessMode = "READ" | "WRITE"

/**
 * Session settings, with the official drivers' names.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session({ database: "sales", defaultAccessMode: "READ", impersonatedUser: "ada" })
 *   return yield* Effect.flatMap(session.run("MATCH (o:Order) RETURN o LIMIT 10"), (r) => r.list)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionConfig {
  /** the database; the driver's default, or the user's home database */
  readonly database?: string | undefined
  /** for `run` and `beginTransaction`: WRITE by default */
  readonly defaultAccessMode?: AccessMode | undefined
  /** bookmarks the first transaction waits for */
  readonly bookmarks?: Bookmarks | undefined
  /** shares bookmarks with other sessions */
  readonly bookmarkManager?: BookmarkManager | undefined
  /** run as this user (impersonation) instead of opening a driver per user */
  readonly impersonatedUser?: string | undefined
  /**
   * Log in as this user for the session's work (user switching): its connections are
   * re-authenticated (Bolt 5.1+); an `UnsupportedFeatureError` on older servers. The driver's auth
   * token manager is not asked, nor told of this token's failures.
   */
  readonly auth?: AuthToken | undefined
  /** records per PULL; the driver's fetchSize by default */
  readonly fetchSize?: number | undefined
  /**
   * Which notifications the server sends for this session's transactions: sent in each BEGIN
   * and auto-commit RUN (Bolt 5.2+); a field it leaves out keeps the connection's setting (the
   * driver's `notificationFilter`, sent in HELLO). Checked as the driver's is: an invalid one
   * fails the session's first operation with an `InvalidConfigError`. On a server below Bolt 5.2
   * a filter is an `UnsupportedFeatureError` before anything is sent.
   */
  readonly notificationFilter?: NotificationFilter | undefined
}

/**
 * Options of a transaction function call.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransactionFunctionConfig extends TransactionConfig {
  /**
   * Replaces the retry schedule for this call (and the driver's `retry`). The default retries
   * retriable errors with back-off (1 s, ×2, ±20 %) until `maxTransactionRetryTime` (30 s) is
   * spent, no attempt starting after it. A schedule given here replaces all of that, the 30 s cap
   * included: cap it with `RetryPolicy.strictCap` (its budget then counts from the first failure).
   *
   * Its input is the failure of each attempt, and only a retriable one: a non-retriable failure
   * ends the retries before the schedule sees it. So a schedule over `Neo4jError` (or `unknown`)
   * fits; the work's own error type reaches it only if such an error has `retriable: true`.
   *
   * @example
   * ```ts
   * import { Effect, Schedule } from "effect"
   * import type { Neo4jError } from "effect-neo4j"
   * import { Neo4jDriver, RetryPolicy } from "effect-neo4j"
   *
   * const retry = Schedule.recurWhile((e: Neo4jError.Neo4jError) => e._tag !== "SessionExpiredError").pipe(
   *   Schedule.intersect(Schedule.exponential("100 millis")),
   *   RetryPolicy.strictCap("10 seconds")
   * )
   * const program = Effect.gen(function* () {
   *   const session = yield* (yield* Neo4jDriver.Neo4jDriver).session()
   *   yield* session.executeWrite((tx) => tx.run("CREATE (:Person)"), { retry })
   * }).pipe(Effect.scoped)
   * ```
   */
  readonly retry?: RetrySchedule | undefined
}

/**
 * A transaction-function retry schedule, as the `retry` options take it: its input is each
 * attempt's retriable failure (see `TransactionFunctionConfig.retry`), its output is ignored.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Neo4jError, Session } from "effect-neo4j"
 *
 * const retry: Session.RetrySchedule = Schedule.recurWhile((e: Neo4jError.Neo4jError) => e.retriable).pipe(
 *   Schedule.intersect(Schedule.recurs(5))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RetrySchedule = Schedule.Schedule<unknown, Neo4jError>

/**
 * A session.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const session = yield* driver.session({ database: "neo4j" })
 *   yield* session.executeWrite((tx) => tx.run("CREATE (:Person {name: $name})", { name: "Ada" }))
 *   const result = yield* session.run("MATCH (p:Person) RETURN count(p) AS n")
 *   const n = (yield* result.single).get("n")
 *   const bookmarks = yield* session.lastBookmarks() // for another session to wait for
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  /**
   * An auto-commit query. Its connection is held until the result is read (or the session's
   * next call, or its close, finishes it). The query is a string or a `Cypher.Query` (whose
   * parameters are merged with `parameters`: a name in both is an `InvalidParameterError`,
   * before anything is sent).
   */
  readonly run: (
    query: string | Query,
    parameters?: Readonly<Record<string, unknown>>,
    config?: TransactionConfig
  ) => Effect.Effect<Result, Neo4jError>
  /** An explicit transaction, rolled back when the scope closes unless committed. */
  readonly beginTransaction: (config?: TransactionConfig) => Effect.Effect<Transaction, Neo4jError, Scope.Scope>
  /** A read transaction function: committed by the driver, retried on retriable failures. */
  readonly executeRead: <A, E, R>(
    work: (tx: ManagedTransaction) => Effect.Effect<A, E, R>,
    config?: TransactionFunctionConfig
  ) => Effect.Effect<A, E | Neo4jError, R>
  /** A write transaction function: committed by the driver, retried on retriable failures. */
  readonly executeWrite: <A, E, R>(
    work: (tx: ManagedTransaction) => Effect.Effect<A, E, R>,
    config?: TransactionFunctionConfig
  ) => Effect.Effect<A, E | Neo4jError, R>
  /** The bookmarks of the last transaction this session committed. */
  readonly lastBookmarks: () => Effect.Effect<Bookmarks>
}
