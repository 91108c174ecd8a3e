/**
 * Schemas for the values Neo4j sends and takes, to use in `QuerySchema`'s `Request` and `Result`
 * schemas. So far the integers: the driver reads an Integer as a `number` when it is a safe
 * integer and a `bigint` beyond (every Integer a `bigint` with `useBigInt`), so a plain
 * `Schema.Number` fails on a large count and `Schema.BigIntFromSelf` on a small one. `Integer`
 * and `BigInteger` take both forms. Beside them, `Float` (sent as a Float even when integral),
 * the graph values `Node`, `Relationship` and `Path` (labels or type checked, properties decoded),
 * `Point` and `Vector`. The temporal values have instance schemas (`Date`, `Time`, ...,
 * `Duration`) and, where the meaning is kept, schemas to Effect's `DateTime.Utc`, `DateTime.Zoned`
 * and `Duration` (`DateTimeUtc`, `DateTimeZoned`, `EffectDuration`).
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
import * as Effect from "effect/Effect"
import * as EffectDateTime from "effect/DateTime"
import * as EffectDurationModule from "effect/Duration"
import * as Equal from "effect/Equal"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { AST } from "effect/SchemaAST"
import type { ParseOptions } from "effect/SchemaAST"
import * as Graph from "./Graph.js"
import { compile as compileFast, MISS, register as registerFast } from "./internal/schema/fastDecode.js"
import { INT64_MAX, INT64_MIN } from "./internal/packstream/numbers.js"
import { MAX_SAFE_BIG, MIN_SAFE_BIG, normalizeBig } from "./internal/values/integers.js"
import * as Spatial from "./Spatial.js"
import * as Temporal from "./Temporal.js"
import { Float as FloatValue, float } from "./Values.js"
import * as Vectors from "./Vector.js"

const TEMPORAL_CLASSES: ReadonlyArray<readonly [string, new(...args: Array<any>) => object]> = [
  ["Date", Temporal.Date],
  ["LocalTime", Temporal.LocalTime],
  ["Time", Temporal.Time],
  ["LocalDateTime", Temporal.LocalDateTime],
  ["DateTime", Temporal.DateTime],
  ["Duration", Temporal.Duration]
]

/**
 * A value as a decode error shows it: a temporal value with its type (`LocalDateTime
 * 2015-07-04T19:32:24`), a JS Date, a string quoted, a bigint with its `n`, a graph, spatial or
 * vector value by its `toString`, a plain object as JSON.
 */
const showActual = (u: unknown): string => {
  for (const [name, cls] of TEMPORAL_CLASSES) if (u instanceof cls) return `${name} ${String(u)}`
  if (u instanceof globalThis.Date) return `JS Date ${Number.isNaN(u.getTime()) ? "Invalid Date" : u.toISOString()}`
  switch (typeof u) {
    case "string":
      return JSON.stringify(u)
    case "bigint":
      return `${u}n`
    case "object": {
      if (u === null) return "null"
      if (Array.isArray(u)) return `[${u.map(showActual).join(",")}]`
      // any object may come: one whose toString is not a function, or throws, or a cycle
      try {
        if (typeof u.toString === "function" && u.toString !== Object.prototype.toString) return String(u)
        return JSON.stringify(u, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? "an object"
      } catch {
        return "an object"
      }
    }
    default:
      return String(u)
  }
}

/** the start of every message of `Integer` refusing an Integer it cannot hold */
const EXPECTED_SAFE = "Expected a safe integer (Neo4jSchema.BigInteger reads any Integer)"

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
      message: (issue) => `${EXPECTED_SAFE}, actual ${String(issue.actual)}`
    })
  ),
  {
    strict: true,
    decode: (u, _, ast) =>
      typeof u === "number"
        ? ParseResult.succeed(u)
        : u >= MIN_SAFE_BIG && u <= MAX_SAFE_BIG
        ? ParseResult.succeed(Number(u))
        : ParseResult.fail(new ParseResult.Type(ast, u, `${EXPECTED_SAFE}, actual ${u}n`)),
    encode: ParseResult.succeed
  }
).annotations({ identifier: "Neo4jSchema.Integer" })

registerFast(Integer.ast, (u) =>
  typeof u === "number"
    ? Number.isSafeInteger(u) ? u : MISS
    : typeof u === "bigint" && u >= MIN_SAFE_BIG && u <= MAX_SAFE_BIG
    ? Number(u)
    : MISS)

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

registerFast(BigInteger.ast, (u) =>
  typeof u === "bigint"
    ? u >= INT64_MIN && u <= INT64_MAX ? u : MISS
    : typeof u === "number" && Number.isSafeInteger(u)
    ? BigInt(u)
    : MISS)

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

registerFast(Float.ast, (u) => (typeof u === "number" ? u : u instanceof FloatValue ? u.value : MISS))

/** a schema as `Schema.declare` hands its type parameters over */
type Param = Schema.Schema<any, any, never>

/** the parse of a declaration (decode or encode) */
type Parse = (u: unknown, options: ParseOptions, ast: AST) => Effect.Effect<unknown, ParseResult.ParseIssue>

const isSchema = (u: unknown): u is Schema.Schema.Any => Schema.isSchema(u)

/** the decoder or the encoder of `schema` */
const parserOf = (schema: Param, direction: "decode" | "encode") =>
  direction === "decode" ? ParseResult.decodeUnknown(schema) : ParseResult.encodeUnknown(schema)

/** What tells a graph value of one kind (a node, a relationship) and rebuilds it with new properties. */
interface EntityKind<V extends { readonly properties: Graph.Properties }> {
  /** `a node (Graph.Node)` */
  readonly what: string
  readonly is: (u: unknown) => u is V
  /** why the value is not the one asked for (a label missing, another type), if it is not */
  readonly refuse: (value: V) => string | undefined
  readonly rebuild: (value: V, properties: Graph.Properties) => V
  readonly identifier: string
  readonly description: string
}

/**
 * The schema of a graph value of `kind`: an instance, not refused, then its properties through
 * `properties` (the same both ways), a properties issue pointing at `properties`.
 */
const entity = <V extends { readonly properties: Graph.Properties }>(
  kind: EntityKind<V>,
  properties: Schema.Schema.Any | undefined
): Schema.Schema.Any => {
  const parse = (direction: "decode" | "encode") => (...params: ReadonlyArray<Param>): Parse => {
    const parseProperties = properties === undefined ? undefined : parserOf(params[0]!, direction)
    return (u, options, ast) => {
      if (!kind.is(u)) return ParseResult.fail(new ParseResult.Type(ast, u, `Expected ${kind.what}, actual ${showActual(u)}`))
      const refused = kind.refuse(u)
      if (refused !== undefined) return ParseResult.fail(new ParseResult.Type(ast, u, refused))
      if (parseProperties === undefined) return ParseResult.succeed(u)
      return ParseResult.mapBoth(parseProperties(u.properties, options), {
        onFailure: (issue) => new ParseResult.Composite(ast, u, new ParseResult.Pointer("properties", u.properties, issue)),
        onSuccess: (decoded) => kind.rebuild(u, decoded as Graph.Properties)
      })
    }
  }
  const schema = Schema.declare(properties === undefined ? [] : [properties], { decode: parse("decode"), encode: parse("encode") }, {
    identifier: kind.identifier,
    description: kind.description
  })
  // the fast path of rows (QuerySchema), when the properties schema has one
  const fastProperties = properties === undefined ? (p: unknown) => p : compileFast(properties.ast)
  if (fastProperties !== undefined) {
    registerFast(schema.ast, (u) => {
      if (!kind.is(u) || kind.refuse(u) !== undefined) return MISS
      if (properties === undefined) return u
      const decoded = fastProperties(u.properties)
      return decoded === MISS ? MISS : kind.rebuild(u, decoded as Graph.Properties)
    })
  }
  return schema
}

const labelText = (labels: ReadonlyArray<string>): string => labels.map((l) => ":" + l).join("")

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
  return entity<Graph.Node>({
    what: "a node (Graph.Node)",
    is: Graph.isNode,
    refuse: (node) => {
      const missing = labels.filter((l) => !node.labels.includes(l))
      if (missing.length === 0) return undefined
      const which = missing.length === labels.length ? "" : ` (missing ${labelText(missing)})`
      return `Expected a node labelled ${labelText(labels)}${which}, actual ${String(node)}`
    },
    rebuild: (node, p) => new Graph.Node(node.identity, node.labels, p, node.elementId),
    identifier: "Neo4jSchema.Node",
    description: labels.length === 0 ? "a node" : `a node labelled ${labelText(labels)}`
  }, properties)
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
  return entity<Graph.Relationship>({
    what: "a relationship (Graph.Relationship)",
    is: Graph.isRelationship,
    refuse: (r) => (type === undefined || r.type === type ? undefined : `Expected a relationship of type :${type}, actual ${String(r)}`),
    rebuild: (r, p) => new Graph.Relationship(r.identity, r.start, r.end, r.type, p, r.elementId, r.startNodeElementId, r.endNodeElementId),
    identifier: "Neo4jSchema.Relationship",
    description: type === undefined ? "a relationship" : `a relationship of type :${type}`
  }, properties)
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
  const parseNode = parserOf(node, direction)
  const parseRelationship = parserOf(relationship, direction)
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
registerFast(Point.ast, (u) => (Spatial.isPoint(u) ? u : MISS), { identity: true })

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
registerFast(Vector.ast, (u) => (Vectors.isVector(u) ? u : MISS), { identity: true })

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

// ---------------------------------------------------------------------------------------------
// temporal values

const instance = <A extends Equal.Equal>(name: string, cls: new(...args: Array<any>) => A): Schema.Schema<A> => {
  const schema = Schema.declare((u: unknown): u is A => u instanceof cls, {
    identifier: `Neo4jSchema.${name}`,
    description: `a Neo4j ${name} (Temporal.${name})`,
    message: (issue) => `Expected a Neo4j ${name} (Temporal.${name}), actual ${showActual(issue.actual)}`,
    pretty: () => (value: A) => `${name}(${String(value)})`,
    equivalence: () => Equal.equals
  })
  registerFast(schema.ast, (u) => (u instanceof cls ? u : MISS), { identity: true })
  return schema
}

/**
 * A Neo4j `Date` (Cypher `DATE`) as the driver reads it: a `Temporal.Date`, decoded and encoded
 * as it is. Anything else fails with a message naming what came (a `LocalDateTime`, a string, ...).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const born = Schema.decodeUnknownSync(Neo4jSchema.Date)(new Temporal.Date(1815, 12, 10))
 * assert.strictEqual(born.toString(), "1815-12-10")
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.Date)("1815-12-10"), /Expected a Neo4j Date/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Date: Schema.Schema<Temporal.Date> = instance("Date", Temporal.Date)

/**
 * A Neo4j `LocalTime` (Cypher `LOCAL TIME`): a `Temporal.LocalTime`, decoded and encoded as it is.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const opens = Schema.decodeUnknownSync(Neo4jSchema.LocalTime)(new Temporal.LocalTime(9, 30, 0, 0))
 * assert.strictEqual(opens.toString(), "09:30:00")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const LocalTime: Schema.Schema<Temporal.LocalTime> = instance("LocalTime", Temporal.LocalTime)

/**
 * A Neo4j `Time` (Cypher `ZONED TIME`, a time of day with an offset): a `Temporal.Time`, decoded
 * and encoded as it is.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const alarm = Schema.decodeUnknownSync(Neo4jSchema.Time)(new Temporal.Time(7, 0, 0, 0, 3600))
 * assert.strictEqual(alarm.toString(), "07:00:00+01:00")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Time: Schema.Schema<Temporal.Time> = instance("Time", Temporal.Time)

/**
 * A Neo4j `LocalDateTime` (Cypher `LOCAL DATETIME`): a `Temporal.LocalDateTime`, decoded and
 * encoded as it is. It names no instant, so it has no Effect `DateTime` form.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const landing = Schema.decodeUnknownSync(Neo4jSchema.LocalDateTime)(new Temporal.LocalDateTime(1969, 7, 20, 20, 17, 40, 0))
 * assert.strictEqual(landing.toString(), "1969-07-20T20:17:40")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const LocalDateTime: Schema.Schema<Temporal.LocalDateTime> = instance("LocalDateTime", Temporal.LocalDateTime)

/**
 * A Neo4j `DateTime` (Cypher `ZONED DATETIME`, with an offset or a zone id): a
 * `Temporal.DateTime`, decoded and encoded as it is, nanoseconds and zone id kept. For Effect's
 * `DateTime`, see `DateTimeUtc` and `DateTimeZoned`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const at = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, undefined, "Europe/Paris")
 * assert.strictEqual(Schema.decodeUnknownSync(Neo4jSchema.DateTime)(at), at)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTime: Schema.Schema<Temporal.DateTime> = instance("DateTime", Temporal.DateTime)

/**
 * A Neo4j `Duration` (Cypher `DURATION`: months, days, seconds and nanoseconds): a
 * `Temporal.Duration`, decoded and encoded as it is, months and negative parts included. For
 * Effect's `Duration`, see `EffectDuration`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const term = Schema.decodeUnknownSync(Neo4jSchema.Duration)(new Temporal.Duration(14, 0, 0, 0))
 * assert.strictEqual(term.toString(), "P1Y2M")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const Duration: Schema.Schema<Temporal.Duration> = instance("Duration", Temporal.Duration)

const NANOS_PER_MILLI = 1_000_000
/** java.time's ZoneOffset range, +-18:00 */
const MAX_OFFSET_MILLIS = 18 * 3600 * 1000

/** the instant of a Neo4j DateTime in epoch milliseconds, or why it has none Effect can hold */
const epochMillisOf = (value: Temporal.DateTime, target: string): number | string => {
  if (value.nanosecond % NANOS_PER_MILLI !== 0) {
    return `Expected a Neo4j DateTime in whole milliseconds (${target} holds milliseconds; Neo4jSchema.DateTime keeps nanoseconds), actual ${value} (nanosecond ${value.nanosecond})`
  }
  const second = value.toEpochSecond()
  const millis = Number(second) * 1000 + value.nanosecond / NANOS_PER_MILLI
  // the JS Date range, +-8.64e15 ms (Effect's DateTime.Zoned a few hours less)
  return Math.abs(millis) <= 8.64e15
    ? millis
    : `Expected a Neo4j DateTime within the JS Date range (${target} is a JS epoch millisecond count), actual ${value}`
}

/** the epoch second and the nanoseconds within it of an epoch millisecond count */
const splitMillis = (millis: number): readonly [second: number, nanosecond: number] => {
  const second = Math.floor(millis / 1000)
  return [second, (millis - second * 1000) * NANOS_PER_MILLI]
}

/**
 * A Neo4j `DateTime` as Effect's `DateTime.Utc`: decodes the instant of a DateTime with an offset
 * or with a zone id (the zone itself is dropped: `DateTimeZoned` keeps it). Effect's `DateTime`
 * holds milliseconds, so a value with a sub-millisecond part (`nanosecond` not a multiple of
 * 1,000,000) fails to decode rather than lose it (read those with `Neo4jSchema.DateTime`), as
 * does one beyond the JS Date range (about 271,821 BC to 275,760 AD). Encodes to a Neo4j
 * `DateTime` at offset 0 (UTC), sent as a `DateTime` with offset `+00:00`.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const inParis = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 * const utc = Schema.decodeUnknownSync(Neo4jSchema.DateTimeUtc)(inParis)
 * assert.strictEqual(DateTime.formatIso(utc), "2015-07-04T17:32:24.000Z")
 *
 * const sent = Schema.encodeSync(Neo4jSchema.DateTimeUtc)(DateTime.unsafeMake("2015-07-04T17:32:24.500Z"))
 * assert.strictEqual(sent.toString(), "2015-07-04T17:32:24.500000000Z")
 *
 * const tooFine = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 1, 7200)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.DateTimeUtc)(tooFine), /whole milliseconds/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTimeUtc: Schema.Schema<EffectDateTime.Utc, Temporal.DateTime> = Schema.transformOrFail(
  DateTime,
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      const millis = epochMillisOf(value, "DateTime.Utc")
      if (typeof millis === "string") return ParseResult.fail(new ParseResult.Type(ast, value, millis))
      return ParseResult.succeed(EffectDateTime.unsafeMake(millis))
    },
    encode: (utc) => {
      const [second, nanosecond] = splitMillis(EffectDateTime.toEpochMillis(utc))
      return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, 0))
    }
  }
).annotations({ identifier: "Neo4jSchema.DateTimeUtc" })

/**
 * A Neo4j `DateTime` as Effect's `DateTime.Zoned`: a zone id becomes a named zone, an offset an
 * offset zone, at the same instant (so the same wall clock). A named zone carries the id as this
 * runtime's `Intl` names it, the same zone under its canonical name (`US/Pacific` reads as
 * `America/Los_Angeles`, `Etc/UTC` as `UTC`). A zone id the runtime does not know fails to
 * decode; as with `DateTimeUtc`, so does a value with a sub-millisecond part (Effect's `DateTime`
 * holds milliseconds) or beyond the JS Date range. Encodes a named zone to a Neo4j `DateTime`
 * with that zone id (and its offset at that instant: no ambiguity, whatever the daylight saving
 * time), an offset zone to one with that offset; an offset that is not a whole number of seconds
 * within +-18:00 (Neo4j's offsets) fails to encode.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const inParis = new Temporal.DateTime(2015, 7, 4, 19, 32, 24, 0, undefined, "Europe/Paris")
 * const zoned = Schema.decodeUnknownSync(Neo4jSchema.DateTimeZoned)(inParis)
 * assert.strictEqual(DateTime.formatIsoZoned(zoned), "2015-07-04T19:32:24.000+02:00[Europe/Paris]")
 *
 * const inTokyo = DateTime.unsafeMakeZoned("2024-03-31T09:00:00Z", { timeZone: "Asia/Tokyo" })
 * const sent = Schema.encodeSync(Neo4jSchema.DateTimeZoned)(inTokyo)
 * assert.strictEqual(sent.toString(), "2024-03-31T18:00:00+09:00[Asia/Tokyo]")
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const DateTimeZoned: Schema.Schema<EffectDateTime.Zoned, Temporal.DateTime> = Schema.transformOrFail(
  DateTime,
  Schema.DateTimeZonedFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      const millis = epochMillisOf(value, "DateTime.Zoned")
      if (typeof millis === "string") return ParseResult.fail(new ParseResult.Type(ast, value, millis))
      const zone: Option.Option<EffectDateTime.TimeZone> = value.timeZoneId !== undefined
        ? EffectDateTime.zoneMakeNamed(value.timeZoneId)
        : Option.some(EffectDateTime.zoneMakeOffset(value.timeZoneOffsetSeconds! * 1000))
      if (Option.isNone(zone)) {
        return ParseResult.fail(
          new ParseResult.Type(ast, value, `Expected a Neo4j DateTime in a time zone this runtime knows, actual ${value}`)
        )
      }
      return Option.match(EffectDateTime.makeZoned(millis, { timeZone: zone.value }), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, value, `Expected a Neo4j DateTime within the range of DateTime.Zoned, actual ${value}`)
          ),
        onSome: ParseResult.succeed
      })
    },
    encode: (zoned, _, ast) => {
      const [second, nanosecond] = splitMillis(EffectDateTime.toEpochMillis(zoned))
      const zone = zoned.zone
      if (zone._tag === "Named") return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, zone.id))
      if (zone.offset % 1000 !== 0 || Math.abs(zone.offset) > MAX_OFFSET_MILLIS) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            zoned,
            `Expected an offset of whole seconds within +-18:00 (a Neo4j offset), actual ${zone.offset} ms in ${
              EffectDateTime.formatIsoZoned(zoned)
            }`
          )
        )
      }
      return ParseResult.succeed(Temporal.DateTime.fromEpochSecond(second, nanosecond, zone.offset / 1000))
    }
  }
).annotations({ identifier: "Neo4jSchema.DateTimeZoned" })

const NANOS_PER_SECOND_BIG = 1_000_000_000n

/**
 * A Neo4j `Duration` as Effect's `Duration`, where the meaning is kept. Decodes a duration without
 * months, counting a day as 24 hours: Neo4j's days are calendar days (a day added across a
 * daylight saving time change is 23 or 25 hours), so the reading holds where that does not matter.
 * A duration with months fails to decode (a month has no fixed length: read it with
 * `Neo4jSchema.Duration`), and so does a negative one (an Effect `Duration` is never negative;
 * parts of opposite signs that sum to zero or more are fine). A whole number of milliseconds
 * decodes as `Duration.millis`, so it is `Equal.equals` to the `Duration.seconds(5)` an app writes
 * (Effect's `Equal` tells a millisecond form from a nanosecond one). Encodes exactly, to nanoseconds, as
 * `Duration(0, 0, seconds, nanoseconds)`: no months, no days; an infinite `Duration` (and one
 * beyond int64 seconds) fails to encode.
 *
 * @example
 * ```ts
 * import { Duration, Schema } from "effect"
 * import { Neo4jSchema, Temporal } from "effect-neo4j"
 *
 * const dayAndAHalf = Schema.decodeUnknownSync(Neo4jSchema.EffectDuration)(new Temporal.Duration(0, 1, 12 * 3600, 0))
 * assert.strictEqual(Duration.toHours(dayAndAHalf), 36)
 *
 * const sent = Schema.encodeSync(Neo4jSchema.EffectDuration)(Duration.millis(1500))
 * assert.strictEqual(sent.toString(), "PT1.500000000S")
 *
 * const aMonth = new Temporal.Duration(1, 0, 0, 0)
 * assert.throws(() => Schema.decodeUnknownSync(Neo4jSchema.EffectDuration)(aMonth), /no fixed length/)
 * ```
 *
 * @since 0.1.0
 * @category temporal
 */
export const EffectDuration: Schema.Schema<EffectDurationModule.Duration, Temporal.Duration> = Schema.transformOrFail(
  Duration,
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      if (BigInt(value.months) !== 0n) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            value,
            `Expected a Neo4j Duration without months (a month has no fixed length; Neo4jSchema.Duration reads it), actual ${value}`
          )
        )
      }
      const nanos = (BigInt(value.days) * 86_400n + BigInt(value.seconds)) * NANOS_PER_SECOND_BIG +
        BigInt(value.nanoseconds)
      if (nanos < 0n) {
        return ParseResult.fail(
          new ParseResult.Type(ast, value, `Expected a Neo4j Duration of zero or more (an Effect Duration is never negative), actual ${value}`)
        )
      }
      // whole milliseconds as Duration.millis: Equal to the Duration.seconds(5) an app writes
      return ParseResult.succeed(
        nanos % 1_000_000n === 0n && nanos / 1_000_000n <= BigInt(Number.MAX_SAFE_INTEGER)
          ? EffectDurationModule.millis(Number(nanos / 1_000_000n))
          : EffectDurationModule.nanos(nanos)
      )
    },
    encode: (duration, _, ast) => {
      const nanos = EffectDurationModule.toNanos(duration)
      if (Option.isNone(nanos)) {
        return ParseResult.fail(new ParseResult.Type(ast, duration, "Expected a finite Duration (Neo4j has no infinite one), actual Infinity"))
      }
      const seconds = nanos.value / NANOS_PER_SECOND_BIG
      if (seconds > INT64_MAX) {
        return ParseResult.fail(
          new ParseResult.Type(ast, duration, `Expected a Duration within int64 seconds (a Neo4j Duration), actual ${seconds} seconds`)
        )
      }
      return ParseResult.succeed(
        new Temporal.Duration(0, 0, normalizeBig(seconds), Number(nanos.value % NANOS_PER_SECOND_BIG))
      )
    }
  }
).annotations({ identifier: "Neo4jSchema.EffectDuration" })
