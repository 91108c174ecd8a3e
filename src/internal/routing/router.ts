/**
 * The seam between sessions and servers: a `Router` leases a connection for an access mode and
 * database. `bolt://` gets the direct router (always the one address); `neo4j://` gets the
 * routing-table router. Sessions never test the scheme.
 */
import * as Scope from "effect/Scope"
import type * as Effect from "effect/Effect"
import type { Neo4jError } from "../../Neo4jError.js"
import type { Connection } from "../connection/connection.js"
import type { AuthSource } from "../pool/pool.js"

/**
 * READ goes to readers, WRITE to writers.
 *
 * @since 0.1.0
 */
export type AccessMode = "READ" | "WRITE"

/**
 * What a lease is for.
 *
 * @since 0.1.0
 */
export interface LeaseRequest {
  readonly accessMode: AccessMode
  /** undefined: the user's home database */
  readonly database: string | undefined
  readonly impersonatedUser: string | undefined
  /**
   * The bookmarks a ROUTE carries: asked for only when a routing table is fetched (a bookmark
   * manager is consulted for it, then again for the transaction, as in the reference drivers).
   */
  readonly bookmarks: Effect.Effect<ReadonlyArray<string>>
  /**
   * Resolve the home database again even while the user's last resolution holds (a named
   * database's table is still reused while fresh): verifyConnectivity and getServerInfo, which
   * the reference drivers answer with a ROUTE for the home database every time.
   */
  readonly freshHome?: boolean | undefined
  /** who the connection logs in as: a session's or query's own token; the driver's auth when absent */
  readonly auth?: AuthSource | undefined
}

/**
 * A leased connection and the database it serves (the home database's resolved name when the
 * request named none and the router learnt it; otherwise the requested one).
 *
 * @since 0.1.0
 */
export interface Lease {
  readonly connection: Connection
  /** the `db` to send; undefined lets the server use the home database */
  readonly database: string | undefined
  /** called with the `db` of BEGIN's or RUN's SUCCESS (corrects the home-database cache) */
  readonly onDatabase?: (database: string) => void
}

/**
 * Leases connections.
 *
 * @since 0.1.0
 */
export interface Router {
  /**
   * A connection for the request, released when the scope closes. The scope's exit tells the
   * router how the work ended (a lost server or a former leader is forgotten).
   */
  readonly acquire: (request: LeaseRequest) => Effect.Effect<Lease, Neo4jError, Scope.Scope>
  /**
   * The same, released when `scope` closes, without putting the scope in the context (each
   * `Scope.extend` costs a context copy and a FiberRef swap on the per-query path). Optional: see
   * `acquireIn` below.
   */
  readonly acquireIn?: ((request: LeaseRequest, scope: Scope.Scope) => Effect.Effect<Lease, Neo4jError>) | undefined
  /** Closes every pool. */
  readonly close: Effect.Effect<void>
  /** In use and idle connections of each server's pool. */
  readonly metrics: () => ReadonlyArray<PoolMetrics>
  /** The routing table held for a database (undefined: the home database); none for `bolt://`. */
  readonly routingTable: (database: string | undefined) => RoutingTableInfo | undefined
  /** Fetches the routing table of a database now (undefined: the home database); nothing for `bolt://`. */
  readonly refresh: (database: string | undefined, bookmarks: ReadonlyArray<string>) => Effect.Effect<void, Neo4jError>
}

/**
 * A routing table as the driver holds it.
 *
 * @since 0.1.0
 */
export interface RoutingTableInfo {
  /** the database (the resolved name for the home database, when the server said it) */
  readonly database: string | undefined
  /** the time to live the server gave, in seconds */
  readonly ttl: number
  /** epoch milliseconds after which the table is fetched again */
  readonly expiresAt: number
  readonly routers: ReadonlyArray<string>
  readonly readers: ReadonlyArray<string>
  readonly writers: ReadonlyArray<string>
}

/**
 * The connections of one server's pool.
 *
 * @since 0.1.0
 */
export interface PoolMetrics {
  /** host:port */
  readonly address: string
  /** connections leased to sessions right now */
  readonly inUse: number
  /** open connections waiting in the pool */
  readonly idle: number
}

/**
 * Leases a connection released when `scope` closes: the router's `acquireIn` when it has one,
 * its `acquire` in `scope` otherwise.
 *
 * @since 0.1.0
 */
export const acquireIn = (router: Router, request: LeaseRequest, scope: Scope.Scope): Effect.Effect<Lease, Neo4jError> =>
  router.acquireIn !== undefined ? router.acquireIn(request, scope) : Scope.extend(router.acquire(request), scope)
