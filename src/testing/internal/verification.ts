/**
 * The stub server's bookkeeping for `verify`: which script each accepted connection plays, the
 * connections beyond the script list, and every deviation, each reported once (wrong, missing or
 * extra messages, scripts not played to their end, scripts never used).
 */
import * as Effect from "effect/Effect"
import type { Deviation } from "../StubServer.js"
import type * as StubScript from "../StubScript.js"
import { Conn, deviation, SETTLE_MS } from "./connectionLog.js"
import type { ReceivedMessage } from "./engine.js"
import { sleep } from "./socketIo.js"

/** Every connection accepted, and what is owed to `verify`. */
export class Ledger {
  readonly conns: Array<Conn> = []
  /** connections refused because every script of the list was taken */
  private readonly extra: Array<{ deviation: Deviation; reported: boolean }> = []
  private nextScript = 0
  private unusedReported = false

  /** `repeated` plays on every connection; otherwise `list` gives one script per connection. */
  constructor(
    private readonly repeated: StubScript.Script | undefined,
    private readonly list: ReadonlyArray<StubScript.Script>,
    /** check the server messages against the negotiated version (`faithful.ts`) */
    readonly faithful: boolean
  ) {}

  /**
   * A new connection's log and the script it plays; undefined, recorded as a deviation, when
   * every script of the list is taken.
   */
  accept(): { readonly conn: Conn; readonly script: StubScript.Script } | undefined {
    const { list, repeated } = this
    const id = this.connectionCount + 1
    let script: StubScript.Script
    let index: number
    if (repeated !== undefined) {
      script = repeated
      index = 1
    } else if (this.nextScript < list.length) {
      script = list[this.nextScript]!
      index = ++this.nextScript
    } else {
      const label = `connection #${id}`
      this.extra.push({
        deviation: deviation(undefined, undefined, label, {
          reason: `unexpected connection: the stub has ${list.length} script${list.length === 1 ? "" : "s"}, all taken`,
          expected: ["<no further connection>"],
          received: "<a new connection>"
        }),
        reported: false
      })
      return undefined
    }
    const label = repeated !== undefined ? `connection #${id}` : `connection #${id} (script ${index} of ${list.length})`
    const conn = new Conn(id, index, label, this.faithful)
    this.conns.push(conn)
    return { conn, script }
  }

  /** connections accepted, refused ones included */
  get connectionCount(): number {
    return this.conns.length + this.extra.length
  }

  /** the messages received by one connection (1-based), or by all in connection order */
  received(connection: number | undefined): Array<ReceivedMessage> {
    return connection === undefined
      ? this.conns.flatMap((c) => c.received)
      : [...(this.conns.find((c) => c.id === connection)?.received ?? [])]
  }

  /** every deviation so far, reported or not */
  deviations(): Array<Deviation> {
    return [
      ...this.extra.map((e) => e.deviation),
      ...this.conns.flatMap((c) => [...c.unfaithful, ...(c.deviation !== undefined ? [c.deviation] : [])])
    ]
  }

  /** Waits (real time, at most `timeout` ms) until every connection is closed or idle at a possible end. */
  settle(timeout: number): Effect.Effect<void> {
    const conns = this.conns
    return Effect.gen(function*() {
      const start = Date.now()
      yield* sleep(SETTLE_MS)
      while (Date.now() - start < timeout && !conns.every((c) => c.settled(Date.now()))) yield* sleep(5)
    })
  }

  /** Every problem not reported yet; marks them reported. */
  collect(): Array<Deviation> {
    const { conns, list } = this
    const out: Array<Deviation> = []
    for (const e of this.extra) {
      if (!e.reported) {
        e.reported = true
        out.push(e.deviation)
      }
    }
    for (const c of conns) {
      while (c.unfaithfulReported < c.unfaithful.length) out.push(c.unfaithful[c.unfaithfulReported++]!)
      if (c.reported) continue
      if (c.deviation === undefined && !c.complete) {
        c.deviation = deviation(c, c.script, c.label, {
          reason: c.open
            ? "the script was not played to its end (the connection is still open)"
            : "the script was not played to its end",
          expected: c.conversation?.expectedText() ?? ["<the rest of the handshake>"],
          received: "<nothing>"
        })
      }
      if (c.deviation !== undefined) {
        c.reported = true
        out.push(c.deviation)
      }
    }
    if (this.repeated === undefined && !this.unusedReported) {
      this.unusedReported = true
      for (let i = this.nextScript; i < list.length; i++) {
        out.push(deviation(undefined, i + 1, `script ${i + 1} of ${list.length}`, {
          reason: "never played: no connection was accepted for it",
          expected: ["<a connection>"],
          received: `<${conns.length} connection${conns.length === 1 ? "" : "s"} for ${list.length} scripts>`
        }))
      }
    }
    return out
  }
}

/** The text of `verify`'s error: a count, then each deviation's block. */
export const reportMessage = (address: string, problems: ReadonlyArray<Deviation>): string =>
  `StubServer ${address}: ${problems.length} deviation${problems.length === 1 ? "" : "s"} from the script\n\n` +
  problems.map((d) => d.text).join("\n\n")
