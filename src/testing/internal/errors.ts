/**
 * The error of script construction: a text script that does not parse, or a script whose shape
 * the stub cannot play (for example an optional block that starts with a server step).
 */
import * as Data from "effect/Data"

/**
 * A script that does not parse or cannot be played; `line` is set for text scripts.
 *
 * @since 0.1.0
 * @category errors
 */
export class StubScriptError extends Data.TaggedError("StubScriptError")<{
  readonly message: string
  readonly line?: number | undefined
}> {}

/** @internal throw helper */
export const scriptError = (message: string, line?: number): never => {
  throw new StubScriptError({ message: line === undefined ? message : `line ${line}: ${message}`, line })
}
