/**
 * Bytes over TCP and TLS. Knows nothing of Bolt.
 *
 * Reads are pull-based: the Node socket stays in paused mode and `read` takes what is buffered,
 * waiting on 'readable' only when nothing is. So TCP backpressure holds: a consumer that stops
 * pulling stops the server (the push-based `Socket.run` of @effect/platform buffers without
 * bound, see DESIGN.md). This is the same pause + 'readable' + read() protocol as
 * `NodeStream.fromReadable`, written directly so that a read costs one call instead of a trip
 * through a Channel, which matters at a million records a second.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as net from "node:net"
import * as tls from "node:tls"
import { ServiceUnavailableError } from "../../Neo4jError.js"
import { formatAddress } from "./address.js"

/**
 * A client certificate for mutual TLS, checked (the key decrypts, and matches the certificate)
 * by whoever made it: the key and its password stay `Redacted` until the socket is opened.
 *
 * @since 0.1.0
 */
export interface ClientCertificateMaterial {
  /** PEM: the certificate, possibly followed by its chain */
  readonly cert: string
  /** PEM, possibly encrypted */
  readonly key: Redacted.Redacted<string>
  readonly passphrase: Redacted.Redacted<string> | undefined
}

/**
 * TLS settings for one connection.
 *
 * @since 0.1.0
 */
export interface TlsOptions {
  /** false for `+ssc`: any certificate is accepted */
  readonly rejectUnauthorized: boolean
  /** custom trusted CAs (PEM); the system CAs otherwise */
  readonly ca?: ReadonlyArray<string | Uint8Array>
  /** SNI; the host by default */
  readonly servername?: string
  /** the certificate presented to a server that asks for one (mutual TLS) */
  readonly clientCertificate?: ClientCertificateMaterial | undefined
}

/**
 * Where and how to connect.
 *
 * @since 0.1.0
 */
export interface ConnectOptions {
  readonly host: string
  readonly port: number
  readonly tls?: TlsOptions | undefined
  /** milliseconds; 30 000 by default */
  readonly connectTimeout?: number | undefined
}

/**
 * A connected socket with pull-based reads.
 *
 * @since 0.1.0
 */
export interface ByteSocket {
  /** "host:port" */
  readonly address: string
  /** The next bytes; `undefined` at end of stream. */
  readonly read: Effect.Effect<Uint8Array | undefined, ServiceUnavailableError>
  /**
   * The bytes buffered now, without waiting: `null` when none are yet, `undefined` when the
   * socket ended or failed (`read` then gives the end or the failure). A read that finds bytes
   * costs no Effect.
   */
  readonly readNow: () => Uint8Array | null | undefined
  /** Waits until bytes are buffered, or the socket ended or failed. Any number of fibers may wait. */
  readonly readable: Effect.Effect<void>
  /** Writes bytes, waiting for 'drain' when the kernel buffer is full. */
  readonly write: (bytes: Uint8Array) => Effect.Effect<void, ServiceUnavailableError>
  /**
   * Writes bytes without an Effect: `true` when written, `false` when the socket buffered them
   * beyond its limit (`drained` then waits), or the failure (a closed socket). The connection's
   * await flushes its requests this way (a write as an Effect was ~5 Effect operations per answer
   * awaited).
   */
  readonly writeNow: (bytes: Uint8Array) => boolean | ServiceUnavailableError
  /** Waits for 'drain' after `writeNow` gave `false` (or for the close, failing with its failure). */
  readonly drained: Effect.Effect<void, ServiceUnavailableError>
  /** Closes the socket at once. Idempotent. */
  readonly destroy: Effect.Effect<void>
  /** Whether the socket is closed or failed. */
  readonly isClosed: () => boolean
  /**
   * Sets or clears (0) the read timeout in milliseconds (the server's recv-timeout hint): how
   * long a wait for the server's bytes may last. An idle connection (nobody waiting) never
   * times out.
   */
  readonly setReadTimeout: (ms: number) => void
  /** How many received bytes are buffered, unread. */
  readonly buffered: () => number
  /**
   * Registers `f`, called when bytes arrive while nobody waits for them (`readable` has no
   * waiter): the connection tells an idle connection's stray message from an awaited answer.
   */
  readonly onIdleData: (f: () => void) => void
  /** TLS only: whether a client certificate was presented (for the errors that name it) */
  readonly tls?: { readonly clientCertificate: boolean } | undefined
}


const describeError = (err: unknown): string => {
  const e = err as { code?: string; message?: string }
  return e?.message ?? String(err)
}

/**
 * Opens a TCP or TLS socket in the current scope; the scope's close destroys it.
 *
 * @since 0.1.0
 */
export const connect = (options: ConnectOptions) => Effect.acquireRelease(open(options), (s) => s.destroy)

const open = (options: ConnectOptions): Effect.Effect<ByteSocket, ServiceUnavailableError> => {
  const address = formatAddress(options.host, options.port)
  const timeout = options.connectTimeout ?? 30_000
  return Effect.async<ByteSocket, ServiceUnavailableError>((resume) => {
    const t = options.tls
    let sock: net.Socket
    try {
      sock = t ? tls.connect(tlsOptions(options, t)) : net.connect({ host: options.host, port: options.port })
    } catch (err) {
      // tls.connect throws for options it cannot use (a key that does not decrypt): the
      // certificate was checked when it was loaded, so this is unexpected, but not a defect
      resume(
        Effect.fail(
          new ServiceUnavailableError({
            reason: "Connect",
            address,
            message: `TLS set-up for ${address} failed: ${codeOrMessage(err)}`,
            cause: err,
            permanent: true
          })
        )
      )
      return
    }
    const timer = setTimeout(() => {
      cleanup()
      sock.destroy()
      resume(
        Effect.fail(
          new ServiceUnavailableError({
            reason: "Timeout",
            address,
            message: `could not connect to ${address} within ${timeout} ms`
          })
        )
      )
    }, timeout)
    const onError = (err: unknown) => {
      cleanup()
      sock.destroy()
      const tlsFailure = t !== undefined && isTlsError(err)
      resume(
        Effect.fail(
          new ServiceUnavailableError({
            reason: "Connect",
            address,
            message: tlsFailure
              ? tlsFailureMessage(address, err, t)
              : `could not connect to ${address}: ${describeError(err)}`,
            cause: err,
            ...(tlsFailure ? { permanent: true } : {})
          })
        )
      )
    }
    const onConnect = () => {
      cleanup()
      sock.setNoDelay(true)
      sock.setKeepAlive(true)
      resume(Effect.succeed(wrap(sock, address, t)))
    }
    const cleanup = () => {
      clearTimeout(timer)
      sock.off("error", onError)
      sock.off(t ? "secureConnect" : "connect", onConnect)
    }
    sock.on("error", onError)
    sock.on(t ? "secureConnect" : "connect", onConnect)
    return Effect.sync(() => {
      cleanup()
      sock.destroy()
    })
  })
}

const tlsOptions = (options: ConnectOptions, t: TlsOptions): tls.ConnectionOptions => {
  const o: tls.ConnectionOptions = { host: options.host, port: options.port, rejectUnauthorized: t.rejectUnauthorized }
  // SNI carries a host name, never an IP address
  const servername = t.servername ?? (net.isIP(options.host) ? undefined : options.host)
  if (servername !== undefined) o.servername = servername
  if (t.ca) o.ca = t.ca.map((c) => (typeof c === "string" ? c : Buffer.from(c)))
  const client = t.clientCertificate
  if (client !== undefined) {
    o.cert = client.cert
    o.key = Redacted.value(client.key)
    if (client.passphrase !== undefined) o.passphrase = Redacted.value(client.passphrase)
  }
  return o
}

/** An error's code, or its message when it has none (never an option's value). */
const codeOrMessage = (err: unknown): string => {
  const code = (err as { code?: unknown })?.code
  return typeof code === "string" ? code : describeError(err)
}

/** TLS alerts by which a server refuses the certificate a client presented. */
const CLIENT_CERTIFICATE_REFUSED =
  /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)/

/**
 * The message of a failed TLS handshake, naming the client certificate when the server's alert
 * is about it: with TLS 1.3 the server checks the client's certificate after the client has
 * finished its handshake, so its refusal arrives as an alert on the first read.
 */
const tlsFailureMessage = (address: string, err: unknown, t: TlsOptions): string => {
  const code = String((err as { code?: unknown })?.code ?? "")
  const hint = code.includes("CERTIFICATE_REQUIRED")
    ? t.clientCertificate === undefined
      ? "the server requires a client certificate, and none was given (see the clientCertificate option): "
      : "the server requires a client certificate: "
    : t.clientCertificate !== undefined && CLIENT_CERTIFICATE_REFUSED.test(code)
    ? "the server refused the client certificate: "
    : ""
  return `TLS handshake with ${address} failed: ${hint}${describeError(err)}`
}

const isTlsError = (err: unknown): boolean => {
  const code = (err as { code?: unknown })?.code
  return (
    typeof code === "string" &&
    (code.includes("CERT") || code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || code.includes("SELF_SIGNED") ||
      // OpenSSL's verification results without CERT in their name: a server certificate signed
      // by a CA that is not trusted is UNABLE_TO_VERIFY_LEAF_SIGNATURE
      X509_VERIFY_ERRORS.test(code))
  )
}

const X509_VERIFY_ERRORS = /^(UNABLE_TO_|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$)/

const wrap = (sock: net.Socket, address: string, t: TlsOptions | undefined): ByteSocket => {
  let ended = false
  /** whether any bytes came from the server: a TLS error before is the handshake's (see below) */
  let received = false
  let failure: ServiceUnavailableError | undefined
  const waiters = new Set<() => void>()
  let idleData: (() => void) | undefined
  const wake = () => {
    if (waiters.size === 0) return
    const ws = [...waiters]
    waiters.clear()
    for (const w of ws) w()
  }
  /** the server's recv-timeout hint: bounds each wait for an answer, never an idle connection */
  let readTimeoutMs = 0
  const timedOut = () => {
    failure ??= new ServiceUnavailableError({
      reason: "Timeout",
      address,
      message: `no data from ${address} within the connection's read timeout (${readTimeoutMs} ms)`
    })
    sock.destroy()
    wake()
  }
  const readable: Effect.Effect<void> = Effect.suspend(() => {
    if (sock.readableLength > 0 || ended || failure !== undefined || sock.destroyed) return Effect.void
    return Effect.async<void>((resume) => {
      const timer = readTimeoutMs > 0 ? setTimeout(timedOut, readTimeoutMs) : undefined
      const w = () => {
        if (timer !== undefined) clearTimeout(timer)
        resume(Effect.void)
      }
      waiters.add(w)
      // on interruption (the canceller): the wait is over too
      return Effect.sync(() => {
        waiters.delete(w)
        if (timer !== undefined) clearTimeout(timer)
      })
    })
  })
  sock.on("readable", () => {
    if (waiters.size === 0) idleData?.()
    else wake()
  })
  sock.on("end", () => {
    ended = true
    wake()
  })
  sock.on("error", (err) => {
    // with TLS 1.3 the server checks a client certificate (or its absence) after the client's
    // 'secureConnect': its refusal is an alert read before any byte, a TLS failure as permanent
    // as a refused server certificate
    failure ??= t !== undefined && !received && isTlsError(err)
      ? new ServiceUnavailableError({
        reason: "Connect",
        address,
        message: tlsFailureMessage(address, err, t),
        cause: err,
        permanent: true
      })
      : new ServiceUnavailableError({
        reason: "Read",
        address,
        message: `connection to ${address} failed: ${describeError(err)}`,
        cause: err
      })
    wake()
  })
  sock.on("close", () => {
    ended = true
    wake()
  })

  const read: Effect.Effect<Uint8Array | undefined, ServiceUnavailableError> = Effect.suspend(() => {
    const b = sock.read() as Buffer | null
    if (b !== null) {
      received = true
      return Effect.succeed(b)
    }
    if (failure) return Effect.fail(failure)
    if (ended || sock.destroyed) return Effect.succeed(undefined)
    return Effect.zipRight(readable, read)
  })

  const readNow = (): Uint8Array | null | undefined => {
    const b = sock.read() as Buffer | null
    if (b !== null) {
      received = true
      return b
    }
    return failure !== undefined || ended || sock.destroyed ? undefined : null
  }

  const writeNow = (bytes: Uint8Array): boolean | ServiceUnavailableError => {
    if (failure) return failure
    if (sock.destroyed || sock.writableEnded) {
      return new ServiceUnavailableError({ reason: "Write", address, message: `connection to ${address} is closed` })
    }
    return sock.write(bytes)
  }

  const drained = Effect.async<void, ServiceUnavailableError>((resume) => {
    const done = () => {
      sock.off("drain", done)
      sock.off("close", done)
      resume(
        sock.destroyed && failure
          ? Effect.fail(failure)
          : Effect.void
      )
    }
    sock.on("drain", done)
    sock.on("close", done)
    return Effect.sync(() => {
      sock.off("drain", done)
      sock.off("close", done)
    })
  })

  const write = (bytes: Uint8Array): Effect.Effect<void, ServiceUnavailableError> =>
    Effect.suspend(() => {
      const written = writeNow(bytes)
      return written === true ? Effect.void : written === false ? drained : Effect.fail(written)
    })

  return {
    address,
    read,
    readNow,
    readable,
    write,
    writeNow,
    drained,
    destroy: Effect.sync(() => {
      if (!sock.destroyed) sock.destroy()
    }),
    isClosed: () => sock.destroyed || ended || failure !== undefined,
    setReadTimeout: (ms) => {
      readTimeoutMs = ms
    },
    buffered: () => sock.readableLength,
    onIdleData: (f) => {
      idleData = f
    },
    tls: t === undefined ? undefined : { clientCertificate: t.clientCertificate !== undefined }
  }
}
