/**
 * Bolt 6.0 values: `Vector` (a typed array of one of six element types, Cypher `VECTOR`) and
 * `UnsupportedType` (the server's placeholder for a value the negotiated protocol cannot carry).
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"

/**
 * The element type of a vector, named as in the official driver.
 *
 * @since 0.1.0
 * @category models
 */
export type VectorType = "INT8" | "INT16" | "INT32" | "INT64" | "FLOAT32" | "FLOAT64"

/**
 * The typed arrays a vector can hold.
 *
 * @since 0.1.0
 * @category models
 */
export type VectorArray = Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array

const typeOf = (a: unknown): VectorType | undefined => {
  if (a instanceof Float32Array) return "FLOAT32"
  if (a instanceof Float64Array) return "FLOAT64"
  if (a instanceof Int8Array) return "INT8"
  if (a instanceof Int16Array) return "INT16"
  if (a instanceof Int32Array) return "INT32"
  if (a instanceof BigInt64Array) return "INT64"
  return undefined
}

const cypherType = (type: VectorType): string => {
  switch (type) {
    case "INT8":
      return "INTEGER8 NOT NULL"
    case "INT16":
      return "INTEGER16 NOT NULL"
    case "INT32":
      return "INTEGER32 NOT NULL"
    case "INT64":
      return "INTEGER NOT NULL"
    case "FLOAT32":
      return "FLOAT32 NOT NULL"
    case "FLOAT64":
      return "FLOAT NOT NULL"
  }
}

/**
 * A vector: a typed array whose class gives the element type (`Int8Array` INT8, `Int16Array`
 * INT16, `Int32Array` INT32, `BigInt64Array` INT64, `Float32Array` FLOAT32, `Float64Array`
 * FLOAT64). Sent and received as a Bolt 6.0 `Vector` structure.
 *
 * Equality compares type and elements (NaN equal to NaN).
 *
 * @example
 * ```ts
 * import { Vector } from "effect-neo4j"
 *
 * const embedding = new Vector.Vector(Float32Array.of(0.25, -0.5, 1))
 * assert.deepStrictEqual([embedding.type, embedding.length], ["FLOAT32", 3])
 * assert.strictEqual(String(embedding), "vector([0.25, -0.5, 1], 3, FLOAT32 NOT NULL)")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Vector<A extends VectorArray = VectorArray> implements Equal.Equal {
  /**
   * The element type.
   * @since 0.1.0
   */
  readonly type: VectorType
  /**
   * The elements.
   * @since 0.1.0
   */
  readonly data: A

  /** @throws TypeError for anything but the six typed-array classes */
  constructor(typedArray: A) {
    const type = typeOf(typedArray)
    if (type === undefined) {
      const name = (typedArray as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof typedArray
      throw new TypeError(
        `a Vector holds an Int8Array, Int16Array, Int32Array, BigInt64Array, Float32Array or Float64Array, got ${name}`
      )
    }
    this.type = type
    this.data = typedArray
  }

  /** The number of elements. */
  get length(): number {
    return this.data.length
  }

  /**
   * The elements (the official driver's accessor).
   *
   * @since 0.1.0
   */
  asTypedArray(): A {
    return this.data
  }

  /**
   * The element type (the official driver's accessor).
   *
   * @since 0.1.0
   */
  getType(): VectorType {
    return this.type
  }

  /**
   * `vector([1, 2, 3], 3, INTEGER8 NOT NULL)`, Cypher's form, as the official driver prints.
   *
   * @since 0.1.0
   */
  toString(): string {
    return `vector([${this.data.join(", ")}], ${this.data.length}, ${cypherType(this.type)})`
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    if (!(that instanceof Vector) || that.type !== this.type || that.data.length !== this.data.length) return false
    const a = this.data
    const b = that.data
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!
      const y = b[i]!
      if (x !== y && !(x !== x && y !== y)) return false
    }
    return true
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = Hash.string(this.type) ^ this.data.length
    const a = this.data
    if (a instanceof BigInt64Array) {
      for (let i = 0; i < a.length; i++) h = (h * 53) ^ Hash.number(Number(a[i]!))
    } else {
      for (let i = 0; i < a.length; i++) h = (h * 53) ^ Hash.number(a[i]!)
    }
    return Hash.optimize(h)
  }
}

/**
 * Makes a vector of a typed array (the official driver's `vector(...)`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, Vector } from "effect-neo4j"
 *
 * // a Bolt 6.0 server stores it as a VECTOR
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   yield* driver.executeQuery("MATCH (d:Doc {id: $id}) SET d.embedding = $embedding", {
 *     id: 42,
 *     embedding: Vector.vector(Float32Array.of(0.12, -0.4, 0.33))
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const vector = <A extends VectorArray>(typedArray: A): Vector<A> => new Vector(typedArray)

/**
 * Whether a value is a `Vector`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Vector } from "effect-neo4j"
 *
 * const embedding = (record: Record.Neo4jRecord) => {
 *   const v = record.get("embedding")
 *   return Vector.isVector(v) ? Array.from(v.asTypedArray(), Number) : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isVector = (u: unknown): u is Vector => u instanceof Vector

/**
 * A value of a type the negotiated protocol version cannot carry, in place of that value
 * (Bolt 6.0+). Received only; it cannot be sent as a parameter.
 *
 * @example
 * ```ts
 * import { Vector } from "effect-neo4j"
 *
 * const placeholder = new Vector.UnsupportedType("QuantumFloat", 6, 1, "needs Bolt 6.1")
 * assert.strictEqual(placeholder.minimumProtocolVersion, "6.1")
 * assert.strictEqual(String(placeholder), "UnsupportedType<QuantumFloat>")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class UnsupportedType implements Equal.Equal {
  /**
   * Name of the type, e.g. `"QuantumFloat"`.
   * @since 0.1.0
   */
  readonly name: string
  /**
   * Major Bolt version that can carry it.
   * @since 0.1.0
   */
  readonly minimumProtocolMajor: number
  /**
   * Minor Bolt version that can carry it.
   * @since 0.1.0
   */
  readonly minimumProtocolMinor: number
  /**
   * The server's explanation, when it gave one.
   * @since 0.1.0
   */
  readonly message: string | undefined

  constructor(name: string, minimumProtocolMajor: number, minimumProtocolMinor: number, message?: string | undefined) {
    this.name = name
    this.minimumProtocolMajor = minimumProtocolMajor
    this.minimumProtocolMinor = minimumProtocolMinor
    this.message = message
  }

  /** `"major.minor"`, as the official driver's `minimumProtocolVersion`. */
  get minimumProtocolVersion(): string {
    return `${this.minimumProtocolMajor}.${this.minimumProtocolMinor}`
  }

  /**
   * `UnsupportedType<QuantumFloat>` (the official driver's form).
   *
   * @since 0.1.0
   */
  toString(): string {
    return `UnsupportedType<${this.name}>`
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof UnsupportedType &&
      this.name === that.name &&
      this.minimumProtocolMajor === that.minimumProtocolMajor &&
      this.minimumProtocolMinor === that.minimumProtocolMinor &&
      this.message === that.message
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.string(this.name) * 53) ^ this.minimumProtocolMajor
    h = (h * 53) ^ this.minimumProtocolMinor
    return Hash.optimize(this.message === undefined ? h : (h * 53) ^ Hash.string(this.message))
  }
}

/**
 * Whether a value is an `UnsupportedType`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Vector } from "effect-neo4j"
 *
 * const value = (record: Record.Neo4jRecord) => {
 *   const v = record.get("v")
 *   if (Vector.isUnsupportedType(v)) throw new Error(`${v.name} needs Bolt ${v.minimumProtocolVersion}`)
 *   return v
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isUnsupportedType = (u: unknown): u is UnsupportedType => u instanceof UnsupportedType
