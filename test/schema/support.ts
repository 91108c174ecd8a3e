/**
 * Helpers of the typed-query tests (QuerySchema and the Neo4jSchema value schemas), over real
 * sockets against the stub server: a driver also provided as the `Neo4jDriver` service, the
 * script lines of one `executeQuery` as a faithful Bolt 5.x / 6.0 server answers it, the
 * parameters the stub received, and graph values in the script syntax.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { Neo4jDriver } from "../../src/Neo4jDriver.js"
import type { StubServer } from "../../src/testing/index.js"
import { withDriver } from "../support.js"

/** `f` with a driver on the stub, the driver also provided as the `Neo4jDriver` service. */
export const withDriverService = <A, E>(
  stub: StubServer.StubServer,
  f: (driver: Neo4jDriver) => Effect.Effect<A, E, Neo4jDriver | Scope.Scope>
) => withDriver(stub, (driver) => Effect.provideService(f(driver), Neo4jDriver, driver))

/** RUN's SUCCESS of a faithful Bolt 5.x / 6.0 server: fields, and qid inside a transaction. */
export const runSuccess = (fields: ReadonlyArray<string>, qid?: number) =>
  `SUCCESS {"t_first": 1, "fields": ${JSON.stringify(fields)}${qid === undefined ? "" : `, "qid": ${qid}`}}`

/**
 * The script lines of one `executeQuery` (a transaction function: BEGIN, RUN, PULL, COMMIT) of
 * `text` with `parameters`, answering `fields` and `records` (script values).
 */
export const eager = (
  text: string,
  parameters: string,
  fields: ReadonlyArray<string>,
  records: ReadonlyArray<string>,
  mode: "r" | "w" = "w"
) => `C: BEGIN {"[bookmarks]": *${mode === "r" ? `, "mode": "r"` : ""}}
C: RUN ${JSON.stringify(text)} ${parameters} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   ${runSuccess(fields, 0)}
${records.map((r) => `   RECORD ${r}\n`).join("")}   SUCCESS {"type": "${mode}", "t_last": 0, "db": "neo4j"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
`

/** The parameters of the last RUN the stub received (Integers as bigints, Floats as numbers, structures as `Structure`). */
export const lastRunParameters = (stub: StubServer.StubServer) =>
  Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === "RUN").at(-1)?.fields[1])

// Bolt 5.x structures as a real server sends them (Node 0x4E: id, labels, properties, element
// id; Relationship 0x52: id, start id, end id, type, properties, element id, start and end
// element ids; UnboundRelationship 0x72: id, type, properties, element id; Path 0x50: nodes,
// unbound relationships, indices)
export const nodeScript = (id: number, labels: ReadonlyArray<string>, properties: string) =>
  `Structure<0x4E>[${id}, ${JSON.stringify(labels)}, ${properties}, "4:db:${id}"]`
export const relationshipScript = (id: number, start: number, end: number, type: string, properties: string) =>
  `Structure<0x52>[${id}, ${start}, ${end}, "${type}", ${properties}, "5:db:${id}", "4:db:${start}", "4:db:${end}"]`
export const unboundScript = (id: number, type: string, properties: string) =>
  `Structure<0x72>[${id}, "${type}", ${properties}, "5:db:${id}"]`
