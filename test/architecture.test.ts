/**
 * The folder tree shows the layers; this test keeps imports pointing downward only:
 * packstream <- bolt <- connection (with transport beside bolt, and internal/stream below it) <- higher layers.
 * Public value modules (Graph, Temporal, Spatial, Vector, Record, Neo4jError, Auth, Cypher) are leaves:
 * they import only other leaves and their private helpers in internal/values, which in turn
 * imports only leaves and itself.
 */
import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(__dirname, "../src")

const files = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []
  )

const importsOf = (file: string): Array<string> => {
  const text = fs.readFileSync(file, "utf8")
  const out: Array<string> = []
  for (const m of text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) {
    const spec = m[1]!
    if (spec.startsWith(".")) out.push(path.relative(root, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ""))
  }
  return out
}

const LEAVES = ["Neo4jError", "Graph", "Temporal", "Spatial", "Vector", "Record", "Auth", "Cypher"]
/** The leaves' private helpers (calendar math, time zones, ...): a leaf may import them. */
const VALUE_HELPERS = "internal/values"

/** What each layer may import, by path prefix relative to src/. */
const allowed: Record<string, Array<string>> = {
  [VALUE_HELPERS]: [VALUE_HELPERS, ...LEAVES],
  "internal/packstream": ["internal/packstream"],
  "internal/bolt": ["internal/packstream", "internal/bolt", ...LEAVES],
  "internal/transport": ["internal/transport", ...LEAVES],
  // Effect helpers of our own (a Stream from a pull), below everything that streams
  "internal/stream": ["internal/stream"],
  "internal/connection": ["internal/packstream", "internal/bolt", "internal/transport", "internal/stream", "internal/connection", ...LEAVES],
  "internal/config": ["internal/config", ...LEAVES],
  // The stub server knows Bolt, not the driver: it tests any client, down to raw sockets. Only
  // StubDriver, the ready Layer of a stub and a driver pointed at it for testing apps, builds a
  // driver, through the public driver modules a user would import (never the driver's
  // internals). Listed before "testing": the first matching prefix is the file's layer.
  "testing/StubDriver": ["testing", "Neo4jDriver", "DriverConfig", "Auth", ...LEAVES],
  testing: ["internal/packstream", "internal/bolt", "testing", ...LEAVES]
}

const layerOf = (rel: string): string | undefined =>
  Object.keys(allowed).find((l) => rel === l || rel.startsWith(l + "/"))

describe("architecture", () => {
  it("imports only point down the layers", () => {
    const violations: Array<string> = []
    let checked = 0
    for (const file of files(root)) {
      const rel = path.relative(root, file).replace(/\.ts$/, "")
      const layer = layerOf(rel)
      const isLeaf = LEAVES.includes(rel)
      for (const imp of importsOf(file)) {
        checked++
        if (isLeaf) {
          if (!LEAVES.includes(imp) && !imp.startsWith(VALUE_HELPERS + "/")) violations.push(`${rel} (a leaf) imports ${imp}`)
          continue
        }
        if (layer === undefined) continue
        const ok = allowed[layer]!.some((p) => imp === p || imp.startsWith(p + "/"))
        if (!ok) violations.push(`${rel} (${layer}) imports ${imp}`)
      }
    }
    expect(checked).toBeGreaterThan(10)
    expect(violations).toEqual([])
  })
})
