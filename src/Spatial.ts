/**
 * Neo4j spatial values: a `Point` in 2 or 3 dimensions in a coordinate reference system given by
 * its SRID (for example 4326 WGS-84, 4979 WGS-84 3D, 7203 cartesian, 9157 cartesian 3D).
 *
 * The `Point` constructor throws a `RangeError` for an `srid` that is not an integer or a
 * coordinate that is not a number (so do `wgs84`, `cartesian`, ... for a coordinate of the wrong
 * type, which only untyped input can give); inside Effect code `makePoint` fails with an
 * `InvalidParameterError` instead.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import type * as Either from "effect/Either"
import { attempt } from "./internal/values/attempt.js"
import type { InvalidParameterError } from "./Neo4jError.js"

/** the well-known SRIDs */
const WGS_84_2D = 4326
const WGS_84_3D = 4979
const CARTESIAN_2D = 7203
const CARTESIAN_3D = 9157

/** equal numbers, NaN equal to itself (a stored NaN is a value like any other) */
const floatEquals = (a: number, b: number): boolean => a === b || (a !== a && b !== b)

const formatFloat = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n))

/**
 * A point in 2D (`z` undefined) or 3D space. Coordinates are floats; `srid` names the coordinate
 * reference system.
 *
 * @example
 * ```ts
 * import { Spatial } from "effect-neo4j"
 *
 * const eiffelTower = new Spatial.Point(4326, 2.2945, 48.8584)
 * assert.strictEqual(eiffelTower.dimension, 2)
 * assert.strictEqual(String(eiffelTower), "Point{srid=4326, x=2.2945, y=48.8584}")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Point implements Equal.Equal {
  /**
   * Spatial reference system identifier.
   * @since 0.1.0
   */
  readonly srid: number
  /**
   * x (or longitude).
   * @since 0.1.0
   */
  readonly x: number
  /**
   * y (or latitude).
   * @since 0.1.0
   */
  readonly y: number
  /**
   * z (or height), undefined for a 2D point.
   * @since 0.1.0
   */
  readonly z: number | undefined

  /**
   * @throws RangeError when `srid` is not an integer or a coordinate is not a number: in Effect
   * code, `makePoint` (same arguments) fails with an `InvalidParameterError` instead
   */
  constructor(srid: number, x: number, y: number, z?: number | undefined) {
    if (!(typeof srid === "number" && Number.isInteger(srid))) throw new RangeError(`srid must be an integer, got ${String(srid)}`)
    if (typeof x !== "number") throw new RangeError(`x must be a number, got ${typeof x}`)
    if (typeof y !== "number") throw new RangeError(`y must be a number, got ${typeof y}`)
    if (z !== undefined && typeof z !== "number") throw new RangeError(`z must be a number, got ${typeof z}`)
    this.srid = srid
    this.x = x
    this.y = y
    this.z = z
  }

  /** 2 or 3. */
  get dimension(): 2 | 3 {
    return this.z === undefined ? 2 : 3
  }

  /**
   * `Point{srid=4326, x=1.0, y=2.0}` (the official driver's form), with `z` for 3D.
   *
   * @since 0.1.0
   */
  toString(): string {
    const xy = `Point{srid=${this.srid}, x=${formatFloat(this.x)}, y=${formatFloat(this.y)}`
    return this.z === undefined ? xy + "}" : `${xy}, z=${formatFloat(this.z)}}`
  }

  /**
   * Structural equality (`Equal.equals`).
   *
   * @since 0.1.0
   */
  [Equal.symbol](that: Equal.Equal): boolean {
    return (
      that instanceof Point &&
      this.srid === that.srid &&
      floatEquals(this.x, that.x) &&
      floatEquals(this.y, that.y) &&
      (this.z === undefined ? that.z === undefined : that.z !== undefined && floatEquals(this.z, that.z))
    )
  }

  /**
   * A hash consistent with `Equal.equals`.
   *
   * @since 0.1.0
   */
  [Hash.symbol](): number {
    let h = (Hash.number(this.srid) * 53) ^ Hash.number(this.x)
    h = (h * 53) ^ Hash.number(this.y)
    return Hash.optimize(this.z === undefined ? h : (h * 53) ^ Hash.number(this.z) ^ 0x33)
  }
}

/**
 * A `Point`, or an `InvalidParameterError` when `srid` is not an integer or a coordinate is not a
 * number: the constructor without the throw. An `Either` is an `Effect`: `yield*` it in
 * `Effect.gen`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Spatial } from "effect-neo4j"
 *
 * const london = Spatial.makePoint(4326, -0.118, 51.509) // Right(Point)
 * const bad = Spatial.makePoint(4326.5, 0, 0) // Left(InvalidParameterError)
 * assert.ok(Either.isRight(london) && Either.isLeft(bad))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePoint = (...args: ConstructorParameters<typeof Point>): Either.Either<Point, InvalidParameterError> =>
  attempt(() => new Point(...args))

/**
 * A 2D point in WGS-84 (SRID 4326).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Neo4jDriver, Spatial } from "effect-neo4j"
 *
 * const storesNearby = Effect.gen(function* () {
 *   const driver = yield* Neo4jDriver.Neo4jDriver
 *   return yield* driver.executeQuery(
 *     "MATCH (s:Store) WHERE point.distance(s.location, $here) < 1000 RETURN s.name AS name",
 *     { here: Spatial.wgs84(-0.118, 51.509) }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const wgs84 = (longitude: number, latitude: number): Point => new Point(WGS_84_2D, longitude, latitude)

/**
 * A 3D point in WGS-84 3D (SRID 4979).
 *
 * @example
 * ```ts
 * import { Spatial } from "effect-neo4j"
 *
 * const summit = Spatial.wgs84_3d(86.925, 27.9881, 8848.86)
 * assert.deepStrictEqual([summit.srid, summit.dimension], [4979, 3])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const wgs84_3d = (longitude: number, latitude: number, height: number): Point =>
  new Point(WGS_84_3D, longitude, latitude, height)

/**
 * A 2D cartesian point (SRID 7203).
 *
 * @example
 * ```ts
 * import { Spatial } from "effect-neo4j"
 *
 * assert.strictEqual(String(Spatial.cartesian(1, 2)), "Point{srid=7203, x=1.0, y=2.0}")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cartesian = (x: number, y: number): Point => new Point(CARTESIAN_2D, x, y)

/**
 * A 3D cartesian point (SRID 9157).
 *
 * @example
 * ```ts
 * import { Spatial } from "effect-neo4j"
 *
 * assert.strictEqual(String(Spatial.cartesian3d(1, 2, 3.5)), "Point{srid=9157, x=1.0, y=2.0, z=3.5}")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cartesian3d = (x: number, y: number, z: number): Point => new Point(CARTESIAN_3D, x, y, z)

/**
 * Whether a value is a `Point`.
 *
 * @example
 * ```ts
 * import type { Record } from "effect-neo4j"
 * import { Spatial } from "effect-neo4j"
 *
 * const coordinates = (record: Record.Neo4jRecord) => {
 *   const location = record.get("location")
 *   return Spatial.isPoint(location) ? [location.x, location.y] : undefined
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isPoint = (u: unknown): u is Point => u instanceof Point
