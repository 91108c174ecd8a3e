/**
 * Why a slow consumer's peak RSS depends on how it reads: a bare Effect Stream of 1,100,000 plain
 * objects in chunks of 250 (no driver, no socket), read with an Effect per element
 * (`Stream.runForEach`) or a chunk at a time (`Stream.runForEachChunk`), pausing 10 ms every
 * 10,000 elements as the e2e slow-consumer workload does. Run it under V8's GC trace and sum what
 * the scavenges promoted to the old generation:
 *
 *   node --import tsx --trace-gc-nvp bench/promotion.ts each  | node bench/promoted.mjs
 *   node --import tsx --trace-gc-nvp bench/promotion.ts chunk | node bench/promoted.mjs
 *
 * Objects that survive two scavenges are promoted; the more survive, the larger V8 grows the young
 * generation (up to 16 MB semi-spaces on Node 20), and the higher the process's peak RSS.
 */
import { Chunk, Effect, Option, Stream } from "effect"

const mode = process.argv[2] === "chunk" ? "chunk" : "each"
const N = 1_100_000
const SLICE = 250
const PAUSE_EVERY = 10_000

let made = 0
const pull = Effect.suspend(() => {
  if (made >= N) return Effect.fail(Option.none())
  const out = new Array<{ id: number; s: string; l: Array<string>; f: number }>(SLICE)
  for (let i = 0; i < SLICE; i++) {
    made++
    out[i] = { id: made, s: "x".repeat(16) + made, l: [String(made), "a" + made, "b" + made], f: made / 3 }
  }
  return Effect.succeed(Chunk.unsafeFromArray(out))
})

let count = 0
let check = 0
const elements = Stream.repeatEffectChunkOption(pull)
const program =
  mode === "each"
    ? Stream.runForEach(elements, (e) => {
        check += e.id
        return ++count % PAUSE_EVERY === 0 ? Effect.sleep(10) : Effect.void
      })
    : Stream.runForEachChunk(elements, (chunk) => {
        let pause = false
        for (const e of chunk) {
          check += e.id
          if (++count % PAUSE_EVERY === 0) pause = true
        }
        return pause ? Effect.sleep(10) : Effect.void
      })

await Effect.runPromise(program)
console.log(`mode=${mode} elements=${count} check=${check}`)
