/**
 * One span per query: `neo4j.run`, kind `client`, with OpenTelemetry's database attributes
 * (`db.system.name`, `db.query.text`, `db.namespace`, `server.address`, `server.port`), as
 * @effect/sql records a span per statement. Query parameters are never recorded (they may hold
 * secrets or personal data); nor is anything of the auth token. The span covers sending the query
 * and the server accepting it (RUN's answer): the records are read later, at the consumer's pace.
 * No stack trace is captured: it would cost more than the rest of the span.
 *
 * The spans are made only when a tracer is installed (e.g. @effect/opentelemetry's): with
 * Effect's default tracer, which exports nothing, a span would cost ~40 Effect operations per
 * query (111 to 155 for an auto-commit query and its records, bench/e2e op counts) for nothing.
 *
 * Besides: one span per explicit transaction (`neo4j.transaction`, from BEGIN to COMMIT, ROLLBACK
 * or the scope's close; its queries' spans under it), and per transaction-function call one span
 * (`neo4j.executeRead`, `neo4j.executeWrite`, `neo4j.executeQuery`) with one span per attempt
 * under it (`neo4j.attempt`, its queries' spans under it); each failure retried is an event
 * `neo4j.retry` on the call's span. These are of kind `internal` (they wrap the `client` spans of
 * the requests, which OpenTelemetry advises not to nest under another `client` span), with
 * `db.system.name`, `db.namespace`
 * when the database is known, the server once a connection is leased, and `error.type` (the
 * error's tag) and `db.response.status_code` (the server's code) on failure.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Clock from "effect/Clock"
import type * as Tracer from "effect/Tracer"
import { describeError } from "../metrics.js"
import { parseAddress } from "../transport/address.js"

/** Effect's default tracer, as every fiber has it unless a Layer or `withTracer` replaces it. */
const defaultTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/** `self` when no tracer is installed, else `traced` (one Effect operation either way). */
const whenTracing = <A, E, R>(self: Effect.Effect<A, E, R>, traced: () => Effect.Effect<A, E, R>) =>
  Effect.tracerWith((tracer) => (tracer === defaultTracer ? self : traced()))

/**
 * The name of an explicit transaction's span.
 *
 * @since 0.1.0
 */
export const TRANSACTION_SPAN = "neo4j.transaction"

/**
 * The name of a transaction-function attempt's span.
 *
 * @since 0.1.0
 */
export const ATTEMPT_SPAN = "neo4j.attempt"

/**
 * The name of the event on a transaction function's span for each failure retried.
 *
 * @since 0.1.0
 */
export const RETRY_EVENT = "neo4j.retry"

/**
 * The name of a query's span.
 *
 * @since 0.1.0
 */
export const QUERY_SPAN = "neo4j.run"

/** The server attributes of a connection's "host:port" (every connection's address has a port). */
const serverAttributes = (address: string): Record<string, unknown> => {
  const { host, port } = parseAddress(address, 7687)
  return { "server.address": host, "server.port": port }
}

/** `error.type` (the error's tag) and `db.response.status_code` (the server's code, when any) of a failure. */
const errorAttributes = (error: unknown): Record<string, unknown> => {
  const { code, type } = describeError(error)
  return code === undefined ? { "error.type": type } : { "error.type": type, "db.response.status_code": code }
}

/** Sets the error attributes of a failed exit on a span (an interruption is no error). */
const annotateExit = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return
  const failure = Cause.failureOption(exit.cause)
  const attributes = errorAttributes(failure._tag === "Some" ? failure.value : undefined)
  for (const key in attributes) span.attribute(key, attributes[key])
}

const annotateExitEffect = (span: Tracer.Span) => (exit: Exit.Exit<unknown, unknown>) =>
  Effect.sync(() => annotateExit(span, exit))

/** The attributes every span of the driver carries, and the database's when known. */
const dbAttributes = (database: string | undefined, operation?: string): Record<string, unknown> => {
  const attributes: Record<string, unknown> = { "db.system.name": "neo4j" }
  if (database !== undefined) attributes["db.namespace"] = database
  if (operation !== undefined) attributes["db.operation.name"] = operation
  return attributes
}

/** Adds a leased connection's server and database to a span. */
const annotateLease = (span: Tracer.Span, address: string, database: string | undefined): void => {
  const { host, port } = parseAddress(address, 7687)
  span.attribute("server.address", host)
  span.attribute("server.port", port)
  if (database !== undefined) span.attribute("db.namespace", database)
}

/**
 * Runs `self` in a query span. `address` and `database`, when known before the query starts,
 * become attributes at once; otherwise `annotateServer` adds them once a connection is leased.
 *
 * @since 0.1.0
 */
export const querySpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  query: string,
  address?: string,
  database?: string
): Effect.Effect<A, E, R> =>
  whenTracing(self, () =>
    Effect.withSpan(Effect.tapError(self, (e) => Effect.annotateCurrentSpan(errorAttributes(e))), QUERY_SPAN, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "db.system.name": "neo4j",
        "db.query.text": query,
        ...(database === undefined ? {} : { "db.namespace": database }),
        ...(address === undefined ? {} : serverAttributes(address))
      }
    })
  )

/**
 * Adds the leased connection's server and database to the current query span.
 *
 * @since 0.1.0
 */
export const annotateServer = (address: string, database: string | undefined): Effect.Effect<void> =>
  whenTracing(Effect.void, () =>
    Effect.annotateCurrentSpan(
      database === undefined ? serverAttributes(address) : { ...serverAttributes(address), "db.namespace": database }
    )
  )

/**
 * What a transaction tells its observer (a span): the connection leased for it, and its end.
 *
 * @since 0.1.0
 */
export interface TransactionObserver {
  /** its connection's server ("host:port") and the database it runs in */
  readonly leased: (address: string, database: string | undefined) => void
  /** it ended: committed, rolled back, or its scope closed first */
  readonly ended: (how: "commit" | "rollback" | "close", exit: Exit.Exit<unknown, unknown>) => void
}

/**
 * Runs `self` (which builds an explicit transaction) with a span `neo4j.transaction` that ends
 * when the transaction does (the observer `self` is given hears it): at its commit, its rollback
 * or its scope's close. Its queries' spans go under it (`self` parents them with `inSpan`). No span
 * without a tracer: `self` is then given no observer.
 *
 * @since 0.1.0
 */
export const transactionSpan = <A, E, R>(
  database: () => string | undefined,
  self: (
    observer: TransactionObserver | undefined,
    inSpan: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
  ) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => {
    if (tracer === defaultTracer) return self(undefined, (effect) => effect)
    return Effect.clockWith((clock) =>
      Effect.flatMap(
        Effect.makeSpan(TRANSACTION_SPAN, { kind: "internal", captureStackTrace: false, attributes: dbAttributes(database()) }),
        (span) => {
          const observer = transactionObserver(span, clock)
          return Effect.onError(
            self(observer, (effect) => Effect.withParentSpan(effect, span)),
            (cause) => Effect.sync(() => observer.ended("close", Exit.failCause(cause)))
          )
        }
      )
    )
  })

const transactionObserver = (span: Tracer.Span, clock: Clock.Clock): TransactionObserver => ({
  leased: (address, database) => annotateLease(span, address, database),
  ended: (how, exit) => {
    if (span.status._tag === "Ended") return
    span.attribute("neo4j.transaction.end", how)
    annotateExit(span, exit)
    span.end(clock.unsafeCurrentTimeNanos(), exit)
  }
})

/**
 * The spans of a transaction-function call: `retry` gets the attempt and wraps it in the
 * retries. With a tracer, the call is a span `neo4j.<operation>` and each attempt a span
 * `neo4j.attempt` under it (numbered by `neo4j.attempt`, its server once leased, its error when
 * it failed); each failure retried is an event `neo4j.retry` on the call's span, at the time of
 * the failure, with the attempt's number and the error's `error.type`, `db.response.status_code`
 * and `error.message`. Without one, `attempt` is given no observer and nothing more is done.
 *
 * @since 0.1.0
 */
export const transactionFunctionSpans = <A, E, R>(
  operation: string,
  /** the database when the call runs (undefined: not known yet) */
  databaseNow: () => string | undefined,
  /** called once per run of the call: its attempt (the span of each, if traced, as observer) */
  attempts: () => (observer: TransactionObserver | undefined) => Effect.Effect<A, E, R>,
  retry: (attempt: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => {
    const attempt = attempts()
    if (tracer === defaultTracer) return retry(attempt(undefined))
    const database = databaseNow()
    return Effect.clockWith((clock) =>
      Effect.useSpan(
        `neo4j.${operation}`,
        { kind: "internal", captureStackTrace: false, attributes: dbAttributes(database, operation) },
        (call) => {
          let attempts = 0
          let failed: { readonly at: bigint; readonly error: unknown } | undefined
          const traced = Effect.suspend(() => {
            const n = ++attempts
            if (failed !== undefined) {
              const { code, message, type } = describeError(failed.error)
              const attributes: Record<string, unknown> = { "neo4j.attempt": n - 1, "error.type": type }
              if (code !== undefined) attributes["db.response.status_code"] = code
              if (message !== undefined) attributes["error.message"] = message
              call.event(RETRY_EVENT, failed.at, attributes)
              failed = undefined
            }
            return Effect.useSpan(
              ATTEMPT_SPAN,
              { kind: "internal", captureStackTrace: false, attributes: { ...dbAttributes(database, operation), "neo4j.attempt": n } },
              (span) =>
                Effect.onExit(
                  Effect.withParentSpan(
                    attempt({
                      leased: (address, db) => {
                        annotateLease(span, address, db)
                        // the home database, once resolved, names the call's database too
                        if (database === undefined && db !== undefined) call.attribute("db.namespace", db)
                      },
                      ended: () => {}
                    }),
                    span
                  ),
                  (exit) =>
                    Effect.sync(() => {
                      annotateExit(span, exit)
                      if (Exit.isFailure(exit)) {
                        const failure = Cause.failureOption(exit.cause)
                        failed = { at: clock.unsafeCurrentTimeNanos(), error: failure._tag === "Some" ? failure.value : undefined }
                      }
                    })
                )
            )
          })
          return Effect.onExit(Effect.withParentSpan(retry(traced), call), annotateExitEffect(call))
        }
      )
    )
  })
