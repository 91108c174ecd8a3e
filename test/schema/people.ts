/**
 * The worked example of docs/typed-queries.md: a repository of Person / KNOWS queries typed with
 * QuerySchema and Neo4jSchema. The guide shows this file (its imports from "effect-neo4j"), and
 * test/examples.test.ts checks that the two stay the same; test/schema/people.test.ts runs it
 * against the stub server.
 */
import { Schema } from "effect"
import { Cypher, cypher, Neo4jSchema, QuerySchema } from "../../src/index.js"

/** The properties of a :Person node. */
export const Person = Schema.Struct({
  name: Schema.String,
  born: Neo4jSchema.Integer,
  // a property that is not set is absent from the node: optional, not nullable
  email: Schema.optional(Schema.String)
})
export type Person = typeof Person.Type

/** A node labelled :Person, its properties decoded: a node without the label does not decode. */
export const PersonNode = Neo4jSchema.Node({ labels: ["Person"], properties: Person })

/** A :KNOWS relationship, `since` an Effect `DateTime.Utc` (a Neo4j DATETIME in the database). */
export const Knows = Neo4jSchema.Relationship({
  type: "KNOWS",
  properties: Schema.Struct({ since: Neo4jSchema.DateTimeUtc })
})

export const People = {
  /** Creates the person, or updates the one of that name. */
  save: QuerySchema.void({
    Request: Person,
    execute: (p) => cypher`MERGE (p:Person {name: ${p.name}}) SET p.born = ${p.born}, p.email = ${p.email ?? null}`
  }),

  /** `from` knows `to` since `since` (a string query: the encoded request is its parameter map). */
  knows: QuerySchema.void({
    Request: Schema.Struct({ from: Schema.String, to: Schema.String, since: Neo4jSchema.DateTimeUtc }),
    execute: "MATCH (a:Person {name: $from}), (b:Person {name: $to}) MERGE (a)-[k:KNOWS]->(b) SET k.since = $since"
  }),

  /** The person of that name, if there is one. */
  byName: QuerySchema.findOne({
    Request: Schema.String,
    Result: Schema.Struct({ person: PersonNode }),
    execute: (name) => cypher`MATCH (person:Person {name: ${name}}) RETURN person`,
    config: { routing: "READ" }
  }),

  /** Whom `name` knows, and since when. */
  friendsOf: QuerySchema.findAll({
    Request: Schema.String,
    Result: Schema.Struct({ friend: PersonNode, knows: Knows }),
    execute: (name) =>
      cypher`MATCH (:Person {name: ${name}})-[knows:KNOWS]->(friend:Person) RETURN friend, knows ORDER BY friend.name`,
    config: { routing: "READ" }
  }),

  /** The shortest chain of acquaintances between two people. */
  connection: QuerySchema.findOne({
    Request: Schema.Struct({ from: Schema.String, to: Schema.String }),
    Result: Schema.Struct({ chain: Neo4jSchema.Path({ node: PersonNode, relationship: Knows }) }),
    execute: "MATCH chain = shortestPath((:Person {name: $from})-[:KNOWS*]-(:Person {name: $to})) RETURN chain",
    config: { routing: "READ" }
  }),

  /** How many people there are. */
  count: QuerySchema.single({
    Request: Schema.Void,
    Result: Schema.Struct({ n: Neo4jSchema.Integer }),
    execute: "MATCH (p:Person) RETURN count(p) AS n",
    config: { routing: "READ" }
  }),

  /** Every name, streamed: PULLed as the consumer reads. */
  names: QuerySchema.stream({
    Request: Schema.Void,
    Result: Schema.Struct({ name: Schema.String }),
    execute: "MATCH (p:Person) RETURN p.name AS name ORDER BY name"
  }),

  /** Adds a label chosen at run time: a label cannot be a parameter, `Cypher.identifier` quotes it. */
  label: QuerySchema.void({
    Request: Schema.Struct({ name: Schema.String, label: Schema.String }),
    execute: (r) => cypher`MATCH (p:Person {name: ${r.name}}) SET p:${Cypher.identifier(r.label)}`
  })
}
