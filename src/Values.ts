/**
 * Parameter values and the integer policy.
 *
 * Sending: a `bigint` is an Integer; a plain `number` is an Integer when it is integral (and
 * inside int64) and a Float otherwise, so `LIMIT $n` works with `{ n: 10 }`; `-0` is a Float
 * (an Integer would lose its sign); `int(x)` and `float(x)` force either. Receiving: an Integer is a `number` when it is a safe integer and a
 * `bigint` beyond (no silent precision loss); the `useBigInt` option makes every Integer a bigint.
 *
 * @since 0.1.0
 */
import { Float, Int } from "./internal/packstream/numbers.js"

export {
  /**
   * A parameter forced to PackStream Float (built by `float(x)`).
   *
   * @since 0.1.0
   * @category models
   */
  Float,
  /**
   * A parameter forced to PackStream Integer (built by `int(x)`).
   *
   * @since 0.1.0
   * @category models
   */
  Int
}

/**
 * Sends a value as an Integer (`int(10)`, `int(10n)`, `int("9007199254740993")`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, Values } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   // an id beyond 2^53, sent as an exact Integer
 *   return yield* driver.executeQuery("MATCH (a:Account {id: $id}) RETURN a", { id: Values.int("9007199254740993") })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const int = (value: number | bigint | string): Int => {
  if (typeof value !== "string") return new Int(value)
  // a malformed string becomes NaN, which the packer rejects with a typed error
  return new Int(/^-?\d+$/.test(value.trim()) ? BigInt(value.trim()) : Number.NaN)
}

/**
 * Sends a value as a Float, even when integral (`float(1)` is `1.0`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, Values } from "effect-neo4j"
 *
 * const program = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   // a plain 1 would be sent as an Integer; the property must stay a FLOAT
 *   yield* driver.executeQuery("MATCH (p:Product {sku: $sku}) SET p.price = $price", { sku: "A1", price: Values.float(1) })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const float = (value: number): Float => new Float(value)
