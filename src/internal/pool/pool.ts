/**
 * Connections to one server address: lazy (nothing opens until the first lease), at most
 * `maxSize` at a time, an acquisition timeout that covers the whole acquisition (waiting for a
 * slot, connecting, handshake, HELLO), a maximum lifetime, an optional liveness check (RESET)
 * for connections idle longer than a threshold, and release rules that never hand out a dirty
 * connection:
 *
 * - DEFUNCT (socket gone, protocol violated): closed
 * - requests still in flight, a FAILED server state, or an interrupted lease: RESET, then idle;
 *   closed if the RESET fails
 * - past its lifetime, or the pool is closed: closed
 * - otherwise: back to the idle list
 *
 * The pool is given its `connect` effect (it does not import the transport): tests and the
 * router supply their own.
 */
import { Duration, Effect, Exit, Scope } from "effect"
import { ConnectionAcquisitionTimeoutError, ServiceUnavailableError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Connection } from "../connection/connection.js"

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
  /** opens one connection in the given scope */
  readonly connect: Effect.Effect<Connection, Neo4jError, Scope.Scope>
}

interface Entry {
  readonly connection: Connection
  readonly scope: Scope.CloseableScope
  readonly createdAt: number
  lastUsed: number
}

/**
 * A connection pool for one address.
 *
 * @since 0.1.0
 */
export interface Pool {
  readonly address: string
  /** A connection leased for the current scope; released by the rules above when it closes. */
  readonly acquire: Effect.Effect<Connection, Neo4jError, Scope.Scope>
  /** The same, for the scope given (no Scope in the context: cheaper on the hot path). */
  readonly acquireIn: (scope: Scope.Scope) => Effect.Effect<Connection, Neo4jError>
  /** Connections leased right now. */
  readonly inUse: () => number
  /** Connections idle in the pool right now. */
  readonly idle: () => number
  /** Connections open right now (idle and leased). */
  readonly size: () => number
  /** Closes every idle connection and refuses new leases; leased ones close on release. */
  readonly close: Effect.Effect<void>
  /** Closes idle connections (the server went away). */
  readonly purge: Effect.Effect<void>
}

const closeEntry = (e: Entry) => Scope.close(e.scope, Exit.void)

/**
 * Makes a pool; closing the current scope closes every connection it opened.
 *
 * @since 0.1.0
 */
export const make = (options: PoolOptions): Effect.Effect<Pool, never, Scope.Scope> =>
  Effect.gen(function* () {
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
    const takeSlot: Effect.Effect<void> = Effect.suspend(() => {
      if (held < options.maxSize) {
        held++
        return Effect.void
      }
      return Effect.async<void>((resume) => {
        let granted = false
        const wake = () => {
          granted = true
          resume(Effect.void)
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
    const lifetime = Duration.toMillis(options.maxLifetime)
    const liveness = options.livenessCheckTimeout ? Duration.toMillis(options.livenessCheckTimeout) : undefined

    const expired = (e: Entry, now: number) => lifetime > 0 && now - e.createdAt >= lifetime

    const discard = (e: Entry) =>
      Effect.suspend(() => {
        all.delete(e)
        return closeEntry(e)
      })

    // the connection's scope is closed on failure and on interruption (an acquisition timeout)
    const openEntry = Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const exit = yield* Effect.exit(restore(Scope.extend(options.connect, scope)))
        if (Exit.isFailure(exit)) {
          yield* Scope.close(scope, exit)
          return yield* Effect.failCause(exit.cause)
        }
        const now = Date.now()
        const e: Entry = { connection: exit.value, scope, createdAt: now, lastUsed: now }
        all.add(e)
        return e
      })
    )

    /** An idle entry that is fit for use, or a new one. */
    const obtain: Effect.Effect<Entry, Neo4jError> = Effect.suspend(() => {
      const e = idle.pop()
      if (e === undefined) return openEntry
      const now = Date.now()
      if (e.connection.isDefunct() || expired(e, now)) return Effect.zipRight(discard(e), obtain)
      if (liveness !== undefined && now - e.lastUsed >= liveness) {
        return e.connection.reset.pipe(
          Effect.as(e),
          Effect.catchAll(() => Effect.zipRight(discard(e), obtain))
        )
      }
      return Effect.succeed(e)
    })

    const release = (e: Entry, exit: Exit.Exit<unknown, unknown>) =>
      Effect.suspend(() => {
        leased--
        const c = e.connection
        if (closed || c.isDefunct() || expired(e, Date.now())) return discard(e)
        const dirty = Exit.isInterrupted(exit) || c.busy() || c.failure() !== undefined
        const clean = dirty
          ? // release runs in a finalizer (uninterruptible): the timeout can only end the RESET
            // wait if the RESET itself is interruptible, else a silent server hangs the release
            Effect.interruptible(c.reset).pipe(
              Effect.timeout(Duration.seconds(10)),
              Effect.as(true),
              Effect.catchAll(() => Effect.succeed(false))
            )
          : Effect.succeed(true)
        return Effect.flatMap(clean, (ok) => {
          if (!ok || closed) return discard(e)
          e.lastUsed = Date.now()
          idle.push(e)
          return Effect.void
        })
      })

    const timeoutMs = Duration.toMillis(options.acquisitionTimeout)

    /** Takes a slot and the last idle connection when both are there and it needs no check. */
    const readyIdle = (): Entry | undefined => {
      if (held >= options.maxSize || waiting.length > 0) return undefined
      const e = idle[idle.length - 1]
      if (e === undefined) return undefined
      const now = Date.now()
      if (e.connection.isDefunct() || expired(e, now) || (liveness !== undefined && now - e.lastUsed >= liveness)) {
        return undefined
      }
      held++
      idle.pop()
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
            const now = Date.now()
            if (
              !closed &&
              !Exit.isInterrupted(exit) &&
              !c.isDefunct() &&
              !c.busy() &&
              c.failure() === undefined &&
              !expired(entry, now)
            ) {
              leased--
              entry.lastUsed = now
              idle.push(entry)
              releaseSlot()
              return Effect.void
            }
            return Effect.ensuring(release(entry, exit), Effect.sync(releaseSlot))
          })
        ),
        entry.connection
      )
    }

    const acquireIn = (scope: Scope.Scope): Effect.Effect<Connection, Neo4jError> =>
      Effect.uninterruptibleMask((restore) => {
        if (closed) {
          return Effect.fail(
            new ServiceUnavailableError({
              reason: "Closed",
              address: options.address,
              message: "the driver is closed: no new work is accepted",
              permanent: true
            })
          )
        }
        // a free slot and an idle connection fit for use (no liveness RESET due): taken at once;
        // otherwise the timeout covers waiting for a slot and opening (or checking) a connection
        const ready = readyIdle()
        if (ready !== undefined) return lease(ready, scope)
        return Effect.gen(function* () {
          yield* restore(takeSlot)
          const exit = yield* Effect.exit(restore(obtain))
          if (Exit.isFailure(exit)) {
            releaseSlot()
            return yield* Effect.failCause(exit.cause)
          }
          return exit.value
        }).pipe(
          Effect.timeoutFail({
            duration: options.acquisitionTimeout,
            onTimeout: () =>
              new ConnectionAcquisitionTimeoutError({
                message: `no connection to ${options.address} became available within ${timeoutMs} ms, opening one included (pool size ${options.maxSize}, ${leased} in use)`
              })
          }),
          Effect.flatMap((entry) => lease(entry, scope))
        )
      })

    const acquire: Effect.Effect<Connection, Neo4jError, Scope.Scope> = Effect.flatMap(Effect.scope, acquireIn)

    const closeAll = Effect.suspend(() => {
      closed = true
      idle.length = 0
      const entries = [...all]
      all.clear()
      return Effect.forEach(entries, closeEntry, { discard: true, concurrency: "unbounded" })
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
