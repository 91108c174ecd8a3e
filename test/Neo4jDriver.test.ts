/**
 * The driver as a user meets it, over real sockets against the scripted stub server: the Layer
 * is lazy; closing its scope says GOODBYE on and closes every connection after success, failure
 * and interruption; a closed driver refuses work; URIs, configuration from the ConfigProvider and
 * Aura files; server info; every auth scheme in HELLO (< 5.1) or LOGON (5.1+); secrets absent
 * from errors and logs; userAgent, fetchSize, connectionTimeout and the server's recv-timeout hint.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Stream,
  TestClock,
  TestContext
} from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as util from "node:util"
import * as Auth from "../src/Auth.js"
import * as DriverConfig from "../src/DriverConfig.js"
import * as Neo4jDriver from "../src/Neo4jDriver.js"
import { NodeDriverConfig } from "../src/node/index.js"
import type { Neo4jError } from "../src/Neo4jError.js"
import { StubServer } from "../src/testing/index.js"
import {
  AUTH,
  AUTH_HEAD,
  driverLayer,
  eventually,
  helloLines,
  makeLogCollector,
  names,
  openSockets,
  PASSWORD,
  realSleep,
  settledSockets,
  txLines
} from "./support.js"

const withDriver = <A, E, R>(f: (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Neo4jDriver.Neo4jDriver, f)

/** ROUTE answered with a one-member cluster at `address` (home database "neo4j"). */
const routeLines = (address: string, context = `{"address": "${address}"}`) => `C: ROUTE ${context} [] {}
S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}`

const closedConnections = (stub: StubServer.StubServer) =>
  Effect.map(stub.connections, (cs) => cs.filter((c) => !c.open).length)

/** Every connection of the stub ended with GOODBYE and is closed. */
const expectAllSaidGoodbye = (stub: StubServer.StubServer, count: number) =>
  Effect.gen(function* () {
    const conns = yield* stub.connections
    expect(conns.length).toBe(count)
    for (const c of conns) {
      expect(c.received.at(-1)?.name).toBe("GOODBYE")
      expect(c.open).toBe(false)
    }
  })

describe("lifecycle", () => {
  it.live("building the Layer opens no socket; the first query opens one", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${AUTH_HEAD}${txLines("RETURN 1", 1)}\nC: GOODBYE\n` })
      const before = openSockets()
      const context = yield* Layer.build(driverLayer(stub))
      const driver = Effect.provide(Neo4jDriver.Neo4jDriver, context)
      yield* realSleep(100)
      expect(yield* stub.connectionCount).toBe(0)
      expect(openSockets()).toBe(before)
      const { records } = yield* Effect.flatMap(driver, (d) => d.executeQuery("RETURN 1"))
      expect(records.map((r) => r.get("x"))).toEqual([1])
      expect(yield* stub.connectionCount).toBe(1)
    }).pipe(Effect.scoped)
  )

  it.live("after success: GOODBYE on the connection and no socket left", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: `${AUTH_HEAD}${txLines("RETURN 1", 1)}\nC: GOODBYE\n` })
      const before = openSockets()
      const result = yield* withDriver((d) => d.executeQuery("RETURN 1")).pipe(Effect.provide(driverLayer(stub)))
      expect(result.records[0]?.get("x")).toBe(1)
      yield* stub.verify
      yield* expectAllSaidGoodbye(stub, 1)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("after failure: the program fails with a typed error, then GOODBYE and no socket left", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${AUTH_HEAD}C: BEGIN {}
C: RUN "RETURN nope" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Variable \`nope\` not defined"}
   IGNORED
C: RESET
S: SUCCESS {}
C: GOODBYE
`
      })
      const before = openSockets()
      const error = yield* withDriver((d) => d.executeQuery("RETURN nope")).pipe(
        Effect.provide(driverLayer(stub)),
        Effect.flip
      )
      expect(error._tag).toBe("ClientError")
      expect(error._tag === "ClientError" ? error.code : undefined).toBe("Neo.ClientError.Statement.SyntaxError")
      yield* stub.verify
      yield* expectAllSaidGoodbye(stub, 1)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("after interruption mid-query: RESET, GOODBYE and no socket left", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${AUTH_HEAD}C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: <SLEEP 300>
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
C: RESET
S: SUCCESS {}
C: GOODBYE
`
      })
      const before = openSockets()
      const fiber = yield* Effect.fork(
        withDriver((d) => Stream.runCollect(d.stream("RETURN 1"))).pipe(Effect.provide(driverLayer(stub)))
      )
      expect(yield* eventually(Effect.map(stub.received(), (ms) => ms.some((m) => m.name === "PULL")))).toBe(true)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* stub.verify
      yield* expectAllSaidGoodbye(stub, 1)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("after interruption mid-stream: DISCARD, GOODBYE and no socket left", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${AUTH_HEAD}C: RUN "UNWIND range(1, 10) AS x RETURN x" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {}
C: GOODBYE
`
      })
      const before = openSockets()
      let seen = 0
      const fiber = yield* Effect.fork(
        withDriver((d) =>
          d.stream("UNWIND range(1, 10) AS x RETURN x").pipe(
            Stream.tap(() => Effect.zipRight(Effect.sync(() => seen++), Effect.never)),
            Stream.runDrain
          )
        ).pipe(Effect.provide(driverLayer(stub, { fetchSize: 2 })))
      )
      expect(yield* eventually(Effect.sync(() => seen === 1))).toBe(true)
      yield* Fiber.interrupt(fiber)
      yield* stub.verify
      yield* expectAllSaidGoodbye(stub, 1)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  const stalled: ReadonlyArray<readonly [string, string, (d: Neo4jDriver.Neo4jDriver) => Effect.Effect<unknown, Neo4jError>]> = [
    [
      "a stream waiting for RUN's answer",
      `C: RUN "RETURN 1" {} {}
C: PULL {"n": 2}
S: <STALL>`,
      (d) => Stream.runCollect(d.stream("RETURN 1"))
    ],
    [
      "a stream with a batch in flight",
      `C: RUN "RETURN 1" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   <STALL>`,
      (d) => Stream.runCollect(d.stream("RETURN 1"))
    ],
    [
      "executeQuery with a batch in flight",
      `C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 2}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: <STALL>`,
      (d) => d.executeQuery("RETURN 1")
    ]
  ]
  for (const [name, body, query] of stalled) {
    it.live(`interrupted while the server stopped answering (${name}): RESET, given up after 10 s, the connection closed`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: `${AUTH_HEAD}${body}\n` })
        const before = openSockets()
        const pulls = body.split("C: PULL").length - 1
        // the RESET wait is measured on the Clock: a TestClock lets the test skip it
        yield* Effect.gen(function* () {
          const fiber = yield* Effect.fork(withDriver(query).pipe(Effect.provide(driverLayer(stub, { fetchSize: 2 }))))
          const sent = (name: string) => Effect.map(stub.received(), (ms) => ms.filter((m) => m.name === name).length)
          expect(yield* eventually(Effect.map(sent("PULL"), (n) => n === pulls))).toBe(true)
          yield* realSleep(50)
          const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
          expect(yield* eventually(Effect.map(sent("RESET"), (n) => n === 1))).toBe(true)
          yield* realSleep(100)
          expect(Option.isNone(yield* Fiber.poll(interrupting))).toBe(true)
          yield* TestClock.adjust("10 seconds")
          expect(yield* eventually(Effect.map(Fiber.poll(interrupting), Option.isSome))).toBe(true)
        }).pipe(Effect.provide(TestContext.TestContext))
        // no GOODBYE: the server stopped answering, the socket is simply closed
        expect((yield* stub.received()).at(-1)?.name).toBe("RESET")
        expect(yield* eventually(Effect.map(closedConnections(stub), (n) => n === 1))).toBe(true)
        expect(yield* settledSockets(before)).toBe(before)
      }).pipe(Effect.scoped)
    )
  }

  it.live("several pooled connections (concurrent queries) are all closed with GOODBYE", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `${AUTH_HEAD}C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: <SLEEP 150>
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
C: GOODBYE
`
      })
      const before = openSockets()
      const results = yield* withDriver((d) =>
        Effect.all([d.executeQuery("RETURN 1"), d.executeQuery("RETURN 1"), d.executeQuery("RETURN 1")], {
          concurrency: "unbounded"
        })
      ).pipe(Effect.provide(driverLayer(stub)))
      expect(results.map((r) => r.records[0]?.get("x"))).toEqual([1, 1, 1])
      yield* stub.verify
      yield* expectAllSaidGoodbye(stub, 3)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  for (const scheme of ["bolt", "neo4j"] as const) {
    it.live(`${scheme}://: a closed driver refuses new work with ServiceUnavailableError (Closed), at once`, () =>
      Effect.gen(function* () {
        const [port] = yield* StubServer.freePorts(1)
        const address = `127.0.0.1:${port}`
        const stub = yield* StubServer.make({
          port,
          script: `${AUTH_HEAD}${scheme === "neo4j" ? routeLines(address) : ""}
${txLines("RETURN 1", 1, { begin: scheme === "neo4j" ? 'C: BEGIN {"db": "neo4j"}' : "C: BEGIN {}" })}
C: GOODBYE
`
        })
        const driver = yield* Effect.scoped(
          Effect.tap(Neo4jDriver.make({ uri: stub.uri(scheme), auth: AUTH }), (d) => d.executeQuery("RETURN 1"))
        )
        yield* stub.verify
        const start = Date.now()
        const errors: Array<Neo4jError> = [
          yield* Effect.flip(driver.executeQuery("RETURN 1")),
          yield* Effect.flip(Stream.runCollect(driver.stream("RETURN 1"))),
          yield* Effect.flip(driver.verifyConnectivity()),
          yield* Effect.flip(driver.getServerInfo()),
          yield* Effect.flip(Effect.scoped(Effect.flatMap(driver.session(), (s) => s.run("RETURN 1")))),
          yield* Effect.flip(
            Effect.scoped(Effect.flatMap(driver.session(), (s) => s.executeWrite((tx) => tx.run("RETURN 1"))))
          )
        ]
        for (const e of errors) {
          expect(e._tag).toBe("ServiceUnavailableError")
          expect(e._tag === "ServiceUnavailableError" ? e.reason : undefined).toBe("Closed")
          expect(e.message).toContain("closed")
        }
        // refused, not retried for maxTransactionRetryTime
        expect(Date.now() - start).toBeLessThan(1000)
        expect(yield* stub.connectionCount).toBe(1)
      }).pipe(Effect.scoped)
    )
  }
})

describe("URIs", () => {
  for (const scheme of ["bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"] as const) {
    it.live(`${scheme}:// is accepted and works against one server`, () =>
      Effect.gen(function* () {
        const secure = scheme.includes("+")
        const routing = scheme.startsWith("neo4j")
        const [port] = yield* StubServer.freePorts(1)
        const address = `localhost:${port}`
        const stub = yield* StubServer.make({
          port,
          tls: secure ? true : undefined,
          // no home-database cache before Bolt 5.8 with server-side routing: getServerInfo
          // resolves the home database with a ROUTE, and executeQuery with its own ROUTE again
          // (the home database may have changed in between)
          script: `${AUTH_HEAD}${routing ? `${routeLines(address)}
C: RESET
S: SUCCESS {}
${routeLines(address)}` : ""}
${txLines("RETURN 1", 1, { begin: routing ? 'C: BEGIN {"db": "neo4j"}' : "C: BEGIN {}" })}
C: GOODBYE
`
        })
        const info = yield* withDriver((d) =>
          Effect.zipLeft(d.getServerInfo(), d.executeQuery("RETURN 1"))
        ).pipe(
          Effect.provide(
            Neo4jDriver.layer({
              uri: `${scheme}://${address}`,
              auth: AUTH,
              ...(scheme.endsWith("+s") ? { trustedCertificates: [stub.certificate!.cert] } : {})
            })
          )
        )
        expect(info.address).toBe(address)
        yield* stub.verify
        const hello = (yield* stub.received(1))[0]!
        expect(hello.name).toBe("HELLO")
        // routing schemes send the routing context in HELLO, direct ones do not
        expect((hello.fields[0] as Record<string, unknown>).routing).toEqual(routing ? { address } : undefined)
        // before Bolt 5.8 (no home-database cache) getServerInfo and executeQuery each resolve
        // the home database: a ROUTE each, the second before the query's BEGIN
        const routeAndBegin = (yield* names(stub)).filter((n) => n === "ROUTE" || n === "BEGIN")
        expect(routeAndBegin).toEqual(routing ? ["ROUTE", "ROUTE", "BEGIN"] : ["BEGIN"])
      }).pipe(Effect.scoped)
    )
  }

  it.live("the default port is 7687", () =>
    Effect.gen(function* () {
      const free = yield* Effect.promise(
        () =>
          new Promise<boolean>((resolve) => {
            const s = net.createServer()
            s.once("error", () => resolve(false))
            s.listen(7687, "127.0.0.1", () => s.close(() => resolve(true)))
          })
      )
      if (free) {
        const stub = yield* StubServer.make({ port: 7687, script: `${AUTH_HEAD}C: GOODBYE\n` })
        const info = yield* withDriver((d) => d.verifyConnectivity()).pipe(
          Effect.provide(Neo4jDriver.layer({ uri: "bolt://127.0.0.1", auth: AUTH }))
        )
        expect(info.address).toBe("127.0.0.1:7687")
        yield* stub.verify
      } else {
        // something else holds 7687 here: the driver still dials it
        const outcome = yield* withDriver((d) => d.verifyConnectivity()).pipe(
          Effect.provide(Neo4jDriver.layer({ uri: "bolt://127.0.0.1", auth: AUTH, connectionTimeout: 500 })),
          Effect.either
        )
        const address =
          outcome._tag === "Right"
            ? outcome.right.address
            : outcome.left._tag === "ServiceUnavailableError"
              ? outcome.left.address
              : undefined
        expect(address).toBe("127.0.0.1:7687")
      }
    }).pipe(Effect.scoped)
  )

  it.live("neo4j:// query string: the routing context goes in HELLO's routing and in ROUTE", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const address = `127.0.0.1:${port}`
      const context = `{"address": "${address}", "region": "eu-west", "policy": "fast"}`
      const stub = yield* StubServer.make({
        port,
        script: `!: BOLT 5.4
C: HELLO {"user_agent": *string, "bolt_agent": *map, "routing": ${context}}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": ${JSON.stringify(PASSWORD)}}
S: SUCCESS {}
${routeLines(address, context)}
${txLines("RETURN 1", 1, { begin: 'C: BEGIN {"db": "neo4j"}' })}
C: GOODBYE
`
      })
      yield* withDriver((d) => d.executeQuery("RETURN 1")).pipe(
        Effect.provide(Neo4jDriver.layer({ uri: `neo4j://${address}?region=eu-west&policy=fast`, auth: AUTH }))
      )
      yield* stub.verify
    }).pipe(Effect.scoped)
  )

  it.live("bad URIs: InvalidConfigError naming the problem, from layer and make, with no socket opened", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["http://localhost:7474", 'unsupported scheme "http"'],
        ["localhost:7687", "expected scheme://host[:port]"],
        ["bolt://", "host"],
        ["bolt://localhost:70000", "port 70000 is out of range"],
        ["bolt://localhost:0", "port 0 is out of range"],
        ["bolt://local host", "the host or port is malformed"],
        ["bolt://localhost:7687/db", 'unexpected path "/db"'],
        ["bolt://localhost?region=eu", "only allowed with neo4j://"],
        ["neo4j://localhost?address=x:1", '"address" is reserved'],
        ["bolt://neo4j:hunter2@localhost", "credentials do not belong in the URI"]
      ]
      const before = openSockets()
      for (const [uri, problem] of cases) {
        const fromLayer = yield* Effect.flip(
          Effect.provide(Neo4jDriver.Neo4jDriver, Neo4jDriver.layer({ uri, auth: AUTH }))
        )
        const fromMake = yield* Effect.flip(Effect.scoped(Neo4jDriver.make({ uri, auth: AUTH })))
        for (const e of [fromLayer, fromMake]) {
          expect(e._tag).toBe("InvalidConfigError")
          expect(e.message).toContain("uri")
          expect(e.message).toContain(problem)
          expect(e.message).not.toContain("hunter2")
        }
      }
      expect(openSockets()).toBe(before)
    })
  )

  it.live("bad options: InvalidConfigError naming each bad option", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(
        Effect.provide(
          Neo4jDriver.Neo4jDriver,
          Neo4jDriver.layer({
            uri: "neo4j://localhost",
            auth: AUTH,
            fetchSize: 0,
            maxConnectionPoolSize: -1,
            connectionTimeout: "soon" as Duration.DurationInput,
            trustedCertificates: ["/etc/ssl/ca.pem"],
            ...({ fetch_size: 10 } as object)
          })
        )
      )
      expect(e._tag).toBe("InvalidConfigError")
      expect(e.message).toContain("fetchSize must be -1 (all) or an integer >= 1 (got 0)")
      expect(e.message).toContain("maxConnectionPoolSize must be an integer >= 1 (got -1)")
      expect(e.message).toContain("connectionTimeout must be a duration")
      expect(e.message).toContain("trustedCertificates[0] must be PEM text")
      expect(e.message).toContain('unknown option "fetch_size"')
      const noAuth = yield* Effect.flip(
        Effect.scoped(Neo4jDriver.make({ uri: "bolt://localhost", auth: { scheme: "basic" } as unknown as Auth.AuthToken }))
      )
      expect(noAuth.message).toContain("auth must be an AuthToken")
    })
  )
})

describe("configuration from the ConfigProvider", () => {
  const dbScript = (user: string, password: string) => `!: BOLT 5.4
C: HELLO {"user_agent": *string, "bolt_agent": *map}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": ${JSON.stringify(user)}, "credentials": ${JSON.stringify(password)}}
S: SUCCESS {}
${txLines("RETURN 1", 1, { begin: 'C: BEGIN {"db": "movies"}' })}
C: RUN "RETURN 2" {} {"db": "movies", "bookmarks": ["FB:1"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: GOODBYE
`
  const program = withDriver((d) =>
    Effect.gen(function* () {
      const a = yield* d.executeQuery("RETURN 1")
      const b = yield* Stream.runCollect(d.stream("RETURN 2"))
      return [a.records[0]?.get("x"), [...b][0]?.get("x")]
    })
  )

  it.live("Neo4jDriverLive reads NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: dbScript("reader", "p@ss#w=rd") })
      const provider = ConfigProvider.fromMap(
        new Map([
          ["NEO4J_URI", stub.uri()],
          ["NEO4J_USERNAME", "reader"],
          ["NEO4J_PASSWORD", "p@ss#w=rd"],
          ["NEO4J_DATABASE", "movies"],
          ["NEO4J_FETCH_SIZE", "1000"]
        ])
      )
      const values = yield* program.pipe(
        Effect.provide(Neo4jDriver.Neo4jDriverLive.pipe(Layer.provide(Layer.setConfigProvider(provider))))
      )
      expect(values).toEqual([1, 2])
      yield* stub.verify
    }).pipe(Effect.scoped)
  )

  it.live("an Aura connection file (a password with # and =) through NodeDriverConfig.layerAuraFile", () =>
    Effect.gen(function* () {
      const password = "Xy9#k=abc#def=="
      const stub = yield* StubServer.make({ script: dbScript("neo4j", password) })
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "effect-neo4j-aura-"))),
        (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
      )
      const file = path.join(dir, "Neo4j-a0a2fa1d-Created-2023-11-06.txt")
      fs.writeFileSync(
        file,
        [
          "# Wait 60 seconds before connecting using these details, or login to https://console.neo4j.io to validate the Aura Instance is available",
          `NEO4J_URI=${stub.uri()}`,
          "NEO4J_USERNAME=neo4j",
          `NEO4J_PASSWORD=${password}`,
          "NEO4J_DATABASE=movies",
          "AURA_INSTANCEID=a0a2fa1d",
          "AURA_INSTANCENAME=Instance01",
          ""
        ].join("\n")
      )
      const values = yield* program.pipe(
        Effect.provide(Neo4jDriver.Neo4jDriverLive.pipe(Layer.provide(NodeDriverConfig.layerAuraFile(file))))
      )
      expect(values).toEqual([1, 2])
      yield* stub.verify
    }).pipe(Effect.scoped)
  )
})

describe("server info", () => {
  for (const [version, header, sessionAuth] of [
    ["4.4", "!: BOLT 4.4", false],
    ["5.0", "!: BOLT 5.0", false],
    ["5.1", "!: BOLT 5.1", true],
    ["5.4", "!: BOLT 5.4", true],
    ["5.8", "!: MANIFEST 5.8-5.0 4.4", true],
    ["6.0", "!: MANIFEST 6.0 5.8-5.0 4.4", true]
  ] as const) {
    it.live(`Bolt ${version}: verifyConnectivity, getServerInfo, supportsMultiDb, supportsSessionAuth ${sessionAuth}`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script: `${header}\n${helloLines(version, "Neo4j/5.26.7")}\nC: GOODBYE\n` })
        const [verified, info, multiDb, sessionAuthSupported] = yield* withDriver((d) =>
          Effect.all([d.verifyConnectivity(), d.getServerInfo(), d.supportsMultiDb(), d.supportsSessionAuth()])
        ).pipe(Effect.provide(driverLayer(stub)))
        const expected = { address: stub.address, agent: "Neo4j/5.26.7", protocolVersion: version }
        expect(verified).toEqual(expected)
        expect(info).toEqual(expected)
        expect(multiDb).toBe(true)
        expect(sessionAuthSupported).toBe(sessionAuth)
        yield* stub.verify
        // one connection, reused by all four calls
        expect(yield* stub.connectionCount).toBe(1)
      }).pipe(Effect.scoped)
    )
  }
})

describe("auth", () => {
  const tokens: ReadonlyArray<readonly [string, Auth.AuthToken, string]> = [
    ["basic", Auth.basic("neo4j", Redacted.make(PASSWORD)), `"scheme": "basic", "principal": "neo4j", "credentials": ${JSON.stringify(PASSWORD)}`],
    ["basic with realm", Auth.basic("neo4j", PASSWORD, "native"), `"scheme": "basic", "principal": "neo4j", "credentials": ${JSON.stringify(PASSWORD)}, "realm": "native"`],
    ["bearer", Auth.bearer(PASSWORD), `"scheme": "bearer", "credentials": ${JSON.stringify(PASSWORD)}`],
    ["none", Auth.none(), `"scheme": "none"`],
    ["kerberos", Auth.kerberos(PASSWORD), `"scheme": "kerberos", "principal": "", "credentials": ${JSON.stringify(PASSWORD)}`],
    [
      "custom",
      Auth.custom("ada", PASSWORD, "lab", "plugin", { level: 3 }),
      `"scheme": "plugin", "principal": "ada", "credentials": ${JSON.stringify(PASSWORD)}, "realm": "lab", "parameters": {"level": 3}`
    ]
  ]
  for (const [name, auth, fields] of tokens) {
    for (const version of ["4.4", "5.0", "5.1", "5.4"] as const) {
      const logon = version !== "4.4" && version !== "5.0"
      it.live(`${name}: in ${logon ? "LOGON" : "HELLO"} at Bolt ${version}`, () =>
        Effect.gen(function* () {
          const stub = yield* StubServer.make({
            script: logon
              ? `!: BOLT ${version}
C: HELLO {"user_agent": "my-app/2.0", "[bolt_agent]": *map}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {${fields}}
S: SUCCESS {}
C: GOODBYE
`
              : `!: BOLT ${version}
C: HELLO {"user_agent": "my-app/2.0", ${fields}, "[bolt_agent]": *map, "[patch_bolt]": ["utc"]}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: GOODBYE
`
          })
          yield* withDriver((d) => d.verifyConnectivity()).pipe(
            Effect.provide(Neo4jDriver.layer({ uri: stub.uri(), auth, userAgent: "my-app/2.0" }))
          )
          yield* stub.verify
        }).pipe(Effect.scoped)
      )
    }
  }

  for (const version of ["4.4", "5.4"] as const) {
    it.live(`wrong credentials: AuthenticationError (Bolt ${version}, ${version === "4.4" ? "HELLO" : "LOGON"})`, () =>
      Effect.gen(function* () {
        const failure = `S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}`
        const stub = yield* StubServer.make({
          script:
            version === "4.4"
              ? `!: BOLT 4.4\nC: HELLO *\n${failure}\n?: GOODBYE\n`
              : `!: BOLT 5.4\nA: HELLO\nC: LOGON *\n${failure}\n?: GOODBYE\n`
        })
        const before = openSockets()
        const error = yield* withDriver((d) => d.verifyConnectivity()).pipe(
          Effect.provide(Neo4jDriver.layer({ uri: stub.uri(), auth: Auth.basic("neo4j", "wrong-password") })),
          Effect.flip
        )
        expect(error._tag).toBe("AuthenticationError")
        expect(error._tag === "AuthenticationError" ? error.code : undefined).toBe("Neo.ClientError.Security.Unauthorized")
        expect(error.retriable).toBe(false)
        yield* stub.verify
        expect(yield* settledSockets(before)).toBe(before)
      }).pipe(Effect.scoped)
    )
  }

  it.live("the password or token never appears in errors, tokens, the config or log lines", () => {
    const collector = makeLogCollector()
    return Effect.gen(function* () {
      const secret = "Tr0ub4dor&3-never-print-me"
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: LOGON *
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
?: GOODBYE
`
      })
      const stalled = yield* StubServer.make({ script: "!: HANDSHAKE STALL\n", verifyOnClose: false })
      const refused = yield* StubServer.freePorts(1)
      const auths = [
        Auth.basic("neo4j", secret),
        Auth.basic("neo4j", Redacted.make(secret), "realm"),
        Auth.bearer(secret),
        Auth.kerberos(secret),
        Auth.custom("ada", secret, "lab", "plugin", { note: "x" })
      ]
      const attempts: Array<Effect.Effect<unknown, unknown>> = []
      for (const auth of auths) {
        // wrong credentials, a timeout, a refused connection, a bad config, a closed driver
        attempts.push(
          withDriver((d) => d.executeQuery("RETURN 1")).pipe(Effect.provide(Neo4jDriver.layer({ uri: stub.uri(), auth })))
        )
        attempts.push(
          withDriver((d) => d.verifyConnectivity()).pipe(
            Effect.provide(Neo4jDriver.layer({ uri: stalled.uri(), auth, connectionAcquisitionTimeout: 100 }))
          )
        )
        attempts.push(
          withDriver((d) => d.verifyConnectivity()).pipe(
            Effect.provide(Neo4jDriver.layer({ uri: `bolt://127.0.0.1:${refused[0]}`, auth }))
          )
        )
        attempts.push(
          withDriver((d) => d.verifyConnectivity()).pipe(
            Effect.provide(Neo4jDriver.layer({ uri: "bolt://localhost", auth, fetchSize: -5 }))
          )
        )
        attempts.push(
          Effect.flatMap(Effect.scoped(Neo4jDriver.make({ uri: stub.uri(), auth })), (d) => d.executeQuery("RETURN 1"))
        )
      }
      attempts.push(
        Effect.scoped(Neo4jDriver.make({ uri: `bolt://neo4j:${secret}@localhost`, auth: Auth.none() }))
      )
      const texts: Array<string> = []
      for (const attempt of attempts) {
        const exit = yield* attempt.pipe(
          Effect.tapErrorCause((cause) => Effect.logError("query failed", cause)),
          Effect.catchAll((e) => Effect.succeed({ caught: e })),
          Effect.exit
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        const caught = Exit.isSuccess(exit) ? (exit.value as { caught?: unknown }).caught : undefined
        expect(caught).toBeDefined()
        const error = caught as Neo4jError
        texts.push(
          error.message,
          String(error),
          JSON.stringify(error),
          Cause.pretty(Cause.fail(error)),
          util.inspect(error, { depth: 10 })
        )
      }
      for (const auth of auths) texts.push(String(auth), JSON.stringify(auth), `${auth}`, util.inspect(auth, { depth: 10 }))
      texts.push(JSON.stringify((yield* Effect.scoped(Neo4jDriver.make({ uri: "bolt://localhost", auth: auths[0]! }))).config))
      const lines = collector.lines
      expect(lines.length).toBeGreaterThanOrEqual(attempts.length)
      for (const text of [...texts, ...lines]) expect(text).not.toContain(secret)
      // the tokens still say which scheme and principal they are
      expect(String(auths[0])).toBe("AuthToken(basic, neo4j)")
      expect(JSON.parse(JSON.stringify(auths[0]))).toEqual({ scheme: "basic", principal: "neo4j", credentials: "<redacted>" })
      yield* stub.verify
    }).pipe(
      Effect.scoped,
      Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  })
})

describe("Bolt trace", () => {
  it.live("at Debug level the conversation is logged, a line per write and per answer, credentials redacted, records counted", () => {
    const debug = makeLogCollector()
    const info = makeLogCollector()
    const script = `${AUTH_HEAD}${txLines("RETURN 1", 1)}
?: GOODBYE
`
    const run = (collector: ReturnType<typeof makeLogCollector>, level: LogLevel.LogLevel) =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script })
        const { records } = yield* withDriver((d) => d.executeQuery("RETURN 1")).pipe(Effect.provide(driverLayer(stub)))
        expect(records[0]?.get("x")).toBe(1)
        yield* stub.verify
      }).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
        Logger.withMinimumLogLevel(level)
      )
    return Effect.gen(function* () {
      yield* run(debug, LogLevel.Debug)
      yield* run(info, LogLevel.Info)
      const bolt = debug.lines.filter((l) => l.includes("bolt.server="))
      const text = bolt.join("\n")
      expect(text).toContain('C: HELLO {"user_agent": ')
      expect(text).toContain('C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": <redacted>}')
      expect(text).toContain('C: BEGIN {}\nC: RUN "RETURN 1" {} {}\nC: PULL {"n": 1000}')
      expect(text).toContain('S: SUCCESS {"fields": ["x"]}')
      expect(text).toContain('S: RECORD × 1\nS: SUCCESS {"type": "r"}')
      expect(text).toContain("C: COMMIT")
      expect(text).toContain('S: SUCCESS {"bookmark": "FB:1"}')
      expect(text).toContain("C: GOODBYE")
      expect(bolt.every((l) => l.startsWith("DEBUG"))).toBe(true)
      expect(text).not.toContain(PASSWORD)
      expect(info.lines.filter((l) => l.includes("bolt.server="))).toEqual([])
    })
  })

  it.live("query parameters: keys shown, values <redacted> by default; withBoltTraceParameters shows the values", () => {
    const script = `${AUTH_HEAD}C: BEGIN {}
C: RUN "MATCH (u:User {email: $email}) RETURN 1 AS x" {"email": "ada@example.com", "name": "Ada"} {}
C: PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "FB:1"}
?: GOODBYE
`
    const run = (collector: ReturnType<typeof makeLogCollector>, showValues: boolean) =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ script })
        yield* withDriver((d) =>
          d.executeQuery("MATCH (u:User {email: $email}) RETURN 1 AS x", { email: "ada@example.com", name: "Ada" })
        ).pipe(Effect.provide(driverLayer(stub)))
        yield* stub.verify
      }).pipe(
        Effect.scoped,
        (self) => (showValues ? Neo4jDriver.withBoltTraceParameters(self) : self),
        Effect.provide(Logger.replace(Logger.defaultLogger, collector.logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
    return Effect.gen(function* () {
      const hidden = makeLogCollector()
      const shown = makeLogCollector()
      yield* run(hidden, false)
      yield* run(shown, true)
      const hiddenText = hidden.lines.filter((l) => l.includes("bolt.server=")).join("\n")
      expect(hiddenText).toContain('C: RUN "MATCH (u:User {email: $email}) RETURN 1 AS x" {"email": <redacted>, "name": <redacted>} {}')
      expect(hiddenText).not.toContain("ada@example.com")
      const shownText = shown.lines.filter((l) => l.includes("bolt.server=")).join("\n")
      expect(shownText).toContain('C: RUN "MATCH (u:User {email: $email}) RETURN 1 AS x" {"email": "ada@example.com", "name": "Ada"} {}')
      // the opt-in shows parameters, never credentials
      expect(shownText).toContain('"credentials": <redacted>')
      expect(shownText).not.toContain(PASSWORD)
    })
  })
})

describe("options", () => {
  it.live("userAgent goes in HELLO; fetchSize in every PULL n", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
C: HELLO {"user_agent": "inventory-service/3.1", "bolt_agent": *map}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
A: LOGON
C: BEGIN {}
C: RUN "UNWIND range(1, 5) AS x RETURN x" {} {}
C: PULL {"n": 2}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   RECORD [4]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [5]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {}
C: RUN "UNWIND range(1, 3) AS x RETURN x" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   SUCCESS {"type": "r"}
C: GOODBYE
`
      })
      const [eager, streamed] = yield* withDriver((d) =>
        Effect.all([
          d.executeQuery("UNWIND range(1, 5) AS x RETURN x"),
          Stream.runCollect(d.stream("UNWIND range(1, 3) AS x RETURN x"))
        ])
      ).pipe(Effect.provide(driverLayer(stub, { userAgent: "inventory-service/3.1", fetchSize: 2 })))
      expect(eager.records.map((r) => r.get("x"))).toEqual([1, 2, 3, 4, 5])
      expect([...streamed].map((r) => r.get("x"))).toEqual([1, 2, 3])
      yield* stub.verify
    }).pipe(Effect.scoped)
  )

  it.live("connectionAcquisitionTimeout bounds the handshake: a server that never answers it is a ConnectionAcquisitionTimeoutError in time", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: "!: HANDSHAKE STALL\n", verifyOnClose: false })
      const before = openSockets()
      const start = Date.now()
      const error = yield* withDriver((d) => d.verifyConnectivity()).pipe(
        Effect.provide(driverLayer(stub, { connectionAcquisitionTimeout: "200 millis" })),
        Effect.flip
      )
      const elapsed = Date.now() - start
      expect(error._tag).toBe("ConnectionAcquisitionTimeoutError")
      expect(error.message).toContain("200 ms")
      expect(elapsed).toBeGreaterThanOrEqual(190)
      expect(elapsed).toBeLessThan(1500)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  for (const useBigInt of [false, true]) it.live(`the server's connection.recv_timeout_seconds hint (useBigInt ${useBigInt}): a stalled query fails with ServiceUnavailableError (Timeout)`, () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
A: LOGON
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: <STALL>
`
      })
      const before = openSockets()
      const start = Date.now()
      const error = yield* withDriver((d) => Stream.runCollect(d.stream("RETURN 1"))).pipe(
        Effect.provide(driverLayer(stub, { useBigInt })),
        Effect.flip
      )
      const elapsed = Date.now() - start
      expect(error._tag).toBe("ServiceUnavailableError")
      expect(error._tag === "ServiceUnavailableError" ? error.reason : undefined).toBe("Timeout")
      expect(elapsed).toBeGreaterThanOrEqual(950)
      expect(elapsed).toBeLessThan(3000)
      yield* stub.verify
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )
})
