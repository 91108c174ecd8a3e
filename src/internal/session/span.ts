/**
 * One span per query: `neo4j.run`, kind `client`, with OpenTelemetry's database attributes
 * (`db.system.name`, `db.query.text`, `db.namespace`, `server.address`, `server.port`), as
 * @effect/sql records a span per statement. Query parameters are never recorded (they may hold
 * secrets or personal data); nor is anything of the auth token. The span covers sending the query
 * and the server accepting it (RUN's answer): the records are read later, at the consumer's pace.
 * No stack trace is captured: it would cost more than the rest of the span.
 *
 * The spans are made only when a tracer is installed (e.g. @effect/opentelemetry's): with
 * Effect's default tracer, which exports nothing, a span would cost ~40 Effect operations per
 * query (111 to 155 for an auto-commit query and its records, bench/e2e op counts) for nothing.
 */
import { Effect } from "effect"
import type { Tracer } from "effect"
import { parseAddress } from "../transport/address.js"

/** Effect's default tracer, as every fiber has it unless a Layer or `withTracer` replaces it. */
const defaultTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/** `self` when no tracer is installed, else `traced`. */
const whenTracing = <A, E, R>(self: Effect.Effect<A, E, R>, traced: () => Effect.Effect<A, E, R>) =>
  Effect.tracerWith((tracer) => (tracer === defaultTracer ? self : traced()))

/**
 * The name of a query's span.
 *
 * @since 0.1.0
 */
export const QUERY_SPAN = "neo4j.run"

/** The server attributes of a connection's "host:port" (every connection's address has a port). */
const serverAttributes = (address: string): Record<string, unknown> => {
  const { host, port } = parseAddress(address, 7687)
  return { "server.address": host, "server.port": port }
}

/**
 * Runs `self` in a query span. `address` and `database`, when known before the query starts,
 * become attributes at once; otherwise `annotateServer` adds them once a connection is leased.
 *
 * @since 0.1.0
 */
export const querySpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  query: string,
  address?: string,
  database?: string
): Effect.Effect<A, E, R> =>
  whenTracing(self, () =>
    Effect.withSpan(self, QUERY_SPAN, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "db.system.name": "neo4j",
        "db.query.text": query,
        ...(database === undefined ? {} : { "db.namespace": database }),
        ...(address === undefined ? {} : serverAttributes(address))
      }
    })
  )

/**
 * Adds the leased connection's server and database to the current query span.
 *
 * @since 0.1.0
 */
export const annotateServer = (address: string, database: string | undefined): Effect.Effect<void> =>
  whenTracing(Effect.void, () =>
    Effect.annotateCurrentSpan(
      database === undefined ? serverAttributes(address) : { ...serverAttributes(address), "db.namespace": database }
    )
  )
