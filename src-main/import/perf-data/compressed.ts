/**
 * `perf record -z`: records written zstd-compressed.
 *
 * perf compresses what it drains from its ring buffers as ONE zstd stream
 * over the whole recording (tools/perf/util/zstd.c: a stream context made at
 * start, ZSTD_compressStream + ZSTD_flushStream per batch, never ended), cut
 * into PERF_RECORD_COMPRESSED records of at most 64 KiB:
 *
 *   COMPRESSED  (81): { header; char data[header.size - 8]; }
 *   COMPRESSED2 (83): { header; u64 data_size; char data[data_size]; pad to 8 }
 *
 * So one decompressor is fed every batch in file order, and a record may be
 * cut across two batches' output: the decompressed bytes go through the same
 * RecordSplitter as the file's data section, into the reader's handler (which
 * orders timed records as usual). The feature HEADER_COMPRESSED names the
 * codec; zstd is perf's only one. The decompressor (fzstd, pure JS) holds one
 * window, so memory stays bounded whatever the file's size.
 */

import { Decompress } from 'fzstd';
import { MAX_ZSTD_WINDOW, zstdWindowSize } from '../zstd-window';
import { RecordSplitter, type RecordHandler } from './stream';

export class CompressedRecords {
  private zstd: Decompress | null = null;
  private readonly splitter: RecordSplitter;
  /** Set when the zstd data or the records inside it are corrupt: later batches are skipped. */
  private broken = false;
  /** True while a batch is being decompressed: a compressed record inside one is not perf's format. */
  private busy = false;
  batches = 0;
  skipped = 0;

  constructor(handle: RecordHandler, le: boolean, released?: () => void) {
    this.splitter = new RecordSplitter(handle, le, released);
  }

  /** Decompresses one batch and hands the records it completes to the handler. */
  push(data: Uint8Array): void {
    if (this.broken || this.busy) {
      this.skipped++;
      return;
    }
    this.batches++;
    if (this.zstd === null && zstdWindowSize(data) > MAX_ZSTD_WINDOW) {
      // The decoder allocates the window the frame header asks for: refuse what no perf level writes.
      this.broken = true;
      return;
    }
    this.zstd ??= new Decompress((chunk) => {
      if (!this.broken && !this.splitter.feed(chunk)) this.broken = true;
    });
    this.busy = true;
    try {
      // A copy: fzstd keeps the input of a block it cannot finish yet, and `data` is a view into memory the reader reuses.
      this.zstd.push(data.slice());
    } catch {
      this.broken = true;
    } finally {
      this.busy = false;
    }
  }

  /** A one-line problem for the profile's warnings, or null. */
  warning(): string | null {
    if (this.broken) return `the compressed records (perf record -z) are corrupt after ${this.splitter.consumed} decompressed bytes: ${this.skipped} later batches were skipped`;
    if (this.skipped > 0) return `${this.skipped} compressed batches inside compressed data were skipped`;
    if (this.splitter.pending) return 'the compressed records (perf record -z) end inside a record: its last record was not read';
    return null;
  }
}
