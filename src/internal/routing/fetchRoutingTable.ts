/**
 * Asks one router for a routing table, on a connection to it: the ROUTE message on Bolt 4.3+,
 * the `dbms.routing.getRoutingTable` procedure in the system database on 4.2 (which has no
 * ROUTE), as the reference drivers do. Either way the answer is the `rt` map
 * (`{ttl, db?, servers}`) that `routingTable.ts` parses.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ServiceUnavailableError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import * as Msg from "../bolt/messages.js"
import type { Connection } from "../connection/connection.js"
import { run as runCursor } from "../connection/result.js"

/**
 * The `rt` map from `address`: ROUTE's metadata, or the procedure's one record as
 * `{ttl, servers}`; `undefined` when the procedure gave no record. Impersonation before 4.4 is
 * refused by the encoders (InvalidParameterError) before anything is sent.
 *
 * @since 0.1.0
 */
export const fetchRoutingTable = (
  conn: Connection,
  address: string,
  args: Msg.RouteArgs
): Effect.Effect<unknown, Neo4jError> => (conn.caps.route ? routeMessage(conn, address, args) : routeProcedure(conn, args))

const routeMessage = (conn: Connection, address: string, args: Msg.RouteArgs) =>
  Effect.suspend(() =>
    Effect.flatMap(conn.await(conn.enqueue("ROUTE", (c) => Msg.route(c, conn.caps, args))), (outcome) =>
      outcome._tag === "Failure"
        ? Effect.fail(outcome.error)
        : outcome._tag === "Ignored"
          ? Effect.fail(new ServiceUnavailableError({ reason: "Read", address, message: `${address} ignored ROUTE` }))
          : Effect.succeed(outcome.metadata.rt)
    )
  )

const routeProcedure = (conn: Connection, args: Msg.RouteArgs) => {
  const withDb = args.db !== undefined
  return Effect.scoped(
    Effect.flatMap(
      runCursor(conn, {
        query: `CALL dbms.routing.getRoutingTable($context${withDb ? ", $database" : ""})`,
        parameters: withDb ? { context: args.routing, database: args.db } : { context: args.routing },
        mode: "r",
        db: "system",
        impersonatedUser: args.impersonatedUser,
        bookmarks: args.bookmarks.length > 0 ? args.bookmarks : undefined,
        fetchSize: -1
      }),
      (cursor) =>
        Effect.map(Stream.runCollect(cursor.records), (records) => {
          const first = Chunk.head(records)
          return first._tag === "None" ? undefined : { ttl: first.value.get("ttl"), servers: first.value.get("servers") }
        })
    )
  )
}
