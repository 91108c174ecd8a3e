/**
 * The client side of the Bolt handshake, pure: the bytes to offer, and a parser for the server's
 * answer that says "need more bytes", gives the chosen version (plus the bytes to send back for a
 * manifest answer), or throws a `ProtocolError` that names the problem.
 *
 * Offer: preamble `60 60 B0 17`; manifest v1 (`00 00 01 FF`); 5.8 down to 5.0 as one range;
 * 4.4 down to 4.3 as one range; 4.2 alone (a 4.2 server does not read ranges, which came with 4.3). (spec: bolt/handshake.adoc)
 */
import { ProtocolError } from "../../Neo4jError.js"
import { decodeVarInt, encodeVarInt } from "./varint.js"
import { format, SUPPORTED, version } from "./version.js"
import type { ProtocolVersion } from "./version.js"

/** The four preamble bytes. */
export const PREAMBLE = Uint8Array.of(0x60, 0x60, 0xb0, 0x17)

/** The manifest v1 slot. */
export const MANIFEST_V1 = 0x000001ff

/** Preamble plus our four proposals, as sent on the wire. */
export const CLIENT_OFFER: Uint8Array = Uint8Array.of(
  ...PREAMBLE,
  0x00, 0x00, 0x01, 0xff, // manifest v1
  0x00, 0x08, 0x08, 0x05, // 5.8 and the 8 minors below: 5.8 - 5.0
  0x00, 0x01, 0x04, 0x04, // 4.4 and the minor below: 4.4 - 4.3
  0x00, 0x00, 0x02, 0x04 // 4.2, which a 4.2 server reads (it ignores ranges)
)

/** What we offer, for error messages. */
export const OFFERED_TEXT = "6.0 (manifest v1), 5.8-5.0, 4.4-4.3, 4.2"

/**
 * A version range as a server announces it: `major.minor` and the `range` minors below it.
 *
 * @since 0.1.0
 */
export interface VersionRange {
  readonly major: number
  readonly minor: number
  readonly range: number
}

/**
 * The outcome of a completed handshake.
 *
 * @since 0.1.0
 */
export interface Negotiated {
  readonly version: ProtocolVersion
  /** bytes of the server's answer that were consumed */
  readonly consumed: number
  /** bytes to send back (manifest: chosen version + capabilities), maybe empty */
  readonly reply: Uint8Array
  /** server versions announced in a manifest answer */
  readonly offered: ReadonlyArray<VersionRange>
}

const decodeRange = (b: Uint8Array, o: number): VersionRange => ({
  range: b[o + 1]!,
  minor: b[o + 2]!,
  major: b[o + 3]!
})

const rangeText = (r: VersionRange): string =>
  r.range > 0 ? `${r.major}.${r.minor}-${r.major}.${Math.max(0, r.minor - r.range)}` : `${r.major}.${r.minor}`

const inRange = (v: ProtocolVersion, r: VersionRange): boolean =>
  v.major === r.major && v.minor <= r.minor && v.minor >= r.minor - r.range

const startsWithHttp = (b: Uint8Array): boolean => b[0] === 0x48 && b[1] === 0x54 && b[2] === 0x54 && b[3] === 0x50

/**
 * Parses the server's answer so far. Returns `undefined` when more bytes are needed.
 * Throws `ProtocolError` on no common version, an HTTP answer, or a malformed manifest.
 *
 * @since 0.1.0
 */
export const parseServerAnswer = (b: Uint8Array): Negotiated | undefined => {
  if (b.length < 4) return undefined
  if (startsWithHttp(b)) {
    throw new ProtocolError({
      message:
        "The server answered the Bolt handshake with HTTP: this is Neo4j's HTTP port (7474 by default); Bolt listens on port 7687"
    })
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const first = view.getUint32(0)
  if (first === 0) {
    throw new ProtocolError({
      message: `The server supports none of the Bolt versions this driver offers (${OFFERED_TEXT}); it answered 00 00 00 00`
    })
  }
  if (first !== MANIFEST_V1) {
    const v = version(b[3]!, b[2]!)
    if (!SUPPORTED.some((s) => s.major === v.major && s.minor === v.minor)) {
      throw new ProtocolError({
        message: `The server chose Bolt ${format(v)}, which this driver did not offer (${OFFERED_TEXT})`
      })
    }
    return { version: v, consumed: 4, reply: new Uint8Array(0), offered: [] }
  }
  // manifest v1: VarInt count, count * 4-byte ranges, VarInt capabilities
  let decoded: { readonly value: bigint; readonly size: number } | undefined
  try {
    decoded = decodeVarInt(b, 4)
  } catch {
    throw new ProtocolError({ message: "Malformed handshake manifest: version count is not a valid VarInt" })
  }
  if (decoded === undefined) return undefined
  const count = decoded.value
  if (count > 255n) {
    throw new ProtocolError({ message: `Malformed handshake manifest: ${count} versions announced` })
  }
  let o = 4 + decoded.size
  if (b.length < o + Number(count) * 4) return undefined
  const offered: Array<VersionRange> = []
  for (let i = 0; i < Number(count); i++, o += 4) offered.push(decodeRange(b, o))
  let caps: { readonly value: bigint; readonly size: number } | undefined
  try {
    caps = decodeVarInt(b, o)
  } catch {
    throw new ProtocolError({ message: "Malformed handshake manifest: capabilities are not a valid VarInt" })
  }
  if (caps === undefined) return undefined
  o += caps.size
  const chosen = SUPPORTED.find((v) => offered.some((r) => inRange(v, r)))
  if (chosen === undefined) {
    throw new ProtocolError({
      message: `The server supports none of the Bolt versions this driver offers (${OFFERED_TEXT}); the server offers ${
        offered.map(rangeText).join(", ") || "nothing"
      }`
    })
  }
  // We use no vendor capabilities: select none.
  const reply = new Uint8Array(5)
  reply[2] = chosen.minor
  reply[3] = chosen.major
  reply.set(encodeVarInt(0), 4)
  return { version: chosen, consumed: o, reply, offered }
}
