/**
 * Server errors' GQL fields as the reference drivers fill them (TestKit stub/errors: TestError5x6,
 * TestError5x7), over real sockets against the stub server through the public driver API: a
 * FAILURE with `code` (before Bolt 5.7) or `neo4j_code` and the GQL fields (5.7+), the defaults
 * (`50N42`, the default description and diagnostic record, classification `UNKNOWN`) where the
 * server leaves them out, and nested causes. Then `failureToError` itself, without a server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { ClientError, DatabaseError, type ServerError, TransientError } from "../../src/Neo4jError.js"
import { failureToError } from "../../src/internal/bolt/failure.js"
import { capabilities, version } from "../../src/internal/bolt/version.js"
import { StubServer } from "../../src/testing/index.js"
import { withDriver } from "../support.js"

type Json = Record<string, unknown>

const DEFAULT_DIAG = { CURRENT_SCHEMA: "/", OPERATION: "", OPERATION_CODE: "0" }

/** RUN fails with `failure`; the pipelined PULL is IGNORED; the connection is RESET. */
const script = (boltVersion: string, failure: Json) => `!: BOLT ${boltVersion}
A: HELLO
A: LOGON
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE ${JSON.stringify(failure)}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`

const runAndConsume = (driver: Neo4jDriver.Neo4jDriver) =>
  Effect.flatMap(driver.session(), (session) => Effect.flatMap(session.run("RETURN 1"), (r) => r.consume))

/** The error of `RETURN 1` against a stub failing it with `failure`. */
const errorOf = (boltVersion: string, failure: Json) =>
  Effect.gen(function* () {
    const stub = yield* StubServer.make({ script: script(boltVersion, failure) })
    const error = yield* withDriver(stub, runAndConsume).pipe(Effect.flip)
    yield* stub.verify
    return error as ServerError
  })

/** A 5.7 FAILURE as TestKit builds it (`_make_test_error_data`); `null` leaves a field out. */
const testError = ({
  status = "01N00",
  description = "cool class - mediocre subclass",
  message = "Sever ain't cool with this, John Doe!",
  code = "Neo.ClientError.User.Uncool",
  diagnosticRecord = { ...DEFAULT_DIAG, _classification: "CLIENT_ERROR", _status_parameters: { userName: "John Doe" } },
  cause
}: {
  status?: string | null
  description?: string | null
  message?: string | null
  code?: string | null
  diagnosticRecord?: Json | null
  cause?: Json
} = {}): Json => {
  const data: Json = {}
  if (status !== null) data.gql_status = status
  if (description !== null) data.description = description
  if (message !== null) data.message = message
  if (code !== null) data.neo4j_code = code
  if (diagnosticRecord !== null) data.diagnostic_record = diagnosticRecord
  if (cause !== undefined) data.cause = cause
  return data
}

/** TestKit `_assert_is_test_error`: every GQL field as sent or defaulted, down the cause chain. */
const expectTestError = (error: unknown, data: Json): void => {
  const e = error as ServerError
  expect(e.gqlStatus).toBe(data.gql_status)
  expect(e.description).toBe(data.description)
  // TestKit compares the server's words (the backend sends `serverMessage`); the driver's message leads with the code
  expect(e.serverMessage).toBe(data.message)
  expect(e.message).toBe("neo4j_code" in data ? `${String(data.neo4j_code)}: ${String(data.message)}` : data.message)
  if ("neo4j_code" in data) expect(e.code).toBe(data.neo4j_code)
  else expect(e.code).toBeUndefined()
  const diag: Json = { ...DEFAULT_DIAG, ...((data.diagnostic_record as Json | undefined) ?? {}) }
  expect(e.diagnosticRecord).toEqual(diag)
  const raw = diag._classification
  expect(e.rawClassification).toBe(typeof raw === "string" ? raw : undefined)
  expect(e.classification).toBe(
    raw === "CLIENT_ERROR" || raw === "DATABASE_ERROR" || raw === "TRANSIENT_ERROR" ? raw : "UNKNOWN"
  )
  if ("cause" in data) expectTestError(e.cause, data.cause as Json)
  else expect(e.cause).toBeUndefined()
}

describe("before Bolt 5.7 (TestError5x6): the GQL defaults", () => {
  for (const [code, tag, retriable] of [
    ["Neo.ClientError.User.Uncool", "ClientError", false],
    ["Neo.TransientError.Oopsie.OhSnap", "TransientError", true]
  ] as const) {
    it.scopedLive(`${code}: 50N42, the default description naming the message, the default record, UNKNOWN`, () =>
      Effect.gen(function* () {
        const message = "Sever ain't cool with this!"
        const e = yield* errorOf("5.6", { code, message })
        expect(e._tag).toBe(tag)
        expect(e.code).toBe(code)
        expect(e.message).toBe(`${code}: ${message}`)
        expect(e.serverMessage).toBe(message)
        expect(e.retriable).toBe(retriable)
        expect(e.gqlStatus).toBe("50N42")
        expect(e.description).toBe(`error: general processing exception - unexpected error. ${message}`)
        expect(e.diagnosticRecord).toEqual(DEFAULT_DIAG)
        expect(e.classification).toBe("UNKNOWN")
        expect(e.rawClassification).toBeUndefined()
        expect(e.cause).toBeUndefined()
      })
    )
  }
})

describe("Bolt 5.7+ (TestError5x7): GQL fields as sent, defaults where missing, causes", () => {
  it.scopedLive("a simple GQL error", () =>
    Effect.gen(function* () {
      const data = testError()
      const e = yield* errorOf("5.7", data)
      expect(e._tag).toBe("ClientError")
      expectTestError(e, data)
    })
  )

  it.scopedLive("nested causes (depth 1 and 10): each with its fields; no code; made-up classifications are UNKNOWN", () =>
    Effect.gen(function* () {
      for (const depth of [1, 10]) {
        let cause: Json | undefined
        for (let i = depth; i > 0; i--) {
          const n = String(i).padStart(2, "0")
          cause = testError({
            status: `01N${n}`,
            description: `description (${i})`,
            message: `message (${i})`,
            code: null,
            diagnosticRecord: { CURRENT_SCHEMA: `/${i}`, OPERATION: `OP${i}`, OPERATION_CODE: `${i}`, _classification: `CLIENT_ERROR${i}`, _status_parameters: { nestedCause: i } },
            ...(cause ? { cause } : {})
          })
        }
        const data = testError({ cause: cause! })
        const e = yield* errorOf("5.7", data)
        expectTestError(e, data)
        // a cause with an unknown classification is a DatabaseError, as the spec's examples
        expect(e.cause).toBeInstanceOf(DatabaseError)
      }
    })
  )

  it.scopedLive("classification: the three known ones, a made-up one is UNKNOWN (raw kept); as the error and as its cause", () =>
    Effect.gen(function* () {
      for (const asCause of [false, true]) {
        for (const classification of ["CLIENT_ERROR", "DATABASE_ERROR", "TRANSIENT_ERROR", "SECURITY_ERROR"]) {
          const inner = testError({
            diagnosticRecord: { ...DEFAULT_DIAG, _classification: classification, _status_parameters: { userName: "John Doe" } },
            ...(asCause ? { code: null } : {})
          })
          const data = asCause ? testError({ cause: inner }) : inner
          const e = yield* errorOf("5.7", data)
          expectTestError(e, data)
          // the status code classifies an error; a cause, without one, goes by its classification
          expect(e._tag).toBe("ClientError")
          if (asCause) {
            const expected = classification === "CLIENT_ERROR" ? ClientError : classification === "TRANSIENT_ERROR" ? TransientError : DatabaseError
            expect(e.cause).toBeInstanceOf(expected)
          }
        }
      }
    })
  )

  it.scopedLive("no diagnostic record, or one without a key: the defaults fill in; as the error and as its cause", () =>
    Effect.gen(function* () {
      const records: Array<Json | null> = [
        null,
        ...["CURRENT_SCHEMA", "OPERATION", "OPERATION_CODE"].map((missing) => {
          const d: Json = { ...DEFAULT_DIAG, _classification: "CLIENT_ERROR", _status_parameters: { userName: "John Doe" } }
          delete d[missing]
          return d
        })
      ]
      for (const asCause of [false, true]) {
        for (const diagnosticRecord of records) {
          const inner = testError({ diagnosticRecord, ...(asCause ? { code: null } : {}) })
          const data = asCause ? testError({ cause: inner }) : inner
          expectTestError(yield* errorOf("5.7", data), data)
        }
      }
    })
  )

  it.scopedLive("rubbish in the diagnostic record is kept; a classification that is no string is UNKNOWN, no raw", () =>
    Effect.gen(function* () {
      for (const asCause of [false, true]) {
        const diagnosticRecord = {
          foo: "bar",
          _baz: 1.5,
          "_🤡": "🎈",
          OPERATION: null,
          CURRENT_SCHEMA: { uh: "oh!" },
          OPERATION_CODE: false,
          _classification: 42,
          _status_parameters: ["whatever"]
        }
        const inner = testError({ diagnosticRecord, ...(asCause ? { code: null } : {}) })
        const data = asCause ? testError({ cause: inner }) : inner
        const e = yield* errorOf("5.7", data)
        expectTestError(e, data)
        const withRubbish = (asCause ? e.cause : e) as ServerError
        expect(withRubbish.diagnosticRecord).toEqual(diagnosticRecord)
        expect(withRubbish.rawClassification).toBeUndefined()
      }
    })
  )

  it.scopedLive("retriable by the Neo4j code", () =>
    Effect.gen(function* () {
      for (const [code, retriable] of [
        ["Neo.ClientError.User.Uncool", false],
        ["Neo.TransientError.Oopsie.OhSnap", true]
      ] as const) {
        const data = testError({ code })
        const e = yield* errorOf("5.7", data)
        expectTestError(e, data)
        expect(e.retriable).toBe(retriable)
      }
    })
  )

  it.scopedLive("a 5.7 FAILURE without its GQL fields gets the defaults too", () =>
    Effect.gen(function* () {
      const e = yield* errorOf("5.7", { neo4j_code: "Neo.ClientError.Statement.SyntaxError", message: "bad" })
      expect(e).toMatchObject({
        gqlStatus: "50N42",
        description: "error: general processing exception - unexpected error. bad",
        diagnosticRecord: DEFAULT_DIAG,
        classification: "UNKNOWN"
      })
    })
  )
})

describe("failureToError: the GQL defaults, without a server", () => {
  const V56 = capabilities(version(5, 6))
  const V57 = capabilities(version(5, 7))

  it("an empty description counts as none; a missing message is named in the default", () => {
    const e = failureToError({ neo4j_code: "Neo.ClientError.Statement.SyntaxError", message: "m", description: "" }, V57)
    expect(e.description).toBe("error: general processing exception - unexpected error. m")
    const none = failureToError({ code: "Neo.DatabaseError.General.UnknownError" }, V56)
    expect(none.description).toBe(
      "error: general processing exception - unexpected error. the server reported a failure without a message"
    )
  })

  it("a code-less FAILURE: the status description names the server's message, not the driver's note", () => {
    const e = failureToError({ message: "boom" })
    expect(e.message).toBe("boom (the server's FAILURE carried no status code)")
    expect(e.serverMessage).toBe("boom")
    expect(e.description).toBe("error: general processing exception - unexpected error. boom")
    expect(e.gqlStatus).toBe("50N42")
  })

  it("a complete record is kept as sent (the same object); a __proto__ key stays a plain key", () => {
    const record = { ...DEFAULT_DIAG, _classification: "TRANSIENT_ERROR" }
    const e = failureToError({ neo4j_code: "Neo.TransientError.General.DatabaseUnavailable", message: "m", diagnostic_record: record }, V57)
    expect(e.diagnosticRecord).toBe(record)
    expect(e.classification).toBe("TRANSIENT_ERROR")
    const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Json
    const p = failureToError({ neo4j_code: "Neo.ClientError.Statement.SyntaxError", message: "m", diagnostic_record: proto }, V57)
    expect(Object.hasOwn(p.diagnosticRecord!, "__proto__")).toBe(true)
    expect((p.diagnosticRecord as { polluted?: unknown }).polluted).toBeUndefined()
    expect(p.diagnosticRecord).toMatchObject(DEFAULT_DIAG)
  })
})
