/**
 * Faithfulness of a script's server messages to the Bolt version negotiated on a connection: a
 * script may make the stub send something no real server of that version would send, and a test
 * against it proves nothing (the driver may read it as nothing at all: neo4j-driver reads a 5.7+
 * FAILURE with `code` as `N/A`). The rules:
 *
 * - FAILURE with `code` and no `neo4j_code` on 5.7+ (5.7+ sends `neo4j_code`, `message`,
 *   `gql_status`, `description`, `diagnostic_record`, and `cause`).
 * - SUCCESS with `notifications` on 5.6+ (5.6+ sends GQL status objects as `statuses`).
 * - RECORD when the request being answered is not a PULL. Every request but GOODBYE gets exactly
 *   one summary (SUCCESS, FAILURE or IGNORED), in order, so the request being answered is the
 *   oldest one without its summary: with RUN and PULL pipelined, SUCCESS answers RUN and the
 *   RECORDs that follow belong to PULL.
 *
 * Each rule is reported once per connection, at its first offence.
 */
import { FAILURE, GOODBYE, IGNORED, PULL, RECORD, SUCCESS } from "../../internal/bolt/signatures.js"
import type { Mismatch } from "./engine.js"
import type { OutMessage } from "./steps.js"
import { formatMessage, nameOf } from "./steps.js"
import { formatValue } from "./values.js"

const FAILURE_57 =
  `S: FAILURE {"neo4j_code": "Neo.ClientError...", "message": "...", "gql_status": "...", "description": "...", "diagnostic_record": {...}}`

type Rule = "failure-code" | "notifications" | "record"

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype

/** Checks what one connection sends against its negotiated version, as it is sent. */
export class Faithfulness {
  /** the requests received that have no summary yet, oldest first */
  private readonly open: Array<number> = []
  private readonly flagged = new Set<Rule>()
  private readonly major: number
  private readonly minor: number

  /** `version`: "5.8" */
  constructor(private readonly version: string) {
    const [major, minor] = version.split(".").map(Number)
    this.major = major ?? 0
    this.minor = minor ?? 0
  }

  private atLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor)
  }

  /** A client message arrived (before the stub answers it). */
  received(signature: number): void {
    if (signature !== GOODBYE) this.open.push(signature)
  }

  /** The stub sends these messages, in order: the rules they break (each once per connection). */
  sent(messages: ReadonlyArray<OutMessage>): Array<Mismatch> {
    const out: Array<Mismatch> = []
    const flag = (rule: Rule, m: Mismatch) => {
      if (this.flagged.has(rule)) return
      this.flagged.add(rule)
      out.push(m)
    }
    for (const m of messages) {
      if (m._tag === "Records") {
        if (m.count > 0) this.record(flag, typeof m.record === "function" ? m.record(m.start) : m.record)
        continue
      }
      const { signature, fields } = m
      if (signature === RECORD) {
        this.record(flag, fields[0])
        continue
      }
      if (signature !== SUCCESS && signature !== FAILURE && signature !== IGNORED) continue
      const meta = fields[0]
      const line = () => formatMessage("S:", signature, fields)
      if (signature === FAILURE && this.atLeast(5, 7) && isMap(meta) && "code" in meta && !("neo4j_code" in meta)) {
        flag("failure-code", {
          reason: `unfaithful to Bolt ${this.version}: a 5.7+ server sends FAILURE with "neo4j_code" and the GQL fields, ` +
            `never "code" (neo4j-driver reads this failure's code as N/A)`,
          expected: [FAILURE_57],
          received: line()
        })
      }
      if (signature === SUCCESS && this.atLeast(5, 6) && isMap(meta) && "notifications" in meta) {
        flag("notifications", {
          reason: `unfaithful to Bolt ${this.version}: a 5.6+ server sends "statuses" (GQL status objects), never "notifications"`,
          expected: [`S: SUCCESS {..., "statuses": [{"gql_status": "...", "status_description": "...", ...}]}`],
          received: line()
        })
      }
      // a summary answers the oldest open request (a summary nobody asked for answers none)
      this.open.shift()
    }
    return out
  }

  private record(flag: (rule: Rule, m: Mismatch) => void, data: unknown): void {
    const answering = this.open[0]
    if (answering === PULL) return
    flag("record", {
      reason: `unfaithful to Bolt ${this.version}: a server sends RECORD only while answering a PULL, ` +
        (answering === undefined ? "and no request is waiting for an answer" : `and this one answers ${nameOf(answering)}`),
      expected: ["S: RECORD [...] after a C: PULL, before its summary"],
      received: `S: RECORD ${formatValue(data)}`
    })
  }
}
