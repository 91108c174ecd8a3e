/**
 * A batch's RECORD bodies, undecoded, waiting for the result's consumer: kept as ranges of the
 * socket reads they arrived in (one `Int32Array` for the batch), not as a view object each (nor
 * as the decoded records, which are larger still).
 *
 * Why: a batch waits in memory while its consumer reads it, so whatever holds it survives V8's
 * young-generation collections. Up to 1,000 views (~100 bytes each) surviving every scavenge made
 * V8 grow its young generation to the maximum (bench/e2e stream: 16 MB semi-spaces, a heap peak
 * twice neo4j-driver's); ranges leave a few objects per batch. (Reading `byteOffset` of a view
 * costs ~20 ns on Node 20, so the dechunker hands out ranges, never views, for RECORDs.)
 */

/** Initial capacity, in records; the ranges grow by doubling up to a batch's size. */
const INITIAL = 64

const EMPTY = new Int32Array(0)

/**
 * The bodies of a batch: record `i` lies in `bases[spans[3i]]` at `[spans[3i+1], spans[3i+2])`.
 *
 * @since 0.1.0
 */
export class RecordBodies {
  /** the socket reads (as the dechunker was fed them) the batch's bodies lie in */
  bases: Array<Uint8Array> = []
  /** (base index, start, end) per body; allocated on the first body */
  spans: Int32Array = EMPTY
  /** bodies added */
  count = 0
  /** the next body to hand out */
  next = 0

  /** Keeps a body, `bytes[start, end)`, as its range. */
  add(bytes: Uint8Array, start: number, end: number): void {
    const bases = this.bases
    if (bases.length === 0 || bases[bases.length - 1] !== bytes) bases.push(bytes)
    let spans = this.spans
    const k = 3 * this.count
    if (k + 3 > spans.length) {
      const grown = new Int32Array(Math.max(3 * INITIAL, 2 * spans.length))
      grown.set(spans)
      this.spans = spans = grown
    }
    spans[k] = bases.length - 1
    spans[k + 1] = start
    spans[k + 2] = end
    this.count++
  }

  /** Whether a body is still to be handed out. */
  hasNext(): boolean {
    return this.next < this.count
  }

  /**
   * Where a slice from `next` ends: after `maxRecords` bodies, or after the first body that
   * brings their size to `maxBytes` (always at least one body when there is one).
   */
  sliceEnd(maxRecords: number, maxBytes: number): number {
    const last = Math.min(this.count, this.next + maxRecords)
    const spans = this.spans
    let i = this.next
    let bytes = 0
    while (i < last && bytes < maxBytes) {
      bytes += spans[3 * i + 2]! - spans[3 * i + 1]!
      i++
    }
    return i
  }

  /** Once every body was handed out: forgets them (the ranges are kept for the next batch). */
  settle(): void {
    if (this.next === this.count) this.clear()
  }

  /** Forgets every body, handed out or not. */
  clear(): void {
    this.count = 0
    this.next = 0
    if (this.bases.length > 0) this.bases = []
  }
}
