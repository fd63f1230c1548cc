/**
 * Zeroed typed arrays for code that reads an element before it first writes
 * it: sums and counts (`total[i] += w`), and hash tables probed for a free
 * slot.
 *
 * A big new typed array is memory the process has not touched yet; the
 * kernel gives it pages on first touch. When a page's first touch is a read,
 * the kernel maps its shared zero page, and the write that follows faults
 * again to replace it, which flushes the TLB of every core the process runs
 * on (an interprocessor interrupt per 4 KiB page). Sums over scattered
 * indexes do that for nearly every page. Filled first, each page's first
 * touch is a write: one cheap fault, in order.
 *
 * Measured with perf on all threads, kernel included: the perf.data
 * reader's hash-table rehashes spent ~13% of the reading thread in those
 * faults (a --call-graph dwarf file went from 0.45 to 0.40 s), and the
 * analysis worker of the views bench (bench/views.bench.ts) used a quarter
 * less CPU once its sums were made here.
 */

export function float64Accumulator(length: number): Float64Array<ArrayBuffer> {
  return new Float64Array(length).fill(0);
}

export function int32Accumulator(length: number): Int32Array<ArrayBuffer> {
  return new Int32Array(length).fill(0);
}

export function float32Accumulator(length: number): Float32Array<ArrayBuffer> {
  return new Float32Array(length).fill(0);
}
