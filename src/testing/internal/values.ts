/**
 * Values of the stub server's scripts: normalisation of expected values (so that an Integer and a
 * Float never compare equal), matchers, the readable text form used by diffs and by the script
 * text format, and the structural comparison that explains where two values differ.
 *
 * Representation after `normalize`: Integer = `bigint`, Float = `Float`, and the rest as the
 * PackStream unpacker produces them (string, boolean, null, Uint8Array, Array, plain object,
 * Structure). Values the stub receives are decoded with `useBigInt`, so there an Integer is a
 * `bigint` and a Float a plain `number`.
 */
import { Float, Int, INT64_MAX, INT64_MIN } from "../../internal/packstream/numbers.js"
import { isPlainObject } from "../../internal/packstream/plain.js"
import { Structure } from "../../internal/packstream/structure.js"
import { scriptError } from "./errors.js"

/**
 * A value pattern: matches any value that passes `test`; prints as `text`.
 *
 * @since 0.1.0
 * @category matchers
 */
export class Matcher {
  readonly _tag = "Matcher"
  constructor(
    readonly text: string,
    readonly test: (value: unknown) => boolean
  ) {}
  toString(): string {
    return this.text
  }
}

/**
 * A map entry that may be absent (`"[key]": value` in the text format).
 *
 * @since 0.1.0
 * @category matchers
 */
export class OptionalEntry {
  readonly _tag = "OptionalEntry"
  constructor(readonly value: unknown) {}
}

/** Placeholder for the record index in record templates (`$i`). */
export const INDEX: unique symbol = Symbol.for("effect-neo4j/testing/RecordIndex")


const isInt = (v: unknown): v is bigint => typeof v === "bigint"

/** A structure's hydrated or plain field list. */
const describeType = (v: unknown): string => {
  if (v === null || v === undefined) return "null"
  switch (typeof v) {
    case "bigint":
      return "Integer"
    case "number":
      return "Float"
    case "string":
      return "String"
    case "boolean":
      return "Boolean"
  }
  if (v instanceof Float) return "Float"
  if (v instanceof Uint8Array) return "Bytes"
  if (Array.isArray(v)) return "List"
  if (v instanceof Structure) return "Structure"
  return "Map"
}

/** Built-in matchers by their text name (`*`, `*int`, ...). */
export const MATCHERS: Readonly<Record<string, Matcher>> = {
  "*": new Matcher("*", () => true),
  "*int": new Matcher("*int", (v) => typeof v === "bigint"),
  "*float": new Matcher("*float", (v) => typeof v === "number"),
  "*string": new Matcher("*string", (v) => typeof v === "string"),
  "*bool": new Matcher("*bool", (v) => typeof v === "boolean"),
  "*bytes": new Matcher("*bytes", (v) => v instanceof Uint8Array),
  "*list": new Matcher("*list", (v) => Array.isArray(v)),
  "*map": new Matcher("*map", (v) => describeType(v) === "Map"),
  "*struct": new Matcher("*struct", (v) => v instanceof Structure)
}

const fail = (message: string): never => scriptError(message)

/**
 * Expected values as the scripts keep them: an integral `number` within int64 becomes an Integer
 * (`bigint`), any other `number` (and `-0`) a Float (`Float`), as the packer decides for parameters; `Int`
 * and `Float` wrappers say it explicitly. Map entries whose value is `undefined` are dropped.
 */
export const normalize = (v: unknown, allowPatterns: boolean): unknown => {
  switch (typeof v) {
    case "undefined":
      return null
    case "number":
      // -0 is a Float, as the packer sends it
      return Number.isInteger(v) && !Object.is(v, -0) && v >= -(2 ** 63) && v < 2 ** 63 ? BigInt(v) : new Float(v)
    case "bigint":
      if (v < INT64_MIN || v > INT64_MAX) fail(`integer ${v} is outside the int64 range`)
      return v
    case "string":
    case "boolean":
      return v
    case "symbol":
      if (v === INDEX) return v
      return fail("a symbol is not a PackStream value")
    case "function":
      return fail("a function is not a PackStream value")
  }
  if (v === null) return null
  const o = v as object
  if (o instanceof Matcher || o instanceof OptionalEntry) {
    if (!allowPatterns) fail(`a matcher (${formatValue(o)}) can only be used in client messages`)
    return o instanceof OptionalEntry ? new OptionalEntry(normalize(o.value, true)) : o
  }
  if (o instanceof Int) return o.value
  if (o instanceof Float) return o
  if (o instanceof Uint8Array) return o
  if (Array.isArray(o)) return o.map((x) => normalize(x, allowPatterns))
  if (o instanceof Structure) return new Structure(o.signature, o.fields.map((x) => normalize(x, allowPatterns)))
  if (o instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of o) {
      if (typeof k !== "string") fail("map keys must be strings")
      if (x !== undefined) out[k as string] = normalize(x, allowPatterns)
    }
    return out
  }
  if (isPlainObject(o)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(o)) {
      const x = o[k]
      if (x !== undefined) out[k] = normalize(x, allowPatterns)
    }
    return out
  }
  const name = (o as { constructor?: { name?: string } }).constructor?.name ?? "object"
  return fail(`an instance of ${name} is not a PackStream value`)
}

/** Whether a (normalised) value contains the `$i` placeholder. */
export const hasIndex = (v: unknown): boolean => {
  if (v === INDEX) return true
  if (Array.isArray(v)) return v.some(hasIndex)
  if (v instanceof Structure) return v.fields.some(hasIndex)
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !(v instanceof Float)) {
    return Object.values(v).some(hasIndex)
  }
  return false
}

/** Replaces `$i` by the Integer `i`. */
export const instantiate = (v: unknown, i: number): unknown => {
  if (v === INDEX) return i
  if (Array.isArray(v)) return v.map((x) => instantiate(x, i))
  if (v instanceof Structure) return new Structure(v.signature, v.fields.map((x) => instantiate(x, i)))
  if (typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !(v instanceof Float)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = instantiate(x, i)
    return out
  }
  return v
}

// ---------------------------------------------------------------------------------------------
// text form

/** A Float as text: always with a decimal point or an exponent, so it never reads as an Integer. */
export const formatFloat = (n: number): string => {
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "Infinity"
  if (n === -Infinity) return "-Infinity"
  if (Object.is(n, -0)) return "-0.0"
  const s = String(n)
  return /[.eE]/.test(s) ? s : `${s}.0`
}

const hex2 = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

/** Bytes as `0A 0B`. */
export const hexBytes = (bytes: Uint8Array, max = Infinity): string => {
  const n = Math.min(bytes.length, max)
  const parts: Array<string> = []
  for (let i = 0; i < n; i++) parts.push(hex2(bytes[i]!))
  return parts.join(" ") + (bytes.length > n ? ` ... (${bytes.length} bytes)` : "")
}

const MAX_STRING = 2000
const MAX_ITEMS = 200

const formatString = (s: string): string =>
  s.length > MAX_STRING ? `${JSON.stringify(s.slice(0, MAX_STRING))}...(${s.length} chars)` : JSON.stringify(s)

/**
 * A value in the script text syntax: JSON plus `1` (Integer) vs `1.0` (Float),
 * `Structure<0x44>[19000]`, `Bytes<0A 0B>`, matchers (`*`, `*int`, ...) and `$i`.
 */
export const formatValue = (v: unknown): string => {
  switch (typeof v) {
    case "undefined":
      return "null"
    case "bigint":
      return String(v)
    case "number":
      return formatFloat(v)
    case "string":
      return formatString(v)
    case "boolean":
      return String(v)
    case "symbol":
      return v === INDEX ? "$i" : String(v)
    case "function":
      return "<function>"
  }
  if (v === null) return "null"
  const o = v as object
  if (o instanceof Float) return formatFloat(o.value)
  if (o instanceof Int) return String(o.value)
  if (o instanceof Matcher) return o.text
  if (o instanceof OptionalEntry) return formatValue(o.value)
  if (o instanceof Uint8Array) return `Bytes<${hexBytes(o, 64)}>`
  if (Array.isArray(o)) return formatList(o)
  if (o instanceof Structure) return `Structure<0x${hex2(o.signature)}>${formatList(o.fields)}`
  const entries: Array<[string, unknown]> = o instanceof Map ? [...o.entries()] : Object.entries(o)
  const shown = entries.slice(0, MAX_ITEMS).map(([k, x]) => {
    const key = x instanceof OptionalEntry ? `[${k}]` : k
    return `${JSON.stringify(key)}: ${formatValue(x)}`
  })
  if (entries.length > MAX_ITEMS) shown.push(`...(${entries.length} entries)`)
  return `{${shown.join(", ")}}`
}

const formatList = (list: ReadonlyArray<unknown>): string => {
  const shown = list.slice(0, MAX_ITEMS).map(formatValue)
  if (list.length > MAX_ITEMS) shown.push(`...(${list.length} items)`)
  return `[${shown.join(", ")}]`
}

// ---------------------------------------------------------------------------------------------
// comparison

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const show = (path: string, expected: unknown, actual: unknown): string =>
  `${path}: expected ${formatValue(expected)}, received ${formatValue(actual)}`

/**
 * Compares a received value with an expected (normalised) one. Returns `undefined` when they
 * match, or one line saying where they first differ.
 */
export const mismatch = (expected: unknown, actual: unknown, path: string): string | undefined => {
  if (expected instanceof Matcher) return expected.test(actual) ? undefined : show(path, expected, actual)
  if (expected instanceof OptionalEntry) return mismatch(expected.value, actual, path)
  if (isInt(expected)) return typeof actual === "bigint" && actual === expected ? undefined : show(path, expected, actual)
  if (expected instanceof Float) {
    return typeof actual === "number" && Object.is(actual, expected.value) ? undefined : show(path, expected, actual)
  }
  if (expected === null || typeof expected !== "object") {
    return expected === actual ? undefined : show(path, expected, actual)
  }
  if (expected instanceof Uint8Array) {
    return actual instanceof Uint8Array && bytesEqual(expected, actual) ? undefined : show(path, expected, actual)
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return show(path, expected, actual)
    if (actual.length !== expected.length) {
      return `${path}: expected a list of ${expected.length}, received a list of ${actual.length}: ${formatValue(actual)}`
    }
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(expected[i], actual[i], `${path}[${i}]`)
      if (m !== undefined) return m
    }
    return undefined
  }
  if (expected instanceof Structure) {
    if (!(actual instanceof Structure)) return show(path, expected, actual)
    if (actual.signature !== expected.signature || actual.fields.length !== expected.fields.length) {
      return show(path, expected, actual)
    }
    for (let i = 0; i < expected.fields.length; i++) {
      const m = mismatch(expected.fields[i], actual.fields[i], `${path}.fields[${i}]`)
      if (m !== undefined) return m
    }
    return undefined
  }
  // a map
  if (describeType(actual) !== "Map") return show(path, expected, actual)
  const e = expected as Record<string, unknown>
  const a = actual as Record<string, unknown>
  for (const k of Object.keys(e)) {
    const x = e[k]
    const sub = `${path}.${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}`
    if (!Object.prototype.hasOwnProperty.call(a, k)) {
      if (x instanceof OptionalEntry) continue
      return `${sub}: missing (expected ${formatValue(x)})`
    }
    const m = mismatch(x, a[k], sub)
    if (m !== undefined) return m
  }
  for (const k of Object.keys(a)) {
    if (!Object.prototype.hasOwnProperty.call(e, k)) return `${path}: unexpected key ${JSON.stringify(k)} (${formatValue(a[k])})`
  }
  return undefined
}
