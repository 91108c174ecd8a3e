/**
 * The TestKit backend of effect-neo4j: a TCP server (TEST_BACKEND_PORT, 9876 by default) that
 * TestKit drives with `#request begin` / JSON / `#request end` frames, answered with
 * `#response begin` / JSON / `#response end`. Each TestKit connection (one per test) has its own
 * objects (drivers, sessions, transactions, results, errors, bookmark managers), all closed when
 * the connection ends.
 *
 * It uses only the public entry points `effect-neo4j` (and `effect-neo4j/testing` none so far);
 * run it with `node --conditions=source --import tsx testkit-backend/backend.ts` so that the
 * package's self-reference resolves to its sources (the `source` export condition).
 *
 * Set TESTKIT_BACKEND_DEBUG=1 to log every request and response to stderr.
 */
import * as net from "node:net"
import { Effect } from "effect"
import { Connection } from "./connection.js"

const port = Number(process.env.TEST_BACKEND_PORT ?? 9876)
const host = process.env.TEST_BACKEND_BIND ?? "127.0.0.1"
const debug = /^(1|true|yes|on)$/i.test(process.env.TESTKIT_BACKEND_DEBUG ?? "")

const open = new Set<Connection>()

const server = net.createServer((socket) => {
  socket.setNoDelay(true)
  socket.setEncoding("utf8")
  const conn = new Connection((text) => {
    if (!socket.destroyed) socket.write(text)
  }, debug)
  open.add(conn)
  let buffered = ""
  let inRequest = false
  let body = ""
  socket.on("data", (chunk: string) => {
    buffered += chunk
    let nl: number
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, "")
      buffered = buffered.slice(nl + 1)
      if (line === "#request begin") {
        inRequest = true
        body = ""
      } else if (line === "#request end") {
        inRequest = false
        conn.handle(body)
      } else if (inRequest) {
        body += line + "\n"
      }
    }
  })
  const done = () => {
    if (!open.delete(conn)) return
    void Effect.runPromise(conn.close)
  }
  socket.on("close", done)
  socket.on("error", () => socket.destroy())
})

server.listen(port, host, () => {
  console.error(`effect-neo4j TestKit backend listening on ${host}:${port}`)
})

const shutdown = () => {
  server.close()
  void Promise.all([...open].map((c) => Effect.runPromise(c.close))).finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 3000).unref()
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)

