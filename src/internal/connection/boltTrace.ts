/**
 * The Bolt message trace at Debug level: a connection opened while the fiber's minimum log level
 * lets Debug through notes every message it writes and every summary it reads, in the spec's
 * textual form with secrets redacted (`bolt/trace.ts`: credentials, auth parameters and
 * `Redacted` values never print), and logs them a batch at a time: one log line per write and
 * per awaited answer, annotated with the server's address. RECORDs are counted, not shown (a
 * result may hold millions; their values are the application's data). Query parameters show
 * their keys, not their values (`{"name": <redacted>}`), unless `showParameters` is set in the
 * fiber that opens the connection (the public opt-in: `Neo4jDriver.withBoltTraceParameters`).
 * At any other log level there is no trace object and the connection's hot path does nothing
 * more.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as GlobalValue from "effect/GlobalValue"
import * as LogLevel from "effect/LogLevel"
import { formatFrames, formatResponse } from "../bolt/trace.js"
import type { Response } from "../bolt/responses.js"

/**
 * A connection's trace buffer.
 *
 * @since 0.1.0
 */
export interface BoltTrace {
  /** Notes the messages of one write (framed bytes, as the chunker produced them). */
  readonly sent: (framed: Uint8Array) => void
  /** Counts a RECORD. */
  readonly record: () => void
  /** Notes a summary (after the RECORDs counted before it). */
  readonly received: (response: Response) => void
  /** Logs what was noted since the last time, at Debug. */
  readonly emit: Effect.Effect<void>
}

/**
 * Whether the trace shows the values of query parameters; false by default. Read, like the log
 * level, when a connection is opened.
 *
 * @since 0.1.0
 */
export const showParameters: FiberRef.FiberRef<boolean> = GlobalValue.globalValue(
  Symbol.for("effect-neo4j/BoltTrace/showParameters"),
  () => FiberRef.unsafeMake(false)
)

const makeTrace = (address: string, parameters: boolean): BoltTrace => {
  const options = { parameters }
  let lines: Array<string> = []
  let records = 0
  const flushRecords = () => {
    if (records === 0) return
    lines.push(`S: RECORD × ${records}`)
    records = 0
  }
  return {
    sent: (framed) => {
      for (const line of formatFrames(framed, options)) lines.push(`C: ${line}`)
    },
    record: () => {
      records++
    },
    received: (response) => {
      flushRecords()
      lines.push(`S: ${formatResponse(response)}`)
    },
    emit: Effect.suspend(() => {
      flushRecords()
      if (lines.length === 0) return Effect.void
      const text = lines.join("\n")
      lines = []
      return Effect.logDebug(text).pipe(Effect.annotateLogs("bolt.server", address))
    })
  }
}

/**
 * A trace for a connection to `address`, when the current fiber logs at Debug (or finer);
 * undefined otherwise.
 *
 * @since 0.1.0
 */
export const make = (address: string): Effect.Effect<BoltTrace | undefined> =>
  Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (level) =>
    LogLevel.lessThanEqual(level, LogLevel.Debug)
      ? Effect.map(FiberRef.get(showParameters), (parameters) => makeTrace(address, parameters))
      : Effect.succeed(undefined)
  )
