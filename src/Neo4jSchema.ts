/**
 * Schemas for the values Neo4j sends and takes, to use in `QuerySchema`'s `Request` and `Result`
 * schemas. So far the integers: the driver reads an Integer as a `number` when it is a safe
 * integer and a `bigint` beyond (every Integer a `bigint` with `useBigInt`), so a plain
 * `Schema.Number` fails on a large count and `Schema.BigIntFromSelf` on a small one. `Integer`
 * and `BigInteger` take both forms. Beside them, `Float` (sent as a Float even when integral),
 * the graph values `Node`, `Relationship` and `Path` (labels or type checked, properties decoded),
 * `Point` and `Vector`.
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
import { Effect } from "effect"
import type { AST } from "effect/SchemaAST"
import type { ParseOptions } from "effect/SchemaAST"
import * as Graph from "./Graph.js"
import * as Spatial from "./Spatial.js"
import { Float as FloatValue, float } from "./Values.js"
import * as Vectors from "./Vector.js"

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

// ---------------------------------------------------------------------------------------------
// Float, graph values, Point and Vector

/**
 * A Float as a `number`: decodes a `number` (a Float is read as one; an Integer the driver read
 * as a `number` cannot be told from an integral Float, and is taken) and refuses a `bigint` (an
 * Integer beyond `Number.MAX_SAFE_INTEGER`, or any Integer with `useBigInt`). Encodes to
 * `Values.float(n)`, so the driver sends a PackStream Float even for an integral value: a plain
 * `number` parameter `1` goes out as the Integer `1`, this one as the Float `1.0`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Values } from "effect-neo4j"
 *
 * assert.strictEqual(Schema.decodeUnknownSync(Neo4jSchema.Float)(1.5), 1.5)
 * // sent as the Float 1.0, where a plain 1 would be the Integer 1
 * const price = Schema.encodeSync(Neo4jSchema.Float)(1)
 * assert.ok(price instanceof Values.Float && price.value === 1)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.Float)(36n)) // an Integer
 * ```
 *
 * @since 0.1.0
 * @category numbers
 */
export const Float: Schema.Schema<number, number | FloatValue> = Schema.transformOrFail(
  Schema.declare((u): u is number | FloatValue => typeof u === "number" || u instanceof FloatValue, {
    title: "number | Values.Float",
    message: (issue) =>
      typeof issue.actual === "bigint"
        ? `Expected a Float (a number), actual the Integer ${issue.actual}n (Neo4jSchema.BigInteger reads it)`
        : `Expected a Float (a number), actual ${showActual(issue.actual)}`
  }),
  Schema.Number,
  {
    strict: true,
    decode: (u) => ParseResult.succeed(typeof u === "number" ? u : u.value),
    encode: (n) => ParseResult.succeed(float(n))
  }
).annotations({ identifier: "Neo4jSchema.Float" })

/** a value as a decode error shows it: a graph, spatial or vector value by its `toString` */
const showActual = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(u)
    case "bigint":
      return `${u}n`
    case "object": {
      if (u === null) return "null"
      if (Array.isArray(u)) return `[${u.map(showActual).join(",")}]`
      if (u.toString !== Object.prototype.toString) return String(u)
      try {
        return JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))
      } catch {
        return String(u)
      }
    }
    default:
      return String(u)
  }
}

/** a schema as `Schema.declare` hands its type parameters over */
type Param = Schema.Schema<any, any, never>

/** the parse of a declaration (decode or encode) */
type Parse = (u: unknown, options: ParseOptions, ast: AST) => Effect.Effect<unknown, ParseResult.ParseIssue>

const isSchema = (u: unknown): u is Schema.Schema.Any => Schema.isSchema(u)

/** decodes (or encodes) the properties of a graph value, the issue pointing at `properties` */
const mapProperties = <P, Q>(
  parse: (u: unknown, options: ParseOptions) => Effect.Effect<unknown, ParseResult.ParseIssue>,
  value: { readonly properties: P },
  options: ParseOptions,
  ast: AST,
  rebuild: (properties: Q) => unknown
): Effect.Effect<unknown, ParseResult.ParseIssue> =>
  ParseResult.mapBoth(parse(value.properties, options), {
    onFailure: (issue) => new ParseResult.Composite(ast, value, new ParseResult.Pointer("properties", value.properties, issue)),
    onSuccess: (properties) => rebuild(properties as Q)
  })

const labelText = (labels: ReadonlyArray<string>): string => labels.map((l) => ":" + l).join("")

/**
 * The checks and decoding of `Node`: an instance of `Graph.Node`, every label given, then the
 * properties through the schema (the same both ways).
 */
const nodeParse =
  (labels: ReadonlyArray<string>, properties: Schema.Schema.Any | undefined, direction: "decode" | "encode") =>
  (...params: ReadonlyArray<Param>): Parse => {
    const parse = properties === undefined
      ? undefined
      : direction === "decode"
      ? ParseResult.decodeUnknown(params[0]!)
      : ParseResult.encodeUnknown(params[0]!)
    return (u, options, ast) => {
      if (!Graph.isNode(u)) {
        return ParseResult.fail(new ParseResult.Type(ast, u, `Expected a node (Graph.Node), actual ${showActual(u)}`))
      }
      const missing = labels.filter((l) => !u.labels.includes(l))
      if (missing.length > 0) {
        const which = missing.length === labels.length ? "" : ` (missing ${labelText(missing)})`
        return ParseResult.fail(
          new ParseResult.Type(ast, u, `Expected a node labelled ${labelText(labels)}${which}, actual ${String(u)}`)
        )
      }
      if (parse === undefined) return ParseResult.succeed(u)
      return mapProperties(
        parse,
        u,
        options,
        ast,
        (p: Graph.Properties) => new Graph.Node(u.identity, u.labels, p, u.elementId)
      )
    }
  }

/** the overloads of `Node` */
type NodeSchemas = {
  <A extends Graph.Properties, I extends Graph.Properties, R>(
    properties: Schema.Schema<A, I, R>
  ): Schema.Schema<Graph.Node<A>, Graph.Node<I>, R>
  <A extends Graph.Properties, I extends Graph.Properties, R>(options: {
    readonly labels?: ReadonlyArray<string> | undefined
    readonly properties: Schema.Schema<A, I, R>
  }): Schema.Schema<Graph.Node<A>, Graph.Node<I>, R>
  (options?: { readonly labels?: ReadonlyArray<string> | undefined }): Schema.Schema<Graph.Node, Graph.Node>
}

/** `Node`: the node options, or a properties schema alone */
const makeNode = (
  options?: Schema.Schema.Any | {
    readonly labels?: ReadonlyArray<string> | undefined
    readonly properties?: Schema.Schema.Any | undefined
  }
): Schema.Schema.Any => {
  const { labels = [], properties = undefined } = isSchema(options) ? { properties: options } : options ?? {}
  return Schema.declare(properties === undefined ? [] : [properties], {
    decode: nodeParse(labels, properties, "decode"),
    encode: nodeParse(labels, properties, "encode")
  }, {
    identifier: "Neo4jSchema.Node",
    description: labels.length === 0 ? "a node" : `a node labelled ${labelText(labels)}`
  })
}

/**
 * A `Graph.Node` whose labels include every one of `labels`, its properties decoded with
 * `properties`: the decoded node keeps its identity, element id and all its labels, with the
 * decoded properties (`Graph.Node<A>`). Without `properties` the node is checked and kept as it
 * is. A value that is not a node, or a node without a label asked for, fails with a message
 * naming the missing label and showing the node (`Expected a node labelled :Person, actual
 * (4:Company {name: "Acme"})`). `Node(properties)` is `Node({ properties })`.
 *
 * Encoding checks the labels and encodes the properties back; a node is never a parameter (the
 * server refuses it), so encoding serves round trips only.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Graph, Neo4jSchema, QuerySchema } from "effect-neo4j"
 *
 * const Person = Neo4jSchema.Node({
 *   labels: ["Person"],
 *   properties: Schema.Struct({ name: Schema.String, born: Schema.optional(Neo4jSchema.Integer) })
 * })
 *
 * // each row { p: Graph.Node<{ name: string; born?: number }> }, the properties decoded
 * const people = QuerySchema.findAll({
 *   Request: Schema.Void,
 *   Result: Schema.Struct({ p: Person }),
 *   execute: "MATCH (p:Person) RETURN p"
 * })
 *
 * const ada = Schema.decodeUnknownSync(Person)(new Graph.Node(4, ["Person", "Admin"], { name: "Ada", born: 1815 }))
 * assert.strictEqual(ada.properties.name, "Ada")
 * assert.throws(
 *   () => Schema.decodeUnknownSync(Person)(new Graph.Node(5, ["Company"], { name: "Acme" })),
 *   /Expected a node labelled :Person, actual \(5:Company \{name: "Acme"\}\)/
 * )
 * ```
 *
 * @since 0.1.0
 * @category graph
 */
export const Node: NodeSchemas = makeNode as NodeSchemas

/**
 * The checks and decoding of `Relationship`: an instance of `Graph.Relationship`, of the type
 * given, then the properties through the schema (the same both ways).
 */
const relationshipParse =
  (type: string | undefined, properties: Schema.Schema.Any | undefined, direction: "decode" | "encode") =>
  (...params: ReadonlyArray<Param>): Parse => {
    const parse = properties === undefined
      ? undefined
      : direction === "decode"
      ? ParseResult.decodeUnknown(params[0]!)
      : ParseResult.encodeUnknown(params[0]!)
    return (u, options, ast) => {
      if (!Graph.isRelationship(u)) {
        return ParseResult.fail(
          new ParseResult.Type(ast, u, `Expected a relationship (Graph.Relationship), actual ${showActual(u)}`)
        )
      }
      if (type !== undefined && u.type !== type) {
        return ParseResult.fail(new ParseResult.Type(ast, u, `Expected a relationship of type :${type}, actual ${String(u)}`))
      }
      if (parse === undefined) return ParseResult.succeed(u)
      return mapProperties(
        parse,
        u,
        options,
        ast,
        (p: Graph.Properties) =>
          new Graph.Relationship(u.identity, u.start, u.end, u.type, p, u.elementId, u.startNodeElementId, u.endNodeElementId)
      )
    }
  }

/** the overloads of `Relationship` */
type RelationshipSchemas = {
  <A extends Graph.Properties, I extends Graph.Properties, R>(
    properties: Schema.Schema<A, I, R>
  ): Schema.Schema<Graph.Relationship<A>, Graph.Relationship<I>, R>
  <A extends Graph.Properties, I extends Graph.Properties, R>(options: {
    readonly type?: string | undefined
    readonly properties: Schema.Schema<A, I, R>
  }): Schema.Schema<Graph.Relationship<A>, Graph.Relationship<I>, R>
  (options?: { readonly type?: string | undefined }): Schema.Schema<Graph.Relationship, Graph.Relationship>
}

/** `Relationship`: the relationship options, or a properties schema alone */
const makeRelationship = (
  options?: Schema.Schema.Any | {
    readonly type?: string | undefined
    readonly properties?: Schema.Schema.Any | undefined
  }
): Schema.Schema.Any => {
  const { properties = undefined, type = undefined } = isSchema(options) ? { properties: options } : options ?? {}
  return Schema.declare(properties === undefined ? [] : [properties], {
    decode: relationshipParse(type, properties, "decode"),
    encode: relationshipParse(type, properties, "encode")
  }, {
    identifier: "Neo4jSchema.Relationship",
    description: type === undefined ? "a relationship" : `a relationship of type :${type}`
  })
}

/**
 * A `Graph.Relationship` of type `type` (any type when not given), its properties decoded with
 * `properties`: the decoded relationship keeps its identity, end nodes and element ids, with the
 * decoded properties (`Graph.Relationship<A>`). Without `properties` it is checked and kept as it
 * is. A value that is not a relationship, or one of another type, fails with a message showing it
 * (`Expected a relationship of type :KNOWS, actual (1)-[:LIKES]->(2)`).
 * `Relationship(properties)` is `Relationship({ properties })`.
 *
 * Encoding checks the type and encodes the properties back (a relationship is never a
 * parameter: encoding serves round trips only).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Graph, Neo4jSchema } from "effect-neo4j"
 *
 * const Knows = Neo4jSchema.Relationship({ type: "KNOWS", properties: Schema.Struct({ since: Neo4jSchema.Integer }) })
 *
 * const knows = Schema.decodeUnknownSync(Knows)(new Graph.Relationship(7, 1, 2, "KNOWS", { since: 2001 }))
 * assert.strictEqual(knows.properties.since, 2001)
 * assert.throws(
 *   () => Schema.decodeUnknownSync(Knows)(new Graph.Relationship(8, 1, 2, "LIKES", {})),
 *   /Expected a relationship of type :KNOWS, actual \(1\)-\[:LIKES\]->\(2\)/
 * )
 * ```
 *
 * @since 0.1.0
 * @category graph
 */
export const Relationship: RelationshipSchemas = makeRelationship as RelationshipSchemas

const ANY_NODE: Schema.Schema<Graph.Node, Graph.Node> = Node()
const ANY_RELATIONSHIP: Schema.Schema<Graph.Relationship, Graph.Relationship> = Relationship()

/**
 * The checks and decoding of `Path`: an instance of `Graph.Path`, each node (in path order) and
 * each relationship through its schema, the path rebuilt from them.
 */
const pathParse = (direction: "decode" | "encode") => (node: Param, relationship: Param): Parse => {
  const parseNode = direction === "decode" ? ParseResult.decodeUnknown(node) : ParseResult.encodeUnknown(node)
  const parseRelationship = direction === "decode"
    ? ParseResult.decodeUnknown(relationship)
    : ParseResult.encodeUnknown(relationship)
  return (u, options, ast) => {
    if (!Graph.isPath(u)) {
      return ParseResult.fail(new ParseResult.Type(ast, u, `Expected a path (Graph.Path), actual ${showActual(u)}`))
    }
    const pointed = (path: readonly [PropertyKey, ...Array<PropertyKey>], actual: unknown) => (issue: ParseResult.ParseIssue) =>
      new ParseResult.Composite(ast, u, new ParseResult.Pointer(path, actual, issue))
    const nodes = u.nodes.map((n, i) => ParseResult.mapError(parseNode(n, options), pointed(["nodes", i], n)))
    const relationships = u.relationships.map((r, i) =>
      ParseResult.mapError(parseRelationship(r, options), pointed(["relationships", i], r))
    )
    return ParseResult.map(
      Effect.all([Effect.all(nodes), Effect.all(relationships)]),
      ([ns, rs]) => {
        const n = ns as ReadonlyArray<Graph.Node>
        const r = rs as ReadonlyArray<Graph.Relationship>
        const segments = r.map((rel, i) => new Graph.PathSegment(n[i]!, rel, n[i + 1]!))
        return new Graph.Path(n[0]!, n[n.length - 1]!, segments)
      }
    )
  }
}

/**
 * A `Graph.Path` whose nodes are decoded with `node` and whose relationships with `relationship`
 * (`Node` and `Relationship` schemas; any node or relationship, kept as it is, when not given):
 * the decoded path has the same shape, with the decoded nodes and relationships
 * (`Graph.Path<N, R>`). A node or relationship that does not decode fails with its position
 * (`["nodes"][1]`, `["relationships"][0]`). Encoding applies the schemas' encoding (a path is
 * never a parameter: encoding serves round trips only).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Graph, Neo4jSchema } from "effect-neo4j"
 *
 * const Route = Neo4jSchema.Path({
 *   node: Neo4jSchema.Node({ labels: ["Station"], properties: Schema.Struct({ name: Schema.String }) }),
 *   relationship: Neo4jSchema.Relationship({ type: "LINK", properties: Schema.Struct({}) })
 * })
 *
 * const bank = new Graph.Node(1, ["Station"], { name: "Bank" })
 * const holborn = new Graph.Node(2, ["Station"], { name: "Holborn" })
 * const link = new Graph.Relationship(9, 1, 2, "LINK", {})
 * const route = Schema.decodeUnknownSync(Route)(new Graph.Path(bank, holborn, [new Graph.PathSegment(bank, link, holborn)]))
 * assert.deepStrictEqual(route.nodes.map((n) => n.properties.name), ["Bank", "Holborn"])
 * ```
 *
 * @since 0.1.0
 * @category graph
 */
export const Path = <
  N extends Graph.Properties = Graph.Properties,
  NI extends Graph.Properties = Graph.Properties,
  RN = never,
  P extends Graph.Properties = Graph.Properties,
  PI extends Graph.Properties = Graph.Properties,
  RP = never
>(
  options: {
    readonly node?: Schema.Schema<Graph.Node<N>, Graph.Node<NI>, RN> | undefined
    readonly relationship?: Schema.Schema<Graph.Relationship<P>, Graph.Relationship<PI>, RP> | undefined
  } = {}
): Schema.Schema<Graph.Path<N, P>, Graph.Path<NI, PI>, RN | RP> =>
  Schema.declare([options.node ?? ANY_NODE, options.relationship ?? ANY_RELATIONSHIP], {
    decode: pathParse("decode"),
    encode: pathParse("encode")
  }, { identifier: "Neo4jSchema.Path", description: "a path" }) as unknown as Schema.Schema<
    Graph.Path<N, P>,
    Graph.Path<NI, PI>,
    RN | RP
  >

const WGS_84 = [4326, 4979]
const CARTESIAN = [7203, 9157]

/**
 * A `Spatial.Point`, of any coordinate reference system; refuses anything else. Encodes to the
 * point, which the driver sends as a Point structure (2D or 3D).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Spatial } from "effect-neo4j"
 *
 * const here = Schema.decodeUnknownSync(Neo4jSchema.Point)(Spatial.wgs84(-0.118, 51.509))
 * assert.strictEqual(here.srid, 4326)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.Point)({ x: 1, y: 2 }), /Expected a point \(Spatial.Point\)/)
 * ```
 *
 * @since 0.1.0
 * @category spatial
 */
export const Point: Schema.Schema<Spatial.Point> = Schema.declare(Spatial.isPoint, {
  identifier: "Neo4jSchema.Point",
  message: (issue) => `Expected a point (Spatial.Point), actual ${showActual(issue.actual)}`
})

const pointIn = (name: string, srids: ReadonlyArray<number>, identifier: string): Schema.Schema<Spatial.Point> =>
  Point.pipe(
    Schema.filter((p) => srids.includes(p.srid), {
      identifier,
      message: (issue) =>
        `Expected a ${name} point (SRID ${srids.join(" or ")}), actual ${showActual(issue.actual)}`
    })
  )

/**
 * A WGS-84 `Spatial.Point` (SRID 4326, or 4979 in 3D: longitude, latitude and height); refuses a
 * point of another coordinate reference system with a message showing it.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Spatial } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.Wgs84Point)
 * assert.strictEqual(decode(Spatial.wgs84_3d(86.925, 27.9881, 8848.86)).z, 8848.86)
 * assert.throws(() => decode(Spatial.cartesian(1, 2)), /Expected a WGS-84 point \(SRID 4326 or 4979\), actual Point\{srid=7203/)
 * ```
 *
 * @since 0.1.0
 * @category spatial
 */
export const Wgs84Point: Schema.Schema<Spatial.Point> = pointIn("WGS-84", WGS_84, "Neo4jSchema.Wgs84Point")

/**
 * A cartesian `Spatial.Point` (SRID 7203, or 9157 in 3D); refuses a point of another coordinate
 * reference system with a message showing it.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Spatial } from "effect-neo4j"
 *
 * const decode = Schema.decodeUnknownSync(Neo4jSchema.CartesianPoint)
 * assert.strictEqual(decode(Spatial.cartesian(1, 2)).x, 1)
 * assert.throws(() => decode(Spatial.wgs84(1, 2)), /Expected a cartesian point \(SRID 7203 or 9157\)/)
 * ```
 *
 * @since 0.1.0
 * @category spatial
 */
export const CartesianPoint: Schema.Schema<Spatial.Point> = pointIn("cartesian", CARTESIAN, "Neo4jSchema.CartesianPoint")

/**
 * A `Vector.Vector` of any element type; refuses anything else (a list of numbers included: a
 * server before Bolt 6.0 sends a vector property as a list). Encodes to the vector, which the
 * driver sends as a Bolt 6.0 Vector structure (on an older connection the query fails before
 * anything is sent).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Vector } from "effect-neo4j"
 *
 * const v = Schema.decodeUnknownSync(Neo4jSchema.Vector)(Vector.vector(Int8Array.of(1, 2)))
 * assert.strictEqual(v.type, "INT8")
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.Vector)([1, 2]), /Expected a vector \(Vector.Vector\), actual \[1,2\]/)
 * ```
 *
 * @since 0.1.0
 * @category vectors
 */
export const Vector: Schema.Schema<Vectors.Vector> = Schema.declare(Vectors.isVector, {
  identifier: "Neo4jSchema.Vector",
  message: (issue) => `Expected a vector (Vector.Vector), actual ${showActual(issue.actual)}`
})

/**
 * The typed array of each vector element type.
 *
 * @since 0.1.0
 * @category vectors
 */
export interface VectorArrays {
  readonly INT8: Int8Array
  readonly INT16: Int16Array
  readonly INT32: Int32Array
  readonly INT64: BigInt64Array
  readonly FLOAT32: Float32Array
  readonly FLOAT64: Float64Array
}

/**
 * A `Vector.Vector` of element type `type` (typed by its array: `VectorOf("FLOAT32")` is a
 * `Vector<Float32Array>`), and of `length` elements when given; refuses another type or length
 * with a message showing the vector.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Vector } from "effect-neo4j"
 *
 * const Embedding = Neo4jSchema.VectorOf("FLOAT32", { length: 3 })
 * const e = Schema.decodeUnknownSync(Embedding)(Vector.vector(Float32Array.of(0.25, -0.5, 1)))
 * assert.ok(e.data instanceof Float32Array)
 * assert.throws(
 *   () => Schema.decodeUnknownSync(Embedding)(Vector.vector(Float64Array.of(0.25, -0.5, 1))),
 *   /Expected a vector of FLOAT32 elements, actual vector\(\[0.25, -0.5, 1\], 3, FLOAT NOT NULL\)/
 * )
 * ```
 *
 * @since 0.1.0
 * @category vectors
 */
export const VectorOf = <T extends Vectors.VectorType>(
  type: T,
  options?: { readonly length?: number | undefined }
): Schema.Schema<Vectors.Vector<VectorArrays[T]>> => {
  const length = options?.length
  return Vector.pipe(
    Schema.filter((v) => v.type === type, {
      message: (issue) => `Expected a vector of ${type} elements, actual ${showActual(issue.actual)}`
    }),
    Schema.filter((v) => length === undefined || v.length === length, {
      message: (issue) => `Expected a vector of ${length} elements, actual ${showActual(issue.actual)}`
    })
  ).annotations({ identifier: `Neo4jSchema.VectorOf(${type})` }) as unknown as Schema.Schema<
    Vectors.Vector<VectorArrays[T]>
  >
}
