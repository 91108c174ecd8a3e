/**
 * Conversions between the temporal values and JS `Date`s: validity, the extra nanoseconds, the
 * process's UTC offset at an instant, and a JS Date at local wall-clock fields.
 */
import { checkField, NANOS_PER_SECOND, SECONDS_PER_DAY, toEpochDay } from "./calendar.js"

export const checkStandardDate = (d: globalThis.Date): void => {
  if (!(d instanceof globalThis.Date) || Number.isNaN(d.getTime())) throw new RangeError("an invalid JS Date")
}

export const standardNanos = (d: globalThis.Date, nanosecond: number | undefined): number => {
  const n = d.getMilliseconds() * 1_000_000 + (nanosecond ?? 0)
  checkField(n, 0, NANOS_PER_SECOND - 1, "nanosecond")
  return n
}

/** offset in seconds of the JS Date's local time zone at its instant */
export const standardOffset = (d: globalThis.Date): number => {
  const local =
    toEpochDay(d.getFullYear(), d.getMonth() + 1, d.getDate()) * SECONDS_PER_DAY +
    d.getHours() * 3600 +
    d.getMinutes() * 60 +
    d.getSeconds()
  return local - Math.floor(d.getTime() / 1000)
}

/** a JS Date at local wall-clock fields (years 0-99 are not shifted to 1900-1999) */
export const localStandardDate = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number
): globalThis.Date => {
  const d = new globalThis.Date(2000, month - 1, day, hour, minute, second, ms)
  d.setFullYear(year, month - 1, day)
  return d
}
