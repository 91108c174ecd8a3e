/**
 * Calendar arithmetic for the temporal values, with java.time's algorithms (ThreeTen / JSR-310):
 * dates to and from epoch days, epoch seconds to calendar fields, nanoseconds of the day, and the
 * field checks over java.time's range (years -999,999,999 to 999,999,999, offsets up to +-18:00).
 * Exact integer arithmetic: plain numbers where they are exact, `bigint` beyond 2^53. Pure, no I/O.
 */
import { MAX_SAFE_BIG, MIN_SAFE_BIG, normalizeBig } from "./integers.js"

const DAYS_0000_TO_1970 = 719528
export const DAYS_PER_CYCLE = 146097
export const SECONDS_PER_DAY = 86400
export const NANOS_PER_SECOND = 1_000_000_000
const NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND
const NANOS_PER_HOUR = 3600 * NANOS_PER_SECOND
const NANOS_PER_DAY = 86400 * NANOS_PER_SECOND
/** java.time LocalDate.MIN / MAX */
const MIN_YEAR = -999_999_999
const MAX_YEAR = 999_999_999
const MIN_EPOCH_DAY = -365243219162
const MAX_EPOCH_DAY = 365241780471
/** ZoneOffset.MIN / MAX: +-18:00 */
const MAX_OFFSET_SECONDS = 18 * 3600
/** below this |epochDay|, epochDay * 86400 + secondOfDay is a safe integer */
const SAFE_EPOCH_DAY = Math.floor(Number.MAX_SAFE_INTEGER / SECONDS_PER_DAY) - 1

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31

/** days since 1970-01-01 of a valid date (LocalDate.toEpochDay) */
export const toEpochDay = (year: number, month: number, day: number): number => {
  const y = year
  let total = 365 * y
  if (y >= 0) total += Math.trunc((y + 3) / 4) - Math.trunc((y + 99) / 100) + Math.trunc((y + 399) / 400)
  else total -= Math.trunc(y / -4) - Math.trunc(y / -100) + Math.trunc(y / -400)
  total += Math.trunc((367 * month - 362) / 12)
  total += day - 1
  if (month > 2) {
    total--
    if (!isLeapYear(y)) total--
  }
  return total - DAYS_0000_TO_1970
}

/** scratch fields written by the converters below (single-threaded, never escapes) */
export const civil = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }

/** LocalDate.ofEpochDay into `civil`; `epochDay` already range-checked */
export const setCivilDate = (epochDay: number): void => {
  let zeroDay = epochDay + DAYS_0000_TO_1970 - 60
  let adjust = 0
  if (zeroDay < 0) {
    const adjustCycles = Math.trunc((zeroDay + 1) / DAYS_PER_CYCLE) - 1
    adjust = adjustCycles * 400
    zeroDay += -adjustCycles * DAYS_PER_CYCLE
  }
  let yearEst = Math.trunc((400 * zeroDay + 591) / DAYS_PER_CYCLE)
  let doyEst = zeroDay - (365 * yearEst + Math.trunc(yearEst / 4) - Math.trunc(yearEst / 100) + Math.trunc(yearEst / 400))
  if (doyEst < 0) {
    yearEst--
    doyEst = zeroDay - (365 * yearEst + Math.trunc(yearEst / 4) - Math.trunc(yearEst / 100) + Math.trunc(yearEst / 400))
  }
  yearEst += adjust
  const marchMonth0 = Math.trunc((doyEst * 5 + 2) / 153)
  civil.month = ((marchMonth0 + 2) % 12) + 1
  civil.day = doyEst - Math.trunc((marchMonth0 * 306 + 5) / 10) + 1
  civil.year = yearEst + Math.trunc(marchMonth0 / 10)
}

/** second of day into `civil` */
export const setCivilTime = (secondOfDay: number): void => {
  const hour = Math.floor(secondOfDay / 3600)
  const rest = secondOfDay - hour * 3600
  const minute = Math.floor(rest / 60)
  civil.hour = hour
  civil.minute = minute
  civil.second = rest - minute * 60
}

export const checkEpochDay = (epochDay: number | bigint): number => {
  const d = typeof epochDay === "bigint" ? Number(epochDay) : epochDay
  if (!Number.isInteger(d) || d < MIN_EPOCH_DAY || d > MAX_EPOCH_DAY) {
    throw new RangeError(`epoch day ${String(epochDay)} is outside the supported range [${MIN_EPOCH_DAY}, ${MAX_EPOCH_DAY}]`)
  }
  return d
}

/** epoch seconds (local or UTC) into `civil`: the date and time of day */
export const setCivilFromEpochSecond = (epochSecond: number | bigint): void => {
  let days: number
  let secondOfDay: number
  if (typeof epochSecond === "number") {
    if (!Number.isSafeInteger(epochSecond)) {
      if (!Number.isInteger(epochSecond)) throw new RangeError(`epoch second ${epochSecond} is not an integer`)
      return setCivilFromEpochSecond(BigInt(epochSecond))
    }
    days = Math.floor(epochSecond / SECONDS_PER_DAY)
    secondOfDay = epochSecond - days * SECONDS_PER_DAY
    // the quotient is rounded near 2^53: correct it with the exact remainder
    if (secondOfDay < 0) {
      days--
      secondOfDay += SECONDS_PER_DAY
    } else if (secondOfDay >= SECONDS_PER_DAY) {
      days++
      secondOfDay -= SECONDS_PER_DAY
    }
  } else {
    let q = epochSecond / 86400n
    let r = epochSecond % 86400n
    if (r < 0n) {
      q -= 1n
      r += 86400n
    }
    days = Number(q)
    secondOfDay = Number(r)
  }
  setCivilDate(checkEpochDay(days))
  setCivilTime(secondOfDay)
}

/** epochDay * 86400 + secondOfDay, exact */
export const epochSecondOf = (epochDay: number, secondOfDay: number): number | bigint =>
  epochDay <= SAFE_EPOCH_DAY && epochDay >= -SAFE_EPOCH_DAY
    ? epochDay * SECONDS_PER_DAY + secondOfDay
    : normalizeBig(BigInt(epochDay) * 86400n + BigInt(secondOfDay))

// ---------------------------------------------------------------------------------------------
// validation

export const checkField = (value: number, min: number, max: number, name: string): void => {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`)
  }
}

export const checkDate = (year: number, month: number, day: number): void => {
  checkField(year, MIN_YEAR, MAX_YEAR, "year")
  checkField(month, 1, 12, "month")
  checkField(day, 1, daysInMonth(year, month), "day")
}

export const checkTime = (hour: number, minute: number, second: number, nanosecond: number): void => {
  checkField(hour, 0, 23, "hour")
  checkField(minute, 0, 59, "minute")
  checkField(second, 0, 59, "second")
  checkField(nanosecond, 0, NANOS_PER_SECOND - 1, "nanosecond")
}

export const checkOffset = (offset: number): void =>
  checkField(offset, -MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS, "timeZoneOffsetSeconds")

export const toSmallInt = (v: number | bigint, name: string): number => {
  if (typeof v === "bigint") {
    if (v < MIN_SAFE_BIG || v > MAX_SAFE_BIG) throw new RangeError(`${name} ${v} is out of range`)
    return Number(v)
  }
  return v
}

// ---------------------------------------------------------------------------------------------
// nanoseconds of the day

export const checkNanoOfDay = (nanoOfDay: number | bigint): number => {
  const n = typeof nanoOfDay === "bigint" ? Number(nanoOfDay) : nanoOfDay
  if (!Number.isInteger(n) || n < 0 || n >= NANOS_PER_DAY) {
    throw new RangeError(`nanosecond of day ${String(nanoOfDay)} is outside [0, ${NANOS_PER_DAY - 1}]`)
  }
  return n
}

export const nanoOfDay = (hour: number, minute: number, second: number, nanosecond: number): number =>
  hour * NANOS_PER_HOUR + minute * NANOS_PER_MINUTE + second * NANOS_PER_SECOND + nanosecond
