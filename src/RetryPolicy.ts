/**
 * The retry policy of transaction functions (`executeRead` / `executeWrite`) as a `Schedule`,
 * with the official drivers' defaults: first delay 1 s, multiplier 2, jitter ±20 %, and a total
 * budget of `maxTransactionRetryTime` (30 s) that is a strict cap: no attempt starts after it.
 *
 * `Schedule.upTo(30 s)` is not strict: it checks the time elapsed before the delay, so the last
 * attempt can start seconds past the budget. `strictCap` looks at when the next attempt would
 * start (elapsed time plus the next delay) and, when that is past the budget, shortens the delay
 * to what is left: the last attempt starts exactly at the budget, which is spent, not half used
 * (1 s, 2 s, 4 s, 8 s and then 15 s instead of 16 s: six attempts, as the reference makes).
 *
 * Only retriable errors are retried (`isRetriable` from `Neo4jError`). Each retry is logged at
 * Info level, and when the retries give up the last error says so (see `retrying`). The pieces
 * are exported so that users can build their own policy.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import { dual } from "effect/Function"
import {
  AuthorizationExpiredError,
  ClientError,
  isRetriable,
  type RetrySummary,
  ServiceUnavailableError,
  SessionExpiredError,
  TransientError
} from "./Neo4jError.js"

/**
 * The official drivers' retry parameters.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { RetryPolicy } from "effect-neo4j"
 *
 * assert.strictEqual(Duration.toMillis(RetryPolicy.DEFAULTS.initialDelay), 1000)
 * assert.strictEqual(Duration.toSeconds(RetryPolicy.DEFAULTS.maxRetryTime), 30)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULTS = {
  initialDelay: Duration.seconds(1),
  multiplier: 2,
  /** ±20 %: each delay is multiplied by a random factor in [0.8, 1.2] */
  jitter: 0.2,
  maxRetryTime: Duration.seconds(30)
} as const

/**
 * Options for `backoff`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BackoffOptions {
  readonly initialDelay?: Duration.DurationInput
  readonly multiplier?: number
  /** relative jitter in [0, 1): 0.2 means each delay is scaled by a factor in [0.8, 1.2] */
  readonly jitter?: number
}

/**
 * Jittered exponential back-off with no end: delays of `initialDelay * multiplier^n`, each
 * scaled by a random factor in `[1 - jitter, 1 + jitter]` (taken from the `Random` service).
 * Outputs the un-jittered delay.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { RetryPolicy } from "effect-neo4j"
 *
 * // 200 ms, 300 ms, 450 ms, ... (each ±10 %), five retries at most, retriable errors only
 * const retry = RetryPolicy.backoff({ initialDelay: "200 millis", multiplier: 1.5, jitter: 0.1 }).pipe(
 *   Schedule.intersect(Schedule.recurs(5)),
 *   RetryPolicy.whileRetriable
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const backoff = (options: BackoffOptions = {}): Schedule.Schedule<Duration.Duration, unknown> => {
  const jitter = options.jitter ?? DEFAULTS.jitter
  const exponential = Schedule.exponential(
    options.initialDelay ?? DEFAULTS.initialDelay,
    options.multiplier ?? DEFAULTS.multiplier
  )
  return jitter === 0 ? exponential : Schedule.jitteredWith(exponential, { min: 1 - jitter, max: 1 + jitter })
}

/**
 * Options for `strictCap`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StrictCapOptions {
  /**
   * When the work started, in `Clock` milliseconds. Without it the budget is counted from the
   * first failure (the first time the schedule runs), which omits the first attempt's duration.
   */
  readonly startedAt?: number
}

const strictCapImpl = <Out, In, R>(
  self: Schedule.Schedule<Out, In, R>,
  budget: Duration.DurationInput,
  options?: StrictCapOptions
): Schedule.Schedule<Out, In, R> => {
  const budgetMillis = Duration.toMillis(Duration.decode(budget))
  return Schedule.makeWithState<readonly [start: number | undefined, inner: unknown, last: boolean], In, Out, R>(
    [options?.startedAt, self.initial, false],
    (now, input, [startedAt, innerState, last]) => {
      const start = startedAt ?? now
      return Effect.map(self.step(now, input, innerState), ([nextInner, out, decision]) => {
        if (last || ScheduleDecision.isDone(decision)) return [[start, nextInner, last], out, ScheduleDecision.done] as const
        // the next attempt would start at `next`: past the budget, it starts when the budget ends
        // instead (the budget is spent, not half used), unless that moment has already come
        const next = ScheduleIntervals.start(decision.intervals)
        if (next - start <= budgetMillis) return [[start, nextInner, false], out, decision] as const
        if (now - start >= budgetMillis) return [[start, nextInner, false], out, ScheduleDecision.done] as const
        // that attempt is the last: with fractional delays (jitter), its start can round to a hair
        // before the budget, which must not leave room for another
        const atBudget = ScheduleDecision.continueWith(ScheduleInterval.after(start + budgetMillis))
        return [[start, nextInner, true], out, atBudget] as const
      })
    }
  )
}

/**
 * Caps a schedule by total time, strictly: no attempt ever starts more than `budget` after the
 * start. When the next delay would cross the budget (elapsed time + next delay > budget), it is
 * shortened to what is left, so one last attempt starts exactly at the budget; once the budget
 * is spent, the schedule stops.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { RetryPolicy } from "effect-neo4j"
 *
 * // under Effect.retry: retries 10, 20 and 25 s after the first failure, then none
 * const schedule = Schedule.spaced("10 seconds").pipe(RetryPolicy.strictCap("25 seconds"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const strictCap: {
  (
    budget: Duration.DurationInput,
    options?: StrictCapOptions
  ): <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>
  <Out, In, R>(
    self: Schedule.Schedule<Out, In, R>,
    budget: Duration.DurationInput,
    options?: StrictCapOptions
  ): Schedule.Schedule<Out, In, R>
} = dual((args) => Schedule.isSchedule(args[0]), strictCapImpl)

/**
 * Continues only while the failure is retriable (`isRetriable`): a non-retriable error ends
 * the retries at once.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Neo4jDriver, RetryPolicy } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.verifyConnectivity()
 * }).pipe(Effect.retry(RetryPolicy.whileRetriable(Schedule.spaced("2 seconds").pipe(Schedule.upTo("1 minute")))))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const whileRetriable = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  Schedule.whileInput(self, (input: In) => isRetriable(input))

/**
 * The default transaction-function schedule: `backoff()` (1 s, ×2, ±20 %), strictly capped at
 * `maxRetryTime` (30 s by default), continuing only while the error is retriable. Use it with
 * `Effect.retry`; there the budget is counted from the first failure. `retrying` counts it from
 * the start of the first attempt.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, RetryPolicy } from "effect-neo4j"
 *
 * // the transaction functions' policy for other work: 1 s, 2 s, 4 s, ... (±20 %), for 10 s after the first failure
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.updateRoutingTable({ database: "neo4j" })
 * }).pipe(Effect.retry(RetryPolicy.defaultSchedule("10 seconds")))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultSchedule = (
  maxRetryTime: Duration.DurationInput = DEFAULTS.maxRetryTime,
  options?: StrictCapOptions
): Schedule.Schedule<Duration.Duration, unknown> => whileRetriable(strictCap(backoff(), maxRetryTime, options))

/**
 * Options for `retrying`.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Neo4jError } from "effect-neo4j"
 * import { RetryPolicy } from "effect-neo4j"
 *
 * const options: RetryPolicy.RetryingOptions<number, Neo4jError.TransientError, never> = {
 *   schedule: Schedule.recurs(3)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryingOptions<Out, E, R> {
  /**
   * Replaces the default schedule, its `maxRetryTime` cap included (add one with `strictCap`).
   * Its input is the failure of each attempt, and only a retriable one: a non-retriable failure
   * ends the retries before the schedule sees it.
   */
  readonly schedule?: Schedule.Schedule<Out, E, R>
  /** The budget of the default schedule (30 s); ignored with a custom `schedule` */
  readonly maxRetryTime?: Duration.DurationInput
}

/**
 * Runs `effect`, retrying it while it fails with a retriable error. With no `schedule`, uses
 * `defaultSchedule(maxRetryTime)` with the budget counted from the start of the first attempt,
 * so that no attempt starts after `maxRetryTime`. A custom `schedule` decides the delays and when
 * to stop; non-retriable errors are never retried (a blind retry could, for example, commit
 * twice), nor given to the schedule.
 *
 * Each retry is logged at Info level, naming the attempt that failed, its error (tag and message)
 * and the delay before the next one (annotations `retry.attempt`, `retry.error`,
 * `retry.errorMessage`, `retry.delayMillis`). The last error is the failure; when the retries
 * gave up on a retriable driver error, it is a copy of it (same class and tag) whose message ends
 * with "(gave up after N attempts over X s)" and whose `retries` field says the same.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jError, RetryPolicy } from "effect-neo4j"
 *
 * const busy = Effect.fail(new Neo4jError.TransientError({ message: "Neo.TransientError.General.DatabaseUnavailable" }))
 * // fails after 5 s with that TransientError, its message ending "(gave up after N attempts over 5 s)"
 * const program = RetryPolicy.retrying(busy, { maxRetryTime: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retrying = <A, E, R, Out = Duration.Duration, R2 = never>(
  effect: Effect.Effect<A, E, R>,
  options: RetryingOptions<Out, NoInfer<E>, R2> = {}
): Effect.Effect<A, E, R | R2> =>
  // the start of the first attempt: the default budget and the final error's time count from it
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
    retryAfterFirstFailure(
      effect,
      () =>
        options.schedule !== undefined
          ? retriableFirst(options.schedule)
          : defaultSchedule(options.maxRetryTime ?? DEFAULTS.maxRetryTime, { startedAt }),
      startedAt
    )
  )

/**
 * `Effect.retry(effect, schedule)`, with the retry machinery (the schedule itself, a schedule
 * driver, a service provided per attempt: ~20 µs of CPU per call on the benchmark machine, and
 * ~2 KB of schedule objects) set up only once the first attempt has failed: that failure is then
 * replayed into the schedule, so the schedule sees the same inputs and gives the same delays as
 * under `Effect.retry`. A first attempt that succeeds (nearly all of them) costs one `catchAll`.
 * The attempts are counted for the log lines and the final error.
 */
const retryAfterFirstFailure = <A, E, R, R2>(
  effect: Effect.Effect<A, E, R>,
  schedule: () => Schedule.Schedule<unknown, E, R2>,
  startedAt: number
): Effect.Effect<A, E, R | R2> =>
  Effect.catchAll(effect, (first) => {
    let replayed = false
    let attempts = 1
    const attempt = Effect.suspend(() => {
      if (replayed) {
        attempts++
        return effect
      }
      replayed = true
      return Effect.fail(first)
    })
    return Effect.retryOrElse(attempt, logged(schedule(), () => attempts), (last) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(gaveUp(last, attempts, now - startedAt)))
    )
  })

/**
 * Checks the failure before the schedule sees it: a user's schedule over `Neo4jError` would
 * otherwise be stepped with the work's own errors too (`whileRetriable` steps first). The output
 * of a stop taken here is never read: `retryAfterFirstFailure` ignores the schedule's output.
 */
const retriableFirst = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  Schedule.makeWithState(self.initial, (now, input: In, state) =>
    isRetriable(input) ? self.step(now, input, state) : Effect.succeed([state, undefined as Out, ScheduleDecision.done] as const)
  )

/** Logs each retry the schedule decides on, with the delay it chose. */
const logged = <Out, In, R>(self: Schedule.Schedule<Out, In, R>, attempts: () => number): Schedule.Schedule<Out, In, R> =>
  Schedule.makeWithState(self.initial, (now, input: In, state) =>
    Effect.flatMap(self.step(now, input, state), (step) => {
      const decision = step[2]
      if (ScheduleDecision.isDone(decision)) return Effect.succeed(step)
      const attempt = attempts()
      const delay = Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
      const { tag, message } = describe(input)
      return Effect.as(
        Effect.logInfo(
          `transaction function attempt ${attempt} failed with ${tag}: ${message}; retrying in ${seconds(delay)}`
        ).pipe(
          Effect.annotateLogs({
            "retry.attempt": attempt,
            "retry.error": tag,
            "retry.errorMessage": message,
            "retry.delayMillis": delay
          })
        ),
        step
      )
    })
  )

/** The tag and message of a failure; the driver's errors hold no secrets (credentials are Redacted). */
const describe = (error: unknown): { readonly tag: string; readonly message: string } => {
  const o = typeof error === "object" && error !== null ? (error as { _tag?: unknown; message?: unknown }) : {}
  return {
    tag: typeof o._tag === "string" ? o._tag : typeof error,
    message: typeof o.message === "string" ? o.message : String(error)
  }
}

const seconds = (millis: number): string => `${Number((millis / 1000).toFixed(3))} s`

/**
 * The failure after the retries: when they gave up on a retriable driver error (the budget or
 * the schedule spent), a copy of it, same class and tag, whose message and `retries` field tell
 * how many attempts were made over how long. Any other failure is returned as it is: a
 * non-retriable error that stopped the retries says itself why they stopped, and the work's own
 * errors are not ours to rewrite.
 */
const gaveUp = <E>(error: E, attempts: number, elapsedMillis: number): E => {
  if (
    !isRetriable(error) ||
    !(
      error instanceof TransientError ||
      error instanceof ServiceUnavailableError ||
      error instanceof SessionExpiredError ||
      error instanceof AuthorizationExpiredError ||
      error instanceof ClientError
    )
  ) {
    return error
  }
  const retries: RetrySummary = { attempts, elapsed: Duration.millis(elapsedMillis) }
  const message = `${error.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} over ${seconds(elapsedMillis)})`
  // the fields are the enumerable own properties; `message` and `cause` are Error's own, hidden ones
  const Class = error.constructor as new (args: object) => Error
  const copy = new Class({
    ...error,
    message,
    ...(error.cause !== undefined ? { cause: error.cause } : {}),
    retries
  })
  // keep the stack of where the error arose, not of this copy
  if (error.stack !== undefined && error.message !== "") copy.stack = error.stack.replace(error.message, message)
  return copy as unknown as E
}
