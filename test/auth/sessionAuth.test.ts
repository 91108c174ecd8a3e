/**
 * Session and query auth (user switching) and `verifyAuthentication`, through the public driver
 * API over real sockets against the stub server:
 *
 * - Bolt 5.1 and 5.4, `bolt://`: a session with its own AuthToken re-authenticates the pooled
 *   connection with LOGOFF and LOGON pipelined with its RUN (the scripts deadlock if the driver
 *   waits for LOGON's answer before sending RUN); an equal token (another object) needs no
 *   re-authentication; a later session without auth re-authenticates back to the driver's token.
 *   The same for `executeQuery(..., { auth })`, with BEGIN pipelined.
 * - `neo4j://`: the ROUTE runs on a router connection logged in as the session's user (logged in
 *   again there too), then the writer's connection; the home database is resolved for that user
 *   apart from the driver's user.
 * - Bolt 5.0: session and query auth fail with an `UnsupportedFeatureError` on a fresh driver and
 *   with an idle connection in the pool; nothing of the refused work is sent; the driver keeps
 *   working for work without auth.
 * - A LOGON refused during re-authentication: an `AuthenticationError` naming the session's user,
 *   not retriable; the connection is not reused; the driver's auth token manager is neither asked
 *   for nor told of the session's token.
 * - `supportsSessionAuth` (5.1: true, 5.0: false).
 * - `verifyAuthentication`: a fresh connection's LOGON decides; a pooled one logs in again (LOGOFF
 *   and LOGON, an equal token included) and serves the driver's user again afterwards (logged in
 *   back); refused credentials are `false`; another security failure fails; an
 *   `UnsupportedFeatureError` on Bolt 5.0; on `neo4j://` the ROUTE asks for `{"db": "system"}`
 *   as the verified user.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Auth from "../../src/Auth.js"
import * as AuthTokenManager from "../../src/AuthTokenManager.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import { StubServer } from "../../src/testing/index.js"
import { failureOf, withDriver } from "../support.js"

// ---------------------------------------------------------------------------------------------
// helpers

/** `withDriver`'s default login (the driver's user) */
const DRIVER_LOGON = `C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}`
/** the session's user */
const ADA = Auth.basic("ada", "ada-pw")
const ADA_LOGON = `C: LOGON {"scheme": "basic", "principal": "ada", "credentials": "ada-pw"}`

/** The query the scripts answer with the user logged in on the connection, as a real server does. */
const WHO = "CALL dbms.showCurrentUser() YIELD username RETURN username"

/** The server agent a real server speaking `version` reports. */
const agentFor = (version: string) =>
  ({ "5.0": "Neo4j/5.4.0", "5.1": "Neo4j/5.5.0", "5.4": "Neo4j/5.13.0" })[version] ?? "Neo4j/5.26.0"

/**
 * A stub's opening for Bolt `version`: the driver's HELLO (bolt_agent from 5.3; the routing
 * context given for `neo4j://`), then its LOGON as neo4j (5.1+; in HELLO on 5.0), or `logon`.
 */
const head = (version: string, { logon = DRIVER_LOGON, routing }: { readonly logon?: string; readonly routing?: string } = {}) => {
  const minor = Number(version.split(".")[1])
  const fields = [`"user_agent": *string`]
  if (minor >= 3) fields.push(`"bolt_agent": *map`)
  if (routing !== undefined) fields.push(`"routing": {"address": "${routing}"}`)
  // Bolt 5.0 has no LOGON: the credentials go in HELLO
  if (minor === 0) fields.push(logon.replace(/^C: LOGON \{(.*)\}$/, "$1"))
  const hello = `!: BOLT ${version}
C: HELLO {${fields.join(", ")}}
S: SUCCESS {"server": "${agentFor(version)}", "connection_id": "bolt-1"}
`
  return minor === 0 ? hello : `${hello}${logon}\nS: SUCCESS {}\n`
}

/** What a real server answers to RUN + PULL of `WHO` logged in as `user`, auto-commit, in database `db`. */
const whoAnswer = (user: string, db = "neo4j", bookmark = `FB:${user}`) => `S: SUCCESS {"fields": ["username"], "t_first": 1}
   RECORD ["${user}"]
   SUCCESS {"type": "r", "t_last": 1, "db": "${db}", "bookmark": "${bookmark}"}`

/** RUN + PULL of `WHO` (RUN's extra `extra`), answered as `user`; auto-commit. */
const autoCommit = (user: string, { extra = "{}", db = "neo4j" }: { readonly extra?: string; readonly db?: string } = {}) =>
  `C: RUN "${WHO}" {} ${extra}
C: PULL {"n": 1000}
${whoAnswer(user, db)}
`

/**
 * LOGOFF, LOGON (`logon`) and RUN + PULL of `WHO` as the client sends them (one write), then the
 * four answers: a driver that waited for LOGON's answer before sending RUN would never get it.
 */
const reauthAutoCommit = (logon: string, user: string, options: { readonly extra?: string; readonly db?: string } = {}) =>
  `C: LOGOFF
${logon}
C: RUN "${WHO}" {} ${options.extra ?? "{}"}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {}
${whoAnswer(user, options.db).replace(/^S: /, "   ")}
`

/** A transaction function's BEGIN (`begin`), RUN + PULL of `WHO` answered as `user`, and COMMIT (bookmark `commit`). */
const tx = (user: string, begin: string, commit: string) => `C: BEGIN ${begin}
C: RUN "${WHO}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["username"], "t_first": 1}
   RECORD ["${user}"]
   SUCCESS {"type": "r", "t_last": 1, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "${commit}"}
`

/** The same, with LOGOFF and LOGON (`logon`) pipelined before BEGIN, RUN and PULL; all four answered after. */
const reauthTx = (logon: string, user: string, begin: string, commit: string) => `C: LOGOFF
${logon}
C: BEGIN ${begin}
C: RUN "${WHO}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {}
   SUCCESS {}
   SUCCESS {"fields": ["username"], "t_first": 1}
   RECORD ["${user}"]
   SUCCESS {"type": "r", "t_last": 1, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "${commit}"}
`

const UNAUTHORIZED = `{"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}`

/** `WHO` in a session of its own (`auth`: the session's login): the user the server saw. */
const whoIn = (driver: Neo4jDriver.Neo4jDriver, config: { readonly auth?: Auth.AuthToken; readonly database?: string } = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const session = yield* driver.session(config)
      const result = yield* session.run(WHO)
      const records = yield* result.list
      return Array.from(records, (r) => r.get("username"))
    })
  )

/** `WHO` through executeQuery (`auth`: the query's login). */
const whoQuery = (driver: Neo4jDriver.Neo4jDriver, auth?: Auth.AuthToken) =>
  Effect.map(driver.executeQuery(WHO, {}, auth === undefined ? {} : { auth }), (r) => r.records.map((x) => x.get("username")))

/** The message names one connection received (1-based), without the closing GOODBYE. */
const namesOn = (stub: StubServer.StubServer, connection: number) =>
  Effect.map(stub.received(connection), (ms) => ms.map((m) => m.name).filter((n) => n !== "GOODBYE"))

/** The principals of the LOGONs (or, on 5.0, HELLOs) one connection received, in order. */
const principalsOn = (stub: StubServer.StubServer, connection: number) =>
  Effect.map(stub.received(connection), (ms) =>
    ms
      .filter((m) => m.name === "LOGON" || m.name === "HELLO")
      .map((m) => (m.fields[0] as Record<string, unknown>).principal)
      .filter((p) => p !== undefined)
  )

const addr = (port: number) => `127.0.0.1:${port}`

/** A ROUTE SUCCESS as a real 5.x server sends it: routers, readers, writers; `db` the database resolved. */
const routeSuccess = (db: string, t: { readonly routers: ReadonlyArray<string>; readonly readers: ReadonlyArray<string>; readonly writers: ReadonlyArray<string> }) =>
  `SUCCESS ${JSON.stringify({
    rt: {
      ttl: 300,
      db,
      servers: [
        { addresses: t.routers, role: "ROUTE" },
        { addresses: t.readers, role: "READ" },
        { addresses: t.writers, role: "WRITE" }
      ]
    }
  })}`

type Tagged = Neo4jError & { readonly _tag: string; readonly message: string; readonly retriable: boolean }

// ---------------------------------------------------------------------------------------------

describe("session auth on bolt:// (Bolt 5.1+)", () => {
  for (const version of ["5.1", "5.4"] as const) {
    it.scopedLive(`Bolt ${version}: driver user, then ada (LOGOFF + LOGON pipelined with RUN), ada again with an equal token (no re-auth), then back to the driver's user; one connection`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${head(version)}${autoCommit("neo4j")}${reauthAutoCommit(ADA_LOGON, "ada")}${autoCommit("ada")}${reauthAutoCommit(DRIVER_LOGON, "neo4j")}?: GOODBYE
`
        })
        const seen = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const users: Array<ReadonlyArray<unknown>> = []
            users.push(yield* whoIn(driver))
            users.push(yield* whoIn(driver, { auth: ADA }))
            // another object, the same scheme, principal and credentials
            users.push(yield* whoIn(driver, { auth: Auth.basic("ada", "ada-pw") }))
            users.push(yield* whoIn(driver))
            return users
          })
        )
        expect(seen).toEqual([["neo4j"], ["ada"], ["ada"], ["neo4j"]])
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
        expect(yield* namesOn(stub, 1)).toEqual([
          "HELLO", "LOGON", "RUN", "PULL",
          "LOGOFF", "LOGON", "RUN", "PULL",
          "RUN", "PULL",
          "LOGOFF", "LOGON", "RUN", "PULL"
        ])
        expect(yield* principalsOn(stub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      }), 10000)
  }

  it.scopedLive("Bolt 5.4, executeQuery with auth: LOGOFF + LOGON pipelined with BEGIN, RUN and PULL; an equal token needs none; back to the driver's user after", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.4")}${tx("neo4j", "{}", "FB:1")}${reauthTx(ADA_LOGON, "ada", `{"bookmarks": ["FB:1"]}`, "FB:2")}${tx("ada", `{"bookmarks": ["FB:2"]}`, "FB:3")}${reauthTx(DRIVER_LOGON, "neo4j", `{"bookmarks": ["FB:3"]}`, "FB:4")}?: GOODBYE
`
      })
      const seen = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const users: Array<ReadonlyArray<unknown>> = []
          users.push(yield* whoQuery(driver))
          users.push(yield* whoQuery(driver, ADA))
          users.push(yield* whoQuery(driver, Auth.basic("ada", "ada-pw")))
          users.push(yield* whoQuery(driver))
          return users
        })
      )
      expect(seen).toEqual([["neo4j"], ["ada"], ["ada"], ["neo4j"]])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* principalsOn(stub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      expect((yield* namesOn(stub, 1)).filter((n) => n === "LOGOFF").length).toBe(2)
    }), 10000)

  it.scopedLive("Bolt 5.1, executeQuery with auth on a fresh driver: the new connection logs in as ada at once (no LOGOFF)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.1", { logon: ADA_LOGON })}${tx("ada", "{}", "FB:1")}${reauthTx(DRIVER_LOGON, "neo4j", `{"bookmarks": ["FB:1"]}`, "FB:2")}?: GOODBYE
`
      })
      const seen = yield* withDriver(stub, (driver) => Effect.all([whoQuery(driver, ADA), whoQuery(driver)]))
      expect(seen).toEqual([["ada"], ["neo4j"]])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* principalsOn(stub, 1)).toEqual(["ada", "neo4j"])
    }), 10000)
})

describe("session auth on neo4j://", () => {
  it.scopedLive("Bolt 5.4: the ROUTE runs on the router's connection logged in as ada (pipelined with LOGOFF + LOGON), the home database is ada's own, and the driver's user resolves its own again after", () =>
    Effect.gen(function* () {
      const [pr, pw] = yield* StubServer.freePorts(2)
      const router = addr(pr!)
      const writer = addr(pw!)
      const members = { routers: [router], readers: [writer], writers: [writer] }
      const route = `C: ROUTE {"address": "${router}"} [] {}`
      const routerStub = yield* StubServer.make({
        port: pr!,
        script: `${head("5.4", { routing: router })}${route}
S: ${routeSuccess("neo4j", members)}
C: LOGOFF
${ADA_LOGON}
${route}
S: SUCCESS {}
   SUCCESS {}
   ${routeSuccess("ada-home", members)}
C: LOGOFF
${DRIVER_LOGON}
${route}
S: SUCCESS {}
   SUCCESS {}
   ${routeSuccess("neo4j", members)}
?: GOODBYE
`
      })
      const writerStub = yield* StubServer.make({
        port: pw!,
        script: `${head("5.4", { routing: router })}${autoCommit("neo4j", { extra: `{"db": "neo4j"}` })}${reauthAutoCommit(ADA_LOGON, "ada", { extra: `{"db": "ada-home"}`, db: "ada-home" })}${reauthAutoCommit(DRIVER_LOGON, "neo4j", { extra: `{"db": "neo4j"}` })}?: GOODBYE
`
      })
      const { homeAfterAda, seen } = yield* withDriver(routerStub.uri("neo4j"), (driver) =>
        Effect.gen(function* () {
          const seen: Array<ReadonlyArray<unknown>> = []
          seen.push(yield* whoIn(driver))
          seen.push(yield* whoIn(driver, { auth: ADA }))
          // the driver's user's home database is still its own
          const homeAfterAda = Option.map(yield* driver.routingTable(), (t) => t.database)
          seen.push(yield* whoIn(driver))
          return { homeAfterAda, seen }
        })
      )
      expect(seen).toEqual([["neo4j"], ["ada"], ["neo4j"]])
      expect(homeAfterAda).toEqual(Option.some("neo4j"))
      yield* routerStub.verify
      yield* writerStub.verify
      expect([yield* routerStub.connectionCount, yield* writerStub.connectionCount]).toEqual([1, 1])
      expect(yield* namesOn(routerStub, 1)).toEqual(["HELLO", "LOGON", "ROUTE", "LOGOFF", "LOGON", "ROUTE", "LOGOFF", "LOGON", "ROUTE"])
      expect(yield* principalsOn(routerStub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      expect(yield* principalsOn(writerStub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      // the RUNs name the database resolved for their user
      const dbs = (yield* writerStub.received(1)).filter((m) => m.name === "RUN").map((m) => (m.fields[2] as Record<string, unknown>).db)
      expect(dbs).toEqual(["neo4j", "ada-home", "neo4j"])
    }), 10000)
})

describe("session auth before Bolt 5.1", () => {
  const refusal = (error: Tagged, address: string) => {
    expect(error._tag).toBe("UnsupportedFeatureError")
    expect((error as unknown as { feature: string }).feature).toBe("session auth")
    expect(error.message).toContain("Bolt 5.0")
    expect(error.message).toContain("Bolt 5.1")
    expect(error.message).toContain(address)
    expect(error.retriable).toBe(false)
  }

  for (const [api, refused] of [
    ["session", (d: Neo4jDriver.Neo4jDriver) => whoIn(d, { auth: ADA })],
    ["executeQuery", (d: Neo4jDriver.Neo4jDriver) => whoQuery(d, ADA)]
  ] as const) {
    it.scopedLive(`Bolt 5.0, ${api} with auth after a session left an idle connection: UnsupportedFeatureError, nothing sent; work without auth goes on on that connection`, () =>
      Effect.gen(function* () {
        const work = api === "session" ? autoCommit("neo4j") : tx("neo4j", "{}", "FB:1")
        const after = api === "session" ? autoCommit("neo4j") : tx("neo4j", `{"bookmarks": ["FB:1"]}`, "FB:2")
        const stub = yield* StubServer.make({ script: `${head("5.0")}${work}${after}?: GOODBYE\n` })
        const { error, seen } = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const plain = api === "session" ? whoIn(driver) : whoQuery(driver)
            const first = yield* plain
            const error = failureOf(yield* Effect.exit(refused(driver))) as Tagged
            const second = yield* plain
            return { error, seen: [first, second] }
          })
        )
        refusal(error, stub.address)
        expect(seen).toEqual([["neo4j"], ["neo4j"]])
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
        // nothing between the two (Bolt 5.0 has no LOGON, and nothing of the refused work went out)
        expect(yield* namesOn(stub, 1)).toEqual(
          api === "session"
            ? ["HELLO", "RUN", "PULL", "RUN", "PULL"]
            : ["HELLO", "BEGIN", "RUN", "PULL", "COMMIT", "BEGIN", "RUN", "PULL", "COMMIT"]
        )
      }), 10000)

    it.scopedLive(`Bolt 5.0, ${api} with auth on a fresh driver: UnsupportedFeatureError, no RUN or BEGIN sent; work without auth goes on`, () =>
      Effect.gen(function* () {
        const work = api === "session" ? autoCommit("neo4j") : tx("neo4j", "{}", "FB:1")
        // the refused session's connection logs in as ada (HELLO, as neo4j-javascript-driver does: the
        // server's version is known only then), is refused and left idle; the work without auth
        // cannot use it (no re-authentication before 5.1): it is closed, and a new one opened
        const stub = yield* StubServer.make({
          scripts: [`${head("5.0", { logon: ADA_LOGON })}?: GOODBYE\n`, `${head("5.0")}${work}?: GOODBYE\n`]
        })
        const { error, seen } = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            const error = failureOf(yield* Effect.exit(refused(driver))) as Tagged
            const seen = yield* (api === "session" ? whoIn(driver) : whoQuery(driver))
            return { error, seen }
          })
        )
        refusal(error, stub.address)
        expect(seen).toEqual(["neo4j"])
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(2)
        // nothing of the refused work went out
        expect(yield* namesOn(stub, 1)).toEqual(["HELLO"])
        expect(yield* principalsOn(stub, 1)).toEqual(["ada"])
        expect(yield* principalsOn(stub, 2)).toEqual(["neo4j"])
      }), 10000)
  }
})

describe("a LOGON refused during re-authentication", () => {
  it.scopedLive("Bolt 5.4: the session's query fails with an AuthenticationError naming ada (not retriable); the next session opens a new connection", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${head("5.4")}${autoCommit("neo4j")}C: LOGOFF
${ADA_LOGON}
C: RUN "${WHO}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE ${UNAUTHORIZED}
   <EXIT>
`,
          `${head("5.4")}${autoCommit("neo4j")}?: GOODBYE\n`
        ]
      })
      const { error, after } = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          yield* whoIn(driver)
          const error = failureOf(yield* Effect.exit(whoIn(driver, { auth: ADA }))) as Tagged
          const after = yield* whoIn(driver)
          return { error, after }
        })
      )
      expect(error._tag).toBe("AuthenticationError")
      expect((error as unknown as { code: string }).code).toBe("Neo.ClientError.Security.Unauthorized")
      expect(error.message).toContain(`user "ada"`)
      expect(error.message).not.toContain(`user "neo4j"`)
      expect(error.message).not.toContain("ada-pw")
      expect(error.retriable).toBe(false)
      expect(after).toEqual(["neo4j"])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
      expect(yield* namesOn(stub, 2)).toEqual(["HELLO", "LOGON", "RUN", "PULL"])
    }), 10000)

  it.scopedLive("executeQuery with auth refused: not retried (one BEGIN); the driver's token manager is neither asked for nor told of ada's token", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${head("5.4")}${tx("neo4j", "{}", "FB:1")}C: LOGOFF
${ADA_LOGON}
C: BEGIN {"bookmarks": ["FB:1"]}
C: RUN "${WHO}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE ${UNAUTHORIZED}
   <EXIT>
`,
          `${head("5.4")}${tx("neo4j", `{"bookmarks": ["FB:1"]}`, "FB:2")}?: GOODBYE\n`
        ]
      })
      let asked = 0
      const told: Array<string> = []
      const manager = AuthTokenManager.make({
        getToken: Effect.sync(() => {
          asked++
          return Auth.basic("neo4j", "pw")
        }),
        handleSecurityException: (token, code) =>
          Effect.sync(() => {
            told.push(`${token.principal}: ${code}`)
            // would make the error retriable if ada's failure reached it
            return true
          })
      })
      const { error, askedDuring, after } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* Neo4jDriver.make({ uri: stub.uri(), auth: manager })
          yield* whoQuery(driver)
          const before = asked
          const error = failureOf(yield* Effect.exit(whoQuery(driver, ADA))) as Tagged
          const askedDuring = asked - before
          const after = yield* whoQuery(driver)
          return { error, askedDuring, after }
        })
      )
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain(`user "ada"`)
      expect(error.retriable).toBe(false)
      expect(after).toEqual(["neo4j"])
      expect(askedDuring).toBe(0)
      expect(told).toEqual([])
      yield* stub.verify
      expect((yield* stub.received(1)).filter((m) => m.name === "BEGIN").length).toBe(2)
      expect(yield* stub.connectionCount).toBe(2)
    }), 10000)
})

describe("supportsSessionAuth", () => {
  for (const [version, expected] of [["5.1", true], ["5.0", false]] as const) {
    it.scopedLive(`Bolt ${version}: ${expected}, with nothing sent but the login`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: `${head(version)}?: GOODBYE\n` })
        const supported = yield* withDriver(stub, (driver) => driver.supportsSessionAuth())
        expect(supported).toBe(expected)
        yield* stub.verify
        expect(yield* namesOn(stub, 1)).toEqual(version === "5.0" ? ["HELLO"] : ["HELLO", "LOGON"])
      }), 10000)
  }
})

describe("verifyAuthentication", () => {
  it.scopedLive("a fresh connection: its LOGON decides, nothing else is sent (ada's, then the driver's on a new driver)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [`${head("5.4", { logon: ADA_LOGON })}?: GOODBYE\n`, `${head("5.4")}?: GOODBYE\n`]
      })
      const asAda = yield* withDriver(stub, (driver) => driver.verifyAuthentication(ADA))
      const asDriver = yield* withDriver(stub, (driver) => driver.verifyAuthentication())
      expect([asAda, asDriver]).toEqual([true, true])
      yield* stub.verify
      expect(yield* namesOn(stub, 1)).toEqual(["HELLO", "LOGON"])
      expect(yield* namesOn(stub, 2)).toEqual(["HELLO", "LOGON"])
      expect(yield* principalsOn(stub, 1)).toEqual(["ada"])
    }), 10000)

  it.scopedLive("a second call on the connection the first one opened logs in again: a password changed on the server since is caught (false)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.4", { logon: ADA_LOGON })}C: LOGOFF
${ADA_LOGON}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
   <EXIT>
`
      })
      const answers = yield* withDriver(stub, (driver) => Effect.all([driver.verifyAuthentication(ADA), driver.verifyAuthentication(ADA)]))
      expect(answers).toEqual([true, false])
      yield* stub.verify
    }), 10000)

  it.scopedLive("after a warm-up session: the pooled connection logs in again (an equal token too), then serves the driver's user again (logged in back, pipelined)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.4")}${autoCommit("neo4j")}C: LOGOFF
${DRIVER_LOGON}
S: SUCCESS {}
   SUCCESS {}
C: LOGOFF
${ADA_LOGON}
S: SUCCESS {}
   SUCCESS {}
${reauthAutoCommit(DRIVER_LOGON, "neo4j")}?: GOODBYE
`
      })
      const { verified, after } = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          yield* whoIn(driver)
          const verified = [yield* driver.verifyAuthentication(), yield* driver.verifyAuthentication(ADA)]
          const after = yield* whoIn(driver)
          return { verified, after }
        })
      )
      expect(verified).toEqual([true, true])
      expect(after).toEqual(["neo4j"])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* namesOn(stub, 1)).toEqual([
        "HELLO", "LOGON", "RUN", "PULL",
        "LOGOFF", "LOGON",
        "LOGOFF", "LOGON",
        "LOGOFF", "LOGON", "RUN", "PULL"
      ])
      expect(yield* principalsOn(stub, 1)).toEqual(["neo4j", "neo4j", "ada", "neo4j"])
    }), 10000)

  it.scopedLive("refused (Unauthorized) on a pooled connection: false; the server closes it, and the next session opens a new one", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `${head("5.4")}${autoCommit("neo4j")}C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "ada", "credentials": "wrong"}
S: SUCCESS {}
   FAILURE ${UNAUTHORIZED}
   <EXIT>
`,
          `${head("5.4")}${autoCommit("neo4j")}?: GOODBYE\n`
        ]
      })
      const { verified, after } = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          yield* whoIn(driver)
          const verified = yield* driver.verifyAuthentication(Auth.basic("ada", "wrong"))
          const after = yield* whoIn(driver)
          return { verified, after }
        })
      )
      expect(verified).toBe(false)
      expect(after).toEqual(["neo4j"])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
    }), 10000)

  for (const code of [
    "Neo.ClientError.Security.Unauthorized",
    "Neo.ClientError.Security.TokenExpired",
    "Neo.ClientError.Security.CredentialsExpired",
    "Neo.ClientError.Security.Forbidden"
  ]) {
    it.scopedLive(`refused on a fresh connection with ${code}: false`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${head("5.4", { logon: ADA_LOGON }).replace(/S: SUCCESS \{\}\n$/, "")}S: FAILURE {"code": "${code}", "message": "refused"}\n   <EXIT>\n`
        })
        const verified = yield* withDriver(stub, (driver) => driver.verifyAuthentication(ADA))
        expect(verified).toBe(false)
        yield* stub.verify
      }), 10000)
  }

  for (const pooled of [false, true]) {
    it.scopedLive(`a security failure that is no refusal (Neo.ClientError.Security.MadeUp) on a ${pooled ? "pooled" : "fresh"} connection: fails with that code`, () =>
      Effect.gen(function* () {
        const failure = `{"code": "Neo.ClientError.Security.MadeUp", "message": "made up"}`
        const stub = yield* StubServer.make({
          script: pooled
            ? `${head("5.4")}${autoCommit("neo4j")}C: LOGOFF\n${ADA_LOGON}\nS: SUCCESS {}\n   FAILURE ${failure}\n   <EXIT>\n`
            : `${head("5.4", { logon: ADA_LOGON }).replace(/S: SUCCESS \{\}\n$/, "")}S: FAILURE ${failure}\n   <EXIT>\n`
        })
        const exit = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            if (pooled) yield* whoIn(driver)
            return yield* Effect.exit(driver.verifyAuthentication(ADA))
          })
        )
        // failureOf throws on a success (true or false)
        const error = failureOf(exit) as Tagged & { readonly code?: string }
        expect(error.code).toBe("Neo.ClientError.Security.MadeUp")
        yield* stub.verify
      }), 10000)
  }

  it.scopedLive("Bolt 5.0: UnsupportedFeatureError", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${head("5.0")}${autoCommit("neo4j")}?: GOODBYE\n` })
      const { fresh, pooled } = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const fresh = failureOf(yield* Effect.exit(driver.verifyAuthentication())) as Tagged
          yield* whoIn(driver)
          const pooled = failureOf(yield* Effect.exit(driver.verifyAuthentication(ADA))) as Tagged
          return { fresh, pooled }
        })
      )
      for (const error of [fresh, pooled]) {
        expect(error._tag).toBe("UnsupportedFeatureError")
        expect(error.message).toContain("Bolt 5.0")
      }
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    }), 10000)

  it.scopedLive("neo4j://: the ROUTE for {\"db\": \"system\"} runs on a router connection logged in as ada, then ada logs in on a reader", () =>
    Effect.gen(function* () {
      const [pr, pd] = yield* StubServer.freePorts(2)
      const router = addr(pr!)
      const reader = addr(pd!)
      const routerStub = yield* StubServer.make({
        port: pr!,
        script: `${head("5.4", { routing: router, logon: ADA_LOGON })}C: ROUTE {"address": "${router}"} [] {"db": "system"}
S: ${routeSuccess("system", { routers: [router], readers: [reader], writers: [router] })}
?: GOODBYE
`
      })
      const readerStub = yield* StubServer.make({ port: pd!, script: `${head("5.4", { routing: router, logon: ADA_LOGON })}?: GOODBYE\n` })
      const verified = yield* withDriver(routerStub.uri("neo4j"), (driver) => driver.verifyAuthentication(ADA))
      expect(verified).toBe(true)
      yield* routerStub.verify
      yield* readerStub.verify
      expect(yield* namesOn(routerStub, 1)).toEqual(["HELLO", "LOGON", "ROUTE"])
      expect(yield* namesOn(readerStub, 1)).toEqual(["HELLO", "LOGON"])
    }), 10000)

  it.scopedLive("neo4j://, after a warm-up session: the system ROUTE goes on the router's pooled connection logged in again as ada (pipelined), the reader's logs in again; both log back in for the driver's user after", () =>
    Effect.gen(function* () {
      const [pr, pd] = yield* StubServer.freePorts(2)
      const router = addr(pr!)
      const member = addr(pd!)
      const home = routeSuccess("neo4j", { routers: [router], readers: [member], writers: [member] })
      const system = routeSuccess("system", { routers: [router], readers: [member], writers: [router] })
      const route = (db: string) => `C: ROUTE {"address": "${router}"} [] ${db}`
      const routerStub = yield* StubServer.make({
        port: pr!,
        script: `${head("5.4", { routing: router })}${route("{}")}
S: ${home}
C: LOGOFF
${ADA_LOGON}
${route(`{"db": "system"}`)}
S: SUCCESS {}
   SUCCESS {}
   ${system}
C: LOGOFF
${DRIVER_LOGON}
${route("{}")}
S: SUCCESS {}
   SUCCESS {}
   ${home}
?: GOODBYE
`
      })
      const memberStub = yield* StubServer.make({
        port: pd!,
        script: `${head("5.4", { routing: router })}${autoCommit("neo4j", { extra: `{"db": "neo4j"}` })}C: LOGOFF
${ADA_LOGON}
S: SUCCESS {}
   SUCCESS {}
${reauthAutoCommit(DRIVER_LOGON, "neo4j", { extra: `{"db": "neo4j"}` })}?: GOODBYE
`
      })
      const { verified, seen } = yield* withDriver(routerStub.uri("neo4j"), (driver) =>
        Effect.gen(function* () {
          const before = yield* whoIn(driver)
          const verified = yield* driver.verifyAuthentication(ADA)
          const after = yield* whoIn(driver)
          return { verified, seen: [before, after] }
        })
      )
      expect(verified).toBe(true)
      expect(seen).toEqual([["neo4j"], ["neo4j"]])
      yield* routerStub.verify
      yield* memberStub.verify
      expect([yield* routerStub.connectionCount, yield* memberStub.connectionCount]).toEqual([1, 1])
      expect(yield* principalsOn(routerStub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      expect(yield* principalsOn(memberStub, 1)).toEqual(["neo4j", "ada", "neo4j"])
      const routeDbs = (yield* routerStub.received(1)).filter((m) => m.name === "ROUTE").map((m) => (m.fields[2] as Record<string, unknown>).db)
      expect(routeDbs).toEqual([undefined, "system", undefined])
    }), 10000)
})
