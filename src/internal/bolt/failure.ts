/**
 * FAILURE metadata to the driver's error classes (spec: bolt/message.adoc, messages-failure).
 *
 * Fields: `message` always; the Neo4j status code in `code` before 5.7 and in `neo4j_code` from
 * 5.7; from 5.7 also `gql_status`, `description`, `diagnostic_record` and a nested `cause`
 * (same shape, without a status code), mapped recursively into the error's `cause`.
 *
 * GQL defaults, as the reference drivers fill them for every server error (before 5.7 too) and
 * every cause: `gqlStatus` `50N42` when absent; `description` "error: general processing
 * exception - unexpected error. <message>" when absent or empty; the diagnostic record's
 * `OPERATION` "", `OPERATION_CODE` "0", `CURRENT_SCHEMA` "/" where a key is missing (a key the
 * server sent is kept, whatever its value); `classification` `CLIENT_ERROR`, `DATABASE_ERROR` or
 * `TRANSIENT_ERROR` from `_classification`, `UNKNOWN` otherwise, with the raw string in
 * `rawClassification`.
 *
 * Classification by status code:
 *
 * | code                                         | class                        | retriable |
 * | -------------------------------------------- | ---------------------------- | --------- |
 * | `Neo.ClientError.Security.Unauthorized`      | `AuthenticationError`        | no        |
 * | `Neo.ClientError.Security.AuthorizationExpired` | `AuthorizationExpiredError` | yes       |
 * | `Neo.ClientError.Security.TokenExpired`      | `TokenExpiredError`          | no        |
 * | `Neo.TransientError.Transaction.Terminated`, `...LockClientStopped` | `ClientError` with the `Neo.ClientError.Transaction.*` code | no |
 * | `Neo.TransientError.*`                       | `TransientError`             | yes       |
 * | `Neo.ClientError.Cluster.NotALeader`, `Neo.ClientError.General.ForbiddenOnReadOnlyDatabase` | `ClientError` | yes |
 * | `Neo.ClientError.*`                          | `ClientError`                | no        |
 * | `Neo.DatabaseError.*`                        | `DatabaseError`              | no        |
 * | missing or anything else                     | `DatabaseError` (message says why) | no  |
 *
 * The reclassification of `Terminated` / `LockClientStopped` follows neo4j-driver 5+ and the Go
 * driver: 4.x servers send them as transient, but a transaction killed on purpose must not be
 * retried. A nested `cause` has no status code by protocol: it is classified by its
 * `diagnostic_record._classification` (`CLIENT_ERROR`, `TRANSIENT_ERROR`, otherwise database).
 *
 * Messages: `<code>: <server's message>` when the FAILURE has a status code (every class, so
 * that the code shows wherever the message is printed), with a note appended for an unknown
 * code; the server's message with a note when the code is missing; a GQL `cause` keeps the
 * server's message as it is. The server's words stay verbatim in `serverMessage`. A failed
 * HELLO / LOGON (`login` given) adds the user (the auth token's principal, or its scheme when
 * it has none) and the server address to an `AuthenticationError`'s message. Nothing else from
 * the request is copied in, and never the credentials.
 */
import {
  AuthenticationError,
  AuthorizationExpiredError,
  ClientError,
  DatabaseError,
  type ServerError,
  type ServerFailure,
  TokenExpiredError,
  TransientError
} from "../../Neo4jError.js"
import type { ErrorClassification } from "../../Neo4jError.js"
import type { Capabilities } from "./version.js"

/** A deeper chain than this is cut (the innermost causes are dropped). */
const MAX_CAUSE_DEPTH = 32

const RECLASSIFIED: Readonly<Record<string, string>> = {
  "Neo.TransientError.Transaction.Terminated": "Neo.ClientError.Transaction.Terminated",
  "Neo.TransientError.Transaction.LockClientStopped": "Neo.ClientError.Transaction.LockClientStopped"
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)

const isMap = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** GQLSTATUS of a failure the server did not give one (general processing exception - unknown error). */
const UNKNOWN_GQL_STATUS = "50N42"
const UNKNOWN_DESCRIPTION = "error: general processing exception - unexpected error."

/** The diagnostic record's defaults (GQL). */
const DIAGNOSTIC_RECORD_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  OPERATION: "",
  OPERATION_CODE: "0",
  CURRENT_SCHEMA: "/"
})

/** The server's record completed with the defaults; spread, so that a `__proto__` key stays a plain key. */
const diagnosticRecordOf = (v: unknown): Readonly<Record<string, unknown>> => {
  if (!isMap(v)) return DIAGNOSTIC_RECORD_DEFAULTS
  if (Object.hasOwn(v, "OPERATION") && Object.hasOwn(v, "OPERATION_CODE") && Object.hasOwn(v, "CURRENT_SCHEMA")) return v
  return { ...DIAGNOSTIC_RECORD_DEFAULTS, ...v }
}

const classificationOf = (raw: string | undefined): ErrorClassification =>
  raw === "CLIENT_ERROR" || raw === "DATABASE_ERROR" || raw === "TRANSIENT_ERROR" ? raw : "UNKNOWN"

/**
 * Who was logging in where, for the message of an `AuthenticationError` from HELLO / LOGON: the
 * auth token's scheme and principal (never its credentials) and the server's address.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoginContext {
  readonly scheme: string
  readonly principal?: string | undefined
  readonly address: string
}

const describeLogin = (login: LoginContext): string =>
  login.principal !== undefined && login.principal !== ""
    ? `user ${JSON.stringify(login.principal)}, server ${login.address}`
    : `${login.scheme} auth, server ${login.address}`

const build = (
  m: Readonly<Record<string, unknown>>,
  caps: Capabilities | undefined,
  depth: number,
  login?: LoginContext
): ServerError => {
  // 5.7 renamed `code` to `neo4j_code`; read the negotiated one first and accept the other
  // (the spec's own examples mix them up).
  const preferGql = caps?.gqlErrors ?? "neo4j_code" in m
  const sent = preferGql ? (str(m.neo4j_code) ?? str(m.code)) : (str(m.code) ?? str(m.neo4j_code))
  const code = sent === undefined ? undefined : (RECLASSIFIED[sent] ?? sent)
  const diagnosticRecord = diagnosticRecordOf(m.diagnostic_record)
  const rawClassification = str(diagnosticRecord._classification)
  const classification = classificationOf(rawClassification)
  const serverMessage = str(m.message) ?? str(m.description) ?? "the server reported a failure without a message"
  const description = str(m.description)

  const props: Mutable<ServerFailure> = {
    // a GQL cause has no code: its message stays the server's
    message: code === undefined ? serverMessage : `${code}: ${serverMessage}`,
    serverMessage,
    gqlStatus: str(m.gql_status) ?? UNKNOWN_GQL_STATUS,
    description: description !== undefined && description !== "" ? description : `${UNKNOWN_DESCRIPTION} ${serverMessage}`,
    diagnosticRecord,
    classification
  }
  if (code !== undefined) props.code = code
  if (rawClassification !== undefined) props.rawClassification = rawClassification
  if (isMap(m.cause) && depth < MAX_CAUSE_DEPTH) props.cause = build(m.cause, caps, depth + 1)

  if (code === undefined) {
    if (depth > 0) {
      // a GQL cause: no status code by protocol
      if (classification === "CLIENT_ERROR") return new ClientError(props)
      if (classification === "TRANSIENT_ERROR") return new TransientError(props)
      return new DatabaseError(props)
    }
    props.message = `${serverMessage} (the server's FAILURE carried no status code)`
    return new DatabaseError(props)
  }
  if (code.startsWith("Neo.ClientError.")) {
    switch (code) {
      case "Neo.ClientError.Security.Unauthorized":
        if (login !== undefined) props.message = `${props.message} (${describeLogin(login)})`
        return new AuthenticationError(props)
      case "Neo.ClientError.Security.AuthorizationExpired":
        return new AuthorizationExpiredError(props)
      case "Neo.ClientError.Security.TokenExpired":
        return new TokenExpiredError(props)
      default:
        return new ClientError(props)
    }
  }
  if (code.startsWith("Neo.TransientError.")) return new TransientError(props)
  if (code.startsWith("Neo.DatabaseError.")) return new DatabaseError(props)
  props.message = `${code}: ${serverMessage} (unrecognised status code)`
  return new DatabaseError(props)
}

/**
 * Maps the metadata of a FAILURE message to one of the server error classes (see the module
 * comment for the table). `caps` says which field holds the status code (`neo4j_code` from 5.7);
 * without it, the metadata's own keys decide. `login`, for the answer to HELLO or LOGON, names
 * the user and the server in an `AuthenticationError`'s message.
 *
 * @since 0.1.0
 * @category errors
 */
export const failureToError = (
  metadata: Readonly<Record<string, unknown>>,
  caps?: Capabilities,
  login?: LoginContext
): ServerError => build(metadata, caps, 0, login)

/**
 * Whether a failure is of the server's security class (`Neo.ClientError.Security.*`): the auth
 * token manager is told of it, and its connection is not reused.
 *
 * @since 0.1.0
 */
export const isSecurityError = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === "string" && code.startsWith("Neo.ClientError.Security.")
}

/**
 * The same server error, marked as handled by the auth token manager (`handledByAuthManager`,
 * which makes it retriable).
 *
 * @since 0.1.0
 */
export const markHandled = <E extends object>(e: E): E => {
  const Ctor = e.constructor as new (fields: Record<string, unknown>) => E
  // `message` and `cause` are not own enumerable fields of a Data.TaggedError: copied by name
  const { cause, message } = e as { cause?: unknown; message?: unknown }
  return new Ctor({ ...e, message, ...(cause !== undefined ? { cause } : {}), handledByAuthManager: true })
}
