/**
 * The driver as an Effect service. Building its Layer opens no socket: the first query does.
 * Closing the Layer's scope sends GOODBYE on and closes every connection, after success,
 * failure or interruption; a closed driver refuses new work with `ServiceUnavailableError`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN p.name AS name")
 *   return records.map((r) => r.get("name"))
 * })
 * const DriverLive = Neo4jDriver.layer({ uri: "neo4j://localhost", auth: Auth.basic("neo4j", Redacted.make("password")) })
 * const runnable = program.pipe(Effect.provide(DriverLive))
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { AuthToken } from "./Auth.js"
import type { AuthTokenManager } from "./AuthTokenManager.js"
import type { Query } from "./Cypher.js"
import * as DriverConfig from "./DriverConfig.js"
import type { InvalidConfigError, Neo4jError } from "./Neo4jError.js"
import type { Neo4jRecord } from "./Record.js"
import type { EagerResult } from "./Result.js"
import type { RetrySchedule, Session, SessionConfig } from "./Session.js"
import * as BoltTrace from "./internal/connection/boltTrace.js"
import * as Core from "./internal/driver.js"
import type * as Router from "./internal/routing/router.js"

/**
 * Options of `executeQuery` and `stream`: database, routing (READ/WRITE), impersonated user,
 * bookmark manager, timeout, metadata, retry schedule, notification filter.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryConfig = Core.QueryConfig

/**
 * Address, agent and Bolt version of a server.
 *
 * @since 0.1.0
 * @category models
 */
export type ServerInfo = Core.ServerInfo

/**
 * In use and idle connections of one server's pool (the Java driver's
 * `ConnectionPoolMetrics`).
 *
 * @since 0.1.0
 * @category models
 */
export type PoolMetrics = Router.PoolMetrics

/**
 * A routing table as the driver holds it (`neo4j://`): the database, the time to live the server
 * gave (seconds), when it is fetched again (epoch milliseconds), and its members by role.
 *
 * @since 0.1.0
 * @category models
 */
export type RoutingTableInfo = Router.RoutingTableInfo

/**
 * The driver service.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const server = yield* driver.verifyConnectivity() // { address, agent: "Neo4j/5.26.0", protocolVersion }
 *   // eager, routed to a reader, retried on transient failures
 *   const { records } = yield* driver.executeQuery(
 *     "MATCH (p:Person) WHERE p.age > $age RETURN p.name AS name", { age: 30 }, { routing: "READ" })
 *   // streaming with backpressure
 *   const first = yield* driver.stream("MATCH (n) RETURN n").pipe(Stream.take(10), Stream.runCollect)
 *   const pools = yield* driver.connectionPoolMetrics()
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Neo4jDriver {
  /** Connects (if needed) and checks the server answers; returns what it says about itself. */
  readonly verifyConnectivity: (options?: { readonly database?: string }) => Effect.Effect<ServerInfo, Neo4jError>
  /** Address, agent and protocol version of the server. */
  readonly getServerInfo: (options?: { readonly database?: string }) => Effect.Effect<ServerInfo, Neo4jError>
  /** Whether the server has several databases (Bolt 4+). */
  readonly supportsMultiDb: () => Effect.Effect<boolean, Neo4jError>
  /** Whether the server can switch auth per session (Bolt 5.1+). */
  readonly supportsSessionAuth: () => Effect.Effect<boolean, Neo4jError>
  /**
   * Whether the server accepts `auth` (the driver's own current token when absent): `true`, or
   * `false` when it refuses the credentials (`Unauthorized`, `TokenExpired`, `CredentialsExpired`,
   * `Forbidden`); any other failure fails. Logs in on a connection for the system database (a
   * pooled one logs in again). Bolt 5.1+: an `UnsupportedFeatureError` on older servers.
   *
   * ```ts
   * const ok = yield* driver.verifyAuthentication(Auth.basic("ada", password))
   * ```
   */
  readonly verifyAuthentication: (auth?: AuthToken) => Effect.Effect<boolean, Neo4jError>
  /**
   * A query in a retried transaction function; all records read eagerly. The query is a string
   * or a `Cypher.Query` (whose parameters are merged with `parameters`: a name in both is an
   * `InvalidParameterError`, before anything is sent).
   *
   * ```ts
   * const { records } = yield* driver.executeQuery(cypher`MATCH (p:Person {name: ${name}}) RETURN p`)
   * ```
   */
  readonly executeQuery: (
    query: string | Query,
    parameters?: Readonly<Record<string, unknown>>,
    config?: QueryConfig
  ) => Effect.Effect<EagerResult, Neo4jError>
  /**
   * An auto-commit query as a record stream; PULL n goes out only as the consumer demands. The
   * query is a string or a `Cypher.Query`, as for `executeQuery`.
   */
  readonly stream: (
    query: string | Query,
    parameters?: Readonly<Record<string, unknown>>,
    config?: QueryConfig
  ) => Stream.Stream<Neo4jRecord, Neo4jError>
  /** A session for the current scope. */
  readonly session: (config?: SessionConfig) => Effect.Effect<Session, never, Scope.Scope>
  /**
   * In use and idle connections per server address, one entry per pool the driver holds.
   *
   * ```ts
   * const busy = Effect.map(driver.connectionPoolMetrics(), (pools) => pools.reduce((n, p) => n + p.inUse, 0))
   * ```
   */
  readonly connectionPoolMetrics: () => Effect.Effect<ReadonlyArray<PoolMetrics>>
  /**
   * The routing table the driver holds for a database (none given: the home database), as last
   * fetched and with the members it has forgotten since left out; `None` before the first fetch,
   * and always for `bolt://`. For inspecting where work goes.
   *
   * ```ts
   * const writers = Effect.map(driver.routingTable("neo4j"), Option.map((t) => t.writers))
   * ```
   */
  readonly routingTable: (database?: string) => Effect.Effect<Option.Option<RoutingTableInfo>>
  /**
   * Fetches the routing table of a database (none given: the home database) now, whatever its
   * time to live, sending `bookmarks` with ROUTE (`neo4j://`; nothing for `bolt://`).
   *
   * ```ts
   * yield* driver.updateRoutingTable({ database: "neo4j" })
   * ```
   */
  readonly updateRoutingTable: (options?: {
    readonly database?: string | undefined
    readonly bookmarks?: ReadonlyArray<string> | undefined
  }) => Effect.Effect<void, Neo4jError>
  /** The configuration in effect (secrets stay Redacted). */
  readonly config: DriverConfig.ResolvedConfig
  /**
   * Whether connections use TLS: true for the `+s` and `+ssc` schemes (the official drivers'
   * `driver.isEncrypted()`). Fixed by the URI, so a plain function; it works after close too.
   *
   * ```ts
   * const secure = driver.isEncrypted() // neo4j+s://...: true, bolt://...: false
   * ```
   */
  readonly isEncrypted: () => boolean
}

/**
 * The Neo4jDriver service tag.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const countPeople = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN count(p) AS n", {}, { routing: "READ" })
 *   return records[0]?.get("n") as number
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Neo4jDriver = Context.GenericTag<Neo4jDriver>("effect-neo4j/Neo4jDriver")

/**
 * Options beyond `DriverConfig` that are Effect values.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const DriverLive = Neo4jDriver.layer({ uri: "neo4j://cluster.internal", auth: Auth.none() }, {
 *   retry: Schedule.exponential("200 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
 *   resolver: (address) => Effect.succeed(["core1.internal:7687", "core2.internal:7687", "core3.internal:7687"])
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /**
   * Replaces the default transaction-function retry schedule for every call (a call's own
   * `retry` replaces it in turn). The default: back-off 1 s, ×2, ±20 % until
   * `maxTransactionRetryTime` (30 s) is spent. A schedule given here replaces the 30 s cap too
   * (add one with `RetryPolicy.strictCap`). It is fed each attempt's retriable failure only.
   *
   * ```ts
   * Neo4jDriver.layer(config, { retry: Schedule.recurWhile((e: Neo4jError) => e.retriable).pipe(Schedule.intersect(Schedule.recurs(3))) })
   * ```
   */
  readonly retry?: RetrySchedule | undefined
  /** `neo4j://` only: resolves the URI's address to the addresses of the routers to try */
  readonly resolver?: ((address: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
  /**
   * `neo4j://` only: resolves the host name of each initial router (after `resolver`) to IP
   * addresses, instead of the system's DNS; every address is tried in turn.
   *
   * ```ts
   * Neo4jDriver.layer(config, { domainNameResolver: (host) => Effect.succeed(host === "db.internal" ? ["10.0.0.5", "10.0.0.6"] : [host]) })
   * ```
   */
  readonly domainNameResolver?: ((host: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
}

/**
 * Makes a driver in the current scope. Opens no connection.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.make({ uri: "neo4j://localhost", auth: Auth.basic("neo4j", Redacted.make("password")) })
 *   return yield* driver.verifyConnectivity()
 * }).pipe(Effect.scoped) // closing the scope closes the driver
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: DriverConfig.DriverConfig,
  options: MakeOptions = {}
): Effect.Effect<Neo4jDriver, InvalidConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const resolved = yield* DriverConfig.resolveEffect(config)
    const core = yield* Core.make(resolved, options)
    return {
      verifyConnectivity: (o) => core.serverInfo(o?.database),
      getServerInfo: (o) => core.serverInfo(o?.database),
      supportsMultiDb: () => core.supports("multiDb"),
      supportsSessionAuth: () => core.supports("sessionAuth"),
      verifyAuthentication: core.verifyAuthentication,
      executeQuery: core.executeQuery,
      stream: core.stream,
      session: core.session,
      connectionPoolMetrics: () => Effect.sync(core.router.metrics),
      routingTable: (database) => Effect.sync(() => Option.fromNullable(core.router.routingTable(database))),
      updateRoutingTable: (o) => core.router.refresh(o?.database, o?.bookmarks ?? []),
      config: resolved,
      isEncrypted: () => resolved.parsedUri.encryption !== "none"
    }
  })

/**
 * The official drivers' `driver(uri, auth)`, scoped.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.driver("neo4j://localhost", Auth.basic("neo4j", Redacted.make("password")), {
 *     maxConnectionPoolSize: 50
 *   })
 *   return yield* driver.executeQuery("RETURN 1 AS n")
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const driver = (
  uri: string,
  auth: AuthToken | AuthTokenManager,
  config: Omit<DriverConfig.DriverConfig, "uri" | "auth"> = {},
  options?: MakeOptions
): Effect.Effect<Neo4jDriver, InvalidConfigError, Scope.Scope> => make({ ...config, uri, auth }, options)

/**
 * A Layer from a config.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const DriverLive = Neo4jDriver.layer({
 *   uri: "neo4j://localhost",
 *   auth: Auth.basic("neo4j", Redacted.make("password")),
 *   database: "neo4j"
 * })
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.executeQuery("MATCH (n) RETURN count(n) AS n")
 * }).pipe(Effect.provide(DriverLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: DriverConfig.DriverConfig, options?: MakeOptions): Layer.Layer<Neo4jDriver, InvalidConfigError> =>
  Layer.scoped(Neo4jDriver, make(config, options))

/**
 * A Layer from a `Config` (read from the ConfigProvider when the Layer is built).
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * // the app's own keys instead of NEO4J_URI and friends
 * const DriverLive = Neo4jDriver.layerConfig(
 *   Config.map(Config.all({ uri: Config.string("GRAPH_URL"), password: Config.redacted("GRAPH_PASSWORD") }), (c) => ({
 *     uri: c.uri,
 *     auth: Auth.basic("app", c.password)
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<DriverConfig.DriverConfig>,
  options?: MakeOptions
): Layer.Layer<Neo4jDriver, InvalidConfigError | ConfigError.ConfigError> =>
  Layer.scoped(Neo4jDriver, Effect.flatMap(config, (c) => make(c, options)))

/**
 * The driver configured from `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD` and optional
 * `NEO4J_DATABASE` (and tuning keys; see `DriverConfig.config`) in the ConfigProvider.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * // NEO4J_URI=neo4j+s://a0a2fa1d.databases.neo4j.io NEO4J_USERNAME=neo4j NEO4J_PASSWORD=... node app.js
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.verifyConnectivity()
 * }).pipe(Effect.provide(Neo4jDriver.Neo4jDriverLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const Neo4jDriverLive: Layer.Layer<Neo4jDriver, InvalidConfigError | ConfigError.ConfigError> = layerConfig(
  DriverConfig.config
)

/**
 * Whether the Debug-level Bolt trace shows the values of query parameters. `false` by default:
 * the trace prints `RUN "..." {"name": <redacted>}`, keys kept and values hidden, since
 * parameters are often the application's private data. Like the log level, it is read in the
 * fiber that opens a connection; set it with `withBoltTraceParameters` or
 * `layerBoltTraceParameters`. Credentials and `Redacted` values stay hidden either way.
 *
 * @example
 * ```ts
 * import { Effect, FiberRef } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const traced = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.locally(self, Neo4jDriver.BoltTraceParameters, true)
 * const shown = FiberRef.get(Neo4jDriver.BoltTraceParameters) // Effect<boolean>: false unless set
 * ```
 *
 * @since 0.1.0
 * @category tracing
 */
export const BoltTraceParameters: FiberRef.FiberRef<boolean> = BoltTrace.showParameters

/**
 * Runs an effect with query parameter values shown in the Debug-level Bolt trace (see
 * `BoltTraceParameters`).
 *
 * @example
 * ```ts
 * import { Effect, Logger, LogLevel } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   yield* driver.executeQuery("MATCH (u:User {email: $email}) RETURN u", { email: "ada@example.com" })
 * })
 * // the Debug trace shows RUN "MATCH (u:User {email: $email}) RETURN u" {"email": "ada@example.com"} {}
 * const debugged = program.pipe(Neo4jDriver.withBoltTraceParameters, Logger.withMinimumLogLevel(LogLevel.Debug))
 * ```
 *
 * @since 0.1.0
 * @category tracing
 */
export const withBoltTraceParameters = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(self, BoltTrace.showParameters, true)

/**
 * A Layer showing query parameter values in the Debug-level Bolt trace (see
 * `BoltTraceParameters`), to provide beside `Logger.minimumLogLevel(LogLevel.Debug)`.
 *
 * @example
 * ```ts
 * import { Layer, Logger, LogLevel } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * // provide it beside the driver Layer while debugging what goes on the wire
 * const BoltDebugLive = Layer.mergeAll(Logger.minimumLogLevel(LogLevel.Debug), Neo4jDriver.layerBoltTraceParameters)
 * ```
 *
 * @since 0.1.0
 * @category tracing
 */
export const layerBoltTraceParameters: Layer.Layer<never> = Layer.locallyScoped(BoltTrace.showParameters, true)
