/**
 * `effect-neo4j/testing`: a scripted Bolt stub server on real sockets (TCP and TLS), its script
 * builder and text format, a Layer of a stub and a driver pointed at it, and self-signed
 * certificates for TLS tests.
 *
 * @since 0.1.0
 */

/**
 * The scripted Bolt stub server: a scoped Effect and a Layer.
 *
 * @since 0.1.0
 */
export * as StubServer from "./StubServer.js"

/**
 * Scripts for the stub server: builder, text format, matchers, server messages.
 *
 * @since 0.1.0
 */
export * as StubScript from "./StubScript.js"

/**
 * A stub server and a `Neo4jDriver` pointed at it, as one Layer: what a test of an app needs.
 *
 * @since 0.1.0
 */
export * as StubDriver from "./StubDriver.js"

/**
 * Self-signed certificates for TLS tests.
 *
 * @since 0.1.0
 */
export * as Certificate from "./Certificate.js"
