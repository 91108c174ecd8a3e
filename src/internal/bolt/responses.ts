/**
 * Bolt responses (spec: bolt/message.adoc, "Summary messages" and RECORD): SUCCESS, RECORD,
 * IGNORED and FAILURE bodies decoded from their PackStream bytes. `decodeResponse` reads any of
 * them; RECORD, the hot path, can also be recognised and its list header checked without decoding
 * (`isRecord`, `recordHeaderError`), and its fields decoded later (`decodeRecord`), which is what
 * the connection does (bench/e2e, slow consumer).
 *
 * Everything here is synchronous and throws one `PackStreamError` naming the problem.
 */
import { fail } from "../packstream/errors.js"
import { isPlainObject } from "../packstream/plain.js"
import type { Unpacker } from "../packstream/unpacker.js"
import * as S from "./signatures.js"

/**
 * A server message: a summary (`Success`, `Ignored`, `Failure`) or a detail (`Record`).
 *
 * @since 0.1.0
 * @category models
 */
export type Response =
  | { readonly _tag: "Success"; readonly metadata: Readonly<Record<string, unknown>> }
  | { readonly _tag: "Record"; readonly fields: Array<unknown> }
  | { readonly _tag: "Ignored" }
  | { readonly _tag: "Failure"; readonly metadata: Readonly<Record<string, unknown>> }

const IGNORED_RESPONSE: Response = Object.freeze({ _tag: "Ignored" as const })

const hex2 = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

const nameOf = (signature: number): string => S.MESSAGE_NAMES[signature] ?? `0x${hex2(signature)}`

const arity = (signature: number, size: number, expected: number): never =>
  fail(`${nameOf(signature)} message with ${size} fields (expected ${expected})`)

const trailing = (signature: number, u: Unpacker): void => {
  if (u.pos !== u.end) fail(`${u.end - u.pos} trailing bytes after the ${nameOf(signature)} message`)
}

const metadataOf = (signature: number, u: Unpacker): Readonly<Record<string, unknown>> => {
  const m = u.unpack()
  if (!isPlainObject(m)) fail(`${nameOf(signature)} metadata must be a map`)
  trailing(signature, u)
  return m as Readonly<Record<string, unknown>>
}

/**
 * Whether a message body (`bytes[start, end)`, all of it by default) is a RECORD (`B1 71`),
 * judged by its first two bytes only: the connection hands such bodies to the result undecoded,
 * and the result decodes them as its consumer reads (`decodeRecordIn`).
 *
 * @since 0.1.0
 * @category decoders
 */
export const isRecord = (bytes: Uint8Array, start = 0, end = bytes.length): boolean =>
  end - start > 1 && bytes[start + 1] === S.RECORD && bytes[start] === 0xb1

/**
 * Checks a RECORD body's list header (`bytes[start, end)`, all of it by default) without
 * decoding its values: what is wrong with it, or undefined. The connection checks each RECORD as
 * it arrives, so that a garbled framing fails at once; its values are decoded (and checked) when
 * the result's consumer reads them.
 *
 * @since 0.1.0
 * @category decoders
 */
export const recordHeaderError = (bytes: Uint8Array, start = 0, end = bytes.length): string | undefined => {
  const n = end - start
  if (n < 3) return "truncated RECORD message"
  const m = bytes[start + 2]!
  if ((m & 0xf0) === 0x90) return undefined
  const size = m === 0xd4 ? 1 : m === 0xd5 ? 2 : m === 0xd6 ? 4 : 0
  if (size === 0) return `RECORD data must be a list, got marker 0x${hex2(m)}`
  return n < 3 + size ? "truncated RECORD list header" : undefined
}

/**
 * Decodes the fields of a RECORD body (one that `isRecord`); `unpacker` is reset to `bytes`.
 * Throws `PackStreamError` as `decodeResponse` does.
 *
 * @since 0.1.0
 * @category decoders
 */
export const decodeRecord = (bytes: Uint8Array, unpacker: Unpacker): Array<unknown> => {
  const error = recordHeaderError(bytes)
  if (error !== undefined) fail(error)
  return decodeRecordIn(bytes, 0, bytes.length, unpacker)
}

/**
 * Decodes the fields of a RECORD body that lies in `bytes[start, end)` and whose list header was
 * checked (`recordHeaderError`, as the connection does on arrival). Throws `PackStreamError` as
 * `decodeRecord` does, with offsets counted from `start`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const decodeRecordIn = (bytes: Uint8Array, start: number, end: number, unpacker: Unpacker): Array<unknown> => {
  // the header is a list's: the unpacker reads it and the items
  unpacker.reset(bytes, start, end)
  unpacker.pos = start + 2
  const fields = unpacker.unpack() as Array<unknown>
  if (unpacker.pos !== end) trailing(S.RECORD, unpacker)
  return fields
}

/**
 * Decodes one server message body (dechunked): the structure header is read here, then the
 * RECORD's list or the summary's metadata map. Throws `PackStreamError` on an unknown or request
 * signature, a wrong field count, a field of the wrong type, or trailing bytes.
 *
 * @since 0.1.0
 * @category decoders
 */
export const decodeResponse = (bytes: Uint8Array, unpacker: Unpacker): Response => {
  const n = bytes.length
  if (n < 2) fail(n === 0 ? "empty Bolt message" : "truncated Bolt message: 1 byte")
  const marker = bytes[0]!
  if ((marker & 0xf0) !== 0xb0) fail(`a Bolt message must be a structure, got marker 0x${hex2(marker)}`)
  const size = marker & 0x0f
  const signature = bytes[1]!
  unpacker.reset(bytes)
  if (signature === S.RECORD) {
    if (size !== 1) arity(signature, size, 1)
    return { _tag: "Record", fields: decodeRecord(bytes, unpacker) }
  }
  unpacker.pos = 2
  switch (signature) {
    case S.SUCCESS:
      if (size !== 1) arity(signature, size, 1)
      return { _tag: "Success", metadata: metadataOf(signature, unpacker) }
    case S.FAILURE:
      if (size !== 1) arity(signature, size, 1)
      return { _tag: "Failure", metadata: metadataOf(signature, unpacker) }
    case S.IGNORED:
      if (size !== 0) arity(signature, size, 0)
      trailing(signature, unpacker)
      return IGNORED_RESPONSE
    default:
      return fail(
        S.MESSAGE_NAMES[signature] !== undefined
          ? `unexpected ${nameOf(signature)} (0x${hex2(signature)}) message from the server`
          : `unknown Bolt message signature 0x${hex2(signature)}`
      )
  }
}
