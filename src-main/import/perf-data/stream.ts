/**
 * The record stream of a perf.data data section, read in chunks.
 *
 * Every record starts with perf_event_header { u32 type; u16 misc; u16 size },
 * and `size` covers the whole record, so records are walked in place over
 * each chunk's DataView. A record cut by a chunk boundary (at most 64 KiB,
 * since size is a u16) is copied into one reused buffer; nothing else is
 * copied. A few records (AUXTRACE, pipe-mode TRACING_DATA) are followed by a
 * payload their size does not cover: the handler returns its length and the
 * stream skips it.
 *
 * Reading stops early, without throwing, when the data ends inside a record
 * (a cut file) or a record's size is impossible (< 8 bytes: corrupt data);
 * the caller turns that into a warning.
 *
 * The cutting itself is RecordSplitter, which `perf record -z`'s decompressed
 * stream goes through too (compressed.ts).
 */

import { CancelledError } from '../../../src-shared/errors';
import type { ImportOptions, ImportSource } from '../importer';
import { hasReusableChunks } from '../source';

/** Handles the record at view[pos, pos + size); returns the length of a payload that follows it (usually 0). */
export type RecordHandler = (view: DataView, pos: number, type: number, misc: number, size: number) => number;

export interface StreamResult {
  /** Bytes of the range consumed as whole records and their payloads. */
  consumed: number;
  /** 'cut': the range ended inside a record or payload; 'corrupt': a record had an impossible size. */
  stop: 'cut' | 'corrupt' | null;
}

const HEADER = 8;
const MAX_RECORD = 0xffff;
const CHUNK_BYTES = 2 << 20;
/** One being walked, the rest being read into: reads kept ahead of the walk when both cores are busy. */
const READ_BUFFERS = 4;

export async function streamRecords(
  source: ImportSource,
  start: number,
  end: number,
  littleEndian: boolean,
  handle: RecordHandler,
  options: ImportOptions,
  released?: () => void,
): Promise<StreamResult> {
  const splitter = new RecordSplitter(handle, littleEndian, released);
  let seen = 0;
  // The splitter and the reader copy what they keep (a cut record, queued records), so a few reused
  // buffers serve the whole file.
  const chunks = hasReusableChunks(source) ? source.chunksInto(Array.from({ length: READ_BUFFERS }, () => new Uint8Array(CHUNK_BYTES)), start, end) : source.chunks(start, end);
  for await (const chunk of chunks) {
    if (options.signal?.aborted) throw new CancelledError();
    seen += chunk.length;
    if (!splitter.feed(chunk)) return { consumed: splitter.consumed, stop: 'corrupt' };
    options.onProgress?.(start + seen, source.size);
  }
  return { consumed: splitter.consumed, stop: splitter.pending ? 'cut' : null };
}

/**
 * Cuts a byte stream that arrives in pieces into records. Used for the file's
 * data section and for the decompressed stream of `perf record -z` batches
 * (compressed.ts). Nothing of a piece is kept after feed() returns except a
 * cut record's bytes (copied), so the caller may reuse the piece's memory.
 */
export class RecordSplitter {
  /** Bytes handed over as whole records and their payloads. */
  consumed = 0;
  private readonly carry = new Uint8Array(MAX_RECORD + 1);
  private readonly carryView = new DataView(this.carry.buffer);
  private carried = 0;
  /** Payload bytes still to skip. */
  private skip = 0;

  /**
   * `released` is called when the handler must stop referring to the bytes
   * it was given (the piece fed and the buffer of a cut record): before
   * feed() returns, and before that buffer is overwritten.
   */
  constructor(
    private readonly handle: RecordHandler,
    private readonly le: boolean,
    private readonly released: () => void = () => undefined,
  ) {}

  /** True while the data so far ends inside a record or its payload. */
  get pending(): boolean {
    return this.carried > 0 || this.skip > 0;
  }

  /** Hands every record completed by `chunk` to the handler; false when a record has an impossible size (corrupt data). */
  feed(chunk: Uint8Array): boolean {
    const { carry, carryView, le, handle } = this;
    const length = chunk.length;
    let pos = 0;

    if (this.skip > 0) {
      const n = Math.min(this.skip, length);
      pos += n;
      this.skip -= n;
      this.consumed += n;
    }

    // Finish a record that began in an earlier chunk.
    if (this.carried > 0 && pos < length) {
      if (this.carried < HEADER) {
        const n = Math.min(HEADER - this.carried, length - pos);
        carry.set(chunk.subarray(pos, pos + n), this.carried);
        this.carried += n;
        pos += n;
      }
      if (this.carried >= HEADER) {
        const size = carryView.getUint16(6, le);
        if (size < HEADER) {
          this.released();
          return false;
        }
        const n = Math.min(size - this.carried, length - pos);
        carry.set(chunk.subarray(pos, pos + n), this.carried);
        this.carried += n;
        pos += n;
        if (this.carried === size) {
          this.skip = handle(carryView, 0, carryView.getUint32(0, le), carryView.getUint16(4, le), size);
          this.consumed += size;
          this.carried = 0;
          const m = Math.min(this.skip, length - pos);
          pos += m;
          this.skip -= m;
          this.consumed += m;
        }
      }
    }

    if (this.carried === 0 && this.skip === 0) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, length);
      while (pos + HEADER <= length) {
        const size = view.getUint16(pos + 6, le);
        if (size < HEADER) {
          this.released();
          return false;
        }
        if (pos + size > length) break;
        const payload = handle(view, pos, view.getUint32(pos, le), view.getUint16(pos + 4, le), size);
        pos += size;
        this.consumed += size;
        if (payload > 0) {
          const n = Math.min(payload, length - pos);
          pos += n;
          this.consumed += n;
          this.skip = payload - n;
          if (this.skip > 0) break;
        }
      }
      this.released();
      if (pos < length && this.skip === 0) {
        carry.set(chunk.subarray(pos), 0);
        this.carried = length - pos;
      }
      return true;
    }
    this.released();
    return true;
  }
}
