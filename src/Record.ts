/**
 * One row of a result, as in the official drivers: `record.get("name")`, `record.keys`,
 * `record.toObject()`. Records of one result share their keys and key index, so a record costs
 * one small object around its values array.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import { dual } from "effect/Function"

/**
 * The keys of a result and their positions, shared by all its records.
 *
 * @example
 * ```ts
 * import { Record } from "effect-neo4j"
 *
 * // a record built by hand, for a test of code that reads records
 * const shape = new Record.RecordShape(["name", "age"])
 * const ada = new Record.Neo4jRecord(shape, ["Ada", 36])
 * assert.strictEqual(ada.get("age"), 36)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class RecordShape {
  /**
   * Each key's position in the values.
   * @since 0.1.0
   */
  readonly index: ReadonlyMap<string, number>
  constructor(readonly keys: ReadonlyArray<string>) {
    this.index = new Map(keys.map((k, i) => [k, i]))
  }
}

/**
 * A result row.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver } from "effect-neo4j"
 *
 * const people = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN p.name AS name, p.age AS age")
 *   return records.map((record) => ({ name: record.get("name") as string, age: record.get("age") as number }))
 * })
 * ```
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
   * The position of a key, or of an in-range integer position; -1 for none.
   *
   * @internal
   */
  private indexOf(key: string | number): number {
    if (typeof key === "number") return Number.isInteger(key) && key >= 0 && key < this.values.length ? key : -1
    return this.shape.index.get(key) ?? -1
  }

  /**
   * The value for a key or position.
   *
   * @example
   * ```ts
   * import { Record } from "effect-neo4j"
   *
   * const record = new Record.Neo4jRecord(new Record.RecordShape(["name", "age"]), ["Ada", 36])
   * assert.strictEqual(record.get("name"), "Ada")
   * assert.strictEqual(record.get(1), 36)
   * assert.throws(() => record.get("email"), RangeError)
   * ```
   *
   * @throws RangeError for a key (or position) the record does not have, as in the official
   * driver: inside Effect code, where a throw is a defect, use `getOption` (or test with `has`)
   *
   * @since 0.1.0
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
   * @example
   * ```ts
   * import { Option } from "effect"
   * import type { Record } from "effect-neo4j"
   *
   * const nameOf = (record: Record.Neo4jRecord) => record.getOption("name").pipe(Option.getOrElse(() => "anonymous"))
   * ```
   *
   * @since 0.1.0
   */
  getOption(key: string | number): Option.Option<unknown> {
    const i = this.indexOf(key)
    return i < 0 ? Option.none() : Option.some(this.values[i])
  }

  /**
   * Whether the record has a key (or position).
   *
   * @example
   * ```ts
   * import { Record } from "effect-neo4j"
   *
   * const record = new Record.Neo4jRecord(new Record.RecordShape(["name"]), ["Ada"])
   * assert.deepStrictEqual([record.has("name"), record.has(0), record.has("age")], [true, true, false])
   * ```
   *
   * @since 0.1.0
   */
  has(key: string | number): boolean {
    return this.indexOf(key) >= 0
  }

  /**
   * The record as a plain object keyed by field name.
   *
   * @example
   * ```ts
   * import { Record } from "effect-neo4j"
   *
   * const record = new Record.Neo4jRecord(new Record.RecordShape(["name", "age"]), ["Ada", 36])
   * assert.deepStrictEqual(record.toObject(), { name: "Ada", age: 36 })
   * ```
   *
   * @since 0.1.0
   */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    const keys = this.shape.keys
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = this.values[i]
    return out
  }

  /**
   * [key, value] pairs.
   *
   * @example
   * ```ts
   * import { Record } from "effect-neo4j"
   *
   * const record = new Record.Neo4jRecord(new Record.RecordShape(["name", "age"]), ["Ada", 36])
   * assert.deepStrictEqual(record.entries(), [["name", "Ada"], ["age", 36]])
   * ```
   *
   * @since 0.1.0
   */
  entries(): Array<[string, unknown]> {
    return this.shape.keys.map((k, i) => [k, this.values[i]])
  }

  /**
   * The JSON form (`JSON.stringify`).
   *
   * @since 0.1.0
   */
  toJSON(): Record<string, unknown> {
    return this.toObject()
  }

  /**
   * `Record(name: Ada, age: 36)`.
   *
   * @since 0.1.0
   */
  toString(): string {
    return `Record(${this.shape.keys.map((k, i) => `${k}: ${String(this.values[i])}`).join(", ")})`
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    if (!(that instanceof Neo4jRecord) || that.values.length !== this.values.length) return false
    for (let i = 0; i < this.values.length; i++) {
      if (that.shape.keys[i] !== this.shape.keys[i] || !Equal.equals(this.values[i], that.values[i])) return false
    }
    return true
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.array(this.values.map((v) => Hash.hash(v))))
  }
}

/**
 * The value for a key or position, `None` when the record has no such field, as Effect's
 * `Record.get` and `Array.get`; data-first or data-last (for `pipe`). The same as
 * `record.getOption(key)`; `record.get(key)` throws instead, as in the official driver.
 *
 * @example
 * ```ts
 * import { Option } from "effect"
 * import { Record } from "effect-neo4j"
 *
 * const record = new Record.Neo4jRecord(new Record.RecordShape(["name", "age"]), ["Ada", 36])
 * assert.deepStrictEqual(Record.get(record, "age"), Option.some(36))
 * assert.deepStrictEqual([record].map(Record.get("email")), [Option.none()]) // data-last, for map and pipe
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (key: string | number): (self: Neo4jRecord) => Option.Option<unknown>
  (self: Neo4jRecord, key: string | number): Option.Option<unknown>
} = dual(2, (self: Neo4jRecord, key: string | number): Option.Option<unknown> => self.getOption(key))
