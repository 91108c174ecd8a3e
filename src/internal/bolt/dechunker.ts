/**
 * Bolt chunking, inbound: an incremental dechunker. `push(bytes)` takes bytes in any split and
 * returns the whole messages they complete. NOOP chunks (`00 00` between messages) are ignored.
 * A message larger than `maxMessageSize` fails with a `ChunkingError`; after one failure the
 * dechunker is finished and refuses more input (the connection makes a fresh one per socket).
 *
 * A message that lies in one chunk of one pushed buffer is returned as a view of it (no copy);
 * bytes are copied only when a message spans chunks or pushes.
 */
import * as Data from "effect/Data"

/**
 * Framing failure: a message over the size limit, or input after a failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChunkingError extends Data.TaggedError("ChunkingError")<{ readonly message: string }> {}

/** Default limit for one inbound message: 256 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024

/**
 * Incremental dechunker.
 *
 * @since 0.1.0
 */
export class Dechunker {
  /** bytes still expected in the current chunk body */
  private chunkLeft = 0
  /** first byte of a header split across pushes, or -1 */
  private headerHigh = -1
  /** pieces of the message being assembled */
  private parts: Array<Uint8Array> = []
  private size = 0
  private failed: ChunkingError | undefined

  constructor(readonly maxMessageSize: number = DEFAULT_MAX_MESSAGE_SIZE) {}

  /** Whether a message is partly received (for EOF handling). */
  get inMessage(): boolean {
    return this.size > 0 || this.chunkLeft > 0 || this.headerHigh >= 0 || this.parts.length > 0
  }

  /** Feeds bytes; returns every message they complete, in order. Throws `ChunkingError`. */
  push(bytes: Uint8Array): Array<Uint8Array> {
    if (this.failed) throw this.failed
    const out: Array<Uint8Array> = []
    const n = bytes.length
    let i = 0
    while (i < n) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, n - i)
        this.parts.push(bytes.subarray(i, i + take))
        this.chunkLeft -= take
        i += take
        continue
      }
      // read a chunk header (possibly split)
      let header: number
      if (this.headerHigh >= 0) {
        header = (this.headerHigh << 8) | bytes[i]!
        this.headerHigh = -1
        i += 1
      } else if (i + 1 < n) {
        header = (bytes[i]! << 8) | bytes[i + 1]!
        i += 2
      } else {
        this.headerHigh = bytes[i]!
        i += 1
        break
      }
      if (header === 0) {
        // end of message, or a NOOP when nothing is pending
        if (this.size > 0) out.push(this.finish())
        continue
      }
      this.size += header
      if (this.size > this.maxMessageSize) {
        this.failed = new ChunkingError({
          message: `inbound message exceeds the maximum size of ${this.maxMessageSize} bytes`
        })
        this.parts = []
        throw this.failed
      }
      // fast path: the whole chunk is here and ends the message in this buffer
      if (i + header + 1 < n && this.parts.length === 0 && bytes[i + header] === 0 && bytes[i + header + 1] === 0) {
        out.push(bytes.subarray(i, i + header))
        i += header + 2
        this.size = 0
        continue
      }
      this.chunkLeft = header
    }
    return out
  }

  private finish(): Uint8Array {
    const parts = this.parts
    let msg: Uint8Array
    if (parts.length === 1) msg = parts[0]!
    else {
      msg = new Uint8Array(this.size)
      let off = 0
      for (const p of parts) {
        msg.set(p, off)
        off += p.length
      }
    }
    this.parts = []
    this.size = 0
    return msg
  }
}
