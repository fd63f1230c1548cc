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
const EMPTY = -1;

export class ChainCache {
  /** Open addressing, linear probing: slot -> entry, or EMPTY. */
  private slots = new Int32Array(1 << 12).fill(EMPTY);
  private mask = (1 << 12) - 1;
  /** Per entry: hash, context (pid, version, cpumode), where its words are in the arena, their count, its node. */
  private hash = new Int32Array(1024);
  private pid = new Int32Array(1024);
  private version = new Int32Array(1024);
  private cpumode = new Int32Array(1024);
  private start = new Int32Array(1024);
  private length = new Int32Array(1024);
  private node = new Int32Array(1024);
  private entries = 0;
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
    const { slots, mask, words } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = slots[i];
      if (e === EMPTY) return -1;
      if (this.hash[e] !== h || this.length[e] !== nr || this.pid[e] !== pid || this.version[e] !== version || this.cpumode[e] !== cpumode) continue;
      let w = this.start[e];
      let o = offset;
      while (o < end && words[w] === view.getInt32(o, true)) {
        w++;
        o += 4;
      }
      if (o === end) return this.node[e];
    }
  }

  /** Remembers `node` for the chain find() just missed (same arguments). */
  add(view: DataView, offset: number, nr: number, pid: number, version: number, cpumode: number, node: number): void {
    const n = nr * 2;
    if (this.used + n > MAX_WORDS) return;
    if (this.used + n > this.words.length) this.words = grown(this.words, Math.min(MAX_WORDS, Math.max(2 * this.words.length, this.used + n)));
    const words = this.words;
    for (let k = 0; k < n; k++) words[this.used + k] = view.getInt32(offset + 4 * k, true);
    if (this.entries === this.hash.length) this.growEntries();
    const e = this.entries++;
    this.hash[e] = this.lastHash;
    this.pid[e] = pid;
    this.version[e] = version;
    this.cpumode[e] = cpumode;
    this.start[e] = this.used;
    this.length[e] = nr;
    this.node[e] = node;
    this.used += n;
    if (2 * this.entries > this.mask) this.rehash(2 * (this.mask + 1));
    else this.place(e);
  }

  private place(e: number): void {
    const { slots, mask } = this;
    let i = this.hash[e] & mask;
    while (slots[i] !== EMPTY) i = (i + 1) & mask;
    slots[i] = e;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let e = 0; e < this.entries; e++) this.place(e);
  }

  private growEntries(): void {
    const n = 2 * this.hash.length;
    this.hash = grown(this.hash, n);
    this.pid = grown(this.pid, n);
    this.version = grown(this.version, n);
    this.cpumode = grown(this.cpumode, n);
    this.start = grown(this.start, n);
    this.length = grown(this.length, n);
    this.node = grown(this.node, n);
  }
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  bigger.set(array.subarray(0, Math.min(array.length, length)));
  return bigger;
}
