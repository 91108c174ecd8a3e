/**
 * Errors of the PackStream codec. The codec is synchronous: it throws one tagged
 * `PackStreamError`, which the connection catches once per message and turns into a typed failure.
 */
import * as Data from "effect/Data"

/**
 * Bytes that do not decode (truncated, unknown marker, length beyond the data) or a value that
 * cannot be encoded (unsupported type, integer out of the int64 range).
 *
 * @since 0.1.0
 * @category errors
 */
export class PackStreamError extends Data.TaggedError("PackStreamError")<{
  readonly message: string
}> {}

/** @internal throw helper, keeps call sites one line */
export const fail = (message: string): never => {
  throw new PackStreamError({ message })
}
