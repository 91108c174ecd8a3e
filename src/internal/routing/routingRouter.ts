/**
 * The router for `neo4j://`: routing tables per database fetched with ROUTE, refreshed when
 * stale (TTL passed, or no member for the role needed), one refresh at a time per table (work
 * for other databases does not wait); the home database resolved per request as the reference
 * drivers do (one ROUTE shared by the requests of a user that arrive while it is in flight), or
 * read from the 5.8 home-database cache with server-side routing; one pool per address; the least busy member wins (round robin on ties); failed
 * members are forgotten and the work goes elsewhere; discovery failures name every router tried
 * (and a failing resolver) and what it answered, or, when every router failed the same way for
 * a reason about the router rather than its availability (HTTP on the Bolt port, a TLS failure),
 * are that error naming the routers. Time is Effect's `Clock`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as Cause from "effect/Cause"
import {
  ClientError,
  ServiceUnavailableError,
  SessionExpiredError,
  TransientError
} from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import { formatAddress, parseAddress } from "../transport/address.js"
import type { Connection } from "../connection/connection.js"
import type { Pool } from "../pool/pool.js"
import { fetchRoutingTable } from "./fetchRoutingTable.js"
import * as Home from "./homeResolution.js"
import type { HomeResolution } from "./homeResolution.js"
import * as KeyedLock from "./keyedLock.js"
import type { Lease, LeaseRequest, Router } from "./router.js"
import * as Table from "./routingTable.js"
import type { RoutingTable } from "./routingTable.js"

/**
 * What the routing router needs.
 *
 * @since 0.1.0
 */
export interface RoutingOptions {
  /** the address of the URI, "host:port" */
  readonly seed: string
  /** the routing context sent in ROUTE (`address` plus the URI query) */
  readonly routingContext: Readonly<Record<string, string>>
  /** makes a pool for an address in the given scope */
  readonly makePool: (address: string) => Effect.Effect<Pool, never, Scope.Scope>
  /** resolves the seed to the addresses to try (the seed itself by default) */
  readonly resolver?: ((address: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
  /** resolves the host name of each of those to IP addresses (the system's DNS by default) */
  readonly domainNameResolver?: ((host: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
  /** how long an expired table of an unused database is kept (official default 30 s) */
  readonly purgeDelayMillis?: number | undefined
}

/** Server failures that a retry on another router cannot fix. */
const FATAL_CODES = new Set([
  "Neo.ClientError.Database.DatabaseNotFound",
  "Neo.ClientError.Transaction.InvalidBookmark",
  "Neo.ClientError.Transaction.InvalidBookmarkMixture",
  "Neo.ClientError.Statement.TypeError",
  "Neo.ClientError.Statement.ArgumentError",
  "Neo.ClientError.Request.Invalid"
])

const isFatalDiscoveryError = (e: Neo4jError): boolean =>
  e._tag === "AuthenticationError" ||
  e._tag === "TokenExpiredError" ||
  e._tag === "InvalidConfigError" ||
  e._tag === "InvalidParameterError" ||
  // the driver's notification filter on a server below Bolt 5.2 (refused at HELLO), as the
  // reference drivers' configuration errors end the discovery
  e._tag === "UnsupportedFeatureError" ||
  (e._tag === "ClientError" && (FATAL_CODES.has(e.code ?? "") || (e.code ?? "").startsWith("Neo.ClientError.Security.")))

const PROCEDURE_NOT_FOUND = "Neo.ClientError.Procedure.ProcedureNotFound"

/** A TLS failure while connecting (certificate refused, ...): the only permanent `Connect` failure (transport/socket.ts). */
const isTlsFailure = (e: Neo4jError): boolean =>
  e._tag === "ServiceUnavailableError" && e.reason === "Connect" && e.permanent === true

/** `text` with the router's own address left out, so that two routers' messages compare. */
const withoutAddress = (text: string, address: string): string => text.split(address).join("<router>")

/**
 * How a router failed, when the failure is about what the router is rather than whether it can
 * be reached (waiting or another attempt would not change it), as a key that is equal for two
 * routers that failed the same way: a `ProtocolError` (HTTP on the Bolt port, no common Bolt
 * version, garbled bytes, ...) with the same message apart from the router's address; a TLS
 * failure with the same TLS error code; a non-retriable `ClientError` or a `DatabaseError` with
 * the same status code. `undefined` for the rest: availability failures (refused, timed out,
 * closed, retriable server errors), and "not a cluster" (`ProcedureNotFound`), whose advice
 * (use bolt://) only `NoRouters` gives. Security errors never get here: they fail the
 * discovery at once (`isFatalDiscoveryError`).
 */
const rootFailureKind = (address: string, e: Neo4jError): string | undefined => {
  switch (e._tag) {
    case "ProtocolError":
      return `ProtocolError ${withoutAddress(e.message, address)}`
    case "ServiceUnavailableError": {
      if (!isTlsFailure(e)) return undefined
      const code = (e.cause as { code?: unknown } | undefined)?.code
      return `TLS ${typeof code === "string" ? code : withoutAddress(e.message, address)}`
    }
    case "ClientError":
      if (e.retriable || e.code === PROCEDURE_NOT_FOUND) return undefined
      return `ClientError ${e.code ?? withoutAddress(e.message, address)}`
    case "DatabaseError":
      return `DatabaseError ${e.code ?? withoutAddress(e.message, address)}`
    default:
      return undefined
  }
}

/** A copy of `error`, same class, tag and fields, with another message. */
const withMessage = <E extends Neo4jError>(error: E, message: string): E => {
  // the fields are the enumerable own properties; `message` and `cause` are Error's own, hidden ones
  const cause = (error as { readonly cause?: unknown }).cause
  const Class = error.constructor as new (args: object) => E
  const copy = new Class({ ...error, message, ...(cause !== undefined ? { cause } : {}) })
  // keep the stack of where the error arose, not of this copy
  if (error.stack !== undefined && error.message !== "") copy.stack = error.stack.replace(error.message, message)
  return copy
}

/**
 * The failure of a discovery in which every router failed the same way, for a reason about the
 * router rather than its availability (`rootFailureKind`): that error (the first router's), same
 * class, tag and fields, its message naming every router tried. `undefined` otherwise.
 */
const commonRootFailure = (
  failed: ReadonlyArray<{ readonly address: string; readonly error: Neo4jError }>
): Neo4jError | undefined => {
  const first = failed[0]
  if (first === undefined) return undefined
  const kind = rootFailureKind(first.address, first.error)
  if (kind === undefined || failed.some((f) => rootFailureKind(f.address, f.error) !== kind)) return undefined
  const routers = failed.map((f) => f.address).join(", ")
  return withMessage(first.error, `${first.error.message} (every router failed this way: ${routers})`)
}

const describeRouterFailure = (e: Neo4jError): string => {
  if (e._tag === "ClientError" && e.code === PROCEDURE_NOT_FOUND) {
    return "not a cluster: routing procedure unavailable (use bolt:// for a single server)"
  }
  if (e._tag === "ServiceUnavailableError") {
    const cause = e.cause as { code?: unknown } | undefined
    if (cause?.code === "ECONNREFUSED") return "connection refused"
    if (e.reason === "Timeout") return `timed out (${e.message})`
    return e.message
  }
  const code = "code" in e && e.code ? e.code : undefined
  // a server failure's message starts with its code already
  if (code !== undefined && e.message.startsWith(`${code}: `)) return `${e._tag} ${e.message}`
  return `${e._tag}${code !== undefined ? ` ${code}` : ""}: ${e.message}`
}

/** What a user's resolver failed with: its own error type is unknown to us. */
const describeResolverFailure = (e: unknown): string => {
  if (typeof e === "object" && e !== null && "_tag" in e && "message" in e) return describeRouterFailure(e as Neo4jError)
  if (e instanceof Error) return `${e.name}: ${e.message}`
  return String(e)
}

const failuresOf = (cause: Cause.Cause<unknown>): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  const visit = (c: Cause.Cause<unknown>): void => {
    switch (c._tag) {
      case "Fail":
        out.push(c.error)
        return
      case "Sequential":
      case "Parallel":
        visit(c.left)
        visit(c.right)
        return
      default:
        return
    }
  }
  visit(cause)
  return out
}

/** A table's key: the database's name, or the home database of a user (see `homeUser`). */
const dbKey = (database: string | undefined, user: string | undefined): string =>
  database !== undefined ? `db:${database}` : `home:${user ?? ""}`

/**
 * Whose home database a request resolves: the impersonated user, and the session's own login
 * when it has one (another user, maybe another home database).
 */
const homeUser = (request: LeaseRequest): string => {
  const own = request.auth?.session === true ? request.auth.fixed?.token : undefined
  const as = own === undefined ? "" : `\u0000${own.scheme}:${own.principal ?? ""}`
  return (request.impersonatedUser ?? "") + as
}

interface Entry {
  table: RoutingTable
  lastUsed: number
}

/**
 * Makes the routing router in the current scope; closing it closes every pool.
 *
 * @since 0.1.0
 */
export const make = (options: RoutingOptions): Effect.Effect<Router, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const pools = new Map<string, { readonly pool: Pool; readonly scope: Scope.CloseableScope }>()
    const tables = new Map<string, Entry>()
    // a lock per table key: concurrent work for one database shares its refresh, work for
    // another database does not wait behind it
    const locks = KeyedLock.make()
    const purgeDelay = options.purgeDelayMillis ?? 30_000
    let roundRobin = 0
    let closed = false

    const poolFor = (address: string): Effect.Effect<Pool> =>
      Effect.suspend(() => {
        const existing = pools.get(address)
        if (existing) return Effect.succeed(existing.pool)
        return Effect.gen(function* () {
          const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
          const pool = yield* Scope.extend(options.makePool(address), child)
          pools.set(address, { pool, scope: child })
          return pool
        })
      })

    /** Forgets a server everywhere and closes its idle connections. */
    const forgetServer = (address: string) =>
      Effect.suspend(() => {
        for (const e of tables.values()) e.table = Table.forget(e.table, address)
        const p = pools.get(address)
        return p ? p.pool.purge : Effect.void
      })

    const forgetWriter = (key: string, address: string) =>
      Effect.sync(() => {
        const e = tables.get(key)
        if (e) e.table = Table.forgetWriter(e.table, address)
      })

    /** Forgets a server in one database's table (it said the database is unavailable there). */
    const forgetIn = (key: string, address: string) =>
      Effect.sync(() => {
        const e = tables.get(key)
        if (e) e.table = Table.forget(e.table, address)
      })

    /** Closes pools of addresses no table mentions and nobody uses. */
    const prunePools = Effect.suspend(() => {
      const used = new Set<string>()
      for (const e of tables.values()) for (const a of Table.allAddresses(e.table)) used.add(a)
      const drop = [...pools.entries()].filter(([a, p]) => !used.has(a) && p.pool.inUse() === 0)
      for (const [a] of drop) pools.delete(a)
      return Effect.forEach(drop, ([, p]) => Scope.close(p.scope, Exit.void), { discard: true })
    })

    /** ROUTE on one router. */
    const routeOn = (
      address: string,
      request: LeaseRequest,
      bookmarks: ReadonlyArray<string>
    ): Effect.Effect<RoutingTable, Neo4jError> =>
      Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* poolFor(address)
          const conn = yield* pool.acquire(request.auth)
          noteConnection(conn, address)
          const rt = yield* fetchRoutingTable(conn, address, {
            routing: options.routingContext,
            bookmarks,
            db: request.database,
            impersonatedUser: request.impersonatedUser
          })
          const table = Table.fromRouteMetadata(rt, yield* Clock.currentTimeMillis)
          if (table === undefined) {
            return yield* Effect.fail(
              new ServiceUnavailableError({
                reason: "NoRouters",
                address,
                message: `${address} answered ROUTE with a table without routers or readers`
              })
            )
          }
          return table
        })
      )

    /**
     * The initial routers: the seed through the custom resolver, then each host name through the
     * domain-name resolver. A resolver that fails is noted in `failures` (the discovery's report
     * must say why the routers it would have named were not tried) and the name is tried as it is.
     */
    const seedAddresses = (failures: Array<string>): Effect.Effect<ReadonlyArray<string>> => {
      const resolved: Effect.Effect<ReadonlyArray<string>> = options.resolver
        ? Effect.catchAll(options.resolver(options.seed), (e) =>
            Effect.sync(() => {
              failures.push(`  - resolver(${options.seed}): ${describeResolverFailure(e)}`)
              return [options.seed]
            })
          )
        : Effect.succeed([options.seed])
      if (options.domainNameResolver === undefined) return resolved
      return Effect.flatMap(resolved, (addresses) =>
        Effect.map(
          Effect.forEach(addresses, (address) => {
            const { host, port } = parseAddress(address, 7687)
            return Effect.match(options.domainNameResolver!(host), {
              onFailure: (e) => {
                failures.push(`  - domainNameResolver(${host}): ${describeResolverFailure(e)}`)
                return [address]
              },
              onSuccess: (ips) => ips.map((ip) => formatAddress(ip, port))
            })
          }),
          (lists) => [...new Set(lists.flat())]
        )
      )
    }

    /** Fetches a table with ROUTE carrying `bookmarks`: known routers first, then the seed (resolved again). */
    const discover = (request: LeaseRequest, bookmarks: ReadonlyArray<string>, known: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const tried: Array<string> = []
        /** the report's lines: each router's failure, and each resolver's */
        const failures: Array<string> = []
        /** each router's failure */
        const failed: Array<{ readonly address: string; readonly error: Neo4jError }> = []
        // when every router failed for a reason no retry fixes (TLS rejected, not a cluster, not
        // Bolt), the discovery failure is permanent too
        let allPermanent = true
        const attempt = (address: string) =>
          Effect.gen(function* () {
            if (tried.includes(address)) return Option.none<RoutingTable>()
            tried.push(address)
            const exit = yield* Effect.either(routeOn(address, request, bookmarks))
            if (exit._tag === "Right") return Option.some(exit.right)
            const error = exit.left
            if (isFatalDiscoveryError(error)) return yield* Effect.fail(error)
            failures.push(`  - ${address}: ${describeRouterFailure(error)}`)
            failed.push({ address, error })
            allPermanent &&=
              (error._tag === "ServiceUnavailableError" && !error.retriable) ||
              (error._tag === "ClientError" && error.code === PROCEDURE_NOT_FOUND) ||
              rootFailureKind(address, error) !== undefined
            for (const e of tables.values()) e.table = Table.forgetRouter(e.table, address)
            return Option.none<RoutingTable>()
          })
        for (const address of known) {
          const t = yield* attempt(address)
          if (Option.isSome(t)) return t.value
        }
        for (const address of yield* seedAddresses(failures)) {
          const t = yield* attempt(address)
          if (Option.isSome(t)) return t.value
        }
        // every router failed the same way, for a reason about the router rather than its
        // availability (HTTP on the Bolt port, the same TLS failure, ...): that error, naming the
        // routers, says what is wrong better than NoRouters, whose advice is for routers that
        // cannot be reached or a server that is not a cluster. Not when a resolver failed too:
        // the report must say so.
        const common = failures.length === failed.length ? commonRootFailure(failed) : undefined
        if (common !== undefined) return yield* Effect.fail(common)
        const db = request.database === undefined ? "the home database" : `database "${request.database}"`
        return yield* Effect.fail(
          new ServiceUnavailableError({
            reason: "NoRouters",
            address: options.seed,
            message:
              `Could not fetch a routing table for ${db}: every router failed.\n${failures.join("\n")}\n` +
              "Check that the address is right and the server is running; for a single server that is not a cluster, use bolt:// instead of neo4j://.",
            // a failed resolver may name working routers once it is back: not permanent then
            ...(allPermanent && failed.length > 0 && failures.length === failed.length ? { permanent: true } : {})
          })
        )
      })

    /** Stores a fetched table and drops tables (and home resolutions) nobody used since they expired. */
    const store = (key: string, table: RoutingTable) =>
      Effect.flatMap(Clock.currentTimeMillis, (t) => {
        tables.set(key, { table, lastUsed: t })
        for (const [k, e] of tables) {
          if (k !== key && t > e.table.expiresAt + purgeDelay && t - e.lastUsed > purgeDelay) tables.delete(k)
        }
        for (const [user, h] of homes) if (!tables.has(h.key)) homes.delete(user)
        return prunePools
      })

    /** Routers of every table we know, for a discovery that has no table of its own yet. */
    const knownRouters = (): Array<string> => [...new Set([...tables.values()].flatMap((e) => e.table.routers))]

    /** The held table under `key` when it can serve `mode` at `now` (marked used). */
    const freshTable = (key: string, mode: LeaseRequest["accessMode"], now: number): RoutingTable | undefined => {
      const entry = tables.get(key)
      if (entry === undefined || Table.isStale(entry.table, mode, now)) return undefined
      entry.lastUsed = now
      return entry.table
    }

    /** Fetches the table of a named database and stores it (the caller holds the key's lock). */
    const fetchNamed = (request: LeaseRequest, key: string) =>
      Effect.flatMap(
        // the bookmarks (the session's, and its bookmark manager's) asked for only when a table is fetched
        request.bookmarks,
        (bookmarks) =>
          Effect.tap(discover(request, bookmarks, tables.get(key)?.table.routers ?? knownRouters()), (table) => store(key, table))
      )

    /** A table fresh enough for the request (whose database is named). */
    const tableFor = (request: LeaseRequest, key: string): Effect.Effect<RoutingTable, Neo4jError> => {
      const held = Effect.map(Clock.currentTimeMillis, (now) => freshTable(key, request.accessMode, now))
      return Effect.flatMap(held, (table) =>
        table !== undefined
          ? Effect.succeed(table)
          : locks.withLock(key)(
              // another fiber may have refreshed it while we waited
              Effect.flatMap(held, (again) => (again !== undefined ? Effect.succeed(again) : fetchNamed(request, key)))
            )
      )
    }

    /**
     * Resolves the home database with a ROUTE for `db: null` (the caller holds the user's home
     * lock): the table comes back with the database's name (`rt.db`), and is stored under that
     * name; the user's resolution points there until the table's TTL.
     */
    const resolveHome = (request: LeaseRequest, bookmarks: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const user = homeUser(request)
        const table = yield* discover(request, bookmarks, knownRouters())
        const key = table.database === undefined ? dbKey(undefined, user) : dbKey(table.database, undefined)
        yield* store(key, table)
        homes.set(user, Home.make(key, table.expiresAt, bookmarks, ++resolutions))
        if (table.database !== undefined && ssrEverywhere()) homeCache.set(user, table.database)
        return { table, key }
      })

    /** each user's last home database resolution (see `homeUser`; the driver's own user is "") */
    const homes = new Map<string, HomeResolution>()
    /** resolutions made so far: numbers each one */
    let resolutions = 0

    /**
     * The table of the user's home database when a resolution made after `since` (one this
     * request waited for) holds for these bookmarks.
     */
    const heldHome = (request: LeaseRequest, bookmarks: ReadonlyArray<string>, since: number) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const h = request.freshHome === true ? undefined : homes.get(homeUser(request))
        if (h === undefined || h.seq <= since || !Home.holdsFor(h, bookmarks, now)) return undefined
        const table = freshTable(h.key, request.accessMode, now)
        return table === undefined ? undefined : { table, key: h.key }
      })

    /**
     * The home database's table: resolved with a ROUTE for each request, as the reference drivers
     * do without server-side routing (the user's home database may change at any time, and a query
     * sent with a stale name would run on the wrong database); but one ROUTE is shared by every
     * request of the same user that arrives while it is in flight.
     */
    const homeTable = (request: LeaseRequest) =>
      Effect.flatMap(request.bookmarks, (bookmarks) => {
        const since = resolutions
        return locks.withLock(dbKey(undefined, homeUser(request)))(
          Effect.flatMap(heldHome(request, bookmarks, since), (held) =>
            held !== undefined ? Effect.succeed(held) : resolveHome(request, bookmarks)
          )
        )
      })

    const routingTable = (database: string | undefined) => {
      const key = database !== undefined ? dbKey(database, undefined) : homes.get("")?.key
      const table = key === undefined ? undefined : tables.get(key)?.table
      if (table === undefined) return undefined
      const { expiresAt, readers, routers, ttl, writers } = table
      return { database: table.database ?? database, ttl, expiresAt, routers, readers, writers }
    }

    const refresh = (database: string | undefined, bookmarks: ReadonlyArray<string>) => {
      const request: LeaseRequest = { accessMode: "READ", database, impersonatedUser: undefined, bookmarks: Effect.succeed(bookmarks) }
      const key = dbKey(database, undefined)
      return locks.withLock(key)(database === undefined ? Effect.asVoid(resolveHome(request, bookmarks)) : Effect.asVoid(fetchNamed(request, key)))
    }

    /** Server-side routing on every connection so far (Bolt 5.8+ and the `ssr.enabled` hint). */
    let ssrConnections = 0
    let ssrMissing = false
    const ssrEverywhere = () => ssrConnections > 0 && !ssrMissing
    /** connections whose break is watched: a server is forgotten the moment one breaks */
    const watched = new WeakSet<Connection>()
    const noteConnection = (c: Connection, address: string) => {
      if (c.caps.homeDbCache && c.hints["ssr.enabled"] === true) ssrConnections++
      else ssrMissing = true
      if (!watched.has(c)) {
        watched.add(c)
        // as the reference: the tables stop naming it at once, not when the work ends (a retry
        // inside the same work, or another fiber, must not be sent there again)
        c.onBreak(() => {
          for (const e of tables.values()) e.table = Table.forget(e.table, address)
        })
      }
    }
    /** home database by user (impersonated user; the driver's auth is one), used when ssrEverywhere */
    const homeCache = new Map<string, string>()

    /** Least busy first; ties in round-robin order. */
    const order = (members: ReadonlyArray<string>): Array<string> => {
      const start = roundRobin++ % Math.max(1, members.length)
      const rotated = [...members.slice(start), ...members.slice(0, start)]
      const busy = (a: string) => pools.get(a)?.pool.inUse() ?? 0
      return rotated.map((a, i) => ({ a, i, b: busy(a) })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.a)
    }

    const leaseOn = (
      request: LeaseRequest,
      table: RoutingTable,
      key: string,
      database: string | undefined,
      onDatabase?: (db: string) => void
    ) =>
      Effect.gen(function* () {
        const members = Table.membersFor(table, request.accessMode)
        const failures: Array<string> = []
        for (const address of order(members)) {
          const pool = yield* poolFor(address)
          const exit = yield* Effect.exit(pool.acquire(request.auth))
          if (Exit.isSuccess(exit)) {
            const connection = exit.value
            noteConnection(connection, address)
            // how the work ends tells us about the server; so does a connection that broke during
            // it, even when the work's exit does not say so (a result whose failure its reader
            // already got is finished without raising it again); but not one the server closed
            // after refusing its login (a security failure): the server is well
            yield* Effect.addFinalizer((workExit) =>
              Effect.zipRight(
                onWorkExit(key, address, workExit),
                Effect.suspend(() =>
                  connection.isDefunct() && !connection.securityFailed() ? forgetServer(address) : Effect.void
                )
              )
            )
            const lease: Lease = onDatabase ? { connection, database, onDatabase } : { connection, database }
            return lease
          }
          const error = failuresOf(exit.cause)[0] as Neo4jError | undefined
          if (error?._tag === "ServiceUnavailableError") {
            failures.push(`${address}: ${describeRouterFailure(error)}`)
            yield* forgetServer(address)
            continue
          }
          return yield* Effect.failCause(exit.cause)
        }
        return yield* Effect.fail(
          new SessionExpiredError({
            message: `no ${request.accessMode === "READ" ? "reader" : "writer"} available for ${
              table.database === undefined ? "the database" : `database "${table.database}"`
            }${failures.length > 0 ? `; tried ${failures.join("; ")}` : " (the routing table lists none)"}`
          })
        )
      })

    const onWorkExit = (key: string, address: string, exit: Exit.Exit<unknown, unknown>) =>
      Exit.isSuccess(exit)
        ? Effect.void
        : Effect.forEach(
            failuresOf(exit.cause),
            (e) => {
              if (e instanceof ClientError && e.retriable) return forgetWriter(key, address)
              // as the reference: a member whose copy of the database is unavailable is left out
              // of that database's table until the next refresh
              if (e instanceof TransientError && e.code === "Neo.TransientError.General.DatabaseUnavailable") {
                return forgetIn(key, address)
              }
              if (e instanceof ServiceUnavailableError || e instanceof SessionExpiredError) return forgetServer(address)
              return Effect.void
            },
            { discard: true }
          )

    const acquire = (request: LeaseRequest): Effect.Effect<Lease, Neo4jError, Scope.Scope> =>
      Effect.suspend(() => {
        if (closed) {
          return Effect.fail(
            new ServiceUnavailableError({ reason: "Closed", address: options.seed, message: "the driver is closed: no new work is accepted",
            permanent: true })
          )
        }
        if (request.database !== undefined) {
          const key = dbKey(request.database, undefined)
          return Effect.flatMap(tableFor(request, key), (table) => leaseOn(request, table, key, request.database))
        }
        const user = homeUser(request)
        const cached = ssrEverywhere() ? homeCache.get(user) : undefined
        if (cached !== undefined) {
          // the 5.8 home-database cache: no ROUTE to resolve the name; the transaction goes out
          // without `db` (the server resolves it) and its answer corrects the cache
          const key = dbKey(cached, undefined)
          return Effect.flatMap(tableFor({ ...request, database: cached }, key), (table) =>
            leaseOn(request, table, key, undefined, (db) => {
              if (db !== cached) homeCache.set(user, db)
            })
          )
        }
        return Effect.flatMap(homeTable(request), ({ key, table }) => leaseOn(request, table, key, table.database))
      })

    const close = Effect.suspend(() => {
      closed = true
      const all = [...pools.values()]
      pools.clear()
      return Effect.forEach(all, (p) => Scope.close(p.scope, Exit.void), { discard: true })
    })
    yield* Effect.addFinalizer(() => close)

    const metrics = () =>
      Array.from(pools.values(), ({ pool }) => ({ address: pool.address, inUse: pool.inUse(), idle: pool.idle() }))

    return { acquire, close, metrics, routingTable, refresh }
  })
