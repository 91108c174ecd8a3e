/**
 * PackStream v1 encoder: values to bytes, appended into one growable buffer that the caller
 * owns and reuses. Plain synchronous code: no Effect, no I/O, no graph types. Every value takes
 * its smallest encoding. Unsupported values throw a `PackStreamError` naming the problem.
 *
 * Number policy: `bigint` and `Int` encode as Integer, `Float` as Float, a plain `number` as
 * Integer when it is integral and inside int64 (so `LIMIT $n` works) and as Float otherwise;
 * `-0` is a Float, so its sign survives.
 */
import { fail } from "./errors.js"
import * as M from "./markers.js"
import { Float, Int, INT64_MAX, INT64_MIN } from "./numbers.js"
import { isPlainObject } from "./plain.js"
import { Structure } from "./structure.js"

/**
 * Turns a non-PackStream value (a temporal, spatial or vector value class) into a `Structure`,
 * or returns `undefined` when it does not know the value.
 */
export type Dehydrator = (value: object) => Structure | undefined

const encoder = new TextEncoder()

/** Nesting deeper than this is refused (the decoder refuses it too; a cycle must not overflow the stack). */
const MAX_DEPTH = 1000

/** UTF-8 byte length of a JS string (surrogate pairs count 4, lone surrogates 3 as U+FFFD). */
export const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

const describe = (value: unknown): string => {
  if (typeof value === "function") return "a function"
  if (typeof value === "symbol") return "a symbol"
  if (typeof value === "object" && value !== null) {
    const name = value.constructor?.name
    return name ? `an instance of ${name}` : "an object"
  }
  return typeof value
}

/**
 * Appends PackStream values to an internal buffer. `bytes()` returns a view of what was written;
 * `reset()` starts over reusing the same memory.
 *
 * @since 0.1.0
 */
export class Packer {
  buffer: Uint8Array
  view: DataView
  length = 0
  dehydrate: Dehydrator | undefined
  private depth = 0

  constructor(initialSize = 1024, dehydrate?: Dehydrator) {
    this.buffer = new Uint8Array(initialSize)
    this.view = new DataView(this.buffer.buffer)
    this.dehydrate = dehydrate
  }

  /** Forget what was written; keep the memory. */
  reset(): void {
    this.length = 0
  }

  /** A view of the bytes written so far (valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n
    if (need <= this.buffer.length) return
    let size = Math.max(this.buffer.length * 2, 64) // (a zero-sized buffer would never grow)
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }

  /** Writes raw bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }

  writeUint8(b: number): void {
    this.ensure(1)
    this.buffer[this.length++] = b
  }

  writeUint16(v: number): void {
    this.ensure(2)
    this.view.setUint16(this.length, v)
    this.length += 2
  }

  private marker8(marker: number, v: number): void {
    this.ensure(2)
    this.buffer[this.length] = marker
    this.buffer[this.length + 1] = v
    this.length += 2
  }

  private marker16(marker: number, v: number): void {
    this.ensure(3)
    this.buffer[this.length] = marker
    this.view.setUint16(this.length + 1, v)
    this.length += 3
  }

  private marker32(marker: number, v: number): void {
    this.ensure(5)
    this.buffer[this.length] = marker
    this.view.setUint32(this.length + 1, v)
    this.length += 5
  }

  packNull(): void {
    this.writeUint8(M.NULL)
  }

  packBoolean(b: boolean): void {
    this.writeUint8(b ? M.TRUE : M.FALSE)
  }

  /** An integer that is a safe JS integer, in its smallest form. */
  packSafeInteger(n: number): void {
    if (n >= -16 && n <= 127) {
      this.writeUint8(n & 0xff)
    } else if (n >= -128 && n <= 127) {
      this.marker8(M.INT_8, n & 0xff)
    } else if (n >= -32768 && n <= 32767) {
      this.ensure(3)
      this.buffer[this.length] = M.INT_16
      this.view.setInt16(this.length + 1, n)
      this.length += 3
    } else if (n >= -2147483648 && n <= 2147483647) {
      this.ensure(5)
      this.buffer[this.length] = M.INT_32
      this.view.setInt32(this.length + 1, n)
      this.length += 5
    } else {
      this.packInt64(BigInt(n))
    }
  }

  /** An integer given as a bigint, in its smallest form; beyond int64 it is an error. */
  packBigInt(n: bigint): void {
    if (n >= -2147483648n && n <= 2147483647n) this.packSafeInteger(Number(n))
    else this.packInt64(n)
  }

  private packInt64(n: bigint): void {
    if (n < INT64_MIN || n > INT64_MAX) fail(`integer ${n} is outside the int64 range`)
    this.ensure(9)
    this.buffer[this.length] = M.INT_64
    this.view.setBigInt64(this.length + 1, n)
    this.length += 9
  }

  packFloat(f: number): void {
    this.ensure(9)
    this.buffer[this.length] = M.FLOAT_64
    this.view.setFloat64(this.length + 1, f)
    this.length += 9
  }

  packString(s: string): void {
    const n = s.length
    // ASCII fast path for short strings: no TextEncoder call.
    if (n < 16) {
      let ascii = true
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false
          break
        }
      }
      if (ascii) {
        this.ensure(n + 1)
        const buf = this.buffer
        let p = this.length
        buf[p++] = M.TINY_STRING | n
        for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i)
        this.length = p
        return
      }
    }
    const size = utf8Length(s)
    this.stringHeader(size)
    this.ensure(size)
    encoder.encodeInto(s, this.buffer.subarray(this.length, this.length + size))
    this.length += size
  }

  stringHeader(size: number): void {
    if (size < 0x10) this.writeUint8(M.TINY_STRING | size)
    else if (size < 0x100) this.marker8(M.STRING_8, size)
    else if (size < 0x10000) this.marker16(M.STRING_16, size)
    else if (size <= 0xffffffff) this.marker32(M.STRING_32, size)
    else fail(`string of ${size} bytes is too long for PackStream`)
  }

  packBytes(b: Uint8Array): void {
    const size = b.length
    if (size < 0x100) this.marker8(M.BYTES_8, size)
    else if (size < 0x10000) this.marker16(M.BYTES_16, size)
    else if (size <= 0x7fffffff) this.marker32(M.BYTES_32, size)
    else fail(`byte array of ${size} bytes is too long for PackStream`)
    this.writeBytes(b)
  }

  listHeader(size: number): void {
    if (size < 0x10) this.writeUint8(M.TINY_LIST | size)
    else if (size < 0x100) this.marker8(M.LIST_8, size)
    else if (size < 0x10000) this.marker16(M.LIST_16, size)
    else if (size <= 0xffffffff) this.marker32(M.LIST_32, size)
    else fail(`list of ${size} items is too long for PackStream`)
  }

  mapHeader(size: number): void {
    if (size < 0x10) this.writeUint8(M.TINY_MAP | size)
    else if (size < 0x100) this.marker8(M.MAP_8, size)
    else if (size < 0x10000) this.marker16(M.MAP_16, size)
    else if (size <= 0xffffffff) this.marker32(M.MAP_32, size)
    else fail(`map of ${size} entries is too long for PackStream`)
  }

  structHeader(size: number, signature: number): void {
    if (size > 15) fail(`structure with ${size} fields (at most 15)`)
    if (!(Number.isInteger(signature) && signature >= 0 && signature <= 0x7f)) {
      fail(`structure tag ${signature} is outside 0..127`)
    }
    this.ensure(2)
    this.buffer[this.length] = M.TINY_STRUCT | size
    this.buffer[this.length + 1] = signature
    this.length += 2
  }

  private enter(): void {
    if (this.depth >= MAX_DEPTH) fail(`value nested deeper than ${MAX_DEPTH} levels (is it cyclic?)`)
    this.depth++
  }

  packList(list: ReadonlyArray<unknown>): void {
    this.enter()
    try {
      this.listHeader(list.length)
      for (let i = 0; i < list.length; i++) this.pack(list[i])
    } finally {
      this.depth--
    }
  }

  /** A map from a plain object; entries whose value is `undefined` are left out. */
  packMap(obj: { readonly [key: string]: unknown }): void {
    this.enter()
    try {
      let size = 0
      for (const k in obj) if (obj[k] !== undefined) size++
      this.mapHeader(size)
      for (const k in obj) {
        const v = obj[k]
        if (v === undefined) continue
        this.packString(k)
        this.pack(v)
      }
    } finally {
      this.depth--
    }
  }

  /** A map from a JS `Map`, whose keys must be strings. */
  packEntries(map: ReadonlyMap<unknown, unknown>): void {
    this.enter()
    try {
      this.mapHeader(map.size)
      for (const [k, v] of map) {
        if (typeof k !== "string") fail(`map keys must be strings, got ${describe(k)}`)
        this.packString(k as string)
        this.pack(v)
      }
    } finally {
      this.depth--
    }
  }

  packStructure(s: Structure): void {
    this.enter()
    try {
      this.structHeader(s.fields.length, s.signature)
      for (let i = 0; i < s.fields.length; i++) this.pack(s.fields[i])
    } finally {
      this.depth--
    }
  }

  /** Packs any supported value; throws `PackStreamError` naming the unsupported ones. */
  pack(value: unknown): void {
    switch (typeof value) {
      case "string":
        return this.packString(value)
      case "number":
        if (Number.isSafeInteger(value)) {
          // -0 is integral, but an Integer has no negative zero: as a Float it keeps its sign
          // (the reference drivers send -0.0 as a Float too)
          if (value === 0 && 1 / value < 0) return this.packFloat(value)
          return this.packSafeInteger(value)
        }
        // integral beyond 2^53 but inside int64 (for example 2 ** 60) is still an Integer
        if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) return this.packBigInt(BigInt(value))
        return this.packFloat(value)
      case "boolean":
        return this.packBoolean(value)
      case "bigint":
        return this.packBigInt(value)
      case "undefined":
        return this.packNull()
      case "object": {
        if (value === null) return this.packNull()
        if (Array.isArray(value)) return this.packList(value)
        if (value instanceof Uint8Array) return this.packBytes(value)
        if (value instanceof Int) {
          const v = value.value
          if (typeof v === "bigint") return this.packBigInt(v)
          if (!Number.isInteger(v)) return fail(`int(${v}): not an integer`)
          return this.packBigInt(BigInt(v))
        }
        if (value instanceof Float) return this.packFloat(value.value)
        if (value instanceof Structure) return this.packStructure(value)
        if (value instanceof Map) return this.packEntries(value)
        if (isPlainObject(value)) return this.packMap(value)
        const s = this.dehydrate?.(value)
        if (s !== undefined) return this.packStructure(s)
        return fail(`unsupported parameter value: ${describe(value)}`)
      }
      default:
        return fail(`unsupported parameter value: ${describe(value)}`)
    }
  }
}
