/**
 * `StubDriver.layer`: a stub and a driver pointed at it, over real sockets, as a user's test
 * uses them (through the public entry points only).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Schedule } from "effect"
import { Auth, Neo4jDriver } from "../../src/index.js"
import { StubDriver, StubServer } from "../../src/testing/index.js"

/** The app code under test: a read through `executeQuery`. */
const countPeople = Effect.gen(function*() {
  const driver = yield* Neo4jDriver.Neo4jDriver
  const { records } = yield* driver.executeQuery("MATCH (p:Person) RETURN count(p) AS n", {}, { routing: "READ" })
  return records[0]!.get("n") as number
})

const countPeopleLines = (extra = "", n = 1000) => `C: BEGIN {"mode": "r"${extra}}
C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
C: PULL {"n": ${n}}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [42]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}`

const SCRIPT = `!: BOLT 5.4
A: HELLO
A: LOGON
${countPeopleLines()}
?: GOODBYE
`

/** The StubServer service of the layer, kept to look at it once the layer is released. */
const captureStub = Effect.map(StubServer.StubServer, (stub) => stub)

describe("StubDriver.layer", () => {
  it.scopedLive("a query through the layer reaches the stub and comes back", () =>
    Effect.gen(function*() {
      expect(yield* countPeople).toBe(42)
      yield* StubServer.verify
      expect(yield* Effect.flatMap(StubServer.StubServer, (stub) => stub.connectionCount)).toBe(1)
    }).pipe(Effect.provide(StubDriver.layer({ script: SCRIPT }))))

  it.live("the driver is closed first: its GOODBYE reaches the stub, then the stub checks the script", () =>
    Effect.gen(function*() {
      // GOODBYE is required here: were the stub checked before the driver closed, the
      // connection would still be open short of the script's end, and the release would die
      const script = SCRIPT.replace("?: GOODBYE", "C: GOODBYE")
      const exit = yield* Effect.exit(
        Effect.zipLeft(captureStub, countPeople).pipe(
          Effect.provide(StubDriver.layer({ script, verifyTimeout: 500 }))
        )
      )
      expect(Exit.isSuccess(exit) ? "released cleanly" : Cause.pretty(exit.cause)).toBe("released cleanly")
      const stub = Exit.isSuccess(exit) ? exit.value : undefined
      const received = yield* stub!.received()
      expect(received.map((m) => m.name)).toEqual(["HELLO", "LOGON", "BEGIN", "RUN", "PULL", "COMMIT", "GOODBYE"])
      expect((yield* stub!.connections).map((c) => ({ open: c.open, complete: c.complete }))).toEqual([
        { open: false, complete: true }
      ])
    }))

  it.live("a script deviation nobody verified makes the release die with the report", () =>
    Effect.gen(function*() {
      const script = SCRIPT.replace("count(p) AS n\" {} {}", "count(p) AS people\" {} {}")
      const started = Date.now()
      const exit = yield* Effect.exit(
        countPeople.pipe(Effect.provide(StubDriver.layer({ script, verifyTimeout: 200 })))
      )
      // the stub closed the connection: a retriable failure, retried on fresh connections with
      // StubDriver.defaultRetry (not for the driver's 30 s), then the release reports each one
      expect(Date.now() - started).toBeLessThan(5000)
      expect(Exit.isFailure(exit)).toBe(true)
      const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      expect(text).toContain("ServiceUnavailableError")
      expect(text).toContain("gave up after 6 attempts")
      expect(text).toContain("StubServerError")
      expect(text).toContain("6 deviations from the script")
      expect(text).toContain(`expected: C: RUN "MATCH (p:Person) RETURN count(p) AS people" {} {}`)
      expect(text).toContain(`received: C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}`)
    }))

  it.live("a deviation fails StubServer.verify in the test (then the release does not die again)", () =>
    Effect.gen(function*() {
      const script = SCRIPT.replace("C: COMMIT", "C: ROLLBACK")
      const error = yield* Effect.gen(function*() {
        yield* Effect.ignore(countPeople)
        return yield* Effect.flip(StubServer.verify)
      }).pipe(Effect.provide(StubDriver.layer({ script, verifyTimeout: 200 })))
      expect(error._tag).toBe("StubServerError")
      expect(error.message).toContain("expected: C: ROLLBACK")
      expect(error.message).toContain("received: C: COMMIT")
    }))

  it.live("neo4j: the script, a function of the stub's address, answers ROUTE", () =>
    Effect.gen(function*() {
      const script = (address: string) => `!: BOLT 5.4
A: HELLO
A: LOGON
C: ROUTE {"address": "${address}"} [] {}
S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}
${countPeopleLines(`, "db": "neo4j"`)}
?: GOODBYE
`
      const { table, n, hello } = yield* Effect.gen(function*() {
        const n = yield* countPeople
        const driver = yield* Neo4jDriver.Neo4jDriver
        const table = yield* driver.routingTable()
        yield* StubServer.verify
        const hello = (yield* StubServer.received(1))[0]!
        return { n, table, hello }
      }).pipe(Effect.provide(StubDriver.layer({ script }, { scheme: "neo4j" })))
      expect(n).toBe(42)
      const readers = Option.map(table, (t) => t.readers)
      expect(Option.isSome(readers) && readers.value.length).toBe(1)
      const address = Option.isSome(readers) ? readers.value[0]! : ""
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(hello.text).toContain(`"routing": {"address": "${address}"}`)
    }))

  it.live("driver options: default credentials neo4j / password, config (fetchSize), Layer options (retry)", () =>
    Effect.gen(function*() {
      const transient = `C: BEGIN {"mode": "r"}
C: RUN "MATCH (p:Person) RETURN count(p) AS n" {} {}
C: PULL {"n": 2}
S: FAILURE {"code": "Neo.TransientError.General.PleaseRetry", "message": "again"}
   IGNORED
   IGNORED
C: RESET
S: SUCCESS {}`
      const script = `!: BOLT 5.4
C: HELLO {"user_agent": *string, "[bolt_agent]": *map, "[routing]": *map, "[patch_bolt]": *}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "password"}
S: SUCCESS {}
${transient}
${countPeopleLines("", 2)}
?: GOODBYE
`
      const started = Date.now()
      const n = yield* countPeople.pipe(
        Effect.zipLeft(StubServer.verify),
        Effect.provide(StubDriver.layer({ script }, { fetchSize: 2 }, { retry: Schedule.spaced("10 millis") }))
      )
      expect(n).toBe(42)
      // the default schedule would wait about 1 s before the retry
      expect(Date.now() - started).toBeLessThan(900)

      // other credentials
      const other = script.replace(`"credentials": "password"`, `"credentials": "pw"`).replace(`"principal": "neo4j"`, `"principal": "ada"`)
      expect(
        yield* countPeople.pipe(
          Effect.zipLeft(StubServer.verify),
          Effect.provide(StubDriver.layer({ script: other }, { fetchSize: 2, auth: Auth.basic("ada", "pw") }, {
            retry: Schedule.spaced("10 millis")
          }))
        )
      ).toBe(42)
    }))

  it.live("a TLS stub: the driver uses bolt+ssc", () =>
    Effect.gen(function*() {
      const uri = yield* Effect.map(Neo4jDriver.Neo4jDriver, (d) => d.config.uri).pipe(
        Effect.zipLeft(countPeople),
        Effect.zipLeft(StubServer.verify),
        Effect.provide(StubDriver.layer({ script: SCRIPT, tls: true }))
      )
      expect(uri).toMatch(/^bolt\+ssc:\/\/127\.0\.0\.1:\d+$/)
    }))

  it.live("an invalid driver config fails the layer with InvalidConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        countPeople.pipe(Effect.provide(StubDriver.layer({ script: SCRIPT }, { fetchSize: 0 })))
      )
      expect(error._tag).toBe("InvalidConfigError")
      expect(error.message).toContain("fetchSize")
    }))

  it.live("StubDriver.make: the stub and the driver in the current scope", () =>
    Effect.gen(function*() {
      const n = yield* Effect.scoped(
        Effect.gen(function*() {
          const { driver, stub } = yield* StubDriver.make({ script: SCRIPT })
          const n = yield* countPeople.pipe(Effect.provideService(Neo4jDriver.Neo4jDriver, driver))
          yield* stub.verify
          return n
        })
      )
      expect(n).toBe(42)
    }))

})
