/**
 * Discovery failures a newcomer hits, through the public driver API over real sockets: when
 * every router failed the same way, and not for want of availability (an HTTP server on the Bolt
 * port, the same TLS failure, bad credentials), the failure is that error itself (same class, tag
 * and fields) with the routers tried in its message, not `ServiceUnavailableError` `NoRouters`;
 * routers that failed in different ways, or could not be reached, still give `NoRouters`
 * listing each router and why it failed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import * as net from "node:net"
import * as Auth from "../../src/Auth.js"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { ClientError, ProtocolError } from "../../src/Neo4jError.js"
import type { Neo4jError } from "../../src/Neo4jError.js"
import { StubServer } from "../../src/testing/index.js"
import { count, HEAD, PASSWORD } from "../support.js"

const addr = (port: number) => `127.0.0.1:${port}`

/** What Neo4j's HTTP port (Jetty) answers to the Bolt handshake's bytes. */
const HTTP_400 =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html;charset=iso-8859-1\r\nContent-Length: 58\r\nConnection: close\r\n\r\n" +
  "<h1>Bad Message 400</h1><pre>reason: Illegal character</pre>"

/**
 * A plain TCP server on 127.0.0.1 that answers the first bytes it gets with `answer` and closes
 * the connection (an HTTP port, a server speaking no Bolt version we offer); counts connections.
 */
const rawServer = (answer: string | Uint8Array) =>
  Effect.acquireRelease(
    Effect.async<{ readonly port: number; readonly connections: () => number; readonly server: net.Server; readonly sockets: Set<net.Socket> }>(
      (resume) => {
        let connections = 0
        const sockets = new Set<net.Socket>()
        const server = net.createServer((socket) => {
          connections++
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {})
          socket.once("data", () => socket.end(answer))
        })
        server.listen(0, "127.0.0.1", () =>
          resume(
            Effect.succeed({ port: (server.address() as net.AddressInfo).port, connections: () => connections, server, sockets })
          )
        )
      }
    ),
    (s) =>
      Effect.async<void>((resume) => {
        for (const socket of s.sockets) socket.destroy()
        s.server.close(() => resume(Effect.void))
      })
  )

const httpServer = rawServer(HTTP_400)

/** Retries fast, so that a retriable failure would show as several connections. */
const fast = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

/** verifyConnectivity and executeQuery (with `fast` retries) on a driver for `uri`: both failures. */
const failures = (uri: string, options: Neo4jDriver.MakeOptions = {}, auth = Auth.basic("neo4j", "pw")) =>
  Effect.scoped(
    Effect.gen(function* () {
      const driver = yield* Neo4jDriver.make({ uri, auth }, { retry: fast, ...options })
      const viaVerify = yield* Effect.flip(driver.verifyConnectivity())
      const viaQuery = yield* Effect.flip(driver.executeQuery("RETURN 1", {}, { database: "neo4j" }))
      return [viaVerify, viaQuery] as const
    })
  )

const HTTP_MESSAGE = "The server answered the Bolt handshake with HTTP: this is Neo4j's HTTP port (7474 by default); Bolt listens on port 7687"

describe("discovery: every router failed the same way", () => {
  it.scopedLive("the only router answers HTTP: ProtocolError naming HTTP and the router, not retried", () =>
    Effect.gen(function* () {
      const http = yield* httpServer
      const errors = yield* failures(`neo4j://${addr(http.port)}`)
      for (const error of errors) {
        expect(error._tag).toBe("ProtocolError")
        expect(error).toBeInstanceOf(ProtocolError)
        expect(error.message).toBe(`${HTTP_MESSAGE} (every router failed this way: ${addr(http.port)})`)
        // not the advice for a single server that is not a cluster
        expect(error.message).not.toContain("bolt://")
        expect(error.retriable).toBe(false)
      }
      // one connection each: the ProtocolError is not retried
      expect(http.connections()).toBe(2)
    }))

  it.scopedLive("two routers (custom resolver) both answer HTTP: one ProtocolError listing both", () =>
    Effect.gen(function* () {
      const a = yield* httpServer
      const b = yield* httpServer
      const resolver = () => Effect.succeed([addr(a.port), addr(b.port)])
      const errors = yield* failures(`neo4j://cluster.example:7687`, { resolver })
      for (const error of errors) {
        expect(error._tag).toBe("ProtocolError")
        expect(error.message).toBe(`${HTTP_MESSAGE} (every router failed this way: ${addr(a.port)}, ${addr(b.port)})`)
        expect(error.retriable).toBe(false)
      }
      expect([a.connections(), b.connections()]).toEqual([2, 2])
    }))

  it.scopedLive("two routers, both refusing the certificate (neo4j+s://, self-signed): the TLS failure, permanent", () =>
    Effect.gen(function* () {
      const a = yield* StubServer.make({ tls: true, script: "!: BOLT 5.4\n", verifyOnClose: false })
      const b = yield* StubServer.make({ tls: true, script: "!: BOLT 5.4\n", verifyOnClose: false })
      const resolver = () => Effect.succeed([a.address, b.address])
      const errors = yield* failures(`neo4j+s://cluster.example:7687`, { resolver })
      for (const error of errors) {
        expect(error._tag).toBe("ServiceUnavailableError")
        if (error._tag !== "ServiceUnavailableError") continue
        // the root error's own fields: reason Connect, permanent, the first router's address
        expect(error.reason).toBe("Connect")
        expect(error.permanent).toBe(true)
        expect(error.retriable).toBe(false)
        expect(error.address).toBe(a.address)
        expect(error.message).toMatch(new RegExp(`^TLS handshake with ${a.address} failed: .*certificate`))
        expect(error.message).toContain(`(every router failed this way: ${a.address}, ${b.address})`)
      }
      expect(yield* a.received()).toEqual([])
      expect(yield* b.received()).toEqual([])
    }))

  it.scopedLive("two routers refuse ROUTE with the same ClientError: that error, its fields kept, listing both", () =>
    Effect.gen(function* () {
      const script = `${HEAD}{*
C: ROUTE * * *
S: FAILURE {"code": "Neo.ClientError.Procedure.ProcedureCallFailed", "message": "Routing is misconfigured"}
C: RESET
S: SUCCESS {}
*}
?: GOODBYE
`
      const a = yield* StubServer.make({ script })
      const b = yield* StubServer.make({ script })
      const resolver = () => Effect.succeed([a.address, b.address])
      const errors = yield* failures(`neo4j://cluster.example:7687`, { resolver })
      for (const error of errors) {
        expect(error).toBeInstanceOf(ClientError)
        if (error._tag !== "ClientError") continue
        expect(error.message).toBe(
          `Neo.ClientError.Procedure.ProcedureCallFailed: Routing is misconfigured (every router failed this way: ${a.address}, ${b.address})`
        )
        expect(error.code).toBe("Neo.ClientError.Procedure.ProcedureCallFailed")
        expect(error.serverMessage).toBe("Routing is misconfigured")
        expect(error.gqlStatus).toBe("50N42")
        expect(error.classification).toBe("UNKNOWN")
        expect(error.retriable).toBe(false)
      }
      // one discovery each: not retried
      expect([yield* count(a, "ROUTE"), yield* count(b, "ROUTE")]).toEqual([2, 2])
      yield* a.verify
      yield* b.verify
    }))

  it.scopedLive("wrong credentials on the only router: AuthenticationError at once, no secret in it", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "${PASSWORD}"}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
`
      })
      const errors = yield* failures(stub.uri("neo4j"), {}, Auth.basic("neo4j", PASSWORD))
      for (const error of errors) {
        expect(error._tag).toBe("AuthenticationError")
        if (error._tag !== "AuthenticationError") continue
        expect(error.code).toBe("Neo.ClientError.Security.Unauthorized")
        expect(error.message).toBe(
          `Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure. (user "neo4j", server ${stub.address})`
        )
        expect(error.retriable).toBe(false)
        expect(JSON.stringify(error)).not.toContain(PASSWORD)
        expect(String(error)).not.toContain(PASSWORD)
      }
      // one connection each, no retry
      expect(yield* stub.connectionCount).toBe(2)
    }))
})

describe("discovery: routers that failed in different ways, or could not be reached", () => {
  it.scopedLive("one router answers HTTP, one refuses connections: NoRouters listing both reasons", () =>
    Effect.gen(function* () {
      const http = yield* httpServer
      const [closed] = yield* StubServer.freePorts(1)
      const resolver = () => Effect.succeed([addr(http.port), addr(closed!)])
      const errors = yield* failures(`neo4j://cluster.example:7687`, { resolver })
      for (const error of errors) {
        expect(error._tag).toBe("ServiceUnavailableError")
        if (error._tag !== "ServiceUnavailableError") continue
        expect(error.reason).toBe("NoRouters")
        expect(error.message).toContain(`  - ${addr(http.port)}: ProtocolError: ${HTTP_MESSAGE}`)
        expect(error.message).toContain(`  - ${addr(closed!)}: connection refused`)
        // a router that cannot be reached may come back: retriable
        expect(error.retriable).toBe(true)
      }
    }))

  it.scopedLive("the custom resolver failed and the seed answers HTTP: NoRouters, the resolver's failure in it", () =>
    Effect.gen(function* () {
      const http = yield* httpServer
      const resolver = () => Effect.fail(new Error("the service registry is down"))
      const errors = yield* failures(`neo4j://${addr(http.port)}`, { resolver })
      for (const error of errors) {
        expect(error._tag).toBe("ServiceUnavailableError")
        if (error._tag !== "ServiceUnavailableError") continue
        expect(error.reason).toBe("NoRouters")
        expect(error.message).toContain(`  - resolver(${addr(http.port)}): Error: the service registry is down`)
        expect(error.message).toContain(`  - ${addr(http.port)}: ProtocolError: ${HTTP_MESSAGE}`)
        // the resolver may name working routers once it is back
        expect(error.retriable).toBe(true)
      }
    }))

  it.scopedLive("two ProtocolErrors of different kinds (HTTP; no common Bolt version): NoRouters, permanent", () =>
    Effect.gen(function* () {
      const http = yield* httpServer
      const old = yield* rawServer(new Uint8Array([0, 0, 0, 0]))
      const resolver = () => Effect.succeed([addr(http.port), addr(old.port)])
      const errors: ReadonlyArray<Neo4jError> = yield* failures(`neo4j://cluster.example:7687`, { resolver })
      for (const error of errors) {
        expect(error._tag).toBe("ServiceUnavailableError")
        if (error._tag !== "ServiceUnavailableError") continue
        expect(error.reason).toBe("NoRouters")
        expect(error.message).toContain(`  - ${addr(http.port)}: ProtocolError: ${HTTP_MESSAGE}`)
        expect(error.message).toContain(`  - ${addr(old.port)}: ProtocolError: The server supports none of the Bolt versions`)
        // no router failed for a reason a retry fixes
        expect(error.permanent).toBe(true)
        expect(error.retriable).toBe(false)
      }
      // not retried
      expect([http.connections(), old.connections()]).toEqual([2, 2])
    }))
})
