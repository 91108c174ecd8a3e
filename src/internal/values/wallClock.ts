/**
 * Equality and hashing of the wall-clock fields (date and time of day) that LocalDateTime and
 * DateTime share; each adds its own fields (DateTime: the offset and zone id).
 */
import * as Hash from "effect/Hash"
import { mix } from "./integers.js"

/**
 * A date and a time of day, as the temporal classes hold them.
 *
 * @since 0.1.0
 */
export interface WallClock {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly nanosecond: number
}

/**
 * Whether two values show the same date and time of day.
 *
 * @since 0.1.0
 */
export const sameWallClock = (a: WallClock, b: WallClock): boolean =>
  a.year === b.year &&
  a.month === b.month &&
  a.day === b.day &&
  a.hour === b.hour &&
  a.minute === b.minute &&
  a.second === b.second &&
  a.nanosecond === b.nanosecond

/**
 * A hash of the date and time of day, not yet optimized (callers mix in their own fields).
 *
 * @since 0.1.0
 */
export const hashWallClock = (x: WallClock): number => {
  const h = mix(mix(Hash.number(x.year), x.month), x.day)
  return mix(mix(mix(mix(h, x.hour), x.minute), x.second), Hash.number(x.nanosecond))
}
