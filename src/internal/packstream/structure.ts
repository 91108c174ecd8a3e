/**
 * A PackStream structure as it travels on the wire: a one-byte signature (tag) and its fields.
 * Plain data; the Bolt layer gives it meaning (hydration).
 *
 * @since 0.1.0
 */
export class Structure {
  constructor(
    readonly signature: number,
    readonly fields: ReadonlyArray<unknown>
  ) {}
}
