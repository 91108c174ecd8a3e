/**
 * Vector (Bolt 6.0+) both ways, and UnsupportedType: the elements travel big-endian, as the spec
 * requires, behind a one-byte element type marker.
 */
import * as Vectors from "../../../Vector.js"
import { badField, checkArity, fail, hex, isMap, nameOf, small, str } from "./fields.js"
import {
  UNSUPPORTED_TYPE,
  VECTOR,
  VECTOR_FLOAT_32,
  VECTOR_FLOAT_64,
  VECTOR_INT_16,
  VECTOR_INT_32,
  VECTOR_INT_64,
  VECTOR_INT_8
} from "./tags.js"

export const hydrateVector = (f: Array<unknown>, version: string): Vectors.Vector => {
  checkArity(VECTOR, f, 2, version)
  const marker = f[0]
  const data = f[1]
  if (!(marker instanceof Uint8Array) || marker.length !== 1) {
    badField(VECTOR, "type_marker", "one byte", marker)
  }
  if (!(data instanceof Uint8Array)) badField(VECTOR, "data", "bytes", data)
  const type = marker[0]!
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const bytes = data.length
  switch (type) {
    case VECTOR_INT_8:
      return new Vectors.Vector(new Int8Array(data.buffer, data.byteOffset, bytes))
    case VECTOR_INT_16: {
      const out = new Int16Array(elements(bytes, 2))
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2)
      return new Vectors.Vector(out)
    }
    case VECTOR_INT_32: {
      const out = new Int32Array(elements(bytes, 4))
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4)
      return new Vectors.Vector(out)
    }
    case VECTOR_INT_64: {
      const out = new BigInt64Array(elements(bytes, 8))
      for (let i = 0; i < out.length; i++) out[i] = view.getBigInt64(i * 8)
      return new Vectors.Vector(out)
    }
    case VECTOR_FLOAT_32: {
      const out = new Float32Array(elements(bytes, 4))
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4)
      return new Vectors.Vector(out)
    }
    case VECTOR_FLOAT_64: {
      const out = new Float64Array(elements(bytes, 8))
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8)
      return new Vectors.Vector(out)
    }
    default:
      return fail(`${nameOf(VECTOR)}: unknown element type marker 0x${hex(type)}`)
  }
}

const elements = (bytes: number, size: number): number =>
  bytes % size === 0 ? bytes / size : fail(`${nameOf(VECTOR)}: ${bytes} data bytes is not a whole number of ${size}-byte elements`)

export const hydrateUnsupported = (f: Array<unknown>, version: string): Vectors.UnsupportedType => {
  checkArity(UNSUPPORTED_TYPE, f, 4, version)
  const name = str(UNSUPPORTED_TYPE, "name", f[0])
  const major = small(UNSUPPORTED_TYPE, "minimum_protocol_major", f[1])
  const minor = small(UNSUPPORTED_TYPE, "minimum_protocol_minor", f[2])
  const extra = f[3]
  if (!isMap(extra)) badField(UNSUPPORTED_TYPE, "extra", "a map", extra)
  const message = extra["message"]
  if (message !== undefined && message !== null && typeof message !== "string") {
    badField(UNSUPPORTED_TYPE, "extra.message", "a string", message)
  }
  return new Vectors.UnsupportedType(name, major, minor, message ?? undefined)
}

/**
 * `src`'s elements as `size`-byte big-endian bytes, as the spec requires (DataView setters are
 * big-endian by default). `write` is each type's own loop: one loop shared by every element type
 * makes each element access polymorphic, which measured 20-30x slower.
 */
const bigEndian = <A extends Vectors.VectorArray>(src: A, size: number, write: (view: DataView, src: A) => void): Uint8Array => {
  const out = new Uint8Array(src.length * size)
  write(new DataView(out.buffer), src)
  return out
}

/** the element type marker and the data bytes of a Vector */
export const vectorBytes = (v: Vectors.Vector): [number, Uint8Array] => {
  const a = v.data
  switch (v.type) {
    case "INT8":
      return [VECTOR_INT_8, new Uint8Array(a.buffer, a.byteOffset, a.length)]
    case "INT16":
      return [VECTOR_INT_16, bigEndian(a as Int16Array, 2, (view, src) => {
        for (let i = 0; i < src.length; i++) view.setInt16(i * 2, src[i]!)
      })]
    case "INT32":
      return [VECTOR_INT_32, bigEndian(a as Int32Array, 4, (view, src) => {
        for (let i = 0; i < src.length; i++) view.setInt32(i * 4, src[i]!)
      })]
    case "INT64":
      return [VECTOR_INT_64, bigEndian(a as BigInt64Array, 8, (view, src) => {
        for (let i = 0; i < src.length; i++) view.setBigInt64(i * 8, src[i]!)
      })]
    case "FLOAT32":
      return [VECTOR_FLOAT_32, bigEndian(a as Float32Array, 4, (view, src) => {
        for (let i = 0; i < src.length; i++) view.setFloat32(i * 4, src[i]!)
      })]
    case "FLOAT64":
      return [VECTOR_FLOAT_64, bigEndian(a as Float64Array, 8, (view, src) => {
        for (let i = 0; i < src.length; i++) view.setFloat64(i * 8, src[i]!)
      })]
  }
}
