/**
 * When routing tables are fetched, over real sockets against scripted stub servers: without
 * server-side routing the home database is resolved with a ROUTE per request, as the reference
 * drivers do (a name held for the table's TTL could be stale after `ALTER USER ... SET HOME
 * DATABASE`), one ROUTE shared by the concurrent requests of one user and never by those of
 * different users; concurrent callers of one database share one ROUTE while another database's
 * ROUTE does not wait for it, a failing
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

/** The imp_user of every ROUTE the stub received; undefined for the driver's own user. */
const routeUsers = (stub: StubServer.StubServer) =>
  Effect.map(stub.received(), (ms) =>
    ms.filter((m) => m.name === "ROUTE").map((m) => (m.fields[2] as { imp_user?: string }).imp_user)
  )

/**
 * How many ROUTE and BEGIN messages the stub has received so far, as `[routes, begins]`: taken
 * after each step, they show which step sent which (`received()` lists messages connection by
 * connection, not in the order they arrived).
 */
const tally = (stub: StubServer.StubServer) => Effect.all([count(stub, "ROUTE"), count(stub, "BEGIN")])

/**
 * Runs `step` and returns the ROUTE messages the stub received meanwhile (found by difference,
 * since `received()` lists messages connection by connection) and how many BEGINs came with them.
 */
const routesOf = <A, E, R>(stub: StubServer.StubServer, step: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const routesNow = Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === "ROUTE"))
    const before = yield* routesNow
    const beginsBefore = yield* count(stub, "BEGIN")
    yield* step
    const added = [...(yield* routesNow)]
    for (const m of before) {
      const i = added.findIndex((a) => a.text === m.text)
      if (i >= 0) added.splice(i, 1)
    }
    return { routes: added, begins: (yield* count(stub, "BEGIN")) - beginsBefore }
  })

/** ROUTE's answer (home database "neo4j") `delay` ms late: requests started meanwhile find it in flight. */
const slowSelfTable = (address: string, delay = 500) => `S: <SLEEP ${delay}>\n${selfTable(address, "neo4j")}`

/** A read in its own session with `bookmarks`, no database named. */
const sessionRead = (driver: Neo4jDriver.Neo4jDriver, bookmarks: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.flatMap(driver.session({ defaultAccessMode: "READ", bookmarks }), (s) =>
      s.executeRead((tx) => Effect.flatMap(tx.run("RETURN 1"), (r) => r.list))
    )
  )

// Without server-side routing (Bolt 5.8's ssr.enabled hint) a home database name held for the
// table's TTL could be stale after ALTER USER ... SET HOME DATABASE and send queries to the wrong
// database: as the reference drivers do (and TestKit counts), each request resolves it with its
// own ROUTE, except that the requests of one user arriving while a ROUTE is in flight share it.
describe("the home database is resolved with a ROUTE per request; a user's concurrent requests share one", () => {
  // TestClock: the table's TTL runs on Effect's Clock, so "within the TTL" is exact
  it.scoped("6 concurrent calls without a database share one ROUTE; later sequential calls, within the TTL, send one ROUTE each", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j", 60), [])
      const one = (driver: Neo4jDriver.Neo4jDriver) =>
        Effect.map(driver.executeQuery("RETURN 1", {}, { routing: "READ", bookmarkManager: null }), dbOf)
      const six = (driver: Neo4jDriver.Neo4jDriver, options: Neo4jDriver.QueryConfig = {}) =>
        Effect.all(
          Array.from({ length: 6 }, () => Effect.map(driver.executeQuery("RETURN 1", {}, { routing: "READ", ...options }), dbOf)),
          { concurrency: "unbounded" }
        )
      const rounds = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const first = yield* six(driver)
          const afterFirst = yield* tally(stub)
          // within the table's TTL (60 s), and no bookmarks the first ROUTE did not see: each call
          // still resolves the home database again
          yield* TestClock.adjust("59 seconds")
          const sequential: Array<unknown> = []
          const afterEach: Array<readonly [number, number]> = []
          for (let i = 0; i < 3; i++) {
            sequential.push(yield* one(driver))
            afterEach.push(yield* tally(stub))
          }
          // still within the TTL: another concurrent round shares one new ROUTE (one, not none)
          const second = yield* six(driver, { bookmarkManager: null })
          const afterSecond = yield* tally(stub)
          return { first, afterFirst, sequential, afterEach, second, afterSecond }
        })
      )
      // [ROUTEs, BEGINs] so far
      expect(rounds.first).toEqual(Array(6).fill("neo4j"))
      expect(rounds.afterFirst).toEqual([1, 6])
      expect(rounds.sequential).toEqual(Array(3).fill("neo4j"))
      expect(rounds.afterEach).toEqual([
        [2, 7],
        [3, 8],
        [4, 9]
      ])
      expect(rounds.second).toEqual(Array(6).fill("neo4j"))
      expect(rounds.afterSecond).toEqual([5, 15])
      expect(yield* routed(stub)).toEqual(Array(5).fill(undefined))
    }))

  it.scoped("each session resolves the home database with its own ROUTE, which carries the session's bookmarks", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j"), [])
      const sessions = [[], [], ["FB:other"], ["FB:other"], []]
      const steps = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const steps: Array<{ readonly routeBookmarks: ReadonlyArray<unknown>; readonly begins: number }> = []
          for (const bookmarks of sessions) {
            const { begins, routes } = yield* routesOf(stub, sessionRead(driver, bookmarks))
            steps.push({ routeBookmarks: routes.map((m) => m.fields[1]), begins })
          }
          return steps
        })
      )
      // each session: one ROUTE, with its own bookmarks, and its transaction
      expect(steps).toEqual(sessions.map((bookmarks) => ({ routeBookmarks: [bookmarks], begins: 1 })))
    }))

  it.scopedLive(
    "a session arriving while a ROUTE is in flight shares it, unless it carries a bookmark that ROUTE did not (the home database may have changed)",
    () =>
      Effect.gen(function* () {
        const stub = yield* single((address) => slowSelfTable(address), [])
        const inFlight = yield* Effect.scoped(
          Effect.gen(function* () {
            const driver = yield* driverFor(stub.uri("neo4j"))
            const first = yield* Effect.fork(sessionRead(driver, []))
            // the first ROUTE reached the stub, which answers it 500 ms later
            expect(yield* eventually(Effect.map(count(stub, "ROUTE"), (n) => n === 1))).toBe(true)
            const inFlight = yield* count(stub, "BEGIN")
            yield* Effect.all([sessionRead(driver, []), sessionRead(driver, ["FB:other"])], { concurrency: "unbounded" })
            yield* Fiber.join(first)
            return inFlight
          })
        )
        expect(inFlight).toBe(0)
        // the session without bookmarks shared the first ROUTE; the one with FB:other sent its own
        expect(yield* routeBookmarks(stub)).toEqual([[], ["FB:other"]])
        expect(yield* count(stub, "BEGIN")).toBe(3)
      })
  )

  it.scoped("each impersonated user's home database is resolved for that user: sequential calls send one ROUTE each, with its imp_user", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => selfTable(address, "neo4j"), [])
      const users = [undefined, "ada", undefined, "ada", "bob"]
      const steps = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const steps: Array<{ readonly routeUsers: ReadonlyArray<string | undefined>; readonly begins: number }> = []
          for (const user of users) {
            const { begins, routes } = yield* routesOf(
              stub,
              driver.executeQuery("RETURN 1", {}, { routing: "READ", impersonatedUser: user, bookmarkManager: null })
            )
            steps.push({ routeUsers: routes.map((m) => (m.fields[2] as { imp_user?: string }).imp_user), begins })
          }
          return steps
        })
      )
      // each call: one ROUTE, for its own user, and its transaction
      expect(steps).toEqual(users.map((user) => ({ routeUsers: [user], begins: 1 })))
    }))

  it.scopedLive("concurrent calls of different users do not share a ROUTE, nor wait for each other's; those of one user share one", () =>
    Effect.gen(function* () {
      const stub = yield* single((address) => slowSelfTable(address), [])
      const users = [undefined, "ada", "bob", undefined, "ada", "bob"]
      const { dbs, threeInFlight } = yield* Effect.scoped(
        Effect.gen(function* () {
          const driver = yield* driverFor(stub.uri("neo4j"))
          const calls = yield* Effect.fork(
            Effect.all(
              users.map((user) =>
                Effect.map(
                  driver.executeQuery("RETURN 1", {}, { routing: "READ", impersonatedUser: user, bookmarkManager: null }),
                  dbOf
                )
              ),
              { concurrency: "unbounded" }
            )
          )
          // each ROUTE is answered 500 ms late: if one user's ROUTE waited for another's, a
          // transaction would begin before the third ROUTE arrived
          yield* eventually(Effect.map(count(stub, "ROUTE"), (n) => n >= 3))
          const threeInFlight = yield* tally(stub)
          return { dbs: yield* Fiber.join(calls), threeInFlight }
        })
      )
      expect(dbs).toEqual(Array(6).fill("neo4j"))
      // [ROUTEs, BEGINs] when the third ROUTE had arrived
      expect(threeInFlight).toEqual([3, 0])
      // one ROUTE per user, in whatever order they went out, and no more
      expect((yield* routeUsers(stub)).map((u) => u ?? "").sort()).toEqual(["", "ada", "bob"])
      expect(yield* count(stub, "BEGIN")).toBe(6)
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
