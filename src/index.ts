/**
 * effect-neo4j: an Effect-native Neo4j driver speaking Bolt from the wire up.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriverLive, Neo4jDriverTag } from "effect-neo4j"
 *
 * // the driver from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriverTag
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN p.name AS name LIMIT 10")
 *   return records.map((r) => r.get("name"))
 * }).pipe(Effect.provide(Neo4jDriverLive))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The driver service, its Layers and `driver(uri, auth)`.
 *
 * @since 0.1.0
 */
export * as Neo4jDriver from "./Neo4jDriver.js"
export {
  /**
   * The driver service tag (`Neo4jDriver.Neo4jDriver`), under a name that does not clash with the
   * `Neo4jDriver` module.
   *
   * @since 0.1.0
   * @category tags
   */
  Neo4jDriver as Neo4jDriverTag,
  /**
   * The driver Layer configured from the environment (`NEO4J_URI`, `NEO4J_USERNAME`,
   * `NEO4J_PASSWORD`, `NEO4J_DATABASE`, ...): `Neo4jDriver.Neo4jDriverLive`.
   *
   * @since 0.1.0
   * @category layers
   */
  Neo4jDriverLive
} from "./Neo4jDriver.js"
/**
 * Queries built with the `cypher` tagged template: interpolated values become parameters,
 * pieces compose, names go in through `Cypher.identifier`.
 *
 * @since 0.1.0
 */
export * as Cypher from "./Cypher.js"
export {
  /**
   * The `cypher` tagged template (`Cypher.cypher`), at the package root for short queries:
   * ``cypher`MATCH (p:Person {name: ${name}}) RETURN p` `` sends `name` as the parameter `$p0`.
   *
   * @since 0.1.0
   * @category constructors
   */
  cypher
} from "./Cypher.js"
/**
 * Queries typed by Schemas (`findAll`, `findOne`, `single`, `void`, `stream`): the request
 * encoded into parameters, each record decoded into a row.
 *
 * @since 0.1.0
 */
export * as QuerySchema from "./QuerySchema.js"
/**
 * Schemas for Neo4j's values, for `QuerySchema`: `Integer` (a safe integer as a number) and
 * `BigInteger` (any Integer as a bigint).
 *
 * @since 0.1.0
 */
export * as Neo4jSchema from "./Neo4jSchema.js"
/**
 * Configuration, defaults and Aura connection files.
 *
 * @since 0.1.0
 */
export * as DriverConfig from "./DriverConfig.js"
/**
 * Authentication tokens.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"
/**
 * Auth token managers: rotating passwords, expiring SSO tokens, or your own source of tokens.
 *
 * @since 0.1.0
 */
export * as AuthTokenManager from "./AuthTokenManager.js"
/**
 * Client certificates for mutual TLS: files or PEM text, and rotating providers.
 *
 * @since 0.1.0
 */
export * as ClientCertificate from "./ClientCertificate.js"
/**
 * Sessions.
 *
 * @since 0.1.0
 */
export * as Session from "./Session.js"
/**
 * Transactions.
 *
 * @since 0.1.0
 */
export * as Transaction from "./Transaction.js"
/**
 * Results and summaries.
 *
 * @since 0.1.0
 */
export * as Result from "./Result.js"
/**
 * Records.
 *
 * @since 0.1.0
 */
export * as Record from "./Record.js"
/**
 * Bookmarks and bookmark managers.
 *
 * @since 0.1.0
 */
export * as Bookmarks from "./Bookmarks.js"
/**
 * The error classes.
 *
 * @since 0.1.0
 */
export * as Neo4jError from "./Neo4jError.js"
/**
 * Transaction-function retry schedules.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
/**
 * The driver's metrics (Effect `Metric`s, named after OpenTelemetry's database client
 * conventions): connections per server, pool waits and timeouts, query durations, and
 * transaction-function attempts and retries.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.js"
/**
 * Connection URIs.
 *
 * @since 0.1.0
 */
export * as Uri from "./Uri.js"
/**
 * Node, Relationship, Path.
 *
 * @since 0.1.0
 */
export * as Graph from "./Graph.js"
/**
 * Temporal values.
 *
 * @since 0.1.0
 */
export * as Temporal from "./Temporal.js"
/**
 * Points.
 *
 * @since 0.1.0
 */
export * as Spatial from "./Spatial.js"
/**
 * Vectors (Bolt 6.0).
 *
 * @since 0.1.0
 */
export * as Vector from "./Vector.js"
/**
 * Explicit Integer / Float parameter wrappers.
 *
 * @since 0.1.0
 */
export * as Values from "./Values.js"
