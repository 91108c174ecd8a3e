/**
 * Explicit numeric wrappers for parameters. A plain integral `number` is sent as a PackStream
 * Integer and any other `number` as a Float; these wrappers override that choice.
 */

/**
 * A value sent as a PackStream Integer (int64).
 *
 * @since 0.1.0
 * @category parameters
 */
export class Int {
  readonly _tag = "Int"
  /** a bigint, or a number (checked to be an integer when packed) */
  constructor(readonly value: bigint | number) {}
  toString(): string {
    return `Int(${this.value})`
  }
}

/**
 * A value sent as a PackStream Float (64-bit IEEE 754), even when it is integral.
 *
 * @since 0.1.0
 * @category parameters
 */
export class Float {
  readonly _tag = "Float"
  constructor(readonly value: number) {}
  toString(): string {
    return `Float(${this.value})`
  }
}

/** int64 bounds */
export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n
