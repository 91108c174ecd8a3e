/**
 * Neo4jSchema's Float, graph (Node, Relationship, Path), spatial (Point, Wgs84Point,
 * CartesianPoint) and vector (Vector, VectorOf) schemas: pure decoding and encoding, then over
 * real sockets against the stub server through QuerySchema (Bolt 5.4; 6.0 for vectors): the
 * parameters as the stub sees them and the rows as the application sees them, and the
 * QueryResultError of a value that does not decode (wrong label, wrong type, not a node); the
 * inferred types.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import * as Graph from "../../src/Graph.js"
import { Neo4jSchema as Index } from "../../src/index.js"
import { Structure } from "../../src/internal/packstream/structure.js"
import * as Neo4jSchema from "../../src/Neo4jSchema.js"
import * as QuerySchema from "../../src/QuerySchema.js"
import * as Spatial from "../../src/Spatial.js"
import { StubServer } from "../../src/testing/index.js"
import * as Values from "../../src/Values.js"
import * as V from "../../src/Vector.js"
import { failureOf, HEAD } from "../support.js"
import { eager, lastRunParameters, nodeScript, relationshipScript, unboundScript, withDriverService } from "./support.js"

// ---------------------------------------------------------------------------------------------
// helpers (as in test/querySchema.test.ts)

/** A Bolt 6.0 stub script's opening (vectors; offered in a manifest, as a real server does), HELLO and LOGON answered. */
const HEAD_6 = `!: MANIFEST 6.0 5.8-5.0 4.4
A: HELLO
A: LOGON
`

/** The message of a failed decode. */
const messageOf = <A>(result: Either.Either<A, ParseResult.ParseError>): string => {
  if (Either.isRight(result)) throw new Error(`expected a decode failure, got ${String(result.right)}`)
  return result.left.message
}

const PersonProperties = Schema.Struct({
  name: Schema.String,
  born: Neo4jSchema.Integer,
  nickname: Schema.optionalWith(Schema.String, { as: "Option" })
})
const Person = Neo4jSchema.Node({ labels: ["Person"], properties: PersonProperties })
const Knows = Neo4jSchema.Relationship({ type: "KNOWS", properties: Schema.Struct({ since: Neo4jSchema.Integer }) })

// ---------------------------------------------------------------------------------------------

describe("Neo4jSchema.Float", () => {
  it("decodes a number (a Float read, or an integral Integer read as a number) and Values.Float; refuses a bigint", () => {
    const decode = Schema.decodeUnknownEither(Neo4jSchema.Float)
    expect(decode(1.5)).toEqual(Either.right(1.5))
    expect(decode(1)).toEqual(Either.right(1))
    expect(decode(Values.float(2))).toEqual(Either.right(2))
    expect(decode(Number.NaN)).toEqual(Either.right(Number.NaN))
    expect(messageOf(decode(36n))).toContain(
      "Expected a Float (a number), actual the Integer 36n (Neo4jSchema.BigInteger reads it)"
    )
    expect(messageOf(decode("1.5"))).toContain(`Expected a Float (a number), actual "1.5"`)
  })

  it("encodes to Values.float, integral or not", () => {
    const encoded = Schema.encodeSync(Neo4jSchema.Float)(1)
    expect(encoded).toBeInstanceOf(Values.Float)
    expect(encoded).toEqual(Values.float(1))
    expect(Schema.encodeSync(Neo4jSchema.Float)(-0.5)).toEqual(Values.float(-0.5))
    expectTypeOf<typeof Neo4jSchema.Float.Type>().toEqualTypeOf<number>()
    expectTypeOf<typeof Neo4jSchema.Float.Encoded>().toEqualTypeOf<number | Values.Float>()
  })

  it.scopedLive("over Bolt 5.4: the stub sees 1.0 (a Float) for Float and 1 (an Integer) for Integer and a plain number; a large Integer read is refused", () =>
    Effect.gen(function* () {
      const text = "MATCH (p:Product {sku: $sku}) SET p.price = $price, p.stock = $stock, p.rank = $rank RETURN p.price AS price, p.stock AS stock"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, `{"sku": "A1", "price": 1.0, "stock": 1, "rank": 1}`, ["price", "stock"], [`[1.0, 1]`])
        }${eager(text, `{"sku": "B2", "price": 2.5, "stock": 3, "rank": 2}`, ["price", "stock"], [`[9007199254740993, 3]`])}?: GOODBYE
`
      })
      const setPrice = QuerySchema.single({
        Request: Schema.Struct({ sku: Schema.String, price: Neo4jSchema.Float, stock: Neo4jSchema.Integer, rank: Schema.Number }),
        Result: Schema.Struct({ price: Neo4jSchema.Float, stock: Neo4jSchema.Integer }),
        execute: text
      })
      const [row, sent, error] = yield* withDriverService(stub, () =>
        Effect.gen(function* () {
          const row = yield* setPrice({ sku: "A1", price: 1, stock: 1, rank: 1 })
          const sent = yield* lastRunParameters(stub)
          const error = yield* Effect.flip(setPrice({ sku: "B2", price: 2.5, stock: 3, rank: 2 }))
          return [row, sent, error] as const
        })
      )
      expect(row).toEqual({ price: 1, stock: 1 })
      // Floats arrive as numbers, Integers as bigints
      expect(sent).toEqual({ sku: "A1", price: 1, stock: 1n, rank: 1n })
      expect(error).toMatchObject({ _tag: "QueryResultError", index: 0, column: "price" })
      expect(error.message).toContain("actual the Integer 9007199254740993n")
      yield* stub.verify
    })
  )
})

describe("Neo4jSchema.Node", () => {
  const ada = new Graph.Node(4, ["Person", "Admin"], { name: "Ada", born: 1815, nickname: "Enchantress" }, "4:db:4")

  it("decodes the properties, keeps identity, labels and element id; checks every label asked for", () => {
    const node = Schema.decodeUnknownSync(Person)(ada)
    expect(node).toBeInstanceOf(Graph.Node)
    expect(node.identity).toBe(4)
    expect(node.elementId).toBe("4:db:4")
    expect(node.labels).toEqual(["Person", "Admin"])
    expect(node.properties).toEqual({ name: "Ada", born: 1815, nickname: Option.some("Enchantress") })

    const both = Neo4jSchema.Node({ labels: ["Person", "Admin", "Owner"], properties: PersonProperties })
    expect(messageOf(Schema.decodeUnknownEither(both)(ada))).toBe(
      `Expected a node labelled :Person:Admin:Owner (missing :Owner), actual (4:db:4:Person:Admin {name: "Ada", born: 1815, nickname: "Enchantress"})`
    )
    expect(messageOf(Schema.decodeUnknownEither(Person)(new Graph.Node(5, ["Company"], { name: "Acme" })))).toBe(
      `Expected a node labelled :Person, actual (5:Company {name: "Acme"})`
    )
  })

  it("refuses a value that is not a node, and points a property that does not decode at properties", () => {
    expect(messageOf(Schema.decodeUnknownEither(Person)({ name: "Ada" }))).toBe(`Expected a node (Graph.Node), actual {"name":"Ada"}`)
    expect(messageOf(Schema.decodeUnknownEither(Person)(new Graph.Relationship(1, 2, 3, "KNOWS", {})))).toBe(
      "Expected a node (Graph.Node), actual (2)-[:KNOWS]->(3)"
    )
    const byName = Neo4jSchema.Node({ labels: ["Person"], properties: Schema.Struct({ name: Schema.String }) })
    expect(messageOf(Schema.decodeUnknownEither(byName)(new Graph.Node(4, ["Person"], { name: 1815 })))).toBe(
      `Neo4jSchema.Node\n└─ ["properties"]\n   └─ { readonly name: string }\n      └─ ["name"]\n         └─ Expected string, actual 1815`
    )
    const born = messageOf(Schema.decodeUnknownEither(Person)(new Graph.Node(4, ["Person"], { name: "Ada", born: "1815" })))
    expect(born).toContain(`Neo4jSchema.Node\n└─ ["properties"]\n`)
    expect(born).toContain(`└─ ["born"]\n`)
    expect(born).toContain(`Expected number, actual "1815"`)
  })

  it("a properties schema alone, or labels alone (properties kept as they are), or nothing", () => {
    const byProperties = Neo4jSchema.Node(Schema.Struct({ name: Schema.String }))
    expect(Schema.decodeUnknownSync(byProperties)(ada).properties).toEqual({ name: "Ada" })
    const labelled = Neo4jSchema.Node({ labels: ["Admin"] })
    expect(Schema.decodeUnknownSync(labelled)(ada)).toBe(ada)
    expect(Schema.decodeUnknownSync(Neo4jSchema.Node())(ada)).toBe(ada)
    expect(Either.isLeft(Schema.decodeUnknownEither(Neo4jSchema.Node())("ada"))).toBe(true)
  })

  it("encodes the properties back (a round trip)", () => {
    const WithDate = Neo4jSchema.Node({ labels: ["Event"], properties: Schema.Struct({ at: Schema.DateFromString }) })
    const event = new Graph.Node(9, ["Event"], { at: "2020-01-01T00:00:00.000Z" }, "4:db:9")
    const decoded = Schema.decodeUnknownSync(WithDate)(event)
    expect(decoded.properties.at).toBeInstanceOf(Date)
    const encoded = Schema.encodeSync(WithDate)(decoded)
    expect(encoded).toBeInstanceOf(Graph.Node)
    expect(encoded).toEqual(event)
    // encoding checks the labels too
    const other = new Graph.Node(9, ["Other"], { at: new Date(0) })
    expect(Either.isLeft(Schema.encodeEither(WithDate)(other))).toBe(true)
  })
})

describe("Neo4jSchema.Relationship and Path", () => {
  const knows = new Graph.Relationship(7, 4, 5, "KNOWS", { since: 2001 }, "5:db:7", "4:db:4", "4:db:5")

  it("Relationship: the type checked, the properties decoded, ids kept", () => {
    const r = Schema.decodeUnknownSync(Knows)(knows)
    expect(r).toBeInstanceOf(Graph.Relationship)
    expect([r.identity, r.start, r.end, r.type, r.elementId, r.startNodeElementId, r.endNodeElementId]).toEqual([
      7,
      4,
      5,
      "KNOWS",
      "5:db:7",
      "4:db:4",
      "4:db:5"
    ])
    expect(r.properties).toEqual({ since: 2001 })
    expect(messageOf(Schema.decodeUnknownEither(Knows)(new Graph.Relationship(8, 4, 5, "LIKES", {})))).toBe(
      "Expected a relationship of type :KNOWS, actual (4)-[:LIKES]->(5)"
    )
    expect(messageOf(Schema.decodeUnknownEither(Knows)(new Graph.Node(1, [], {})))).toBe(
      "Expected a relationship (Graph.Relationship), actual (1)"
    )
    expect(Schema.decodeUnknownSync(Neo4jSchema.Relationship())(knows)).toBe(knows)
    expect(Schema.encodeSync(Knows)(r)).toEqual(knows)
  })

  it("Path: each node and relationship through its schema, the path rebuilt in the same shape", () => {
    const a = new Graph.Node(1, ["Station"], { name: "Bank" })
    const b = new Graph.Node(2, ["Station"], { name: "Holborn" })
    const c = new Graph.Node(3, ["Station"], { name: "Chancery Lane" })
    const ab = new Graph.Relationship(10, 1, 2, "LINK", { minutes: 4 })
    const cb = new Graph.Relationship(11, 3, 2, "LINK", { minutes: 2 })
    const path = new Graph.Path(a, c, [new Graph.PathSegment(a, ab, b), new Graph.PathSegment(b, cb, c)])
    const Route = Neo4jSchema.Path({
      node: Neo4jSchema.Node({ labels: ["Station"], properties: Schema.Struct({ name: Schema.String }) }),
      relationship: Neo4jSchema.Relationship({ type: "LINK", properties: Schema.Struct({ minutes: Neo4jSchema.Integer }) })
    })
    const route = Schema.decodeUnknownSync(Route)(path)
    expect(route).toBeInstanceOf(Graph.Path)
    expect(route.length).toBe(2)
    expect(route.nodes.map((n) => n.properties.name)).toEqual(["Bank", "Holborn", "Chancery Lane"])
    expect(route.relationships.map((r) => r.properties.minutes)).toEqual([4, 2])
    expect(String(route)).toBe(String(path)) // the second step walks its relationship backwards
    expect(route.end.properties.name).toBe("Chancery Lane")
    expect(Schema.encodeSync(Route)(route)).toEqual(path)

    // a single-node path
    const alone = Schema.decodeUnknownSync(Route)(new Graph.Path(a, a, []))
    expect([alone.length, alone.start.properties.name, alone.end.properties.name]).toEqual([0, "Bank", "Bank"])

    const wrong = new Graph.Path(a, b, [new Graph.PathSegment(a, new Graph.Relationship(12, 1, 2, "WALK", {}), b)])
    expect(messageOf(Schema.decodeUnknownEither(Route)(wrong))).toBe(
      `Neo4jSchema.Path\n└─ ["relationships"][0]\n   └─ Expected a relationship of type :LINK, actual (1)-[:WALK]->(2)`
    )
    expect(messageOf(Schema.decodeUnknownEither(Route)(a))).toBe(`Expected a path (Graph.Path), actual (1:Station {name: "Bank"})`)
    expect(Schema.decodeUnknownSync(Neo4jSchema.Path())(path)).toEqual(path)
  })
})

describe("Neo4jSchema.Point and Vector", () => {
  it("Point: any point; Wgs84Point and CartesianPoint by SRID, in 2D and 3D", () => {
    const here = Spatial.wgs84(-0.118, 51.509)
    expect(Schema.decodeUnknownSync(Neo4jSchema.Point)(here)).toBe(here)
    expect(Schema.encodeSync(Neo4jSchema.Point)(here)).toBe(here)
    expect(messageOf(Schema.decodeUnknownEither(Neo4jSchema.Point)([1, 2]))).toBe("Expected a point (Spatial.Point), actual [1,2]")
    expect(Schema.decodeUnknownSync(Neo4jSchema.Wgs84Point)(Spatial.wgs84_3d(1, 2, 3)).srid).toBe(4979)
    expect(Schema.decodeUnknownSync(Neo4jSchema.CartesianPoint)(Spatial.cartesian3d(1, 2, 3)).srid).toBe(9157)
    expect(messageOf(Schema.decodeUnknownEither(Neo4jSchema.Wgs84Point)(Spatial.cartesian(1, 2)))).toBe(
      "Expected a WGS-84 point (SRID 4326 or 4979), actual Point{srid=7203, x=1.0, y=2.0}"
    )
    expect(messageOf(Schema.decodeUnknownEither(Neo4jSchema.CartesianPoint)(here))).toBe(
      "Expected a cartesian point (SRID 7203 or 9157), actual Point{srid=4326, x=-0.118, y=51.509}"
    )
    expect(messageOf(Schema.decodeUnknownEither(Neo4jSchema.CartesianPoint)("here"))).toBe(
      `Expected a point (Spatial.Point), actual "here"`
    )
  })

  it("Vector: any vector; VectorOf checks the element type and the length", () => {
    const v = V.vector(Float32Array.of(0.25, -0.5, 1))
    expect(Schema.decodeUnknownSync(Neo4jSchema.Vector)(v)).toBe(v)
    expect(messageOf(Schema.decodeUnknownEither(Neo4jSchema.Vector)([0.25, -0.5, 1]))).toBe(
      "Expected a vector (Vector.Vector), actual [0.25,-0.5,1]"
    )
    const Embedding = Neo4jSchema.VectorOf("FLOAT32", { length: 3 })
    expect(Schema.decodeUnknownSync(Embedding)(v)).toBe(v)
    expect(messageOf(Schema.decodeUnknownEither(Embedding)(V.vector(Int8Array.of(1, 2, 3))))).toBe(
      "Expected a vector of FLOAT32 elements, actual vector([1, 2, 3], 3, INTEGER8 NOT NULL)"
    )
    expect(messageOf(Schema.decodeUnknownEither(Embedding)(V.vector(Float32Array.of(1))))).toBe(
      "Expected a vector of 3 elements, actual vector([1], 1, FLOAT32 NOT NULL)"
    )
    expect(Schema.decodeUnknownSync(Neo4jSchema.VectorOf("INT64"))(V.vector(BigInt64Array.of(1n))).data).toBeInstanceOf(
      BigInt64Array
    )
  })
})

describe("graph, spatial and vector values over the wire", () => {
  it.scopedLive("Bolt 5.4: nodes as the app sees them (properties decoded); a wrong label, a wrong type and a non-node are QueryResultErrors naming the column", () =>
    Effect.gen(function* () {
      const text = "MATCH (p) RETURN p"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, "{}", ["p"], [
            `[${nodeScript(4, ["Person"], `{"name": "Ada", "born": 1815, "nickname": "Enchantress"}`)}]`,
            `[${nodeScript(6, ["Person", "Admin"], `{"name": "Grace", "born": 1906}`)}]`
          ], "r")
        }${eager(text, "{}", ["p"], [`[${nodeScript(4, ["Person"], `{"name": "Ada", "born": 1815}`)}]`, `[${nodeScript(5, ["Company"], `{"name": "Acme"}`)}]`], "r")}${
          eager(text, "{}", ["p"], [`[{"name": "Ada", "born": 1815}]`], "r")
        }?: GOODBYE
`
      })
      const people = QuerySchema.findAll({
        Request: Schema.Void,
        Result: Schema.Struct({ p: Person }),
        execute: text,
        config: { routing: "READ" }
      })
      const [rows, wrongLabel, notANode] = yield* withDriverService(stub, () =>
        Effect.all([people(), Effect.flip(people()), Effect.flip(people())])
      )
      expect(rows.map((r) => r.p)).toEqual([
        new Graph.Node(4, ["Person"], { name: "Ada", born: 1815, nickname: Option.some("Enchantress") }, "4:db:4"),
        new Graph.Node(6, ["Person", "Admin"], { name: "Grace", born: 1906, nickname: Option.none() }, "4:db:6")
      ])
      expect(rows[0]!.p).toBeInstanceOf(Graph.Node)

      expect(wrongLabel).toBeInstanceOf(QuerySchema.QueryResultError)
      expect(wrongLabel).toMatchObject({ _tag: "QueryResultError", index: 1, column: "p", query: text })
      expect(wrongLabel.message).toBe(
        `Record 1 of "MATCH (p) RETURN p" does not decode with the Result schema (column "p"): ` +
          `{ readonly p: Neo4jSchema.Node }\n└─ ["p"]\n   └─ Expected a node labelled :Person, actual (4:db:5:Company {name: "Acme"})`
      )
      expect(notANode).toMatchObject({ _tag: "QueryResultError", index: 0, column: "p" })
      expect(notANode.message).toContain(`└─ Expected a node (Graph.Node), actual {"name":"Ada","born":1815}`)
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.4: relationships and paths as the app sees them; a wrong relationship type is a QueryResultError", () =>
    Effect.gen(function* () {
      const relText = "MATCH (:Person)-[k]->(:Person) RETURN k"
      const pathText = "MATCH p = (:Station {name: $from})-[:LINK*]-(:Station {name: $to}) RETURN p AS route"
      const stations = [nodeScript(1, ["Station"], `{"name": "Bank"}`), nodeScript(2, ["Station"], `{"name": "Holborn"}`), nodeScript(3, ["Station"], `{"name": "Chancery Lane"}`)]
      // Bank -LINK-> Holborn <-LINK- Chancery Lane: indices [1, 1, -2, 2]
      const path = `Structure<0x50>[[${stations.join(", ")}], [${unboundScript(10, "LINK", `{"minutes": 4}`)}, ${
        unboundScript(11, "LINK", `{"minutes": 2}`)
      }], [1, 1, -2, 2]]`
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(relText, "{}", ["k"], [`[${relationshipScript(7, 4, 6, "KNOWS", `{"since": 2001}`)}]`, `[${relationshipScript(8, 6, 4, "LIKES", "{}")}]`], "r")
        }${eager(pathText, `{"from": "Bank", "to": "Chancery Lane"}`, ["route"], [`[${path}]`], "r")}?: GOODBYE
`
      })
      const knows = QuerySchema.findAll({ Request: Schema.Void, Result: Schema.Struct({ k: Knows }), execute: relText, config: { routing: "READ" } })
      const route = QuerySchema.single({
        Request: Schema.Struct({ from: Schema.String, to: Schema.String }),
        Result: Schema.Struct({
          route: Neo4jSchema.Path({
            node: Neo4jSchema.Node({ labels: ["Station"], properties: Schema.Struct({ name: Schema.String }) }),
            relationship: Neo4jSchema.Relationship({ type: "LINK", properties: Schema.Struct({ minutes: Neo4jSchema.Integer }) })
          })
        }),
        execute: pathText,
        config: { routing: "READ" }
      })
      const [wrongType, row] = yield* withDriverService(stub, () =>
        Effect.all([Effect.flip(knows()), route({ from: "Bank", to: "Chancery Lane" })])
      )
      expect(wrongType).toMatchObject({ _tag: "QueryResultError", index: 1, column: "k" })
      expect(wrongType.message).toContain(`└─ ["k"]\n   └─ Expected a relationship of type :KNOWS, actual (4:db:6)-[:LIKES]->(4:db:4)`)

      expect(row.route).toBeInstanceOf(Graph.Path)
      expect(row.route.nodes.map((n) => n.properties.name)).toEqual(["Bank", "Holborn", "Chancery Lane"])
      expect(row.route.relationships.map((r) => [r.elementId, r.properties.minutes])).toEqual([["5:db:10", 4], ["5:db:11", 2]])
      expect(String(row.route)).toBe("(4:db:1)-[:LINK]->(4:db:2)<-[:LINK]-(4:db:3)")
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.4: a Point parameter as the stub sees it (a Point2D structure), points read back; another SRID refused", () =>
    Effect.gen(function* () {
      const text = "MATCH (s:Store) WHERE point.distance(s.location, $here) < $radius RETURN s.location AS location, s.shelf AS shelf"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, `{"here": Structure<0x58>[4326, -0.118, 51.509], "radius": 1000.0}`, ["location", "shelf"], [
            `[Structure<0x58>[4326, -0.1181, 51.5091], Structure<0x59>[9157, 1.0, 2.0, 3.5]]`,
            `[Structure<0x58>[7203, 1.0, 2.0], Structure<0x59>[9157, 1.0, 2.0, 3.5]]`
          ], "r")
        }?: GOODBYE
`
      })
      const stores = QuerySchema.findAll({
        Request: Schema.Struct({ here: Neo4jSchema.Wgs84Point, radius: Neo4jSchema.Float }),
        Result: Schema.Struct({ location: Neo4jSchema.Wgs84Point, shelf: Neo4jSchema.CartesianPoint }),
        execute: text,
        config: { routing: "READ" }
      })
      const [error, sent] = yield* withDriverService(stub, () =>
        Effect.all([Effect.flip(stores({ here: Spatial.wgs84(-0.118, 51.509), radius: 1000 })), lastRunParameters(stub)])
      )
      expect(sent).toEqual({ here: new Structure(0x58, [4326n, -0.118, 51.509]), radius: 1000 })
      expect(error).toMatchObject({ _tag: "QueryResultError", index: 1, column: "location" })
      expect(error.message).toContain("Expected a WGS-84 point (SRID 4326 or 4979), actual Point{srid=7203, x=1.0, y=2.0}")
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 5.4: points as the app sees them", () =>
    Effect.gen(function* () {
      const text = "MATCH (s:Store) RETURN s.location AS location, s.shelf AS shelf"
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager(text, "{}", ["location", "shelf"], [`[Structure<0x58>[4326, -0.1181, 51.5091], Structure<0x59>[9157, 1.0, 2.0, 3.5]]`], "r")
        }?: GOODBYE
`
      })
      const stores = QuerySchema.findAll({
        Request: Schema.Void,
        Result: Schema.Struct({ location: Neo4jSchema.Point, shelf: Neo4jSchema.CartesianPoint }),
        execute: text,
        config: { routing: "READ" }
      })
      const rows = yield* withDriverService(stub, () => stores())
      expect(rows).toEqual([{ location: Spatial.wgs84(-0.1181, 51.5091), shelf: Spatial.cartesian3d(1, 2, 3.5) }])
      expect(rows[0]!.location).toBeInstanceOf(Spatial.Point)
      yield* stub.verify
    })
  )

  it.scopedLive("Bolt 6.0: a Vector parameter as the stub sees it (a Vector structure, big-endian FLOAT32), vectors read back; another element type refused", () =>
    Effect.gen(function* () {
      const text = "MATCH (d:Doc {id: $id}) SET d.embedding = $embedding RETURN d.embedding AS embedding"
      const float32 = `Structure<0x56>[Bytes<C6>, Bytes<3E 80 00 00 BF 00 00 00 3F 80 00 00>]`
      const int8 = `Structure<0x56>[Bytes<C8>, Bytes<01 02 03>]`
      const stub = yield* StubServer.make({
        script: `${HEAD_6}${eager(text, `{"id": 42, "embedding": ${float32}}`, ["embedding"], [`[${float32}]`])}${
          eager(text, `{"id": 43, "embedding": ${float32}}`, ["embedding"], [`[${int8}]`])
        }?: GOODBYE
`
      })
      const embed = QuerySchema.single({
        Request: Schema.Struct({ id: Neo4jSchema.Integer, embedding: Neo4jSchema.VectorOf("FLOAT32", { length: 3 }) }),
        Result: Schema.Struct({ embedding: Neo4jSchema.VectorOf("FLOAT32", { length: 3 }) }),
        execute: text
      })
      const embedding = V.vector(Float32Array.of(0.25, -0.5, 1))
      const [row, sent, error] = yield* withDriverService(stub, () =>
        Effect.gen(function* () {
          const row = yield* embed({ id: 42, embedding })
          const sent = yield* lastRunParameters(stub)
          const error = yield* Effect.flip(embed({ id: 43, embedding }))
          return [row, sent, error] as const
        })
      )
      // a Vector structure: the FLOAT32 marker, then the elements big-endian (bytes arrive as Buffers)
      const { embedding: structure, id } = sent as { readonly embedding: Structure; readonly id: unknown }
      expect(id).toBe(42n)
      expect(structure).toBeInstanceOf(Structure)
      expect(structure.signature).toBe(0x56)
      expect(structure.fields.map((f) => Array.from(f as Uint8Array))).toEqual([
        [0xc6],
        [0x3e, 0x80, 0, 0, 0xbf, 0, 0, 0, 0x3f, 0x80, 0, 0]
      ])
      expect(row.embedding).toBeInstanceOf(V.Vector)
      expect(row.embedding.type).toBe("FLOAT32")
      expect(Array.from(row.embedding.data)).toEqual([0.25, -0.5, 1])
      expect(error).toMatchObject({ _tag: "QueryResultError", index: 0, column: "embedding" })
      expect(error.message).toContain("Expected a vector of FLOAT32 elements, actual vector([1, 2, 3], 3, INTEGER8 NOT NULL)")
      yield* stub.verify
    })
  )

  it.scopedLive("a QueryResultError from a node is not a Neo4jError: failureOf gives it as the typed failure", () =>
    Effect.gen(function* () {
      const text = "MATCH (c:Company) RETURN c"
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager(text, "{}", ["c"], [`[${nodeScript(5, ["Company"], `{"name": "Acme"}`)}]`])}?: GOODBYE
`
      })
      const one = QuerySchema.single({ Request: Schema.Void, Result: Schema.Struct({ c: Person }), execute: text })
      const exit = yield* withDriverService(stub, () => Effect.exit(one()))
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "QueryResultError", column: "c" })
      expect(error.message).toContain("Expected a node labelled :Person, actual (4:db:5:Company {name: \"Acme\"})")
      yield* stub.verify
    })
  )
})

describe("Neo4jSchema graph, spatial and vector schemas: types", () => {
  it("the decoded and encoded types", () => {
    expect(Index.Node).toBe(Neo4jSchema.Node)
    const PersonNode = Neo4jSchema.Node({ labels: ["Person"], properties: Schema.Struct({ name: Schema.String, age: Schema.NumberFromString }) })
    expectTypeOf<typeof PersonNode.Type>().toEqualTypeOf<Graph.Node<{ readonly name: string; readonly age: number }>>()
    expectTypeOf<typeof PersonNode.Encoded>().toEqualTypeOf<Graph.Node<{ readonly name: string; readonly age: string }>>()
    const byProperties = Neo4jSchema.Node(Schema.Struct({ name: Schema.String }))
    expectTypeOf<typeof byProperties.Type>().toEqualTypeOf<Graph.Node<{ readonly name: string }>>()
    expectTypeOf<typeof Person.Type>().toEqualTypeOf<
      Graph.Node<{ readonly name: string; readonly born: number; readonly nickname: Option.Option<string> }>
    >()
    expectTypeOf<Schema.Schema.Type<ReturnType<typeof Neo4jSchema.Node>>>().toEqualTypeOf<Graph.Node>()
    expectTypeOf<typeof Knows.Type>().toEqualTypeOf<Graph.Relationship<{ readonly since: number }>>()
    expectTypeOf<Schema.Schema.Type<ReturnType<typeof Neo4jSchema.Relationship>>>().toEqualTypeOf<Graph.Relationship>()

    const Route = Neo4jSchema.Path({ node: PersonNode, relationship: Knows })
    expectTypeOf<typeof Route.Type>().toEqualTypeOf<
      Graph.Path<{ readonly name: string; readonly age: number }, { readonly since: number }>
    >()
    const AnyPath = Neo4jSchema.Path()
    expectTypeOf<typeof AnyPath.Type>().toEqualTypeOf<Graph.Path>()
    expectTypeOf<typeof Neo4jSchema.Point.Type>().toEqualTypeOf<Spatial.Point>()
    expectTypeOf<typeof Neo4jSchema.Vector.Type>().toEqualTypeOf<V.Vector>()
    const Embedding = Neo4jSchema.VectorOf("FLOAT32")
    expectTypeOf<typeof Embedding.Type>().toEqualTypeOf<V.Vector<Float32Array>>()

    // a schema with a requirement carries it
    class Clock extends Effect.Tag("Clock")<Clock, { readonly now: number }>() {}
    const Stamped = Schema.transformOrFail(Schema.Number, Schema.Number, {
      decode: (n) => Effect.map(Clock, (c) => c.now - n),
      encode: (n) => ParseResult.succeed(n)
    })
    const Aged = Neo4jSchema.Node({ properties: Schema.Struct({ age: Stamped }) })
    expectTypeOf<Schema.Schema.Context<typeof Aged>>().toEqualTypeOf<Clock>()
    // properties must be a map schema
    // @ts-expect-error a string is not a node's properties
    Neo4jSchema.Node({ properties: Schema.String })
  })
})
