/**
 * The session implementation: leases connections through the Router, runs auto-commit queries,
 * explicit transactions and transaction functions (retried with a Schedule), and chains
 * bookmarks (its own, and a BookmarkManager's).
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type * as Schedule from "effect/Schedule"
import * as Auth from "../../Auth.js"
import * as Bookmarks from "../../Bookmarks.js"
import { notificationFilterProblems } from "../../DriverConfig.js"
import { retrying } from "../../RetryPolicy.js"
import type { Query } from "../../Cypher.js"
import { InvalidConfigError, InvalidParameterError, ServiceUnavailableError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Result } from "../../Result.js"
import type { Session, SessionConfig, TransactionFunctionConfig } from "../../Session.js"
import type { ManagedTransaction, Transaction, TransactionConfig } from "../../Transaction.js"
import * as Msg from "../bolt/messages.js"
import type { TxExtra } from "../bolt/messages.js"
import { CLEANUP_TIMEOUT_MS } from "../connection/connection.js"
import type { Connection, Pending } from "../connection/connection.js"
import * as NotificationFilter from "../connection/notificationFilter.js"
import { run as runCursor } from "../connection/result.js"
import * as Metrics from "../metrics.js"
import { fixedAuth } from "../pool/pool.js"
import { acquireIn } from "../routing/router.js"
import type { AccessMode, Lease, Router } from "../routing/router.js"
import { resolveQuery } from "./query.js"
import * as ManagedResult from "./result.js"
import { annotateServer, querySpan, transactionFunctionSpans, transactionSpan } from "./span.js"
import type { TransactionObserver } from "./span.js"
import { begin } from "./transaction.js"

/**
 * What sessions get from the driver.
 *
 * @since 0.1.0
 */
export interface SessionContext {
  readonly router: Router
  readonly fetchSize: number
  readonly defaultDatabase: string | undefined
  /** replaces the default retry schedule of transaction functions; its input is each attempt's retriable failure */
  readonly retry: TransactionFunctionConfig["retry"]
  /** the default schedule's total budget */
  readonly maxRetryTime: Duration.Duration
  /** the user's `telemetryDisabled`: no TELEMETRY, whatever the server asks */
  readonly telemetryDisabled: boolean
}

/**
 * TELEMETRY for one API call: which API (`Msg.TelemetryApi`), and whether the server already
 * acknowledged it (a retried transaction function sends it until one attempt's was answered).
 */
interface Telemetry {
  readonly api: number
  done: boolean
}

/**
 * Queues TELEMETRY ahead of the call's first message (it goes out in the same write), when the
 * server asks for it (Bolt 5.4+, hint `telemetry.enabled`) and the user did not disable it. Its
 * answer is read in turn by whoever waits next; a FAILURE to it fails the next request.
 */
const sendTelemetry = (ctx: SessionContext, conn: Connection, telemetry: Telemetry): Pending | undefined =>
  telemetry.done || ctx.telemetryDisabled || !conn.caps.telemetry || conn.hints["telemetry.enabled"] !== true
    ? undefined
    : conn.enqueue("TELEMETRY", (c) => Msg.telemetry(c, conn.caps, telemetry.api))

/**
 * Clean-up that waits for the server, in a finalizer: interruptible (the connection's waits are)
 * and bounded, so that a scope's close never hangs on a silent server; what it leaves unanswered
 * the pool cleans in the background.
 */
const cleanup = <A>(effect: Effect.Effect<A, Neo4jError>): Effect.Effect<A | void, Neo4jError> =>
  Effect.timeoutFail(effect, {
    duration: CLEANUP_TIMEOUT_MS,
    onTimeout: () => new ServiceUnavailableError({ reason: "Timeout", message: `clean-up got no answer within ${CLEANUP_TIMEOUT_MS} ms` })
  })

interface Current {
  readonly lease: Scope.CloseableScope
  readonly managed: ManagedResult.ManagedResult
}

/**
 * The transaction timeout in milliseconds. A negative number stays negative (Duration.decode
 * would make it 0, "no timeout") so that BEGIN / RUN refuses it with an InvalidParameterError.
 */
const txTimeoutMillis = (timeout: Duration.DurationInput | undefined): number | undefined =>
  timeout === undefined
    ? undefined
    : typeof timeout === "number" && timeout < 0
      ? timeout
      : typeof timeout === "bigint" && timeout < 0n
        ? Number(timeout)
        : Duration.toMillis(Duration.decode(timeout))

const txExtra = (
  mode: AccessMode,
  database: string | undefined,
  impersonatedUser: string | undefined,
  bookmarks: Bookmarks.Bookmarks,
  config: TransactionConfig | undefined,
  /** the session's (or query's) own filter, sent per transaction; the driver's goes in HELLO */
  notifications: Msg.NotificationFilter | undefined
): TxExtra => ({
  bookmarks: bookmarks.length > 0 ? bookmarks : undefined,
  mode: mode === "READ" ? "r" : "w",
  db: database,
  impersonatedUser,
  txTimeout: txTimeoutMillis(config?.timeout),
  txMetadata: config?.metadata,
  notifications
})

/**
 * A session's or a query's notification filter, checked as the driver's is (`resolve`): the
 * `InvalidConfigError` listing its problems (`what`: "session config", "query config"), if any.
 *
 * @since 0.1.0
 */
export const invalidNotificationFilter = (filter: unknown, what: string): InvalidConfigError | undefined => {
  const problems = notificationFilterProblems(filter)
  return problems.length === 0 ? undefined : new InvalidConfigError({ message: `Invalid ${what}: ${problems.join("; ")}` })
}

/**
 * A session whose config is invalid (`driver.session` cannot fail): each operation fails with
 * the error, before anything is leased or sent; its bookmarks are those it was given.
 */
const refusingSession = (error: InvalidConfigError, bookmarks: Bookmarks.Bookmarks): Session => ({
  run: () => Effect.fail(error),
  beginTransaction: () => Effect.fail(error),
  executeRead: () => Effect.fail(error),
  executeWrite: () => Effect.fail(error),
  lastBookmarks: () => Effect.succeed(bookmarks)
})

/** The session's filter on a connection without filters (before Bolt 5.2): the BEGIN or RUN is refused. */
const refuseFilter = (conn: Connection, filter: Msg.NotificationFilter | undefined, message: "BEGIN" | "RUN") =>
  NotificationFilter.unsupported(conn.caps, conn.address, filter, "the session's (or query's) notificationFilter", message)

/**
 * Opens a session in the current scope; the scope's close finishes its result and returns its
 * connection.
 *
 * @since 0.1.0
 */
export const make = (ctx: SessionContext, config: SessionConfig = {}): Effect.Effect<Session, never, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (scope) => makeIn(ctx, config, scope))

/**
 * Opens a session whose close is `scope`'s (no Scope in the context). Without a scope the session
 * has no finalizer: only for callers that use its transaction functions alone, which leave
 * nothing open (the driver's executeQuery, one session per call).
 *
 * @since 0.1.0
 */
export const makeIn = (
  ctx: SessionContext,
  config: SessionConfig,
  scope: Scope.Scope | undefined,
  /** the TELEMETRY api of its transaction functions: the driver's executeQuery says ExecuteQuery */
  txFunctionApi: number = Msg.TelemetryApi.ManagedTransaction
): Effect.Effect<Session> =>
  Effect.suspend(() => {
    const invalid = config.notificationFilter === undefined
      ? undefined
      : invalidNotificationFilter(config.notificationFilter, "session config")
    if (invalid !== undefined) return Effect.succeed(refusingSession(invalid, config.bookmarks ?? []))
    if (config.auth !== undefined && !Auth.isAuthToken(config.auth)) {
      const error = new InvalidConfigError({
        message: "Invalid session config: auth must be an AuthToken, for example Auth.basic(user, password)"
      })
      return Effect.succeed(refusingSession(error, config.bookmarks ?? []))
    }
    // the session's own login (user switching): its connections log in as that user
    const auth = config.auth === undefined ? undefined : fixedAuth(config.auth, true)
    // pinned to the resolved name after the first home-database resolution, as the official drivers do
    let database = config.database ?? ctx.defaultDatabase
    const fetchSize = config.fetchSize ?? ctx.fetchSize
    const manager = config.bookmarkManager ?? Bookmarks.noop
    let own: Bookmarks.Bookmarks = config.bookmarks ?? []
    let current: Current | undefined

    const bookmarksToSend = Effect.map(manager.getBookmarks, (shared) => [...new Set([...own, ...shared])])

    const recordBookmark = (sent: Bookmarks.Bookmarks, bookmark: string | undefined) =>
      bookmark === undefined
        ? Effect.void
        : Effect.suspend(() => {
            own = [bookmark]
            return manager.updateBookmarks(sent, [bookmark])
          })

    /**
     * Before the session's next query: reads the open auto-commit result's unread records into
     * memory and returns its connection. The result stays readable (its records, its summary or
     * the failure that ended it), as in the reference drivers.
     */
    const bufferCurrent = Effect.suspend(() => {
      const c = current
      if (c === undefined) return Effect.void
      current = undefined
      return Effect.zipRight(c.managed.buffer, Scope.close(c.lease, Exit.void))
    })

    /**
     * When the session closes: finishes the open auto-commit result, if any, and returns its
     * connection. Its unread records are gone: later reads fail with ResultConsumedError instead
     * of coming back empty.
     */
    const finishCurrent = Effect.suspend(() => {
      const c = current
      if (c === undefined) return Effect.void
      current = undefined
      const finishing = c.managed.finishing()
      if (finishing !== undefined) {
        // its reader stopped early and the result is being finished in the background: the
        // connection goes back once that is over, without holding up the close
        c.managed.close()
        return Effect.asVoid(Effect.forkDaemon(Effect.flatMap(finishing, (exit) => Scope.close(c.lease, exit))))
      }
      // bounded: a silent server never hangs the session's close (the connection, still busy, is
      // then cleaned or closed by the pool in the background)
      return Effect.exit(cleanup(c.managed.finish)).pipe(
        Effect.tap(() => Effect.sync(c.managed.close)),
        Effect.flatMap((exit) => Effect.zipRight(Scope.close(c.lease, exit), exit))
      )
    })


    // the bookmarks go on ROUTE too: asked for only when a routing table is fetched, then again
    // for the transaction itself (as the reference drivers consult a bookmark manager)
    const lease = (mode: AccessMode, scope: Scope.Scope) =>
      acquireIn(
        ctx.router,
        { accessMode: mode, database, impersonatedUser: config.impersonatedUser, bookmarks: bookmarksToSend, auth },
        scope
      ).pipe(
        Effect.tap((l) =>
          Effect.sync(() => {
            if (database === undefined && l.database !== undefined) database = l.database
          })
        )
      )

    /** Reports the `db` a SUCCESS names to the router (it corrects the home-database cache). */
    const reportDatabase = (l: Lease, metadata: Readonly<Record<string, unknown>>) => {
      if (l.onDatabase && typeof metadata.db === "string") l.onDatabase(metadata.db)
    }

    // combinators rather than Effect.gen on this per-query path: a generator costs an iterator
    // step and its allocations per `yield*` (bench/e2e allocation profile)
    const run = (
      query: string | Query,
      parameters: Readonly<Record<string, unknown>> = {},
      txConfig?: TransactionConfig
    ): Effect.Effect<Result, Neo4jError> => {
      if (typeof query !== "string") {
        // refused before anything is leased or sent
        const resolved = resolveQuery(query, parameters)
        return resolved instanceof InvalidParameterError ? Effect.fail(resolved) : run(resolved.text, resolved.parameters, txConfig)
      }
      return Effect.uninterruptibleMask((restore) => {
        const mode = config.defaultAccessMode ?? "WRITE"
        const start = (leaseScope: Scope.CloseableScope) =>
          Effect.flatMap(lease(mode, leaseScope), (leased) => {
            const refused = refuseFilter(leased.connection, config.notificationFilter, "RUN")
            return refused !== undefined ? Effect.fail(refused) : Effect.flatMap(bookmarksToSend, (sent) =>
            Effect.zipRight(annotateServer(leased.connection.address, leased.database), Effect.map(
              Effect.zipRight(
                Effect.sync(() => sendTelemetry(ctx, leased.connection, { api: Msg.TelemetryApi.ImplicitTransaction, done: false })),
                runCursor(leased.connection, {
                query,
                parameters,
                fetchSize,
                ...txExtra(mode, leased.database, config.impersonatedUser, sent, txConfig, config.notificationFilter)
                }, undefined, Metrics.server(leased.connection.address).operation)
              ),
              (cursor) => {
                reportDatabase(leased, cursor.runMetadata)
                return ManagedResult.make(leased.connection, cursor, { text: query, parameters }, (summary) =>
                  Effect.zipRight(
                    recordBookmark(sent, summary.bookmark),
                    Effect.suspend(() => {
                      // the result is finished on the wire: give the connection back now
                      if (current?.lease === leaseScope) current = undefined
                      return Scope.close(leaseScope, Exit.void)
                    })
                  )
                )
              }
            ))
          )})
        const begin = Effect.flatMap(Scope.make(), (leaseScope) =>
          Effect.flatMap(Effect.exit(restore(querySpan(start(leaseScope), query))), (exit) => {
            if (Exit.isFailure(exit)) return Effect.zipRight(Scope.close(leaseScope, exit), Effect.failCause(exit.cause))
            current = { lease: leaseScope, managed: exit.value }
            return Effect.succeed(exit.value.result)
          })
        )
        return current === undefined ? begin : Effect.zipRight(restore(bufferCurrent), begin)
      })
    }

    /** A transaction in `scope`: rolled back on its close unless committed. `observer`: its span, if traced. */
    const transactionIn = (
      mode: AccessMode,
      txConfig: TransactionConfig | undefined,
      scope: Scope.Scope,
      telemetry: Telemetry,
      observer: TransactionObserver | undefined
    ) =>
      Effect.zipRight(
        bufferCurrent,
        // the connection is leased in a scope of its own, given back as soon as the transaction
        // ends (commit or rollback), as the reference drivers do: the session's next transaction
        // may reuse it while the transaction's scope is still open
        Effect.flatMap(Scope.fork(scope, ExecutionStrategy.sequential), (leaseScope) =>
        Effect.flatMap(lease(mode, leaseScope), (leased) =>
          Effect.flatMap(bookmarksToSend, (sent) => {
            if (observer !== undefined) observer.leased(leased.connection.address, leased.database)
            const refused = refuseFilter(leased.connection, config.notificationFilter, "BEGIN")
            // nothing was sent: the connection goes back now, not when the caller's scope closes
            if (refused !== undefined) return Effect.zipRight(Scope.close(leaseScope, Exit.fail(refused)), Effect.fail(refused))
            const sentTelemetry = sendTelemetry(ctx, leased.connection, telemetry)
            const tx = begin(
              leased.connection,
              { fetchSize, ...txExtra(mode, leased.database, config.impersonatedUser, sent, txConfig, config.notificationFilter) },
              (meta) => reportDatabase(leased, meta)
            )
            // the lease's exit tells the router how the work ended (a former leader is forgotten):
            // a failure that ended the transaction counts, even when the user then rolled back
            const release = (exit: Exit.Exit<unknown, unknown>, how?: "commit" | "rollback") => {
              if (observer !== undefined && how !== undefined) observer.ended(how, exit)
              const failure = tx.failure()
              return Scope.close(leaseScope, failure !== undefined ? Exit.fail(failure) : exit)
            }
            const commit = Effect.onExit(
              Effect.flatMap(tx.commit, (bookmark) => recordBookmark(sent, bookmark)),
              (exit) => release(exit, "commit")
            )
            const rollback = Effect.onExit(tx.rollback, (exit) => release(exit, "rollback"))
            // interrupted: no ROLLBACK, which would queue behind a query still running; the pool's
            // RESET on an interrupted lease goes out at once, stops the query and rolls back
            return Effect.as(
              Scope.addFinalizerExit(scope, (exit) =>
                Effect.suspend(() => {
                  // TELEMETRY is acknowledged once its answer was read (with BEGIN's at the latest)
                  if (sentTelemetry?.outcome?._tag === "Success") telemetry.done = true
                  const rollback = tx.isOpen() && !Exit.isInterrupted(exit) ? Effect.ignore(cleanup(tx.rollback)) : Effect.void
                  const closeLease = release(exit)
                  // its span (if any) ends once the ROLLBACK is answered (or was not needed)
                  return Effect.zipRight(
                    rollback,
                    observer === undefined ? closeLease : Effect.zipRight(Effect.sync(() => observer.ended("close", exit)), closeLease)
                  )
                })
              ),
              { tx, commit, rollback }
            )
          })
        ))
      )

    // an explicit transaction in the current scope: rolled back on close unless committed; its
    // span (with a tracer) parents its queries' spans
    const beginTransaction = (txConfig?: TransactionConfig): Effect.Effect<Transaction, Neo4jError, Scope.Scope> =>
      transactionSpan(() => database, (observer, inSpan) =>
        Effect.flatMap(Effect.scope, (scope) =>
          Effect.map(
            transactionIn(
              config.defaultAccessMode ?? "WRITE",
              txConfig,
              scope,
              { api: Msg.TelemetryApi.ExplicitTransaction, done: false },
              observer
            ),
            ({ commit, rollback, tx }): Transaction => ({
              run: observer === undefined ? tx.run : (query, parameters) => inSpan(tx.run(query, parameters)),
              commit,
              rollback,
              isOpen: Effect.sync(() => tx.isOpen())
            })
          )
        )
      )

    const transactionFunction =
      (mode: AccessMode) =>
      <A, E, R>(
        work: (tx: ManagedTransaction) => Effect.Effect<A, E, R>,
        fnConfig?: TransactionFunctionConfig
      ): Effect.Effect<A, E | Neo4jError, R> => {
        // the attempt's scope is handed to the session's steps directly, and put in the context
        // only for the work (which may use it, as under Effect.scoped), unless the work is the
        // driver's executeQuery's (run, list, summary), which takes nothing from the context:
        // `Scope.extend` is 25 Effect operations, a ninth of an executeQuery call's
        const ownWork = txFunctionApi === Msg.TelemetryApi.ExecuteQuery
        const telemetry: Telemetry = { api: txFunctionApi, done: false }
        const schedule = fnConfig?.retry ?? ctx.retry
        const operation = txFunctionApi === Msg.TelemetryApi.ExecuteQuery
          ? "executeQuery"
          : mode === "READ" ? "executeRead" : "executeWrite"
        // built per run of the returned effect: the attempts and retries metrics count its attempts
        const attempts = () => {
          let n = 0
          let lastFailure: { readonly failure: unknown } | undefined
          return (observer: TransactionObserver | undefined) =>
            Effect.acquireUseRelease(
              Scope.make(),
              (scope) => {
                Metrics.transactionAttempt(++n > 1 ? lastFailure : undefined)
                return Effect.flatMap(transactionIn(mode, fnConfig, scope, telemetry, observer), ({ commit, tx }) =>
                  Effect.flatMap(
                    ownWork ? work({ run: tx.run }) as Effect.Effect<A, E> : Scope.extend(work({ run: tx.run }), scope),
                    (a) => Effect.as(commit, a)
                  )
                )
              },
              (scope, exit) => {
                if (exit._tag === "Failure") {
                  const failure = Cause.failureOption(exit.cause)
                  lastFailure = { failure: failure._tag === "Some" ? failure.value : undefined }
                }
                return Scope.close(scope, exit)
              }
            )
        }
        // typed over Neo4jError, as users write it: `retrying` gives it only retriable failures,
        // and the work's own errors only when they say `retriable: true` (documented on `retry`)
        return transactionFunctionSpans(operation, () => database, attempts, (attempt) =>
          retrying(
            attempt,
            schedule ? { schedule: schedule as Schedule.Schedule<unknown, E | Neo4jError> } : { maxRetryTime: ctx.maxRetryTime }
          )
        )
      }

    const session = {
      run: run as Session["run"],
      beginTransaction,
      executeRead: transactionFunction("READ"),
      executeWrite: transactionFunction("WRITE"),
      // a result stopped early gives its bookmark once its DISCARD is answered (in the background)
      lastBookmarks: () =>
        Effect.suspend(() => {
          const finishing = current?.managed.finishing()
          return finishing === undefined ? Effect.succeed(own) : Effect.zipRight(finishing, Effect.sync(() => own))
        })
    } satisfies Session
    // Scope.addFinalizer, not Effect.addFinalizer: the latter diffs and patches the fiber's
    // FiberRefs around the finalizer, ~20 µs of CPU per session on the benchmark machine
    return scope === undefined ? Effect.succeed(session) : Effect.as(Scope.addFinalizer(scope, Effect.ignore(finishCurrent)), session)
  })
