/**
 * Whole call chains, by their raw bytes, -> the call-path node they gave.
 *
 * A recording repeats the same call chains again and again (a hot loop is
 * sampled thousands of times with the same stack), and turning a chain into a
 * call-path node costs a location lookup and a prefix-tree step per frame.
 * So before any per-frame work, the reader hashes the chain's u64 words as
 * they are in the record and looks the whole chain up here; only a chain not
 * seen before takes the per-frame path.
 *
 * Exact, not probabilistic: a hit compares every word with a stored copy, and
 * the context the words were interpreted in (pid, that process's address-space
 * version, the sample's cpumode) is part of the key, since the same addresses
 * mean other code after an mmap or in another process.
 *
 * Memory is bounded: the stored copies live in one arena of at most
 * MAX_WORDS u32s; once it is full, new chains are no longer remembered (the
 * ones already stored, usually the hottest, keep hitting).
 */

const MAX_WORDS = 6 << 20; // 24 MiB of chain words
/**
 * Per entry, one row of ENTRY ints in one array, so a probe touches one
 * cache line (seven separate columns cost seven cache misses per sample).
 */
const ENTRY = 8;
const PID = 0;
const VERSION = 1;
const CPUMODE = 2;
const START = 3;
const LENGTH = 4;
const NODE = 5;

export class ChainCache {
  /** Open addressing, linear probing: per slot [hash, entry + 1] (0: empty), so most misses stay in the slot array. */
  private slots = new Int32Array(2 << 12);
  private mask = (1 << 12) - 1;
  private entries = new Int32Array(ENTRY * 1024);
  private count = 0;
  private words = new Int32Array(1 << 16);
  private used = 0;
  /** The last lookup's hash, for add() right after a miss. */
  private lastHash = 0;

  /**
   * The node stored for the `nr` u64 words at view[offset...] in this
   * context, or -1. Words are read as little-endian u32 pairs whatever the
   * file's byte order: only equality matters here.
   */
  find(view: DataView, offset: number, nr: number, pid: number, version: number, cpumode: number): number {
    // Two independent lanes (low and high u32 of each word): twice the speed of one serial chain of multiplies.
    let a = Math.imul(nr ^ pid, 0x9e3779b1) ^ version;
    let b = cpumode;
    const end = offset + nr * 8;
    for (let o = offset; o < end; o += 8) {
      a = Math.imul(a ^ view.getInt32(o, true), 0x5bd1e995);
      b = Math.imul(b ^ view.getInt32(o + 4, true), 0x27d4eb2f);
      a ^= a >>> 15;
      b ^= b >>> 13;
    }
    let h = Math.imul(a ^ ((b << 7) | (b >>> 25)), 0x85ebca6b);
    h ^= h >>> 16;
    this.lastHash = h;
    const { slots, mask, words, entries } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e1 = slots[2 * i + 1];
      if (e1 === 0) return -1;
      if (slots[2 * i] !== h) continue;
      const at = (e1 - 1) * ENTRY;
      if (entries[at + LENGTH] !== nr || entries[at + PID] !== pid || entries[at + VERSION] !== version || entries[at + CPUMODE] !== cpumode) continue;
      let w = entries[at + START];
      let o = offset;
      while (o < end && words[w] === view.getInt32(o, true)) {
        w++;
        o += 4;
      }
      if (o === end) return entries[at + NODE];
    }
  }

  /** Remembers `node` for the chain find() just missed (same arguments). */
  add(view: DataView, offset: number, nr: number, pid: number, version: number, cpumode: number, node: number): void {
    const n = nr * 2;
    if (this.used + n > MAX_WORDS) return;
    if (this.used + n > this.words.length) this.words = grown(this.words, Math.min(MAX_WORDS, Math.max(2 * this.words.length, this.used + n)));
    const words = this.words;
    for (let k = 0; k < n; k++) words[this.used + k] = view.getInt32(offset + 4 * k, true);
    if ((this.count + 1) * ENTRY > this.entries.length) this.entries = grown(this.entries, 2 * this.entries.length);
    const e = this.count++;
    const at = e * ENTRY;
    const entries = this.entries;
    entries[at + PID] = pid;
    entries[at + VERSION] = version;
    entries[at + CPUMODE] = cpumode;
    entries[at + START] = this.used;
    entries[at + LENGTH] = nr;
    entries[at + NODE] = node;
    this.used += n;
    this.place(this.lastHash, e);
    if (2 * this.count > this.mask) this.rehash(2 * (this.mask + 1));
  }

  private place(hash: number, e: number): void {
    const { slots, mask } = this;
    let i = hash & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = hash;
    slots[2 * i + 1] = e + 1;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i], old[i + 1] - 1);
  }
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  bigger.set(array.subarray(0, Math.min(array.length, length)));
  return bigger;
}
