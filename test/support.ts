/**
 * Shared helpers for tests that run the driver (or one connection) against the stub server: a
 * driver (as a Layer, or for the span of an effect) or `Connection.open` options pointed at a
 * stub, the script lines a stub opens with, what the stub received, the typed error of an Exit,
 * a count of open sockets, and a logger that collects every line. Kept small: other test files
 * import it.
 */
import { Cause, Effect, Exit, HashMap, Logger, Redacted } from "effect"
import type { Scope } from "effect"
import * as Auth from "../src/Auth.js"
import type * as DriverConfig from "../src/DriverConfig.js"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import type { ConnectionOptions } from "../src/internal/connection/connection.js"
import type { InvalidConfigError } from "../src/Neo4jError.js"
import type { StubServer } from "../src/testing/index.js"

/** The password of `AUTH`: chosen so that a leak is easy to grep for. */
export const PASSWORD = "s3cr3t-Pa55#word=!"

/** `Auth.basic("neo4j", PASSWORD)`, the password `Redacted`. */
export const AUTH = Auth.basic("neo4j", Redacted.make(PASSWORD))

/** A driver Layer for the stub: `bolt://` (`bolt+ssc://` for a TLS stub), `AUTH`, and `config`. */
export const driverLayer = (
  stub: StubServer.StubServer,
  config: Partial<DriverConfig.DriverConfig> = {},
  options?: Neo4jDriver.MakeOptions
) => Neo4jDriver.layer({ uri: stub.uri(), auth: AUTH, ...config }, options)

/**
 * Script lines for the driver's HELLO (+ LOGON from 5.1) with `AUTH`, for a stub playing
 * Bolt `version` ("4.4", "5.0", "5.4", ...); `server` is the agent the stub answers with.
 */
export const helloLines = (version: string, server = "Neo4j/5.26.0"): string => {
  const logon = version !== "4.4" && version !== "5.0"
  const auth = `"scheme": "basic", "principal": "neo4j", "credentials": ${JSON.stringify(PASSWORD)}`
  return logon
    ? `C: HELLO {"user_agent": *string, "[bolt_agent]": *map, "[routing]": *map, "[patch_bolt]": *}
S: SUCCESS {"server": "${server}", "connection_id": "bolt-1"}
C: LOGON {${auth}}
S: SUCCESS {}`
    : `C: HELLO {"user_agent": *string, ${auth}, "[bolt_agent]": *map, "[routing]": *map, "[patch_bolt]": *}
S: SUCCESS {"server": "${server}", "connection_id": "bolt-1"}`
}

/** Options of `Connection.open` for the stub: user neo4j with `password`, a test user agent and bolt agent. */
export const connectOptions = (stub: StubServer.StubServer, password: string): ConnectionOptions => ({
  host: stub.host,
  port: stub.port,
  auth: { token: Auth.basic("neo4j", Redacted.make(password)) },
  userAgent: "effect-neo4j-test/1.0",
  boltAgent: { product: "effect-neo4j/0.1.0" }
})

/** A stub script's opening: Bolt 5.4, with HELLO and LOGON answered whatever their credentials. */
export const HEAD = `!: BOLT 5.4
A: HELLO
A: LOGON
`

/** A stub script's opening for a driver with `AUTH` (`driverLayer`): Bolt 5.4, HELLO and LOGON checked. */
export const AUTH_HEAD = `!: BOLT 5.4\n${helloLines("5.4")}\n`

/**
 * A driver on `target` (a stub server, or a URI) for the duration of `f`; closing it sends
 * GOODBYE. It logs in as neo4j / "pw" unless `config.auth` says otherwise.
 */
export const withDriver = <A, E>(
  target: StubServer.StubServer | string,
  f: (driver: Neo4jDriver.Neo4jDriver) => Effect.Effect<A, E, Scope.Scope>,
  { auth = Auth.basic("neo4j", "pw"), ...config }: Omit<DriverConfig.DriverConfig, "uri" | "auth"> & {
    readonly auth?: Auth.AuthToken
  } = {},
  options?: Neo4jDriver.MakeOptions
): Effect.Effect<A, E | InvalidConfigError> =>
  Effect.scoped(
    Effect.flatMap(Neo4jDriver.driver(typeof target === "string" ? target : target.uri(), auth, config, options), f)
  )

/** The message names the stub received on all connections, without the closing GOODBYE. */
export const names = (stub: StubServer.StubServer): Effect.Effect<Array<string>> =>
  Effect.map(stub.received(), (ms) => ms.map((m) => m.name).filter((n) => n !== "GOODBYE"))

/** How many messages `name` the stub received on all connections. */
export const count = (stub: StubServer.StubServer, name: string): Effect.Effect<number> =>
  Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === name).length)

/** The typed error of an Exit; throws, failing the test, on a success or on a cause that is not exactly one failure. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const cause = exit.cause
  if (cause._tag !== "Fail") throw new Error(`expected a typed failure, got ${Cause.pretty(cause)}`)
  return cause.error
}

/** Open TCP and TLS sockets of this process (both ends, the stub's included). */
export const openSockets = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TLSWrap").length

/**
 * Waits (up to `timeoutMs`) until at most `expected` sockets are open, and returns the count:
 * a destroyed socket leaves `getActiveResourcesInfo()` a loop turn or two later.
 */
export const settledSockets = (expected: number, timeoutMs = 1000): Effect.Effect<number> =>
  Effect.promise(async () => {
    const start = Date.now()
    while (openSockets() > expected && Date.now() - start < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    return openSockets()
  })

/**
 * A logger collecting every line (message, annotations, spans and cause) as text; use with
 * `Logger.replace(Logger.defaultLogger, collector.logger)` and `Logger.minimumLogLevel(LogLevel.All)`.
 */
export const makeLogCollector = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    const text = [
      logLevel.label,
      ...(Array.isArray(message) ? message : [message]).map((m) => (typeof m === "string" ? m : safeStringify(m))),
      ...[...HashMap.toEntries(annotations)].map(([k, v]) => `${k}=${safeStringify(v)}`),
      ...[...spans].map((s) => s.label),
      String(cause)
    ].join(" ")
    lines.push(text)
  })
  return { lines, logger }
}

const safeStringify = (u: unknown): string => {
  try {
    return typeof u === "string" ? u : `${String(u)} ${JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`
  } catch {
    return String(u)
  }
}

/** Waits `ms` of real time, whatever Clock is in use (TestClock included). */
export const realSleep = (ms: number): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Polls `condition` every 5 ms of real time until it holds or `timeoutMs` pass; returns the last answer. */
export const eventually = <E, R>(condition: Effect.Effect<boolean, E, R>, timeoutMs = 2000): Effect.Effect<boolean, E, R> =>
  Effect.gen(function* () {
    const start = Date.now()
    while (!(yield* condition)) {
      if (Date.now() - start > timeoutMs) return false
      yield* realSleep(5)
    }
    return true
  })

/**
 * BEGIN + RUN + PULL of `executeQuery(query)` answered with one record `[value]` (field `x`), then
 * COMMIT answered with `commit` (a bookmark by default).
 */
export const txLines = (
  query: string,
  value: number,
  { begin = "C: BEGIN {}", commit = `{"bookmark": "FB:1"}` }: { readonly begin?: string; readonly commit?: string } = {}
) => `${begin}
C: RUN ${JSON.stringify(query)} {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [${value}]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS ${commit}`
