/**
 * The stub server's socket plumbing: an inbox of socket events for a connection's fiber, writes
 * that wait for `drain`, and packing server messages (constant RECORDs encoded once and written
 * in large batches). Timers are real, never the Effect `Clock`.
 */
import type * as net from "node:net"
import * as Effect from "effect/Effect"
import { Chunker } from "../../internal/bolt/chunker.js"
import { RECORD } from "../../internal/bolt/signatures.js"
import type { OutMessage } from "./steps.js"

/** Outbound bytes gathered before one socket write. */
const FLUSH_AT = 256 * 1024

/** Waits `millis` of real time (never the Effect `Clock`); interruptible. */
export const sleep = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const t = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(t))
  })

export type Event = { readonly _tag: "Data"; readonly bytes: Uint8Array } | { readonly _tag: "End" }

export const END: Event = { _tag: "End" }

/** Socket events for the connection fiber; attached at accept so that nothing is missed. */
export class Inbox {
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
export const write = (socket: net.Socket, bytes: Uint8Array): Effect.Effect<boolean> =>
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
export const send = (socket: net.Socket, messages: ReadonlyArray<OutMessage>): Effect.Effect<boolean> =>
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
