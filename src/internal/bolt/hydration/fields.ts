/**
 * How hydration fails and checks fields: one `PackStreamError` naming the structure, the field and
 * what it holds instead (never the value itself).
 */
import type * as Graph from "../../../Graph.js"
import { PackStreamError } from "../../packstream/errors.js"
import { STRUCTURE_NAMES } from "./tags.js"

export const hex = (b: number): string => b.toString(16).padStart(2, "0").toUpperCase()

export const nameOf = (tag: number): string => `${STRUCTURE_NAMES[tag] ?? "unknown"} structure (0x${hex(tag)})`

const describe = (v: unknown): string => {
  if (v === null) return "null"
  if (Array.isArray(v)) return "a list"
  if (v instanceof Uint8Array) return "bytes"
  if (typeof v === "object") {
    const name = (v as { constructor?: { name?: string } }).constructor?.name
    return name === undefined || name === "Object" ? "a map" : `a ${name}`
  }
  if (typeof v === "number" && !Number.isInteger(v)) return "a float"
  return `a ${typeof v}`
}

export function fail(message: string): never {
  throw new PackStreamError({ message })
}

export function arity(tag: number, expected: number, got: number, version: string): never {
  return fail(`${nameOf(tag)} must have ${expected} fields on Bolt ${version}, got ${got}`)
}

export function badField(tag: number, field: string, expected: string, got: unknown): never {
  return fail(`${nameOf(tag)}: field ${field} must be ${expected}, got ${describe(got)}`)
}

export function checkArity(tag: number, f: Array<unknown>, n: number, version: string): void {
  if (f.length !== n) arity(tag, n, f.length, version)
}

// ---------------------------------------------------------------------------------------------
// field checks

export const isInt = (v: unknown): v is number | bigint =>
  typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))

export const isMap = (v: unknown): v is Graph.Properties =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype

export const isStringList = (v: unknown): v is Array<string> => {
  if (!Array.isArray(v)) return false
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false
  return true
}

export const int = (tag: number, field: string, v: unknown): number | bigint => (isInt(v) ? v : badField(tag, field, "an integer", v))

export const str = (tag: number, field: string, v: unknown): string => (typeof v === "string" ? v : badField(tag, field, "a string", v))

export const float = (tag: number, field: string, v: unknown): number =>
  typeof v === "number" ? v : badField(tag, field, "a float", v)

/** a small integer (index, srid, version) as a number */
export const small = (tag: number, field: string, v: unknown): number => {
  if (typeof v === "number" && Number.isInteger(v)) return v
  if (typeof v === "bigint" && v >= -0x7fffffffn && v <= 0x7fffffffn) return Number(v)
  return badField(tag, field, "an integer", v)
}
