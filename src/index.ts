/**
 * effect-neo4j: an Effect-native Neo4j driver speaking Bolt from the wire up.
 *
 * @since 0.1.0
 */

/** The driver service, its Layers and `driver(uri, auth)`. @since 0.1.0 */
export * as Neo4jDriver from "./Neo4jDriver.js"
/** The driver service tag and its Layer from the environment (NEO4J_URI, ...). @since 0.1.0 */
export { Neo4jDriver as Neo4jDriverTag, Neo4jDriverLive } from "./Neo4jDriver.js"
/** Configuration, defaults and Aura connection files. @since 0.1.0 */
export * as DriverConfig from "./DriverConfig.js"
/** Authentication tokens. @since 0.1.0 */
export * as Auth from "./Auth.js"
/** Sessions. @since 0.1.0 */
export * as Session from "./Session.js"
/** Transactions. @since 0.1.0 */
export * as Transaction from "./Transaction.js"
/** Results and summaries. @since 0.1.0 */
export * as Result from "./Result.js"
/** Records. @since 0.1.0 */
export * as Record from "./Record.js"
/** Bookmarks and bookmark managers. @since 0.1.0 */
export * as Bookmarks from "./Bookmarks.js"
/** The error classes. @since 0.1.0 */
export * as Neo4jError from "./Neo4jError.js"
/** Transaction-function retry schedules. @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"
/** Connection URIs. @since 0.1.0 */
export * as Uri from "./Uri.js"
/** Node, Relationship, Path. @since 0.1.0 */
export * as Graph from "./Graph.js"
/** Temporal values. @since 0.1.0 */
export * as Temporal from "./Temporal.js"
/** Points. @since 0.1.0 */
export * as Spatial from "./Spatial.js"
/** Vectors (Bolt 6.0). @since 0.1.0 */
export * as Vector from "./Vector.js"
/** Explicit Integer / Float parameter wrappers. @since 0.1.0 */
export * as Values from "./Values.js"
