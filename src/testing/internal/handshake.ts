/**
 * The server side of the Bolt handshake, pure: reading the client's four proposals, choosing a
 * version the plain way, building the manifest v1 answer and checking the client's choice
 * (spec: bolt/handshake.adoc). The stub server does the I/O.
 */
import { encodeVarInt } from "../../internal/bolt/varint.js"
import type { VersionRange } from "./steps.js"
import { encodeRange, formatRange, inRange } from "./steps.js"

/** `60 60 B0 17` */
export const PREAMBLE = Uint8Array.of(0x60, 0x60, 0xb0, 0x17)

/** One 4-byte proposal: `00 RR MM MJ`, or the manifest slot `00 00 01 FF`. */
export type Proposal =
  | { readonly _tag: "None" }
  | { readonly _tag: "Manifest"; readonly version: number }
  | { readonly _tag: "Version"; readonly range: VersionRange }
  | { readonly _tag: "Invalid"; readonly bytes: Uint8Array }

/** Reads the four proposals of the 16 bytes after the preamble. */
export const readProposals = (bytes: Uint8Array): Array<Proposal> => {
  const out: Array<Proposal> = []
  for (let i = 0; i < 16; i += 4) {
    const [r0, range, minor, major] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!]
    if (r0 === 0 && range === 0 && minor === 0 && major === 0) out.push({ _tag: "None" })
    else if (r0 === 0 && range === 0 && major === 0xff) out.push({ _tag: "Manifest", version: minor })
    else if (r0 === 0 && range <= minor) out.push({ _tag: "Version", range: { major, minor, range } })
    else out.push({ _tag: "Invalid", bytes: bytes.slice(i, i + 4) })
  }
  return out
}

/** "manifest v1", "5.8-5.0", "4.4", "none" or the bytes of an invalid slot. */
export const describeProposal = (p: Proposal): string => {
  switch (p._tag) {
    case "None":
      return "none"
    case "Manifest":
      return `manifest v${p.version}`
    case "Version":
      return formatRange(p.range)
    case "Invalid":
      return `invalid ${[...p.bytes].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ")}`
  }
}

/**
 * The plain choice: the first proposal (client order) that holds a supported version, and the
 * highest supported version in it. `undefined` when there is none.
 */
export const choosePlain = (
  supported: ReadonlyArray<VersionRange>,
  proposals: ReadonlyArray<Proposal>
): { readonly major: number; readonly minor: number } | undefined => {
  for (const p of proposals) {
    if (p._tag !== "Version") continue
    const { major, minor, range } = p.range
    for (let m = minor; m >= minor - range; m--) {
      if (supported.some((s) => inRange(s, major, m))) return { major, minor: m }
    }
  }
  return undefined
}

/** `00 00 01 FF`, VarInt count, the 4-byte versions/ranges, VarInt capabilities. */
export const manifestAnswer = (versions: ReadonlyArray<VersionRange>, capabilities: bigint): Uint8Array => {
  const parts = [Uint8Array.of(0, 0, 1, 0xff), encodeVarInt(versions.length), ...versions.map(encodeRange), encodeVarInt(capabilities)]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Checks the client's 4-byte choice after a manifest: an error text, or undefined when valid. */
export const checkChoice = (
  offered: ReadonlyArray<VersionRange>,
  offeredCapabilities: bigint,
  chosen: Uint8Array,
  capabilities: bigint
): string | undefined => {
  const [r0, range, minor, major] = [chosen[0]!, chosen[1]!, chosen[2]!, chosen[3]!]
  if (r0 !== 0 || range !== 0) return "the chosen version must be one version (00 00 MM MJ), not a range"
  if (!offered.some((o) => inRange(o, major, minor))) {
    return `the client chose ${major}.${minor}, which the stub did not offer (offered: ${offered.map(formatRange).join(", ")})`
  }
  if ((capabilities & ~offeredCapabilities) !== 0n) {
    return `the client chose capabilities 0x${capabilities.toString(16)}, beyond the offered 0x${offeredCapabilities.toString(16)}`
  }
  return undefined
}
