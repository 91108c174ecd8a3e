/**
 * Self-signed certificates for TLS tests (the TLS stub server, `bolt+s` / `bolt+ssc`), made by
 * the `openssl` command line tool into a temporary directory that is removed when the scope
 * closes.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Data, Effect } from "effect"
import type { Scope } from "effect"

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

const run = (args: ReadonlyArray<string>) =>
  Effect.async<void, CertificateError>((resume) => {
    const child = execFile("openssl", args, { timeout: 60_000 }, (error, _stdout, stderr) => {
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
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.mkdtemp(path.join(os.tmpdir(), "effect-neo4j-cert-")),
        catch: (cause) => new CertificateError({ message: "cannot create a temporary directory", cause })
      }),
      (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
    )
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
    const [key, cert] = yield* Effect.tryPromise({
      try: () => Promise.all([fs.readFile(keyPath, "utf8"), fs.readFile(certPath, "utf8")]),
      catch: (cause) => new CertificateError({ message: "cannot read the generated certificate", cause })
    })
    return { key, cert, keyPath, certPath }
  })
