/**
 * When each trace allocated, in bounded memory: allocations are summed per
 * (trace, time bucket), one row per bucket in which a trace allocated, rows
 * in time order. Buckets start at 1 ms (heaptrack's timestamps are
 * milliseconds and come every 10 ms or so); when the rows pass MAX_ROWS the
 * width doubles and the rows merge, so a long recording costs at most
 * MAX_ROWS rows (about 36 bytes each) however many allocations it made.
 */

import { growFloat64, growInt32 } from '../../../src-shared/profile/growable';

const MAX_ROWS = 1 << 20;

export interface TraceTimeline {
  /** Bucket width, ms. */
  bucketMs: number;
  trace: Int32Array;
  /** Bucket start, ms since the recording started. */
  time: Float64Array;
  bytes: Float64Array;
  blocks: Float64Array;
  temporary: Float64Array;
}

export class TraceTimelineBuilder {
  private bucketMs = 1;
  private trace = growInt32(4096);
  private time = growFloat64(4096);
  private bytes = growFloat64(4096);
  private blocks = growFloat64(4096);
  private temporary = growFloat64(4096);
  /** Per trace id, its latest row (-1: none yet). */
  private readonly lastRow = growInt32(4096);

  constructor(private readonly maxRows = MAX_ROWS) {}

  allocation(trace: number, timeMs: number, size: number): void {
    const row = this.rowFor(trace, timeMs);
    this.bytes.set(row, this.bytes.get(row) + size);
    this.blocks.set(row, this.blocks.get(row) + 1);
  }

  /** A temporary allocation of `trace` freed at `timeMs` (its allocation came right before, so in this bucket or the one before). */
  temporaryFree(trace: number, timeMs: number): void {
    const row = this.rowFor(trace, timeMs);
    this.temporary.set(row, this.temporary.get(row) + 1);
  }

  finish(): TraceTimeline {
    return {
      bucketMs: this.bucketMs,
      trace: this.trace.finish(),
      time: this.time.finish(),
      bytes: this.bytes.finish(),
      blocks: this.blocks.finish(),
      temporary: this.temporary.finish(),
    };
  }

  private rowFor(trace: number, timeMs: number): number {
    while (this.lastRow.length <= trace) this.lastRow.push(-1);
    const start = Math.floor(timeMs / this.bucketMs) * this.bucketMs;
    const last = this.lastRow.get(trace);
    if (last >= 0 && this.time.get(last) === start) return last;
    if (this.trace.length >= this.maxRows) {
      this.coarsen();
      return this.rowFor(trace, timeMs);
    }
    const row = this.trace.push(trace);
    this.time.push(start);
    this.bytes.push(0);
    this.blocks.push(0);
    this.temporary.push(0);
    this.lastRow.set(trace, row);
    return row;
  }

  /** Doubles the bucket width (until the rows fit in half the budget) and merges the rows in place; they stay in time order. */
  private coarsen(): void {
    const old = { trace: this.trace.finish(), time: this.time.finish(), bytes: this.bytes.finish(), blocks: this.blocks.finish(), temporary: this.temporary.finish() };
    for (let t = 0; t < this.lastRow.length; t++) this.lastRow.set(t, -1);
    do {
      this.bucketMs *= 2;
      this.trace = growInt32(4096);
      this.time = growFloat64(4096);
      this.bytes = growFloat64(4096);
      this.blocks = growFloat64(4096);
      this.temporary = growFloat64(4096);
      for (let r = 0; r < old.trace.length; r++) {
        const trace = old.trace[r];
        const start = Math.floor(old.time[r] / this.bucketMs) * this.bucketMs;
        let row = this.lastRow.get(trace);
        if (row < 0 || this.time.get(row) !== start) {
          row = this.trace.push(trace);
          this.time.push(start);
          this.bytes.push(0);
          this.blocks.push(0);
          this.temporary.push(0);
          this.lastRow.set(trace, row);
        }
        this.bytes.set(row, this.bytes.get(row) + old.bytes[r]);
        this.blocks.set(row, this.blocks.get(row) + old.blocks[r]);
        this.temporary.set(row, this.temporary.get(row) + old.temporary[r]);
      }
      if (this.trace.length > this.maxRows / 2) for (let t = 0; t < this.lastRow.length; t++) this.lastRow.set(t, -1);
    } while (this.trace.length > this.maxRows / 2);
  }
}
