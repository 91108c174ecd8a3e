/**
 * Scripts for the Bolt stub server (`StubServer`): what the stub answers to the handshake, which
 * client messages it expects, in which order and with which field values, and what it sends
 * back. Build them with the `make(...)` builder or write them as text with `parse(...)`: both
 * give the same `Script`.
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
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
   * How the stub answers the handshake: plain versions, a manifest, raw bytes, or never (see `ScriptOptions`).
   *
   * @since 0.1.0
   * @category models
   */
  Handshake,
  /**
   * What the stub sends: one message (`success`, `record`, `failure`, ...) or `count` RECORD messages (`records`).
   *
   * @since 0.1.0
   * @category models
   */
  OutMessage,
  /**
   * A source of records: one constant record (encoded once) or a function of the record index.
   *
   * @since 0.1.0
   * @category models
   */
  RecordSource,
  /**
   * One step of a script: an expected client message, messages to send, raw bytes, a wait, a block, ...
   *
   * @since 0.1.0
   * @category models
   */
  Step,
  /**
   * A Bolt version, or a range of minor versions below it (`5.8-5.0`).
   *
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("HELLO", { user_agent: StubScript.any, bolt_agent: StubScript.any })
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const any: Matcher = MATCHERS["*"]!

/**
 * Matches any Integer (`*int`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "MATCH (p) WHERE p.age > $age RETURN p", { age: StubScript.anyInteger }, {})
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyInteger: Matcher = MATCHERS["*int"]!

/**
 * Matches any Float (`*float`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "MATCH (p:Product) SET p.price = $price", { price: StubScript.anyFloat }, {})
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyFloat: Matcher = MATCHERS["*float"]!

/**
 * Matches any String (`*string`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", StubScript.anyString, {}, {}) // whatever the query
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyString: Matcher = MATCHERS["*string"]!

/**
 * Matches any Boolean (`*bool`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "RETURN $flag", { flag: StubScript.anyBoolean }, {})
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyBoolean: Matcher = MATCHERS["*bool"]!

/**
 * Matches any List (`*list`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "UNWIND $rows AS row CREATE (:Item {id: row})", { rows: StubScript.anyList }, {})
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyList: Matcher = MATCHERS["*list"]!

/**
 * Matches any Map (`*map`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("BEGIN", { tx_metadata: StubScript.anyMap })
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyMap: Matcher = MATCHERS["*map"]!

/**
 * Matches any byte array (`*bytes`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "CREATE (:File {data: $data})", { data: StubScript.anyBytes }, {})
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyBytes: Matcher = MATCHERS["*bytes"]!

/**
 * Matches any structure (`*struct`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "CREATE (:Event {at: $at})", { at: StubScript.anyStructure }, {}) // a DateTime, a Point, ...
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const anyStructure: Matcher = MATCHERS["*struct"]!

/**
 * A custom matcher: `description` is what diffs print on the expected side.
 * The predicate sees decoded values (Integer as `bigint`, Float as `number`).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const positive = StubScript.where("a positive Integer", (v) => typeof v === "bigint" && v > 0n)
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "MATCH (p:Person) RETURN p LIMIT $n", { n: positive }, {})
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * // the same as C: BEGIN {"[db]": *string} in the text format
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("BEGIN", { db: StubScript.optionalKey(StubScript.anyString) })
 * ```
 *
 * @since 0.1.0
 * @category matchers
 */
export const optionalKey = (value: unknown = any): OptionalEntry => new OptionalEntry(value)

/**
 * An Integer, even where a plain number would be ambiguous.
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * // 2^63 - 1 has no exact number form
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "RETURN $n AS n", { n: StubScript.int(9223372036854775807n) }, {})
 * ```
 *
 * @since 0.1.0
 * @category values
 */
export const int = (value: number | bigint): Int => new Int(BigInt(value))

/**
 * A Float, even when integral (`float(1)` is `1.0` on the wire).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * // Values.float(1) is sent as 1.0: expect a Float, which an Integer 1 would not match
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "SET p.price = $price", { price: StubScript.float(1) }, {})
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const ignored = StubScript.message("IGNORED") // the same as StubScript.ignored()
 * const success = StubScript.message("SUCCESS", { bookmark: "FB:1" })
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("BEGIN", {})
 *   .reply(StubScript.success())
 *   .expect("COMMIT")
 *   .reply(StubScript.success({ bookmark: "FB:1" }))
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "MATCH (p:Person) RETURN p.name AS name, p.age AS age", {}, {})
 *   .expect("PULL", { n: 1000 })
 *   .reply(StubScript.success({ fields: ["name", "age"] }), StubScript.record(["Ada", 36]), StubScript.success({ type: "r" }))
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * // a Bolt 5.4 FAILURE; 5.7+ sends neo4j_code, gql_status, description and diagnostic_record instead of code
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "RETURN 1 +", {}, {})
 *   .expect("PULL", { n: 1000 })
 *   .reply(StubScript.failure({ code: "Neo.ClientError.Statement.SyntaxError", message: "Invalid input" }), StubScript.ignored())
 *   .expect("RESET")
 *   .reply(StubScript.success())
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * // after a FAILURE, the server ignores every request until RESET
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "RETURN 1 +", {}, {})
 *   .expect("PULL", { n: 1000 })
 *   .reply(StubScript.failure({ code: "Neo.ClientError.Statement.SyntaxError", message: "Invalid input" }), StubScript.ignored())
 * ```
 *
 * @since 0.1.0
 * @category messages
 */
export const ignored = (): OutMessage => ({ _tag: "Message", signature: IGNORED, fields: [] })

/**
 * `count` RECORD messages: one constant record (encoded once and copied) or a function of the
 * index `0 .. count - 1` (called once per record, packed as it is produced).
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 *   .expect("RUN", "UNWIND range(0, 999) AS i RETURN i, i * 2 AS twice", {}, {})
 *   .expect("PULL", { n: 1000 })
 *   .reply(StubScript.success({ fields: ["i", "twice"] }), StubScript.records(1000, (i) => [i, i * 2]), StubScript.success({ type: "r" }))
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const handshake = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
 * // each method returns a new script: share a prefix between tests
 * const commit = handshake.auto("BEGIN").auto("RUN").auto("PULL").expect("COMMIT").reply(StubScript.success({ bookmark: "FB:1" }))
 * const rollback = handshake.auto("BEGIN").auto("RUN").auto("PULL").auto("ROLLBACK")
 * ```
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

  /** @internal */
  private add(...steps: ReadonlyArray<Step>): Script {
    return new Script(this.handshake, this.handshakeDelay, this.autoReplies, [...this.steps, ...steps])
  }

  /** @internal */
  private body(block: Block): ReadonlyArray<Step> {
    return block(new Script(this.handshake, this.handshakeDelay, this.autoReplies, [])).steps
  }

  /** @internal */
  private expectation(auto: boolean, name: MessageName, fields: ReadonlyArray<unknown>): Step {
    return {
      _tag: "Expect",
      signature: signatureOf(name),
      fields: auto && fields.length === 0 ? undefined : fields.map((f) => normalize(f, true)),
      auto
    }
  }

  /** @internal */
  private quantified(min: number, max: number, args: [MessageName | Block, ...Array<unknown>]): Script {
    const [first, ...fields] = args
    const steps = typeof first === "function" ? this.body(first) : [this.expectation(true, first, fields)]
    return this.add({ _tag: "Block", steps, min, max })
  }

  /**
   * The client sends this message with exactly these fields (values or matchers).
   *
   * @since 0.1.0
   */
  expect(name: MessageName, ...fields: ReadonlyArray<unknown>): Script {
    return this.add(this.expectation(false, name, fields))
  }

  /**
   * The client sends this message; the stub answers with the default reply (no fields: any fields).
   *
   * @since 0.1.0
   */
  auto(name: MessageName, ...fields: ReadonlyArray<unknown>): Script {
    return this.add(this.expectation(true, name, fields))
  }

  /**
   * The stub sends these messages (in one write).
   *
   * @since 0.1.0
   */
  reply(...messages: ReadonlyArray<OutMessage>): Script {
    return this.add({ _tag: "Send", messages })
  }

  /**
   * The stub sends `count` RECORD messages (see `records`).
   *
   * @since 0.1.0
   */
  records(count: number, record: RecordSource): Script {
    return this.reply(records(count, record))
  }

  /**
   * A result driven by the client: each `PULL {n}` gets the next n records and
   * `SUCCESS {"has_more": true}` until the last batch, which ends with the summary; `DISCARD {n}`
   * skips records. With `fields`, `SUCCESS {"fields": ...}` is sent first.
   *
   * @example
   * ```ts
   * import { StubScript } from "effect-neo4j/testing"
   *
   * // a million records, sent batch by batch as the driver's PULL {"n": 1000} asks
   * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
   *   .expect("RUN", "UNWIND range(1, 1000000) AS i RETURN i", {}, {})
   *   .stream({ records: 1_000_000, fields: ["i"], record: (i) => [i + 1], summary: { type: "r" } })
   *   .optional("GOODBYE")
   * ```
   *
   * @since 0.1.0
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
   *
   * @example
   * ```ts
   * import { StubScript } from "effect-neo4j/testing"
   *
   * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON")
   *   .optional((s) => s.expect("TELEMETRY", { api: StubScript.anyInteger }).reply(StubScript.success()))
   *   .auto("RUN")
   *   .auto("PULL")
   *   .optional("GOODBYE")
   * ```
   *
   * @since 0.1.0
   */
  optional(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  optional(block: Block): Script
  optional(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(0, 1, args)
  }

  /**
   * Zero or more times: a message (answered with the default reply) or a block.
   *
   * @since 0.1.0
   */
  zeroOrMore(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  zeroOrMore(block: Block): Script
  zeroOrMore(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(0, Infinity, args)
  }

  /**
   * One or more times: a message (answered with the default reply) or a block.
   *
   * @since 0.1.0
   */
  oneOrMore(name: MessageName, ...fields: ReadonlyArray<unknown>): Script
  oneOrMore(block: Block): Script
  oneOrMore(...args: [MessageName | Block, ...Array<unknown>]): Script {
    return this.quantified(1, Infinity, args)
  }

  /**
   * One of the branches, chosen by the client's next message (the first branch that matches).
   *
   * @example
   * ```ts
   * import { StubScript } from "effect-neo4j/testing"
   *
   * // the driver commits or rolls back: both pass
   * const script = StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON").auto("BEGIN")
   *   .oneOf((s) => s.expect("COMMIT").reply(StubScript.success({ bookmark: "FB:1" })), (s) => s.auto("ROLLBACK"))
   * ```
   *
   * @since 0.1.0
   */
  oneOf(...branches: ReadonlyArray<Block>): Script {
    return this.add({ _tag: "Alt", branches: branches.map((b) => this.body(b)) })
  }

  /**
   * The steps of another script (its handshake settings are ignored).
   *
   * @since 0.1.0
   */
  append(other: Script): Script {
    return this.add(...other.steps)
  }

  /**
   * Raw bytes, unframed (a Uint8Array or hex such as "48 54 54 50").
   *
   * @since 0.1.0
   */
  raw(bytes: Uint8Array | string): Script {
    return this.add({ _tag: "Raw", bytes: typeof bytes === "string" ? parseHex(bytes) : bytes })
  }

  /**
   * A NOOP chunk (`00 00`).
   *
   * @since 0.1.0
   */
  noop(): Script {
    return this.add({ _tag: "Raw", bytes: new Uint8Array(2) })
  }

  /**
   * Wait (real time, not the TestClock) before the next step.
   *
   * @since 0.1.0
   */
  sleep(millis: number): Script {
    if (!(millis >= 0)) scriptError(`sleep of ${millis} ms is invalid`)
    return this.add({ _tag: "Sleep", millis })
  }

  /**
   * Close the connection; the script ends here.
   *
   * @since 0.1.0
   */
  close(): Script {
    return this.add({ _tag: "Exit" })
  }

  /**
   * Never answer again (bytes are still read and logged); the script ends here.
   *
   * @since 0.1.0
   */
  stall(): Script {
    return this.add({ _tag: "Stall" })
  }

  /**
   * Throws a `StubScriptError` when the script cannot be played (the server does this too).
   *
   * @since 0.1.0
   */
  validate(): Script {
    validate(this.steps)
    return this
  }

  /**
   * The script in the text format.
   *
   * @since 0.1.0
   */
  toString(): string {
    return formatScript(this.handshake, this.handshakeDelay, this.autoReplies, this.steps)
  }
}

const ranges = (versions: string | ReadonlyArray<string>): ReadonlyArray<VersionRange> =>
  (typeof versions === "string" ? versions.split(/\s+/).filter((v) => v !== "") : versions).map(parseVersion)

/**
 * An empty script with its handshake settings.
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const bolt58 = StubScript.make({ version: "5.8" })
 * const manifest = StubScript.make({ manifest: ["6.0", "5.8-5.0", "4.4"] })
 * const noCommonVersion = StubScript.make({ handshake: "00 00 00 00" })
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const script = StubScript.parse(`!: BOLT 5.4
 * A: HELLO
 * A: LOGON
 * C: RUN "RETURN 1 AS n" {} {}
 * C: PULL {"n": 1000}
 * S: SUCCESS {"fields": ["n"]}
 *    RECORD [1]
 *    SUCCESS {"type": "r"}
 * ?: GOODBYE
 * `)
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const name = "Ada"
 * const script = StubScript.text`!: BOLT 5.4
 * A: HELLO
 * A: LOGON
 * C: RUN "CREATE (:Person {name: \"${name}\"})" {} {}
 * A: PULL
 * `
 * ```
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
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * const fromText = StubScript.from("!: BOLT 5.4\nA: HELLO\nA: LOGON\n?: GOODBYE\n")
 * const fromBuilder = StubScript.from(StubScript.make({ version: "5.4" }).auto("HELLO").auto("LOGON"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const from = (input: ScriptInput): Script => (typeof input === "string" ? parse(input) : input.validate())

/**
 * Whether a value is a `Script`.
 *
 * @example
 * ```ts
 * import { StubScript } from "effect-neo4j/testing"
 *
 * assert.strictEqual(StubScript.isScript(StubScript.make()), true)
 * assert.strictEqual(StubScript.isScript("!: BOLT 5.4"), false)
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isScript = (u: unknown): u is Script => u instanceof Script
