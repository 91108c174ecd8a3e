/**
 * Certificates for TLS tests (the TLS stub server, `bolt+s` / `bolt+ssc`, mutual TLS): self-signed
 * ones, a certificate authority and certificates it signs (server or client, the key optionally
 * encrypted with a password), made by the `openssl` command line tool into a temporary directory
 * that is removed when the scope closes.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * A key and certificate in PEM, and where they are on disk.
 *
 * @since 0.1.0
 * @category models
 */
export interface SelfSignedCertificate {
  /** the private key, PEM */
  readonly key: string
  /** the certificate, PEM (trust it as a CA to verify the server) */
  readonly cert: string
  readonly keyPath: string
  readonly certPath: string
}

/**
 * `openssl` is missing or failed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Certificate } from "effect-neo4j/testing"
 *
 * // no openssl on this machine: skip the TLS test rather than fail it
 * const cert = Certificate.selfSigned().pipe(Effect.asSome, Effect.catchTag("CertificateError", () => Effect.succeedNone))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CertificateError extends Data.TaggedError("CertificateError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Options of `selfSigned`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SelfSignedOptions {
  /** subject common name (default "localhost") */
  readonly commonName?: string | undefined
  /** subjectAltName entries (default ["DNS:localhost", "IP:127.0.0.1"]) */
  readonly altNames?: ReadonlyArray<string> | undefined
  /** validity in days (default 1) */
  readonly days?: number | undefined
}

const run = (args: ReadonlyArray<string>, env?: Readonly<Record<string, string>>) =>
  Effect.async<void, CertificateError>((resume) => {
    const options = env === undefined ? { timeout: 60_000 } : { timeout: 60_000, env: { ...process.env, ...env } }
    const child = execFile("openssl", args, options, (error, _stdout, stderr) => {
      if (error) resume(Effect.fail(new CertificateError({ message: `openssl failed: ${error.message} ${String(stderr).trim()}`, cause: error })))
      else resume(Effect.void)
    })
    return Effect.sync(() => {
      child.kill()
    })
  })

/**
 * Makes an RSA 2048 self-signed certificate (`openssl req -x509 -newkey rsa:2048 -nodes ...`)
 * in a temporary directory, removed when the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 * import { Certificate, StubServer } from "effect-neo4j/testing"
 *
 * const tlsTest = (script: string) =>
 *   Effect.gen(function* () {
 *     const cert = yield* Certificate.selfSigned({ days: 1 }) // CN localhost, IP 127.0.0.1
 *     const stub = yield* StubServer.make({ script, tls: { key: cert.key, cert: cert.cert } })
 *     // bolt+s: the certificate is checked, against the one trusted here
 *     const driver = yield* Neo4jDriver.driver(stub.uri("bolt+s"), Auth.none(), { trustedCertificates: [cert.cert] })
 *     yield* driver.verifyConnectivity()
 *   }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const selfSigned = (options: SelfSignedOptions = {}): Effect.Effect<SelfSignedCertificate, CertificateError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const keyPath = path.join(dir, "key.pem")
    const certPath = path.join(dir, "cert.pem")
    const alt = (options.altNames ?? ["DNS:localhost", "IP:127.0.0.1"]).join(",")
    yield* run([
      "req", "-x509", "-newkey", "rsa:2048", "-nodes",
      "-keyout", keyPath, "-out", certPath,
      "-subj", `/CN=${options.commonName ?? "localhost"}`,
      "-addext", `subjectAltName=${alt}`,
      "-days", String(options.days ?? 1)
    ])
    const [key, cert] = yield* readBoth(keyPath, certPath)
    return { key, cert, keyPath, certPath }
  })

/** A temporary directory, removed when the scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => fs.mkdtemp(path.join(os.tmpdir(), "effect-neo4j-cert-")),
    catch: (cause) => new CertificateError({ message: "cannot create a temporary directory", cause })
  }),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const readBoth = (keyPath: string, certPath: string) =>
  Effect.tryPromise({
    try: () => Promise.all([fs.readFile(keyPath, "utf8"), fs.readFile(certPath, "utf8")]),
    catch: (cause) => new CertificateError({ message: "cannot read the generated certificate", cause })
  })

/**
 * Options of `authority`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorityOptions {
  /** subject common name (default "effect-neo4j test CA") */
  readonly commonName?: string | undefined
  /** validity in days (default 1) */
  readonly days?: number | undefined
}

/**
 * Makes a certificate authority: an RSA 2048 self-signed CA certificate (`basicConstraints
 * CA:TRUE`) and its key, in a temporary directory removed when the scope closes. Sign server and
 * client certificates with `signed`; trust it in the driver (`trustedCertificates`,
 * `trustedCertificateFiles`) or in the stub (`clientCa`, for mutual TLS).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, ClientCertificate, Neo4jDriver } from "effect-neo4j"
 * import { Certificate, StubServer } from "effect-neo4j/testing"
 *
 * // mutual TLS: the stub checks the driver's certificate, the driver checks the stub's
 * const mtlsTest = (script: string) =>
 *   Effect.gen(function* () {
 *     const ca = yield* Certificate.authority()
 *     const server = yield* Certificate.signed(ca) // CN localhost, IP 127.0.0.1
 *     const client = yield* Certificate.signed(ca, { commonName: "app", altNames: [] })
 *     const stub = yield* StubServer.make({ script, tls: { key: server.key, cert: server.cert, clientCa: ca.cert } })
 *     const driver = yield* Neo4jDriver.driver(stub.uri("bolt+s"), Auth.none(), {
 *       trustedCertificates: [ca.cert],
 *       clientCertificate: ClientCertificate.fromFiles({ certfile: client.certPath, keyfile: client.keyPath })
 *     })
 *     yield* driver.verifyConnectivity()
 *   }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const authority = (options: AuthorityOptions = {}): Effect.Effect<SelfSignedCertificate, CertificateError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const keyPath = path.join(dir, "ca.key")
    const certPath = path.join(dir, "ca.pem")
    yield* run([
      "req", "-x509", "-newkey", "rsa:2048", "-nodes",
      "-keyout", keyPath, "-out", certPath,
      "-subj", `/CN=${options.commonName ?? "effect-neo4j test CA"}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      "-days", String(options.days ?? 1)
    ])
    const [key, cert] = yield* readBoth(keyPath, certPath)
    return { key, cert, keyPath, certPath }
  })

/**
 * Options of `signed`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedOptions {
  /** subject common name (default "localhost") */
  readonly commonName?: string | undefined
  /** subjectAltName entries (default ["DNS:localhost", "IP:127.0.0.1"]; [] for none) */
  readonly altNames?: ReadonlyArray<string> | undefined
  /** validity in days (default 1) */
  readonly days?: number | undefined
  /** encrypt the private key with this password (PKCS#8, AES-256) */
  readonly password?: string | undefined
}

/**
 * A key and certificate signed by a certificate authority, in PEM, and where they are on disk.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedCertificate {
  /** the private key, PEM (encrypted when a `password` was given) */
  readonly key: string
  /** the certificate, PEM */
  readonly cert: string
  readonly keyPath: string
  readonly certPath: string
  /** the certificate's SHA-256 fingerprint, as `StubServer`'s `peerCertificate` gives it ("AB:CD:...") */
  readonly fingerprint256: string
}

/**
 * Makes an RSA 2048 certificate signed by `ca` (see `authority`), usable by a server and by a
 * client (extended key usage `serverAuth, clientAuth`), in a temporary directory removed when the
 * scope closes. With `password`, the key is encrypted (PKCS#8, AES-256).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ClientCertificate } from "effect-neo4j"
 * import { Certificate } from "effect-neo4j/testing"
 *
 * // a client certificate whose key needs a password
 * const clientCertificate = Effect.gen(function* () {
 *   const ca = yield* Certificate.authority()
 *   const client = yield* Certificate.signed(ca, { commonName: "app", altNames: [], password: "pa55" })
 *   return ClientCertificate.fromFiles({ certfile: client.certPath, keyfile: client.keyPath, password: "pa55" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const signed = (
  ca: SelfSignedCertificate,
  options: SignedOptions = {}
): Effect.Effect<SignedCertificate, CertificateError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const plainKeyPath = path.join(dir, "plain.key")
    const keyPath = path.join(dir, "key.pem")
    const csrPath = path.join(dir, "cert.csr")
    const extPath = path.join(dir, "cert.ext")
    const certPath = path.join(dir, "cert.pem")
    const alt = options.altNames ?? ["DNS:localhost", "IP:127.0.0.1"]
    const ext = ["basicConstraints=CA:FALSE", "extendedKeyUsage=serverAuth,clientAuth"]
    if (alt.length > 0) ext.push(`subjectAltName=${alt.join(",")}`)
    yield* Effect.tryPromise({
      try: () => fs.writeFile(extPath, ext.join("\n") + "\n"),
      catch: (cause) => new CertificateError({ message: "cannot write the certificate's extensions", cause })
    })
    yield* run([
      "req", "-new", "-newkey", "rsa:2048", "-nodes",
      "-keyout", plainKeyPath, "-out", csrPath,
      "-subj", `/CN=${options.commonName ?? "localhost"}`
    ])
    yield* run([
      "x509", "-req", "-in", csrPath,
      "-CA", ca.certPath, "-CAkey", ca.keyPath,
      "-set_serial", `0x${crypto.randomBytes(8).toString("hex")}`,
      "-extfile", extPath,
      "-out", certPath,
      "-days", String(options.days ?? 1)
    ])
    if (options.password !== undefined) {
      // the password goes through the environment, not the command line
      yield* run(
        ["pkcs8", "-topk8", "-in", plainKeyPath, "-out", keyPath, "-v2", "aes-256-cbc", "-passout", "env:EFFECT_NEO4J_KEY_PASSWORD"],
        { EFFECT_NEO4J_KEY_PASSWORD: options.password }
      )
    } else {
      yield* Effect.tryPromise({
        try: () => fs.rename(plainKeyPath, keyPath),
        catch: (cause) => new CertificateError({ message: "cannot move the generated key", cause })
      })
    }
    const [key, cert] = yield* readBoth(keyPath, certPath)
    return { key, cert, keyPath, certPath, fingerprint256: new crypto.X509Certificate(cert).fingerprint256 }
  })
