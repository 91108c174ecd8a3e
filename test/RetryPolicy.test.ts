import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, HashMap, Logger, Option, Random, Schedule, TestClock } from "effect"
import type { Neo4jError } from "../src/Neo4jError.js"
import { ClientError, IncompleteCommitError, ServiceUnavailableError, TransientError } from "../src/Neo4jError.js"
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

/** A logger keeping each line's level, message and annotations, for `Effect.provide`. */
const collectLogs = () => {
  const entries: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, logLevel, message }) => {
      entries.push({
        level: logLevel.label,
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        annotations: Object.fromEntries(HashMap.toEntries(annotations))
      })
    })
  )
  return { entries, layer }
}

const gaps = (starts: ReadonlyArray<number>) => starts.slice(1).map((t, i) => t - starts[i]!)

/**
 * The attempt start times the default policy must produce, given the jitter draws: a delay that
 * would cross the budget is shortened to what is left, and nothing is left once it is reached.
 */
const expectedStarts = (draws: ReadonlyArray<number>, budgetMs: number): Array<number> => {
  const starts = [0]
  let now = 0
  for (let i = 0; ; i++) {
    const base = 1000 * 2 ** i
    const r = draws[i]!
    const delay = base * 0.8 * (1 - r) + base * 1.2 * r
    if (now + delay > budgetMs) {
      if (now < budgetMs) starts.push(budgetMs)
      return starts
    }
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
    it.effect("with delays 1, 2, 4, 8 s the next (16 s) would start at 31 s: it is shortened to 15 s, a sixth attempt at 30 s", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(Exit.isFailure(exit)).toBe(true)
        // the budget is spent, not half used (the last attempt used to start at 15 s)
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 30000])
      }))

    it.effect("with no jitter, the attempts go on until the budget and the last one starts exactly at it", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const exit = yield* runOnTestClock(
          RetryPolicy.retrying(effect, {
            schedule: RetryPolicy.backoff({ jitter: 0 }).pipe(RetryPolicy.strictCap("30 seconds", { startedAt: 0 }))
          })
        )
        expect(Exit.isFailure(exit)).toBe(true)
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 30000])
      }))

    it.effect("Schedule.upTo, for comparison, starts a sixth attempt at 31 s", () =>
      Effect.gen(function* () {
        const { starts, effect } = work(() => transient())
        const upTo = RetryPolicy.backoff().pipe(Schedule.upTo("30 seconds"))
        yield* runOnTestClock(Effect.retry(effect, upTo).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(starts).toEqual([0, 1000, 3000, 7000, 15000, 31000])
      }))

    it.effect("short jitter draws fit a sixth attempt (at 24.8 s) before the last at 30 s, long ones only the last", () =>
      Effect.gen(function* () {
        const short = work(() => transient())
        yield* runOnTestClock(RetryPolicy.retrying(short.effect).pipe(Effect.withRandom(Random.fixed([0]))))
        expect(short.starts).toEqual([0, 800, 2400, 5600, 12000, 24800, 30000])

        const long = work(() => transient())
        yield* runOnTestClock(RetryPolicy.retrying(long.effect).pipe(Effect.withRandom(Random.fixed([1]))))
        expect(long.starts).toEqual([0, 1200, 3600, 8400, 18000, 30000])
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
          // the starts are differences of absolute TestClock times: allow their floating-point noise
          expect(Math.max(...starts)).toBeLessThanOrEqual(30_000 + 1e-6)
          expect(starts.at(-1)).toBeCloseTo(30_000, 6)
          counts.add(starts.length)
        }
        // both outcomes occur among these seeds: 6 attempts, or 7 when the draws are short
        expect([...counts].sort()).toEqual([6, 7])
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
        // each attempt takes 5 s: 0-5, wait 1, 6-11, wait 2, 13-18, wait 4, 22-27; the next would
        // start at 35, so it starts at 30 instead, and ends at 35, past the budget: the last one
        const { starts, effect } = work(() => transient(), "5 seconds")
        yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(starts).toEqual([0, 6000, 13000, 22000, 30000])
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
        expect(starts).toEqual([0, 6000, 13000, 22000, 30000])
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
      expect(piped.starts).toEqual([0, 10000, 20000, 25000])

      const dataFirst = work(() => transient())
      yield* runOnTestClock(Effect.retry(dataFirst.effect, RetryPolicy.strictCap(Schedule.spaced("10 seconds"), "30 seconds")))
      expect(dataFirst.starts).toEqual([0, 10000, 20000, 30000])
    }))

  describe("what the retries tell", () => {
    it.effect("each retry is logged at Info: the attempt, its error's tag and message, and the next delay", () =>
      Effect.gen(function* () {
        const logs = collectLogs()
        const { effect } = work(() => transient())
        yield* runOnTestClock(
          RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5])), Effect.provide(logs.layer))
        )
        // six attempts, five retries: one line each, with the delay the schedule chose
        expect(logs.entries.map((e) => e.level)).toEqual(["INFO", "INFO", "INFO", "INFO", "INFO"])
        expect(logs.entries.map((e) => e.annotations)).toEqual(
          [1000, 2000, 4000, 8000, 15000].map((delay, i) => ({
            "retry.attempt": i + 1,
            "retry.error": "TransientError",
            "retry.errorMessage": "database unavailable",
            "retry.delayMillis": delay
          }))
        )
        expect(logs.entries[0]!.message).toBe(
          "transaction function attempt 1 failed with TransientError: database unavailable; retrying in 1 s"
        )
        expect(logs.entries[4]!.message).toContain("attempt 5 failed with TransientError")
        expect(logs.entries[4]!.message).toContain("retrying in 15 s")
      }))

    it.effect("when the retries give up, the last error keeps its class and tag and says how many attempts over how long", () =>
      Effect.gen(function* () {
        const { effect } = work(() => transient())
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error).toBeInstanceOf(TransientError)
        expect(error?._tag).toBe("TransientError")
        expect(error?.code).toBe("Neo.TransientError.General.DatabaseUnavailable")
        expect(error?.retriable).toBe(true)
        expect(error?.message).toBe("database unavailable (gave up after 6 attempts over 30 s)")
        expect(error?.retries?.attempts).toBe(6)
        expect(error?.retries && Duration.toMillis(error.retries.elapsed)).toBe(30_000)
        // the stack still says where the error arose, under the new message
        expect(error?.stack?.split("\n")[0]).toContain("gave up after 6 attempts over 30 s")
      }))

    it.effect("slow attempts: the time runs from the start of the first attempt to the last failure", () =>
      Effect.gen(function* () {
        const cause = new Error("ECONNREFUSED")
        const refused = () => new ServiceUnavailableError({ message: "connection refused", reason: "Connect", cause })
        const { effect } = work(() => refused(), "5 seconds")
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5]))))
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        // attempts at 0, 6, 13, 22 and 30 s, the last failing at 35 s
        expect(error?._tag).toBe("ServiceUnavailableError")
        expect(error?.reason).toBe("Connect")
        expect(error?.cause).toBe(cause)
        expect(error?.message).toBe("connection refused (gave up after 5 attempts over 35 s)")
      }))

    it.effect("a non-retriable error that ends the retries is returned as it is, after the retries' log lines", () =>
      Effect.gen(function* () {
        const logs = collectLogs()
        const { effect } = work((n) => (n <= 2 ? transient() : syntax))
        const exit = yield* runOnTestClock(
          RetryPolicy.retrying(effect).pipe(Effect.withRandom(Random.fixed([0.5])), Effect.provide(logs.layer))
        )
        expect(exit).toStrictEqual(Exit.fail(syntax))
        expect(logs.entries.map((e) => e.annotations["retry.attempt"])).toEqual([1, 2])
      }))

    it.effect("a custom schedule that stops (here after 2 retries) also names the attempts", () =>
      Effect.gen(function* () {
        const logs = collectLogs()
        const { effect } = work(() => transient())
        const schedule = Schedule.spaced("250 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
        const exit = yield* runOnTestClock(RetryPolicy.retrying(effect, { schedule }).pipe(Effect.provide(logs.layer)))
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error?.message).toBe("database unavailable (gave up after 3 attempts over 0.5 s)")
        expect(logs.entries.map((e) => e.message)).toEqual([
          "transaction function attempt 1 failed with TransientError: database unavailable; retrying in 0.25 s",
          "transaction function attempt 2 failed with TransientError: database unavailable; retrying in 0.25 s"
        ])
      }))
  })

  it.effect("a custom schedule over Neo4jError never sees the work's own (non-retriable) errors", () =>
    Effect.gen(function* () {
      // a schedule written over Neo4jError, as users write it for `retry`
      const schedule = Schedule.recurWhile((e: Neo4jError) => e.retriable).pipe(Schedule.intersect(Schedule.recurs(3)))
      // the work's own error, here not even an object: reading `.retriable` on it would throw
      const own = work((n): TransientError | null => (n === 1 ? transient() : null))
      const exit = yield* runOnTestClock(
        RetryPolicy.retrying(own.effect, { schedule: schedule as Schedule.Schedule<unknown, TransientError | null> })
      )
      expect(exit).toStrictEqual(Exit.fail(null))
      expect(own.starts).toEqual([0, 0])
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
