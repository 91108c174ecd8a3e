/**
 * Client certificates for mutual TLS, as the official drivers' `clientCertificate` option: a
 * certificate and its private key, given as file paths (`certfile`, `keyfile`, read by the
 * driver) or as PEM text (`cert`, `key`), with an optional key password; or a provider the driver
 * asks for the current certificate when it opens a connection, so that a certificate can be
 * rotated without restarting the driver (`rotating`).
 *
 * The private key (as text) and the password are `Redacted`: no error, log line, `toString` or
 * `JSON.stringify` of a config shows them. Errors name the file (or the option), never the key
 * or the password.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { InvalidConfigError } from "./Neo4jError.js"

/**
 * A certificate and its key as files, read by the driver (PEM): the official drivers'
 * `{ certfile, keyfile, password }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCertificateFiles {
  /** path of the certificate file (PEM; it may hold the chain after the certificate) */
  readonly certfile: string
  /** path of the private key file (PEM, possibly encrypted) */
  readonly keyfile: string
  /** the key's password, when the key is encrypted */
  readonly password?: Redacted.Redacted<string> | undefined
}

/**
 * A certificate and its key as PEM text.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCertificatePem {
  /** the certificate (PEM; it may hold the chain after the certificate) */
  readonly cert: string
  /** the private key (PEM, possibly encrypted) */
  readonly key: Redacted.Redacted<string>
  /** the key's password, when the key is encrypted */
  readonly password?: Redacted.Redacted<string> | undefined
}

/**
 * A client certificate: files or PEM text.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientCertificate = ClientCertificateFiles | ClientCertificatePem

/**
 * Gives the driver the client certificate, the official drivers' `ClientCertificateProvider`.
 * When it opens a connection the driver asks `hasUpdate` (one call at a time, never concurrently),
 * and, when it answers true (or for the first connection), `getClientCertificate`, then reads the
 * certificate's files. New connections use the new certificate; open ones keep theirs. The time
 * these take counts towards `connectionAcquisitionTimeout`.
 *
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { ClientCertificate } from "effect-neo4j"
 *
 * // a provider over a Ref that the app updates when its certificate is renewed
 * const fromRef = (ref: Ref.Ref<{ readonly version: number; readonly certificate: ClientCertificate.ClientCertificate }>) =>
 *   Effect.gen(function* () {
 *     let seen = (yield* Ref.get(ref)).version
 *     const provider: ClientCertificate.ClientCertificateProvider = {
 *       hasUpdate: Effect.map(Ref.get(ref), ({ version }) => version !== seen),
 *       getClientCertificate: Effect.map(Ref.get(ref), ({ version, certificate }) => {
 *         seen = version
 *         return certificate
 *       })
 *     }
 *     return provider
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCertificateProvider {
  /** Whether the certificate changed since `getClientCertificate` last gave it. */
  readonly hasUpdate: Effect.Effect<boolean>
  /** The certificate for new connections. */
  readonly getClientCertificate: Effect.Effect<ClientCertificate>
}

/**
 * A provider whose certificate the app replaces with `updateCertificate`: the official drivers'
 * `RotatingClientCertificateProvider`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RotatingClientCertificateProvider extends ClientCertificateProvider {
  /**
   * Replaces the certificate: connections opened from now on use it (its files are read when the
   * next connection opens), open ones keep theirs. Giving the same files again makes the driver
   * read them again (for a certificate renewed in place). A malformed certificate (a missing
   * `keyfile`, a password that is not `Redacted`, ...) is an `InvalidConfigError`, and the
   * provider keeps the one it had.
   */
  readonly updateCertificate: (certificate: ClientCertificate) => Effect.Effect<void, InvalidConfigError>
}

const secret = (s: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(s) ? s : Redacted.make(s)

/**
 * A client certificate from files, read by the driver when it needs them (a certificate given
 * in the config: when the driver is made; one from a provider: when a connection opens). The
 * password, if any, is kept `Redacted`.
 *
 * @example
 * ```ts
 * import { Auth, ClientCertificate, Neo4jDriver } from "effect-neo4j"
 *
 * const DriverLive = Neo4jDriver.layer({
 *   uri: "neo4j+s://db.example.com",
 *   auth: Auth.basic("app", "secret"),
 *   clientCertificate: ClientCertificate.fromFiles({
 *     certfile: "/etc/neo4j-client/client.pem",
 *     keyfile: "/etc/neo4j-client/client.key",
 *     password: "the key's password" // optional; a Redacted (Config.redacted) works too
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFiles = (options: {
  readonly certfile: string
  readonly keyfile: string
  readonly password?: string | Redacted.Redacted<string> | undefined
}): ClientCertificateFiles => ({
  certfile: options.certfile,
  keyfile: options.keyfile,
  ...(options.password !== undefined ? { password: secret(options.password) } : {})
})

/**
 * A client certificate from PEM text (a secret store, an environment variable); the key and the
 * password are kept `Redacted`.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { Auth, ClientCertificate, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const cert = yield* Config.string("NEO4J_CLIENT_CERT")
 *   const key = yield* Config.redacted("NEO4J_CLIENT_KEY")
 *   const driver = yield* Neo4jDriver.driver("bolt+s://db.example.com", Auth.none(), {
 *     clientCertificate: ClientCertificate.fromPem({ cert, key })
 *   })
 *   return yield* driver.verifyConnectivity()
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPem = (options: {
  readonly cert: string
  readonly key: string | Redacted.Redacted<string>
  readonly password?: string | Redacted.Redacted<string> | undefined
}): ClientCertificatePem => ({
  cert: options.cert,
  key: secret(options.key),
  ...(options.password !== undefined ? { password: secret(options.password) } : {})
})

/**
 * Whether a value is a `ClientCertificateProvider` (an object with `hasUpdate` and
 * `getClientCertificate` Effects) rather than a certificate.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClientCertificate } from "effect-neo4j"
 *
 * const isRotating = Effect.map(
 *   ClientCertificate.rotating({ initialCertificate: ClientCertificate.fromFiles({ certfile: "c.pem", keyfile: "k.pem" }) }),
 *   ClientCertificate.isProvider
 * ) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isProvider = (u: unknown): u is ClientCertificateProvider =>
  typeof u === "object" && u !== null &&
  Effect.isEffect((u as { hasUpdate?: unknown }).hasUpdate) &&
  Effect.isEffect((u as { getClientCertificate?: unknown }).getClientCertificate)

const showPath = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 80 ? u.slice(0, 80) + "..." : u)
  return u === undefined || u === null ? String(u) : typeof u
}

/**
 * What is wrong with a client certificate's shape (no file is read), each problem prefixed with
 * `name`; empty when it is well formed. Never quotes the key or the password.
 *
 * @example
 * ```ts
 * import { ClientCertificate } from "effect-neo4j"
 *
 * const problems = ClientCertificate.validate({ certfile: "client.pem" } as never)
 * assert.deepStrictEqual(problems, ["clientCertificate.keyfile must be the path of the private key file (got undefined)"])
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (certificate: unknown, name = "clientCertificate"): ReadonlyArray<string> => {
  if (typeof certificate !== "object" || certificate === null) {
    return [
      `${name} must be a client certificate ({ certfile, keyfile, password? } or { cert, key, password? }, see ClientCertificate.fromFiles and fromPem) or a ClientCertificateProvider`
    ]
  }
  const c = certificate as Record<string, unknown>
  if ("hasUpdate" in c || "getClientCertificate" in c) {
    return [
      `${name} looks like a ClientCertificateProvider, but its hasUpdate and getClientCertificate must be Effects (Effect<boolean>, Effect<ClientCertificate>), not functions`
    ]
  }
  const problems: Array<string> = []
  const files = "certfile" in c || "keyfile" in c
  const pem = "cert" in c || "key" in c
  if (files && pem) {
    problems.push(`${name} must give either files (certfile, keyfile) or PEM text (cert, key), not both`)
  } else if (pem) {
    if (typeof c.cert !== "string" || !c.cert.includes("-----BEGIN ")) {
      problems.push(`${name}.cert must be PEM text ("-----BEGIN CERTIFICATE-----..."); for a file use certfile`)
    }
    if (!Redacted.isRedacted(c.key)) {
      problems.push(
        `${name}.key must be the private key's PEM text as a Redacted (ClientCertificate.fromPem or Redacted.make), so that it cannot leak into logs; for a file use keyfile`
      )
    }
  } else {
    if (typeof c.certfile !== "string" || c.certfile.trim() === "") {
      problems.push(`${name}.certfile must be the path of the certificate file (got ${showPath(c.certfile)})`)
    }
    if (typeof c.keyfile !== "string" || c.keyfile.trim() === "") {
      // a keyfile may be a mistakenly pasted key: its type only
      problems.push(`${name}.keyfile must be the path of the private key file (got ${typeof c.keyfile === "string" ? '""' : showPath(c.keyfile)})`)
    } else if (c.keyfile.includes("-----BEGIN ")) {
      problems.push(`${name}.keyfile must be a file path, not the key's PEM text (use key, as a Redacted)`)
    }
    if (typeof c.certfile === "string" && c.certfile.includes("-----BEGIN ")) {
      problems.push(`${name}.certfile must be a file path, not PEM text (use cert)`)
    }
  }
  if (c.password !== undefined && !Redacted.isRedacted(c.password)) {
    problems.push(
      `${name}.password must be a Redacted (ClientCertificate.fromFiles / fromPem or Redacted.make), so that it cannot leak into logs`
    )
  }
  for (const key of Object.keys(c)) {
    if (!["certfile", "keyfile", "cert", "key", "password"].includes(key) && c[key] !== undefined) {
      problems.push(`${name}: unknown field "${key}"`)
    }
  }
  return problems
}

const check = (certificate: ClientCertificate, name: string): Effect.Effect<void, InvalidConfigError> => {
  const problems = validate(certificate, name)
  return problems.length === 0
    ? Effect.void
    : Effect.fail(new InvalidConfigError({ message: `Invalid client certificate: ${problems.join("; ")}` }))
}

/**
 * A provider that gives `initialCertificate` until `updateCertificate` replaces it: the official
 * drivers' `clientCertificateProviders.rotating({ initialCertificate })`. Pass it as the
 * `clientCertificate` option. A malformed certificate is an `InvalidConfigError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, ClientCertificate, Neo4jDriver } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const provider = yield* ClientCertificate.rotating({
 *     initialCertificate: ClientCertificate.fromFiles({ certfile: "/certs/client-1.pem", keyfile: "/certs/client-1.key" })
 *   })
 *   const driver = yield* Neo4jDriver.driver("neo4j+s://db.example.com", Auth.none(), { clientCertificate: provider })
 *   yield* driver.verifyConnectivity()
 *   // later, when the certificate is renewed: connections opened from now on present the new one
 *   yield* provider.updateCertificate(
 *     ClientCertificate.fromFiles({ certfile: "/certs/client-2.pem", keyfile: "/certs/client-2.key" })
 *   )
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const rotating = (options: {
  readonly initialCertificate: ClientCertificate
}): Effect.Effect<RotatingClientCertificateProvider, InvalidConfigError> =>
  Effect.flatMap(check(options?.initialCertificate, "initialCertificate"), () =>
    Effect.sync(() => {
      let current: ClientCertificate = { ...options.initialCertificate }
      let updated = false
      const provider: RotatingClientCertificateProvider = {
        hasUpdate: Effect.sync(() => {
          const u = updated
          updated = false
          return u
        }),
        getClientCertificate: Effect.sync(() => {
          updated = false
          return current
        }),
        updateCertificate: (certificate) =>
          Effect.flatMap(check(certificate, "certificate"), () =>
            Effect.sync(() => {
              current = { ...certificate }
              updated = true
            })
          )
      }
      return provider
    })
  )
