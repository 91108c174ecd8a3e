/**
 * The parser of the stub server's text scripts (grammar in `StubScript`'s module comment).
 * Produces the same step tree as the builder; errors carry the line number.
 */
import { Float, INT64_MAX, INT64_MIN } from "../../internal/packstream/numbers.js"
import { Structure } from "../../internal/packstream/structure.js"
import { scriptError } from "./errors.js"
import type { Handshake, OutMessage, Step, VersionRange } from "./steps.js"
import { parseVersion, signatureOf, validate } from "./steps.js"
import { hasIndex, instantiate, INDEX, MATCHERS, OptionalEntry } from "./values.js"

/** A parsed text script. */
export interface ParsedScript {
  readonly handshake: Handshake
  readonly handshakeDelay: number
  readonly auto: ReadonlyArray<number>
  readonly steps: ReadonlyArray<Step>
}

interface Mode {
  /** client lines: matchers and optional keys */
  readonly patterns: boolean
  /** record templates: `$i` */
  readonly template: boolean
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const WORD = /[A-Za-z_$*][A-Za-z0-9_]*/y

/** A cursor over one logical line. */
class Cursor {
  pos = 0
  constructor(
    readonly src: string,
    readonly line: number
  ) {}

  fail(message: string): never {
    return scriptError(`${message} (column ${this.pos + 1} of: ${this.src.trim()})`, this.line)
  }

  ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++
  }

  atEnd(): boolean {
    this.ws()
    return this.pos >= this.src.length
  }

  peek(): string {
    return this.src[this.pos] ?? ""
  }

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos)
  }

  expect(s: string): void {
    this.ws()
    if (!this.startsWith(s)) this.fail(`expected ${JSON.stringify(s)}`)
    this.pos += s.length
  }

  sticky(re: RegExp): string | undefined {
    re.lastIndex = this.pos
    const m = re.exec(this.src)
    if (!m) return undefined
    this.pos += m[0].length
    return m[0]
  }

  string(): string {
    const start = this.pos
    this.pos++ // opening quote
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!
      if (c === "\\") this.pos += 2
      else if (c === '"') {
        this.pos++
        try {
          return JSON.parse(this.src.slice(start, this.pos)) as string
        } catch {
          return this.fail("bad string escape")
        }
      } else this.pos++
    }
    return this.fail("unterminated string")
  }

  hex(until: string): Uint8Array {
    const end = this.src.indexOf(until, this.pos)
    if (end < 0) return this.fail(`expected ${JSON.stringify(until)}`)
    const text = this.src.slice(this.pos, end)
    this.pos = end + until.length
    return parseHex(text, (m) => this.fail(m))
  }

  value(mode: Mode): unknown {
    this.ws()
    const c = this.peek()
    if (c === "") return this.fail("expected a value")
    if (c === '"') return this.string()
    if (c === "[") {
      this.pos++
      return this.list("]", mode)
    }
    if (c === "{") {
      this.pos++
      const out: Record<string, unknown> = {}
      this.ws()
      if (this.peek() === "}") {
        this.pos++
        return out
      }
      for (;;) {
        this.ws()
        if (this.peek() !== '"') this.fail("expected a string map key")
        let key = this.string()
        this.expect(":")
        let value = this.value(mode)
        if (mode.patterns && key.length >= 2 && key.startsWith("[") && key.endsWith("]")) {
          key = key.slice(1, -1)
          value = new OptionalEntry(value)
        }
        if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate map key ${JSON.stringify(key)}`)
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
        this.ws()
        if (this.peek() === ",") {
          this.pos++
          continue
        }
        if (this.peek() === "}") {
          this.pos++
          return out
        }
        this.fail("expected , or } in a map")
      }
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      if (this.startsWith("-Infinity")) {
        this.pos += 9
        return new Float(-Infinity)
      }
      const text = this.sticky(NUMBER)
      if (text === undefined) return this.fail("bad number")
      if (/[.eE]/.test(text)) return new Float(Number(text))
      const n = BigInt(text)
      if (n < INT64_MIN || n > INT64_MAX) this.fail(`integer ${text} is outside the int64 range`)
      return n
    }
    if (this.startsWith("Structure<")) {
      this.pos += "Structure<".length
      const sig = this.sticky(/0[xX][0-9A-Fa-f]{1,2}|[0-9]{1,3}/y)
      if (sig === undefined || Number(sig) > 255) this.fail("expected a structure signature such as 0x44")
      this.expect(">")
      this.expect("[")
      return new Structure(Number(sig), this.list("]", mode))
    }
    if (this.startsWith("Bytes<")) {
      this.pos += "Bytes<".length
      return this.hex(">")
    }
    const word = this.sticky(WORD)
    if (word === undefined) return this.fail(`unexpected ${JSON.stringify(c)}`)
    switch (word) {
      case "null":
        return null
      case "true":
        return true
      case "false":
        return false
      case "NaN":
        return new Float(NaN)
      case "Infinity":
        return new Float(Infinity)
      case "$i":
        if (!mode.template) this.fail("$i (the record index) is only allowed in <RECORDS> and <STREAM> records")
        return INDEX
    }
    if (word.startsWith("*")) {
      const m = MATCHERS[word]
      if (m === undefined) this.fail(`unknown matcher ${word} (known: ${Object.keys(MATCHERS).join(" ")})`)
      if (!mode.patterns) this.fail(`matchers such as ${word} are only allowed in client lines`)
      return m
    }
    return this.fail(`unexpected ${JSON.stringify(word)} (strings need double quotes)`)
  }

  list(close: string, mode: Mode): Array<unknown> {
    const out: Array<unknown> = []
    this.ws()
    if (this.peek() === close) {
      this.pos++
      return out
    }
    for (;;) {
      out.push(this.value(mode))
      this.ws()
      if (this.peek() === ",") {
        this.pos++
        continue
      }
      if (this.peek() === close) {
        this.pos++
        return out
      }
      this.fail(`expected , or ${close} in a list`)
    }
  }

  /** Values separated by whitespace up to the end of the line. */
  values(mode: Mode): Array<unknown> {
    const out: Array<unknown> = []
    while (!this.atEnd()) out.push(this.value(mode))
    return out
  }
}

/** "48 54 54 50" or "48545450" to bytes. */
export const parseHex = (text: string, fail: (message: string) => never = (m) => scriptError(m)): Uint8Array => {
  const digits = text.replace(/\s+/g, "")
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(digits)) return fail(`not hex bytes: ${JSON.stringify(text.trim())}`)
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** A record template: constant when it has no `$i`, else a function of the index. */
export const recordSource = (template: ReadonlyArray<unknown>): ReadonlyArray<unknown> | ((i: number) => ReadonlyArray<unknown>) =>
  hasIndex(template) ? (i: number) => instantiate(template, i) as ReadonlyArray<unknown> : template

/** The sum of `[`/`{` minus `]`/`}` outside strings: a positive depth continues on the next line. */
const depth = (line: string): number => {
  let d = 0
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === "[" || c === "{") d++
    else if (c === "]" || c === "}") d--
  }
  return d
}

const BLOCK_OPEN = new Set(["{{", "{?", "{*", "{+"])
const BLOCK_CLOSE: Record<string, string> = { "}}": "{{", "?}": "{?", "*}": "{*", "+}": "{+" }
const PREFIXES = new Set(["C:", "S:", "A:", "?:", "*:", "+:"])

interface Frame {
  readonly open: string
  readonly line: number
  readonly branches: Array<Array<Step>>
}

const client = (c: Cursor, auto: boolean): Step => {
  c.ws()
  const name = c.sticky(/[A-Z_]+/y)
  if (name === undefined) return c.fail("expected a message name such as RUN")
  const signature = sig(c, name)
  const fields = c.values({ patterns: true, template: false })
  // a bare auto line (`A: HELLO`) matches the message with any fields
  return { _tag: "Expect", signature, fields: auto && fields.length === 0 ? undefined : fields, auto }
}

const sig = (c: Cursor, name: string): number => {
  try {
    return signatureOf(name)
  } catch (e) {
    return c.fail((e as Error).message)
  }
}

const count = (c: Cursor, v: unknown, what: string): number => {
  if (typeof v !== "bigint" || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return c.fail(`${what} must be a non-negative Integer`)
  return Number(v)
}

const server = (c: Cursor): Array<Step> => {
  c.ws()
  if (c.peek() !== "<") {
    const name = c.sticky(/[A-Z_]+/y)
    if (name === undefined) return c.fail("expected a message name such as SUCCESS, or an action such as <EXIT>")
    const signature = sig(c, name)
    const fields = c.values({ patterns: false, template: false })
    return [{ _tag: "Send", messages: [{ _tag: "Message", signature, fields }] }]
  }
  const action = c.sticky(/<[A-Z]+/y)
  switch (action) {
    case "<EXIT":
      c.expect(">")
      return end(c, [{ _tag: "Exit" }])
    case "<NOOP":
      c.expect(">")
      return end(c, [{ _tag: "Raw", bytes: new Uint8Array(2) }])
    case "<STALL":
      c.expect(">")
      return end(c, [{ _tag: "Stall" }])
    case "<RAW":
      c.expect(">")
      return [{ _tag: "Raw", bytes: parseHex(c.src.slice(c.pos), (m) => c.fail(m)) }]
    case "<SLEEP": {
      c.ws()
      if (c.peek() === ">") c.fail("write the delay inside the brackets: <SLEEP 100> (milliseconds), <SLEEP 1.5s>")
      const n = c.sticky(/[0-9]+(?:\.[0-9]+)?/y)
      if (n === undefined) return c.fail("expected a delay such as <SLEEP 100>")
      const unit = c.sticky(/ms|s/y) ?? "ms"
      c.expect(">")
      return end(c, [{ _tag: "Sleep", millis: Number(n) * (unit === "s" ? 1000 : 1) }])
    }
    case "<RECORDS": {
      const n = count(c, c.value({ patterns: false, template: false }), "<RECORDS n>")
      c.ws()
      let template: unknown = [INDEX]
      if (c.peek() !== ">") template = c.value({ patterns: false, template: true })
      if (!Array.isArray(template)) c.fail("a record is a list of values")
      c.expect(">")
      const out: OutMessage = { _tag: "Records", count: n, start: 0, record: recordSource(template as Array<unknown>) }
      return end(c, [{ _tag: "Send", messages: [out] }])
    }
    case "<STREAM": {
      let total: number | undefined
      let fields: Array<unknown> | undefined
      let template: Array<unknown> = [INDEX]
      let summary: Record<string, unknown> = {}
      for (;;) {
        c.ws()
        if (c.peek() === ">") {
          c.pos++
          break
        }
        const key = c.sticky(/[a-z_]+/y)
        if (key === undefined) c.fail("expected key=value in <STREAM ...>")
        c.expect("=")
        const value = c.value({ patterns: false, template: key === "record" })
        switch (key) {
          case "n":
          case "records":
            total = count(c, value, "records")
            break
          case "fields":
            if (!Array.isArray(value) || !value.every((f) => typeof f === "string")) c.fail("fields must be a list of strings")
            fields = value as Array<unknown>
            break
          case "record":
            if (!Array.isArray(value)) c.fail("record must be a list of values")
            template = value as Array<unknown>
            break
          case "summary":
            if (typeof value !== "object" || value === null || Array.isArray(value)) c.fail("summary must be a map")
            summary = value as Record<string, unknown>
            break
          default:
            c.fail(`unknown <STREAM> option ${key} (records, fields, record, summary)`)
        }
      }
      if (total === undefined) return c.fail("<STREAM> needs records=N")
      const steps: Array<Step> = []
      if (fields !== undefined) {
        steps.push({ _tag: "Send", messages: [{ _tag: "Message", signature: 0x70, fields: [{ fields }] }] })
      }
      steps.push({ _tag: "Stream", total, offset: 0, record: recordSource(template), summary })
      return end(c, steps)
    }
    default:
      return c.fail("unknown action (known: <EXIT> <NOOP> <STALL> <RAW> <SLEEP n> <RECORDS n> <STREAM ...>)")
  }
}

const end = (c: Cursor, steps: Array<Step>): Array<Step> => {
  if (!c.atEnd()) c.fail("unexpected text after the action")
  return steps
}

/**
 * Parses a text script. Throws a `StubScriptError` with the line number on any error.
 */
export const parseScript = (text: string): ParsedScript => {
  const raw = text.split(/\r?\n/)
  let handshake: { kind: "BOLT" | "MANIFEST"; versions: Array<VersionRange> } | Handshake | undefined
  let capabilities: bigint | undefined
  let handshakeDelay = 0
  const auto: Array<number> = []
  const root: Frame = { open: "", line: 0, branches: [[]] }
  const frames: Array<Frame> = [root]
  let lastPrefix: "C:" | "S:" | undefined
  let bodyStarted = false

  const current = (): Array<Step> => {
    const f = frames[frames.length - 1]!
    return f.branches[f.branches.length - 1]!
  }

  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1
    let line = raw[i]!.trim()
    if (line === "" || line.startsWith("#")) continue
    // values spanning lines: join while brackets are open
    if (!BLOCK_OPEN.has(line) && BLOCK_CLOSE[line] === undefined) {
      let d = depth(line)
      while (d > 0 && i + 1 < raw.length) {
        const more = raw[++i]!.trim()
        line += " " + more
        d += depth(more)
      }
    }
    const c = new Cursor(line, lineNo)

    if (line.startsWith("!:")) {
      if (bodyStarted) c.fail("header lines (!:) must come before the script body")
      const words = line.slice(2).trim().split(/\s+/)
      const [kw, ...args] = words
      const setHandshake = (h: typeof handshake) => {
        if (handshake !== undefined) c.fail("only one of !: BOLT, !: MANIFEST and !: HANDSHAKE")
        handshake = h
      }
      const versions = () => {
        if (args.length === 0) c.fail(`${kw} needs at least one version`)
        try {
          return args.map(parseVersion)
        } catch (e) {
          return c.fail((e as Error).message)
        }
      }
      switch (kw) {
        case "BOLT":
          setHandshake({ kind: "BOLT", versions: versions() })
          break
        case "MANIFEST":
          setHandshake({ kind: "MANIFEST", versions: versions() })
          break
        case "CAPABILITIES":
          try {
            capabilities = BigInt(args[0] ?? "")
          } catch {
            c.fail("CAPABILITIES needs an integer, for example 9 or 0x9")
          }
          if (capabilities! < 0n || capabilities! > 0xffffffffffffffffn) c.fail("CAPABILITIES out of range")
          break
        case "HANDSHAKE":
          if (args.length === 1 && args[0] === "STALL") setHandshake({ _tag: "Stall" })
          else setHandshake({ _tag: "Raw", bytes: parseHex(args.join(" "), (m) => c.fail(m)) })
          break
        case "HANDSHAKE_DELAY": {
          const ms = Number(args[0])
          if (!Number.isFinite(ms) || ms < 0) c.fail("HANDSHAKE_DELAY needs milliseconds")
          handshakeDelay = ms
          break
        }
        case "AUTO":
          auto.push(sig(c, args[0] ?? ""))
          break
        case "ALLOW":
          // boltstub's ALLOW RESTART / ALLOW CONCURRENT: the server's options decide this here
          break
        default:
          c.fail(`unknown header ${kw} (BOLT, MANIFEST, CAPABILITIES, HANDSHAKE, HANDSHAKE_DELAY, AUTO)`)
      }
      continue
    }
    bodyStarted = true

    if (BLOCK_OPEN.has(line)) {
      frames.push({ open: line, line: lineNo, branches: [[]] })
      lastPrefix = undefined
      continue
    }
    if (line === "----") {
      const f = frames[frames.length - 1]!
      if (f.open !== "{{") c.fail("---- separates alternatives inside {{ ... }}")
      f.branches.push([])
      lastPrefix = undefined
      continue
    }
    const closes = BLOCK_CLOSE[line]
    if (closes !== undefined) {
      const f = frames.pop()!
      if (f === root || f.open !== closes) c.fail(`${line} does not close ${f === root ? "any block" : `${f.open} of line ${f.line}`}`)
      let step: Step
      if (f.open === "{{") {
        step = f.branches.length > 1 ? { _tag: "Alt", branches: f.branches } : { _tag: "Block", steps: f.branches[0]!, min: 1, max: 1 }
      } else {
        const [min, max] = f.open === "{?" ? [0, 1] : f.open === "{*" ? [0, Infinity] : [1, Infinity]
        step = { _tag: "Block", steps: f.branches[0]!, min, max }
      }
      current().push(step)
      lastPrefix = undefined
      continue
    }

    let prefix = line.slice(0, 2)
    if (PREFIXES.has(prefix)) c.pos = 2
    else if (lastPrefix !== undefined && /^[A-Z<]/.test(line)) prefix = lastPrefix // boltstub's continuation lines
    else c.fail("expected C:, S:, A:, ?:, *:, +:, !:, a block marker or a comment (#)")

    try {
      switch (prefix) {
        case "C:":
          current().push(client(c, false))
          lastPrefix = "C:"
          break
        case "S:":
          current().push(...server(c))
          lastPrefix = "S:"
          break
        case "A:":
          current().push(client(c, true))
          lastPrefix = undefined
          break
        default: {
          const [min, max] = prefix === "?:" ? [0, 1] : prefix === "*:" ? [0, Infinity] : [1, Infinity]
          current().push({ _tag: "Block", steps: [client(c, true)], min, max })
          lastPrefix = undefined
        }
      }
    } catch (e) {
      if ((e as { _tag?: string })._tag === "StubScriptError") throw e
      c.fail((e as Error).message)
    }
  }
  if (frames.length > 1) {
    const f = frames[frames.length - 1]!
    scriptError(`block ${f.open} of line ${f.line} is never closed`)
  }
  if (handshake === undefined) scriptError("a script needs a header: !: BOLT 5.8, !: MANIFEST 6.0 5.8-5.0 4.4 or !: HANDSHAKE 00 00 00 00")
  const h = handshake as NonNullable<typeof handshake>
  let final: Handshake
  if ("kind" in h) {
    final = h.kind === "BOLT"
      ? { _tag: "Plain", versions: h.versions }
      : { _tag: "Manifest", versions: h.versions, capabilities: capabilities ?? 0n }
  } else final = h
  if (capabilities !== undefined && final._tag !== "Manifest") scriptError("!: CAPABILITIES goes with !: MANIFEST")
  const steps = root.branches[0]!
  validate(steps)
  return { handshake: final, handshakeDelay, auto, steps }
}
