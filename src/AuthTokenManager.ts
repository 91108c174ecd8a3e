/**
 * Auth token managers: where a driver gets its credentials when they change while it runs
 * (password rotation from a secret store, SSO tokens that expire), as the official drivers'
 * `AuthTokenManager`. Pass one as the driver's `auth` instead of a fixed `AuthToken`.
 *
 * The driver asks the manager for the current token each time it takes a connection for work
 * (one that is idle in the pool, or one it opens). A pooled connection logged in with another
 * token is re-authenticated first (Bolt 5.1+: LOGOFF and LOGON, sent with the work's first
 * message, no extra round trip), or closed and replaced on older servers. When the server fails
 * a request with a security error (`Neo.ClientError.Security.*`), the manager is told (the token
 * and the code); a manager that handles it (it will give a new token) makes the error retriable,
 * so transaction functions run again with the new token.
 *
 * The built-in managers call their provider once at a time, never per connection: 64 fibers
 * asking during a refresh wait for the one provider call and share its token.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Auth from "./Auth.js"
import type { AuthToken } from "./Auth.js"
import { AuthTokenProviderError } from "./Neo4jError.js"

const TypeId: unique symbol = Symbol.for("effect-neo4j/AuthTokenManager")

/**
 * A source of auth tokens for a driver.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, AuthTokenManager } from "effect-neo4j"
 *
 * // a hand-written manager: always the same token, and never handles a failure
 * const manager: AuthTokenManager.AuthTokenManager = AuthTokenManager.make({
 *   getToken: Effect.succeed(Auth.basic("neo4j", "password")),
 *   handleSecurityException: () => Effect.succeed(false)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthTokenManager {
  readonly [TypeId]: typeof TypeId
  /** The token for a connection about to be used; asked each time the driver takes a connection for work. */
  readonly getToken: Effect.Effect<AuthToken, AuthTokenProviderError>
  /**
   * Told when the server failed a request of a connection logged in with `token`, with a security
   * error `code` (`Neo.ClientError.Security.*`). `true`: handled, the next `getToken` gives a
   * token worth trying, and the error is retriable.
   */
  readonly handleSecurityException: (token: AuthToken, code: string) => Effect.Effect<boolean>
}

const proto = {
  toString() {
    return "AuthTokenManager"
  },
  toJSON() {
    return { _id: "AuthTokenManager" }
  },
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return "AuthTokenManager"
  }
}

/**
 * A manager from its two functions. A `getToken` that fails fails the work that needed a
 * connection with an `AuthTokenProviderError` holding its error as the `cause`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Auth, AuthTokenManager, Neo4jDriver } from "effect-neo4j"
 *
 * // the current password, from a secret store (here a stand-in)
 * const readPassword: Effect.Effect<Redacted.Redacted<string>, Error> = Effect.succeed(Redacted.make("password"))
 *
 * const manager = AuthTokenManager.make({
 *   getToken: Effect.map(readPassword, (password) => Auth.basic("app", password)),
 *   handleSecurityException: (_token, code) => Effect.succeed(code === "Neo.ClientError.Security.Unauthorized")
 * })
 * const DriverLive = Neo4jDriver.layer({ uri: "neo4j://localhost", auth: manager })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E>(options: {
  readonly getToken: Effect.Effect<AuthToken, E>
  readonly handleSecurityException?: ((token: AuthToken, code: string) => Effect.Effect<boolean>) | undefined
}): AuthTokenManager =>
  Object.assign(Object.create(proto), {
    [TypeId]: TypeId,
    getToken: Effect.mapError(options.getToken, providerError),
    handleSecurityException: options.handleSecurityException ?? (() => Effect.succeed(false))
  }) as AuthTokenManager

const providerError = (cause: unknown): AuthTokenProviderError =>
  cause instanceof AuthTokenProviderError
    ? cause
    : new AuthTokenProviderError({ message: `the auth token provider failed: ${describe(cause)}`, cause })

/** An error's own words, never a token (a provider error is the user's, and might hold anything). */
const describe = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null) {
    const tag = (cause as { _tag?: unknown })._tag
    const message = (cause as { message?: unknown }).message
    if (typeof message === "string" && message !== "") return typeof tag === "string" ? `${tag}: ${message}` : message
    if (typeof tag === "string") return tag
  }
  return typeof cause === "string" ? cause : "see the cause"
}

/**
 * Always the same token, and no failure handled: what a driver made with a plain `AuthToken`
 * does.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, AuthTokenManager } from "effect-neo4j"
 *
 * const manager = AuthTokenManager.staticToken(Auth.basic("neo4j", "password"))
 * const token = Effect.runSync(manager.getToken)
 * assert.strictEqual(token.principal, "neo4j")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const staticToken = (token: AuthToken): AuthTokenManager => make({ getToken: Effect.succeed(token) })

/**
 * A token and when it stops being valid.
 *
 * @example
 * ```ts
 * import { Auth, AuthTokenManager } from "effect-neo4j"
 *
 * const expiring: AuthTokenManager.ExpiringToken = { token: Auth.bearer("eyJ..."), expiresAt: Date.now() + 3_600_000 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpiringToken {
  readonly token: AuthToken
  /** epoch milliseconds (or a Date) after which the token is not used; absent: never expires */
  readonly expiresAt?: number | Date | undefined
}

/** The codes the basic manager handles: the password changed. */
const BASIC_CODES: ReadonlySet<string> = new Set(["Neo.ClientError.Security.Unauthorized"])
/** The codes the bearer manager handles: the token expired or was refused. */
const BEARER_CODES: ReadonlySet<string> = new Set([
  "Neo.ClientError.Security.TokenExpired",
  "Neo.ClientError.Security.Unauthorized"
])

/**
 * A token asked of `provider` once, and again only when it expires (`refreshBefore` its
 * deadline) or when the server refuses it with one of `codes`. One provider call at a time:
 * whoever asks during a refresh waits for it and shares its token. A failed call leaves nothing
 * cached (the next asker calls again).
 */
const refreshing = <E>(
  provider: Effect.Effect<ExpiringToken, E>,
  codes: ReadonlySet<string>,
  refreshBefore: number
): AuthTokenManager => {
  let current: { readonly token: AuthToken; readonly expiresAt: number | undefined } | undefined
  const lock = Effect.unsafeMakeSemaphore(1)
  const valid = (now: number) =>
    current !== undefined && (current.expiresAt === undefined || now < current.expiresAt - refreshBefore)
  const ask = Effect.flatMap(provider, (fresh) =>
    Effect.sync(() => {
      const at = fresh.expiresAt
      current = { token: fresh.token, expiresAt: at === undefined ? undefined : typeof at === "number" ? at : at.getTime() }
      return fresh.token
    })
  )
  const refresh = lock.withPermits(1)(
    Effect.flatMap(Clock.currentTimeMillis, (now) => (valid(now) ? Effect.succeed(current!.token) : ask))
  )
  const getToken = Effect.flatMap(Clock.currentTimeMillis, (now) => (valid(now) ? Effect.succeed(current!.token) : refresh))
  return make({
    getToken,
    handleSecurityException: (token, code) =>
      Effect.sync(() => {
        if (!codes.has(code)) return false
        // only the token that failed is dropped: 64 failures of one token make one refresh
        if (current !== undefined && Auth.equals(current.token, token)) current = undefined
        return true
      })
  })
}

/**
 * Password rotation: a token asked of `provider` when first needed and kept until the server
 * refuses it (`Neo.ClientError.Security.Unauthorized`, then retriable: the next attempt asks the
 * provider again). For a password kept in a secret store.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { Auth, AuthTokenManager, Neo4jDriver } from "effect-neo4j"
 *
 * // read again whenever the server refuses the current password
 * const manager = AuthTokenManager.basic(Effect.map(Config.redacted("NEO4J_PASSWORD"), (p) => Auth.basic("app", p)))
 * const DriverLive = Neo4jDriver.layer({ uri: "neo4j+s://db.example.com", auth: manager })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const basic = <E>(provider: Effect.Effect<AuthToken, E>): AuthTokenManager =>
  refreshing(Effect.map(provider, (token) => ({ token })), BASIC_CODES, 0)

/**
 * Expiring tokens (SSO): a token asked of `provider` when first needed, kept until its deadline
 * (less `refreshBefore`, default 0), and dropped when the server says it expired
 * (`Neo.ClientError.Security.TokenExpired`) or refuses it (`Unauthorized`); both are then
 * retriable, so a transaction function runs again with a fresh token.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, AuthTokenManager, Neo4jDriver } from "effect-neo4j"
 *
 * // the SSO provider's token endpoint (here a stand-in)
 * const fetchAccessToken: Effect.Effect<{ readonly accessToken: string; readonly expiresInSeconds: number }, Error> =
 *   Effect.succeed({ accessToken: "eyJ...", expiresInSeconds: 3600 })
 *
 * const manager = AuthTokenManager.bearer(
 *   Effect.map(fetchAccessToken, (t) => ({ token: Auth.bearer(t.accessToken), expiresAt: Date.now() + t.expiresInSeconds * 1000 })),
 *   { refreshBefore: "30 seconds" }
 * )
 * const DriverLive = Neo4jDriver.layer({ uri: "neo4j+s://db.example.com", auth: manager })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer = <E>(
  provider: Effect.Effect<ExpiringToken, E>,
  options?: { readonly refreshBefore?: Duration.DurationInput | undefined }
): AuthTokenManager =>
  refreshing(provider, BEARER_CODES, options?.refreshBefore === undefined ? 0 : Duration.toMillis(options.refreshBefore))

/**
 * Whether a value is an AuthTokenManager.
 *
 * @example
 * ```ts
 * import { Auth, AuthTokenManager } from "effect-neo4j"
 *
 * assert.strictEqual(AuthTokenManager.isAuthTokenManager(AuthTokenManager.staticToken(Auth.none())), true)
 * assert.strictEqual(AuthTokenManager.isAuthTokenManager(Auth.none()), false)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isAuthTokenManager = (u: unknown): u is AuthTokenManager =>
  typeof u === "object" && u !== null && TypeId in u
