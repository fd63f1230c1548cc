/**
 * A hash map from a pair of 32-bit integers to a non-negative int, in typed
 * arrays (open addressing, linear probing). The perf.data reader and the
 * profile builder look up a few million (parent, location), (prefix, frame)
 * and (address hi, lo) pairs per file; a Map keyed by one combined double
 * would box most keys (they exceed 2^31) and allocate on every lookup.
 */

import { int32Accumulator } from './accumulators';

/**
 * Slots are [a, b, value + 1, unused]: one cache line holds four, and a probe
 * touches one line. A stored 0 marks an empty slot. The table doubles when 3/4
 * full: at 1/2 the call-path index of a million-sample perf.data took 32 MB
 * of 16-byte slots, a quarter of them used, and pushed the import's peak
 * memory past the file's size; the longer probes cost no measurable time.
 */
const STRIDE = 4;

export class PairMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (3 * n < capacity * 4) n *= 2;
    this.slots = int32Accumulator(n * STRIDE);
    this.mask = n - 1;
  }

  /** The value of (a, b), or -1. Inputs are taken modulo 2^32 (signed or unsigned both work). */
  get(a: number, b: number): number {
    a |= 0;
    b |= 0;
    const { slots, mask } = this;
    for (let i = hash(a, b) & mask; ; i = (i + 1) & mask) {
      const at = i * STRIDE;
      const stored = slots[at + 2];
      if (stored === 0 || (slots[at] === a && slots[at + 1] === b)) return stored - 1;
    }
  }

  /** Sets (a, b) to `value` (0 <= value < 2^31 - 1). */
  set(a: number, b: number, value: number): void {
    a |= 0;
    b |= 0;
    if (4 * (this.size + 1) > 3 * (this.mask + 1)) this.grow();
    const { slots, mask } = this;
    for (let i = hash(a, b) & mask; ; i = (i + 1) & mask) {
      const at = i * STRIDE;
      if (slots[at + 2] === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = value + 1;
        this.size++;
        return;
      }
      if (slots[at] === a && slots[at + 1] === b) {
        slots[at + 2] = value + 1;
        return;
      }
    }
  }

  /** Makes room for `count` entries in all, so filling up to that many never rehashes step by step. */
  reserve(count: number): void {
    let n = this.mask + 1;
    while (3 * n < count * 4) n *= 2;
    if (n > this.mask + 1) this.rehash(n);
  }

  clear(): void {
    if (this.size === 0) return;
    this.slots = int32Accumulator((this.mask + 1) * STRIDE);
    this.size = 0;
  }

  private grow(): void {
    this.rehash(2 * (this.mask + 1));
  }

  private rehash(n: number): void {
    const old = this.slots;
    const slots = int32Accumulator(n * STRIDE);
    const mask = n - 1;
    // Keys are distinct already: each goes to the first free slot of its probe sequence.
    for (let from = 0; from < old.length; from += STRIDE) {
      if (old[from + 2] === 0) continue;
      let i = hash(old[from], old[from + 1]) & mask;
      while (slots[i * STRIDE + 2] !== 0) i = (i + 1) & mask;
      const at = i * STRIDE;
      slots[at] = old[from];
      slots[at + 1] = old[from + 1];
      slots[at + 2] = old[from + 2];
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
