/**
 * Scripts for the Bolt stub server (`StubServer`): what the stub answers to the handshake, which
 * client messages it expects, in which order and with which field values, and what it sends
 * back. Build them with the `make(...)` builder or write them as text with `parse(...)`: both
 * give the same `Script`.
 *
 * ```ts
 * const script = StubScript.make({ version: "5.8" })
 *   .expect("HELLO", { user_agent: StubScript.any, bolt_agent: StubScript.any })
 *   .reply(StubScript.success({ server: "Neo4j/5.26.0", connection_id: "bolt-1" }))
 *   .expect("LOGON", { scheme: "basic", principal: "neo4j", credentials: "pw" })
 *   .reply(StubScript.success())
 *   .expect("RUN", "RETURN 1 AS n", {}, {})
 *   .expect("PULL", { n: 1000 })
 *   .reply(StubScript.success({ fields: ["n"] }), StubScript.record([1]), StubScript.success({ has_more: false }))
 *   .optional("GOODBYE")
 * ```
 *
 * ## Values
 *
 * PackStream tells an Integer from a Float, and so does the stub: in the text format `1` is an
 * Integer and `1.0` (or `1e3`, `NaN`, `Infinity`) a Float; in the builder an integral `number`
 * is an Integer and any other `number` a Float, as the driver's packer decides, and `int(...)` /
 * `float(...)` (or a `bigint`) say it explicitly. An expected Integer never matches a received
 * Float. Received values are decoded with Integers as `bigint` and Floats as `number`.
 *
 * ## The text format
 *
 * In the style of Neo4j's boltstub. One item per line; `#` starts a comment line; blank lines
 * are ignored; a value may continue on the next lines while a `[` or `{` is open.
 *
 * ```text
 * script     = header* body
 * header     = "!: BOLT" version+                    plain 4-byte handshake, the stub supports these
 *            | "!: MANIFEST" version+               manifest v1 offering these (plain answer if the
 *                                                   client does not offer the manifest)
 *            | "!: CAPABILITIES" integer            manifest capability bits (decimal or 0x..)
 *            | "!: HANDSHAKE" hex-byte+             answer these raw bytes (00 00 00 00 also closes)
 *            | "!: HANDSHAKE STALL"                  never answer the handshake
 *            | "!: HANDSHAKE_DELAY" millis          wait before answering the handshake
 *            | "!: AUTO" NAME                        answer NAME anywhere with the default reply
 * version    = MAJOR "." MINOR | MAJOR "." MINOR "-" MAJOR "." MINOR     (e.g. 5.4, 5.8-5.0)
 * body       = (line | block)*
 * line       = "C:" NAME value*                     the client sends this message (exact values)
 *            | "A:" NAME value*                     the client sends it; the stub answers with the
 *                                                   default reply (no values: any fields)
 *            | "?:" NAME value*                     as A:, optional (zero or one)
 *            | "*:" NAME value*                     as A:, zero or more times
 *            | "+:" NAME value*                     as A:, one or more times
 *            | "S:" NAME value*                     the stub sends this message
 *            | "S:" action
 *            | NAME value* | action                 continues the previous C:/S: line's kind
 * action     = "<EXIT>"                             close the connection (the script ends here)
 *            | "<NOOP>"                             send a NOOP chunk (00 00)
 *            | "<RAW>" hex-byte*                    send these bytes as they are
 *            | "<SLEEP" number ["ms" | "s"] ">"     wait (milliseconds by default)
 *            | "<STALL>"                            never answer again (bytes are read and logged)
 *            | "<RECORDS" count [record] ">"        send count RECORD messages
 *            | "<STREAM" option* ">"                a result answering PULL {n} / DISCARD {n}
 * option     = "records=" count | "fields=" list | "record=" list | "summary=" map
 * block      = "{{" body ("----" body)* "}}"        a group; with ----, alternatives
 *            | "{?" body "?}"                       optional
 *            | "{*" body "*}"                       zero or more times
 *            | "{+" body "+}"                       one or more times
 * value      = JSON (null, true, false, numbers, strings, lists, maps)
 *            | integer (Integer) | decimal/exponent, NaN, Infinity, -Infinity (Float)
 *            | "Structure<0x" HEX ">" list          a structure: signature and fields
 *            | "Bytes<" hex-byte* ">"               a byte array
 *            | "*" | "*int" | "*float" | "*string" | "*bool" | "*bytes" | "*list" | "*map" | "*struct"
 *                                                   matchers (client lines only)
 *            | "$i"                                 the record index (RECORDS and STREAM records)
 * map key    = JSON string; in client lines "[key]" marks an optional entry
 * ```
 *
 * Choices (`?:`, `*:`, `+:`, `{? ?}`, `{* *}`, `{+ +}`, alternatives) are decided by the next
 * client message: the first option whose first client message matches wins, repetition is
 * greedy, and there is no backtracking past that message. So every optional, repeated or
 * alternative part must start with a client line, and no server line may directly follow an
 * optional or repeated part; a script that breaks these rules is refused with a
 * `StubScriptError`.
 *
 * Default replies (`A:` lines and `!: AUTO`): HELLO gets
 * `SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-<connection number>"}`, GOODBYE
 * nothing, anything else `SUCCESS {}`. After GOODBYE any further client message is a deviation.
 *
 * Server lines should be what a real server of the negotiated version sends: by default the stub
 * reports as deviations a FAILURE with `code` and no `neo4j_code` on Bolt 5.7+ (write
 * `neo4j_code`, `message`, `gql_status`, `description`, `diagnostic_record`), a SUCCESS with
 * `notifications` on 5.6+ (write `statuses`), and a RECORD while the request being answered is not
 * a PULL (see `faithful` in `StubServer`).
 *
 * `<STREAM records=N fields=[...] record=[...] summary={...}>`: with `fields`, first sends
 * `SUCCESS {"fields": [...]}` (the RUN reply). Then each `PULL {"n": k}` gets the next k records
 * (all for -1) and `SUCCESS {"has_more": true}`, or the `summary` map (default `{}`) once the
 * records are exhausted; `DISCARD {"n": k}` the same without records. `qid` is accepted. The
 * default record is `[$i]`. A record without `$i` is encoded once and copied, so a
 * 1,000,000-record result costs little.
 *
 * Example:
 *
 * ```text
 * !: BOLT 5.4
 * C: HELLO {"user_agent": *, "[bolt_agent]": *map}
 * S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
 * C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}
 * S: SUCCESS {}
 * C: RUN "UNWIND range(1, $n) AS i RETURN i" {"n": 1000000} {}
 * S: <STREAM records=1000000 fields=["i"] record=[$i] summary={"type": "r"}>
 * ?: GOODBYE
 * ```
 *
 * @since 0.1.0
 */
import { SUCCESS, RECORD, FAILURE, IGNORED } from "../internal/bolt/signatures.js"
import { SUPPORTED } from "../internal/bolt/version.js"
import { Float, Int } from "../internal/packstream/numbers.js"
import { Structure } from "../internal/packstream/structure.js"
import { scriptError, StubScriptError } from "./internal/errors.js"
import { parseHex, parseScript } from "./internal/parse.js"
import type { Handshake, OutMessage, RecordSource, Step, VersionRange } from "./internal/steps.js"
import { formatScript, parseVersion, signatureOf, validate } from "./internal/steps.js"
import { MATCHERS, Matcher, normalize, OptionalEntry } from "./internal/values.js"

export {
  /**
   * A value pattern (see `any`, `where`).
   *
   * @since 0.1.0
   * @category matchers
   */
  Matcher,
  /**
   * A map entry that may be absent (see `optionalKey`).
   *
   * @since 0.1.0
   * @category matchers
   */
  OptionalEntry,
  /**
   * A generic PackStream structure (signature and fields), as in `Structure<0x44>[19000]`.
   *
   * @since 0.1.0
   * @category values
   */
  Structure,
  /**
   * A script that does not parse or cannot be played.
   *
   * @since 0.1.0
   * @category errors
   */
  StubScriptError
}

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  Handshake,
  /**
   * @since 0.1.0
   * @category models
   */
  OutMessage,
  /**
   * @since 0.1.0
   * @category models
   */
  RecordSource,
  /**
   * @since 0.1.0
   * @category models
   */
  Step,
  /**
   * @since 0.1.0
   * @category models
   */
  VersionRange
}

/**
 * The Bolt message names the stub knows.
 *
 * @since 0.1.0
 * @category models
 */
export type MessageName =
  | "HELLO"
  | "GOODBYE"
  | "RESET"
  | "RUN"
  | "BEGIN"
  | "COMMIT"
  | "ROLLBACK"
  | "DISCARD"
  | "PULL"
  | "TELEMETRY"
  | "ROUTE"
  | "LOGON"
  | "LOGOFF"
  | "SUCCESS"
  | "RECORD"
  | "IGNORED"
  | "FAILURE"

// ---------------------------------------------------------------------------------------------
// matchers and explicit numbers

/**
 * Matches any value (`*` in the text format).
 *
 * @since 0.1.0
 * @category matchers
 */
export const any: Matcher = MATCHERS["*"]!

/**
 * Matches any Integer (`*int`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyInteger: Matcher = MATCHERS["*int"]!

/**
 * Matches any Float (`*float`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyFloat: Matcher = MATCHERS["*float"]!

/**
 * Matches any String (`*string`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyString: Matcher = MATCHERS["*string"]!

/**
 * Matches any Boolean (`*bool`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyBoolean: Matcher = MATCHERS["*bool"]!

/**
 * Matches any List (`*list`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyList: Matcher = MATCHERS["*list"]!

/**
 * Matches any Map (`*map`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyMap: Matcher = MATCHERS["*map"]!

/**
 * Matches any byte array (`*bytes`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyBytes: Matcher = MATCHERS["*bytes"]!

/**
 * Matches any structure (`*struct`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyStructure: Matcher = MATCHERS["*struct"]!

/**
 * A custom matcher: `description` is what diffs print on the expected side.
 * The predicate sees decoded values (Integer as `bigint`, Float as `number`).
 *
 * @since 0.1.0
 * @category matchers
 */
export const where = (description: string, predicate: (value: unknown) => boolean): Matcher =>
  new Matcher(description, predicate)

/**
 * A map entry that may be absent; when present its value must match (`"[key]": value` in the
 * text format).
 *
 * @since 0.1.0
 * @category matchers
 */
export const optionalKey = (value: unknown = any): OptionalEntry => new OptionalEntry(value)

/**
 * An Integer, even where a plain number would be ambiguous.
 *
 * @since 0.1.0
 * @category values
 */
export const int = (value: number | bigint): Int => new Int(BigInt(value))

/**
 * A Float, even when integral (`float(1)` is `1.0` on the wire).
 *
 * @since 0.1.0
 * @category values
 */
export const float = (value: number): Float => new Float(value)

// ---------------------------------------------------------------------------------------------
// server messages

/**
 * Any message the stub sends, by name.
 *
 * @since 0.1.0
 * @category messages
 */
export const message = (name: MessageName, ...fields: ReadonlyArray<unknown>): OutMessage => ({
  _tag: "Message",
  signature: signatureOf(name),
  fields: fields.map((f) => normalize(f, false))
})

/**
 * `SUCCESS {metadata}`.
 *
 * @since 0.1.0
 * @category messages
 */
export const success = (metadata: Readonly<Record<string, unknown>> = {}): OutMessage => ({
  _tag: "Message",
  signature: SUCCESS,
  fields: [normalize(metadata, false)]
})

/**
 * `RECORD [values]`.
 *
 * @since 0.1.0
 * @category messages
 */
export const record = (values: ReadonlyArray<unknown>): OutMessage => ({
  _tag: "Message",
  signature: RECORD,
  fields: [normalize(values, false)]
})

/**
 * `FAILURE {metadata}`, for example `failure({ code: "Neo.ClientError.Statement.SyntaxError",
 * message: "..." })` (add the GQL fields for 5.7+).
 *
 * @since 0.1.0
 * @category messages
 */
export const failure = (metadata: Readonly<Record<string, unknown>>): OutMessage => ({
  _tag: "Message",
  signature: FAILURE,
  fields: [normalize(metadata, false)]
})

/**
 * `IGNORED`.
 *
 * @since 0.1.0
 * @category messages
 */
export const ignored = (): OutMessage => ({ _tag: "Message", signature: IGNORED, fields: [] })

/**
 * `count` RECORD messages: one constant record (encoded once and copied) or a function of the
 * index `0 .. count - 1` (called once per record, packed as it is produced).
 *
 * @since 0.1.0
 * @category messages
 */
export const records = (count: number, record: RecordSource): OutMessage => {
  if (!Number.isSafeInteger(count) || count < 0) scriptError(`record count ${count} is invalid`)
  return { _tag: "Records", count, start: 0, record: typeof record === "function" ? record : (normalize(record, false) as ReadonlyArray<unknown>) }
}

// ---------------------------------------------------------------------------------------------
// scripts

/**
 * How a script answers the handshake; exactly one of `version`, `manifest` and `handshake`
 * (none: the plain handshake with every version the driver supports).
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptOptions {
  /** plain 4-byte handshake: the versions/ranges the stub supports, e.g. "5.8" or ["5.8-5.0", "4.4"] */
  readonly version?: string | ReadonlyArray<string> | undefined
  /** manifest v1: the versions/ranges offered, e.g. ["6.0", "5.8-5.0", "4.4"] */
  readonly manifest?: ReadonlyArray<string> | undefined
  /** manifest v1 capability bits offered */
  readonly capabilities?: bigint | number | undefined
  /** a raw answer (bytes or hex such as "00 00 00 00"), or "stall" to never answer */
  readonly handshake?: Uint8Array | string | undefined
  /** milliseconds to wait before answering the handshake */
  readonly handshakeDelay?: number | undefined
  /** messages answered anywhere with the default reply (`!: AUTO`) */
  readonly auto?: ReadonlyArray<MessageName> | undefined
}

/**
 * What a `PULL`/`DISCARD`-driven result looks like (see `Script.stream`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /** how many records the result has */
  readonly records: number
  /** the record: constant (encoded once) or a function of the index; default `[index]` */
  readonly record?: RecordSource | undefined
  /** when given, `SUCCESS {"fields": fields}` is sent first (the RUN reply) */
  readonly fields?: ReadonlyArray<string> | undefined
  /** metadata of the last SUCCESS (default `{}`) */
  readonly summary?: Readonly<Record<string, unknown>> | undefined
}

type Block = (script: Script) => Script

/**
 * A script: the handshake settings and the steps of one conversation. Immutable: every method
 * returns a new script with the step appended.
 *
 * @since 0.1.0
 * @category models
 */
export class Script {
  constructor(
    readonly handshake: Handshake,
    readonly handshakeDelay: number,
    /** signatures answered anywhere with the default reply (`!: AUTO`) */
    readonly autoReplies: ReadonlyArray<number>,
    readonly steps: ReadonlyArray<Step>
  ) {}

  private add(...steps: ReadonlyArray<Step>): Script {
    return new Script(this.handshake, this.handshakeDelay, this.autoReplies, [...this.steps, ...steps])
  }

  private body(block: Block): ReadonlyArray<Step> {
    return block(new Script(this.handshake, this.handshakeDelay, this.autoReplies, [])).steps
  }

  private expectation(auto: boolean, name: MessageName, fields: ReadonlyArray<unknown>): Step {
    return {
      _tag: "Expect",
      signature: signatureOf(name),
      fields: auto && fields.length === 0 ? undefined : fields.map((f) => normalize(f, true)),
      auto
    }
  }

  private quantified(min: number, max: number, args: [MessageName | Block, ...Array<unknown>]): Script {
    const [first, ...fields] = args
    const steps = typeof first === "function" ? this.body(first) : [this.expectation(true, first, fields)]
    return this.add({ _tag: "Block", steps, min, max })
  }

  /** The client sends this message with exactly these fields (values or matchers). */
  expect(name: MessageName, ...fields: ReadonlyArray<unknown>): Script {
    return this.add(this.expectation(false, name, fields))
  }

  /** The client sends this message; the stub answers with the default reply (no fields: any fields). */
  auto(name: MessageName, ...fields: ReadonlyArray<unknown>): Script {
    return this.add(this.expectation(true, name, fields))
  }

  /** The stub sends these messages (in one write). */
  reply(...messages: ReadonlyArray<OutMessage>): Script {
    return this.add({ _tag: "Send", messages })
  }

  /** The stub sends `count` RECORD messages (see `records`). */
  records(count: number, record: RecordSource): Script {
    return this.reply(records(count, record))
  }

  /**
   * A result driven by the client: each `PULL {n}` gets the next n records and
   * `SUCCESS {"has_more": true}` until the last batch, which ends with the summary; `DISCARD {n}`
   * skips records. With `fields`, `SUCCESS {"fields": ...}` is sent first.
   */
  stream(options: StreamOptions): Script {
    if (!Number.isSafeInteger(options.records) || options.records < 0) scriptError(`stream record count ${options.records} is invalid`)
    const record = options.record ?? ((i: number) => [i])
    const steps: Array<Step> = []
    if (options.fields !== undefined) steps.push({ _tag: "Send", messages: [success({ fields: options.fields })] })
    steps.push({
      _tag: "Stream",
      total: options.records,
      offset: 0,
      record: typeof record === "function" ? record : (normalize(record, false) as ReadonlyArray<unknown>),
      summary: normalize(options.summary ?? {}, false) as Record<string, unknown>
    })
    return this.add(...steps)
  }

  /**
   * Zero or one time: a message (answered with the default reply) or a block that starts with a
   * client message.
   */
  optional(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  optional(block: Block): Script
  optional(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(0, 1, args)
  }

  /** Zero or more times: a message (answered with the default reply) or a block. */
  zeroOrMore(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  zeroOrMore(block: Block): Script
  zeroOrMore(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(0, Infinity, args)
  }

  /** One or more times: a message (answered with the default reply) or a block. */
  oneOrMore(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  oneOrMore(block: Block): Script
  oneOrMore(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(1, Infinity, args)
  }

  /** One of the branches, chosen by the client's next message (the first branch that matches). */
  oneOf(...branches: ReadonlyArray<Block>): Script {
    return this.add({ _tag: "Alt", branches: branches.map((b) => this.body(b)) })
  }

  /** The steps of another script (its handshake settings are ignored). */
  append(other: Script): Script {
    return this.add(...other.steps)
  }

  /** Raw bytes, unframed (a Uint8Array or hex such as "48 54 54 50"). */
  raw(bytes: Uint8Array | string): Script {
    return this.add({ _tag: "Raw", bytes: typeof bytes === "string" ? parseHex(bytes) : bytes })
  }

  /** A NOOP chunk (`00 00`). */
  noop(): Script {
    return this.add({ _tag: "Raw", bytes: new Uint8Array(2) })
  }

  /** Wait (real time, not the TestClock) before the next step. */
  sleep(millis: number): Script {
    if (!(millis >= 0)) scriptError(`sleep of ${millis} ms is invalid`)
    return this.add({ _tag: "Sleep", millis })
  }

  /** Close the connection; the script ends here. */
  close(): Script {
    return this.add({ _tag: "Exit" })
  }

  /** Never answer again (bytes are still read and logged); the script ends here. */
  stall(): Script {
    return this.add({ _tag: "Stall" })
  }

  /** Throws a `StubScriptError` when the script cannot be played (the server does this too). */
  validate(): Script {
    validate(this.steps)
    return this
  }

  /** The script in the text format. */
  toString(): string {
    return formatScript(this.handshake, this.handshakeDelay, this.autoReplies, this.steps)
  }
}

const ranges = (versions: string | ReadonlyArray<string>): ReadonlyArray<VersionRange> =>
  (typeof versions === "string" ? versions.split(/\s+/).filter((v) => v !== "") : versions).map(parseVersion)

/**
 * An empty script with its handshake settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ScriptOptions = {}): Script => {
  const given = [options.version, options.manifest, options.handshake].filter((x) => x !== undefined).length
  if (given > 1) scriptError("give only one of version, manifest and handshake")
  if (options.capabilities !== undefined && options.manifest === undefined) scriptError("capabilities go with manifest")
  let handshake: Handshake
  if (options.manifest !== undefined) {
    handshake = { _tag: "Manifest", versions: ranges(options.manifest), capabilities: BigInt(options.capabilities ?? 0) }
  } else if (options.handshake !== undefined) {
    const h = options.handshake
    handshake = h === "stall" ? { _tag: "Stall" } : { _tag: "Raw", bytes: typeof h === "string" ? parseHex(h) : h }
  } else if (options.version !== undefined) {
    handshake = { _tag: "Plain", versions: ranges(options.version) }
  } else {
    handshake = { _tag: "Plain", versions: SUPPORTED.map((v) => ({ major: v.major, minor: v.minor, range: 0 })) }
  }
  const delay = options.handshakeDelay ?? 0
  if (!(delay >= 0)) scriptError(`handshakeDelay ${delay} is invalid`)
  return new Script(handshake, delay, (options.auto ?? []).map(signatureOf), [])
}

/**
 * Parses a script in the text format (see the module comment). Throws a `StubScriptError`
 * naming the line.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (text: string): Script => {
  const p = parseScript(text)
  return new Script(p.handshake, p.handshakeDelay, p.auto, p.steps)
}

/**
 * A script from text, as a template tag: ``StubScript.text`!: BOLT 5.8 ...` ``. The raw text is
 * used, so JSON escapes such as `\"` reach the parser as written.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Script =>
  parse(String.raw(strings, ...values))

/**
 * A script given as a `Script` or as text.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptInput = Script | string

/**
 * A `Script` from a script or text, checked (throws `StubScriptError`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const from = (input: ScriptInput): Script => (typeof input === "string" ? parse(input) : input.validate())

/**
 * Whether a value is a `Script`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isScript = (u: unknown): u is Script => u instanceof Script
