import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, Option, Random, Schedule, TestClock } from "effect"
import { ClientError, IncompleteCommitError, TransientError } from "../src/Neo4jError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

const transient = () =>
  new TransientError({ message: "database unavailable", code: "Neo.TransientError.General.DatabaseUnavailable" })
const syntax = new ClientError({ message: "bad query", code: "Neo.ClientError.Statement.SyntaxError" })

/**
 * A unit of work that records the TestClock time at which each attempt starts (relative to the
 * first attempt's start, as the clock is shared by the runs of one test), takes
 * `duration` to run, and then fails with `failWith(attempt)` (1-based) or succeeds when that is
 * undefined.
 */
const work = <E>(failWith: (attempt: number) => E | undefined, duration: Duration.DurationInput = 0) => {
  const starts: Array<number> = []
  let origin: number | undefined
  const effect = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    origin ??= now
    starts.push(now - origin)
    const attempt = starts.length
    if (Duration.toMillis(duration) > 0) yield* Effect.sleep(duration)
    const error = failWith(attempt)
    return error === undefined ? attempt : yield* Effect.fail(error)
  })
  return { starts, effect }
}

/** Forks `effect`, moves the TestClock far enough for every retry, and returns its exit. */
const runOnTestClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("10 minutes")
    const exit = yield* Fiber.poll(fiber)
    if (Option.isNone(exit)) {
      yield* Fiber.interrupt(fiber)
      return yield* Effect.dieMessage("still retrying after 10 minutes of TestClock time")
    }
    return exit.value
  })

const gaps = (starts: ReadonlyArray<number>) => starts.slice(1).map((t, i) => t - starts[i]!)

/** The attempt start times the default policy must produce, given the jitter draws. */
const expectedStarts = (draws: ReadonlyArray<number>, budgetMs: number): Array<number> => {
  const starts = [0]
  let now = 0
  for (let i = 0; ; i++) {
    const base = 1000 * 2 ** i
    const r = draws[i]!
    const delay = base * 0.8 * (1 - r) + base * 1.2 * r
    if (now + delay > budgetMs) return starts
    now += delay
    starts.push(now)
  }
}

describe("RetryPolicy", () => {
  it.effect("a transient error twice, then success: 3 attempts, 1 s and 2 s apart within ±20 %", () =>
    Effect.gen(function* () {
      const { starts, effect } = work((n) => (n <= 2 ? transient() : undefined))
      const exit = yield* runOnTestClock(RetryPolicy.retrying(effect))
      expect(exit).toStrictEqual(Exit.succeed(3))
      expect(starts).toHaveLength(3)
      const [first, second] = gaps(starts)
      expect(first).toBeGreaterThanOrEqual(800)
      expect(first).toBeLessThanOrEqual(1200)
      expect(second).toBeGreaterThanOrEqual(1600)
      expect(second).toBeLessThanOrEqual(2400)
    }))

  it.effect("the jitter spans exactly [0.8, 1.2] of each delay", () =>
    Effect.gen(function* () {
      for (const [draw, expected] of [
        [0, [800, 1600]],
        [0.5, [1000, 2000]],
        [1, [1200, 2400]]
      ] as const) {
        const { starts, effect } = work((n) => (n <= 2 ? transient() : undefined))
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([draw]))))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(gaps(starts)).toEqual(expected)
      }
    }))

  it.effect("a non-retriable error is not retried", () =>
    Effect.gen(function* () {
      for (const error of [syntax, new IncompleteCommitError({ message: "connection lost during COMMIT" })]) {
        const { starts, effect } = work(() => error)
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect))
        expect(exit).toStrictEqual(Exit.fail(error))
        expect(starts).toEqual([0])
      }
    }))

  it.effect("stops retrying when a retriable error is followed by a non-retriable one", () =>
    Effect.gen(function* () {
      const { starts, effect } = work((n) => (n === 1 ? transient() : syntax))
      const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
      expect(exit).toStrictEqual(Exit.fail(syntax))
      expect(starts).toEqual([0, 1000])
    }))

  describe("the strict 30 s cap", () => {
    it.effect("with delays 1, 2, 4, 8 s the next (16 s) would start at 31 s: 5 attempts, none after 30 s", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000])
      }))

    it.effect("Schedule.upTo, for comparison, starts a sixth attempt at 31 s", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const upTo = RetryPolicy.backoff().pipe(Schedule.upTo("30 seconds"))
        yield* runOnTestClock(Effect.retry(effect, upTo).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 31000])
      }))

    it.effect("short jitter draws fit a sixth attempt (at 24.8 s), long ones only five", () =>
      Effect.gen(function* () {
        const short = work(() => transient())
        yield* runOnTestClock(RetryPolicy.retrying(short.effect).pipe(Effect.withRandom(Random.fixed([0]))))
        expect(short.starts).toEqual([0, 800, 2400, 5600, 12000, 24800])

        const long = work(() => transient())
        yield* runOnTestClock(RetryPolicy.retrying(long.effect).pipe(Effect.withRandom(Random.fixed([1]))))
        expect(long.starts).toEqual([0, 1200, 3600, 8400, 18000])
      }))

    it.effect("for random jitter, the attempts match the sequence the draws imply and none starts after 30 s", () =>
      Effect.gen(function* () {
        const counts = new Set<number>()
        for (let seed = 1; seed <= 30; seed++) {
          const draws = yield* Effect.all(Array.from({ length: 10 }, () => Random.next)).pipe(
            Effect.withRandom(Random.make(seed))
          )
          const { starts, effect } = work(() => transient())
          const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.make(seed))))
          expect(Exit.isFailure(exit)).toBe(true)
          const expected = expectedStarts(draws, 30_000)
          expect(starts.length).toBe(expected.length)
          starts.forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 0))
          expect(Math.max(...starts)).toBeLessThanOrEqual(30_000)
          counts.add(starts.length)
        }
        // both outcomes occur among these seeds: 5 attempts, or 6 when the draws are short
        expect([...counts].sort()).toEqual([5, 6])
      }))

    it.effect("an attempt may start exactly at the budget, not after it", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        yield* runOnTestClock(
          RetryPolicy.retrying(effect, { maxRetryTime: "3 seconds" }).pipe(Effect.withRandom(Random.fixed([0.5])))
        )
        expect(starts).toEqual([0, 1000, 3000])
      }))

    it.effect("a zero budget means a single attempt", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect, { maxRetryTime: 0 }))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(starts).toEqual([0])
      }))

    it.effect("retrying counts the budget from the start of the first attempt, so slow attempts count", () =>
      Effect.gen(function* () {
        // each attempt takes 5 s: 0-5, wait 1, 6-11, wait 2, 13-18, wait 4, 22-27; the next would start at 35
        const { starts, effect } = work(() => transient(), "5 seconds")
        yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(starts).toEqual([0, 6000, 13000, 22000])
      }))

    it.effect("defaultSchedule with Effect.retry counts from the first failure", () =>
      Effect.gen(function* () {
        // the first failure is at 5 s, so an attempt may start up to 35 s
        const { starts, effect } = work(() => transient(), "5 seconds")
        yield* runOnTestClock(
          Effect.retry(effect, RetryPolicy.defaultSchedule()).pipe(Effect.withRandom(Random.fixed([0.5])))
        )
        expect(starts).toEqual([0, 6000, 13000, 22000, 35000])
      }))

    it.effect("defaultSchedule with startedAt counts from then", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient(), "5 seconds")
        const startedAt = yield* Clock.currentTimeMillis
        yield* runOnTestClock(
          Effect.retry(effect, RetryPolicy.defaultSchedule("30 seconds", { startedAt })).pipe(
            Effect.withRandom(Random.fixed([0.5]))
          )
        )
        expect(starts).toEqual([0, 6000, 13000, 22000])
      }))
  })

  it.effect("a custom schedule replaces the default, and non-retriable errors are still not retried", () =>
    Effect.gen(function* () {
      const schedule = Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
      const failing = work(() => transient())
      const exit = yield* runOnTestClock(RetryPolicy.retrying(failing.effect, { schedule }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(failing.starts).toEqual([0, 100, 200, 300])

      const fatal = work(() => syntax)
      expect(yield* runOnTestClock(RetryPolicy.retrying(fatal.effect, { schedule }))).toStrictEqual(Exit.fail(syntax))
      expect(fatal.starts).toEqual([0])
    }))

  it.effect("strictCap composes with any schedule (pipeable and data-first)", () =>
    Effect.gen(function* () {
      const piped = work(() => transient())
      yield* runOnTestClock(
        Effect.retry(piped.effect, Schedule.spaced("10 seconds").pipe(RetryPolicy.strictCap("25 seconds")))
      )
      expect(piped.starts).toEqual([0, 10000, 20000])

      const dataFirst = work(() => transient())
      yield* runOnTestClock(Effect.retry(dataFirst.effect, RetryPolicy.strictCap(Schedule.spaced("10 seconds"), "30 seconds")))
      expect(dataFirst.starts).toEqual([0, 10000, 20000, 30000])
    }))

  it.effect("backoff options change the delays", () =>
    Effect.gen(function* () {
      const { starts, effect } = work((n) => (n <= 3 ? transient() : undefined))
      const schedule = RetryPolicy.backoff({ initialDelay: "200 millis", multiplier: 3, jitter: 0 })
      const exit = yield* runOnTestClock(RetryPolicy.retrying(effect, { schedule }))
      expect(exit).toStrictEqual(Exit.succeed(4))
      expect(gaps(starts)).toEqual([200, 600, 1800])
    }))
})
