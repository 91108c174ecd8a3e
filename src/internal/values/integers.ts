/**
 * Exact integers held as `number | bigint` (a number while it is a safe integer, a bigint beyond),
 * as the temporal values carry int64 wire fields: addition, equality and hashing that treat `5`
 * and `5n` alike. Pure, no I/O.
 */
import * as Hash from "effect/Hash"

export const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)
export const MIN_SAFE_BIG = -MAX_SAFE_BIG

/** a bigint as a number when that is exact */
export const normalizeBig = (v: bigint): number | bigint => (v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v)

/** a + b, exact: a number while safe, a bigint beyond */
export const addInt = (a: number | bigint, b: number): number | bigint => {
  if (typeof a === "number") {
    const r = a + b
    if (Number.isSafeInteger(r)) return r
    return normalizeBig(BigInt(a) + BigInt(b))
  }
  return normalizeBig(a + BigInt(b))
}

export const isInteger = (v: unknown): v is number | bigint =>
  typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))

/** numeric equality of two integers, whether number or bigint */
export const intEquals = (a: number | bigint, b: number | bigint): boolean =>
  a === b || (typeof a !== typeof b && BigInt(a) === BigInt(b))

/** a hash that agrees for `5` and `5n` */
export const hashInt = (v: number | bigint): number => {
  if (typeof v === "number") return Number.isSafeInteger(v) ? Hash.number(v) : Hash.string(BigInt(v).toString())
  return v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG ? Hash.number(Number(v)) : Hash.string(v.toString())
}

export const mix = (h: number, x: number): number => (h * 53) ^ x
