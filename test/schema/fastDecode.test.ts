/**
 * The fast path of row decoding (src/internal/schema/fastDecode.ts) against the Schema itself:
 * for every Result shape it compiles, on valid rows, rows with a field changed to anything, rows
 * missing a key or with one more, and arbitrary values, a compiled decoder gives exactly what
 * `Schema.decodeUnknownEither` gives (an equal value, keys in the same order) or `MISS`, and
 * `MISS` only where the Schema fails too; so does the row decoder, reading a record's values. And the shapes it must leave to the Schema.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Graph from "../../src/Graph.js"
import { compile, compileRow, MISS } from "../../src/internal/schema/fastDecode.js"
import * as Neo4jSchema from "../../src/Neo4jSchema.js"
import * as Spatial from "../../src/Spatial.js"
import * as Temporal from "../../src/Temporal.js"
import * as Values from "../../src/Values.js"
import * as V from "../../src/Vector.js"

/** values a driver may hand a decoder, beyond fc.anything(): Neo4j values and edge integers */
const neo4jValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    2n ** 53n,
    2n ** 53n - 1n,
    -(2n ** 53n) + 1n,
    2n ** 63n,
    -(2n ** 63n),
    36n,
    36,
    36.5,
    -0,
    Number.NaN,
    Number.MAX_SAFE_INTEGER + 1,
    Values.float(2),
    Values.int(3),
    Spatial.wgs84(1, 2),
    Spatial.cartesian(1, 2),
    V.vector(Float32Array.of(1, 2, 3)),
    V.vector(Int8Array.of(1)),
    new Temporal.Date(2020, 1, 1),
    new Temporal.LocalTime(1, 2, 3, 4),
    new Graph.Node(1, ["Person"], { name: "Ada", born: 1815 }, "4:x:1"),
    new Graph.Node(2, ["Company"], { name: "Acme" }, "4:x:2"),
    new Graph.Node(3, ["Person", "Admin"], { name: "Grace", born: 2n ** 60n }, "4:x:3"),
    new Graph.Relationship(7, 1, 2, "KNOWS", { since: 2001 }),
    null,
    undefined
  )
)

/** `row` with one key changed to anything, removed, or one more key */
const mutated = (row: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: row, weight: 4 },
    fc.tuple(row, fc.nat(), neo4jValue).map(([r, n, v]) => {
      if (typeof r !== "object" || r === null || Array.isArray(r)) return v
      const keys = Object.keys(r)
      return keys.length === 0 ? { x: v } : { ...r, [keys[n % keys.length]!]: v }
    }),
    fc.tuple(row, fc.nat()).map(([r, n]) => {
      if (typeof r !== "object" || r === null || Array.isArray(r)) return r
      const copy: Record<string, unknown> = { ...r }
      const keys = Object.keys(copy)
      if (keys.length > 0) delete copy[keys[n % keys.length]!]
      return copy
    }),
    fc.tuple(row, neo4jValue).map(([r, v]) => (typeof r === "object" && r !== null ? { ...r, extra: v } : r)),
    neo4jValue
  )

const Person = Schema.Struct({ name: Schema.String, born: Neo4jSchema.Integer })

/** the shapes the fast path compiles, each with rows near its own */
const CASES: ReadonlyArray<readonly [string, Schema.Schema<any, any>, fc.Arbitrary<unknown>]> = [
  [
    "the benchmark's stream row",
    Schema.Struct({
      id: Neo4jSchema.Integer,
      name: Schema.String,
      score: Schema.Number,
      active: Schema.Boolean,
      tags: Schema.Array(Schema.String)
    }),
    fc.record({ id: fc.integer(), name: fc.string(), score: fc.double(), active: fc.boolean(), tags: fc.array(fc.string()) })
  ],
  [
    "nullable, optional, literals, refinements, a nested struct and a tuple",
    Schema.Struct({
      email: Schema.NullOr(Schema.String),
      nick: Schema.optional(Schema.String),
      kind: Schema.Literal("a", "b", 1),
      count: Schema.Int.pipe(Schema.positive()),
      name: Schema.String.pipe(Schema.minLength(2)),
      address: Schema.Struct({ city: Schema.String, zip: Schema.optional(Schema.Number) }),
      pair: Schema.Tuple(Schema.String, Schema.Number),
      any: Schema.Unknown,
      empty: Schema.Struct({})
    }),
    fc.record(
      {
        email: fc.option(fc.string(), { nil: null }),
        nick: fc.option(fc.string(), { nil: undefined }),
        kind: fc.constantFrom("a", "b", 1, "c"),
        count: fc.integer({ min: -2, max: 5 }),
        name: fc.string({ maxLength: 3 }),
        address: fc.record({ city: fc.string(), zip: fc.option(fc.integer(), { nil: undefined }) }, { requiredKeys: ["city"] }),
        pair: fc.tuple(fc.string(), fc.oneof(fc.integer(), fc.string())),
        any: fc.anything(),
        empty: fc.oneof(fc.object(), fc.constant(null))
      },
      { requiredKeys: ["email", "kind", "count", "name", "address", "pair"] }
    )
  ],
  [
    "Neo4jSchema's integers, Float, Point, Vector and temporal values",
    Schema.Struct({
      int: Neo4jSchema.Integer,
      big: Neo4jSchema.BigInteger,
      float: Neo4jSchema.Float,
      point: Neo4jSchema.Wgs84Point,
      vector: Neo4jSchema.VectorOf("FLOAT32", { length: 3 }),
      date: Neo4jSchema.Date
    }),
    fc.record({
      int: fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n })),
      big: fc.oneof(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.maxSafeInteger()),
      float: fc.oneof(fc.double(), fc.double().map(Values.float)),
      point: fc.constantFrom(Spatial.wgs84(1, 2), Spatial.wgs84_3d(1, 2, 3), Spatial.wgs84(3, 4), Spatial.cartesian(1, 2)),
      vector: fc.constantFrom(V.vector(Float32Array.of(1, 2, 3)), V.vector(Float32Array.of(4, 5, 6)), V.vector(Float32Array.of(1, 2)), V.vector(Float64Array.of(1, 2, 3))),
      date: fc.constantFrom(new Temporal.Date(2020, 1, 1), new Temporal.Date(1815, 12, 10), new Temporal.LocalTime(1, 2, 3, 4))
    })
  ],
  [
    "a node with its properties, and a relationship",
    Schema.Struct({
      p: Neo4jSchema.Node({ labels: ["Person"], properties: Person }),
      any: Neo4jSchema.Node(),
      k: Neo4jSchema.Relationship({ type: "KNOWS", properties: Schema.Struct({ since: Neo4jSchema.Integer }) })
    }),
    fc.record({
      p: fc.oneof(
        { arbitrary: fc.record({ name: fc.string(), born: fc.oneof(fc.integer(), fc.bigInt()) }).map((p) => new Graph.Node(1, ["Person"], p, "4:x:1")), weight: 4 },
        neo4jValue
      ),
      any: fc.oneof({ arbitrary: fc.constant(new Graph.Node(2, ["Company"], { name: "Acme" }, "4:x:2")), weight: 4 }, neo4jValue),
      k: fc.oneof({ arbitrary: fc.integer().map((since) => new Graph.Relationship(7, 1, 2, "KNOWS", { since })), weight: 4 }, neo4jValue)
    })
  ],
  [
    "an array of numbers",
    Schema.Struct({ a: Schema.String, b: Schema.Array(Schema.Number) }),
    fc.record({ a: fc.string(), b: fc.array(fc.oneof(fc.double(), fc.string())) })
  ]
]

describe("the fast path of row decoding", () => {
  for (const [name, schema, rows] of CASES) {
    it(`${name}: the Schema's result, or MISS only where the Schema fails`, () => {
      const fast = compile(schema.ast)
      expect(fast).toBeDefined()
      const decode = Schema.decodeUnknownEither(schema)
      let taken = 0
      let missed = 0
      fc.assert(
        fc.property(mutated(rows), (row) => {
          const expected = decode(row)
          const check = (actual: unknown) => {
            if (actual === MISS) {
              missed++
              expect(Either.isLeft(expected)).toBe(true)
            } else {
              taken++
              expect(Either.isRight(expected)).toBe(true)
              const value = Either.getOrThrow(expected)
              expect(actual).toEqual(value)
              if (typeof value === "object" && value !== null) expect(Object.keys(actual as object)).toEqual(Object.keys(value))
            }
          }
          check(fast!(row))
          // a record: the row's keys as the result's keys, its values as the record's
          if (typeof row === "object" && row !== null && !Array.isArray(row) && Object.getPrototypeOf(row) === Object.prototype) {
            check(compileRow(schema.ast)!(Object.keys(row))(Object.values(row)))
          }
        }),
        { numRuns: 2000, seed: 0x14 }
      )
      // both branches were exercised
      expect(taken).toBeGreaterThan(20)
      expect(missed).toBeGreaterThan(20)
    })
  }

  it("a node decoded by the fast path keeps its identity, labels and element id, its properties decoded", () => {
    const fast = compile(Neo4jSchema.Node({ labels: ["Person"], properties: Person }).ast)!
    const node = fast(new Graph.Node(3, ["Person", "Admin"], { name: "Grace", born: 1906n, extra: 1 }, "4:x:3")) as Graph.Node
    expect(node).toBeInstanceOf(Graph.Node)
    expect([node.identity, node.labels, node.elementId, node.properties]).toEqual([3, ["Person", "Admin"], "4:x:3", { name: "Grace", born: 1906 }])
  })

  it("leaves to the Schema what it cannot decode exactly", () => {
    class Named extends Schema.Class<Named>("Named")({ name: Schema.String }) {}
    const notCompiled: ReadonlyArray<Schema.Schema.Any> = [
      Schema.Struct({ at: Schema.Date }), // a transformation
      Schema.Struct({ n: Schema.NumberFromString }),
      Schema.Struct({ u: Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Struct({ b: Schema.String })) }),
      Schema.Record({ key: Schema.String, value: Schema.Number }),
      Schema.Struct({ c: Named }),
      Schema.Struct({ o: Schema.optionalWith(Schema.String, { as: "Option" }) }),
      Schema.Struct({ a: Schema.String }).annotations({ parseOptions: { onExcessProperty: "error" } }),
      Schema.Struct({ a: Schema.String.annotations({ decodingFallback: () => Either.right("x") }) }),
      Schema.Struct({ d: Neo4jSchema.DateTimeUtc }),
      // an annotated copy of a registered schema is another AST node
      Schema.Struct({ n: Neo4jSchema.Integer.annotations({ description: "a count" }) })
    ]
    for (const schema of notCompiled) expect(compile(schema.ast)).toBeUndefined()
  })
})
