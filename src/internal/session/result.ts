/**
 * The public `Result` over a connection-level cursor: summary typing, `single`/`peek`/`list`,
 * and a "closed" switch that turns later reads into `ResultConsumedError` once the transaction
 * (or session) that owned the result has ended.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ResultConsumedError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Neo4jRecord } from "../../Record.js"
import { ResultCardinalityError, summaryFrom, summaryProblem } from "../../Result.js"
import type { Result, ResultSummary } from "../../Result.js"
import { format } from "../bolt/version.js"
import type { Connection } from "../connection/connection.js"
import type { ResultCursor } from "../connection/result.js"
import { fromPull } from "../stream/fromPull.js"

/**
 * A result plus the controls its owner needs.
 *
 * @since 0.1.0
 */
export interface ManagedResult {
  readonly result: Result
  /** Finishes the result on the wire (discarding unread records), keeping its summary. */
  readonly finish: Effect.Effect<void, Neo4jError>
  /**
   * Reads the unread records into memory (their summary too), so that the connection is free
   * for the session's next query while the result stays readable, as the reference drivers do.
   */
  readonly buffer: Effect.Effect<void, Neo4jError>
  /** Marks it closed: later reads fail with ResultConsumedError. */
  readonly close: () => void
  /**
   * When the result is being finished in the background (its reader stopped early): waits for
   * that, with its exit. Undefined otherwise.
   */
  readonly finishing: () => Effect.Effect<Exit.Exit<void, Neo4jError>> | undefined
}

/**
 * Wraps a cursor. `onDone` runs once, when the result is finished on the wire (the stream ended,
 * the summary was read, or `finish` ran).
 *
 * @since 0.1.0
 */
export const make = (
  conn: Connection,
  cursor: ResultCursor,
  query: { readonly text: string; readonly parameters: Readonly<Record<string, unknown>> },
  onSummary: (summary: ResultSummary) => Effect.Effect<void>
): ManagedResult => {
  let closed = false
  /** `consume` ran: the unread records were discarded, later reads fail */
  let consumed = false
  let summary: ResultSummary | undefined
  /** records taken from the cursor but not yet handed out (peek, or the session's buffering) */
  let buffered: Array<Neo4jRecord> = []
  let streamed = false
  /** the failure already handed to the reader (the records stream, summary or peek failed) */
  let failed: Neo4jError | undefined
  // a broken record fails its own read only: the result goes on (and must still be finished)
  const seen = (e: Neo4jError) =>
    Effect.sync(() => {
      if (e._tag !== "BrokenRecordError") failed ??= e
    })
  const server = { address: conn.address, agent: conn.server, protocolVersion: format(conn.version) }
  const consumedError = () =>
    new ResultConsumedError({
      message: "this result can no longer be read: its transaction or session has ended (read results inside the transaction)"
    })
  const alreadyRead = () => new ResultConsumedError({ message: "the records of this result were already read" })
  const consumedRead = () =>
    new ResultConsumedError({ message: "this result was consumed: its unread records were discarded" })
  /** why the records cannot be read (again), if so */
  const unreadable = (): Neo4jError | undefined =>
    closed ? consumedError() : consumed ? consumedRead() : streamed ? alreadyRead() : undefined

  /**
   * The early stop of a reader (a records stream that ended before its last record, a `list`
   * interrupted) finishes the result in the background: reading the batch in flight and the
   * DISCARD's answer waits for the server, and a Stream's finalizers run uninterruptibly in the
   * channel's fiber (nothing, not even `Effect.timeout` around the consumer, can cut that wait
   * short). Whatever needs the result's end (its summary, the session's next query, a commit)
   * waits for this fiber, interruptibly.
   */
  let background: Fiber.RuntimeFiber<void> | undefined
  const afterBackground = <A>(effect: Effect.Effect<A, Neo4jError>): Effect.Effect<A, Neo4jError> =>
    background === undefined ? effect : Effect.zipRight(Effect.exit(Fiber.join(background)), effect)

  const getSummary: Effect.Effect<ResultSummary, Neo4jError> = Effect.suspend(() =>
    summary !== undefined ? Effect.succeed(summary) : afterBackground(readSummary)
  )

  const readSummary: Effect.Effect<ResultSummary, Neo4jError> = Effect.suspend(() =>
    summary === undefined && closed ? Effect.fail(consumedError()) : recordSummary
  )

  /** the summary read from the cursor and recorded (`onSummary`: bookmarks, ...) */
  const recordSummary: Effect.Effect<ResultSummary, Neo4jError> = Effect.suspend(() => {
    if (summary !== undefined) return Effect.succeed(summary)
    return Effect.flatMap(cursor.summary, (meta) => {
      if (summary !== undefined) return Effect.succeed(summary)
      const problem = summaryProblem(meta)
      if (problem !== undefined) return Effect.fail(problem)
      const s = summaryFrom(query, server, cursor.runMetadata, meta, cursor.outcome())
      summary = s
      return Effect.as(onSummary(s), s)
    }).pipe(Effect.tapError(seen))
  })

  const consume: Effect.Effect<ResultSummary, Neo4jError> = Effect.suspend(() => {
    if (!closed) {
      consumed = true
      buffered = []
    }
    return getSummary
  })

  // a reader at the end: its summary (and bookmark) is recorded at once. One interrupted while a
  // batch was in flight leaves the result as it is (the connection busy): the server is not waited
  // for, and the RESET with which the pool cleans the connection ends the query. One that stopped
  // early otherwise leaves the connection clean (the batch in flight read, the rest DISCARDed) in
  // the background, then records the summary the same way (see `background`)
  const finishStream = (exit: Exit.Exit<unknown, Neo4jError>) => Effect.suspend(() => {
    if (cursor.isDone()) return Effect.ignore(getSummary)
    if (background !== undefined) return Effect.void
    if (Exit.isInterrupted(exit) && cursor.inFlight()) return Effect.sync(cursor.abandon)
    return Effect.map(
      // the summary is recorded (bookmarks) even when the session or transaction ended meanwhile;
      // a failure is read again by whoever waits for the summary (`afterBackground`): the fiber
      // itself ends without one (an unobserved failed fiber is logged as unhandled)
      Effect.forkDaemon(Effect.interruptible(Effect.ignore(Effect.zipRight(Effect.ignore(cursor.stop), recordSummary)))),
      (fiber) => {
        background = fiber
        conn.background.add(fiber)
      }
    )
  })

  /** the next records: those buffered first, then the cursor's next batch */
  const next: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Option.Option<Neo4jError>> = Effect.suspend(() => {
    if (consumed || closed) return Effect.fail(Option.some(consumed ? consumedRead() : consumedError()))
    if (buffered.length === 0) return cursor.pull
    const chunk = Chunk.unsafeFromArray(buffered)
    buffered = []
    return Effect.succeed(chunk)
  })

  const records: Stream.Stream<Neo4jRecord, Neo4jError> = Stream.suspend(() => {
    const error = unreadable()
    if (error) return Stream.fail(error)
    streamed = true
    return fromPull(next).pipe(Stream.tapError(seen), Stream.ensuringWith(finishStream))
  })

  // the records stream, read to its end without a Stream: `Stream.runCollect` of a one-batch
  // result costs ~500 µs of CPU (channel executor, fibers, scopes), measured with bench/e2e, half
  // of a whole auto-commit query; this loop does the same (same errors, same finalizer) in a few µs
  const list: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Neo4jError> = Effect.suspend(() => {
    const error = unreadable()
    if (error) return Effect.fail(error)
    streamed = true
    let out: Chunk.Chunk<Neo4jRecord> = Chunk.empty()
    const loop: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Neo4jError> = Effect.matchEffect(next, {
      onFailure: (e) => (Option.isNone(e) ? Effect.succeed(out) : Effect.zipRight(seen(e.value), Effect.fail(e.value))),
      onSuccess: (chunk) => {
        out = Chunk.isEmpty(out) ? chunk : Chunk.appendAll(out, chunk)
        // the end seen without pulling it: `pull`'s Option.none() is an Effect failure, whose
        // Cause and span capture cost more than the rest of a one-batch result's reading
        return buffered.length === 0 && cursor.exhausted() ? Effect.succeed(out) : loop
      }
    })
    return Effect.onExit(loop, finishStream)
  })

  /** Takes batches from the cursor into `buffered` until `enough` holds or the records end. */
  const fill = (enough: () => boolean): Effect.Effect<void, Neo4jError> =>
    Effect.suspend(function loop(): Effect.Effect<void, Neo4jError> {
      if (enough() || cursor.exhausted()) return Effect.void
      return Effect.matchEffect(cursor.pull, {
        onFailure: (e) => (Option.isNone(e) ? Effect.void : Effect.zipRight(seen(e.value), Effect.fail(e.value))),
        onSuccess: (chunk) => {
          for (const r of chunk) buffered.push(r)
          return loop()
        }
      })
    })

  const peek: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError> = Effect.suspend(() => {
    // peek works beside a records stream being read: both take from `buffered` first
    if (closed || consumed) return Effect.fail(closed ? consumedError() : consumedRead())
    if (buffered.length > 0) return Effect.succeed(Option.some(buffered[0]!))
    // read batches until one has a record (or the end), and keep them for the record stream
    return Effect.map(
      fill(() => buffered.length > 0),
      () => (buffered.length > 0 ? Option.some(buffered[0]!) : Option.none())
    )
  })

  // one record a call: the cursor's slices are kept in `buffered`, and the end records the summary
  // (and gives the connection back) as the end of the records stream does
  const nextRecord: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError> = Effect.suspend(function loop(): Effect.Effect<
    Option.Option<Neo4jRecord>,
    Neo4jError
  > {
    if (closed || consumed) return Effect.fail(closed ? consumedError() : consumedRead())
    if (buffered.length > 0) return Effect.succeed(Option.some(buffered.shift()!))
    return Effect.matchEffect(cursor.pull, {
      onFailure: (e) =>
        Option.isNone(e) ? Effect.as(finishStream(Exit.void), Option.none()) : Effect.zipRight(seen(e.value), Effect.fail(e.value)),
      onSuccess: (chunk) => {
        for (const r of chunk) buffered.push(r)
        return loop()
      }
    })
  })

  // built when run: a result is made per query, and most are never asked for `single`
  const single: Effect.Effect<Neo4jRecord, Neo4jError | ResultCardinalityError> = Effect.suspend(() => Effect.flatMap(
    Stream.runCollect(Stream.take(records, 2)),
    (chunk): Effect.Effect<Neo4jRecord, Neo4jError | ResultCardinalityError> =>
      Chunk.size(chunk) === 1
      ? Effect.zipRight(getSummary, Effect.succeed(Chunk.unsafeGet(chunk, 0)))
      : Effect.zipRight(
          Effect.ignore(getSummary),
          Effect.fail(
            new ResultCardinalityError({
              count: Chunk.size(chunk),
              message:
                Chunk.size(chunk) === 0
                  ? "single(): the result has no record"
                  : "single(): the result has more than one record"
            })
          )
        )
  ))

  // the failure met while buffering stays with the cursor: the reader gets it after the records
  // that came before it
  const buffer = Effect.suspend(() =>
    consumed || closed || failed !== undefined
      ? Effect.void
      : Effect.zipRight(fill(() => false), Effect.ignore(Effect.suspend(() => (cursor.isDone() ? Effect.asVoid(getSummary) : Effect.void))))
  )

  return {
    result: {
      keys: cursor.keys,
      records,
      summary: getSummary,
      consume,
      list,
      single,
      peek,
      next: nextRecord
    },
    // a result whose failure its reader already got is finished: that failure is not raised again
    finish: Effect.suspend(() => (failed !== undefined ? Effect.void : Effect.asVoid(getSummary))),
    buffer: Effect.catchAll(afterBackground(buffer), () => Effect.void),
    close: () => {
      closed = true
    },
    finishing: () => (background === undefined ? undefined : Effect.exit(Fiber.join(background)))
  }
}
