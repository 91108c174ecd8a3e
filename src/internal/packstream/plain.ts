/** What PackStream packs as a map: a plain object (its prototype `Object.prototype` or null). */

/**
 * Whether `v` is a plain object: what the packer packs as a map and the decoder produces for one.
 *
 * @since 0.1.0
 */
export const isPlainObject = (v: unknown): v is Readonly<Record<string, unknown>> => {
  if (typeof v !== "object" || v === null) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}
