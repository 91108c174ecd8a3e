/**
 * One live Bolt conversation: a scoped socket, the handshake, HELLO (+LOGON), and a pipeline of
 * requests whose responses are matched in order.
 *
 * Pipelining without a reader fiber: requests are packed into one chunker and go out in one
 * write at the next `flush` (HELLO+LOGON, RUN+PULL, BEGIN+RUN+PULL share a write). Each request
 * leaves a `Pending` entry in a FIFO; whoever waits for an entry drives the reads, dispatching
 * every message to the entry at the head of the FIFO, synchronously, until its own entry is
 * settled. A connection is leased to one fiber at a time, so a demand-driven reader gives the
 * same ordering as a reader fiber, without a fiber hop per message and with TCP backpressure
 * intact: nothing is read that nobody asked for.
 *
 * Release: on scope close GOODBYE is sent (best effort) and the socket is destroyed, after
 * success, failure and interruption alike.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Auth from "../../Auth.js"
import {
  BrokenRecordError,
  InvalidParameterError,
  ProtocolError,
  ServiceUnavailableError
} from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import { Chunker } from "../bolt/chunker.js"
import { Dechunker } from "../bolt/dechunker.js"
import { failureToError, isSecurityError, markHandled, type LoginContext } from "../bolt/failure.js"
import type { Negotiated } from "../bolt/handshake.js"
import { makeDehydrator, makeHydrator, Unrepresentable } from "../bolt/hydration.js"
import * as Msg from "../bolt/messages.js"
import * as Res from "../bolt/responses.js"
import { capabilities, format } from "../bolt/version.js"
import type { Capabilities, ProtocolVersion } from "../bolt/version.js"
import { PackStreamError } from "../packstream/errors.js"
import { Unpacker } from "../packstream/unpacker.js"
import { connect } from "../transport/socket.js"
import type { ByteSocket, TlsOptions } from "../transport/socket.js"
import * as BoltTrace from "./boltTrace.js"
import { handshake } from "./handshake.js"
import * as NotificationFilter from "./notificationFilter.js"

/**
 * What a connection needs to open.
 *
 * @since 0.1.0
 */
export interface ConnectionOptions {
  readonly host: string
  readonly port: number
  readonly tls?: TlsOptions | undefined
  /** milliseconds, 30 000 by default: the TCP (and TLS) connect */
  readonly connectTimeout?: number | undefined
  /**
   * milliseconds for the Bolt handshake and HELLO (+LOGON); `connectTimeout` by default. The
   * driver passes Infinity: its pool's connection acquisition timeout bounds the whole opening,
   * as in the reference drivers (connectionTimeout covers the socket only).
   */
  readonly handshakeTimeout?: number | undefined
  /** the token HELLO (before 5.1) or LOGON logs in with, and who is told of its security failures */
  readonly auth: LoginAuth
  readonly userAgent: string
  readonly boltAgent: Msg.BoltAgent
  /** the routing context for `neo4j://`; undefined for `bolt://` */
  readonly routing?: Readonly<Record<string, string>> | undefined
  readonly notifications?: Msg.NotificationFilter | undefined
  /** largest inbound message in bytes */
  readonly maxMessageSize?: number | undefined
  /** decode every Integer as bigint */
  readonly useBigInt?: boolean | undefined
}

/**
 * A token to log in with, and whom to tell when the server fails a request of the connection with
 * a security error (`Neo.ClientError.Security.*`): the driver's auth token manager, for a token it
 * gave; nobody for a session's own token.
 *
 * @since 0.1.0
 */
export interface LoginAuth {
  readonly token: Auth.AuthToken
  /** true: handled, the error becomes retriable (`handledByAuthManager`) */
  readonly onSecurityFailure?: ((token: Auth.AuthToken, code: string) => Effect.Effect<boolean>) | undefined
}

/**
 * How a request ended.
 *
 * @since 0.1.0
 */
export type Outcome =
  | { readonly _tag: "Success"; readonly metadata: Readonly<Record<string, unknown>> }
  | { readonly _tag: "Failure"; readonly error: Neo4jError }
  | { readonly _tag: "Ignored" }

/**
 * A request in flight: `onRecord` receives its RECORDs (PULL only) as undecoded message bodies,
 * each the range `bytes[start, end)` of a socket read, valid until the connection is closed (see
 * `Connection.decodeRecord`); `outcome` is set by its summary.
 *
 * @since 0.1.0
 */
export interface Pending {
  readonly name: string
  onRecord: ((bytes: Uint8Array, start: number, end: number) => void) | undefined
  outcome: Outcome | undefined
}

/**
 * A live Bolt connection.
 *
 * @since 0.1.0
 */
export interface Connection {
  /** "host:port" */
  readonly address: string
  readonly version: ProtocolVersion
  readonly caps: Capabilities
  /** the server's agent string, e.g. "Neo4j/5.26.0" */
  readonly server: string
  readonly connectionId: string
  /** connection hints from HELLO's SUCCESS */
  readonly hints: Readonly<Record<string, unknown>>
  /**
   * Queues a request (not yet written); returns its pending entry. A request that cannot be
   * encoded (an unsupported parameter value) is not queued: its entry comes back already settled
   * with an `InvalidParameterError`.
   */
  readonly enqueue: (name: string, encode: (chunker: Chunker) => void) => Pending
  /** Writes everything queued, in one write. */
  readonly flush: Effect.Effect<void, Neo4jError>
  /**
   * Flushes, then reads until `pending` is settled; returns its outcome. Interruptible, even
   * inside a finalizer: an interrupted wait leaves `pending` queued (the connection `busy`), and
   * the pool cleans it in the background before anyone else uses it.
   */
  readonly await: (pending: Pending) => Effect.Effect<Outcome, Neo4jError>
  /**
   * The same, returning early (undefined) once `ready()` holds and the bytes received so far are
   * dispatched: a result hands its records to the consumer as they arrive, not once the batch's
   * closing SUCCESS is read.
   */
  readonly awaitSome: (pending: Pending, ready: () => boolean) => Effect.Effect<Outcome | undefined, Neo4jError>
  /**
   * `await` for clean-up (a result stopped early, a session closing with an unread result): bounded
   * by `CLEANUP_TIMEOUT_MS` as well, so that a silent server never hangs a scope's close. On the
   * bound the wait fails and `pending` stays queued: the pool's background clean-up (RESET, bounded
   * too) decides whether the connection is reused or closed.
   */
  readonly settle: (pending: Pending) => Effect.Effect<Outcome, Neo4jError>
  /** Sends RESET and waits for it: the connection is READY again, or fails. */
  readonly reset: Effect.Effect<void, Neo4jError>
  /** The failure that put the server in FAILED, until a RESET. */
  readonly failure: () => Neo4jError | undefined
  /**
   * Whether the server ever failed a request with a security error (`Neo.ClientError.Security.*`):
   * such a connection is closed when released, never reused, as the reference drivers do.
   */
  readonly securityFailed: () => boolean
  /** Whether the connection is broken for good (socket gone or protocol violated). */
  readonly isDefunct: () => boolean
  /** Whether requests are in flight. */
  readonly busy: () => boolean
  /** How many RUNs were queued so far: a result whose RUN is the latest omits `qid` on PULL/DISCARD. */
  readonly runCount: () => number
  /** Whether nothing was sent since HELLO (+LOGON): the connection was just opened. */
  readonly fresh: () => boolean
  /** Whether an earlier lease gave it back to the pool (with `fresh`: opened for the current lease). */
  readonly reused: () => boolean
  /** Called by the pool when a lease gives the connection back (see `reused`). */
  readonly released: () => void
  /** What the connection is logged in with (or will be, once a queued re-authentication is sent). */
  readonly auth: () => LoginAuth
  /**
   * Queues LOGOFF and LOGON with `auth` (Bolt 5.1+), sent with the next request: no round trip of
   * their own. A refused LOGON breaks the connection, and the request after it fails with the
   * refusal (an `AuthenticationError`).
   */
  readonly reauth: (auth: LoginAuth) => Pending
  /** The LOGON of a re-authentication queued and not answered yet, if any. */
  readonly pendingLogon: () => Pending | undefined
  /** The same login (an equal token) under a new lease: only whom its failures are told changes. */
  readonly setAuth: (auth: LoginAuth) => void
  /**
   * Registers `f`, called once, synchronously, when the connection breaks (socket lost, read
   * timeout, protocol violation); never when the driver closes it.
   */
  readonly onBreak: (f: () => void) => void
  /**
   * Marks the connection broken with `error` (no `onBreak` watcher runs): whoever waits on it, or
   * uses it next, fails with `error`. The driver's close uses it so that work cut off by the close
   * says so, instead of reading as a server that hung up.
   */
  readonly shutdown: (error: Neo4jError) => void
  /**
   * Clean-up running in the background on this connection (a result stopped early, finishing on
   * the wire), registered by whoever forked it: the pool's close waits for it (it is bounded, see
   * `settle`) instead of cutting it off, so that the server still gets its DISCARD.
   */
  readonly background: {
    readonly add: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => void
    readonly await: Effect.Effect<void>
    readonly active: () => boolean
  }
  /**
   * Decodes a RECORD body handed to `onRecord`, which lies in `bytes[start, end)` (the result
   * keeps a batch's bodies as ranges of the socket reads they arrived in, see recordBodies.ts). A
   * garbled one breaks the connection: it throws the `ProtocolError`, and the connection is
   * defunct (closed when released). A well-formed one
   * holding a value the driver cannot represent (a DateTime in a zone id this runtime does not
   * know) throws a `BrokenRecordError` and leaves the connection as it was: the whole record was
   * decoded and checked, only its values are lost.
   */
  readonly decodeRecord: (bytes: Uint8Array, start: number, end: number) => Array<unknown>
}

/** How long a RESET may go unanswered before the connection is given up on. */
const RESET_TIMEOUT_MS = 10_000

/** How long clean-up (DISCARD of a result stopped early) may wait for the server: see `settle`. */
export const CLEANUP_TIMEOUT_MS = 10_000

const closedError = (address: string, during: string) =>
  new ServiceUnavailableError({
    reason: "Closed",
    address,
    message: `the server at ${address} closed the connection ${during}`
  })

/**
 * Opens a connection in the current scope: socket, handshake, HELLO (+LOGON). Closing the
 * scope sends GOODBYE and closes the socket.
 *
 * @since 0.1.0
 */
export const open = (options: ConnectionOptions): Effect.Effect<Connection, Neo4jError, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const socket = yield* connect({
      host: options.host,
      port: options.port,
      tls: options.tls,
      connectTimeout: options.connectTimeout
    })
    // a server that accepts the socket but never answers must not hang the caller: the handshake
    // and HELLO are bounded too (by the driver's acquisition timeout, through its pool)
    const timeout = options.handshakeTimeout ?? options.connectTimeout ?? 30_000
    const bounded = <A>(what: string, effect: Effect.Effect<A, Neo4jError>) =>
      timeout === Infinity ? effect : Effect.timeoutFail(effect, {
        duration: timeout,
        onTimeout: () =>
          new ServiceUnavailableError({
            reason: "Timeout",
            address: socket.address,
            message: `the server at ${socket.address} did not complete the ${what} within ${timeout} ms`
          })
      })
    const trace = yield* BoltTrace.make(socket.address)
    const { negotiated, rest } = yield* bounded("Bolt handshake", handshake(socket))
    const connection = makeConnection(socket, options, negotiated, rest, trace)
    yield* Scope.addFinalizerExit(scope, (_exit) => connection.close)
    yield* bounded("HELLO", connection.hello(options))
    return connection.api
  })

const makeConnection = (
  socket: ByteSocket,
  options: ConnectionOptions,
  negotiated: Negotiated,
  rest: Uint8Array,
  trace: BoltTrace.BoltTrace | undefined
) => {
  const address = socket.address
  let caps = capabilities(negotiated.version)
  const chunker = new Chunker(16 * 1024, makeDehydrator(caps))
  const dechunker = new Dechunker(options.maxMessageSize)
  // summaries (metadata, hints, counters) always decode Integers as numbers where exact: protocol
  // behaviour never depends on the user's `useBigInt`, which applies to RECORD values only
  const useBigInt = options.useBigInt ?? false
  /** notes the values of a RECORD that cannot be represented (see `decodeRecord`) */
  const unrepresentable = new Unrepresentable()
  const unpacker = new Unpacker(new Uint8Array(0), makeHydrator(caps, unrepresentable), false)
  let runs = 0
  /** requests queued since HELLO (+LOGON) succeeded; -1 until then */
  let sinceHello = -1
  const queue: Array<Pending> = []
  let defunct: Neo4jError | undefined
  let failed: Neo4jError | undefined
  let server = ""
  let connectionId = ""
  /** who logs in where (set by `hello`), named in the AuthenticationError of a failed HELLO / LOGON */
  let login: LoginContext | undefined
  let loginAuth: LoginAuth = options.auth
  let securityFailed = false
  /** a lease gave it back to the pool once (see `reused`) */
  let leasedBefore = false
  /** a security failure not yet told to the token's manager (see `settleSecurity`) */
  let security: { readonly error: Neo4jError; readonly entry: Pending; readonly auth: LoginAuth } | undefined
  let hints: Readonly<Record<string, unknown>> = {}

  if (negotiated.reply.length > 0) chunker.packer.writeBytes(negotiated.reply)

  /** told once, when the connection breaks (not when the driver closes it) */
  let onBreak: Array<() => void> = []
  const die = (error: Neo4jError): Neo4jError => {
    if (defunct === undefined) {
      defunct = error
      const watchers = onBreak
      onBreak = []
      for (const w of watchers) w()
    }
    dechunker.drop()
    return defunct
  }

  /** A socket read goes to the dechunker, whose `next()` then steps through its messages. */
  const receive = (bytes: Uint8Array): void => {
    // a plain view of the socket's Buffer: `subarray` of a Node Buffer (a message that is not a
    // RECORD is dispatched as a view) goes through its species constructor (FastBuffer): 280 ms
    // of a 3M-record stream's 4.7 s CPU profile (bench/e2e), 160 ms with plain views
    dechunker.feed(bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  }
  if (rest.length > 0) receive(rest)

  /**
   * Steps to the next message received (then in the dechunker's `msg[msgStart, msgEnd)`): false
   * when the bytes received hold no more, the error when their framing is garbled.
   */
  const nextMessage = (): boolean | Neo4jError => {
    try {
      return dechunker.next()
    } catch (e) {
      return die(new ProtocolError({ message: `garbled Bolt framing from ${address}: ${messageOf(e)}`, cause: e }))
    }
  }

  /**
   * Dispatches one message, `buf[start, end)`, to the head of the queue; returns an error when the
   * connection breaks.
   */
  const dispatch = (buf: Uint8Array, start: number, end: number): Neo4jError | undefined => {
    // a RECORD goes to its result undecoded, as a range of the socket read (its list header
    // checked here, its values when decoded): the result decodes it when its consumer reads it,
    // so that a batch waiting for a slow consumer is a few arrays, not records or views that
    // survive young-generation collections (bench/e2e stream and slow consumer, heap peak)
    const first = queue[0]
    if (first?.onRecord !== undefined && Res.isRecord(buf, start, end)) {
      const garbled = Res.recordHeaderError(buf, start, end)
      if (garbled !== undefined) return die(new ProtocolError({ message: `garbled Bolt message from ${address}: ${garbled}` }))
      first.onRecord(buf, start, end)
      trace?.record()
      return undefined
    }
    const bytes = start === 0 && end === buf.length ? buf : buf.subarray(start, end)
    let response: Res.Response
    try {
      unpacker.useBigInt = false
      response = Res.decodeResponse(bytes, unpacker)
    } catch (e) {
      return die(new ProtocolError({ message: `garbled Bolt message from ${address}: ${messageOf(e)}`, cause: e }))
    }
    trace?.received(response)
    const head = queue[0]
    if (head === undefined) {
      return die(new ProtocolError({ message: `unexpected ${response._tag.toUpperCase()} from ${address}: no request was waiting` }))
    }
    switch (response._tag) {
      case "Record":
        // a RECORD its request expects took the path above
        return die(new ProtocolError({ message: `unexpected RECORD from ${address} in answer to ${head.name}` }))
      case "Success":
        queue.shift()
        head.outcome = response
        return answeredAll()
      case "Ignored":
        // a server IGNOREs requests after a FAILURE, or those a RESET interrupted: any other
        // IGNORED is a protocol violation, and the connection is not to be trusted (nor reused)
        if (failed === undefined && !queue.some((p) => p.name === "RESET")) {
          return die(new ProtocolError({ message: `the server at ${address} ignored ${head.name} though no request had failed` }))
        }
        queue.shift()
        head.outcome = response
        return answeredAll()
      case "Failure": {
        queue.shift()
        const logon = head.name === "HELLO" || head.name === "LOGON"
        const error = failureToError(response.metadata, caps, logon ? login : undefined)
        failed ??= error
        head.outcome = { _tag: "Failure", error }
        if (isSecurityError(error)) {
          securityFailed = true
          if (loginAuth.onSecurityFailure !== undefined) security ??= { error, entry: head, auth: loginAuth }
        }
        // a refused re-authentication: the connection is logged in as nobody, and is not reused
        if (logon && sinceHello >= 0) return die(error)
        return answeredAll()
      }
    }
  }

  /**
   * Every request is answered: anything more the server already sent answers nothing. Such a
   * message must never be read as the answer to the next request (a stray SUCCESS would make the
   * next query succeed with an empty result), so the connection is broken at once (and closed
   * when released). The outcome just read stands: the request was answered before the stray came.
   */
  const answeredAll = (): undefined => {
    if (queue.length === 0) checkUnsolicited()
    return undefined
  }

  /**
   * With nothing asked: any message received is a stray one. The bytes already received are taken
   * in (NOOP chunks, the keep-alive servers may send in any state, are no message).
   */
  const checkUnsolicited = () => {
    if (defunct !== undefined) return
    if (!dechunker.pending && socket.buffered() > 0) {
      const bytes = socket.readNow()
      if (bytes === null || bytes === undefined) return
      receive(bytes)
    }
    if (nextMessage() === true) {
      die(new ProtocolError({ message: `the server at ${address} sent a message that answers no request: the connection is closed` }))
    }
  }

  // bytes that arrive while nothing is asked (the connection idle in the pool) answer nothing either
  socket.onIdleData(() => {
    if (queue.length === 0) checkUnsolicited()
  })

  /**
   * Writes the requests queued since the last write, at once when it can: undefined when they
   * went out (or none were queued), else what is left to do (wait for the socket to drain, emit
   * the trace first) or the failure.
   */
  const flushNow = (): Effect.Effect<void, Neo4jError> | undefined => {
    if (defunct) return Effect.fail(defunct)
    if (!chunker.pending) return undefined
    const bytes = chunker.take(allocOutbound)
    if (trace !== undefined) {
      trace.sent(bytes)
      return Effect.zipRight(trace.emit, Effect.mapError(socket.write(bytes), die))
    }
    const written = socket.writeNow(bytes)
    return written === true ? undefined : written === false ? Effect.mapError(socket.drained, die) : Effect.fail(die(written))
  }

  const flush: Effect.Effect<void, Neo4jError> = Effect.suspend(() => flushNow() ?? Effect.void)

  const readMore: Effect.Effect<void, Neo4jError> = Effect.flatMap(
    Effect.mapError(socket.read, die),
    (bytes) => {
      if (bytes === undefined) {
        const head = queue[0]
        return Effect.fail(die(closedError(address, head ? `while waiting for the answer to ${head.name}` : "")))
      }
      receive(bytes)
      return Effect.void
    }
  )

  // never fails: a socket that ends or fails makes it readable (readNow then tells which)
  const waitReadable = socket.readable

  /**
   * Dispatches messages until `pending` is settled. Bytes already buffered by the socket are read
   * in the same synchronous step (no Effect per read); only an empty socket is waited for. Each
   * step (a socket read into the dechunker, one message dispatched to the head of the queue) is
   * synchronous, and a read happens only when the dechunker has no message left, so several
   * fibers may run this loop on one connection at once (two results of one transaction read concurrently): each
   * dispatches to whichever request heads the queue, and no lock is needed. (A semaphore here cost
   * ~10 Effect operations per awaited answer: 4 per transaction function; bench/e2e op counts.)
   */
  const readLoop = (pending: Pending, ready?: () => boolean): Effect.Effect<Outcome | undefined, Neo4jError> =>
    Effect.suspend(function loop(): Effect.Effect<Outcome | undefined, Neo4jError> {
      while (pending.outcome === undefined) {
        if (security !== undefined) return settleSecurity(pending, ready)
        if (defunct) return Effect.fail(defunct)
        const stepped = nextMessage()
        if (stepped === false) {
          const bytes = socket.readNow()
          if (bytes === null) {
            // everything received is dispatched: give what arrived to the caller before waiting
            if (ready !== undefined && ready()) return Effect.succeed(undefined)
            return Effect.flatMap(waitReadable, loop)
          }
          // ended or failed: `read` gives the failure, or the end of stream
          if (bytes === undefined) return Effect.flatMap(readMore, loop)
          receive(bytes)
          continue
        }
        if (stepped !== true) return Effect.fail(stepped)
        const err = dispatch(dechunker.msg, dechunker.msgStart, dechunker.msgEnd)
        if (err) return security !== undefined ? settleSecurity(pending, ready) : Effect.fail(err)
      }
      return security !== undefined ? settleSecurity(pending, ready) : Effect.succeed(pending.outcome)
    })

  /**
   * Tells the token's manager of the security failure just read, before anyone sees it: when it
   * handled it, the error is replaced (wherever the connection keeps it) by the same error marked
   * `handledByAuthManager`, which is retriable. Then the wait goes on as before.
   */
  const settleSecurity = (pending: Pending, ready?: () => boolean): Effect.Effect<Outcome | undefined, Neo4jError> => {
    const { auth, entry, error } = security!
    security = undefined
    const code = (error as { code?: string }).code ?? ""
    return Effect.flatMap(auth.onSecurityFailure!(auth.token, code), (handled) => {
      if (handled) {
        const marked = markHandled(error)
        if (failed === error) failed = marked
        if (defunct === error) defunct = marked
        if (entry.outcome?._tag === "Failure" && entry.outcome.error === error) entry.outcome = { _tag: "Failure", error: marked }
      }
      return readLoop(pending, ready)
    })
  }

  const awaitOutcome = (pending: Pending, ready?: () => boolean): Effect.Effect<Outcome | undefined, Neo4jError> =>
    Effect.interruptible(
      Effect.suspend(() => {
        const answer = pending.outcome !== undefined ? Effect.succeed(pending.outcome) : readLoop(pending, ready)
        const rest = flushNow()
        return rest === undefined ? answer : Effect.zipRight(rest, answer)
      })
    )
  const awaitSome: (pending: Pending, ready: () => boolean) => Effect.Effect<Outcome | undefined, Neo4jError> =
    trace === undefined ? awaitOutcome : (pending, ready) => Effect.ensuring(awaitOutcome(pending, ready), trace.emit)
  const awaitPending = awaitSome as (pending: Pending) => Effect.Effect<Outcome, Neo4jError>

  const settle = (pending: Pending): Effect.Effect<Outcome, Neo4jError> =>
    Effect.timeoutFail(awaitPending(pending), {
      duration: CLEANUP_TIMEOUT_MS,
      onTimeout: () =>
        new ServiceUnavailableError({
          reason: "Timeout",
          address,
          message: `the server at ${address} did not answer ${pending.name} within ${CLEANUP_TIMEOUT_MS} ms: the connection is cleaned (or closed) in the background`
        })
    })

  const enqueue = (name: string, encode: (chunker: Chunker) => void): Pending => {
    const pending: Pending = { name, onRecord: undefined, outcome: undefined }
    try {
      encode(chunker)
    } catch (e) {
      // nothing of the half-packed message stays in the chunker, and nothing is queued: the
      // entry is settled at once and the connection stays usable
      chunker.abort()
      if (!(e instanceof PackStreamError)) throw e
      pending.outcome = {
        _tag: "Failure",
        error: new InvalidParameterError({ message: `${name} cannot be sent: ${e.message}` })
      }
      return pending
    }
    queue.push(pending)
    if (name === "RUN") runs++
    if (sinceHello >= 0) sinceHello++
    return pending
  }

  const reset: Effect.Effect<void, Neo4jError> = Effect.suspend(() => {
    // records still arriving for earlier requests are dropped, including those of a PULL whose
    // RUN was not answered yet (its record handler is only set once RUN's SUCCESS is read)
    for (const p of queue) p.onRecord = () => {}
    const p = enqueue("RESET", Msg.reset)
    // RESET is mostly sent from finalizers (a result stopped mid-batch, a dirty release), where
    // nothing can interrupt the wait: a server that does not answer it in time is given up on,
    // and the connection with it, so that closing a scope never hangs on a silent server
    const answered = awaitPending(p).pipe(
      Effect.timeoutFail({
        duration: RESET_TIMEOUT_MS,
        onTimeout: () =>
          die(
            new ServiceUnavailableError({
              reason: "Timeout",
              address,
              message: `the server at ${address} did not answer RESET within ${RESET_TIMEOUT_MS} ms`
            })
          )
      })
    )
    return Effect.flatMap(answered, (outcome) => {
      if (outcome._tag === "Success") {
        failed = undefined
        return Effect.void
      }
      return Effect.fail(
        die(
          outcome._tag === "Failure"
            ? outcome.error
            : new ProtocolError({ message: `the server at ${address} ignored RESET` })
        )
      )
    })
  })

  const expectSuccess = (p: Pending) =>
    Effect.flatMap(awaitPending(p), (outcome) =>
      outcome._tag === "Success"
        ? Effect.succeed(outcome.metadata)
        : Effect.fail(
            die(
              outcome._tag === "Failure"
                ? outcome.error
                : new ProtocolError({ message: `the server at ${address} ignored ${p.name}` })
            )
          )
    )

  const hello = (opts: ConnectionOptions) =>
    Effect.gen(function* () {
      // the driver's filter on a server without filters (before 5.2): refused, nothing sent, the
      // connection closed
      const refused = NotificationFilter.unsupported(caps, address, opts.notifications, "the driver's notificationFilter", "HELLO")
      if (refused !== undefined) return yield* Effect.fail(die(refused))
      const wire = Auth.toWire(opts.auth.token)
      login = { scheme: opts.auth.token.scheme, principal: opts.auth.token.principal, address }
      const helloPending = enqueue("HELLO", (c) =>
        Msg.hello(c, caps, {
          userAgent: opts.userAgent,
          boltAgent: opts.boltAgent,
          routing: opts.routing,
          notifications: opts.notifications,
          auth: wire
        })
      )
      const logonPending = caps.logon ? enqueue("LOGON", (c) => Msg.logon(c, caps, wire)) : undefined
      const meta = yield* expectSuccess(helloPending)
      if (logonPending) yield* expectSuccess(logonPending)
      sinceHello = 0
      server = typeof meta.server === "string" ? meta.server : ""
      // as the reference drivers: a server that does not say it is Neo4j is not talked to
      if (!server.startsWith("Neo4j/")) {
        return yield* Effect.fail(
          die(
            new ProtocolError({
              message: `the server at ${address} is not Neo4j: its agent is ${JSON.stringify(meta.server ?? null)} (expected "Neo4j/<version>")`
            })
          )
        )
      }
      connectionId = typeof meta.connection_id === "string" ? meta.connection_id : ""
      hints = isRecord(meta.hints) ? meta.hints : {}
      if (caps.utcPatch && Array.isArray(meta.patch_bolt) && meta.patch_bolt.includes("utc")) {
        caps = capabilities(negotiated.version, true)
        unpacker.hydrate = makeHydrator(caps, unrepresentable)
        chunker.packer.dehydrate = makeDehydrator(caps)
      }
      const recv = hints["connection.recv_timeout_seconds"]
      const recvSeconds = typeof recv === "bigint" ? Number(recv) : recv
      if (typeof recvSeconds === "number" && recvSeconds > 0) socket.setReadTimeout(recvSeconds * 1000)
    })

  const backgroundFibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  const background = {
    add: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => {
      backgroundFibers.add(fiber)
      fiber.addObserver(() => backgroundFibers.delete(fiber))
    },
    await: Effect.suspend(() => Effect.forEach([...backgroundFibers], Fiber.await, { discard: true })),
    active: () => backgroundFibers.size > 0
  }

  /** set by `shutdown`: the connection is not broken, the driver is closing it (GOODBYE still goes) */
  let shutDown = false
  const shutdown = (error: Neo4jError) => {
    onBreak = []
    if (defunct === undefined) shutDown = true
    die(error)
  }

  const close = Effect.suspend(() => {
    onBreak = []
    if ((defunct && !shutDown) || socket.isClosed()) return socket.destroy
    // GOODBYE is best effort: the socket goes either way
    chunker.packer.reset()
    Msg.goodbye(chunker)
    const bytes = chunker.take()
    trace?.sent(bytes)
    return Effect.zipRight(trace?.emit ?? Effect.void, socket.write(bytes)).pipe(
      Effect.timeout(1000),
      Effect.ignore,
      Effect.zipRight(socket.destroy),
      Effect.ensuring(Effect.sync(() => die(closedError(address, "(closed by the driver)"))))
    )
  })

  const api: Connection = {
    address,
    get version() {
      return caps.version
    },
    get caps() {
      return caps
    },
    get server() {
      return server
    },
    get connectionId() {
      return connectionId
    },
    get hints() {
      return hints
    },
    enqueue,
    flush,
    await: awaitPending,
    awaitSome,
    settle,
    reset,
    shutdown,
    background,
    failure: () => failed,
    securityFailed: () => securityFailed,
    isDefunct: () => defunct !== undefined || socket.isClosed(),
    busy: () => queue.length > 0,
    runCount: () => runs,
    fresh: () => sinceHello === 0,
    reused: () => leasedBefore,
    released: () => {
      leasedBefore = true
    },
    auth: () => loginAuth,
    setAuth: (auth) => {
      loginAuth = auth
    },
    reauth: (auth) => {
      loginAuth = auth
      login = { scheme: auth.token.scheme, principal: auth.token.principal, address }
      enqueue("LOGOFF", (c) => Msg.logoff(c, caps))
      return enqueue("LOGON", (c) => Msg.logon(c, caps, Auth.toWire(auth.token)))
    },
    pendingLogon: () => queue.find((p) => p.name === "LOGON"),
    onBreak: (f) => {
      if (defunct === undefined) onBreak.push(f)
    },
    decodeRecord: (bytes, start, end) => {
      let fields: Array<unknown>
      unrepresentable.start()
      try {
        unpacker.useBigInt = useBigInt
        fields = Res.decodeRecordIn(bytes, start, end, unpacker)
      } catch (e) {
        unrepresentable.stop()
        throw die(new ProtocolError({ message: `garbled Bolt message from ${address}: ${messageOf(e)}`, cause: e }))
      }
      const problem = unrepresentable.stop()
      if (problem !== undefined) {
        throw new BrokenRecordError({
          message: `a record from ${address} holds a value the driver cannot represent: ${problem}. Only this record is lost: the result's other records and the connection stay usable`
        })
      }
      return fields
    }
  }
  return { api, hello, close }
}

/**
 * Memory for an outbound write: a Node Buffer from its shared pool (a slice of an 8 KiB slab for
 * small writes) rather than a Uint8Array with an ArrayBuffer of its own, which the socket would
 * also wrap in a Buffer; ~3 µs a write of the concurrent workload's CPU profile (bench/e2e).
 */
const allocOutbound = (size: number): Uint8Array => Buffer.allocUnsafe(size)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

/** For logs: "Bolt 5.8 to Neo4j/5.26.0 at host:port" */
export const describe = (c: Connection): string => `Bolt ${format(c.version)} to ${c.server || "server"} at ${c.address}`

