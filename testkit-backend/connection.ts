/**
 * One TestKit connection: its objects by id and the request handlers.
 *
 * Every request runs in its own fiber, so that a request waiting on TestKit (a resolver call, a
 * bookmark manager callback, a transaction function waiting for RetryablePositive) does not
 * block the requests that answer it. TestKit sends one request at a time otherwise.
 *
 * Objects are scoped: a driver has a Scope, each session a child of its driver's, each
 * transaction a child of its session's. Closing a TestKit object closes its scope. Results are
 * read with the driver's own per-record API (`next`, `peek`, `single`, `list`, `consume`).
 */
import { Cause, Chunk, Data, Deferred, Duration, Effect, ExecutionStrategy, Exit, Fiber, Option, Redacted, Scope } from "effect"
import {
  Auth,
  AuthTokenManager,
  Bookmarks,
  ClientCertificate,
  Neo4jDriver,
  Neo4jError,
  Record as Rec,
  Result as Res
} from "effect-neo4j"
import type { DriverConfig, Session, Transaction } from "effect-neo4j"
import { fromDriver, mapFromDriver, mapToDriver } from "./cypher.js"
import { FEATURES } from "./features.js"
import * as Json from "./json.js"
import { hasSubtestSkips, skipReason, subtestSkipReason } from "./skipped.js"

/** A request's `data`. */
type Req = { readonly [key: string]: Json.Json }

/** A failure of the user's code in a transaction function (RetryableNegative without an error id). */
class FrontendUserError extends Error {
  constructor() {
    super("TestKit FrontendError: the test's transaction function failed")
  }
}

/** A request the backend cannot serve (a missing API, a malformed request). */
class BackendFailure extends Data.TaggedError("BackendFailure")<{ readonly message: string }> {}

interface DriverEntry {
  readonly driver: Neo4jDriver.Neo4jDriver
  readonly scope: Scope.CloseableScope
}

interface SessionEntry {
  readonly session: Session.Session
  readonly scope: Scope.CloseableScope
  /** the transaction function attempt waiting for RetryablePositive / RetryableNegative */
  retryable: Deferred.Deferred<void, unknown> | undefined
}

interface TxEntry {
  readonly run: Transaction.ManagedTransaction["run"]
  /** explicit transactions only */
  readonly explicit: Transaction.Transaction | undefined
  readonly scope: Scope.CloseableScope
}

interface ResultEntry {
  readonly result: Res.Result
}

const str = (v: Json.Json | undefined): string | undefined => (typeof v === "string" ? v : undefined)
const num = (v: Json.Json | undefined): number | undefined =>
  typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined

/** `timeout` in milliseconds when the request carries one (null: the driver's default). */
const timeoutOf = (d: Req): { timeout?: number } => {
  const t = num(d.timeout)
  return t === undefined ? {} : { timeout: t }
}

const metadataOf = (d: Req): { metadata?: Record<string, unknown> } =>
  d.txMeta === null || d.txMeta === undefined ? {} : { metadata: mapToDriver(d.txMeta as Record<string, unknown>) }

/**
 * A NewDriver's or NewSession's `notificationsMinSeverity` / `notificationsDisabledCategories`
 * (each present only when TestKit gives it; `[]` is sent as an empty list) as its notificationFilter.
 * TestKit's categories are the driver's classifications; the driver checks the values.
 */
const notificationFilterOf = (d: Req): { notificationFilter?: DriverConfig.NotificationFilter } => {
  if (d.notificationsMinSeverity == null && d.notificationsDisabledCategories == null) return {}
  const filter: Record<string, unknown> = {}
  if (typeof d.notificationsMinSeverity === "string") filter.minimumSeverity = d.notificationsMinSeverity
  if (Array.isArray(d.notificationsDisabledCategories)) filter.disabledClassifications = d.notificationsDisabledCategories
  return { notificationFilter: filter as DriverConfig.NotificationFilter }
}

/** TestKit's AuthorizationToken to the driver's AuthToken. */
const authOf = (token: Json.Json | undefined): Auth.AuthToken => {
  const t = ((token as { data?: Req } | null)?.data ?? token ?? {}) as Req
  const scheme = str(t.scheme) ?? "none"
  const principal = str(t.principal) ?? ""
  const credentials = str(t.credentials) ?? ""
  const realm = str(t.realm)
  switch (scheme) {
    case "basic":
      return Auth.basic(principal, credentials, realm)
    case "bearer":
      return Auth.bearer(credentials)
    case "kerberos":
      return Auth.kerberos(credentials)
    case "none":
      return Auth.none()
    default: {
      const raw = t.parameters
      const parameters =
        raw === null || raw === undefined
          ? undefined
          : (Object.fromEntries(
              Object.entries(raw as Req).map(([k, v]) => [
                k,
                typeof v === "object" && v !== null && "name" in v ? mapToDriver({ v })["v"] : v
              ])
            ) as Record<string, unknown>)
      return Auth.custom(principal, credentials, realm ?? "", scheme, parameters)
    }
  }
}

/** A token as TestKit's AuthorizationToken (the secret revealed: TestKit compares it). */
const tokenToJson = (token: Auth.AuthToken) => {
  const data: Record<string, unknown> = { scheme: token.scheme }
  if (token.principal !== undefined && !(token.scheme === "kerberos" && token.principal === "")) data.principal = token.principal
  if (token.credentials !== undefined) data.credentials = Redacted.value(token.credentials)
  if (token.realm !== undefined) data.realm = token.realm
  if (token.parameters !== undefined) data.parameters = token.parameters
  return { name: "AuthorizationToken", data }
}

/** TestKit's ClientCertificate ({ certfile, keyfile, password }, possibly under `data`) to the driver's. */
const clientCertificateOf = (value: Json.Json | undefined): ClientCertificate.ClientCertificate => {
  const c = ((value as { data?: Req } | null)?.data ?? value ?? {}) as Req
  const password = str(c.password)
  return ClientCertificate.fromFiles({
    certfile: String(c.certfile),
    keyfile: String(c.keyfile),
    ...(password !== undefined ? { password } : {})
  })
}

const isTaggedError = (e: unknown): e is { readonly _tag: string; readonly message: string } =>
  typeof e === "object" && e !== null && typeof (e as { _tag?: unknown })._tag === "string"

const gqlFields = (e: Record<string, unknown>) => {
  const diag = e.diagnosticRecord as Record<string, unknown> | undefined
  return {
    gqlStatus: typeof e.gqlStatus === "string" ? e.gqlStatus : undefined,
    statusDescription: typeof e.description === "string" ? e.description : undefined,
    diagnosticRecord: diag === undefined ? undefined : mapFromDriver(diag, true),
    classification: typeof e.classification === "string" ? e.classification : undefined,
    rawClassification: typeof e.rawClassification === "string" ? e.rawClassification : undefined
  }
}

/**
 * The message TestKit compares with the server's: a server failure's own words (`serverMessage`;
 * the driver's `message` adds the code and, for authentication, the user and the server).
 */
const serverMessageOf = (e: Record<string, unknown>): string =>
  typeof e.serverMessage === "string" ? e.serverMessage : String(e.message ?? "")

/** A GQL cause chain, as TestKit's GqlError. */
const gqlCause = (c: unknown): unknown => {
  if (typeof c !== "object" || c === null || !("message" in c)) return undefined
  const e = c as Record<string, unknown>
  return {
    name: "GqlError",
    data: { msg: serverMessageOf(e), ...gqlFields(e), cause: gqlCause(e.cause) }
  }
}

const summaryOf = (s: Res.ResultSummary) => ({
  serverInfo: { address: s.server.address, agent: s.server.agent, protocolVersion: s.server.protocolVersion },
  counters: {
    constraintsAdded: s.counters.constraintsAdded,
    constraintsRemoved: s.counters.constraintsRemoved,
    containsSystemUpdates: s.counters.containsSystemUpdates,
    containsUpdates: s.counters.containsUpdates,
    indexesAdded: s.counters.indexesAdded,
    indexesRemoved: s.counters.indexesRemoved,
    labelsAdded: s.counters.labelsAdded,
    labelsRemoved: s.counters.labelsRemoved,
    nodesCreated: s.counters.nodesCreated,
    nodesDeleted: s.counters.nodesDeleted,
    propertiesSet: s.counters.propertiesSet,
    relationshipsCreated: s.counters.relationshipsCreated,
    relationshipsDeleted: s.counters.relationshipsDeleted,
    systemUpdates: s.counters.systemUpdates
  },
  database: s.database ?? null,
  // null when the server reported no notifications at all (an empty list when it sent one)
  notifications: Res.notificationsReported(s)
    ? s.notifications.map((n) => ({
        severity: n.severity,
        severityLevel: n.severityLevel,
        rawSeverityLevel: n.rawSeverityLevel,
        description: n.description,
        code: n.code,
        title: n.title,
        category: n.category,
        rawCategory: n.rawCategory,
        ...(n.position ? { position: n.position } : {})
      }))
    : null,
  gqlStatusObjects: s.gqlStatusObjects.map((g) => ({
    gqlStatus: g.gqlStatus,
    statusDescription: g.statusDescription,
    position: g.position ?? null,
    classification: g.classification,
    rawClassification: g.rawClassification ?? null,
    severity: g.severity,
    rawSeverity: g.rawSeverity ?? null,
    diagnosticRecord: mapFromDriver(g.diagnosticRecord, true),
    isNotification: g.isNotification
  })),
  plan: s.plan ?? null,
  profile: s.profile ?? null,
  query: { text: s.query.text, parameters: mapFromDriver(s.query.parameters) },
  queryType: s.queryType ?? null,
  resultAvailableAfter: s.resultAvailableAfter ?? null,
  resultConsumedAfter: s.resultConsumedAfter ?? null
})

const recordOf = (r: Rec.Neo4jRecord) => ({ values: r.values.map((v) => fromDriver(v)) })

/**
 * One TestKit connection's state and handlers.
 */
export class Connection {
  private nextId = 0
  private readonly drivers = new Map<string, DriverEntry>()
  private readonly sessions = new Map<string, SessionEntry>()
  private readonly txs = new Map<string, TxEntry>()
  private readonly results = new Map<string, ResultEntry>()
  private readonly errors = new Map<string, unknown>()
  private readonly managers = new Map<string, Bookmarks.BookmarkManager>()
  private readonly certificateProviders = new Map<string, ClientCertificate.ClientCertificateProvider>()
  private readonly authManagers = new Map<string, AuthTokenManager.AuthTokenManager>()
  /** answers TestKit owes the backend (resolver, bookmark manager callbacks), by request id */
  private readonly callbacks = new Map<string, Deferred.Deferred<Json.Json>>()
  private readonly fibers = new Set<Fiber.RuntimeFiber<void, never>>()
  private closed = false

  constructor(
    private readonly out: (text: string) => void,
    private readonly debug: boolean
  ) {}

  private id(): string {
    return String(this.nextId++)
  }

  private write(name: string, data: unknown = {}): void {
    const json = Json.stringify({ name, data })
    if (this.debug) console.error(`>>> ${json}`)
    this.out(`#response begin\n${json}\n#response end\n`)
  }

  /** Answers with the error: a driver error (kept by id), the test's own error, or a backend error. */
  private writeError(e: unknown): void {
    if (e instanceof FrontendUserError) return this.write("FrontendError", { msg: e.message })
    if (e instanceof BackendFailure) return this.write("BackendError", { msg: e.message })
    if (isTaggedError(e)) {
      const id = this.id()
      this.errors.set(id, e)
      const f = e as unknown as Record<string, unknown>
      return this.write("DriverError", {
        id,
        errorType: e._tag,
        msg: serverMessageOf(f),
        code: typeof f.code === "string" ? f.code : undefined,
        retryable: Neo4jError.isRetriable(e),
        ...gqlFields(f),
        cause: gqlCause(f.cause)
      })
    }
    if (e instanceof Error) {
      // a value the driver's constructors refused (RangeError, TypeError): the driver's own check
      const id = this.id()
      this.errors.set(id, e)
      return this.write("DriverError", { id, errorType: e.name, msg: e.message })
    }
    return this.write("BackendError", { msg: String(e) })
  }

  /** Handles one request (its JSON text). */
  handle(text: string): void {
    if (this.closed) return
    let req: { name?: unknown; data?: unknown }
    try {
      req = Json.parse(text) as { name?: unknown; data?: unknown }
    } catch (e) {
      return this.write("BackendError", { msg: `unreadable request: ${String(e)}` })
    }
    if (this.debug) console.error(`<<< ${text.trim()}`)
    const name = String(req.name)
    const data = (req.data ?? {}) as Req
    const handler = this.handlers[name]
    if (handler === undefined) {
      return this.write("BackendError", { msg: `effect-neo4j's backend does not support the request ${name}` })
    }
    const program = Effect.suspend(() => handler(data)).pipe(
      Effect.catchAllCause((cause) =>
        Effect.sync(() => {
          if (Cause.isInterruptedOnly(cause)) return
          const e = failureOrDefects(cause)[0]
          this.writeError(e ?? new BackendFailure({ message: Cause.pretty(cause) }))
        })
      )
    )
    const fiber = Effect.runFork(program)
    this.fibers.add(fiber)
    fiber.addObserver(() => this.fibers.delete(fiber))
  }

  /** Interrupts what is running and closes every driver. */
  readonly close: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    const fibers = [...this.fibers]
    const drivers = [...this.drivers.values()]
    this.drivers.clear()
    return Effect.zipRight(
      Effect.forEach(fibers, Fiber.interrupt, { discard: true }),
      Effect.forEach(drivers, (d) => Scope.close(d.scope, Exit.void), { discard: true })
    ).pipe(Effect.timeout(Duration.seconds(5)), Effect.ignore)
  })

  private get<A>(map: Map<string, A>, id: Json.Json | undefined, what: string): Effect.Effect<A, BackendFailure> {
    const v = map.get(String(id))
    return v === undefined ? Effect.fail(new BackendFailure({ message: `unknown ${what} id ${String(id)}` })) : Effect.succeed(v)
  }

  /** Asks TestKit for a callback's answer (the response `name` must carry the new request id). */
  private ask(name: string, data: Record<string, unknown>): Effect.Effect<Json.Json> {
    return Effect.flatMap(Deferred.make<Json.Json>(), (d) =>
      Effect.suspend(() => {
        const id = this.id()
        this.callbacks.set(id, d)
        this.write(name, { id, ...data })
        return Effect.ensuring(
          Deferred.await(d),
          Effect.sync(() => this.callbacks.delete(id))
        )
      })
    )
  }

  private complete(d: Req, value: Json.Json): Effect.Effect<void, BackendFailure> {
    return Effect.flatMap(this.get(this.callbacks, d.requestId, "callback request"), (def) =>
      Deferred.succeed(def, value)
    )
  }

  private addResult(result: Res.Result): void {
    const id = this.id()
    this.results.set(id, { result })
    this.write("Result", { id, keys: result.keys })
  }

  /** A transaction function: RetryableTry per attempt, RetryableDone at the end. */
  private transactionFunction(d: Req, mode: "READ" | "WRITE"): Effect.Effect<void, unknown> {
    return Effect.flatMap(this.get(this.sessions, d.sessionId, "session"), (s) => {
      const work = (tx: Transaction.ManagedTransaction) =>
        Effect.gen(this, function* () {
          const deferred = yield* Deferred.make<void, unknown>()
          const scope = yield* Scope.fork(s.scope, ExecutionStrategy.sequential)
          const id = this.id()
          this.txs.set(id, { run: tx.run, explicit: undefined, scope })
          s.retryable = deferred
          this.write("RetryableTry", { id })
          const outcome = yield* Effect.exit(Deferred.await(deferred))
          s.retryable = undefined
          yield* Scope.close(scope, Exit.void)
          return yield* outcome
        })
      const config = { ...metadataOf(d), ...timeoutOf(d) }
      const run = mode === "READ" ? s.session.executeRead(work, config) : s.session.executeWrite(work, config)
      return Effect.zipRight(run, Effect.sync(() => this.write("RetryableDone")))
    })
  }

  private readonly handlers: Record<string, (d: Req) => Effect.Effect<void, unknown>> = {
    StartTest: (d) =>
      Effect.sync(() => {
        const id = String(d.testName)
        const reason = skipReason(id)
        if (reason !== undefined) this.write("SkipTest", { reason })
        else if (hasSubtestSkips(id)) this.write("RunSubTests")
        else this.write("RunTest")
      }),
    StartSubTest: (d) =>
      Effect.sync(() => {
        const reason = subtestSkipReason(String(d.testName), (d.subtestArguments ?? {}) as Record<string, unknown>)
        if (reason !== undefined) this.write("SkipTest", { reason })
        else this.write("RunTest")
      }),
    GetFeatures: () => Effect.sync(() => this.write("FeatureList", { features: FEATURES })),

    NewDriver: (d) =>
      Effect.gen(this, function* () {
        if (d.encrypted !== undefined || d.trustedCertificates !== undefined) {
          return yield* new BackendFailure({ message: "encrypted / trustedCertificates options: TLS is chosen by the URI scheme" })
        }
        const config: Record<string, unknown> = {
          uri: String(d.uri),
          auth:
            d.authTokenManagerId !== null && d.authTokenManagerId !== undefined
              ? yield* this.get(this.authManagers, d.authTokenManagerId, "auth token manager")
              : authOf(d.authorizationToken),
          useBigInt: true
        }
        const opt = (key: string, value: unknown) => {
          if (value !== undefined && value !== null) config[key] = value
        }
        opt("userAgent", str(d.userAgent))
        opt("connectionTimeout", num(d.connectionTimeoutMs))
        opt("fetchSize", num(d.fetchSize))
        opt("maxTransactionRetryTime", num(d.maxTxRetryTimeMs))
        opt("connectionLivenessCheckTimeout", num(d.livenessCheckTimeoutMs))
        opt("maxConnectionPoolSize", num(d.maxConnectionPoolSize))
        opt("connectionAcquisitionTimeout", num(d.connectionAcquisitionTimeoutMs))
        opt("telemetryDisabled", typeof d.telemetryDisabled === "boolean" ? d.telemetryDisabled : undefined)
        if (d.clientCertificateProviderId != null) {
          config.clientCertificate = yield* this.get(this.certificateProviders, d.clientCertificateProviderId, "client certificate provider")
        } else if (d.clientCertificate != null) {
          config.clientCertificate = clientCertificateOf(d.clientCertificate)
        }
        Object.assign(config, notificationFilterOf(d))
        const resolver =
          d.resolverRegistered === true
            ? (address: string) =>
                Effect.map(this.ask("ResolverResolutionRequired", { address }), (a) =>
                  Array.isArray(a) ? a.map(String) : []
                )
            : undefined
        const domainNameResolver =
          d.domainNameResolverRegistered === true
            ? (name: string) =>
                Effect.map(this.ask("DomainNameResolutionRequired", { name }), (a) =>
                  Array.isArray(a) ? a.map(String) : []
                )
            : undefined
        const scope = yield* Scope.make()
        const exit = yield* Effect.exit(
          Scope.extend(
            Neo4jDriver.make(config as unknown as DriverConfig.DriverConfig, { resolver, domainNameResolver }),
            scope
          )
        )
        if (Exit.isFailure(exit)) {
          yield* Scope.close(scope, exit)
          return yield* exit
        }
        const id = this.id()
        this.drivers.set(id, { driver: exit.value, scope })
        this.write("Driver", { id })
      }),

    DriverClose: (d) =>
      Effect.gen(this, function* () {
        const entry = yield* this.get(this.drivers, d.driverId, "driver")
        yield* Scope.close(entry.scope, Exit.void)
        this.write("Driver", { id: d.driverId })
      }),

    VerifyConnectivity: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        yield* driver.verifyConnectivity()
        this.write("Driver", { id: d.driverId })
      }),

    GetServerInfo: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const info = yield* driver.getServerInfo()
        this.write("ServerInfo", { address: info.address, agent: info.agent, protocolVersion: info.protocolVersion })
      }),

    CheckMultiDBSupport: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const available = yield* driver.supportsMultiDb()
        this.write("MultiDBSupport", { id: d.driverId, available })
      }),

    CheckSessionAuthSupport: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const available = yield* driver.supportsSessionAuth()
        this.write("SessionAuthSupport", { id: d.driverId, available })
      }),

    VerifyAuthentication: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const authenticated = yield* driver.verifyAuthentication(d.authorizationToken != null ? authOf(d.authorizationToken) : undefined)
        this.write("DriverIsAuthenticated", { id: d.driverId, authenticated })
      }),

    // auth token managers: TestKit's functions behind the driver's AuthTokenManager (asked over
    // the backend protocol); the basic and bearer ones are the driver's own, around TestKit's provider
    NewAuthTokenManager: () =>
      Effect.sync(() => {
        const id = this.id()
        this.authManagers.set(
          id,
          AuthTokenManager.make({
            getToken: Effect.map(this.ask("AuthTokenManagerGetAuthRequest", { authTokenManagerId: id }), authOf),
            handleSecurityException: (token, code) =>
              Effect.map(
                this.ask("AuthTokenManagerHandleSecurityExceptionRequest", { authTokenManagerId: id, auth: tokenToJson(token), errorCode: code }),
                (handled) => handled === true
              )
          })
        )
        this.write("AuthTokenManager", { id })
      }),
    NewBasicAuthTokenManager: () =>
      Effect.sync(() => {
        const id = this.id()
        this.authManagers.set(
          id,
          AuthTokenManager.basic(Effect.map(this.ask("BasicAuthTokenProviderRequest", { basicAuthTokenManagerId: id }), authOf))
        )
        this.write("BasicAuthTokenManager", { id })
      }),
    NewBearerAuthTokenManager: () =>
      Effect.sync(() => {
        const id = this.id()
        this.authManagers.set(
          id,
          AuthTokenManager.bearer(
            Effect.map(this.ask("BearerAuthTokenProviderRequest", { bearerAuthTokenManagerId: id }), (answer) => {
              const a = (((answer as { data?: Req } | null)?.data ?? answer ?? {}) as Req)
              const inMs = num(a.expiresInMs)
              return { token: authOf(a.auth), expiresAt: inMs === undefined ? undefined : Date.now() + inMs }
            })
          )
        )
        this.write("BearerAuthTokenManager", { id })
      }),
    AuthTokenManagerGetAuthCompleted: (d) => this.complete(d, d.auth ?? null),
    AuthTokenManagerHandleSecurityExceptionCompleted: (d) => this.complete(d, d.handled === true),
    BasicAuthTokenProviderCompleted: (d) => this.complete(d, d.auth ?? null),
    BearerAuthTokenProviderCompleted: (d) => this.complete(d, d.auth ?? null),
    AuthTokenManagerClose: (d) =>
      Effect.sync(() => {
        this.authManagers.delete(String(d.id))
        this.write("AuthTokenManager", { id: d.id })
      }),

    CheckDriverIsEncrypted: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        this.write("DriverIsEncrypted", { encrypted: driver.isEncrypted() })
      }),

    GetConnectionPoolMetrics: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const pools = yield* driver.connectionPoolMetrics()
        const pool = pools.find((p) => p.address === String(d.address))
        this.write("ConnectionPoolMetrics", { inUse: pool?.inUse ?? 0, idle: pool?.idle ?? 0 })
      }),

    GetRoutingTable: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const database = typeof d.database === "string" ? d.database : undefined
        const table = yield* driver.routingTable(database)
        // no table held (none fetched yet, or every fetch failed) reads as an empty one, as the
        // reference drivers' initial table
        const held = Option.getOrElse(table, () => ({ database, ttl: 0, routers: [], readers: [], writers: [] }))
        const { readers, routers, ttl, writers } = held
        this.write("RoutingTable", { database: held.database ?? null, ttl, routers, readers, writers })
      }),

    ForcedRoutingTableUpdate: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const database = typeof d.database === "string" ? d.database : undefined
        const bookmarks = Array.isArray(d.bookmarks) ? d.bookmarks.map(String) : []
        yield* driver.updateRoutingTable({ database, bookmarks })
        this.write("Driver", { id: d.driverId })
      }),

    ResolverResolutionCompleted: (d) => this.complete(d, d.addresses ?? []),
    DomainNameResolutionCompleted: (d) => this.complete(d, d.addresses ?? []),
    BookmarksSupplierCompleted: (d) => this.complete(d, d.bookmarks ?? []),
    BookmarksConsumerCompleted: (d) => this.complete(d, null),
    ClientCertificateProviderCompleted: (d) =>
      this.complete(d, { hasUpdate: d.hasUpdate === true, clientCertificate: d.clientCertificate ?? null }),

    NewClientCertificateProvider: () =>
      Effect.sync(() => {
        const id = this.id()
        // TestKit answers one request with both whether the certificate changed and the
        // certificate: `hasUpdate` asks, and keeps the certificate for the `getClientCertificate`
        // that follows a true; the driver's first connection calls `getClientCertificate` alone,
        // which asks. One request per connection opened, as TestKit counts them.
        let kept: ClientCertificate.ClientCertificate | undefined
        const ask = Effect.map(
          this.ask("ClientCertificateProviderRequest", { clientCertificateProviderId: id }),
          (answer) => {
            const a = (answer ?? {}) as Req
            return { hasUpdate: a.hasUpdate === true, certificate: clientCertificateOf(a.clientCertificate) }
          }
        )
        this.certificateProviders.set(id, {
          hasUpdate: Effect.map(ask, ({ certificate, hasUpdate }) => {
            kept = hasUpdate ? certificate : undefined
            return hasUpdate
          }),
          getClientCertificate: Effect.suspend(() => {
            const certificate = kept
            kept = undefined
            return certificate !== undefined ? Effect.succeed(certificate) : Effect.map(ask, (a) => a.certificate)
          })
        })
        this.write("ClientCertificateProvider", { id })
      }),

    ClientCertificateProviderClose: (d) =>
      Effect.sync(() => {
        this.certificateProviders.delete(String(d.id))
        this.write("ClientCertificateProvider", { id: d.id })
      }),

    NewBookmarkManager: (d) =>
      Effect.gen(this, function* () {
        const initial = Array.isArray(d.initialBookmarks) ? d.initialBookmarks.map(String) : []
        const inner = yield* Bookmarks.makeManager(initial)
        const id = this.id()
        const supplier = d.bookmarksSupplierRegistered === true
        const consumer = d.bookmarksConsumerRegistered === true
        // the driver's in-memory manager, with TestKit's supplier and consumer around it (as the
        // official drivers' bookmarkManager({ initialBookmarks, bookmarksSupplier, bookmarksConsumer }))
        const manager: Bookmarks.BookmarkManager = {
          getBookmarks: supplier
            ? Effect.flatMap(inner.getBookmarks, (own) =>
                Effect.map(this.ask("BookmarksSupplierRequest", { bookmarkManagerId: id }), (more) => [
                  ...new Set([...own, ...(Array.isArray(more) ? more.map(String) : [])])
                ])
              )
            : inner.getBookmarks,
          updateBookmarks: (previous, next) =>
            Effect.zipRight(
              inner.updateBookmarks(previous, next),
              consumer && next.length > 0
                ? Effect.flatMap(inner.getBookmarks, (bookmarks) =>
                    Effect.asVoid(this.ask("BookmarksConsumerRequest", { bookmarkManagerId: id, bookmarks }))
                  )
                : Effect.void
            )
        }
        this.managers.set(id, manager)
        this.write("BookmarkManager", { id })
      }),

    BookmarkManagerClose: (d) =>
      Effect.sync(() => {
        this.managers.delete(String(d.id))
        this.write("BookmarkManager", { id: d.id })
      }),

    NewSession: (d) =>
      Effect.gen(this, function* () {
        const entry = yield* this.get(this.drivers, d.driverId, "driver")
        const bookmarkManager =
          d.bookmarkManagerId === undefined || d.bookmarkManagerId === null
            ? undefined
            : yield* this.get(this.managers, d.bookmarkManagerId, "bookmark manager")
        const config: Session.SessionConfig = {
          defaultAccessMode: d.accessMode === "r" ? "READ" : "WRITE",
          ...(Array.isArray(d.bookmarks) ? { bookmarks: d.bookmarks.map(String) } : {}),
          ...(typeof d.database === "string" ? { database: d.database } : {}),
          ...(num(d.fetchSize) !== undefined ? { fetchSize: num(d.fetchSize)! } : {}),
          ...(typeof d.impersonatedUser === "string" ? { impersonatedUser: d.impersonatedUser } : {}),
          ...(d.authorizationToken != null ? { auth: authOf(d.authorizationToken) } : {}),
          ...(bookmarkManager ? { bookmarkManager } : {}),
          ...notificationFilterOf(d)
        }
        const scope = yield* Scope.fork(entry.scope, ExecutionStrategy.sequential)
        const session = yield* Scope.extend(entry.driver.session(config), scope)
        const id = this.id()
        this.sessions.set(id, { session, scope, retryable: undefined })
        this.write("Session", { id })
      }),

    SessionClose: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        yield* Scope.close(s.scope, Exit.void)
        this.write("Session", { id: d.sessionId })
      }),

    SessionRun: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        const params = mapToDriver(d.params as Record<string, unknown> | null)
        const result = yield* s.session.run(String(d.cypher), params, { ...metadataOf(d), ...timeoutOf(d) })
        this.addResult(result)
      }),

    SessionLastBookmarks: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        const bookmarks = yield* s.session.lastBookmarks()
        this.write("Bookmarks", { bookmarks })
      }),

    SessionBeginTransaction: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        const scope = yield* Scope.fork(s.scope, ExecutionStrategy.sequential)
        const exit = yield* Effect.exit(
          Scope.extend(s.session.beginTransaction({ ...metadataOf(d), ...timeoutOf(d) }), scope)
        )
        if (Exit.isFailure(exit)) {
          yield* Scope.close(scope, exit)
          return yield* exit
        }
        const id = this.id()
        this.txs.set(id, { run: exit.value.run, explicit: exit.value, scope })
        this.write("Transaction", { id })
      }),

    SessionReadTransaction: (d) => this.transactionFunction(d, "READ"),
    SessionWriteTransaction: (d) => this.transactionFunction(d, "WRITE"),

    RetryablePositive: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        if (s.retryable === undefined) return yield* new BackendFailure({ message: "no transaction function is waiting" })
        yield* Deferred.succeed(s.retryable, undefined)
      }),

    RetryableNegative: (d) =>
      Effect.gen(this, function* () {
        const s = yield* this.get(this.sessions, d.sessionId, "session")
        if (s.retryable === undefined) return yield* new BackendFailure({ message: "no transaction function is waiting" })
        const known = d.errorId === "" || d.errorId === undefined ? undefined : this.errors.get(String(d.errorId))
        yield* Deferred.fail(s.retryable, known ?? new FrontendUserError())
      }),

    TransactionRun: (d) =>
      Effect.gen(this, function* () {
        const tx = yield* this.get(this.txs, d.txId, "transaction")
        const params = mapToDriver(d.params as Record<string, unknown> | null)
        const result = yield* tx.run(String(d.cypher), params)
        this.addResult(result)
      }),

    TransactionCommit: (d) =>
      Effect.gen(this, function* () {
        const tx = yield* this.get(this.txs, d.txId, "transaction")
        if (tx.explicit === undefined) return yield* new BackendFailure({ message: "a transaction function's transaction is committed by the driver" })
        yield* tx.explicit.commit
        this.write("Transaction", { id: d.txId })
      }),

    TransactionRollback: (d) =>
      Effect.gen(this, function* () {
        const tx = yield* this.get(this.txs, d.txId, "transaction")
        if (tx.explicit === undefined) return yield* new BackendFailure({ message: "a transaction function's transaction is rolled back by the driver" })
        yield* tx.explicit.rollback
        this.write("Transaction", { id: d.txId })
      }),

    TransactionClose: (d) =>
      Effect.gen(this, function* () {
        const tx = yield* this.get(this.txs, d.txId, "transaction")
        yield* Scope.close(tx.scope, Exit.void)
        this.write("Transaction", { id: d.txId })
      }),

    ResultNext: (d) =>
      Effect.gen(this, function* () {
        const { result } = yield* this.get(this.results, d.resultId, "result")
        const next = yield* result.next
        if (Option.isSome(next)) this.write("Record", recordOf(next.value))
        else this.write("NullRecord")
      }),

    ResultPeek: (d) =>
      Effect.gen(this, function* () {
        const { result } = yield* this.get(this.results, d.resultId, "result")
        const peeked = yield* result.peek
        if (Option.isSome(peeked)) this.write("Record", recordOf(peeked.value))
        else this.write("NullRecord")
      }),

    ResultSingle: (d) =>
      Effect.gen(this, function* () {
        const { result } = yield* this.get(this.results, d.resultId, "result")
        const record = yield* result.single
        this.write("Record", recordOf(record))
      }),

    ResultList: (d) =>
      Effect.gen(this, function* () {
        const { result } = yield* this.get(this.results, d.resultId, "result")
        const records = yield* result.list
        this.write("RecordList", { records: Chunk.toArray(records).map(recordOf) })
      }),

    ResultConsume: (d) =>
      Effect.gen(this, function* () {
        const { result } = yield* this.get(this.results, d.resultId, "result")
        const summary = yield* result.consume
        this.write("Summary", summaryOf(summary))
      }),

    ExecuteQuery: (d) =>
      Effect.gen(this, function* () {
        const { driver } = yield* this.get(this.drivers, d.driverId, "driver")
        const c = (d.config ?? {}) as Req
        const managerId = c.bookmarkManagerId
        const bookmarkManager =
          managerId === undefined || managerId === null
            ? undefined
            : managerId === -1
              ? null
              : yield* this.get(this.managers, managerId, "bookmark manager")
        const config: Neo4jDriver.QueryConfig = {
          ...(c.routing === "r" ? { routing: "READ" as const } : c.routing === "w" ? { routing: "WRITE" as const } : {}),
          ...(typeof c.database === "string" ? { database: c.database } : {}),
          ...(typeof c.impersonatedUser === "string" ? { impersonatedUser: c.impersonatedUser } : {}),
          ...(c.authorizationToken != null ? { auth: authOf(c.authorizationToken) } : {}),
          ...(bookmarkManager !== undefined ? { bookmarkManager } : {}),
          ...metadataOf(c),
          ...timeoutOf(c)
        }
        const params = mapToDriver(d.params as Record<string, unknown> | null)
        const eager = yield* driver.executeQuery(String(d.cypher), params, config)
        this.write("EagerResult", {
          keys: eager.keys,
          records: eager.records.map(recordOf),
          summary: summaryOf(eager.summary)
        })
      })
  }
}

/** The failures of a cause, else its defects. */
const failureOrDefects = (cause: Cause.Cause<unknown>): Array<unknown> => {
  const out: Array<unknown> = []
  const walk = (c: Cause.Cause<unknown>): void => {
    switch (c._tag) {
      case "Fail":
        out.push(c.error)
        return
      case "Die":
        out.push(c.defect)
        return
      case "Sequential":
      case "Parallel":
        walk(c.left)
        walk(c.right)
        return
      default:
        return
    }
  }
  walk(cause)
  return out
}
