/**
 * A scripted Bolt server on real sockets, for tests: TCP or TLS on `127.0.0.1`, port 0, in a
 * scope. It answers the handshake itself and plays a `StubScript` per connection, as strictly as
 * a server: every client message must be the one the script expects, with the same field values
 * (an Integer is not a Float), the preamble and the chosen version must be valid, and nothing may
 * come after GOODBYE or be left half-sent. The first deviation of a connection is recorded with
 * the expected and received messages side by side, and that connection is closed.
 *
 * ```ts
 * it.scopedLive("RETURN 1", () =>
 *   Effect.gen(function*() {
 *     const stub = yield* StubServer.make({ script: `
 *       !: BOLT 5.8
 *       A: HELLO
 *       A: LOGON
 *       C: RUN "RETURN 1 AS n" {} {}
 *       C: PULL {"n": 1000}
 *       S: SUCCESS {"fields": ["n"]}
 *          RECORD [1]
 *          SUCCESS {"type": "r"}
 *       ?: GOODBYE
 *     ` })
 *     // ... drive a client at stub.uri() ...
 *     yield* stub.verify
 *   }))
 * ```
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
 * Scripts: `script` plays one script on every connection; `scripts` gives one script per
 * connection in the order they are accepted (a connection beyond the list is a deviation, and so
 * is a script never used).
 *
 * Timing uses real timers, never the Effect `Clock`: the stub behaves the same under `TestClock`.
 * Tests that talk to it still need `it.live`/`it.scopedLive` for their own socket waits.
 *
 * @since 0.1.0
 */
import * as net from "node:net"
import * as tls from "node:tls"
import { Context, Data, Effect, FiberSet, Layer } from "effect"
import type { Scope } from "effect"
import { Chunker } from "../internal/bolt/chunker.js"
import { Dechunker } from "../internal/bolt/dechunker.js"
import { RECORD } from "../internal/bolt/signatures.js"
import { decodeVarInt } from "../internal/bolt/varint.js"
import { Structure } from "../internal/packstream/structure.js"
import { unpack } from "../internal/packstream/unpacker.js"
import * as Certificate from "./Certificate.js"
import type { Mismatch, Output, ReceivedMessage } from "./internal/engine.js"
import { Conversation, formatReceived } from "./internal/engine.js"
import * as HS from "./internal/handshake.js"
import type { OutMessage } from "./internal/steps.js"
import { formatRange, nameOf, nullable } from "./internal/steps.js"
import { formatValue, hexBytes } from "./internal/values.js"
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
 * @since 0.1.0
 * @category models
 */
export type TlsOptions = { readonly key: string | Uint8Array; readonly cert: string | Uint8Array } | true

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
  /** every deviation so far, reported or not */
  readonly deviations: Effect.Effect<ReadonlyArray<Deviation>>
  /** TLS handshakes that failed (for example a client that rejected the certificate) */
  readonly tlsErrors: Effect.Effect<ReadonlyArray<string>>
  /** waits for the connections to settle, then fails with every deviation not reported yet */
  readonly verify: Effect.Effect<void, StubServerError>
}

/**
 * The stub server service.
 *
 * @since 0.1.0
 * @category tags
 */
export const StubServer: Context.Tag<StubServer, StubServer> = Context.GenericTag<StubServer>("effect-neo4j/testing/StubServer")

// ---------------------------------------------------------------------------------------------
// plumbing

/** Milliseconds a connection must be idle at a possible end before `verify` trusts it. */
const SETTLE_MS = 20
/** Outbound bytes gathered before one socket write. */
const FLUSH_AT = 256 * 1024

const sleep = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const t = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(t))
  })

type Event = { readonly _tag: "Data"; readonly bytes: Uint8Array } | { readonly _tag: "End" }

const END: Event = { _tag: "End" }

/** Socket events for the connection fiber; attached at accept so that nothing is missed. */
class Inbox {
  private items: Array<Event> = []
  private waiter: ((e: Event) => void) | undefined
  private ended = false

  push(e: Event): void {
    if (this.ended) return
    if (e._tag === "End") this.ended = true
    const w = this.waiter
    if (w !== undefined) {
      this.waiter = undefined
      w(e)
    } else this.items.push(e)
  }

  take(): Effect.Effect<Event> {
    return Effect.async<Event>((resume) => {
      const e = this.items.shift()
      if (e !== undefined) return resume(Effect.succeed(e))
      if (this.ended) return resume(Effect.succeed(END))
      this.waiter = (x) => resume(Effect.succeed(x))
      return Effect.sync(() => {
        this.waiter = undefined
      })
    })
  }
}

/** Writes, waiting for 'drain' when the socket buffer is full; false once the socket is gone. */
const write = (socket: net.Socket, bytes: Uint8Array): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (socket.destroyed || socket.writableEnded) return resume(Effect.succeed(false))
    if (socket.write(bytes)) return resume(Effect.succeed(true))
    const onDrain = () => {
      cleanup()
      resume(Effect.succeed(true))
    }
    const onClose = () => {
      cleanup()
      resume(Effect.succeed(false))
    }
    const cleanup = () => {
      socket.off("drain", onDrain)
      socket.off("close", onClose)
    }
    socket.on("drain", onDrain)
    socket.on("close", onClose)
    return Effect.sync(cleanup)
  })

const frames = new WeakMap<object, Uint8Array>()

/** One RECORD message, chunked, encoded once per constant record. */
const recordFrame = (record: ReadonlyArray<unknown>): Uint8Array => {
  let f = frames.get(record)
  if (f === undefined) {
    const c = new Chunker(64)
    const p = c.begin()
    p.structHeader(1, RECORD)
    p.pack(record)
    c.end()
    f = c.take()
    frames.set(record, f)
  }
  return f
}

/** Packs and writes messages, in writes of about FLUSH_AT bytes; false once the socket is gone. */
const send = (socket: net.Socket, messages: ReadonlyArray<OutMessage>): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const ch = new Chunker(16 * 1024)
    const flush = (min: number) => (ch.packer.length >= min ? write(socket, ch.take()) : Effect.succeed(!socket.destroyed))
    for (const m of messages) {
      if (m._tag === "Message") {
        const p = ch.begin()
        p.structHeader(m.fields.length, m.signature)
        for (const f of m.fields) p.pack(f)
        ch.end()
        if (!(yield* flush(FLUSH_AT))) return false
        continue
      }
      const record = m.record
      if (typeof record !== "function") {
        const frame = recordFrame(record)
        const per = Math.max(1, Math.floor(FLUSH_AT / frame.length))
        let left = m.count
        if (left >= per) {
          if (!(yield* flush(1))) return false
          const batch = new Uint8Array(per * frame.length)
          for (let i = 0; i < per; i++) batch.set(frame, i * frame.length)
          // the same buffer is written again and again: it is never changed
          for (; left >= per; left -= per) if (!(yield* write(socket, batch))) return false
        }
        for (; left > 0; left--) ch.packer.writeBytes(frame)
      } else {
        const end = m.start + m.count
        for (let i = m.start; i < end; i++) {
          const p = ch.begin()
          p.structHeader(1, RECORD)
          p.pack(record(i))
          ch.end()
          if (ch.packer.length >= FLUSH_AT && !(yield* write(socket, ch.take()))) return false
        }
      }
    }
    return yield* flush(1)
  })

const decode = (bytes: Uint8Array): ReceivedMessage | string => {
  let v: unknown
  try {
    v = unpack(bytes, undefined, true)
  } catch (e) {
    return `<bytes that do not decode: ${hexBytes(bytes, 48)}> (${(e as Error).message})`
  }
  if (!(v instanceof Structure)) return `<a message that is not a structure: ${formatValue(v)}>`
  return new Received(v.signature, v.fields)
}

/** A received message whose text form is made only when someone reads it. */
class Received implements ReceivedMessage {
  private cached: string | undefined
  readonly name: string
  constructor(
    readonly signature: number,
    readonly fields: ReadonlyArray<unknown>
  ) {
    this.name = nameOf(signature)
  }
  get text(): string {
    return (this.cached ??= formatReceived(this.signature, this.fields))
  }
}

const printable = (bytes: Uint8Array): string => {
  const s = String.fromCharCode(...bytes.subarray(0, 48))
  return /^[\x20-\x7e\r\n]+$/.test(s) ? ` (${JSON.stringify(s)})` : ""
}

/** One accepted connection: its log and where it stands. */
class Conn {
  readonly received: Array<ReceivedMessage> = []
  preamble: string | undefined
  proposals: Array<string> = []
  manifest = false
  version: string | undefined
  capabilities: bigint | undefined
  open = true
  /** the fiber has finished (EOF handled) */
  done = false
  /** blocked waiting for client bytes */
  waiting = false
  lastActivity = Date.now()
  /** the script ended by <EXIT>/<STALL> (or the handshake ended it) */
  final: "exit" | "stall" | undefined
  deviation: Deviation | undefined
  reported = false
  conversation: Conversation | undefined

  constructor(
    readonly id: number,
    readonly script: number | undefined,
    readonly label: string
  ) {}

  get complete(): boolean {
    if (this.deviation !== undefined) return false
    if (this.final !== undefined) return true
    const c = this.conversation
    return c !== undefined && c.complete && (this.waiting || this.done)
  }

  settled(now: number): boolean {
    return this.done || this.final !== undefined || this.deviation !== undefined ||
      (this.waiting && this.complete && now - this.lastActivity >= SETTLE_MS)
  }

  snapshot(): ConnectionLog {
    return {
      id: this.id,
      script: this.script,
      handshake: {
        preamble: this.preamble,
        proposals: [...this.proposals],
        manifest: this.manifest,
        version: this.version,
        capabilities: this.capabilities
      },
      received: [...this.received],
      open: this.open,
      complete: this.complete,
      deviation: this.deviation
    }
  }
}

const render = (label: string, m: Mismatch): string => {
  const lines = [`${label}: ${m.reason}`]
  m.expected.forEach((e, i) => lines.push(`  ${i === 0 ? "expected:" : "      or:"} ${e}`))
  lines.push(`  received: ${m.received}`)
  if (m.detail !== undefined) lines.push(`  at:       ${m.detail}`)
  return lines.join("\n")
}

const deviation = (conn: Conn | undefined, script: number | undefined, label: string, m: Mismatch): Deviation => ({
  connection: conn?.id,
  script,
  reason: m.reason,
  expected: m.expected,
  received: m.received,
  detail: m.detail,
  text: render(label, m)
})

// ---------------------------------------------------------------------------------------------
// one connection

const serve = (socket: net.Socket, conn: Conn, script: StubScript.Script, inbox: Inbox): Effect.Effect<void> => {
  let buffer: Uint8Array = new Uint8Array(0)
  let eof = false

  const deviate = (m: Mismatch) => {
    if (conn.deviation === undefined) conn.deviation = deviation(conn, conn.script, conn.label, m)
  }

  /** Waits until `n` bytes are buffered; false at EOF. */
  const fill = (n: number) =>
    Effect.gen(function*() {
      while (buffer.length < n) {
        if (eof) return false
        conn.waiting = true
        const e = yield* inbox.take()
        conn.waiting = false
        if (e._tag === "End") eof = true
        else {
          const next = new Uint8Array(buffer.length + e.bytes.length)
          next.set(buffer)
          next.set(e.bytes, buffer.length)
          buffer = next
        }
      }
      return true
    })

  const take = (n: number): Uint8Array => {
    const out = buffer.slice(0, n)
    buffer = buffer.subarray(n)
    return out
  }

  /** Reads and ignores everything until the client closes. */
  const drainRaw = Effect.gen(function*() {
    buffer = new Uint8Array(0)
    while (!eof) if ((yield* inbox.take())._tag === "End") eof = true
  })

  const handshakeClosed = (what: string) => {
    deviate({
      reason: "the client closed the connection during the handshake",
      expected: [what],
      received: buffer.length > 0 ? `${hexBytes(buffer)}, then the connection closed` : "<connection closed>"
    })
  }

  const end = () => {
    socket.end()
  }

  return Effect.gen(function*() {
    // --- preamble and proposals
    if (!(yield* fill(4))) return handshakeClosed("C: 60 60 B0 17 (the Bolt preamble)")
    const preamble = take(4)
    conn.preamble = hexBytes(preamble)
    if (preamble.some((b, i) => b !== HS.PREAMBLE[i])) {
      const seen = new Uint8Array([...preamble, ...buffer.subarray(0, 44)])
      deviate({ reason: "bad handshake preamble", expected: ["C: 60 60 B0 17"], received: `C: ${hexBytes(seen)}${printable(seen)}` })
      end()
      return yield* drainRaw
    }
    if (!(yield* fill(16))) return handshakeClosed("C: four 4-byte version proposals")
    const proposals = HS.readProposals(take(16))
    conn.proposals = proposals.map(HS.describeProposal)
    if (script.handshakeDelay > 0) yield* sleep(script.handshakeDelay)

    const h = script.handshake
    const bodyOptional = nullable(script.steps)
    switch (h._tag) {
      case "Stall":
        conn.final = "stall"
        return yield* drainRaw
      case "Raw": {
        yield* write(socket, h.bytes)
        const b = h.bytes
        if (b.length === 4 && b[0] === 0 && b[1] === 0) {
          if (b[2] === 0 && b[3] === 0) {
            conn.final = "exit"
            end()
            return yield* drainRaw
          }
          conn.version = `${b[3]}.${b[2]}`
        }
        break
      }
      case "Plain":
      case "Manifest": {
        const manifest = h._tag === "Manifest" && proposals.some((p) => p._tag === "Manifest" && p.version === 1)
        if (h._tag === "Manifest" && manifest) {
          conn.manifest = true
          if (!(yield* write(socket, HS.manifestAnswer(h.versions, h.capabilities)))) break
          if (!(yield* fill(4))) {
            if (bodyOptional && buffer.length === 0) {
              conn.final = "exit"
              return
            }
            return handshakeClosed("C: the chosen version (4 bytes) and capabilities (VarInt)")
          }
          const chosen = take(4)
          let caps: { value: bigint; size: number } | undefined
          for (;;) {
            try {
              caps = decodeVarInt(buffer)
            } catch (e) {
              deviate({ reason: "bad capabilities VarInt", expected: ["C: a VarInt of at most 10 bytes"], received: `C: ${hexBytes(buffer, 16)}` })
              end()
              return yield* drainRaw
            }
            if (caps !== undefined) break
            if (!(yield* fill(buffer.length + 1))) return handshakeClosed("C: the capabilities VarInt")
          }
          take(caps.size)
          conn.capabilities = caps.value
          if (chosen.every((x) => x === 0)) {
            if (bodyOptional) {
              conn.final = "exit"
              return yield* drainRaw
            }
            deviate({
              reason: "the client chose no version (00 00 00 00) from the manifest",
              expected: [`C: one of ${h.versions.map(formatRange).join(", ")}`],
              received: `C: ${hexBytes(chosen)}`
            })
            end()
            return yield* drainRaw
          }
          const problem = HS.checkChoice(h.versions, h.capabilities, chosen, caps.value)
          if (problem !== undefined) {
            deviate({
              reason: "bad version choice after the manifest",
              expected: [`C: one of ${h.versions.map(formatRange).join(", ")} (capabilities within 0x${h.capabilities.toString(16)})`],
              received: `C: ${hexBytes(chosen)} capabilities 0x${caps.value.toString(16)}`,
              detail: problem
            })
            end()
            return yield* drainRaw
          }
          conn.version = `${chosen[3]}.${chosen[2]}`
        } else {
          const v = HS.choosePlain(h.versions, proposals)
          if (v === undefined) {
            yield* write(socket, new Uint8Array(4))
            deviate({
              reason: "no common Bolt version",
              expected: [`C: a proposal holding one of ${h.versions.map(formatRange).join(", ")}`],
              received: `C: ${conn.proposals.join(", ")}`
            })
            end()
            return yield* drainRaw
          }
          yield* write(socket, Uint8Array.of(0, 0, v.minor, v.major))
          conn.version = `${v.major}.${v.minor}`
        }
      }
    }

    // --- the conversation
    const dechunker = new Dechunker()
    const queue: Array<Uint8Array> = []
    const conversation = new Conversation(script.steps, new Set(script.autoReplies), conn.id)
    conn.conversation = conversation

    const feed = (bytes: Uint8Array): boolean => {
      try {
        for (const m of dechunker.push(bytes)) queue.push(m)
        return true
      } catch (e) {
        deviate({ reason: "bad chunking", expected: conversation.expectedText(), received: `<${(e as Error).message}>` })
        return false
      }
    }

    /** After the script is over: log what still comes, until the client closes. */
    const drainMessages = Effect.gen(function*() {
      for (;;) {
        for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
          const msg = decode(m)
          if (typeof msg !== "string") conn.received.push(msg)
        }
        if (eof) return
        const e = yield* inbox.take()
        if (e._tag === "End") eof = true
        else {
          try {
            for (const m of dechunker.push(e.bytes)) queue.push(m)
          } catch {
            return yield* drainRaw
          }
        }
      }
    })

    if (buffer.length > 0 && !feed(take(buffer.length))) {
      end()
      return yield* drainRaw
    }

    for (;;) {
      const outputs: Array<Output> = conversation.run()
      for (const o of outputs) {
        switch (o._tag) {
          case "Send":
            yield* send(socket, o.messages)
            break
          case "Raw":
            yield* write(socket, o.bytes)
            break
          case "Sleep":
            yield* sleep(o.millis)
            break
          case "Exit":
            conn.final = "exit"
            end()
            return yield* drainMessages
          case "Stall":
            conn.final = "stall"
            return yield* drainMessages
        }
      }
      conn.lastActivity = Date.now()
      let bytes = queue.shift()
      while (bytes === undefined) {
        if (eof) {
          if (dechunker.inMessage) {
            deviate({
              reason: "the client closed the connection in the middle of a message",
              expected: conversation.expectedText(),
              received: "<part of a message, then the connection closed>"
            })
          } else {
            const m = conversation.end()
            if (m !== undefined) deviate(m)
          }
          return
        }
        conn.waiting = true
        const e = yield* inbox.take()
        conn.waiting = false
        if (e._tag === "End") eof = true
        else if (!feed(e.bytes)) {
          end()
          return yield* drainRaw
        }
        bytes = queue.shift()
      }
      const msg = decode(bytes)
      if (typeof msg === "string") {
        deviate({ reason: "a message that does not decode", expected: conversation.expectedText(), received: msg })
        end()
        return yield* drainRaw
      }
      conn.received.push(msg)
      const m = conversation.receive(msg)
      if (m !== undefined) {
        deviate(m)
        end()
        return yield* drainMessages
      }
    }
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.sync(() => {
        deviate({
          reason: "the stub could not play the script",
          expected: conn.conversation?.expectedText() ?? [],
          received: `<error: ${defect instanceof Error ? defect.message : String(defect)}>`
        })
        socket.destroy()
      })
    ),
    Effect.ensuring(
      Effect.sync(() => {
        conn.done = true
        conn.waiting = false
        socket.destroy()
      })
    )
  )
}

// ---------------------------------------------------------------------------------------------
// the server

/**
 * Starts a stub server on `127.0.0.1`, port 0, for the scope; closing the scope checks the
 * scripts (see `verifyOnClose`), destroys every socket and closes the server. An invalid script
 * is a defect (`StubScriptError`).
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
    let secure: { key: string | Buffer; cert: string | Buffer } | undefined
    if (options.tls === true) {
      certificate = yield* Effect.orDie(Certificate.selfSigned())
      secure = { key: certificate.key, cert: certificate.cert }
    } else if (options.tls !== undefined) {
      const { key, cert } = options.tls
      secure = { key: typeof key === "string" ? key : Buffer.from(key), cert: typeof cert === "string" ? cert : Buffer.from(cert) }
    }

    const conns: Array<Conn> = []
    const extra: Array<{ deviation: Deviation; reported: boolean }> = []
    const tlsErrors: Array<string> = []
    const sockets = new Set<net.Socket>()
    let nextScript = 0
    let unusedReported = false
    let address = ""

    const runFork = yield* FiberSet.makeRuntime<never>()

    const accept = (socket: net.Socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      socket.setNoDelay(true)
      const id = conns.length + extra.length + 1
      let script: StubScript.Script
      let index: number
      if (repeated !== undefined) {
        script = repeated
        index = 1
      } else if (nextScript < list.length) {
        script = list[nextScript]!
        index = ++nextScript
      } else {
        const label = `connection #${id}`
        extra.push({
          deviation: deviation(undefined, undefined, label, {
            reason: `unexpected connection: the stub has ${list.length} script${list.length === 1 ? "" : "s"}, all taken`,
            expected: ["<no further connection>"],
            received: "<a new connection>"
          }),
          reported: false
        })
        socket.destroy()
        return
      }
      const label = repeated !== undefined ? `connection #${id}` : `connection #${id} (script ${index} of ${list.length})`
      const conn = new Conn(id, index, label)
      conns.push(conn)
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
          ? tls.createServer({ key: secure.key, cert: secure.cert }, accept)
          : net.createServer(accept)
        if (secure !== undefined) {
          srv.on("connection", (raw: net.Socket) => {
            sockets.add(raw)
            raw.once("close", () => sockets.delete(raw))
            raw.on("error", () => {})
          })
          srv.on("tlsClientError", (err: Error) => {
            tlsErrors.push(err.message)
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
    address = `127.0.0.1:${port}`

    const settle = Effect.gen(function*() {
      const start = Date.now()
      yield* sleep(SETTLE_MS)
      while (Date.now() - start < verifyTimeout && !conns.every((c) => c.settled(Date.now()))) yield* sleep(5)
    })

    /** Every problem not reported yet; marks them reported. */
    const collect = (): Array<Deviation> => {
      const out: Array<Deviation> = []
      for (const e of extra) {
        if (!e.reported) {
          e.reported = true
          out.push(e.deviation)
        }
      }
      for (const c of conns) {
        if (c.reported) continue
        if (c.deviation === undefined && !c.complete) {
          c.deviation = deviation(c, c.script, c.label, {
            reason: c.open
              ? "the script was not played to its end (the connection is still open)"
              : "the script was not played to its end",
            expected: c.conversation?.expectedText() ?? ["<the rest of the handshake>"],
            received: "<nothing>"
          })
        }
        if (c.deviation !== undefined) {
          c.reported = true
          out.push(c.deviation)
        }
      }
      if (repeated === undefined && !unusedReported) {
        unusedReported = true
        for (let i = nextScript; i < list.length; i++) {
          out.push(deviation(undefined, i + 1, `script ${i + 1} of ${list.length}`, {
            reason: "never played: no connection was accepted for it",
            expected: ["<a connection>"],
            received: `<${conns.length} connection${conns.length === 1 ? "" : "s"} for ${list.length} scripts>`
          }))
        }
      }
      return out
    }

    const report = (problems: ReadonlyArray<Deviation>): StubServerError =>
      new StubServerError({
        message: `StubServer ${address}: ${problems.length} deviation${problems.length === 1 ? "" : "s"} from the script\n\n` +
          problems.map((d) => d.text).join("\n\n"),
        deviations: problems
      })

    const verify: Effect.Effect<void, StubServerError> = Effect.gen(function*() {
      yield* settle
      const problems = collect()
      if (problems.length > 0) return yield* Effect.fail(report(problems))
    })

    yield* Effect.addFinalizer(() =>
      verifyOnClose
        ? Effect.gen(function*() {
          yield* settle
          const problems = collect()
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
      connectionCount: Effect.sync(() => conns.length + extra.length),
      connections: Effect.sync(() => conns.map((c) => c.snapshot())),
      received: (connection) =>
        Effect.sync(() =>
          connection === undefined
            ? conns.flatMap((c) => c.received)
            : [...(conns.find((c) => c.id === connection)?.received ?? [])]
        ),
      deviations: Effect.sync(() => [
        ...extra.map((e) => e.deviation),
        ...conns.flatMap((c) => (c.deviation !== undefined ? [c.deviation] : []))
      ]),
      tlsErrors: Effect.sync(() => [...tlsErrors]),
      verify
    }
    return service
  })

/**
 * The stub server as a scoped Layer (see `make`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: StubServerOptions): Layer.Layer<StubServer> => Layer.scoped(StubServer, make(options))

/**
 * `verify` of the `StubServer` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const verify: Effect.Effect<void, StubServerError, StubServer> = Effect.flatMap(StubServer, (s) => s.verify)

/**
 * `connections` of the `StubServer` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const connections: Effect.Effect<ReadonlyArray<ConnectionLog>, never, StubServer> = Effect.flatMap(StubServer, (s) => s.connections)

/**
 * `received` of the `StubServer` in context.
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
