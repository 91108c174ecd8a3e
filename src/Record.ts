/**
 * One row of a result, as in the official drivers: `record.get("name")`, `record.keys`,
 * `record.toObject()`. Records of one result share their keys and key index, so a record costs
 * one small object around its values array.
 *
 * @since 0.1.0
 */
import { Equal, Hash, Option } from "effect"
import { dual } from "effect/Function"

/**
 * The keys of a result and their positions, shared by all its records.
 *
 * @since 0.1.0
 * @category models
 */
export class RecordShape {
  readonly index: ReadonlyMap<string, number>
  constructor(readonly keys: ReadonlyArray<string>) {
    this.index = new Map(keys.map((k, i) => [k, i]))
  }
}

/**
 * A result row.
 *
 * @since 0.1.0
 * @category models
 */
export class Neo4jRecord implements Equal.Equal {
  constructor(
    readonly shape: RecordShape,
    /** the values, in key order */
    readonly values: ReadonlyArray<unknown>
  ) {}

  /** The result's keys. */
  get keys(): ReadonlyArray<string> {
    return this.shape.keys
  }

  /** The number of values. */
  get length(): number {
    return this.values.length
  }

  /** The position of a key, or of an in-range integer position; -1 for none. */
  private indexOf(key: string | number): number {
    if (typeof key === "number") return Number.isInteger(key) && key >= 0 && key < this.values.length ? key : -1
    return this.shape.index.get(key) ?? -1
  }

  /**
   * The value for a key or position.
   *
   * @throws RangeError for a key (or position) the record does not have, as in the official
   * driver: inside Effect code, where a throw is a defect, use `getOption` (or test with `has`)
   */
  get(key: string | number): unknown {
    const i = this.indexOf(key)
    if (i < 0) {
      throw new RangeError(
        `This record has no field ${JSON.stringify(key)}; its keys are ${JSON.stringify(this.shape.keys)}`
      )
    }
    return this.values[i]
  }

  /**
   * The value for a key or position, `None` when the record has no such field: `get` without the
   * throw. A field holding `null` is `Some(null)`. `Option` is an `Effect`: `yield*` it to fail
   * with `NoSuchElementException`.
   *
   * ```ts
   * const name = record.getOption("name").pipe(Option.getOrElse(() => "anonymous"))
   * ```
   */
  getOption(key: string | number): Option.Option<unknown> {
    const i = this.indexOf(key)
    return i < 0 ? Option.none() : Option.some(this.values[i])
  }

  /** Whether the record has a key (or position). */
  has(key: string | number): boolean {
    return this.indexOf(key) >= 0
  }

  /** The record as a plain object keyed by field name. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    const keys = this.shape.keys
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = this.values[i]
    return out
  }

  /** [key, value] pairs. */
  entries(): Array<[string, unknown]> {
    return this.shape.keys.map((k, i) => [k, this.values[i]])
  }

  toJSON(): Record<string, unknown> {
    return this.toObject()
  }

  toString(): string {
    return `Record(${this.shape.keys.map((k, i) => `${k}: ${String(this.values[i])}`).join(", ")})`
  }

  [Equal.symbol](that: Equal.Equal): boolean {
    if (!(that instanceof Neo4jRecord) || that.values.length !== this.values.length) return false
    for (let i = 0; i < this.values.length; i++) {
      if (that.shape.keys[i] !== this.shape.keys[i] || !Equal.equals(this.values[i], that.values[i])) return false
    }
    return true
  }

  [Hash.symbol](): number {
    return Hash.cached(this, Hash.array(this.values.map((v) => Hash.hash(v))))
  }
}

/**
 * The value for a key or position, `None` when the record has no such field, as Effect's
 * `Record.get` and `Array.get`; data-first or data-last (for `pipe`). The same as
 * `record.getOption(key)`; `record.get(key)` throws instead, as in the official driver.
 *
 * ```ts
 * const names = records.map(Record.get("name"))          // Array<Option<unknown>>
 * const age = Record.get(record, "age")                  // Option<unknown>
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (key: string | number): (self: Neo4jRecord) => Option.Option<unknown>
  (self: Neo4jRecord, key: string | number): Option.Option<unknown>
} = dual(2, (self: Neo4jRecord, key: string | number): Option.Option<unknown> => self.getOption(key))
