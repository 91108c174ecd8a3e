/**
 * PackStream v1 decoder: a cursor over one message's bytes. Plain synchronous code: no Effect,
 * no I/O, no graph types (structures go to a hydration hook). Throws one `PackStreamError` on
 * truncated or garbled input.
 *
 * Safety: every length prefix is checked against the bytes present before anything is
 * allocated, so a 2^31 length with 10 bytes of data fails instead of allocating 2 GB.
 *
 * Integer policy: a safe integer decodes to `number`, anything beyond to `bigint`; with
 * `useBigInt` every Integer decodes to `bigint`.
 */
import { fail } from "./errors.js"
import * as M from "./markers.js"
import { Structure } from "./structure.js"

/** Turns a decoded structure into a value; the default keeps the `Structure`. */
export type Hydrator = (signature: number, fields: Array<unknown>) => unknown

const defaultHydrator: Hydrator = (signature, fields) => new Structure(signature, fields)

/**
 * Invalid UTF-8 in a string (a stray byte, an overlong form, an encoded surrogate, a truncated
 * sequence) becomes U+FFFD per the WHATWG decoding rules, never a failure. A decision, taken with
 * neo4j-javascript-driver (a non-fatal TextDecoder) rather than neo4j-python-driver (a strict
 * `codecs.decode(..., "utf-8")` that raises `UnicodeDecodeError`): Neo4j sends valid UTF-8, so
 * such bytes come from a foreign peer or a corrupt store, and one garbled string should not make
 * the whole message, and with it the connection, unreadable (test/packstream/golden.test.ts,
 * "invalid UTF-8").
 *
 * `ignoreBOM`: a leading U+FEFF is part of a PackStream string, not a byte-order mark to drop.
 */
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })

/**
 * Node's `Buffer.prototype.utf8Slice` decodes any Uint8Array's bytes `[start, end)` natively,
 * like the decoder above (invalid sequences become U+FFFD, a leading U+FEFF is kept), without a
 * view per string and at ~60 % of TextDecoder's cost on a 45-byte string (an element id); the
 * TextDecoder serves where there is no Buffer.
 */
const nodeUtf8Slice = (globalThis as { Buffer?: { prototype?: { utf8Slice?: unknown } } }).Buffer?.prototype?.utf8Slice as
  | ((this: Uint8Array, start: number, end: number) => string)
  | undefined

const utf8 = (bytes: Uint8Array, start: number, end: number): string =>
  nodeUtf8Slice !== undefined ? nodeUtf8Slice.call(bytes, start, end) : decoder.decode(bytes.subarray(start, end))

const fromCharCode = String.fromCharCode

/**
 * `n` (1 to 16) ASCII bytes at `p` as one flat string, built by a single `String.fromCharCode`
 * call: no intermediate strings (appending char by char makes one string per character, and cons
 * strings from 13 characters on), and no TextDecoder call, whose fixed cost exceeds the decoding
 * of a short string. The caller has checked that every byte is below 0x80.
 */
const shortAscii = (b: Uint8Array, p: number, n: number): string => {
  switch (n) {
    case 1:
      return fromCharCode(b[p]!)
    case 2:
      return fromCharCode(b[p]!, b[p + 1]!)
    case 3:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!)
    case 4:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!)
    case 5:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!)
    case 6:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!)
    case 7:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!)
    case 8:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!)
    case 9:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!
      )
    case 10:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!
      )
    case 11:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!
      )
    case 12:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!
      )
    case 13:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!
      )
    case 14:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!
      )
    case 15:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!
      )
    case 16:
      return fromCharCode(
        b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!
      )
    default:
      return ""
  }
}

/** Strings of at most this many bytes skip the native decoder when they are ASCII. */
const SHORT_STRING = 16

/**
 * Map keys repeat: every node of a result has the same few property names. Tiny ASCII keys are
 * looked up here by a hash of their bytes and checked byte for byte, so a repeated key costs no
 * new string (nor the internalization V8 does for a fresh string used as a property name). A
 * miss decodes the key and takes the slot. Module-wide and bounded: 1024 strings of at most 15
 * characters.
 */
const KEY_CACHE_MASK = 1023
const keyCache: Array<string> = new Array<string>(KEY_CACHE_MASK + 1).fill("")

/** Nesting deeper than this is refused (a stack overflow is not a typed error). */
const MAX_DEPTH = 1000

/**
 * Floats are read through this scratch pair, bytes reversed on little-endian hosts: a DataView
 * per message would cost more than its reads (and its `buffer`/`byteOffset` getters alone cost
 * ~90 ns, as much as decoding a short record).
 */
const f64 = new Float64Array(1)
const f64Bytes = new Uint8Array(f64.buffer)
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

/**
 * Decodes values from `bytes[offset, end)`.
 *
 * @since 0.1.0
 */
export class Unpacker {
  bytes: Uint8Array
  pos: number
  end: number
  hydrate: Hydrator
  useBigInt: boolean
  /** where the data being decoded starts in `bytes`: error messages count offsets from it */
  private origin = 0
  private depth = 0

  constructor(bytes: Uint8Array, hydrate: Hydrator = defaultHydrator, useBigInt = false) {
    this.bytes = bytes
    this.pos = 0
    this.end = bytes.length
    this.hydrate = hydrate
    this.useBigInt = useBigInt
  }

  /** Points the cursor at `bytes[start, end)` (all of them by default), keeping the hooks. */
  reset(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.bytes = bytes
    this.pos = start
    this.end = end
    this.origin = start
    this.depth = 0
  }

  /** Bytes not yet read. */
  remaining(): number {
    return this.end - this.pos
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      fail(`truncated PackStream data: need ${n} more bytes at offset ${this.pos - this.origin}, have ${this.end - this.pos}`)
    }
  }

  private u8(): number {
    if (this.pos >= this.end) fail(`truncated PackStream data at offset ${this.pos - this.origin}`)
    return this.bytes[this.pos++]!
  }

  private u16(): number {
    this.need(2)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 2
    return (b[p]! << 8) | b[p + 1]!
  }

  private u32(): number {
    this.need(4)
    const p = this.pos
    this.pos = p + 4
    return this.i32(p) >>> 0
  }

  /** The big-endian int32 at `p` (checked by the caller). */
  private i32(p: number): number {
    const b = this.bytes
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!
  }

  private float64(): number {
    this.need(8)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 8
    if (LITTLE_ENDIAN) {
      f64Bytes[0] = b[p + 7]!
      f64Bytes[1] = b[p + 6]!
      f64Bytes[2] = b[p + 5]!
      f64Bytes[3] = b[p + 4]!
      f64Bytes[4] = b[p + 3]!
      f64Bytes[5] = b[p + 2]!
      f64Bytes[6] = b[p + 1]!
      f64Bytes[7] = b[p]!
    } else {
      for (let i = 0; i < 8; i++) f64Bytes[i] = b[p + i]!
    }
    return f64[0]!
  }

  /** Reads the marker of a structure and returns its [size, signature]; fails on anything else. */
  structHeader(): [number, number] {
    const m = this.u8()
    if ((m & 0xf0) !== M.TINY_STRUCT) fail(`expected a structure, got marker 0x${hex(m)}`)
    return [m & 0x0f, this.u8()]
  }

  /** Decodes the next value. */
  unpack(): unknown {
    const m = this.u8()
    if (m < 0x80) return this.useBigInt ? BigInt(m) : m
    if (m >= 0xf0) return this.useBigInt ? BigInt(m - 0x100) : m - 0x100
    switch (m & 0xf0) {
      case M.TINY_STRING:
        return this.string(m & 0x0f)
      case M.TINY_LIST:
        return this.list(m & 0x0f)
      case M.TINY_MAP:
        return this.map(m & 0x0f)
      case M.TINY_STRUCT:
        return this.struct(m & 0x0f)
    }
    switch (m) {
      case M.NULL:
        return null
      case M.FALSE:
        return false
      case M.TRUE:
        return true
      case M.INT_8: {
        this.need(1)
        return this.int((this.bytes[this.pos++]! << 24) >> 24)
      }
      case M.INT_16: {
        this.need(2)
        const b = this.bytes
        const p = this.pos
        this.pos = p + 2
        return this.int(((b[p]! << 24) >> 16) | b[p + 1]!)
      }
      case M.INT_32: {
        this.need(4)
        const p = this.pos
        this.pos = p + 4
        return this.int(this.i32(p))
      }
      case M.INT_64:
        return this.int64()
      case M.FLOAT_64:
        return this.float64()
      case M.BYTES_8:
        return this.byteArray(this.u8())
      case M.BYTES_16:
        return this.byteArray(this.u16())
      case M.BYTES_32:
        return this.byteArray(this.u32())
      case M.STRING_8:
        return this.string(this.u8())
      case M.STRING_16:
        return this.string(this.u16())
      case M.STRING_32:
        return this.string(this.u32())
      case M.LIST_8:
        return this.list(this.u8())
      case M.LIST_16:
        return this.list(this.u16())
      case M.LIST_32:
        return this.list(this.u32())
      case M.MAP_8:
        return this.map(this.u8())
      case M.MAP_16:
        return this.map(this.u16())
      case M.MAP_32:
        return this.map(this.u32())
      default:
        return fail(`unknown PackStream marker 0x${hex(m)} at offset ${this.pos - 1 - this.origin}`)
    }
  }

  private int(v: number): number | bigint {
    return this.useBigInt ? BigInt(v) : v
  }

  private int64(): number | bigint {
    this.need(8)
    const p = this.pos
    this.pos = p + 8
    const hi = this.i32(p)
    const lo = this.i32(p + 4) >>> 0
    if (!this.useBigInt && hi >= -0x200000 && hi < 0x200000) {
      // |value| <= 2^53: exact as a double
      const v = hi * 0x100000000 + lo
      if (Number.isSafeInteger(v)) return v
    }
    return (BigInt(hi) << 32n) + BigInt(lo)
  }

  private byteArray(size: number): Uint8Array {
    this.need(size)
    const out = this.bytes.slice(this.pos, this.pos + size)
    this.pos += size
    return out
  }

  /** Reads a string of `size` UTF-8 bytes; short ASCII strings skip the native decoder. */
  string(size: number): string {
    this.need(size)
    const bytes = this.bytes
    const p = this.pos
    const end = p + size
    this.pos = end
    if (size <= SHORT_STRING) {
      if (size === 0) return ""
      let high = 0
      for (let i = p; i < end; i++) high |= bytes[i]!
      if (high < 0x80) return shortAscii(bytes, p, size)
    }
    return utf8(bytes, p, end)
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) fail(`PackStream nesting deeper than ${MAX_DEPTH}`)
  }

  list(size: number): Array<unknown> {
    // each item takes at least one byte: a larger count cannot be honest
    this.need(size)
    this.enter()
    const out = new Array<unknown>(size)
    for (let i = 0; i < size; i++) out[i] = this.unpack()
    this.depth--
    return out
  }

  map(size: number): Record<string, unknown> {
    this.need(size * 2)
    this.enter()
    const out: Record<string, unknown> = {}
    for (let i = 0; i < size; i++) {
      const key = this.key()
      const value = this.unpack()
      if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
      else out[key] = value
    }
    this.depth--
    return out
  }

  private key(): string {
    const m = this.u8()
    if ((m & 0xf0) === M.TINY_STRING) return this.tinyKey(m & 0x0f)
    switch (m) {
      case M.STRING_8:
        return this.string(this.u8())
      case M.STRING_16:
        return this.string(this.u16())
      case M.STRING_32:
        return this.string(this.u32())
      default:
        return fail(`map key must be a string, got marker 0x${hex(m)} at offset ${this.pos - 1 - this.origin}`)
    }
  }

  /** A map key of at most 15 bytes, through the key cache when it is ASCII. */
  private tinyKey(size: number): string {
    this.need(size)
    const b = this.bytes
    const p = this.pos
    const end = p + size
    let h = size
    let high = 0
    for (let i = p; i < end; i++) {
      const c = b[i]!
      high |= c
      h = (Math.imul(h, 31) + c) | 0
    }
    if (high >= 0x80 || size === 0) return this.string(size)
    const slot = (h ^ (h >>> 11)) & KEY_CACHE_MASK
    const cached = keyCache[slot]!
    this.pos = end
    if (cached.length === size) {
      let i = 0
      while (i < size && cached.charCodeAt(i) === b[p + i]) i++
      if (i === size) return cached
    }
    const key = shortAscii(b, p, size)
    keyCache[slot] = key
    return key
  }

  private struct(size: number): unknown {
    const signature = this.u8()
    this.need(size)
    this.enter()
    const fields = new Array<unknown>(size)
    for (let i = 0; i < size; i++) fields[i] = this.unpack()
    this.depth--
    return this.hydrate(signature, fields)
  }
}

const hex = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

/**
 * Decodes exactly one value from `bytes`; trailing bytes are an error.
 *
 * @since 0.1.0
 */
export const unpack = (bytes: Uint8Array, hydrate?: Hydrator, useBigInt = false): unknown => {
  const u = new Unpacker(bytes, hydrate, useBigInt)
  const v = u.unpack()
  if (u.remaining() !== 0) fail(`${u.remaining()} trailing bytes after the PackStream value`)
  return v
}
