/**
 * The benchmark server as its own process (so its CPU is not charged to a client):
 *
 *   node --import tsx bench/server/main.ts [--stream 1000000] [--nodes 200000] [--bolt 5.8] [--plain] [--port 0]
 *
 * Forked with IPC (as e2e.bench.ts does), it sends `{type: "ready", port}` once listening and
 * answers `{type: "stats", reset}` with its counters; it exits when its parent goes away. Run
 * from a shell, it prints the port and serves until killed.
 */
import { flag, option } from "../argv.js"
import type { ServerReply, ServerRequest } from "./queries.js"
import { start } from "./server.js"

const [major, minor] = (option("--bolt") ?? "5.8").split(".").map(Number) as [number, number]
const t0 = performance.now()
const server = await start({
  streamRecords: Number(option("--stream") ?? 1_000_000),
  nodeRecords: Number(option("--nodes") ?? 200_000),
  version: { major, minor: minor ?? 0 },
  manifest: !flag("--plain"),
  port: Number(option("--port") ?? 0)
})
const startupMs = performance.now() - t0

const send = (m: ServerReply) => process.send?.(m)

if (process.send) {
  process.on("message", (m: ServerRequest) => {
    if (m.type === "stats") {
      const stats = server.stats()
      if (m.reset) server.resetStats()
      send({ type: "stats", stats })
    }
  })
  process.on("disconnect", () => process.exit(0))
  send({ type: "ready", port: server.port, startupMs })
} else {
  process.stdout.write(`bench server on bolt://127.0.0.1:${server.port} (ready in ${startupMs.toFixed(0)} ms)\n`)
}
