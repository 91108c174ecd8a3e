/**
 * Connections to one server address: lazy (nothing opens until the first lease), at most
 * `maxSize` at a time, an acquisition timeout that covers the whole acquisition (waiting for a
 * slot, connecting, handshake, HELLO), a maximum lifetime, an optional liveness check (RESET)
 * for connections idle longer than a threshold, and release rules that never hand out a dirty
 * connection:
 *
 * - DEFUNCT (socket gone, protocol violated): closed
 * - requests still in flight, a FAILED server state, or an interrupted lease: cleaned in the
 *   background (RESET, bounded; the pool's close lets it finish): the release returns at once, whatever the
 *   server does; the connection keeps its slot until it is idle again (RESET answered) or closed
 *   (RESET failed or unanswered)
 * - past its lifetime, or the pool is closed: closed
 * - the server failed one of its requests with a security error (`Neo.ClientError.Security.*`):
 *   closed, as the reference drivers do
 * - its server ended an authorization (`AuthorizationExpired`): every other connection of the
 *   pool logged in before logs in again before its next use (Bolt 5.1+: LOGOFF and LOGON with the
 *   current token, see `authorize`), or is closed before 5.1 (idle ones at once, leased ones on
 *   release), so that the retry runs on a freshly authenticated connection
 * - otherwise: back to the idle list
 *
 * Time is read from Effect's `Clock` (its synchronous form, once per lease), so that tests can
 * drive lifetimes and liveness checks with `TestClock`.
 *
 * The pool is given its `connect` effect (it does not import the transport): tests and the
 * router supply their own.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Auth from "../../Auth.js"
import { ConnectionAcquisitionTimeoutError, ServiceUnavailableError, UnsupportedFeatureError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Connection, LoginAuth } from "../connection/connection.js"
import { format } from "../bolt/version.js"
import * as Metrics from "../metrics.js"

/**
 * Pool settings.
 *
 * @since 0.1.0
 */
export interface PoolOptions {
  readonly address: string
  readonly maxSize: number
  readonly acquisitionTimeout: Duration.Duration
  readonly maxLifetime: Duration.Duration
  /** idle time after which a connection is checked with RESET before use; undefined = never */
  readonly livenessCheckTimeout: Duration.Duration | undefined
  /** opens one connection in the given scope, logged in with `auth` */
  readonly connect: (auth: LoginAuth) => Effect.Effect<Connection, Neo4jError, Scope.Scope>
  /** who a lease logs in as when it names nobody (the driver's auth) */
  readonly auth: AuthSource
}

/**
 * Who a lease logs in as: asked once for each connection the lease takes (from the idle list or
 * opened), as the reference drivers ask their auth token manager. A pooled connection logged in
 * with another token is re-authenticated (Bolt 5.1+), or replaced (before 5.1).
 *
 * @since 0.1.0
 */
export interface AuthSource {
  /** the token for the connection about to be used */
  readonly login: Effect.Effect<LoginAuth, Neo4jError>
  /** the token when it never changes (a plain AuthToken): leases then compare by identity, with no Effect */
  readonly fixed?: LoginAuth | undefined
  /** a session's or query's own token: refused before Bolt 5.1, which cannot switch users */
  readonly session: boolean
}

/**
 * The source of a token that never changes (and whose failures nobody handles).
 *
 * @since 0.1.0
 */
export const fixedAuth = (token: Auth.AuthToken, session: boolean): AuthSource => {
  const fixed: LoginAuth = { token }
  return { login: Effect.succeed(fixed), fixed, session }
}

interface Entry {
  readonly connection: Connection
  readonly scope: Scope.CloseableScope
  readonly createdAt: number
  /**
   * the pool's generation when it opened or last logged in: an older one logs in again before use
   * (Bolt 5.1+) or is closed (AuthorizationExpired)
   */
  generation: number
  lastUsed: number
  /** its close was counted (`neo4j.client.connection.closed`) */
  closed: boolean
}

/**
 * A connection pool for one address.
 *
 * @since 0.1.0
 */
export interface Pool {
  readonly address: string
  /**
   * A connection leased for the current scope, logged in as `auth` (the pool's by default);
   * released by the rules above when it closes.
   */
  readonly acquire: (auth?: AuthSource) => Effect.Effect<Connection, Neo4jError, Scope.Scope>
  /** The same, for the scope given (no Scope in the context: cheaper on the hot path). */
  readonly acquireIn: (scope: Scope.Scope, auth?: AuthSource) => Effect.Effect<Connection, Neo4jError>
  /** Connections leased right now. */
  readonly inUse: () => number
  /** Connections idle in the pool right now. */
  readonly idle: () => number
  /** Connections open right now (idle and leased). */
  readonly size: () => number
  /**
   * Closes every connection and refuses new leases. Work still running on a connection fails at
   * once with a `ServiceUnavailableError` saying the driver was closed (not retriable).
   */
  readonly close: Effect.Effect<void>
  /** Closes idle connections (the server went away). */
  readonly purge: Effect.Effect<void>
}

/**
 * How long an acquisition waits for a connection about to come back clean (its RESET or DISCARD
 * answered) before it opens one: a server answers those in milliseconds.
 */
const CLEANED_GRACE = Duration.seconds(1)

/** What a connection attempt cut off by interruption counts as in `neo4j.client.connection.failed`. */
const INTERRUPTED = { _tag: "Interrupted" }

/** Whether a lease ended with `AuthorizationExpired`, or left its connection failed with it. */
const authorizationExpired = (exit: Exit.Exit<unknown, unknown>, c: Connection): boolean =>
  c.failure()?._tag === "AuthorizationExpiredError" ||
  (Exit.isFailure(exit) &&
    Option.exists(Cause.failureOption(exit.cause), (e) => (e as { _tag?: unknown })?._tag === "AuthorizationExpiredError"))

/**
 * Makes a pool; closing the current scope closes every connection it opened.
 *
 * @since 0.1.0
 */
export const make = (options: PoolOptions): Effect.Effect<Pool, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    // Slots: at most `maxSize` leases and acquisitions at a time. Counted here rather than with an
    // Effect Semaphore so that a lease of an idle connection is one synchronous step, with no
    // acquisition timeout to arm: `Effect.timeoutFail` forks a fiber and a timer, ~90 µs of CPU per
    // lease on the benchmark machine (bench/e2e), more than the rest of the lease. A freed slot
    // goes straight to the first waiter, if any.
    let held = 0
    const waiting: Array<() => void> = []
    const releaseSlot = (): void => {
      const next = waiting.shift()
      if (next !== undefined) next()
      else held--
    }
    const takeSlot: Effect.Effect<void, Neo4jError> = Effect.suspend(() => {
      if (held < options.maxSize) {
        held++
        return Effect.void
      }
      return Effect.async<void, Neo4jError>((resume) => {
        let granted = false
        const wake = () => {
          granted = true
          // the pool closed while this acquisition waited: it fails at once (its slot is passed on)
          if (closed) {
            releaseSlot()
            resume(Effect.fail(closedError()))
          } else resume(Effect.void)
        }
        waiting.push(wake)
        // interrupted while waiting (the acquisition timeout): leave the queue, or pass on a slot
        // handed over at that very moment
        return Effect.sync(() => {
          const i = waiting.indexOf(wake)
          if (i >= 0) waiting.splice(i, 1)
          else if (granted) releaseSlot()
        })
      })
    })
    const idle: Array<Entry> = []
    const all = new Set<Entry>()
    let leased = 0
    let closed = false
    /** bumped when the server ends an authorization: entries of older generations are closed */
    let generation = 0
    /**
     * Connections being cleaned in the background, and the fibers doing it: the pool's close lets
     * them finish (each is bounded by the RESET's timeout), so that a RESET the server expects is
     * not cut short by the driver's close.
     */
    const cleaning = new Set<Entry>()
    const cleaners = new Set<Fiber.RuntimeFiber<void>>()
    /** acquisitions waiting for a connection being cleaned (rather than opening one) */
    let cleanWaiters: Array<() => void> = []
    const cleaned = () => {
      const ws = cleanWaiters
      cleanWaiters = []
      for (const w of ws) w()
    }
    /**
     * Waits until a clean-up ends. The next lease takes a connection being cleaned once it is idle
     * again rather than opening one (the session's next query goes on the same connection, as in
     * the reference drivers, where the release itself waits for the RESET); each clean-up is
     * bounded, and the acquisition timeout bounds the wait.
     */
    /** how many connections are about to come back: being cleaned, or leased to a result finishing in the background */
    const soonIdle = () => {
      let n = cleaning.size
      if (n === all.size) return n
      for (const e of all) if (!cleaning.has(e) && e.connection.background.active()) n++
      return n
    }
    const awaitCleaned = Effect.async<void>((resume) => {
      const w = () => resume(Effect.void)
      cleanWaiters.push(w)
      return Effect.sync(() => {
        cleanWaiters = cleanWaiters.filter((x) => x !== w)
      })
    })
    const lifetime = Duration.toMillis(options.maxLifetime)
    const liveness = options.livenessCheckTimeout ? Duration.toMillis(options.livenessCheckTimeout) : undefined

    // metrics (internal/metrics.ts): the connection counts follow `idle` and `all` by differences,
    // reported after each change of either (a lease of an idle connection: two counter updates)
    const metrics = Metrics.server(options.address)
    let shownIdle = 0
    let shownUsed = 0
    const report = (): void => {
      const i = idle.length
      const u = all.size - i
      if (i !== shownIdle) {
        metrics.idle(i - shownIdle)
        shownIdle = i
      }
      if (u !== shownUsed) {
        metrics.used(u - shownUsed)
        shownUsed = u
      }
    }
    metrics.max(options.maxSize)
    let maxShown = true

    const closeEntry = (e: Entry) =>
      Effect.suspend(() => {
        if (!e.closed) {
          e.closed = true
          metrics.closed()
        }
        return Scope.close(e.scope, Exit.void)
      })

    /**
     * past its lifetime, or logged in before the server ended an authorization and unable to log
     * in again (before Bolt 5.1; later ones log in again before use, see `authorize`)
     */
    const expired = (e: Entry, now: number) =>
      (lifetime > 0 && now - e.createdAt >= lifetime) || (e.generation < generation && !e.connection.caps.logon)

    const discard = (e: Entry) =>
      Effect.suspend(() => {
        all.delete(e)
        report()
        return closeEntry(e)
      })

    // the connection's scope is closed on failure and on interruption (an acquisition timeout)
    const openEntry = (auth: LoginAuth) => Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const startedAt = performance.now()
        metrics.creating(1)
        const exit = yield* Effect.exit(restore(Scope.extend(options.connect(auth), scope)))
        metrics.creating(-1)
        if (Exit.isFailure(exit)) {
          // its error.type: the error's tag; Interrupted when cut off (an acquisition timeout, say)
          metrics.failed(Option.getOrElse(Cause.failureOption(exit.cause), () => (Cause.isInterruptedOnly(exit.cause) ? INTERRUPTED : undefined)))
          yield* Scope.close(scope, exit)
          return yield* Effect.failCause(exit.cause)
        }
        metrics.opened()
        metrics.createTime(Metrics.secondsSince(startedAt))
        const t = now()
        const e: Entry = { connection: exit.value, scope, createdAt: t, generation, lastUsed: t, closed: false }
        all.add(e)
        report()
        return e
      })
    )

    /** An idle entry that is fit for use and logged in as `src` says, or a new one. */
    const obtain = (src: AuthSource): Effect.Effect<Entry, Neo4jError> => Effect.suspend(() => obtainOrWait(src, true))
    const obtainOrWait = (src: AuthSource, mayWait: boolean): Effect.Effect<Entry, Neo4jError> => Effect.suspend(() => {
      if (closed) return Effect.fail(closedError())
      const e = idle.pop()
      if (e !== undefined) report()
      if (e === undefined) {
        // one waiter per connection about to come back, each for a short grace at most: a slow
        // clean-up never holds up new work for long (a connection is opened instead)
        if (!mayWait || cleanWaiters.length >= soonIdle()) return openFor(src)
        return Effect.zipRight(Effect.ignore(Effect.timeout(awaitCleaned, CLEANED_GRACE)), obtainOrWait(src, false))
      }
      const t = now()
      if (e.connection.isDefunct() || expired(e, t)) return Effect.zipRight(discard(e), obtain(src))
      // the liveness RESET goes before any re-authentication (it must not interfere with LOGON)
      if (liveness !== undefined && t - e.lastUsed >= liveness) {
        // cut off mid-RESET (the acquisition timed out): the connection is not fit to keep
        return Effect.onInterrupt(e.connection.reset, () => discard(e)).pipe(
          Effect.matchEffect({
            onFailure: () => Effect.zipRight(discard(e), obtain(src)),
            onSuccess: () => authorize(e, src)
          })
        )
      }
      return authorize(e, src)
    })

    /** A new connection, logged in with the token `src` gives now. */
    const openFor = (src: AuthSource): Effect.Effect<Entry, Neo4jError> =>
      Effect.flatMap(src.login, (auth) =>
        Effect.flatMap(openEntry(auth), (e) => (src.session && !e.connection.caps.logon ? refuse(e) : Effect.succeed(e)))
      )

    /**
     * An idle connection made ready for `src`: as it is when logged in with an equal token (and not
     * since an authorization ended); logged in again (LOGOFF and LOGON, sent with the lease's first
     * request) on Bolt 5.1+; replaced before 5.1. A session's own token before 5.1 is refused.
     */
    const authorize = (e: Entry, src: AuthSource): Effect.Effect<Entry, Neo4jError> => {
      const c = e.connection
      if (src.session && !c.caps.logon) return refuse(e)
      if (src.fixed !== undefined) return loginAs(e, src, src.fixed)
      // the token manager failed or was cut off: the connection goes back as it was
      return Effect.flatMap(Effect.onError(src.login, () => putBack(e)), (auth) => loginAs(e, src, auth))
    }

    /** An idle connection taken for a lease that did not happen: back to the idle list (closed when unfit). */
    const putBack = (e: Entry): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (closed || e.connection.isDefunct()) return discard(e)
        idle.push(e)
        report()
        cleaned()
        return Effect.void
      })
    const loginAs = (e: Entry, src: AuthSource, auth: LoginAuth): Effect.Effect<Entry, Neo4jError> => {
      const c = e.connection
      const current = c.auth()
      if (e.generation === generation && (current === auth || Auth.equals(current.token, auth.token))) {
        // the same login; whoever is told of its failures is the new lease's
        if (current !== auth) c.setAuth(auth)
        return Effect.succeed(e)
      }
      if (!c.caps.logon) return Effect.zipRight(discard(e), obtain(src))
      c.reauth(auth)
      e.generation = generation
      return Effect.succeed(e)
    }

    /** A session's own token on a server that cannot switch users: the connection goes back idle. */
    const refuse = (e: Entry): Effect.Effect<never, Neo4jError> => {
      e.lastUsed = now()
      return Effect.zipRight(putBack(e), Effect.fail(
        new UnsupportedFeatureError({
          feature: "session auth",
          message: `the server at ${options.address} speaks Bolt ${format(e.connection.version)}, which cannot switch users: a session's or query's own auth needs Bolt 5.1+ (Neo4j 5.5+); make a driver with that auth instead`
        })
      ))
    }

    /**
     * The server ended an authorization: every connection logged in before is logged in again
     * before its next use (Bolt 5.1+), or closed (before 5.1: idle ones at once, leased ones when
     * they come back).
     */
    const invalidate = () => {
      generation++
      const stale: Array<Entry> = []
      for (let i = idle.length - 1; i >= 0; i--) {
        if (!idle[i]!.connection.caps.logon) stale.push(...idle.splice(i, 1))
      }
      if (stale.length > 0) report()
      return Effect.forEach(stale, discard, { discard: true })
    }

    /**
     * The slow path of a release; frees the slot itself. A connection that needs cleaning is
     * cleaned in the background (a fiber the pool's close waits for): the release (a finalizer of
     * the caller's) returns at once, and the slot stays taken until the connection is idle again
     * or closed.
     */
    const release = (e: Entry, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
      Effect.suspend(() => {
        leased--
        const c = e.connection
        const revoked = authorizationExpired(exit, c) ? invalidate() : Effect.void
        if (closed || c.isDefunct() || c.securityFailed() || expired(e, now())) {
          return Effect.ensuring(Effect.zipRight(revoked, discard(e)), Effect.sync(() => {
            releaseSlot()
            cleaned()
          }))
        }
        const dirty = Exit.isInterrupted(exit) || c.busy() || c.failure() !== undefined
        if (!dirty) {
          e.lastUsed = now()
          idle.push(e)
          report()
          releaseSlot()
          cleaned()
          return revoked
        }
        // the RESET is bounded by the connection (it is closed when the server does not answer)
        const clean = c.reset.pipe(
          Effect.matchEffect({
            onFailure: () => discard(e),
            onSuccess: () => {
              if (closed || expired(e, now())) return discard(e)
              e.lastUsed = now()
              idle.push(e)
              report()
              return Effect.void
            }
          }),
          Effect.ensuring(Effect.sync(releaseSlot)),
          Effect.interruptible
        )
        cleaning.add(e)
        return Effect.zipRight(
          revoked,
          Effect.flatMap(Effect.forkDaemon(Effect.ensuring(clean, Effect.sync(() => {
            cleaning.delete(e)
            cleaned()
          }))), (fiber) =>
            Effect.sync(() => {
              cleaners.add(fiber)
              fiber.addObserver(() => cleaners.delete(fiber))
            })
          )
        )
      })

    const timeoutMs = Duration.toMillis(options.acquisitionTimeout)

    const closedError = (during?: string) =>
      new ServiceUnavailableError({
        reason: "Closed",
        address: options.address,
        message: during === undefined
          ? "the driver is closed: no new work is accepted"
          : `the driver was closed ${during}: the work was cut off (not retried)`,
        permanent: true
      })

    /**
     * Takes a slot and the last idle connection when both are there and it needs no check: no
     * liveness check due, and logged in with `src`'s fixed token itself.
     */
    const readyIdle = (src: AuthSource): Entry | undefined => {
      if (held >= options.maxSize || waiting.length > 0 || src.fixed === undefined) return undefined
      const e = idle[idle.length - 1]
      if (e === undefined) return undefined
      const t = now()
      if (
        e.connection.isDefunct() ||
        expired(e, t) ||
        (liveness !== undefined && t - e.lastUsed >= liveness) ||
        e.connection.auth() !== src.fixed ||
        e.generation !== generation ||
        (src.session && !e.connection.caps.logon)
      ) {
        return undefined
      }
      held++
      idle.pop()
      report()
      return e
    }

    /** Registers the lease's release on `scope`; runs uninterruptibly, right after the entry is taken. */
    const lease = (entry: Entry, scope: Scope.Scope): Effect.Effect<Connection> => {
      leased++
      return Effect.as(
        Scope.addFinalizerExit(scope, (exit) =>
          Effect.suspend(() => {
            // the usual case, a clean connection back to the idle list, in one synchronous step
            const c = entry.connection
            c.released()
            const t = now()
            if (
              !closed &&
              exit._tag === "Success" &&
              !c.isDefunct() &&
              !c.busy() &&
              c.failure() === undefined &&
              !c.securityFailed() &&
              !expired(entry, t)
            ) {
              leased--
              entry.lastUsed = t
              idle.push(entry)
              report()
              releaseSlot()
              if (cleanWaiters.length > 0) cleaned()
              return Effect.void
            }
            return release(entry, exit)
          })
        ),
        entry.connection
      )
    }

    const acquireIn = (scope: Scope.Scope, src: AuthSource = options.auth): Effect.Effect<Connection, Neo4jError> =>
      Effect.uninterruptibleMask((restore) => {
        if (closed) return Effect.fail(closedError())
        // a free slot and an idle connection fit for use (no liveness RESET due): taken at once;
        // otherwise the timeout covers waiting for a slot and opening (or checking) a connection
        const ready = readyIdle(src)
        if (ready !== undefined) {
          metrics.waitTime(0)
          return lease(ready, scope)
        }
        const startedAt = performance.now()
        metrics.pending(1)
        return Effect.gen(function* () {
          yield* restore(takeSlot)
          const exit = yield* Effect.exit(restore(obtain(src)))
          if (Exit.isFailure(exit)) {
            releaseSlot()
            return yield* Effect.failCause(exit.cause)
          }
          return exit.value
        }).pipe(
          Effect.timeoutFail({
            duration: options.acquisitionTimeout,
            onTimeout: () => {
              metrics.timeout()
              return new ConnectionAcquisitionTimeoutError({
                message: `no connection to ${options.address} became available within ${timeoutMs} ms, opening one included (pool size ${options.maxSize}, ${leased} in use)`
              })
            }
          }),
          Effect.onExit((exit) =>
            Effect.sync(() => {
              metrics.pending(-1)
              if (exit._tag === "Success") metrics.waitTime(Metrics.secondsSince(startedAt))
            })
          ),
          Effect.flatMap((entry) => lease(entry, scope))
        )
      })

    const acquire = (src?: AuthSource): Effect.Effect<Connection, Neo4jError, Scope.Scope> =>
      Effect.flatMap(Effect.scope, (scope) => acquireIn(scope, src))

    const closeAll = Effect.suspend(() => {
      closed = true
      const idleNow = new Set(idle)
      idle.length = 0
      const entries = [...all]
      all.clear()
      report()
      if (maxShown) {
        maxShown = false
        metrics.max(-options.maxSize)
      }
      // work still running fails at once, saying why (a lease's connection, or one being cleaned)
      // (but clean-up running in the background is let finish: it is bounded)
      const settling = entries.filter((e) => !idleNow.has(e) && !cleaning.has(e))
      return Effect.flatMap(Effect.forEach(settling, (e) => e.connection.background.await, { discard: true }), () => {
        for (const e of settling) if (!idleNow.has(e)) e.connection.shutdown(closedError("while work was running on it"))
        // acquisitions waiting for a slot fail at once too
        for (const w of waiting.splice(0)) w()
        return Effect.forEach([...cleaners], Fiber.await, { discard: true })
      }).pipe(Effect.zipRight(
        Effect.forEach(entries, closeEntry, { discard: true, concurrency: "unbounded" })
      ))
    })

    yield* Effect.addFinalizer(() => closeAll)

    return {
      address: options.address,
      acquire,
      acquireIn,
      inUse: () => leased,
      idle: () => idle.length,
      size: () => all.size,
      close: closeAll,
      purge: Effect.suspend(() => {
        const entries = idle.splice(0)
        return Effect.forEach(entries, discard, { discard: true })
      })
    }
  })
