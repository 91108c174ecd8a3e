/**
 * Against a real Neo4j: runs only when NEO4J_URI is set (with NEO4J_USERNAME / NEO4J_PASSWORD
 * and optionally NEO4J_DATABASE, read by `Neo4jDriverLive`), and says it was skipped otherwise.
 * Writes only nodes labelled `EffectNeo4jIT` carrying a marker unique to the run, and removes them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"

const NEO4J_URI = process.env.NEO4J_URI

if (!NEO4J_URI) {
  describe("integration", () => {
    it.skip("integration tests skipped: NEO4J_URI is not set", () => {})
  })
}

const marker = `effect-neo4j-it-${Date.now()}-${Math.random().toString(36).slice(2)}`

const withDriver = <A, E>(f: (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<A, E>) =>
  Effect.flatMap(Neo4jDriver.Neo4jDriver, f).pipe(Effect.provide(Neo4jDriver.Neo4jDriverLive))

const countMarked = (d: Neo4jDriver.Neo4jDriver) =>
  Effect.map(
    d.executeQuery("MATCH (n:EffectNeo4jIT {marker: $marker}) RETURN count(n) AS n", { marker }, { routing: "READ" }),
    (r) => Number(r.records[0]?.get("n"))
  )

describe.skipIf(!NEO4J_URI)(`integration against ${NEO4J_URI ?? "(NEO4J_URI not set)"}`, () => {
  it.live("verifyConnectivity and getServerInfo", () =>
    withDriver((d) =>
      Effect.gen(function* () {
        const info = yield* d.verifyConnectivity()
        expect(info.agent).toMatch(/^Neo4j\//)
        expect(info.protocolVersion).toMatch(/^\d+\.\d+$/)
        expect(yield* d.supportsMultiDb()).toBe(true)
      })
    )
  )

  it.live("executeQuery RETURN 1", () =>
    withDriver((d) =>
      Effect.gen(function* () {
        const { keys, records, summary } = yield* d.executeQuery("RETURN 1 AS one, $s AS s", { s: "effect" })
        expect(keys).toEqual(["one", "s"])
        expect(records.map((r) => [r.get("one"), r.get("s")])).toEqual([[1, "effect"]])
        expect(summary.queryType).toBe("r")
      })
    )
  )

  it.live("a streamed UNWIND range: every record, in batches; an early stop leaves the connection usable", () =>
    withDriver((d) =>
      Effect.gen(function* () {
        const n = 25_000
        const sum = yield* d
          .stream("UNWIND range(1, $n) AS i RETURN i", { n })
          .pipe(Stream.runFold(0, (acc, r) => acc + Number(r.get("i"))))
        expect(sum).toBe((n * (n + 1)) / 2)
        const first = yield* d.stream("UNWIND range(1, 1000000) AS i RETURN i").pipe(Stream.take(5), Stream.runCollect)
        expect(Chunk.toArray(first).map((r) => r.get("i"))).toEqual([1, 2, 3, 4, 5])
        const again = yield* d.executeQuery("RETURN 2 AS two")
        expect(again.records[0]?.get("two")).toBe(2)
      })
    )
  )

  it.live("an explicit transaction rolled back leaves nothing; executeWrite commits, and is cleaned up", () =>
    withDriver((d) =>
      Effect.gen(function* () {
        // rolled back: visible inside the transaction only
        yield* Effect.scoped(
          Effect.gen(function* () {
            const session = yield* d.session()
            const tx = yield* session.beginTransaction({ metadata: { app: "effect-neo4j-it" } })
            const created = yield* tx.run("CREATE (n:EffectNeo4jIT {marker: $marker}) RETURN n.marker AS m", { marker })
            expect((yield* created.single).get("m")).toBe(marker)
            const inside = yield* tx.run("MATCH (n:EffectNeo4jIT {marker: $marker}) RETURN count(n) AS n", { marker })
            expect(Number((yield* inside.single).get("n"))).toBe(1)
            yield* tx.rollback
          })
        )
        expect(yield* countMarked(d)).toBe(0)

        // committed by executeWrite, then removed whatever happens
        yield* Effect.scoped(
          Effect.gen(function* () {
            const session = yield* d.session()
            const summary = yield* session.executeWrite((tx) =>
              Effect.flatMap(tx.run("CREATE (:EffectNeo4jIT {marker: $marker})", { marker }), (r) => r.summary)
            )
            expect(summary.counters.nodesCreated).toBe(1)
            expect(yield* countMarked(d)).toBe(1)
          })
        ).pipe(Effect.ensuring(Effect.ignore(d.executeQuery("MATCH (n:EffectNeo4jIT {marker: $marker}) DETACH DELETE n", { marker }))))
        expect(yield* countMarked(d)).toBe(0)
      })
    )
  )
})
