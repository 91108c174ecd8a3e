/**
 * A scripted Bolt server on real sockets, for tests: TCP or TLS on `127.0.0.1`, port 0, in a
 * scope. It answers the handshake itself and plays a `StubScript` per connection, as strictly as
 * a server: every client message must be the one the script expects, with the same field values
 * (an Integer is not a Float), the preamble and the chosen version must be valid, and nothing may
 * come after GOODBYE or be left half-sent. The first deviation of a connection is recorded with
 * the expected and received messages side by side, and that connection is closed.
 *
 * Verification. `verify` waits for the connections to settle (closed by the client, or idle at a
 * point where the script may end; at most `verifyTimeout`), then fails with a
 * `StubServerError` whose message lists every deviation not reported before: wrong, missing or
 * extra messages, scripts not played to their end, scripts of a list never used. By default the
 * same check runs when the server's scope closes, and a problem nobody reported makes the scope
 * close with a defect carrying the same text, so a test that forgets `verify` still fails
 * loudly; a test that expects a deviation calls `verify` itself (`Effect.flip`) and asserts on
 * it, which marks it reported. Pass `verifyOnClose: false` to turn the check on close off.
 *
 * Faithfulness. A test against a script that makes the stub send what no real server would send
 * proves nothing, so by default the stub also checks each message it sends against the Bolt
 * version negotiated on that connection, and `verify` reports (and fails on) every message no
 * real server of that version sends, once per rule and connection, marked `unfaithful`:
 *
 * - FAILURE with `code` and no `neo4j_code` on 5.7+ (5.7+ sends `neo4j_code`, `message`,
 *   `gql_status`, `description`, `diagnostic_record`; neo4j-driver reads `code` there as `N/A`);
 * - SUCCESS with `notifications` on 5.6+ (5.6+ sends `statuses`);
 * - RECORD while the request being answered is not a PULL (each request but GOODBYE gets one
 *   summary, in order: after RUN and PULL, SUCCESS answers RUN, then the RECORDs answer PULL).
 *
 * Such a message is still sent and the connection goes on. A test that sends one on purpose (a
 * pre-5.7 FAILURE on 5.7, say) passes `faithful: false`.
 *
 * Scripts: `script` plays one script on every connection; `scripts` gives one script per
 * connection in the order they are accepted (a connection beyond the list is a deviation, and so
 * is a script never used).
 *
 * Timing uses real timers, never the Effect `Clock`: the stub behaves the same under `TestClock`.
 * Tests that talk to it still need `it.live`/`it.scopedLive` for their own socket waits.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * const script = `!: BOLT 5.4
 * A: HELLO
 * A: LOGON
 * C: RUN "RETURN 1 AS x" {} {}
 * C: PULL {"n": 1000}
 * S: SUCCESS {"fields": ["x"]}
 *    RECORD [1]
 *    SUCCESS {"type": "r"}
 * ?: GOODBYE
 * `
 * // in @effect/vitest: it.scopedLive("RETURN 1", () => test)
 * const test = Effect.gen(function* () {
 *   const stub = yield* StubServer.make({ script })
 *   const driver = yield* Neo4jDriver.driver(stub.uri(), Auth.basic("neo4j", "pw"))
 *   const result = yield* (yield* driver.session()).run("RETURN 1 AS x")
 *   const xs = Array.from(yield* result.list, (r) => r.get("x")) // [1]
 *   yield* stub.verify
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import * as net from "node:net"
import * as tls from "node:tls"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Certificate from "./Certificate.js"
import type { ReceivedMessage } from "./internal/engine.js"
import { serve } from "./internal/serve.js"
import { END, Inbox } from "./internal/socketIo.js"
import { Ledger, reportMessage } from "./internal/verification.js"
import * as StubScript from "./StubScript.js"

export type {
  /**
   * A message the stub received: `name`, `fields` (Integers as `bigint`, Floats as `number`,
   * structures as `Structure`) and `text`, the message as a script line.
   *
   * @since 0.1.0
   * @category models
   */
  ReceivedMessage
}

/**
 * One deviation from a script, with the expected and received sides as script lines. `text` is
 * the readable block that `verify` reports.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deviation {
  /** connection number (1 = first accepted), undefined for a script never played */
  readonly connection: number | undefined
  /** script number in `scripts` (1-based), or 1 for a repeated `script` */
  readonly script: number | undefined
  /**
   * the client followed the script, but the script made the stub send a message no real server
   * of the negotiated version sends (see `faithful` in `StubServerOptions`); the connection went on
   */
  readonly unfaithful: boolean
  readonly reason: string
  readonly expected: ReadonlyArray<string>
  readonly received: string
  /** where the received message differs from the closest expected one */
  readonly detail: string | undefined
  readonly text: string
}

/**
 * What the handshake of a connection looked like.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandshakeLog {
  /** the first 4 bytes, hex (`60 60 B0 17` when valid) */
  readonly preamble: string | undefined
  /** the client's four proposals in its order: "manifest v1", "5.8-5.0", "4.4", "none" */
  readonly proposals: ReadonlyArray<string>
  /** whether the manifest v1 exchange took place */
  readonly manifest: boolean
  /** the version agreed, "5.8" */
  readonly version: string | undefined
  /** the capabilities the client chose (manifest only) */
  readonly capabilities: bigint | undefined
}

/**
 * The certificate a client presented (mutual TLS, see `clientCa`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PeerCertificate {
  /** the subject's common name */
  readonly commonName: string | undefined
  /** the issuer's common name */
  readonly issuer: string | undefined
  /** SHA-256 fingerprint, "AB:CD:..." (as `Certificate.signed` gives it, and `X509Certificate.fingerprint256`) */
  readonly fingerprint256: string
}

/**
 * What one connection did: its handshake, every message received (in order), and how it ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionLog {
  /** 1 for the first connection accepted */
  readonly id: number
  /** the script played (1-based), undefined when none was left */
  readonly script: number | undefined
  /** the certificate the client presented (TLS with `clientCa` only) */
  readonly peerCertificate: PeerCertificate | undefined
  readonly handshake: HandshakeLog
  readonly received: ReadonlyArray<ReceivedMessage>
  /** the socket is still open */
  readonly open: boolean
  /** the script reached a point where it may end */
  readonly complete: boolean
  readonly deviation: Deviation | undefined
}

/**
 * `verify` found deviations; `message` lists them all with expected and received sides.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // a test that expects the client to deviate from the script
 * const deviated = Effect.gen(function* () {
 *   const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\nA: LOGON\nC: RESET\n" })
 *   // ... drive a client that sends something else ...
 *   const error = yield* Effect.flip(stub.verify) // StubServerError, now reported
 *   return error.deviations.map((d) => d.reason)
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class StubServerError extends Data.TaggedError("StubServerError")<{
  readonly message: string
  readonly deviations: ReadonlyArray<Deviation>
}> {}

/**
 * TLS settings: a key and certificate (PEM), or `true` for a fresh self-signed certificate for
 * `localhost` and `127.0.0.1` (see `Certificate.selfSigned`).
 *
 * `clientCa` asks for mutual TLS: the stub requires a client certificate signed by one of these
 * CAs (PEM; node:tls `requestCert: true, rejectUnauthorized: true, ca`). A client without one
 * fails the TLS handshake (with TLS 1.3, by an alert it reads after its own handshake ended); a
 * client whose certificate another CA signed sees the connection closed once its handshake ended.
 * Either way the connection is not accepted (no script is played) and `tlsErrors` says why. The
 * certificate each accepted client presented is in its `ConnectionLog` (`peerCertificate`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Certificate, StubServer } from "effect-neo4j/testing"
 *
 * const mtlsStub = (script: string) =>
 *   Effect.gen(function* () {
 *     const ca = yield* Certificate.authority()
 *     const server = yield* Certificate.signed(ca)
 *     return yield* StubServer.make({ script, tls: { key: server.key, cert: server.cert, clientCa: ca.cert } })
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TlsOptions =
  | {
    readonly key: string | Uint8Array
    readonly cert: string | Uint8Array
    readonly clientCa?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  }
  | true

/**
 * Options of `make`: exactly one of `script` (every connection) and `scripts` (one per
 * connection, in accept order).
 *
 * @since 0.1.0
 * @category models
 */
export interface StubServerOptions {
  readonly script?: StubScript.ScriptInput | undefined
  readonly scripts?: ReadonlyArray<StubScript.ScriptInput> | undefined
  readonly tls?: TlsOptions | undefined
  /** check the scripts when the scope closes and die with the report (default true) */
  readonly verifyOnClose?: boolean | undefined
  /** how long `verify` waits for connections to settle, in ms (default 2000) */
  readonly verifyTimeout?: number | undefined
  /** the port to listen on (default 0: any free port); with `freePorts`, scripts can name each other's addresses */
  readonly port?: number | undefined
  /**
   * check that what the scripts make the stub send is what a real server of the negotiated
   * version sends, and report the rest as deviations (default true); `false` for a test that
   * sends something odd on purpose (see "Faithfulness" above)
   */
  readonly faithful?: boolean | undefined
}

/**
 * A running stub server.
 *
 * @since 0.1.0
 * @category models
 */
export interface StubServer {
  /** "127.0.0.1" */
  readonly host: string
  readonly port: number
  /** "127.0.0.1:port" */
  readonly address: string
  readonly tls: boolean
  /** the certificate when the server made a self-signed one (`tls: true`) */
  readonly certificate: Certificate.SelfSignedCertificate | undefined
  /** `bolt://127.0.0.1:port` (`bolt+ssc://` with TLS); another scheme with `uri("neo4j")` */
  readonly uri: (scheme?: string) => string
  /** how many connections were accepted (for TLS: completed the TLS handshake) */
  readonly connectionCount: Effect.Effect<number>
  /** a snapshot of every connection */
  readonly connections: Effect.Effect<ReadonlyArray<ConnectionLog>>
  /** the messages received by one connection (1-based), or by all in connection order */
  readonly received: (connection?: number) => Effect.Effect<ReadonlyArray<ReceivedMessage>>
  /** every deviation so far, reported or not (unfaithful messages included, unless `faithful: false`) */
  readonly deviations: Effect.Effect<ReadonlyArray<Deviation>>
  /** TLS handshakes that failed (for example a client that rejected the certificate, or a client certificate the stub refused) */
  readonly tlsErrors: Effect.Effect<ReadonlyArray<string>>
  /** waits for the connections to settle, then fails with every deviation not reported yet */
  readonly verify: Effect.Effect<void, StubServerError>
}

/**
 * The stub server service.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // a driver Layer pointed at the StubServer in context
 * const DriverOnStub = Layer.unwrapEffect(
 *   Effect.map(StubServer.StubServer, (stub) => Neo4jDriver.layer({ uri: stub.uri(), auth: Auth.basic("neo4j", "pw") }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const StubServer: Context.Tag<StubServer, StubServer> = Context.GenericTag<StubServer>("effect-neo4j/testing/StubServer")

// ---------------------------------------------------------------------------------------------
// the server

/**
 * Starts a stub server on `127.0.0.1`, port 0, for the scope; closing the scope checks the
 * scripts (see `verifyOnClose`), destroys every socket and closes the server. An invalid script
 * is a defect (`StubScriptError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * const test = Effect.gen(function* () {
 *   const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\nA: LOGON\n?: GOODBYE\n", verifyTimeout: 500 })
 *   // ... point a client at stub.uri() (bolt://127.0.0.1:<port>) ...
 *   yield* stub.verify
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: StubServerOptions): Effect.Effect<StubServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    if ((options.script === undefined) === (options.scripts === undefined)) {
      return yield* Effect.dieMessage("StubServer.make: give exactly one of `script` and `scripts`")
    }
    const repeated = options.script !== undefined ? StubScript.from(options.script) : undefined
    const list = (options.scripts ?? []).map(StubScript.from)
    const verifyTimeout = options.verifyTimeout ?? 2000
    const verifyOnClose = options.verifyOnClose ?? true

    let certificate: Certificate.SelfSignedCertificate | undefined
    let secure: tls.TlsOptions | undefined
    const pem = (p: string | Uint8Array): string | Buffer => (typeof p === "string" ? p : Buffer.from(p))
    if (options.tls === true) {
      certificate = yield* Effect.orDie(Certificate.selfSigned())
      secure = { key: certificate.key, cert: certificate.cert }
    } else if (options.tls !== undefined) {
      const { key, cert, clientCa } = options.tls
      secure = { key: pem(key), cert: pem(cert) }
      if (clientCa !== undefined) {
        const cas = typeof clientCa === "string" || clientCa instanceof Uint8Array ? [clientCa] : clientCa
        secure = { ...secure, requestCert: true, rejectUnauthorized: true, ca: cas.map(pem) }
      }
    }

    const ledger = new Ledger(repeated, list, options.faithful ?? true)
    const tlsErrors: Array<string> = []
    const sockets = new Set<net.Socket>()

    const runFork = yield* FiberSet.makeRuntime<never>()

    const accept = (socket: net.Socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      socket.setNoDelay(true)
      const accepted = ledger.accept()
      if (accepted === undefined) {
        socket.destroy()
        return
      }
      const { conn, script } = accepted
      if (socket instanceof tls.TLSSocket && secure?.requestCert === true) {
        const peer = socket.getPeerCertificate()
        if (peer !== null && typeof peer === "object" && typeof peer.fingerprint256 === "string") {
          conn.peerCertificate = {
            commonName: commonName(peer.subject),
            issuer: commonName(peer.issuer),
            fingerprint256: peer.fingerprint256
          }
        }
      }
      const inbox = new Inbox()
      socket.on("data", (bytes: Buffer) => {
        conn.lastActivity = Date.now()
        inbox.push({ _tag: "Data", bytes })
      })
      socket.on("end", () => inbox.push(END))
      socket.on("close", () => {
        conn.open = false
        conn.lastActivity = Date.now()
        inbox.push(END)
      })
      runFork(serve(socket, conn, script, inbox))
    }

    const server = yield* Effect.acquireRelease(
      Effect.async<net.Server>((resume) => {
        const srv: net.Server = secure !== undefined
          ? tls.createServer(secure, accept)
          : net.createServer(accept)
        if (secure !== undefined) {
          srv.on("connection", (raw: net.Socket) => {
            sockets.add(raw)
            raw.once("close", () => sockets.delete(raw))
            raw.on("error", () => {})
          })
          srv.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
            // a client certificate another CA signed: node closes the socket, and names the reason here
            const refused = (socket as tls.TLSSocket & { authorizationError?: unknown }).authorizationError
            tlsErrors.push(refused !== undefined && refused !== null ? `client certificate refused: ${String(refused)}` : err.message)
          })
        }
        srv.once("error", (err) => resume(Effect.die(err)))
        srv.listen(options.port ?? 0, "127.0.0.1", () => resume(Effect.succeed(srv)))
      }),
      (srv) =>
        Effect.async<void>((resume) => {
          const closed = [...sockets].map((s) =>
            new Promise<void>((resolve) => {
              if (s.closed) return resolve()
              s.once("close", () => resolve())
              s.destroy()
            })
          )
          // the server's handle leaves process.getActiveResourcesInfo() one loop turn after the
          // close callback: wait for it, so that leak checks right after the scope see nothing
          srv.close(() => {
            void Promise.all(closed).then(() => setImmediate(() => setImmediate(() => resume(Effect.void))))
          })
        })
    )
    const port = (server.address() as net.AddressInfo).port
    const address = `127.0.0.1:${port}`

    const report = (problems: ReadonlyArray<Deviation>): StubServerError =>
      new StubServerError({ message: reportMessage(address, problems), deviations: problems })

    const verify: Effect.Effect<void, StubServerError> = Effect.gen(function*() {
      yield* ledger.settle(verifyTimeout)
      const problems = ledger.collect()
      if (problems.length > 0) return yield* Effect.fail(report(problems))
    })

    yield* Effect.addFinalizer(() =>
      verifyOnClose
        ? Effect.gen(function*() {
          yield* ledger.settle(verifyTimeout)
          const problems = ledger.collect()
          if (problems.length > 0) return yield* Effect.die(report(problems))
        })
        : Effect.void
    )

    const isTls = secure !== undefined
    const service: StubServer = {
      host: "127.0.0.1",
      port,
      address,
      tls: isTls,
      certificate,
      uri: (scheme) => `${scheme ?? (isTls ? "bolt+ssc" : "bolt")}://${address}`,
      connectionCount: Effect.sync(() => ledger.connectionCount),
      connections: Effect.sync(() => ledger.conns.map((c) => c.snapshot())),
      received: (connection) => Effect.sync(() => ledger.received(connection)),
      deviations: Effect.sync(() => ledger.deviations()),
      tlsErrors: Effect.sync(() => [...tlsErrors]),
      verify
    }
    return service
  })

/** The common name of a certificate's subject or issuer (node gives an array when there are several). */
const commonName = (name: unknown): string | undefined => {
  const cn = (name as { CN?: unknown } | undefined)?.CN
  return typeof cn === "string" ? cn : Array.isArray(cn) ? cn.join(", ") : undefined
}

/**
 * The stub server as a scoped Layer (see `make`). For the stub and a `Neo4jDriver` pointed at
 * it, see `StubDriver.layer`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Auth, Neo4jDriver } from "effect-neo4j"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // a stub playing `script` and a driver pointed at it: the test gets both
 * const stubbedDriver = (script: string) =>
 *   Layer.unwrapEffect(
 *     Effect.map(StubServer.StubServer, (stub) => Neo4jDriver.layer({ uri: stub.uri(), auth: Auth.basic("neo4j", "pw") }))
 *   ).pipe(Layer.provideMerge(StubServer.layer({ script })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: StubServerOptions): Layer.Layer<StubServer> => Layer.scoped(StubServer, make(options))

/**
 * `verify` of the `StubServer` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // with the stub and the driver provided as Layers (see StubServer.layer)
 * const test = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   yield* driver.executeQuery("RETURN 1 AS x")
 *   yield* StubServer.verify
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const verify: Effect.Effect<void, StubServerError, StubServer> = Effect.flatMap(StubServer, (s) => s.verify)

/**
 * `connections` of the `StubServer` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // which Bolt version each connection negotiated
 * const versions = Effect.map(StubServer.connections, (conns) => conns.map((c) => c.handshake.version))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const connections: Effect.Effect<ReadonlyArray<ConnectionLog>, never, StubServer> = Effect.flatMap(StubServer, (s) => s.connections)

/**
 * `received` of the `StubServer` in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // the names of the messages the first connection sent: ["HELLO", "LOGON", "BEGIN", ...]
 * const sent = Effect.map(StubServer.received(1), (messages) => messages.map((m) => m.name))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const received = (connection?: number): Effect.Effect<ReadonlyArray<ReceivedMessage>, never, StubServer> =>
  Effect.flatMap(StubServer, (s) => s.received(connection))

/**
 * Free loopback ports for stub servers that must know each other's addresses before they start
 * (a cluster whose routing tables list its members): pass each as `port`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { StubServer } from "effect-neo4j/testing"
 *
 * // a router whose routing table names a reader that listens on a port known in advance
 * const cluster = Effect.gen(function* () {
 *   const [routerPort, readerPort] = yield* StubServer.freePorts(2)
 *   const reader = yield* StubServer.make({ port: readerPort, script: "!: BOLT 5.4\nA: HELLO\nA: LOGON\n?: GOODBYE\n" })
 *   // ... a router script whose ROUTE reply lists 127.0.0.1:${readerPort} as its reader, on routerPort ...
 *   return { routerPort, reader }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const freePorts = (count: number): Effect.Effect<ReadonlyArray<number>> =>
  Effect.promise(async () => {
    const servers = await Promise.all(
      Array.from({ length: count }, () =>
        new Promise<net.Server>((resolve, reject) => {
          const srv = net.createServer()
          srv.once("error", reject)
          srv.listen(0, "127.0.0.1", () => resolve(srv))
        })
      )
    )
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port)
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    return ports
  })
