/**
 * ISO 8601 text of temporal fields: dates (years beyond 0000-9999 as `+012345` / `-000001`), times
 * with nanoseconds, and UTC offsets (`Z` for zero).
 */

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

const formatYear = (year: number): string =>
  year < 0 ? "-" + pad(-year, 6) : year > 9999 ? "+" + pad(year, 6) : pad(year, 4)

export const formatDate = (year: number, month: number, day: number): string =>
  `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`

export const formatNanos = (nanosecond: number): string => (nanosecond === 0 ? "" : "." + pad(nanosecond, 9))

export const formatTime = (hour: number, minute: number, second: number, nanosecond: number): string =>
  `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${formatNanos(nanosecond)}`

export const formatOffset = (offset: number): string => {
  if (offset === 0) return "Z"
  const sign = offset < 0 ? "-" : "+"
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const s = abs % 60
  return s === 0 ? `${sign}${pad(h, 2)}:${pad(m, 2)}` : `${sign}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`
}
