/**
 * Spans and metrics as a user reads them through OpenTelemetry: `@effect/opentelemetry`'s
 * `NodeSdk.layer` with an in-memory span exporter and a metric reader collected by hand, the
 * driver against the scripted stub server (Bolt 5.4: FAILURE carries `code`).
 *
 * - a transaction function whose first attempt fails with a transient error and whose second
 *   commits: the call's span, an attempt span per attempt under it (the failed one with error
 *   status and `error.type`), the retry as an event on the call's span, the queries' spans under
 *   the attempts; attempts 2, retries 1 (by error), the connection counts while leased, idle and
 *   closed, the query durations by outcome
 * - explicit transactions: a span from BEGIN to COMMIT (or to the scope's close), their queries'
 *   spans under it
 * - an acquisition timeout and a refused connection, counted
 */
import { describe, expect, it } from "@effect/vitest"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { SpanKind, SpanStatusCode } from "@opentelemetry/api"
import { DataPointType, MetricReader } from "@opentelemetry/sdk-metrics"
import type { MetricData } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { Effect, Metric, MetricLabel, Schedule } from "effect"
import * as Metrics from "../src/Metrics.js"
import { StubServer } from "../src/testing/index.js"
import { HEAD, withDriver } from "./support.js"

/** A reader that exports nothing: the test collects it. */
class TestReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
}

/** OpenTelemetry for the duration of an effect: spans to `exporter`, metrics to `reader`. */
const otel = (exporter: InMemorySpanExporter, reader: MetricReader) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "effect-neo4j-test" },
    spanProcessor: new SimpleSpanProcessor(exporter),
    metricReader: reader
  }))

const collect = (reader: MetricReader): Effect.Effect<ReadonlyArray<MetricData>> =>
  Effect.promise(async () => {
    const { resourceMetrics } = await reader.collect()
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)
  })

/** The data points of a metric whose attributes have these values (`undefined`: the attribute is absent). */
const points = (metrics: ReadonlyArray<MetricData>, name: string, attributes: Record<string, string | undefined>) =>
  metrics
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as ReadonlyArray<{ attributes: Record<string, unknown>; value: unknown }>)
    .filter((p) => Object.entries(attributes).every(([k, v]) => (v === undefined ? !(k in p.attributes) : p.attributes[k] === v)))

/** A counter's value (summed over the matching points; 0 when none), or a histogram's count. */
const valueOf = (metrics: ReadonlyArray<MetricData>, name: string, attributes: Record<string, string | undefined> = {}) =>
  points(metrics, name, attributes).reduce(
    (n, p) => n + (typeof p.value === "number" ? p.value : (p.value as { count: number }).count),
    0
  )

const metricOf = (metrics: ReadonlyArray<MetricData>, name: string) => metrics.find((m) => m.descriptor.name === name)

const serverOf = (stub: StubServer.StubServer) => ({ "server.address": stub.host, "server.port": String(stub.port) })

const named = (spans: ReadonlyArray<ReadableSpan>, name: string) => spans.filter((s) => s.name === name)
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
const idOf = (span: ReadableSpan) => span.spanContext().spanId

const DEADLOCK = "Neo.TransientError.Transaction.DeadlockDetected"

const ATTEMPT = `C: BEGIN {}
C: RUN "CREATE (n:N) RETURN 1 AS one" {} {}
C: PULL {"n": 1000}
`

const TRANSIENT_ATTEMPT = `${ATTEMPT}S: SUCCESS {}
   FAILURE {"code": "${DEADLOCK}", "message": "deadlock (scripted)"}
   IGNORED
C: RESET
S: SUCCESS {}
`

const SUCCESSFUL_ATTEMPT = `${ATTEMPT}S: SUCCESS {}
   SUCCESS {"fields": ["one"]}
   RECORD [1]
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:done"}
`

const fastRetries = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

describe("observability through OpenTelemetry", () => {
  it.scopedLive("a transaction function retried once: its spans, the retry event, and the metrics", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}${TRANSIENT_ATTEMPT}${SUCCESSFUL_ATTEMPT}?: GOODBYE\n` })
      const exporter = new InMemorySpanExporter()
      const reader = new TestReader()
      const server = serverOf(stub)

      const observed = yield* Effect.gen(function* () {
        const before = yield* collect(reader)
        let attempt = 0
        let during: ReadonlyArray<MetricData> = []
        let afterCall: ReadonlyArray<MetricData> = []
        const value = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session()
            const one = yield* session.executeWrite(
              (tx) =>
                Effect.gen(function* () {
                  attempt++
                  const result = yield* tx.run("CREATE (n:N) RETURN 1 AS one")
                  const record = yield* result.single
                  // the connection is leased to this attempt's transaction
                  if (attempt === 2) during = yield* collect(reader)
                  return record.get("one")
                }),
              { retry: fastRetries }
            )
            afterCall = yield* collect(reader)
            return one
          })
        )
        const after = yield* collect(reader)
        return { value, before, during, afterCall, after, spans: exporter.getFinishedSpans() }
      }).pipe(Effect.withSpan("app"), Effect.provide(otel(exporter, reader)))
      expect(observed.value).toBe(1)
      yield* stub.verify

      // spans: app > neo4j.executeWrite > neo4j.attempt (1, failed), neo4j.attempt (2) > neo4j.run
      const { spans } = observed
      const [app] = named(spans, "app")
      const [call, ...moreCalls] = named(spans, "neo4j.executeWrite")
      expect(app).toBeDefined()
      expect(call).toBeDefined()
      expect(moreCalls).toEqual([])
      expect(parentOf(call!)).toBe(idOf(app!))
      expect(call!.kind).toBe(SpanKind.INTERNAL)
      expect(call!.attributes).toMatchObject({ "db.system.name": "neo4j", "db.operation.name": "executeWrite" })
      expect(call!.status.code).toBe(SpanStatusCode.OK)

      const attempts = named(spans, "neo4j.attempt").sort((a, b) => Number(a.attributes["neo4j.attempt"]) - Number(b.attributes["neo4j.attempt"]))
      expect(attempts).toHaveLength(2)
      const [first, second] = attempts as [ReadableSpan, ReadableSpan]
      for (const span of attempts) {
        expect(parentOf(span)).toBe(idOf(call!))
        expect(span.kind).toBe(SpanKind.INTERNAL)
        expect(span.attributes).toMatchObject({
          "db.system.name": "neo4j",
          "db.operation.name": "executeWrite",
          "server.address": stub.host,
          "server.port": stub.port
        })
      }
      expect(first.attributes["neo4j.attempt"]).toBe(1)
      expect(first.status.code).toBe(SpanStatusCode.ERROR)
      expect(first.attributes).toMatchObject({ "error.type": "TransientError", "db.response.status_code": DEADLOCK })
      expect(second.attributes["neo4j.attempt"]).toBe(2)
      expect(second.status.code).toBe(SpanStatusCode.OK)
      expect(second.attributes["error.type"]).toBeUndefined()

      // the failure retried, as an event on the call's span (beside the retry's log line, which
      // Effect's tracer also records as an event of the current span)
      const retries = call!.events.filter((e) => e.name === "neo4j.retry")
      expect(retries).toHaveLength(1)
      expect(retries[0]!.attributes).toMatchObject({
        "neo4j.attempt": 1,
        "error.type": "TransientError",
        "db.response.status_code": DEADLOCK
      })
      expect(String(retries[0]!.attributes?.["error.message"])).toContain("deadlock (scripted)")
      // at the time of the failure: as the first attempt ended, before the second began
      const nanos = ([s, ns]: readonly [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(ns)
      expect(nanos(retries[0]!.time)).toBeGreaterThan(nanos(first.startTime))
      expect(nanos(retries[0]!.time)).toBeLessThanOrEqual(nanos(first.endTime))
      expect(nanos(retries[0]!.time)).toBeLessThanOrEqual(nanos(second.startTime))
      expect(call!.events.some((e) => e.name.startsWith("transaction function attempt 1 failed with TransientError"))).toBe(true)

      // one query span per attempt, under it
      const runs = named(spans, "neo4j.run")
      expect(runs).toHaveLength(2)
      expect(runs.map(parentOf).sort()).toEqual([idOf(first), idOf(second)].sort())
      // the requests are the client spans; the call and its attempts wrap them (internal)
      for (const run of runs) expect(run.kind).toBe(SpanKind.CLIENT)
      const failedRun = runs.find((s) => parentOf(s) === idOf(first))!
      expect(failedRun.status.code).toBe(SpanStatusCode.ERROR)
      expect(failedRun.attributes).toMatchObject({
        "db.query.text": "CREATE (n:N) RETURN 1 AS one",
        "error.type": "TransientError",
        "db.response.status_code": DEADLOCK
      })
      expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1)

      // metrics
      const { before, during, afterCall, after } = observed
      const delta = (name: string, attributes: Record<string, string | undefined> = {}) =>
        valueOf(after, name, attributes) - valueOf(before, name, attributes)
      expect(delta("neo4j.client.transaction_function.attempts")).toBe(2)
      expect(delta("neo4j.client.transaction_function.retries")).toBe(1)
      expect(delta("neo4j.client.transaction_function.retries", { "error.type": "TransientError", "db.response.status_code": DEADLOCK })).toBe(1)

      const used = { ...server, "db.client.connection.state": "used" }
      const idle = { ...server, "db.client.connection.state": "idle" }
      expect([valueOf(during, "db.client.connection.count", used), valueOf(during, "db.client.connection.count", idle)]).toEqual([1, 0])
      expect([valueOf(afterCall, "db.client.connection.count", used), valueOf(afterCall, "db.client.connection.count", idle)]).toEqual([0, 1])
      expect([valueOf(after, "db.client.connection.count", used), valueOf(after, "db.client.connection.count", idle)]).toEqual([0, 0])
      // an up-down counter: a sum that is not monotonic
      expect(metricOf(after, "db.client.connection.count")).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: false })
      expect(metricOf(after, "neo4j.client.connection.opened")).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true })
      expect(valueOf(during, "db.client.connection.max", server)).toBe(100)
      expect(valueOf(after, "db.client.connection.max", server)).toBe(0)
      expect(valueOf(after, "db.client.connection.pending_requests", server)).toBe(0)
      expect(valueOf(after, "neo4j.client.connection.creating", server)).toBe(0)
      expect(delta("neo4j.client.connection.opened", server)).toBe(1)
      expect(delta("neo4j.client.connection.closed", server)).toBe(1)
      expect(delta("neo4j.client.connection.failed", server)).toBe(0)
      expect(delta("db.client.connection.create_time", server)).toBe(1)
      // two acquisitions: one opened the connection, the other waited for its RESET
      expect(delta("db.client.connection.wait_time", server)).toBe(2)

      // one query succeeded, one failed with the deadlock
      const query = { ...server, "db.system.name": "neo4j" }
      expect(delta("db.client.operation.duration", { ...query, "error.type": undefined })).toBe(1)
      expect(delta("db.client.operation.duration", { ...query, "error.type": "TransientError", "db.response.status_code": DEADLOCK })).toBe(1)
      expect(metricOf(after, "db.client.operation.duration")).toMatchObject({ dataPointType: DataPointType.HISTOGRAM, descriptor: { unit: "s" } })
      const [success] = points(after, "db.client.operation.duration", { ...query, "error.type": undefined })
      const seconds = (success!.value as { sum: number }).sum
      expect(seconds).toBeGreaterThan(0)
      expect(seconds).toBeLessThan(5)

      // the same figures through Effect's Metric API and the public metric objects
      const address = `${stub.host}:${stub.port}`
      const opened = yield* Metric.value(Metrics.forServer(Metrics.connectionsOpened, address))
      expect(opened.count).toBe(valueOf(after, "neo4j.client.connection.opened", server))
      const succeeded = yield* Metric.value(Metrics.forServer(Metrics.operationDuration, address))
      expect(succeeded.count).toBe(valueOf(after, "db.client.operation.duration", { ...query, "error.type": undefined }))
      expect(succeeded.sum).toBe(seconds)
      const deadlocks = yield* Metric.value(
        Metrics.forServer(Metrics.operationDuration, address).pipe(
          Metric.taggedWithLabels([MetricLabel.make("error.type", "TransientError"), MetricLabel.make("db.response.status_code", DEADLOCK)])
        )
      )
      expect(deadlocks.count).toBe(1)
      const attemptsSoFar = yield* Metric.value(Metrics.transactionFunctionAttempts)
      expect(attemptsSoFar.count).toBe(valueOf(after, "neo4j.client.transaction_function.attempts"))
    })
  )

  it.scopedLive("explicit transactions: a span from BEGIN to COMMIT or to the scope's close, their queries under it", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: BEGIN {"db": "movies"}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
C: BEGIN {"bookmarks": ["FB:1"], "db": "movies"}
C: ROLLBACK
S: SUCCESS {}
   SUCCESS {}
?: GOODBYE
`
      })
      const exporter = new InMemorySpanExporter()
      const reader = new TestReader()
      const spans = yield* Effect.gen(function* () {
        yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session({ database: "movies" })
            yield* Effect.scoped(
              Effect.gen(function* () {
                const tx = yield* session.beginTransaction()
                const result = yield* tx.run("RETURN 1 AS x")
                yield* result.list
                yield* tx.commit
              })
            )
            // closed without a commit: rolled back
            yield* Effect.scoped(session.beginTransaction())
          })
        )
        return exporter.getFinishedSpans()
      }).pipe(Effect.withSpan("app"), Effect.provide(otel(exporter, reader)))
      yield* stub.verify

      const [app] = named(spans, "app")
      const transactions = named(spans, "neo4j.transaction")
      expect(transactions).toHaveLength(2)
      const [committed, closed] = transactions.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]) as [
        ReadableSpan,
        ReadableSpan
      ]
      for (const span of transactions) {
        expect(parentOf(span)).toBe(idOf(app!))
        expect(span.kind).toBe(SpanKind.INTERNAL)
        expect(span.status.code).toBe(SpanStatusCode.OK)
        expect(span.attributes).toMatchObject({
          "db.system.name": "neo4j",
          "db.namespace": "movies",
          "server.address": stub.host,
          "server.port": stub.port
        })
      }
      expect(committed.attributes["neo4j.transaction.end"]).toBe("commit")
      expect(closed.attributes["neo4j.transaction.end"]).toBe("close")
      const [run, ...moreRuns] = named(spans, "neo4j.run")
      expect(moreRuns).toEqual([])
      expect(parentOf(run!)).toBe(idOf(committed))
      expect(run!.attributes).toMatchObject({ "db.query.text": "RETURN 1 AS x", "db.namespace": "movies" })
    })
  )

  it.scopedLive("an acquisition timeout counts in db.client.connection.timeouts; a refused connection in neo4j.client.connection.failed", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}A: BEGIN\nA: ROLLBACK\n?: GOODBYE\n` })
      const [closedPort] = yield* StubServer.freePorts(1)
      const exporter = new InMemorySpanExporter()
      const reader = new TestReader()
      const server = serverOf(stub)
      const refusedServer = { "server.address": "127.0.0.1", "server.port": String(closedPort) }
      const observed = yield* Effect.gen(function* () {
        const before = yield* collect(reader)
        let waiting: ReadonlyArray<MetricData> = []
        const timeout = yield* withDriver(
          stub,
          (driver) =>
            Effect.gen(function* () {
              // the one connection is held by an open transaction
              const holder = yield* driver.session()
              yield* holder.beginTransaction()
              const other = yield* driver.session()
              const error = yield* Effect.flip(Effect.scoped(other.beginTransaction()))
              waiting = yield* collect(reader)
              return error
            }),
          { maxConnectionPoolSize: 1, connectionAcquisitionTimeout: "100 millis" }
        )
        const refused = yield* withDriver(`bolt://127.0.0.1:${closedPort}`, (driver) => Effect.flip(driver.verifyConnectivity()))
        const after = yield* collect(reader)
        return { before, waiting, after, timeout, refused }
      }).pipe(Effect.provide(otel(exporter, reader)))
      yield* stub.verify

      expect(observed.timeout._tag).toBe("ConnectionAcquisitionTimeoutError")
      expect(observed.refused._tag).toBe("ServiceUnavailableError")
      const delta = (name: string, attributes: Record<string, string | undefined>) =>
        valueOf(observed.after, name, attributes) - valueOf(observed.before, name, attributes)
      expect(delta("db.client.connection.timeouts", server)).toBe(1)
      expect(valueOf(observed.waiting, "db.client.connection.pending_requests", server)).toBe(0)
      expect(valueOf(observed.waiting, "db.client.connection.count", { ...server, "db.client.connection.state": "used" })).toBe(1)
      expect(valueOf(observed.waiting, "db.client.connection.max", server)).toBe(1)
      expect(delta("neo4j.client.connection.failed", { ...refusedServer, "error.type": "ServiceUnavailableError" })).toBe(1)
      expect(delta("neo4j.client.connection.opened", refusedServer)).toBe(0)
    })
  )
})
