/**
 * `fromPull`, the records streams' constructor: the semantics of `Stream.repeatEffectChunkOption`
 * (chunks in order, empty ones included, one pull per chunk demanded, the end at `None`, the failure at `Some(e)`, a
 * defect or an interruption kept as it is), which it replaces for speed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Option, Stream } from "effect"
import { fromPull } from "../../src/internal/stream/fromPull.js"

/** A pull over `chunks`, then `end`; counts its pulls. */
const pullOf = <E>(chunks: ReadonlyArray<ReadonlyArray<number>>, end: Effect.Effect<never, Option.Option<E>> = Effect.fail(Option.none())) => {
  let next = 0
  const counter = { pulls: 0 }
  const pull = Effect.suspend(() => {
    counter.pulls++
    return next < chunks.length ? Effect.succeed(Chunk.unsafeFromArray(chunks[next++]!)) : end
  })
  return { pull, counter }
}

describe("fromPull", () => {
  it.effect("gives every chunk in order and ends at None, like repeatEffectChunkOption", () =>
    Effect.gen(function* () {
      const chunks = [[1, 2], [], [3], [4, 5, 6]]
      const ours = pullOf(chunks)
      const theirs = pullOf(chunks)
      const a = yield* Stream.runCollect(Stream.chunks(fromPull(ours.pull)))
      const b = yield* Stream.runCollect(Stream.chunks(Stream.repeatEffectChunkOption(theirs.pull)))
      expect(Chunk.toReadonlyArray(a).map(Chunk.toReadonlyArray)).toEqual([[1, 2], [], [3], [4, 5, 6]])
      expect(Chunk.toReadonlyArray(a).map(Chunk.toReadonlyArray)).toEqual(Chunk.toReadonlyArray(b).map(Chunk.toReadonlyArray))
      expect(ours.counter.pulls).toBe(5)
    }))

  it.effect("pulls only what the consumer demands", () =>
    Effect.gen(function* () {
      const { counter, pull } = pullOf([[1, 2], [3, 4], [5, 6]])
      const taken = yield* Stream.runCollect(Stream.take(fromPull(pull), 3))
      expect(Chunk.toReadonlyArray(taken)).toEqual([1, 2, 3])
      expect(counter.pulls).toBe(2)
    }))

  it.effect("fails with the error of Some(e), after the chunks before it", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const { pull } = pullOf([[1], [2]], Effect.fail(Option.some("broken" as const)))
      const exit = yield* Effect.exit(Stream.runForEach(fromPull(pull), (n) => Effect.sync(() => seen.push(n))))
      expect(seen).toEqual([1, 2])
      expect(exit).toEqual(Exit.fail("broken"))
    }))

  it.effect("a defect in the pull is a defect of the stream", () =>
    Effect.gen(function* () {
      const { pull } = pullOf<never>([[1]], Effect.die("bug"))
      const exit = yield* Effect.exit(Stream.runDrain(fromPull(pull)))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }))

  it.effect("interrupting the consumer interrupts a pull that waits", () =>
    Effect.gen(function* () {
      const { pull } = pullOf<never>([[1]], Effect.never)
      const fiber = yield* Effect.fork(Stream.runDrain(fromPull(pull)))
      yield* Effect.yieldNow()
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))
})
