/**
 * The physical limit of the stream workload: a raw socket client with no driver. It shakes hands
 * (plain Bolt 5.8 offer), sends HELLO + LOGON, then RUN + PULL 1000 and a PULL 1000 after each
 * `has_more`, exactly as the drivers do, and reads with 'data' events (flowing mode, no
 * backpressure handling beyond the PULL size).
 *
 * - `raw`: frames messages (our Dechunker, which returns views) and counts RECORDs: socket and
 *   framing only, no value is decoded.
 * - `raw-decode`: also decodes every RECORD into its values with our Unpacker and hydrator (the
 *   codec's cost in place), but builds no record objects and involves no Effect.
 */
import * as net from "node:net"
import { Chunker } from "../../src/internal/bolt/chunker.js"
import { Dechunker } from "../../src/internal/bolt/dechunker.js"
import { makeHydrator } from "../../src/internal/bolt/hydration.js"
import * as Msg from "../../src/internal/bolt/messages.js"
import * as Res from "../../src/internal/bolt/responses.js"
import { capabilities, version } from "../../src/internal/bolt/version.js"
import { Unpacker } from "../../src/internal/packstream/unpacker.js"
import * as Q from "../server/queries.js"
import { args, PASSWORD, report, timed, USER } from "./common.js"

const a = args()
const decode = process.argv[3] === "decode"
const caps = capabilities(version(5, 8))
const MOD = 1_000_000_007
const FETCH = 1000

const { hostname, port } = new URL(a.uri.replace(/^[a-z+]+:/, "http:"))
const socket = net.connect({ host: hostname, port: Number(port) })
socket.setNoDelay(true)
await new Promise<void>((resolve, reject) => {
  socket.once("connect", resolve)
  socket.once("error", reject)
})

const chunker = new Chunker(1024, undefined)
const take = (): Uint8Array => chunker.take()

// handshake: 5.8 only
socket.write(Uint8Array.of(0x60, 0x60, 0xb0, 0x17, 0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
const answer = await new Promise<Buffer>((resolve) => socket.once("data", resolve))
if (answer.readUInt32BE(0) !== 0x0805) throw new Error(`unexpected handshake answer ${answer.toString("hex")}`)

const dechunker = new Dechunker()
const unpacker = new Unpacker(new Uint8Array(0), makeHydrator(caps))
let onMessage: (m: Uint8Array) => void = () => {}
// a plain Uint8Array view of each read, as the connection takes it (a Buffer's subarray goes
// through its FastBuffer constructor: slower, and not what the driver pays)
socket.on("data", (b: Buffer) => {
  for (const m of dechunker.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))) onMessage(m)
})

const summaries = (count: number): Promise<Array<Readonly<Record<string, unknown>>>> =>
  new Promise((resolve) => {
    const out: Array<Readonly<Record<string, unknown>>> = []
    onMessage = (m) => {
      const r = Res.decodeResponse(m, unpacker)
      if (r._tag === "Success" || r._tag === "Failure") out.push(r.metadata)
      if (out.length === count) resolve(out)
    }
  })

Msg.hello(chunker, caps, { userAgent: "raw/1.0", boltAgent: { product: "raw/1.0" } })
Msg.logon(chunker, caps, { scheme: "basic", principal: USER, credentials: PASSWORD })
socket.write(take())
await summaries(2)

/** RUN + PULL 1000, and a PULL 1000 after each has_more; resolves at the last SUCCESS. */
const stream = (n: number): Promise<{ count: number; check: number }> =>
  new Promise((resolve) => {
    let count = 0
    let check = 0
    let successes = 0
    onMessage = (m) => {
      if (Res.isRecord(m)) {
        count++
        if (decode) check = (check + (Res.decodeRecord(m, unpacker)[0] as number)) % MOD
        return
      }
      successes++
      if (successes === 1) return // RUN's SUCCESS
      const r = Res.decodeResponse(m, unpacker)
      if (r._tag !== "Success") throw new Error(`unexpected ${r._tag}`)
      if (r.metadata.has_more === true) {
        Msg.pull(chunker, caps, { n: FETCH })
        socket.write(take())
      } else resolve({ count, check })
    }
    Msg.run(chunker, caps, { query: Q.STREAM, parameters: { n } })
    Msg.pull(chunker, caps, { n: FETCH })
    socket.write(take())
  })

if (a.warmup > 0) await stream(a.warmup)
const result = await timed("stream", () => stream(a.size))
await report(result)
socket.end()
