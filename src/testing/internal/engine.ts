/**
 * The conversation engine of the stub server: plays one script against the messages of one
 * client. Pure and synchronous: the server feeds it decoded messages and performs the outputs it
 * returns (writes, sleeps, close, stall).
 *
 * The position in the script is an immutable stack of steps, so trying a branch costs nothing
 * and a failed try leaves no trace. Choices (optional, repeated, alternative parts) are decided
 * by the next client message alone: the first option whose first client message matches wins,
 * repetition is greedy, and there is no backtracking past that message (as Neo4j's boltstub).
 */
import { DISCARD, GOODBYE, HELLO, PULL, SUCCESS } from "../../internal/bolt/signatures.js"
import type { OutMessage, Step } from "./steps.js"
import { formatExpect, nameOf, nullable } from "./steps.js"
import { formatValue, MATCHERS, Matcher, mismatch, OptionalEntry } from "./values.js"

/**
 * What the server must do, in order.
 */
export type Output =
  | { readonly _tag: "Send"; readonly messages: Array<OutMessage> }
  | { readonly _tag: "Raw"; readonly bytes: Uint8Array }
  | { readonly _tag: "Sleep"; readonly millis: number }
  | { readonly _tag: "Exit" }
  | { readonly _tag: "Stall" }

/**
 * A message the stub received, decoded (Integers as `bigint`, Floats as `number`, structures as
 * `Structure`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceivedMessage {
  readonly signature: number
  /** `RUN`, `PULL`, ... (`UNKNOWN<0x55>` for a signature Bolt does not define) */
  readonly name: string
  readonly fields: ReadonlyArray<unknown>
  /** the message as a script line, for example `C: PULL {"n": 1000}` */
  readonly text: string
}

/** What the script expected at a point: a line of text, and the pattern when it is a message. */
export interface Expectation {
  readonly text: string
  readonly signature?: number
  readonly fields?: ReadonlyArray<unknown> | undefined
}

/** A deviation from the script, before the server adds which connection it was. */
export interface Mismatch {
  readonly reason: string
  readonly expected: ReadonlyArray<string>
  readonly received: string
  readonly detail?: string | undefined
}

type Stack = { readonly step: Step; readonly next: Stack } | undefined

const push = (steps: ReadonlyArray<Step>, stack: Stack): Stack => {
  for (let i = steps.length - 1; i >= 0; i--) stack = { step: steps[i]!, next: stack }
  return stack
}

const toArray = (stack: Stack): Array<Step> => {
  const out: Array<Step> = []
  for (let s = stack; s !== undefined; s = s.next) out.push(s.step)
  return out
}

/** The next pass of a block: `min`/`max` one lower, or nothing when it is used up. */
const again = (b: Extract<Step, { _tag: "Block" }>, next: Stack): Stack =>
  b.max - 1 > 0 ? { step: { ...b, min: Math.max(0, b.min - 1), max: b.max - 1 }, next } : next

const success = (meta: Record<string, unknown>): OutMessage => ({ _tag: "Message", signature: SUCCESS, fields: [meta] })

const validN = new Matcher("<-1 or a positive Integer>", (v) => typeof v === "bigint" && (v === -1n || v > 0n))
const streamFields = [{ n: validN, qid: new OptionalEntry(MATCHERS["*int"]) }]

const streamExpectations = (s: Extract<Step, { _tag: "Stream" }>): Array<Expectation> => {
  const left = `(stream: ${s.total - s.offset} of ${s.total} records left)`
  return [
    { text: `C: PULL {"n": ${validN.text}, "[qid]": *int} ${left}`, signature: PULL, fields: streamFields },
    { text: `C: DISCARD {"n": ${validN.text}, "[qid]": *int} ${left}`, signature: DISCARD, fields: streamFields }
  ]
}

const END: Expectation = { text: "<end of script>" }

/** Where a received message differs from an expected one (undefined: it matches). */
const messageMismatch = (exp: Expectation, msg: ReceivedMessage): string | undefined => {
  if (exp.signature !== msg.signature) return `message: expected ${nameOf(exp.signature ?? -1)}, received ${msg.name}`
  if (exp.fields === undefined) return undefined
  if (exp.fields.length !== msg.fields.length) {
    return `expected ${exp.fields.length} field${exp.fields.length === 1 ? "" : "s"}, received ${msg.fields.length}`
  }
  for (let i = 0; i < exp.fields.length; i++) {
    const m = mismatch(exp.fields[i], msg.fields[i], `field ${i}`)
    if (m !== undefined) return m
  }
  return undefined
}

/**
 * One conversation: the script's position and what is waiting to be sent.
 */
export class Conversation {
  private stack: Stack
  private pending: Array<Output> = []
  /** GOODBYE was received: any further message is a deviation. */
  goodbye = false
  /** `<EXIT>` or `<STALL>` was reached: the script is over, further messages are only logged. */
  terminated: "Exit" | "Stall" | undefined = undefined

  constructor(
    steps: ReadonlyArray<Step>,
    private readonly auto: ReadonlySet<number>,
    private readonly connectionId: number
  ) {
    this.stack = push(steps, undefined)
  }

  /** The default reply to a message (auto lines and `!: AUTO`). */
  private autoReply(signature: number): Array<OutMessage> {
    if (signature === GOODBYE) return []
    if (signature === HELLO) return [success({ server: "Neo4j/5.26.0", connection_id: `bolt-${this.connectionId}` })]
    return [success({})]
  }

  private emit(out: Array<Output>, o: Output): void {
    const last = out[out.length - 1]
    if (o._tag === "Send" && last !== undefined && last._tag === "Send") last.messages.push(...o.messages)
    else out.push(o._tag === "Send" ? { _tag: "Send", messages: [...o.messages] } : o)
  }

  /**
   * Plays the server steps up to the next point that waits for the client (or the end), and
   * returns them with any reply due to the last message, in order; consecutive messages are
   * merged so that they go out in one write.
   */
  run(): Array<Output> {
    const out: Array<Output> = []
    for (const o of this.pending) this.emit(out, o)
    this.pending = []
    while (this.stack !== undefined && this.terminated === undefined) {
      const { step, next } = this.stack
      switch (step._tag) {
        case "Send":
          this.emit(out, { _tag: "Send", messages: [...step.messages] })
          this.stack = next
          continue
        case "Raw":
        case "Sleep":
          this.emit(out, step)
          this.stack = next
          continue
        case "Exit":
        case "Stall":
          this.emit(out, step)
          this.terminated = step._tag
          this.stack = next
          return out
        case "Block":
          if (step.max <= 0) {
            this.stack = next
            continue
          }
          if (step.min > 0) {
            this.stack = push(step.steps, again(step, next))
            continue
          }
          return out
        default:
          return out
      }
    }
    return out
  }

  /** Tries the message at the stack's head: the new stack and the replies, or undefined. */
  private match(stack: Stack, msg: ReceivedMessage): { stack: Stack; outputs: Array<OutMessage> } | undefined {
    if (stack === undefined) return undefined
    const { step, next } = stack
    switch (step._tag) {
      case "Expect": {
        if (step.signature !== msg.signature) return undefined
        if (step.fields !== undefined && messageMismatch({ text: "", signature: step.signature, fields: step.fields }, msg) !== undefined) {
          return undefined
        }
        return { stack: next, outputs: step.auto ? this.autoReply(msg.signature) : [] }
      }
      case "Stream": {
        if (msg.signature !== PULL && msg.signature !== DISCARD) return undefined
        if (messageMismatch({ text: "", signature: msg.signature, fields: streamFields }, msg) !== undefined) return undefined
        const n = (msg.fields[0] as { n: bigint }).n
        const left = step.total - step.offset
        const k = n === -1n || n >= BigInt(left) ? left : Number(n)
        const rest: Stack = k === left ? next : { step: { ...step, offset: step.offset + k }, next }
        const summary = k === left ? success({ ...step.summary }) : success({ has_more: true })
        const outputs: Array<OutMessage> = []
        if (msg.signature === PULL && k > 0) outputs.push({ _tag: "Records", count: k, start: step.offset, record: step.record })
        outputs.push(summary)
        return { stack: rest, outputs }
      }
      case "Block":
        if (step.max <= 0) return this.match(next, msg)
        if (step.min > 0) return this.match(push(step.steps, again(step, next)), msg)
        return this.match(push(step.steps, again(step, next)), msg) ?? this.match(next, msg)
      case "Alt":
        for (const b of step.branches) {
          const r = this.match(push(b, next), msg)
          if (r !== undefined) return r
        }
        return undefined
      default:
        // a server step where a client message is awaited: validation keeps this from happening
        return undefined
    }
  }

  /** Every message the script accepts next (and `<end of script>` when it may end here). */
  expectations(stack: Stack = this.stack): Array<Expectation> {
    const out: Array<Expectation> = []
    const seen = new Set<string>()
    const add = (e: Expectation) => {
      if (!seen.has(e.text)) {
        seen.add(e.text)
        out.push(e)
      }
    }
    const walk = (s: Stack): void => {
      if (s === undefined) return add(END)
      const { step, next } = s
      switch (step._tag) {
        case "Expect":
          return add({ text: formatExpect(step), signature: step.signature, fields: step.fields })
        case "Stream":
          return streamExpectations(step).forEach(add)
        case "Block":
          if (step.max <= 0) return walk(next)
          walk(push(step.steps, again(step, next)))
          if (step.min === 0) walk(next)
          return
        case "Alt":
          for (const b of step.branches) walk(push(b, next))
          return
        case "Exit":
        case "Stall":
          return add(END)
        default:
          return walk(next)
      }
    }
    walk(stack)
    return out
  }

  /** Whether the script may end here: only optional parts are left (or it was terminated). */
  get complete(): boolean {
    return this.terminated !== undefined || nullable(toArray(this.stack))
  }

  /** The next expected lines, for reports. */
  expectedText(): Array<string> {
    return this.expectations().map((e) => e.text)
  }

  /** Feeds one client message: undefined when the script accepts it, else the deviation. */
  receive(msg: ReceivedMessage): Mismatch | undefined {
    if (this.terminated !== undefined) return undefined
    if (this.goodbye) {
      return { reason: "message after GOODBYE", expected: ["<the client closes the connection>"], received: msg.text }
    }
    const r = this.match(this.stack, msg)
    if (r !== undefined) {
      this.stack = r.stack
      if (r.outputs.length > 0) this.pending.push({ _tag: "Send", messages: r.outputs })
    } else if (this.auto.has(msg.signature)) {
      const reply = this.autoReply(msg.signature)
      if (reply.length > 0) this.pending.push({ _tag: "Send", messages: reply })
    } else {
      const expected = this.expectations()
      const closest = expected.find((e) => e.signature === msg.signature) ?? (expected.length === 1 ? expected[0] : undefined)
      const detail = closest !== undefined && closest.signature !== undefined ? messageMismatch(closest, msg) : undefined
      return {
        reason: this.stack === undefined ? "message after the end of the script" : "unexpected message",
        expected: expected.map((e) => e.text),
        received: msg.text,
        detail: detail?.startsWith("message:") ? undefined : detail
      }
    }
    if (msg.signature === GOODBYE) this.goodbye = true
    return undefined
  }

  /** The client closed the connection: a deviation when the script needed more. */
  end(): Mismatch | undefined {
    if (this.complete) return undefined
    return {
      reason: "the client closed the connection before the script ended",
      expected: this.expectedText(),
      received: "<connection closed>"
    }
  }
}

/** Formats a decoded message as a client script line. */
export const formatReceived = (signature: number, fields: ReadonlyArray<unknown>): string => {
  let out = `C: ${nameOf(signature)}`
  for (const f of fields) out += ` ${formatValue(f)}`
  return out
}
