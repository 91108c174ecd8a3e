/**
 * The public `Result` over a connection-level cursor: summary typing, `single`/`peek`/`list`,
 * and a "closed" switch that turns later reads into `ResultConsumedError` once the transaction
 * (or session) that owned the result has ended.
 */
import { Chunk, Effect, Option, Stream } from "effect"
import { ResultConsumedError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Neo4jRecord } from "../../Record.js"
import { ResultCardinalityError, summaryFrom } from "../../Result.js"
import type { Result, ResultSummary } from "../../Result.js"
import { format } from "../bolt/version.js"
import type { Connection } from "../connection/connection.js"
import type { ResultCursor } from "../connection/result.js"

/**
 * A result plus the controls its owner needs.
 *
 * @since 0.1.0
 */
export interface ManagedResult {
  readonly result: Result
  /** Finishes the result on the wire (discarding unread records), keeping its summary. */
  readonly finish: Effect.Effect<void, Neo4jError>
  /** Marks it closed: later reads fail with ResultConsumedError. */
  readonly close: () => void
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
  let summary: ResultSummary | undefined
  let peeked: Array<Neo4jRecord> | undefined
  let streamed = false
  /** the failure already handed to the reader (the records stream, summary or peek failed) */
  let failed: Neo4jError | undefined
  const seen = (e: Neo4jError) =>
    Effect.sync(() => {
      failed ??= e
    })
  const server = { address: conn.address, agent: conn.server, protocolVersion: format(conn.version) }
  const consumedError = () =>
    new ResultConsumedError({
      message: "this result can no longer be read: its transaction or session has ended (read results inside the transaction)"
    })

  const getSummary: Effect.Effect<ResultSummary, Neo4jError> = Effect.suspend(() => {
    if (summary !== undefined) return Effect.succeed(summary)
    if (closed) return Effect.fail(consumedError())
    return Effect.flatMap(cursor.summary, (meta) => {
      if (summary !== undefined) return Effect.succeed(summary)
      const s = summaryFrom(query, server, cursor.runMetadata, meta)
      summary = s
      return Effect.as(onSummary(s), s)
    }).pipe(Effect.tapError(seen))
  })

  // an early stop leaves the connection clean (DISCARD, or RESET when a batch was in flight);
  // either way the result is then over: its summary (and bookmark) is recorded, or, after a
  // RESET, there is none and `finish` has nothing left to raise
  const finishStream = Effect.ignore(
    Effect.suspend(() => (cursor.isDone() ? getSummary : Effect.zipRight(Effect.ignore(cursor.stop), getSummary)))
  )

  const records: Stream.Stream<Neo4jRecord, Neo4jError> = Stream.suspend(() => {
    if (closed) return Stream.fail(consumedError())
    if (streamed) return Stream.fail(new ResultConsumedError({ message: "the records of this result were already read" }))
    streamed = true
    const head = peeked ? Stream.fromIterable(peeked) : Stream.empty
    peeked = undefined
    return Stream.concat(head, Stream.repeatEffectChunkOption(cursor.pull)).pipe(
      Stream.tapError(seen),
      Stream.ensuring(finishStream)
    )
  })

  // the records stream, read to its end without a Stream: `Stream.runCollect` of a one-batch
  // result costs ~500 µs of CPU (channel executor, fibers, scopes), measured with bench/e2e, half
  // of a whole auto-commit query; this loop does the same (same errors, same finalizer) in a few µs
  const list: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Neo4jError> = Effect.suspend(() => {
    if (closed) return Effect.fail(consumedError())
    if (streamed) return Effect.fail(new ResultConsumedError({ message: "the records of this result were already read" }))
    streamed = true
    let out: Chunk.Chunk<Neo4jRecord> = peeked ? Chunk.unsafeFromArray(peeked) : Chunk.empty()
    peeked = undefined
    const loop: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Neo4jError> = Effect.matchEffect(cursor.pull, {
      onFailure: (e) => (Option.isNone(e) ? Effect.succeed(out) : Effect.zipRight(seen(e.value), Effect.fail(e.value))),
      onSuccess: (chunk) => {
        out = Chunk.isEmpty(out) ? chunk : Chunk.appendAll(out, chunk)
        // the end seen without pulling it: `pull`'s Option.none() is an Effect failure, whose
        // Cause and span capture cost more than the rest of a one-batch result's reading
        return cursor.exhausted() ? Effect.succeed(out) : loop
      }
    })
    return Effect.ensuring(loop, finishStream)
  })

  const peek: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError> = Effect.suspend(() => {
    if (peeked && peeked.length > 0) return Effect.succeed(Option.some(peeked[0]!))
    if (closed) return Effect.fail(consumedError())
    if (streamed) return Effect.fail(new ResultConsumedError({ message: "the records of this result were already read" }))
    // read batches until one has a record (or the end), and keep them for the record stream
    const loop: Effect.Effect<Option.Option<Neo4jRecord>, Neo4jError> = Effect.matchEffect(cursor.pull, {
      onFailure: (e) => (Option.isNone(e) ? Effect.succeed(Option.none()) : Effect.zipRight(seen(e.value), Effect.fail(e.value))),
      onSuccess: (chunk) => {
        peeked = [...(peeked ?? []), ...chunk]
        return peeked.length > 0 ? Effect.succeed(Option.some(peeked[0]!)) : loop
      }
    })
    return loop
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

  return {
    result: {
      keys: cursor.keys,
      records,
      summary: getSummary,
      consume: getSummary,
      list,
      single,
      peek
    },
    // a result whose failure its reader already got is finished: that failure is not raised again
    finish: Effect.suspend(() => (failed !== undefined ? Effect.void : Effect.asVoid(getSummary))),
    close: () => {
      closed = true
    }
  }
}
