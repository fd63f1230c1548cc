/**
 * Call chains, and their outer parts, by their raw bytes -> the call-path
 * node they gave.
 *
 * A recording repeats the same call chains again and again (a hot loop is
 * sampled thousands of times with the same stack), and turning a chain into a
 * call-path node costs a location lookup and a prefix-tree step per frame
 * (each a cache miss in tables of hundreds of thousands of entries). So
 * before any per-frame work, the reader hashes the chain's u64 words as they
 * are in the record and looks the whole chain up here.
 *
 * A chain not seen before usually shares most of its outer frames with one
 * that was (a deep recursion that went one level further). The hash runs
 * root first, so on the way it passes through the hash of every outer part
 * ("prefix") of the chain; every 4th of those states is kept, and prefixes
 * of those depths are stored too when a chain is walked. A new chain then
 * probes its prefixes from the deepest down, and only the frames below the
 * deepest known one are walked one by one.
 *
 * A prefix is known by a 64-bit fingerprint of its words (two 32-bit hash
 * lanes) mixed with its depth (in words, context markers included) and the
 * context the words are read in: the pid, that process's address-space
 * version (the same addresses mean other code after an mmap), and the
 * cpumode in effect at the prefix's inner end (words are read in the mode of
 * the nearest context marker on their leaf side, which may lie outside the
 * prefix), with whether that inner word is an exact pc (right after a
 * marker) or a return address read at its call site: the callers pass both
 * as `cpumode`, the mode in bits 0-2 and exactness in bit 3. The words themselves are not kept: comparing them with a stored
 * copy cost more than the rest of the lookup, and kept tens of MB. A false
 * match needs two different prefixes with the same 64 bits: for 10^6 stored
 * prefixes, odds of about 10^-7 per file. (A crafted file could force one,
 * but such a file can hold any stacks it likes anyway.)
 */

import { int32Accumulator } from '../../../src-shared/profile/accumulators';

/** find() and knownPrefix() when nothing is stored. (-1 is a node: the root, for a prefix of markers only.) */
export const NOT_FOUND = -2;
/** Prefixes of depths that are multiples of this are stored and probed. */
export const PREFIX_STEP = 4;

/**
 * The table is open addressing with linear probing, one row of ROW ints per
 * slot holding the whole entry, so a lookup touches one cache line.
 */
const ROW = 4;
const HASH_A = 0;
const HASH_B = 1;
const NODE = 2;
/** 1 in a used row. */
const USED = 3;

export class ChainCache {
  // Small at first, so a rehash happens before optimization (as columns.ts explains).
  private rows = new Int32Array(ROW << 4);
  private mask = (1 << 4) - 1;
  private count = 0;
  /** The last find()'s context and its hash states after every PREFIX_STEP words (index depth / PREFIX_STEP). */
  private statesA = new Int32Array(64);
  private statesB = new Int32Array(64);
  /** ... and its whole chain's state. */
  private fullA = 0;
  private fullB = 0;
  private lastPid = 0;
  private lastVersion = 0;

  /**
   * The node stored for the whole chain of `nr` u64 words at view[offset...]
   * (leaf first in memory), whose leaf end is read in `cpumode`; NOT_FOUND if
   * none. Words are read as little-endian u32 pairs whatever the file's byte
   * order: only equality matters here. Keeps the prefix states for
   * knownPrefix() and add().
   */
  find(view: DataView, offset: number, nr: number, pid: number, version: number, cpumode: number): number {
    if ((nr >> 2) >= this.statesA.length) this.growStates(nr);
    const { statesA, statesB } = this;
    // Two lanes that run in parallel: `a` over the low halves (where addresses differ), `b` over
    // both halves with other constants.
    let a = 0x2545f491;
    let b = 0x68e31da4;
    let depth = 0;
    for (let o = offset + (nr - 1) * 8; o >= offset; o -= 8) {
      const lo = view.getInt32(o, true);
      a = Math.imul(a ^ lo, 0x5bd1e995);
      b = Math.imul(b ^ (lo + Math.imul(view.getInt32(o + 4, true), 0x27d4eb2f)), 0x1b873593);
      a ^= a >>> 15;
      b ^= b >>> 13;
      if ((++depth & 3) === 0) {
        statesA[depth >> 2] = a;
        statesB[depth >> 2] = b;
      }
    }
    this.lastPid = pid;
    this.lastVersion = version;
    this.fullA = a;
    this.fullB = b;
    return this.lookup(this.finishA(a, nr, cpumode), this.finishB(b, nr, cpumode));
  }

  /**
   * find() for a path already turned into location ids (an unwound
   * --call-graph dwarf stack): locations[0, count), leaf first. The ids are
   * the same whatever the process, so there is no context to mix in.
   */
  findLocations(locations: Int32Array, count: number): number {
    if ((count >> 2) >= this.statesA.length) this.growStates(count);
    const { statesA, statesB } = this;
    let a = 0x2545f491;
    let b = 0x68e31da4;
    for (let depth = 1; depth <= count; depth++) {
      const location = locations[count - depth];
      a = Math.imul(a ^ location, 0x5bd1e995);
      b = Math.imul(b ^ (location + 0x632be5ab), 0x1b873593);
      a ^= a >>> 15;
      b ^= b >>> 13;
      if ((depth & 3) === 0) {
        statesA[depth >> 2] = a;
        statesB[depth >> 2] = b;
      }
    }
    this.lastPid = 0;
    this.lastVersion = 0;
    this.fullA = a;
    this.fullB = b;
    return this.lookup(this.finishA(a, count, 0), this.finishB(b, count, 0));
  }

  /**
   * After a find() miss: the node stored for the chain's outer `depth` words
   * (a multiple of PREFIX_STEP, at most nr), whose inner end is read in
   * `cpumode`; NOT_FOUND if none.
   */
  knownPrefix(depth: number, cpumode: number): number {
    const i = depth >> 2;
    return this.lookup(this.finishA(this.statesA[i], depth, cpumode), this.finishB(this.statesB[i], depth, cpumode));
  }

  /** Stores `node` for the last find()'s outer `depth` words: a multiple of PREFIX_STEP, or the whole chain (depth nr). */
  add(depth: number, nr: number, cpumode: number, node: number): void {
    const sa = depth === nr ? this.fullA : this.statesA[depth >> 2];
    const sb = depth === nr ? this.fullB : this.statesB[depth >> 2];
    const a = this.finishA(sa, depth, cpumode);
    const b = this.finishB(sb, depth, cpumode);
    if (this.lookup(a, b) !== NOT_FOUND) return;
    if (2 * (this.count + 1) > this.mask) this.rehash(2 * (this.mask + 1));
    const { rows, mask } = this;
    let i = (a ^ (b >>> 7)) & mask;
    while (rows[i * ROW + USED] !== 0) i = (i + 1) & mask;
    const at = i * ROW;
    rows[at + HASH_A] = a;
    rows[at + HASH_B] = b;
    rows[at + NODE] = node;
    rows[at + USED] = 1;
    this.count++;
  }

  private finishA(state: number, depth: number, cpumode: number): number {
    let a = Math.imul(state ^ Math.imul(depth + 1, 0x9e3779b1) ^ this.lastPid, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a ^ this.lastVersion ^ (cpumode << 24), 0xc2b2ae35);
    return a ^ (a >>> 16);
  }

  private finishB(state: number, depth: number, cpumode: number): number {
    let b = Math.imul(state ^ Math.imul(cpumode + 2, 0x27d4eb2f) ^ depth, 0x1b873593);
    b ^= b >>> 15;
    b = Math.imul(b ^ this.lastPid ^ Math.imul(this.lastVersion, 0x9e3779b1), 0x85ebca6b);
    return b ^ (b >>> 16);
  }

  private lookup(a: number, b: number): number {
    const { rows, mask } = this;
    for (let i = (a ^ (b >>> 7)) & mask; ; i = (i + 1) & mask) {
      const at = i * ROW;
      if (rows[at + USED] === 0) return NOT_FOUND;
      if (rows[at + HASH_A] === a && rows[at + HASH_B] === b) return rows[at + NODE];
    }
  }

  private growStates(nr: number): void {
    const size = (nr >> 2) + 16;
    this.statesA = new Int32Array(size);
    this.statesB = new Int32Array(size);
  }

  private rehash(size: number): void {
    const old = this.rows;
    const rows = int32Accumulator(ROW * size);
    const mask = size - 1;
    for (let from = 0; from < old.length; from += ROW) {
      if (old[from + USED] === 0) continue;
      let i = (old[from + HASH_A] ^ (old[from + HASH_B] >>> 7)) & mask;
      while (rows[i * ROW + USED] !== 0) i = (i + 1) & mask;
      // Element by element: a subarray per entry made this loop allocation-bound.
      const at = i * ROW;
      rows[at + HASH_A] = old[from + HASH_A];
      rows[at + HASH_B] = old[from + HASH_B];
      rows[at + NODE] = old[from + NODE];
      rows[at + USED] = 1;
    }
    this.rows = rows;
    this.mask = mask;
  }
}
