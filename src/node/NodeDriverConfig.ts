/**
 * Conveniences for Node.js that need `@effect/platform-node` (an optional peer dependency):
 * install it to use them. Everything here can also be had from `DriverConfig` by providing
 * `NodeContext.layer` (or any `FileSystem`) yourself.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Layer from "effect/Layer"
import * as DriverConfig from "../DriverConfig.js"
import type { InvalidConfigError } from "../Neo4jError.js"

/**
 * `DriverConfig.layerAuraFile` with Node's file system provided: the Aura connection file becomes
 * the `ConfigProvider` of what it is provided to (keys it lacks fall back to the environment).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 * import { NodeDriverConfig } from "effect-neo4j/node"
 *
 * const AuraLive = Neo4jDriver.Neo4jDriverLive.pipe(
 *   Layer.provide(NodeDriverConfig.layerAuraFile("Neo4j-a0a2fa1d-Created-2023-11-06.txt"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category aura
 */
export const layerAuraFile = (path: string): Layer.Layer<never, InvalidConfigError> =>
  DriverConfig.layerAuraFile(path).pipe(Layer.provide(NodeFileSystem.layer))
