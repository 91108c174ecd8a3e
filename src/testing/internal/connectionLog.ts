/**
 * One accepted connection of the stub server: its log (handshake, messages received, how it
 * ended), where it stands in its script, and its deviation as the block `verify` reports.
 */
import type { ConnectionLog, Deviation, PeerCertificate } from "../StubServer.js"
import type { Conversation, Mismatch, ReceivedMessage } from "./engine.js"

/** Milliseconds a connection must be idle at a possible end before `verify` trusts it. */
export const SETTLE_MS = 20

/** One accepted connection: its log and where it stands. */
export class Conn {
  readonly received: Array<ReceivedMessage> = []
  preamble: string | undefined
  proposals: Array<string> = []
  manifest = false
  version: string | undefined
  capabilities: bigint | undefined
  open = true
  /** the fiber has finished (EOF handled) */
  done = false
  /** blocked waiting for client bytes */
  waiting = false
  lastActivity = Date.now()
  /** the script ended by <EXIT>/<STALL> (or the handshake ended it) */
  final: "exit" | "stall" | undefined
  deviation: Deviation | undefined
  reported = false
  /** server messages unfaithful to the negotiated version (see `faithful.ts`), in order */
  readonly unfaithful: Array<Deviation> = []
  /** how many of `unfaithful` were reported */
  unfaithfulReported = 0
  conversation: Conversation | undefined
  /** the certificate the client presented (mutual TLS) */
  peerCertificate: PeerCertificate | undefined

  constructor(
    readonly id: number,
    readonly script: number | undefined,
    readonly label: string,
    /** check the server messages against the negotiated version */
    readonly faithful = true
  ) {}

  get complete(): boolean {
    if (this.deviation !== undefined) return false
    if (this.final !== undefined) return true
    const c = this.conversation
    return c !== undefined && c.complete && (this.waiting || this.done)
  }

  settled(now: number): boolean {
    return this.done || this.final !== undefined || this.deviation !== undefined ||
      (this.waiting && this.complete && now - this.lastActivity >= SETTLE_MS)
  }

  snapshot(): ConnectionLog {
    return {
      id: this.id,
      script: this.script,
      peerCertificate: this.peerCertificate,
      handshake: {
        preamble: this.preamble,
        proposals: [...this.proposals],
        manifest: this.manifest,
        version: this.version,
        capabilities: this.capabilities
      },
      received: [...this.received],
      open: this.open,
      complete: this.complete,
      deviation: this.deviation
    }
  }
}

const render = (label: string, m: Mismatch): string => {
  const lines = [`${label}: ${m.reason}`]
  m.expected.forEach((e, i) => lines.push(`  ${i === 0 ? "expected:" : "      or:"} ${e}`))
  lines.push(`  received: ${m.received}`)
  if (m.detail !== undefined) lines.push(`  at:       ${m.detail}`)
  return lines.join("\n")
}

export const deviation = (
  conn: Conn | undefined,
  script: number | undefined,
  label: string,
  m: Mismatch,
  unfaithful = false
): Deviation => ({
  connection: conn?.id,
  unfaithful,
  script,
  reason: m.reason,
  expected: m.expected,
  received: m.received,
  detail: m.detail,
  text: render(label, m)
})
