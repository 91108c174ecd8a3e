/**
 * Connection URIs as the official drivers take them: `bolt`, `bolt+s`, `bolt+ssc`, `neo4j`,
 * `neo4j+s`, `neo4j+ssc`; port 7687 by default; the query string of a `neo4j://` URI is the
 * routing context. Anything else is an `InvalidConfigError` that names the problem.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { InvalidConfigError } from "./Neo4jError.js"

/**
 * The URI scheme.
 *
 * @since 0.1.0
 * @category models
 */
export type Scheme = "bolt" | "bolt+s" | "bolt+ssc" | "neo4j" | "neo4j+s" | "neo4j+ssc"

/**
 * How the certificate is checked: `none` (plain TCP), `system` (+s: trusted CAs), `any` (+ssc).
 *
 * @since 0.1.0
 * @category models
 */
export type Encryption = "none" | "system" | "any"

/**
 * A parsed connection URI.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParsedUri {
  readonly scheme: Scheme
  readonly host: string
  readonly port: number
  /** `neo4j*` schemes route through a cluster; `bolt*` talk to one server */
  readonly routing: boolean
  readonly encryption: Encryption
  /** the routing context: the query string's pairs (`neo4j*` only) */
  readonly routingContext: Readonly<Record<string, string>>
}

const SCHEMES: ReadonlyArray<Scheme> = ["bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"]

/**
 * The default Bolt port.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Uri } from "effect-neo4j"
 *
 * assert.strictEqual(Either.getOrThrow(Uri.parse("neo4j://localhost")).port, Uri.DEFAULT_PORT)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PORT = 7687

/**
 * Parses a URI, or explains why it is not one this driver accepts.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Uri } from "effect-neo4j"
 *
 * const { host, port, routing, encryption, routingContext } = Either.getOrThrow(Uri.parse("neo4j+s://db.example.com:7688?region=eu"))
 * assert.deepStrictEqual([host, port, routing, encryption], ["db.example.com", 7688, true, "system"])
 * assert.deepStrictEqual(routingContext, { region: "eu" })
 *
 * assert.ok(Either.isLeft(Uri.parse("http://localhost:7474"))) // Neo4j's HTTP API is not Bolt
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (uri: string): Either.Either<ParsedUri, InvalidConfigError> => {
  // the URI is quoted in errors, but never any user info in it
  const shown = JSON.stringify(uri.replace(/\/\/[^@/?#]*@/, "//<redacted>@"))
  const bad = (why: string) => Either.left(new InvalidConfigError({ message: `Invalid Neo4j URI ${shown}: ${why}` }))
  const trimmed = uri.trim()
  const m = /^([A-Za-z0-9+.-]+):\/\/(.*)$/.exec(trimmed)
  if (!m) {
    return bad(`expected scheme://host[:port], for example neo4j://localhost:7687 (schemes: ${SCHEMES.join(", ")})`)
  }
  const scheme = m[1]!.toLowerCase()
  if (!(SCHEMES as ReadonlyArray<string>).includes(scheme)) {
    const hint = scheme === "http" || scheme === "https" ? " (Neo4j's HTTP API is not Bolt; use neo4j:// on port 7687)" : ""
    return bad(`unsupported scheme "${scheme}"${hint}; use one of ${SCHEMES.join(", ")}`)
  }
  let url: URL
  try {
    // parse with a neutral scheme so that URL applies generic authority rules
    url = new URL(`http://${m[2]}`)
  } catch {
    // URL refuses a port past 65535 as a whole: name the port rather than "malformed"
    const big = /^(?:\[[^\]]*\]|[^:/?#@]*):(\d+)(?:[/?#]|$)/.exec(m[2]!)?.[1]
    return bad(big !== undefined && Number(big) > 65535 ? `port ${big} is out of range 1-65535` : "the host or port is malformed")
  }
  if (url.username || url.password) {
    return bad("credentials do not belong in the URI; pass them as auth (they would end up in logs)")
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  if (!host) return bad("the host is missing")
  // URL drops the default http port 80: read the port from the text instead
  const portText = /^(?:\[[^\]]*\]|[^:/?#]*)(?::(\d*))?/.exec(m[2]!)?.[1]
  const port = portText === undefined || portText === "" ? DEFAULT_PORT : Number(portText)
  if (!Number.isInteger(port) || port < 1 || port > 65535) return bad(`port ${portText} is out of range 1-65535`)
  if (url.pathname !== "/" && url.pathname !== "") return bad(`unexpected path "${url.pathname}"`)
  const routing = scheme.startsWith("neo4j")
  const routingContext: Record<string, string> = {}
  for (const [k, v] of url.searchParams) {
    if (!routing) return bad("a query string (routing context) is only allowed with neo4j:// schemes")
    if (k === "address") return bad('the routing context key "address" is reserved')
    if (k in routingContext) return bad(`routing context key "${k}" appears twice`)
    routingContext[k] = v
  }
  const encryption: Encryption = scheme.endsWith("+s") ? "system" : scheme.endsWith("+ssc") ? "any" : "none"
  return Either.right({ scheme: scheme as Scheme, host, port, routing, encryption, routingContext })
}
