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
 * A chain is known by a 64-bit fingerprint of its words (two 32-bit hash
 * lanes) plus its length and the context the words were interpreted in (pid,
 * that process's address-space version, the sample's cpumode: the same
 * addresses mean other code after an mmap or in another process). The words
 * themselves are not kept: comparing them with a stored copy cost more than
 * the rest of the lookup (the copies are cold in memory), and kept tens of MB.
 * A false match needs two different chains of one length and context with
 * the same 64 bits: for 10^5 distinct chains and 10^6 samples, odds of about
 * 10^-8 per file. (A crafted file could force one, but such a file can hold
 * any stacks it likes anyway.)
 */

/**
 * The table is open addressing with linear probing, one row of ROW ints per
 * slot holding the whole entry, so a lookup touches one cache line.
 */
const ROW = 8;
const HASH_A = 0;
const HASH_B = 1;
const PID = 2;
const VERSION = 3;
const CPUMODE = 4;
const LENGTH = 5;
const NODE = 6;
/** 1 in a used row. */
const USED = 7;

export class ChainCache {
  private rows = new Int32Array(ROW << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  /** The last lookup's fingerprint, for add() right after a miss. */
  private lastA = 0;
  private lastB = 0;

  /**
   * The node stored for the `nr` u64 words at view[offset...] in this
   * context, or -1. Words are read as little-endian u32 pairs whatever the
   * file's byte order: only equality matters here.
   */
  find(view: DataView, offset: number, nr: number, pid: number, version: number, cpumode: number): number {
    // Two lanes that run in parallel: `a` over the low halves (where addresses differ), `b` over
    // both halves with other constants.
    let a = Math.imul(nr ^ pid, 0x9e3779b1) ^ version;
    let b = Math.imul(cpumode + 1, 0x85ebca6b) ^ nr;
    const end = offset + nr * 8;
    for (let o = offset; o < end; o += 8) {
      const lo = view.getInt32(o, true);
      a = Math.imul(a ^ lo, 0x5bd1e995);
      b = Math.imul(b ^ (lo + Math.imul(view.getInt32(o + 4, true), 0x27d4eb2f)), 0x1b873593);
      a ^= a >>> 15;
      b ^= b >>> 13;
    }
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
    this.lastA = a;
    this.lastB = b;
    const { rows, mask } = this;
    for (let i = (a ^ (b >>> 7)) & mask; ; i = (i + 1) & mask) {
      const at = i * ROW;
      if (rows[at + USED] === 0) return -1;
      if (
        rows[at + HASH_A] === a &&
        rows[at + HASH_B] === b &&
        rows[at + LENGTH] === nr &&
        rows[at + PID] === pid &&
        rows[at + VERSION] === version &&
        rows[at + CPUMODE] === cpumode
      ) {
        return rows[at + NODE];
      }
    }
  }

  /** Remembers `node` for the chain find() just missed (same arguments). */
  add(nr: number, pid: number, version: number, cpumode: number, node: number): void {
    if (2 * (this.count + 1) > this.mask) this.rehash(2 * (this.mask + 1));
    const { rows, mask, lastA, lastB } = this;
    let i = (lastA ^ (lastB >>> 7)) & mask;
    while (rows[i * ROW + USED] !== 0) i = (i + 1) & mask;
    const at = i * ROW;
    rows[at + HASH_A] = lastA;
    rows[at + HASH_B] = lastB;
    rows[at + PID] = pid;
    rows[at + VERSION] = version;
    rows[at + CPUMODE] = cpumode;
    rows[at + LENGTH] = nr;
    rows[at + NODE] = node;
    rows[at + USED] = 1;
    this.count++;
  }

  private rehash(size: number): void {
    const old = this.rows;
    const rows = new Int32Array(ROW * size);
    const mask = size - 1;
    for (let from = 0; from < old.length; from += ROW) {
      if (old[from + USED] === 0) continue;
      let i = (old[from + HASH_A] ^ (old[from + HASH_B] >>> 7)) & mask;
      while (rows[i * ROW + USED] !== 0) i = (i + 1) & mask;
      rows.set(old.subarray(from, from + ROW), i * ROW);
    }
    this.rows = rows;
    this.mask = mask;
  }
}
