/**
 * Bolt chunking, inbound: an incremental dechunker. Bytes go in with `feed` (in any split), and
 * `next()` steps to each whole message they complete, which then lies in `msg[msgStart, msgEnd)`:
 * a range of the bytes fed when the message lies in one chunk of one feed (no copy, and no view
 * object: a connection keeps a batch's RECORDs as ranges, see connection/recordBodies.ts), else a
 * copy assembled from its pieces. `push(bytes)` gives the messages as views instead. NOOP chunks
 * (`00 00` between messages) are ignored. A message larger than `maxMessageSize` fails with a
 * `ChunkingError`; after one failure the dechunker is finished and refuses more input (the
 * connection makes a fresh one per socket).
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

const EMPTY = new Uint8Array(0)

/**
 * Incremental dechunker.
 *
 * @since 0.1.0
 */
export class Dechunker {
  /** the message `next()` stepped to lies in `msg[msgStart, msgEnd)` */
  msg: Uint8Array = EMPTY
  msgStart = 0
  msgEnd = 0
  /** bytes fed and not yet read, from `at` */
  private input: Uint8Array = EMPTY
  private at = 0
  /** bytes still expected in the current chunk body */
  private chunkLeft = 0
  /** first byte of a header split across feeds, or -1 */
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

  /** Whether bytes fed are still to be read by `next()`. */
  get pending(): boolean {
    return this.at < this.input.length
  }

  /** Takes bytes in (those of an earlier feed not read by `next()` are dropped). */
  feed(bytes: Uint8Array): void {
    this.input = bytes
    this.at = 0
  }

  /** Drops the bytes fed and not read yet (a broken connection). */
  drop(): void {
    this.input = EMPTY
    this.at = 0
  }

  /**
   * Steps to the next whole message in the bytes fed (then in `msg[msgStart, msgEnd)`); false
   * when they hold no more (the rest is kept for the next feed). Throws `ChunkingError`.
   */
  next(): boolean {
    if (this.failed) throw this.failed
    const bytes = this.input
    const n = bytes.length
    let i = this.at
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
        if (this.size > 0) {
          this.at = i
          this.finish()
          return true
        }
        continue
      }
      this.size += header
      if (this.size > this.maxMessageSize) {
        this.failed = new ChunkingError({
          message: `inbound message exceeds the maximum size of ${this.maxMessageSize} bytes`
        })
        this.parts = []
        this.drop()
        throw this.failed
      }
      // fast path: the whole chunk is here and ends the message in this feed
      if (i + header + 1 < n && this.parts.length === 0 && bytes[i + header] === 0 && bytes[i + header + 1] === 0) {
        this.msg = bytes
        this.msgStart = i
        this.msgEnd = i + header
        this.at = i + header + 2
        this.size = 0
        return true
      }
      this.chunkLeft = header
    }
    // every byte fed is read: the feed is let go
    this.input = EMPTY
    this.at = 0
    return false
  }

  /** Feeds bytes; returns every message they complete, in order, as views. Throws `ChunkingError`. */
  push(bytes: Uint8Array): Array<Uint8Array> {
    this.feed(bytes)
    const out: Array<Uint8Array> = []
    while (this.next()) {
      const { msg, msgEnd, msgStart } = this
      out.push(msgStart === 0 && msgEnd === msg.length ? msg : msg.subarray(msgStart, msgEnd))
    }
    return out
  }

  private finish(): void {
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
    this.msg = msg
    this.msgStart = 0
    this.msgEnd = msg.length
  }
}
