/**
 * Authentication tokens, as in the official drivers (`neo4j.auth.basic(...)`), with every secret
 * held as a `Redacted` until it is packed into HELLO or LOGON. A token prints as
 * `AuthToken(basic, neo4j)`: never the secret, whether through `toString`, `JSON.stringify` or a log.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

const TypeId: unique symbol = Symbol.for("effect-neo4j/AuthToken")

/**
 * An authentication token.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthToken {
  readonly [TypeId]: typeof TypeId
  /** "basic", "bearer", "kerberos", "none" or a custom scheme */
  readonly scheme: string
  readonly principal?: string
  readonly credentials?: Redacted.Redacted<string>
  readonly realm?: string
  readonly parameters?: Readonly<Record<string, unknown>>
}

const proto = {
  toString(this: AuthToken) {
    return this.principal === undefined ? `AuthToken(${this.scheme})` : `AuthToken(${this.scheme}, ${this.principal})`
  },
  toJSON(this: AuthToken) {
    return { scheme: this.scheme, principal: this.principal, credentials: "<redacted>" }
  },
  [Symbol.for("nodejs.util.inspect.custom")](this: AuthToken) {
    return (this as unknown as { toString(): string }).toString()
  }
}

const make = (fields: Omit<AuthToken, typeof TypeId>): AuthToken =>
  Object.assign(Object.create(proto), { [TypeId]: TypeId }, fields) as AuthToken

const secret = (s: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(s) ? s : Redacted.make(s)

/**
 * Username and password.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const DriverLive = Neo4jDriver.layer({
 *   uri: "neo4j://localhost",
 *   auth: Auth.basic("neo4j", Redacted.make("password"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const basic = (
  username: string,
  password: string | Redacted.Redacted<string>,
  realm?: string
): AuthToken =>
  make({ scheme: "basic", principal: username, credentials: secret(password), ...(realm ? { realm } : {}) })

/**
 * A bearer token (SSO).
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * // the SSO access token, read as a Redacted from SSO_TOKEN
 * const DriverLive = Neo4jDriver.layerConfig(
 *   Config.map(Config.redacted("SSO_TOKEN"), (token) => ({ uri: "neo4j+s://db.example.com", auth: Auth.bearer(token) }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer = (token: string | Redacted.Redacted<string>): AuthToken =>
  make({ scheme: "bearer", credentials: secret(token) })

/**
 * A base64-encoded Kerberos ticket.
 *
 * @example
 * ```ts
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * const DriverLive = Neo4jDriver.layer({
 *   uri: "neo4j://db.example.com",
 *   auth: Auth.kerberos("YIIGNwYGKwYBBQUCoIIGKzCCBiegDTALBgkqhkiG9xIBAgKiggYU...")
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const kerberos = (ticket: string | Redacted.Redacted<string>): AuthToken =>
  make({ scheme: "kerberos", principal: "", credentials: secret(ticket) })

/**
 * No authentication (a server with auth disabled).
 *
 * @example
 * ```ts
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 *
 * // a local server with dbms.security.auth_enabled=false
 * const DriverLive = Neo4jDriver.layer({ uri: "bolt://localhost:7687", auth: Auth.none() })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const none = (): AuthToken => make({ scheme: "none" })

/**
 * A custom scheme for server auth plugins. As in the official drivers, empty credentials, realm
 * and parameters are left out of the token (the principal is always sent).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Auth } from "effect-neo4j"
 *
 * const token = Auth.custom("ada", Redacted.make("secret"), "", "my-plugin", { tenant: "t1" })
 * assert.strictEqual(String(token), "AuthToken(my-plugin, ada)")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const custom = (
  principal: string,
  credentials: string | Redacted.Redacted<string> | undefined,
  realm: string | undefined,
  scheme: string,
  parameters?: Readonly<Record<string, unknown>>
): AuthToken => {
  const secretValue = credentials === undefined ? undefined : secret(credentials)
  return make({
    scheme,
    principal,
    ...(secretValue !== undefined && Redacted.value(secretValue) !== "" ? { credentials: secretValue } : {}),
    ...(realm ? { realm } : {}),
    ...(parameters && Object.keys(parameters).length > 0 ? { parameters } : {})
  })
}

/**
 * Whether a value is an AuthToken.
 *
 * @example
 * ```ts
 * import { Auth } from "effect-neo4j"
 *
 * assert.strictEqual(Auth.isAuthToken(Auth.none()), true)
 * assert.strictEqual(Auth.isAuthToken({ scheme: "basic" }), false)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isAuthToken = (u: unknown): u is AuthToken => typeof u === "object" && u !== null && TypeId in u

/**
 * The token's fields as Bolt sends them (HELLO before 5.1, LOGON from 5.1). The credentials stay
 * `Redacted`: the message encoder unwraps them at pack time.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Auth } from "effect-neo4j"
 *
 * const fields = Auth.toWire(Auth.basic("neo4j", "password"))
 * assert.strictEqual(fields.scheme, "basic")
 * assert.strictEqual(fields.principal, "neo4j")
 * assert.ok(Redacted.isRedacted(fields.credentials)) // unwrapped only when packed
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toWire = (token: AuthToken): Record<string, unknown> => {
  const out: Record<string, unknown> = { scheme: token.scheme }
  if (token.principal !== undefined) out.principal = token.principal
  if (token.credentials !== undefined) out.credentials = token.credentials
  if (token.realm !== undefined) out.realm = token.realm
  if (token.parameters !== undefined) out.parameters = token.parameters
  return out
}

/**
 * Whether two tokens log in the same way (scheme, principal, credentials, realm, parameters):
 * the driver re-authenticates a pooled connection only when its token is not equal to the one
 * asked for.
 *
 * @example
 * ```ts
 * import { Auth } from "effect-neo4j"
 *
 * assert.strictEqual(Auth.equals(Auth.basic("neo4j", "pass"), Auth.basic("neo4j", "pass")), true)
 * assert.strictEqual(Auth.equals(Auth.basic("neo4j", "pass"), Auth.basic("neo4j", "pass++")), false)
 * ```
 *
 * @since 0.1.0
 * @category equivalence
 */
export const equals = (a: AuthToken, b: AuthToken): boolean =>
  a === b ||
  (a.scheme === b.scheme &&
    a.principal === b.principal &&
    a.realm === b.realm &&
    (a.credentials === undefined
      ? b.credentials === undefined
      : b.credentials !== undefined && Redacted.value(a.credentials) === Redacted.value(b.credentials)) &&
    sameValue(a.parameters, b.parameters))

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  )
}
