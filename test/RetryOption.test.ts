/**
 * The `retry` option of transaction functions as users write it, and what the retries tell.
 *
 * A schedule over `Neo4jError` (`Schedule.recurWhile((e: Neo4jError) => e.retriable)`) is
 * accepted on the driver (`MakeOptions`), on `executeWrite` / `executeRead` and on
 * `executeQuery`: a compile test, which `npm run typecheck` runs (vitest does not typecheck), and
 * these calls run against no server below. With no server, `executeQuery` logs each retry at
 * Info level until the budget is spent, and its error names the attempts and the time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Logger, LogLevel, Random, Schedule, TestClock } from "effect"
import * as Auth from "../src/Auth.js"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import type { Neo4jError } from "../src/Neo4jError.js"
import type { Session, TransactionFunctionConfig } from "../src/Session.js"
import { StubServer } from "../src/testing/index.js"
import { eventually, failureOf, makeLogCollector, withDriver } from "./support.js"

/** What users write: continue while the error is retriable (here at most `n` retries, no delay). */
const whileRetriable = (n: number) =>
  Schedule.recurWhile((e: Neo4jError) => e.retriable).pipe(Schedule.intersect(Schedule.recurs(n)))

// the compile test: each of these must type-check
const onDriver: Neo4jDriver.MakeOptions = { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) }
const onWrite: TransactionFunctionConfig = { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) }
const onQuery: Neo4jDriver.QueryConfig = { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) }
const writeWith = (session: Session) =>
  session.executeWrite((tx) => tx.run("RETURN 1"), { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) })
const readWith = (session: Session) =>
  session.executeRead((tx) => tx.run("RETURN 1"), { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) })
const queryWith = (driver: Neo4jDriver.Neo4jDriver) =>
  driver.executeQuery("RETURN 1", {}, { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable) })
// a schedule over `unknown` still fits, as before
const overUnknown: TransactionFunctionConfig = { retry: Schedule.recurs(1) }

/** A `bolt://` URI on which nothing listens: every connection attempt is refused. */
const refusedUri = Effect.map(StubServer.freePorts(1), ([port]) => `bolt://127.0.0.1:${port}`)

/** The driver's lines about retries, from a `makeLogCollector` collector. */
const retryLines = (lines: ReadonlyArray<string>) => lines.filter((l) => l.includes("transaction function attempt"))

describe("the retry option", () => {
  it("accepts a schedule over Neo4jError, or over unknown, everywhere", () => {
    expect([onDriver, onWrite, onQuery, overUnknown].every((c) => c.retry !== undefined)).toBe(true)
    expect([writeWith, readWith, queryWith]).toHaveLength(3)
  })

  it.live("on the driver and per call: executeQuery and executeWrite against no server retry as told", () => {
    const collector = makeLogCollector()
    return Effect.gen(function* () {
      const uri = yield* refusedUri
      const [query, perCall, write] = yield* withDriver(
        uri,
        (driver) =>
          Effect.all([
            // the driver's schedule: 3 attempts
            Effect.flip(driver.executeQuery("RETURN 1")),
            // the call's own replaces it: 2 attempts
            Effect.flip(driver.executeQuery("RETURN 1", {}, { retry: whileRetriable(1) })),
            Effect.flip(
              Effect.flatMap(driver.session(), (session) =>
                session.executeWrite((tx) => tx.run("RETURN 1"), { retry: whileRetriable(1) })
              )
            )
          ]),
        {},
        { retry: whileRetriable(2) }
      )
      for (const error of [query, perCall, write]) expect(error._tag).toBe("ServiceUnavailableError")
      expect(query.message).toMatch(/ \(gave up after 3 attempts over \d+(\.\d+)? s\)$/)
      expect(perCall.message).toMatch(/ \(gave up after 2 attempts over \d+(\.\d+)? s\)$/)
      expect(write.message).toMatch(/ \(gave up after 2 attempts over \d+(\.\d+)? s\)$/)
      const lines = retryLines(collector.lines)
      expect(lines).toHaveLength(2 + 1 + 1)
      expect(lines.every((l) => l.startsWith("INFO ") && l.includes("retry.error=ServiceUnavailableError"))).toBe(true)
      expect(lines.map((l) => /retry\.attempt=(\d+)/.exec(l)?.[1])).toEqual(["1", "2", "1", "1"])
    }).pipe(
      Effect.scoped,
      Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  })

  it.effect("the default schedule against no server: a line per retry until 30 s, then an error naming 6 attempts over 30 s", () => {
    const collector = makeLogCollector()
    return Effect.gen(function* () {
      const uri = yield* refusedUri
      const driver = yield* Neo4jDriver.driver(uri, Auth.basic("neo4j", "pw"))
      // jitter draws of 0.5: the delays are exactly 1, 2, 4 and 8 s, then 15 s (what is left)
      const fiber = yield* Effect.fork(driver.executeQuery("RETURN 1").pipe(Effect.withRandom(Random.fixed([0.5]))))
      const delays = [1000, 2000, 4000, 8000, 15000]
      for (const [i, delay] of delays.entries()) {
        // the connection is refused in real time; the retry then sleeps on the TestClock
        expect(yield* eventually(Effect.sync(() => retryLines(collector.lines).length === i + 1))).toBe(true)
        const wake = (yield* TestClock.currentTimeMillis) + delay
        expect(yield* eventually(Effect.map(TestClock.sleeps(), (s) => [...s].includes(wake)))).toBe(true)
        yield* TestClock.adjust(delay)
      }
      const error = failureOf(yield* Fiber.await(fiber))
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(error.message).toMatch(/ \(gave up after 6 attempts over 30 s\)$/)
      const lines = retryLines(collector.lines)
      expect(lines).toHaveLength(5)
      lines.forEach((line, i) => {
        expect(line.startsWith(`INFO transaction function attempt ${i + 1} failed with ServiceUnavailableError: `)).toBe(true)
        expect(line).toContain(`; retrying in ${delays[i]! / 1000} s`)
        expect(line).toContain(`retry.delayMillis=${delays[i]}`)
      })
    }).pipe(
      Effect.scoped,
      Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  })
})
