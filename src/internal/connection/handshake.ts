/**
 * The Bolt handshake on an open socket: the client's offer out, the server's answer in (plain or
 * manifest, possibly split across reads). A server that closes the socket is a
 * ServiceUnavailableError; an answer naming no common version, or HTTP on the Bolt port, a
 * ProtocolError (from `bolt/handshake.ts`).
 */
import * as Effect from "effect/Effect"
import { ProtocolError, ServiceUnavailableError } from "../../Neo4jError.js"
import type { Neo4jError } from "../../Neo4jError.js"
import { CLIENT_OFFER, parseServerAnswer } from "../bolt/handshake.js"
import type { Negotiated } from "../bolt/handshake.js"
import type { ByteSocket } from "../transport/socket.js"

/**
 * Sends the client's offer and reads the server's answer, as many reads as it takes. Returns the
 * negotiated version and the bytes that came after the answer (the start of the first message,
 * for the dechunker).
 *
 * @since 0.1.0
 */
export const handshake = (
  socket: ByteSocket
): Effect.Effect<{ readonly negotiated: Negotiated; readonly rest: Uint8Array }, Neo4jError> =>
  Effect.gen(function* () {
    yield* socket.write(CLIENT_OFFER)
    let buffered: Uint8Array = new Uint8Array(0)
    let negotiated: Negotiated | undefined
    while (negotiated === undefined) {
      const bytes = yield* socket.read
      if (bytes === undefined) {
        return yield* Effect.fail(
          new ServiceUnavailableError({
            reason: "Closed",
            address: socket.address,
            message: `the server at ${socket.address} closed the connection during the Bolt handshake${
              buffered.length > 0 ? ` after ${buffered.length} bytes` : ""
            }${
              // with TLS 1.3, a server that refuses the client's certificate may just hang up
              // after the TLS handshake, which the client has finished by then
              buffered.length === 0 && socket.tls?.clientCertificate === true
                ? " (right after the TLS handshake: the server may have refused the client certificate)"
                : ""
            }`
          })
        )
      }
      buffered = concat(buffered, bytes)
      negotiated = yield* Effect.try({
        try: () => parseServerAnswer(buffered),
        catch: (e) =>
          e instanceof ProtocolError ? e : new ProtocolError({ message: `handshake failed: ${String(e)}`, cause: e })
      })
    }
    return { negotiated, rest: buffered.subarray(negotiated.consumed) }
  })

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
