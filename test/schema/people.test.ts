/**
 * The worked example of docs/typed-queries.md (test/schema/people.ts) against the stub server,
 * Bolt 5.4, as an app would use it: the parameters each query sends as the server sees them, the
 * rows as the app sees them (nodes, relationships, a path, an Effect DateTime, an Integer), and
 * the errors a schema that does not match the data gives: a node without the label, an Integer
 * beyond Number.MAX_SAFE_INTEGER.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Option, Stream } from "effect"
import { StubServer } from "../../src/testing/index.js"
import { failureOf, HEAD } from "../support.js"
import { People } from "./people.js"
import { eager, nodeScript, relationshipScript, runSuccess, unboundScript, withDriverService } from "./support.js"

const SINCE = DateTime.unsafeMake("2020-01-01T00:00:00Z")
/** SINCE as a Bolt 5 DateTime: UTC seconds, nanoseconds, offset */
const SINCE_WIRE = "Structure<0x49>[1577836800, 0, 0]"
const ADA = nodeScript(1, ["Person"], `{"name": "Ada", "born": 1815, "email": "ada@example.com"}`)
const GRACE = nodeScript(2, ["Person"], `{"name": "Grace", "born": 1906}`)
const KNOWS = relationshipScript(10, 1, 2, "KNOWS", `{"since": ${SINCE_WIRE}}`)

describe("the Person / KNOWS repository of docs/typed-queries.md (Bolt 5.4)", () => {
  it.scopedLive("writes: the requests encoded into parameters, a label quoted as an identifier", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager("MERGE (p:Person {name: $p0}) SET p.born = $p1, p.email = $p2", `{"p0": "Ada", "p1": 1815, "p2": "ada@example.com"}`, [], [])
        }${eager("MERGE (p:Person {name: $p0}) SET p.born = $p1, p.email = $p2", `{"p0": "Grace", "p1": 1906, "p2": null}`, [], [])}${
          eager(
            "MATCH (a:Person {name: $from}), (b:Person {name: $to}) MERGE (a)-[k:KNOWS]->(b) SET k.since = $since",
            `{"from": "Ada", "to": "Grace", "since": ${SINCE_WIRE}}`,
            [],
            []
          )
        }${eager("MATCH (p:Person {name: $p0}) SET p:`Admin`", `{"p0": "Ada"}`, [], [])}?: GOODBYE
`
      })
      yield* withDriverService(stub, () =>
        Effect.gen(function* () {
          yield* People.save({ name: "Ada", born: 1815, email: "ada@example.com" })
          yield* People.save({ name: "Grace", born: 1906 })
          yield* People.knows({ from: "Ada", to: "Grace", since: SINCE })
          yield* People.label({ name: "Ada", label: "Admin" })
        }))
      yield* stub.verify
    })
  )

  it.scopedLive("reads: a node, a node and a relationship, a path, a count and a stream, decoded", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${eager("MATCH (person:Person {name: $p0}) RETURN person", `{"p0": "Ada"}`, ["person"], [`[${ADA}]`], "r")}${
          eager(
            "MATCH (:Person {name: $p0})-[knows:KNOWS]->(friend:Person) RETURN friend, knows ORDER BY friend.name",
            `{"p0": "Ada"}`,
            ["friend", "knows"],
            [`[${GRACE}, ${KNOWS}]`],
            "r"
          )
        }${
          eager(
            "MATCH chain = shortestPath((:Person {name: $from})-[:KNOWS*]-(:Person {name: $to})) RETURN chain",
            `{"from": "Grace", "to": "Ada"}`,
            ["chain"],
            // Grace <-KNOWS- Ada: the relationship walked against its direction
            [`[Structure<0x50>[[${GRACE}, ${ADA}], [${unboundScript(10, "KNOWS", `{"since": ${SINCE_WIRE}}`)}], [-1, 1]]]`],
            "r"
          )
        }${eager("MATCH (p:Person) RETURN count(p) AS n", "{}", ["n"], ["[2]"], "r")}C: RUN "MATCH (p:Person) RETURN p.name AS name ORDER BY name" {} {"[bookmarks]": *}
C: PULL {"n": 1000}
S: ${runSuccess(["name"])}
   RECORD ["Ada"]
   RECORD ["Grace"]
   SUCCESS {"type": "r", "t_last": 0, "db": "neo4j", "bookmark": "FB:2"}
?: GOODBYE
`
      })
      const [ada, friends, chain, count, names] = yield* withDriverService(stub, () =>
        Effect.all([
          People.byName("Ada"),
          People.friendsOf("Ada"),
          People.connection({ from: "Grace", to: "Ada" }),
          People.count(),
          Stream.runCollect(People.names())
        ]))
      const person = Option.getOrThrow(ada).person
      expect(person.labels).toEqual(["Person"])
      expect(person.elementId).toBe("4:db:1")
      expect(person.properties).toEqual({ name: "Ada", born: 1815, email: "ada@example.com" })

      expect(friends).toHaveLength(1)
      expect(friends[0]!.friend.properties).toEqual({ name: "Grace", born: 1906 })
      expect(friends[0]!.knows.type).toBe("KNOWS")
      expect(DateTime.formatIso(friends[0]!.knows.properties.since)).toBe("2020-01-01T00:00:00.000Z")

      const path = Option.getOrThrow(chain).chain
      expect(path.nodes.map((n) => n.properties.name)).toEqual(["Grace", "Ada"])
      const step = path.segments[0]!
      // the relationship keeps its direction: Ada -> Grace
      expect([step.relationship.start, step.relationship.end]).toEqual([1, 2])
      expect(DateTime.toEpochMillis(step.relationship.properties.since)).toBe(DateTime.toEpochMillis(SINCE))

      expect(count).toEqual({ n: 2 })
      expect(Chunk.toArray(names)).toEqual([{ name: "Ada" }, { name: "Grace" }])
      yield* stub.verify
    })
  )

  it.scopedLive("data that does not match: a node without the label, an Integer beyond Number.MAX_SAFE_INTEGER", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}${
          eager("MATCH (person:Person {name: $p0}) RETURN person", `{"p0": "Acme"}`, ["person"], [`[${nodeScript(9, ["Company"], `{"name": "Acme"}`)}]`], "r")
        }${eager("MATCH (p:Person) RETURN count(p) AS n", "{}", ["n"], ["[9007199254740993]"], "r")}?: GOODBYE
`
      })
      const [wrongLabel, unsafe] = yield* withDriverService(stub, () =>
        Effect.all([Effect.exit(People.byName("Acme")), Effect.exit(People.count())]))
      const labelError = failureOf(wrongLabel)
      expect(labelError).toMatchObject({
        _tag: "QueryResultError",
        query: "MATCH (person:Person {name: $p0}) RETURN person",
        index: 0,
        column: "person"
      })
      expect(labelError.message).toContain(`Expected a node labelled :Person, actual (4:db:9:Company {name: "Acme"})`)
      const integerError = failureOf(unsafe)
      expect(integerError).toMatchObject({ _tag: "QueryResultError", index: 0, column: "n" })
      expect(integerError.message).toContain("Expected a safe integer (Neo4jSchema.BigInteger reads any Integer), actual 9007199254740993n")
      yield* stub.verify
    })
  )
})
