/**
 * Wiring: a resolved config becomes connect options, a pool, a router and a session factory.
 * Nothing here opens a socket: the pool is lazy.
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as os from "node:os"
import * as Auth from "../Auth.js"
import { isAuthTokenManager } from "../AuthTokenManager.js"
import * as Bookmarks from "../Bookmarks.js"
import type { NotificationFilter, ResolvedConfig } from "../DriverConfig.js"
import { VERSION } from "../DriverConfig.js"
import type { Neo4jDriver } from "../Neo4jDriver.js"
import type { Query } from "../Cypher.js"
import { InvalidParameterError } from "../Neo4jError.js"
import type { InvalidConfigError, Neo4jError } from "../Neo4jError.js"
import type { Neo4jRecord } from "../Record.js"
import type { EagerResult } from "../Result.js"
import type { RetrySchedule, SessionConfig } from "../Session.js"
import type { TransactionConfig } from "../Transaction.js"
import { TelemetryApi } from "./bolt/messages.js"
import { format } from "./bolt/version.js"
import * as Connection from "./connection/connection.js"
import * as Pool from "./pool/pool.js"
import * as DirectRouter from "./routing/directRouter.js"
import type { Router } from "./routing/router.js"
import * as RoutingRouter from "./routing/routingRouter.js"
import { resolveQuery } from "./session/query.js"
import * as SessionImpl from "./session/session.js"
import * as TlsFiles from "./tlsFiles.js"
import { formatAddress, parseAddress } from "./transport/address.js"

/**
 * What `getServerInfo` reports.
 *
 * @since 0.1.0
 */
export interface ServerInfo {
  /** host:port */
  readonly address: string
  /** e.g. "Neo4j/5.26.0" */
  readonly agent: string
  /** the negotiated Bolt version, e.g. "5.8" */
  readonly protocolVersion: string
}

/**
 * Options of `executeQuery` and `stream`.
 *
 * @since 0.1.0
 */
export interface QueryConfig extends TransactionConfig {
  readonly database?: string | undefined
  /** READ or WRITE (default WRITE) */
  readonly routing?: "READ" | "WRITE" | undefined
  readonly impersonatedUser?: string | undefined
  /** the default manager shared by executeQuery calls unless replaced; `null` opts out */
  readonly bookmarkManager?: Bookmarks.BookmarkManager | null | undefined
  /** replaces the retry schedule, its 30 s cap included (see `TransactionFunctionConfig.retry`) */
  readonly retry?: RetrySchedule | undefined
  /** log in as this user for this query (see `SessionConfig.auth`): Bolt 5.1+ */
  readonly auth?: Auth.AuthToken | undefined
  /**
   * Which notifications the server sends for this query: sent in its BEGIN (`executeQuery`) or
   * auto-commit RUN (`stream`), Bolt 5.2+; a field it leaves out keeps the driver's. An invalid
   * one is an `InvalidConfigError`; on a server below Bolt 5.2 a filter is an
   * `UnsupportedFeatureError` before anything is sent (see `SessionConfig.notificationFilter`).
   */
  readonly notificationFilter?: NotificationFilter | undefined
}

/**
 * The driver's internals, built per config: `session`, `executeQuery` and `stream` exactly as the
 * public `Neo4jDriver` offers them.
 *
 * @since 0.1.0
 */
export interface DriverCore extends Pick<Neo4jDriver, "session" | "executeQuery" | "stream"> {
  readonly config: ResolvedConfig
  readonly router: Router
  readonly serverInfo: (database?: string) => Effect.Effect<ServerInfo, Neo4jError>
  readonly supports: (feature: "multiDb" | "sessionAuth") => Effect.Effect<boolean, Neo4jError>
  readonly verifyAuthentication: (auth?: Auth.AuthToken) => Effect.Effect<boolean, Neo4jError>
}

const noBookmarks = Effect.succeed<ReadonlyArray<string>>([])

/** The codes that make `verifyAuthentication` answer false rather than fail, as in the reference drivers. */
const REFUSED_CREDENTIALS: ReadonlySet<string> = new Set([
  "Neo.ClientError.Security.CredentialsExpired",
  "Neo.ClientError.Security.Forbidden",
  "Neo.ClientError.Security.TokenExpired",
  "Neo.ClientError.Security.Unauthorized"
])

const boltAgent = {
  product: `effect-neo4j/${VERSION}`,
  platform: `${os.type()} ${os.release()}; ${os.arch()}`,
  language: `Node/${process.versions.node}`,
  languageDetails: `V8 ${process.versions.v8}`
}

/**
 * Options of the core that are Effect values.
 *
 * @since 0.1.0
 */
export interface CoreOptions {
  /** replaces the default transaction-function retry schedule, its 30 s cap included */
  readonly retry?: RetrySchedule | undefined
  /** resolves the URI's address to the addresses to try (routing only) */
  readonly resolver?: ((address: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
  /** resolves each initial router's host name to IP addresses, after `resolver` (routing only) */
  readonly domainNameResolver?: ((host: string) => Effect.Effect<ReadonlyArray<string>, unknown>) | undefined
}

/**
 * Builds the core in the current scope; closing it closes every connection. Reads the TLS files
 * the config names (trusted CAs, a client certificate): one that cannot be read or used is an
 * `InvalidConfigError`.
 *
 * @since 0.1.0
 */
export const make = (
  config: ResolvedConfig,
  options: CoreOptions = {}
): Effect.Effect<DriverCore, InvalidConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const uri = config.parsedUri
    const ca = uri.encryption === "none" ? undefined : yield* TlsFiles.trustedCas(config.trustedCertificates, config.trustedCertificateFiles)
    const tls =
      uri.encryption === "none"
        ? undefined
        : {
            rejectUnauthorized: uri.encryption === "system",
            ...(ca ? { ca } : {})
          }
    // the client certificate of each new connection (mutual TLS): fixed, or asked of a provider
    const clientCertificate = tls === undefined ? undefined : yield* TlsFiles.clientCertificateSource(config.clientCertificate)
    const address = formatAddress(uri.host, uri.port)
    // who the driver's connections log in as: a fixed token, or its manager's current one (told of
    // that token's security failures)
    const configAuth = config.auth
    const driverAuth: Pool.AuthSource = isAuthTokenManager(configAuth)
      ? {
          login: Effect.map(configAuth.getToken, (token) => ({ token, onSecurityFailure: configAuth.handleSecurityException })),
          session: false
        }
      : Pool.fixedAuth(configAuth, false)
    const connectOptions: Omit<Connection.ConnectionOptions, "auth"> = {
      host: uri.host,
      port: uri.port,
      tls,
      connectTimeout: Duration.toMillis(config.connectionTimeout),
      // the pool's acquisition timeout bounds the handshake and HELLO (connectionTimeout: the socket)
      handshakeTimeout: Infinity,
      userAgent: config.userAgent,
      boltAgent,
      routing: uri.routing ? { address, ...uri.routingContext } : undefined,
      notifications: config.notificationFilter,
      maxMessageSize: config.maxMessageSize,
      useBigInt: config.useBigInt
    }
    const makePool = (at: string) => {
      const { host, port } = parseAddress(at, uri.port)
      return Pool.make({
        address: at,
        maxSize: config.maxConnectionPoolSize,
        acquisitionTimeout: config.connectionAcquisitionTimeout,
        maxLifetime: config.maxConnectionLifetime,
        livenessCheckTimeout: config.connectionLivenessCheckTimeout,
        auth: driverAuth,
        connect: (auth) =>
          clientCertificate === undefined
            ? Connection.open({ ...connectOptions, auth, host, port })
            : Effect.flatMap(clientCertificate, (certificate) =>
                Connection.open({ ...connectOptions, auth, host, port, tls: { ...tls!, clientCertificate: certificate } })
              )
      })
    }
    const router: Router = uri.routing
      ? yield* RoutingRouter.make({
          seed: address,
          routingContext: { address, ...uri.routingContext },
          makePool,
          resolver: options.resolver,
          domainNameResolver: options.domainNameResolver
        })
      : DirectRouter.make(yield* makePool(address))
    const ctx: SessionImpl.SessionContext = {
      router,
      fetchSize: config.fetchSize,
      defaultDatabase: config.database,
      retry: options.retry,
      maxRetryTime: config.maxTransactionRetryTime,
      telemetryDisabled: config.telemetryDisabled
    }
    const session = (sessionConfig?: SessionConfig) => SessionImpl.make(ctx, sessionConfig)
    const defaultManager = yield* Bookmarks.makeManager()

    const sessionFor = (q: QueryConfig | undefined): SessionConfig => ({
      database: q?.database,
      defaultAccessMode: q?.routing ?? "WRITE",
      impersonatedUser: q?.impersonatedUser,
      bookmarkManager: q?.bookmarkManager === null ? undefined : (q?.bookmarkManager ?? defaultManager),
      notificationFilter: q?.notificationFilter,
      auth: q?.auth
    })

    /** A query's invalid notification filter, named as the query's (the session would say "session config"). */
    const invalidQuery = (q: QueryConfig | undefined) =>
      q?.notificationFilter === undefined ? undefined : SessionImpl.invalidNotificationFilter(q.notificationFilter, "query config")

    const executeQuery = (
      query: string | Query,
      parameters: Readonly<Record<string, unknown>> = {},
      q?: QueryConfig
    ): Effect.Effect<EagerResult, Neo4jError> => {
      if (typeof query !== "string") {
        // refused before a session is made: nothing is leased, nothing is sent
        const resolved = resolveQuery(query, parameters)
        return resolved instanceof InvalidParameterError ? Effect.fail(resolved) : executeQuery(resolved.text, resolved.parameters, q)
      }
      const invalid = invalidQuery(q)
      if (invalid !== undefined) return Effect.fail(invalid)
      // a session without a scope: it only runs a transaction function, which leaves nothing open,
      // so there is nothing to finalize (a scope per call and its close were ~5 % of the
      // concurrent workload's CPU profile, bench/e2e)
      return Effect.flatMap(SessionImpl.makeIn(ctx, sessionFor(q), undefined, TelemetryApi.ExecuteQuery), (s) => {
        const fn = q?.routing === "READ" ? s.executeRead : s.executeWrite
        return fn(
          (tx) =>
            Effect.flatMap(tx.run(query, parameters), (result) =>
              // flatMap + map: Effect.zipWith goes through Effect.all (a forEach with its set-up)
              Effect.flatMap(result.list, (records) =>
                Effect.map(result.summary, (summary) => ({ keys: result.keys, records: Chunk.toArray(records), summary }))
              )
            ),
          { timeout: q?.timeout, metadata: q?.metadata, retry: q?.retry }
        )
      })
    }

    const stream = (
      query: string | Query,
      parameters: Readonly<Record<string, unknown>> = {},
      q?: QueryConfig
    ): Stream.Stream<Neo4jRecord, Neo4jError> => {
      if (typeof query !== "string") {
        const resolved = resolveQuery(query, parameters)
        return resolved instanceof InvalidParameterError ? Stream.fail(resolved) : stream(resolved.text, resolved.parameters, q)
      }
      return Stream.unwrapScoped(
        Effect.gen(function* () {
          const invalid = invalidQuery(q)
          if (invalid !== undefined) return yield* invalid
          const s = yield* session(sessionFor(q))
          const result = yield* s.run(query, parameters, { timeout: q?.timeout, metadata: q?.metadata })
          return result.records
        })
      )
    }

    // as the reference: a connection taken from the pool is checked with a RESET (one just
    // opened was checked by its HELLO)
    const serverInfo = (database?: string) =>
      Effect.scoped(
        Effect.flatMap(
          router.acquire({ accessMode: "READ", database, impersonatedUser: undefined, bookmarks: noBookmarks, freshHome: true }),
          ({ connection: c }) =>
            Effect.as(c.fresh() ? Effect.void : c.reset, {
              address: c.address,
              agent: c.server,
              protocolVersion: format(c.version)
            } satisfies ServerInfo)
        )
      )

    const supports = (feature: "multiDb" | "sessionAuth") =>
      Effect.scoped(
        Effect.map(
          router.acquire({ accessMode: "READ", database: undefined, impersonatedUser: undefined, bookmarks: noBookmarks }),
          ({ connection: c }) => (feature === "multiDb" ? c.version.major >= 4 : c.caps.logon)
        )
      )

    /**
     * Logs in as `auth` (the driver's current token by default) on a connection for the system
     * database: a connection just opened was checked by its LOGON; a pooled one logs in again
     * (LOGOFF and LOGON), even with an equal token. Refused credentials are `false`; other failures
     * fail. Needs Bolt 5.1+ (re-authentication).
     */
    const verifyAuthentication = (auth?: Auth.AuthToken) =>
      Effect.gen(function* () {
        const token = auth ?? (yield* Effect.map(driverAuth.login, (l) => l.token))
        const src = Pool.fixedAuth(token, true)
        return yield* Effect.scoped(
          Effect.flatMap(
            router.acquire({ accessMode: "READ", database: "system", impersonatedUser: undefined, bookmarks: noBookmarks, auth: src }),
            ({ connection: c }) => {
              // a login the server checked just now (a connection opened for this call) is the answer;
              // a pooled one logs in again, whatever it logged in with before
              const logon = c.pendingLogon() ?? (c.fresh() && !c.reused() ? undefined : c.reauth(src.fixed!))
              if (logon === undefined) return Effect.succeed(true)
              return Effect.flatMap(c.await(logon), (outcome) =>
                outcome._tag === "Success" ? Effect.succeed(true) : Effect.fail(outcome._tag === "Failure" ? outcome.error : c.failure()!)
              )
            }
          )
        )
      }).pipe(
        Effect.catchIf(
          (e) => REFUSED_CREDENTIALS.has((e as { code?: string }).code ?? ""),
          () => Effect.succeed(false)
        )
      )

    return { config, router, session, executeQuery, stream, serverInfo, supports, verifyAuthentication }
  })
