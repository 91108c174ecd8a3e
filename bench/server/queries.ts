/**
 * The queries the benchmark server knows, shared by the server and the clients. The server picks
 * a canned result by the exact query text; anything else gets an empty result with no fields.
 */

/** 1 record per `$n`: (int, 16-char string, float, bool, list of 3 short strings). */
export const STREAM =
  "UNWIND range(1, $n) AS i RETURN i AS id, randomString(16) AS name, rand() AS score, i % 2 = 0 AS active, ['a', 'b', 'c'] AS tags"

/** Keys of STREAM. */
export const STREAM_KEYS = ["id", "name", "score", "active", "tags"] as const

/** `$n` records, each one Node with 3 labels and 5 properties. */
export const NODES = "MATCH (n:Person:Customer:Active) RETURN n LIMIT $n"

/** Keys of NODES. */
export const NODES_KEYS = ["n"] as const

/** A tiny read: one record `[1]`. */
export const TINY = "RETURN 1 AS x"

/** A tiny write: one record `[1]`, one node created. */
export const WRITE = "CREATE (n:Bench {i: $i}) RETURN 1 AS x"

/** Stats the server keeps per query kind (and in total), reset and read by the orchestrator. */
export interface KindStats {
  runs: number
  pulls: number
  discards: number
  records: number
}

/** Everything the server counts. */
export interface ServerStats {
  connections: number
  hellos: number
  begins: number
  commits: number
  rollbacks: number
  resets: number
  routes: number
  byKind: Record<string, KindStats>
}

/** Messages between the orchestrator and the server process (IPC). */
export type ServerRequest = { readonly type: "stats"; readonly reset: boolean }
export type ServerReply =
  | { readonly type: "ready"; readonly port: number; readonly startupMs: number }
  | { readonly type: "stats"; readonly stats: ServerStats }
