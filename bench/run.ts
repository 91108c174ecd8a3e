/**
 * `npm run bench`: the codec benchmark (bench/codec.bench.ts), then the end-to-end benchmark
 * (bench/e2e.bench.ts), each in its own process, with the same arguments: `npm run bench --
 * --quick` is the smoke run of both, `--reps N` sets both's repetitions. Exits non-zero if either
 * does.
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
let failed = false
for (const suite of ["codec.bench.ts", "e2e.bench.ts"]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(here, suite), ...args], { stdio: "inherit" })
  if (r.status !== 0) {
    process.stderr.write(`bench: ${suite} exited with ${r.status ?? r.signal}\n`)
    failed = true
  }
}
process.exitCode = failed ? 1 : 0
