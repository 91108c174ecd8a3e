/**
 * The neo4j-driver 6.3.0 side of the codec benchmark, assembled from its own internals the way its
 * connection assembles them (lib/connection/connection-channel.js and lib/bolt/create.js):
 *
 * decode, per socket `data` event (lib/channel/node/node-channel.js):
 *   channel.onmessage(new ChannelBuffer(nodeBuffer))
 *     -> Dechunker.write(buf)                          (lib/channel/chunking.js)
 *     -> dechunker.onmessage(messageBuf)               (a ChannelBuffer, or a CombinedBuffer across pieces)
 *     -> responseHandler.handleResponse(protocol.unpack(messageBuf))
 *          protocol.unpack = Unpacker.unpack(buf, transformer.fromStructure)   (Bolt 5.8 transformers)
 *     -> ResultStreamObserver.onNext(rawRecord)        (lib/bolt/stream-observers.js)
 *          new Record(keys, rawRecord, fieldLookup)  -> the subscriber's onNext(record)
 *
 * Everything but the socket is the real code: the protocol object is a real BoltProtocolV5x8
 * built by `bolt/create.js` over a fake channel, and the observer a real ResultStreamObserver
 * that received a RUN SUCCESS with the keys.
 *
 * encode: `protocol.packable(new Structure(RECORD, [values]))()` then `chunker.messageBoundary()`,
 * as `BoltProtocol.write` does for every request, into their Chunker with its default 1400-byte
 * buffer; each full buffer is flushed to the fake channel's `write`.
 *
 * Their modules are CommonJS without deep type declarations: they are loaded with `createRequire`
 * and described here by the few members the benchmark touches.
 */
import { createRequire } from "node:module"

const requireBolt = createRequire(createRequire(import.meta.url).resolve("neo4j-driver-bolt-connection/package.json"))
const requireCore = createRequire(requireBolt.resolve("neo4j-driver-core/package.json"))

/** A neo4j-driver `Integer` (lossless 64-bit integer: two int32 halves). */
export interface Integer {
  readonly low: number
  readonly high: number
  toNumber(): number
}

/** neo4j-driver's `Record` (what their result hands to the application). */
export interface DriverRecord {
  readonly keys: ReadonlyArray<string>
  readonly length: number
  get(key: string | number): unknown
}

/** neo4j-driver's `Node`. */
export interface DriverNode {
  readonly identity: unknown
  readonly labels: ReadonlyArray<string>
  readonly properties: Readonly<Record<string, unknown>>
  readonly elementId: string
}

interface Core {
  readonly int: (v: number | bigint) => Integer
  readonly isInt: (v: unknown) => v is Integer
  readonly Node: new (...args: Array<unknown>) => DriverNode
  readonly Record: new (...args: Array<unknown>) => DriverRecord
  readonly ProtocolVersion: new (major: number, minor: number) => unknown
  readonly internal: { readonly logger: { readonly Logger: { noOp(): unknown } } }
}

interface ChannelBufferCtor {
  new (buffer: Buffer | number): { readonly _buffer: Buffer; readonly position: number; readonly length: number }
}

interface DriverDechunker {
  write(buf: unknown): void
  onmessage: (buf: unknown) => void
}

interface DriverChunker {
  messageBoundary(): void
  flush(): void
}

interface Observer {
  onNext(raw: unknown): void
  onCompleted(meta: unknown): void
  subscribe(o: { onNext?: (r: DriverRecord) => void; onCompleted?: (m: unknown) => void; onError?: (e: unknown) => void }): void
}

interface Protocol {
  readonly version: number
  packable(x: unknown): () => void
  unpack(buf: unknown): { readonly signature: number; readonly fields: Array<unknown> }
  readonly _responseHandler: { _queueObserver(o: Observer): boolean }
}

const core = requireCore("neo4j-driver-core") as Core
const ChannelBuffer = (requireBolt("./lib/channel/channel-buf.js") as { default: ChannelBufferCtor }).default
const chunking = requireBolt("./lib/channel/chunking.js") as {
  Dechunker: new () => DriverDechunker
  Chunker: new (channel: { write(b: unknown): void }, bufferSize?: number) => DriverChunker
}
const createProtocol = (requireBolt("./lib/bolt/create.js") as { default: (config: Record<string, unknown>) => Protocol })
  .default
const { ResultStreamObserver } = requireBolt("./lib/bolt/stream-observers.js") as {
  ResultStreamObserver: new (config: Record<string, unknown>) => Observer
}
const { Structure } = (requireBolt("./lib/packstream/index.js") as {
  structure: { Structure: new (signature: number, fields: Array<unknown>) => object }
}).structure

/** neo4j-driver's `int(...)` (how its users send an Integer parameter). */
export const int = core.int
/** neo4j-driver's `isInt`. */
export const isInt = core.isInt
/** neo4j-driver's `Node` class. */
export const Node = core.Node
/** neo4j-driver's packstream `Structure` class (for packing server-side structures). */
export const DriverStructure = Structure

/** Their integers as a JS number (a lossless `Integer` or an already lossy number). */
export const toNumber = (v: unknown): number => (isInt(v) ? v.toNumber() : (v as number))

const RECORD = 0x71

/** What the driver's config decides for decoding integers. */
export interface IntegerConfig {
  /** `false` is the driver's default: every Integer decodes to an `Integer` object */
  readonly disableLosslessIntegers: boolean
  readonly useBigInt?: boolean
}

/** One connection's inbound side: feed it socket pieces; each RECORD ends as a `Record` passed to `onRecord`. */
export interface DriverDecoder {
  /** one socket `data` event */
  readonly push: (piece: Buffer) => void
  readonly protocolVersion: number
}

const noOpObserver = {
  onObserversCountChange: () => {},
  onError: (e: unknown) => {
    throw e
  },
  onFailure: () => {},
  onProtocolError: () => {},
  onErrorApplyTransformation: (e: unknown) => e
}

/** A fake Node channel: records what the chunker flushes. */
class SinkChannel {
  onmessage: ((buf: unknown) => void) | undefined = undefined
  onerror: ((e: unknown) => void) | undefined = undefined
  bytes = 0
  writes = 0
  constructor(readonly onWrite: ((buf: Buffer) => void) | undefined) {}
  write(buf: unknown): void {
    const b = (buf as { _buffer: Buffer })._buffer
    this.bytes += b.length
    this.writes++
    this.onWrite?.(b)
  }
}

const makeProtocol = (channel: SinkChannel, chunker: DriverChunker, dechunker: DriverDechunker, config: IntegerConfig) =>
  createProtocol({
    version: new core.ProtocolVersion(5, 8),
    channel,
    chunker,
    dechunker,
    disableLosslessIntegers: config.disableLosslessIntegers,
    useBigInt: config.useBigInt ?? false,
    serversideRouting: null,
    server: {},
    log: core.internal.logger.Logger.noOp(),
    observer: noOpObserver
  })

/**
 * A decoder wired like their connection: channel -> Dechunker -> protocol.unpack ->
 * ResponseHandler -> ResultStreamObserver (RUN SUCCESS with `keys` already received) -> `onRecord`.
 */
export const makeDecoder = (
  keys: ReadonlyArray<string>,
  config: IntegerConfig,
  onRecord: (record: DriverRecord) => void
): DriverDecoder => {
  const channel = new SinkChannel(undefined)
  const chunker = new chunking.Chunker(channel)
  const dechunker = new chunking.Dechunker()
  const protocol = makeProtocol(channel, chunker, dechunker, config)
  // RUN's observer, as protocol.run builds it (fetch all; no further PULL is sent here)
  const observer = new ResultStreamObserver({
    server: {},
    reactive: false,
    fetchSize: -1,
    moreFunction: () => {},
    discardFunction: () => {}
  })
  protocol._responseHandler._queueObserver(observer)
  observer.onCompleted({ fields: [...keys] }) // RUN SUCCESS: keys and field lookup
  observer.subscribe({ onNext: onRecord, onCompleted: () => {}, onError: (e) => { throw e } })
  // the PULL's SUCCESS is never sent: the observer stays the current one for every RECORD
  const onmessage = channel.onmessage
  if (onmessage === undefined) throw new Error("neo4j-driver's create() did not wire channel.onmessage")
  return {
    push: (piece) => onmessage(new ChannelBuffer(piece)),
    protocolVersion: protocol.version
  }
}

/** An encoder wired like their connection's outbound side. */
export interface DriverEncoder {
  /** packs one RECORD message with these values and ends the message */
  readonly record: (values: ReadonlyArray<unknown>) => void
  /** flushes the open buffer to the channel */
  readonly flush: () => void
  /** bytes flushed so far */
  readonly bytes: () => number
}

/** Their Packer over their Chunker (default 1400-byte buffer) over a channel that hands out each flushed buffer. */
export const makeEncoder = (onWrite?: (buf: Buffer) => void): DriverEncoder => {
  const channel = new SinkChannel(onWrite)
  const chunker = new chunking.Chunker(channel)
  const dechunker = new chunking.Dechunker()
  const protocol = makeProtocol(channel, chunker, dechunker, { disableLosslessIntegers: false })
  return {
    record: (values) => {
      protocol.packable(new Structure(RECORD, [values]))()
      chunker.messageBoundary()
    },
    flush: () => chunker.flush(),
    bytes: () => channel.bytes
  }
}
