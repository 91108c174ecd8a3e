/**
 * `effect-neo4j/node`: conveniences that need `@effect/platform-node` (an optional peer
 * dependency). The main entry point needs only `@effect/platform`.
 *
 * @since 0.1.0
 */

/**
 * Aura connection files read with Node's file system.
 *
 * @since 0.1.0
 */
export * as NodeDriverConfig from "./NodeDriverConfig.js"
