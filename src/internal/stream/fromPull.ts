/**
 * A Stream from a pull: `Stream.repeatEffectChunkOption` as one channel loop.
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * The stream of the chunks `pull` gives, one pull per chunk the consumer demands, ending when it
 * fails with `None` and failing when it fails with `Some(e)` (or dies, or is interrupted): the
 * semantics of `Stream.repeatEffectChunkOption(pull)`, empty chunks included, as one channel step
 * per chunk. A result's records are handed out in slices of 250 records or fewer
 * (connection/result.ts), so the cost of a chunk counts: ~2 µs here against ~3.5 µs through
 * `repeatEffectChunkOption` (bench/e2e machine, `Stream.runFold` over chunks of plain objects).
 *
 * @since 0.1.0
 */
export const fromPull = <A, E>(pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>): Stream.Stream<A, E> => {
  const loop: Channel.Channel<Chunk.Chunk<A>, unknown, E, unknown, void, unknown> = Channel.unwrap(
    Effect.matchCause(pull, {
      onFailure: (cause) => Option.match(Cause.flipCauseOption(cause), { onNone: () => Channel.void, onSome: Channel.failCause }),
      onSuccess: (chunk) => Channel.flatMap(Channel.write(chunk), () => loop)
    })
  )
  return Stream.fromChannel(loop)
}
