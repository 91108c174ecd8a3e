/**
 * Notification filters at the driver, session and query levels, over real sockets against the
 * stub server: the driver's in HELLO, a session's or a query's in BEGIN and auto-commit RUN, with
 * the key names of Bolt 5.2-5.4 (`notifications_disabled_categories`) and 5.6+
 * (`notifications_disabled_classifications`); `OFF` and an empty list sent as given (TestKit
 * stub/notifications_config); a filter below Bolt 5.2 refused with an UnsupportedFeatureError
 * before anything goes out, at every level; an invalid session or query filter an
 * InvalidConfigError.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type * as DriverConfig from "../src/DriverConfig.js"
import type * as Neo4jDriver from "../src/Neo4jDriver.js"
import type { Neo4jError } from "../src/Neo4jError.js"
import { StubServer } from "../src/testing/index.js"
import { count, names, openSockets, settledSockets, withDriver } from "./support.js"

/** The LOGON of `withDriver`'s default credentials. */
const LOGON = `C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pw"}
S: SUCCESS {}`

/**
 * A stub's opening for Bolt `version` (5.1 to 5.8) with HELLO's notification entries exactly
 * `notifications` (a JSON fragment, "" for none): what a driver of that version sends, answered
 * as a server of that version answers.
 */
const head = (version: string, notifications = "", server = "Neo4j/5.26.0") => {
  const minor = Number(version.split(".")[1])
  const boltAgent = minor >= 3 ? `, "bolt_agent": *map` : ""
  return `!: BOLT ${version}
C: HELLO {"user_agent": *string${boltAgent}${notifications === "" ? "" : `, ${notifications}`}}
S: SUCCESS {"server": "${server}", "connection_id": "bolt-1"}
${LOGON}
`
}

/** RUN + PULL of `query` (extra `extra`) answered with one record `[1]`, auto-commit. */
const autoCommit = (query: string, extra: string) => `C: RUN ${JSON.stringify(query)} {} ${extra}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"], "t_first": 1}
   RECORD [1]
   SUCCESS {"type": "r", "t_last": 1, "db": "neo4j"}
`

/** A transaction: BEGIN `extra`, then RUN + PULL of `query` answered with one record `[1]`, COMMIT. */
const transaction = (query: string, extra: string) => `C: BEGIN ${extra}
C: RUN ${JSON.stringify(query)} {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"], "t_first": 1}
   RECORD [1]
   SUCCESS {"type": "r", "t_last": 1, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
`

const readOne = (driver: Neo4jDriver.Neo4jDriver, query: string, config?: Neo4jDriver.QueryConfig) =>
  Effect.map(driver.executeQuery(query, {}, { bookmarkManager: null, ...config }), (r) => r.records[0]!.get("x"))

describe("the driver's filter goes in HELLO", () => {
  it.scopedLive("Bolt 5.2: notifications_minimum_severity and notifications_disabled_categories; transactions carry none", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.2", `"notifications_minimum_severity": "WARNING", "notifications_disabled_categories": ["HINT", "DEPRECATION"]`, "Neo4j/5.7.0")}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      const x = yield* withDriver(stub, (driver) => readOne(driver, "RETURN 1 AS x"), {
        notificationFilter: { minimumSeverity: "WARNING", disabledClassifications: ["HINT", "DEPRECATION"] }
      })
      expect(x).toBe(1)
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.6: notifications_disabled_classifications", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.6", `"notifications_minimum_severity": "INFORMATION", "notifications_disabled_classifications": ["PERFORMANCE", "GENERIC"]`, "Neo4j/5.23.0")}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) => readOne(driver, "RETURN 1 AS x"), {
        notificationFilter: { minimumSeverity: "INFORMATION", disabledClassifications: ["PERFORMANCE", "GENERIC"] }
      })
      yield* stub.verify
    })
  )

  it.scopedLive("OFF and an empty list are sent as given; {} sends nothing", () =>
    Effect.gen(function* () {
      const off = yield* StubServer.make({
        script: `${head("5.4", `"notifications_minimum_severity": "OFF"`)}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      yield* withDriver(off, (driver) => readOne(driver, "RETURN 1 AS x"), { notificationFilter: { minimumSeverity: "OFF" } })
      yield* off.verify
      const none = yield* StubServer.make({
        script: `${head("5.4", `"notifications_disabled_categories": []`)}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      yield* withDriver(none, (driver) => readOne(driver, "RETURN 1 AS x"), { notificationFilter: { disabledClassifications: [] } })
      yield* none.verify
      const empty = yield* StubServer.make({ script: `${head("5.4")}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE\n` })
      yield* withDriver(empty, (driver) => readOne(driver, "RETURN 1 AS x"), { notificationFilter: {} })
      yield* empty.verify
    })
  )
})

describe("a session's filter goes in BEGIN and auto-commit RUN", () => {
  it.scopedLive("Bolt 5.2: executeRead, beginTransaction and run; nothing in HELLO", () =>
    Effect.gen(function* () {
      const filter = `"notifications_minimum_severity": "OFF", "notifications_disabled_categories": []`
      const stub = yield* StubServer.make({
        script: `${head("5.2", "", "Neo4j/5.7.0")}${transaction("RETURN 1 AS x", `{"mode": "r", "db": "neo4j", ${filter}}`)}${transaction(
          "RETURN 2 AS x",
          `{"bookmarks": ["FB:1"], "mode": "r", "db": "neo4j", ${filter}}`
        )}${autoCommit("RETURN 3 AS x", `{"bookmarks": ["FB:1"], "mode": "r", "db": "neo4j", ${filter}}`)}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session({
            database: "neo4j",
            defaultAccessMode: "READ",
            notificationFilter: { minimumSeverity: "OFF", disabledClassifications: [] }
          })
          yield* session.executeRead((tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))
          yield* Effect.scoped(
            Effect.gen(function* () {
              const tx = yield* session.beginTransaction()
              yield* Effect.flatMap(tx.run("RETURN 2 AS x"), (r) => r.list)
              yield* tx.commit
            })
          )
          const rows = yield* Effect.flatMap(session.run("RETURN 3 AS x"), (r) => r.list)
          expect(rows.length).toBe(1)
        })
      )
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.6, under a driver filter: the session's goes per transaction, HELLO keeps the driver's", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.6", `"notifications_minimum_severity": "WARNING", "notifications_disabled_classifications": ["UNSUPPORTED", "UNRECOGNIZED", "DEPRECATION", "HINT"]`, "Neo4j/5.23.0")}${transaction(
          "RETURN 1 AS x",
          `{"notifications_minimum_severity": "INFORMATION", "notifications_disabled_classifications": ["SCHEMA"]}`
        )}${autoCommit("RETURN 2 AS x", `{"bookmarks": ["FB:1"], "notifications_minimum_severity": "INFORMATION", "notifications_disabled_classifications": ["SCHEMA"]}`)}${transaction(
          "RETURN 3 AS x",
          "{}"
        )}?: GOODBYE
`
      })
      yield* withDriver(
        stub,
        (driver) =>
          Effect.gen(function* () {
            const session = yield* driver.session({
              notificationFilter: { minimumSeverity: "INFORMATION", disabledClassifications: ["SCHEMA"] }
            })
            yield* session.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list))
            yield* Effect.flatMap(session.run("RETURN 2 AS x"), (r) => r.list)
            // a session without its own filter sends none: the driver's (in HELLO) applies
            const plain = yield* driver.session()
            yield* plain.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 3 AS x"), (r) => r.list))
          }),
        { notificationFilter: { minimumSeverity: "WARNING", disabledClassifications: ["UNSUPPORTED", "UNRECOGNIZED", "DEPRECATION", "HINT"] } }
      )
      yield* stub.verify
    })
  )
})

describe("a query's filter", () => {
  it.scopedLive("executeQuery sends it in BEGIN, stream in its RUN", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.4")}${transaction(
          "RETURN 1 AS x",
          `{"mode": "r", "notifications_minimum_severity": "WARNING", "notifications_disabled_categories": ["HINT"]}`
        )}${autoCommit("RETURN 2 AS x", `{"notifications_disabled_categories": ["TOPOLOGY"]}`)}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const x = yield* readOne(driver, "RETURN 1 AS x", {
            routing: "READ",
            notificationFilter: { minimumSeverity: "WARNING", disabledClassifications: ["HINT"] }
          })
          expect(x).toBe(1)
          const streamed = yield* Stream.runCollect(
            driver.stream("RETURN 2 AS x", {}, { notificationFilter: { disabledClassifications: ["TOPOLOGY"] } })
          )
          expect(streamed.length).toBe(1)
        })
      )
      yield* stub.verify
    })
  )
})

/** The error of a failed effect, which must be an UnsupportedFeatureError. */
const unsupported = (error: Neo4jError | unknown) => {
  const e = error as Neo4jError
  expect(e._tag).toBe("UnsupportedFeatureError")
  if (e._tag !== "UnsupportedFeatureError") throw new Error("unreachable")
  expect(e.feature).toBe("notification filters")
  expect(e.retriable).toBe(false)
  return e
}

describe("below Bolt 5.2 a filter is an UnsupportedFeatureError, never dropped", () => {
  it.scopedLive("the driver's: HELLO is never sent, the connection is closed, nothing is retried", () =>
    Effect.gen(function* () {
      const before = openSockets()
      const stub = yield* StubServer.make({ script: "!: BOLT 5.1\n" })
      const filter: DriverConfig.NotificationFilter = { minimumSeverity: "WARNING", disabledClassifications: ["HINT"] }
      const started = Date.now()
      const error = unsupported(
        yield* withDriver(
          stub,
          (driver) =>
            Effect.flatMap(Effect.flip(readOne(driver, "RETURN 1 AS x")), (e) =>
              // the refused connection is closed at once, while the driver is still open
              Effect.as(Effect.tap(settledSockets(before), (open) => expect(open).toBe(before)), e)
            ),
          { notificationFilter: filter }
        )
      )
      expect(Date.now() - started).toBeLessThan(5000)
      expect(error.message).toBe(
        `the server at ${stub.host}:${stub.port} negotiated Bolt 5.1, and notification filters need Bolt 5.2 or later (Neo4j 5.7+): the driver's notificationFilter {"minimumSeverity":"WARNING","disabledClassifications":["HINT"]} cannot be sent in HELLO`
      )
      expect(yield* names(stub)).toEqual([])
      // verifyConnectivity says the same
      const again = unsupported(
        yield* withDriver(stub, (driver) => driver.verifyConnectivity(), { notificationFilter: { minimumSeverity: "OFF" } }).pipe(Effect.flip)
      )
      expect(again.message).toContain(`{"minimumSeverity":"OFF"} cannot be sent in HELLO`)
      yield* stub.verify
    })
  )

  it.scopedLive("the driver's on Bolt 4.4 and through neo4j:// (the discovery ends at once)", () =>
    Effect.gen(function* () {
      const direct = yield* StubServer.make({ script: "!: BOLT 4.4\n" })
      const e44 = unsupported(
        yield* withDriver(direct, (driver) => readOne(driver, "RETURN 1 AS x"), { notificationFilter: { minimumSeverity: "OFF" } }).pipe(
          Effect.flip
        )
      )
      expect(e44.message).toContain("negotiated Bolt 4.4")
      const router = yield* StubServer.make({ script: "!: BOLT 5.0\n" })
      const started = Date.now()
      const routed = unsupported(
        yield* withDriver(router.uri("neo4j"), (driver) => readOne(driver, "RETURN 1 AS x"), {
          notificationFilter: { disabledClassifications: [] }
        }).pipe(Effect.flip)
      )
      expect(Date.now() - started).toBeLessThan(5000)
      expect(routed.message).toContain(`negotiated Bolt 5.0`)
      expect(routed.message).toContain(`{"disabledClassifications":[]} cannot be sent in HELLO`)
      expect(yield* names(router)).toEqual([])
    })
  )

  it.scopedLive("a session's: RUN and BEGIN refused before anything goes out; the connection stays usable", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.1", "", "Neo4j/5.5.0")}${autoCommit("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session({ notificationFilter: { minimumSeverity: "WARNING" } })
          const onRun = unsupported(yield* Effect.flip(session.run("RETURN 1 AS x")))
          expect(onRun.message).toBe(
            `the server at ${stub.host}:${stub.port} negotiated Bolt 5.1, and notification filters need Bolt 5.2 or later (Neo4j 5.7+): the session's (or query's) notificationFilter {"minimumSeverity":"WARNING"} cannot be sent in RUN`
          )
          const onBegin = unsupported(yield* Effect.flip(Effect.scoped(session.beginTransaction())))
          expect(onBegin.message).toContain(`{"minimumSeverity":"WARNING"} cannot be sent in BEGIN`)
          let calls = 0
          const onFunction = unsupported(
            yield* Effect.flip(session.executeWrite(() => Effect.sync(() => calls++)))
          )
          expect(onFunction.message).toContain("negotiated Bolt 5.1")
          expect(calls).toBe(0)
          // a session without a filter gets the same connection, clean
          const plain = yield* driver.session()
          const rows = yield* Effect.flatMap(plain.run("RETURN 1 AS x"), (r) => r.list)
          expect(rows.length).toBe(1)
        })
      )
      expect(yield* names(stub)).toEqual(["HELLO", "LOGON", "RUN", "PULL"])
      yield* stub.verify
    })
  )

  it.scopedLive("a query's: executeQuery (BEGIN) and stream (RUN); {} is no filter and goes", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${head("5.1", "", "Neo4j/5.5.0")}${transaction("RETURN 1 AS x", "{}")}?: GOODBYE
`
      })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const viaQuery = unsupported(
            yield* Effect.flip(readOne(driver, "RETURN 1 AS x", { notificationFilter: { disabledClassifications: ["HINT"] } }))
          )
          expect(viaQuery.message).toContain(`negotiated Bolt 5.1`)
          expect(viaQuery.message).toContain(`{"disabledClassifications":["HINT"]} cannot be sent in BEGIN`)
          const viaStream = unsupported(
            yield* Effect.flip(Stream.runCollect(driver.stream("RETURN 1 AS x", {}, { notificationFilter: { minimumSeverity: "OFF" } })))
          )
          expect(viaStream.message).toContain(`{"minimumSeverity":"OFF"} cannot be sent in RUN`)
          expect(yield* readOne(driver, "RETURN 1 AS x", { notificationFilter: {} })).toBe(1)
        })
      )
      expect(yield* count(stub, "BEGIN")).toBe(1)
      yield* stub.verify
    })
  )
})

describe("an invalid session or query filter is an InvalidConfigError", () => {
  it.scopedLive("naming the problem, before anything is sent", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${head("5.4")}?: GOODBYE\n`, verifyOnClose: false })
      yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const bad = { minimumSeverity: "LOUD" } as unknown as DriverConfig.NotificationFilter
          const session = yield* driver.session({ notificationFilter: bad })
          const onRun = yield* Effect.flip(session.run("RETURN 1"))
          expect(onRun._tag).toBe("InvalidConfigError")
          expect(onRun.message).toBe(
            `Invalid session config: notificationFilter.minimumSeverity must be one of OFF, WARNING, INFORMATION (got "LOUD")`
          )
          expect((yield* Effect.flip(session.executeRead(() => Effect.void)))._tag).toBe("InvalidConfigError")
          expect((yield* Effect.flip(Effect.scoped(session.beginTransaction())))._tag).toBe("InvalidConfigError")
          const unknown = { disabledClassifications: ["HINTS"] } as unknown as DriverConfig.NotificationFilter
          const onQuery = yield* Effect.flip(driver.executeQuery("RETURN 1", {}, { notificationFilter: unknown }))
          expect(onQuery._tag).toBe("InvalidConfigError")
          expect(onQuery.message).toContain(`Invalid query config: notificationFilter.disabledClassifications: unknown classification "HINTS"`)
          const onStream = yield* Effect.flip(Stream.runCollect(driver.stream("RETURN 1", {}, { notificationFilter: bad })))
          expect(onStream.message).toContain("Invalid query config: notificationFilter.minimumSeverity")
        })
      )
      expect(yield* names(stub)).toEqual([])
    })
  )
})
