/**
 * TLS material from the config: trusted CA files read and checked, and client certificates
 * (files or PEM text) read, decrypted once to check the password and that the key matches the
 * certificate, and handed to the transport. A certificate given in the config is loaded when the
 * driver is made; a provider is asked when a connection opens, one call at a time.
 *
 * Errors are `InvalidConfigError`s naming the option and the file; never the key or the password.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as fs from "node:fs/promises"
import * as tls from "node:tls"
import * as ClientCertificate from "../ClientCertificate.js"
import { InvalidConfigError } from "../Neo4jError.js"
import type { ClientCertificateMaterial } from "./transport/socket.js"

const fail = (message: string) => Effect.fail(new InvalidConfigError({ message }))

/** Why a file could not be read, from its error code. */
const readFailure = (cause: unknown): string => {
  const code = (cause as { code?: unknown })?.code
  switch (code) {
    case "ENOENT":
      return "the file does not exist"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return typeof code === "string" ? `it cannot be read (${code})` : "it cannot be read"
  }
}

const readText = (path: string, what: string): Effect.Effect<string, InvalidConfigError> =>
  Effect.tryPromise({
    try: () => fs.readFile(path, "utf8"),
    catch: (cause) => new InvalidConfigError({ message: `Cannot read ${what} ${JSON.stringify(path)}: ${readFailure(cause)}` })
  })

const CERTIFICATE_BLOCK = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED )?CERTIFICATE-----/g

/** The certificates of a PEM text, or why there are none usable. */
const certificateProblem = (pem: string): string | undefined => {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? []
  if (blocks.length === 0) return 'it holds no PEM certificate ("-----BEGIN CERTIFICATE-----")'
  for (const [i, block] of blocks.entries()) {
    // OpenSSL's TRUSTED CERTIFICATE (trust settings appended) is left for the TLS stack to read
    if (block.startsWith("-----BEGIN TRUSTED")) continue
    try {
      new crypto.X509Certificate(block)
    } catch {
      return `its ${ordinal(i + 1)} certificate cannot be parsed`
    }
  }
  return undefined
}

const ordinal = (n: number): string => (n === 1 ? "1st" : n === 2 ? "2nd" : n === 3 ? "3rd" : `${n}th`)

/**
 * The CA certificates to trust: the PEM texts of `trustedCertificates` and the contents of
 * `trustedCertificateFiles`; `undefined` when neither is given (the system's CAs).
 */
export const trustedCas = (
  pems: ReadonlyArray<string> | undefined,
  files: ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<string> | undefined, InvalidConfigError> =>
  Effect.gen(function* () {
    if (pems === undefined && files === undefined) return undefined
    const out: Array<string> = [...(pems ?? [])]
    for (const [i, path] of (files ?? []).entries()) {
      const what = `trustedCertificateFiles[${i}]`
      const text = yield* readText(path, what)
      const problem = certificateProblem(text)
      if (problem !== undefined) return yield* fail(`${what} ${JSON.stringify(path)} is not a CA certificate file: ${problem}`)
      out.push(text)
    }
    return out
  })

const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/

/**
 * Reads (files) and checks a client certificate: the certificate parses, the key decrypts with
 * the password, the key matches the certificate. `name` is how errors call it
 * ("clientCertificate", or "the provider's clientCertificate").
 */
export const load = (
  certificate: ClientCertificate.ClientCertificate,
  name: string
): Effect.Effect<ClientCertificateMaterial, InvalidConfigError> =>
  Effect.gen(function* () {
    const invalid = (why: string) => fail(`Invalid client certificate: ${why}`)
    const problems = ClientCertificate.validate(certificate, name)
    if (problems.length > 0) return yield* invalid(problems.join("; "))
    let cert: string
    let key: Redacted.Redacted<string>
    let certRef: string
    let keyRef: string
    if ("certfile" in certificate) {
      certRef = `${name}.certfile ${JSON.stringify(certificate.certfile)}`
      keyRef = `${name}.keyfile ${JSON.stringify(certificate.keyfile)}`
      const read = (path: string, ref: string) =>
        Effect.tryPromise({
          try: () => fs.readFile(path, "utf8"),
          catch: (cause) => new InvalidConfigError({ message: `Invalid client certificate: cannot read ${ref}: ${readFailure(cause)}` })
        })
      cert = yield* read(certificate.certfile, certRef)
      key = Redacted.make(yield* read(certificate.keyfile, keyRef))
    } else {
      certRef = `${name}.cert`
      keyRef = `${name}.key`
      cert = certificate.cert
      key = certificate.key
    }
    const certProblem = certificateProblem(cert)
    if (certProblem !== undefined) return yield* invalid(`${certRef} is not a certificate: ${certProblem}`)
    const keyText = Redacted.value(key)
    const password = certificate.password
    const passphrase = password !== undefined ? { passphrase: Redacted.value(password) } : {}
    const encrypted = ENCRYPTED_KEY.test(keyText)
    if (encrypted && password === undefined) {
      return yield* invalid(`${keyRef} is an encrypted key, and ${name}.password is not given`)
    }
    try {
      crypto.createPrivateKey({ key: keyText, ...passphrase })
    } catch (e) {
      const code = codeOf(e)
      return yield* invalid(
        encrypted && code === "ERR_OSSL_BAD_DECRYPT"
          ? `${keyRef} cannot be decrypted with ${name}.password: wrong password`
          : `${keyRef} is not a PEM private key${code !== undefined ? ` (${code})` : ""}`
      )
    }
    try {
      tls.createSecureContext({ cert, key: keyText, ...passphrase })
    } catch (e) {
      const code = codeOf(e)
      return yield* invalid(
        code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH"
          ? `${keyRef} is not the key of ${certRef}`
          : `${certRef} and its key cannot be used for TLS${code !== undefined ? ` (${code})` : ""}`
      )
    }
    return { cert, key, passphrase: password }
  })

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown })?.code
  return typeof code === "string" ? code : undefined
}

/**
 * The client certificate of each new connection, from the config's `clientCertificate`:
 * `undefined` without one; a certificate is loaded now (a problem fails the driver's creation); a
 * provider is asked when a connection opens (see `ClientCertificate.ClientCertificateProvider`),
 * one call at a time, its certificate loaded when it changed.
 */
export const clientCertificateSource = (
  option: ClientCertificate.ClientCertificate | ClientCertificate.ClientCertificateProvider | undefined
): Effect.Effect<Effect.Effect<ClientCertificateMaterial, InvalidConfigError> | undefined, InvalidConfigError> =>
  Effect.gen(function* () {
    if (option === undefined) return undefined
    if (!ClientCertificate.isProvider(option)) return Effect.succeed(yield* load(option, "clientCertificate"))
    const provider = option
    const lock = yield* Effect.makeSemaphore(1)
    let current: ClientCertificateMaterial | undefined
    return lock.withPermits(1)(
      Effect.gen(function* () {
        // as the reference: the first connection asks for the certificate; later ones ask whether
        // it changed. A certificate that failed to load is asked for again next time.
        if (current === undefined || (yield* provider.hasUpdate)) {
          current = undefined
          const certificate = yield* provider.getClientCertificate
          current = yield* load(certificate, "the provider's clientCertificate")
        }
        return current
      })
    )
  })
