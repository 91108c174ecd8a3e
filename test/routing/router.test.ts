/**
 * Routing acceptance tests: `neo4j://` through the public driver API, over real sockets, against
 * several scripted stub servers at once that name each other in their routing tables (ports
 * chosen up front with `freePorts`). Counts of ROUTE, BEGIN and RUN messages seen by each stub
 * are the evidence: where reads and writes went, when the table was refreshed, how the home
 * database was resolved.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Schedule, Scope, Stream, TestClock } from "effect"
import * as Auth from "../../src/Auth.js"
import type * as Bookmarks from "../../src/Bookmarks.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import type { Session } from "../../src/Session.js"
import { StubServer } from "../../src/testing/index.js"
import { count, HEAD, realSleep } from "../support.js"

// ---------------------------------------------------------------------------------------------
// helpers

const addr = (port: number) => `127.0.0.1:${port}`

/** A ROUTE SUCCESS line naming the members by role. */
const routeSuccess = (t: {
  readonly ttl?: number
  readonly db?: string
  readonly routers: ReadonlyArray<string>
  readonly readers: ReadonlyArray<string>
  readonly writers: ReadonlyArray<string>
}) =>
  `S: SUCCESS ${JSON.stringify({
    rt: {
      ttl: t.ttl ?? 300,
      ...(t.db !== undefined ? { db: t.db } : {}),
      servers: [
        { addresses: t.routers, role: "ROUTE" },
        { addresses: t.readers, role: "READ" },
        { addresses: t.writers, role: "WRITE" }
      ]
    }
  })}`

/** One transaction (BEGIN + RUN + PULL pipelined, then COMMIT) answered with a record naming the server. */
const txBlock = (name: string) => `
C: BEGIN *
C: RUN * * *
C: PULL *
S: SUCCESS {}
   SUCCESS {"fields": ["server"]}
   RECORD ["${name}"]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:${name}"}
`

/** A server that answers, in any order and any number of times: ROUTE (with `route`), transactions, RESET. */
const serverScript = (name: string, route: string | undefined, header = "!: BOLT 5.4\nA: HELLO\nA: LOGON") => `${header}
{*
{{
${route !== undefined ? `C: ROUTE * * *\n${route}\n----` : ""}
${txBlock(name)}
----
C: RUN * * *
C: PULL *
S: SUCCESS {"fields": ["server"]}
   RECORD ["${name}"]
   SUCCESS {"type": "r", "bookmark": "FB:${name}-auto"}
----
C: RESET
S: SUCCESS {}
}}
*}
?: GOODBYE
`

const fast = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(5)))

const driverFor = (uri: string, options: Neo4jDriver.MakeOptions = { retry: fast }) =>
  Neo4jDriver.make({ uri, auth: Auth.basic("neo4j", "pw") }, options)

const routes = (stub: StubServer.StubServer) => count(stub, "ROUTE")

/** The last field (the `extra` map, or ROUTE's) of every message `name` a stub received. */
const extras = (stub: StubServer.StubServer, name: string) =>
  Effect.map(stub.received(), (ms) =>
    ms.filter((m) => m.name === name).map((m) => m.fields[m.fields.length - 1] as Record<string, unknown> | null)
  )

/** The server that answered a `RETURN` through executeQuery (database "neo4j"; `null`: the home database). */
const served = (driver: Neo4jDriver.Neo4jDriver, routing: "READ" | "WRITE", database: string | null = "neo4j") =>
  Effect.map(
    driver.executeQuery("RETURN 1", {}, { routing, ...(database !== null ? { database } : {}) }),
    (r) => r.records[0]!.get("server") as string
  )

/** A read transaction function that reads its records. */
const readIn = (session: Session) => session.executeRead((tx) => Effect.flatMap(tx.run("RETURN 1"), (r) => r.list))

interface Cluster {
  readonly a: StubServer.StubServer
  readonly b: StubServer.StubServer
  readonly c: StubServer.StubServer
  readonly uri: string
}

/** A: router and writer; B and C: readers. */
const cluster = (ttl = 300): Effect.Effect<Cluster, never, Scope.Scope> =>
  Effect.gen(function* () {
    const [pa, pb, pc] = yield* StubServer.freePorts(3)
    const table = routeSuccess({ ttl, db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!), addr(pc!)], writers: [addr(pa!)] })
    const a = yield* StubServer.make({ port: pa!, script: serverScript("A", table) })
    const b = yield* StubServer.make({ port: pb!, script: serverScript("B", undefined) })
    const c = yield* StubServer.make({ port: pc!, script: serverScript("C", undefined) })
    return { a, b, c, uri: a.uri("neo4j") }
  })

// ---------------------------------------------------------------------------------------------

describe("a three-member cluster", () => {
  it.scopedLive("reads go to the readers, balanced; writes go to the writer", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster()
      const { reads, concurrent, writes } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          const reads: Array<string> = []
          for (let i = 0; i < 4; i++) reads.push(yield* served(driver, "READ"))
          const concurrent = yield* Effect.all(Array.from({ length: 4 }, () => served(driver, "READ")), { concurrency: "unbounded" })
          const writes: Array<string> = []
          for (let i = 0; i < 3; i++) writes.push(yield* served(driver, "WRITE"))
          return { reads, concurrent, writes }
        })
      )
      expect(reads.filter((s) => s === "B").length).toBe(2)
      expect(reads.filter((s) => s === "C").length).toBe(2)
      expect(concurrent).toContain("B")
      expect(concurrent).toContain("C")
      expect(concurrent).not.toContain("A")
      expect(writes).toEqual(["A", "A", "A"])
      // one table for database "neo4j", fetched once (TTL 300 s)
      expect(yield* routes(a)).toBe(1)
      expect(yield* routes(b)).toBe(0)
      expect(yield* routes(c)).toBe(0)
      expect((yield* count(b, "BEGIN")) + (yield* count(c, "BEGIN"))).toBe(8)
      expect(yield* count(a, "BEGIN")).toBe(3)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))
})

describe("table refresh", () => {
  it.scopedLive("concurrent first requests share one ROUTE", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster()
      const answers = yield* Effect.scoped(
        Effect.flatMap(driverFor(uri), (driver) =>
          Effect.all(
            Array.from({ length: 6 }, (_, i) => served(driver, i % 3 === 0 ? "WRITE" : "READ")),
            { concurrency: "unbounded" }
          )
        )
      )
      expect(answers.filter((s) => s === "A").length).toBe(2)
      expect(yield* routes(a)).toBe(1)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("when every known router fails, the seed is resolved again and asked", () =>
    Effect.gen(function* () {
      const [ps, px] = yield* StubServer.freePorts(2)
      // S: the seed, serving everything, whose table names X as the only router (TTL 0: stale at once)
      const table = routeSuccess({ ttl: 0, db: "neo4j", routers: [addr(px!)], readers: [addr(ps!)], writers: [addr(ps!)] })
      const s = yield* StubServer.make({ port: ps!, script: serverScript("S", table) })
      const x = yield* StubServer.make({
        port: px!,
        script: `${HEAD}{*
C: ROUTE * * *
S: FAILURE {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "not now"}
C: RESET
S: SUCCESS {}
*}
?: GOODBYE
`
      })
      let resolved = 0
      const resolver = (address: string) =>
        Effect.sync(() => {
          resolved++
          return [address]
        })
      const answers = yield* Effect.scoped(
        Effect.flatMap(driverFor(`neo4j://${s.address}`, { resolver, retry: fast }), (driver) =>
          Effect.all([served(driver, "READ"), served(driver, "WRITE")])
        )
      )
      expect(answers).toEqual(["S", "S"])
      // the first discovery knows no router: the seed; the second asks X first, then the seed
      expect(yield* routes(x)).toBe(1)
      expect(yield* routes(s)).toBe(2)
      expect(resolved).toBe(2)
      yield* s.verify
      yield* x.verify
    }))

  // TestClock (it.scoped): the TTL is read from Effect's Clock, so the test moves time itself
  it.scoped("the table is refreshed after its TTL (1 s) and not before", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster(1)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          yield* served(driver, "READ")
          expect(yield* routes(a)).toBe(1)
          yield* served(driver, "WRITE")
          yield* TestClock.adjust("999 millis")
          yield* served(driver, "READ")
          yield* served(driver, "WRITE")
          // 1 ms before the end of a 1 s TTL: still the first table
          expect(yield* routes(a)).toBe(1)
          yield* TestClock.adjust("1 millis")
          yield* served(driver, "READ")
          expect(yield* routes(a)).toBe(2)
          yield* served(driver, "WRITE")
          yield* served(driver, "READ")
          expect(yield* routes(a)).toBe(2)
        })
      )
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))
})

describe("failover", () => {
  it.scopedLive("a reader dies mid-transaction: the function is retried on the other reader, the dead one is forgotten until a new table lists it", () =>
    Effect.gen(function* () {
      const [pa, pb, pc] = yield* StubServer.freePorts(3)
      const table = routeSuccess({ ttl: 1, db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!), addr(pc!)], writers: [addr(pa!)] })
      const a = yield* StubServer.make({ port: pa!, script: serverScript("A", table) })
      // B's first connection dies after BEGIN + RUN + PULL; its second one (after the refresh) works
      const dying = `${HEAD}C: BEGIN *
C: RUN "RETURN 1" {} {}
C: PULL *
S: <EXIT>
`
      const b = yield* StubServer.make({ port: pb!, scripts: [dying, serverScript("B", undefined)] })
      const c = yield* StubServer.make({ port: pc!, script: serverScript("C", undefined) })
      const { first, attempts, after, refreshed } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          let attempts = 0
          // the first read of a fresh driver goes to the first reader listed: B
          const first = yield* Effect.scoped(
            Effect.flatMap(driver.session({ database: "neo4j" }), (session) =>
              session.executeRead((tx) =>
                Effect.gen(function* () {
                  attempts++
                  const result = yield* tx.run("RETURN 1")
                  return (yield* result.single).get("server") as string
                })
              )
            )
          )
          const after: Array<string> = []
          for (let i = 0; i < 4; i++) after.push(yield* served(driver, "READ"))
          yield* realSleep(1100)
          const refreshed: Array<string> = []
          for (let i = 0; i < 4; i++) refreshed.push(yield* served(driver, "READ"))
          return { first, attempts, after, refreshed }
        })
      )
      expect(first).toBe("C")
      expect(attempts).toBe(2)
      expect(after).toEqual(["C", "C", "C", "C"])
      expect(refreshed).toContain("B")
      expect(refreshed).toContain("C")
      expect(yield* routes(a)).toBe(2)
      expect(yield* b.connectionCount).toBe(2)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("a reader dies in the middle of an auto-commit stream: the error surfaces (no retry) and the reader is forgotten", () =>
    Effect.gen(function* () {
      const [pa, pb, pc] = yield* StubServer.freePorts(3)
      const table = routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!), addr(pc!)], writers: [addr(pa!)] })
      const a = yield* StubServer.make({ port: pa!, script: serverScript("A", table) })
      const b = yield* StubServer.make({
        port: pb!,
        script: `${HEAD}C: RUN "RETURN 1" {} {"db": "neo4j", "mode": "r"}
C: PULL *
S: SUCCESS {"fields": ["server"]}
   RECORD ["B"]
   <EXIT>
`
      })
      const c = yield* StubServer.make({ port: pc!, script: serverScript("C", undefined) })
      const { error, later } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          const error = yield* Effect.flip(
            Stream.runCollect(driver.stream("RETURN 1", {}, { routing: "READ", database: "neo4j" }))
          )
          const later: Array<string> = []
          for (let i = 0; i < 4; i++) later.push(yield* served(driver, "READ"))
          return { error, later }
        })
      )
      expect(["ServiceUnavailableError", "SessionExpiredError"]).toContain(error._tag)
      expect(later).toEqual(["C", "C", "C", "C"])
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("a reader that went away between transactions: the lease goes to the other reader", () =>
    Effect.gen(function* () {
      const [pa, pb, pc] = yield* StubServer.freePorts(3)
      const table = routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!), addr(pc!)], writers: [addr(pa!)] })
      const a = yield* StubServer.make({ port: pa!, script: serverScript("A", table) })
      const bScope = yield* Scope.make()
      const b = yield* Scope.extend(StubServer.make({ port: pb!, script: serverScript("B", undefined) }), bScope)
      const c = yield* StubServer.make({ port: pc!, script: serverScript("C", undefined) })
      const { first, later } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"), { retry: Schedule.stop })
          const first = [yield* served(driver, "READ"), yield* served(driver, "READ")]
          yield* b.verify
          yield* Scope.close(bScope, Exit.void)
          const later: Array<string> = []
          // no retries allowed: the lease itself must skip B
          for (let i = 0; i < 4; i++) later.push(yield* served(driver, "READ"))
          return { first, later }
        })
      )
      expect([...first].sort()).toEqual(["B", "C"])
      expect(later).toEqual(["C", "C", "C", "C"])
      expect(yield* routes(a)).toBe(1)
      yield* a.verify
      yield* c.verify
    }))

  it.scopedLive("a writer that cannot be reached is forgotten; the next attempt fetches a table with a new writer", () =>
    Effect.gen(function* () {
      const [pa, pb, px] = yield* StubServer.freePorts(3)
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!)], writers: [addr(px!)] })}
C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!)], writers: [addr(pa!)] })}
${txBlock("A")}
?: GOODBYE
`
      })
      const b = yield* StubServer.make({ port: pb!, script: serverScript("B", undefined) })
      const writer = yield* Effect.scoped(Effect.flatMap(driverFor(a.uri("neo4j")), (driver) => served(driver, "WRITE")))
      expect(writer).toBe("A")
      expect(yield* routes(a)).toBe(2)
      yield* a.verify
      yield* b.verify
    }))

  it.scopedLive("a writer answers NotALeader: a new ROUTE names another writer, and the write goes there", () =>
    Effect.gen(function* () {
      const [pa, pb, pd] = yield* StubServer.freePorts(3)
      const before = routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!)], writers: [addr(pa!)] })
      const after = routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!)], writers: [addr(pd!)] })
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "neo4j"}
${before}
C: BEGIN *
C: RUN "CREATE ()" {} {}
C: PULL *
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Cluster.NotALeader", "message": "No write operations are allowed on this database. This is a read only Neo4j instance."}
   IGNORED
C: RESET
S: SUCCESS {}
C: ROUTE * * {"db": "neo4j"}
${after}
?: GOODBYE
`
      })
      const b = yield* StubServer.make({ port: pb!, script: serverScript("B", undefined) })
      const d = yield* StubServer.make({ port: pd!, script: serverScript("D", undefined) })
      const { writer, attempts, next } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          let attempts = 0
          const writer = yield* Effect.scoped(
            Effect.flatMap(driver.session({ database: "neo4j" }), (session) =>
              session.executeWrite((tx) =>
                Effect.gen(function* () {
                  attempts++
                  const result = yield* tx.run("CREATE ()")
                  return (yield* result.list).pipe((records) => [...records][0]?.get("server") as string)
                })
              )
            )
          )
          const next = yield* served(driver, "WRITE")
          return { writer, attempts, next }
        })
      )
      expect(writer).toBe("D")
      expect(attempts).toBe(2)
      expect(next).toBe("D")
      expect(yield* routes(a)).toBe(2)
      expect(yield* count(b, "BEGIN")).toBe(0)
      yield* a.verify
      yield* b.verify
      yield* d.verify
    }))
})

describe("database unavailable", () => {
  it.scopedLive("a member answering DatabaseUnavailable is forgotten for that database: the retry fetches a new table and goes elsewhere", () =>
    Effect.gen(function* () {
      const [pa, pb, pc] = yield* StubServer.freePorts(3)
      const first = routeSuccess({ db: "adb", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pb!)] })
      const second = routeSuccess({ db: "adb", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pc!)] })
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "adb"}
${first}
C: ROUTE * * {"db": "adb"}
${second}
?: GOODBYE
`
      })
      const b = yield* StubServer.make({
        port: pb!,
        script: `${HEAD}C: BEGIN *
C: RUN "RETURN 1 as n" {} {}
C: PULL *
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   FAILURE {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "Database is busy doing store copy"}
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const c = yield* StubServer.make({ port: pc!, script: serverScript("C", undefined) })
      let attempts = 0
      const writer = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          return yield* Effect.scoped(
            Effect.flatMap(driver.session({ database: "adb" }), (session) =>
              session.executeWrite((tx) =>
                Effect.gen(function* () {
                  attempts++
                  const result = yield* tx.run("RETURN 1 as n")
                  return [...(yield* result.list)][0]?.get("server") as string
                })
              )
            )
          )
        })
      )
      expect(writer).toBe("C")
      expect(attempts).toBe(2)
      expect(yield* routes(a)).toBe(2)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))
})

describe("writers", () => {
  it.scopedLive("a table without writers (a leader election): the write fetches tables until one names a writer", () =>
    Effect.gen(function* () {
      const [pa] = yield* StubServer.freePorts(1)
      const self = [addr(pa!)]
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: self, readers: self, writers: [] })}
C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: self, readers: self, writers: self })}
${txBlock("A")}
?: GOODBYE
`
      })
      const writer = yield* Effect.scoped(Effect.flatMap(driverFor(a.uri("neo4j")), (driver) => served(driver, "WRITE")))
      expect(writer).toBe("A")
      expect(yield* routes(a)).toBe(2)
      yield* a.verify
    }))

  it.scopedLive("NotALeader on an auto-commit query: the error surfaces, and the next write fetches a new table", () =>
    Effect.gen(function* () {
      const [pa, pd] = yield* StubServer.freePorts(2)
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pa!)] })}
C: RUN "CREATE ()" {} {"db": "neo4j"}
C: PULL *
S: FAILURE {"code": "Neo.ClientError.Cluster.NotALeader", "message": "not the leader"}
   IGNORED
C: RESET
S: SUCCESS {}
C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pd!)] })}
?: GOODBYE
`
      })
      const d = yield* StubServer.make({ port: pd!, script: serverScript("D", undefined) })
      const { error, next } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          const error = yield* Effect.flip(Stream.runCollect(driver.stream("CREATE ()", {}, { database: "neo4j" })))
          return { error, next: yield* served(driver, "WRITE") }
        })
      )
      expect(error._tag).toBe("ClientError")
      expect("code" in error ? error.code : undefined).toBe("Neo.ClientError.Cluster.NotALeader")
      expect(next).toBe("D")
      expect(yield* routes(a)).toBe(2)
      yield* a.verify
      yield* d.verify
    }))

  it.scopedLive("NotALeader in an explicit transaction the user then rolls back: the next write still fetches a new table", () =>
    Effect.gen(function* () {
      const [pa, pd] = yield* StubServer.freePorts(2)
      const a = yield* StubServer.make({
        port: pa!,
        script: `${HEAD}C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pa!)] })}
C: BEGIN {"db": "neo4j"}
C: RUN "CREATE ()" {} {}
C: PULL *
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Cluster.NotALeader", "message": "not the leader"}
   IGNORED
C: RESET
S: SUCCESS {}
C: ROUTE * * {"db": "neo4j"}
${routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pa!)], writers: [addr(pd!)] })}
?: GOODBYE
`
      })
      const d = yield* StubServer.make({ port: pd!, script: serverScript("D", undefined) })
      const { error, next } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          const session = yield* driver.session({ database: "neo4j" })
          const tx = yield* session.beginTransaction()
          const error = yield* Effect.flip(tx.run("CREATE ()"))
          yield* tx.rollback
          return { error, next: yield* served(driver, "WRITE") }
        })
      )
      expect(error._tag === "ClientError" ? error.code : error._tag).toBe("Neo.ClientError.Cluster.NotALeader")
      expect(next).toBe("D")
      expect(yield* routes(a)).toBe(2)
      yield* a.verify
      yield* d.verify
    }))
})

describe("routingTable and updateRoutingTable", () => {
  it.scopedLive("None before a fetch; updateRoutingTable fetches now (ROUTE with the bookmarks given); the table as held, home database included", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster(1000)
      const [before, named, home, again] = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          const before = yield* driver.routingTable("neo4j")
          yield* driver.updateRoutingTable({ database: "neo4j", bookmarks: ["FB:x"] })
          const named = yield* driver.routingTable("neo4j")
          yield* driver.updateRoutingTable()
          const home = yield* driver.routingTable()
          // forced: a second fetch although the table is fresh
          yield* driver.updateRoutingTable({ database: "neo4j" })
          return [before, named, home, yield* driver.routingTable("neo4j")] as const
        })
      )
      expect(Option.isNone(before)).toBe(true)
      const t = Option.getOrThrow(named)
      expect(t.database).toBe("neo4j")
      expect(t.ttl).toBe(1000)
      expect(t.routers).toEqual([a.address])
      expect([...t.readers].sort()).toEqual([b.address, c.address].sort())
      expect(t.writers).toEqual([a.address])
      expect(Option.map(home, (h) => h.database)).toEqual(Option.some("neo4j"))
      expect(Option.isSome(again)).toBe(true)
      const routed = (yield* a.received()).filter((m) => m.name === "ROUTE").map((m) => m.fields[1])
      expect(routed).toEqual([["FB:x"], [], []])
    }))

  it.scopedLive("a member whose connection breaks mid-work leaves the table at once, before the work ends", () =>
    Effect.gen(function* () {
      const [pa, pb] = yield* StubServer.freePorts(2)
      const table = routeSuccess({ db: "neo4j", routers: [addr(pa!)], readers: [addr(pb!)], writers: [addr(pa!)] })
      const a = yield* StubServer.make({ port: pa!, script: serverScript("A", table) })
      yield* StubServer.make({
        port: pb!,
        verifyOnClose: false,
        script: `${HEAD}C: BEGIN *
C: RUN * * *
C: PULL *
S: <EXIT>
`
      })
      const [error, readers] = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(a.uri("neo4j"))
          const session = yield* driver.session({ database: "neo4j", defaultAccessMode: "READ" })
          const tx = yield* session.beginTransaction()
          const error = yield* Effect.flip(Effect.flatMap(tx.run("RETURN 1"), (r) => r.list))
          // the transaction's scope is still open: the table already left the reader out
          const readers = Option.getOrThrow(yield* driver.routingTable("neo4j")).readers
          return [error, readers] as const
        })
      )
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(readers).toEqual([])
    }))

  it.scopedLive("bolt://: no routing table, and updateRoutingTable does nothing", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: serverScript("A", undefined) })
      const table = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri())
          yield* driver.updateRoutingTable({ database: "neo4j" })
          return yield* driver.routingTable("neo4j")
        })
      )
      expect(Option.isNone(table)).toBe(true)
      expect(yield* stub.received()).toEqual([])
    }))
})

describe("initial routers", () => {
  it.scopedLive("the custom resolver's names go through the domain-name resolver; each initial router is tried until one answers", () =>
    Effect.gen(function* () {
      const [p1, p2, pr] = yield* StubServer.freePorts(3)
      const table = routeSuccess({ db: "adb", routers: [addr(p2!)], readers: [addr(pr!)], writers: [addr(pr!)] })
      const failing = yield* StubServer.make({
        port: p1!,
        script: `${HEAD}C: ROUTE * * *
S: FAILURE {"code": "Neo.ClientError.General.Unknown", "message": "wut!"}
C: RESET
S: SUCCESS {}
?: GOODBYE
`
      })
      const router = yield* StubServer.make({ port: p2!, script: serverScript("R", table) })
      const reader = yield* StubServer.make({ port: pr!, script: serverScript("reader", undefined) })
      const names: Array<string> = []
      const server = yield* Effect.scoped(
        Effect.flatMap(
          driverFor(`neo4j://seed.example:${p1}`, {
            retry: fast,
            resolver: () => Effect.succeed([`host1:${p1}`, `host2:${p2}`]),
            domainNameResolver: (host) =>
              Effect.sync(() => {
                names.push(host)
                return ["127.0.0.1"]
              })
          }),
          (driver) => served(driver, "READ", "adb")
        )
      )
      expect(server).toBe("reader")
      expect(names).toEqual(["host1", "host2"])
      expect(yield* routes(failing)).toBe(1)
      expect(yield* routes(router)).toBe(1)
      yield* failing.verify
      yield* router.verify
      yield* reader.verify
    }))
})

describe("discovery errors", () => {
  it.scopedLive("no router reachable: ServiceUnavailableError (NoRouters) naming each router and its failure", () =>
    Effect.gen(function* () {
      // p1, p2: nothing listens; t: a router whose database is unavailable
      const [p1, p2] = yield* StubServer.freePorts(2)
      const t = yield* StubServer.make({
        script: `${HEAD}{*
C: ROUTE * * *
S: FAILURE {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "The database is starting"}
C: RESET
S: SUCCESS {}
*}
?: GOODBYE
`
      })
      const resolver = () => Effect.succeed([addr(p1!), addr(p2!), t.address])
      const { viaVerify, viaQuery } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(`neo4j://${addr(p1!)}`, { resolver, retry: Schedule.recurs(1) })
          const viaVerify = yield* Effect.flip(driver.verifyConnectivity())
          const viaQuery = yield* Effect.flip(driver.executeQuery("RETURN 1", {}, { database: "neo4j" }))
          return { viaVerify, viaQuery }
        })
      )
      for (const error of [viaVerify, viaQuery]) {
        expect(error._tag).toBe("ServiceUnavailableError")
        if (error._tag !== "ServiceUnavailableError") continue
        expect(error.reason).toBe("NoRouters")
        expect(error.message).toContain(`  - ${addr(p1!)}: connection refused`)
        expect(error.message).toContain(`  - ${addr(p2!)}: connection refused`)
        expect(error.message).toContain(
          `  - ${t.address}: TransientError Neo.TransientError.General.DatabaseUnavailable: The database is starting`
        )
      }
      expect(viaVerify.message).toContain("the home database")
      expect(viaQuery.message).toContain(`database "neo4j"`)
      // verifyConnectivity: one discovery; executeQuery: two attempts (recurs(1))
      expect(yield* routes(t)).toBe(3)
      yield* t.verify
    }))

  it.scopedLive("database not found fails fast with its ClientError: one ROUTE, no retry", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: ROUTE * [] {"db": "missing"}
S: FAILURE {"code": "Neo.ClientError.Database.DatabaseNotFound", "message": "Database does not exist. Database name: 'missing'."}
*: RESET
?: GOODBYE
`
      })
      const start = Date.now()
      const error = yield* Effect.scoped(
        Effect.flatMap(driverFor(stub.uri("neo4j"), {}), (driver) =>
          // the default retry schedule: a retriable error would wait about 1 s before the next attempt
          Effect.flip(driver.executeQuery("RETURN 1", {}, { database: "missing", bookmarkManager: null }))
        )
      )
      expect(Date.now() - start).toBeLessThan(900)
      expect(error._tag).toBe("ClientError")
      expect("code" in error ? error.code : undefined).toBe("Neo.ClientError.Database.DatabaseNotFound")
      expect(error.message).toContain("Database does not exist")
      expect(yield* routes(stub)).toBe(1)
      expect(yield* stub.connectionCount).toBe(1)
      yield* stub.verify
    }))

  it.scopedLive("a server that is not a cluster: the message says so", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${HEAD}C: ROUTE * * *
S: FAILURE {"code": "Neo.ClientError.Procedure.ProcedureNotFound", "message": "There is no procedure with the name \`dbms.routing.getRoutingTable\` registered for this database instance."}
*: RESET
?: GOODBYE
`
      })
      const error = yield* Effect.scoped(Effect.flatMap(driverFor(stub.uri("neo4j")), (driver) => Effect.flip(driver.verifyConnectivity())))
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(error._tag === "ServiceUnavailableError" ? error.reason : undefined).toBe("NoRouters")
      expect(error.message).toContain(`${stub.address}: not a cluster: routing procedure unavailable`)
      expect(error.message).toContain("bolt://")
      // retrying cannot help, so transaction functions do not retry it
      expect(error._tag === "ServiceUnavailableError" && error.retriable).toBe(false)
      expect(yield* routes(stub)).toBe(1)
      yield* stub.verify
    }))
})

describe("home database resolution", () => {
  /** One server in every role, as a single-instance cluster answers. */
  const single = (header: string, hello: string, db = "neo4j", logon = "A: LOGON") =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const self = [addr(port!)]
      const table = routeSuccess({ db, routers: self, readers: self, writers: self })
      return yield* StubServer.make({ port: port!, script: serverScript("S", table, `${header}\n${hello}\n${logon}`) })
    })

  const plainHello = "A: HELLO"
  const ssrHello = `C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"ssr.enabled": true}}`

  /**
   * Session 1 runs two transactions, sessions 2 and 3 one each; none names a database.
   * `afterEach` runs after each transaction.
   */
  const threeSessions = (uri: string, afterEach: Effect.Effect<void> = Effect.void) =>
    Effect.scoped(
      Effect.gen(function* () {
        const driver = yield* driverFor(uri)
        const read = (session: Session) => Effect.zipLeft(readIn(session), afterEach)
        yield* Effect.scoped(
          Effect.gen(function* () {
            const s1 = yield* driver.session()
            yield* read(s1)
            yield* read(s1)
          })
        )
        yield* Effect.scoped(Effect.flatMap(driver.session(), read))
        yield* Effect.scoped(Effect.flatMap(driver.session(), read))
      })
    )

  for (const [label, header, hello, logon] of [
    ["Bolt 4.4", "!: BOLT 4.4", plainHello, ""],
    ["Bolt 5.4", "!: BOLT 5.4", plainHello],
    ["Bolt 5.8 without the ssr.enabled hint", "!: MANIFEST 5.8-5.0 4.4", plainHello],
    ["Bolt 5.8 with ssr.enabled false", "!: MANIFEST 5.8-5.0 4.4", ssrHello.replace("true", "false")]
  ] as const) {
    // without server-side routing a home database name held for the table's TTL could be stale
    // (ALTER USER ... SET HOME DATABASE) and send queries to the wrong database: as the reference
    // drivers do (and TestKit counts), each session resolves it again, within the TTL too
    it.scopedLive(`no cache (${label}): each session sends its own ROUTE with no db before its first transaction; transactions carry db`, () =>
      Effect.gen(function* () {
        const stub = yield* single(header, hello, "neo4j", logon)
        // [ROUTEs, BEGINs] the stub has received after each transaction (received() lists the
        // messages connection by connection, not in the order they arrived)
        const tallies: Array<readonly [number, number]> = []
        const tally = Effect.map(Effect.all([routes(stub), count(stub, "BEGIN")]), (t) => {
          tallies.push(t)
        })
        yield* threeSessions(stub.uri("neo4j"), tally)
        const routeExtras = yield* extras(stub, "ROUTE")
        expect(routeExtras).toEqual([{}, {}, {}])
        // session 1 resolves once for its two transactions; sessions 2 and 3 resolve again
        expect(tallies).toEqual([
          [1, 1],
          [1, 2],
          [2, 3],
          [3, 4]
        ])
        const begins = yield* extras(stub, "BEGIN")
        expect(begins.map((e) => e?.db)).toEqual(["neo4j", "neo4j", "neo4j", "neo4j"])
        yield* stub.verify
      }))
  }

  it.scopedLive("Bolt 5.8 + ssr.enabled: after the first resolution, sessions send no ROUTE and BEGIN omits db", () =>
    Effect.gen(function* () {
      const stub = yield* single("!: MANIFEST 5.8-5.0 4.4", ssrHello)
      yield* threeSessions(stub.uri("neo4j"))
      expect(yield* extras(stub, "ROUTE")).toEqual([{}])
      const begins = yield* extras(stub, "BEGIN")
      // session 1 resolved the name (and pinned it); sessions 2 and 3 leave db to the server
      expect(begins.map((e) => e?.db)).toEqual(["neo4j", "neo4j", undefined, undefined])
      yield* stub.verify
    }))
})

describe("home database cache (Bolt 5.8)", () => {
  it.scopedLive("a BEGIN or RUN SUCCESS naming another db corrects the cache: the next lookup is for that database", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const self = [addr(port!)]
      const tx = (db: string, begin: string) => `C: BEGIN ${begin}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS ${db === "" ? "{}" : JSON.stringify({ db })}
   SUCCESS {"fields": ["server"]}
   RECORD ["S"]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}`
      const stub = yield* StubServer.make({
        port: port!,
        script: `!: MANIFEST 5.8-5.0 4.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"ssr.enabled": true}}
A: LOGON
# session 1 resolves the home database
C: ROUTE {"address": "${addr(port!)}"} [] {}
${routeSuccess({ db: "neo4j", routers: self, readers: self, writers: self })}
${tx("", `{"mode": "r", "db": "neo4j"}`)}
# session 2: from the cache, no ROUTE, no db; the server says the home database is now "other"
${tx("other", `{"mode": "r"}`)}
# session 3: the cache says "other": its table is fetched, and the auto-commit RUN says "third"
C: ROUTE {"address": "${addr(port!)}"} [] {"db": "other"}
${routeSuccess({ db: "other", routers: self, readers: self, writers: self })}
C: RUN "RETURN 1" {} {"mode": "r"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["server"], "db": "third"}
   RECORD ["S"]
   SUCCESS {"type": "r"}
# session 4: the table of "third"
C: ROUTE {"address": "${addr(port!)}"} [] {"db": "third"}
${routeSuccess({ db: "third", routers: self, readers: self, writers: self })}
${tx("", `{"mode": "r"}`)}
?: GOODBYE
`
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const read = Effect.scoped(Effect.flatMap(driver.session({ defaultAccessMode: "READ" }), readIn))
          yield* read
          yield* read
          yield* Effect.scoped(
            Effect.gen(function* () {
              const session = yield* driver.session({ defaultAccessMode: "READ" })
              const result = yield* session.run("RETURN 1")
              yield* result.list
            })
          )
          yield* read
        })
      )
      expect((yield* extras(stub, "ROUTE")).map((e) => e?.db)).toEqual([undefined, "other", "third"])
      yield* stub.verify
    }))

  it.scopedLive("the cache is per impersonated user", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const self = [addr(port!)]
      const stub = yield* StubServer.make({
        port: port!,
        script: serverScript(
          "S",
          routeSuccess({ db: "neo4j", routers: self, readers: self, writers: self }),
          `!: MANIFEST 5.8-5.0 4.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"ssr.enabled": true}}
A: LOGON`
        )
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          for (const user of [undefined, "ada", "ada", "bob", undefined, "bob"]) {
            yield* Effect.scoped(Effect.flatMap(driver.session({ impersonatedUser: user }), readIn))
          }
        })
      )
      expect(yield* extras(stub, "ROUTE")).toEqual([{}, { imp_user: "ada" }, { imp_user: "bob" }])
      yield* stub.verify
    }))
})

describe("what goes on the wire", () => {
  it.scopedLive("impersonation is sent on ROUTE, BEGIN and RUN", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          // the home database of ada, then a named one
          yield* Effect.scoped(
            Effect.gen(function* () {
              const session = yield* driver.session({ impersonatedUser: "ada" })
              yield* session.executeWrite((tx) => Effect.flatMap(tx.run("RETURN 1"), (r) => r.list))
              const result = yield* session.run("RETURN 1")
              yield* result.list
            })
          )
          yield* driver.executeQuery("RETURN 1", {}, { database: "movies", impersonatedUser: "ada", routing: "READ" })
        })
      )
      expect(yield* extras(a, "ROUTE")).toEqual([{ imp_user: "ada" }, { db: "movies", imp_user: "ada" }])
      const begins = [...(yield* extras(a, "BEGIN")), ...(yield* extras(b, "BEGIN")), ...(yield* extras(c, "BEGIN"))]
      expect(begins.map((e) => [e?.imp_user, e?.db])).toEqual([
        ["ada", "neo4j"],
        ["ada", "movies"]
      ])
      const runs = (yield* extras(a, "RUN")).filter((e) => e !== null && Object.keys(e).length > 0)
      expect(runs.map((e) => [e?.imp_user, e?.db])).toEqual([["ada", "neo4j"]])
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("bookmarks go on ROUTE", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          // executeQuery's default bookmark manager chains the write's bookmark into the next table lookup
          yield* served(driver, "WRITE")
          yield* served(driver, "READ", "movies")
        })
      )
      const bookmarks = (yield* a.received()).filter((m) => m.name === "ROUTE").map((m) => m.fields[1])
      expect(bookmarks).toEqual([[], ["FB:A"]])
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("a bookmark manager is asked for ROUTE's bookmarks when a table is fetched, and again for the transaction", () =>
    Effect.gen(function* () {
      const { a, b, c, uri } = yield* cluster()
      let calls = 0
      const manager: Bookmarks.BookmarkManager = {
        getBookmarks: Effect.sync(() => {
          calls++
          return [`supplied:${calls}`]
        }),
        updateBookmarks: () => Effect.void
      }
      const afterFirst = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(uri)
          yield* driver.executeQuery("RETURN 1", {}, { database: "neo4j", bookmarkManager: manager })
          const afterFirst = calls
          // the table is fresh: no ROUTE, the manager is asked for the transaction only
          yield* driver.executeQuery("RETURN 1", {}, { database: "neo4j", bookmarkManager: manager })
          return afterFirst
        })
      )
      expect(afterFirst).toBe(2)
      expect(calls).toBe(3)
      const routed = (yield* a.received()).filter((m) => m.name === "ROUTE").map((m) => m.fields[1])
      expect(routed).toEqual([["supplied:1"]])
      const begins = [...(yield* a.received()), ...(yield* b.received()), ...(yield* c.received())]
        .filter((m) => m.name === "BEGIN")
        .map((m) => (m.fields[0] as { bookmarks?: unknown }).bookmarks)
      expect(begins).toEqual([["supplied:2"], ["supplied:3"]])
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("the routing context of the URI goes in HELLO's routing and ROUTE's first field, with address", () =>
    Effect.gen(function* () {
      const { a, b, c } = yield* cluster()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(`neo4j://${a.address}?region=eu&policy=x`)
          yield* served(driver, "READ")
          yield* served(driver, "WRITE")
        })
      )
      const context = { address: a.address, region: "eu", policy: "x" }
      // every member used (the router/writer and one reader) gets the context of the URI, with the URI's address
      const hellos = [...(yield* extras(a, "HELLO")), ...(yield* extras(b, "HELLO")), ...(yield* extras(c, "HELLO"))]
      expect(hellos.length).toBe(2)
      for (const hello of hellos) expect(hello?.routing).toEqual(context)
      const route = (yield* a.received()).find((m) => m.name === "ROUTE")!
      expect(route.fields[0]).toEqual(context)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("a custom resolver finds the routers when the seed fails", () =>
    Effect.gen(function* () {
      const { a, b, c } = yield* cluster()
      const [dead] = yield* StubServer.freePorts(1)
      const asked: Array<string> = []
      const resolver = (address: string) =>
        Effect.sync(() => {
          asked.push(address)
          return [addr(dead!), a.address]
        })
      const answers = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(`neo4j://${addr(dead!)}`, { resolver, retry: fast })
          return [yield* served(driver, "READ"), yield* served(driver, "WRITE")]
        })
      )
      expect(answers[0]).toMatch(/^[BC]$/)
      expect(answers[1]).toBe("A")
      expect(asked[0]).toBe(addr(dead!))
      // ROUTE's address is the one the URI names
      const route = (yield* a.received()).find((m) => m.name === "ROUTE")!
      expect(route.fields[0]).toEqual({ address: addr(dead!) })
      expect(yield* routes(a)).toBe(1)
      yield* a.verify
      yield* b.verify
      yield* c.verify
    }))

  it.scopedLive("bolt:// keeps working with no ROUTE at all and no routing in HELLO", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: serverScript("S", undefined) })
      const answers = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("bolt"))
          const answers = [yield* served(driver, "READ", null), yield* served(driver, "WRITE", null)]
          yield* Effect.scoped(Effect.flatMap(driver.session(), readIn))
          answers.push(yield* served(driver, "READ"))
          return answers
        })
      )
      expect(answers).toEqual(["S", "S", "S"])
      expect(yield* routes(stub)).toBe(0)
      const hellos = yield* extras(stub, "HELLO")
      expect(hellos.every((h) => h !== null && !("routing" in h))).toBe(true)
      expect((yield* extras(stub, "BEGIN")).map((e) => e?.db)).toEqual([undefined, undefined, undefined, "neo4j"])
      yield* stub.verify
    }))
})
