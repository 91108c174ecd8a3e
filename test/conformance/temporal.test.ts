/**
 * A DateTime in a time-zone id this runtime does not know (TestKit
 * stub/types/test_temporal_types.py, `test_unknown_zoned_date_time` and
 * `test_unknown_then_known_zoned_date_time`, Bolt 5.0, 4.4 and 4.4 with the `utc` patch): the
 * value is well formed, so as in the reference drivers only the read of its record fails, with a
 * `BrokenRecordError` naming the zone; the records around it are delivered, and the connection
 * stays usable (no RESET, no new connection). A garbled value still breaks the connection. Over
 * real sockets against the stub server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Equal, Exit, Option, Stream } from "effect"
import * as Connection from "../../src/internal/connection/connection.js"
import { run } from "../../src/internal/connection/result.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import type { Neo4jRecord } from "../../src/Record.js"
import * as Temporal from "../../src/Temporal.js"
import { StubServer } from "../../src/testing/index.js"
import { connectOptions, failureOf, names, withDriver } from "../support.js"

/** How a Bolt version carries DateTime: the UTC form (`I`/`i`) or the legacy one (`F`/`f`). */
interface Wire {
  readonly name: string
  /** the handshake and HELLO lines */
  readonly head: string
  /** 1970-01-01T01:00:00+00:30 */
  readonly known: string
  /** 1970-01-01T00:00:00 in "Europe/Neo4j" (seconds and nanoseconds 0, as TestKit sends it) */
  readonly unknown: string
  /** that RECORD [unknown] as TestKit writes it: chunk by chunk */
  readonly unknownRaw: string
}

const rawUnknown = (signature: string) =>
  `<RAW> 00 14 B1 71 91 B3 ${signature} 00 00 8C 45 75 72 6F 70 65 2F 4E 65 6F 34 6A 00 00`

const UTC_FORM = { known: "Structure<0x49> [1800, 0, 1800]", unknown: 'Structure<0x69> [0, 0, "Europe/Neo4j"]', unknownRaw: rawUnknown("69") }

const WIRES: ReadonlyArray<Wire> = [
  { name: "Bolt 5.0", head: "!: BOLT 5.0\nA: HELLO\n", ...UTC_FORM },
  {
    name: "Bolt 4.4",
    head: "!: BOLT 4.4\nA: HELLO\n",
    known: "Structure<0x46> [3600, 0, 1800]",
    unknown: 'Structure<0x66> [0, 0, "Europe/Neo4j"]',
    unknownRaw: rawUnknown("66")
  },
  {
    name: "Bolt 4.4 with the utc patch",
    head: `!: BOLT 4.4
C: HELLO {"user_agent": *string, "patch_bolt": ["utc"], "[scheme]": *, "[principal]": *, "[credentials]": *, "[bolt_agent]": *, "[routing]": *}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-0", "patch_bolt": ["utc"]}
`,
    ...UTC_FORM
  }
]

const KNOWN = new Temporal.DateTime(1970, 1, 1, 1, 0, 0, 0, 1800)

const isKnown = (value: unknown) => Equal.equals(value, KNOWN)

/** Fails the test unless `e` is a BrokenRecordError naming the zone. */
const expectBroken = (e: Neo4jError | undefined) => {
  expect(e?._tag).toBe("BrokenRecordError")
  expect(e?.message).toContain('unknown time zone id "Europe/Neo4j"')
  expect(e?.retriable).toBe(false)
}

const QUERY = "MATCH (n:State) RETURN n.founded AS dt"

/** RUN + PULL of QUERY in an auto-commit transaction (fetch size 1000), answered by `records` and SUCCESS. */
const autoCommit = (records: string) => `C: RUN "${QUERY}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["dt"]}
${records}
S: SUCCESS {"type": "r"}
`

/** A second query on the same connection: RETURN 1 AS n. */
const NEXT = `C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
`

/** One pull of a cursor, as an Exit: its records, or why it failed (None at the end). */
const pullOnce = (pull: Effect.Effect<Chunk.Chunk<Neo4jRecord>, Option.Option<Neo4jError>>) =>
  Effect.map(Effect.exit(pull), (exit) =>
    Exit.isSuccess(exit)
      ? { records: Chunk.toArray(exit.value).map((r) => r.values) }
      : { error: Option.getOrUndefined(failureOf(exit)) }
  )

describe("the result cursor on one connection", () => {
  for (const wire of WIRES) {
    it.scopedLive(`${wire.name}: an unknown zone fails the read of its record only; the records before and after it come, the connection is reused`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${wire.head}C: RUN "${QUERY}" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["i", "dt"]}
   RECORD [1, ${wire.known}]
   RECORD [2, ${wire.unknown}]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3, {"nested": [${wire.unknown}]}]
   RECORD [4, ${wire.known}]
   SUCCESS {"type": "r"}
${NEXT}?: GOODBYE
`
        })
        yield* Effect.scoped(
          Effect.gen(function* () {
            const conn = yield* Connection.open(connectOptions(stub, "pw"))
            const cursor = yield* run(conn, { query: QUERY, fetchSize: 2 })
            // the record before the broken one, alone
            const first = yield* pullOnce(cursor.pull)
            expect(first.records?.map(([i]) => i)).toEqual([1])
            expect(isKnown(first.records?.[0]?.[1])).toBe(true)
            // the broken one: its read fails, typed
            expectBroken((yield* pullOnce(cursor.pull)).error)
            expect(conn.isDefunct()).toBe(false)
            // the next batch: its first record is broken too (nested in a map and a list)
            expectBroken((yield* pullOnce(cursor.pull)).error)
            const last = yield* pullOnce(cursor.pull)
            expect(last.records?.map(([i]) => i)).toEqual([4])
            expect(isKnown(last.records?.[0]?.[1])).toBe(true)
            expect((yield* pullOnce(cursor.pull)).error).toBeUndefined()
            expect(cursor.exhausted()).toBe(true)
            const summary = yield* cursor.summary
            expect(summary.type).toBe("r")
            // the same connection answers the next query
            const next = yield* run(conn, { query: "RETURN 1 AS n", fetchSize: 1000 })
            expect(Chunk.toArray(yield* Stream.runCollect(next.records)).map((r) => r.get("n"))).toEqual([1])
          })
        )
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
        expect(yield* names(stub)).toEqual(["HELLO", "RUN", "PULL", "PULL", "RUN", "PULL"])
      })
    )
  }
})

describe("through the driver (TestKit test_temporal_types)", () => {
  for (const wire of WIRES) {
    it.scopedLive(`${wire.name}: unknown then known zone in a transaction function: the first read fails, the next gives the known record, COMMIT`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${wire.head}A: BEGIN
C: RUN "${QUERY}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["dt"]}
S: ${wire.unknownRaw}
S: RECORD [${wire.known}]
S: SUCCESS {"type": "r"}
A: COMMIT
${NEXT}?: GOODBYE
`
        })
        const [broken, rest, attempts, next] = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            let attempts = 0
            const session = yield* driver.session()
            const [broken, rest] = yield* session.executeRead((tx) =>
              Effect.gen(function* () {
                attempts++
                const result = yield* tx.run(QUERY)
                // TestKit's ResultNext, twice: the first read fails, the second gives the next record
                const broken = yield* Effect.flip(result.peek)
                const rest = yield* result.list
                return [broken, Chunk.toArray(rest)] as const
              })
            )
            const next = yield* Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.list)
            return [broken, rest, attempts, Chunk.toArray(next)] as const
          })
        )
        expectBroken(broken)
        expect(rest.length).toBe(1)
        expect(isKnown(rest[0]!.get("dt"))).toBe(true)
        expect(attempts).toBe(1)
        expect(next.map((r) => r.get("n"))).toEqual([1])
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
        expect(yield* names(stub)).toEqual(["HELLO", "BEGIN", "RUN", "PULL", "COMMIT", "RUN", "PULL"])
      })
    )

    it.scopedLive(`${wire.name}: unknown zone in a transaction function: the typed error is not retried, ROLLBACK, the connection reused`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({
          script: `${wire.head}A: BEGIN
C: RUN "${QUERY}" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["dt"]}
S: ${wire.unknownRaw}
S: SUCCESS {"type": "r"}
A: ROLLBACK
${NEXT}?: GOODBYE
`
        })
        const [error, attempts, next] = yield* withDriver(stub, (driver) =>
          Effect.gen(function* () {
            let attempts = 0
            const session = yield* driver.session()
            const error = yield* Effect.flip(
              session.executeRead((tx) =>
                Effect.gen(function* () {
                  attempts++
                  const result = yield* tx.run(QUERY)
                  return yield* result.list
                })
              )
            )
            const next = yield* Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.list)
            return [error, attempts, Chunk.toArray(next)] as const
          })
        )
        expectBroken(error as Neo4jError)
        expect(attempts).toBe(1)
        expect(next.map((r) => r.get("n"))).toEqual([1])
        yield* stub.verify
        expect(yield* stub.connectionCount).toBe(1)
        expect(yield* names(stub)).toEqual(["HELLO", "BEGIN", "RUN", "PULL", "ROLLBACK", "RUN", "PULL"])
      })
    )
  }

  it.scopedLive("auto-commit: the record stream gives the records before the broken one, then fails typed; the connection serves the next query", () =>
    Effect.gen(function* () {
      const wire = WIRES[0]!
      const stub = yield* StubServer.make({
        script: `${wire.head}${autoCommit(`S: RECORD [${wire.known}]
S: RECORD [${wire.unknown}]
S: RECORD [${wire.known}]`)}${NEXT}?: GOODBYE
`
      })
      const [seen, error, next] = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run(QUERY)
          const seen: Array<unknown> = []
          const error = yield* Effect.flip(Stream.runForEach(result.records, (r) => Effect.sync(() => seen.push(r.get("dt")))))
          const next = yield* Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.list)
          return [seen, error, Chunk.toArray(next)] as const
        })
      )
      expect(seen.length).toBe(1)
      expect(isKnown(seen[0])).toBe(true)
      expectBroken(error)
      expect(next.map((r) => r.get("n"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* names(stub)).toEqual(["HELLO", "RUN", "PULL", "RUN", "PULL"])
    })
  )
})

describe("result.next, the iterator read", () => {
  it.scopedLive("known, unknown, known: next gives the first, fails typed for the second, gives the third, then None; the connection is reused", () =>
    Effect.gen(function* () {
      const wire = WIRES[0]!
      const stub = yield* StubServer.make({
        script: `${wire.head}${autoCommit(`S: RECORD [${wire.known}]
S: RECORD [${wire.unknown}]
S: RECORD [${wire.known}]`)}${NEXT}?: GOODBYE
`
      })
      const [first, broken, third, end, next] = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const result = yield* session.run(QUERY)
          const first = yield* result.next
          const broken = yield* Effect.flip(result.next)
          const third = yield* result.next
          const end = yield* result.next
          const next = yield* Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.list)
          return [first, broken, third, end, Chunk.toArray(next)] as const
        })
      )
      expect(Option.map(first, (r) => isKnown(r.get("dt")))).toEqual(Option.some(true))
      expectBroken(broken)
      expect(Option.map(third, (r) => isKnown(r.get("dt")))).toEqual(Option.some(true))
      expect(Option.isNone(end)).toBe(true)
      expect(next.map((r) => r.get("n"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
    })
  )
})

describe("garbled values still break the connection", () => {
  const garbled = (record: string) =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        scripts: [
          `!: BOLT 5.0\nA: HELLO\n${autoCommit(record)}`,
          `!: BOLT 5.0\nA: HELLO\n${NEXT}?: GOODBYE\n`
        ]
      })
      const [error, next] = yield* withDriver(stub, (driver) =>
        Effect.gen(function* () {
          const session = yield* driver.session()
          const error = yield* Effect.flip(Effect.flatMap(session.run(QUERY), (r) => r.list))
          const next = yield* Effect.flatMap(session.run("RETURN 1 AS n"), (r) => r.list)
          return [error, Chunk.toArray(next)] as const
        })
      )
      expect(error._tag).toBe("ProtocolError")
      expect(error.message).toContain("garbled")
      expect(next.map((r) => r.get("n"))).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(2)
      return error
    })

  it.scopedLive("an unknown zone followed by a garbled value in the same record: the whole record is checked, ProtocolError, a new connection", () =>
    Effect.gen(function* () {
      // RECORD [DateTimeZoneId(0, 0, "Europe/Neo4j"), <marker C7>]
      const error = yield* garbled("S: <RAW> 00 15 B1 71 92 B3 69 00 00 8C 45 75 72 6F 70 65 2F 4E 65 6F 34 6A C7 00 00")
      expect(error.message).toContain("0xC7")
    })
  )

  it.scopedLive("a DateTimeZoneId whose zone id is not a string: ProtocolError, a new connection", () =>
    Effect.gen(function* () {
      const error = yield* garbled("S: RECORD [Structure<0x69> [0, 0, 3600]]")
      expect(error.message).toContain("tz_id must be a string")
    })
  )

  it.scopedLive("an unknown zone with an out-of-range nanosecond field: ProtocolError, a new connection", () =>
    Effect.gen(function* () {
      const error = yield* garbled('S: RECORD [Structure<0x69> [0, 1000000000, "Europe/Neo4j"]]')
      expect(error.message).toContain("nanosecond")
    })
  )
})

describe("Temporal.isKnownTimeZone", () => {
  it("tells the zone ids this runtime knows", () => {
    expect(Temporal.isKnownTimeZone("Europe/Stockholm")).toBe(true)
    expect(Temporal.isKnownTimeZone("UTC")).toBe(true)
    expect(Temporal.isKnownTimeZone("Europe/Neo4j")).toBe(false)
    expect(Temporal.isKnownTimeZone("")).toBe(false)
  })
})
