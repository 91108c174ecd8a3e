/**
 * The driver's metrics, as Effect `Metric`s: connections per server (in use, idle, being opened),
 * the pool's waits and timeouts, connections opened, closed and failed, query durations by
 * outcome, and transaction-function attempts and retries.
 *
 * They are named after OpenTelemetry's semantic conventions for database clients where one exists
 * (`db.client.connection.count`, `db.client.connection.wait_time`,
 * `db.client.operation.duration`, ...), under `neo4j.client.` otherwise. Durations are in seconds.
 * The per-server metrics are tagged `server.address` and `server.port`, in that order; query
 * failures add `error.type` (the error's tag, e.g. `TransientError`) and, when the server gave
 * one, `db.response.status_code` (e.g. `Neo.TransientError.Transaction.DeadlockDetected`).
 *
 * The driver updates them itself, in Effect's global metric registry: read them with
 * `Metric.value` (for one server: `Metrics.forServer(metric, "host:port")`), `Metric.snapshot`, or
 * export them with `@effect/opentelemetry`'s `Metrics.layer`. The fiber's metric tags
 * (`Effect.tagMetrics`) are not added to them.
 *
 * @since 0.1.0
 */
import type * as Metric from "effect/Metric"
import * as internal from "./internal/metrics.js"

/**
 * `db.client.connection.count` with `db.client.connection.state` `used` (an up-down counter):
 * the open connections that are not idle, per server: leased to a session, or being cleaned
 * (RESET) or checked before going back to the pool. `driver.connectionPoolMetrics()` gives the
 * leased ones alone.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const inUse = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsInUse, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsInUse: Metric.Metric.Counter<number> = internal.connectionsInUse

/**
 * `db.client.connection.count` with `db.client.connection.state` `idle` (an up-down counter):
 * the connections waiting in the pool, per server.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const idle = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsIdle, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsIdle: Metric.Metric.Counter<number> = internal.connectionsIdle

/**
 * `neo4j.client.connection.creating` (an up-down counter): the connections being opened, per
 * server (socket, TLS, handshake, HELLO and LOGON).
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const opening = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsCreating, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsCreating: Metric.Metric.Counter<number> = internal.connectionsCreating

/**
 * `db.client.connection.max` (an up-down counter): the most connections the driver opens to a
 * server (`maxConnectionPoolSize`), summed over the drivers with a pool to it.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const max = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsMax, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsMax: Metric.Metric.Counter<number> = internal.connectionsMax

/**
 * `db.client.connection.pending_requests` (an up-down counter): the acquisitions waiting for a
 * connection to a server, for a free slot in the pool or for one being opened or checked.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const waiting = Effect.map(Metric.value(Metrics.forServer(Metrics.pendingRequests, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const pendingRequests: Metric.Metric.Counter<number> = internal.pendingRequests

/**
 * `db.client.connection.create_time` (a histogram, seconds): how long opening a connection took
 * (socket, TLS, handshake, HELLO and LOGON), per server.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const opened = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionCreateTime, "localhost:7687")), (h) => h.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionCreateTime: Metric.Metric.Histogram<number> = internal.connectionCreateTime

/**
 * `db.client.connection.wait_time` (a histogram, seconds): how long each acquisition took to get
 * a connection from the pool, per server: 0 for an idle one taken at once, and the wait for a
 * free slot and the opening of a connection otherwise. Acquisitions that fail are not recorded.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const slowest = Effect.map(Metric.value(Metrics.forServer(Metrics.acquisitionWaitTime, "localhost:7687")), (h) => h.max)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const acquisitionWaitTime: Metric.Metric.Histogram<number> = internal.acquisitionWaitTime

/**
 * `db.client.connection.timeouts` (a counter): the acquisitions that failed with
 * `ConnectionAcquisitionTimeoutError` (no connection within `connectionAcquisitionTimeout`), per
 * server.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const timeouts = Effect.map(Metric.value(Metrics.forServer(Metrics.acquisitionTimeouts, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const acquisitionTimeouts: Metric.Metric.Counter<number> = internal.acquisitionTimeouts

/**
 * `neo4j.client.connection.opened` (a counter): the connections opened to a server.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const opened = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsOpened, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsOpened: Metric.Metric.Counter<number> = internal.connectionsOpened

/**
 * `neo4j.client.connection.closed` (a counter): the connections to a server that the driver
 * closed: past their lifetime, found broken, or closed with the driver.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const closed = Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsClosed, "localhost:7687")), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsClosed: Metric.Metric.Counter<number> = internal.connectionsClosed

/**
 * `neo4j.client.connection.failed` (a counter): the attempts to open a connection to a server
 * that failed (refused, timed out, TLS, handshake, authentication), tagged with `error.type` (the
 * error's tag, or `Interrupted` when the attempt was cut off) and `db.response.status_code` when
 * the server refused it with one.
 *
 * @example
 * ```ts
 * import { Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const refused = Metric.value(
 *   Metrics.forServer(Metrics.connectionsFailed, "localhost:7687").pipe(Metric.tagged("error.type", "ServiceUnavailableError"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category connections
 */
export const connectionsFailed: Metric.Metric.Counter<number> = internal.connectionsFailed

/**
 * `db.client.operation.duration` (a histogram, seconds, tagged `db.system.name` `neo4j`): how long
 * each query took, from RUN to the end of its result (its summary, or the failure that ended it),
 * per server. A streamed result's time includes the consumer's. Failures add `error.type` and
 * `db.response.status_code` (see the module's description).
 *
 * @example
 * ```ts
 * import { Effect, Metric, MetricLabel } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const succeeded = Metric.value(Metrics.forServer(Metrics.operationDuration, "localhost:7687"))
 * const syntaxErrors = Metric.value(
 *   Metrics.forServer(Metrics.operationDuration, "localhost:7687").pipe(
 *     Metric.taggedWithLabels([
 *       MetricLabel.make("error.type", "ClientError"),
 *       MetricLabel.make("db.response.status_code", "Neo.ClientError.Statement.SyntaxError")
 *     ])
 *   )
 * )
 * const meanSeconds = Effect.map(succeeded, (h) => (h.count === 0 ? 0 : h.sum / h.count))
 * ```
 *
 * @since 0.1.0
 * @category queries
 */
export const operationDuration: Metric.Metric.Histogram<number> = internal.operationDuration

/**
 * `neo4j.client.transaction_function.attempts` (a counter): the attempts of transaction functions
 * (`executeRead`, `executeWrite`, the driver's `executeQuery`), first attempts included. Not per
 * server: each attempt may run on another one.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const attempts = Effect.map(Metric.value(Metrics.transactionFunctionAttempts), (s) => s.count)
 * ```
 *
 * @since 0.1.0
 * @category transaction functions
 */
export const transactionFunctionAttempts: Metric.Metric.Counter<number> = internal.transactionFunctionAttempts

/**
 * `neo4j.client.transaction_function.retries` (a counter): the attempts of transaction functions
 * that retry a failure, tagged with that failure's `error.type` and `db.response.status_code`
 * (when the server gave one).
 *
 * @example
 * ```ts
 * import { Metric, MetricLabel } from "effect"
 * import { Metrics } from "effect-neo4j"
 *
 * const deadlocks = Metric.value(
 *   Metrics.transactionFunctionRetries.pipe(
 *     Metric.taggedWithLabels([
 *       MetricLabel.make("error.type", "TransientError"),
 *       MetricLabel.make("db.response.status_code", "Neo.TransientError.Transaction.DeadlockDetected")
 *     ])
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category transaction functions
 */
export const transactionFunctionRetries: Metric.Metric.Counter<number> = internal.transactionFunctionRetries

/**
 * One server's series of a metric: the metric tagged `server.address` and `server.port` from a
 * "host:port" address (as `driver.connectionPoolMetrics()` and `ServerInfo.address` give it), in
 * the order the driver tags them. Further tags (`error.type`, ...) go after it.
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Metrics, Neo4jDriver } from "effect-neo4j"
 *
 * const inUsePerServer = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const pools = yield* driver.connectionPoolMetrics()
 *   return yield* Effect.forEach(pools, (pool) =>
 *     Effect.map(Metric.value(Metrics.forServer(Metrics.connectionsInUse, pool.address)), (s) => [pool.address, s.count] as const)
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const forServer: <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, address: string) => Metric.Metric<Type, In, Out> =
  internal.forServer

/**
 * The bucket boundaries of the duration histograms, in seconds (OpenTelemetry's advice for
 * `db.client.operation.duration`): 1 ms to 10 s.
 *
 * @example
 * ```ts
 * import { Metrics } from "effect-neo4j"
 *
 * const finest = Metrics.SECONDS_BOUNDARIES[0] // 0.001
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const SECONDS_BOUNDARIES: ReadonlyArray<number> = internal.SECONDS_BOUNDARIES
