/**
 * TLS through the driver against the stub server's TLS mode (a self-signed certificate for
 * `localhost` and `127.0.0.1`): `+s` verifies the certificate (against `trustedCertificates`),
 * `+ssc` accepts a self-signed one, a certificate that is not trusted or names another host is
 * a typed `ServiceUnavailableError` naming TLS and the certificate, the SNI server name is the
 * URI's host, and closing the driver leaves no TLS handle behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import * as Neo4jDriver from "../../src/Neo4jDriver.js"
import { Certificate, StubServer } from "../../src/testing/index.js"
import { AUTH, AUTH_HEAD, eventually, openSockets, settledSockets, txLines } from "../support.js"

const QUERY = txLines("RETURN 1 AS x", 1, { commit: "{}" })

const SCRIPT = `${AUTH_HEAD}${QUERY}\nC: GOODBYE\n`

/** verifyConnectivity + RETURN 1 through a driver for `uri`, in its own scope. */
const query = (uri: string, config: { trustedCertificates?: ReadonlyArray<string> } = {}) =>
  Effect.flatMap(Neo4jDriver.Neo4jDriver, (d) =>
    Effect.zip(d.verifyConnectivity(), Effect.map(d.executeQuery("RETURN 1 AS x"), (r) => r.records.map((x) => x.get("x"))))
  ).pipe(Effect.provide(Neo4jDriver.layer({ uri, auth: AUTH, ...config })))

/** A refused certificate: the error, caught by tag. */
const refused = (uri: string, config: { trustedCertificates?: ReadonlyArray<string> } = {}) =>
  query(uri, config).pipe(
    Effect.flatMap(() => Effect.dieMessage(`${uri}: expected the certificate to be refused`)),
    Effect.catchTag("ServiceUnavailableError", Effect.succeed)
  )

/**
 * A TLS front for a plain stub that records the SNI server name of each client: it terminates
 * TLS with `cert` and pipes the bytes to `target`.
 */
const tlsFront = (cert: Certificate.SelfSignedCertificate, target: number) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; names: Array<string | false>; server: tls.Server; sockets: Set<net.Socket> }>((resume) => {
      const names: Array<string | false> = []
      const sockets = new Set<net.Socket>()
      const track = (s: net.Socket) => {
        sockets.add(s)
        s.on("close", () => sockets.delete(s))
        s.on("error", () => {})
      }
      const server = tls.createServer({ key: cert.key, cert: cert.cert }, (client) => {
        names.push((client as tls.TLSSocket & { servername: string | false }).servername)
        const upstream = net.connect(target, "127.0.0.1")
        track(client)
        track(upstream)
        client.pipe(upstream).pipe(client)
        client.on("close", () => upstream.destroy())
        upstream.on("close", () => client.destroy())
      })
      server.on("connection", track)
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, names, server, sockets }))
      )
    }),
    (front) =>
      Effect.async<void>((resume) => {
        for (const s of front.sockets) s.destroy()
        front.server.close(() => setImmediate(() => resume(Effect.void)))
      })
  )

describe("TLS", () => {
  it.live("bolt+s://localhost with the stub's certificate in trustedCertificates: verified, queries work", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ tls: true, script: SCRIPT })
      const before = openSockets()
      const [info, values] = yield* query(`bolt+s://localhost:${stub.port}`, { trustedCertificates: [stub.certificate!.cert] })
      expect(info.address).toBe(`localhost:${stub.port}`)
      expect(values).toEqual([1])
      yield* stub.verify
      expect(yield* stub.tlsErrors).toEqual([])
      // closing the driver closed the TLS socket (both ends)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("bolt+s:// without trusting the self-signed certificate: ServiceUnavailableError naming TLS and the certificate", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ tls: true, script: SCRIPT, verifyOnClose: false })
      const before = openSockets()
      const error = yield* refused(`bolt+s://localhost:${stub.port}`)
      expect(error.reason).toBe("Connect")
      expect(error.address).toBe(`localhost:${stub.port}`)
      expect(error.message).toContain("TLS")
      expect(error.message).toMatch(/certificate/i)
      expect(error.message).toMatch(/self[- ]signed/i)
      // a rejected certificate does not get better by retrying
      expect(error.retriable).toBe(false)
      // the server saw a client that gave up in the TLS handshake; no Bolt byte was exchanged
      expect(yield* eventually(Effect.map(stub.tlsErrors, (errors) => errors.length === 1))).toBe(true)
      expect(yield* stub.received()).toEqual([])
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("bolt+s:// trusting another certificate: refused as well", () =>
    Effect.gen(function* () {
      const other = yield* Certificate.selfSigned()
      const stub = yield* StubServer.make({ tls: true, script: SCRIPT, verifyOnClose: false })
      const error = yield* refused(`bolt+s://localhost:${stub.port}`, { trustedCertificates: [other.cert] })
      expect(error.message).toContain("TLS")
      expect(error.message).toMatch(/certificate/i)
      expect(yield* stub.received()).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.live("bolt+s:// checks the host name: a trusted certificate for another name is refused; bolt+ssc:// accepts it", () =>
    Effect.gen(function* () {
      const cert = yield* Certificate.selfSigned({ commonName: "db.example.com", altNames: ["DNS:db.example.com"] })
      const stub = yield* StubServer.make({ tls: { key: cert.key, cert: cert.cert }, scripts: [SCRIPT] })
      const error = yield* refused(`bolt+s://localhost:${stub.port}`, { trustedCertificates: [cert.cert] })
      expect(error.message).toContain("TLS")
      expect(error.message).toMatch(/altnames|host ?name|certificate/i)
      // +ssc: encrypted, but neither the issuer nor the name is checked
      const [, values] = yield* query(`bolt+ssc://localhost:${stub.port}`)
      expect(values).toEqual([1])
      yield* stub.verify
    }).pipe(Effect.scoped)
  )

  for (const host of ["localhost", "127.0.0.1"]) {
    it.live(`bolt+ssc://${host} accepts the self-signed certificate without trusting it`, () =>
      Effect.gen(function* () {
        const stub = yield* StubServer.make({ tls: true, script: SCRIPT })
        const [info, values] = yield* query(`bolt+ssc://${host}:${stub.port}`)
        expect(info.protocolVersion).toBe("5.4")
        expect(values).toEqual([1])
        yield* stub.verify
      }).pipe(Effect.scoped)
    )
  }

  it.live("neo4j+s://localhost with the trusted certificate: ROUTE, then the query after its own ROUTE, all over TLS", () =>
    Effect.gen(function* () {
      const [port] = yield* StubServer.freePorts(1)
      const address = `localhost:${port}`
      const route = `C: ROUTE {"address": "${address}"} [] {}
S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["${address}"], "role": "ROUTE"}, {"addresses": ["${address}"], "role": "READ"}, {"addresses": ["${address}"], "role": "WRITE"}]}}`
      const stub = yield* StubServer.make({
        port,
        tls: true,
        // no home-database cache before Bolt 5.8 with server-side routing: verifyConnectivity
        // resolves the home database with a ROUTE, and the query with its own ROUTE again
        script: `${AUTH_HEAD}${route}
C: RESET
S: SUCCESS {}
${route}
${QUERY.replace("C: BEGIN {}", 'C: BEGIN {"db": "neo4j"}')}
C: GOODBYE
`
      })
      const before = openSockets()
      const [info, values] = yield* query(`neo4j+s://${address}`, { trustedCertificates: [stub.certificate!.cert] })
      expect(info.address).toBe(address)
      expect(values).toEqual([1])
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )

  it.live("neo4j+s:// without trusting the certificate: the routing error names TLS and the certificate", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ tls: true, script: SCRIPT, verifyOnClose: false })
      const error = yield* refused(`neo4j+s://localhost:${stub.port}`)
      expect(error.message).toContain("TLS")
      expect(error.message).toMatch(/certificate/i)
      expect(yield* stub.received()).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.live("SNI: the server name is the URI's host name; none is sent for an IP address", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({ script: SCRIPT })
      const cert = yield* Certificate.selfSigned()
      const front = yield* tlsFront(cert, stub.port)
      const [, values] = yield* query(`bolt+s://localhost:${front.port}`, { trustedCertificates: [cert.cert] })
      expect(values).toEqual([1])
      yield* stub.verify
      expect(front.names).toEqual(["localhost"])

      const stub2 = yield* StubServer.make({ script: SCRIPT })
      const front2 = yield* tlsFront(cert, stub2.port)
      yield* query(`bolt+s://127.0.0.1:${front2.port}`, { trustedCertificates: [cert.cert] })
      yield* stub2.verify
      expect(front2.names).toEqual([false])
    }).pipe(Effect.scoped)
  )

  it.live("a stream over TLS stopped early: DISCARD, then GOODBYE when the driver closes", () =>
    Effect.gen(function* () {
      const stub = yield* StubServer.make({
        tls: true,
        script: `${AUTH_HEAD}C: RUN "UNWIND range(1, 1000000) AS i RETURN i" {} {}
S: <STREAM records=1000000 fields=["i"]>
C: GOODBYE
`
      })
      const before = openSockets()
      const first = yield* Effect.flatMap(Neo4jDriver.Neo4jDriver, (d) =>
        d.stream("UNWIND range(1, 1000000) AS i RETURN i").pipe(Stream.take(3), Stream.runCollect)
      ).pipe(
        Effect.provide(Neo4jDriver.layer({ uri: `bolt+s://localhost:${stub.port}`, auth: AUTH, trustedCertificates: [stub.certificate!.cert] }))
      )
      expect([...first].map((r) => r.get("i"))).toEqual([0, 1, 2])
      yield* stub.verify
      expect((yield* stub.received()).map((m) => m.name).slice(2)).toEqual(["RUN", "PULL", "DISCARD", "GOODBYE"])
      expect(yield* settledSockets(before)).toBe(before)
    }).pipe(Effect.scoped)
  )
})
