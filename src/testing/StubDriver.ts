/**
 * A stub server and a driver pointed at it, built and released together: what a test of an app
 * that uses `Neo4jDriver` needs. The stub is started first and released last, so closing the
 * driver sends GOODBYE to the stub, and only then does the stub check its script (and, unless
 * `verifyOnClose: false`, make the scope close with a defect listing every deviation nobody
 * reported, as `StubServer.layer` does).
 *
 * The driver is the one the app uses, with two defaults for tests: it logs in as `neo4j` /
 * `password` (`defaultAuth`), and retries transaction functions quickly (`defaultRetry`), so
 * that a deviation fails the test in well under a second.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Auth from "../Auth.js"
import type * as DriverConfig from "../DriverConfig.js"
import * as Neo4jDriver from "../Neo4jDriver.js"
import type { InvalidConfigError, Neo4jError } from "../Neo4jError.js"
import type * as StubScript from "./StubScript.js"
import * as StubServer from "./StubServer.js"

/**
 * A script as `StubServer` takes it, or a function of the stub's address (`"127.0.0.1:<port>"`)
 * that makes one: a `neo4j://` script names the stub in its ROUTE answer.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptOf<A> = A | ((address: string) => A)

/**
 * The stub's options (see `StubServer.StubServerOptions`); `script` and `scripts` may be
 * functions of the stub's address. With such a function and no `port`, a free port is reserved
 * first (`StubServer.freePorts`) so that the address is known before the stub starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface StubOptions extends Omit<StubServer.StubServerOptions, "script" | "scripts"> {
  readonly script?: ScriptOf<StubScript.ScriptInput> | undefined
  readonly scripts?: ScriptOf<ReadonlyArray<StubScript.ScriptInput>> | undefined
}

/**
 * The driver's configuration, without the URI, which points at the stub.
 *
 * @since 0.1.0
 * @category models
 */
export interface DriverOptions extends Omit<DriverConfig.DriverConfig, "uri" | "auth"> {
  /**
   * `bolt` (the default: one server) or `neo4j` (routing: the script answers ROUTE). With a TLS
   * stub, `bolt` and `neo4j` become `bolt+ssc` and `neo4j+ssc` (any certificate); give `bolt+s`
   * or `neo4j+s` with `trustedCertificates` to check the stub's certificate.
   */
  readonly scheme?: "bolt" | "neo4j" | "bolt+s" | "bolt+ssc" | "neo4j+s" | "neo4j+ssc" | undefined
  /**
   * Default `Auth.basic("neo4j", "password")`. Scripts with `A: HELLO` / `A: LOGON` accept any
   * credentials; a script that checks them expects these unless told otherwise.
   */
  readonly auth?: Auth.AuthToken | undefined
}

/**
 * The credentials the driver logs in with unless `auth` says otherwise: `neo4j` / `password`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAuth: Auth.AuthToken = Auth.basic("neo4j", "password")

/**
 * The transaction-function retry schedule of a stubbed driver unless `retry` (or
 * `maxTransactionRetryTime`) is given: 10 ms, ×2, at most 5 retries (6 attempts within about
 * 0.3 s), instead of the driver's 1 s, ×2, for up to 30 s. A deviation closes the stub's
 * connection, which the driver sees as a retriable `ServiceUnavailableError`: with the driver's
 * default, a test would reconnect for 30 s (and time out) before the stub could report it.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetry: Schedule.Schedule<unknown, Neo4jError> = Schedule.exponential("10 millis").pipe(
  Schedule.intersect(Schedule.recurs(5))
)

/**
 * A running stub and the driver pointed at it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StubDriver {
  readonly stub: StubServer.StubServer
  readonly driver: Neo4jDriver.Neo4jDriver
}

const resolveStub = (options: StubOptions): Effect.Effect<StubServer.StubServerOptions> =>
  Effect.gen(function*() {
    const { script, scripts, ...rest } = options
    if (typeof script !== "function" && typeof scripts !== "function") return { ...rest, script, scripts }
    const port = options.port ?? (yield* StubServer.freePorts(1))[0]!
    const address = `127.0.0.1:${port}`
    return {
      ...rest,
      port,
      script: typeof script === "function" ? script(address) : script,
      scripts: typeof scripts === "function" ? scripts(address) : scripts
    }
  })

/**
 * Starts a stub server (see `StubServer.make`), then a driver pointed at it (see
 * `Neo4jDriver.make`), in the current scope, with the options and defaults of `layer`. Closing
 * the scope closes the driver first (GOODBYE on each connection), then the stub (which checks its
 * script unless `verifyOnClose: false`). For a test that wants both at hand without a Layer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  stub: StubOptions,
  driver: DriverOptions = {},
  options?: Neo4jDriver.MakeOptions
): Effect.Effect<StubDriver, InvalidConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* StubServer.make(yield* resolveStub(stub))
    const { scheme, auth, ...config } = driver
    const base = scheme ?? "bolt"
    const uri = server.uri(server.tls && !base.includes("+") ? `${base}+ssc` : base)
    const retry = options?.retry ?? (config.maxTransactionRetryTime === undefined ? defaultRetry : undefined)
    const d = yield* Neo4jDriver.make({ ...config, uri, auth: auth ?? defaultAuth }, { ...options, retry })
    return { stub: server, driver: d }
  })

/**
 * A Layer of a stub server playing a script and a `Neo4jDriver` pointed at it. The stub is
 * built first and released last: the driver's GOODBYE reaches it, then it checks the script and,
 * as `StubServer.layer` does, dies with the report of every deviation not reported yet (a
 * `StubServer.verify` in the test reports them as a `StubServerError` instead; `verifyOnClose:
 * false` turns the check on release off). Provide it per test (`Effect.provide`): a script is
 * one test's conversation.
 *
 * `stub`: the stub's options (`script` or `scripts`, which may be functions of the stub's
 * address, `tls`, `verifyTimeout`, ...). `driver`: the driver's configuration without the URI:
 * `scheme` (`bolt`, or `neo4j` when the script answers ROUTE), `auth` (default `neo4j` /
 * `password`) and any `DriverConfig` option (`fetchSize`, `telemetryDisabled`, `database`, ...).
 * `options`: the driver Layer's own (`retry`, `resolver`, `domainNameResolver`), as in
 * `Neo4jDriver.layer(config, options)`; `retry` defaults to the fast `defaultRetry` unless
 * `maxTransactionRetryTime` is set.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 * import { StubDriver, StubServer } from "effect-neo4j/testing"
 *
 * // the app code under test
 * const countPeople = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN count(p) AS n", {}, { routing: "READ" })
 *   return records[0]!.get("n") as number
 * })
 *
 * const Stubbed = StubDriver.layer({
 *   script: `!: BOLT 5.4
 * A: HELLO
 * A: LOGON
 * C: BEGIN {"mode": "r"}
 * C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
 * C: PULL {"n": 1000}
 * S: SUCCESS {}
 *    SUCCESS {"fields": ["n"]}
 *    RECORD [42]
 *    SUCCESS {"type": "r"}
 * C: COMMIT
 * S: SUCCESS {"bookmark": "FB:1"}
 * ?: GOODBYE
 * `
 * })
 *
 * // the body of a test: `it.scopedLive("counts people", () => countsPeople)` with @effect/vitest
 * const countsPeople = Effect.gen(function* () {
 *   const n = yield* countPeople          // 42
 *   yield* StubServer.verify              // a StubServerError on any deviation
 *   return n
 * }).pipe(Effect.provide(Stubbed))
 *
 * // routing: `neo4j` with a script that answers ROUTE (naming the stub's address); driver options
 * const Routed = StubDriver.layer(
 *   {
 *     script: (address) => `!: BOLT 5.4
 * A: HELLO
 * A: LOGON
 * C: ROUTE {"address": "${address}"} [] {}
 * S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}
 * C: BEGIN {"mode": "r", "db": "neo4j"}
 * C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
 * C: PULL {"n": 100}
 * S: SUCCESS {}
 *    SUCCESS {"fields": ["n"]}
 *    RECORD [42]
 *    SUCCESS {"type": "r"}
 * C: COMMIT
 * S: SUCCESS {"bookmark": "FB:1"}
 * ?: GOODBYE
 * `
 *   },
 *   { scheme: "neo4j", fetchSize: 100 }
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  stub: StubOptions,
  driver?: DriverOptions,
  options?: Neo4jDriver.MakeOptions
): Layer.Layer<StubServer.StubServer | Neo4jDriver.Neo4jDriver, InvalidConfigError> =>
  Layer.scopedContext(
    Effect.map(make(stub, driver, options), ({ driver, stub }) =>
      Context.make(StubServer.StubServer, stub).pipe(Context.add(Neo4jDriver.Neo4jDriver, driver))
    )
  )
