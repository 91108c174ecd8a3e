/**
 * A query result on one connection: RUN and the first `PULL n` go out in one write; the record
 * stream sends each further `PULL n` only when the consumer demands the next batch. A batch's
 * RECORDs arrive undecoded and are handed to the consumer as they arrive (not once the batch's
 * SUCCESS is read), decoded as the consumer reads them, in `Chunk`s of up to 250 records (no
 * Effect per record). When the consumer stops early, the stream's finalizer leaves the connection
 * clean: it reads the batch in flight (dropping its records), then DISCARDs what the server still
 * holds, so that an auto-commit query still commits and gives its bookmark. Those waits are
 * interruptible and bounded (`Connection.settle`): an interrupted or timed-out stop leaves the
 * connection busy, and the pool cleans it (RESET) in the background.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { BrokenRecordError, ResultConsumedError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import { Neo4jRecord, RecordShape } from "../../Record.js"
import * as Msg from "../bolt/messages.js"
import type { Connection, Outcome, Pending } from "./connection.js"
import { RecordBodies } from "./recordBodies.js"
import { fromPull } from "../stream/fromPull.js"

/**
 * What RUN needs.
 *
 * @since 0.1.0
 */
export interface RunRequest extends Msg.RunArgs {
  /** records per PULL; -1 for all at once */
  readonly fetchSize: number
}

/**
 * An open result: its keys, its records as a demand-driven Stream, its summary metadata.
 *
 * @since 0.1.0
 */
export interface ResultCursor {
  readonly keys: ReadonlyArray<string>
  /** RUN's SUCCESS metadata (fields, t_first, qid, db) */
  readonly runMetadata: Readonly<Record<string, unknown>>
  /** The records, pulled batch by batch. Read once. */
  readonly records: Stream.Stream<Neo4jRecord, Neo4jError>
  /** The next batch (sending PULL n when none is in flight); fails with None at the end. */
  readonly pull: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Option.Option<Neo4jError>>
  /**
   * Leaves the connection clean when the consumer stops early: reads the batch in flight, then
   * DISCARDs the rest; each wait interruptible and bounded (see `Connection.settle`).
   */
  readonly stop: Effect.Effect<void, Neo4jError>
  /** What the stream saw: whether a RECORD arrived, whether a DISCARD ended it (the summary's outcome status before 5.6). */
  readonly outcome: () => { readonly hadRecords: boolean; readonly discarded: boolean }
  /** The final SUCCESS metadata; discards unread records first. */
  readonly summary: Effect.Effect<Readonly<Record<string, unknown>>, Neo4jError>
  /** Whether the server has no more records for this result. */
  readonly isDone: () => boolean
  /** Whether a PULL is in flight (its answer not read yet). */
  readonly inFlight: () => boolean
  /** Whether `pull` has nothing more to give (it would fail with None): every record was handed out. */
  readonly exhausted: () => boolean
  /**
   * Ends the result without a word to the server (whose transaction already failed: DISCARD or
   * PULL would only be IGNORED, and the connection's release RESETs it). Records not handed out
   * are dropped.
   */
  readonly abandon: () => void
}

/**
 * A chunk handed to the consumer: a batch (PULL n) is decoded slice by slice as the consumer
 * reads, so at most a slice of decoded records is alive beside the batch's bytes (and survives
 * the young-generation collections that happen while the consumer reads it). A slice ends at
 * SLICE records, or at the record that brings its bodies to SLICE_BYTES: decoded records are
 * 5 to 7 times their wire size, so ~50 KB of them. Measured on bench/e2e's stream (55-byte
 * records), against slices of 250 records: peak RSS 96 → 82 MB, heap peak 29 → 21 MB. Smaller
 * budgets (2 KB, 4 KB) gave no lower peak; a chunk costs ~2 µs (internal/stream/fromPull.ts), so
 * the stream's ~150-record slices cost no measurable speed, and nodes' ~45 a few percent.
 */
const SLICE = 250
const SLICE_BYTES = 8192

const ignoreRecord = (_bytes: Uint8Array, _start: number, _end: number) => {}

/** The request's records go nowhere (the consumer stopped): they are framed and skipped, never decoded. */
const dropRecords = (p: Pending): Pending => {
  p.onRecord = ignoreRecord
  return p
}

const outcomeError = (outcome: Outcome, conn: Connection, name: string): Neo4jError | undefined => {
  if (outcome._tag === "Failure") return outcome.error
  if (outcome._tag === "Ignored") {
    return (
      conn.failure() ??
      new ResultConsumedError({ message: `${name} was ignored by the server: an earlier request failed` })
    )
  }
  return undefined
}

/**
 * Called once when a result ends: its duration in seconds (from RUN to the end of the result, on
 * `performance.now()`), and the failure that ended it (undefined: its summary arrived). A result
 * given up without a summary (its transaction failed elsewhere) does not call it.
 *
 * @since 0.1.0
 */
export type OnResultEnd = (seconds: number, error: Neo4jError | undefined) => void

/**
 * Sends RUN + PULL n in one write and waits for RUN's answer.
 *
 * @since 0.1.0
 */
export const run = (
  conn: Connection,
  request: RunRequest,
  /** awaited after RUN + PULL are queued and before RUN's answer (an explicit transaction's BEGIN) */
  awaitFirst: Effect.Effect<void, Neo4jError> = Effect.void,
  /** told how the result ended, and how long it took (the query duration metric) */
  onEnd?: OnResultEnd
): Effect.Effect<ResultCursor, Neo4jError> =>
  Effect.suspend(() => {
    const startedAt = onEnd === undefined ? 0 : performance.now()
    let ended = onEnd === undefined
    const endResult = (error: Neo4jError | undefined): void => {
      if (ended) return
      ended = true
      onEnd!((performance.now() - startedAt) / 1000, error)
    }
    const runPending = conn.enqueue("RUN", (c) => Msg.run(c, conn.caps, request))
    // a RUN that could not be encoded was not queued: no PULL may follow it
    if (runPending.outcome !== undefined) {
      const error = outcomeError(runPending.outcome, conn, "RUN")!
      endResult(error)
      return Effect.fail(error)
    }
    const runSeq = conn.runCount()
    const firstPull = conn.enqueue("PULL", (c) => Msg.pull(c, conn.caps, { n: request.fetchSize }))
    let pullPending: Pending | undefined = firstPull
    const failed = (error: Neo4jError) => {
      endResult(error)
      return Effect.fail(error)
    }
    return Effect.matchEffect(Effect.zipRight(awaitFirst, conn.await(runPending)), { onFailure: failed, onSuccess: (outcome) => {
      const error = outcomeError(outcome, conn, "RUN")
      if (error) return failed(error)
      const runMetadata = (outcome as { metadata: Readonly<Record<string, unknown>> }).metadata
      const fields = Array.isArray(runMetadata.fields) ? (runMetadata.fields as Array<string>) : []
      const shape = new RecordShape(fields)
      const serverQid = typeof runMetadata.qid === "number" || typeof runMetadata.qid === "bigint" ? runMetadata.qid : undefined
      // the implicit default: PULL/DISCARD name their result only once a later RUN went out on the
      // connection (`qid` -1, left out, is "the last result"), as the reference drivers do
      const qidNow = () => (conn.runCount() === runSeq ? undefined : serverQid)
      let done = false
      let summary: Readonly<Record<string, unknown>> | undefined
      let streamed = false
      const raw = new RecordBodies()
      let hadRecords = false
      let discarded = false
      const onRecord = (bytes: Uint8Array, start: number, end: number) => {
        raw.add(bytes, start, end)
        hadRecords = true
      }
      firstPull.onRecord = onRecord
      /** the records of a batch nobody reads any more: dropped, but seen (the outcome status) */
      const skipRecords = (p: Pending): Pending => {
        p.onRecord = () => {
          hadRecords = true
        }
        return p
      }

      /**
       * The error that ended the result (a garbled record, a FAILURE or a lost connection during a
       * batch): raised once the records received before it were handed out, as the reference does.
       */
      let deferred: Neo4jError | undefined
      /**
       * Decodes the next slice of the batch (a few hundred records at most). A record that cannot
       * be represented (`BrokenRecordError`) fails its own read only: the records before it go out
       * first, then the pull that reaches it fails, and the next pull goes on after it.
       */
      const nextSlice: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Option.Option<Neo4jError>> = Effect.suspend(() => {
        const end = raw.sliceEnd(SLICE, SLICE_BYTES)
        const out: Array<Neo4jRecord> = new Array(end - raw.next)
        const spans = raw.spans
        const bases = raw.bases
        let i = 0
        try {
          for (; raw.next < end; i++) {
            const k = 3 * raw.next++
            out[i] = new Neo4jRecord(shape, conn.decodeRecord(bases[spans[k]!]!, spans[k + 1]!, spans[k + 2]!))
          }
        } catch (e) {
          if (e instanceof BrokenRecordError) {
            if (i === 0) {
              // past it: the next pull goes on with the record after it
              raw.settle()
              return Effect.fail(Option.some(e))
            }
            // the records before it now; it is decoded again, and fails, on the next pull
            raw.next--
          } else {
            // the connection is broken (decodeRecord made it defunct): the result ends here
            done = true
            raw.clear()
            deferred = e as Neo4jError
            endResult(deferred)
            if (i === 0) return Effect.fail(Option.some(deferred))
          }
          out.length = i
        }
        raw.settle()
        return Effect.succeed(Chunk.unsafeFromArray(out))
      })

      const hasRecords = () => raw.hasNext()

      /**
       * Reads the batch in flight (sending PULL n when none is) until records arrived or it ended:
       * the records received so far land in `raw` and go to the consumer before the rest arrive.
       */
      const readSome: Effect.Effect<void, Neo4jError> = Effect.suspend(() => {
        if (pullPending === undefined) {
          pullPending = conn.enqueue("PULL", (c) => Msg.pull(c, conn.caps, { n: request.fetchSize, qid: qidNow() }))
          pullPending.onRecord = onRecord
        }
        return Effect.matchEffect(conn.awaitSome(pullPending, hasRecords), {
          onFailure: (err) => {
            // the connection broke mid-batch: the records that arrived are still handed out
            pullPending = undefined
            done = true
            deferred ??= err
            endResult(err)
            return Effect.fail(err)
          },
          onSuccess: (o) => {
            // records arrived, the batch goes on
            if (o === undefined) return Effect.void
            pullPending = undefined
            const err = outcomeError(o, conn, "PULL")
            if (err) {
              done = true
              deferred ??= err
              endResult(err)
              return Effect.fail(err)
            }
            const meta = (o as { metadata: Readonly<Record<string, unknown>> }).metadata
            if (meta.has_more !== true) {
              done = true
              summary = meta
              endResult(undefined)
            }
            return Effect.void
          }
        })
      })

      /** The server's answer to a clean-up request, as metadata; fails with the error it carries. */
      const answer = (wait: Effect.Effect<Outcome, Neo4jError>, name: string) =>
        Effect.matchEffect(wait, {
          onFailure: failed,
          onSuccess: (o) => {
            const err = outcomeError(o, conn, name)
            if (err) {
              deferred ??= err
              return failed(err)
            }
            return Effect.succeed((o as { metadata: Readonly<Record<string, unknown>> }).metadata)
          }
        })

      /**
       * Ends the result on the wire, dropping unread records: reads the batch in flight (its
       * records dropped), then DISCARDs what the server still holds. An auto-commit query thus
       * still commits (a RESET would roll it back) and its summary, with the bookmark, is read.
       * `wait` is `settle` for clean-up (bounded) and `await` for a summary the user asked for.
       * Interrupted, it leaves the connection busy: the pool cleans it in the background.
       */
      const discardRest = (wait: (p: Pending) => Effect.Effect<Outcome, Neo4jError>): Effect.Effect<void, Neo4jError> =>
        Effect.suspend(() => {
          raw.clear()
          if (done && pullPending === undefined) return Effect.void
          done = true
          const inFlight = pullPending
          pullPending = undefined
          const more =
            inFlight === undefined
              ? Effect.succeed(true)
              : Effect.map(answer(wait(skipRecords(inFlight)), "PULL"), (meta) => {
                  if (meta.has_more === true) return true
                  summary = meta
                  endResult(undefined)
                  return false
                })
          return Effect.flatMap(more, (more) => {
            if (!more) return Effect.void
            discarded = true
            const d = conn.enqueue("DISCARD", (c) => Msg.discard(c, conn.caps, { n: -1, qid: qidNow() }))
            return Effect.map(answer(wait(d), "DISCARD"), (meta) => {
              summary = meta
              endResult(undefined)
            })
          })
        })

      const stop: Effect.Effect<void, Neo4jError> = discardRest(conn.settle)

      const pull: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Option.Option<Neo4jError>> = Effect.suspend(() =>
        raw.hasNext()
          ? nextSlice
          : deferred !== undefined
            ? Effect.fail(Option.some(deferred))
            : done && pullPending === undefined
              ? Effect.fail(Option.none())
              : Effect.matchEffect(readSome, {
                  onFailure: (e) => {
                    deferred ??= e
                    return raw.hasNext() ? nextSlice : Effect.fail(Option.some(e))
                  },
                  // a batch without records (has_more and nothing else) is an empty chunk
                  onSuccess: () => (raw.hasNext() ? nextSlice : Effect.succeed(Chunk.empty()))
                })
      )

      const abandon = () => {
        raw.clear()
        done = true
        if (pullPending !== undefined) {
          dropRecords(pullPending)
          pullPending = undefined
        }
      }

      const records: Stream.Stream<Neo4jRecord, Neo4jError> = Stream.suspend(() => {
        if (streamed) {
          return Stream.fail(new ResultConsumedError({ message: "the records of this result were already read" }))
        }
        streamed = true
        return fromPull(pull).pipe(
          Stream.ensuring(Effect.ignore(stop))
        )
      })

      const summaryEffect: Effect.Effect<Readonly<Record<string, unknown>>, Neo4jError> = Effect.suspend(() => {
        if (summary !== undefined) return Effect.succeed(summary)
        if (!done || pullPending !== undefined) {
          // drop unread records: finish the batch in flight, then DISCARD the rest
          streamed = true
          return Effect.flatMap(discardRest(conn.await), () =>
            summary !== undefined
              ? Effect.succeed(summary)
              : Effect.fail(new ResultConsumedError({ message: "the result ended without a summary" }))
          )
        }
        return Effect.fail(deferred ?? new ResultConsumedError({ message: "the result failed or was reset before its summary" }))
      })

      return Effect.succeed<ResultCursor>({
        keys: fields,
        runMetadata,
        records,
        pull,
        stop,
        summary: summaryEffect,
        outcome: () => ({ hadRecords, discarded }),
        isDone: () => done && pullPending === undefined,
        inFlight: () => pullPending !== undefined,
        exhausted: () => done && pullPending === undefined && !raw.hasNext() && deferred === undefined,
        abandon
      })
    } })
  })
