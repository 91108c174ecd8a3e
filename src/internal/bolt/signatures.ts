/** Bolt message signatures (spec: bolt/message.adoc). */
export const HELLO = 0x01
export const GOODBYE = 0x02
export const RESET = 0x0f
export const RUN = 0x10
export const BEGIN = 0x11
export const COMMIT = 0x12
export const ROLLBACK = 0x13
export const DISCARD = 0x2f
export const PULL = 0x3f
export const TELEMETRY = 0x54
export const ROUTE = 0x66
export const LOGON = 0x6a
export const LOGOFF = 0x6b
export const SUCCESS = 0x70
export const RECORD = 0x71
export const IGNORED = 0x7e
export const FAILURE = 0x7f

/** Message names by signature, for traces and the stub server's diffs. */
export const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  [HELLO]: "HELLO",
  [GOODBYE]: "GOODBYE",
  [RESET]: "RESET",
  [RUN]: "RUN",
  [BEGIN]: "BEGIN",
  [COMMIT]: "COMMIT",
  [ROLLBACK]: "ROLLBACK",
  [DISCARD]: "DISCARD",
  [PULL]: "PULL",
  [TELEMETRY]: "TELEMETRY",
  [ROUTE]: "ROUTE",
  [LOGON]: "LOGON",
  [LOGOFF]: "LOGOFF",
  [SUCCESS]: "SUCCESS",
  [RECORD]: "RECORD",
  [IGNORED]: "IGNORED",
  [FAILURE]: "FAILURE"
}

/** Signature by message name (inverse of MESSAGE_NAMES). */
export const SIGNATURES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(MESSAGE_NAMES).map(([sig, name]) => [name, Number(sig)])
)
