/**
 * When routing tables are fetched, over real sockets against scripted stub servers: the home
 * database's table is held per user for its TTL like a named database's, concurrent callers of
 * one database share one ROUTE while another database's ROUTE does not wait for it, a failing
 * custom resolver shows in the discovery report, and a table's expiry is read from Effect's
 * Clock (TestClock moves it). ROUTE counts seen by the stubs are the evidence.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, TestClock } from "effect"
import * as Auth from "../../src/Auth.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { StubServer } from "../../src/testing/index.js"
import { count, eventually } from "../support.js"

const addr = (port: number) => `127.0.0.1:${port}`

/** ROUTE's SUCCESS for a single server in every role. */
const selfTable = (address: string, db: string, ttl = 300) =>
  `S: SUCCESS ${JSON.stringify({
    rt: {
      ttl,
      db,
      servers: [
        { addresses: [address], role: "ROUTE" },
        { addresses: [address], role: "READ" },
        { addresses: [address], role: "WRITE" }
      ]
    }
  })}`

/** A transaction (BEGIN + RUN + PULL pipelined, then COMMIT) on `db`, answered with `db`. */
const txOn = (db: string) => `C: BEGIN {"db": "${db}", "[mode]": "r", "[bookmarks]": *list, "[imp_user]": *string, "[tx_metadata]": *map, "[tx_timeout]": *int, "[notifications_minimum_severity]": *string, "[notifications_disabled_classifications]": *list}
C: RUN * * *
C: PULL *
S: SUCCESS {}
   SUCCESS {"fields": ["db"]}
   RECORD ["${db}"]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:${db}"}`

/**
 * A single-instance cluster on Bolt 5.4 (no server-side routing hint): ROUTE for the home
 * database (no db) or for each of `databases`, with `route` deciding the answer; transactions
 * on any of those databases, any number of times, on any number of connections.
 */
const single = (route: (address: string, db: string | undefined) => string, databases: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const [port] = yield* StubServer.freePorts(1)
    const address = addr(port!)
    const routes = [undefined, ...databases].map(
      (db) =>
        `C: ROUTE {"address": "${address}"} *list {${db === undefined ? "" : `"db": "${db}", `}"[imp_user]": *string}\n${route(address, db)}`
    )
    const txs = ["neo4j", ...databases].map(txOn)
    return yield* StubServer.make({
      port: port!,
      verifyOnClose: false,
      script: `!: BOLT 5.4
A: HELLO
A: LOGON
{*
{{
${[...routes, ...txs, "C: RESET\nS: SUCCESS {}"].join("\n----\n")}
}}
*}
?: GOODBYE
`
    })
  })

const fast = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(5)))

const driverFor = (uri: string, options: Neo4jDriver.MakeOptions = { retry: fast }) =>
  Neo4jDriver.make({ uri, auth: Auth.basic("neo4j", "pw") }, options)

/** The `db` (last field) of every ROUTE the stub received; undefined for the home database. */
const routed = (stub: StubServer.StubServer) =>
  Effect.map(stub.received(), (ms) =>
    ms.filter((m) => m.name === "ROUTE").map((m) => (m.fields[2] as { db?: string } | null)?.db)
  )

/** The bookmarks of every ROUTE the stub received. */
const routeBookmarks = (stub: StubServer.StubServer) =>
  Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === "ROUTE").map((m) => m.fields[1]))

/** The database a query ran on, as the stub answers. */
const dbOf = (r: { readonly records: ReadonlyArray<{ readonly get: (k: string) => unknown }> }) => r.records[0]!.get("db")

describe("the home database's table is held per user for its TTL", () => {
  // TestClock: the table's TTL runs on Effect's Clock
  it.scoped("6 concurrent calls without a database share one ROUTE; the next ones, within the TTL, send none", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j", 60), [])
      const home = (driver: Neo4jDriver.Neo4jDriver, options: Neo4jDriver.QueryConfig = {}) =>
        Effect.all(
          Array.from({ length: 6 }, () => Effect.map(driver.executeQuery("RETURN 1", {}, { routing: "READ", ...options }), dbOf)),
          { concurrency: "unbounded" }
        )
      const rounds = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const first = yield* home(driver)
          const afterFirst = yield* count(stub, "ROUTE")
          // no bookmarks: nothing the first ROUTE did not see
          yield* TestClock.adjust("59 seconds")
          const second = yield* home(driver, { bookmarkManager: null })
          const afterSecond = yield* count(stub, "ROUTE")
          // the TTL (60 s) has passed
          yield* TestClock.adjust("1 second")
          const third = yield* home(driver, { bookmarkManager: null })
          return { first, afterFirst, second, afterSecond, third }
        })
      )
      expect(rounds.first).toEqual(Array(6).fill("neo4j"))
      expect(rounds.afterFirst).toBe(1)
      expect(rounds.second).toEqual(Array(6).fill("neo4j"))
      expect(rounds.afterSecond).toBe(1)
      expect(rounds.third).toEqual(Array(6).fill("neo4j"))
      expect(yield* routed(stub)).toEqual([undefined, undefined])
    }))

  it.scoped("a call carrying a bookmark the resolution did not see resolves the home database again (it may have changed)", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j"), [])
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const read = (bookmarks: ReadonlyArray<string>) =>
            Effect.scoped(
              Effect.flatMap(driver.session({ defaultAccessMode: "READ", bookmarks }), (s) =>
                s.executeRead((tx) => Effect.flatMap(tx.run("RETURN 1"), (r) => r.list))
              )
            )
          yield* read([])
          yield* read([])
          yield* read(["FB:other"])
          yield* read(["FB:other"])
          yield* read([])
        })
      )
      expect(yield* routeBookmarks(stub)).toEqual([[], ["FB:other"]])
    }))

  it.scoped("the home database is held per impersonated user", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j"), [])
      yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          for (const user of [undefined, "ada", undefined, "ada", "bob"]) {
            yield* driver.executeQuery("RETURN 1", {}, { routing: "READ", impersonatedUser: user, bookmarkManager: null })
          }
        })
      )
      const users = (yield* stub.received()).filter((m) => m.name === "ROUTE").map((m) => (m.fields[2] as { imp_user?: string }).imp_user)
      expect(users).toEqual([undefined, "ada", "bob"])
    }))
})

describe("one refresh at a time per database", () => {
  it.scopedLive("a ROUTE for database a that does not answer does not hold up database b", () =>
    Effect.gen(function* () {
      // the ROUTE for "a" is never answered: "a" stays behind it for as long as the test lasts
      const stub = yield* single((address, db) => (db === "a" ? "S: <STALL>" : selfTable(address, db ?? "neo4j")), ["a", "b"])
      const { b, aDone, routes } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const a = yield* Effect.fork(driver.executeQuery("RETURN 1", {}, { database: "a", routing: "READ" }))
          expect(yield* eventually(Effect.map(routed(stub), (dbs) => dbs.includes("a")))).toBe(true)
          // a safety net only (a driver-wide lock would keep b waiting for ever): the assertion is
          // that b completed while a's ROUTE was still unanswered
          const b = yield* Effect.timeoutTo(driver.executeQuery("RETURN 1", {}, { database: "b", routing: "READ" }), {
            duration: "5 seconds",
            onSuccess: (r) => dbOf(r),
            onTimeout: () => "b timed out"
          })
          const aDone = Option.isSome(yield* Fiber.poll(a))
          const routes = yield* routed(stub)
          yield* Fiber.interrupt(a)
          return { b, aDone, routes }
        })
      )
      expect(b).toBe("b")
      expect(aDone).toBe(false)
      expect(routes).toEqual(["a", "b"])
    }))
})

describe("discovery report", () => {
  it.scopedLive("a failing custom resolver: its error is in the NoRouters report, and the seed is still tried", () =>
    Effect.gen(function* () {
      const [dead] = yield* StubServer.freePorts(1)
      const resolver = () => Effect.fail(new Error("the service registry is down"))
      const error = yield* Effect.scoped(
        Effect.flatMap(driverFor(`neo4j://${addr(dead!)}`, { resolver, retry: Schedule.recurs(0) }), (driver) =>
          Effect.flip(driver.executeQuery("RETURN 1", {}, { database: "neo4j" }))
        )
      )
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(error._tag === "ServiceUnavailableError" ? error.reason : undefined).toBe("NoRouters")
      expect(error.message).toContain(`  - resolver(${addr(dead!)}): Error: the service registry is down`)
      expect(error.message).toContain(`  - ${addr(dead!)}: connection refused`)
    }))
})

describe("time is Effect's Clock", () => {
  it.scoped("a table expires its TTL after the Clock's now when it was fetched", () =>
    Effect.gen(function* () {
      const stub = yield* single((address, db) => selfTable(address, db ?? "neo4j", 300), ["adb"])
      yield* TestClock.setTime(1_000_000)
      const table = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          yield* driver.executeQuery("RETURN 1", {}, { database: "adb", routing: "READ" })
          return yield* driver.routingTable("adb")
        })
      )
      expect(Option.map(table, (t) => t.expiresAt)).toEqual(Option.some(1_000_000 + 300_000))
    }))
})
