/**
 * A routing table for one database: pure data. Parsed from ROUTE's SUCCESS `rt`
 * (`{ttl, db, servers: [{addresses, role}]}`), stale when its TTL has passed or when the role a
 * request needs has no member left; members are forgotten when they fail.
 */
import type { AccessMode } from "./router.js"

/**
 * A routing table.
 *
 * @since 0.1.0
 */
export interface RoutingTable {
  /** the database the table is for (the resolved name for the home database) */
  readonly database: string | undefined
  readonly routers: ReadonlyArray<string>
  readonly readers: ReadonlyArray<string>
  readonly writers: ReadonlyArray<string>
  /** the time to live the server gave, in seconds */
  readonly ttl: number
  /** epoch milliseconds after which the table must be refreshed */
  readonly expiresAt: number
}

const addresses = (servers: unknown, role: string): Array<string> => {
  if (!Array.isArray(servers)) return []
  const out: Array<string> = []
  for (const s of servers) {
    if (typeof s !== "object" || s === null) continue
    const r = s as { role?: unknown; addresses?: unknown }
    if (r.role !== role || !Array.isArray(r.addresses)) continue
    for (const a of r.addresses) if (typeof a === "string" && !out.includes(a)) out.push(a)
  }
  return out
}

/**
 * Parses ROUTE's `rt` map; `undefined` when it is not a usable table (no routers or no readers).
 *
 * @since 0.1.0
 */
export const fromRouteMetadata = (rt: unknown, now: number): RoutingTable | undefined => {
  if (typeof rt !== "object" || rt === null) return undefined
  const r = rt as { ttl?: unknown; db?: unknown; servers?: unknown }
  const ttl = typeof r.ttl === "number" ? r.ttl : typeof r.ttl === "bigint" ? Number(r.ttl) : 300
  const table: RoutingTable = {
    database: typeof r.db === "string" ? r.db : undefined,
    routers: addresses(r.servers, "ROUTE"),
    readers: addresses(r.servers, "READ"),
    writers: addresses(r.servers, "WRITE"),
    ttl,
    expiresAt: now + Math.max(0, ttl) * 1000
  }
  return table.routers.length === 0 || table.readers.length === 0 ? undefined : table
}

/**
 * Whether the table cannot serve `mode` without a refresh.
 *
 * @since 0.1.0
 */
export const isStale = (table: RoutingTable, mode: AccessMode, now: number): boolean =>
  now >= table.expiresAt ||
  table.routers.length === 0 ||
  (mode === "READ" ? table.readers.length === 0 : table.writers.length === 0)

/**
 * The members for an access mode.
 *
 * @since 0.1.0
 */
export const membersFor = (table: RoutingTable, mode: AccessMode): ReadonlyArray<string> =>
  mode === "READ" ? table.readers : table.writers

/**
 * Forgets a server that cannot be reached: it stops serving reads and writes (it stays a router
 * candidate until a router attempt fails, as the official drivers do).
 *
 * @since 0.1.0
 */
export const forget = (table: RoutingTable, address: string): RoutingTable => ({
  ...table,
  readers: table.readers.filter((a) => a !== address),
  writers: table.writers.filter((a) => a !== address)
})

/**
 * Forgets a writer that is no longer the leader.
 *
 * @since 0.1.0
 */
export const forgetWriter = (table: RoutingTable, address: string): RoutingTable => ({
  ...table,
  writers: table.writers.filter((a) => a !== address)
})

/**
 * Forgets a router that failed.
 *
 * @since 0.1.0
 */
export const forgetRouter = (table: RoutingTable, address: string): RoutingTable => ({
  ...table,
  routers: table.routers.filter((a) => a !== address)
})

/**
 * Every address the table mentions.
 *
 * @since 0.1.0
 */
export const allAddresses = (table: RoutingTable): ReadonlySet<string> =>
  new Set([...table.routers, ...table.readers, ...table.writers])
