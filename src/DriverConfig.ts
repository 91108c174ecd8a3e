/**
 * Driver configuration with the official drivers' option names and defaults, a `resolve` step
 * that validates it (naming the bad option) and normalises durations, a `Config` descriptor that
 * reads `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD` and friends from the `ConfigProvider`, and
 * a loader for the connection files Neo4j Aura hands out.
 *
 * Secrets stay `Redacted`: the password is read with `Config.redacted`, carried inside the
 * `AuthToken`, and no error message in this module ever quotes a value from an Aura file.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Layer from "effect/Layer"
import * as Auth from "./Auth.js"
import type { AuthToken } from "./Auth.js"
import { isAuthTokenManager } from "./AuthTokenManager.js"
import type { AuthTokenManager } from "./AuthTokenManager.js"
import * as ClientCertificate from "./ClientCertificate.js"
import { DEFAULT_MAX_MESSAGE_SIZE } from "./internal/bolt/dechunker.js"
import * as auraFile from "./internal/config/auraFile.js"
import { InvalidConfigError } from "./Neo4jError.js"
import * as Uri from "./Uri.js"

/**
 * This package's version (kept equal to package.json's by a test).
 *
 * @example
 * ```ts
 * import { DriverConfig } from "effect-neo4j"
 *
 * const userAgent = `inventory-service/3.1 effect-neo4j/${DriverConfig.VERSION}`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION = "0.1.0"

/**
 * Notification severities, lowest first; `OFF` disables notifications.
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationSeverity = "OFF" | "WARNING" | "INFORMATION"

/**
 * Notification classifications a server can be asked not to send.
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationClassification =
  | "DEPRECATION"
  | "GENERIC"
  | "HINT"
  | "PERFORMANCE"
  | "SCHEMA"
  | "SECURITY"
  | "TOPOLOGY"
  | "UNRECOGNIZED"
  | "UNSUPPORTED"

const SEVERITIES: ReadonlyArray<NotificationSeverity> = ["OFF", "WARNING", "INFORMATION"]
const CLASSIFICATIONS: ReadonlyArray<NotificationClassification> = [
  "DEPRECATION",
  "GENERIC",
  "HINT",
  "PERFORMANCE",
  "SCHEMA",
  "SECURITY",
  "TOPOLOGY",
  "UNRECOGNIZED",
  "UNSUPPORTED"
]

/**
 * Which notifications the server should send (Bolt 5.2+); absent fields keep the server's default.
 * The driver's goes in HELLO (every connection); a session's or a query's in its BEGIN or
 * auto-commit RUN. A filter with a field given is an `UnsupportedFeatureError` on a server below
 * Bolt 5.2 (Neo4j 5.7), never dropped; `{}` asks for nothing and goes anywhere.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationFilter {
  /** the least severe notifications reported (`OFF`: none at all); the server's default when absent */
  readonly minimumSeverity?: NotificationSeverity
  /**
   * classifications not reported (sent as `notifications_disabled_categories` on Bolt 5.2 to 5.4,
   * `notifications_disabled_classifications` from 5.6); `[]` is sent as an empty list (none
   * disabled), absent keeps the server's default
   */
  readonly disabledClassifications?: ReadonlyArray<NotificationClassification>
}

/**
 * The problems of a notification filter (the driver's, a session's or a query's), each naming
 * its field; none for a valid one. `resolve` reports them for the driver's; a session's or a
 * query's fails its first operation with an `InvalidConfigError` listing them.
 *
 * @example
 * ```ts
 * import { DriverConfig } from "effect-neo4j"
 *
 * assert.deepStrictEqual(DriverConfig.notificationFilterProblems({ minimumSeverity: "WARNING" }), [])
 * const problems = DriverConfig.notificationFilterProblems({ disabledClassifications: ["HINTS"] })
 * assert.ok(problems[0]?.startsWith('notificationFilter.disabledClassifications: unknown classification "HINTS"'))
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const notificationFilterProblems = (filter: unknown): ReadonlyArray<string> => {
  if (filter === undefined) return []
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    return ["notificationFilter must be an object { minimumSeverity?, disabledClassifications? }"]
  }
  const problems: Array<string> = []
  const severity: unknown = (filter as NotificationFilter).minimumSeverity
  if (severity !== undefined && !(SEVERITIES as ReadonlyArray<unknown>).includes(severity)) {
    problems.push(`notificationFilter.minimumSeverity must be one of ${SEVERITIES.join(", ")} (got ${show(severity)})`)
  }
  const disabled: unknown = (filter as NotificationFilter).disabledClassifications
  if (disabled !== undefined) {
    if (!Array.isArray(disabled)) {
      problems.push("notificationFilter.disabledClassifications must be an array")
    } else {
      for (const c of disabled as ReadonlyArray<unknown>) {
        if (!(CLASSIFICATIONS as ReadonlyArray<unknown>).includes(c)) {
          problems.push(
            `notificationFilter.disabledClassifications: unknown classification ${show(c)} (known: ${CLASSIFICATIONS.join(", ")})`
          )
        }
      }
    }
  }
  return problems
}

/**
 * The driver's configuration, as a user writes it. Only `uri` and `auth` are required; every
 * other option has the official drivers' default (see `DEFAULTS`).
 *
 * @since 0.1.0
 * @category models
 */
export interface DriverConfig {
  /** `neo4j://`, `neo4j+s://`, `neo4j+ssc://`, `bolt://`, `bolt+s://` or `bolt+ssc://`; port 7687 by default */
  readonly uri: string
  /**
   * A fixed token (`Auth.basic(...)`, `Auth.bearer(...)`, ...), or an `AuthTokenManager` asked
   * for the current token whenever a connection is taken for work (rotating passwords, expiring
   * SSO tokens)
   */
  readonly auth: AuthToken | AuthTokenManager
  /** The default database for sessions and `executeQuery`; the server's home database when absent */
  readonly database?: string
  /** Connections per server address (default 100) */
  readonly maxConnectionPoolSize?: number
  /** How long acquiring a connection from the pool may take, connecting included (default 60 s) */
  readonly connectionAcquisitionTimeout?: Duration.DurationInput
  /** Connections older than this are closed instead of reused (default 1 h; `Duration.infinity` for no limit) */
  readonly maxConnectionLifetime?: Duration.DurationInput
  /** Connections idle longer than this are checked with a RESET before reuse (default: never; 0: always) */
  readonly connectionLivenessCheckTimeout?: Duration.DurationInput
  /** Timeout for opening a TCP/TLS connection (default 30 s) */
  readonly connectionTimeout?: Duration.DurationInput
  /** Records per PULL (default 1000; -1 for all at once) */
  readonly fetchSize?: number
  /** Total time budget for retrying a transaction function (default 30 s) */
  readonly maxTransactionRetryTime?: Duration.DurationInput
  /** The `user_agent` sent in HELLO (default `effect-neo4j/<version>`) */
  readonly userAgent?: string
  /** PEM texts of CA certificates to trust for `+s` schemes instead of the system's */
  readonly trustedCertificates?: ReadonlyArray<string>
  /**
   * Paths of PEM files of CA certificates to trust for `+s` schemes instead of the system's
   * (with `trustedCertificates`, both are trusted); read when the driver is made
   */
  readonly trustedCertificateFiles?: ReadonlyArray<string>
  /**
   * The client certificate for mutual TLS (`+s` and `+ssc` schemes): files or PEM text (see
   * `ClientCertificate.fromFiles`, `fromPem`), read and checked when the driver is made; or a
   * `ClientCertificateProvider` (see `ClientCertificate.rotating`), asked when a connection opens
   */
  readonly clientCertificate?: ClientCertificate.ClientCertificate | ClientCertificate.ClientCertificateProvider
  /**
   * Which notifications the server sends, for every connection (sent in HELLO, Bolt 5.2+); a
   * session's or a query's own `notificationFilter` applies to its transactions. On a server
   * below Bolt 5.2 a filter is an `UnsupportedFeatureError` when a connection opens.
   */
  readonly notificationFilter?: NotificationFilter
  /** Return every Integer as a `bigint` (default false) */
  readonly useBigInt?: boolean
  /** The largest inbound Bolt message accepted, in bytes (default 256 MiB) */
  readonly maxMessageSize?: number
  /**
   * Never send TELEMETRY (Bolt 5.4+: which API ran a query, sent only when the server asks for
   * it with its `telemetry.enabled` hint). Default false, as in the official drivers.
   */
  readonly telemetryDisabled?: boolean
}

/**
 * A validated configuration: URI parsed, defaults applied, durations normalised.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedConfig {
  /** the URI as given (trimmed) */
  readonly uri: string
  readonly parsedUri: Uri.ParsedUri
  readonly auth: AuthToken | AuthTokenManager
  readonly database: string | undefined
  readonly maxConnectionPoolSize: number
  readonly connectionAcquisitionTimeout: Duration.Duration
  readonly maxConnectionLifetime: Duration.Duration
  /** `undefined`: liveness checks are off */
  readonly connectionLivenessCheckTimeout: Duration.Duration | undefined
  readonly connectionTimeout: Duration.Duration
  readonly fetchSize: number
  readonly maxTransactionRetryTime: Duration.Duration
  readonly userAgent: string
  readonly trustedCertificates: ReadonlyArray<string> | undefined
  readonly trustedCertificateFiles: ReadonlyArray<string> | undefined
  /** the key and password stay `Redacted` */
  readonly clientCertificate: ClientCertificate.ClientCertificate | ClientCertificate.ClientCertificateProvider | undefined
  readonly notificationFilter: NotificationFilter | undefined
  readonly useBigInt: boolean
  readonly maxMessageSize: number
  readonly telemetryDisabled: boolean
}

/**
 * The defaults, as in the official drivers.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { DriverConfig } from "effect-neo4j"
 *
 * assert.strictEqual(DriverConfig.DEFAULTS.maxConnectionPoolSize, 100)
 * assert.strictEqual(Duration.toSeconds(DriverConfig.DEFAULTS.connectionAcquisitionTimeout), 60)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULTS = {
  maxConnectionPoolSize: 100,
  connectionAcquisitionTimeout: Duration.seconds(60),
  maxConnectionLifetime: Duration.hours(1),
  connectionTimeout: Duration.seconds(30),
  fetchSize: 1000,
  maxTransactionRetryTime: Duration.seconds(30),
  userAgent: `effect-neo4j/${VERSION}`,
  useBigInt: false,
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  telemetryDisabled: false
} as const

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "uri",
  "auth",
  "database",
  "maxConnectionPoolSize",
  "connectionAcquisitionTimeout",
  "maxConnectionLifetime",
  "connectionLivenessCheckTimeout",
  "connectionTimeout",
  "fetchSize",
  "maxTransactionRetryTime",
  "userAgent",
  "trustedCertificates",
  "trustedCertificateFiles",
  "clientCertificate",
  "notificationFilter",
  "useBigInt",
  "maxMessageSize",
  "telemetryDisabled"
])

const show = (u: unknown): string => {
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number" || typeof u === "boolean" || u === undefined || u === null) return String(u)
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? u.slice(0, 40) + "..." : u)
  return typeof u
}

/**
 * Decodes a duration option, or says what is wrong with it. Unlike `Duration.decode`, negative
 * inputs are refused rather than clamped to zero, and the string "Infinity" is accepted.
 */
const decodeDuration = (input: unknown): Either.Either<Duration.Duration, string> => {
  const refuse = (why: string) => Either.left(`${why} (got ${show(input)})`)
  const expected = 'must be a duration such as "30 seconds", a number of milliseconds or a Duration'
  if (Duration.isDuration(input)) return Either.right(input)
  if (typeof input === "number") {
    if (Number.isNaN(input)) return refuse(expected)
    if (input < 0) return refuse("must not be negative")
    return Either.right(Duration.millis(input))
  }
  if (typeof input === "bigint") {
    return input < 0n ? refuse("must not be negative") : Either.right(Duration.nanos(input))
  }
  if (Array.isArray(input)) {
    if (input.length !== 2 || !input.every((n) => typeof n === "number" && !Number.isNaN(n))) return refuse(expected)
    if ((input[0] as number) < 0 || (input[1] as number) < 0) return refuse("must not be negative")
    return Either.right(Duration.decode(input as [number, number]))
  }
  if (typeof input === "string") {
    const text = input.trim()
    if (/^\+?infinity$/i.test(text)) return Either.right(Duration.infinity)
    if (text.startsWith("-")) return refuse("must not be negative")
    return Option.match(Duration.decodeUnknown(text), {
      onNone: () => refuse(expected),
      onSome: Either.right
    })
  }
  return refuse(expected)
}

/**
 * Validates a configuration, applies the defaults and parses the URI. Every problem found is
 * reported in one `InvalidConfigError`, each naming its option; secrets are never quoted.
 *
 * @example
 * ```ts
 * import { Duration, Either } from "effect"
 * import { Auth, DriverConfig } from "effect-neo4j"
 *
 * const config = DriverConfig.resolve({ uri: "neo4j+s://db.example.com", auth: Auth.none(), connectionTimeout: "5 seconds" })
 * assert.strictEqual(Duration.toMillis(Either.getOrThrow(config).connectionTimeout), 5000)
 *
 * const bad = DriverConfig.resolve({ uri: "http://localhost:7474", auth: Auth.none(), fetchSize: 0 })
 * assert.ok(Either.isLeft(bad)) // one InvalidConfigError naming both problems: the http scheme and fetchSize
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (config: DriverConfig): Either.Either<ResolvedConfig, InvalidConfigError> => {
  if (typeof config !== "object" || config === null) {
    return Either.left(new InvalidConfigError({ message: "Invalid driver config: expected an object" }))
  }
  const problems: Array<string> = []
  const raw = config as unknown as Record<string, unknown>

  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(key) && raw[key] !== undefined) problems.push(`unknown option "${key}"`)
  }

  let parsedUri: Uri.ParsedUri | undefined
  if (typeof config.uri !== "string") {
    problems.push(`uri must be a string such as "neo4j://localhost:7687" (got ${show(config.uri)})`)
  } else {
    const parsed = Uri.parse(config.uri)
    if (Either.isLeft(parsed)) problems.push(`uri: ${parsed.left.message}`)
    else parsedUri = parsed.right
  }

  if (!Auth.isAuthToken(config.auth) && !isAuthTokenManager(config.auth)) {
    problems.push("auth must be an AuthToken, for example Auth.basic(user, password) or Auth.none(), or an AuthTokenManager")
  }

  if (config.database !== undefined && (typeof config.database !== "string" || config.database.trim() === "")) {
    problems.push(`database must be a non-empty string when set (got ${show(config.database)})`)
  }

  const integer = (name: keyof DriverConfig, fallback: number, ok: (n: number) => boolean, rule: string): number => {
    const value = raw[name]
    if (value === undefined) return fallback
    if (typeof value !== "number" || !Number.isSafeInteger(value) || !ok(value)) {
      problems.push(`${name} must be ${rule} (got ${show(value)})`)
      return fallback
    }
    return value
  }
  const maxConnectionPoolSize = integer(
    "maxConnectionPoolSize",
    DEFAULTS.maxConnectionPoolSize,
    (n) => n >= 1,
    "an integer >= 1"
  )
  const fetchSize = integer("fetchSize", DEFAULTS.fetchSize, (n) => n === -1 || n >= 1, "-1 (all) or an integer >= 1")
  const maxMessageSize = integer("maxMessageSize", DEFAULTS.maxMessageSize, (n) => n >= 1, "an integer >= 1 (bytes)")

  const duration = (
    name: keyof DriverConfig,
    fallback: Duration.Duration,
    positive = false
  ): Duration.Duration => {
    const value = raw[name]
    if (value === undefined) return fallback
    const decoded = decodeDuration(value)
    if (Either.isLeft(decoded)) {
      problems.push(`${name} ${decoded.left}`)
      return fallback
    }
    if (positive && Duration.isZero(decoded.right)) {
      problems.push(`${name} must be positive; use Duration.infinity for no limit (got ${show(value)})`)
      return fallback
    }
    return decoded.right
  }
  const connectionAcquisitionTimeout = duration("connectionAcquisitionTimeout", DEFAULTS.connectionAcquisitionTimeout)
  const maxConnectionLifetime = duration("maxConnectionLifetime", DEFAULTS.maxConnectionLifetime, true)
  const connectionTimeout = duration("connectionTimeout", DEFAULTS.connectionTimeout, true)
  const maxTransactionRetryTime = duration("maxTransactionRetryTime", DEFAULTS.maxTransactionRetryTime)
  const connectionLivenessCheckTimeout =
    config.connectionLivenessCheckTimeout === undefined
      ? undefined
      : duration("connectionLivenessCheckTimeout", Duration.zero)

  const userAgent = config.userAgent ?? DEFAULTS.userAgent
  if (typeof userAgent !== "string" || userAgent.trim() === "") {
    problems.push(`userAgent must be a non-empty string (got ${show(userAgent)})`)
  }

  const useBigInt = config.useBigInt ?? DEFAULTS.useBigInt
  if (typeof useBigInt !== "boolean") problems.push(`useBigInt must be a boolean (got ${show(useBigInt)})`)

  const telemetryDisabled = config.telemetryDisabled ?? DEFAULTS.telemetryDisabled
  if (typeof telemetryDisabled !== "boolean") {
    problems.push(`telemetryDisabled must be a boolean (got ${show(telemetryDisabled)})`)
  }

  const certs = config.trustedCertificates
  if (certs !== undefined) {
    if (!Array.isArray(certs)) {
      problems.push("trustedCertificates must be an array of PEM texts")
    } else {
      certs.forEach((pem: unknown, i) => {
        if (typeof pem !== "string" || !pem.includes("-----BEGIN ")) {
          problems.push(
            `trustedCertificates[${i}] must be PEM text ("-----BEGIN CERTIFICATE-----..."), not a file path (got ${show(pem)}; give files in trustedCertificateFiles)`
          )
        }
      })
    }
  }

  const certFiles = config.trustedCertificateFiles
  if (certFiles !== undefined) {
    if (!Array.isArray(certFiles)) {
      problems.push("trustedCertificateFiles must be an array of file paths")
    } else {
      certFiles.forEach((file: unknown, i) => {
        if (typeof file !== "string" || file.trim() === "") {
          problems.push(`trustedCertificateFiles[${i}] must be the path of a PEM file (got ${show(file)})`)
        } else if (file.includes("-----BEGIN ")) {
          problems.push(`trustedCertificateFiles[${i}] must be a file path, not PEM text (give PEM texts in trustedCertificates)`)
        }
      })
    }
  }

  const clientCertificate = config.clientCertificate
  if (clientCertificate !== undefined) {
    if (!ClientCertificate.isProvider(clientCertificate)) {
      problems.push(...ClientCertificate.validate(clientCertificate, "clientCertificate"))
    }
    if (parsedUri !== undefined && parsedUri.encryption === "none") {
      problems.push(
        `clientCertificate needs an encrypted connection: use ${parsedUri.scheme}+s:// (or ${parsedUri.scheme}+ssc://) instead of ${parsedUri.scheme}://`
      )
    }
  }

  const filter = config.notificationFilter
  problems.push(...notificationFilterProblems(filter))

  if (problems.length > 0 || parsedUri === undefined) {
    return Either.left(new InvalidConfigError({ message: `Invalid driver config: ${problems.join("; ")}` }))
  }
  return Either.right({
    uri: config.uri.trim(),
    parsedUri,
    auth: config.auth,
    database: config.database,
    maxConnectionPoolSize,
    connectionAcquisitionTimeout,
    maxConnectionLifetime,
    connectionLivenessCheckTimeout,
    connectionTimeout,
    fetchSize,
    maxTransactionRetryTime,
    userAgent,
    trustedCertificates: certs,
    trustedCertificateFiles: certFiles,
    clientCertificate,
    notificationFilter: filter,
    useBigInt,
    maxMessageSize,
    telemetryDisabled
  })
}

/**
 * `resolve` as an Effect.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, DriverConfig } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const config = yield* DriverConfig.resolveEffect({ uri: "bolt://localhost", auth: Auth.none() })
 *   yield* Effect.log(`connecting to ${config.parsedUri.host}:${config.parsedUri.port}`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveEffect = (config: DriverConfig): Effect.Effect<ResolvedConfig, InvalidConfigError> =>
  Either.match(resolve(config), { onLeft: Effect.fail, onRight: Effect.succeed })

// ---------------------------------------------------------------------------------------------
// Config descriptors
// ---------------------------------------------------------------------------------------------

/** A duration read from a string such as "30 seconds"; negatives are refused, not clamped. */
const durationKey = (name: string): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(decodeDuration(text), (why) => ConfigError.InvalidData([name], `${name} ${why}`))
    )
  )

/** An optional string: absent or blank is `None`. */
const optionalString = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((s) => s.trim() !== "")))

const withDefault = <A>(config: Config.Config<A>, value: A): Config.Config<A> => Config.withDefault(config, value)

/**
 * The configuration from the current `ConfigProvider` (environment variables by default):
 *
 * - `NEO4J_URI` (required)
 * - `NEO4J_USERNAME` and `NEO4J_PASSWORD` (read with `Config.redacted`): basic auth; with no
 *   username, `Auth.none()`. A username without a password, or the reverse, is a `ConfigError`.
 * - `NEO4J_DATABASE` (optional)
 * - tuning: `NEO4J_MAX_CONNECTION_POOL_SIZE`, `NEO4J_CONNECTION_ACQUISITION_TIMEOUT`,
 *   `NEO4J_MAX_CONNECTION_LIFETIME`, `NEO4J_CONNECTION_LIVENESS_CHECK_TIMEOUT`,
 *   `NEO4J_CONNECTION_TIMEOUT`, `NEO4J_FETCH_SIZE`, `NEO4J_MAX_TRANSACTION_RETRY_TIME`,
 *   `NEO4J_USER_AGENT`, `NEO4J_USE_BIG_INT`, `NEO4J_MAX_MESSAGE_SIZE`,
 *   `NEO4J_NOTIFICATIONS_MINIMUM_SEVERITY`, `NEO4J_NOTIFICATIONS_DISABLED_CLASSIFICATIONS`
 *   (comma-separated). Durations are strings such as `"45 seconds"`.
 *
 * The values are not validated here beyond their types: pass the result to `resolve`.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { Auth, DriverConfig } from "effect-neo4j"
 *
 * const env = ConfigProvider.fromMap(new Map([["NEO4J_URI", "neo4j://localhost"], ["NEO4J_FETCH_SIZE", "500"]]))
 * const config = Effect.runSync(Effect.withConfigProvider(DriverConfig.config, env))
 * assert.strictEqual(config.fetchSize, 500)
 * assert.ok(Auth.isAuthToken(config.auth) && config.auth.scheme === "none") // no NEO4J_USERNAME
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<DriverConfig> = Config.all({
  uri: Config.string("NEO4J_URI"),
  username: optionalString("NEO4J_USERNAME"),
  password: Config.option(Config.redacted("NEO4J_PASSWORD")),
  database: optionalString("NEO4J_DATABASE"),
  maxConnectionPoolSize: withDefault(Config.integer("NEO4J_MAX_CONNECTION_POOL_SIZE"), DEFAULTS.maxConnectionPoolSize),
  connectionAcquisitionTimeout: withDefault(
    durationKey("NEO4J_CONNECTION_ACQUISITION_TIMEOUT"),
    DEFAULTS.connectionAcquisitionTimeout
  ),
  maxConnectionLifetime: withDefault(durationKey("NEO4J_MAX_CONNECTION_LIFETIME"), DEFAULTS.maxConnectionLifetime),
  connectionLivenessCheckTimeout: Config.option(durationKey("NEO4J_CONNECTION_LIVENESS_CHECK_TIMEOUT")),
  connectionTimeout: withDefault(durationKey("NEO4J_CONNECTION_TIMEOUT"), DEFAULTS.connectionTimeout),
  fetchSize: withDefault(Config.integer("NEO4J_FETCH_SIZE"), DEFAULTS.fetchSize),
  maxTransactionRetryTime: withDefault(
    durationKey("NEO4J_MAX_TRANSACTION_RETRY_TIME"),
    DEFAULTS.maxTransactionRetryTime
  ),
  userAgent: withDefault(Config.string("NEO4J_USER_AGENT"), DEFAULTS.userAgent),
  useBigInt: withDefault(Config.boolean("NEO4J_USE_BIG_INT"), DEFAULTS.useBigInt),
  telemetryDisabled: withDefault(Config.boolean("NEO4J_TELEMETRY_DISABLED"), DEFAULTS.telemetryDisabled),
  maxMessageSize: withDefault(Config.integer("NEO4J_MAX_MESSAGE_SIZE"), DEFAULTS.maxMessageSize),
  minimumSeverity: optionalString("NEO4J_NOTIFICATIONS_MINIMUM_SEVERITY"),
  disabledClassifications: optionalString("NEO4J_NOTIFICATIONS_DISABLED_CLASSIFICATIONS")
}).pipe(
  Config.mapOrFail((c): Either.Either<DriverConfig, ConfigError.ConfigError> => {
    let auth: AuthToken
    if (Option.isSome(c.username)) {
      if (Option.isNone(c.password)) {
        return Either.left(ConfigError.MissingData(["NEO4J_PASSWORD"], "NEO4J_PASSWORD is required when NEO4J_USERNAME is set"))
      }
      auth = Auth.basic(c.username.value, c.password.value)
    } else {
      if (Option.isSome(c.password)) {
        return Either.left(ConfigError.MissingData(["NEO4J_USERNAME"], "NEO4J_USERNAME is required when NEO4J_PASSWORD is set"))
      }
      auth = Auth.none()
    }
    const filter: { minimumSeverity?: NotificationSeverity; disabledClassifications?: Array<NotificationClassification> } =
      {}
    if (Option.isSome(c.minimumSeverity)) filter.minimumSeverity = c.minimumSeverity.value.trim().toUpperCase() as NotificationSeverity
    if (Option.isSome(c.disabledClassifications)) {
      filter.disabledClassifications = c.disabledClassifications.value
        .split(",")
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== "") as Array<NotificationClassification>
    }
    return Either.right({
      uri: c.uri,
      auth,
      ...(Option.isSome(c.database) ? { database: c.database.value.trim() } : {}),
      maxConnectionPoolSize: c.maxConnectionPoolSize,
      connectionAcquisitionTimeout: c.connectionAcquisitionTimeout,
      maxConnectionLifetime: c.maxConnectionLifetime,
      ...(Option.isSome(c.connectionLivenessCheckTimeout)
        ? { connectionLivenessCheckTimeout: c.connectionLivenessCheckTimeout.value }
        : {}),
      connectionTimeout: c.connectionTimeout,
      fetchSize: c.fetchSize,
      maxTransactionRetryTime: c.maxTransactionRetryTime,
      userAgent: c.userAgent,
      useBigInt: c.useBigInt,
      maxMessageSize: c.maxMessageSize,
      telemetryDisabled: c.telemetryDisabled,
      ...(Object.keys(filter).length > 0 ? { notificationFilter: filter } : {})
    })
  })
)

// ---------------------------------------------------------------------------------------------
// Aura connection files
// ---------------------------------------------------------------------------------------------

/**
 * Parses the dotenv-style text of an Aura connection file. Each `KEY=value` line gives a key;
 * the value is everything after the first `=`, trimmed, with one pair of matching surrounding
 * quotes removed. `#` starts a comment only at the start of a line, so passwords may contain
 * `#` and `=`. Blank lines, comment lines and lines without `=` are skipped; CRLF line endings,
 * a byte-order mark and an `export ` prefix are accepted. A later key replaces an earlier one.
 *
 * @example
 * ```ts
 * import { DriverConfig } from "effect-neo4j"
 *
 * const keys = DriverConfig.parseAuraFile(
 *   "# Wait 60 seconds before connecting\nNEO4J_URI=neo4j+s://a0a2fa1d.databases.neo4j.io\nNEO4J_PASSWORD=s3cr#t=x\n"
 * )
 * assert.strictEqual(keys.NEO4J_URI, "neo4j+s://a0a2fa1d.databases.neo4j.io")
 * assert.strictEqual(keys.NEO4J_PASSWORD, "s3cr#t=x")
 * ```
 *
 * @since 0.1.0
 * @category aura
 */
export const parseAuraFile: (text: string) => Record<string, string> = auraFile.parseAuraFile

/**
 * Reads an Aura connection file into a `ConfigProvider` holding exactly its keys (read it with
 * `config`). A file that cannot be read, or that has no `NEO4J_URI`, is an `InvalidConfigError`
 * naming the file; no value from the file is ever quoted.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { DriverConfig } from "effect-neo4j"
 *
 * const auraConfig = Effect.gen(function* () {
 *   const provider = yield* DriverConfig.fromAuraFile("Neo4j-a0a2fa1d-Created-2023-11-06.txt")
 *   return yield* Effect.withConfigProvider(DriverConfig.config, provider)
 * }).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category aura
 */
export const fromAuraFile: (
  path: string
) => Effect.Effect<ConfigProvider.ConfigProvider, InvalidConfigError, FileSystem> = auraFile.fromAuraFile

/**
 * A layer that makes an Aura connection file the `ConfigProvider` for what it is provided to;
 * keys the file lacks (tuning keys such as `NEO4J_FETCH_SIZE`) fall back to the provider in
 * place before (the environment by default).
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { DriverConfig, Neo4jDriver } from "effect-neo4j"
 *
 * const AuraLive = Neo4jDriver.Neo4jDriverLive.pipe(
 *   Layer.provide(DriverConfig.layerAuraFile("Neo4j-a0a2fa1d-Created-2023-11-06.txt")),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category aura
 */
export const layerAuraFile: (path: string) => Layer.Layer<never, InvalidConfigError, FileSystem> =
  auraFile.layerAuraFile
