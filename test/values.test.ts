/**
 * The public value classes: calendar conversions (checked against the JS Date within its range and
 * java.time's LocalDate.MIN/MAX at the ends), validation, ISO strings (checked against the
 * official neo4j-driver's toString), structural equality and hashing.
 */
import { Effect, Either, Equal, Hash, HashSet, Option } from "effect"
import fc from "fast-check"
import neo4j from "neo4j-driver"
import { describe, expect, it } from "vitest"
import * as Graph from "../src/Graph.js"
import { InvalidParameterError } from "../src/Neo4jError.js"
import * as Record from "../src/Record.js"
import * as Spatial from "../src/Spatial.js"
import * as T from "../src/Temporal.js"
import * as V from "../src/Vector.js"

/** java.time LocalDate.MIN.toEpochDay() / LocalDate.MAX.toEpochDay() */
const MIN_EPOCH_DAY = -365243219162
const MAX_EPOCH_DAY = 365241780471
/** the JS Date range, in days */
const JS_DAYS = 100_000_000
const DAY_MS = 86_400_000

const epochDayArb = fc.bigInt({ min: BigInt(MIN_EPOCH_DAY), max: BigInt(MAX_EPOCH_DAY) }).map(Number)
const nanoArb = fc.integer({ min: 0, max: 999_999_999 })
const offsetArb = fc.integer({ min: -64800, max: 64800 })
const ZONES = [
  "Europe/Paris",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/St_Johns",
  "Asia/Kathmandu",
  "UTC",
  "Africa/Casablanca"
]
const zoneArb = fc.constantFrom(...ZONES)

/** a valid date over the whole java.time range */
const dateArb = epochDayArb.map((d) => T.Date.fromEpochDay(d))
const timeFieldsArb = fc.tuple(
  fc.integer({ min: 0, max: 23 }),
  fc.integer({ min: 0, max: 59 }),
  fc.integer({ min: 0, max: 59 }),
  fc.oneof(nanoArb, fc.constant(0), fc.constant(1), fc.constant(500_000_000))
)

/** runs `f` with the process's time zone set to `zone` (Node re-reads TZ on assignment) */
const inZone = (zone: string, f: () => void): void => {
  const saved = process.env["TZ"]
  process.env["TZ"] = zone
  try {
    f()
  } finally {
    if (saved === undefined) delete process.env["TZ"]
    else process.env["TZ"] = saved
  }
}

const rangeError = (f: () => unknown): RangeError => {
  try {
    f()
  } catch (e) {
    if (e instanceof RangeError) return e
    throw new Error(`expected a RangeError, got ${String(e)}`)
  }
  throw new Error("expected a RangeError, got no error")
}

describe("Date", () => {
  it("fromEpochDay agrees with the JS Date (UTC) over its range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -JS_DAYS, max: JS_DAYS }), (days) => {
        const js = new globalThis.Date(days * DAY_MS)
        const d = T.Date.fromEpochDay(days)
        expect([d.year, d.month, d.day]).toEqual([js.getUTCFullYear(), js.getUTCMonth() + 1, js.getUTCDate()])
        expect(d.toEpochDay()).toBe(days)
      }),
      { numRuns: 2000 }
    )
  })

  it("epoch days round-trip over the whole java.time range, bigint or number", () => {
    fc.assert(
      fc.property(epochDayArb, (days) => {
        const d = T.Date.fromEpochDay(days)
        expect(d.toEpochDay()).toBe(days)
        expect(Equal.equals(T.Date.fromEpochDay(BigInt(days)), d)).toBe(true)
        expect(new T.Date(d.year, d.month, d.day).toEpochDay()).toBe(days)
      }),
      { numRuns: 2000 }
    )
  })

  it("consecutive days are consecutive dates across the whole range", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: BigInt(MIN_EPOCH_DAY), max: BigInt(MAX_EPOCH_DAY - 1) }).map(Number), (days) => {
        const a = T.Date.fromEpochDay(days)
        const b = T.Date.fromEpochDay(days + 1)
        if (b.day === 1) {
          expect(b.month === 1 ? [b.year - 1, 12, 31] : [b.year, b.month - 1]).toEqual(
            b.month === 1 ? [a.year, a.month, a.day] : [a.year, a.month]
          )
        } else expect([b.year, b.month, b.day - 1]).toEqual([a.year, a.month, a.day])
      }),
      { numRuns: 2000 }
    )
  })

  it("the ends of the range are java.time's LocalDate.MIN and MAX", () => {
    expect(T.Date.fromEpochDay(MIN_EPOCH_DAY).toString()).toBe("-999999999-01-01")
    expect(T.Date.fromEpochDay(MAX_EPOCH_DAY).toString()).toBe("+999999999-12-31")
    expect(new T.Date(-999_999_999, 1, 1).toEpochDay()).toBe(MIN_EPOCH_DAY)
    expect(new T.Date(999_999_999, 12, 31).toEpochDay()).toBe(MAX_EPOCH_DAY)
    expect(rangeError(() => T.Date.fromEpochDay(MIN_EPOCH_DAY - 1)).message).toContain("epoch day")
    expect(rangeError(() => T.Date.fromEpochDay(2n ** 62n)).message).toContain("epoch day")
    expect(rangeError(() => new T.Date(1_000_000_000, 1, 1)).message).toContain("year")
  })

  it("well-known days", () => {
    expect(T.Date.fromEpochDay(0).toString()).toBe("1970-01-01")
    expect(T.Date.fromEpochDay(1).toString()).toBe("1970-01-02")
    expect(T.Date.fromEpochDay(-1).toString()).toBe("1969-12-31")
    expect(new T.Date(2000, 3, 1).toEpochDay()).toBe(11017)
    expect(new T.Date(0, 1, 1).toEpochDay()).toBe(-719528)
    expect(T.Date.fromEpochDay(-719529).toString()).toBe("-000001-12-31")
  })

  it("validates the day of the month, leap years included", () => {
    expect(new T.Date(2024, 2, 29).day).toBe(29)
    expect(new T.Date(2000, 2, 29).day).toBe(29)
    expect(new T.Date(-4, 2, 29).day).toBe(29)
    expect(rangeError(() => new T.Date(2023, 2, 29)).message).toBe("day must be an integer in [1, 28], got 29")
    expect(rangeError(() => new T.Date(1900, 2, 29)).message).toContain("day")
    expect(rangeError(() => new T.Date(2024, 4, 31)).message).toContain("day")
    expect(rangeError(() => new T.Date(2024, 13, 1)).message).toContain("month")
    expect(rangeError(() => new T.Date(2024, 0, 1)).message).toContain("month")
    expect(rangeError(() => new T.Date(2024.5, 1, 1)).message).toContain("year")
  })

  it("toString matches the official driver's", () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        expect(d.toString()).toBe(new neo4j.types.Date(d.year, d.month, d.day).toString())
      }),
      { numRuns: 500 }
    )
    expect(new T.Date(10000, 1, 1).toString()).toBe("+010000-01-01")
    expect(new T.Date(9999, 12, 31).toString()).toBe("9999-12-31")
    expect(new T.Date(5, 6, 7).toString()).toBe("0005-06-07")
  })

  it("standard dates: local and UTC calendar date; toStandardDate is UTC midnight", () => {
    const js = new globalThis.Date(2024, 1, 29, 23, 59, 59)
    expect(T.Date.fromStandardDate(js).toString()).toBe("2024-02-29")
    const utc = new globalThis.Date(Date.UTC(2024, 1, 29, 23, 59, 59))
    expect(T.Date.fromStandardDateUTC(utc).toString()).toBe("2024-02-29")
    expect(new T.Date(2024, 2, 29).toStandardDate().toISOString()).toBe("2024-02-29T00:00:00.000Z")
    expect(rangeError(() => T.Date.fromStandardDate(new globalThis.Date(NaN))).message).toContain("invalid")
  })
})

describe("LocalTime and Time", () => {
  it("nano of day round-trips and splits into fields", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 86_399_999_999_999n }), (n) => {
        const t = T.LocalTime.fromNanoOfDay(n)
        expect(t.toNanoOfDay()).toBe(Number(n))
        expect(t.hour * 3600e9 + t.minute * 60e9 + t.second * 1e9 + t.nanosecond).toBe(Number(n))
        expect(t.nanosecond).toBeLessThan(1e9)
      })
    )
    expect(T.LocalTime.fromNanoOfDay(86_399_999_999_999).toString()).toBe("23:59:59.999999999")
    expect(rangeError(() => T.LocalTime.fromNanoOfDay(86_400_000_000_000)).message).toContain("nanosecond of day")
    expect(rangeError(() => T.LocalTime.fromNanoOfDay(-1)).message).toContain("nanosecond of day")
  })

  it("toString matches the official driver's", () => {
    fc.assert(
      fc.property(timeFieldsArb, offsetArb, ([h, m, s, ns], off) => {
        expect(new T.LocalTime(h, m, s, ns).toString()).toBe(new neo4j.types.LocalTime(h, m, s, ns).toString())
        expect(new T.Time(h, m, s, ns, off).toString()).toBe(new neo4j.types.Time(h, m, s, ns, off).toString())
      })
    )
    expect(new T.Time(12, 50, 35, 556_000_000, 3600).toString()).toBe("12:50:35.556000000+01:00")
    expect(new T.Time(12, 50, 35, 0, 0).toString()).toBe("12:50:35Z")
    expect(new T.Time(1, 2, 3, 4, -(5 * 3600 + 30 * 60 + 15)).toString()).toBe("01:02:03.000000004-05:30:15")
  })

  it("validates fields and offsets", () => {
    expect(rangeError(() => new T.LocalTime(24, 0, 0, 0)).message).toContain("hour")
    expect(rangeError(() => new T.LocalTime(0, 60, 0, 0)).message).toContain("minute")
    expect(rangeError(() => new T.LocalTime(0, 0, 60, 0)).message).toContain("second")
    expect(rangeError(() => new T.LocalTime(0, 0, 0, 1e9)).message).toContain("nanosecond")
    expect(rangeError(() => new T.Time(0, 0, 0, 0, 64801)).message).toContain("timeZoneOffsetSeconds")
  })

  it("from a JS Date: local fields, extra nanoseconds, the process's offset", () =>
    inZone("Asia/Kolkata", () => {
      const js = new globalThis.Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))
      const lt = T.LocalTime.fromStandardDate(js, 9)
      expect(lt.toString()).toBe("08:34:05.678000009")
      const t = T.Time.fromStandardDate(js)
      expect(t.toString()).toBe("08:34:05.678000000+05:30")
      expect(T.DateTime.fromStandardDate(js).toString()).toBe("2024-01-02T08:34:05.678000000+05:30")
      expect(T.LocalDateTime.fromStandardDate(js).toString()).toBe("2024-01-02T08:34:05.678000000")
      expect(T.Date.fromStandardDate(new globalThis.Date(Date.UTC(2024, 0, 1, 20)))).toEqual(new T.Date(2024, 1, 2))
      // local mean time has seconds in its offset: Paris +00:09:21 in 1880
      inZone("Europe/Paris", () => {
        const old = new globalThis.Date(Date.UTC(1880, 0, 1, 12))
        expect(T.DateTime.fromStandardDate(old).toString()).toBe("1880-01-01T12:09:21+00:09:21")
        expect(T.DateTime.fromStandardDate(old).toStandardDate().getTime()).toBe(old.getTime())
      })
    }))
})

describe("LocalDateTime", () => {
  const epochSecondArb = fc.bigInt({ min: BigInt(MIN_EPOCH_DAY) * 86400n, max: BigInt(MAX_EPOCH_DAY) * 86400n + 86399n })

  it("agrees with the JS Date (UTC) over its range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -JS_DAYS, max: JS_DAYS - 1 }), fc.integer({ min: 0, max: 86399 }), nanoArb, (d, sod, ns) => {
        const s = d * 86400 + sod
        const js = new globalThis.Date(s * 1000)
        const l = T.LocalDateTime.fromEpochSecond(s, ns)
        expect([l.year, l.month, l.day, l.hour, l.minute, l.second, l.nanosecond]).toEqual([
          js.getUTCFullYear(),
          js.getUTCMonth() + 1,
          js.getUTCDate(),
          js.getUTCHours(),
          js.getUTCMinutes(),
          js.getUTCSeconds(),
          ns
        ])
      }),
      { numRuns: 1000 }
    )
  })

  it("epoch seconds round-trip over the whole range: number while safe, bigint beyond", () => {
    fc.assert(
      fc.property(epochSecondArb, nanoArb, (s, ns) => {
        const l = T.LocalDateTime.fromEpochSecond(s, ns)
        const back = l.toEpochSecond()
        expect(BigInt(back)).toBe(s)
        expect(typeof back).toBe(s >= -(2n ** 53n) + 1n && s <= 2n ** 53n - 1n ? "number" : "bigint")
        // the same instant given as a number (when exact) decodes the same
        if (typeof back === "number") expect(Equal.equals(T.LocalDateTime.fromEpochSecond(back, ns), l)).toBe(true)
      }),
      { numRuns: 2000 }
    )
  })

  it("exact at 2^53 and at the ends", () => {
    const s = 2n ** 53n + 1n
    const l = T.LocalDateTime.fromEpochSecond(s, 0)
    expect(l.toEpochSecond()).toBe(s)
    expect(T.LocalDateTime.fromEpochSecond(2 ** 53 - 1, 0).toEpochSecond()).toBe(2 ** 53 - 1)
    expect(T.LocalDateTime.fromEpochSecond(BigInt(MAX_EPOCH_DAY) * 86400n + 86399n, 999_999_999).toString()).toBe(
      "+999999999-12-31T23:59:59.999999999"
    )
    expect(T.LocalDateTime.fromEpochSecond(BigInt(MIN_EPOCH_DAY) * 86400n, 0).toString()).toBe(
      "-999999999-01-01T00:00:00"
    )
    expect(rangeError(() => T.LocalDateTime.fromEpochSecond(BigInt(MIN_EPOCH_DAY) * 86400n - 1n, 0)).message).toContain(
      "epoch day"
    )
    expect(rangeError(() => T.LocalDateTime.fromEpochSecond(2n ** 63n - 1n, 0)).message).toContain("epoch day")
  })

  it("toString matches the official driver's", () => {
    fc.assert(
      fc.property(dateArb, timeFieldsArb, (d, [h, m, s, ns]) => {
        const ours = new T.LocalDateTime(d.year, d.month, d.day, h, m, s, ns)
        expect(ours.toString()).toBe(new neo4j.types.LocalDateTime(d.year, d.month, d.day, h, m, s, ns).toString())
      })
    )
  })

  it("JS Date conversions use local wall-clock fields", () => {
    const js = new globalThis.Date(2024, 6, 4, 19, 32, 24, 5)
    const l = T.LocalDateTime.fromStandardDate(js, 6)
    expect(l.toString()).toBe("2024-07-04T19:32:24.005000006")
    expect(l.toStandardDate().getTime()).toBe(js.getTime())
    expect(new T.LocalDateTime(5, 1, 1, 0, 0, 0, 0).toStandardDate().getFullYear()).toBe(5)
  })
})

describe("DateTime", () => {
  it("the spec's examples", () => {
    const withOffset = T.DateTime.fromEpochSecond(4500, 42, 3600)
    expect(withOffset.toString()).toBe("1970-01-01T02:15:00.000000042+01:00")
    expect(withOffset.toEpochSecond()).toBe(4500)
    expect(withOffset.toLocalEpochSecond()).toBe(8100)
    const withZone = T.DateTime.fromEpochSecond(4500, 42, "Europe/Paris")
    expect(withZone.toString()).toBe("1970-01-01T02:15:00.000000042+01:00[Europe/Paris]")
    expect(withZone.timeZoneOffsetSeconds).toBe(3600)
    expect(withZone.toEpochSecond()).toBe(4500)
    const legacy = T.DateTime.fromLocalEpochSecond(8100, 42, "Europe/Paris")
    expect(legacy.toString()).toBe("1970-01-01T02:15:00.000000042[Europe/Paris]")
    expect(legacy.timeZoneOffsetSeconds).toBeUndefined()
    expect(legacy.toEpochSecond()).toBe(4500)
    expect(Equal.equals(T.DateTime.fromLocalEpochSecond(8100, 42, 3600), withOffset)).toBe(true)
  })

  it("zone offsets at instants: summer and winter time, half hours, old local mean time", () => {
    // 2024-07-01T00:00Z and 2024-01-01T00:00Z
    expect(T.DateTime.fromEpochSecond(1719792000, 0, "Europe/Paris").timeZoneOffsetSeconds).toBe(7200)
    expect(T.DateTime.fromEpochSecond(1704067200, 0, "Europe/Paris").timeZoneOffsetSeconds).toBe(3600)
    expect(T.DateTime.fromEpochSecond(1704067200, 0, "America/New_York").toString()).toBe(
      "2023-12-31T19:00:00-05:00[America/New_York]"
    )
    expect(T.DateTime.fromEpochSecond(1704067200, 0, "Asia/Kathmandu").timeZoneOffsetSeconds).toBe(5 * 3600 + 45 * 60)
    // Paris local mean time before 1891: +00:09:21
    expect(T.DateTime.fromEpochSecond(-3_000_000_000, 0, "Europe/Paris").toString()).toBe(
      "1874-12-07T18:49:21+00:09:21[Europe/Paris]"
    )
  })

  it("zone offsets beyond the JS Date range follow the repeating rules and local mean time", () => {
    // summer and winter near the end of the range (year 999,999,999)
    const summer = T.DateTime.fromEpochSecond(31556889832780799n - 86400n * 180n, 0, "Europe/Paris")
    expect(summer.toString()).toBe("+999999999-07-05T01:59:59+02:00[Europe/Paris]")
    const winter = T.DateTime.fromEpochSecond(31556889832780799n - 7200n, 0, "Europe/Paris")
    expect(winter.toString()).toBe("+999999999-12-31T22:59:59+01:00[Europe/Paris]")
    expect(winter.toEpochSecond()).toBe(31556889832780799n - 7200n)
    const first = T.DateTime.fromEpochSecond(-31557014135596800n + 3600n, 0, "Europe/Paris")
    expect(first.toString()).toBe("-999999999-01-01T01:09:21+00:09:21[Europe/Paris]")
  })

  it("instant -> fields -> instant is exact for every zone and offset", () => {
    const instantArb = fc.bigInt({ min: BigInt(MIN_EPOCH_DAY + 2) * 86400n, max: BigInt(MAX_EPOCH_DAY - 2) * 86400n })
    fc.assert(
      fc.property(instantArb, nanoArb, fc.oneof(zoneArb, offsetArb), (s, ns, zone) => {
        const dt = T.DateTime.fromEpochSecond(s, ns, zone)
        expect(BigInt(dt.toEpochSecond())).toBe(s)
        expect(BigInt(dt.toLocalEpochSecond())).toBe(s + BigInt(dt.timeZoneOffsetSeconds!))
        // a zone id alone resolves to an offset that gives back the same wall-clock time
        if (typeof zone === "string") {
          const zoneOnly = new T.DateTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, ns, undefined, zone)
          const again = T.DateTime.fromEpochSecond(zoneOnly.toEpochSecond(), ns, zone)
          expect([again.year, again.month, again.day, again.hour, again.minute, again.second]).toEqual([
            dt.year,
            dt.month,
            dt.day,
            dt.hour,
            dt.minute,
            dt.second
          ])
        }
      }),
      { numRuns: 500 }
    )
  })

  it("a zone id alone resolves as java.time: earlier offset in an overlap, offset before a gap", () => {
    const overlap = new T.DateTime(2022, 10, 30, 2, 30, 0, 0, undefined, "Europe/Berlin")
    expect(overlap.resolvedOffsetSeconds()).toBe(7200)
    expect(overlap.toEpochSecond()).toBe(1667089800)
    const gap = new T.DateTime(2022, 3, 27, 2, 30, 0, 0, undefined, "Europe/Berlin")
    expect(gap.resolvedOffsetSeconds()).toBe(3600)
    // 02:30+01:00 is 03:30+02:00
    expect(T.DateTime.fromEpochSecond(gap.toEpochSecond(), 0, "Europe/Berlin").toString()).toBe(
      "2022-03-27T03:30:00+02:00[Europe/Berlin]"
    )
  })

  it("toString matches the official driver's", () => {
    fc.assert(
      fc.property(
        dateArb,
        timeFieldsArb,
        fc.option(offsetArb, { nil: undefined }),
        fc.option(zoneArb, { nil: undefined }),
        (d, [h, m, s, ns], off, zone) => {
          fc.pre(off !== undefined || zone !== undefined)
          const ours = new T.DateTime(d.year, d.month, d.day, h, m, s, ns, off, zone)
          const theirs = new neo4j.types.DateTime(d.year, d.month, d.day, h, m, s, ns, off, zone)
          expect(ours.toString()).toBe(theirs.toString())
        }
      )
    )
  })

  it("validates: an offset or a zone id, a known zone id", () => {
    expect(rangeError(() => new T.DateTime(2024, 1, 1, 0, 0, 0, 0)).message).toContain("offset")
    expect(rangeError(() => new T.DateTime(2024, 1, 1, 0, 0, 0, 0, undefined, "Mars/Olympus_Mons")).message).toBe(
      'unknown time zone id "Mars/Olympus_Mons"'
    )
    expect(rangeError(() => T.DateTime.fromEpochSecond(0, 0, "Not/AZone")).message).toContain("Not/AZone")
    expect(rangeError(() => T.DateTime.fromEpochSecond(0, 0, 18 * 3600 + 1)).message).toContain("timeZoneOffsetSeconds")
  })

  it("JS Date conversions keep the instant", () => {
    const js = new globalThis.Date(Date.UTC(2024, 6, 4, 17, 32, 24, 123))
    const dt = T.DateTime.fromStandardDate(js, 456)
    expect(dt.nanosecond).toBe(123_000_456)
    expect(dt.toStandardDate().getTime()).toBe(js.getTime())
    expect(dt.toEpochSecond()).toBe(Math.floor(js.getTime() / 1000))
    expect(T.DateTime.fromEpochSecond(1720114344, 5_000_000, "Asia/Tokyo").toStandardDate().toISOString()).toBe(
      "2024-07-04T17:32:24.005Z"
    )
  })
})

describe("Duration", () => {
  it("prints ISO 8601 with a sign per component", () => {
    expect(new T.Duration(0, 0, 0, 0).toString()).toBe("PT0S")
    expect(new T.Duration(14, 3, 3723, 7).toString()).toBe("P1Y2M3DT1H2M3.000000007S")
    expect(new T.Duration(12, 0, 0, 0).toString()).toBe("P1Y")
    expect(new T.Duration(0, 1, 0, 0).toString()).toBe("P1D")
    expect(new T.Duration(0, 0, -1, 500_000_000).toString()).toBe("PT-0.500000000S")
    expect(new T.Duration(-13, -2, -3723, 0).toString()).toBe("P-1Y-1M-2DT-1H-2M-3S")
    expect(new T.Duration(0, 0, 2n ** 62n, 0).toString()).toBe("PT1281023894007607H45M4S")
  })

  it("normalises nanoseconds into [0, 1e9), carrying into seconds, as the official driver does", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        (s, n) => {
          const ours = new T.Duration(0, 0, s, n)
          const theirs = new neo4j.types.Duration<bigint>(0n, 0n, s, n)
          expect(BigInt(ours.seconds)).toBe(BigInt(theirs.seconds))
          expect(ours.nanoseconds).toBe(Number(theirs.nanoseconds))
          expect(BigInt(ours.seconds) * 1_000_000_000n + BigInt(ours.nanoseconds)).toBe(s * 1_000_000_000n + n)
        }
      )
    )
  })

  it("rejects non-integers", () => {
    expect(rangeError(() => new T.Duration(1.5, 0, 0, 0)).message).toContain("months")
    expect(rangeError(() => new T.Duration(0, 0, 0, 0.5)).message).toContain("nanoseconds")
  })

  it("equality compares values, not number vs bigint", () => {
    expect(Equal.equals(new T.Duration(1n, 2, 3n, 4), new T.Duration(1, 2n, 3, 4n))).toBe(true)
    expect(Equal.equals(new T.Duration(1, 2, 3, 4), new T.Duration(1, 2, 3, 5))).toBe(false)
    expect(Equal.equals(new T.Duration(0, 0, 1, 0), new T.Duration(0, 0, 0, 1_000_000_000))).toBe(true)
    expect(Hash.hash(new T.Duration(2n ** 60n, 0, 0, 0))).toBe(Hash.hash(new T.Duration(2 ** 60, 0, 0, 0)))
  })
})

describe("equality and hashing of temporal values", () => {
  const values = (): Array<[string, () => unknown, () => unknown]> => [
    ["Date", () => new T.Date(2024, 2, 29), () => new T.Date(2024, 2, 28)],
    ["LocalTime", () => new T.LocalTime(1, 2, 3, 4), () => new T.LocalTime(1, 2, 3, 5)],
    ["Time", () => new T.Time(1, 2, 3, 4, 60), () => new T.Time(1, 2, 3, 4, 0)],
    ["LocalDateTime", () => new T.LocalDateTime(2024, 1, 2, 3, 4, 5, 6), () => new T.LocalDateTime(2024, 1, 2, 3, 4, 6, 6)],
    [
      "DateTime",
      () => new T.DateTime(2024, 1, 2, 3, 4, 5, 6, 3600, "Europe/Paris"),
      () => new T.DateTime(2024, 1, 2, 3, 4, 5, 6, 3600)
    ],
    ["Duration", () => new T.Duration(1, 2, 3, 4), () => new T.Duration(1, 2, 3, 0)]
  ]

  for (const [name, make, other] of values()) {
    it(`${name}: equal when built alike, not equal otherwise, hash agrees`, () => {
      const a = make()
      const b = make()
      expect(a).not.toBe(b)
      expect(Equal.equals(a, b)).toBe(true)
      expect(Hash.hash(a)).toBe(Hash.hash(b))
      expect(Equal.equals(a, other())).toBe(false)
      expect(HashSet.size(HashSet.make(a, b, other()))).toBe(2)
    })
  }

  it("different classes with the same fields are not equal", () => {
    expect(Equal.equals(new T.LocalTime(1, 2, 3, 4), new T.Time(1, 2, 3, 4, 0))).toBe(false)
    expect(Equal.equals(new T.LocalDateTime(2024, 1, 2, 3, 4, 5, 6), new T.DateTime(2024, 1, 2, 3, 4, 5, 6, 0))).toBe(false)
  })

  it("equality sees every field", () => {
    const base = [2024, 1, 2, 3, 4, 5, 6, 3600] as const
    const a = new T.DateTime(...base, "Europe/Paris")
    for (let i = 0; i < base.length; i++) {
      const changed: Array<number> = [...base]
      changed[i] = changed[i]! + (i === 7 ? 60 : 1)
      const [y, mo, d, h, mi, s, ns, off] = changed as [number, number, number, number, number, number, number, number]
      expect(Equal.equals(a, new T.DateTime(y, mo, d, h, mi, s, ns, off, "Europe/Paris"))).toBe(false)
    }
    expect(Equal.equals(a, new T.DateTime(...base, "Europe/Berlin"))).toBe(false)
  })
})

describe("Point", () => {
  it("prints as the official driver", () => {
    expect(new Spatial.Point(4326, 1, 2).toString()).toBe("Point{srid=4326, x=1.0, y=2.0}")
    expect(new Spatial.Point(9157, 1.5, -2, 3).toString()).toBe("Point{srid=9157, x=1.5, y=-2.0, z=3.0}")
  })

  it("constructors name their SRIDs", () => {
    expect(Spatial.wgs84(1, 2).srid).toBe(4326)
    expect(Spatial.wgs84_3d(1, 2, 3).srid).toBe(4979)
    expect(Spatial.cartesian(1, 2).srid).toBe(7203)
    expect(Spatial.cartesian3d(1, 2, 3).srid).toBe(9157)
    expect(Spatial.cartesian3d(1, 2, 3).dimension).toBe(3)
    expect(Spatial.cartesian(1, 2).dimension).toBe(2)
  })

  it("equality: srid and coordinates, NaN equal to NaN, 2D never equal to 3D", () => {
    expect(Equal.equals(new Spatial.Point(7203, NaN, 0), new Spatial.Point(7203, NaN, -0))).toBe(true)
    expect(Hash.hash(new Spatial.Point(7203, NaN, 0))).toBe(Hash.hash(new Spatial.Point(7203, NaN, -0)))
    expect(Equal.equals(new Spatial.Point(7203, 1, 2), new Spatial.Point(4326, 1, 2))).toBe(false)
    expect(Equal.equals(new Spatial.Point(7203, 1, 2), new Spatial.Point(7203, 1, 2, 0))).toBe(false)
    expect(Equal.equals(new Spatial.Point(9157, 1, 2, 3), new Spatial.Point(9157, 1, 2, 3))).toBe(true)
    expect(Equal.equals(new Spatial.Point(9157, 1, 2, 3), new Spatial.Point(9157, 1, 2, 4))).toBe(false)
  })

  it("validates", () => {
    expect(rangeError(() => new Spatial.Point(1.5, 0, 0)).message).toContain("srid")
    expect(rangeError(() => new Spatial.Point(1, "0" as unknown as number, 0)).message).toContain("x")
  })
})

describe("Vector and UnsupportedType", () => {
  it("knows its type from the typed array, and refuses others", () => {
    expect(V.vector(Int8Array.of(1)).getType()).toBe("INT8")
    expect(V.vector(Int16Array.of(1)).type).toBe("INT16")
    expect(V.vector(Int32Array.of(1)).type).toBe("INT32")
    expect(V.vector(BigInt64Array.of(1n)).type).toBe("INT64")
    expect(V.vector(Float32Array.of(1)).type).toBe("FLOAT32")
    expect(V.vector(Float64Array.of(1)).type).toBe("FLOAT64")
    expect(() => new V.Vector(Uint8Array.of(1) as unknown as Int8Array)).toThrow(TypeError)
    expect(() => new V.Vector([1, 2] as unknown as Int8Array)).toThrow(/got Array/)
  })

  it("prints as the official driver", () => {
    const arrays = [
      Int8Array.of(1, -2),
      Int16Array.of(300),
      Int32Array.of(-70000, 1),
      BigInt64Array.of(2n ** 60n),
      Float32Array.of(1.5, -0.25),
      Float64Array.of(0.1, 2)
    ]
    for (const a of arrays) expect(V.vector(a).toString()).toBe(neo4j.vector(a).toString())
    expect(V.vector(Int8Array.of(1, 2, 3)).toString()).toBe("vector([1, 2, 3], 3, INTEGER8 NOT NULL)")
  })

  it("equality: same type and elements", () => {
    expect(Equal.equals(V.vector(Int8Array.of(1, 2)), V.vector(Int8Array.of(1, 2)))).toBe(true)
    expect(Hash.hash(V.vector(Int8Array.of(1, 2)))).toBe(Hash.hash(V.vector(Int8Array.of(1, 2))))
    expect(Equal.equals(V.vector(Int8Array.of(1, 2)), V.vector(Int16Array.of(1, 2)))).toBe(false)
    expect(Equal.equals(V.vector(Int8Array.of(1, 2)), V.vector(Int8Array.of(1, 3)))).toBe(false)
    expect(Equal.equals(V.vector(Int8Array.of(1, 2)), V.vector(Int8Array.of(1)))).toBe(false)
    expect(Equal.equals(V.vector(Float32Array.of(NaN)), V.vector(Float32Array.of(NaN)))).toBe(true)
    expect(Equal.equals(V.vector(BigInt64Array.of(5n)), V.vector(BigInt64Array.of(6n)))).toBe(false)
  })

  it("UnsupportedType", () => {
    const u = new V.UnsupportedType("QuantumFloat", 42, 21, "upgrade")
    expect(u.toString()).toBe("UnsupportedType<QuantumFloat>")
    expect(u.minimumProtocolVersion).toBe("42.21")
    expect(Equal.equals(u, new V.UnsupportedType("QuantumFloat", 42, 21, "upgrade"))).toBe(true)
    expect(Equal.equals(u, new V.UnsupportedType("QuantumFloat", 42, 21))).toBe(false)
    expect(V.isUnsupportedType(u)).toBe(true)
  })
})

describe("graph values", () => {
  const ada = () => new Graph.Node(1, ["Person"], { name: "Ada", born: new T.Date(1815, 12, 10), tags: ["a", 1n] }, "4:x:1")
  const bob = () => new Graph.Node(2, ["Person"], { name: "Bob" }, "4:x:2")

  it("Node: fields, Bolt 4.4 element id default, toString", () => {
    const n = ada()
    expect(n.identity).toBe(1)
    expect(n.elementId).toBe("4:x:1")
    expect(new Graph.Node(7n, [], {}).elementId).toBe("7")
    expect(n.toString()).toBe('(4:x:1:Person {name: "Ada", born: 1815-12-10, tags: ["a", 1]})')
    expect(new Graph.Node(3, ["A", "B"], {}, "3").toString()).toBe("(3:A:B)")
    expect(new Graph.Node(3, [], { "odd key": null }, "3").toString()).toBe("(3 {`odd key`: null})")
  })

  it("Node equality is deep over properties, whatever the key order, 5 equal to 5n", () => {
    const a = new Graph.Node(1, ["L"], { x: [1, { y: new Uint8Array([1, 2]) }], z: 5, w: NaN }, "e")
    const b = new Graph.Node(1n, ["L"], { w: NaN, z: 5n, x: [1, { y: new Uint8Array([1, 2]) }] }, "e")
    expect(Equal.equals(a, b)).toBe(true)
    expect(Hash.hash(a)).toBe(Hash.hash(b))
    expect(Equal.equals(a, new Graph.Node(1, ["L"], { x: [1, { y: new Uint8Array([1, 3]) }], z: 5, w: NaN }, "e"))).toBe(
      false
    )
    expect(Equal.equals(a, new Graph.Node(1, ["L"], { x: [1, { y: new Uint8Array([1, 2]) }], z: 5 }, "e"))).toBe(false)
    expect(Equal.equals(a, new Graph.Node(1, ["M"], { x: [1, { y: new Uint8Array([1, 2]) }], z: 5, w: NaN }, "e"))).toBe(
      false
    )
    expect(Equal.equals(a, new Graph.Node(1, ["L"], { x: [1, { y: new Uint8Array([1, 2]) }], z: 5, w: NaN }, "f"))).toBe(
      false
    )
    expect(Equal.equals(ada(), ada())).toBe(true)
    expect(Equal.equals(ada(), bob())).toBe(false)
  })

  it("property equality and hash agree on random values; any change is seen", () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.string(),
      fc.uint8Array({ maxLength: 4 }),
      dateArb
    )
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }))
    }))
    const props = fc.dictionary(fc.string(), value, { minKeys: 1, maxKeys: 5 })
    fc.assert(
      fc.property(props, (p) => {
        const clone = structuredClone(p) as Graph.Properties
        // rebuild the value classes structuredClone turned into plain objects, reverse key order
        const rebuild = (v: unknown, orig: unknown): unknown =>
          orig instanceof T.Date
            ? new T.Date(orig.year, orig.month, orig.day)
            : Array.isArray(orig)
              ? orig.map((x, i) => rebuild((v as Array<unknown>)[i], x))
              : orig !== null && typeof orig === "object" && !(orig instanceof Uint8Array)
                ? Object.fromEntries(Object.keys(orig).reverse().map((k) => [k, rebuild((v as any)[k], (orig as any)[k])]))
                : v
        const copy = rebuild(clone, p) as Graph.Properties
        const a = new Graph.Node(1, [], p, "e")
        const b = new Graph.Node(1, [], copy, "e")
        expect(Equal.equals(a, b)).toBe(true)
        expect(Hash.hash(a)).toBe(Hash.hash(b))
        const key = Object.keys(p)[0]!
        const changed = new Graph.Node(1, [], { ...copy, [key]: { changed: p[key] } }, "e")
        expect(Equal.equals(a, changed)).toBe(false)
      })
    )
  })

  it("Relationship, UnboundRelationship.bindTo, toString", () => {
    const r = new Graph.UnboundRelationship(10, "KNOWS", { since: 2001 }, "5:x:10")
    const bound = r.bindTo(ada(), bob())
    expect(bound).toBeInstanceOf(Graph.Relationship)
    expect([bound.start, bound.end, bound.startNodeElementId, bound.endNodeElementId]).toEqual([1, 2, "4:x:1", "4:x:2"])
    expect(bound.toString()).toBe("(4:x:1)-[:KNOWS {since: 2001}]->(4:x:2)")
    expect(r.toString()).toBe("-[:KNOWS {since: 2001}]->")
    expect(Equal.equals(bound, new Graph.Relationship(10, 1, 2, "KNOWS", { since: 2001 }, "5:x:10", "4:x:1", "4:x:2"))).toBe(
      true
    )
    expect(Equal.equals(bound, new Graph.Relationship(10, 2, 1, "KNOWS", { since: 2001 }, "5:x:10", "4:x:2", "4:x:1"))).toBe(
      false
    )
    expect(new Graph.Relationship(1, 2, 3, "T", {}).elementId).toBe("1")
    expect(new Graph.Relationship(1, 2, 3, "T", {}).startNodeElementId).toBe("2")
    expect(Equal.equals(r, new Graph.UnboundRelationship(10, "KNOWS", { since: 2001 }, "5:x:10"))).toBe(true)
    expect(Equal.equals(r, new Graph.UnboundRelationship(10, "LIKES", { since: 2001 }, "5:x:10"))).toBe(false)
  })

  it("Path: nodes, relationships, iteration, toString, equality", () => {
    const a = ada()
    const b = bob()
    const knows = new Graph.UnboundRelationship(10, "KNOWS", {}, "r10")
    const s1 = new Graph.PathSegment(a, knows.bindTo(a, b), b)
    const s2 = new Graph.PathSegment(b, knows.bindTo(a, b), a)
    const path = new Graph.Path(a, a, [s1, s2])
    expect(path.length).toBe(2)
    expect(path.nodes.map((n) => n.elementId)).toEqual(["4:x:1", "4:x:2", "4:x:1"])
    expect(path.relationships.map((r) => r.elementId)).toEqual(["r10", "r10"])
    expect([...path].length).toBe(2)
    expect(path.toString()).toBe("(4:x:1)-[:KNOWS]->(4:x:2)<-[:KNOWS]-(4:x:1)")
    expect(s2.toString()).toBe("(4:x:2)<-[:KNOWS]-(4:x:1)")
    const same = new Graph.Path(ada(), ada(), [
      new Graph.PathSegment(ada(), knows.bindTo(ada(), bob()), bob()),
      new Graph.PathSegment(bob(), knows.bindTo(ada(), bob()), ada())
    ])
    expect(Equal.equals(path, same)).toBe(true)
    expect(Hash.hash(path)).toBe(Hash.hash(same))
    expect(Equal.equals(path, new Graph.Path(a, b, [s1]))).toBe(false)
    expect(new Graph.Path(a, a, []).toString()).toBe("(4:x:1)")
  })

  it("guards", () => {
    expect(Graph.isNode(ada())).toBe(true)
    expect(Graph.isNode({})).toBe(false)
    expect(Graph.isPath(new Graph.Path(ada(), ada(), []))).toBe(true)
    expect(T.isDateTime(new T.DateTime(2024, 1, 1, 0, 0, 0, 0, 0))).toBe(true)
    expect(T.isDate(new T.LocalDateTime(2024, 1, 1, 0, 0, 0, 0))).toBe(false)
    expect(Spatial.isPoint(Spatial.cartesian(1, 2))).toBe(true)
    expect(V.isVector(V.vector(Int8Array.of()))).toBe(true)
  })
})

describe("Record: getOption and Record.get, get without the throw", () => {
  const record = new Record.Neo4jRecord(new Record.RecordShape(["name", "nick"]), ["Ada", null])

  it("Some for a key or position the record has (null included), None otherwise", () => {
    expect(record.getOption("name")).toEqual(Option.some("Ada"))
    expect(record.getOption("nick")).toEqual(Option.some(null))
    expect(record.getOption(1)).toEqual(Option.some(null))
    expect(record.getOption("age")).toEqual(Option.none())
    for (const i of [-1, 2, 0.5, Number.NaN]) expect(record.getOption(i)).toEqual(Option.none())
    // the throwing form agrees: it throws exactly where getOption is None
    expect(record.get("name")).toBe("Ada")
    expect(rangeError(() => record.get("age")).message).toContain('"age"')
    expect(rangeError(() => record.get(0.5)).message).toContain("0.5")
    expect(record.has(0.5)).toBe(false)
  })

  it("Record.get, data-first and data-last; yield* of None fails with NoSuchElementException", () => {
    expect(Record.get(record, "name")).toEqual(Option.some("Ada"))
    expect([record].map(Record.get("age"))).toEqual([Option.none()])
    const missing = Effect.runSync(Effect.flip(Effect.gen(function* () {
      return yield* record.getOption("age")
    })))
    expect(missing._tag).toBe("NoSuchElementException")
  })
})

describe("Effect-friendly constructors: Left(InvalidParameterError) where the constructors throw", () => {
  const left = <A>(e: Either.Either<A, InvalidParameterError>): InvalidParameterError => {
    if (Either.isRight(e)) throw new Error(`expected a Left, got ${String(e.right)}`)
    expect(e.left).toBeInstanceOf(InvalidParameterError)
    expect(e.left.retriable).toBe(false)
    return e.left
  }

  it("the valid values, equal to the constructors'", () => {
    expect(Equal.equals(Either.getOrThrow(T.makeDate(2024, 2, 29)), new T.Date(2024, 2, 29))).toBe(true)
    expect(Equal.equals(Either.getOrThrow(T.makeLocalTime(12, 0, 0, 1)), new T.LocalTime(12, 0, 0, 1))).toBe(true)
    expect(Equal.equals(Either.getOrThrow(T.makeTime(12, 0, 0, 1, 3600)), new T.Time(12, 0, 0, 1, 3600))).toBe(true)
    expect(
      Equal.equals(Either.getOrThrow(T.makeLocalDateTime(1969, 7, 20, 20, 17, 40, 0)), new T.LocalDateTime(1969, 7, 20, 20, 17, 40, 0))
    ).toBe(true)
    expect(
      Equal.equals(
        Either.getOrThrow(T.makeDateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")),
        new T.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
      )
    ).toBe(true)
    expect(Equal.equals(Either.getOrThrow(T.makeDuration(1, 2, 3, 4)), new T.Duration(1, 2, 3, 4))).toBe(true)
    expect(Equal.equals(Either.getOrThrow(Spatial.makePoint(4326, 1, 2)), Spatial.wgs84(1, 2))).toBe(true)
  })

  it("invalid fields: a Left naming the problem, never a throw", () => {
    expect(left(T.makeDate(2023, 2, 29)).message).toContain("day")
    expect(left(T.makeLocalTime(24, 0, 0, 0)).message).toContain("hour")
    expect(left(T.makeTime(12, 0, 0, 0, 24 * 3600)).message).toMatch(/offset/i)
    expect(left(T.makeLocalDateTime(2024, 13, 1, 0, 0, 0, 0)).message).toContain("month")
    expect(left(T.makeDateTime(2024, 1, 1, 0, 0, 0, 0)).message).toContain("time-zone")
    expect(left(T.makeDateTime(2024, 1, 1, 0, 0, 0, 0, undefined, "Mars/Olympus_Mons")).message).toContain("Mars/Olympus_Mons")
    expect(left(T.makeDuration(0, 1.5, 0, 0)).message).toContain("days")
    expect(left(Spatial.makePoint(4326.5, 0, 0)).message).toContain("srid")
  })

  it("liftThrowable: the from... constructors as Either", () => {
    const fromJsDate = T.liftThrowable(T.DateTime.fromStandardDate)
    expect(T.isDateTime(Either.getOrThrow(fromJsDate(new globalThis.Date(0))))).toBe(true)
    expect(left(fromJsDate(new globalThis.Date("not a date"))).message).toContain("invalid JS Date")
    expect(left(T.liftThrowable(T.Date.fromEpochDay)(1e300)).message).toContain("epoch day")
    expect(left(T.liftThrowable(T.LocalTime.fromNanoOfDay)(-1)).message).toContain("nanosecond of day")
  })

  it("an Either is an Effect: a typed failure in Effect.gen, caught by its tag", () => {
    const program = Effect.gen(function* () {
      const date = yield* T.makeDate(2023, 2, 29)
      return date.toString()
    }).pipe(Effect.catchTag("InvalidParameterError", (e) => Effect.succeed(`refused: ${e.message}`)))
    expect(Effect.runSync(program)).toMatch(/^refused: .*day/)
  })
})
