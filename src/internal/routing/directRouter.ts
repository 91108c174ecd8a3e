/**
 * The router for `bolt://`: one server, one pool, whatever the access mode or database.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Pool } from "../pool/pool.js"
import type { Router } from "./router.js"

/**
 * A router that always leases from the one pool.
 *
 * @since 0.1.0
 */
export const make = (pool: Pool): Router => ({
  acquire: (request) => Effect.map(pool.acquire(request.auth), (connection) => ({ connection, database: request.database })),
  acquireIn: (request, scope) =>
    Effect.map(pool.acquireIn(scope, request.auth), (connection) => ({ connection, database: request.database })),
  close: pool.close,
  metrics: () => [{ address: pool.address, inUse: pool.inUse(), idle: pool.idle() }],
  routingTable: () => undefined,
  refresh: () => Effect.void
})

/** For symmetry with routing routers that need a scope to build. */
export const makeScoped = (pool: Pool): Effect.Effect<Router, never, Scope.Scope> => Effect.succeed(make(pool))
