/**
 * Every fault the stub server can inject (issue 11 acceptance), table-driven, over real sockets:
 * the server closes the connection at each message of a query, of a transaction and of a routing
 * exchange; stalls (bounded by the handshake/HELLO timeout or the server's
 * `connection.recv_timeout_seconds` hint); sends garbled bytes; answers the handshake as an HTTP
 * server; offers no common version; sends a stray message. For each: the typed error (tag, reason,
 * message), the real time to it bounded, no handle left (`process.getActiveResourcesInfo()`
 * before and after), and the pool still serving the next query on a fresh connection.
 *
 * Each case's stub plays `scripts: [fault, healthy]`: the fault on the first connection, a query
 * answered on the second. Transaction functions retry a lost connection (ServiceUnavailable is
 * retriable): the cases that assert the error run them with `maxTransactionRetryTime: 0` (no
 * retry); separate cases give a fast retry schedule and expect the retry to succeed on the healthy
 * connection, or not to happen (a lost COMMIT).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Schedule } from "effect"
import type * as DriverConfig from "../src/DriverConfig.js"
import type * as Neo4jDriver from "../src/Neo4jDriver.js"
import { StubServer } from "../src/testing/index.js"
import { count, eventually, failureOf, HEAD, openSockets, settledSockets, withDriver } from "./support.js"

// ---------------------------------------------------------------------------------------------
// scripts

/** Bolt 5.4 opening whose HELLO answer carries a 1 s read timeout hint: a stalled read fails. */
const HEAD_RECV_1S = `!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
A: LOGON
`

const RUN_1 = `C: RUN "RETURN 1 AS x" {} {}\n`
const PULL = `C: PULL {"n": 1000}\n`
const ANSWER_1 = `S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
`
const TX_OPEN = `C: BEGIN {}\n${RUN_1}${PULL}S: SUCCESS {}\n`

/** The second connection: `RETURN 2 AS x` answered, auto-commit. */
const HEALTHY = `${HEAD}C: RUN "RETURN 2 AS x" {} {}
${PULL}S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
?: GOODBYE
`

/** A whole transaction function answered (for the retry cases). */
const HEALTHY_TX = `${HEAD}${TX_OPEN}${ANSWER_1}C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`

/** A router for `neo4j://` at `address` naming itself in every role, answering ROUTE, queries and RESET in any order. */
const healthyRouter = (address: string) => `${HEAD}{*
{{
C: ROUTE * * *
S: SUCCESS ${JSON.stringify({
  rt: {
    ttl: 300,
    db: "neo4j",
    servers: [
      { addresses: [address], role: "ROUTE" },
      { addresses: [address], role: "READ" },
      { addresses: [address], role: "WRITE" }
    ]
  }
})}
----
C: RUN "RETURN 2 AS x" * *
C: PULL *
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
----
C: RESET
S: SUCCESS {}
}}
*}
?: GOODBYE
`

// ---------------------------------------------------------------------------------------------
// the work

type Work = "session.run" | "executeQuery" | "explicit transaction" | "neo4j:// session.run"

const xs = (records: ReadonlyArray<{ get: (k: string) => unknown }>) => records.map((r) => r.get("x"))

const autoCommit = (d: Neo4jDriver.Neo4jDriver, x: number) =>
  Effect.scoped(Effect.flatMap(d.session(), (s) => Effect.flatMap(s.run(`RETURN ${x} AS x`), (r) => r.list))).pipe(
    Effect.map((records) => xs(Chunk.toArray(records)))
  )

const works: Record<Work, (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<ReadonlyArray<unknown>, unknown>> = {
  "session.run": (d) => autoCommit(d, 1),
  "neo4j:// session.run": (d) => autoCommit(d, 1),
  executeQuery: (d) => Effect.map(d.executeQuery("RETURN 1 AS x"), (r) => xs(r.records)),
  "explicit transaction": (d) =>
    Effect.scoped(
      Effect.gen(function* () {
        const session = yield* d.session()
        const tx = yield* session.beginTransaction()
        const records = yield* Effect.flatMap(tx.run("RETURN 1 AS x"), (r) => r.list)
        yield* tx.commit
        return xs(Chunk.toArray(records))
      })
    )
}

// ---------------------------------------------------------------------------------------------
// the cases

interface Expected {
  readonly _tag: string
  readonly reason?: string
  readonly message?: RegExp
}

interface Case {
  readonly name: string
  readonly work: Work
  /** the first connection's script; for `neo4j://` a function of the stub's address */
  readonly fault: string
  /** the typed error, or the records of a work that succeeds despite the fault */
  readonly expected: Expected | { readonly records: ReadonlyArray<unknown> }
  /** real milliseconds the work may take at most (default 2000), and at least */
  readonly maxMs?: number
  readonly minMs?: number
  readonly config?: Omit<DriverConfig.DriverConfig, "uri" | "auth">
  readonly options?: Neo4jDriver.MakeOptions
  /** scripts after the fault (default: `HEALTHY`) */
  readonly then?: ReadonlyArray<string>
  /** BEGINs the stub receives in all, when it matters (a retry or none) */
  readonly begins?: number
}

const lost = (during?: RegExp): Expected => ({
  _tag: "ServiceUnavailableError",
  reason: "Closed",
  message: during ?? /closed the connection/
})
const timeout = (message: RegExp): Expected => ({ _tag: "ServiceUnavailableError", reason: "Timeout", message })
const protocol = (message?: RegExp): Expected => (message ? { _tag: "ProtocolError", message } : { _tag: "ProtocolError" })
const incomplete: Expected = { _tag: "IncompleteCommitError", message: /lost during COMMIT.*may or may not have been committed/ }

/** no retry: the error of the first attempt */
const noRetry = { maxTransactionRetryTime: 0 }
const fastRetry: Neo4jDriver.MakeOptions = { retry: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3))) }

const handshakeCases: ReadonlyArray<Case> = [
  {
    name: "the server closes during the handshake (half an answer)",
    work: "session.run",
    fault: "!: HANDSHAKE 00 00\nS: <EXIT>\n",
    expected: lost(/closed the connection during the Bolt handshake/)
  },
  {
    name: "the handshake stalls: bounded by connectionAcquisitionTimeout (which bounds the opening; connectionTimeout only the TCP connect)",
    work: "session.run",
    fault: "!: HANDSHAKE STALL\n",
    config: { connectionAcquisitionTimeout: "300 millis" },
    expected: { _tag: "ConnectionAcquisitionTimeoutError", message: /300 ms/ },
    minMs: 250
  },
  {
    name: "an HTTP reply to the handshake",
    work: "session.run",
    fault: "!: HANDSHAKE 48 54 54 50 2F 31 2E 31 20 34 30 30 20 42 61 64 0D 0A 0D 0A\n",
    expected: protocol(/HTTP.*7474.*7687/)
  },
  {
    name: "no common version (00 00 00 00)",
    work: "session.run",
    fault: "!: HANDSHAKE 00 00 00 00\n",
    expected: protocol(/4\.4/)
  },
  {
    name: "a version the driver never offered (3.0)",
    work: "session.run",
    fault: "!: HANDSHAKE 00 00 00 03\n",
    expected: protocol()
  }
]

const queryCases: ReadonlyArray<Case> = [
  { name: "lost at HELLO", work: "session.run", fault: "!: BOLT 5.4\nC: HELLO *\nS: <EXIT>\n", expected: lost() },
  {
    name: "HELLO stalls: bounded by connectionAcquisitionTimeout",
    work: "session.run",
    fault: "!: BOLT 5.4\nC: HELLO *\nS: <STALL>\n",
    config: { connectionAcquisitionTimeout: "300 millis" },
    expected: { _tag: "ConnectionAcquisitionTimeoutError", message: /300 ms/ },
    minMs: 250
  },
  { name: "lost at LOGON", work: "session.run", fault: "!: BOLT 5.4\nA: HELLO\nC: LOGON *\nS: <EXIT>\n", expected: lost() },
  { name: "lost at RUN", work: "session.run", fault: `${HEAD}${RUN_1}S: <EXIT>\n`, expected: lost() },
  {
    name: "lost at PULL, before the records",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\nS: <EXIT>\n`,
    expected: lost()
  },
  {
    name: "lost at PULL, mid-records",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   <EXIT>\n`,
    expected: lost()
  },
  {
    name: "lost mid-message (half a chunk)",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\n   <RAW> 00 10 B1 71 91\n   <EXIT>\n`,
    expected: lost()
  },
  {
    name: "RUN stalls: bounded by the recv_timeout hint (1 s)",
    work: "session.run",
    fault: `${HEAD_RECV_1S}${RUN_1}${PULL}S: <STALL>\n`,
    expected: timeout(/read timeout \(1000 ms\)/),
    minMs: 900,
    maxMs: 2500
  },
  {
    name: "PULL stalls mid-records: bounded by the recv_timeout hint (1 s)",
    work: "session.run",
    fault: `${HEAD_RECV_1S}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   <STALL>\n`,
    expected: timeout(/read timeout \(1000 ms\)/),
    minMs: 900,
    maxMs: 2500
  },
  {
    name: "garbled: an invalid PackStream marker (C4) in RUN's answer",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: <RAW> 00 03 B1 70 C4 00 00\n`,
    expected: protocol()
  },
  {
    name: "garbled: an unknown message (signature 55) mid-records",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   <RAW> 00 02 B0 55 00 00\n`,
    expected: protocol()
  },
  {
    // a protocol violation (IGNORED only follows a FAILURE): fails today, the driver reads it as
    // "an earlier request failed" (ResultConsumedError) and puts the connection back in service
    // without RESET; the next query is sent on it
    name: "an IGNORED mid-records, no FAILURE before it",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   IGNORED\n?: GOODBYE\n`,
    expected: protocol()
  },
  {
    name: "a stray SUCCESS after a complete answer: the query succeeds, its connection is closed",
    work: "session.run",
    fault: `${HEAD}${RUN_1}${PULL}${ANSWER_1}S: SUCCESS {}\n?: GOODBYE\n`,
    expected: { records: [1] }
  }
]

const txMessages = (work: "executeQuery" | "explicit transaction"): ReadonlyArray<Case> => {
  const config = work === "executeQuery" ? noRetry : undefined
  const c = (name: string, fault: string, expected: Expected, extra: Partial<Case> = {}): Case => ({
    name,
    work,
    fault,
    expected,
    ...(config ? { config } : {}),
    ...extra
  })
  return [
    c("lost at BEGIN", `${HEAD}C: BEGIN {}\nS: <EXIT>\n`, lost()),
    c("lost at RUN", `${HEAD}C: BEGIN {}\nS: SUCCESS {}\n${RUN_1}S: <EXIT>\n`, lost()),
    c("lost at PULL, mid-records", `${HEAD}${TX_OPEN}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   <EXIT>\n`, lost()),
    c("lost at COMMIT: IncompleteCommitError", `${HEAD}${TX_OPEN}${ANSWER_1}C: COMMIT\nS: <EXIT>\n`, incomplete),
    c(
      "COMMIT stalls: bounded by the recv_timeout hint (1 s), IncompleteCommitError",
      `${HEAD_RECV_1S}${TX_OPEN}${ANSWER_1}C: COMMIT\nS: <STALL>\n`,
      incomplete,
      { minMs: 900, maxMs: 2500 }
    ),
    c("garbled answer to BEGIN", `${HEAD}C: BEGIN {}\n${RUN_1}${PULL}S: <RAW> 00 03 B1 70 C4 00 00\n`, protocol())
  ]
}

const retryCases: ReadonlyArray<Case> = [
  {
    name: "lost at PULL, retried on a fresh connection: succeeds",
    work: "executeQuery",
    fault: `${HEAD}${TX_OPEN}S: SUCCESS {"fields": ["x"]}\n   RECORD [1]\n   <EXIT>\n`,
    options: fastRetry,
    expected: { records: [1] },
    // the retry's connection goes back to the pool and serves the next query
    then: [HEALTHY_TX.replace("?: GOODBYE\n", HEALTHY.slice(HEAD.length))],
    begins: 2
  },
  {
    name: "lost at COMMIT is never retried",
    work: "executeQuery",
    fault: `${HEAD}${TX_OPEN}${ANSWER_1}C: COMMIT\nS: <EXIT>\n`,
    options: fastRetry,
    expected: incomplete,
    begins: 1
  }
]

const routingCases: ReadonlyArray<Case> = [
  {
    name: "lost at ROUTE",
    work: "neo4j:// session.run",
    fault: `${HEAD}C: ROUTE * * *\nS: <EXIT>\n`,
    expected: { _tag: "ServiceUnavailableError", reason: "NoRouters", message: /closed the connection/ }
  },
  {
    name: "ROUTE stalls: bounded by the recv_timeout hint (1 s)",
    work: "neo4j:// session.run",
    fault: `${HEAD_RECV_1S}C: ROUTE * * *\nS: <STALL>\n`,
    expected: { _tag: "ServiceUnavailableError", reason: "NoRouters", message: /read timeout/ },
    minMs: 900,
    maxMs: 2500
  },
  {
    name: "garbled answer to ROUTE",
    work: "neo4j:// session.run",
    fault: `${HEAD}C: ROUTE * * *\nS: <RAW> 00 03 B1 70 C4 00 00\n`,
    // every router (here the only one) failed the same way, not for want of availability: the
    // discovery fails with that ProtocolError, naming the routers
    expected: protocol(/^garbled Bolt message .*\(every router failed this way: 127\.0\.0\.1:\d+\)$/)
  }
]

// ---------------------------------------------------------------------------------------------
// the runner

/** The active resources (sockets, timers, ...) by kind. */
const resources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1
  return counts
}

/** Waits (up to 1 s) until no kind of resource outnumbers `before`; returns the kinds still above it. */
const settledResources = (before: Record<string, number>) =>
  Effect.promise(async () => {
    const above = () => Object.entries(resources()).filter(([k, n]) => n > (before[k] ?? 0)).map(([k, n]) => `${k}: ${n}`)
    const start = Date.now()
    while (above().length > 0 && Date.now() - start < 1000) await new Promise((resolve) => setTimeout(resolve, 5))
    return above()
  })

const run = (c: Case) =>
  Effect.gen(function* () {
    const routing = c.work === "neo4j:// session.run"
    const [port] = routing ? yield* StubServer.freePorts(1) : [undefined]
    const then = c.then ?? [routing ? healthyRouter(`127.0.0.1:${port}`) : HEALTHY]
    const stub = yield* StubServer.make({ scripts: [c.fault, ...then], verifyOnClose: false, ...(port ? { port } : {}) })
    const socketsBefore = openSockets()
    const before = resources()
    const { exit, faultyClosed, ms, next } = yield* withDriver(
      routing ? stub.uri("neo4j") : stub,
      (driver) =>
        Effect.gen(function* () {
          const start = Date.now()
          const exit = yield* Effect.exit(works[c.work](driver))
          const ms = Date.now() - start
          // the pool still serves: the next query, on a fresh connection
          const next = yield* Effect.exit(autoCommit(driver, 2))
          // the faulty connection is closed while the driver still runs (not kept until its close)
          const faultyClosed = yield* eventually(Effect.map(stub.connections, (cs) => cs[0]?.open === false), 1000)
          return { exit, ms, next, faultyClosed }
        }),
      c.config ?? {},
      c.options
    )
    // the typed error (a defect or an interruption fails `failureOf`)
    if ("records" in c.expected) {
      expect(exit).toEqual(Exit.succeed(c.expected.records))
    } else {
      const error = failureOf(exit) as { _tag: string; reason?: string; message: string }
      expect(error._tag).toBe(c.expected._tag)
      if (c.expected.reason !== undefined) expect(error.reason).toBe(c.expected.reason)
      if (c.expected.message !== undefined) expect(error.message).toMatch(c.expected.message)
    }
    // bounded
    expect(ms).toBeLessThan(c.maxMs ?? 2000)
    if (c.minMs !== undefined) expect(ms).toBeGreaterThanOrEqual(c.minMs)
    // the next query succeeded, on a connection of its own
    expect(next).toEqual(Exit.succeed([2]))
    expect(yield* stub.connectionCount).toBe(2)
    if (c.begins !== undefined) expect(yield* count(stub, "BEGIN")).toBe(c.begins)
    expect(faultyClosed).toBe(true)
    // the driver sent what a server expects, on both connections
    expect((yield* stub.deviations).map((d) => d.text)).toEqual([])
    // nothing left: both ends of every socket closed, no timer left behind
    expect(yield* settledSockets(socketsBefore)).toBe(socketsBefore)
    expect(yield* settledResources(before)).toEqual([])
  })

const all: ReadonlyArray<readonly [string, ReadonlyArray<Case>]> = [
  ["the handshake", handshakeCases],
  ["an auto-commit query (session.run)", queryCases],
  ["a transaction function (executeQuery, no retry)", txMessages("executeQuery")],
  ["an explicit transaction", txMessages("explicit transaction")],
  ["a transaction function with retries", retryCases],
  ["a routing exchange (neo4j://)", routingCases]
]

for (const [group, cases] of all) {
  describe(`faults in ${group}`, () => {
    for (const c of cases) {
      it.scopedLive(`${c.name}: ${"records" in c.expected ? "succeeds" : c.expected._tag}, bounded, nothing leaked, the pool serves the next query`, () =>
        run(c), 10_000)
    }
  })
}
