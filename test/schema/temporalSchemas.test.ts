/**
 * Neo4jSchema's temporal schemas (`src/Neo4jSchema.ts`): the instance schemas of the six Neo4j
 * temporal values, and the transformations to Effect's `DateTime.Utc`, `DateTime.Zoned` and
 * `Duration`. Over real sockets against the stub server playing Bolt 5.4 (UTC DateTime
 * structures 0x49 / 0x69): the parameters as the stub sees them (the exact structures sent), the
 * rows as the application sees them, a round trip of every value schema, records that do not
 * decode (a sub-millisecond DateTime, a Duration with months, a wrong type) and requests that do
 * not encode (nothing sent). Then pure decode / encode checks (daylight saving time changes,
 * negative and mixed-sign durations, the ranges) and the inferred types.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Either, Equal, Schema } from "effect"
import { Neo4jSchema as Index } from "../../src/index.js"
import { Structure } from "../../src/internal/packstream/structure.js"
import { Neo4jDriver } from "../../src/Neo4jDriver.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import * as Neo4jSchema from "../../src/Neo4jSchema.js"
import * as QuerySchema from "../../src/QuerySchema.js"
import * as Temporal from "../../src/Temporal.js"
import { StubServer } from "../../src/testing/index.js"
import { HEAD, names } from "../support.js"
import { eager, lastRunParameters, withDriverService } from "./support.js"

// ---------------------------------------------------------------------------------------------
// helpers (as in test/querySchema.test.ts)

/** `Equal.equals`, the two sides printed when they differ. */
const expectEqual = (actual: unknown, expected: unknown) =>
  expect(Equal.equals(actual, expected), `${String(actual)} is not ${String(expected)}`).toBe(true)

const decode = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownSync(schema)
const decodeError = <A, I>(schema: Schema.Schema<A, I>, u: unknown): string => {
  const result = Schema.decodeUnknownEither(schema)(u)
  if (Either.isRight(result)) throw new Error(`expected a decode failure, got ${String(result.right)}`)
  return result.left.message
}
const encodeError = <A, I>(schema: Schema.Schema<A, I>, a: A): string => {
  const result = Schema.encodeEither(schema)(a)
  if (Either.isRight(result)) throw new Error(`expected an encode failure, got ${String(result.right)}`)
  return result.left.message
}

const PARIS = "Europe/Paris"
const HOUR = 3600 * 1000

// ---------------------------------------------------------------------------------------------
// over the wire

/** Every value schema, one column each: the Request and the Result of the round trip. */
const Everything = Schema.Struct({
  date: Neo4jSchema.Date,
  localTime: Neo4jSchema.LocalTime,
  time: Neo4jSchema.Time,
  localDateTime: Neo4jSchema.LocalDateTime,
  dateTime: Neo4jSchema.DateTime,
  duration: Neo4jSchema.Duration,
  utc: Neo4jSchema.DateTimeUtc,
  zonedNamed: Neo4jSchema.DateTimeZoned,
  zonedOffset: Neo4jSchema.DateTimeZoned,
  ttl: Neo4jSchema.EffectDuration
})
const COLUMNS = Object.keys(Everything.fields)

/** The wire form of each of `everything`'s values (Bolt 5: DateTime as UTC seconds). */
const EVERYTHING_WIRE = `{"date": Structure<0x44>[19782], ` +
  `"localTime": Structure<0x74>[46235556000000], ` +
  `"time": Structure<0x54>[46235000000000, 3600], ` +
  `"localDateTime": Structure<0x64>[-14182940, 0], ` +
  `"dateTime": Structure<0x69>[1436031144, 1, "Europe/Paris"], ` +
  `"duration": Structure<0x45>[14, -3, 14706, 7], ` +
  `"utc": Structure<0x49>[1436031144, 500000000, 0], ` +
  `"zonedNamed": Structure<0x69>[1711848600, 0, "Europe/Paris"], ` +
  `"zonedOffset": Structure<0x49>[1705305600, 0, -18000], ` +
  `"ttl": Structure<0x45>[0, 0, 93784, 5]}`

const everything: typeof Everything.Type = {
  date: new Temporal.Date(2024, 2, 29),
  localTime: new Temporal.LocalTime(12, 50, 35, 556_000_000),
  time: new Temporal.Time(12, 50, 35, 0, 3600),
  localDateTime: new Temporal.LocalDateTime(1969, 7, 20, 20, 17, 40, 0),
  // nanosecond precision and a zone id: kept by the instance schema
  dateTime: new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, 7200, PARIS),
  duration: new Temporal.Duration(14, -3, 14706, 7),
  utc: DateTime.unsafeMake("2015-07-04T17:32:24.500Z"),
  // 03:30+02:00, just after the spring-forward gap
  zonedNamed: DateTime.unsafeMakeZoned("2024-03-31T01:30:00Z", { timeZone: PARIS }),
  zonedOffset: DateTime.unsafeMakeZoned("2024-01-15T08:00:00Z", { timeZone: -5 * HOUR }),
  // 1 day 2 h 3 min 4 s and 5 ns
  ttl: Duration.nanos(93_784_000_000_005n)
}

describe("Neo4jSchema temporal schemas over the driver (Bolt 5.4)", () => {
  it.scopedLive("round trip of every value schema: the parameters as the stub sees them, the same values returned as the app sees them", () =>
    Effect.gen(function* () {
      const text = `RETURN ${COLUMNS.map((c) => `$${c} AS ${c}`).join(", ")}`
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, EVERYTHING_WIRE, COLUMNS, [`[${EVERYTHING_WIRE.slice(1, -1).replace(/"[a-zA-Z]+": /g, "")}]`])}?: GOODBYE
`
      })
      const echo = QuerySchema.single({ Request: Everything, Result: Everything, execute: text })
      const row = yield* withDriverService(stub, () => echo(everything))
      yield* stub.verify
      expect(yield* lastRunParameters(stub)).toEqual({
        date: new Structure(0x44, [19782n]),
        localTime: new Structure(0x74, [46235556000000n]),
        time: new Structure(0x54, [46235000000000n, 3600n]),
        localDateTime: new Structure(0x64, [-14182940n, 0n]),
        dateTime: new Structure(0x69, [1436031144n, 1n, PARIS]),
        duration: new Structure(0x45, [14n, -3n, 14706n, 7n]),
        utc: new Structure(0x49, [1436031144n, 500000000n, 0n]),
        zonedNamed: new Structure(0x69, [1711848600n, 0n, PARIS]),
        zonedOffset: new Structure(0x49, [1705305600n, 0n, -18000n]),
        ttl: new Structure(0x45, [0n, 0n, 93784n, 5n])
      })
      for (const column of COLUMNS) {
        expectEqual(row[column as keyof typeof row], everything[column as keyof typeof everything])
      }
      expect(DateTime.formatIsoZoned(row.zonedNamed)).toBe("2024-03-31T03:30:00.000+02:00[Europe/Paris]")
      expect(DateTime.formatIsoZoned(row.zonedOffset)).toBe("2024-01-15T03:00:00.000-05:00")
      expect(Duration.toHrTime(row.ttl)).toEqual([93784, 5])
    })
  )

  it.scopedLive("rows as the app sees them: a faithful server's DateTimes (zone id and offset) and Durations as Effect values", () =>
    Effect.gen(function* () {
      const text = "MATCH (e:Event) RETURN e.at AS utc, e.at AS zoned, e.ttl AS ttl ORDER BY e.at"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, "{}", ["utc", "zoned", "ttl"], [
            // 2024-01-15T09:00+01:00 in Paris (winter), a day
            `[Structure<0x69>[1705305600, 0, "Europe/Paris"], Structure<0x69>[1705305600, 0, "Europe/Paris"], Structure<0x45>[0, 1, 0, 0]]`,
            // 2024-07-15T09:00+02:00 in Paris (summer), a day less an hour plus half a second
            `[Structure<0x69>[1721026800, 0, "Europe/Paris"], Structure<0x69>[1721026800, 0, "Europe/Paris"], Structure<0x45>[0, 1, -3600, 500000000]]`,
            // an offset of -05:00, milliseconds, no time
            `[Structure<0x49>[1705305600, 123000000, -18000], Structure<0x49>[1705305600, 123000000, -18000], Structure<0x45>[0, 0, 0, 0]]`
          ], "r")
        }?: GOODBYE
`
      })
      const events = QuerySchema.findAll({
        Request: Schema.Void,
        Result: Schema.Struct({ utc: Neo4jSchema.DateTimeUtc, zoned: Neo4jSchema.DateTimeZoned, ttl: Neo4jSchema.EffectDuration }),
        execute: text,
        config: { routing: "READ" }
      })
      const rows = yield* withDriverService(stub, () => events())
      yield* stub.verify
      expect(rows.map((r) => DateTime.formatIso(r.utc))).toEqual([
        "2024-01-15T08:00:00.000Z",
        "2024-07-15T07:00:00.000Z",
        "2024-01-15T08:00:00.123Z"
      ])
      expect(rows.map((r) => DateTime.formatIsoZoned(r.zoned))).toEqual([
        "2024-01-15T09:00:00.000+01:00[Europe/Paris]",
        "2024-07-15T09:00:00.000+02:00[Europe/Paris]",
        "2024-01-15T03:00:00.123-05:00"
      ])
      expectEqual(rows[0]!.zoned.zone, DateTime.zoneUnsafeMakeNamed(PARIS))
      expectEqual(rows[2]!.zoned.zone, DateTime.zoneMakeOffset(-5 * HOUR))
      expectEqual(rows[0]!.ttl, Duration.hours(24))
      expectEqual(rows[1]!.ttl, Duration.sum(Duration.hours(23), Duration.millis(500)))
      expectEqual(rows[2]!.ttl, Duration.zero)
    })
  )

  it.scopedLive("parameters as the stub sees them: Effect values sent as the exact structures (before 1970, a DST overlap, milliseconds)", () =>
    Effect.gen(function* () {
      const text = "CREATE (:Event {at: $at, first: $first, second: $second, fixed: $fixed, ttl: $ttl, none: $none})"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(
            text,
            `{"at": Structure<0x49>[-1, 999000000, 0], ` +
              `"first": Structure<0x69>[1729989000, 0, "Europe/Paris"], ` +
              `"second": Structure<0x69>[1729992600, 0, "Europe/Paris"], ` +
              `"fixed": Structure<0x49>[0, 0, 19800], ` +
              `"ttl": Structure<0x45>[0, 0, 1, 500000000], ` +
              `"none": Structure<0x45>[0, 0, 0, 0]}`,
            [],
            []
          )
        }?: GOODBYE
`
      })
      const create = QuerySchema.void({
        Request: Schema.Struct({
          at: Neo4jSchema.DateTimeUtc,
          first: Neo4jSchema.DateTimeZoned,
          second: Neo4jSchema.DateTimeZoned,
          fixed: Neo4jSchema.DateTimeZoned,
          ttl: Neo4jSchema.EffectDuration,
          none: Neo4jSchema.EffectDuration
        }),
        execute: text
      })
      yield* withDriverService(stub, () =>
        create({
          at: DateTime.unsafeMake("1969-12-31T23:59:59.999Z"),
          // 02:30 happens twice in Paris on 2024-10-27: +02:00, then +01:00; each instant is sent as it is
          first: DateTime.unsafeMakeZoned("2024-10-27T00:30:00Z", { timeZone: PARIS }),
          second: DateTime.unsafeMakeZoned("2024-10-27T01:30:00Z", { timeZone: PARIS }),
          fixed: DateTime.unsafeMakeZoned(0, { timeZone: "+05:30" }),
          ttl: Duration.millis(1500),
          none: Duration.zero
        })
      )
      yield* stub.verify
      expect(yield* lastRunParameters(stub)).toEqual({
        at: new Structure(0x49, [-1n, 999000000n, 0n]),
        first: new Structure(0x69, [1729989000n, 0n, PARIS]),
        second: new Structure(0x69, [1729992600n, 0n, PARIS]),
        fixed: new Structure(0x49, [0n, 0n, 19800n]),
        ttl: new Structure(0x45, [0n, 0n, 1n, 500000000n]),
        none: new Structure(0x45, [0n, 0n, 0n, 0n])
      })
    })
  )

  it.scopedLive("records that do not decode: a sub-millisecond DateTime, a Duration with months, a wrong type (QueryResultError: index, column, message)", () =>
    Effect.gen(function* () {
      const text = "MATCH (e:Event) RETURN e.at AS at, e.ttl AS ttl"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, "{}", ["at", "ttl"], [
            `[Structure<0x49>[1436031144, 0, 7200], Structure<0x45>[0, 0, 60, 0]]`,
            `[Structure<0x49>[1436031144, 1500, 7200], Structure<0x45>[0, 0, 60, 0]]`
          ], "r")
        }${eager(text, "{}", ["at", "ttl"], [`[Structure<0x49>[1436031144, 0, 7200], Structure<0x45>[1, 0, 0, 0]]`], "r")}${
          eager(text, "{}", ["at", "ttl"], [`[Structure<0x64>[1436038344, 0], Structure<0x45>[0, 0, 60, 0]]`], "r")
        }?: GOODBYE
`
      })
      const events = QuerySchema.findAll({
        Request: Schema.Void,
        Result: Schema.Struct({ at: Neo4jSchema.DateTimeUtc, ttl: Neo4jSchema.EffectDuration }),
        execute: text,
        config: { routing: "READ" }
      })
      const [nanos, months, wrongType] = yield* withDriverService(stub, () =>
        Effect.all([Effect.flip(events()), Effect.flip(events()), Effect.flip(events())])
      )
      yield* stub.verify

      expect(nanos).toMatchObject({ _tag: "QueryResultError", index: 1, column: "at", query: text })
      expect(nanos.message).toContain(
        "Expected a Neo4j DateTime in whole milliseconds (DateTime.Utc holds milliseconds; Neo4jSchema.DateTime keeps nanoseconds), actual 2015-07-04T19:32:24.000001500+02:00 (nanosecond 1500)"
      )
      expect(months).toMatchObject({ _tag: "QueryResultError", index: 0, column: "ttl" })
      expect(months.message).toContain(
        "Expected a Neo4j Duration without months (a month has no fixed length; Neo4jSchema.Duration reads it), actual P1M"
      )
      expect(wrongType).toMatchObject({ _tag: "QueryResultError", index: 0, column: "at" })
      expect(wrongType.message).toContain(
        "Expected a Neo4j DateTime (Temporal.DateTime), actual LocalDateTime 2015-07-04T19:32:24"
      )
    })
  )

  it.scopedLive("requests that do not encode: an infinite Duration, an offset of a fraction of a second (QueryParametersError, nothing sent)", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${HEAD}?: GOODBYE\n` })
      const text = "CREATE (:Session {ttl: $ttl, at: $at})"
      const create = QuerySchema.void({
        Request: Schema.Struct({ ttl: Neo4jSchema.EffectDuration, at: Neo4jSchema.DateTimeZoned }),
        execute: text
      })
      const fine = DateTime.unsafeMakeZoned(0, { timeZone: PARIS })
      const [forever, oddOffset] = yield* withDriverService(stub, () =>
        Effect.all([
          Effect.flip(create({ ttl: Duration.infinity, at: fine })),
          Effect.flip(create({ ttl: Duration.zero, at: DateTime.unsafeMakeZoned(0, { timeZone: 1500 }) }))
        ])
      )
      expect(forever).toMatchObject({ _tag: "QueryParametersError", query: text })
      expect(forever.message).toContain("Expected a finite Duration (Neo4j has no infinite one), actual Infinity")
      expect(oddOffset).toMatchObject({ _tag: "QueryParametersError", query: text })
      expect(oddOffset.message).toContain("Expected an offset of whole seconds within +-18:00 (a Neo4j offset), actual 1500 ms")
      yield* stub.verify
      expect(yield* names(stub)).toEqual([])
    })
  )
})

// ---------------------------------------------------------------------------------------------
// pure

describe("Neo4jSchema temporal instance schemas", () => {
  const values = {
    Date: new Temporal.Date(2024, 2, 29),
    LocalTime: new Temporal.LocalTime(12, 50, 35, 556_000_000),
    Time: new Temporal.Time(12, 50, 35, 0, 3600),
    LocalDateTime: new Temporal.LocalDateTime(1969, 7, 20, 20, 17, 40, 0),
    DateTime: new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, undefined, PARIS),
    Duration: new Temporal.Duration(14, -3, 14706, 7)
  } as const
  const schemas = {
    Date: Neo4jSchema.Date,
    LocalTime: Neo4jSchema.LocalTime,
    Time: Neo4jSchema.Time,
    LocalDateTime: Neo4jSchema.LocalDateTime,
    DateTime: Neo4jSchema.DateTime,
    Duration: Neo4jSchema.Duration
  } as const

  it("each takes its own value as it is, both ways, and refuses the other five naming what came", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      const own = values[name as keyof typeof values]
      expect(decode(schema as Schema.Schema<unknown>)(own)).toBe(own)
      expect(Schema.encodeSync(schema as Schema.Schema<unknown>)(own)).toBe(own)
      for (const [other, value] of Object.entries(values)) {
        if (other === name) continue
        expect(decodeError(schema as Schema.Schema<unknown>, value)).toBe(
          `Expected a Neo4j ${name} (Temporal.${name}), actual ${other} ${String(value)}`
        )
      }
    }
  })

  it("refuses plain values: an ISO string, a JS Date, a number, a bigint, null, an object", () => {
    expect(decodeError(Neo4jSchema.Date, "2024-02-29")).toBe(`Expected a Neo4j Date (Temporal.Date), actual "2024-02-29"`)
    expect(decodeError(Neo4jSchema.DateTime, new globalThis.Date(0))).toBe(
      "Expected a Neo4j DateTime (Temporal.DateTime), actual JS Date 1970-01-01T00:00:00.000Z"
    )
    expect(decodeError(Neo4jSchema.Duration, 60)).toBe("Expected a Neo4j Duration (Temporal.Duration), actual 60")
    expect(decodeError(Neo4jSchema.LocalTime, 60n)).toBe("Expected a Neo4j LocalTime (Temporal.LocalTime), actual 60n")
    expect(decodeError(Neo4jSchema.Time, null)).toBe("Expected a Neo4j Time (Temporal.Time), actual null")
    expect(decodeError(Neo4jSchema.LocalDateTime, { year: 2024 })).toBe(
      `Expected a Neo4j LocalDateTime (Temporal.LocalDateTime), actual {"year":2024}`
    )
    // an Effect DateTime is not a Neo4j one: DateTimeUtc / DateTimeZoned convert
    expect(decodeError(Neo4jSchema.DateTime, DateTime.unsafeMake(0))).toContain("Expected a Neo4j DateTime (Temporal.DateTime), actual ")
  })

  it("the index exports the same schemas", () => {
    expect(Index.Date).toBe(Neo4jSchema.Date)
    expect(Index.DateTimeZoned).toBe(Neo4jSchema.DateTimeZoned)
    expect(Index.EffectDuration).toBe(Neo4jSchema.EffectDuration)
  })
})

describe("Neo4jSchema.DateTimeUtc", () => {
  it("decodes the instant of a DateTime with an offset or a zone id (its offset resolved, as java.time does)", () => {
    const utc = decode(Neo4jSchema.DateTimeUtc)
    expectEqual(utc(new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, 7200)), DateTime.unsafeMake("2015-07-04T17:32:24Z"))
    expectEqual(utc(new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, PARIS)), DateTime.unsafeMake("2015-07-04T17:32:24Z"))
    expectEqual(utc(Temporal.DateTime.fromEpochSecond(1436031144, 999_000_000, PARIS)), DateTime.unsafeMake("2015-07-04T17:32:24.999Z"))
    // before 1970, milliseconds
    expectEqual(utc(Temporal.DateTime.fromEpochSecond(-1, 1_000_000, 0)), DateTime.unsafeMake(-999))
    // a zone id alone in the spring-forward gap: 02:30 in Paris is taken with the offset before the gap (+01:00)
    expectEqual(utc(new Temporal.DateTime(2024, 3, 31, 2, 30, 0, 0, undefined, PARIS)), DateTime.unsafeMake("2024-03-31T01:30:00Z"))
    // in the autumn overlap, the earlier offset (+02:00)
    expectEqual(utc(new Temporal.DateTime(2024, 10, 27, 2, 30, 0, 0, undefined, PARIS)), DateTime.unsafeMake("2024-10-27T00:30:00Z"))
  })

  it("encodes to a DateTime at offset 0, milliseconds as nanoseconds", () => {
    const encode = Schema.encodeSync(Neo4jSchema.DateTimeUtc)
    const sent = encode(DateTime.unsafeMake("2015-07-04T17:32:24.5Z"))
    expectEqual(sent, new Temporal.DateTime(2015, 7, 4, 17, 32, 24, 500_000_000, 0))
    expect(sent.timeZoneId).toBeUndefined()
    expect(sent.toEpochSecond()).toBe(1436031144)
    expectEqual(encode(DateTime.unsafeMake(-1)), new Temporal.DateTime(1969, 12, 31, 23, 59, 59, 999_000_000, 0))
  })

  it("fails on a sub-millisecond part and beyond the JS Date range, rather than lose anything", () => {
    expect(decodeError(Neo4jSchema.DateTimeUtc, new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 500_001, 7200))).toContain(
      "Expected a Neo4j DateTime in whole milliseconds (DateTime.Utc holds milliseconds; Neo4jSchema.DateTime keeps nanoseconds), actual 2015-07-04T19:32:24.000500001+02:00 (nanosecond 500001)"
    )
    expect(decodeError(Neo4jSchema.DateTimeUtc, new Temporal.DateTime(300_000, 1, 1, 0, 0, 0, 0, 0))).toContain(
      "Expected a Neo4j DateTime within the JS Date range (DateTime.Utc is a JS epoch millisecond count), actual +300000-01-01T00:00:00Z"
    )
    expect(decodeError(Neo4jSchema.DateTimeUtc, new Temporal.DateTime(-999_999_999, 1, 1, 0, 0, 0, 0, 0))).toContain(
      "within the JS Date range"
    )
    expect(decodeError(Neo4jSchema.DateTimeUtc, new Temporal.LocalDateTime(2015, 7, 4, 19, 32, 24, 0))).toContain(
      "Expected a Neo4j DateTime (Temporal.DateTime), actual LocalDateTime 2015-07-04T19:32:24"
    )
  })
})

describe("Neo4jSchema.DateTimeZoned", () => {
  it("a zone id decodes to a named zone, an offset to an offset zone, at the same instant and wall clock", () => {
    const zoned = decode(Neo4jSchema.DateTimeZoned)
    const named = zoned(Temporal.DateTime.fromEpochSecond(1436031144, 0, PARIS))
    expect(DateTime.formatIsoZoned(named)).toBe("2015-07-04T19:32:24.000+02:00[Europe/Paris]")
    expect(DateTime.isTimeZoneNamed(named.zone)).toBe(true)
    const offset = zoned(new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 7_000_000, -9000))
    expect(DateTime.formatIsoZoned(offset)).toBe("2015-07-04T19:32:24.007-02:30")
    expectEqual(offset.zone, DateTime.zoneMakeOffset(-9000 * 1000))
    // a zone id takes its canonical name in this runtime's Intl: the same zone
    const pacific = zoned(new Temporal.DateTime(2024, 1, 1, 12, 0, 0, 0, undefined, "US/Pacific"))
    expect(DateTime.zoneToString(pacific.zone)).toBe("America/Los_Angeles")
    expect(DateTime.toEpochMillis(pacific)).toBe(globalThis.Date.parse("2024-01-01T20:00:00Z"))
  })

  it("across a DST change: zone-only wall clocks resolve as java.time does; a later instant encodes with the new offset", () => {
    const zoned = decode(Neo4jSchema.DateTimeZoned)
    // 02:30 does not exist on 2024-03-31 in Paris: the instant lands after the gap, at 03:30+02:00
    const inGap = zoned(new Temporal.DateTime(2024, 3, 31, 2, 30, 0, 0, undefined, PARIS))
    expect(DateTime.formatIsoZoned(inGap)).toBe("2024-03-31T03:30:00.000+02:00[Europe/Paris]")
    const before = zoned(Temporal.DateTime.fromEpochSecond(1711843200, 0, PARIS)) // 01:00+01:00
    expect(DateTime.formatIsoZoned(before)).toBe("2024-03-31T01:00:00.000+01:00[Europe/Paris]")
    // two hours of elapsed time later: 04:00+02:00
    const twoHoursLater = DateTime.unsafeMakeZoned(DateTime.toEpochMillis(before) + 2 * HOUR, { timeZone: PARIS })
    expect(DateTime.formatIsoZoned(twoHoursLater)).toBe("2024-03-31T04:00:00.000+02:00[Europe/Paris]")
    const sent = Schema.encodeSync(Neo4jSchema.DateTimeZoned)(twoHoursLater)
    expectEqual(sent, new Temporal.DateTime(2024, 3, 31, 4, 0, 0, 0, 7200, PARIS))
    expect(sent.toEpochSecond()).toBe(1711843200 + 7200)
    // and back: the same Zoned
    expectEqual(zoned(sent), twoHoursLater)
  })

  it("encodes a named zone with its offset at that instant, an offset zone with its offset in seconds", () => {
    const encode = Schema.encodeSync(Neo4jSchema.DateTimeZoned)
    // both 02:30 of the autumn overlap in Paris, kept apart
    const first = encode(DateTime.unsafeMakeZoned("2024-10-27T00:30:00Z", { timeZone: PARIS }))
    const second = encode(DateTime.unsafeMakeZoned("2024-10-27T01:30:00Z", { timeZone: PARIS }))
    expect(first.toString()).toBe("2024-10-27T02:30:00+02:00[Europe/Paris]")
    expect(second.toString()).toBe("2024-10-27T02:30:00+01:00[Europe/Paris]")
    expect([first.toEpochSecond(), second.toEpochSecond()]).toEqual([1729989000, 1729992600])
    const kolkata = encode(DateTime.unsafeMakeZoned("2024-01-01T00:00:00.250Z", { timeZone: "+05:30" }))
    expectEqual(kolkata, new Temporal.DateTime(2024, 1, 1, 5, 30, 0, 250_000_000, 19800))
    expect(encodeError(Neo4jSchema.DateTimeZoned, DateTime.unsafeMakeZoned(0, { timeZone: 19 * HOUR }))).toContain(
      "Expected an offset of whole seconds within +-18:00 (a Neo4j offset), actual 68400000 ms"
    )
  })

  it("fails on a sub-millisecond part, beyond its range, and in a zone id this runtime does not know", () => {
    expect(decodeError(Neo4jSchema.DateTimeZoned, new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, undefined, PARIS))).toContain(
      "Expected a Neo4j DateTime in whole milliseconds (DateTime.Zoned holds milliseconds; Neo4jSchema.DateTime keeps nanoseconds)"
    )
    expect(decodeError(Neo4jSchema.DateTimeZoned, new Temporal.DateTime(275760, 9, 13, 0, 0, 0, 0, 0))).toContain(
      "Expected a Neo4j DateTime within the range of DateTime.Zoned, actual +275760-09-13T00:00:00Z"
    )
    // the driver never builds one (it refuses an unknown zone id), but a forged value is refused here too
    const forged: Temporal.DateTime = Object.assign(Object.create(Temporal.DateTime.prototype), {
      ...new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, 7200),
      timeZoneId: "Mars/Olympus_Mons"
    })
    expect(decodeError(Neo4jSchema.DateTimeZoned, forged)).toContain(
      "Expected a Neo4j DateTime in a time zone this runtime knows, actual 2015-07-04T19:32:24+02:00[Mars/Olympus_Mons]"
    )
  })
})

describe("Neo4jSchema.EffectDuration", () => {
  it("decodes days (as 24 hours), seconds and nanoseconds, mixed signs summed, exactly", () => {
    const duration = decode(Neo4jSchema.EffectDuration)
    expectEqual(duration(new Temporal.Duration(0, 0, 0, 0)), Duration.zero)
    expectEqual(duration(new Temporal.Duration(0, 2, 0, 0)), Duration.days(2))
    expectEqual(duration(new Temporal.Duration(0, 1, -3600, 0)), Duration.hours(23))
    expectEqual(duration(new Temporal.Duration(0, -1, 90_000, 0)), Duration.hours(1))
    expectEqual(duration(new Temporal.Duration(0, 0, 1, 1)), Duration.nanos(1_000_000_001n))
    // Integers beyond 2^53 (bigints), exactly
    expectEqual(duration(new Temporal.Duration(0, 0, 2n ** 60n, 999_999_999)), Duration.nanos(2n ** 60n * 1_000_000_000n + 999_999_999n))
    expectEqual(duration(new Temporal.Duration(0n, 0n, 5n, 0)), Duration.seconds(5))
    // whole milliseconds in the millisecond form, so Equal to what an app writes (and toEqual)
    expect(duration(new Temporal.Duration(0, 0, 1, 500_000_000))).toEqual(Duration.millis(1500))
  })

  it("fails on months (no fixed length) and on a negative total (an Effect Duration is never negative)", () => {
    expect(decodeError(Neo4jSchema.EffectDuration, new Temporal.Duration(12, 0, 0, 0))).toContain(
      "Expected a Neo4j Duration without months (a month has no fixed length; Neo4jSchema.Duration reads it), actual P1Y"
    )
    expect(decodeError(Neo4jSchema.EffectDuration, new Temporal.Duration(-1, 30, 0, 0))).toContain("actual P-1M30D")
    expect(decodeError(Neo4jSchema.EffectDuration, new Temporal.Duration(0, 0, -1, 0))).toContain(
      "Expected a Neo4j Duration of zero or more (an Effect Duration is never negative), actual PT-1S"
    )
    // -0.5 s: seconds -1, nanoseconds 500,000,000
    expect(decodeError(Neo4jSchema.EffectDuration, new Temporal.Duration(0, 0, 0, -500_000_000))).toContain("actual PT-0.500000000S")
    expect(decodeError(Neo4jSchema.EffectDuration, new Temporal.Duration(0, -1, 3600, 0))).toContain("never negative")
  })

  it("encodes to Duration(0, 0, seconds, nanoseconds) exactly; an infinite one and one beyond int64 seconds fail", () => {
    const encode = Schema.encodeSync(Neo4jSchema.EffectDuration)
    expectEqual(encode(Duration.days(1)), new Temporal.Duration(0, 0, 86_400, 0))
    expectEqual(encode(Duration.nanos(1_000_000_001n)), new Temporal.Duration(0, 0, 1, 1))
    expectEqual(encode(Duration.millis(1500)), new Temporal.Duration(0, 0, 1, 500_000_000))
    expectEqual(encode(Duration.zero), new Temporal.Duration(0, 0, 0, 0))
    const big = encode(Duration.nanos(2n ** 62n * 1_000_000_000n + 7n))
    expect([big.months, big.days, big.seconds, big.nanoseconds]).toEqual([0, 0, 2n ** 62n, 7])
    expect(encodeError(Neo4jSchema.EffectDuration, Duration.infinity)).toContain(
      "Expected a finite Duration (Neo4j has no infinite one), actual Infinity"
    )
    expect(encodeError(Neo4jSchema.EffectDuration, Duration.nanos(2n ** 63n * 1_000_000_000n))).toContain(
      `Expected a Duration within int64 seconds (a Neo4j Duration), actual ${2n ** 63n} seconds`
    )
    // a round trip keeps every nanosecond
    const d = Duration.nanos(93_784_000_000_005n)
    expectEqual(decode(Neo4jSchema.EffectDuration)(encode(d)), d)
  })
})

describe("Neo4jSchema temporal types", () => {
  it("the inferred types", () => {
    expectTypeOf<typeof Neo4jSchema.Date.Type>().toEqualTypeOf<Temporal.Date>()
    expectTypeOf<typeof Neo4jSchema.Date.Encoded>().toEqualTypeOf<Temporal.Date>()
    expectTypeOf<typeof Neo4jSchema.LocalTime.Type>().toEqualTypeOf<Temporal.LocalTime>()
    expectTypeOf<typeof Neo4jSchema.Time.Type>().toEqualTypeOf<Temporal.Time>()
    expectTypeOf<typeof Neo4jSchema.LocalDateTime.Type>().toEqualTypeOf<Temporal.LocalDateTime>()
    expectTypeOf<typeof Neo4jSchema.DateTime.Type>().toEqualTypeOf<Temporal.DateTime>()
    expectTypeOf<typeof Neo4jSchema.Duration.Type>().toEqualTypeOf<Temporal.Duration>()
    expectTypeOf<typeof Neo4jSchema.DateTimeUtc.Type>().toEqualTypeOf<DateTime.Utc>()
    expectTypeOf<typeof Neo4jSchema.DateTimeUtc.Encoded>().toEqualTypeOf<Temporal.DateTime>()
    expectTypeOf<typeof Neo4jSchema.DateTimeZoned.Type>().toEqualTypeOf<DateTime.Zoned>()
    expectTypeOf<typeof Neo4jSchema.DateTimeZoned.Encoded>().toEqualTypeOf<Temporal.DateTime>()
    expectTypeOf<typeof Neo4jSchema.EffectDuration.Type>().toEqualTypeOf<Duration.Duration>()
    expectTypeOf<typeof Neo4jSchema.EffectDuration.Encoded>().toEqualTypeOf<Temporal.Duration>()
    expectTypeOf<typeof Neo4jSchema.EffectDuration.Context>().toEqualTypeOf<never>()

    const events = QuerySchema.findAll({
      Request: Schema.Struct({ since: Neo4jSchema.DateTimeUtc }),
      Result: Schema.Struct({ at: Neo4jSchema.DateTimeZoned, ttl: Neo4jSchema.EffectDuration, day: Neo4jSchema.Date }),
      execute: "MATCH (e:Event) WHERE e.at >= $since RETURN e.at AS at, e.ttl AS ttl, date(e.at) AS day"
    })
    expectTypeOf(events).parameter(0).toEqualTypeOf<{ readonly since: DateTime.Utc }>()
    expectTypeOf(events).returns.toEqualTypeOf<
      Effect.Effect<
        ReadonlyArray<{ readonly at: DateTime.Zoned; readonly ttl: Duration.Duration; readonly day: Temporal.Date }>,
        QuerySchema.QuerySchemaError | Neo4jError,
        Neo4jDriver
      >
    >()
  })
})
