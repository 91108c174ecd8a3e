/**
 * Mutual TLS over real sockets, against the stub server in its mutual TLS mode (`clientCa`: a
 * client certificate signed by the test CA is required): a client certificate from files or PEM
 * text is presented and checked; none, or one another CA signed, is refused with a typed error
 * naming the client certificate; a rotating provider's new certificate is presented by new
 * connections while open ones keep theirs, and the provider is asked one call at a time; an
 * encrypted key works with its password, and a wrong or missing password, a missing or unusable
 * file, are `InvalidConfigError`s naming the file and never the key or the password; trusted CAs
 * from files; `isEncrypted` for each scheme; the key and password never show in the config.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Logger, LogLevel, Redacted, Scope } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import * as ClientCertificate from "../../src/ClientCertificate.js"
import type * as DriverConfig from "../../src/DriverConfig.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { Certificate, StubServer } from "../../src/testing/index.js"
import { AUTH, AUTH_HEAD, eventually, failureOf, makeLogCollector, txLines } from "../support.js"

const QUERY = txLines("RETURN 1 AS x", 1, { commit: "{}" })

const SCRIPT = `${AUTH_HEAD}${QUERY}\nC: GOODBYE\n`

/** The password of the encrypted client key: grep-able if it leaks. */
const KEY_PASSWORD = "k3y-Pa55#phrase!"
const WRONG_PASSWORD = "wr0ng-Pa55#phrase!"

interface Fixture {
  readonly ca: Certificate.SelfSignedCertificate
  readonly server: Certificate.SignedCertificate
  readonly client1: Certificate.SignedCertificate
  readonly client2: Certificate.SignedCertificate
  /** signed by another CA */
  readonly intruder: Certificate.SignedCertificate
  /** its key encrypted with KEY_PASSWORD */
  readonly encrypted: Certificate.SignedCertificate
  /** a scratch directory for files made by tests */
  readonly dir: string
}

const scope = Effect.runSync(Scope.make())
let fx: Fixture

beforeAll(async () => {
  fx = await Effect.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const ca = yield* Certificate.authority({ commonName: "effect-neo4j mTLS test CA" })
        const otherCa = yield* Certificate.authority({ commonName: "another CA" })
        const [server, client1, client2, intruder, encrypted] = yield* Effect.all(
          [
            Certificate.signed(ca),
            Certificate.signed(ca, { commonName: "client-1", altNames: [] }),
            Certificate.signed(ca, { commonName: "client-2", altNames: [] }),
            Certificate.signed(otherCa, { commonName: "intruder", altNames: [] }),
            Certificate.signed(ca, { commonName: "client-enc", altNames: [], password: KEY_PASSWORD })
          ],
          { concurrency: 5 }
        )
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "effect-neo4j-mtls-"))),
          (d) => Effect.promise(() => fs.rm(d, { recursive: true, force: true }))
        )
        return { ca, server, client1, client2, intruder, encrypted, dir }
      }),
      scope
    )
  )
}, 60_000)

afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

const files = (c: Certificate.SignedCertificate, password?: string) =>
  ClientCertificate.fromFiles({ certfile: c.certPath, keyfile: c.keyPath, ...(password !== undefined ? { password } : {}) })

/** A stub requiring a client certificate signed by the test CA, its own certificate signed by it too. */
const mtlsStub = (options: Omit<StubServer.StubServerOptions, "tls">) =>
  StubServer.make({ ...options, tls: { key: fx.server.key, cert: fx.server.cert, clientCa: fx.ca.cert } })

type Config = Omit<DriverConfig.DriverConfig, "uri" | "auth">

/** verifyConnectivity + RETURN 1 through a driver for `uri`, in its own scope. */
const query = (uri: string, config: Config = {}) =>
  Effect.flatMap(Neo4jDriver.Neo4jDriver, (d) =>
    Effect.zip(d.verifyConnectivity(), Effect.map(d.executeQuery("RETURN 1 AS x"), (r) => r.records.map((x) => x.get("x"))))
  ).pipe(Effect.provide(Neo4jDriver.layer({ uri, auth: AUTH, ...config })))

/** verifyConnectivity through a driver for `uri`, expected to fail: its error. */
const failure = (uri: string, config: Config = {}) =>
  Effect.flip(
    Effect.flatMap(Neo4jDriver.Neo4jDriver, (d) => d.verifyConnectivity()).pipe(
      Effect.provide(Neo4jDriver.layer({ uri, auth: AUTH, ...config }))
    )
  )

/** The error's every printed form: none may show a secret. */
const printed = (u: unknown): string =>
  [String(u), JSON.stringify(u), util.inspect(u, { depth: 10 }), (u as { message?: unknown })?.message].join("\n")

describe("mutual TLS", () => {
  it.live("bolt+s:// with the CA trusted and a client certificate from files: the query runs, the stub saw the certificate", () =>
    Effect.gen(function* () {
      const stub = yield* mtlsStub({ script: SCRIPT })
      const [info, values] = yield* query(`bolt+s://localhost:${stub.port}`, {
        trustedCertificates: [fx.ca.cert],
        clientCertificate: files(fx.client1)
      })
      expect(info.address).toBe(`localhost:${stub.port}`)
      expect(values).toEqual([1])
      yield* stub.verify
      expect(yield* stub.tlsErrors).toEqual([])
      const [conn] = yield* stub.connections
      expect(conn?.peerCertificate).toEqual({
        commonName: "client-1",
        issuer: "effect-neo4j mTLS test CA",
        fingerprint256: fx.client1.fingerprint256
      })
    }).pipe(Effect.scoped)
  )

  it.live("bolt+ssc:// and neo4j+s:// with a client certificate as PEM text: presented too", () =>
    Effect.gen(function* () {
      const pem = ClientCertificate.fromPem({ cert: fx.client2.cert, key: fx.client2.key })
      const stub = yield* mtlsStub({ script: SCRIPT })
      const [, values] = yield* query(`bolt+ssc://localhost:${stub.port}`, { clientCertificate: pem })
      expect(values).toEqual([1])
      yield* stub.verify
      expect((yield* stub.connections)[0]?.peerCertificate?.fingerprint256).toBe(fx.client2.fingerprint256)

      const [port] = yield* StubServer.freePorts(1)
      const address = `localhost:${port}`
      const route = `C: ROUTE {"address": "${address}"} [] {}
S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}`
      const routed = yield* mtlsStub({
        port,
        // verifyConnectivity and the query each resolve the home database (no home-database
        // cache before Bolt 5.8 with server-side routing): two ROUTEs on the one connection
        script: `${AUTH_HEAD}${route}
C: RESET
S: SUCCESS {}
${route}
${QUERY.replace("C: BEGIN {}", 'C: BEGIN {"db": "neo4j"}')}
C: GOODBYE
`
      })
      const [, routedValues] = yield* query(`neo4j+s://${address}`, { trustedCertificates: [fx.ca.cert], clientCertificate: pem })
      expect(routedValues).toEqual([1])
      yield* routed.verify
      expect((yield* routed.connections).map((c) => c.peerCertificate?.commonName)).toEqual(["client-2"])
    }).pipe(Effect.scoped)
  )

  it.live("without a client certificate: a permanent ServiceUnavailableError naming TLS and the client certificate", () =>
    Effect.gen(function* () {
      for (const scheme of ["bolt+s", "neo4j+s"]) {
        const stub = yield* mtlsStub({ script: SCRIPT, verifyOnClose: false })
        const error = yield* failure(`${scheme}://localhost:${stub.port}`, { trustedCertificates: [fx.ca.cert] })
        expect(error._tag).toBe("ServiceUnavailableError")
        expect(error.message).toContain("TLS")
        expect(error.message).toContain("the server requires a client certificate, and none was given")
        expect(error.message).toContain("clientCertificate")
        expect(error.retriable).toBe(false)
        // the stub refused the TLS handshake: no connection, no Bolt
        expect(yield* eventually(Effect.map(stub.tlsErrors, (e) => e.length === 1))).toBe(true)
        expect((yield* stub.tlsErrors)[0]).toMatch(/did not return a certificate/i)
        expect(yield* stub.connectionCount).toBe(0)
        expect(yield* stub.received()).toEqual([])
      }
    }).pipe(Effect.scoped)
  )

  it.live("a client certificate another CA signed: refused, the error names the client certificate", () =>
    Effect.gen(function* () {
      const stub = yield* mtlsStub({ script: SCRIPT, verifyOnClose: false })
      const error = yield* failure(`bolt+s://localhost:${stub.port}`, {
        trustedCertificates: [fx.ca.cert],
        clientCertificate: files(fx.intruder)
      })
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(error.message).toMatch(/client certificate/)
      expect(yield* eventually(Effect.map(stub.tlsErrors, (e) => e.length === 1))).toBe(true)
      expect((yield* stub.tlsErrors)[0]).toMatch(/^client certificate refused: /)
      expect(yield* stub.connectionCount).toBe(0)
    }).pipe(Effect.scoped)
  )

  it.live("rotation: a connection opened after updateCertificate presents the new certificate, an open one keeps its own", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const rotating = yield* ClientCertificate.rotating({ initialCertificate: files(fx.client1) })
      const counted: ClientCertificate.ClientCertificateProvider = {
        hasUpdate: Effect.tap(rotating.hasUpdate, (u) => Effect.sync(() => calls.push(`hasUpdate ${u}`))),
        getClientCertificate: Effect.tap(rotating.getClientCertificate, () => Effect.sync(() => calls.push("getClientCertificate")))
      }
      const stub = yield* mtlsStub({
        scripts: [
          `${AUTH_HEAD}C: BEGIN {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RUN "RETURN 2 AS y" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["y"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
C: GOODBYE
`,
          SCRIPT
        ]
      })
      yield* Effect.gen(function* () {
        const driver = yield* Neo4jDriver.driver(`bolt+s://localhost:${stub.port}`, AUTH, {
          trustedCertificates: [fx.ca.cert],
          clientCertificate: counted
        })
        // connection 1, with client-1, held by an open transaction
        const session = yield* driver.session()
        const tx = yield* session.beginTransaction()
        expect([...(yield* (yield* tx.run("RETURN 1 AS x")).list)].map((r) => r.get("x"))).toEqual([1])
        expect(calls).toEqual(["getClientCertificate"])

        yield* rotating.updateCertificate(files(fx.client2))
        // connection 2: the provider has an update
        const { records } = yield* driver.executeQuery("RETURN 1 AS x")
        expect(records.map((r) => r.get("x"))).toEqual([1])
        expect(calls).toEqual(["getClientCertificate", "hasUpdate true", "getClientCertificate"])

        // connection 1 goes on with its certificate
        expect([...(yield* (yield* tx.run("RETURN 2 AS y")).list)].map((r) => r.get("y"))).toEqual([2])
        yield* tx.commit
      }).pipe(Effect.scoped)
      yield* stub.verify
      expect((yield* stub.connections).map((c) => c.peerCertificate?.fingerprint256)).toEqual([
        fx.client1.fingerprint256,
        fx.client2.fingerprint256
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("a rotating provider: hasUpdate is true once after each update; a malformed certificate is refused", () =>
    Effect.gen(function* () {
      const provider = yield* ClientCertificate.rotating({ initialCertificate: files(fx.client1) })
      expect(yield* provider.hasUpdate).toBe(false)
      expect(yield* provider.getClientCertificate).toEqual(files(fx.client1))
      yield* provider.updateCertificate(files(fx.client2))
      expect(yield* provider.hasUpdate).toBe(true)
      expect(yield* provider.hasUpdate).toBe(false)
      expect(yield* provider.getClientCertificate).toEqual(files(fx.client2))
      // the same files again: an update (a certificate renewed in place)
      yield* provider.updateCertificate(files(fx.client2))
      expect(yield* provider.hasUpdate).toBe(true)

      const bad = yield* Effect.flip(provider.updateCertificate({ certfile: fx.client1.certPath } as never))
      expect(bad._tag).toBe("InvalidConfigError")
      expect(bad.message).toContain("certificate.keyfile must be the path of the private key file")
      expect(yield* provider.getClientCertificate).toEqual(files(fx.client2))
      const plain = yield* Effect.flip(
        ClientCertificate.rotating({ initialCertificate: { certfile: "c.pem", keyfile: "k.pem", password: KEY_PASSWORD } as never })
      )
      expect(plain.message).toContain("initialCertificate.password must be a Redacted")
      expect(printed(plain)).not.toContain(KEY_PASSWORD)
    })
  )

  it.live("connections opened together ask the provider one call at a time", () =>
    Effect.gen(function* () {
      let active = 0
      let most = 0
      const calls: Array<string> = []
      const slow = <A>(name: string, value: () => A) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            calls.push(name)
            most = Math.max(most, ++active)
          }),
          () => Effect.as(Effect.sleep("20 millis"), value()),
          () => Effect.sync(() => void active--)
        )
      const provider: ClientCertificate.ClientCertificateProvider = {
        hasUpdate: slow("hasUpdate", () => false),
        getClientCertificate: slow("getClientCertificate", () => files(fx.client1))
      }
      const stub = yield* mtlsStub({ script: SCRIPT.replace("C: GOODBYE\n", "?: GOODBYE\n") })
      const all = yield* Deferred.make<void>()
      const inTransaction = (driver: Neo4jDriver.Neo4jDriver) =>
        Effect.scoped(
          Effect.gen(function* () {
            const tx = yield* (yield* driver.session()).beginTransaction()
            yield* (yield* tx.run("RETURN 1 AS x")).list
            yield* Deferred.await(all)
            yield* tx.commit
          })
        )
      yield* Effect.gen(function* () {
        const driver = yield* Neo4jDriver.driver(`bolt+s://localhost:${stub.port}`, AUTH, {
          trustedCertificates: [fx.ca.cert],
          clientCertificate: provider
        })
        const fiber = yield* Effect.fork(Effect.all([inTransaction(driver), inTransaction(driver), inTransaction(driver)], { concurrency: 3 }))
        expect(yield* eventually(Effect.map(stub.connectionCount, (n) => n === 3))).toBe(true)
        yield* Deferred.succeed(all, undefined)
        yield* Fiber.join(fiber)
      }).pipe(Effect.scoped)
      yield* stub.verify
      expect(most).toBe(1)
      expect(calls).toEqual(["getClientCertificate", "hasUpdate", "hasUpdate"])
      expect((yield* stub.connections).map((c) => c.peerCertificate?.commonName)).toEqual(["client-1", "client-1", "client-1"])
    }).pipe(Effect.scoped)
  )

  it.live("an encrypted key with its password works; a wrong or missing one is an InvalidConfigError naming the key file, never the password", () =>
    Effect.gen(function* () {
      const stub = yield* mtlsStub({ script: SCRIPT })
      const uri = `bolt+s://localhost:${stub.port}`
      const [, values] = yield* query(uri, { trustedCertificates: [fx.ca.cert], clientCertificate: files(fx.encrypted, KEY_PASSWORD) })
      expect(values).toEqual([1])
      yield* stub.verify
      expect((yield* stub.connections)[0]?.peerCertificate?.commonName).toBe("client-enc")

      // a certificate given in the config is checked when the driver is made: no connection
      const wrong = failureOf(yield* Effect.exit(Effect.scoped(Neo4jDriver.driver(uri, AUTH, { clientCertificate: files(fx.encrypted, WRONG_PASSWORD) }))))
      expect(wrong._tag).toBe("InvalidConfigError")
      expect(wrong.message).toBe(
        `Invalid client certificate: clientCertificate.keyfile ${JSON.stringify(fx.encrypted.keyPath)} cannot be decrypted with clientCertificate.password: wrong password`
      )
      const missing = failureOf(yield* Effect.exit(Effect.scoped(Neo4jDriver.driver(uri, AUTH, { clientCertificate: files(fx.encrypted) }))))
      expect(missing.message).toContain(`clientCertificate.keyfile ${JSON.stringify(fx.encrypted.keyPath)} is an encrypted key, and clientCertificate.password is not given`)
      // as PEM text: the key is never quoted either
      const pem = failureOf(
        yield* Effect.exit(
          Effect.scoped(
            Neo4jDriver.driver(uri, AUTH, {
              clientCertificate: ClientCertificate.fromPem({ cert: fx.encrypted.cert, key: fx.encrypted.key, password: WRONG_PASSWORD })
            })
          )
        )
      )
      expect(pem.message).toBe("Invalid client certificate: clientCertificate.key cannot be decrypted with clientCertificate.password: wrong password")
      for (const e of [wrong, missing, pem]) {
        for (const secret of [KEY_PASSWORD, WRONG_PASSWORD, fx.encrypted.key, fx.encrypted.key.split("\n")[1]!]) {
          expect(printed(e)).not.toContain(secret)
        }
      }
      expect(yield* stub.connectionCount).toBe(1)
    }).pipe(Effect.scoped)
  )

  it.live("a provider's certificate with a wrong password: an InvalidConfigError when a connection opens; fixed by an update", () =>
    Effect.gen(function* () {
      const stub = yield* mtlsStub({ script: SCRIPT })
      const provider = yield* ClientCertificate.rotating({ initialCertificate: files(fx.encrypted, WRONG_PASSWORD) })
      yield* Effect.gen(function* () {
        const driver = yield* Neo4jDriver.driver(`bolt+s://localhost:${stub.port}`, AUTH, {
          trustedCertificates: [fx.ca.cert],
          clientCertificate: provider
        })
        const error = yield* Effect.flip(driver.verifyConnectivity())
        expect(error._tag).toBe("InvalidConfigError")
        expect(error.message).toContain(`the provider's clientCertificate.keyfile ${JSON.stringify(fx.encrypted.keyPath)} cannot be decrypted`)
        expect(printed(error)).not.toContain(WRONG_PASSWORD)
        expect(yield* stub.connectionCount).toBe(0)
        yield* provider.updateCertificate(files(fx.encrypted, KEY_PASSWORD))
        const { records } = yield* driver.executeQuery("RETURN 1 AS x")
        expect(records.map((r) => r.get("x"))).toEqual([1])
      }).pipe(Effect.scoped)
      yield* stub.verify
    }).pipe(Effect.scoped)
  )

  it.live("files that cannot be used: an InvalidConfigError naming the file and why", () =>
    Effect.gen(function* () {
      const uri = "bolt+s://localhost:7687"
      const made = (clientCertificate: ClientCertificate.ClientCertificate) =>
        Effect.map(Effect.exit(Effect.scoped(Neo4jDriver.driver(uri, AUTH, { clientCertificate }))), (exit) => failureOf(exit).message)
      const nowhere = path.join(fx.dir, "missing.pem")
      expect(yield* made({ certfile: nowhere, keyfile: fx.client1.keyPath })).toBe(
        `Invalid client certificate: cannot read clientCertificate.certfile ${JSON.stringify(nowhere)}: the file does not exist`
      )
      expect(yield* made({ certfile: fx.client1.certPath, keyfile: nowhere })).toBe(
        `Invalid client certificate: cannot read clientCertificate.keyfile ${JSON.stringify(nowhere)}: the file does not exist`
      )
      expect(yield* made({ certfile: fx.dir, keyfile: fx.client1.keyPath })).toContain("it is a directory")
      // the key file where the certificate should be
      expect(yield* made({ certfile: fx.client1.keyPath, keyfile: fx.client1.keyPath })).toBe(
        `Invalid client certificate: clientCertificate.certfile ${JSON.stringify(fx.client1.keyPath)} is not a certificate: it holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`
      )
      expect(yield* made({ certfile: fx.client1.certPath, keyfile: fx.client1.certPath })).toContain(
        `clientCertificate.keyfile ${JSON.stringify(fx.client1.certPath)} is not a PEM private key`
      )
      expect(yield* made({ certfile: fx.client1.certPath, keyfile: fx.client2.keyPath })).toBe(
        `Invalid client certificate: clientCertificate.keyfile ${JSON.stringify(fx.client2.keyPath)} is not the key of clientCertificate.certfile ${JSON.stringify(fx.client1.certPath)}`
      )
      // a key given as text that is not a key: the text is not quoted
      const notAKey = "not-a-key-but-a-secret-0xDEADBEEF"
      const message = yield* made(ClientCertificate.fromPem({ cert: fx.client1.cert, key: notAKey }))
      expect(message).toContain("clientCertificate.key is not a PEM private key")
      expect(message).not.toContain(notAKey)
    })
  )

  it.live("clientCertificate needs an encrypted scheme; its fields are checked, no secret quoted", () =>
    Effect.gen(function* () {
      const resolved = (config: Partial<DriverConfig.DriverConfig>) =>
        Effect.flip(Effect.scoped(Neo4jDriver.make({ uri: "bolt://localhost", auth: AUTH, ...config })))
      expect((yield* resolved({ clientCertificate: files(fx.client1) })).message).toContain(
        "clientCertificate needs an encrypted connection: use bolt+s:// (or bolt+ssc://) instead of bolt://"
      )
      const plain = yield* resolved({
        uri: "neo4j+s://localhost",
        clientCertificate: { certfile: "c.pem", keyfile: "k.pem", password: KEY_PASSWORD } as never
      })
      expect(plain.message).toContain("clientCertificate.password must be a Redacted")
      expect(printed(plain)).not.toContain(KEY_PASSWORD)
      const pastedKey = yield* resolved({ uri: "neo4j+s://localhost", clientCertificate: { certfile: "c.pem", keyfile: fx.client1.key } })
      expect(pastedKey.message).toContain("clientCertificate.keyfile must be a file path, not the key's PEM text")
      expect(printed(pastedKey)).not.toContain(fx.client1.key.split("\n")[1]!)
      const keyAsString = yield* resolved({ uri: "neo4j+s://localhost", clientCertificate: { cert: fx.client1.cert, key: fx.client1.key } as never })
      expect(keyAsString.message).toContain("clientCertificate.key must be the private key's PEM text as a Redacted")
      expect(printed(keyAsString)).not.toContain(fx.client1.key.split("\n")[1]!)
      expect((yield* resolved({ uri: "neo4j+s://localhost", clientCertificate: "client.pem" as never })).message).toContain(
        "clientCertificate must be a client certificate"
      )
      // the reference's provider shape (functions returning promises) is not ours
      const promised = { hasUpdate: () => false, getClientCertificate: () => files(fx.client1) }
      expect((yield* resolved({ uri: "neo4j+s://localhost", clientCertificate: promised as never })).message).toContain(
        "clientCertificate looks like a ClientCertificateProvider, but its hasUpdate and getClientCertificate must be Effects"
      )
    })
  )

  it.live("the key and the password never show in the driver's config: toString, JSON.stringify, inspect, logs", () =>
    Effect.gen(function* () {
      const collector = makeLogCollector()
      const keyLine = fx.encrypted.key.split("\n")[1]!
      for (const clientCertificate of [
        ClientCertificate.fromPem({ cert: fx.encrypted.cert, key: fx.encrypted.key, password: KEY_PASSWORD }),
        files(fx.encrypted, KEY_PASSWORD),
        yield* ClientCertificate.rotating({ initialCertificate: ClientCertificate.fromPem({ cert: fx.encrypted.cert, key: Redacted.make(fx.encrypted.key), password: Redacted.make(KEY_PASSWORD) }) })
      ]) {
        const driver = yield* Neo4jDriver.driver("neo4j+s://localhost", AUTH, { clientCertificate })
        yield* Effect.log("config", driver.config, clientCertificate).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
          Logger.withMinimumLogLevel(LogLevel.All)
        )
        for (const text of [printed(driver.config), printed(clientCertificate), collector.lines.join("\n")]) {
          expect(text).not.toContain(KEY_PASSWORD)
          expect(text).not.toContain(keyLine)
        }
      }
      expect(collector.lines.length).toBe(3)
      expect(JSON.stringify(files(fx.encrypted, KEY_PASSWORD))).toBe(
        JSON.stringify({ certfile: fx.encrypted.certPath, keyfile: fx.encrypted.keyPath, password: "<redacted>" })
      )
    }).pipe(Effect.scoped)
  )
})

describe("trusted CAs from files", () => {
  it.live("trustedCertificateFiles: the CA read from its file verifies the server", () =>
    Effect.gen(function* () {
      const stub = yield* mtlsStub({ script: SCRIPT })
      const [, values] = yield* query(`bolt+s://localhost:${stub.port}`, {
        trustedCertificateFiles: [fx.ca.certPath],
        clientCertificate: files(fx.client1)
      })
      expect(values).toEqual([1])
      yield* stub.verify
      // without it, the system CAs do not know the test CA
      const plain = yield* StubServer.make({ script: SCRIPT, verifyOnClose: false, tls: { key: fx.server.key, cert: fx.server.cert } })
      const refused = yield* failure(`bolt+s://localhost:${plain.port}`)
      expect(refused.message).toMatch(/TLS handshake .* failed: .*(issuer|certificate)/)
      expect(refused.retriable).toBe(false)
      // with another CA file beside it: both trusted
      const other = yield* Certificate.authority()
      const plain2 = yield* StubServer.make({ script: SCRIPT, tls: { key: fx.server.key, cert: fx.server.cert } })
      const [, values2] = yield* query(`bolt+s://localhost:${plain2.port}`, {
        trustedCertificates: [other.cert],
        trustedCertificateFiles: [other.certPath, fx.ca.certPath]
      })
      expect(values2).toEqual([1])
      yield* plain2.verify
    }).pipe(Effect.scoped)
  )

  it.live("a CA file that cannot be read, or holds no certificate: an InvalidConfigError naming it", () =>
    Effect.gen(function* () {
      const made = (config: Config) =>
        Effect.map(Effect.exit(Effect.scoped(Neo4jDriver.driver("neo4j+s://localhost", AUTH, config))), (exit) => failureOf(exit).message)
      const nowhere = path.join(fx.dir, "no-ca.pem")
      expect(yield* made({ trustedCertificateFiles: [fx.ca.certPath, nowhere] })).toBe(
        `Cannot read trustedCertificateFiles[1] ${JSON.stringify(nowhere)}: the file does not exist`
      )
      const keyMessage = yield* made({ trustedCertificateFiles: [fx.client1.keyPath] })
      expect(keyMessage).toBe(
        `trustedCertificateFiles[0] ${JSON.stringify(fx.client1.keyPath)} is not a CA certificate file: it holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`
      )
      const garbled = path.join(fx.dir, "garbled.pem")
      yield* Effect.promise(() => fs.writeFile(garbled, `${fx.ca.cert}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`))
      expect(yield* made({ trustedCertificateFiles: [garbled] })).toContain("its 2nd certificate cannot be parsed")
      // PEM text where a path goes, and the reverse: the message says which option takes which
      expect(yield* made({ trustedCertificateFiles: [fx.ca.cert] })).toContain(
        "trustedCertificateFiles[0] must be a file path, not PEM text (give PEM texts in trustedCertificates)"
      )
      expect(yield* made({ trustedCertificates: [fx.ca.certPath] })).toContain("give files in trustedCertificateFiles")
    })
  )
})

describe("isEncrypted", () => {
  it.live("true for +s and +ssc schemes, false for bolt:// and neo4j://, after close too", () =>
    Effect.gen(function* () {
      const expected: Record<string, boolean> = {
        bolt: false,
        "bolt+s": true,
        "bolt+ssc": true,
        neo4j: false,
        "neo4j+s": true,
        "neo4j+ssc": true
      }
      for (const [scheme, encrypted] of Object.entries(expected)) {
        const driver = yield* Effect.scoped(Neo4jDriver.driver(`${scheme}://localhost:7687`, AUTH))
        // the scope is closed: the driver is closed, its answer stands
        expect([scheme, driver.isEncrypted()]).toEqual([scheme, encrypted])
      }
    })
  )
})
