/**
 * Schemas for the values Neo4j sends and takes, to use in `QuerySchema`'s `Request` and `Result`
 * schemas. So far the integers: the driver reads an Integer as a `number` when it is a safe
 * integer and a `bigint` beyond (every Integer a `bigint` with `useBigInt`), so a plain
 * `Schema.Number` fails on a large count and `Schema.BigIntFromSelf` on a small one. `Integer`
 * and `BigInteger` take both forms.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, QuerySchema } from "effect-neo4j"
 *
 * const Stats = QuerySchema.single({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ people: Neo4jSchema.Integer, bytes: Neo4jSchema.BigInteger }),
 *   execute: "MATCH (p:Person) RETURN count(p) AS people, sum(p.storage) AS bytes"
 * })
 * ```
 *
 * @since 0.1.0
 */
import { ParseResult, Schema } from "effect"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * An Integer as a `number`: decodes a safe integer, whether the driver gives it as a `number` or
 * (with `useBigInt`) as a `bigint`, and refuses one beyond `Number.MAX_SAFE_INTEGER` (read those
 * with `BigInteger`) and a fractional number (a Float). Encodes to the `number`, which the driver
 * sends as an Integer. A Float with an integral value (`36.0`) cannot be told from the Integer
 * `36` once read, and is taken.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.Integer)
 * decode(36)                        // 36
 * decode(36n)                       // 36 (useBigInt)
 * // decode(9007199254740993n)      // throws: beyond Number.MAX_SAFE_INTEGER
 * // decode(36.5)                   // throws: not an integer
 * ```
 *
 * @since 0.1.0
 * @category integers
 */
export const Integer: Schema.Schema<number, number | bigint> = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.BigIntFromSelf),
  Schema.Number.pipe(
    Schema.filter((n) => Number.isSafeInteger(n), {
      message: (issue) => `Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual ${String(issue.actual)}`
    })
  ),
  {
    strict: true,
    decode: (u, _, ast) =>
      typeof u === "number"
        ? ParseResult.succeed(u)
        : u >= BigInt(Number.MIN_SAFE_INTEGER) && u <= BigInt(Number.MAX_SAFE_INTEGER)
        ? ParseResult.succeed(Number(u))
        : ParseResult.fail(
          new ParseResult.Type(ast, u, `Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual ${u}n`)
        ),
    encode: ParseResult.succeed
  }
).annotations({ identifier: "Neo4jSchema.Integer" })

/**
 * An Integer as a `bigint`: decodes any Integer, whether the driver gives it as a `number` (a
 * safe integer) or a `bigint`, and refuses a fractional number (a Float). Encodes to the
 * `bigint`, which the driver sends as an Integer; one outside int64 fails to encode (a
 * `QueryParametersError`, before anything is sent).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.BigInteger)
 * decode(36)                        // 36n
 * decode(9007199254740993n)         // 9007199254740993n
 * // Schema.encodeSync(Neo4jSchema.BigInteger)(2n ** 63n) throws: beyond int64
 * ```
 *
 * @since 0.1.0
 * @category integers
 */
export const BigInteger: Schema.Schema<bigint, number | bigint> = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.BigIntFromSelf),
  Schema.BigIntFromSelf.pipe(
    Schema.filter((n) => n >= INT64_MIN && n <= INT64_MAX, {
      message: (issue) => `Expected an integer within int64, actual ${String(issue.actual)}n`
    })
  ),
  {
    strict: true,
    decode: (u, _, ast) =>
      typeof u === "bigint"
        ? ParseResult.succeed(u)
        : Number.isSafeInteger(u)
        ? ParseResult.succeed(BigInt(u))
        : ParseResult.fail(new ParseResult.Type(ast, u, `Expected a safe integer or a bigint, actual ${u}`)),
    encode: ParseResult.succeed
  }
).annotations({ identifier: "Neo4jSchema.BigInteger" })
