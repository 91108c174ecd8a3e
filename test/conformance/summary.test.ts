/**
 * Summary notifications and GQL status objects as the reference drivers resolve them (TestKit
 * stub/summary: TestSummaryNotifications*, TestSummaryGqlStatusObjects*, TestSummaryBasicInfo;
 * stub/notifications_config: TestNotificationMapping), over real sockets against the stub server
 * through the public driver API, with the scripts a server of each version sends: `notifications`
 * before Bolt 5.6, `statuses` (GQL status objects) from 5.6. Then the mapping itself, as pure
 * functions (`Result.summaryFrom`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Neo4jDriver from "../../src/Neo4jDriver.js"
import * as Result from "../../src/Result.js"
import { StubServer } from "../../src/testing/index.js"
import { count, withDriver } from "../support.js"

type Json = Record<string, unknown>

const DEFAULT_DIAG = { OPERATION: "", OPERATION_CODE: "0", CURRENT_SCHEMA: "/" }

const SUCCESS = { gql_status: "00000", status_description: "note: successful completion" }
const OMITTED = { gql_status: "00001", status_description: "note: successful completion - omitted result" }
const NO_DATA = { gql_status: "02000", status_description: "note: no data" }

/**
 * One auto-commit query, `RETURN 1 AS n`, answered with `fields`, `records` rows and the final
 * SUCCESS `end` (RUN and the first PULL go out together).
 */
const script = (version: string, end: Json, { fields = ["n"], records = 1 }: { fields?: Array<string>; records?: number } = {}) =>
  `!: BOLT ${version}
A: HELLO
${version === "4.4" || version === "5.0" ? "" : "A: LOGON\n"}C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS ${JSON.stringify({ t_first: 2001, fields })}
${"   RECORD [1]\n".repeat(records)}   SUCCESS ${JSON.stringify({ type: "r", db: "apple", t_last: 2002, ...end })}
?: GOODBYE
`

const consume = (driver: Neo4jDriver.Neo4jDriver) =>
  Effect.flatMap(driver.session(), (session) => Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.consume))

/** The summary of `RETURN 1 AS n` against a stub playing `text`; the stub checked afterwards. */
const summaryOf = (text: string) =>
  Effect.gen(function* () {
    const stub = yield* StubServer.make({ script: text })
    const summary = yield* withDriver(stub, consume)
    yield* stub.verify
    expect(yield* count(stub, "PULL")).toBe(1)
    return summary
  })

/** A non-notification status as the driver reports it (TestKit `assert_is_non_notification_status`). */
const outcome = (gqlStatus: string, statusDescription: string) => ({
  gqlStatus,
  statusDescription,
  isNotification: false,
  severity: "UNKNOWN",
  classification: "UNKNOWN",
  diagnosticRecord: DEFAULT_DIAG
})
const successStatus = outcome("00000", "note: successful completion")
const omittedStatus = outcome("00001", "note: successful completion - omitted result")
const noDataStatus = outcome("02000", "note: no data")


describe("Bolt 5.6+: GQL status objects (statuses) as sent, notifications derived from them", () => {
  const fullStatus = (i = 0, extraDiag: Json = {}) => ({
    gql_status: "01N01",
    status_description: `warn: test subcat. Don't do this™ ${i}.`,
    description: `Please, don't do this™ ${i}.`,
    neo4j_code: `Neo.ClientNotification.Foo.Bar${i}`,
    title: `Legacy warning title ${i}`,
    diagnostic_record: {
      OPERATION: "SOME_OP",
      OPERATION_CODE: "42",
      CURRENT_SCHEMA: "/foo",
      _status_parameters: { action: "this™" },
      _severity: "WARNING",
      _classification: "GENERIC",
      _position: { column: 9, offset: 8, line: 1 + i },
      ...extraDiag
    }
  })

  it.scopedLive("only the success status: no notifications (an empty list, reported), one status", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("5.6", { stats: {}, statuses: [SUCCESS] }))
      expect(s.notifications).toEqual([])
      expect(Result.notificationsReported(s)).toBe(true)
      expect(s.gqlStatusObjects).toEqual([successStatus])
      expect(s.gqlStatusObjects[0]?.position).toBeUndefined()
      expect(s.gqlStatusObjects[0]?.rawSeverity).toBeUndefined()
      expect(s.gqlStatusObjects[0]?.rawClassification).toBeUndefined()
    })
  )

  it.scopedLive("the success status with its default diagnostic record (as Neo4j 5.26 sends it) is the same", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("5.8", { statuses: [{ ...SUCCESS, diagnostic_record: DEFAULT_DIAG }] }))
      expect(s.gqlStatusObjects).toEqual([successStatus])
    })
  )

  it.scopedLive("omitted result and no data, as the server says", () =>
    Effect.gen(function* () {
      const omitted = yield* summaryOf(script("5.6", { stats: {}, statuses: [OMITTED] }, { fields: [], records: 0 }))
      expect(omitted.gqlStatusObjects).toEqual([omittedStatus])
      const noData = yield* summaryOf(script("5.6", { stats: {}, statuses: [NO_DATA] }, { records: 0 }))
      expect(noData.gqlStatusObjects).toEqual([noDataStatus])
    })
  )

  it.scopedLive("a notification status gives a notification: neo4j_code, title, description, severity, category, position", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("5.6", { statuses: [fullStatus(), SUCCESS] }))
      expect(s.notifications).toEqual([
        {
          code: "Neo.ClientNotification.Foo.Bar0",
          title: "Legacy warning title 0",
          description: "Please, don't do this™ 0.",
          severity: "WARNING",
          severityLevel: "WARNING",
          rawSeverityLevel: "WARNING",
          category: "GENERIC",
          rawCategory: "GENERIC",
          position: { column: 9, offset: 8, line: 1 }
        }
      ])
      const [warning, success] = s.gqlStatusObjects
      expect(warning).toEqual({
        gqlStatus: "01N01",
        statusDescription: "warn: test subcat. Don't do this™ 0.",
        isNotification: true,
        severity: "WARNING",
        rawSeverity: "WARNING",
        classification: "GENERIC",
        rawClassification: "GENERIC",
        position: { column: 9, offset: 8, line: 1 },
        diagnosticRecord: fullStatus().diagnostic_record
      })
      expect(success).toEqual(successStatus)
    })
  )

  it.scopedLive("without a position, the notification has none", () =>
    Effect.gen(function* () {
      const status = fullStatus()
      delete (status.diagnostic_record as Json)._position
      const s = yield* summaryOf(script("5.6", { statuses: [status, SUCCESS] }))
      expect(s.notifications).toHaveLength(1)
      expect(s.notifications[0]?.position).toBeUndefined()
      expect(s.gqlStatusObjects[0]?.position).toBeUndefined()
    })
  )

  it.scopedLive("unknown severity and classification: UNKNOWN, the raw strings kept, and so is garbage in the record", () =>
    Effect.gen(function* () {
      const status = fullStatus(0, { _severity: "ANYSEV", _classification: "ANYCAT", "_🤡": "🎈" })
      const s = yield* summaryOf(script("5.6", { statuses: [status, SUCCESS] }))
      expect(s.notifications[0]).toMatchObject({
        severity: "ANYSEV",
        severityLevel: "UNKNOWN",
        rawSeverityLevel: "ANYSEV",
        category: "UNKNOWN",
        rawCategory: "ANYCAT"
      })
      expect(s.gqlStatusObjects[0]).toMatchObject({ severity: "UNKNOWN", rawSeverity: "ANYSEV", classification: "UNKNOWN", rawClassification: "ANYCAT" })
      expect(s.gqlStatusObjects[0]?.diagnosticRecord["_🤡"]).toBe("🎈")
    })
  )

  it.scopedLive("several statuses keep the server's order (not GQL's), notifications in the same order", () =>
    Effect.gen(function* () {
      const foobar = fullStatus(4, { _classification: "FOOBAR" })
      delete (foobar.diagnostic_record as Json)._severity
      const statuses = [
        fullStatus(1),
        SUCCESS,
        NO_DATA,
        { ...fullStatus(2), gql_status: "03N01" },
        { ...fullStatus(3), gql_status: "01N00" },
        { ...foobar, gql_status: "01N00" },
        OMITTED,
        { ...fullStatus(5), gql_status: "03N03" }
      ]
      const s = yield* summaryOf(script("5.6", { statuses }))
      expect(s.gqlStatusObjects.map((g) => g.gqlStatus)).toEqual(["01N01", "00000", "02000", "03N01", "01N00", "01N00", "00001", "03N03"])
      expect(s.gqlStatusObjects.map((g) => g.isNotification)).toEqual([true, false, false, true, true, true, false, true])
      expect(s.gqlStatusObjects[1]).toEqual(successStatus)
      expect(s.gqlStatusObjects[2]).toEqual(noDataStatus)
      expect(s.gqlStatusObjects[6]).toEqual(omittedStatus)
      expect(s.gqlStatusObjects[5]).toMatchObject({ severity: "UNKNOWN", classification: "UNKNOWN", rawClassification: "FOOBAR" })
      expect(s.gqlStatusObjects[5]?.rawSeverity).toBeUndefined()
      expect(s.notifications.map((n) => n.code)).toEqual([1, 2, 3, 4, 5].map((i) => `Neo.ClientNotification.Foo.Bar${i}`))
      expect(s.notifications[3]).toMatchObject({ severity: "", severityLevel: "UNKNOWN", rawSeverityLevel: "", category: "UNKNOWN", rawCategory: "FOOBAR" })
    })
  )

  it.scopedLive("the diagnostic record's defaults fill missing keys only; values of any type are kept", () =>
    Effect.gen(function* () {
      const without = (i: number, ...keys: Array<string>) => {
        const s = fullStatus(i)
        for (const k of keys) delete (s.diagnostic_record as Json)[k]
        return s
      }
      const withValue = (i: number, key: string, value: unknown) => fullStatus(i, { [key]: value })
      const noRecord: Json = fullStatus(1)
      delete noRecord.diagnostic_record
      const statuses = [
        noRecord,
        without(2, "OPERATION"),
        without(3, "OPERATION_CODE"),
        without(4, "CURRENT_SCHEMA"),
        without(5, "OPERATION", "OPERATION_CODE", "CURRENT_SCHEMA"),
        withValue(6, "OPERATION", null),
        withValue(7, "OPERATION_CODE", null),
        withValue(8, "CURRENT_SCHEMA", null),
        withValue(9, "OPERATION", [123, null]),
        withValue(10, "OPERATION_CODE", { foo: "bar", baz: 42.5 }),
        withValue(11, "CURRENT_SCHEMA", false),
        without(12, "_status_parameters", "_severity", "_classification", "_position")
      ]
      const s = yield* summaryOf(script("5.6", { statuses }))
      const expected = statuses.map((st) => ({ ...DEFAULT_DIAG, ...((st.diagnostic_record as Json | undefined) ?? {}) }))
      expect(s.gqlStatusObjects.map((g) => g.diagnosticRecord)).toEqual(expected)
      expect(s.gqlStatusObjects.map((g) => g.isNotification)).toEqual(statuses.map(() => true))
      // the first has no record: no position, severity or classification
      expect(s.gqlStatusObjects[0]).toMatchObject({ severity: "UNKNOWN", classification: "UNKNOWN" })
      expect(s.gqlStatusObjects[0]?.position).toBeUndefined()
      expect(s.gqlStatusObjects[11]?.rawClassification).toBeUndefined()
    })
  )

  it.scopedLive("an empty statuses list: nothing, but reported", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("5.6", { statuses: [] }))
      expect(s.gqlStatusObjects).toEqual([])
      expect(s.notifications).toEqual([])
      expect(Result.notificationsReported(s)).toBe(true)
    })
  )
})

/** A notification as a 4.4 server sends it (TestKit `make_test_notification`). */
/** `null` leaves the severity or category out. */
const testNotification = (i?: number, severity: string | null = "WARNING", category: string | null = "HINT") => {
  const n: Json =
    i === undefined
      ? {
          description: "If a part of a query contains multiple disconnected patterns, ...",
          code: "Neo.ClientNotification.Statement.CartesianProductWarning",
          position: { column: 9, offset: 8, line: 1 },
          title: "This query builds a cartesian product between..."
        }
      : {
          description: `If a part of a query contains multiple disconnected patterns, ... [${i}]`,
          code: `Neo.ClientNotification.Statement.CartesianProductWarning${i}`,
          position: { column: 9, offset: 8, line: 1 + i },
          title: `This query builds a cartesian product ... [${i}]`
        }
  if (severity !== null) n.severity = severity
  if (category !== null) n.category = category
  return n
}

/** The GQL status object derived from `testNotification` (TestKit `assert_is_test_notification_as_gql_status_object`). */
const derivedStatus = (n: Json, description?: string) => {
  const diag: Json = { ...DEFAULT_DIAG }
  if (n.severity !== undefined) diag._severity = n.severity
  if (n.category !== undefined) diag._classification = n.category
  if (n.position !== undefined) diag._position = n.position
  return {
    gqlStatus: n.severity === "WARNING" ? "01N42" : "03N42",
    statusDescription: description ?? n.description,
    isNotification: true,
    severity: n.severity === "WARNING" || n.severity === "INFORMATION" ? n.severity : "UNKNOWN",
    classification: n.category === "HINT" ? "HINT" : "UNKNOWN",
    ...(n.severity !== undefined ? { rawSeverity: n.severity } : {}),
    ...(n.category !== undefined ? { rawClassification: n.category } : {}),
    ...(n.position !== undefined ? { position: n.position } : {}),
    diagnosticRecord: diag
  }
}

describe("before Bolt 5.6: notifications as sent, GQL status objects derived from them", () => {
  it.scopedLive("no notifications field: an empty list, not reported", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("4.4", { stats: {} }))
      expect(s.notifications).toEqual([])
      expect(Result.notificationsReported(s)).toBe(false)
      expect(s.gqlStatusObjects).toHaveLength(1)
    })
  )

  it.scopedLive("an empty list: empty, but reported", () =>
    Effect.gen(function* () {
      const s = yield* summaryOf(script("4.4", { notifications: [] }))
      expect(s.notifications).toEqual([])
      expect(Result.notificationsReported(s)).toBe(true)
    })
  )

  it.scopedLive("a full notification: raw and parsed severity and category, position", () =>
    Effect.gen(function* () {
      const n = testNotification(undefined, "WARNING", "GENERIC")
      const s = yield* summaryOf(script("4.4", { notifications: [n] }))
      expect(s.notifications).toEqual([
        {
          code: n.code,
          title: n.title,
          description: n.description,
          severity: "WARNING",
          severityLevel: "WARNING",
          rawSeverityLevel: "WARNING",
          category: "GENERIC",
          rawCategory: "GENERIC",
          position: { column: 9, offset: 8, line: 1 }
        }
      ])
    })
  )

  it.scopedLive("without position and category, an unknown severity: UNKNOWN levels, \"\" raw category, no position", () =>
    Effect.gen(function* () {
      const n = testNotification(undefined, "ANYTHING", null)
      delete n.position
      const s = yield* summaryOf(script("4.4", { notifications: [n] }))
      expect(s.notifications).toEqual([
        {
          code: n.code,
          title: n.title,
          description: n.description,
          severity: "ANYTHING",
          severityLevel: "UNKNOWN",
          rawSeverityLevel: "ANYTHING",
          category: "UNKNOWN",
          rawCategory: ""
        }
      ])
    })
  )

  it.scopedLive("an omitted result (no keys): 00001 first, then the information", () =>
    Effect.gen(function* () {
      const n = testNotification(undefined, "INFORMATION")
      const s = yield* summaryOf(script("4.4", { notifications: [n] }, { fields: [], records: 0 }))
      expect(s.gqlStatusObjects).toEqual([omittedStatus, derivedStatus(n)])
    })
  )

  it.scopedLive("a missing description: the GQL default by severity", () =>
    Effect.gen(function* () {
      const warn = testNotification(1, "WARNING")
      const info = testNotification(2, "INFORMATION")
      const banana = testNotification(3, "BANANA")
      for (const n of [warn, info, banana]) delete n.description
      const s = yield* summaryOf(script("4.4", { notifications: [warn, info, banana] }, { fields: [], records: 0 }))
      expect(s.gqlStatusObjects).toEqual([
        derivedStatus(warn, "warn: unknown warning"),
        omittedStatus,
        derivedStatus(info, "info: unknown notification"),
        derivedStatus(banana, "info: unknown notification")
      ])
      // the notifications themselves keep what was sent
      expect(s.notifications.map((x) => x.description)).toEqual(["", "", ""])
    })
  )

  describe("the outcome status, from what the stream saw", () => {
    it.scopedLive("records: 00000; no notifications, or an empty list, is that status alone", () =>
      Effect.gen(function* () {
        expect((yield* summaryOf(script("4.4", { stats: {} }))).gqlStatusObjects).toEqual([successStatus])
        expect((yield* summaryOf(script("4.4", { notifications: [] }))).gqlStatusObjects).toEqual([successStatus])
        expect((yield* summaryOf(script("5.4", {}))).gqlStatusObjects).toEqual([successStatus])
      })
    )

    it.scopedLive("keys, read to the end, no record: 02000", () =>
      Effect.gen(function* () {
        expect((yield* summaryOf(script("4.4", { stats: {} }, { records: 0 }))).gqlStatusObjects).toEqual([noDataStatus])
      })
    )

    it.scopedLive("a warning comes before success, an information after; no data comes first", () =>
      Effect.gen(function* () {
        const warn = testNotification()
        const info = testNotification(undefined, "INFORMATION")
        expect((yield* summaryOf(script("4.4", { notifications: [warn] }))).gqlStatusObjects).toEqual([derivedStatus(warn), successStatus])
        expect((yield* summaryOf(script("4.4", { notifications: [info] }))).gqlStatusObjects).toEqual([successStatus, derivedStatus(info)])
        expect((yield* summaryOf(script("4.4", { notifications: [warn] }, { records: 0 }))).gqlStatusObjects).toEqual([
          noDataStatus,
          derivedStatus(warn)
        ])
        expect((yield* summaryOf(script("4.4", { notifications: [info] }, { records: 0 }))).gqlStatusObjects).toEqual([
          noDataStatus,
          derivedStatus(info)
        ])
      })
    )

    it.scopedLive("unknown or missing severity is informational; missing category or position are left out", () =>
      Effect.gen(function* () {
        const foobar = testNotification(undefined, "FOOBAR")
        const noSeverity = testNotification(undefined, null)
        const noCategory = testNotification(undefined, "WARNING", null)
        const noPosition = testNotification()
        delete noPosition.position
        for (const n of [foobar, noSeverity]) {
          expect((yield* summaryOf(script("4.4", { notifications: [n] }))).gqlStatusObjects).toEqual([successStatus, derivedStatus(n)])
        }
        for (const n of [noCategory, noPosition]) {
          expect((yield* summaryOf(script("4.4", { notifications: [n] }))).gqlStatusObjects).toEqual([derivedStatus(n), successStatus])
        }
      })
    )

    it.scopedLive("several: warnings, success, informations, each class in the server's order", () =>
      Effect.gen(function* () {
        const ns = [testNotification(1, "WARNING"), testNotification(2, "INFORMATION"), testNotification(3, "WARNING"), testNotification(4, "INFORMATION")]
        const s = yield* summaryOf(script("4.4", { notifications: ns }))
        expect(s.gqlStatusObjects).toEqual([derivedStatus(ns[0]!), derivedStatus(ns[2]!), successStatus, derivedStatus(ns[1]!), derivedStatus(ns[3]!)])
      })
    )

    it.scopedLive("an unknown query type (\"wr\") is a ProtocolError; the known ones are fine", () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: script("4.4", { type: "wr", stats: {} }) })
        const error = yield* withDriver(stub, consume).pipe(Effect.flip)
        expect(error._tag).toBe("ProtocolError")
        expect(error.message).toContain('"wr"')
        for (const type of ["r", "w", "rw", "s"]) {
          expect((yield* summaryOf(script("4.4", { type }))).queryType).toBe(type)
        }
      })
    )
  })
})

describe("notification mapping (TestNotificationMapping, Bolt 5.2)", () => {
  const cases: Array<[category: string, severity: string, parsedCategory: string, parsedSeverity: string]> = [
    ["HINT", "INFORMATION", "HINT", "INFORMATION"],
    ["DEPRECATION", "WARNING", "DEPRECATION", "WARNING"],
    ["UNRECOGNIZED", "INFORMATION", "UNRECOGNIZED", "INFORMATION"],
    ["UNSUPPORTED", "INFORMATION", "UNSUPPORTED", "INFORMATION"],
    ["GENERIC", "INFORMATION", "GENERIC", "INFORMATION"],
    ["PERFORMANCE", "INFORMATION", "PERFORMANCE", "INFORMATION"],
    ["SECURITY", "INFORMATION", "SECURITY", "INFORMATION"],
    ["TOPOLOGY", "INFORMATION", "TOPOLOGY", "INFORMATION"],
    ["SCHEMA", "INFORMATION", "SCHEMA", "INFORMATION"],
    ["MADE_UP", "WARNING", "UNKNOWN", "WARNING"],
    ["MADE_UP", "INFORMATION", "UNKNOWN", "INFORMATION"],
    ["UNRECOGNIZED", "ERROR", "UNRECOGNIZED", "UNKNOWN"],
    ["MADE_UP", "ERROR", "UNKNOWN", "UNKNOWN"]
  ]

  it.scopedLive("every category and severity, parsed and raw, in the server's order", () =>
    Effect.gen(function* () {
      const notifications = cases.map(([category, severity]) => ({ category, severity, code: "ignore", title: "ignore", description: "ignore" }))
      const s = yield* summaryOf(script("5.2", { type: "w", notifications }))
      expect(
        s.notifications.map((n) => [n.rawCategory, n.rawSeverityLevel, n.category, n.severityLevel])
      ).toEqual(cases)
    })
  )
})

describe("summaryFrom: the mapping, without a server", () => {
  const query = { text: "RETURN 1 AS n", parameters: {} }
  const server = { address: "localhost:7687", agent: "Neo4j/4.4.0", protocolVersion: "4.4" }
  const run = { fields: ["n"], t_first: 1 }

  it("the outcome status before 5.6: records, no keys, read to the end, discarded, unknown", () => {
    const status = (runMeta: Json, stream?: Result.StreamOutcome) =>
      Result.summaryFrom(query, server, runMeta, { type: "r" }, stream).gqlStatusObjects.map((g) => g.gqlStatus)
    expect(status(run, { hadRecords: true, discarded: false })).toEqual(["00000"])
    expect(status(run, { hadRecords: true, discarded: true })).toEqual(["00000"])
    expect(status({ fields: [] }, { hadRecords: false, discarded: false })).toEqual(["00001"])
    expect(status({ fields: [] }, { hadRecords: false, discarded: true })).toEqual(["00001"])
    expect(status(run, { hadRecords: false, discarded: false })).toEqual(["02000"])
    expect(status(run, { hadRecords: false, discarded: true })).toEqual(["02N42"])
    // the caller did not say
    expect(status(run)).toEqual(["02N42"])
    expect(status({})).toEqual(["00001"])
    const unknown = Result.summaryFrom(query, server, run, {}).gqlStatusObjects[0]
    expect(unknown).toEqual(outcome("02N42", "note: no data - unknown subcondition"))
  })

  it("statuses win over notifications when a server sends both; notifications stay as sent", () => {
    const s = Result.summaryFrom(query, server, run, {
      notifications: [{ code: "N", title: "t", description: "d", severity: "WARNING", category: "HINT" }],
      statuses: [{ gql_status: "03N90", status_description: "info", neo4j_code: "X", diagnostic_record: { _severity: "INFORMATION" } }]
    })
    expect(s.notifications.map((n) => n.code)).toEqual(["N"])
    expect(s.gqlStatusObjects.map((g) => [g.gqlStatus, g.severity, g.isNotification])).toEqual([["03N90", "INFORMATION", true]])
  })

  it("malformed entries: a non-map status is blank, non-map notifications are skipped, odd positions dropped", () => {
    const s = Result.summaryFrom(query, server, run, {
      notifications: [1, "x", null, { code: "C", position: { line: 1, column: "2", offset: 3 } }]
    }, { hadRecords: true, discarded: false })
    expect(s.notifications).toHaveLength(1)
    expect(s.notifications[0]?.position).toBeUndefined()
    expect(s.gqlStatusObjects.map((g) => g.gqlStatus)).toEqual(["00000", "03N42"])
    const t = Result.summaryFrom(query, server, run, { statuses: [42] })
    expect(t.gqlStatusObjects).toEqual([{ gqlStatus: "", statusDescription: "", isNotification: false, severity: "UNKNOWN", classification: "UNKNOWN", diagnosticRecord: DEFAULT_DIAG }])
    expect(t.notifications).toEqual([])
  })

  it("positions as big integers are numbers", () => {
    const s = Result.summaryFrom(query, server, run, {
      statuses: [{ gql_status: "01N01", status_description: "w", neo4j_code: "C", diagnostic_record: { _position: { line: 2n, column: 3n, offset: 4n } } }]
    })
    expect(s.gqlStatusObjects[0]?.position).toEqual({ line: 2, column: 3, offset: 4 })
    expect(s.notifications[0]?.position).toEqual({ line: 2, column: 3, offset: 4 })
  })

  it("a __proto__ key in a diagnostic record stays a plain key", () => {
    const diag = JSON.parse('{"__proto__": {"polluted": true}, "_severity": "WARNING"}') as Json
    const s = Result.summaryFrom(query, server, run, { statuses: [{ gql_status: "01N01", status_description: "w", diagnostic_record: diag }] })
    const record = s.gqlStatusObjects[0]!.diagnosticRecord
    expect(Object.hasOwn(record, "__proto__")).toBe(true)
    expect((record as { polluted?: unknown }).polluted).toBeUndefined()
    expect(record.OPERATION_CODE).toBe("0")
  })

  it("summaries without notifications or with only the plain outcome status share one frozen list", () => {
    const a = Result.summaryFrom(query, server, run, { statuses: [{ gql_status: "00000", status_description: "note: successful completion" }] })
    const b = Result.summaryFrom(query, server, run, {
      statuses: [{ gql_status: "00000", status_description: "note: successful completion", diagnostic_record: DEFAULT_DIAG }]
    })
    expect(a.gqlStatusObjects).toBe(b.gqlStatusObjects)
    expect(Object.isFrozen(a.gqlStatusObjects)).toBe(true)
    expect(a.notifications).toBe(b.notifications)
    // a record that differs from the defaults is not the shared one
    const c = Result.summaryFrom(query, server, run, {
      statuses: [{ gql_status: "00000", status_description: "note: successful completion", diagnostic_record: { ...DEFAULT_DIAG, CURRENT_SCHEMA: "/db" } }]
    })
    expect(c.gqlStatusObjects[0]?.diagnosticRecord.CURRENT_SCHEMA).toBe("/db")
  })

  it("query types: the four known ones, none, and summaryProblem for anything else", () => {
    for (const type of ["r", "w", "rw", "s"]) {
      expect(Result.summaryFrom(query, server, run, { type }).queryType).toBe(type)
      expect(Result.summaryProblem({ type })).toBeUndefined()
    }
    expect(Result.summaryProblem({})).toBeUndefined()
    expect(Result.summaryFrom(query, server, run, {}).queryType).toBeUndefined()
    expect(Result.summaryFrom(query, server, run, { type: "wr" }).queryType).toBeUndefined()
    const problem = Result.summaryProblem({ type: "wr" })
    expect(problem?._tag).toBe("ProtocolError")
    expect(problem?.message).toContain('"wr"')
    expect(Result.summaryProblem({ type: 1 })?.message).toContain("(a number)")
  })
})
