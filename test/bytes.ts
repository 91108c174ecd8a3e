/**
 * Shared helpers for the codec tests: hex text to bytes and back, concatenation, and the
 * `PackStreamError` a call must throw. Kept small: other test files import it.
 */
import { expect } from "vitest"
import { PackStreamError } from "../src/internal/packstream/errors.js"

/** "B1 44 00" -> bytes (whitespace ignored) */
export const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"))

/** bytes -> "B1 44 00" */
export const hexOf = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(" ")

/** hex text in `hexOf`'s form: upper case, one space between bytes */
export const norm = (hex: string): string => hexOf(bytes(hex))

export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => Uint8Array.from(Buffer.concat(parts))

/** Runs `f`, expects a PackStreamError and returns it. */
export const packStreamError = (f: () => unknown): PackStreamError => {
  let caught: unknown
  try {
    f()
  } catch (e) {
    caught = e
  }
  if (!(caught instanceof PackStreamError)) {
    throw new Error(`expected a PackStreamError, got ${caught === undefined ? "no error" : String(caught)}`)
  }
  expect(caught._tag).toBe("PackStreamError")
  return caught
}
