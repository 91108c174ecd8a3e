import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { failureToError } from "../../src/internal/bolt/failure.js"
import { capabilities, version } from "../../src/internal/bolt/version.js"
import {
  AuthenticationError,
  AuthorizationExpiredError,
  ClientError,
  DatabaseError,
  isRetriable,
  type Neo4jError,
  type ServerError,
  TokenExpiredError,
  TransientError
} from "../../src/Neo4jError.js"

const V56 = capabilities(version(5, 6))
const V57 = capabilities(version(5, 7))
const V44 = capabilities(version(4, 4))

type Tag = ServerError["_tag"]

/** [code sent, class, retriable, code kept on the error] */
const TABLE: ReadonlyArray<readonly [string, Tag, boolean, string?]> = [
  ["Neo.ClientError.Security.Unauthorized", "AuthenticationError", false],
  ["Neo.ClientError.Security.AuthorizationExpired", "AuthorizationExpiredError", true],
  ["Neo.ClientError.Security.TokenExpired", "TokenExpiredError", false],
  ["Neo.ClientError.Security.Forbidden", "ClientError", false],
  ["Neo.ClientError.Security.CredentialsExpired", "ClientError", false],
  ["Neo.ClientError.Security.AuthenticationRateLimit", "ClientError", false],
  ["Neo.ClientError.Statement.SyntaxError", "ClientError", false],
  ["Neo.ClientError.Statement.ParameterMissing", "ClientError", false],
  ["Neo.ClientError.Statement.EntityNotFound", "ClientError", false],
  ["Neo.ClientError.Schema.ConstraintValidationFailed", "ClientError", false],
  ["Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists", "ClientError", false],
  ["Neo.ClientError.Cluster.NotALeader", "ClientError", true],
  ["Neo.ClientError.General.ForbiddenOnReadOnlyDatabase", "ClientError", true],
  ["Neo.ClientError.Database.DatabaseNotFound", "ClientError", false],
  ["Neo.ClientError.Request.Invalid", "ClientError", false],
  ["Neo.ClientError.Transaction.TransactionTimedOut", "ClientError", false],
  ["Neo.ClientError.Transaction.Terminated", "ClientError", false],
  ["Neo.ClientError.Transaction.LockClientStopped", "ClientError", false],
  // 4.x servers send these two as transient: reclassified like neo4j-driver 5+ and the Go driver
  ["Neo.TransientError.Transaction.Terminated", "ClientError", false, "Neo.ClientError.Transaction.Terminated"],
  [
    "Neo.TransientError.Transaction.LockClientStopped",
    "ClientError",
    false,
    "Neo.ClientError.Transaction.LockClientStopped"
  ],
  ["Neo.TransientError.Transaction.DeadlockDetected", "TransientError", true],
  ["Neo.TransientError.Transaction.LockAcquisitionTimeout", "TransientError", true],
  ["Neo.TransientError.Transaction.Outdated", "TransientError", true],
  ["Neo.TransientError.General.MemoryPoolOutOfMemoryError", "TransientError", true],
  ["Neo.TransientError.General.DatabaseUnavailable", "TransientError", true],
  ["Neo.TransientError.Database.DatabaseUnavailable", "TransientError", true],
  ["Neo.TransientError.Cluster.ReplicationFailure", "TransientError", true],
  ["Neo.DatabaseError.General.UnknownError", "DatabaseError", false],
  ["Neo.DatabaseError.Statement.ExecutionFailed", "DatabaseError", false],
  ["Neo.DatabaseError.Transaction.TransactionCommitFailed", "DatabaseError", false],
  ["Neo.DatabaseError.Schema.IndexCreationFailed", "DatabaseError", false]
]

const CLASSES = {
  AuthenticationError,
  AuthorizationExpiredError,
  TokenExpiredError,
  TransientError,
  ClientError,
  DatabaseError
} as const

describe("failureToError: classification by status code", () => {
  const rows = TABLE.map(([sent, tag, retriable, kept]) => ({ sent, tag, retriable, kept }))
  describe.each(rows)("$sent", ({ sent, tag, retriable, kept }) => {
    it("before 5.7 (`code`)", () => {
      const e = failureToError({ code: sent, message: "the server's words" }, V56)
      expect(e).toBeInstanceOf(CLASSES[tag])
      expect(e._tag).toBe(tag)
      expect(e.retriable).toBe(retriable)
      expect(isRetriable(e)).toBe(retriable)
      expect(e.code).toBe(kept ?? sent)
      // every class leads with the status code; the server's words are kept as they are
      expect(e.message).toBe(`${kept ?? sent}: the server's words`)
      expect(e.serverMessage).toBe("the server's words")
      // the GQL defaults, as the reference drivers fill them before 5.7
      expect(e.gqlStatus).toBe("50N42")
      expect(e.description).toBe("error: general processing exception - unexpected error. the server's words")
      expect(e.diagnosticRecord).toEqual({ OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" })
      expect(e.classification).toBe("UNKNOWN")
      expect(e.cause).toBeUndefined()
    })

    it("from 5.7 (`neo4j_code` and GQL fields)", () => {
      const e = failureToError(
        {
          neo4j_code: sent,
          message: "m",
          gql_status: "50N42",
          description: "error: general processing exception - unexpected error",
          diagnostic_record: { _classification: "CLIENT_ERROR", OPERATION: "" }
        },
        V57
      )
      expect(e._tag).toBe(tag)
      expect(e.retriable).toBe(retriable)
      expect(e.code).toBe(kept ?? sent)
      expect(e.gqlStatus).toBe("50N42")
      expect(e.description).toBe("error: general processing exception - unexpected error")
      expect(e.diagnosticRecord).toEqual({ _classification: "CLIENT_ERROR", OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" })
      expect(e.classification).toBe("CLIENT_ERROR")
    })
  })

  it("a missing code maps to DatabaseError and says so", () => {
    const e = failureToError({ message: "boom" })
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e.code).toBeUndefined()
    expect(e.message).toBe("boom (the server's FAILURE carried no status code)")
    expect(e.retriable).toBe(false)
    // a classification alone does not classify a top-level failure
    expect(failureToError({ message: "x", diagnostic_record: { _classification: "TRANSIENT_ERROR" } }, V57)._tag).toBe(
      "DatabaseError"
    )
  })

  it("an unknown code maps to DatabaseError, keeps the code, and says so", () => {
    const e = failureToError({ code: "Example.Failure.Code", message: "example failure" }, V44)
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e.code).toBe("Example.Failure.Code")
    expect(e.message).toBe("Example.Failure.Code: example failure (unrecognised status code)")
    // a prefix without its dot is not a class
    expect(failureToError({ code: "Neo.ClientErrorX.Foo", message: "m" })._tag).toBe("DatabaseError")
    expect(failureToError({ code: "Neo.TransientError", message: "m" })._tag).toBe("DatabaseError")
  })

  it("a failed login (HELLO / LOGON): the AuthenticationError names the user, or the scheme, and the server", () => {
    const failure = { code: "Neo.ClientError.Security.Unauthorized", message: "The client is unauthorized due to authentication failure." }
    const lead = "Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure."
    const address = "db.example.com:7687"
    expect(failureToError(failure, V44, { scheme: "basic", principal: "ada", address }).message).toBe(
      `${lead} (user "ada", server db.example.com:7687)`
    )
    expect(failureToError(failure, V44, { scheme: "bearer", address }).message).toBe(`${lead} (bearer auth, server db.example.com:7687)`)
    expect(failureToError(failure, V44, { scheme: "kerberos", principal: "", address }).message).toBe(
      `${lead} (kerberos auth, server db.example.com:7687)`
    )
    expect(failureToError(failure, V44, { scheme: "basic", principal: "ada", address }).serverMessage).toBe(failure.message)
    // another class, even at login, is left as it is
    expect(
      failureToError({ code: "Neo.ClientError.Security.TokenExpired", message: "m" }, V44, { scheme: "bearer", address }).message
    ).toBe("Neo.ClientError.Security.TokenExpired: m")
  })

  it("fields of the wrong type are ignored rather than trusted", () => {
    const e = failureToError({ code: 42, message: ["x"], gql_status: 1, diagnostic_record: "no", cause: "no" })
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e.code).toBeUndefined()
    expect(e.message).toBe("the server reported a failure without a message (the server's FAILURE carried no status code)")
    expect(e.gqlStatus).toBe("50N42")
    expect(e.diagnosticRecord).toEqual({ OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" })
    expect(e.cause).toBeUndefined()
    // without a message, the GQL description is the message
    expect(failureToError({ neo4j_code: "Neo.ClientError.Statement.SyntaxError", description: "d" }, V57).message).toBe(
      "Neo.ClientError.Statement.SyntaxError: d"
    )
  })

  it("the code field follows the version, accepting the other name too", () => {
    const both = { code: "Neo.ClientError.Statement.SyntaxError", neo4j_code: "Neo.TransientError.General.DatabaseUnavailable", message: "m" }
    expect(failureToError(both, V56)._tag).toBe("ClientError")
    expect(failureToError(both, V57)._tag).toBe("TransientError")
    // without caps, the presence of neo4j_code decides
    expect(failureToError(both)._tag).toBe("TransientError")
    // the spec's LOGOFF example labelled v5.7+ uses `code`
    const logoff = failureToError(
      {
        code: "Neo.ClientError.Request.Invalid",
        message: "Message 'LogoffMessage{}' cannot be handled by a session in the FAILED state."
      },
      V57
    )
    expect(logoff).toBeInstanceOf(ClientError)
    expect(logoff.code).toBe("Neo.ClientError.Request.Invalid")
    // a 5.7 field on an older version still counts
    expect(failureToError({ neo4j_code: "Neo.ClientError.Security.Unauthorized", message: "m" }, V44)._tag).toBe(
      "AuthenticationError"
    )
  })
})

describe("failureToError: GQL causes (spec examples)", () => {
  it("LOGOFF in READY (v5.1+ example): nested cause mapped by its classification", () => {
    const e = failureToError(
      {
        neo4j_code: "Neo.ClientError.Request.Invalid",
        message: "Message 'LogoffMessage{}' cannot be handled by session in the READY state",
        gql_status: "08N06",
        description: "error: connection exception - protocol error. General network protocol error.",
        diagnostic_record: { _classification: "CLIENT_ERROR" },
        cause: {
          message: "08N10: Message LogoffMessage{} cannot be handled by session in the 'READY' state.",
          gql_status: "08N10",
          description:
            "error: connection exception - invalid server state. Message LogoffMessage{} cannot be handled by session in the 'READY' state.",
          diagnostic_record: { _classification: "CLIENT_ERROR" }
        }
      },
      V57
    )
    expect(e).toBeInstanceOf(ClientError)
    expect(e.message).toBe("Neo.ClientError.Request.Invalid: Message 'LogoffMessage{}' cannot be handled by session in the READY state")
    expect(e.gqlStatus).toBe("08N06")
    const cause = e.cause as ServerError
    expect(cause).toBeInstanceOf(ClientError)
    expect(cause.code).toBeUndefined()
    expect(cause.gqlStatus).toBe("08N10")
    expect(cause.message).toBe("08N10: Message LogoffMessage{} cannot be handled by session in the 'READY' state.")
    expect(cause.description).toMatch(/^error: connection exception - invalid server state/)
    expect(cause.cause).toBeUndefined()
    // the cause is the standard Error cause too
    expect((e as Error).cause).toBe(cause)
  })

  it("TELEMETRY 9001 (v5.7+ example): DatabaseError caused by a DATABASE_ERROR", () => {
    const e = failureToError(
      {
        neo4j_code: "Neo.DatabaseError.General.UnknownError",
        message: "org.neo4j.packstream.error.reader.PackstreamReaderException: Unknown driver interface type 9001",
        gql_status: "50N00",
        description: "error: general processing exception - internal error.",
        cause: {
          message: "50N09: The server transitioned into a server state that is not valid in the current context: 'uncaught error'.",
          gql_status: "50N09",
          description: "error: general processing exception - invalid server state transition.",
          diagnostic_record: { _classification: "DATABASE_ERROR" }
        }
      },
      V57
    )
    expect(e).toBeInstanceOf(DatabaseError)
    expect(e.classification).toBe("UNKNOWN")
    expect(e.cause).toBeInstanceOf(DatabaseError)
    expect((e.cause as DatabaseError).gqlStatus).toBe("50N09")
    expect((e.cause as DatabaseError).message).not.toContain("no status code")
  })

  it("TELEMETRY \"oh no!\" (v5.7+ example): cause without its own diagnostic record classification", () => {
    const e = failureToError(
      {
        neo4j_code: "Neo.ClientError.Request.Invalid",
        message: "Unexpected type: Expected INT but got STRING",
        gql_status: "22G03",
        description: "error: data exception - invalid value type",
        cause: { message: "22N01: Expected the value 128 to be of type INT, but was of type STRING.", gql_status: "22N01" }
      },
      V57
    )
    expect(e).toBeInstanceOf(ClientError)
    expect(e.cause).toBeInstanceOf(DatabaseError)
    expect((e.cause as DatabaseError).gqlStatus).toBe("22N01")
  })

  it("causes nest recursively; a transient cause does not change the outer flag", () => {
    const e = failureToError(
      {
        neo4j_code: "Neo.ClientError.Statement.SyntaxError",
        message: "outer",
        cause: {
          message: "middle",
          gql_status: "22000",
          diagnostic_record: { _classification: "TRANSIENT_ERROR" },
          cause: { message: "inner", gql_status: "42001", diagnostic_record: { _classification: "CLIENT_ERROR" } }
        }
      },
      V57
    )
    expect(e.retriable).toBe(false)
    const middle = e.cause as TransientError
    expect(middle).toBeInstanceOf(TransientError)
    expect(middle.message).toBe("middle")
    expect(middle.retriable).toBe(true)
    const inner = middle.cause as ClientError
    expect(inner).toBeInstanceOf(ClientError)
    expect(inner.message).toBe("inner")
    expect(inner.cause).toBeUndefined()
  })

  it("a pathological chain is cut instead of recursing without end", () => {
    let m: Record<string, unknown> = { message: "leaf" }
    for (let i = 0; i < 100; i++) m = { message: `level ${i}`, cause: m }
    let e: unknown = failureToError({ ...m, neo4j_code: "Neo.ClientError.Request.Invalid" }, V57)
    let depth = 0
    while ((e as ServerError).cause !== undefined) {
      e = (e as ServerError).cause
      depth++
    }
    expect(depth).toBe(32)
  })
})

describe("the error classes", () => {
  const sample: Record<Tag, ServerError> = {
    AuthenticationError: failureToError({ code: "Neo.ClientError.Security.Unauthorized", message: "bad credentials" }),
    AuthorizationExpiredError: failureToError({ code: "Neo.ClientError.Security.AuthorizationExpired", message: "m" }),
    TokenExpiredError: failureToError({ code: "Neo.ClientError.Security.TokenExpired", message: "m" }),
    TransientError: failureToError({ code: "Neo.TransientError.Transaction.DeadlockDetected", message: "m" }),
    ClientError: failureToError({ code: "Neo.ClientError.Statement.SyntaxError", message: "m" }),
    DatabaseError: failureToError({ code: "Neo.DatabaseError.General.UnknownError", message: "m" })
  }
  const tags = Object.keys(sample) as Array<Tag>

  it.effect.each(tags)("Effect.catchTag(%s) catches that class and only that class", (tag) =>
    Effect.gen(function* () {
      for (const other of tags) {
        const failing: Effect.Effect<string, ServerError> = Effect.fail(sample[other])
        const result = yield* Effect.either(
          failing.pipe(Effect.catchTag(tag, (e: ServerError) => Effect.succeed(`caught ${e._tag}`)))
        )
        if (other === tag) expect(result).toEqual(Either.right(`caught ${tag}`))
        else expect(Either.isLeft(result) && (result.left as ServerError)._tag).toBe(other)
      }
    })
  )

  it.effect("catchTags narrows the union of all driver errors", () =>
    Effect.gen(function* () {
      const failing: Effect.Effect<never, Neo4jError> = Effect.fail(sample.TransientError)
      const out = yield* failing.pipe(
        Effect.catchTags({
          TransientError: (e) => Effect.succeed(`retry ${e.code}`),
          ClientError: (e) => Effect.succeed(`fix ${e.code}`)
        }),
        Effect.orElseSucceed(() => "other")
      )
      expect(out).toBe("retry Neo.TransientError.Transaction.DeadlockDetected")
    })
  )

  it("a TransientError built by hand with a reclassified code is still not retriable", () => {
    expect(new TransientError({ message: "m", code: "Neo.TransientError.Transaction.Terminated" }).retriable).toBe(false)
    expect(new TransientError({ message: "m", code: "Neo.TransientError.Transaction.LockClientStopped" }).retriable).toBe(false)
    expect(new TransientError({ message: "m" }).retriable).toBe(true)
  })

  it("errors carry only server fields (never request data such as credentials)", () => {
    const e = failureToError(
      { neo4j_code: "Neo.ClientError.Security.Unauthorized", message: "The client is unauthorized due to authentication failure." },
      V57
    )
    expect(e).toBeInstanceOf(AuthenticationError)
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      _tag: "AuthenticationError",
      message: "Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure.",
      serverMessage: "The client is unauthorized due to authentication failure.",
      code: "Neo.ClientError.Security.Unauthorized",
      gqlStatus: "50N42",
      description: "error: general processing exception - unexpected error. The client is unauthorized due to authentication failure.",
      diagnosticRecord: { OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" },
      classification: "UNKNOWN"
    })
  })
})
