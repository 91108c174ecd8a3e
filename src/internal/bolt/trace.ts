/**
 * Debug-trace formatting of Bolt messages in the spec's textual form, for example
 * `RUN "RETURN $x AS x" {"x": 1} {}`. Secrets never reach the output:
 *
 * - a `Redacted` value prints as `<redacted>`, whatever its position;
 * - a map entry named `credentials` prints as `"credentials": <redacted>`, in any message;
 * - in LOGON (and in HELLO, which carries the auth token before 5.1) every entry that is not
 *   known to be harmless (`scheme`, `principal`, `realm` and HELLO's own keys) is redacted too,
 *   so custom auth schemes' `parameters` do not leak either;
 * - RUN's query parameters keep their keys but print their values as `<redacted>`
 *   (`{"name": <redacted>}`), unless the caller asks for them (`{ parameters: true }`: the
 *   Debug trace's opt-in, `Neo4jDriver.withBoltTraceParameters`); Redacted values and
 *   `credentials` entries stay hidden even then.
 *
 * Outgoing messages are packed straight into bytes, so traces of requests are made from those
 * bytes (`formatBody`, `formatFrames`) after the fact; the redaction rules above apply there.
 */
import * as Redacted from "effect/Redacted"
import { PackStreamError } from "../packstream/errors.js"
import { Structure } from "../packstream/structure.js"
import { Unpacker } from "../packstream/unpacker.js"
import type { Response } from "./responses.js"
import * as S from "./signatures.js"

/**
 * What a hidden value prints as.
 *
 * @since 0.1.0
 * @category constants
 */
export const REDACTED = "<redacted>"

const MAX_STRING = 1000
const MAX_ITEMS = 100

const SAFE_AUTH_KEYS = new Set(["scheme", "principal", "realm"])
const SAFE_HELLO_KEYS = new Set([
  ...SAFE_AUTH_KEYS,
  "user_agent",
  "patch_bolt",
  "routing",
  "notifications_minimum_severity",
  "notifications_disabled_categories",
  "notifications_disabled_classifications",
  "bolt_agent"
])

const hex2 = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

const formatString = (s: string): string =>
  s.length > MAX_STRING ? `${JSON.stringify(s.slice(0, MAX_STRING))}...(+${s.length - MAX_STRING} chars)` : JSON.stringify(s)

const formatEntries = (
  entries: Iterable<readonly [unknown, unknown]>,
  safe: ReadonlySet<string> | undefined,
  depth: number
): string => {
  const parts: Array<string> = []
  for (const [k, v] of entries) {
    const key = typeof k === "string" ? k : String(k)
    const hidden = key === "credentials" || (safe !== undefined && !safe.has(key))
    parts.push(`${JSON.stringify(key)}: ${hidden ? REDACTED : format(v, depth + 1)}`)
  }
  return `{${parts.join(", ")}}`
}

const formatList = (items: ReadonlyArray<unknown>, depth: number): string => {
  const shown = items.length > MAX_ITEMS ? items.slice(0, MAX_ITEMS) : items
  const body = shown.map((x) => format(x, depth + 1)).join(", ")
  return items.length > MAX_ITEMS ? `[${body}, ...(+${items.length - MAX_ITEMS} items)]` : `[${body}]`
}

const format = (v: unknown, depth: number, safe?: ReadonlySet<string>): string => {
  if (depth > 64) return "..."
  switch (typeof v) {
    case "string":
      return formatString(v)
    case "number":
    case "boolean":
      return String(v)
    case "bigint":
      return v.toString()
    case "undefined":
      return "null"
    case "function":
    case "symbol":
      return `<${typeof v}>`
  }
  if (v === null) return "null"
  if (Redacted.isRedacted(v)) return REDACTED
  if (Array.isArray(v)) return formatList(v, depth)
  if (v instanceof Uint8Array) {
    const shown = Array.from(v.subarray(0, MAX_ITEMS), hex2).join(" ")
    return v.length > MAX_ITEMS ? `bytes[${shown} ...(+${v.length - MAX_ITEMS})]` : `bytes[${shown}]`
  }
  if (v instanceof Structure) return `Structure(0x${hex2(v.signature)}) ${formatList(v.fields, depth)}`
  if (v instanceof Map) return formatEntries(v, safe, depth)
  const o = v as Record<string, unknown>
  const proto = Object.getPrototypeOf(o)
  const entries = Object.entries(o)
  if (proto === Object.prototype || proto === null) return formatEntries(entries, safe, depth)
  const name = (o.constructor as { name?: string } | undefined)?.name ?? "Object"
  return `${name} ${formatEntries(entries, safe, depth)}`
}

/**
 * Formats one value in the spec's textual form (strings quoted, maps as `{"k": v}`), hiding
 * `Redacted` values and `credentials` entries.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatValue = (value: unknown): string => format(value, 0)

/**
 * How requests are traced: `parameters: true` shows the values of RUN's query parameters
 * (hidden by default).
 *
 * @since 0.1.0
 * @category models
 */
export interface FormatOptions {
  readonly parameters?: boolean | undefined
}

const NO_KEYS: ReadonlySet<string> = new Set()

/** Query parameters with their keys and without their values. */
const formatParameterKeys = (v: unknown): string => {
  if (v instanceof Map) return formatEntries(v, NO_KEYS, 0)
  if (typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Structure)) {
    return formatEntries(Object.entries(v), NO_KEYS, 0)
  }
  return REDACTED
}

/**
 * Formats a message given by signature and fields: `NAME field field ...`, with the redaction
 * rules of this module (auth entries of LOGON and HELLO, RUN's parameter values included).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatMessage = (signature: number, fields: ReadonlyArray<unknown>, options?: FormatOptions): string => {
  const name = S.MESSAGE_NAMES[signature] ?? `0x${hex2(signature)}`
  const safe = signature === S.LOGON ? SAFE_AUTH_KEYS : signature === S.HELLO ? SAFE_HELLO_KEYS : undefined
  const hideParameters = signature === S.RUN && options?.parameters !== true
  if (fields.length === 0) return name
  return `${name} ${
    fields
      .map((f, i) =>
        i === 0 && safe !== undefined
          ? format(f, 0, safe)
          : i === 1 && hideParameters
            ? formatParameterKeys(f)
            : format(f, 0)
      )
      .join(" ")
  }`
}

/**
 * Formats one message body (a PackStream structure, without chunk headers). Bytes that do not
 * decode give `<undecodable message: ...>` rather than a throw.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatBody = (body: Uint8Array, options?: FormatOptions): string => {
  try {
    const u = new Unpacker(body)
    const [size, signature] = u.structHeader()
    const fields = new Array<unknown>(size)
    for (let i = 0; i < size; i++) fields[i] = u.unpack()
    const rest = u.remaining()
    return formatMessage(signature, fields, options) + (rest > 0 ? ` <+${rest} trailing bytes>` : "")
  } catch (e) {
    return `<undecodable message of ${body.length} bytes: ${e instanceof PackStreamError ? e.message : String(e)}>`
  }
}

/**
 * Formats chunked bytes as a `Chunker` produces them (one or more whole messages), one string
 * per message. An incomplete tail is reported, not thrown.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatFrames = (framed: Uint8Array, options?: FormatOptions): Array<string> => {
  const out: Array<string> = []
  let parts: Array<Uint8Array> = []
  let i = 0
  while (i + 2 <= framed.length) {
    const size = (framed[i]! << 8) | framed[i + 1]!
    i += 2
    if (size === 0) {
      if (parts.length > 0) {
        const total = parts.reduce((n, p) => n + p.length, 0)
        const body = new Uint8Array(total)
        let off = 0
        for (const p of parts) {
          body.set(p, off)
          off += p.length
        }
        out.push(formatBody(body, options))
        parts = []
      }
      continue
    }
    if (i + size > framed.length) {
      out.push(`<incomplete chunk: ${size} bytes announced, ${framed.length - i} present>`)
      return out
    }
    parts.push(framed.subarray(i, i + size))
    i += size
  }
  if (parts.length > 0 || i < framed.length) out.push("<incomplete message>")
  return out
}

/**
 * Formats a decoded server message: `SUCCESS {...}`, `RECORD [...]`, `IGNORED`, `FAILURE {...}`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatResponse = (response: Response): string => {
  switch (response._tag) {
    case "Success":
      return `SUCCESS ${formatValue(response.metadata)}`
    case "Record":
      return `RECORD ${formatValue(response.fields)}`
    case "Ignored":
      return "IGNORED"
    case "Failure":
      return `FAILURE ${formatValue(response.metadata)}`
  }
}
