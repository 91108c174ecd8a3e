/**
 * An explicit transaction on a leased connection. BEGIN is queued, not sent: it goes out in the
 * same write as the first RUN + PULL (or COMMIT). Several results may be open at once (each
 * further PULL names its `qid`). COMMIT and ROLLBACK first finish open results; results read
 * after the transaction ended fail with `ResultConsumedError`. A connection that dies during
 * COMMIT gives `IncompleteCommitError`: the outcome is unknown, so it is never retried. A FAILURE
 * to any of its requests ends the transaction on the server: nothing more goes out for it (see
 * `failedWith`).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Query } from "../../Cypher.js"
import { IncompleteCommitError, InvalidParameterError, ResultConsumedError, ServiceUnavailableError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Result } from "../../Result.js"
import * as Msg from "../bolt/messages.js"
import type { Connection, Outcome, Pending } from "../connection/connection.js"
import { run as runCursor } from "../connection/result.js"
import * as Metrics from "../metrics.js"
import { resolveQuery } from "./query.js"
import * as ManagedResult from "./result.js"
import { querySpan } from "./span.js"

/**
 * What BEGIN carries.
 *
 * @since 0.1.0
 */
export interface BeginRequest extends Msg.TxExtra {
  readonly fetchSize: number
}

/**
 * A transaction's lifecycle as its owner sees it.
 *
 * @since 0.1.0
 */
export interface ExplicitTransaction {
  readonly run: (query: string | Query, parameters?: Readonly<Record<string, unknown>>) => Effect.Effect<Result, Neo4jError>
  /** Commits; returns the bookmark the server gave (if any). */
  readonly commit: Effect.Effect<string | undefined, Neo4jError>
  readonly rollback: Effect.Effect<void, Neo4jError>
  readonly isOpen: () => boolean
  /** The failure that ended the transaction on the server, if one did (the router hears of it). */
  readonly failure: () => Neo4jError | undefined
}

const failureOf = (o: Outcome, conn: Connection, name: string): Neo4jError | undefined =>
  o._tag === "Failure"
    ? o.error
    : o._tag === "Ignored"
      ? (conn.failure() ??
        new ResultConsumedError({ message: `${name} was ignored by the server: an earlier request failed` }))
      : undefined

/**
 * Queues BEGIN and returns the transaction.
 *
 * @since 0.1.0
 */
export const begin = (
  conn: Connection,
  request: BeginRequest,
  /** receives BEGIN's SUCCESS metadata (its `db` names the database the server chose) */
  onBegin?: (metadata: Readonly<Record<string, unknown>>) => void
): ExplicitTransaction => {
  let begin: Pending | undefined = conn.enqueue("BEGIN", (c) => Msg.begin(c, conn.caps, request))
  // a BEGIN that could not be encoded (unsupported metadata) was not queued: the transaction
  // never opens, and nothing may go out in its place
  const unsent = begin.outcome === undefined ? undefined : failureOf(begin.outcome, conn, "BEGIN")
  let open = unsent === undefined
  let commitSent = false
  const results: Array<ManagedResult.ManagedResult> = []

  /** set when a RESET (an interrupted result consumer) ended the transaction on the server */
  let terminated: Neo4jError | undefined
  /**
   * The failure (a FAILURE to RUN or PULL, or the connection lost) that ended the transaction on
   * the server. From then on nothing more goes out for it: its other results fail with this
   * error, `run` and `commit` fail, `rollback` succeeds at once, and the connection's release
   * RESETs it (as the reference drivers do: no ROLLBACK, which the server would only IGNORE).
   */
  let failedWith: Neo4jError | undefined

  const closedError = (): Neo4jError =>
    unsent ??
    terminated ??
    (failedWith === undefined
      ? new ResultConsumedError({ message: "the transaction is closed: it was committed or rolled back" })
      : // a lost connection stays what it is (retriable: nothing was committed)
        failedWith._tag === "ServiceUnavailableError"
        ? failedWith
        : new ResultConsumedError({
            message: `the transaction was terminated by an earlier failure and can only be rolled back: ${failedWith.message}`
          }))

  const interruptedReader = () =>
    new ResultConsumedError({
      message:
        "the transaction was terminated: a result's reader was interrupted (or could not finish) while records were in flight, and the RESET that cleans the connection rolls the transaction back"
    })

  /** Notes a failure of one of the transaction's requests: did it end the transaction on the server? */
  const noteFailure = (e: Neo4jError) => {
    if (failedWith !== undefined || (conn.failure() === undefined && !conn.isDefunct())) return
    failedWith = conn.failure() ?? e
    open = false
  }

  /** Waits for BEGIN's answer, once. */
  const awaitBegin: Effect.Effect<void, Neo4jError> = Effect.suspend(() => {
    const p = begin
    if (p === undefined) return Effect.void
    return Effect.flatMap(conn.await(p), (o) => {
      begin = undefined
      const err = failureOf(o, conn, "BEGIN")
      if (err) {
        open = false
        return Effect.fail(err)
      }
      onBegin?.((o as { metadata: Readonly<Record<string, unknown>> }).metadata)
      return Effect.void
    })
  })

  const run = (query: string | Query, parameters: Readonly<Record<string, unknown>> = {}): Effect.Effect<Result, Neo4jError> => {
    if (typeof query !== "string") {
      // refused before anything is sent: the transaction goes on
      const resolved = resolveQuery(query, parameters)
      return resolved instanceof InvalidParameterError ? Effect.fail(resolved) : run(resolved.text, resolved.parameters)
    }
    return querySpan(Effect.suspend(() => {
      if (!open) return Effect.fail(closedError())
      // BEGIN, RUN and PULL go out in one write: the cursor's await flushes all of them
      const cursor = runCursor(conn, { query, parameters, fetchSize: request.fetchSize }, awaitBegin, Metrics.server(conn.address).operation)
      return Effect.flatMap(cursor, (c) => {
        // a consumer that stops early: the cursor reads the batch in flight and DISCARDs the rest.
        // When that does not end with a summary (the server did not answer in time), the pool's
        // RESET will end the transaction on the server: end it here too, or the next RUN would go
        // out outside any transaction (and be auto-committed).
        const stop = Effect.ensuring(
          c.stop,
          Effect.catchAll(Effect.asVoid(c.summary), (e) =>
            Effect.sync(() => {
              if (!open) return
              open = false
              // a lost connection stays what it is (retriable, and nothing was committed)
              terminated = e._tag === "ServiceUnavailableError"
                ? e
                : conn.isDefunct()
                  ? new ServiceUnavailableError({
                      reason: "Closed",
                      address: conn.address,
                      message: `the connection to ${conn.address} was lost during the transaction: nothing was committed`
                    })
                  : interruptedReader()
            })
          )
        )
        // once the transaction failed, a result not finished yet fails with that failure, and
        // nothing more goes out for it
        let cutOff: Neo4jError | undefined
        const ended = () => {
          if (cutOff === undefined && failedWith !== undefined && !c.isDone()) cutOff = failedWith
          return cutOff
        }
        const pull = Effect.suspend(() => {
          const e = ended()
          return e !== undefined
            ? Effect.fail(Option.some(e))
            : Effect.tapError(c.pull, (o) => Effect.sync(() => Option.isSome(o) && noteFailure(o.value)))
        })
        const summary = Effect.suspend(() => {
          const e = ended()
          return e !== undefined ? Effect.fail(e) : Effect.tapError(c.summary, (err) => Effect.sync(() => noteFailure(err)))
        })
        const stopOrAbandon = Effect.suspend(() => {
          if (ended() === undefined) return failedWith === undefined ? stop : Effect.void
          c.abandon()
          return Effect.void
        })
        // a reader interrupted while records were in flight: nothing is waited for, the pool's
        // RESET ends the transaction on the server once it ends here
        const abandon = () => {
          c.abandon()
          if (!open) return
          open = false
          terminated = interruptedReader()
        }
        const managed = ManagedResult.make(
          conn,
          { ...c, pull, summary, stop: stopOrAbandon, abandon },
          { text: query, parameters },
          () => Effect.void
        )
        results.push(managed)
        return Effect.succeed(managed.result)
      })
    }).pipe(
      // a failed query fails the transaction: the server needs a RESET, which the pool sends
      Effect.tapError((e) =>
        Effect.sync(() => {
          noteFailure(e)
          open = false
        })
      )
    ), query, conn.address, request.db)
  }

  /** Finishes open results (their summaries stay readable), then closes them to further reads. */
  const settleResults = Effect.suspend(() =>
    results.length === 0
      ? Effect.void
      : Effect.ensuring(
          // one result (the usual case) without Effect.forEach's set-up
          results.length === 1 ? results[0]!.finish : Effect.forEach(results, (r) => r.finish, { discard: true }),
          Effect.sync(() => results.forEach((r) => r.close()))
        )
  )

  const end = (name: "COMMIT" | "ROLLBACK") =>
    Effect.suspend(() => {
      if (!open) return Effect.fail(closedError())
      open = false
      // combinators, not a generator: this runs once per transaction (bench/e2e txfn profile)
      return Effect.flatMap(settleResults, () => {
        const p = conn.enqueue(name, name === "COMMIT" ? Msg.commit : Msg.rollback)
        // on a connection already broken the COMMIT never leaves: the outcome is known (not committed)
        if (name === "COMMIT") commitSent = !conn.isDefunct()
        return Effect.flatMap(Effect.zipRight(awaitBegin, conn.await(p)), (o) => {
          const err = failureOf(o, conn, name)
          return err ? Effect.fail(err) : Effect.succeed((o as { metadata: Readonly<Record<string, unknown>> }).metadata)
        })
      })
    })

  const commit: Effect.Effect<string | undefined, Neo4jError> = end("COMMIT").pipe(
    Effect.mapError((e) =>
      e instanceof ServiceUnavailableError && commitSent
        ? new IncompleteCommitError({
            message: `the connection to ${conn.address} was lost during COMMIT: the transaction may or may not have been committed`,
            cause: e
          })
        : e
    ),
    Effect.map((meta) => (typeof meta.bookmark === "string" ? meta.bookmark : undefined))
  )

  // after a failure the server has already ended the transaction: nothing to send
  const rollback: Effect.Effect<void, Neo4jError> = Effect.suspend(() =>
    failedWith !== undefined
      ? Effect.sync(() => results.forEach((r) => r.close()))
      : Effect.asVoid(end("ROLLBACK"))
  )

  return { run, commit, rollback, isOpen: () => open, failure: () => failedWith }
}
