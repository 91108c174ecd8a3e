/**
 * The client side of the handshake, pure: our offer's bytes, and the parser for the server's
 * answer (plain, manifest v1, partial, and the failures), against the examples of
 * bolt/handshake.adoc.
 */
import { describe, expect, it } from "vitest"
import { CLIENT_OFFER, parseServerAnswer } from "../../src/internal/bolt/handshake.js"
import { ProtocolError } from "../../src/Neo4jError.js"

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)))
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").replace(/(..)/g, "$1 ").trim().toUpperCase()

describe("handshake", () => {
  it("offers the preamble, manifest v1, 5.8-5.0, 4.4-4.3 and 4.2 alone (4.2 servers do not read ranges)", () => {
    expect(toHex(CLIENT_OFFER)).toBe("60 60 B0 17 00 00 01 FF 00 08 08 05 00 01 04 04 00 00 02 04")
  })

  it("accepts a plain 4-byte answer", () => {
    for (const [answer, v] of [["00 00 04 04", "4.4"], ["00 00 04 05", "5.4"], ["00 00 08 05", "5.8"], ["00 00 00 05", "5.0"]] as const) {
      const n = parseServerAnswer(hex(answer))!
      expect(`${n.version.major}.${n.version.minor}`).toBe(v)
      expect(n.consumed).toBe(4)
      expect(n.reply.length).toBe(0)
    }
  })

  it("parses the spec's manifest example and picks the highest version we support", () => {
    // S: 00 00 01 FF, 2 ranges: 5.8-5.6 and 4.4-4.0, capabilities 0x09 (spec example)
    const n = parseServerAnswer(hex("00 00 01 FF 02 00 02 08 05 00 04 04 04 09"))!
    expect(`${n.version.major}.${n.version.minor}`).toBe("5.8")
    expect(n.consumed).toBe(14)
    // C: the chosen version (no range) + capabilities: we select none
    expect(toHex(n.reply)).toBe("00 00 08 05 00")
    expect(n.offered).toEqual([
      { major: 5, minor: 8, range: 2 },
      { major: 4, minor: 4, range: 4 }
    ])
  })

  it("prefers 6.0 over 5.x, and skips 5.5 (never negotiated)", () => {
    expect(parseServerAnswer(hex("00 00 01 FF 02 00 00 00 06 00 08 08 05 00"))!.version).toEqual({ major: 6, minor: 0 })
    expect(() => parseServerAnswer(hex("00 00 01 FF 01 00 00 05 05 00"))).toThrow(ProtocolError)
  })

  it("needs more bytes at every cut of a manifest answer, and keeps bytes after it unread", () => {
    const full = hex("00 00 01 FF 02 00 02 08 05 00 04 04 04 89 01")
    for (let cut = 0; cut < full.length; cut++) expect(parseServerAnswer(full.subarray(0, cut))).toBeUndefined()
    const withMore = new Uint8Array([...full, 0x00, 0x03])
    expect(parseServerAnswer(withMore)!.consumed).toBe(full.length)
  })

  it("no common version: ProtocolError listing our versions (and the server's for a manifest)", () => {
    expect(() => parseServerAnswer(hex("00 00 00 00"))).toThrow(/6\.0 \(manifest v1\), 5\.8-5\.0, 4\.4-4\.3, 4\.2/)
    expect(() => parseServerAnswer(hex("00 00 01 FF 01 00 01 01 04 00"))).toThrow(/the server offers 4\.1-4\.0/)
  })

  it("a version we did not offer is a ProtocolError", () => {
    expect(() => parseServerAnswer(hex("00 00 01 04"))).toThrow(/Bolt 4\.1, which this driver did not offer/)
  })

  it("an HTTP answer: ProtocolError pointing from 7474 to 7687", () => {
    expect(() => parseServerAnswer(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n"))).toThrow(/HTTP.*7474.*7687/)
  })

  it("a malformed manifest count is a ProtocolError, not a hang or a crash", () => {
    expect(() => parseServerAnswer(hex("00 00 01 FF FF FF FF FF FF FF FF FF FF FF 01"))).toThrow(ProtocolError)
    expect(() => parseServerAnswer(hex("00 00 01 FF 90 02"))).toThrow(/versions announced/)
  })
})
