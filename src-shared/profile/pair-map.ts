/**
 * A hash map from a pair of 32-bit integers to a non-negative int, in typed
 * arrays (open addressing, linear probing). The perf.data reader and the
 * profile builder look up a few million (parent, location), (prefix, frame)
 * and (address hi, lo) pairs per file; a Map keyed by one combined double
 * would box most keys (they exceed 2^31) and allocate on every lookup.
 */

const EMPTY = -1;
/** Slots are [a, b, value, unused]: one cache line holds four, and a probe touches one line. */
const STRIDE = 4;

export class PairMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.slots = emptySlots(n);
    this.mask = n - 1;
  }

  /** The value of (a, b), or -1. Inputs are taken modulo 2^32 (signed or unsigned both work). */
  get(a: number, b: number): number {
    a |= 0;
    b |= 0;
    const { slots, mask } = this;
    for (let i = hash(a, b) & mask; ; i = (i + 1) & mask) {
      const at = i * STRIDE;
      const value = slots[at + 2];
      if (value === EMPTY || (slots[at] === a && slots[at + 1] === b)) return value;
    }
  }

  /** Sets (a, b) to `value` (>= 0). */
  set(a: number, b: number, value: number): void {
    a |= 0;
    b |= 0;
    if (2 * (this.size + 1) > this.mask + 1) this.grow();
    const { slots, mask } = this;
    for (let i = hash(a, b) & mask; ; i = (i + 1) & mask) {
      const at = i * STRIDE;
      if (slots[at + 2] === EMPTY) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = value;
        this.size++;
        return;
      }
      if (slots[at] === a && slots[at + 1] === b) {
        slots[at + 2] = value;
        return;
      }
    }
  }

  /** Makes room for `count` entries in all, so filling up to that many never rehashes step by step. */
  reserve(count: number): void {
    let n = this.mask + 1;
    while (n < count * 2) n *= 2;
    if (n > this.mask + 1) this.rehash(n);
  }

  clear(): void {
    if (this.size === 0) return;
    this.slots = emptySlots(this.mask + 1);
    this.size = 0;
  }

  private grow(): void {
    this.rehash(2 * (this.mask + 1));
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = emptySlots(n);
    this.mask = n - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += STRIDE) if (old[at + 2] !== EMPTY) this.set(old[at], old[at + 1], old[at + 2]);
  }
}

function emptySlots(n: number): Int32Array {
  const slots = new Int32Array(n * STRIDE);
  for (let at = 2; at < slots.length; at += STRIDE) slots[at] = EMPTY;
  return slots;
}

function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
