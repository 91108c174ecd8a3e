/**
 * The driver's metrics, as Effect `Metric`s (which `@effect/opentelemetry`'s Metrics layer
 * exports), named after OpenTelemetry's semantic conventions for database clients where one
 * exists (`db.client.connection.*`, `db.client.operation.duration`), under `neo4j.client.` where
 * none does. Durations are in seconds (the histograms carry a `unit` tag, which the
 * OpenTelemetry bridge reads as the instrument's unit).
 *
 * Cheap on the hot path: the metrics of one server are built once per address (its tags in their
 * keys) and cached, so an update is one counter or histogram update. `Metric.tagged` would build a
 * tagged key and look it up in the registry on every update. Updates are made where the driver
 * already is (a lease and its release, a connection opened or closed, the end of a result), with
 * the metrics' own tags only: the fiber's metric tags (`Effect.tagMetrics`) are not added.
 *
 * The counts are up-down counters updated with differences (not gauges set to the pool's
 * figures), so that several drivers with pools to the same server add up.
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type * as MetricKeyType from "effect/MetricKeyType"
import { parseAddress } from "./transport/address.js"

/** The bucket boundaries of the duration histograms, in seconds (OpenTelemetry's advice for `db.client.operation.duration`). */
export const SECONDS_BOUNDARIES: ReadonlyArray<number> = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]

const NO_TAGS: ReadonlyArray<MetricLabel.MetricLabel> = []
const seconds = MetricBoundaries.fromIterable(SECONDS_BOUNDARIES)

const upDown = (name: string, description: string) => MetricKey.counter(name, { description, incremental: false })
const monotonic = (name: string, description: string) => MetricKey.counter(name, { description, incremental: true })
const duration = (name: string, description: string) =>
  MetricKey.tagged(MetricKey.histogram(name, seconds, description), "unit", "s")

const CONNECTION_COUNT = "The number of connections that are currently in the state described by the state tag"

/**
 * The metric keys, with their constant tags.
 *
 * @since 0.1.0
 */
export const keys = {
  connectionsUsed: MetricKey.tagged(upDown("db.client.connection.count", CONNECTION_COUNT), "db.client.connection.state", "used"),
  connectionsIdle: MetricKey.tagged(upDown("db.client.connection.count", CONNECTION_COUNT), "db.client.connection.state", "idle"),
  connectionsCreating: upDown("neo4j.client.connection.creating", "Connections being opened (socket, TLS, handshake, HELLO and LOGON)"),
  connectionsMax: upDown("db.client.connection.max", "The maximum number of open connections allowed (maxConnectionPoolSize)"),
  pendingRequests: upDown("db.client.connection.pending_requests", "Acquisitions waiting for a connection: for a free slot, or for one being opened or checked"),
  createTime: duration("db.client.connection.create_time", "The time it took to open a connection (socket, TLS, handshake, HELLO and LOGON)"),
  waitTime: duration("db.client.connection.wait_time", "The time it took to obtain a connection from the pool, opening one included"),
  timeouts: monotonic("db.client.connection.timeouts", "Acquisitions that timed out (connectionAcquisitionTimeout)"),
  opened: monotonic("neo4j.client.connection.opened", "Connections opened"),
  closed: monotonic("neo4j.client.connection.closed", "Connections closed (by the pool, or found broken)"),
  failed: monotonic("neo4j.client.connection.failed", "Connection attempts that failed (refused, timed out, TLS, handshake, authentication)"),
  operationDuration: MetricKey.tagged(
    duration("db.client.operation.duration", "Duration of queries: from RUN to the end of the result (its summary, or the failure that ended it)"),
    "db.system.name",
    "neo4j"
  ),
  attempts: monotonic("neo4j.client.transaction_function.attempts", "Attempts of transaction functions (executeRead, executeWrite, executeQuery), the first ones included"),
  retries: monotonic("neo4j.client.transaction_function.retries", "Attempts of transaction functions that retry a failure (tagged with its error.type)")
} as const

type CounterKey = MetricKey.MetricKey.Counter<number>
type HistogramKey = MetricKey.MetricKey.Histogram
type AnyKey = CounterKey | HistogramKey

const tagKey = (key: AnyKey, tags: ReadonlyArray<MetricLabel.MetricLabel>): AnyKey =>
  MetricKey.taggedWithLabels(key as MetricKey.MetricKey<any>, tags) as AnyKey

/** The public metric of a key. */
const metricOf = <Type extends MetricKeyType.MetricKeyType<any, any>>(key: MetricKey.MetricKey<Type>) => Metric.fromMetricKey(key)

/** @since 0.1.0 */
export const connectionsInUse: Metric.Metric.Counter<number> = metricOf(keys.connectionsUsed)
/** @since 0.1.0 */
export const connectionsIdle: Metric.Metric.Counter<number> = metricOf(keys.connectionsIdle)
/** @since 0.1.0 */
export const connectionsCreating: Metric.Metric.Counter<number> = metricOf(keys.connectionsCreating)
/** @since 0.1.0 */
export const connectionsMax: Metric.Metric.Counter<number> = metricOf(keys.connectionsMax)
/** @since 0.1.0 */
export const pendingRequests: Metric.Metric.Counter<number> = metricOf(keys.pendingRequests)
/** @since 0.1.0 */
export const connectionCreateTime: Metric.Metric.Histogram<number> = metricOf(keys.createTime)
/** @since 0.1.0 */
export const acquisitionWaitTime: Metric.Metric.Histogram<number> = metricOf(keys.waitTime)
/** @since 0.1.0 */
export const acquisitionTimeouts: Metric.Metric.Counter<number> = metricOf(keys.timeouts)
/** @since 0.1.0 */
export const connectionsOpened: Metric.Metric.Counter<number> = metricOf(keys.opened)
/** @since 0.1.0 */
export const connectionsClosed: Metric.Metric.Counter<number> = metricOf(keys.closed)
/** @since 0.1.0 */
export const connectionsFailed: Metric.Metric.Counter<number> = metricOf(keys.failed)
/** @since 0.1.0 */
export const operationDuration: Metric.Metric.Histogram<number> = metricOf(keys.operationDuration)
/** @since 0.1.0 */
export const transactionFunctionAttempts: Metric.Metric.Counter<number> = metricOf(keys.attempts)
/** @since 0.1.0 */
export const transactionFunctionRetries: Metric.Metric.Counter<number> = metricOf(keys.retries)

/**
 * The tags of a server ("host:port"): `server.address` and `server.port`, in that order (a
 * metric key's tags are ordered: the driver's per-server keys and `forServer` use this order).
 *
 * @since 0.1.0
 */
export const serverTags = (address: string): ReadonlyArray<MetricLabel.MetricLabel> => {
  const { host, port } = parseAddress(address, 7687)
  return [MetricLabel.make("server.address", host), MetricLabel.make("server.port", String(port))]
}

/**
 * A metric as the driver updates it for one server ("host:port").
 *
 * @since 0.1.0
 */
export const forServer = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, address: string): Metric.Metric<Type, In, Out> =>
  Metric.taggedWithLabels(metric, serverTags(address))

/** The error tags of a failure: its `_tag` as `error.type`, and the server's status code when it gave one. */
const errorTags = (error: unknown): ReadonlyArray<MetricLabel.MetricLabel> => {
  const { type, code } = describeError(error)
  return code === undefined
    ? [MetricLabel.make("error.type", type)]
    : [MetricLabel.make("error.type", type), MetricLabel.make("db.response.status_code", code)]
}

/**
 * The tag (`error.type`), status code and message of a failure, for metrics and spans. Not a
 * tagged error: `_OTHER`, as OpenTelemetry names an error type it cannot tell.
 *
 * @since 0.1.0
 */
export const describeError = (
  error: unknown
): { readonly type: string; readonly code: string | undefined; readonly message: string | undefined } => {
  const o = typeof error === "object" && error !== null ? (error as { _tag?: unknown; code?: unknown; message?: unknown }) : {}
  return {
    type: typeof o._tag === "string" ? o._tag : "_OTHER",
    code: typeof o.code === "string" ? o.code : undefined,
    message: typeof o.message === "string" ? o.message : undefined
  }
}

/** An update function bound to one key's hook: `Metric.fromMetricKey` caches the registry entry of a metric updated without extra tags. */
const updater = (key: AnyKey): ((value: number) => void) => {
  const metric = Metric.fromMetricKey(key as CounterKey)
  return (value) => metric.unsafeUpdate(value, NO_TAGS)
}

/** Update functions keyed by an error's tags, built on first use (the error types are a closed set). */
const byError = (key: AnyKey, tags: ReadonlyArray<MetricLabel.MetricLabel>) => {
  const cache = new Map<string, (value: number) => void>()
  return (error: unknown, value: number): void => {
    const { type, code } = describeError(error)
    const id = code === undefined ? type : `${type}\u0000${code}`
    let update = cache.get(id)
    if (update === undefined) {
      update = updater(tagKey(key, [...tags, ...errorTags(error)]))
      cache.set(id, update)
    }
    update(value)
  }
}

/**
 * The metrics of one server, as update functions.
 *
 * @since 0.1.0
 */
export interface ServerMetrics {
  /** differences in the connections open and not idle (leased, or being cleaned or checked) */
  readonly used: (delta: number) => void
  /** differences in the idle connections */
  readonly idle: (delta: number) => void
  readonly creating: (delta: number) => void
  readonly max: (delta: number) => void
  readonly pending: (delta: number) => void
  readonly createTime: (seconds: number) => void
  readonly waitTime: (seconds: number) => void
  readonly timeout: () => void
  readonly opened: () => void
  readonly closed: () => void
  readonly failed: (error: unknown) => void
  /** a query's duration, and the failure that ended it (undefined: it succeeded) */
  readonly operation: (seconds: number, error: unknown) => void
}

const makeServer = (address: string): ServerMetrics => {
  const tags = serverTags(address)
  const at = (key: AnyKey) => updater(tagKey(key, tags))
  const timeouts = at(keys.timeouts)
  const opened = at(keys.opened)
  const closed = at(keys.closed)
  const failed = byError(keys.failed, tags)
  const succeeded = at(keys.operationDuration)
  const operationFailed = byError(keys.operationDuration, tags)
  return {
    used: at(keys.connectionsUsed),
    idle: at(keys.connectionsIdle),
    creating: at(keys.connectionsCreating),
    max: at(keys.connectionsMax),
    pending: at(keys.pendingRequests),
    createTime: at(keys.createTime),
    waitTime: at(keys.waitTime),
    timeout: () => timeouts(1),
    opened: () => opened(1),
    closed: () => closed(1),
    failed: (error) => failed(error, 1),
    operation: (s, error) => (error === undefined ? succeeded(s) : operationFailed(error, s))
  }
}

const servers = new Map<string, ServerMetrics>()

/**
 * The metrics of a server ("host:port"), built on first use and kept.
 *
 * @since 0.1.0
 */
export const server = (address: string): ServerMetrics => {
  let m = servers.get(address)
  if (m === undefined) {
    m = makeServer(address)
    servers.set(address, m)
  }
  return m
}

const attempt = updater(keys.attempts)
const retried = byError(keys.retries, NO_TAGS)

/**
 * Counts a transaction function's attempt; `retrying` is the failure it retries (none for the
 * first attempt).
 *
 * @since 0.1.0
 */
export const transactionAttempt = (retrying: { readonly failure: unknown } | undefined): void => {
  attempt(1)
  if (retrying !== undefined) retried(retrying.failure, 1)
}

/** Seconds since `startedAt` (a `performance.now()`). */
export const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1000
