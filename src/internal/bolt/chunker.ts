/**
 * Bolt chunking, outbound: messages are packed straight into one buffer behind a 2-byte
 * placeholder, whose size is back-filled when the message ends; a message over 65 535 bytes is
 * split into several chunks. Each message ends with the `00 00` marker. Many messages can be
 * written before one `take()`, so one socket write carries them all (coalescing).
 */
import { Packer } from "../packstream/packer.js"
import type { Dehydrator } from "../packstream/packer.js"

/** The largest chunk body. */
export const MAX_CHUNK = 0xffff

/**
 * Frames messages into chunks in one growable buffer.
 *
 * @since 0.1.0
 */
export class Chunker {
  readonly packer: Packer
  private start = -1

  constructor(initialSize = 8192, dehydrate?: Dehydrator) {
    this.packer = new Packer(initialSize, dehydrate)
  }

  /** Starts a message: the caller then packs its structure into `this.packer`. */
  begin(): Packer {
    const p = this.packer
    this.start = p.length
    p.ensure(2)
    p.length += 2
    return p
  }

  /** Ends the message begun last: back-fills the chunk header(s) and writes `00 00`. */
  end(): void {
    const p = this.packer
    const start = this.start
    const size = p.length - start - 2
    if (size <= MAX_CHUNK) {
      p.view.setUint16(start, size)
    } else {
      const body = p.buffer.slice(start + 2, p.length)
      p.length = start
      for (let off = 0; off < body.length; off += MAX_CHUNK) {
        const piece = body.subarray(off, Math.min(off + MAX_CHUNK, body.length))
        p.writeUint16(piece.length)
        p.writeBytes(piece)
      }
    }
    p.writeUint16(0)
    this.start = -1
  }

  /** Drops a message begun but not ended (its packing failed). */
  abort(): void {
    if (this.start >= 0) this.packer.length = this.start
    this.start = -1
  }

  /** Adds an already packed message body. */
  writeMessage(body: Uint8Array): void {
    this.begin().writeBytes(body)
    this.end()
  }

  /** Whether anything waits to be taken. */
  get pending(): boolean {
    return this.packer.length > 0
  }

  /**
   * A copy of everything framed so far, in memory from `alloc` (a fresh Uint8Array by default);
   * the buffer is reset for reuse.
   */
  take(alloc: (size: number) => Uint8Array = newBytes): Uint8Array {
    const view = this.packer.bytes()
    const out = alloc(view.length)
    out.set(view)
    this.packer.reset()
    return out
  }
}

const newBytes = (size: number): Uint8Array => new Uint8Array(size)

/** Frames one message body into chunks (a convenience for constant frames and tests). */
export const chunk = (body: Uint8Array): Uint8Array => {
  const c = new Chunker(body.length + 8)
  c.writeMessage(body)
  return c.take()
}
