import { afterAll, describe, expect, it } from "@effect/vitest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Config, ConfigProvider, Duration, Effect, Either, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import * as Auth from "../src/Auth.js"
import * as DriverConfig from "../src/DriverConfig.js"
import { NodeDriverConfig } from "../src/node/index.js"
import { InvalidConfigError } from "../src/Neo4jError.js"

const PASSWORD = "Xy9#k=abc#def=="

const minimal: DriverConfig.DriverConfig = { uri: "neo4j://localhost", auth: Auth.basic("neo4j", PASSWORD) }

/** The error message `resolve` gives for `overrides`, failing the test when it succeeds. */
const problem = (overrides: Record<string, unknown>): string => {
  const result = DriverConfig.resolve({ ...minimal, ...overrides } as DriverConfig.DriverConfig)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(overrides)} to be refused`)
  expect(result.left).toBeInstanceOf(InvalidConfigError)
  return result.left.message
}

const resolved = (overrides: Record<string, unknown> = {}): DriverConfig.ResolvedConfig =>
  Either.getOrThrowWith(DriverConfig.resolve({ ...minimal, ...overrides } as DriverConfig.DriverConfig), (e) => e)

const expectDuration = (actual: Duration.Duration | undefined, expected: Duration.DurationInput) => {
  expect(actual).toBeDefined()
  expect(Duration.toMillis(actual!)).toBe(Duration.toMillis(Duration.decode(expected)))
}

const fromMap = (entries: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(entries)))

const AURA_FILE = [
  "# Wait 60 seconds before connecting using these details, or login to https://console.neo4j.io to validate the Aura Instance is available",
  "NEO4J_URI=neo4j+s://a0a2fa1d.databases.neo4j.io",
  "NEO4J_USERNAME=neo4j",
  `NEO4J_PASSWORD=${PASSWORD}`,
  "NEO4J_DATABASE=neo4j",
  "AURA_INSTANCEID=a0a2fa1d",
  "AURA_INSTANCENAME=Instance01",
  ""
].join("\n")

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "effect-neo4j-config-"))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))
const writeTmp = (name: string, text: string): string => {
  const file = path.join(tmp, name)
  fs.writeFileSync(file, text)
  return file
}

describe("DriverConfig", () => {
  describe("VERSION and defaults", () => {
    it("VERSION equals package.json's version, and the user agent carries it", () => {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../package.json"), "utf8")) as { version: string }
      expect(DriverConfig.VERSION).toBe(pkg.version)
      expect(resolved().userAgent).toBe(`effect-neo4j/${pkg.version}`)
    })

    it("resolve applies the official drivers' defaults and parses the URI", () => {
      const c = resolved()
      expect(c.uri).toBe("neo4j://localhost")
      expect(c.parsedUri).toMatchObject({ scheme: "neo4j", host: "localhost", port: 7687, routing: true })
      expect((c.auth as Auth.AuthToken).scheme).toBe("basic")
      expect(c.database).toBeUndefined()
      expect(c.maxConnectionPoolSize).toBe(100)
      expectDuration(c.connectionAcquisitionTimeout, "60 seconds")
      expectDuration(c.maxConnectionLifetime, "1 hour")
      expect(c.connectionLivenessCheckTimeout).toBeUndefined()
      expectDuration(c.connectionTimeout, "30 seconds")
      expect(c.fetchSize).toBe(1000)
      expectDuration(c.maxTransactionRetryTime, "30 seconds")
      expect(c.trustedCertificates).toBeUndefined()
      expect(c.notificationFilter).toBeUndefined()
      expect(c.useBigInt).toBe(false)
      expect(c.maxMessageSize).toBe(256 * 1024 * 1024)
    })

    it("resolve normalises every DurationInput form and keeps the given values", () => {
      const c = resolved({
        uri: "  bolt+s://db.example.com:7688 ",
        database: "movies",
        maxConnectionPoolSize: 1,
        connectionAcquisitionTimeout: "45 seconds",
        maxConnectionLifetime: "Infinity",
        connectionLivenessCheckTimeout: 0,
        connectionTimeout: [1, 500_000_000],
        fetchSize: -1,
        maxTransactionRetryTime: Duration.minutes(2),
        userAgent: "my-app/1.0",
        useBigInt: true,
        notificationFilter: { minimumSeverity: "WARNING", disabledClassifications: ["HINT", "DEPRECATION"] },
        trustedCertificates: ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"]
      })
      expect(c.uri).toBe("bolt+s://db.example.com:7688")
      expect(c.parsedUri).toMatchObject({ scheme: "bolt+s", port: 7688, routing: false, encryption: "system" })
      expect(c.database).toBe("movies")
      expect(c.maxConnectionPoolSize).toBe(1)
      expectDuration(c.connectionAcquisitionTimeout, "45 seconds")
      expect(Duration.isFinite(c.maxConnectionLifetime)).toBe(false)
      expectDuration(c.connectionLivenessCheckTimeout, 0)
      expectDuration(c.connectionTimeout, 1500)
      expect(c.fetchSize).toBe(-1)
      expectDuration(c.maxTransactionRetryTime, "2 minutes")
      expect(c.userAgent).toBe("my-app/1.0")
      expect(c.useBigInt).toBe(true)
      expect(c.notificationFilter).toEqual({ minimumSeverity: "WARNING", disabledClassifications: ["HINT", "DEPRECATION"] })
      expect(c.trustedCertificates).toHaveLength(1)
      expectDuration(resolved({ connectionTimeout: 250 }).connectionTimeout, "250 millis")
    })
  })

  describe("resolve validations", () => {
    it.each([
      [{ maxConnectionPoolSize: 0 }, "maxConnectionPoolSize must be an integer >= 1 (got 0)"],
      [{ maxConnectionPoolSize: 2.5 }, "maxConnectionPoolSize must be an integer >= 1 (got 2.5)"],
      [{ fetchSize: 0 }, "fetchSize must be -1 (all) or an integer >= 1 (got 0)"],
      [{ fetchSize: -2 }, "fetchSize must be -1 (all) or an integer >= 1 (got -2)"],
      [{ fetchSize: "1000" }, 'fetchSize must be -1 (all) or an integer >= 1 (got "1000")'],
      [{ maxMessageSize: 0 }, "maxMessageSize must be an integer >= 1 (bytes) (got 0)"],
      [{ connectionAcquisitionTimeout: -1 }, "connectionAcquisitionTimeout must not be negative (got -1)"],
      [{ connectionTimeout: "-5 seconds" }, 'connectionTimeout must not be negative (got "-5 seconds")'],
      [{ connectionTimeout: 0 }, "connectionTimeout must be positive; use Duration.infinity for no limit (got 0)"],
      [{ maxConnectionLifetime: "0 seconds" }, "maxConnectionLifetime must be positive"],
      [{ maxTransactionRetryTime: "thirty seconds" }, 'maxTransactionRetryTime must be a duration such as "30 seconds"'],
      [{ maxTransactionRetryTime: -1n }, "maxTransactionRetryTime must not be negative (got -1n)"],
      [{ connectionLivenessCheckTimeout: Number.NaN }, "connectionLivenessCheckTimeout must be a duration"],
      [{ connectionLivenessCheckTimeout: [-1, 0] }, "connectionLivenessCheckTimeout must not be negative"],
      [{ uri: "http://localhost:7474" }, 'uri: Invalid Neo4j URI "http://localhost:7474": unsupported scheme "http"'],
      [{ uri: 7687 }, "uri must be a string"],
      [{ auth: { scheme: "basic", principal: "neo4j" } }, "auth must be an AuthToken"],
      [{ database: "" }, 'database must be a non-empty string when set (got "")'],
      [{ userAgent: "" }, 'userAgent must be a non-empty string (got "")'],
      [{ useBigInt: "yes" }, 'useBigInt must be a boolean (got "yes")'],
      [{ trustedCertificates: ["/etc/ssl/ca.pem"] }, "trustedCertificates[0] must be PEM text"],
      [{ notificationFilter: { minimumSeverity: "LOW" } }, "notificationFilter.minimumSeverity must be one of OFF, WARNING, INFORMATION"],
      [{ notificationFilter: { disabledClassifications: ["HINTS"] } }, 'unknown classification "HINTS"'],
      [{ maxPoolSize: 10 }, 'unknown option "maxPoolSize"']
    ])("%o is refused: %s", (overrides, expected) => {
      expect(problem(overrides)).toContain(expected)
    })

    it("reports every problem at once", () => {
      const message = problem({ maxConnectionPoolSize: 0, fetchSize: 0, connectionTimeout: -1 })
      expect(message).toMatch(/^Invalid driver config: /)
      expect(message).toContain("maxConnectionPoolSize")
      expect(message).toContain("fetchSize")
      expect(message).toContain("connectionTimeout")
    })

    it("never quotes the password", () => {
      const message = problem({ uri: "nope", fetchSize: 0 })
      expect(message).not.toContain(PASSWORD)
      expect(message).not.toContain("Xy9")
    })

    it.effect("resolveEffect fails with the InvalidConfigError", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(DriverConfig.resolveEffect({ ...minimal, fetchSize: 0 }))
        expect(error._tag).toBe("InvalidConfigError")
        expect(error.message).toContain("fetchSize")
      }))
  })

  describe("config (from the ConfigProvider)", () => {
    it.effect("reads URI, basic auth with a redacted password, database and the defaults", () =>
      Effect.gen(function* () {
        const c = yield* DriverConfig.config.pipe(
          Effect.withConfigProvider(
            fromMap({
              NEO4J_URI: "neo4j+s://a0a2fa1d.databases.neo4j.io",
              NEO4J_USERNAME: "neo4j",
              NEO4J_PASSWORD: PASSWORD,
              NEO4J_DATABASE: "neo4j"
            })
          )
        )
        expect(c.uri).toBe("neo4j+s://a0a2fa1d.databases.neo4j.io")
        expect(c.database).toBe("neo4j")
        expect((c.auth as Auth.AuthToken).scheme).toBe("basic")
        expect((c.auth as Auth.AuthToken).principal).toBe("neo4j")
        expect(Redacted.isRedacted((c.auth as Auth.AuthToken).credentials)).toBe(true)
        expect(Redacted.value((c.auth as Auth.AuthToken).credentials!)).toBe(PASSWORD)
        // defaults are Durations, not the strings Config.withDefault("...") would give
        expect(Duration.isDuration(c.connectionAcquisitionTimeout)).toBe(true)
        expectDuration(Duration.decode(c.connectionAcquisitionTimeout!), "60 seconds")
        expect(c.maxConnectionPoolSize).toBe(100)
        expect(c.fetchSize).toBe(1000)
        expect(c.connectionLivenessCheckTimeout).toBeUndefined()
        expect(c.notificationFilter).toBeUndefined()

        // the password appears in no printed form
        const r = Either.getOrThrow(DriverConfig.resolve(c))
        for (const printed of [
          String(c),
          String(c.auth),
          String((c.auth as Auth.AuthToken).credentials),
          JSON.stringify(c),
          JSON.stringify(r),
          util.inspect(c, { depth: 10 }),
          util.inspect(r, { depth: 10 })
        ]) {
          expect(printed).not.toContain(PASSWORD)
          expect(printed).not.toContain("Xy9")
        }
      }))

    it.effect("without a username, the auth is none", () =>
      Effect.gen(function* () {
        const c = yield* DriverConfig.config.pipe(Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://localhost" })))
        expect((c.auth as Auth.AuthToken).scheme).toBe("none")
        expect(c.database).toBeUndefined()
      }))

    it.effect("a username without a password (or the reverse) is a ConfigError naming the missing key", () =>
      Effect.gen(function* () {
        const noPassword = yield* Effect.flip(
          DriverConfig.config.pipe(Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://x", NEO4J_USERNAME: "neo4j" })))
        )
        expect(String(noPassword)).toContain("NEO4J_PASSWORD is required when NEO4J_USERNAME is set")
        const noUser = yield* Effect.flip(
          DriverConfig.config.pipe(Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://x", NEO4J_PASSWORD: PASSWORD })))
        )
        expect(String(noUser)).toContain("NEO4J_USERNAME is required when NEO4J_PASSWORD is set")
        expect(String(noUser)).not.toContain(PASSWORD)
      }))

    it.effect("a missing NEO4J_URI is a ConfigError", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(DriverConfig.config.pipe(Effect.withConfigProvider(fromMap({}))))
        expect(String(error)).toContain("NEO4J_URI")
      }))

    it.effect("reads the tuning keys", () =>
      Effect.gen(function* () {
        const c = yield* DriverConfig.config.pipe(
          Effect.withConfigProvider(
            fromMap({
              NEO4J_URI: "bolt://localhost",
              NEO4J_MAX_CONNECTION_POOL_SIZE: "50",
              NEO4J_CONNECTION_ACQUISITION_TIMEOUT: "45 seconds",
              NEO4J_MAX_CONNECTION_LIFETIME: "Infinity",
              NEO4J_CONNECTION_LIVENESS_CHECK_TIMEOUT: "5 minutes",
              NEO4J_CONNECTION_TIMEOUT: "10 seconds",
              NEO4J_FETCH_SIZE: "-1",
              NEO4J_MAX_TRANSACTION_RETRY_TIME: "1 minute",
              NEO4J_USER_AGENT: "my-app/2.0",
              NEO4J_USE_BIG_INT: "true",
              NEO4J_MAX_MESSAGE_SIZE: "1048576",
              NEO4J_NOTIFICATIONS_MINIMUM_SEVERITY: "warning",
              NEO4J_NOTIFICATIONS_DISABLED_CLASSIFICATIONS: "hint, deprecation"
            })
          )
        )
        const r = Either.getOrThrow(DriverConfig.resolve(c))
        expect(r.maxConnectionPoolSize).toBe(50)
        expectDuration(r.connectionAcquisitionTimeout, "45 seconds")
        expect(Duration.isFinite(r.maxConnectionLifetime)).toBe(false)
        expectDuration(r.connectionLivenessCheckTimeout, "5 minutes")
        expectDuration(r.connectionTimeout, "10 seconds")
        expect(r.fetchSize).toBe(-1)
        expectDuration(r.maxTransactionRetryTime, "1 minute")
        expect(r.userAgent).toBe("my-app/2.0")
        expect(r.useBigInt).toBe(true)
        expect(r.maxMessageSize).toBe(1048576)
        expect(r.notificationFilter).toEqual({ minimumSeverity: "WARNING", disabledClassifications: ["HINT", "DEPRECATION"] })
      }))

    it.effect("a malformed or negative duration, or a non-integer size, is a ConfigError naming the key", () =>
      Effect.gen(function* () {
        const read = (entries: Record<string, string>) =>
          Effect.flip(
            DriverConfig.config.pipe(Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://localhost", ...entries })))
          ).pipe(Effect.map(String))
        expect(yield* read({ NEO4J_CONNECTION_TIMEOUT: "soon" })).toContain("NEO4J_CONNECTION_TIMEOUT must be a duration")
        expect(yield* read({ NEO4J_MAX_TRANSACTION_RETRY_TIME: "-5 seconds" })).toContain(
          "NEO4J_MAX_TRANSACTION_RETRY_TIME must not be negative"
        )
        expect(yield* read({ NEO4J_FETCH_SIZE: "lots" })).toContain("NEO4J_FETCH_SIZE")
      }))

    it.effect("values out of range pass the Config and are refused by resolve", () =>
      Effect.gen(function* () {
        const c = yield* DriverConfig.config.pipe(
          Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://localhost", NEO4J_MAX_CONNECTION_POOL_SIZE: "0" }))
        )
        const error = yield* Effect.flip(DriverConfig.resolveEffect(c))
        expect(error.message).toContain("maxConnectionPoolSize must be an integer >= 1 (got 0)")
      }))
  })

  describe("Aura connection files", () => {
    it("parses the file Aura hands out, keeping '#' and '=' in the password", () => {
      expect(DriverConfig.parseAuraFile(AURA_FILE)).toEqual({
        NEO4J_URI: "neo4j+s://a0a2fa1d.databases.neo4j.io",
        NEO4J_USERNAME: "neo4j",
        NEO4J_PASSWORD: PASSWORD,
        NEO4J_DATABASE: "neo4j",
        AURA_INSTANCEID: "a0a2fa1d",
        AURA_INSTANCENAME: "Instance01"
      })
    })

    it("accepts CRLF line endings, a byte-order mark, blank lines and indentation", () => {
      const crlf = "\uFEFF" + AURA_FILE.split("\n").map((l) => `  ${l}  `).join("\r\n\r\n")
      expect(DriverConfig.parseAuraFile(crlf)).toEqual(DriverConfig.parseAuraFile(AURA_FILE))
      expect(DriverConfig.parseAuraFile(crlf).NEO4J_PASSWORD).toBe(PASSWORD)
    })

    it("removes one pair of matching quotes, and nothing else", () => {
      const parsed = DriverConfig.parseAuraFile(
        [
          `DOUBLE="a b # c=d"`,
          `SINGLE='#secret'`,
          `UNBALANCED="abc`,
          `MIXED="abc'`,
          `INNER=a"b"c`,
          `HASH=#starts-with-hash`,
          `EMPTY=`,
          `export EXPORTED=yes`,
          `  SPACED  =  value with spaces  `,
          `no equals sign here`,
          `=no key`,
          `# NEO4J_URI=commented-out`,
          `DUP=first`,
          `DUP=second`
        ].join("\n")
      )
      expect(parsed).toEqual({
        DOUBLE: "a b # c=d",
        SINGLE: "#secret",
        UNBALANCED: '"abc',
        MIXED: `"abc'`,
        INNER: 'a"b"c',
        HASH: "#starts-with-hash",
        EMPTY: "",
        EXPORTED: "yes",
        SPACED: "value with spaces",
        DUP: "second"
      })
    })

    it.effect("fromAuraFile reads a real file into a ConfigProvider for `config`", () =>
      Effect.gen(function* () {
        const file = writeTmp("Neo4j-a0a2fa1d-Created-2023-11-06.txt", AURA_FILE.replace(/\n/g, "\r\n"))
        const provider = yield* DriverConfig.fromAuraFile(file)
        const c = yield* DriverConfig.config.pipe(Effect.withConfigProvider(provider))
        expect(c.uri).toBe("neo4j+s://a0a2fa1d.databases.neo4j.io")
        expect(c.database).toBe("neo4j")
        expect((c.auth as Auth.AuthToken).principal).toBe("neo4j")
        expect(Redacted.value((c.auth as Auth.AuthToken).credentials!)).toBe(PASSWORD)
        const r = Either.getOrThrow(DriverConfig.resolve(c))
        expect(r.parsedUri).toMatchObject({ scheme: "neo4j+s", host: "a0a2fa1d.databases.neo4j.io", encryption: "system" })
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.effect("NodeDriverConfig.layerAuraFile sets the ConfigProvider; keys the file lacks fall back to the previous provider", () =>
      Effect.gen(function* () {
        const file = writeTmp("aura-layer.txt", AURA_FILE)
        const read = Effect.all({
          driver: DriverConfig.config,
          instance: Config.string("AURA_INSTANCENAME")
        }).pipe(Effect.provide(NodeDriverConfig.layerAuraFile(file)))
        const { driver, instance } = yield* read.pipe(
          Effect.withConfigProvider(fromMap({ NEO4J_URI: "bolt://elsewhere", NEO4J_FETCH_SIZE: "250" }))
        )
        expect(driver.uri).toBe("neo4j+s://a0a2fa1d.databases.neo4j.io")
        expect(Redacted.value((driver.auth as Auth.AuthToken).credentials!)).toBe(PASSWORD)
        expect(driver.fetchSize).toBe(250)
        expect(instance).toBe("Instance01")
      }))

    it.effect("layerAuraFile works with any FileSystem layer", () =>
      Effect.gen(function* () {
        const file = writeTmp("aura-layer-2.txt", AURA_FILE)
        const uri = yield* Config.string("NEO4J_URI").pipe(
          Effect.provide(DriverConfig.layerAuraFile(file).pipe(Layer.provide(NodeFileSystem.layer)))
        )
        expect(uri).toBe("neo4j+s://a0a2fa1d.databases.neo4j.io")
      }))

    it.effect("a missing file is an InvalidConfigError naming the file", () =>
      Effect.gen(function* () {
        const file = path.join(tmp, "does-not-exist.txt")
        const error = yield* Effect.flip(DriverConfig.fromAuraFile(file))
        expect(error).toBeInstanceOf(InvalidConfigError)
        expect(error.message).toBe(`Cannot read the Aura connection file ${JSON.stringify(file)}: the file does not exist`)
        const fromLayer = yield* Effect.flip(Effect.provide(Effect.void, NodeDriverConfig.layerAuraFile(file)))
        expect(fromLayer.message).toContain("does-not-exist.txt")
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.effect("a file without NEO4J_URI is an InvalidConfigError naming the file and never the password", () =>
      Effect.gen(function* () {
        const file = writeTmp("no-uri.txt", AURA_FILE.replace(/^NEO4J_URI=.*$/m, ""))
        const error = yield* Effect.flip(DriverConfig.fromAuraFile(file))
        expect(error).toBeInstanceOf(InvalidConfigError)
        expect(error.message).toContain(JSON.stringify(file))
        expect(error.message).toContain("has no NEO4J_URI")
        expect(error.message).toContain("NEO4J_PASSWORD")
        for (const printed of [error.message, String(error), JSON.stringify(error), util.inspect(error)]) {
          expect(printed).not.toContain(PASSWORD)
          expect(printed).not.toContain("Xy9")
        }
        const empty = yield* Effect.flip(DriverConfig.fromAuraFile(writeTmp("empty.txt", "# nothing here\n")))
        expect(empty.message).toContain("no KEY=value lines found")
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })
})
