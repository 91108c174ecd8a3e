/**
 * Time-zone offsets of zone ids, from `Intl.DateTimeFormat` as in the official driver: a bounded
 * cache of formatters, the offset at a UTC instant, and the offset java.time picks for a local
 * (wall-clock) time. Instants beyond the JS Date range move by whole 400-year cycles, over which
 * the calendar and so the yearly zone rules repeat.
 */
import { DAYS_PER_CYCLE, SECONDS_PER_DAY, toEpochDay } from "./calendar.js"
import { addInt } from "./integers.js"

const formatters = new Map<string, Intl.DateTimeFormat | null>()
/** a server could send many distinct ids: keep the cache bounded */
const MAX_FORMATTERS = 1000

const formatterFor = (zoneId: string): Intl.DateTimeFormat | null => {
  let f = formatters.get(zoneId)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zoneId,
        hourCycle: "h23",
        era: "short",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric"
      })
    } catch {
      f = null
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.clear()
    formatters.set(zoneId, f)
  }
  return f
}

/** Whether this runtime's Intl knows the zone id (an empty id is unknown). */
export const isKnownZone = (zoneId: string): boolean =>
  typeof zoneId === "string" && zoneId.length > 0 && formatterFor(zoneId) !== null

export const knownZone = (zoneId: string): Intl.DateTimeFormat => {
  const f = typeof zoneId === "string" && zoneId.length > 0 ? formatterFor(zoneId) : null
  if (f === null) throw new RangeError(`unknown time zone id ${JSON.stringify(zoneId)}`)
  return f
}

/** 400 Gregorian years: the calendar, and so yearly time-zone rules, repeat */
const CYCLE_SECONDS = DAYS_PER_CYCLE * SECONDS_PER_DAY
const CYCLE_SECONDS_BIG = BigInt(CYCLE_SECONDS)
/** well inside the JS Date range (+-8.64e12 s) */
const INTL_LIMIT = 8e12

/** an instant Intl can format with the same zone offset: far instants move by whole 400-year cycles */
const intlInstant = (epochSecond: number | bigint): number => {
  const approx = Number(epochSecond)
  if (approx <= INTL_LIMIT && approx >= -INTL_LIMIT) return approx
  const k = Math.ceil((Math.abs(approx) - INTL_LIMIT) / CYCLE_SECONDS) * Math.sign(approx)
  return typeof epochSecond === "bigint"
    ? Number(epochSecond - BigInt(k) * CYCLE_SECONDS_BIG)
    : epochSecond - k * CYCLE_SECONDS
}

/** the offset of `zoneId` at the UTC instant `epochSecond` */
export const offsetAtInstant = (zoneId: string, epochSecond: number | bigint): number => {
  const f = knownZone(zoneId)
  const s = intlInstant(epochSecond)
  const parts = f.formatToParts(s * 1000)
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  let second = 0
  let bc = false
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!
    switch (p.type) {
      case "year":
        year = parseInt(p.value, 10)
        break
      case "month":
        month = parseInt(p.value, 10)
        break
      case "day":
        day = parseInt(p.value, 10)
        break
      case "hour":
        hour = parseInt(p.value, 10) % 24
        break
      case "minute":
        minute = parseInt(p.value, 10)
        break
      case "second":
        second = parseInt(p.value, 10)
        break
      case "era":
        bc = p.value.toUpperCase().startsWith("B")
        break
    }
  }
  if (bc) year = 1 - year
  const local = toEpochDay(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
  return local - s
}

/**
 * The offset of `zoneId` for the local (wall-clock) time `localEpochSecond`, as java.time's
 * `ZonedDateTime.ofLocal` picks it: in an overlap the earlier offset, in a gap the offset before
 * the gap (so the instant lands after it).
 */
export const offsetForLocal = (zoneId: string, localEpochSecond: number | bigint): number => {
  const before = offsetAtInstant(zoneId, addInt(localEpochSecond, -SECONDS_PER_DAY))
  const after = offsetAtInstant(zoneId, addInt(localEpochSecond, SECONDS_PER_DAY))
  if (before === after) return before
  const beforeValid = offsetAtInstant(zoneId, addInt(localEpochSecond, -before)) === before
  if (beforeValid) return before
  const afterValid = offsetAtInstant(zoneId, addInt(localEpochSecond, -after)) === after
  return afterValid ? after : before
}
