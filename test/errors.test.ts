/**
 * Every error class, produced by a real scenario over a real socket against the scripted stub
 * server, through the public driver API, and caught by its tag with `Effect.catchTag`. No error
 * (its message, `String(error)`, `JSON.stringify(error)`) ever contains the password.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Schedule, Stream } from "effect"
import * as Auth from "../src/Auth.js"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import * as Neo4jErrors from "../src/Neo4jError.js"
import type { Neo4jError } from "../src/Neo4jError.js"
import * as Result from "../src/Result.js"
import { StubServer } from "../src/testing/index.js"
import { names, withDriver as withStubDriver } from "./support.js"

const PASSWORD = "Tr0ub4dor&3-secret"

const HEAD = `!: BOLT 5.4
A: HELLO
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "${PASSWORD}"}
S: SUCCESS {}
`

/** `withDriver` of test/support, logging in with `PASSWORD`. */
const withDriver: typeof withStubDriver = (target, f, config = {}, options) =>
  withStubDriver(target, f, { auth: Auth.basic("neo4j", PASSWORD), ...config }, options)

/** The password appears nowhere in the error, however it is printed. */
const noSecret = (error: Neo4jError): void => {
  expect(error.message).not.toContain(PASSWORD)
  expect(String(error)).not.toContain(PASSWORD)
  expect(JSON.stringify(error)).not.toContain(PASSWORD)
  const cause = (error as { cause?: unknown }).cause
  if (cause !== undefined) expect(String(cause)).not.toContain(PASSWORD)
}

/** Fails the test (as a defect) when the effect succeeds: the error is what we want. */
const expectFailure = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.flatMap(self, (a) => Effect.dieMessage(`expected a failure, got ${String(a)}`))

const failureScript = (failure: string) => `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE ${failure}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`

/** A security FAILURE: no RESET follows, the connection is closed (never cleaned for reuse). */
const securityFailureScript = (failure: string) => `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE ${failure}
   IGNORED
?: GOODBYE
`

describe("authentication", () => {
  it.scopedLive("wrong password: AuthenticationError, not retried, the password nowhere in it", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "${PASSWORD}"}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
`
      })
      const [verify, query] = yield* withDriver(stub.uri(), (driver) =>
        Effect.all([
          expectFailure(driver.verifyConnectivity()).pipe(Effect.catchTag("AuthenticationError", Effect.succeed)),
          expectFailure(driver.executeQuery("RETURN 1")).pipe(Effect.catchTag("AuthenticationError", Effect.succeed))
        ])
      )
      for (const e of [verify, query]) {
        expect(e.code).toBe("Neo.ClientError.Security.Unauthorized")
        // the code, the user and the server: what a newcomer needs to see what went wrong where
        expect(e.message).toBe(
          `Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure. (user "neo4j", server ${stub.address})`
        )
        expect(e.serverMessage).toBe("The client is unauthorized due to authentication failure.")
        expect(e.retriable).toBe(false)
        noSecret(e)
      }
      // executeQuery made one attempt: one connection for verifyConnectivity, one for the query
      expect(yield* stub.connectionCount).toBe(2)
      yield* stub.verify
    })
  )

  it.scopedLive("a bearer token refused: the message names the scheme (there is no user) and the server, never the token", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: LOGON {"scheme": "bearer", "credentials": "${PASSWORD}"}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
`
      })
      const e = yield* withDriver(
        stub.uri(),
        (driver) => expectFailure(driver.verifyConnectivity()).pipe(Effect.catchTag("AuthenticationError", Effect.succeed)),
        { auth: Auth.bearer(PASSWORD) }
      )
      expect(e.message).toBe(
        `Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure. (bearer auth, server ${stub.address})`
      )
      noSecret(e)
      yield* stub.verify
    })
  )
})

describe("server failures by class", () => {
  it.scopedLive("Neo.ClientError.Statement.SyntaxError: ClientError with code and message (executeQuery, one attempt)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "RETUR 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input 'RETUR': expected 'RETURN' (line 1, column 1 (offset: 0))"}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const error = yield* withDriver(stub.uri(), (driver) =>
        expectFailure(driver.executeQuery("RETUR 1", {}, { bookmarkManager: null })).pipe(
          Effect.catchTag("ClientError", Effect.succeed)
        )
      )
      expect(error.code).toBe("Neo.ClientError.Statement.SyntaxError")
      // the code leads the message, so that it shows wherever the error is printed
      expect(error.message).toBe(
        "Neo.ClientError.Statement.SyntaxError: Invalid input 'RETUR': expected 'RETURN' (line 1, column 1 (offset: 0))"
      )
      expect(error.serverMessage).toBe("Invalid input 'RETUR': expected 'RETURN' (line 1, column 1 (offset: 0))")
      expect(error.retriable).toBe(false)
      noSecret(error)
      yield* stub.verify
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "RESET"])
    })
  )

  it.scopedLive("Neo.TransientError.General.MemoryPoolOutOfMemoryError: TransientError (session.run, and executeWrite with no retries)", () =>
    Effect.gen(function* () {
      const failure = `{"code": "Neo.TransientError.General.MemoryPoolOutOfMemoryError", "message": "The allocation of an extra 2.0 MiB would use more than the limit 100.0 MiB."}`
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE ${failure}
   IGNORED
C: RESET
S: SUCCESS {}
C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE ${failure}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const [auto, fn] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const auto = yield* expectFailure(Effect.flatMap(session.run("RETURN 1"), (r) => r.list)).pipe(
            Effect.catchTag("TransientError", Effect.succeed)
          )
          let attempts = 0
          const fn = yield* expectFailure(
            session.executeWrite(
              (tx) =>
                Effect.suspend(() => {
                  attempts++
                  return Effect.flatMap(tx.run("RETURN 1"), (r) => r.list)
                }),
              { retry: Schedule.recurs(0) }
            )
          ).pipe(Effect.catchTag("TransientError", Effect.succeed))
          expect(attempts).toBe(1)
          return [auto, fn] as const
        })
      )
      for (const e of [auto, fn]) {
        expect(e.code).toBe("Neo.TransientError.General.MemoryPoolOutOfMemoryError")
        // (the transaction function's error adds how its retries ended)
        expect(e.message).toMatch(
          /^Neo\.TransientError\.General\.MemoryPoolOutOfMemoryError: The allocation of an extra 2\.0 MiB would use more than the limit 100\.0 MiB\./
        )
        expect(e.retriable).toBe(true)
        noSecret(e)
      }
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("a failure on PULL, after RUN's SUCCESS: ClientError from the records, and the session's next query works", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1 / 0 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   FAILURE {"code": "Neo.ClientError.Statement.ArithmeticError", "message": "/ by zero"}
C: RESET
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
?: GOODBYE
`
      })
      const [error, next] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("RETURN 1 / 0 AS x")
          const error = yield* expectFailure(result.list).pipe(Effect.catchTag("ClientError", Effect.succeed))
          const next = yield* Effect.flatMap(session.run("RETURN 1 AS x"), (r) => r.list)
          return [error, next] as const
        })
      )
      expect(error.code).toBe("Neo.ClientError.Statement.ArithmeticError")
      noSecret(error)
      expect(Chunk.toArray(next).map((r) => r.get("x"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("Neo.DatabaseError.General.UnknownError: DatabaseError (driver.stream)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: failureScript(`{"code": "Neo.DatabaseError.General.UnknownError", "message": "An unknown error occurred."}`)
      })
      const error = yield* withDriver(stub.uri(), (driver) =>
        expectFailure(Stream.runCollect(driver.stream("RETURN 1"))).pipe(Effect.catchTag("DatabaseError", Effect.succeed))
      )
      expect(error.code).toBe("Neo.DatabaseError.General.UnknownError")
      expect(error.message).toBe("Neo.DatabaseError.General.UnknownError: An unknown error occurred.")
      expect(error.retriable).toBe(false)
      noSecret(error)
      yield* stub.verify
    })
  )

  it.scopedLive("Neo.ClientError.Security.AuthorizationExpired: AuthorizationExpiredError, retriable", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: securityFailureScript(`{"code": "Neo.ClientError.Security.AuthorizationExpired", "message": "LDAP authorization info expired."}`)
      })
      const error = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          return yield* expectFailure(Effect.flatMap(session.run("RETURN 1"), (r) => r.consume)).pipe(
            Effect.catchTag("AuthorizationExpiredError", Effect.succeed)
          )
        })
      )
      expect(error.code).toBe("Neo.ClientError.Security.AuthorizationExpired")
      expect(error.message).toBe("Neo.ClientError.Security.AuthorizationExpired: LDAP authorization info expired.")
      expect(error.retriable).toBe(true)
      noSecret(error)
      yield* stub.verify
    })
  )

  it.scopedLive("Neo.ClientError.Security.TokenExpired: TokenExpiredError, not retriable", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: securityFailureScript(`{"code": "Neo.ClientError.Security.TokenExpired", "message": "Token expired."}`)
      })
      const error = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          return yield* expectFailure(Effect.flatMap(session.run("RETURN 1"), (r) => r.single)).pipe(
            Effect.catchTag("TokenExpiredError", Effect.succeed)
          )
        })
      )
      expect(error.code).toBe("Neo.ClientError.Security.TokenExpired")
      expect(error.retriable).toBe(false)
      noSecret(error)
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.7 GQL FAILURE: gql_status, description, diagnostic_record and the nested cause in the error's fields", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.7
A: HELLO
A: LOGON
C: RUN "RETURN 1 +" {} {}
C: PULL {"n": 1000}
S: FAILURE {"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input '': expected an expression (line 1, column 11 (offset: 10))", "gql_status": "42001", "description": "error: syntax error or access rule violation - invalid syntax", "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/", "_classification": "CLIENT_ERROR", "_severity": "ERROR", "_position": {"offset": 10, "line": 1, "column": 11}}, "cause": {"message": "Invalid input '': expected an expression", "gql_status": "42I06", "description": "error: syntax error or access rule violation - invalid input. Invalid input '', expected: an expression.", "diagnostic_record": {"_classification": "CLIENT_ERROR", "_position": {"offset": 10, "line": 1, "column": 11}}}}
   IGNORED
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const error = yield* withDriver(stub.uri(), (driver) =>
        expectFailure(Stream.runCollect(driver.stream("RETURN 1 +"))).pipe(Effect.catchTag("ClientError", Effect.succeed))
      )
      expect(error.code).toBe("Neo.ClientError.Statement.SyntaxError")
      expect(error.message).toContain("expected an expression")
      expect(error.gqlStatus).toBe("42001")
      expect(error.description).toBe("error: syntax error or access rule violation - invalid syntax")
      expect(error.classification).toBe("CLIENT_ERROR")
      expect(error.diagnosticRecord).toMatchObject({
        CURRENT_SCHEMA: "/",
        _severity: "ERROR",
        _position: { offset: 10, line: 1, column: 11 }
      })
      const cause = error.cause as Neo4jError
      expect(cause._tag).toBe("ClientError")
      expect(cause).toMatchObject({
        gqlStatus: "42I06",
        message: "Invalid input '': expected an expression",
        classification: "CLIENT_ERROR"
      })
      noSecret(error)
      yield* stub.verify
    })
  )
})

describe("protocol errors", () => {
  it.scopedLive("HTTP answered on the Bolt port: ProtocolError naming 7474 and 7687", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: "!: HANDSHAKE 48 54 54 50 2F 31 2E 31 20 34 30 30 20 42 61 64 20 52 65 71 75 65 73 74 0D 0A 0D 0A\n",
        verifyOnClose: false
      })
      const [verify, query] = yield* withDriver(stub.uri(), (driver) =>
        Effect.all([
          expectFailure(driver.verifyConnectivity()).pipe(Effect.catchTag("ProtocolError", Effect.succeed)),
          // not retriable: executeQuery gives up at once
          expectFailure(driver.executeQuery("RETURN 1")).pipe(Effect.catchTag("ProtocolError", Effect.succeed))
        ])
      )
      for (const e of [verify, query]) {
        expect(e.message).toContain("7474")
        expect(e.message).toContain("7687")
        noSecret(e)
      }
      expect(yield* stub.connectionCount).toBe(2)
    })
  )

  it.scopedLive("garbled bytes after RUN's SUCCESS: ProtocolError, and the connection is not reused", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   <RAW> 00 03 B1 71 C7 00 00
`,
          `${HEAD}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {}
?: GOODBYE
`
        ]
      })
      const [error, next] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("RETURN 1")
          expect(result.keys).toEqual(["n"])
          const error = yield* expectFailure(result.list).pipe(Effect.catchTag("ProtocolError", Effect.succeed))
          const next = yield* Effect.flatMap(session.run("RETURN 2"), (r) => r.list)
          return [error, next] as const
        })
      )
      expect(error.message).toContain("garbled")
      noSecret(error)
      expect(Chunk.toArray(next).map((r) => r.get("n"))).toEqual([2])
      yield* stub.verify
      const conns = yield* stub.connections
      expect(conns.map((c) => c.received.map((m) => m.name).at(-1))).toEqual(["PULL", "GOODBYE"])
    })
  )

  it.scopedLive("a garbled value inside a well-framed RECORD: ProtocolError when read, the records before it delivered, the connection not reused", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   <RAW> 00 04 B1 71 91 C7 00 00
   SUCCESS {}
`,
          `${HEAD}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {}
?: GOODBYE
`
        ]
      })
      const [seen, error, next] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run("RETURN 1")
          const seen: Array<unknown> = []
          const error = yield* expectFailure(
            Stream.runForEach(result.records, (r) => Effect.sync(() => seen.push(r.get("n"))))
          ).pipe(Effect.catchTag("ProtocolError", Effect.succeed))
          const next = yield* Effect.flatMap(session.run("RETURN 2"), (r) => r.list)
          return [seen, error, next] as const
        })
      )
      expect(seen).toEqual([1])
      expect(error.message).toContain("garbled")
      expect(error.message).toContain("0xC7")
      expect(Chunk.toArray(next).map((r) => r.get("n"))).toEqual([2])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    })
  )
})

describe("lost connections", () => {
  it.scopedLive("the server closes mid-stream: ServiceUnavailableError after the records already received", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "UNWIND range(1, 10) AS i RETURN i" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["i"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   <EXIT>
`
      })
      const seen: Array<unknown> = []
      const error = yield* withDriver(
        stub.uri(),
        (driver) =>
          expectFailure(
            driver.stream("UNWIND range(1, 10) AS i RETURN i").pipe(
              Stream.tap((r) => Effect.sync(() => seen.push(r.get("i")))),
              Stream.runDrain
            )
          ).pipe(Effect.catchTag("ServiceUnavailableError", Effect.succeed)),
        { fetchSize: 2 }
      )
      // the record that arrived before the connection was lost is delivered, then the error
      expect(seen).toEqual([1, 2, 3])
      expect(error.message).toContain("closed the connection")
      expect(error.address).toBe(stub.address)
      noSecret(error)
      yield* stub.verify
    })
  )

  it.scopedLive("the server closes during COMMIT: IncompleteCommitError, never retried (the work ran once)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "CREATE (n:Order) RETURN id(n) AS id" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["id"]}
   RECORD [42]
   SUCCESS {"type": "w"}
C: COMMIT
S: <EXIT>
`
      })
      let attempts = 0
      const error = yield* withDriver(
        stub.uri(),
        (driver) =>
          Effect.scoped(
            Effect.flatMap(driver.session(), (session) =>
              expectFailure(
                session.executeWrite((tx) =>
                  Effect.suspend(() => {
                    attempts++
                    return Effect.flatMap(tx.run("CREATE (n:Order) RETURN id(n) AS id"), (r) => r.list)
                  })
                )
              ).pipe(Effect.catchTag("IncompleteCommitError", Effect.succeed))
            )
          ),
        // a retry, if any, would come at once
        {},
        { retry: Schedule.spaced("1 millis") }
      )
      expect(attempts).toBe(1)
      expect(error.retriable).toBe(false)
      expect(error.message).toContain("COMMIT")
      expect((error.cause as Neo4jError)._tag).toBe("ServiceUnavailableError")
      noSecret(error)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect((yield* names(stub)).filter((n) => n === "BEGIN").length).toBe(1)
    })
  )
  it.scopedLive("the connection lost mid-result in a transaction: COMMIT is never sent, so ServiceUnavailableError, not IncompleteCommitError", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {}
C: RUN "MATCH (n) RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   <EXIT>
`
      })
      const [lost, commit] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const tx = yield* session.beginTransaction()
          const result = yield* tx.run("MATCH (n) RETURN n")
          const lost = yield* expectFailure(result.list).pipe(Effect.catchTag("ServiceUnavailableError", Effect.succeed))
          const commit = yield* expectFailure(tx.commit).pipe(Effect.catchTag("ServiceUnavailableError", Effect.succeed))
          return [lost, commit] as const
        })
      )
      noSecret(lost)
      noSecret(commit)
      yield* stub.verify
      expect((yield* names(stub)).includes("COMMIT")).toBe(false)
    })
  )
})

describe("pool and transport", () => {
  it.scopedLive("pool exhausted: ConnectionAcquisitionTimeoutError after connectionAcquisitionTimeout", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {}
?: GOODBYE
`
      })
      const [error, elapsed, held] = yield* withDriver(
        stub.uri(),
        (driver) =>
          Effect.gen(function* () {
            const holder = yield* driver.session()
            // the result is not read: the session holds the only connection
            const result = yield* holder.run("RETURN 1")
            const other = yield* driver.session()
            const start = Date.now()
            const error = yield* expectFailure(other.run("RETURN 2")).pipe(
              Effect.catchTag("ConnectionAcquisitionTimeoutError", Effect.succeed)
            )
            const elapsed = Date.now() - start
            const held = yield* result.list
            return [error, elapsed, held] as const
          }),
        { maxConnectionPoolSize: 1, connectionAcquisitionTimeout: "200 millis" }
      )
      expect(elapsed).toBeGreaterThanOrEqual(190)
      expect(elapsed).toBeLessThan(2000)
      expect(error.message).toContain("200 ms")
      expect(error.retriable).toBe(false)
      noSecret(error)
      expect(Chunk.toArray(held).map((r) => r.get("n"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("bolt+s with an untrusted (self-signed) certificate: ServiceUnavailableError naming TLS and the certificate", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: HEAD + "?: GOODBYE\n", tls: true })
      const error = yield* withDriver(stub.uri("bolt+s"), (driver) =>
        expectFailure(driver.verifyConnectivity()).pipe(Effect.catchTag("ServiceUnavailableError", Effect.succeed))
      )
      expect(error.reason).toBe("Connect")
      expect(error.message).toContain("TLS")
      expect(error.message).toMatch(/certificate/i)
      noSecret(error)
      expect(yield* stub.connectionCount).toBe(0)
      // trusting the certificate makes the same server usable
      const info = yield* withDriver(stub.uri("bolt+s"), (driver) => driver.verifyConnectivity(), {
        trustedCertificates: [stub.certificate!.cert]
      })
      expect(info.address).toBe(stub.address)
      yield* stub.verify
    })
  )
})

describe("results", () => {
  it.scopedLive("single on an empty result: ResultCardinalityError, a Neo4jError caught by its tag, not retriable, not retried", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: BEGIN {"mode": "r"}
C: RUN "MATCH (p:Person {name: 'Ada'}) RETURN p" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["p"]}
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
?: GOODBYE
`
      })
      let attempts = 0
      const error = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          // the transaction function's error type is Neo4jError: single's failure is one of them
          const work: Effect.Effect<unknown, Neo4jError> = session.executeRead((tx) =>
            Effect.flatMap(
              Effect.sync(() => attempts++),
              () => Effect.flatMap(tx.run("MATCH (p:Person {name: 'Ada'}) RETURN p"), (r) => r.single)
            )
          )
          return yield* expectFailure(work).pipe(Effect.catchTag("ResultCardinalityError", Effect.succeed))
        })
      )
      expect(error).toBeInstanceOf(Neo4jErrors.ResultCardinalityError)
      // the same class under Result, where single is
      expect(Result.ResultCardinalityError).toBe(Neo4jErrors.ResultCardinalityError)
      expect(error.count).toBe(0)
      expect(error.retriable).toBe(false)
      expect(Neo4jErrors.isRetriable(error)).toBe(false)
      expect(attempts).toBe(1)
      noSecret(error)
      yield* stub.verify
    })
  )
})

class Money {
  constructor(readonly amount: number) {}
}

describe("bad input", () => {
  const bad: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["a function", () => 1, /function/],
    ["a Symbol", Symbol("s"), /symbol/],
    ["a class instance", new Money(3), /Money/],
    ["an integer beyond int64", 2n ** 70n, /1180591620717411303424.*int64/],
    ["a nested function", { list: [1, { f: () => 2 }] }, /function/]
  ]

  it.scopedLive("unsupported parameter values: InvalidParameterError naming them; nothing half-packed is sent and the connection stays usable", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}
C: RUN "RETURN $ok AS ok" {"ok": 1} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["ok"]}
   RECORD [1]
   SUCCESS {}
C: BEGIN {}
C: RESET
S: SUCCESS {}
   SUCCESS {}
C: RUN "RETURN $ok AS ok" {"ok": 2} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["ok"]}
   RECORD [2]
   SUCCESS {}
?: GOODBYE
`
      })
      const [errors, inTx, after] = yield* withDriver(stub.uri(), (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const errors: Array<Neo4jError> = []
          for (const [, value] of bad) {
            errors.push(
              yield* expectFailure(session.run("RETURN $x AS x", { x: value })).pipe(
                Effect.catchTag("InvalidParameterError", Effect.succeed)
              )
            )
          }
          // a good query on the same connection
          const ok = yield* Effect.flatMap(session.run("RETURN $ok AS ok", { ok: 1 }), (r) => r.list)
          expect(Chunk.toArray(ok).map((r) => r.get("ok"))).toEqual([1])
          // inside a transaction function: not retried, and the queued BEGIN is reset
          const inTx = yield* expectFailure(
            session.executeWrite((tx) => tx.run("RETURN $x AS x", { x: () => 1 }))
          ).pipe(Effect.catchTag("InvalidParameterError", Effect.succeed))
          const after = yield* Effect.flatMap(session.run("RETURN $ok AS ok", { ok: 2 }), (r) => r.list)
          return [errors, inTx, after] as const
        })
      )
      errors.forEach((e, i) => {
        expect(e._tag).toBe("InvalidParameterError")
        expect(e.message).toMatch(bad[i]![2])
        expect(e.retriable).toBe(false)
        noSecret(e)
      })
      expect(inTx.message).toMatch(/function/)
      expect(Chunk.toArray(after).map((r) => r.get("ok"))).toEqual([2])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )

  it.scopedLive("a malformed URI or option: InvalidConfigError from make, driver and layer, without the password", () =>
    Effect.gen(function* () {
      const auth = Auth.basic("neo4j", PASSWORD)
      const fromDriver = yield* expectFailure(Neo4jDriver.driver("http://localhost:7474", auth)).pipe(
        Effect.catchTag("InvalidConfigError", Effect.succeed)
      )
      expect(fromDriver.message).toContain("http")
      expect(fromDriver.message).toContain("neo4j://")
      const withUserInfo = yield* expectFailure(
        Neo4jDriver.make({ uri: `bolt://neo4j:${PASSWORD}@localhost`, auth })
      ).pipe(Effect.catchTag("InvalidConfigError", Effect.succeed))
      expect(withUserInfo.message).toContain("credentials")
      const badPort = yield* expectFailure(Neo4jDriver.make({ uri: "bolt://localhost:99999", auth, fetchSize: 0 })).pipe(
        Effect.catchTag("InvalidConfigError", Effect.succeed)
      )
      expect(badPort.message).toContain("99999")
      expect(badPort.message).toContain("fetchSize")
      const fromLayer = yield* expectFailure(
        Layer.build(Neo4jDriver.layer({ uri: "localhost:7687", auth }))
      ).pipe(Effect.catchTag("InvalidConfigError", Effect.succeed))
      expect(fromLayer.message).toContain("scheme")
      for (const e of [fromDriver, withUserInfo, badPort, fromLayer]) {
        expect(e.retriable).toBe(false)
        noSecret(e)
      }
    })
  )
})
