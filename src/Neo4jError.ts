/**
 * The closed set of errors this driver fails with, as `Data.TaggedError` classes: catch them by
 * tag with `Effect.catchTag`. Each carries a `message`, the server's `code` and GQL fields when
 * the server sent them, and a `retriable` flag that transaction functions consult.
 *
 * Secrets never appear here: credentials are `Redacted` and no error copies them.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/**
 * A server error's GQL classification, parsed from `diagnosticRecord._classification`: `UNKNOWN`
 * for anything else, or when the server sent none (the raw value stays in `rawClassification`).
 *
 * @example
 * ```ts
 * import type { Neo4jError } from "effect-neo4j"
 *
 * const blameUs = (e: Neo4jError.ServerFailure) => e.classification === "CLIENT_ERROR"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorClassification = "CLIENT_ERROR" | "DATABASE_ERROR" | "TRANSIENT_ERROR" | "UNKNOWN"

/**
 * The fields a server FAILURE carries. The GQL fields come from Bolt 5.7; for a FAILURE without
 * them (an older server, or a 5.7+ one leaving some out) the driver fills in the GQL defaults, as
 * the reference drivers do: `gqlStatus` `50N42`, `description` "error: general processing
 * exception - unexpected error. <message>", the diagnostic record's `OPERATION` (""),
 * `OPERATION_CODE` ("0") and `CURRENT_SCHEMA` ("/"), and `classification` `UNKNOWN`.
 *
 * @example
 * ```ts
 * import type { Neo4jError } from "effect-neo4j"
 *
 * const explain = (e: Neo4jError.ServerFailure) => `${e.gqlStatus} ${e.description} (${e.code ?? "no code"})`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerFailure {
  /**
   * The driver's message: for a FAILURE with a status code, `<code>: <server's message>` (for
   * example `Neo.ClientError.Statement.SyntaxError: Invalid input ...`), plus, for an
   * `AuthenticationError`, the user (or the auth scheme) and the server address; the server's
   * own words are in `serverMessage`.
   */
  readonly message: string
  /** The server's message as it sent it (without the code or the driver's notes), when the error came from a FAILURE */
  readonly serverMessage?: string
  /** Neo4j status code, for example `Neo.ClientError.Statement.SyntaxError` (absent in a GQL `cause`) */
  readonly code?: string
  /** GQLSTATUS, for example `42001`; `50N42` when the server sent none */
  readonly gqlStatus?: string
  /** GQL status description (`gqlStatusDescription` in the JS driver); a default naming the message when the server sent none */
  readonly description?: string
  /** GQL diagnostic record, as sent, with `OPERATION`, `OPERATION_CODE` and `CURRENT_SCHEMA` defaulted when missing */
  readonly diagnosticRecord?: Readonly<Record<string, unknown>>
  /** The classification, parsed from `diagnostic_record._classification` (`UNKNOWN` for anything else or none) */
  readonly classification?: ErrorClassification
  /** `diagnostic_record._classification` as sent, when it is a string */
  readonly rawClassification?: string
  /** The failure that caused this one (GQL `cause`, mapped to one of these classes), when the server nests them */
  readonly cause?: unknown
  /**
   * A security failure (`Neo.ClientError.Security.*`) that the driver's auth token manager
   * handled (see `AuthTokenManager`): it has a new token for the next attempt, so the error is
   * retriable (transaction functions retry it).
   */
  readonly handledByAuthManager?: boolean
}

/**
 * How a transaction function's retries ended, when they gave up on a retriable error (the budget
 * or the schedule was spent): how many attempts were made, the first included, and the time
 * from the start of the first attempt to the last failure. The error's message says the same.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 * const report = (s: Neo4jError.RetrySummary) => `${s.attempts} attempts over ${Duration.format(s.elapsed)}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetrySummary {
  readonly attempts: number
  readonly elapsed: Duration.Duration
}

/**
 * The field that the retriable classes carry besides their own: set on the error a transaction
 * function fails with when its retries gave up (see `RetrySummary`).
 *
 * @example
 * ```ts
 * import type { Neo4jError } from "effect-neo4j"
 *
 * const attempts = (e: Neo4jError.TransientError) => e.retries?.attempts ?? 1
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Retried {
  readonly retries?: RetrySummary | undefined
}

/**
 * Bad credentials, or an auth scheme the server refuses (`Neo.ClientError.Security.Unauthorized`).
 * When HELLO or LOGON fails, the message names the code, the user (the token's principal, or its
 * scheme when it has none) and the server, for example `Neo.ClientError.Security.Unauthorized:
 * The client is unauthorized due to authentication failure. (user "neo4j", server
 * localhost:7687)`; never the credentials.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * const orExplain = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.catchTag("AuthenticationError", (e) => Effect.dieMessage(`check NEO4J_USERNAME / NEO4J_PASSWORD: ${e.message}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError extends Data.TaggedError("AuthenticationError")<ServerFailure> {
  /** Retried only when the auth token manager handled it (new credentials for the next attempt). */
  get retriable(): boolean {
    return this.handledByAuthManager === true
  }
}

/**
 * The server ended an authorization (`Neo.ClientError.Security.AuthorizationExpired`); the work
 * can be retried on a fresh connection.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // transaction functions retry it on their own; an auto-commit query can be run again once
 * const once = <A>(query: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   query.pipe(Effect.retry({ while: (e) => e._tag === "AuthorizationExpiredError", times: 1 }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationExpiredError extends Data.TaggedError("AuthorizationExpiredError")<ServerFailure & Retried> {
  get retriable(): boolean {
    return true
  }
}

/**
 * The auth token expired (`Neo.ClientError.Security.TokenExpired`). Not retriable as such: only
 * a token manager that supplies a fresh token can make a new attempt succeed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * const orLogin = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.catchTag("TokenExpiredError", () => Effect.fail({ _tag: "LoginRequired" } as const)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenExpiredError extends Data.TaggedError("TokenExpiredError")<ServerFailure> {
  /** Retried only when the auth token manager handled it (a fresh token for the next attempt). */
  get retriable(): boolean {
    return this.handledByAuthManager === true
  }
}

/**
 * Why a server could not be used.
 *
 * @since 0.1.0
 * @category models
 */
export type ServiceUnavailableReason = "Connect" | "Read" | "Write" | "Closed" | "Timeout" | "NoRouters"

/**
 * The server cannot be reached or the connection was lost.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * const logged = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(
 *     Effect.tapErrorTag("ServiceUnavailableError", (e) =>
 *       Effect.logWarning(`${e.reason} ${e.address ?? ""}: ${e.message}${e.permanent ? " (no retry can help)" : ""}`)
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailableError extends Data.TaggedError("ServiceUnavailableError")<{
  readonly message: string
  readonly reason: ServiceUnavailableReason
  /** host:port */
  readonly address?: string
  readonly cause?: unknown
  /**
   * Set when no retry can help: the driver is closed, the server's TLS certificate was
   * rejected, or the seed is not a cluster (no routing procedure).
   */
  readonly permanent?: boolean
} & Retried> {
  /** True unless the failure is `permanent`. */
  get retriable(): boolean {
    return this.permanent !== true
  }
}

/**
 * A cluster member went away mid-session; the work can be retried elsewhere.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // transaction functions retry it on their own; an auto-commit query can be run again elsewhere
 * const elsewhere = <A>(query: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   query.pipe(Effect.retry({ while: (e) => e._tag === "SessionExpiredError", times: 2 }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionExpiredError extends Data.TaggedError("SessionExpiredError")<{
  readonly message: string
  readonly cause?: unknown
} & Retried> {
  get retriable(): boolean {
    return true
  }
}

/**
 * The peer does not speak Bolt as expected: garbled bytes, an unexpected message, no common
 * version, or an HTTP server on the Bolt port.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * const explained = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.catchTag("ProtocolError", (e) => Effect.dieMessage(`is NEO4J_URI a Bolt port (7687)? ${e.message}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends Data.TaggedError("ProtocolError")<{
  readonly message: string
  readonly cause?: unknown
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * The server's transient class (`Neo.TransientError.*`): retrying may succeed.
 *
 * `Neo.TransientError.Transaction.Terminated` and `Neo.TransientError.Transaction.LockClientStopped`
 * (sent by 4.x servers) are not transient: the transaction was killed on purpose. As neo4j-driver
 * 5+ and the Go driver do, `failureToError` reclassifies them as `ClientError` with the codes
 * `Neo.ClientError.Transaction.Terminated` / `Neo.ClientError.Transaction.LockClientStopped`, so a
 * `TransientError` from the server is always retriable. The getter still refuses those two codes
 * for a `TransientError` built by hand.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // what is left once a transaction function's retries gave up
 * const reported = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.tapErrorTag("TransientError", (e) => Effect.logError(`${e.code}: gave up after ${e.retries?.attempts ?? 1} attempts`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransientError extends Data.TaggedError("TransientError")<ServerFailure & Retried> {
  /** True except for `Transaction.Terminated` and `Transaction.LockClientStopped`, which are user-driven. */
  get retriable(): boolean {
    return (
      this.code !== "Neo.TransientError.Transaction.Terminated" &&
      this.code !== "Neo.TransientError.Transaction.LockClientStopped"
    )
  }
}

/**
 * The server's client class (`Neo.ClientError.*`): the request was wrong. Also carries the two
 * reclassified transaction codes (see `TransientError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // CREATE CONSTRAINT ... REQUIRE u.email IS UNIQUE, then a second user with the same email
 * const created = (work: Effect.Effect<void, Neo4jError.Neo4jError>) =>
 *   work.pipe(
 *     Effect.as(true),
 *     Effect.catchTag("ClientError", (e) =>
 *       e.code === "Neo.ClientError.Schema.ConstraintValidationFailed" ? Effect.succeed(false) : Effect.fail(e)
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientError extends Data.TaggedError("ClientError")<ServerFailure & Retried> {
  /**
   * True for cluster role changes that a fresh routing table fixes, and for a security failure
   * the auth token manager handled.
   */
  get retriable(): boolean {
    return (
      this.handledByAuthManager === true ||
      this.code === "Neo.ClientError.Cluster.NotALeader" ||
      this.code === "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"
    )
  }
}

/**
 * The server's database class (`Neo.DatabaseError.*`): the server failed. A FAILURE without a
 * status code, or with one outside the three Neo4j classes, also maps here (its message says so).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * const logged = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.tapErrorTag("DatabaseError", (e) => Effect.logError(`server failure ${e.code ?? e.gqlStatus}: ${e.message}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DatabaseError extends Data.TaggedError("DatabaseError")<ServerFailure> {
  get retriable(): boolean {
    return false
  }
}

/**
 * No connection became available within the acquisition timeout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // the pool stayed full for connectionAcquisitionTimeout (60 s by default): shed load
 * const orBusy = <A>(work: Effect.Effect<A, Neo4jError.Neo4jError>) =>
 *   work.pipe(Effect.catchTag("ConnectionAcquisitionTimeoutError", () => Effect.fail({ _tag: "Busy" } as const)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionAcquisitionTimeoutError extends Data.TaggedError("ConnectionAcquisitionTimeoutError")<{
  readonly message: string
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * A result was read after its transaction or session ended.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const session = yield* (yield* Neo4jDriver.Neo4jDriver).session()
 *   const result = yield* session.run("UNWIND range(1, 10) AS n RETURN n")
 *   yield* result.consume // discards the records
 *   return yield* result.list // fails with ResultConsumedError
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ResultConsumedError extends Data.TaggedError("ResultConsumedError")<{ readonly message: string }> {
  get retriable(): boolean {
    return false
  }
}

/**
 * `Result.single` found no record, or more than one (`count` says how many it saw: 0, or 2 when
 * it stopped at the second). Never retried: the query's answer will not change by itself.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Result } from "effect-neo4j"
 *
 * // Some(record), None when there is none, a failure when there are several
 * const maybeOne = (result: Result.Result) =>
 *   result.single.pipe(
 *     Effect.asSome,
 *     Effect.catchTag("ResultCardinalityError", (e) => (e.count === 0 ? Effect.succeedNone : Effect.fail(e)))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ResultCardinalityError extends Data.TaggedError("ResultCardinalityError")<{
  readonly message: string
  readonly count: number
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * A record held a value that the server sent well formed but the driver cannot represent: a
 * DateTime in a time-zone id this runtime's `Intl` does not know. Only the read of that record
 * fails: the next read gives the record after it, and the connection stays usable, as in the
 * reference drivers (the Python driver's `BrokenRecordError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Result } from "effect-neo4j"
 *
 * // skip a record the driver cannot represent, keep reading the rest
 * const nextReadable = (result: Result.Result) => result.next.pipe(Effect.catchTag("BrokenRecordError", () => result.next))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BrokenRecordError extends Data.TaggedError("BrokenRecordError")<{ readonly message: string }> {
  get retriable(): boolean {
    return false
  }
}

/**
 * The connection died during COMMIT: the transaction may or may not have been committed, so it
 * is never retried blindly.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 *
 * // never retried blindly: find out whether the commit happened first
 * const checked = <A>(commit: Effect.Effect<A, Neo4jError.Neo4jError>, committed: Effect.Effect<boolean>) =>
 *   commit.pipe(
 *     Effect.catchTag("IncompleteCommitError", (e) => Effect.flatMap(committed, (done) => (done ? Effect.void : Effect.fail(e))))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class IncompleteCommitError extends Data.TaggedError("IncompleteCommitError")<{
  readonly message: string
  readonly cause?: unknown
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * Bad configuration on our side: a malformed URI, an unknown scheme, an invalid option.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Neo4jDriver.make({ uri: "http://localhost:7474", auth: Auth.none() }).pipe(
 *   Effect.catchTag("InvalidConfigError", (e) => Effect.dieMessage(e.message)), // ... Neo4j's HTTP API is not Bolt ...
 *   Effect.scoped
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidConfigError extends Data.TaggedError("InvalidConfigError")<{ readonly message: string }> {
  get retriable(): boolean {
    return false
  }
}

/**
 * A parameter value that cannot be sent (a function, a symbol, an integer beyond int64, ...).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   // fails with InvalidParameterError: a function is not a Cypher value, RUN cannot carry it
 *   return yield* driver.executeQuery("RETURN $f AS f", { f: () => 1 })
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidParameterError extends Data.TaggedError("InvalidParameterError")<{ readonly message: string }> {
  get retriable(): boolean {
    return false
  }
}

/**
 * The server's Bolt version cannot do what was asked: user switching (a session's or query's own
 * `auth`) before Bolt 5.1, notification filters before 5.2. Not retriable: the same server will
 * refuse it again.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const asAda = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.executeQuery("RETURN 1", {}, { auth: Auth.basic("ada", "secret") })
 * }).pipe(
 *   // a Neo4j 4.4 or 5.0 server: open a driver for that user instead
 *   Effect.catchTag("UnsupportedFeatureError", (e) => Effect.dieMessage(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedFeatureError extends Data.TaggedError("UnsupportedFeatureError")<{
  readonly message: string
  /** what was asked: "session auth" or "notification filters" */
  readonly feature: "session auth" | "notification filters"
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * The auth token manager could not give a token: its provider failed (a secret store down, a
 * refresh refused). The provider's own error is the `cause`; nothing of a token is copied in.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 *
 * const explain = (e: Neo4jError.AuthTokenProviderError) => `no token: ${String(e.cause)}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthTokenProviderError extends Data.TaggedError("AuthTokenProviderError")<{
  readonly message: string
  readonly cause: unknown
}> {
  get retriable(): boolean {
    return false
  }
}

/**
 * The errors a server FAILURE maps to (see `failureToError`).
 *
 * @since 0.1.0
 * @category models
 */
export type ServerError =
  | AuthenticationError
  | AuthorizationExpiredError
  | TokenExpiredError
  | TransientError
  | ClientError
  | DatabaseError

/**
 * Every error this driver fails with.
 *
 * @since 0.1.0
 * @category models
 */
export type Neo4jError =
  | AuthenticationError
  | AuthorizationExpiredError
  | TokenExpiredError
  | ServiceUnavailableError
  | SessionExpiredError
  | ProtocolError
  | TransientError
  | ClientError
  | DatabaseError
  | ConnectionAcquisitionTimeoutError
  | ResultConsumedError
  | ResultCardinalityError
  | BrokenRecordError
  | IncompleteCommitError
  | InvalidConfigError
  | InvalidParameterError
  | UnsupportedFeatureError
  | AuthTokenProviderError

/**
 * Whether a failure is worth retrying in a transaction function.
 *
 * @example
 * ```ts
 * import { Neo4jError } from "effect-neo4j"
 *
 * assert.strictEqual(Neo4jError.isRetriable(new Neo4jError.SessionExpiredError({ message: "leader switch" })), true)
 * assert.strictEqual(
 *   Neo4jError.isRetriable(new Neo4jError.ClientError({ message: "bad", code: "Neo.ClientError.Statement.SyntaxError" })),
 *   false
 * )
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetriable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "retriable" in error && (error as { retriable: unknown }).retriable === true
