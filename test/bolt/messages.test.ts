import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { Chunker } from "../../src/internal/bolt/chunker.js"
import { Dechunker } from "../../src/internal/bolt/dechunker.js"
import * as Msg from "../../src/internal/bolt/messages.js"
import * as Res from "../../src/internal/bolt/responses.js"
import * as S from "../../src/internal/bolt/signatures.js"
import { formatBody, formatFrames, formatMessage, formatResponse, formatValue, REDACTED } from "../../src/internal/bolt/trace.js"
import { capabilities, type Capabilities, version } from "../../src/internal/bolt/version.js"
import { Packer, PackStreamError, Structure, Unpacker } from "../../src/internal/packstream/index.js"
import { hexOf } from "../bytes.js"

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const fromHex = (s: string): Uint8Array => {
  const clean = s.replace(/\s+/g, "")
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}
/** hex of the ASCII bytes of a string (hand-built goldens, independent of the Packer) */
const ascii = (s: string): string => hexOf(Uint8Array.from(s, (c) => c.charCodeAt(0)))

const caps = (major: number, minor: number): Capabilities => capabilities(version(major, minor))
const V44 = caps(4, 4)
const V50 = caps(5, 0)
const V51 = caps(5, 1)
const V52 = caps(5, 2)
const V53 = caps(5, 3)
const V54 = caps(5, 4)
const V56 = caps(5, 6)
const V57 = caps(5, 7)
const V58 = caps(5, 8)
const V60 = caps(6, 0)

const AGENT: Msg.BoltAgent = { product: "effect-neo4j/0.1.0", platform: "Linux; x64", language: "Node/20" }

const encode = (f: (c: Chunker) => void): Uint8Array => {
  const c = new Chunker(64)
  f(c)
  return c.take()
}

/** the message bodies of chunked bytes */
const bodies = (framed: Uint8Array): Array<Uint8Array> => new Dechunker().push(framed)

/** decodes one request body to a Structure */
const decodeRequest = (body: Uint8Array): Structure => {
  const u = new Unpacker(body)
  const [size, signature] = u.structHeader()
  const fields: Array<unknown> = []
  for (let i = 0; i < size; i++) fields.push(u.unpack())
  expect(u.remaining()).toBe(0)
  return new Structure(signature, fields)
}

const decodeOne = (framed: Uint8Array): Structure => {
  const bs = bodies(framed)
  expect(bs).toHaveLength(1)
  return decodeRequest(bs[0]!)
}

/** packs a structure with the reference Packer (keys in the given order) */
const packStructure = (signature: number, fields: ReadonlyArray<unknown>): Uint8Array => {
  const p = new Packer(64)
  p.packStructure(new Structure(signature, fields))
  return p.toBytes()
}

const frameOf = (signature: number, fields: ReadonlyArray<unknown>): Uint8Array => {
  const c = new Chunker(64)
  c.writeMessage(packStructure(signature, fields))
  return c.take()
}

const decode = (body: Uint8Array, u = new Unpacker(new Uint8Array(0))): Res.Response => Res.decodeResponse(body, u)

const throwsPackStream = (f: () => unknown, pattern: RegExp): void => {
  let thrown: unknown
  try {
    f()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(PackStreamError)
  expect((thrown as PackStreamError).message).toMatch(pattern)
}

// ---------------------------------------------------------------------------------------------
// the spec's textual form: NAME value value ..., values in JSON
// ---------------------------------------------------------------------------------------------

interface SpecMessage {
  readonly name: string
  readonly fields: Array<unknown>
}

const parseSpec = (text: string): Array<SpecMessage> => {
  const out: Array<SpecMessage> = []
  let i = 0
  const n = text.length
  const skipWs = () => {
    while (i < n && /\s/.test(text[i]!)) i++
  }
  const readValue = (): unknown => {
    const start = i
    const c = text[i]!
    if (c === "{" || c === "[") {
      let depth = 0
      for (; i < n; i++) {
        const d = text[i]!
        if (d === '"') {
          for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++
        } else if (d === "{" || d === "[") depth++
        else if (d === "}" || d === "]") {
          depth--
          if (depth === 0) {
            i++
            break
          }
        }
      }
    } else if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++
      i++
    } else {
      while (i < n && !/\s/.test(text[i]!)) i++
    }
    return JSON.parse(text.slice(start, i))
  }
  for (;;) {
    skipWs()
    if (i >= n) break
    if (/^[CS]: /.test(text.slice(i, i + 3))) {
      i += 3
      continue
    }
    const m = /^[A-Z_]+/.exec(text.slice(i))
    if (m === null) throw new Error(`cannot parse spec text at ${i}: ${text.slice(i, i + 20)}`)
    i += m[0].length
    const fields: Array<unknown> = []
    for (;;) {
      skipWs()
      if (i >= n || /[A-Z]/.test(text[i]!)) break
      if (/^[CS]: /.test(text.slice(i, i + 3))) break
      fields.push(readValue())
    }
    out.push({ name: m[0], fields })
  }
  return out
}

const identity = (m: SpecMessage): string => `${m.name} ${JSON.stringify(m.fields)}`

/**
 * Every distinct message of every `.Example` block of bolt/message.adoc, verbatim (multi-line
 * ones joined). A test below re-reads the spec, when present, and checks none is missing.
 */
const SPEC_EXAMPLES: ReadonlyArray<string> = [
  `HELLO {"user_agent": "Example/4.1.0", "routing": {"address": "x.example.com:9001"}, "bolt_agent": {"product": "neo4j-fortran-alice-doe/42.69.0", "platform": "Linux 5.15.0-58-generic; x86_64", "language": "Fortran/77", "language_details": "gfortran 9.3.0"}}`,
  `HELLO {"user_agent": "Example/4.2.0", "patch_bolt": ["utc"], "routing": {"address": "x.example.com:9001", "policy": "example_policy_routing_context", "region": "example_region_routing_context"}, "notifications_minimum_severity": "WARNING", "notifications_disabled_classifications": ["HINT", "GENERIC"]}`,
  `SUCCESS {"server": "Neo4j/4.0.0", "hints": {"connection.recv_timeout_seconds": 120}}`,
  `SUCCESS {"server": "Neo4j/4.4.0", "patch_bolt": ["utc"], "hints": {"connection.recv_timeout_seconds": 120}}`,
  `FAILURE {"gql_status": "01N00", "message": "old message you have failed something", "description": "default condition - default subcondition. Message", "neo4j_code": "Example.Failure.Code", "diagnostic_record": {"_classification": "CLIENT_ERROR"}}`,
  `FAILURE {"code": "Example.Failure.Code", "message": "example failure"}`,
  `INIT "Example/1.0.0" {"scheme": "none"}`,
  `INIT "Example/1.0.0" {"scheme": "basic", "principal": "neo4j", "credentials": "password"}`,
  `SUCCESS {"server": "Neo4j/3.4.0"}`,
  `LOGON {"scheme": "basic", "principal": "user", "credentials": "password"}`,
  `SUCCESS {"advertised_address": "graphz.example.com:7687"}`,
  `SUCCESS {}`,
  `LOGOFF`,
  `FAILURE {"code": "Neo.ClientError.Request.Invalid", "message": "Message 'LogoffMessage{}' cannot be handled by a session in the FAILED state."}`,
  `FAILURE {"neo4j_code": "Neo.ClientError.Request.Invalid", "message": "Message 'LogoffMessage{}' cannot be handled by session in the READY state", "gql_status": "08N06", "description": "error: connection exception - protocol error. General network protocol error.", "diagnostic_record": {"_classification": "CLIENT_ERROR"}, "cause": {"message": "08N10: Message LogoffMessage{} cannot be handled by session in the 'READY' state.", "gql_status": "08N10", "description": "error: connection exception - invalid server state. Message LogoffMessage{} cannot be handled by session in the 'READY' state.", "diagnostic_record": {"_classification": "CLIENT_ERROR"}}}`,
  `TELEMETRY 0`,
  `TELEMETRY 2`,
  `FAILURE {"neo4j_code": "Neo.ClientError.Request.Invalid", "message": "Message of type TelemetryMessage cannot be handled by a session in the NEGOTIATION state.", "gql_status": "50N42", "description": "error: general processing exception - unexpected error. Unexpected error has occurred. See debug log for details."}`,
  `FAILURE {"code": "Neo.ClientError.Request.Invalid", "message": "Message of type TelemetryMessage cannot be handled by a session in the NEGOTIATION state."}`,
  `TELEMETRY "oh no!"`,
  `FAILURE {"neo4j_code": "Neo.ClientError.Request.Invalid", "message": "Unexpected type: Expected INT but got STRING", "gql_status": "22G03", "description": "error: data exception - invalid value type", "cause": {"message": "22N01: Expected the value 128 to be of type INT, but was of type STRING.", "gql_status": "22N01", "description": "error: data exception - invalid type. Expected the value 128 to be of type INT, but was of type STRING.", "diagnostic_record": {"_classification": "CLIENT_ERROR"}}}`,
  `FAILURE {"code": "Neo.ClientError.Request.Invalid", "message": "Unexpected type: Expected INT but got STRING"}`,
  `TELEMETRY 9001`,
  `FAILURE {"neo4j_code": "Neo.DatabaseError.General.UnknownError", "message": "org.neo4j.packstream.error.reader.PackstreamReaderException: Unknown driver interface type 9001", "gql_status": "50N00", "description": "error: general processing exception - internal error. Internal exception raised DecoderException: org.neo4j.packstream.error.reader.PackstreamReaderException: Unknown driver interface type 9001", "cause": {"message": "50N09: The server transitioned into a server state that is not valid in the current context: 'uncaught error'.", "gql_status": "50N09", "description": "error: general processing exception - invalid server state transition. The server transitioned into a server state that is not valid in the current context: 'uncaught error'.", "diagnostic_record": {"_classification": "DATABASE_ERROR"}}}`,
  `FAILURE {"code": "Neo.DatabaseError.General.UnknownError", "message": "org.neo4j.packstream.error.reader.PackstreamReaderException: Unknown driver interface type 9001"}`,
  `GOODBYE`,
  `ACK_FAILURE`,
  `RESET`,
  `RUN "RETURN $x AS x" {"x": 1} {"bookmarks": [], "tx_timeout": 123, "tx_metadata": {"log": "example_message"}, "mode": "r"}`,
  `RUN "RETURN $x AS x" {"x": 1} {}`,
  `RUN "CALL dbms.procedures()" {} {}`,
  `RUN "RETURN 42" {} {"notifications_minimum_severity": "WARNING", "notifications_disabled_classifications": ["HINT", "GENERIC"]}`,
  `SUCCESS {"fields": ["x"], "t_first": 123, "qid": 7000}`,
  `SUCCESS {"fields": ["x"], "t_first": 123}`,
  `SUCCESS {"fields": ["x"], "result_available_after": 123}`,
  `IGNORED`,
  `DISCARD {"n": -1, "qid": -1}`,
  `DISCARD {"n": 1000}`,
  `DISCARD_ALL`,
  `SUCCESS {"has_more": true}`,
  `SUCCESS {"bookmark": "example-bookmark:1", "db": "example_database"}`,
  `SUCCESS {"bookmark": "example-bookmark:1"}`,
  `SUCCESS {"bookmark": "example_bookmark_identifier", "result_consumed_after": 123}`,
  `PULL {"n": -1, "qid": -1}`,
  `PULL {"n": 1000}`,
  `PULL_ALL`,
  `SUCCESS {"bookmark": "example-bookmark:1", "t_last": 123}`,
  `RECORD [1, 2, 3]`,
  `BEGIN {"tx_timeout": 123, "mode": "r", "db": "example_database", "tx_metadata": {"log": "example_log_data"}, "imp_user" : "bob"}`,
  `BEGIN {"db": "example_database", "tx_metadata": {"log": "example_log_data"}, "bookmarks": ["example-bookmark:1", "example-bookmark2"]}`,
  `BEGIN {"notifications_minimum_severity": "WARNING", "notifications_disabled_classifications": ["HINT", "GENERIC"]}`,
  `SUCCESS {"db": "my_home_db"}`,
  `COMMIT`,
  `ROLLBACK`,
  `SUCCESS`,
  `ROUTE {"address": "x.example.com:9001", "policy": "example_policy_routing_context", "region": "example_region_routing_context"} ["neo4j-bookmark-transaction:1", "neo4j-bookmark-transaction:2"] {"db": "example_database", "imp_user": "bob"}`,
  `ROUTE {"address": "x.example.com:7687"} [] null`,
  `SUCCESS { "rt": {"ttl": 1000, "db": "foo", "servers": [{"addresses": ["localhost:9001"], "role": "ROUTE"}, {"addresses": ["localhost:9010", "localhost:9012"], "role": "READ"}, {"addresses": ["localhost:9020", "localhost:9022"], "role": "WRITE"}]} }`,
  `SUCCESS { "rt": {"ttl": 1000, "servers": [{"addresses": ["localhost:9001"], "role": "ROUTE"}, {"addresses": ["localhost:9010", "localhost:9012"], "role": "READ"}, {"addresses": ["localhost:9020", "localhost:9022"], "role": "WRITE"}]} }`,
  `SUCCESS {"example": "see specific message for server response metadata"}`,
  `RECORD ["1", "2", "3"]`,
  `RECORD [{"point": [1, 2]}, "example_data", 123]`
]

/** Examples this driver does not produce or accept, and why (asserted below, not silently skipped). */
const NOT_PRODUCED: Readonly<Record<string, string>> = {
  INIT: "Bolt 1-2 only",
  ACK_FAILURE: "Bolt 1-2 only",
  DISCARD_ALL: "Bolt 1-3 only",
  PULL_ALL: "Bolt 1-3 only",
  'ROUTE [{"address":"x.example.com:7687"},[],null]': "the 4.3 form; the oldest version spoken is 4.4",
  'TELEMETRY ["oh no!"]': "an invalid request the spec shows the server refusing; the encoder refuses it first",
  HELLO_EXAMPLE_2: "mixes 4.4 (patch_bolt) and 5.6 (disabled classifications) fields: checked per version below"
}

const REQUESTS = new Set(["HELLO", "LOGON", "LOGOFF", "TELEMETRY", "GOODBYE", "RESET", "RUN", "DISCARD", "PULL", "BEGIN", "COMMIT", "ROLLBACK", "ROUTE"])
const RESPONSES = new Set(["SUCCESS", "FAILURE", "IGNORED", "RECORD"])

type Dict = Record<string, unknown>

const notificationsFrom = (extra: Dict): Msg.NotificationFilter | undefined => {
  const sev = extra.notifications_minimum_severity as string | undefined
  const dis = (extra.notifications_disabled_classifications ?? extra.notifications_disabled_categories) as
    | Array<string>
    | undefined
  return sev === undefined && dis === undefined ? undefined : { minimumSeverity: sev, disabledClassifications: dis }
}

const txExtraFrom = (extra: Dict): Msg.TxExtra => ({
  bookmarks: extra.bookmarks as Array<string> | undefined,
  txTimeout: extra.tx_timeout as number | undefined,
  txMetadata: extra.tx_metadata as Dict | undefined,
  mode: extra.mode as "r" | undefined,
  db: extra.db as string | undefined,
  impersonatedUser: extra.imp_user as string | undefined,
  notifications: notificationsFrom(extra)
})

/** Drives our encoder from a spec example's fields (the mapping a caller would do). */
const encodeSpecRequest = (m: SpecMessage, c: Chunker, k: Capabilities): void => {
  const f = m.fields
  switch (m.name) {
    case "HELLO": {
      const extra = f[0] as Dict
      const a = extra.bolt_agent as Dict | undefined
      return Msg.hello(c, k, {
        userAgent: extra.user_agent as string,
        boltAgent: a
          ? {
              product: a.product as string,
              platform: a.platform as string,
              language: a.language as string,
              languageDetails: a.language_details as string
            }
          : AGENT,
        routing: extra.routing as Record<string, string> | undefined,
        notifications: notificationsFrom(extra)
      })
    }
    case "LOGON": {
      const auth = f[0] as Dict
      return Msg.logon(c, k, { ...auth, credentials: Redacted.make(auth.credentials) })
    }
    case "LOGOFF":
      return Msg.logoff(c, k)
    case "TELEMETRY":
      return Msg.telemetry(c, k, f[0] as number)
    case "GOODBYE":
      return Msg.goodbye(c, k)
    case "RESET":
      return Msg.reset(c, k)
    case "COMMIT":
      return Msg.commit(c, k)
    case "ROLLBACK":
      return Msg.rollback(c, k)
    case "RUN":
      return Msg.run(c, k, { query: f[0] as string, parameters: f[1] as Dict, ...txExtraFrom(f[2] as Dict) })
    case "BEGIN":
      return Msg.begin(c, k, txExtraFrom(f[0] as Dict))
    case "PULL":
    case "DISCARD": {
      const e = f[0] as { n: number; qid?: number }
      return (m.name === "PULL" ? Msg.pull : Msg.discard)(c, k, { n: e.n, qid: e.qid })
    }
    case "ROUTE": {
      const e = f[2] as Dict
      return Msg.route(c, k, {
        routing: f[0] as Record<string, string>,
        bookmarks: f[1] as Array<string>,
        db: e.db as string | undefined,
        impersonatedUser: e.imp_user as string | undefined
      })
    }
  }
  throw new Error(`no encoder for ${m.name}`)
}

/** The spec's default `qid: -1` is left out on the wire: the expected structure drops it. */
const normalize = (m: SpecMessage): Array<unknown> => {
  if ((m.name === "PULL" || m.name === "DISCARD") && (m.fields[0] as Dict).qid === -1) {
    const { qid: _qid, ...rest } = m.fields[0] as Dict
    return [rest]
  }
  return m.fields
}

/** examples whose key order differs from the encoder's canonical order (same structure, other bytes) */
const OTHER_KEY_ORDER = new Set([
  `BEGIN {"tx_timeout": 123, "mode": "r", "db": "example_database", "tx_metadata": {"log": "example_log_data"}, "imp_user" : "bob"}`,
  `BEGIN {"db": "example_database", "tx_metadata": {"log": "example_log_data"}, "bookmarks": ["example-bookmark:1", "example-bookmark2"]}`,
  `DISCARD {"n": -1, "qid": -1}`,
  `PULL {"n": -1, "qid": -1}`
])

const skipReason = (text: string, m: SpecMessage): string | undefined => {
  if (text === SPEC_EXAMPLES[1]) return NOT_PRODUCED.HELLO_EXAMPLE_2
  return NOT_PRODUCED[m.name] ?? NOT_PRODUCED[identity(m).replace(/^(\w+) /, "$1 ")]
}

// ---------------------------------------------------------------------------------------------

describe("spec examples (bolt/message.adoc)", () => {
  const SPEC = "/work/shared/spec/docs-bolt/bolt/message.adoc"

  it.runIf(existsSync(SPEC))("the embedded list holds every example message of the spec", () => {
    const lines = readFileSync(SPEC, "utf8").split("\n")
    const found: Array<string> = []
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith("[source, bolt]")) continue
      const title = lines[i - 1] ?? ""
      const block: Array<string> = []
      let j = i + 2
      while (lines[j] !== "----") block.push(lines[j++]!)
      i = j
      if (!title.startsWith(".Example") || title.startsWith(".Example with Bolt")) continue
      for (const m of parseSpec(block.join("\n"))) found.push(identity(m))
    }
    const embedded = new Set(SPEC_EXAMPLES.flatMap((t) => parseSpec(t).map(identity)))
    expect(found.length).toBe(96)
    expect(found.filter((x) => !embedded.has(x))).toEqual([])
    expect(new Set(found).size).toBe(SPEC_EXAMPLES.length)
  })

  it("every embedded example is checked or explicitly not produced", () => {
    let requests = 0
    let responses = 0
    let skipped = 0
    let refused = 0
    for (const text of SPEC_EXAMPLES) {
      const [m, ...rest] = parseSpec(text)
      expect(rest).toEqual([])
      if (skipReason(text, m!) !== undefined) skipped++
      else if (text === "SUCCESS") refused++
      else if (REQUESTS.has(m!.name)) requests++
      else if (RESPONSES.has(m!.name)) responses++
      else throw new Error(`unclassified example ${text}`)
    }
    // 62 distinct messages: 22 requests encoded, 31 responses decoded, the bare SUCCESS refused, 8 not produced
    expect(SPEC_EXAMPLES).toHaveLength(62)
    expect({ requests, responses, refused, skipped }).toEqual({ requests: 22, responses: 31, refused: 1, skipped: 8 })
  })

  const requestExamples = SPEC_EXAMPLES.map((text) => ({ text, m: parseSpec(text)[0]! })).filter(
    ({ text, m }) => REQUESTS.has(m.name) && skipReason(text, m) === undefined
  )

  describe.each(requestExamples)("$text", ({ text, m }) => {
    it.each([
      { v: "5.6", k: V56 },
      { v: "5.7", k: V57 },
      { v: "5.8", k: V58 },
      { v: "6.0", k: V60 }
    ])("encodes to that structure on $v", ({ k }) => {
      const framed = encode((c) => encodeSpecRequest(m, c, k))
      const expected = normalize(m)
      expect(decodeOne(framed)).toEqual(new Structure(S.SIGNATURES[m.name]!, expected))
      if (!OTHER_KEY_ORDER.has(text)) {
        // same keys in the same order: byte-for-byte what the reference Packer makes of the example
        expect(hexOf(framed)).toBe(hexOf(frameOf(S.SIGNATURES[m.name]!, expected)))
      }
    })

    it("traces as the spec's text (credentials hidden)", () => {
      // the spec's text shows parameter values: the trace's opt-in
      const [line] = formatFrames(encode((c) => encodeSpecRequest(m, c, V58)), { parameters: true })
      if (m.name === "LOGON") {
        expect(line).toBe(`LOGON {"scheme": "basic", "principal": "user", "credentials": ${REDACTED}}`)
      } else if (!OTHER_KEY_ORDER.has(text)) {
        expect(line).toBe(text)
      } else {
        // other key order (or the default qid left out): the trace parses back to the expected structure
        expect(parseSpec(line!)).toEqual([{ name: m.name, fields: normalize(m) }])
      }
    })
  })

  const responseExamples = SPEC_EXAMPLES.map((text) => ({ text, m: parseSpec(text)[0]! })).filter(
    ({ text, m }) => RESPONSES.has(m.name) && text !== "SUCCESS"
  )

  it.each(responseExamples)("decodes $text", ({ m }) => {
    const r = decode(packStructure(S.SIGNATURES[m.name]!, m.fields))
    switch (m.name) {
      case "SUCCESS":
        expect(r).toEqual({ _tag: "Success", metadata: m.fields[0] })
        break
      case "FAILURE":
        expect(r).toEqual({ _tag: "Failure", metadata: m.fields[0] })
        break
      case "RECORD":
        expect(r).toEqual({ _tag: "Record", fields: m.fields[0] })
        break
      case "IGNORED":
        expect(r).toEqual({ _tag: "Ignored" })
        break
    }
    expect(formatResponse(r)).toBe(
      m.name === "IGNORED" ? "IGNORED" : `${m.name} ${formatValue(m.fields[0])}`
    )
  })

  it("the bare `SUCCESS` (rollback example, shorthand for SUCCESS {}) is refused: a SUCCESS has one field", () => {
    throwsPackStream(() => decode(fromHex("B0 70")), /SUCCESS message with 0 fields \(expected 1\)/)
  })

  it("HELLO example 2 mixes versions: each version sends its own part of it", () => {
    const m = parseSpec(SPEC_EXAMPLES[1]!)[0]!
    const extra = m.fields[0] as Dict
    const routing = extra.routing
    // 4.4: patch_bolt, no notification filters (5.2+)
    const at44 = decodeOne(encode((c) => encodeSpecRequest(m, c, V44)))
    expect(at44.fields[0]).toEqual({ user_agent: "Example/4.2.0", patch_bolt: ["utc"], routing })
    // 5.6: filters by classification, no patch, and the mandatory bolt_agent
    const at56 = decodeOne(encode((c) => encodeSpecRequest(m, c, V56)))
    expect(at56.fields[0]).toEqual({
      user_agent: "Example/4.2.0",
      routing,
      notifications_minimum_severity: "WARNING",
      notifications_disabled_classifications: ["HINT", "GENERIC"],
      bolt_agent: { product: AGENT.product, platform: AGENT.platform, language: AGENT.language }
    })
  })

  it("examples of other versions are refused or not produced", () => {
    throwsPackStream(() => encode((c) => Msg.telemetry(c, V58, "oh no!" as unknown as number)), /TELEMETRY api must be an integer/)
    // no encoder exists for INIT, ACK_FAILURE, PULL_ALL, DISCARD_ALL or the 4.3 ROUTE
    for (const name of ["init", "ackFailure", "pullAll", "discardAll"]) expect(Msg).not.toHaveProperty(name)
  })
})

describe("chunking examples (bolt/message.adoc, exact bytes)", () => {
  const m16 = fromHex("00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")
  const m8 = fromHex("0F 0E 0D 0C 0B 0A 09 08")

  it("a message in one chunk", () => {
    const c = new Chunker()
    c.writeMessage(m16)
    expect(hexOf(c.take())).toBe("00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00")
  })

  it("two messages coalesced in one write", () => {
    const c = new Chunker()
    c.writeMessage(m16)
    c.writeMessage(m8)
    expect(hexOf(c.take())).toBe(
      "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 00 08 0F 0E 0D 0C 0B 0A 09 08 00 00"
    )
  })

  it("a message split in two chunks, and two messages with a NOOP in between, read back", () => {
    const split = fromHex("00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 04 01 02 03 04 00 00")
    expect(bodies(split).map(hexOf)).toEqual(["00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 01 02 03 04"])
    const noop = fromHex(
      "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 00 00 00 08 0F 0E 0D 0C 0B 0A 09 08 00 00"
    )
    expect(bodies(noop).map(hexOf)).toEqual([hexOf(m16), hexOf(m8)])
  })
})

describe("golden bytes (hand-built)", () => {
  it("constant frames", () => {
    expect(hexOf(Msg.RESET_FRAME)).toBe("00 02 B0 0F 00 00")
    expect(hexOf(Msg.GOODBYE_FRAME)).toBe("00 02 B0 02 00 00")
    expect(hexOf(Msg.COMMIT_FRAME)).toBe("00 02 B0 12 00 00")
    expect(hexOf(Msg.ROLLBACK_FRAME)).toBe("00 02 B0 13 00 00")
    expect(hexOf(Msg.LOGOFF_FRAME)).toBe("00 02 B0 6B 00 00")
    expect(hexOf(Msg.PULL_ALL_FRAME)).toBe("00 06 B1 3F A1 81 6E FF 00 00")
    expect(hexOf(Msg.DISCARD_ALL_FRAME)).toBe("00 06 B1 2F A1 81 6E FF 00 00")
  })

  it("the no-field encoders write the constant frames", () => {
    expect(hexOf(encode((c) => Msg.reset(c, V58)))).toBe("00 02 B0 0F 00 00")
    expect(hexOf(encode((c) => Msg.goodbye(c, V58)))).toBe("00 02 B0 02 00 00")
    expect(hexOf(encode((c) => Msg.commit(c, V58)))).toBe("00 02 B0 12 00 00")
    expect(hexOf(encode((c) => Msg.rollback(c, V58)))).toBe("00 02 B0 13 00 00")
    expect(hexOf(encode((c) => Msg.logoff(c, V51)))).toBe("00 02 B0 6B 00 00")
    expect(hexOf(encode((c) => Msg.pull(c, V58, { n: -1 })))).toBe("00 06 B1 3F A1 81 6E FF 00 00")
    expect(hexOf(encode((c) => Msg.pull(c, V58, { n: -1n, qid: -1 })))).toBe("00 06 B1 3F A1 81 6E FF 00 00")
    expect(hexOf(encode((c) => Msg.discard(c, V58, { n: -1, qid: -1n })))).toBe("00 06 B1 2F A1 81 6E FF 00 00")
  })

  it("PULL {n: 1000} / DISCARD {n: 1000, qid: 7} / TELEMETRY 0", () => {
    expect(hexOf(encode((c) => Msg.pull(c, V58, { n: 1000 })))).toBe("00 08 B1 3F A1 81 6E C9 03 E8 00 00")
    expect(hexOf(encode((c) => Msg.discard(c, V58, { n: 1000, qid: 7 })))).toBe(
      "00 0D B1 2F A2 81 6E C9 03 E8 83 71 69 64 07 00 00"
    )
    expect(hexOf(encode((c) => Msg.telemetry(c, V54, Msg.TelemetryApi.ManagedTransaction)))).toBe("00 03 B1 54 00 00 00")
  })

  it(`RUN "RETURN $x AS x" {"x": 1} {}`, () => {
    const body = `B3 10 8E ${ascii("RETURN $x AS x")} A1 81 78 01 A0`
    expect(hexOf(encode((c) => Msg.run(c, V58, { query: "RETURN $x AS x", parameters: { x: 1 } })))).toBe(
      `00 16 ${body} 00 00`
    )
  })

  it(`LOGON {"scheme": "basic", "principal": "user", "credentials": "password"} with a Redacted password`, () => {
    const body = [
      "B1 6A A3",
      `86 ${ascii("scheme")} 85 ${ascii("basic")}`,
      `89 ${ascii("principal")} 84 ${ascii("user")}`,
      `8B ${ascii("credentials")} 88 ${ascii("password")}`
    ].join(" ")
    const framed = encode((c) =>
      Msg.logon(c, V51, { scheme: "basic", principal: "user", credentials: Redacted.make("password") })
    )
    expect(hexOf(framed)).toBe(`00 34 ${body} 00 00`)
  })

  it(`HELLO {"user_agent": "x/1"} on 5.1 and on 4.4`, () => {
    expect(hexOf(encode((c) => Msg.hello(c, V51, { userAgent: "x/1", boltAgent: AGENT })))).toBe(
      `00 12 B1 01 A1 8A ${ascii("user_agent")} 83 ${ascii("x/1")} 00 00`
    )
    expect(hexOf(encode((c) => Msg.hello(c, V44, { userAgent: "x/1", boltAgent: AGENT })))).toBe(
      `00 22 B1 01 A2 8A ${ascii("user_agent")} 83 ${ascii("x/1")} 8A ${ascii("patch_bolt")} 91 83 ${ascii("utc")} 00 00`
    )
  })

  it("responses from hand-built bytes", () => {
    expect(decode(fromHex("B1 71 93 01 02 03"))).toEqual({ _tag: "Record", fields: [1, 2, 3] })
    expect(decode(fromHex("B1 71 93 81 31 81 32 81 33"))).toEqual({ _tag: "Record", fields: ["1", "2", "3"] })
    expect(decode(fromHex("B1 71 90"))).toEqual({ _tag: "Record", fields: [] })
    expect(decode(fromHex("B0 7E"))).toEqual({ _tag: "Ignored" })
    expect(decode(fromHex("B1 70 A0"))).toEqual({ _tag: "Success", metadata: {} })
    expect(decode(fromHex(`B1 70 A1 88 ${ascii("has_more")} C3`))).toEqual({ _tag: "Success", metadata: { has_more: true } })
    expect(decode(fromHex(`B1 7F A1 87 ${ascii("message")} 81 ${ascii("x")}`))).toEqual({
      _tag: "Failure",
      metadata: { message: "x" }
    })
  })
})

describe("HELLO per version", () => {
  const auth = { scheme: "basic", principal: "neo4j", credentials: Redacted.make("s3cret") }
  const args: Msg.HelloArgs = {
    userAgent: "app/1.0",
    boltAgent: { product: "effect-neo4j/0.1.0", platform: "Linux; x64", language: "Node/20.0", languageDetails: "V8" },
    routing: { address: "db.example.com:7687", region: "eu" },
    notifications: { minimumSeverity: "WARNING", disabledClassifications: ["HINT"] },
    auth
  }
  const helloExtra = (k: Capabilities, a: Msg.HelloArgs = args): Dict => {
    const s = decodeOne(encode((c) => Msg.hello(c, k, a)))
    expect(s.signature).toBe(S.HELLO)
    expect(s.fields).toHaveLength(1)
    return s.fields[0] as Dict
  }
  const routing = { address: "db.example.com:7687", region: "eu" }
  const agent = { product: "effect-neo4j/0.1.0", platform: "Linux; x64", language: "Node/20.0", language_details: "V8" }

  it("4.4: auth inside HELLO, patch_bolt utc, no filters, no bolt_agent", () => {
    const extra = helloExtra(V44)
    expect(Object.keys(extra)).toEqual(["scheme", "principal", "credentials", "user_agent", "patch_bolt", "routing"])
    expect(extra).toEqual({
      scheme: "basic",
      principal: "neo4j",
      credentials: "s3cret",
      user_agent: "app/1.0",
      patch_bolt: ["utc"],
      routing
    })
  })

  it("5.0: auth inside HELLO, no patch", () => {
    expect(helloExtra(V50)).toEqual({ scheme: "basic", principal: "neo4j", credentials: "s3cret", user_agent: "app/1.0", routing })
  })

  it("5.1: no auth (LOGON carries it), no filters yet", () => {
    expect(helloExtra(V51)).toEqual({ user_agent: "app/1.0", routing })
  })

  it("5.2: filters, disabled list named categories", () => {
    expect(helloExtra(V52)).toEqual({
      user_agent: "app/1.0",
      routing,
      notifications_minimum_severity: "WARNING",
      notifications_disabled_categories: ["HINT"]
    })
  })

  it("5.3 and 5.4: bolt_agent added", () => {
    for (const k of [V53, V54]) {
      expect(helloExtra(k)).toEqual({
        user_agent: "app/1.0",
        routing,
        notifications_minimum_severity: "WARNING",
        notifications_disabled_categories: ["HINT"],
        bolt_agent: agent
      })
    }
  })

  it("5.6 to 6.0: disabled list named classifications", () => {
    for (const k of [V56, V57, V58, V60]) {
      const extra = helloExtra(k)
      expect(Object.keys(extra)).toEqual([
        "user_agent",
        "routing",
        "notifications_minimum_severity",
        "notifications_disabled_classifications",
        "bolt_agent"
      ])
      expect(extra.notifications_disabled_classifications).toEqual(["HINT"])
    }
  })

  it("no routing when routing is null or absent; bolt_agent sends only the given fields", () => {
    const { routing: _r, ...noRouting } = args
    expect(helloExtra(V58, { ...args, routing: null })).not.toHaveProperty("routing")
    expect(helloExtra(V58, noRouting)).not.toHaveProperty("routing")
    expect(helloExtra(V58, { ...args, routing: {} }).routing).toEqual({})
    expect(helloExtra(V58, { userAgent: "a/1", boltAgent: { product: "p/1" } })).toEqual({
      user_agent: "a/1",
      bolt_agent: { product: "p/1" }
    })
  })

  it("auth entries named like HELLO's own keys do not override them; nested Redacted values are unwrapped", () => {
    const extra = helloExtra(V50, {
      userAgent: "app/1.0",
      boltAgent: AGENT,
      auth: {
        scheme: "custom",
        user_agent: "evil/1",
        principal: "p",
        parameters: { key: Redacted.make("k3y"), list: [Redacted.make(1)] }
      }
    })
    expect(extra).toEqual({ scheme: "custom", principal: "p", parameters: { key: "k3y", list: [1] }, user_agent: "app/1.0" })
  })

  it("LOGON carries the token from 5.1; before 5.1 LOGON and LOGOFF are refused", () => {
    expect(decodeOne(encode((c) => Msg.logon(c, V51, auth)))).toEqual(
      new Structure(S.LOGON, [{ scheme: "basic", principal: "neo4j", credentials: "s3cret" }])
    )
    expect(decodeOne(encode((c) => Msg.logon(c, V60, { scheme: "bearer", credentials: Redacted.make("tok") })))).toEqual(
      new Structure(S.LOGON, [{ scheme: "bearer", credentials: "tok" }])
    )
    throwsPackStream(() => encode((c) => Msg.logon(c, V50, auth)), /LOGON needs Bolt 5\.1 or later; the negotiated version is 5\.0/)
    throwsPackStream(() => encode((c) => Msg.logoff(c, V44)), /LOGOFF needs Bolt 5\.1/)
    throwsPackStream(() => encode((c) => Msg.telemetry(c, V53, 0)), /TELEMETRY needs Bolt 5\.4.*5\.3/)
  })

  it("the password never reaches a trace, though it is on the wire", () => {
    const framed = encode((c) => {
      Msg.hello(c, V50, args)
      Msg.hello(c, V44, { ...args, auth: { scheme: "basic", principal: "neo4j", credentials: "s3cret" } })
      Msg.logon(c, V51, auth)
      Msg.logon(c, V51, { scheme: "custom", principal: "p", parameters: { apiKey: "s3cret" }, token: Redacted.make("s3cret") })
    })
    expect(Buffer.from(framed).toString("latin1")).toContain("s3cret")
    const lines = formatFrames(framed)
    expect(lines).toHaveLength(4)
    for (const line of lines) {
      expect(line).not.toContain("s3cret")
      expect(line).toContain(REDACTED)
    }
    expect(lines[0]).toMatch(/^HELLO \{"scheme": "basic", "principal": "neo4j", "credentials": <redacted>, "user_agent": "app\/1\.0"/)
    expect(lines[2]).toBe(`LOGON {"scheme": "basic", "principal": "neo4j", "credentials": ${REDACTED}}`)
    expect(lines[3]).toBe(`LOGON {"scheme": "custom", "principal": "p", "parameters": ${REDACTED}, "token": ${REDACTED}}`)
  })
})

describe("RUN, BEGIN, PULL, DISCARD, ROUTE, TELEMETRY", () => {
  const filters: Msg.NotificationFilter = { minimumSeverity: "OFF", disabledClassifications: ["GENERIC"] }

  it("RUN with every extra field, in canonical order", () => {
    const s = decodeOne(
      encode((c) =>
        Msg.run(c, V58, {
          query: "RETURN $a",
          parameters: { a: [1, "x", null], b: undefined },
          bookmarks: ["bm:1", "bm:2"],
          txTimeout: 1500,
          txMetadata: { app: "test" },
          mode: "r",
          db: "movies",
          impersonatedUser: "alice",
          notifications: filters
        })
      )
    )
    expect(s.signature).toBe(S.RUN)
    expect(s.fields[0]).toBe("RETURN $a")
    expect(s.fields[1]).toEqual({ a: [1, "x", null] })
    expect(Object.keys(s.fields[2] as Dict)).toEqual([
      "bookmarks",
      "tx_timeout",
      "tx_metadata",
      "mode",
      "db",
      "imp_user",
      "notifications_minimum_severity",
      "notifications_disabled_classifications"
    ])
    expect(s.fields[2]).toEqual({
      bookmarks: ["bm:1", "bm:2"],
      tx_timeout: 1500,
      tx_metadata: { app: "test" },
      mode: "r",
      db: "movies",
      imp_user: "alice",
      notifications_minimum_severity: "OFF",
      notifications_disabled_classifications: ["GENERIC"]
    })
  })

  it("write mode is the default and is left out; a fractional timeout is rounded up", () => {
    const s = decodeOne(encode((c) => Msg.run(c, V58, { query: "q", mode: "w", txTimeout: 1.2 })))
    expect(s.fields).toEqual(["q", {}, { tx_timeout: 2 }])
    throwsPackStream(() => encode((c) => Msg.run(c, V58, { query: "q", txTimeout: Infinity })), /tx_timeout must be a finite/)
  })

  it("notification filters: none before 5.2, categories on 5.2-5.4, classifications from 5.6", () => {
    const extraAt = (k: Capabilities) =>
      decodeOne(encode((c) => Msg.begin(c, k, { notifications: filters }))).fields[0]
    expect(extraAt(V44)).toEqual({})
    expect(extraAt(V51)).toEqual({})
    for (const k of [V52, V53, V54]) {
      expect(extraAt(k)).toEqual({ notifications_minimum_severity: "OFF", notifications_disabled_categories: ["GENERIC"] })
    }
    for (const k of [V56, V57, V58, V60]) {
      expect(extraAt(k)).toEqual({
        notifications_minimum_severity: "OFF",
        notifications_disabled_classifications: ["GENERIC"]
      })
    }
    expect(decodeOne(encode((c) => Msg.begin(c, V58, { notifications: { minimumSeverity: "WARNING" } }))).fields[0]).toEqual({
      notifications_minimum_severity: "WARNING"
    })
  })

  it("BEGIN with no extra is BEGIN {}", () => {
    expect(hexOf(encode((c) => Msg.begin(c, V58, {})))).toBe("00 03 B1 11 A0 00 00")
  })

  it("PULL and DISCARD keep a real qid and accept bigint", () => {
    expect(decodeOne(encode((c) => Msg.pull(c, V58, { n: 1000n, qid: 7n })))).toEqual(new Structure(S.PULL, [{ n: 1000, qid: 7 }]))
    expect(decodeOne(encode((c) => Msg.discard(c, V44, { n: -1, qid: 3 })))).toEqual(new Structure(S.DISCARD, [{ n: -1, qid: 3 }]))
    throwsPackStream(() => encode((c) => Msg.pull(c, V58, { n: 1.5 })), /n must be an integer/)
  })

  it("ROUTE: extra holds only what is given", () => {
    expect(decodeOne(encode((c) => Msg.route(c, V44, { routing: { address: "a:1" }, bookmarks: [] })))).toEqual(
      new Structure(S.ROUTE, [{ address: "a:1" }, [], {}])
    )
    expect(
      decodeOne(encode((c) => Msg.route(c, V58, { routing: { address: "a:1" }, bookmarks: ["b"], impersonatedUser: "bob" })))
    ).toEqual(new Structure(S.ROUTE, [{ address: "a:1" }, ["b"], { imp_user: "bob" }]))
  })

  it("TELEMETRY api values", () => {
    for (const api of Object.values(Msg.TelemetryApi)) {
      expect(decodeOne(encode((c) => Msg.telemetry(c, V54, api)))).toEqual(new Structure(S.TELEMETRY, [api]))
    }
  })

  it("many messages coalesce into one take(), in order", () => {
    const framed = encode((c) => {
      Msg.begin(c, V58, { db: "x" })
      Msg.run(c, V58, { query: "RETURN 1" })
      Msg.pull(c, V58, { n: -1 })
      Msg.commit(c, V58)
    })
    expect(bodies(framed).map((b) => decodeRequest(b).signature)).toEqual([S.BEGIN, S.RUN, S.PULL, S.COMMIT])
    expect(formatFrames(framed)).toEqual(['BEGIN {"db": "x"}', 'RUN "RETURN 1" {} {}', 'PULL {"n": -1}', "COMMIT"])
  })

  it("an unsupported parameter throws and leaves the earlier messages intact", () => {
    const c = new Chunker(64)
    Msg.reset(c, V58)
    throwsPackStream(() => Msg.run(c, V58, { query: "q", parameters: { f: () => 1 } }), /unsupported parameter value: a function/)
    Msg.commit(c, V58)
    expect(hexOf(c.take())).toBe(`${hexOf(Msg.RESET_FRAME)} ${hexOf(Msg.COMMIT_FRAME)}`)
  })

  it("a RUN over 65 535 bytes is split into full chunks and reads back whole", () => {
    const big = "a".repeat(70_000)
    const framed = encode((c) => Msg.run(c, V58, { query: "RETURN $s", parameters: { s: big } }))
    // body: B3 10, 89 "RETURN $s", A1 81 73, D2 <u32> 70 000 bytes, A0
    const bodySize = 2 + 10 + 3 + 5 + 70_000 + 1
    expect(framed.length).toBe(bodySize + 2 * 2 + 2)
    expect(hexOf(framed.subarray(0, 4))).toBe("FF FF B3 10")
    const second = 2 + 0xffff
    expect((framed[second]! << 8) | framed[second + 1]!).toBe(bodySize - 0xffff)
    expect(hexOf(framed.subarray(framed.length - 3))).toBe("A0 00 00")
    expect(decodeOne(framed)).toEqual(new Structure(S.RUN, ["RETURN $s", { s: big }, {}]))
  })

  it("chunk boundary: a 65 535-byte body is one chunk, 65 536 bytes are two", () => {
    // body = B3 10 + D1 <u16> query + A0 + A0 = query length + 7
    const one = encode((c) => Msg.run(c, V58, { query: "x".repeat(65_528) }))
    expect(hexOf(one.subarray(0, 2))).toBe("FF FF")
    expect(one.length).toBe(2 + 65_535 + 2)
    const two = encode((c) => Msg.run(c, V58, { query: "x".repeat(65_529) }))
    expect(two.length).toBe(2 + 65_535 + 2 + 1 + 2)
    expect(hexOf(two.subarray(2 + 65_535, 2 + 65_535 + 3))).toBe("00 01 A0")
  })
})

describe("decodeResponse", () => {
  it("reads RECORD lists of every header size and reuses one unpacker", () => {
    const u = new Unpacker(new Uint8Array(0))
    const items = (n: number) => Array.from({ length: n }, (_, i) => i % 100)
    for (const n of [0, 15, 16, 255, 256, 65_536]) {
      const r = Res.decodeResponse(packStructure(S.RECORD, [items(n)]), u)
      expect(r._tag).toBe("Record")
      expect((r as { fields: Array<unknown> }).fields).toEqual(items(n))
    }
    // LIST_32 header, which the packer only uses for huge lists
    expect(Res.decodeResponse(fromHex("B1 71 D6 00 00 00 02 01 02"), u)).toEqual({ _tag: "Record", fields: [1, 2] })
    expect(Res.decodeResponse(fromHex("B1 71 D4 01 05"), u)).toEqual({ _tag: "Record", fields: [5] })
  })

  it("decodes a subarray at an offset (as the dechunker hands them out)", () => {
    const buf = fromHex("FF FF FF B1 71 92 C9 03 E8 81 61 EE")
    expect(decode(buf.subarray(3, 11))).toEqual({ _tag: "Record", fields: [1000, "a"] })
    expect(decode(fromHex("00 00 00 B1 71 D5 00 01 07 00").subarray(3, 9))).toEqual({ _tag: "Record", fields: [7] })
  })

  it("record values go through the unpacker's hydrator", () => {
    const u = new Unpacker(new Uint8Array(0), (sig, fields) => ({ hydrated: sig, fields }))
    expect(Res.decodeResponse(fromHex("B1 71 91 B1 58 01"), u)).toEqual({
      _tag: "Record",
      fields: [{ hydrated: 0x58, fields: [1] }]
    })
  })

  it("refuses malformed messages with a PackStreamError naming the problem", () => {
    throwsPackStream(() => decode(new Uint8Array(0)), /empty Bolt message/)
    throwsPackStream(() => decode(fromHex("B1")), /truncated/)
    throwsPackStream(() => decode(fromHex("93 01 02 03")), /must be a structure, got marker 0x93/)
    throwsPackStream(() => decode(fromHex("B2 71 90 90")), /RECORD message with 2 fields \(expected 1\)/)
    throwsPackStream(() => decode(fromHex("B0 71")), /RECORD message with 0 fields/)
    throwsPackStream(() => decode(fromHex("B1 71")), /truncated RECORD/)
    throwsPackStream(() => decode(fromHex("B1 71 01")), /RECORD data must be a list, got marker 0x01/)
    throwsPackStream(() => decode(fromHex("B1 71 D5 00")), /truncated RECORD list header/)
    throwsPackStream(() => decode(fromHex("B1 71 93 01 02")), /truncated PackStream data/)
    throwsPackStream(() => decode(fromHex("B1 71 93 01 02 03 00")), /1 trailing bytes after the RECORD message/)
    throwsPackStream(() => decode(fromHex("B1 71 D6 FF FF FF FF 01")), /truncated/)
    throwsPackStream(() => decode(fromHex("B2 70 A0 A0")), /SUCCESS message with 2 fields \(expected 1\)/)
    throwsPackStream(() => decode(fromHex("B1 70 90")), /SUCCESS metadata must be a map/)
    throwsPackStream(() => decode(fromHex("B1 70 A0 C0 C0")), /2 trailing bytes after the SUCCESS message/)
    throwsPackStream(() => decode(fromHex("B1 7F 01")), /FAILURE metadata must be a map/)
    throwsPackStream(() => decode(fromHex("B0 7F")), /FAILURE message with 0 fields/)
    throwsPackStream(() => decode(fromHex("B1 7E A0")), /IGNORED message with 1 fields \(expected 0\)/)
    throwsPackStream(() => decode(fromHex("B0 7E 00")), /1 trailing bytes after the IGNORED message/)
    throwsPackStream(() => decode(fromHex("B1 01 A0")), /unexpected HELLO \(0x01\) message from the server/)
    throwsPackStream(() => decode(fromHex("B0 55")), /unknown Bolt message signature 0x55/)
  })
})

describe("trace formatting", () => {
  it("formats values in the spec's text form and hides secrets", () => {
    expect(formatValue({ a: 1, b: [true, null, 1.5], c: "x\"y", d: 12n })).toBe('{"a": 1, "b": [true, null, 1.5], "c": "x\\"y", "d": 12}')
    expect(formatValue(Redacted.make("pw"))).toBe(REDACTED)
    expect(formatValue({ nested: { credentials: "pw", other: Redacted.make("pw") } })).toBe(
      `{"nested": {"credentials": ${REDACTED}, "other": ${REDACTED}}}`
    )
    expect(formatValue(Uint8Array.of(1, 255))).toBe("bytes[01 FF]")
    expect(formatValue(new Structure(0x4e, [1, [], {}]))).toBe("Structure(0x4E) [1, [], {}]")
    expect(formatValue(new Map([["k", 1]]))).toBe('{"k": 1}')
  })

  it("truncates long strings and lists", () => {
    const s = formatValue("z".repeat(5000))
    expect(s.length).toBeLessThan(1100)
    expect(s).toContain("(+4000 chars)")
    expect(formatValue(Array.from({ length: 150 }, () => 0))).toContain("...(+50 items)")
  })

  it("formatMessage and formatBody apply the auth rules by signature", () => {
    expect(formatMessage(S.LOGON, [{ scheme: "kerberos", credentials: "ticket", principal: "p" }])).toBe(
      `LOGON {"scheme": "kerberos", "credentials": ${REDACTED}, "principal": "p"}`
    )
    expect(formatMessage(S.RUN, [{ q: 1 }])).toBe('RUN {"q": 1}')
    // RUN's parameters: keys kept, values hidden unless asked for (Redacted values stay hidden)
    const run = ["RETURN $a", { a: "secret", b: { c: 1 } }, { db: "x" }]
    expect(formatMessage(S.RUN, run)).toBe(`RUN "RETURN $a" {"a": ${REDACTED}, "b": ${REDACTED}} {"db": "x"}`)
    expect(formatMessage(S.RUN, ["RETURN 1", {}, {}])).toBe("RUN \"RETURN 1\" {} {}")
    expect(formatMessage(S.RUN, ["RETURN $a", new Map([["a", 1]]), {}])).toBe(`RUN "RETURN $a" {"a": ${REDACTED}} {}`)
    expect(formatMessage(S.RUN, run, { parameters: true })).toBe('RUN "RETURN $a" {"a": "secret", "b": {"c": 1}} {"db": "x"}')
    expect(formatMessage(S.RUN, ["RETURN $a", { a: Redacted.make("pw") }, {}], { parameters: true })).toBe(
      `RUN "RETURN $a" {"a": ${REDACTED}} {}`
    )
    expect(formatMessage(0x55, [])).toBe("0x55")
    expect(formatBody(fromHex("B0 0F"))).toBe("RESET")
    expect(formatBody(fromHex("B1 3F A1 81 6E FF C0"))).toBe('PULL {"n": -1} <+1 trailing bytes>')
    expect(formatBody(fromHex("93"))).toMatch(/^<undecodable message of 1 bytes: expected a structure/)
  })

  it("formatFrames reports incomplete input instead of throwing", () => {
    expect(formatFrames(fromHex("00 02 B0 0F"))).toEqual(["<incomplete message>"])
    expect(formatFrames(fromHex("00 09 B0"))).toEqual(["<incomplete chunk: 9 bytes announced, 1 present>"])
  })

  it("formatResponse", () => {
    expect(formatResponse({ _tag: "Ignored" })).toBe("IGNORED")
    expect(formatResponse({ _tag: "Record", fields: [1, "a"] })).toBe('RECORD [1, "a"]')
    expect(formatResponse({ _tag: "Success", metadata: { has_more: false } })).toBe('SUCCESS {"has_more": false}')
    expect(formatResponse({ _tag: "Failure", metadata: { code: "C", message: "m" } })).toBe('FAILURE {"code": "C", "message": "m"}')
  })
})
