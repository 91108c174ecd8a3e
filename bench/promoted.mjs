// Sums V8's `--trace-gc-nvp` scavenge lines from stdin: scavenges, bytes promoted, and passes other lines through.
import { createInterface } from "node:readline"
let scavenges = 0
let promoted = 0
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.includes("gc=s ")) {
    if (!line.includes("gc=")) console.log(line)
    continue
  }
  scavenges++
  const m = / promoted=(\d+)/.exec(line)
  if (m) promoted += Number(m[1])
}
console.log(`scavenges: ${scavenges}, promoted: ${(promoted / 1e6).toFixed(1)} MB`)
