/**
 * One row of a result, as in the official drivers: `record.get("name")`, `record.keys`,
 * `record.toObject()`. Records of one result share their keys and key index, so a record costs
 * one small object around its values array.
 *
 * @since 0.1.0
 */
import { Equal, Hash } from "effect"

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

  /**
   * The value for a key or position. An unknown key throws, as in the official driver:
   * use `has` to test first.
   */
  get(key: string | number): unknown {
    const i = typeof key === "number" ? key : this.shape.index.get(key)
    if (i === undefined || i < 0 || i >= this.values.length) {
      throw new RangeError(
        `This record has no field ${JSON.stringify(key)}; its keys are ${JSON.stringify(this.shape.keys)}`
      )
    }
    return this.values[i]
  }

  /** Whether the record has a key (or position). */
  has(key: string | number): boolean {
    return typeof key === "number" ? key >= 0 && key < this.values.length : this.shape.index.has(key)
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
