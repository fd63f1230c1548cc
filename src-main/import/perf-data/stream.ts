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
 */

import { CancelledError } from '../../../src-shared/errors';
import type { ImportOptions, ImportSource } from '../importer';

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

export async function streamRecords(
  source: ImportSource,
  start: number,
  end: number,
  littleEndian: boolean,
  handle: RecordHandler,
  options: ImportOptions,
): Promise<StreamResult> {
  const carry = new Uint8Array(MAX_RECORD + 1);
  const carryView = new DataView(carry.buffer);
  let carried = 0;
  /** Payload bytes still to skip. */
  let skip = 0;
  let consumed = 0;
  let seen = 0;

  for await (const chunk of source.chunks(start, end)) {
    if (options.signal?.aborted) throw new CancelledError();
    const length = chunk.length;
    seen += length;
    let pos = 0;

    if (skip > 0) {
      const n = Math.min(skip, length);
      pos += n;
      skip -= n;
      consumed += n;
    }

    // Finish a record that began in an earlier chunk.
    if (carried > 0 && pos < length) {
      if (carried < HEADER) {
        const n = Math.min(HEADER - carried, length - pos);
        carry.set(chunk.subarray(pos, pos + n), carried);
        carried += n;
        pos += n;
      }
      if (carried >= HEADER) {
        const size = carryView.getUint16(6, littleEndian);
        if (size < HEADER) return { consumed, stop: 'corrupt' };
        const n = Math.min(size - carried, length - pos);
        carry.set(chunk.subarray(pos, pos + n), carried);
        carried += n;
        pos += n;
        if (carried === size) {
          skip = handle(carryView, 0, carryView.getUint32(0, littleEndian), carryView.getUint16(4, littleEndian), size);
          consumed += size;
          carried = 0;
          const m = Math.min(skip, length - pos);
          pos += m;
          skip -= m;
          consumed += m;
        }
      }
    }

    if (carried === 0 && skip === 0) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, length);
      while (pos + HEADER <= length) {
        const size = view.getUint16(pos + 6, littleEndian);
        if (size < HEADER) return { consumed, stop: 'corrupt' };
        if (pos + size > length) break;
        const payload = handle(view, pos, view.getUint32(pos, littleEndian), view.getUint16(pos + 4, littleEndian), size);
        pos += size;
        consumed += size;
        if (payload > 0) {
          const n = Math.min(payload, length - pos);
          pos += n;
          consumed += n;
          skip = payload - n;
          if (skip > 0) break;
        }
      }
      if (pos < length && skip === 0) {
        carry.set(chunk.subarray(pos), 0);
        carried = length - pos;
      }
    }
    options.onProgress?.(start + seen, source.size);
  }
  return { consumed, stop: carried > 0 || skip > 0 ? 'cut' : null };
}
