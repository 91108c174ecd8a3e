/**
 * VarInt for the handshake manifest: 7 bits per byte, least significant group first, high bit
 * set on every byte but the last (spec: bolt/handshake.adoc). Values up to 2^64 - 1, as bigint.
 */

/** Encodes an unsigned integer. */
export const encodeVarInt = (value: bigint | number): Uint8Array => {
  let v = BigInt(value)
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`VarInt out of range: ${v}`)
  const out: Array<number> = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return Uint8Array.from(out)
}

/**
 * Decodes a VarInt at `offset`. Returns the value and the bytes it took, or `undefined` when the
 * bytes end first (read more and try again). Throws a RangeError past 10 bytes or beyond 64 bits.
 */
export const decodeVarInt = (bytes: Uint8Array, offset = 0): { readonly value: bigint; readonly size: number } | undefined => {
  let value = 0n
  let shift = 0n
  for (let i = offset; i < bytes.length; i++) {
    const b = bytes[i]!
    // the tenth byte holds bit 63 only; anything more is beyond 64 bits
    if (i - offset === 9 && (b & 0x7e) !== 0) throw new RangeError("VarInt beyond 64 bits")
    value |= BigInt(b & 0x7f) << shift
    if ((b & 0x80) === 0) return { value, size: i - offset + 1 }
    shift += 7n
    if (i - offset >= 9) throw new RangeError("VarInt longer than 10 bytes")
  }
  return undefined
}
