/**
 * JSON for the TestKit protocol with exact integers. TestKit (Python) writes integers of any size
 * (CypherInt values reach ±2^63), which `JSON.parse` would round: integer literals beyond 2^53
 * are read as `bigint` here, every other number as a `number`. `stringify` writes a `bigint` as
 * its digits and refuses non-finite numbers (the protocol sends those as strings).
 */

export type Json = null | boolean | number | bigint | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** Parses JSON text, keeping integer literals beyond Number.MAX_SAFE_INTEGER exact as bigints. */
export const parse = (text: string): Json => {
  let i = 0
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid JSON at ${i}: ${what}`)
  }
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      else break
    }
  }
  const value = (): Json => {
    ws()
    const c = text[i]
    switch (c) {
      case "{": {
        i++
        const out: Record<string, Json> = {}
        ws()
        if (text[i] === "}") {
          i++
          return out
        }
        for (;;) {
          ws()
          if (text[i] !== '"') fail("expected a key")
          const key = string()
          ws()
          if (text[i] !== ":") fail("expected ':'")
          i++
          // defineProperty: a "__proto__" key stays an ordinary key
          Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true })
          ws()
          if (text[i] === ",") {
            i++
            continue
          }
          if (text[i] === "}") {
            i++
            return out
          }
          fail("expected ',' or '}'")
        }
      }
      case "[": {
        i++
        const out: Array<Json> = []
        ws()
        if (text[i] === "]") {
          i++
          return out
        }
        for (;;) {
          out.push(value())
          ws()
          if (text[i] === ",") {
            i++
            continue
          }
          if (text[i] === "]") {
            i++
            return out
          }
          fail("expected ',' or ']'")
        }
      }
      case '"':
        return string()
      case "t":
        return literal("true", true)
      case "f":
        return literal("false", false)
      case "n":
        return literal("null", null)
      default:
        return number()
    }
  }
  const literal = <A extends Json>(word: string, v: A): A => {
    if (text.startsWith(word, i)) {
      i += word.length
      return v
    }
    return fail(`unexpected token`)
  }
  const string = (): string => {
    // from the opening quote to the closing one, escapes included; JSON.parse decodes it
    const start = i
    i++
    while (i < text.length) {
      const c = text[i]
      if (c === "\\") i += 2
      else if (c === '"') {
        i++
        return JSON.parse(text.slice(start, i)) as string
      } else i++
    }
    return fail("unterminated string")
  }
  const number = (): number | bigint => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m) return fail("unexpected token")
    i += m[0].length
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0])
      return Number.isSafeInteger(n) ? n : BigInt(m[0])
    }
    return Number(m[0])
  }
  const out = value()
  ws()
  if (i !== text.length) fail("trailing characters")
  return out
}

/** Writes JSON; bigints as digits, `undefined` members left out (as JSON.stringify does). */
export const stringify = (value: unknown): string => {
  const parts: Array<string> = []
  const write = (v: unknown): void => {
    switch (typeof v) {
      case "bigint":
        parts.push(v.toString())
        return
      case "number":
        if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} as JSON`)
        parts.push(JSON.stringify(v))
        return
      case "string":
      case "boolean":
        parts.push(JSON.stringify(v))
        return
      case "object": {
        if (v === null) {
          parts.push("null")
          return
        }
        if (Array.isArray(v)) {
          parts.push("[")
          v.forEach((x, k) => {
            if (k > 0) parts.push(",")
            write(x === undefined ? null : x)
          })
          parts.push("]")
          return
        }
        parts.push("{")
        let first = true
        for (const [k, x] of Object.entries(v)) {
          if (x === undefined) continue
          if (!first) parts.push(",")
          first = false
          parts.push(JSON.stringify(k), ":")
          write(x)
        }
        parts.push("}")
        return
      }
      default:
        parts.push("null")
    }
  }
  write(value)
  return parts.join("")
}
