/**
 * Schemas for the values Neo4j sends and takes, to use in `QuerySchema`'s `Request` and `Result`
 * schemas. So far the integers: the driver reads an Integer as a `number` when it is a safe
 * integer and a `bigint` beyond (every Integer a `bigint` with `useBigInt`), so a plain
 * `Schema.Number` fails on a large count and `Schema.BigIntFromSelf` on a small one. `Integer`
 * and `BigInteger` take both forms. The temporal values have instance schemas (`Date`, `Time`, ...,
 * `Duration`) and, where the meaning is kept, schemas to Effect's `DateTime.Utc`, `DateTime.Zoned`
 * and `Duration` (`DateTimeUtc`, `DateTimeZoned`, `EffectDuration`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, QuerySchema } from "effect-neo4j"
 *
 * const Stats = QuerySchema.single({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ people: Neo4jSchema.Integer, bytes: Neo4jSchema.BigInteger }),
 *   execute: "MATCH (p:Person) RETURN count(p) AS people, sum(p.storage) AS bytes"
 * })
 * ```
 *
 * @since 0.1.0
 */
import { ParseResult, Schema } from "effect"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * An Integer as a `number`: decodes a safe integer, whether the driver gives it as a `number` or
 * (with `useBigInt`) as a `bigint`, and refuses one beyond `Number.MAX_SAFE_INTEGER` (read those
 * with `BigInteger`) and a fractional number (a Float). Encodes to the `number`, which the driver
 * sends as an Integer. A Float with an integral value (`36.0`) cannot be told from the Integer
 * `36` once read, and is taken.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.Integer)
 * decode(36)                        // 36
 * decode(36n)                       // 36 (useBigInt)
 * // decode(9007199254740993n)      // throws: beyond Number.MAX_SAFE_INTEGER
 * // decode(36.5)                   // throws: not an integer
 * ```
 *
 * @since 0.1.0
 * @category integers
 */
export const Integer: Schema.Schema<number, number | bigint> = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.BigIntFromSelf),
  Schema.Number.pipe(
    Schema.filter((n) => Number.isSafeInteger(n), {
      message: (issue) => `Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual ${String(issue.actual)}`
    })
  ),
  {
    strict: true,
    decode: (u, _, ast) =>
      typeof u === "number"
        ? ParseResult.succeed(u)
        : u >= BigInt(Number.MIN_SAFE_INTEGER) && u <= BigInt(Number.MAX_SAFE_INTEGER)
        ? ParseResult.succeed(Number(u))
        : ParseResult.fail(
          new ParseResult.Type(ast, u, `Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual ${u}n`)
        ),
    encode: ParseResult.succeed
  }
).annotations({ identifier: "Neo4jSchema.Integer" })

/**
 * An Integer as a `bigint`: decodes any Integer, whether the driver gives it as a `number` (a
 * safe integer) or a `bigint`, and refuses a fractional number (a Float). Encodes to the
 * `bigint`, which the driver sends as an Integer; one outside int64 fails to encode (a
 * `QueryParametersError`, before anything is sent).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.BigInteger)
 * decode(36)                        // 36n
 * decode(9007199254740993n)         // 9007199254740993n
 * // Schema.encodeSync(Neo4jSchema.BigInteger)(2n ** 63n) throws: beyond int64
 * ```
 *
 * @since 0.1.0
 * @category integers
 */
export const BigInteger: Schema.Schema<bigint, number | bigint> = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.BigIntFromSelf),
  Schema.BigIntFromSelf.pipe(
    Schema.filter((n) => n >= INT64_MIN && n <= INT64_MAX, {
      message: (issue) => `Expected an integer within int64, actual ${String(issue.actual)}n`
    })
  ),
  {
    strict: true,
    decode: (u, _, ast) =>
      typeof u === "bigint"
        ? ParseResult.succeed(u)
        : Number.isSafeInteger(u)
        ? ParseResult.succeed(BigInt(u))
        : ParseResult.fail(new ParseResult.Type(ast, u, `Expected a safe integer or a bigint, actual ${u}`)),
    encode: ParseResult.succeed
  }
).annotations({ identifier: "Neo4jSchema.BigInteger" })

// ---------------------------------------------------------------------------------------------
// temporal values (kept in one section: its imports are here too, hoisted as every import is)

import { DateTime as EffectDateTime, Duration as EffectDurationModule, Equal, Option } from "effect"
import { normalizeBig } from "./internal/values/integers.js"
import * as Temporal from "./Temporal.js"

const TEMPORAL_CLASSES: ReadonlyArray<readonly [string, new(...args: Array<any>) => object]> = [
  ["Date", Temporal.Date],
  ["LocalTime", Temporal.LocalTime],
  ["Time", Temporal.Time],
  ["LocalDateTime", Temporal.LocalDateTime],
  ["DateTime", Temporal.DateTime],
  ["Duration", Temporal.Duration]
]

/** what came instead, for a message: `LocalDateTime 2015-07-04T19:32:24`, `"2015-07-04"`, `36n`, ... */
const describeActual = (u: unknown): string => {
  for (const [name, cls] of TEMPORAL_CLASSES) if (u instanceof cls) return `${name} ${String(u)}`
  if (u instanceof globalThis.Date) return `JS Date ${Number.isNaN(u.getTime()) ? "Invalid Date" : u.toISOString()}`
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "bigint") return `${u}n`
  if (u === null || typeof u !== "object") return String(u)
  const name = (u as { readonly constructor?: { readonly name?: unknown } }).constructor?.name
  return typeof name === "string" && name !== "Object" ? `a ${name}` : "an object"
}

const instance = <A extends Equal.Equal>(name: string, cls: new(...args: Array<any>) => A): Schema.Schema<A> =>
  Schema.declare((u: unknown): u is A => u instanceof cls, {
    identifier: `Neo4jSchema.${name}`,
    description: `a Neo4j ${name} (Temporal.${name})`,
    message: (issue) => `Expected a Neo4j ${name} (Temporal.${name}), actual ${describeActual(issue.actual)}`,
    pretty: () => (value: A) => `${name}(${String(value)})`,
    equivalence: () => Equal.equals
  })

/**
 * A Neo4j `Date` (Cypher `DATE`) as the driver reads it: a `Temporal.Date`, decoded and encoded
 * as it is. Anything else fails with a message naming what came (a `LocalDateTime`, a string, ...).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const born = Schema.decodeUnknownSync(Neo4jSchema.Date)(new Temporal.Date(1815, 12, 10))
 * assert.strictEqual(born.toString(), "1815-12-10")
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.Date)("1815-12-10"), /Expected a Neo4j Date/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Date: Schema.Schema<Temporal.Date> = instance("Date", Temporal.Date)

/**
 * A Neo4j `LocalTime` (Cypher `LOCAL TIME`): a `Temporal.LocalTime`, decoded and encoded as it is.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const opens = Schema.decodeUnknownSync(Neo4jSchema.LocalTime)(new Temporal.LocalTime(9, 30, 0, 0))
 * assert.strictEqual(opens.toString(), "09:30:00")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const LocalTime: Schema.Schema<Temporal.LocalTime> = instance("LocalTime", Temporal.LocalTime)

/**
 * A Neo4j `Time` (Cypher `ZONED TIME`, a time of day with an offset): a `Temporal.Time`, decoded
 * and encoded as it is.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const alarm = Schema.decodeUnknownSync(Neo4jSchema.Time)(new Temporal.Time(7, 0, 0, 0, 3600))
 * assert.strictEqual(alarm.toString(), "07:00:00+01:00")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Time: Schema.Schema<Temporal.Time> = instance("Time", Temporal.Time)

/**
 * A Neo4j `LocalDateTime` (Cypher `LOCAL DATETIME`): a `Temporal.LocalDateTime`, decoded and
 * encoded as it is. It names no instant, so it has no Effect `DateTime` form.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const landing = Schema.decodeUnknownSync(Neo4jSchema.LocalDateTime)(new Temporal.LocalDateTime(1969, 7, 20, 20, 17, 40, 0))
 * assert.strictEqual(landing.toString(), "1969-07-20T20:17:40")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const LocalDateTime: Schema.Schema<Temporal.LocalDateTime> = instance("LocalDateTime", Temporal.LocalDateTime)

/**
 * A Neo4j `DateTime` (Cypher `ZONED DATETIME`, with an offset or a zone id): a
 * `Temporal.DateTime`, decoded and encoded as it is, nanoseconds and zone id kept. For Effect's
 * `DateTime`, see `DateTimeUtc` and `DateTimeZoned`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const at = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, undefined, "Europe/Paris")
 * assert.strictEqual(Schema.decodeUnknownSync(Neo4jSchema.DateTime)(at), at)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTime: Schema.Schema<Temporal.DateTime> = instance("DateTime", Temporal.DateTime)

/**
 * A Neo4j `Duration` (Cypher `DURATION`: months, days, seconds and nanoseconds): a
 * `Temporal.Duration`, decoded and encoded as it is, months and negative parts included. For
 * Effect's `Duration`, see `EffectDuration`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const term = Schema.decodeUnknownSync(Neo4jSchema.Duration)(new Temporal.Duration(14, 0, 0, 0))
 * assert.strictEqual(term.toString(), "P1Y2M")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Duration: Schema.Schema<Temporal.Duration> = instance("Duration", Temporal.Duration)

const NANOS_PER_MILLI = 1_000_000
/** java.time's ZoneOffset range, +-18:00 */
const MAX_OFFSET_MILLIS = 18 * 3600 * 1000

/** the instant of a Neo4j DateTime in epoch milliseconds, or why it has none Effect can hold */
const epochMillisOf = (value: Temporal.DateTime, target: string): number | string => {
  if (value.nanosecond % NANOS_PER_MILLI !== 0) {
    return `Expected a Neo4j DateTime in whole milliseconds (${target} holds milliseconds; Neo4jSchema.DateTime keeps nanoseconds), actual ${value} (nanosecond ${value.nanosecond})`
  }
  const second = value.toEpochSecond()
  const millis = Number(second) * 1000 + value.nanosecond / NANOS_PER_MILLI
  // the JS Date range, +-8.64e15 ms (Effect's DateTime.Zoned a few hours less)
  return Math.abs(millis) <= 8.64e15
    ? millis
    : `Expected a Neo4j DateTime within the JS Date range (${target} is a JS epoch millisecond count), actual ${value}`
}

/** the epoch second and the nanoseconds within it of an epoch millisecond count */
const splitMillis = (millis: number): readonly [second: number, nanosecond: number] => {
  const second = Math.floor(millis / 1000)
  return [second, (millis - second * 1000) * NANOS_PER_MILLI]
}

/**
 * A Neo4j `DateTime` as Effect's `DateTime.Utc`: decodes the instant of a DateTime with an offset
 * or with a zone id (the zone itself is dropped: `DateTimeZoned` keeps it). Effect's `DateTime`
 * holds milliseconds, so a value with a sub-millisecond part (`nanosecond` not a multiple of
 * 1,000,000) fails to decode rather than lose it (read those with `Neo4jSchema.DateTime`), as
 * does one beyond the JS Date range (about 271,821 BC to 275,760 AD). Encodes to a Neo4j
 * `DateTime` at offset 0 (UTC), sent as a `DateTime` with offset `+00:00`.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const inParis = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 * const utc = Schema.decodeUnknownSync(Neo4jSchema.DateTimeUtc)(inParis)
 * assert.strictEqual(DateTime.formatIso(utc), "2015-07-04T17:32:24.000Z")
 *
 * const sent = Schema.encodeSync(Neo4jSchema.DateTimeUtc)(DateTime.unsafeMake("2015-07-04T17:32:24.500Z"))
 * assert.strictEqual(sent.toString(), "2015-07-04T17:32:24.500000000Z")
 *
 * const tooFine = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, 7200)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.DateTimeUtc)(tooFine), /whole milliseconds/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTimeUtc: Schema.Schema<EffectDateTime.Utc, Temporal.DateTime> = Schema.transformOrFail(
  DateTime,
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      const millis = epochMillisOf(value, "DateTime.Utc")
      if (typeof millis === "string") return ParseResult.fail(new ParseResult.Type(ast, value, millis))
      return ParseResult.succeed(EffectDateTime.unsafeMake(millis))
    },
    encode: (utc) => {
      const [second, nanosecond] = splitMillis(EffectDateTime.toEpochMillis(utc))
      return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, 0))
    }
  }
).annotations({ identifier: "Neo4jSchema.DateTimeUtc" })

/**
 * A Neo4j `DateTime` as Effect's `DateTime.Zoned`: a zone id becomes a named zone, an offset an
 * offset zone, at the same instant (so the same wall clock). A named zone carries the id as this
 * runtime's `Intl` names it, the same zone under its canonical name (`US/Pacific` reads as
 * `America/Los_Angeles`, `Etc/UTC` as `UTC`). A zone id the runtime does not know fails to
 * decode; as with `DateTimeUtc`, so does a value with a sub-millisecond part (Effect's `DateTime`
 * holds milliseconds) or beyond the JS Date range. Encodes a named zone to a Neo4j `DateTime`
 * with that zone id (and its offset at that instant: no ambiguity, whatever the daylight saving
 * time), an offset zone to one with that offset; an offset that is not a whole number of seconds
 * within +-18:00 (Neo4j's offsets) fails to encode.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const inParis = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 * const zoned = Schema.decodeUnknownSync(Neo4jSchema.DateTimeZoned)(inParis)
 * assert.strictEqual(DateTime.formatIsoZoned(zoned), "2015-07-04T19:32:24.000+02:00[Europe/Paris]")
 *
 * const inTokyo = DateTime.unsafeMakeZoned("2024-03-31T09:00:00Z", { timeZone: "Asia/Tokyo" })
 * const sent = Schema.encodeSync(Neo4jSchema.DateTimeZoned)(inTokyo)
 * assert.strictEqual(sent.toString(), "2024-03-31T18:00:00+09:00[Asia/Tokyo]")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTimeZoned: Schema.Schema<EffectDateTime.Zoned, Temporal.DateTime> = Schema.transformOrFail(
  DateTime,
  Schema.DateTimeZonedFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      const millis = epochMillisOf(value, "DateTime.Zoned")
      if (typeof millis === "string") return ParseResult.fail(new ParseResult.Type(ast, value, millis))
      const zone: Option.Option<EffectDateTime.TimeZone> = value.timeZoneId !== undefined
        ? EffectDateTime.zoneMakeNamed(value.timeZoneId)
        : Option.some(EffectDateTime.zoneMakeOffset(value.timeZoneOffsetSeconds! * 1000))
      if (Option.isNone(zone)) {
        return ParseResult.fail(
          new ParseResult.Type(ast, value, `Expected a Neo4j DateTime in a time zone this runtime knows, actual ${value}`)
        )
      }
      return Option.match(EffectDateTime.makeZoned(millis, { timeZone: zone.value }), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, value, `Expected a Neo4j DateTime within the range of DateTime.Zoned, actual ${value}`)
          ),
        onSome: ParseResult.succeed
      })
    },
    encode: (zoned, _, ast) => {
      const [second, nanosecond] = splitMillis(EffectDateTime.toEpochMillis(zoned))
      const zone = zoned.zone
      if (zone._tag === "Named") return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, zone.id))
      if (zone.offset % 1000 !== 0 || Math.abs(zone.offset) > MAX_OFFSET_MILLIS) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            zoned,
            `Expected an offset of whole seconds within +-18:00 (a Neo4j offset), actual ${zone.offset} ms in ${
              EffectDateTime.formatIsoZoned(zoned)
            }`
          )
        )
      }
      return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, zone.offset / 1000))
    }
  }
).annotations({ identifier: "Neo4jSchema.DateTimeZoned" })

const NANOS_PER_SECOND_BIG = 1_000_000_000n

/**
 * A Neo4j `Duration` as Effect's `Duration`, where the meaning is kept. Decodes a duration without
 * months, counting a day as 24 hours: Neo4j's days are calendar days (a day added across a
 * daylight saving time change is 23 or 25 hours), so the reading holds where that does not matter.
 * A duration with months fails to decode (a month has no fixed length: read it with
 * `Neo4jSchema.Duration`), and so does a negative one (an Effect `Duration` is never negative;
 * parts of opposite signs that sum to zero or more are fine). A whole number of milliseconds
 * decodes as `Duration.millis`, so it is `Equal.equals` to the `Duration.seconds(5)` an app writes
 * (Effect's `Equal` tells a millisecond form from a nanosecond one). Encodes exactly, to nanoseconds, as
 * `Duration(0, 0, seconds, nanoseconds)`: no months, no days; an infinite `Duration` (and one
 * beyond int64 seconds) fails to encode.
 *
 * @example
 * ```ts
 * import { Duration, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const dayAndAHalf = Schema.decodeUnknownSync(Neo4jSchema.EffectDuration)(new Temporal.Duration(0, 1, 12 * 3600, 0))
 * assert.strictEqual(Duration.toHours(dayAndAHalf), 36)
 *
 * const sent = Schema.encodeSync(Neo4jSchema.EffectDuration)(Duration.millis(1500))
 * assert.strictEqual(sent.toString(), "PT1.500000000S")
 *
 * const aMonth = new Temporal.Duration(1, 0, 0, 0)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.EffectDuration)(aMonth), /no fixed length/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const EffectDuration: Schema.Schema<EffectDurationModule.Duration, Temporal.Duration> = Schema.transformOrFail(
  Duration,
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      if (BigInt(value.months) !== 0n) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            value,
            `Expected a Neo4j Duration without months (a month has no fixed length; Neo4jSchema.Duration reads it), actual ${value}`
          )
        )
      }
      const nanos = (BigInt(value.days) * 86_400n + BigInt(value.seconds)) * NANOS_PER_SECOND_BIG +
        BigInt(value.nanoseconds)
      if (nanos < 0n) {
        return ParseResult.fail(
          new ParseResult.Type(ast, value, `Expected a Neo4j Duration of zero or more (an Effect Duration is never negative), actual ${value}`)
        )
      }
      // whole milliseconds as Duration.millis: Equal to the Duration.seconds(5) an app writes
      return ParseResult.succeed(
        nanos % 1_000_000n === 0n && nanos / 1_000_000n <= BigInt(Number.MAX_SAFE_INTEGER)
          ? EffectDurationModule.millis(Number(nanos / 1_000_000n))
          : EffectDurationModule.nanos(nanos)
      )
    },
    encode: (duration, _, ast) => {
      const nanos = EffectDurationModule.toNanos(duration)
      if (Option.isNone(nanos)) {
        return ParseResult.fail(new ParseResult.Type(ast, duration, "Expected a finite Duration (Neo4j has no infinite one), actual Infinity"))
      }
      const seconds = nanos.value / NANOS_PER_SECOND_BIG
      if (seconds > INT64_MAX) {
        return ParseResult.fail(
          new ParseResult.Type(ast, duration, `Expected a Duration within int64 seconds (a Neo4j Duration), actual ${seconds} seconds`)
        )
      }
      return ParseResult.succeed(
        new Temporal.Duration(0, 0, normalizeBig(seconds), Number(nanos.value % NANOS_PER_SECOND_BIG))
      )
    }
  }
).annotations({ identifier: "Neo4jSchema.EffectDuration" })
