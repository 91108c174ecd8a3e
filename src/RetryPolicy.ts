/**
 * The retry policy of transaction functions (`executeRead` / `executeWrite`) as a `Schedule`,
 * with the official drivers' defaults: first delay 1 s, multiplier 2, jitter ±20 %, and a total
 * budget of `maxTransactionRetryTime` (30 s) that is a strict cap: no attempt starts after it.
 *
 * `Schedule.upTo(30 s)` is not strict: it checks the time elapsed before the delay, so the last
 * attempt can start seconds past the budget. `strictCap` looks at when the next attempt would
 * start (elapsed time plus the next delay) and stops instead.
 *
 * Only retriable errors are retried (`isRetriable` from `Neo4jError`). The pieces are exported
 * so that users can build their own policy.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Schedule, ScheduleDecision, ScheduleIntervals } from "effect"
import { dual } from "effect/Function"
import { isRetriable } from "./Neo4jError.js"

/**
 * The official drivers' retry parameters.
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
  return Schedule.makeWithState<readonly [start: number | undefined, inner: unknown], In, Out, R>(
    [options?.startedAt, self.initial],
    (now, input, [startedAt, innerState]) => {
      const start = startedAt ?? now
      return Effect.map(self.step(now, input, innerState), ([nextInner, out, decision]) => {
        const state = [start, nextInner] as const
        if (ScheduleDecision.isDone(decision)) return [state, out, decision] as const
        // the next attempt would start at `next`: stop if that is past the budget
        const next = ScheduleIntervals.start(decision.intervals)
        if (next - start > budgetMillis) return [state, out, ScheduleDecision.done] as const
        return [state, out, decision] as const
      })
    }
  )
}

/**
 * Caps a schedule by total time, strictly: it stops as soon as the next attempt would start
 * more than `budget` after the start (elapsed time + next delay > budget), so no attempt ever
 * starts past the budget. An attempt may start exactly at the budget.
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
 * @since 0.1.0
 * @category models
 */
export interface RetryingOptions<Out, E, R> {
  /** Replaces the default schedule (the retriable check still applies); its input is the error */
  readonly schedule?: Schedule.Schedule<Out, E, R>
  /** The budget of the default schedule (30 s); ignored with a custom `schedule` */
  readonly maxRetryTime?: Duration.DurationInput
}

/**
 * Runs `effect`, retrying it while it fails with a retriable error. With no `schedule`, uses
 * `defaultSchedule(maxRetryTime)` with the budget counted from the start of the first attempt,
 * so that no attempt starts after `maxRetryTime`. A custom `schedule` decides the delays and when
 * to stop; non-retriable errors are never retried (a blind retry could, for example, commit
 * twice). The last error is the failure.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retrying = <A, E, R, Out = Duration.Duration, R2 = never>(
  effect: Effect.Effect<A, E, R>,
  options: RetryingOptions<Out, NoInfer<E>, R2> = {}
): Effect.Effect<A, E, R | R2> =>
  options.schedule !== undefined
    ? retryAfterFirstFailure(effect, whileRetriable(options.schedule))
    : Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
        retryAfterFirstFailure(effect, defaultSchedule(options.maxRetryTime ?? DEFAULTS.maxRetryTime, { startedAt }))
      )

/**
 * `Effect.retry(effect, schedule)`, with the retry machinery (a schedule driver, a service
 * provided per attempt: ~20 µs of CPU per call on the benchmark machine) set up only once the
 * first attempt has failed: that failure is then replayed into the schedule, so the schedule sees
 * the same inputs and gives the same delays as under `Effect.retry`. A first attempt that
 * succeeds (nearly all of them) costs one `catchAll`.
 */
const retryAfterFirstFailure = <A, E, R, Out, R2>(
  effect: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<Out, E, R2>
): Effect.Effect<A, E, R | R2> =>
  Effect.catchAll(effect, (first) => {
    let replayed = false
    const attempt = Effect.suspend(() => {
      if (replayed) return effect
      replayed = true
      return Effect.fail(first)
    })
    return Effect.retry(attempt, schedule)
  })
