/**
 * Auth token managers (`AuthTokenManager.basic`, `bearer`, `staticToken`, `make`) through the
 * public driver API, over real sockets against the scripted stub server:
 *
 * 1. password rotation under 64-way concurrency (Bolt 5.4): one provider call per round, the
 *    refused password dropped once, every query of the second round retried on pass2;
 * 2. bearer expiry: a token past its deadline is asked again and the pooled connection logs in
 *    again (LOGOFF + LOGON pipelined with BEGIN); `refreshBefore` larger than the lifetime asks
 *    on every use;
 * 3. TokenExpired: retried with a fresh token under the bearer manager, not retried with a fixed
 *    token (plain or `staticToken`);
 * 4. a hand-written manager (`make`): told of a security failure with the token and the code, its
 *    answer decides `retriable`; a failing `getToken` is an `AuthTokenProviderError`, nothing sent;
 * 5. Bolt 5.0 (no LOGOFF): a new token closes the idle connection and opens one whose HELLO carries it;
 * 6. no secret anywhere (errors, logs with the Bolt trace, tokens, the manager, the driver's config)
 *    for every kind of auth, when the login is refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel, Ref, Schedule } from "effect"
import * as util from "node:util"
import * as Auth from "../../src/Auth.js"
import * as AuthTokenManager from "../../src/AuthTokenManager.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import type { RetrySchedule } from "../../src/Session.js"
import { StubServer } from "../../src/testing/index.js"
import { count, failureOf, makeLogCollector, realSleep } from "../support.js"

/** At most `times` retries, 5 ms apart (the default waits ~1 s). */
const fast = (times: number): RetrySchedule => Schedule.spaced("5 millis").pipe(Schedule.intersect(Schedule.recurs(times)))

/** A driver on the stub with `auth` (a token or a manager) for the span of `f`. */
const withDriver = <A, E>(
  stub: StubServer.StubServer,
  auth: Auth.AuthToken | AuthTokenManager.AuthTokenManager,
  f: (driver: Neo4jDriver.Neo4jDriver) => Effect.Effect<A, E>
) => Effect.scoped(Effect.flatMap(Neo4jDriver.driver(stub.uri(), auth), f))

/** executeQuery of `RETURN x AS x`, no bookmarks (so that BEGIN is exactly as scripted), answering x. */
const query = (driver: Neo4jDriver.Neo4jDriver, x: number, config: Neo4jDriver.QueryConfig = {}) =>
  Effect.map(driver.executeQuery(`RETURN ${x} AS x`, {}, { bookmarkManager: null, ...config }), (r) => r.records[0]!.get("x"))

/** The lines of a transaction `RETURN x AS x` (BEGIN `begin`) answered with [x], after `delay` ms. */
const tx = (x: number, begin = "{}", delay = 0) => `C: BEGIN ${begin}
C: RUN "RETURN ${x} AS x" {} {}
C: PULL {"n": 1000}
S: ${delay > 0 ? `<SLEEP ${delay}>\n   ` : ""}SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [${x}]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:${x}"}
`

/** The same transaction refused at BEGIN with `code` (after `delay` ms); the server closes the connection. */
const refusedTx = (x: number, code: string, begin = "{}", delay = 0) => `C: BEGIN ${begin}
C: RUN "RETURN ${x} AS x" {} {}
C: PULL {"n": 1000}
S: ${delay > 0 ? `<SLEEP ${delay}>\n   ` : ""}FAILURE {"code": "${code}", "message": "refused"}
   IGNORED
   IGNORED
   <EXIT>
`

const UNAUTHORIZED = "Neo.ClientError.Security.Unauthorized"
const TOKEN_EXPIRED = "Neo.ClientError.Security.TokenExpired"
const basicLogon = (password: string) => `C: LOGON {"scheme": "basic", "principal": "app", "credentials": "${password}"}`
const bearerLogon = (token: string) => `C: LOGON {"scheme": "bearer", "credentials": "${token}"}`
/** The credentials of a LOGON the stub received. */
const credentialsOf = (m: StubServer.ReceivedMessage) => (m.fields[0] as { credentials?: unknown }).credentials
const namesOf = (c: StubServer.ConnectionLog) => c.received.map((m) => m.name)
/** Without the Info lines of each retry. */
const quiet = Logger.withMinimumLogLevel(LogLevel.Warning)

/** A provider counting its calls, each taking `delay` ms (a secret store is a network call away). */
const counted = <A>(make: (n: number) => Effect.Effect<A>, delay = 0) =>
  Effect.map(Ref.make(0), (calls) => ({
    calls,
    provider: Effect.flatMap(Ref.updateAndGet(calls, (n) => n + 1), (n) => Effect.zipRight(Effect.sleep(delay), make(n)))
  }))

describe("password rotation (AuthTokenManager.basic)", () => {
  it.scopedLive("64 concurrent queries before and after a rotation: one provider call each time, every later LOGON with pass2", () =>
    Effect.gen(function* () {
      const secret = yield* Ref.make("pass1")
      const { calls, provider } = yield* counted(() => Effect.map(Ref.get(secret), (pw) => Auth.basic("app", pw)), 20)
      // round 2 marks its BEGINs: 63 refused at once, one (a long query) refused 200 ms later, once
      // the refresh is long done: that late refusal of pass1 must not drop pass2
      const ROTATED = `{"tx_metadata": {"phase": "rotated"}}`
      const LATE = `{"tx_metadata": {"phase": "late"}}`
      const round2 = `{*
{{
${tx(2, ROTATED)}----
${tx(2, LATE)}}}
*}
`
      // keyed on the LOGON: a connection logged in with pass1 serves round 1 (delayed, so that all 64
      // overlap); after the rotation the server refuses it, or it logs in again with pass2
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
{{
${basicLogon("pass1")}
S: SUCCESS {}
{*
${tx(1, "{}", 30)}*}
{?
{{
${refusedTx(2, UNAUTHORIZED, ROTATED)}----
${refusedTx(2, UNAUTHORIZED, LATE, 200)}----
C: LOGOFF
${basicLogon("pass2")}
S: SUCCESS {}
   SUCCESS {}
${round2}}}
?}
----
${basicLogon("pass2")}
S: SUCCESS {}
${round2}}}
?: GOODBYE
`
      })
      yield* withDriver(stub, AuthTokenManager.basic(provider), (driver) =>
        Effect.gen(function* () {
          const round1 = yield* Effect.all(Array.from({ length: 64 }, () => Effect.either(query(driver, 1))), { concurrency: 64 })
          expect(round1.filter((r) => r._tag === "Left")).toEqual([])
          expect(yield* Ref.get(calls)).toBe(1)
          const before = yield* stub.connections
          expect(before.length).toBe(64)
          for (const c of before) {
            expect(c.received.filter((m) => m.name === "LOGON").map(credentialsOf)).toEqual(["pass1"])
          }

          yield* Ref.set(secret, "pass2")
          const retry = fast(5)
          const results = yield* Effect.all(
            [
              query(driver, 2, { metadata: { phase: "late" }, retry }),
              ...Array.from({ length: 63 }, () => query(driver, 2, { metadata: { phase: "rotated" }, retry }))
            ].map(Effect.either),
            { concurrency: 64 }
          )
          expect(results.filter((r) => r._tag === "Left")).toEqual([])
          expect(results.map((r) => (r._tag === "Right" ? r.right : undefined))).toEqual(Array(64).fill(2))
          // the 64 refusals of pass1 (the late one included) made one refresh
          expect(yield* Ref.get(calls)).toBe(2)

          const after = yield* stub.connections
          const logonsAfter = after.flatMap((c, i) => c.received.slice(before[i]?.received.length ?? 0).filter((m) => m.name === "LOGON"))
          expect(logonsAfter.length).toBeGreaterThan(0)
          expect(logonsAfter.map(credentialsOf).filter((pw) => pw !== "pass2")).toEqual([])
          // the late query was refused on a pass1 connection, then retried; refused connections are closed, never RESET
          const late = after.filter((c) => c.received.some((m) => m.name === "BEGIN" && m.text.includes("late")))
          expect(late.map((c) => credentialsOf(c.received.find((m) => m.name === "LOGON")!))).toContain("pass1")
          expect(yield* count(stub, "RESET")).toBe(0)
        })
      )
      yield* stub.verify
    }).pipe(quiet), 20000)
})

describe("bearer tokens that expire (AuthTokenManager.bearer)", () => {
  it.scopedLive("past its deadline the token is asked again; the pooled connection logs in again with LOGOFF + LOGON pipelined with BEGIN", () =>
    Effect.gen(function* () {
      const { calls, provider } = yield* counted((n) =>
        Effect.sync(() => ({ token: Auth.bearer(`tok-${n}`), expiresAt: Date.now() + 300 }))
      )
      // the stub answers only once BEGIN came: had the driver waited for LOGON's answer, it would hang
      const stub = yield* StubServer.make({
        scripts: [
          `!: BOLT 5.4
A: HELLO
${bearerLogon("tok-1")}
S: SUCCESS {}
${tx(1)}C: LOGOFF
${bearerLogon("tok-2")}
C: BEGIN {}
C: RUN "RETURN 2 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {}
   SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:2"}
?: GOODBYE
`
        ]
      })
      yield* withDriver(stub, AuthTokenManager.bearer(provider), (driver) =>
        Effect.gen(function* () {
          expect(yield* query(driver, 1)).toBe(1)
          yield* realSleep(400)
          expect(yield* query(driver, 2)).toBe(2)
        })
      )
      expect(yield* Ref.get(calls)).toBe(2)
      yield* stub.verify
      const [conn] = yield* stub.connections
      expect(yield* stub.connectionCount).toBe(1)
      expect(namesOf(conn!)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "COMMIT", "LOGOFF", "LOGON", "BEGIN", "RUN", "PULL", "COMMIT", "GOODBYE"])
    }), 10000)

  it.scopedLive("refreshBefore longer than the token's life: every use asks the provider; an equal token is not logged in again", () =>
    Effect.gen(function* () {
      const { calls, provider } = yield* counted(() => Effect.sync(() => ({ token: Auth.bearer("tok-same"), expiresAt: Date.now() + 10_000 })))
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
${bearerLogon("tok-same")}
S: SUCCESS {}
${tx(1)}${tx(2)}${tx(3)}?: GOODBYE
`
      })
      yield* withDriver(stub, AuthTokenManager.bearer(provider, { refreshBefore: "20 seconds" }), (driver) =>
        Effect.forEach([1, 2, 3], (x) => query(driver, x))
      )
      expect(yield* Ref.get(calls)).toBe(3)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* count(stub, "LOGOFF")).toBe(0)
    }), 10000)
})

describe("TokenExpired", () => {
  const expired = `!: BOLT 5.4
A: HELLO
${bearerLogon("tok-1")}
S: SUCCESS {}
${refusedTx(1, TOKEN_EXPIRED)}`

  it.scopedLive("with the bearer manager: retried on a new connection with a fresh token; the user sees success", () =>
    Effect.gen(function* () {
      const { calls, provider } = yield* counted((n) => Effect.succeed({ token: Auth.bearer(`tok-${n}`), expiresAt: Date.now() + 3_600_000 }))
      const fresh = `!: BOLT 5.4\nA: HELLO\n${bearerLogon("tok-2")}\nS: SUCCESS {}\n${tx(1)}?: GOODBYE\n`
      const stub = yield* StubServer.make({ scripts: [expired, fresh] })
      const x = yield* withDriver(stub, AuthTokenManager.bearer(provider), (driver) => query(driver, 1, { retry: fast(3) }))
      expect(x).toBe(1)
      expect(yield* Ref.get(calls)).toBe(2)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    }).pipe(quiet), 10000)

  for (const [name, auth] of [
    ["a plain AuthToken", Auth.bearer("tok-1")],
    ["staticToken", AuthTokenManager.staticToken(Auth.bearer("tok-1"))]
  ] as const) {
    it.scopedLive(`with ${name}: not retriable, not retried`, () =>
      Effect.gen(function* () {
        // one script: a retry would open a second connection, a deviation
        const stub = yield* StubServer.make({ scripts: [expired] })
        const exit = yield* Effect.exit(withDriver(stub, auth, (driver) => query(driver, 1, { retry: fast(3) })))
        const error = failureOf(exit) as Neo4jError
        expect(error._tag).toBe("TokenExpiredError")
        expect(error.retriable).toBe(false)
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
      }), 10000)
  }
})

describe("a hand-written manager (AuthTokenManager.make)", () => {
  const FORBIDDEN = "Neo.ClientError.Security.Forbidden"
  const forbidden = `!: BOLT 5.4
A: HELLO
${basicLogon("pw")}
S: SUCCESS {}
C: BEGIN {}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "${FORBIDDEN}", "message": "Read operations are not allowed for user 'app'."}
   IGNORED
?: GOODBYE
`
  const fine = `!: BOLT 5.4\nA: HELLO\n${basicLogon("pw")}\nS: SUCCESS {}\n${tx(1)}?: GOODBYE\n`
  const token = Auth.basic("app", "pw")
  const managerAnswering = (handled: boolean) => {
    const told: Array<readonly [Auth.AuthToken, string]> = []
    const manager = AuthTokenManager.make({
      getToken: Effect.succeed(token),
      handleSecurityException: (t, code) => Effect.sync(() => (told.push([t, code]), handled))
    })
    return { told, manager }
  }

  it.scopedLive("told of the failure (token, code); false: the error is not retriable, and not retried", () =>
    Effect.gen(function* () {
      const { manager, told } = managerAnswering(false)
      const stub = yield* StubServer.make({ scripts: [forbidden] })
      const error = failureOf(yield* Effect.exit(withDriver(stub, manager, (driver) => query(driver, 1, { retry: fast(3) })))) as Neo4jError
      expect(told).toEqual([[token, FORBIDDEN]])
      expect(told[0]![0]).toBe(token)
      expect((error as { code?: string }).code).toBe(FORBIDDEN)
      expect(error.retriable).toBe(false)
      expect((error as { handledByAuthManager?: boolean }).handledByAuthManager).not.toBe(true)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    }), 10000)

  it.scopedLive("true: the error is retriable (handledByAuthManager), and a transaction function's retry succeeds", () =>
    Effect.gen(function* () {
      const { manager, told } = managerAnswering(true)
      const stub = yield* StubServer.make({ scripts: [forbidden, forbidden, fine] })
      yield* withDriver(stub, manager, (driver) =>
        Effect.gen(function* () {
          // no retry allowed: the error as the user sees it
          const error = failureOf(yield* Effect.exit(query(driver, 1, { retry: Schedule.recurs(0) }))) as Neo4jError
          expect((error as { code?: string }).code).toBe(FORBIDDEN)
          expect((error as { handledByAuthManager?: boolean }).handledByAuthManager).toBe(true)
          expect(error.retriable).toBe(true)
          // retried: the second attempt runs on a new connection (the refused one was closed)
          expect(yield* query(driver, 1, { retry: fast(3) })).toBe(1)
        })
      )
      expect(told).toEqual([[token, FORBIDDEN], [token, FORBIDDEN]])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(3)
    }).pipe(quiet), 10000)

  it.scopedLive("a failing getToken: AuthTokenProviderError holding the provider's error; no connection opened", () =>
    Effect.gen(function* () {
      const vaultDown = new Error("vault down")
      const manager = AuthTokenManager.make({ getToken: Effect.fail(vaultDown) })
      const stub = yield* StubServer.make({ script: fine })
      const error = failureOf(yield* Effect.exit(withDriver(stub, manager, (driver) => query(driver, 1, { retry: fast(3) })))) as Neo4jError
      expect(error._tag).toBe("AuthTokenProviderError")
      expect((error as { cause?: unknown }).cause).toBe(vaultDown)
      expect(error.message).toContain("vault down")
      expect(error.retriable).toBe(false)
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(0)
    }), 10000)
})

describe("a token manager that fails or is slow while a pooled connection waits", () => {
  it.scopedLive("a failing getToken puts the idle connection back: it serves the next query, no second connection (pool of 1)", () =>
    Effect.gen(function* () {
      const down = yield* Ref.make(false)
      const manager = AuthTokenManager.make({
        getToken: Effect.flatMap(Ref.get(down), (d) => (d ? Effect.fail(new Error("vault down")) : Effect.succeed(Auth.basic("app", "pw"))))
      })
      const stub = yield* StubServer.make({ script: `!: BOLT 5.4\nA: HELLO\nA: LOGON\n{*\n${tx(1)}*}\n?: GOODBYE\n` })
      const driver = yield* Neo4jDriver.driver(stub.uri(), manager, { maxConnectionPoolSize: 1 })
      yield* query(driver, 1)
      yield* Ref.set(down, true)
      const error = failureOf(yield* Effect.exit(query(driver, 1, { retry: fast(0) }))) as Neo4jError
      expect(error._tag).toBe("AuthTokenProviderError")
      yield* Ref.set(down, false)
      yield* query(driver, 1)
      yield* query(driver, 1)
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 0, idle: 1 }])
    }), 10000)

  it.scopedLive("a getToken cut off by the acquisition timeout puts the idle connection back too", () =>
    Effect.gen(function* () {
      const slow = yield* Ref.make(false)
      const manager = AuthTokenManager.make({
        getToken: Effect.flatMap(Ref.get(slow), (s) => Effect.as(s ? Effect.sleep("300 millis") : Effect.void, Auth.basic("app", "pw")))
      })
      const stub = yield* StubServer.make({ script: `!: BOLT 5.4\nA: HELLO\nA: LOGON\n{*\n${tx(1)}*}\n?: GOODBYE\n` })
      const driver = yield* Neo4jDriver.driver(stub.uri(), manager, { maxConnectionPoolSize: 1, connectionAcquisitionTimeout: "100 millis" })
      yield* query(driver, 1)
      yield* Ref.set(slow, true)
      const error = failureOf(yield* Effect.exit(query(driver, 1, { retry: fast(0) }))) as Neo4jError
      expect(error._tag).toBe("ConnectionAcquisitionTimeoutError")
      yield* Ref.set(slow, false)
      yield* query(driver, 1)
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* driver.connectionPoolMetrics()).toEqual([{ address: stub.address, inUse: 0, idle: 1 }])
    }), 10000)
})

describe("Bolt 5.0 (no re-authentication)", () => {
  it.scopedLive("a new token closes the idle connection and opens one whose HELLO carries it; no LOGOFF", () =>
    Effect.gen(function* () {
      const password = yield* Ref.make("pass1")
      const manager = AuthTokenManager.make({ getToken: Effect.map(Ref.get(password), (pw) => Auth.basic("app", pw)) })
      const hello = (pw: string) =>
        `C: HELLO {"user_agent": *string, "scheme": "basic", "principal": "app", "credentials": "${pw}", "[routing]": *map}
S: SUCCESS {"server": "Neo4j/5.2.0", "connection_id": "bolt-1"}`
      const stub = yield* StubServer.make({
        scripts: [`!: BOLT 5.0\n${hello("pass1")}\n${tx(1)}C: GOODBYE\n`, `!: BOLT 5.0\n${hello("pass2")}\n${tx(2)}?: GOODBYE\n`]
      })
      yield* withDriver(stub, manager, (driver) =>
        Effect.gen(function* () {
          expect(yield* query(driver, 1)).toBe(1)
          yield* Ref.set(password, "pass2")
          expect(yield* query(driver, 2)).toBe(2)
          // the first connection was closed (GOODBYE) before the driver's close
          const [first, second] = yield* stub.connections
          expect(namesOf(first!)).toEqual(["HELLO", "BEGIN", "RUN", "PULL", "COMMIT", "GOODBYE"])
          expect(second!.open).toBe(true)
        })
      )
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
      expect(yield* count(stub, "LOGOFF")).toBe(0)
      expect(yield* count(stub, "LOGON")).toBe(0)
    }), 10000)
})

describe("no secret anywhere when the login is refused", () => {
  const kinds = [
    ["Auth.basic", "s3cr3t-basic-xyz", Auth.basic("neo4j", "s3cr3t-basic-xyz"), `{"scheme": "basic", "principal": "neo4j", "credentials": "s3cr3t-basic-xyz"}`],
    ["Auth.bearer", "s3cr3t-bearer-xyz", Auth.bearer("s3cr3t-bearer-xyz"), `{"scheme": "bearer", "credentials": "s3cr3t-bearer-xyz"}`],
    ["Auth.kerberos", "s3cr3t-kerberos-xyz", Auth.kerberos("s3cr3t-kerberos-xyz"), `{"scheme": "kerberos", "principal": "", "credentials": "s3cr3t-kerberos-xyz"}`],
    [
      "Auth.custom (secret in credentials and parameters)",
      "s3cr3t-custom-xyz",
      Auth.custom("ada", "s3cr3t-custom-xyz", "corp", "my-plugin", { otp: "s3cr3t-custom-xyz-otp" }),
      `{"scheme": "my-plugin", "principal": "ada", "credentials": "s3cr3t-custom-xyz", "realm": "corp", "parameters": {"otp": "s3cr3t-custom-xyz-otp"}}`
    ],
    [
      "AuthTokenManager.basic",
      "s3cr3t-manager-xyz",
      Auth.basic("neo4j", "s3cr3t-manager-xyz"),
      `{"scheme": "basic", "principal": "neo4j", "credentials": "s3cr3t-manager-xyz"}`
    ]
  ] as const

  for (const [name, secret, token, logon] of kinds) {
    it.scopedLive(name, () => {
      const collector = makeLogCollector()
      const manager = name.startsWith("AuthTokenManager") ? AuthTokenManager.basic(Effect.succeed(token)) : undefined
      return Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `!: BOLT 5.4
A: HELLO
C: LOGON ${logon}
S: FAILURE {"code": "${UNAUTHORIZED}", "message": "The client is unauthorized due to authentication failure."}
   <EXIT>
`
        })
        const { config, error } = yield* Effect.scoped(
          Effect.gen(function* () {
            const driver = yield* Neo4jDriver.driver(stub.uri(), manager ?? token)
            const error = failureOf(yield* Effect.exit(query(driver, 1, { retry: fast(1) }))) as Neo4jError
            return { config: driver.config, error }
          })
        )
        expect(error._tag).toBe("AuthenticationError")
        // the manager handled the refusal: retried once, refused again
        expect(yield* stub.connectionCount).toBe(manager === undefined ? 1 : 2)
        yield* stub.verify
        // the trace did log the LOGON (so the redaction was put to the test) and the refusal
        expect(collector.lines.some((l) => l.includes("C: LOGON"))).toBe(true)
        expect(collector.lines.some((l) => l.includes(UNAUTHORIZED))).toBe(true)
        const printed: Record<string, string> = {
          "error.message": error.message,
          "String(error)": String(error),
          "JSON.stringify(error)": JSON.stringify(error),
          "util.inspect(error)": util.inspect(error, { depth: 10 }),
          logs: collector.lines.join("\n"),
          "String(token)": String(token),
          "JSON.stringify(token)": JSON.stringify(token),
          "util.inspect(token)": util.inspect(token),
          "String(manager)": String(manager),
          "JSON.stringify(manager)": JSON.stringify(manager) ?? "",
          "util.inspect(manager)": util.inspect(manager),
          "JSON.stringify(driver.config)": JSON.stringify(config),
          "util.inspect(driver.config)": util.inspect(config, { depth: 10 })
        }
        const leaks = Object.entries(printed).filter(([, text]) => text.includes(secret)).map(([where]) => where)
        expect(leaks).toEqual([])
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)), Logger.withMinimumLogLevel(LogLevel.All))
    }, 10000)
  }
})
