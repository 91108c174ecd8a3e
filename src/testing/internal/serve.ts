/**
 * The stub server's side of one connection: reads the Bolt preamble and proposals, answers the
 * handshake the script asks for (plain, manifest v1, raw bytes or a stall), then feeds each
 * decoded client message to the script's `Conversation` and performs its outputs. The first
 * deviation is recorded on the connection's log, and the connection is closed.
 */
import type * as net from "node:net"
import * as Effect from "effect/Effect"
import { Dechunker } from "../../internal/bolt/dechunker.js"
import { decodeVarInt } from "../../internal/bolt/varint.js"
import { Structure } from "../../internal/packstream/structure.js"
import { unpack } from "../../internal/packstream/unpacker.js"
import type * as StubScript from "../StubScript.js"
import type { Conn } from "./connectionLog.js"
import { deviation } from "./connectionLog.js"
import type { Mismatch, Output, ReceivedMessage } from "./engine.js"
import { Conversation, formatReceived } from "./engine.js"
import * as HS from "./handshake.js"
import { Faithfulness } from "./faithful.js"
import type { Inbox } from "./socketIo.js"
import { send, sleep, write } from "./socketIo.js"
import { formatRange, nameOf, nullable } from "./steps.js"
import { formatValue, hexBytes } from "./values.js"

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

/** Plays `script` on one accepted socket; the outcome is written to `conn`. */
export const serve = (socket: net.Socket, conn: Conn, script: StubScript.Script, inbox: Inbox): Effect.Effect<void> => {
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
    const faithfulness = conn.faithful && conn.version !== undefined ? new Faithfulness(conn.version) : undefined

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
            if (faithfulness !== undefined) {
              for (const m of faithfulness.sent(o.messages)) {
                conn.unfaithful.push(deviation(conn, conn.script, conn.label, m, true))
              }
            }
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
      faithfulness?.received(msg.signature)
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
