/**
 * The script tree of the stub server: handshake settings and the steps of a conversation, with
 * their validation and their text form. Pure data, shared by the builder (`StubScript`), the text
 * parser and the conversation engine.
 */
import { MESSAGE_NAMES, SIGNATURES } from "../../internal/bolt/signatures.js"
import { scriptError } from "./errors.js"
import { formatValue, hexBytes } from "./values.js"

/**
 * A version or a range of minor versions of one major version (`5.8-5.0` is major 5, minor 8,
 * range 8: 5.8 down to 5.0).
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionRange {
  readonly major: number
  readonly minor: number
  /** how many minor versions below `minor` are included */
  readonly range: number
}

/**
 * How the stub answers the handshake.
 *
 * - `Plain`: the 4-byte answer, the first client proposal (in the client's order) that holds a
 *   version the stub supports, and the highest such version in it.
 * - `Manifest`: manifest v1 (`00 00 01 FF`, VarInt count, versions/ranges, VarInt capabilities)
 *   when the client offers it; otherwise the plain answer from the same versions, as a real
 *   server does. The client's choice must be one of the offered versions.
 * - `Raw`: these bytes, whatever the client sent (`00 00 00 00` also closes the connection).
 * - `Stall`: never answers.
 *
 * @since 0.1.0
 * @category models
 */
export type Handshake =
  | { readonly _tag: "Plain"; readonly versions: ReadonlyArray<VersionRange> }
  | { readonly _tag: "Manifest"; readonly versions: ReadonlyArray<VersionRange>; readonly capabilities: bigint }
  | { readonly _tag: "Raw"; readonly bytes: Uint8Array }
  | { readonly _tag: "Stall" }

/**
 * A source of records: one constant record (encoded once) or a function of the record index.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordSource = ReadonlyArray<unknown> | ((index: number) => ReadonlyArray<unknown>)

/**
 * What the stub sends: one message, or `count` RECORD messages from a source, indexes
 * `start .. start + count - 1`.
 *
 * @since 0.1.0
 * @category models
 */
export type OutMessage =
  | { readonly _tag: "Message"; readonly signature: number; readonly fields: ReadonlyArray<unknown> }
  | { readonly _tag: "Records"; readonly count: number; readonly start: number; readonly record: RecordSource }

/**
 * One step of a script.
 *
 * - `Expect`: one client message; `fields` undefined matches any fields; `auto` answers it with
 *   the default reply (SUCCESS {}, HELLO's SUCCESS with server and connection_id, nothing for
 *   GOODBYE).
 * - `Send`, `Raw`, `Sleep`, `Exit` (close the connection), `Stall` (never answer again).
 * - `Block`: its steps played between `min` and `max` times (1/1 a group, 0/1 optional,
 *   0/Infinity zero or more, 1/Infinity one or more); the first client message decides.
 * - `Alt`: one of the branches, chosen by the first client message (the first branch that matches).
 * - `Stream`: a result of `total` records answering PULL {n} and DISCARD {n} until exhausted.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | {
    readonly _tag: "Expect"
    readonly signature: number
    readonly fields: ReadonlyArray<unknown> | undefined
    readonly auto: boolean
  }
  | { readonly _tag: "Send"; readonly messages: ReadonlyArray<OutMessage> }
  | { readonly _tag: "Raw"; readonly bytes: Uint8Array }
  | { readonly _tag: "Sleep"; readonly millis: number }
  | { readonly _tag: "Exit" }
  | { readonly _tag: "Stall" }
  | { readonly _tag: "Block"; readonly steps: ReadonlyArray<Step>; readonly min: number; readonly max: number }
  | { readonly _tag: "Alt"; readonly branches: ReadonlyArray<ReadonlyArray<Step>> }
  | {
    readonly _tag: "Stream"
    readonly total: number
    readonly offset: number
    readonly record: RecordSource
    readonly summary: Readonly<Record<string, unknown>>
  }

/** A message name to its signature; throws on an unknown name. */
export const signatureOf = (name: string): number => {
  const sig = SIGNATURES[name]
  if (sig === undefined) {
    return scriptError(`unknown Bolt message ${JSON.stringify(name)} (known: ${Object.keys(SIGNATURES).join(", ")})`)
  }
  return sig
}

/** A signature to its name; unknown ones as `UNKNOWN<0x55>`. */
export const nameOf = (signature: number): string =>
  MESSAGE_NAMES[signature] ?? `UNKNOWN<0x${signature.toString(16).padStart(2, "0").toUpperCase()}>`

// ---------------------------------------------------------------------------------------------
// versions

/** "5.8", "5" (5.0) or "5.8-5.0" (either order) to a range; throws on anything else. */
export const parseVersion = (text: string): VersionRange => {
  const m = /^(\d+)(?:\.(\d+))?(?:-(\d+)(?:\.(\d+))?)?$/.exec(text.trim())
  if (!m) return scriptError(`not a Bolt version or range: ${JSON.stringify(text)} (write 5.8 or 5.8-5.0)`)
  const major = Number(m[1])
  const minor = Number(m[2] ?? 0)
  if (m[3] === undefined) return check({ major, minor, range: 0 })
  const major2 = Number(m[3])
  const minor2 = Number(m[4] ?? 0)
  if (major2 !== major) scriptError(`a version range cannot span major versions: ${text}`)
  return check({ major, minor: Math.max(minor, minor2), range: Math.abs(minor - minor2) })
}

const check = (v: VersionRange): VersionRange => {
  if (v.major > 255 || v.minor > 255 || v.range > v.minor) scriptError(`version out of range: ${formatRange(v)}`)
  return v
}

/** "5.8" or "5.8-5.0". */
export const formatRange = (v: VersionRange): string =>
  v.range === 0 ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}-${v.major}.${v.minor - v.range}`

/** The 4-byte form `00 RR MM MJ`. */
export const encodeRange = (v: VersionRange): Uint8Array => Uint8Array.of(0, v.range, v.minor, v.major)

/** Whether major.minor lies in the range. */
export const inRange = (v: VersionRange, major: number, minor: number): boolean =>
  v.major === major && minor <= v.minor && minor >= v.minor - v.range

// ---------------------------------------------------------------------------------------------
// validation: every choice must be decided by a client message

const isServerStep = (s: Step): boolean =>
  s._tag === "Send" || s._tag === "Raw" || s._tag === "Sleep" || s._tag === "Exit" || s._tag === "Stall"

/** Whether the steps from `i` can be played without any client message. */
export const nullable = (steps: ReadonlyArray<Step>, i = 0): boolean => {
  for (; i < steps.length; i++) {
    const s = steps[i]!
    switch (s._tag) {
      case "Expect":
      case "Stream":
        return false
      case "Exit":
      case "Stall":
        return true
      case "Block":
        if (s.min > 0 && !nullable(s.steps)) return false
        break
      case "Alt":
        if (!s.branches.some((b) => nullable(b))) return false
        break
    }
  }
  return true
}

/** Whether the first thing played from `i` can be a server step (`follow`: what comes after). */
const startsWithServer = (steps: ReadonlyArray<Step>, i: number, follow: boolean): boolean => {
  if (i >= steps.length) return follow
  const s = steps[i]!
  if (isServerStep(s)) return true
  switch (s._tag) {
    case "Expect":
    case "Stream":
      return false
    case "Block": {
      const rest = startsWithServer(steps, i + 1, follow)
      const body = startsWithServer(s.steps, 0, rest)
      return s.min === 0 ? body || rest : body
    }
    case "Alt": {
      const rest = startsWithServer(steps, i + 1, follow)
      return s.branches.some((b) => startsWithServer(b, 0, rest))
    }
  }
  return false
}

/**
 * Checks that every optional, repeated or alternative part starts with a client message, that
 * repeated parts cannot be empty, and that no server step directly follows an optional or
 * repeated part (the stub could not tell when to send it). Throws a `StubScriptError` saying which.
 */
export const validate = (steps: ReadonlyArray<Step>, follow = false): void => {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!
    const next = startsWithServer(steps, i + 1, follow)
    if (s._tag === "Block") {
      if (s.min === 0 || s.max > 1) {
        const what = describeBlock(s)
        if (s.steps.length === 0 || nullable(s.steps)) scriptError(`${what} must contain a client message`)
        if (startsWithServer(s.steps, 0, false)) scriptError(`${what} must start with a client message`)
        if (next) {
          scriptError(`a server step cannot directly follow ${what}: the stub could not tell when to send it`)
        }
        validate(s.steps, false)
      } else validate(s.steps, next)
    } else if (s._tag === "Alt") {
      if (s.branches.length === 0) scriptError("alternatives need at least one branch")
      for (const b of s.branches) {
        if (b.length === 0 || nullable(b)) scriptError("each alternative must contain a client message")
        if (startsWithServer(b, 0, false)) scriptError("each alternative must start with a client message")
        validate(b, next)
      }
    } else if (s._tag === "Stream") {
      if (!Number.isSafeInteger(s.total) || s.total < 0) scriptError(`stream record count ${s.total} is invalid`)
    }
  }
}

const describeBlock = (b: { readonly min: number; readonly max: number }): string =>
  b.max === 1 ? "an optional block" : b.min === 0 ? "a zero-or-more block" : "a one-or-more block"

// ---------------------------------------------------------------------------------------------
// text form

/** `C: RUN "RETURN 1" {} {}` for an expected message. */
export const formatExpect = (s: Extract<Step, { _tag: "Expect" }>, prefix = "C:"): string =>
  s.fields === undefined
    ? `${prefix} ${nameOf(s.signature)}${prefix === "C:" ? " <any fields>" : ""}`
    : formatMessage(prefix, s.signature, s.fields)

/** `S: SUCCESS {}`, or any prefix. */
export const formatMessage = (prefix: string, signature: number, fields: ReadonlyArray<unknown>): string => {
  let out = `${prefix} ${nameOf(signature)}`
  for (const f of fields) out += ` ${formatValue(f)}`
  return out
}

const formatOut = (m: OutMessage): string => {
  if (m._tag === "Message") return formatMessage("S:", m.signature, m.fields)
  const rec = typeof m.record === "function" ? "<generated>" : formatValue(m.record)
  return `S: <RECORDS ${m.count} ${rec}>`
}

const formatHandshake = (h: Handshake): Array<string> => {
  switch (h._tag) {
    case "Plain":
      return [`!: BOLT ${h.versions.map(formatRange).join(" ")}`]
    case "Manifest":
      return [
        `!: MANIFEST ${h.versions.map(formatRange).join(" ")}`,
        ...(h.capabilities !== 0n ? [`!: CAPABILITIES ${h.capabilities}`] : [])
      ]
    case "Raw":
      return [`!: HANDSHAKE ${hexBytes(h.bytes)}`]
    case "Stall":
      return ["!: HANDSHAKE STALL"]
  }
}

/** The text form of a whole script (head and steps). */
export const formatScript = (
  handshake: Handshake,
  handshakeDelay: number,
  auto: ReadonlyArray<number>,
  steps: ReadonlyArray<Step>
): string => {
  const lines = formatHandshake(handshake)
  if (handshakeDelay > 0) lines.push(`!: HANDSHAKE_DELAY ${handshakeDelay}`)
  for (const a of auto) lines.push(`!: AUTO ${nameOf(a)}`)
  lines.push("")
  formatSteps(steps, "", lines)
  return lines.join("\n") + "\n"
}

const formatSteps = (steps: ReadonlyArray<Step>, indent: string, out: Array<string>): void => {
  for (const s of steps) {
    switch (s._tag) {
      case "Expect":
        out.push(indent + (s.auto ? formatExpect(s, "A:") : formatExpect(s)))
        break
      case "Send":
        for (const m of s.messages) out.push(indent + formatOut(m))
        break
      case "Raw":
        out.push(s.bytes.length === 2 && s.bytes[0] === 0 && s.bytes[1] === 0 ? `${indent}S: <NOOP>` : `${indent}S: <RAW> ${hexBytes(s.bytes)}`)
        break
      case "Sleep":
        out.push(`${indent}S: <SLEEP ${s.millis}>`)
        break
      case "Exit":
        out.push(`${indent}S: <EXIT>`)
        break
      case "Stall":
        out.push(`${indent}S: <STALL>`)
        break
      case "Stream": {
        const rec = typeof s.record === "function" ? "<generated>" : formatValue(s.record)
        const summary = Object.keys(s.summary).length > 0 ? ` summary=${formatValue(s.summary)}` : ""
        out.push(`${indent}S: <STREAM records=${s.total - s.offset} record=${rec}${summary}>`)
        break
      }
      case "Block": {
        const single = s.steps.length === 1 && s.steps[0]!._tag === "Expect" && s.steps[0]!.auto
        const open = s.max === 1 && s.min === 1 ? "{{" : s.max === 1 ? "{?" : s.min === 0 ? "{*" : "{+"
        if (single && open !== "{{") {
          out.push(indent + formatExpect(s.steps[0] as Extract<Step, { _tag: "Expect" }>, `${open[1]}:`))
          break
        }
        const close = open === "{{" ? "}}" : `${open[1]}}`
        out.push(indent + open)
        formatSteps(s.steps, indent + "    ", out)
        out.push(indent + close)
        break
      }
      case "Alt":
        out.push(indent + "{{")
        s.branches.forEach((b, i) => {
          if (i > 0) out.push(indent + "----")
          formatSteps(b, indent + "    ", out)
        })
        out.push(indent + "}}")
        break
    }
  }
}
