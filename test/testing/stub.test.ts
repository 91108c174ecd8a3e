import * as net from "node:net"
import * as tls from "node:tls"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { Chunker } from "../../src/internal/bolt/chunker.js"
import { Dechunker } from "../../src/internal/bolt/dechunker.js"
import { SIGNATURES } from "../../src/internal/bolt/signatures.js"
import { Float } from "../../src/internal/packstream/numbers.js"
import { Structure } from "../../src/internal/packstream/structure.js"
import { unpack } from "../../src/internal/packstream/unpacker.js"
import { Certificate, StubScript, StubServer } from "../../src/testing/index.js"
import { hexOf } from "../bytes.js"
import { eventually } from "../support.js"

// ---------------------------------------------------------------------------------------------
// a plain net/tls client, independent of the driver's connection module

class Client {
  private buf = new Uint8Array(0)
  private waiters: Array<() => void> = []
  closed = false
  private streaming = false
  private readonly closing: Promise<void>

  constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      if (this.streaming) return
      const next = new Uint8Array(this.buf.length + d.length)
      next.set(this.buf)
      next.set(d, this.buf.length)
      this.buf = next
      this.wake()
    })
    socket.on("error", () => {})
    this.closing = new Promise<void>((resolve) =>
      socket.on("close", () => {
        this.closed = true
        this.wake()
        resolve()
      })
    )
  }

  static connect(port: number, secure?: tls.ConnectionOptions): Promise<Client> {
    return new Promise<Client>((resolve, reject) => {
      const socket = secure !== undefined
        ? tls.connect({ host: "127.0.0.1", port, ...secure }, () => resolve(new Client(socket)))
        : net.connect({ host: "127.0.0.1", port }, () => resolve(new Client(socket)))
      socket.once("error", reject)
    })
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  private async until(pred: () => boolean, timeout: number): Promise<boolean> {
    const deadline = Date.now() + timeout
    while (!pred()) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return true
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  /** Exactly n bytes (throws if the connection closes first). */
  async read(n: number, timeout = 5000): Promise<Uint8Array> {
    await this.until(() => this.buf.length >= n || this.closed, timeout)
    if (this.buf.length < n) throw new Error(`wanted ${n} bytes, have ${this.buf.length} (closed: ${this.closed})`)
    const out = this.buf.slice(0, n)
    this.buf = this.buf.slice(n)
    return out
  }

  /** Whatever arrived within `millis`. */
  async available(millis: number): Promise<Uint8Array> {
    await new Promise((r) => setTimeout(r, millis))
    const out = this.buf
    this.buf = new Uint8Array(0)
    return out
  }

  private tryMessage(): Uint8Array | undefined {
    let off = 0
    const parts: Array<Uint8Array> = []
    for (;;) {
      if (this.buf.length < off + 2) return undefined
      const size = (this.buf[off]! << 8) | this.buf[off + 1]!
      off += 2
      if (size === 0) {
        if (parts.length === 0) continue
        break
      }
      if (this.buf.length < off + size) return undefined
      parts.push(this.buf.subarray(off, off + size))
      off += size
    }
    const total = parts.reduce((n, p) => n + p.length, 0)
    const msg = new Uint8Array(total)
    let o = 0
    for (const p of parts) {
      msg.set(p, o)
      o += p.length
    }
    this.buf = this.buf.slice(off)
    return msg
  }

  /** The next Bolt message, decoded. */
  async message(timeout = 5000): Promise<Structure> {
    let m: Uint8Array | undefined
    await this.until(() => (m = this.tryMessage()) !== undefined || this.closed, timeout)
    m ??= this.tryMessage()
    if (m === undefined) throw new Error(`no message (closed: ${this.closed})`)
    return unpack(m) as Structure
  }

  /** Feeds every further message (raw bytes) to `f` until it returns true. */
  stream(f: (msg: Uint8Array) => boolean, timeout = 60_000): Promise<void> {
    const dechunker = new Dechunker()
    return new Promise<void>((resolve, reject) => {
      let done = false
      const t = setTimeout(() => finish(new Error("stream timeout")), timeout)
      const finish = (err?: Error) => {
        if (done) return
        done = true
        this.streaming = false
        clearTimeout(t)
        this.socket.off("data", onData)
        if (err) reject(err)
        else resolve()
      }
      const feed = (bytes: Uint8Array) => {
        for (const m of dechunker.push(bytes)) {
          if (f(m)) return finish()
        }
      }
      const onData = (d: Buffer) => feed(d)
      this.streaming = true
      this.socket.prependListener("data", onData)
      const pending = this.buf
      this.buf = new Uint8Array(0)
      feed(pending)
      this.socket.once("close", () => finish(new Error("closed during the stream")))
    }).then(() => {
      this.buf = new Uint8Array(0)
    })
  }

  waitClosed(timeout = 5000): Promise<boolean> {
    return this.until(() => this.closed, timeout)
  }

  close(): Promise<void> {
    this.socket.destroy()
    return this.closing
  }

  /** Half-close: FIN, and wait for the server to close. */
  end(): Promise<void> {
    this.socket.end()
    return this.closing
  }
}

const connect = (port: number, secure?: tls.ConnectionOptions) =>
  Effect.acquireRelease(Effect.promise(() => Client.connect(port, secure)), (c) => Effect.promise(() => c.close()))

const frame = (name: string, ...fields: Array<unknown>): Uint8Array => {
  const c = new Chunker()
  const p = c.begin()
  p.structHeader(fields.length, SIGNATURES[name]!)
  for (const f of fields) p.pack(f)
  c.end()
  return c.take()
}

const PREAMBLE = [0x60, 0x60, 0xb0, 0x17]
const v = (major: number, minor: number, range = 0) => [0, range, minor, major]
const MANIFEST = [0, 0, 1, 0xff]
const offer = (...slots: Array<Array<number>>) => {
  while (slots.length < 4) slots.push([0, 0, 0, 0])
  return Uint8Array.from([...PREAMBLE, ...slots.flat()])
}

/** Connects and does the plain handshake offering 5.8-5.0 and 4.4. */
const open = (stub: StubServer.StubServer) =>
  Effect.gen(function*() {
    const c = yield* connect(stub.port)
    c.write(offer(v(5, 8, 8), v(4, 4)))
    const reply = yield* Effect.promise(() => c.read(4))
    return { c, reply }
  })

const send = (c: Client, ...messages: Array<Uint8Array>) => Effect.sync(() => c.write(Uint8Array.from(messages.flatMap((m) => [...m]))))
const next = (c: Client, timeout?: number) => Effect.promise(() => c.message(timeout))
const verifyError = (stub: StubServer.StubServer) => Effect.flip(stub.verify)

const HELLO_SCRIPT = `
!: BOLT 5.4
C: HELLO {"user_agent": *, "[bolt_agent]": *map}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
`

const runQuery = (c: Client, query = "RETURN 1", n: unknown = 1000) =>
  Effect.gen(function*() {
    yield* send(c, frame("HELLO", { user_agent: "test/1.0" }))
    const hello = yield* next(c)
    yield* send(c, frame("RUN", query, {}, {}), frame("PULL", { n }))
    return hello
  })

// ---------------------------------------------------------------------------------------------

describe("StubServer handshake", () => {
  it.scopedLive("plain: the best version of the first proposal that the stub supports", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4 4.4\n", verifyOnClose: true })
      const c = yield* connect(stub.port)
      c.write(offer(MANIFEST, v(5, 8, 8), v(4, 4)))
      expect(hexOf(yield* Effect.promise(() => c.read(4)))).toBe("00 00 04 05")
      yield* Effect.promise(() => c.close())
      yield* stub.verify
      const [log] = yield* stub.connections
      expect(log!.handshake).toEqual({
        preamble: "60 60 B0 17",
        proposals: ["manifest v1", "5.8-5.0", "4.4", "none"],
        manifest: false,
        version: "5.4",
        capabilities: undefined
      })
    }))

  it.scopedLive("plain: answers 00 00 00 00 and reports when no version is common", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 6.0\n" })
      const c = yield* connect(stub.port)
      c.write(offer(v(5, 8, 8), v(4, 4)))
      expect(hexOf(yield* Effect.promise(() => c.read(4)))).toBe("00 00 00 00")
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #1: no common Bolt version")
      expect(err.message).toContain("expected: C: a proposal holding one of 6.0")
      expect(err.message).toContain("received: C: 5.8-5.0, 4.4, none, none")
    }))

  it.scopedLive("manifest v1: versions, ranges and capabilities, then the client's choice", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({
        script: `
          !: MANIFEST 6.0 5.8-5.0 4.4
          !: CAPABILITIES 9
          A: HELLO
        `
      })
      const c = yield* connect(stub.port)
      c.write(offer(MANIFEST, v(5, 8, 8), v(4, 4)))
      const answer = yield* Effect.promise(() => c.read(18))
      expect(hexOf(answer)).toBe("00 00 01 FF 03 00 00 00 06 00 08 08 05 00 00 04 04 09")
      // choose 5.7 and capability bit 4, pipelined with HELLO
      yield* send(c, Uint8Array.of(0, 0, 7, 5, 0x08), frame("HELLO", { user_agent: "x" }))
      const success = yield* next(c)
      expect(success.signature).toBe(0x70)
      expect(success.fields[0]).toEqual({ server: "Neo4j/5.26.0", connection_id: "bolt-1" })
      yield* stub.verify
      const [log] = yield* stub.connections
      expect(log!.handshake.manifest).toBe(true)
      expect(log!.handshake.version).toBe("5.7")
      expect(log!.handshake.capabilities).toBe(8n)
    }))

  it.scopedLive("manifest v1: a version that was not offered is a deviation", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: MANIFEST 5.8-5.6\nA: HELLO\n" })
      const c = yield* connect(stub.port)
      c.write(offer(MANIFEST))
      yield* Effect.promise(() => c.read(10))
      yield* send(c, Uint8Array.of(0, 0, 4, 5, 0))
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("bad version choice after the manifest")
      expect(err.message).toContain("received: C: 00 00 04 05 capabilities 0x0")
      expect(err.message).toContain("the client chose 5.4, which the stub did not offer (offered: 5.8-5.6)")
    }))

  it.scopedLive("manifest offered to a client without the manifest slot: plain answer", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: MANIFEST 6.0 5.8-5.0\n" })
      const c = yield* connect(stub.port)
      c.write(offer(v(5, 6, 6)))
      expect(hexOf(yield* Effect.promise(() => c.read(4)))).toBe("00 00 06 05")
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }))

  it.scopedLive("a bad preamble (HTTP on the Bolt port) is reported readably", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.8\n" })
      const c = yield* connect(stub.port)
      c.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #1: bad handshake preamble")
      expect(err.message).toContain("expected: C: 60 60 B0 17")
      expect(err.message).toContain(`received: C: 47 45 54 20 2F 20 48 54`)
      expect(err.message).toContain(`("GET / HTTP/1.1`)
    }))

  it.scopedLive("raw handshake reply and a stalled handshake", () =>
    Effect.gen(function*() {
      const http = yield* StubServer.make({ script: StubScript.make({ handshake: "48 54 54 50 2F 31 2E 31 20 34 30 30" }) })
      const a = yield* connect(http.port)
      a.write(offer(v(5, 8)))
      expect(new TextDecoder().decode(yield* Effect.promise(() => a.read(12)))).toBe("HTTP/1.1 400")
      yield* Effect.promise(() => a.close())
      yield* http.verify

      const stall = yield* StubServer.make({ script: StubScript.make({ handshake: "stall" }) })
      const b = yield* connect(stall.port)
      b.write(offer(v(5, 8)))
      expect((yield* Effect.promise(() => b.available(150))).length).toBe(0)
      expect(b.closed).toBe(false)
      yield* stall.verify
    }))
})

describe("StubServer conversations", () => {
  it.scopedLive("a correct conversation passes verify, and the log shows what was received", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT })
      const { c, reply } = yield* open(stub)
      expect(hexOf(reply)).toBe("00 00 04 05")
      const hello = yield* runQuery(c)
      expect(hello.fields[0]).toEqual({ server: "Neo4j/5.26.0", connection_id: "bolt-1" })
      const fields = yield* next(c)
      const record = yield* next(c)
      const summary = yield* next(c)
      expect(fields.fields[0]).toEqual({ fields: ["n"] })
      expect(record.signature).toBe(0x71)
      expect(record.fields[0]).toEqual([1])
      expect(summary.fields[0]).toEqual({ type: "r" })
      yield* stub.verify
      const received = yield* stub.received()
      expect(received.map((m) => m.text)).toEqual([
        `C: HELLO {"user_agent": "test/1.0"}`,
        `C: RUN "RETURN 1" {} {}`,
        `C: PULL {"n": 1000}`
      ])
      expect(received[2]!.fields[0]).toEqual({ n: 1000n })
      expect(yield* stub.connectionCount).toBe(1)
    }))

  it.scopedLive("a wrong message fails verify with expected and received side by side", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT })
      const { c } = yield* open(stub)
      yield* runQuery(c, "RETURN 2")
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain([
        `connection #1: unexpected message`,
        `  expected: C: RUN "RETURN 1" {} {}`,
        `  received: C: RUN "RETURN 2" {} {}`,
        `  at:       field 0: expected "RETURN 1", received "RETURN 2"`
      ].join("\n"))
      expect(err.deviations).toHaveLength(1)
      expect(err.deviations[0]!.expected).toEqual([`C: RUN "RETURN 1" {} {}`])
      // reported once: a second verify passes
      yield* stub.verify
    }))

  it.scopedLive("an Integer never matches a Float", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT })
      const { c } = yield* open(stub)
      yield* runQuery(c, "RETURN 1", new Float(1000))
      const err = yield* verifyError(stub)
      expect(err.message).toContain(`expected: C: PULL {"n": 1000}`)
      expect(err.message).toContain(`received: C: PULL {"n": 1000.0}`)
      expect(err.message).toContain(`at:       field 0.n: expected 1000, received 1000.0`)
    }))

  it.scopedLive("a missing message: the client closes before the script ends", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", { user_agent: "x" }), frame("RUN", "RETURN 1", {}, {}))
      yield* next(c)
      yield* Effect.promise(() => c.close())
      const err = yield* verifyError(stub)
      expect(err.message).toContain([
        `connection #1: the client closed the connection before the script ended`,
        `  expected: C: PULL {"n": 1000}`,
        `  received: <connection closed>`
      ].join("\n"))
    }))

  it.scopedLive("a missing message while the connection stays open: not played to its end", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT, verifyTimeout: 200 })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", { user_agent: "x" }))
      yield* next(c)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #1: the script was not played to its end (the connection is still open)")
      expect(err.message).toContain(`expected: C: RUN "RETURN 1" {} {}`)
    }))

  it.scopedLive("an extra message after the end of the script", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\n" })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", { user_agent: "x" }))
      yield* next(c)
      yield* send(c, frame("RESET"))
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain([
        `connection #1: message after the end of the script`,
        `  expected: <end of script>`,
        `  received: C: RESET`
      ].join("\n"))
      expect((yield* stub.received(1)).map((m) => m.name)).toEqual(["HELLO", "RESET"])
    }))

  it.scopedLive("a message after GOODBYE is a deviation", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\n?: GOODBYE\n*: RESET\n" })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", { user_agent: "x" }))
      yield* next(c)
      yield* send(c, frame("GOODBYE"), frame("RESET"))
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #1: message after GOODBYE")
      expect(err.message).toContain("received: C: RESET")
    }))

  it.scopedLive("bad chunking: a half-sent message, and bytes that do not decode", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\n" })
      const a = yield* open(stub)
      yield* send(a.c, frame("HELLO", { user_agent: "x" }).subarray(0, 6))
      yield* Effect.promise(() => a.c.end())
      const b = yield* open(stub)
      yield* send(b.c, Uint8Array.of(0, 3, 0xb1, 0x01, 0xc7, 0, 0))
      expect(yield* Effect.promise(() => b.c.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #1: the client closed the connection in the middle of a message")
      expect(err.message).toContain("connection #2: a message that does not decode")
      expect(err.message).toContain("received: <bytes that do not decode: B1 01 C7> (unknown PackStream marker 0xC7")
    }))

  it.scopedLive("optional and repeated messages (auto replies), blocks and alternatives", () =>
    Effect.gen(function*() {
      const script = `
        !: BOLT 5.4
        A: HELLO
        *: RESET
        {?
            C: BEGIN {}
            S: SUCCESS {}
        ?}
        {{
            C: RUN "A" {} {}
            S: SUCCESS {"fields": ["a"]}
        ----
            C: RUN "B" {} {}
            S: SUCCESS {"fields": ["b"]}
        }}
        +: PULL {"n": *int}
        ?: GOODBYE
      `
      const stub = yield* StubServer.make({ script })
      // 1: resets, begin, branch B, two pulls, goodbye
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", {}), frame("RESET"), frame("RESET"), frame("RESET"), frame("BEGIN", {}), frame("RUN", "B", {}, {}))
      for (let i = 0; i < 5; i++) expect((yield* next(c)).signature).toBe(0x70)
      expect((yield* next(c)).fields[0]).toEqual({ fields: ["b"] })
      yield* send(c, frame("PULL", { n: 10 }), frame("PULL", { n: -1 }), frame("GOODBYE"))
      yield* next(c)
      yield* next(c)
      yield* Effect.promise(() => c.close())
      // 2: no reset, no begin, branch A, one pull, no goodbye
      const two = yield* open(stub)
      yield* send(two.c, frame("HELLO", {}), frame("RUN", "A", {}, {}), frame("PULL", { n: 1 }))
      yield* next(two.c)
      expect((yield* next(two.c)).fields[0]).toEqual({ fields: ["a"] })
      yield* next(two.c)
      yield* Effect.promise(() => two.c.close())
      yield* stub.verify
      // 3: one-or-more needs one: PULL missing
      const three = yield* open(stub)
      yield* send(three.c, frame("HELLO", {}), frame("RUN", "A", {}, {}), frame("COMMIT"))
      const err = yield* verifyError(stub)
      expect(err.message).toContain([
        "connection #3: unexpected message",
        `  expected: C: PULL {"n": *int}`,
        "  received: C: COMMIT"
      ].join("\n"))
      // 4: an unknown branch lists every alternative
      const four = yield* open(stub)
      yield* send(four.c, frame("HELLO", {}), frame("RUN", "C", {}, {}))
      const err4 = yield* verifyError(stub)
      expect(err4.message).toContain([
        "connection #4: unexpected message",
        "  expected: C: RESET <any fields>",
        "        or: C: BEGIN {}",
        `        or: C: RUN "A" {} {}`,
        `        or: C: RUN "B" {} {}`,
        `  received: C: RUN "C" {} {}`,
        `  at:       field 0: expected "A", received "C"`
      ].join("\n"))
    }))

  it.scopedLive("the builder: matchers, optional keys, blocks", () =>
    Effect.gen(function*() {
      const script = StubScript.make({ version: "5.4" })
        .expect("HELLO", { user_agent: StubScript.anyString, routing: StubScript.optionalKey() })
        .reply(StubScript.success({ server: "Neo4j/5.26.0" }))
        .zeroOrMore((s) => s.expect("RUN", StubScript.any, {}, {}).reply(StubScript.success({ fields: [] })))
        .optional("GOODBYE")
      expect(script.toString()).toBe([
        "!: BOLT 5.4",
        "",
        `C: HELLO {"user_agent": *string, "[routing]": *}`,
        `S: SUCCESS {"server": "Neo4j/5.26.0"}`,
        "{*",
        "    C: RUN * {} {}",
        `    S: SUCCESS {"fields": []}`,
        "*}",
        "?: GOODBYE",
        ""
      ].join("\n"))
      const stub = yield* StubServer.make({ script })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", { user_agent: "x", routing: { address: "a:1" } }), frame("RUN", "X", {}, {}), frame("RUN", "Y", {}, {}))
      for (let i = 0; i < 3; i++) yield* next(c)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }))

  it.scopedLive("messages larger than one chunk, both ways; the text template tag", () =>
    Effect.gen(function*() {
      const big = "x".repeat(100_000)
      const stub = yield* StubServer.make({
        script: StubScript.text`
          !: BOLT 5.4
          C: RUN *string {"s": "a\"b"} {}
          C: PULL {"n": -1}
          S: SUCCESS {"fields": ["s"]}
             RECORD ["${big}"]
        `
      })
      const { c } = yield* open(stub)
      yield* send(c, frame("RUN", "y".repeat(70_000), { s: `a"b` }, {}), frame("PULL", { n: -1 }))
      yield* next(c)
      const rec = yield* next(c)
      expect((rec.fields[0] as Array<string>)[0]).toHaveLength(100_000)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
      expect((yield* stub.received(1))[0]!.text).toContain(`...(70000 chars) {"s": "a\\"b"} {}`)
    }))

  it.scopedLive("!: AUTO answers a message anywhere", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\n!: AUTO RESET\nA: HELLO\nC: RUN \"x\" {} {}\nS: SUCCESS {}\n" })
      const { c } = yield* open(stub)
      yield* send(c, frame("RESET"), frame("HELLO", {}), frame("RESET"), frame("RUN", "x", {}, {}), frame("RESET"))
      for (let i = 0; i < 5; i++) expect((yield* next(c)).signature).toBe(0x70)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }))
})

describe("StubServer actions", () => {
  it.scopedLive("raw bytes, a NOOP and close", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nC: HELLO *\nS: <NOOP>\nS: <RAW> 48 54 54 50\nS: <EXIT>\n" })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", {}))
      expect(hexOf(yield* Effect.promise(() => c.read(6)))).toBe("00 00 48 54 54 50")
      expect(yield* Effect.promise(() => c.waitClosed())).toBe(true)
      yield* stub.verify
    }))

  it.scopedLive("stall: bytes are accepted and logged, never answered", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: StubScript.make({ version: "5.4" }).auto("HELLO").stall() })
      const { c } = yield* open(stub)
      yield* send(c, frame("HELLO", {}))
      yield* next(c)
      yield* send(c, frame("RUN", "RETURN 1", {}, {}), frame("PULL", { n: 1 }))
      expect((yield* Effect.promise(() => c.available(150))).length).toBe(0)
      expect(c.closed).toBe(false)
      yield* stub.verify
      expect((yield* stub.received()).map((m) => m.name)).toEqual(["HELLO", "RUN", "PULL"])
    }))

  it.scopedLive("delay: the reply comes after the sleep", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nC: RESET\nS: <SLEEP 150>\nS: SUCCESS {}\n" })
      const { c } = yield* open(stub)
      const start = Date.now()
      yield* send(c, frame("RESET"))
      yield* next(c)
      expect(Date.now() - start).toBeGreaterThanOrEqual(140)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }))
})

describe("StubServer streams and records", () => {
  it.scopedLive("<STREAM>: PULL n gets n records and has_more; DISCARD ends it", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({
        script: `
          !: BOLT 5.4
          C: RUN "UNWIND range(0, 99) AS i RETURN i" {} {}
          S: <STREAM records=100 fields=["i"] record=[$i, "x"] summary={"type": "r"}>
        `
      })
      const { c } = yield* open(stub)
      yield* send(c, frame("RUN", "UNWIND range(0, 99) AS i RETURN i", {}, {}), frame("PULL", { n: 10 }))
      expect((yield* next(c)).fields[0]).toEqual({ fields: ["i"] })
      const rows: Array<unknown> = []
      for (let i = 0; i < 10; i++) rows.push((yield* next(c)).fields[0])
      expect(rows[0]).toEqual([0, "x"])
      expect(rows[9]).toEqual([9, "x"])
      expect((yield* next(c)).fields[0]).toEqual({ has_more: true })
      yield* send(c, frame("PULL", { n: 5, qid: -1 }))
      for (let i = 0; i < 5; i++) rows.push((yield* next(c)).fields[0])
      expect(rows[14]).toEqual([14, "x"])
      expect((yield* next(c)).fields[0]).toEqual({ has_more: true })
      yield* send(c, frame("DISCARD", { n: -1 }))
      expect((yield* next(c)).fields[0]).toEqual({ type: "r" })
      yield* Effect.promise(() => c.close())
      yield* stub.verify
      const pulls = (yield* stub.received()).filter((m) => m.name === "PULL")
      expect(pulls.map((m) => m.text)).toEqual([`C: PULL {"n": 10}`, `C: PULL {"n": 5, "qid": -1}`])
    }))

  it.scopedLive("<STREAM>: a bad n and a missing DISCARD are deviations", () =>
    Effect.gen(function*() {
      const script = StubScript.make({ version: "5.4" }).expect("RUN", StubScript.any, {}, {}).stream({ records: 50, fields: ["n"] })
      const stub = yield* StubServer.make({ scripts: [script, script] })
      const a = yield* open(stub)
      yield* send(a.c, frame("RUN", "x", {}, {}), frame("PULL", { n: 0 }))
      const b = yield* open(stub)
      yield* send(b.c, frame("RUN", "x", {}, {}), frame("PULL", { n: 10 }))
      for (let i = 0; i < 12; i++) yield* next(b.c)
      yield* Effect.promise(() => b.c.close())
      const err = yield* verifyError(stub)
      expect(err.message).toContain([
        "connection #1 (script 1 of 2): unexpected message",
        `  expected: C: PULL {"n": <-1 or a positive Integer>, "[qid]": *int} (stream: 50 of 50 records left)`,
        `        or: C: DISCARD {"n": <-1 or a positive Integer>, "[qid]": *int} (stream: 50 of 50 records left)`,
        `  received: C: PULL {"n": 0}`,
        `  at:       field 0.n: expected <-1 or a positive Integer>, received 0`
      ].join("\n"))
      expect(err.message).toContain("connection #2 (script 2 of 2): the client closed the connection before the script ended")
      expect(err.message).toContain("(stream: 40 of 50 records left)")
    }))

  it.scopedLive("1,000,000 constant records for PULL -1, quickly", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({
        script: StubScript.make({ version: "5.4" })
          .expect("RUN", "RETURN 1", {}, {})
          .stream({ records: 1_000_000, record: [1, "abc", 2.5], fields: ["a", "b", "c"], summary: { type: "r" } })
      })
      const { c } = yield* open(stub)
      const start = Date.now()
      yield* send(c, frame("RUN", "RETURN 1", {}, {}), frame("PULL", { n: -1 }))
      let records = 0
      let last: unknown
      yield* Effect.promise(() =>
        c.stream((m) => {
          if (m[1] === 0x71) {
            records++
            return false
          }
          if (records > 0) {
            last = unpack(m)
            return true
          }
          return false
        })
      )
      const ms = Date.now() - start
      expect(records).toBe(1_000_000)
      expect((last as Structure).fields[0]).toEqual({ type: "r" })
      expect(ms).toBeLessThan(15_000)
      console.log(`1M constant records in ${ms} ms`)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }), 60_000)

  it.scopedLive("1,000,000 generated records in batches of PULL 100000", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({
        script: "!: BOLT 5.4\nC: RUN \"x\" {} {}\nS: <STREAM records=1000000 fields=[\"i\"] record=[$i]>\n"
      })
      const { c } = yield* open(stub)
      const start = Date.now()
      yield* send(c, frame("RUN", "x", {}, {}), frame("PULL", { n: 100_000 }))
      let records = 0
      let pulls = 1
      let lastRecord: Uint8Array | undefined
      yield* Effect.promise(() =>
        c.stream((m) => {
          if (m[1] === 0x71) {
            records++
            lastRecord = m
            return false
          }
          const meta = (unpack(m) as Structure).fields[0] as Record<string, unknown>
          if (meta.has_more === true) {
            pulls++
            c.write(frame("PULL", { n: 100_000 }))
            return false
          }
          return records > 0
        })
      )
      const ms = Date.now() - start
      expect(records).toBe(1_000_000)
      expect(pulls).toBe(10)
      expect((unpack(lastRecord!) as Structure).fields[0]).toEqual([999_999])
      expect(ms).toBeLessThan(20_000)
      console.log(`1M generated records in ${ms} ms`)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }), 60_000)
})

describe("StubServer connections and servers", () => {
  it.scopedLive("one script per connection in accept order; an extra connection and an unused script are reported", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({
        scripts: [
          "!: BOLT 5.4\nC: RESET\nS: SUCCESS {\"n\": 1}\n",
          "!: BOLT 4.4\nC: RESET\nS: SUCCESS {\"n\": 2}\n"
        ]
      })
      const a = yield* open(stub)
      const b = yield* open(stub)
      expect(hexOf(a.reply)).toBe("00 00 04 05")
      expect(hexOf(b.reply)).toBe("00 00 04 04")
      yield* send(b.c, frame("RESET"))
      yield* send(a.c, frame("RESET"))
      expect((yield* next(a.c)).fields[0]).toEqual({ n: 1 })
      expect((yield* next(b.c)).fields[0]).toEqual({ n: 2 })
      yield* stub.verify
      const c3 = yield* connect(stub.port)
      expect(yield* Effect.promise(() => c3.waitClosed())).toBe(true)
      const err = yield* verifyError(stub)
      expect(err.message).toContain("connection #3: unexpected connection: the stub has 2 scripts, all taken")
      expect(yield* stub.connectionCount).toBe(3)

      const unused = yield* StubServer.make({ scripts: ["!: BOLT 5.4\n", "!: BOLT 5.4\n"] })
      const u = yield* open(unused)
      yield* Effect.promise(() => u.c.close())
      const err2 = yield* verifyError(unused)
      expect(err2.message).toContain("script 2 of 2: never played: no connection was accepted for it")
    }))

  it.scopedLive("one script for every connection, several servers at once", () =>
    Effect.gen(function*() {
      const s1 = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\n" })
      const s2 = yield* StubServer.make({ script: "!: BOLT 5.4\nA: RESET\n" })
      expect(s1.port).not.toBe(s2.port)
      expect(s1.uri()).toBe(`bolt://127.0.0.1:${s1.port}`)
      expect(s2.uri("neo4j")).toBe(`neo4j://127.0.0.1:${s2.port}`)
      const clients = yield* Effect.forEach([s1, s2, s1, s2, s1], (s) => open(s), { concurrency: "unbounded" })
      yield* Effect.forEach(clients, ({ c }, i) => send(c, frame(i % 2 === 0 ? "HELLO" : "RESET", {})))
      const replies = yield* Effect.forEach(clients, ({ c }) => next(c), { concurrency: "unbounded" })
      expect(replies.map((r) => r.signature)).toEqual([0x70, 0x70, 0x70, 0x70, 0x70])
      // connection ids differ per server
      expect((replies[4]!.fields[0] as { connection_id: string }).connection_id).toBe("bolt-3")
      yield* Effect.forEach(clients, ({ c }) => Effect.promise(() => c.close()))
      yield* s1.verify
      yield* s2.verify
      expect(yield* s1.connectionCount).toBe(3)
      expect(yield* s2.connectionCount).toBe(2)
    }))

  it.live("as a Layer, with the accessors", () =>
    Effect.gen(function*() {
      const port = yield* Effect.map(StubServer.StubServer, (s) => s.port)
      const c = yield* connect(port)
      c.write(offer(v(5, 4)))
      yield* Effect.promise(() => c.read(4))
      yield* send(c, frame("RESET"))
      yield* next(c)
      yield* Effect.promise(() => c.close())
      yield* StubServer.verify
      expect((yield* StubServer.connections).length).toBe(1)
      expect((yield* StubServer.received(1)).map((m) => m.text)).toEqual(["C: RESET"])
    }).pipe(Effect.scoped, Effect.provide(StubServer.layer({ script: "!: BOLT 5.4\nA: RESET\n" }))))

  it.live("a deviation nobody verified makes the scope close with a defect", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function*() {
            const stub = yield* StubServer.make({ script: HELLO_SCRIPT, verifyTimeout: 100 })
            const { c } = yield* open(stub)
            yield* send(c, frame("HELLO", { user_agent: "x" }))
            yield* next(c)
          })
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      expect(text).toContain("StubServerError")
      expect(text).toContain([
        "connection #1: the client closed the connection before the script ended",
        `  expected: C: RUN "RETURN 1" {} {}`
      ].join("\n"))

      // verifyOnClose: false turns it off
      const quiet = yield* Effect.exit(
        Effect.scoped(Effect.flatMap(StubServer.make({ script: HELLO_SCRIPT, verifyOnClose: false }), (stub) => open(stub)))
      )
      expect(Exit.isSuccess(quiet)).toBe(true)
    }))

  it.live("no handle is left after the scope closes", () =>
    Effect.gen(function*() {
      const before = process.getActiveResourcesInfo()
      yield* Effect.scoped(
        Effect.gen(function*() {
          const stub = yield* StubServer.make({ script: "!: BOLT 5.4\nA: HELLO\nS: <SLEEP 50>\n*: RESET\n", verifyOnClose: false })
          const { c } = yield* open(stub)
          yield* send(c, frame("HELLO", {}))
          yield* next(c)
          const stalled = yield* connect(stub.port)
          stalled.write(offer(v(5, 4)))
        })
      )
      // nothing this test opened is left: every kind of resource counts no more than before (a
      // timer of an earlier test may have fired meanwhile, so the lists need not be equal), once
      // the destroyed sockets have left the loop
      const leftover = () => {
        const counts = new Map<string, number>()
        for (const r of before) counts.set(r, (counts.get(r) ?? 0) + 1)
        for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) - 1)
        return [...counts].filter(([, n]) => n < 0).map(([r, n]) => `${-n} × ${r}`)
      }
      yield* eventually(Effect.sync(() => leftover().length === 0), 1000)
      expect(leftover()).toEqual([])
    }))
})

describe("StubServer over TLS", () => {
  it.scopedLive("a self-signed certificate from openssl, verified by the client", () =>
    Effect.gen(function*() {
      const cert = yield* Certificate.selfSigned()
      expect(cert.cert).toContain("BEGIN CERTIFICATE")
      const stub = yield* StubServer.make({ script: HELLO_SCRIPT, tls: { key: cert.key, cert: cert.cert } })
      expect(stub.tls).toBe(true)
      expect(stub.uri()).toBe(`bolt+ssc://127.0.0.1:${stub.port}`)
      const c = yield* connect(stub.port, { ca: cert.cert, servername: "localhost" })
      c.write(offer(v(5, 4)))
      expect(hexOf(yield* Effect.promise(() => c.read(4)))).toBe("00 00 04 05")
      yield* runQuery(c)
      for (let i = 0; i < 3; i++) yield* next(c)
      yield* Effect.promise(() => c.close())
      yield* stub.verify
    }))

  it.scopedLive("tls: true makes a certificate; a client that does not trust it is logged as a TLS error", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: "!: BOLT 5.4\n", tls: true })
      const refused = yield* Effect.either(Effect.tryPromise(() => Client.connect(stub.port, { servername: "localhost" })))
      expect(refused._tag).toBe("Left")
      const c = yield* connect(stub.port, { ca: stub.certificate!.cert, servername: "localhost" })
      c.write(offer(v(5, 4)))
      expect(hexOf(yield* Effect.promise(() => c.read(4)))).toBe("00 00 04 05")
      yield* Effect.promise(() => c.close())
      yield* stub.verify
      expect(yield* stub.connectionCount).toBe(1)
      expect((yield* stub.tlsErrors).length).toBe(1)
    }))
})

describe("StubScript text format", () => {
  it("values: Integer vs Float, structures, bytes, matchers", () => {
    const s = StubScript.parse(`
      !: BOLT 5.8
      C: RUN "q" {"i": 1, "f": 1.0, "e": 1e3, "n": -0.0, "s": Structure<0x44>[19000], "b": Bytes<0A FF>, "m": *map, "[o]": *} {}
      S: RECORD [1, 1.5, NaN, -Infinity, Structure<0x58>[1, 2.0, 3.0], null, true]
    `)
    expect(s.toString()).toBe([
      "!: BOLT 5.8",
      "",
      `C: RUN "q" {"i": 1, "f": 1.0, "e": 1000.0, "n": -0.0, "s": Structure<0x44>[19000], "b": Bytes<0A FF>, "m": *map, "[o]": *} {}`,
      `S: RECORD [1, 1.5, NaN, -Infinity, Structure<0x58>[1, 2.0, 3.0], null, true]`,
      ""
    ].join("\n"))
    const step = s.steps[0] as Extract<StubScript.Step, { _tag: "Expect" }>
    const map = step.fields![1] as Record<string, unknown>
    expect(map.i).toBe(1n)
    expect(map.f).toEqual(new Float(1))
    expect(map.s).toEqual(new Structure(0x44, [19000n]))
    // the printed form parses back to the same script
    expect(StubScript.parse(s.toString()).toString()).toBe(s.toString())
  })

  it("multi-line values, continuation lines, comments, header options", () => {
    const s = StubScript.parse(`
      # a routing table
      !: MANIFEST 6.0 5.8-5.0 4.4
      !: CAPABILITIES 0x9
      !: HANDSHAKE_DELAY 10
      !: AUTO RESET
      C: ROUTE {"address": "localhost:7687"} [] {"db": "neo4j"}
      S: SUCCESS {"rt": {
           "ttl": 300,
           "servers": [{"addresses": ["a:1"], "role": "ROUTE"}]
         }}
         <SLEEP 1.5s>
         <RECORDS 3 [$i, "x"]>
         <EXIT>
    `)
    expect(s.handshake).toEqual({
      _tag: "Manifest",
      versions: [{ major: 6, minor: 0, range: 0 }, { major: 5, minor: 8, range: 8 }, { major: 4, minor: 4, range: 0 }],
      capabilities: 9n
    })
    expect(s.handshakeDelay).toBe(10)
    expect(s.autoReplies).toEqual([0x0f])
    expect(s.steps.map((x) => x._tag)).toEqual(["Expect", "Send", "Sleep", "Send", "Exit"])
    expect((s.steps[2] as { millis: number }).millis).toBe(1500)
  })

  it("errors name the line and say what is wrong", () => {
    const err = (text: string) => {
      try {
        StubScript.parse(text)
      } catch (e) {
        expect(e).toBeInstanceOf(StubScript.StubScriptError)
        return (e as Error).message
      }
      throw new Error("no error")
    }
    expect(err("C: RESET\n")).toContain("a script needs a header")
    expect(err("!: BOLT 5.8\nC: RUN 'x'\n")).toContain("line 2: unexpected \"'\"")
    expect(err("!: BOLT 5.8\nC: FOO\n")).toContain(`line 2: unknown Bolt message "FOO"`)
    expect(err("!: BOLT 5.8\nS: RECORD [*]\n")).toContain("line 2: matchers such as * are only allowed in client lines")
    expect(err("!: BOLT 5.8\nS: <SLEEP> 1\n")).toContain("<SLEEP 100>")
    expect(err("!: BOLT 5.8\n{?\nC: RESET\n")).toContain("block {? of line 2 is never closed")
    expect(err("!: BOLT 5.8\n*: RESET\nS: SUCCESS {}\n")).toContain("a server step cannot directly follow a zero-or-more block")
    expect(err("!: BOLT 5.8\n{?\nS: SUCCESS {}\nC: RESET\n?}\n")).toContain("an optional block must start with a client message")
    expect(err("!: BOLT 5.8\nC: RUN 99999999999999999999\n")).toContain("outside the int64 range")
    expect(err("!: BOLT 5.8-4.4\n")).toContain("cannot span major versions")
    expect(() => StubScript.make({ version: "5.8" }).optional((s) => s.reply(StubScript.success())).validate()).toThrow(
      "an optional block must contain a client message"
    )
  })
})


describe("StubServer faithfulness to the negotiated version", () => {
  const failureScript = (version: string, failure: string) => `
!: BOLT ${version}
A: HELLO
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE ${failure}
   IGNORED
`
  const CODE = `{"code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"}`
  const NEO4J_CODE = `{"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "bad", "gql_status": "42001", ` +
    `"description": "error: syntax error or access rule violation - invalid syntax", "diagnostic_record": {"_classification": "CLIENT_ERROR"}}`

  /** HELLO, then RUN and PULL pipelined; reads the two answers and closes. */
  const failingQuery = (stub: StubServer.StubServer) =>
    Effect.gen(function*() {
      const { c } = yield* open(stub)
      yield* runQuery(c)
      const answers = [yield* next(c), yield* next(c)]
      yield* Effect.promise(() => c.close())
      return answers.map((m) => m.signature)
    })

  it.scopedLive("FAILURE with `code` on 5.7+ is reported by verify; the connection goes on", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: failureScript("5.8", CODE) })
      expect(yield* failingQuery(stub)).toEqual([0x7f, 0x7e])
      const err = yield* verifyError(stub)
      expect(err.deviations).toHaveLength(1)
      const d = err.deviations[0]!
      expect(d.unfaithful).toBe(true)
      expect(d.connection).toBe(1)
      expect(d.reason).toContain(`unfaithful to Bolt 5.8: a 5.7+ server sends FAILURE with "neo4j_code"`)
      expect(err.message).toContain(`  received: S: FAILURE ${CODE}`)
      expect(d.expected[0]).toContain(`"neo4j_code"`)
      // reported once
      yield* stub.verify
    }))

  it.scopedLive("FAILURE with `code` before 5.7, and with `neo4j_code` on 5.7+, are faithful", () =>
    Effect.gen(function*() {
      for (const [version, failure] of [["5.6", CODE], ["5.7", NEO4J_CODE], ["5.8", NEO4J_CODE]] as const) {
        const stub = yield* StubServer.make({ script: failureScript(version, failure) })
        expect(yield* failingQuery(stub)).toEqual([0x7f, 0x7e])
        yield* stub.verify
        expect(yield* stub.deviations).toEqual([])
      }
    }))

  const summaryScript = (version: string, summary: string) => `
!: BOLT ${version}
A: HELLO
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS ${summary}
`
  const NOTIFICATIONS = `{"type": "r", "notifications": [{"code": "Neo.ClientNotification.Statement.CartesianProduct", "title": "t", "description": "d", "severity": "INFORMATION", "category": "PERFORMANCE"}]}`
  const STATUSES = `{"type": "r", "statuses": [{"gql_status": "00000", "status_description": "note: successful completion", "diagnostic_record": {}}]}`

  const query = (stub: StubServer.StubServer) =>
    Effect.gen(function*() {
      const { c } = yield* open(stub)
      yield* runQuery(c)
      for (let i = 0; i < 3; i++) yield* next(c)
      yield* Effect.promise(() => c.close())
    })

  it.scopedLive("SUCCESS with `notifications` on 5.6+ is reported; `statuses`, or `notifications` before 5.6, are faithful", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: summaryScript("5.6", NOTIFICATIONS) })
      yield* query(stub)
      const err = yield* verifyError(stub)
      expect(err.deviations.map((d) => d.unfaithful)).toEqual([true])
      expect(err.message).toContain(`unfaithful to Bolt 5.6: a 5.6+ server sends "statuses" (GQL status objects), never "notifications"`)
      expect(err.message).toContain(`  received: S: SUCCESS ${NOTIFICATIONS}`)
      for (const [version, summary] of [["5.5", NOTIFICATIONS], ["5.6", STATUSES], ["5.8", STATUSES]] as const) {
        const ok = yield* StubServer.make({ script: summaryScript(version, summary) })
        yield* query(ok)
        yield* ok.verify
      }
    }))

  it.scopedLive("RECORD outside a PULL is reported, once per connection; RECORDs after a pipelined RUN's SUCCESS belong to PULL", () =>
    Effect.gen(function*() {
      // RUN and DISCARD pipelined: the RECORDs answer DISCARD
      const discard = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: RUN "RETURN 1" {} {}
C: DISCARD {"n": -1}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   RECORD [2]
   <RECORDS 3 [$i]>
   SUCCESS {"type": "r"}
`
      })
      const { c } = yield* open(discard)
      yield* send(c, frame("HELLO", { user_agent: "test/1.0" }))
      yield* next(c)
      yield* send(c, frame("RUN", "RETURN 1", {}, {}), frame("DISCARD", { n: -1 }))
      for (let i = 0; i < 7; i++) yield* next(c)
      yield* Effect.promise(() => c.close())
      const err = yield* verifyError(discard)
      expect(err.deviations).toHaveLength(1)
      expect(err.message).toContain([
        `connection #1: unfaithful to Bolt 5.4: a server sends RECORD only while answering a PULL, and this one answers DISCARD`,
        `  expected: S: RECORD [...] after a C: PULL, before its summary`,
        `  received: S: RECORD [1]`
      ].join("\n"))

      // a RECORD right after RUN's SUCCESS, before the stub has read PULL: no request is waiting
      const early = yield* StubServer.make({
        script: `!: BOLT 5.4
A: HELLO
C: RUN "RETURN 1" {} {}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
C: PULL {"n": 1000}
S: SUCCESS {"type": "r"}
`
      })
      yield* query(early)
      const err2 = yield* verifyError(early)
      expect(err2.deviations.map((d) => d.reason)).toEqual([
        "unfaithful to Bolt 5.4: a server sends RECORD only while answering a PULL, and no request is waiting for an answer"
      ])

      // HELLO_SCRIPT: RUN and PULL pipelined, SUCCESS (RUN), RECORD, SUCCESS (PULL): faithful
      const ok = yield* StubServer.make({ script: HELLO_SCRIPT })
      yield* query(ok)
      yield* ok.verify
    }))

  it.scopedLive("faithful: false turns the check off (a test that sends something odd on purpose)", () =>
    Effect.gen(function*() {
      const stub = yield* StubServer.make({ script: failureScript("5.8", CODE), faithful: false })
      expect(yield* failingQuery(stub)).toEqual([0x7f, 0x7e])
      yield* stub.verify
      expect(yield* stub.deviations).toEqual([])
    }))

  it.live("an unfaithful script nobody verified makes the scope close with a defect", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(
        Effect.gen(function*() {
          const stub = yield* StubServer.make({ script: failureScript("5.7", CODE) })
          yield* failingQuery(stub)
        })
      ))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("unfaithful to Bolt 5.7")
    }))
})
