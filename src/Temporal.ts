/**
 * Neo4j temporal values: `Date`, `Time`, `LocalTime`, `LocalDateTime`, `DateTime` and `Duration`,
 * with the calendar fields and names the official neo4j-driver uses.
 *
 * Values hold calendar fields (year, month, day, hour, ...); the wire forms (epoch days, nanos of
 * day, epoch seconds) are computed with exact integer arithmetic over the whole java.time range
 * (years -999,999,999 to 999,999,999): plain numbers where they are exact, `bigint` where an epoch
 * second count passes 2^53. Time-zone offsets of zone ids come from `Intl.DateTimeFormat`, as in
 * the official driver.
 *
 * Invalid fields throw a `RangeError` naming the field, as in the official driver. Inside Effect
 * code a throw is a defect: `makeDate`, `makeTime`, ... (the constructors' arguments) and
 * `liftThrowable` (for the `from...` constructors) return an `Either` that fails with an
 * `InvalidParameterError` instead, usable with `yield*` in `Effect.gen`. Every class has
 * structural equality (`Equal.equals`) and prints in ISO 8601 form.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import type * as Either from "effect/Either"
import { attempt } from "./internal/values/attempt.js"
import {
  checkDate,
  checkEpochDay,
  checkNanoOfDay,
  checkOffset,
  checkTime,
  civil,
  epochSecondOf,
  NANOS_PER_SECOND,
  nanoOfDay,
  setCivilDate,
  setCivilFromEpochSecond,
  setCivilTime,
  toEpochDay,
  toSmallInt
} from "./internal/values/calendar.js"
import { addInt, hashInt, intEquals, isInteger, mix, normalizeBig } from "./internal/values/integers.js"
import { formatDate, formatNanos, formatOffset, formatTime } from "./internal/values/isoFormat.js"
import { checkStandardDate, localStandardDate, standardNanos, standardOffset } from "./internal/values/standardDate.js"
import { hashWallClock, sameWallClock } from "./internal/values/wallClock.js"
import { isKnownZone, knownZone, offsetAtInstant, offsetForLocal } from "./internal/values/zones.js"
import type { InvalidParameterError } from "./Neo4jError.js"

// ---------------------------------------------------------------------------------------------
// Date

/**
 * A date without a time zone, e.g. `2007-12-03` (Cypher `DATE`).
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const leapDay = new Temporal.Date(2024, 2, 29)
 * assert.strictEqual(leapDay.toString(), "2024-02-29")
 * assert.strictEqual(leapDay.toStandardDate().toISOString(), "2024-02-29T00:00:00.000Z")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Date implements Equal.Equal {
  /**
   * Year, -999,999,999 to 999,999,999.
   * @since 0.1.0
   */
  readonly year: number
  /**
   * Month, 1 to 12.
   * @since 0.1.0
   */
  readonly month: number
  /**
   * Day of the month, 1 to 31.
   * @since 0.1.0
   */
  readonly day: number

  /**
   * @throws RangeError for an invalid date: in Effect code, `makeDate` (same arguments) fails
   * with an `InvalidParameterError` instead
   */
  constructor(year: number, month: number, day: number) {
    checkDate(year, month, day)
    this.year = year
    this.month = month
    this.day = day
  }

  /**
   * The date of a day count since 1970-01-01 (the Bolt wire form).
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(Date.fromEpochDay)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromEpochDay(epochDay: number | bigint): Date {
    setCivilDate(checkEpochDay(epochDay))
    return new Date(civil.year, civil.month, civil.day)
  }

  /**
   * The local calendar date of a JS `Date` (in the process's time zone).
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(Date.fromStandardDate)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDate(standardDate: globalThis.Date): Date {
    checkStandardDate(standardDate)
    return new Date(standardDate.getFullYear(), standardDate.getMonth() + 1, standardDate.getDate())
  }

  /**
   * The UTC calendar date of a JS `Date`.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(Date.fromStandardDateUTC)` returns an `Either` instead
   *
   * @example
   * ```ts
   * import { Temporal } from "effect-neo4j"
   *
   * const date = Temporal.Date.fromStandardDateUTC(new globalThis.Date("2024-02-29T23:30:00Z"))
   * assert.strictEqual(date.toString(), "2024-02-29")
   * ```
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDateUTC(standardDate: globalThis.Date): Date {
    checkStandardDate(standardDate)
    return new Date(standardDate.getUTCFullYear(), standardDate.getUTCMonth() + 1, standardDate.getUTCDate())
  }

  /**
   * Days since 1970-01-01 (the Bolt wire form).
   *
   * @since 0.1.0
   * @category conversions
   */
  toEpochDay(): number {
    return toEpochDay(this.year, this.month, this.day)
  }

  /**
   * A JS `Date` at midnight UTC of this date, as the official driver returns
   * (an invalid JS Date beyond its range of +-275,760 years).
   *
   * @since 0.1.0
   * @category conversions
   */
  toStandardDate(): globalThis.Date {
    return new globalThis.Date(this.toEpochDay() * 86_400_000)
  }

  /**
   * ISO 8601: `2007-12-03`; years beyond 0000-9999 as `+012345` / `-000001`.
   *
   * @since 0.1.0
   */
  toString(): string {
    return formatDate(this.year, this.month, this.day)
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof Date && this.year === that.year && this.month === that.month && this.day === that.day
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.optimize(mix(mix(Hash.number(this.year), this.month), this.day))
  }
}

// ---------------------------------------------------------------------------------------------
// LocalTime

/**
 * A time of day without a time zone, e.g. `12:50:35.556` (Cypher `LOCAL TIME`).
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const time = new Temporal.LocalTime(12, 50, 35, 556_000_000)
 * assert.strictEqual(time.toString(), "12:50:35.556000000")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class LocalTime implements Equal.Equal {
  /**
   * Hour, 0 to 23.
   * @since 0.1.0
   */
  readonly hour: number
  /**
   * Minute, 0 to 59.
   * @since 0.1.0
   */
  readonly minute: number
  /**
   * Second, 0 to 59.
   * @since 0.1.0
   */
  readonly second: number
  /**
   * Nanosecond of the second, 0 to 999,999,999.
   * @since 0.1.0
   */
  readonly nanosecond: number

  /**
   * @throws RangeError for an invalid time: in Effect code, `makeLocalTime` (same arguments)
   * fails with an `InvalidParameterError` instead
   */
  constructor(hour: number, minute: number, second: number, nanosecond: number) {
    checkTime(hour, minute, second, nanosecond)
    this.hour = hour
    this.minute = minute
    this.second = second
    this.nanosecond = nanosecond
  }

  /**
   * The time of a nanosecond count since midnight (the Bolt wire form).
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(LocalTime.fromNanoOfDay)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromNanoOfDay(nanoOfDay: number | bigint): LocalTime {
    const n = checkNanoOfDay(nanoOfDay)
    const second = Math.floor(n / NANOS_PER_SECOND)
    setCivilTime(second)
    return new LocalTime(civil.hour, civil.minute, civil.second, n - second * NANOS_PER_SECOND)
  }

  /**
   * The local time of day of a JS `Date`, plus extra nanoseconds.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(LocalTime.fromStandardDate)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDate(standardDate: globalThis.Date, nanosecond?: number): LocalTime {
    checkStandardDate(standardDate)
    return new LocalTime(
      standardDate.getHours(),
      standardDate.getMinutes(),
      standardDate.getSeconds(),
      standardNanos(standardDate, nanosecond)
    )
  }

  /**
   * Nanoseconds since midnight (the Bolt wire form).
   *
   * @since 0.1.0
   * @category conversions
   */
  toNanoOfDay(): number {
    return nanoOfDay(this.hour, this.minute, this.second, this.nanosecond)
  }

  /**
   * ISO 8601: `12:50:35.556000000`.
   *
   * @since 0.1.0
   */
  toString(): string {
    return formatTime(this.hour, this.minute, this.second, this.nanosecond)
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof LocalTime &&
      this.hour === that.hour &&
      this.minute === that.minute &&
      this.second === that.second &&
      this.nanosecond === that.nanosecond
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.optimize(mix(Hash.number(this.toNanoOfDay()), 0x74))
  }
}


// ---------------------------------------------------------------------------------------------
// Time

/**
 * A time of day with a UTC offset, e.g. `12:50:35.556+01:00` (Cypher `ZONED TIME`).
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const inParis = new Temporal.Time(12, 50, 35, 0, 3600)
 * assert.strictEqual(inParis.toString(), "12:50:35+01:00")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Time implements Equal.Equal {
  /**
   * Hour, 0 to 23.
   * @since 0.1.0
   */
  readonly hour: number
  /**
   * Minute, 0 to 59.
   * @since 0.1.0
   */
  readonly minute: number
  /**
   * Second, 0 to 59.
   * @since 0.1.0
   */
  readonly second: number
  /**
   * Nanosecond of the second, 0 to 999,999,999.
   * @since 0.1.0
   */
  readonly nanosecond: number
  /**
   * Offset from UTC in seconds, -64,800 to 64,800.
   * @since 0.1.0
   */
  readonly timeZoneOffsetSeconds: number

  /**
   * @throws RangeError for an invalid time or offset: in Effect code, `makeTime` (same
   * arguments) fails with an `InvalidParameterError` instead
   */
  constructor(hour: number, minute: number, second: number, nanosecond: number, timeZoneOffsetSeconds: number) {
    checkTime(hour, minute, second, nanosecond)
    checkOffset(timeZoneOffsetSeconds)
    this.hour = hour
    this.minute = minute
    this.second = second
    this.nanosecond = nanosecond
    this.timeZoneOffsetSeconds = timeZoneOffsetSeconds
  }

  /**
   * The time of a nanosecond count since (local) midnight and an offset (the Bolt wire form).
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(Time.fromNanoOfDay)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromNanoOfDay(nanoOfDay: number | bigint, timeZoneOffsetSeconds: number | bigint): Time {
    const n = checkNanoOfDay(nanoOfDay)
    const second = Math.floor(n / NANOS_PER_SECOND)
    setCivilTime(second)
    return new Time(
      civil.hour,
      civil.minute,
      civil.second,
      n - second * NANOS_PER_SECOND,
      toSmallInt(timeZoneOffsetSeconds, "timeZoneOffsetSeconds")
    )
  }

  /**
   * The local time of day of a JS `Date` with the process's offset at that instant.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(Time.fromStandardDate)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDate(standardDate: globalThis.Date, nanosecond?: number): Time {
    checkStandardDate(standardDate)
    return new Time(
      standardDate.getHours(),
      standardDate.getMinutes(),
      standardDate.getSeconds(),
      standardNanos(standardDate, nanosecond),
      standardOffset(standardDate)
    )
  }

  /**
   * Nanoseconds since local midnight (the Bolt wire form).
   *
   * @since 0.1.0
   * @category conversions
   */
  toNanoOfDay(): number {
    return nanoOfDay(this.hour, this.minute, this.second, this.nanosecond)
  }

  /**
   * ISO 8601: `12:50:35.556000000+01:00`, `Z` for UTC.
   *
   * @since 0.1.0
   */
  toString(): string {
    return formatTime(this.hour, this.minute, this.second, this.nanosecond) + formatOffset(this.timeZoneOffsetSeconds)
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof Time &&
      this.hour === that.hour &&
      this.minute === that.minute &&
      this.second === that.second &&
      this.nanosecond === that.nanosecond &&
      this.timeZoneOffsetSeconds === that.timeZoneOffsetSeconds
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.optimize(mix(Hash.number(this.toNanoOfDay()), this.timeZoneOffsetSeconds))
  }
}

// ---------------------------------------------------------------------------------------------
// LocalDateTime

/**
 * A date and time without a time zone, e.g. `2015-07-04T19:32:24` (Cypher `LOCAL DATETIME`).
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const landing = new Temporal.LocalDateTime(1969, 7, 20, 20, 17, 40, 0)
 * assert.strictEqual(landing.toString(), "1969-07-20T20:17:40")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class LocalDateTime implements Equal.Equal {
  /**
   * Year, -999,999,999 to 999,999,999.
   * @since 0.1.0
   */
  readonly year: number
  /**
   * Month, 1 to 12.
   * @since 0.1.0
   */
  readonly month: number
  /**
   * Day of the month, 1 to 31.
   * @since 0.1.0
   */
  readonly day: number
  /**
   * Hour, 0 to 23.
   * @since 0.1.0
   */
  readonly hour: number
  /**
   * Minute, 0 to 59.
   * @since 0.1.0
   */
  readonly minute: number
  /**
   * Second, 0 to 59.
   * @since 0.1.0
   */
  readonly second: number
  /**
   * Nanosecond of the second, 0 to 999,999,999.
   * @since 0.1.0
   */
  readonly nanosecond: number

  /**
   * @throws RangeError for an invalid date or time: in Effect code, `makeLocalDateTime` (same
   * arguments) fails with an `InvalidParameterError` instead
   */
  constructor(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    nanosecond: number
  ) {
    checkDate(year, month, day)
    checkTime(hour, minute, second, nanosecond)
    this.year = year
    this.month = month
    this.day = day
    this.hour = hour
    this.minute = minute
    this.second = second
    this.nanosecond = nanosecond
  }

  /**
   * The date and time of a second count since 1970-01-01T00:00:00 and the nanoseconds within that
   * second (the Bolt wire form).
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(LocalDateTime.fromEpochSecond)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromEpochSecond(epochSecond: number | bigint, nanosecond: number | bigint): LocalDateTime {
    const nano = toSmallInt(nanosecond, "nanosecond")
    setCivilFromEpochSecond(epochSecond)
    return new LocalDateTime(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second, nano)
  }

  /**
   * The local date and time of a JS `Date`, plus extra nanoseconds.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(LocalDateTime.fromStandardDate)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDate(standardDate: globalThis.Date, nanosecond?: number): LocalDateTime {
    checkStandardDate(standardDate)
    return new LocalDateTime(
      standardDate.getFullYear(),
      standardDate.getMonth() + 1,
      standardDate.getDate(),
      standardDate.getHours(),
      standardDate.getMinutes(),
      standardDate.getSeconds(),
      standardNanos(standardDate, nanosecond)
    )
  }

  /**
   * Seconds since 1970-01-01T00:00:00 (the Bolt wire form, with `nanosecond`): a number, or a
   * bigint beyond 2^53.
   *
   * @since 0.1.0
   * @category conversions
   */
  toEpochSecond(): number | bigint {
    return epochSecondOf(
      toEpochDay(this.year, this.month, this.day),
      this.hour * 3600 + this.minute * 60 + this.second
    )
  }

  /**
   * A JS `Date` at these wall-clock fields in the process's time zone (millisecond precision).
   *
   * @since 0.1.0
   * @category conversions
   */
  toStandardDate(): globalThis.Date {
    return localStandardDate(
      this.year,
      this.month,
      this.day,
      this.hour,
      this.minute,
      this.second,
      Math.floor(this.nanosecond / 1_000_000)
    )
  }

  /**
   * ISO 8601: `2015-07-04T19:32:24.000000001`.
   *
   * @since 0.1.0
   */
  toString(): string {
    return (
      formatDate(this.year, this.month, this.day) +
      "T" +
      formatTime(this.hour, this.minute, this.second, this.nanosecond)
    )
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof LocalDateTime && sameWallClock(this, that)
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.optimize(hashWallClock(this))
  }
}

// ---------------------------------------------------------------------------------------------
// DateTime

/**
 * A date and time in a time zone, given by a UTC offset, a zone id, or both, e.g.
 * `2015-07-04T19:32:24+02:00[Europe/Paris]` (Cypher `ZONED DATETIME`).
 *
 * The fields are the local (wall-clock) date and time. A value built from a zone id alone
 * (`timeZoneOffsetSeconds` undefined) resolves its offset when it is sent, as java.time does: the
 * earlier offset in an overlap, the offset before a gap.
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const withZone = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 * assert.strictEqual(withZone.resolvedOffsetSeconds(), 7200)
 * const withOffset = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, 7200)
 * assert.strictEqual(withOffset.toString(), "2015-07-04T19:32:24+02:00")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class DateTime implements Equal.Equal {
  /**
   * Year, -999,999,999 to 999,999,999.
   * @since 0.1.0
   */
  readonly year: number
  /**
   * Month, 1 to 12.
   * @since 0.1.0
   */
  readonly month: number
  /**
   * Day of the month, 1 to 31.
   * @since 0.1.0
   */
  readonly day: number
  /**
   * Hour, 0 to 23.
   * @since 0.1.0
   */
  readonly hour: number
  /**
   * Minute, 0 to 59.
   * @since 0.1.0
   */
  readonly minute: number
  /**
   * Second, 0 to 59.
   * @since 0.1.0
   */
  readonly second: number
  /**
   * Nanosecond of the second, 0 to 999,999,999.
   * @since 0.1.0
   */
  readonly nanosecond: number
  /**
   * Offset from UTC in seconds, or undefined when only a zone id is known.
   * @since 0.1.0
   */
  readonly timeZoneOffsetSeconds: number | undefined
  /**
   * IANA time-zone id such as `Europe/Paris`, or undefined for a plain offset.
   * @since 0.1.0
   */
  readonly timeZoneId: string | undefined

  /**
   * @throws RangeError for invalid fields, an unknown zone id, or neither offset nor zone id:
   * in Effect code, `makeDateTime` (same arguments) fails with an `InvalidParameterError` instead
   */
  constructor(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    nanosecond: number,
    timeZoneOffsetSeconds?: number | undefined,
    timeZoneId?: string | undefined
  ) {
    checkDate(year, month, day)
    checkTime(hour, minute, second, nanosecond)
    if (timeZoneOffsetSeconds !== undefined) checkOffset(timeZoneOffsetSeconds)
    if (timeZoneId !== undefined) knownZone(timeZoneId)
    else if (timeZoneOffsetSeconds === undefined) {
      throw new RangeError("a DateTime needs a time-zone offset, a time-zone id, or both")
    }
    this.year = year
    this.month = month
    this.day = day
    this.hour = hour
    this.minute = minute
    this.second = second
    this.nanosecond = nanosecond
    this.timeZoneOffsetSeconds = timeZoneOffsetSeconds
    this.timeZoneId = timeZoneId
  }

  /**
   * The date and time at an instant (seconds since 1970-01-01T00:00:00Z and the nanoseconds within
   * that second) in a zone: a fixed offset in seconds, or a zone id (whose offset at that instant is
   * resolved and kept). This is the Bolt 5 wire form.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(DateTime.fromEpochSecond)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromEpochSecond(
    epochSecond: number | bigint,
    nanosecond: number | bigint,
    zone: number | bigint | string
  ): DateTime {
    const nano = toSmallInt(nanosecond, "nanosecond")
    if (typeof zone === "string") {
      const offset = offsetAtInstant(zone, epochSecond)
      setCivilFromEpochSecond(addInt(epochSecond, offset))
      return new DateTime(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second, nano, offset, zone)
    }
    const offset = toSmallInt(zone, "timeZoneOffsetSeconds")
    checkOffset(offset)
    setCivilFromEpochSecond(addInt(epochSecond, offset))
    return new DateTime(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second, nano, offset)
  }

  /**
   * The date and time whose wall-clock reading is `localEpochSecond` seconds after
   * 1970-01-01T00:00:00, in a zone: a fixed offset in seconds, or a zone id (the offset then stays
   * unresolved). This is the legacy (Bolt 4.4) wire form.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(DateTime.fromLocalEpochSecond)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromLocalEpochSecond(
    localEpochSecond: number | bigint,
    nanosecond: number | bigint,
    zone: number | bigint | string
  ): DateTime {
    const nano = toSmallInt(nanosecond, "nanosecond")
    setCivilFromEpochSecond(localEpochSecond)
    if (typeof zone === "string") {
      return new DateTime(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second, nano, undefined, zone)
    }
    const offset = toSmallInt(zone, "timeZoneOffsetSeconds")
    return new DateTime(civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second, nano, offset)
  }

  /**
   * The local date and time of a JS `Date` with the process's offset at that instant.
   *
   * @throws RangeError for an argument out of range (an invalid JS Date, a count beyond the
   * supported range): `liftThrowable(DateTime.fromStandardDate)` returns an `Either` instead
   *
   * @since 0.1.0
   * @category constructors
   */
  static fromStandardDate(standardDate: globalThis.Date, nanosecond?: number): DateTime {
    checkStandardDate(standardDate)
    return new DateTime(
      standardDate.getFullYear(),
      standardDate.getMonth() + 1,
      standardDate.getDate(),
      standardDate.getHours(),
      standardDate.getMinutes(),
      standardDate.getSeconds(),
      standardNanos(standardDate, nanosecond),
      standardOffset(standardDate)
    )
  }

  /**
   * The wall-clock reading as seconds since 1970-01-01T00:00:00 (the legacy wire form).
   *
   * @since 0.1.0
   * @category conversions
   */
  toLocalEpochSecond(): number | bigint {
    return epochSecondOf(
      toEpochDay(this.year, this.month, this.day),
      this.hour * 3600 + this.minute * 60 + this.second
    )
  }

  /**
   * The offset in force: `timeZoneOffsetSeconds`, or the zone's offset for this wall-clock time.
   *
   * @since 0.1.0
   * @category conversions
   */
  resolvedOffsetSeconds(): number {
    return this.timeZoneOffsetSeconds ?? offsetForLocal(this.timeZoneId!, this.toLocalEpochSecond())
  }

  /**
   * The instant as seconds since 1970-01-01T00:00:00Z (the Bolt 5 wire form, with `nanosecond`).
   *
   * @since 0.1.0
   * @category conversions
   */
  toEpochSecond(): number | bigint {
    const local = this.toLocalEpochSecond()
    const offset = this.timeZoneOffsetSeconds ?? offsetForLocal(this.timeZoneId!, local)
    return addInt(local, -offset)
  }

  /**
   * A JS `Date` at this instant (millisecond precision; invalid beyond the JS Date range).
   *
   * @since 0.1.0
   * @category conversions
   */
  toStandardDate(): globalThis.Date {
    return new globalThis.Date(Number(this.toEpochSecond()) * 1000 + Math.floor(this.nanosecond / 1_000_000))
  }

  /**
   * ISO 8601: `2015-07-04T19:32:24+02:00[Europe/Paris]`.
   *
   * @since 0.1.0
   */
  toString(): string {
    return (
      formatDate(this.year, this.month, this.day) +
      "T" +
      formatTime(this.hour, this.minute, this.second, this.nanosecond) +
      (this.timeZoneOffsetSeconds !== undefined ? formatOffset(this.timeZoneOffsetSeconds) : "") +
      (this.timeZoneId !== undefined ? `[${this.timeZoneId}]` : "")
    )
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof DateTime &&
      sameWallClock(this, that) &&
      this.timeZoneOffsetSeconds === that.timeZoneOffsetSeconds &&
      this.timeZoneId === that.timeZoneId
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    const h = mix(hashWallClock(this), this.timeZoneOffsetSeconds === undefined ? 0x5a : this.timeZoneOffsetSeconds)
    return Hash.optimize(mix(h, this.timeZoneId === undefined ? 0 : Hash.string(this.timeZoneId)))
  }
}

// ---------------------------------------------------------------------------------------------
// Duration

/**
 * A temporal amount in months, days, seconds and nanoseconds, each with its own sign (Cypher
 * `DURATION`), e.g. `P1Y2M3DT4H5M6.000000007S`.
 *
 * `months`, `days` and `seconds` are int64 on the wire: numbers while exact, bigints beyond.
 * `nanoseconds` is normalised into 0 to 999,999,999, carrying whole seconds into `seconds`, as the
 * server and the official driver do.
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * const duration = new Temporal.Duration(14, 3, 4 * 3600 + 5 * 60 + 6, 7)
 * assert.strictEqual(duration.toString(), "P1Y2M3DT4H5M6.000000007S")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Duration implements Equal.Equal {
  /**
   * Months (a year is 12 months).
   * @since 0.1.0
   */
  readonly months: number | bigint
  /**
   * Days.
   * @since 0.1.0
   */
  readonly days: number | bigint
  /**
   * Seconds.
   * @since 0.1.0
   */
  readonly seconds: number | bigint
  /**
   * Nanoseconds, 0 to 999,999,999.
   * @since 0.1.0
   */
  readonly nanoseconds: number

  /**
   * @throws RangeError for a field that is not an integer: in Effect code, `makeDuration` (same
   * arguments) fails with an `InvalidParameterError` instead
   */
  constructor(months: number | bigint, days: number | bigint, seconds: number | bigint, nanoseconds: number | bigint) {
    if (!isInteger(months)) throw new RangeError(`months must be an integer, got ${String(months)}`)
    if (!isInteger(days)) throw new RangeError(`days must be an integer, got ${String(days)}`)
    if (!isInteger(seconds)) throw new RangeError(`seconds must be an integer, got ${String(seconds)}`)
    if (!isInteger(nanoseconds)) throw new RangeError(`nanoseconds must be an integer, got ${String(nanoseconds)}`)
    this.months = months
    this.days = days
    if (typeof nanoseconds === "number" && nanoseconds >= 0 && nanoseconds < NANOS_PER_SECOND) {
      this.seconds = seconds
      this.nanoseconds = nanoseconds
    } else {
      const n = BigInt(nanoseconds)
      let carry = n / 1_000_000_000n
      let rest = n % 1_000_000_000n
      if (rest < 0n) {
        carry -= 1n
        rest += 1_000_000_000n
      }
      this.seconds = normalizeBig(BigInt(seconds) + carry)
      this.nanoseconds = Number(rest)
    }
  }

  /**
   * ISO 8601 with a sign per component: `P1Y2M3DT4H5M6.000000007S`, `PT-0.500000000S`, `PT0S`.
   *
   * @since 0.1.0
   */
  toString(): string {
    const months = BigInt(this.months)
    const days = BigInt(this.days)
    const total = BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanoseconds)
    if (months === 0n && days === 0n && total === 0n) return "PT0S"
    let s = "P"
    const years = months / 12n
    const restMonths = months % 12n
    if (years !== 0n) s += `${years}Y`
    if (restMonths !== 0n) s += `${restMonths}M`
    if (days !== 0n) s += `${days}D`
    if (total !== 0n) {
      const sign = total < 0n ? "-" : ""
      const abs = total < 0n ? -total : total
      const hours = abs / 3_600_000_000_000n
      const minutes = (abs / 60_000_000_000n) % 60n
      const secs = (abs / 1_000_000_000n) % 60n
      const nanos = abs % 1_000_000_000n
      s += "T"
      if (hours !== 0n) s += `${sign}${hours}H`
      if (minutes !== 0n) s += `${sign}${minutes}M`
      if (secs !== 0n || nanos !== 0n) s += `${sign}${secs}${formatNanos(Number(nanos))}S`
    }
    return s
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof Duration &&
      intEquals(this.months, that.months) &&
      intEquals(this.days, that.days) &&
      intEquals(this.seconds, that.seconds) &&
      this.nanoseconds === that.nanoseconds
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = mix(hashInt(this.months), hashInt(this.days))
    h = mix(h, hashInt(this.seconds))
    return Hash.optimize(mix(h, Hash.number(this.nanoseconds)))
  }
}

// ---------------------------------------------------------------------------------------------
// constructors that fail instead of throwing

/**
 * A `Date`, or an `InvalidParameterError` for an invalid date: the constructor without the throw.
 * An `Either` is an `Effect`: `yield*` it in `Effect.gen`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const leapDay = Temporal.makeDate(2024, 2, 29) // Right(Date)
 * const noSuchDay = Temporal.makeDate(2023, 2, 29) // Left(InvalidParameterError)
 * assert.ok(Either.isRight(leapDay) && Either.isLeft(noSuchDay))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDate = (
  ...args: ConstructorParameters<typeof Date>
): Either.Either<Date, InvalidParameterError> => attempt(() => new Date(...args))

/**
 * A `LocalTime`, or an `InvalidParameterError` for an invalid time.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const noon = Temporal.makeLocalTime(12, 0, 0, 0)
 * assert.strictEqual(Either.getOrThrow(noon).toString(), "12:00:00")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLocalTime = (
  ...args: ConstructorParameters<typeof LocalTime>
): Either.Either<LocalTime, InvalidParameterError> => attempt(() => new LocalTime(...args))

/**
 * A `Time`, or an `InvalidParameterError` for an invalid time or offset.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const noonInParis = Temporal.makeTime(12, 0, 0, 0, 3600)
 * const badOffset = Temporal.makeTime(12, 0, 0, 0, 24 * 3600) // Left: beyond ±18 h
 * assert.ok(Either.isRight(noonInParis) && Either.isLeft(badOffset))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTime = (
  ...args: ConstructorParameters<typeof Time>
): Either.Either<Time, InvalidParameterError> => attempt(() => new Time(...args))

/**
 * A `LocalDateTime`, or an `InvalidParameterError` for an invalid date or time.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const landing = Temporal.makeLocalDateTime(1969, 7, 20, 20, 17, 40, 0)
 * assert.ok(Either.isRight(landing))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLocalDateTime = (
  ...args: ConstructorParameters<typeof LocalDateTime>
): Either.Either<LocalDateTime, InvalidParameterError> => attempt(() => new LocalDateTime(...args))

/**
 * A `DateTime`, or an `InvalidParameterError` for invalid fields, an unknown zone id, or neither
 * offset nor zone id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, Temporal } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const at = yield* Temporal.makeDateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   yield* driver.executeQuery("CREATE (:Event {name: $name, at: $at})", { name: "launch", at })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDateTime = (
  ...args: ConstructorParameters<typeof DateTime>
): Either.Either<DateTime, InvalidParameterError> => attempt(() => new DateTime(...args))

/**
 * A `Duration`, or an `InvalidParameterError` for a field that is not an integer.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const dayAndAHalf = Temporal.makeDuration(0, 1, 12 * 3600, 0)
 * assert.strictEqual(Either.getOrThrow(dayAndAHalf).toString(), "P1DT12H")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDuration = (
  ...args: ConstructorParameters<typeof Duration>
): Either.Either<Duration, InvalidParameterError> => attempt(() => new Duration(...args))

/**
 * Makes a throwing constructor (one of the `from...` statics) return an `Either` instead: `Left`
 * with an `InvalidParameterError` carrying the `RangeError`'s message.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Temporal } from "effect-neo4j"
 *
 * const fromJsDate = Temporal.liftThrowable(Temporal.DateTime.fromStandardDate)
 * const now = fromJsDate(new globalThis.Date()) // Right(DateTime)
 * const bad = fromJsDate(new globalThis.Date("not a date")) // Left(InvalidParameterError)
 * assert.ok(Either.isRight(now) && Either.isLeft(bad))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const liftThrowable =
  <Args extends ReadonlyArray<unknown>, A>(make: (...args: Args) => A) =>
  (...args: Args): Either.Either<A, InvalidParameterError> =>
    attempt(() => make(...args))

// ---------------------------------------------------------------------------------------------
// guards

/**
 * Whether a value is a `Date`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const born = (record: Record.Neo4jRecord) => {
 *   const v = record.get("born")
 *   return Temporal.isDate(v) ? v.year : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDate = (u: unknown): u is Date => u instanceof Date

/**
 * Whether a value is a `LocalTime`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const opensAt = (record: Record.Neo4jRecord) => {
 *   const v = record.get("opensAt")
 *   return Temporal.isLocalTime(v) ? v.hour : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isLocalTime = (u: unknown): u is LocalTime => u instanceof LocalTime

/**
 * Whether a value is a `Time`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const alarm = (record: Record.Neo4jRecord) => {
 *   const v = record.get("alarm")
 *   return Temporal.isTime(v) ? v.timeZoneOffsetSeconds : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTime = (u: unknown): u is Time => u instanceof Time

/**
 * Whether a value is a `LocalDateTime`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const scheduledAt = (record: Record.Neo4jRecord) => {
 *   const v = record.get("scheduledAt")
 *   return Temporal.isLocalDateTime(v) ? v.toString() : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isLocalDateTime = (u: unknown): u is LocalDateTime => u instanceof LocalDateTime

/**
 * Whether a value is a `DateTime`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const createdAt = (record: Record.Neo4jRecord) => {
 *   const v = record.get("createdAt")
 *   return Temporal.isDateTime(v) ? v.toStandardDate() : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDateTime = (u: unknown): u is DateTime => u instanceof DateTime

/**
 * Whether a value is a `Duration`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Temporal } from "effect-neo4j"
 *
 * const ttl = (record: Record.Neo4jRecord) => {
 *   const v = record.get("ttl")
 *   return Temporal.isDuration(v) ? v.days : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isDuration = (u: unknown): u is Duration => u instanceof Duration

/**
 * Whether this runtime knows a time-zone id (its `Intl` time-zone data has it). A `DateTime` is
 * built, read or sent only with a zone id it knows: a result value in another zone fails the read
 * of its record with `BrokenRecordError` (the result's other records stay readable).
 *
 * @example
 * ```ts
 * import { Temporal } from "effect-neo4j"
 *
 * assert.strictEqual(Temporal.isKnownTimeZone("Europe/Paris"), true)
 * assert.strictEqual(Temporal.isKnownTimeZone("Mars/Olympus_Mons"), false)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isKnownTimeZone = (zoneId: string): boolean => isKnownZone(zoneId)
