/**
 * Graph values returned by queries: `Node`, `Relationship`, `UnboundRelationship` and `Path`
 * (made of `PathSegment`s), with the names and fields of the official neo4j-driver.
 *
 * Element ids came with Bolt 5.0; on Bolt 4.4 `elementId` is the numeric id as a string, as the
 * official driver does. Ids are int64: numbers while exact, bigints beyond.
 *
 * Graph values are received only; they cannot be sent as parameters.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"

/**
 * Properties of a node or relationship.
 *
 * @since 0.1.0
 * @category models
 */
export type Properties = { readonly [key: string]: unknown }

// ---------------------------------------------------------------------------------------------
// structural equality of property values (null, booleans, numbers, bigints, strings, bytes,
// lists, maps and the value classes, which implement Equal)

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

/** numeric equality of two integers, whether number or bigint */
const intEquals = (a: number | bigint, b: number | bigint): boolean =>
  a === b || (typeof a !== typeof b && BigInt(a) === BigInt(b))

/** agrees for `5` and `5n` */
const hashInt = (v: number | bigint): number => {
  if (typeof v === "number") return Number.isSafeInteger(v) ? Hash.number(v) : Hash.string(BigInt(v).toString())
  return v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG ? Hash.number(Number(v)) : Hash.string(v.toString())
}

const isPlainObject = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const valueEquals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  switch (typeof a) {
    case "number":
      if (typeof b === "number") return a !== a && b !== b // NaN
      return typeof b === "bigint" && Number.isInteger(a) && BigInt(a) === b
    case "bigint":
      return typeof b === "number" && Number.isInteger(b) && BigInt(b) === a
    case "object": {
      if (a === null || typeof b !== "object" || b === null) return false
      if (Array.isArray(a)) {
        if (!Array.isArray(b) || a.length !== b.length) return false
        for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false
        return true
      }
      if (a instanceof Uint8Array) {
        if (!(b instanceof Uint8Array) || a.length !== b.length) return false
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
        return true
      }
      if (Equal.isEqual(a)) return Equal.equals(a, b)
      if (isPlainObject(a) && isPlainObject(b)) return propertiesEqual(a as Properties, b as Properties)
      return false
    }
    default:
      return false
  }
}

const propertiesEqual = (a: Properties, b: Properties): boolean => {
  if (a === b) return true
  let n = 0
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !valueEquals(a[k], b[k])) return false
    n++
  }
  for (const _ in b) n--
  return n === 0
}

const valueHash = (v: unknown): number => {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) ? hashInt(v) : Hash.number(v)
    case "bigint":
      return hashInt(v)
    case "object": {
      if (v === null) return 0x6e
      if (Array.isArray(v)) {
        let h = 6151
        for (let i = 0; i < v.length; i++) h = (h * 53) ^ valueHash(v[i])
        return Hash.optimize(h)
      }
      if (v instanceof Uint8Array) {
        let h = 0x62
        for (let i = 0; i < v.length; i++) h = (h * 31) ^ v[i]!
        return Hash.optimize(h)
      }
      if (Hash.isHash(v)) return Hash.hash(v)
      if (isPlainObject(v)) return propertiesHash(v as Properties)
      return Hash.hash(v)
    }
    default:
      return Hash.hash(v)
  }
}

/** order-independent, as equality is */
const propertiesHash = (p: Properties): number => {
  let h = 12289
  for (const k in p) h ^= (Hash.string(k) * 53) ^ valueHash(p[k])
  return Hash.optimize(h)
}

const labelsEqual = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

// ---------------------------------------------------------------------------------------------
// printing (Cypher-like literals)

const show = (v: unknown): string => {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v)
    case "bigint":
      return v.toString()
    case "object": {
      if (v === null) return "null"
      if (Array.isArray(v)) return "[" + v.map(show).join(", ") + "]"
      if (v instanceof Uint8Array) return `bytes(${v.length})`
      if (isPlainObject(v)) return showProperties(v as Properties)
      return String(v)
    }
    default:
      return String(v)
  }
}

const showKey = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : "`" + k.replace(/`/g, "``") + "`")

const showProperties = (p: Properties): string => {
  let s = ""
  for (const k in p) s += (s === "" ? "" : ", ") + showKey(k) + ": " + show(p[k])
  return "{" + s + "}"
}

const hasProperties = (p: Properties): boolean => {
  for (const _ in p) return true
  return false
}

// ---------------------------------------------------------------------------------------------
// Node

/**
 * A node as returned by a query: a snapshot of its labels and properties.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Graph, Neo4jDriver } from "effect-neo4j"
 *
 * const people = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN p LIMIT 10")
 *   return records.map((r) => r.get("p") as Graph.Node<{ name: string }>).map((p) => `${p.labels.join(":")} ${p.properties.name}`)
 * })
 *
 * assert.strictEqual(String(new Graph.Node(4, ["Person"], { name: "Ada" })), '(4:Person {name: "Ada"})')
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Node<P extends Properties = Properties> implements Equal.Equal {
  /**
   * The numeric id (deprecated by Neo4j in favour of `elementId`).
   * @since 0.1.0
   */
  readonly identity: number | bigint
  /**
   * The labels.
   * @since 0.1.0
   */
  readonly labels: ReadonlyArray<string>
  /**
   * The properties.
   * @since 0.1.0
   */
  readonly properties: P
  /**
   * The element id (on Bolt 4.4, `identity` as a string).
   * @since 0.1.0
   */
  readonly elementId: string

  constructor(identity: number | bigint, labels: ReadonlyArray<string>, properties: P, elementId?: string) {
    this.identity = identity
    this.labels = labels
    this.properties = properties
    this.elementId = elementId ?? String(identity)
  }

  /**
   * `(4:Person:Actor {name: "Ada"})`: element id, labels, properties.
   *
   * @since 0.1.0
   */
  toString(): string {
    let s = "(" + this.elementId
    for (let i = 0; i < this.labels.length; i++) s += ":" + this.labels[i]
    if (hasProperties(this.properties)) s += " " + showProperties(this.properties)
    return s + ")"
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof Node &&
      this.elementId === that.elementId &&
      intEquals(this.identity, that.identity) &&
      labelsEqual(this.labels, that.labels) &&
      propertiesEqual(this.properties, that.properties)
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.string(this.elementId) * 53) ^ hashInt(this.identity)
    for (let i = 0; i < this.labels.length; i++) h = (h * 53) ^ Hash.string(this.labels[i]!)
    return Hash.optimize((h * 53) ^ propertiesHash(this.properties))
  }
}

// ---------------------------------------------------------------------------------------------
// Relationship

/**
 * A relationship as returned by a query, with its type, properties and end nodes.
 *
 * @example
 * ```ts
 * import { Graph } from "effect-neo4j"
 *
 * const knows = new Graph.Relationship(7, 1, 2, "KNOWS", { since: 2001 })
 * assert.strictEqual(String(knows), "(1)-[:KNOWS {since: 2001}]->(2)")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Relationship<P extends Properties = Properties> implements Equal.Equal {
  /**
   * The numeric id (deprecated by Neo4j in favour of `elementId`).
   * @since 0.1.0
   */
  readonly identity: number | bigint
  /**
   * Numeric id of the start node.
   * @since 0.1.0
   */
  readonly start: number | bigint
  /**
   * Numeric id of the end node.
   * @since 0.1.0
   */
  readonly end: number | bigint
  /**
   * The relationship type.
   * @since 0.1.0
   */
  readonly type: string
  /**
   * The properties.
   * @since 0.1.0
   */
  readonly properties: P
  /**
   * The element id (on Bolt 4.4, `identity` as a string).
   * @since 0.1.0
   */
  readonly elementId: string
  /**
   * Element id of the start node.
   * @since 0.1.0
   */
  readonly startNodeElementId: string
  /**
   * Element id of the end node.
   * @since 0.1.0
   */
  readonly endNodeElementId: string

  constructor(
    identity: number | bigint,
    start: number | bigint,
    end: number | bigint,
    type: string,
    properties: P,
    elementId?: string,
    startNodeElementId?: string,
    endNodeElementId?: string
  ) {
    this.identity = identity
    this.start = start
    this.end = end
    this.type = type
    this.properties = properties
    this.elementId = elementId ?? String(identity)
    this.startNodeElementId = startNodeElementId ?? String(start)
    this.endNodeElementId = endNodeElementId ?? String(end)
  }

  /**
   * `(1)-[:KNOWS {since: 2001}]->(2)`: end nodes by element id.
   *
   * @since 0.1.0
   */
  toString(): string {
    let s = "(" + this.startNodeElementId + ")-[:" + this.type
    if (hasProperties(this.properties)) s += " " + showProperties(this.properties)
    return s + "]->(" + this.endNodeElementId + ")"
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof Relationship &&
      this.elementId === that.elementId &&
      this.type === that.type &&
      this.startNodeElementId === that.startNodeElementId &&
      this.endNodeElementId === that.endNodeElementId &&
      intEquals(this.identity, that.identity) &&
      intEquals(this.start, that.start) &&
      intEquals(this.end, that.end) &&
      propertiesEqual(this.properties, that.properties)
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.string(this.elementId) * 53) ^ hashInt(this.identity)
    h = (h * 53) ^ Hash.string(this.type)
    h = (h * 53) ^ Hash.string(this.startNodeElementId)
    h = (h * 53) ^ Hash.string(this.endNodeElementId)
    h = (h * 53) ^ hashInt(this.start)
    h = (h * 53) ^ hashInt(this.end)
    return Hash.optimize((h * 53) ^ propertiesHash(this.properties))
  }
}

// ---------------------------------------------------------------------------------------------
// UnboundRelationship

/**
 * A relationship without its end nodes, as it travels inside a path.
 *
 * @example
 * ```ts
 * import { Graph } from "effect-neo4j"
 *
 * const knows = new Graph.UnboundRelationship(7, "KNOWS", { since: 2001 })
 * assert.strictEqual(String(knows), "-[:KNOWS {since: 2001}]->")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class UnboundRelationship<P extends Properties = Properties> implements Equal.Equal {
  /**
   * The numeric id (deprecated by Neo4j in favour of `elementId`).
   * @since 0.1.0
   */
  readonly identity: number | bigint
  /**
   * The relationship type.
   * @since 0.1.0
   */
  readonly type: string
  /**
   * The properties.
   * @since 0.1.0
   */
  readonly properties: P
  /**
   * The element id (on Bolt 4.4, `identity` as a string).
   * @since 0.1.0
   */
  readonly elementId: string

  constructor(identity: number | bigint, type: string, properties: P, elementId?: string) {
    this.identity = identity
    this.type = type
    this.properties = properties
    this.elementId = elementId ?? String(identity)
  }

  /**
   * The relationship from `start` to `end`.
   *
   * @example
   * ```ts
   * import { Graph } from "effect-neo4j"
   *
   * const ada = new Graph.Node(1, ["Person"], { name: "Ada" })
   * const bob = new Graph.Node(2, ["Person"], { name: "Bob" })
   * const knows = new Graph.UnboundRelationship(7, "KNOWS", {}).bindTo(ada, bob)
   * assert.deepStrictEqual([knows.start, knows.end], [1, 2])
   * ```
   *
   * @since 0.1.0
   */
  bindTo(start: Node, end: Node): Relationship<P> {
    return new Relationship(
      this.identity,
      start.identity,
      end.identity,
      this.type,
      this.properties,
      this.elementId,
      start.elementId,
      end.elementId
    )
  }

  /**
   * `-[:KNOWS {since: 2001}]->`
   *
   * @since 0.1.0
   */
  toString(): string {
    let s = "-[:" + this.type
    if (hasProperties(this.properties)) s += " " + showProperties(this.properties)
    return s + "]->"
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof UnboundRelationship &&
      this.elementId === that.elementId &&
      this.type === that.type &&
      intEquals(this.identity, that.identity) &&
      propertiesEqual(this.properties, that.properties)
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.string(this.elementId) * 53) ^ hashInt(this.identity)
    h = (h * 53) ^ Hash.string(this.type)
    return Hash.optimize((h * 53) ^ propertiesHash(this.properties) ^ 0x72)
  }
}

// ---------------------------------------------------------------------------------------------
// Path

/**
 * One step of a path: `start`, the relationship walked, and `end`. The relationship keeps its own
 * direction: it may point from `end` to `start`. `N` and `R` type the properties of its nodes and
 * of its relationship (any properties by default).
 *
 * @example
 * ```ts
 * import type { Graph } from "effect-neo4j"
 *
 * const steps = (path: Graph.Path) =>
 *   path.segments.map((s: Graph.PathSegment) => `${s.start.elementId} -${s.relationship.type}- ${s.end.elementId}`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class PathSegment<N extends Properties = Properties, R extends Properties = Properties> implements Equal.Equal {
  /**
   * The node the step leaves.
   * @since 0.1.0
   */
  readonly start: Node<N>
  /**
   * The relationship walked.
   * @since 0.1.0
   */
  readonly relationship: Relationship<R>
  /**
   * The node the step reaches.
   * @since 0.1.0
   */
  readonly end: Node<N>

  constructor(start: Node<N>, relationship: Relationship<R>, end: Node<N>) {
    this.start = start
    this.relationship = relationship
    this.end = end
  }

  /**
   * `(1)-[:KNOWS]->(2)` or `(1)<-[:KNOWS]-(2)`, nodes by element id.
   *
   * @since 0.1.0
   */
  toString(): string {
    return `(${this.start.elementId})${arrow(this)}(${this.end.elementId})`
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof PathSegment &&
      Equal.equals(this.relationship, that.relationship) &&
      Equal.equals(this.start, that.start) &&
      Equal.equals(this.end, that.end)
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    const h = (Hash.hash(this.start) * 53) ^ Hash.hash(this.relationship)
    return Hash.optimize((h * 53) ^ Hash.hash(this.end))
  }
}

const arrow = (s: PathSegment): string => {
  const r = s.relationship
  return r.startNodeElementId === s.start.elementId ? `-[:${r.type}]->` : `<-[:${r.type}]-`
}

/**
 * An alternating sequence of nodes and relationships from `start` to `end`, as segments. `N` and
 * `R` type the properties of its nodes and of its relationships (any properties by default).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Graph, Neo4jDriver } from "effect-neo4j"
 *
 * const route = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   const { records } = yield* driver.executeQuery(
 *     "MATCH p = shortestPath((:Station {name: $from})-[:LINK*]-(:Station {name: $to})) RETURN p",
 *     { from: "Bank", to: "Holborn" }
 *   )
 *   const path = records[0]?.get("p") as Graph.Path
 *   return path.nodes.map((n) => n.properties.name) // one more node than path.length
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Path<N extends Properties = Properties, R extends Properties = Properties>
  implements Equal.Equal, Iterable<PathSegment<N, R>>
{
  /**
   * The first node.
   * @since 0.1.0
   */
  readonly start: Node<N>
  /**
   * The last node.
   * @since 0.1.0
   */
  readonly end: Node<N>
  /**
   * The steps, in order; empty for a single-node path.
   * @since 0.1.0
   */
  readonly segments: ReadonlyArray<PathSegment<N, R>>
  /**
   * The number of relationships.
   * @since 0.1.0
   */
  readonly length: number

  constructor(start: Node<N>, end: Node<N>, segments: ReadonlyArray<PathSegment<N, R>>) {
    this.start = start
    this.end = end
    this.segments = segments
    this.length = segments.length
  }

  /** The nodes in path order, `start` first and `end` last (a node may appear more than once). */
  get nodes(): ReadonlyArray<Node<N>> {
    const out: Array<Node<N>> = [this.start]
    for (let i = 0; i < this.segments.length; i++) out.push(this.segments[i]!.end)
    return out
  }

  /** The relationships in path order. */
  get relationships(): ReadonlyArray<Relationship<R>> {
    return this.segments.map((s) => s.relationship)
  }

  /**
   * Iterates over the segments.
   *
   * @since 0.1.0
   */
  [Symbol.iterator](): Iterator<PathSegment<N, R>> {
    return this.segments[Symbol.iterator]()
  }

  /**
   * `(1)-[:KNOWS]->(2)<-[:LIKES]-(3)`, nodes by element id.
   *
   * @since 0.1.0
   */
  toString(): string {
    let s = `(${this.start.elementId})`
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!
      s += `${arrow(seg)}(${seg.end.elementId})`
    }
    return s
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    if (!(that instanceof Path) || that.length !== this.length) return false
    if (!Equal.equals(this.start, that.start) || !Equal.equals(this.end, that.end)) return false
    for (let i = 0; i < this.segments.length; i++) {
      if (!Equal.equals(this.segments[i], that.segments[i])) return false
    }
    return true
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.hash(this.start) * 53) ^ Hash.hash(this.end)
    for (let i = 0; i < this.segments.length; i++) h = (h * 53) ^ Hash.hash(this.segments[i])
    return Hash.optimize(h)
  }
}

// ---------------------------------------------------------------------------------------------
// guards

/**
 * Whether a value is a `Node`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Graph } from "effect-neo4j"
 *
 * const read = (record: Record.Neo4jRecord) => {
 *   const v = record.get("p")
 *   return Graph.isNode(v) ? v.labels : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isNode = (u: unknown): u is Node => u instanceof Node

/**
 * Whether a value is a `Relationship`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Graph } from "effect-neo4j"
 *
 * const read = (record: Record.Neo4jRecord) => {
 *   const v = record.get("r")
 *   return Graph.isRelationship(v) ? v.type : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isRelationship = (u: unknown): u is Relationship => u instanceof Relationship

/**
 * Whether a value is an `UnboundRelationship`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Graph } from "effect-neo4j"
 *
 * const read = (record: Record.Neo4jRecord) => {
 *   const v = record.get("r")
 *   return Graph.isUnboundRelationship(v) ? v.type : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isUnboundRelationship = (u: unknown): u is UnboundRelationship => u instanceof UnboundRelationship

/**
 * Whether a value is a `PathSegment`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Graph } from "effect-neo4j"
 *
 * const read = (record: Record.Neo4jRecord) => {
 *   const v = record.get("s")
 *   return Graph.isPathSegment(v) ? v.relationship.type : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isPathSegment = (u: unknown): u is PathSegment => u instanceof PathSegment

/**
 * Whether a value is a `Path`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Graph } from "effect-neo4j"
 *
 * const read = (record: Record.Neo4jRecord) => {
 *   const v = record.get("p")
 *   return Graph.isPath(v) ? v.length : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isPath = (u: unknown): u is Path => u instanceof Path

/**
 * Structural equality of Cypher values as records carry them: numbers and bigints by value (`5`
 * equals `5n`, NaN equals NaN), byte arrays by content, lists element-wise, maps key-wise
 * whatever the key order, and value classes through `Equal`.
 *
 * @example
 * ```ts
 * import { Graph } from "effect-neo4j"
 *
 * assert.ok(Graph.equals({ ids: [1, 2n], score: NaN }, { score: NaN, ids: [1n, 2] }))
 * assert.ok(!Graph.equals([1, 2], [2, 1]))
 * ```
 *
 * @since 0.1.0
 * @category equivalence
 */
export const equals: (a: unknown, b: unknown) => boolean = valueEquals

/**
 * A hash that agrees with `equals`.
 *
 * @example
 * ```ts
 * import { Graph } from "effect-neo4j"
 *
 * assert.strictEqual(Graph.hash({ a: 5, b: [1] }), Graph.hash({ b: [1n], a: 5n }))
 * ```
 *
 * @since 0.1.0
 * @category equivalence
 */
export const hash: (value: unknown) => number = valueHash
