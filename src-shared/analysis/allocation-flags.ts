/**
 * Flags that point at wasteful allocation sites, as DHAT's viewer defines
 * its "sort metrics" (valgrind dhat/dh_view.js, gSelectData): a site is
 * flagged when it is significant (at least 0.5% of all blocks or bytes) and
 * behaves badly. Per site (a row of the allocation table):
 *
 *   shortLived  avg lifetime (lifetime column) <= the file's "tuth"
 *               threshold, and >= 0.5% of all blocks.  ("Total (blocks),
 *               short-lived"; DHAT's tuth is 500 instructions, dhat-rs's 10 µs.)
 *               heaptrack has no lifetimes; there a site is short-lived when
 *               at least half its allocations are "temporary" (freed before
 *               any other allocation), with the same 0.5% significance.
 *   tiny        avg size <= 16 bytes, >= 0.5% of all blocks.
 *   zeroReadsOrWrites  never read or never written (reads or writes 0),
 *               >= 0.5% of all bytes or of all blocks.
 *   lowAccess   read and written, but <= 0.4 reads or writes per byte
 *               allocated, >= 0.5% of all bytes or blocks.
 *   highAccess  >= 1000 reads or writes per byte, >= 0.5% of all reads
 *               (or of all writes).
 *
 * DHAT's viewer has no "copied heavily" metric; in copy mode every site is
 * a copy and the ordinary byte totals rank them. Unknown values (NaN, as
 * massif and heaptrack leave reads, writes and lifetime) never raise a flag.
 */

import type { AllocationTable } from '../profile/model';

export const AllocationFlag = {
  shortLived: 1,
  tiny: 2,
  zeroReadsOrWrites: 4,
  lowAccess: 8,
  highAccess: 16,
} as const;
export type AllocationFlagName = keyof typeof AllocationFlag;

export interface AllocationFlagOptions {
  /** DHAT's "tuth", in the lifetime column's unit. Absent or NaN: lifetimes flag nothing. */
  shortLivedLifetime?: number;
  /** heaptrack's temporary allocations, one per allocation row; default: the table's temporary column. */
  temporaryBlocks?: ArrayLike<number>;
}

/** dh_view.js significance thresholds: fractions of the profile's totals. */
const SIGNIFICANT = 0.005;
const TINY_BYTES = 16;
const LOW_ACCESS_PER_BYTE = 0.4;
const HIGH_ACCESS_PER_BYTE = 1000;
const MOSTLY_TEMPORARY = 0.5;

function sumKnown(column: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < column.length; i++) if (!Number.isNaN(column[i])) sum += column[i];
  return sum;
}

/** One bit set of AllocationFlag per allocation row. */
export function computeAllocationFlags(table: AllocationTable, options: AllocationFlagOptions = {}): Uint8Array {
  const flags = new Uint8Array(table.length);
  const allBlocks = sumKnown(table.totalBlocks);
  const allBytes = sumKnown(table.totalBytes);
  const allReads = sumKnown(table.reads);
  const allWrites = sumKnown(table.writes);
  const tuth = options.shortLivedLifetime ?? NaN;
  const temporary = options.temporaryBlocks ?? table.temporary;
  for (let i = 0; i < table.length; i++) {
    const blocks = table.totalBlocks[i];
    const bytes = table.totalBytes[i];
    const reads = table.reads[i];
    const writes = table.writes[i];
    const manyBlocks = blocks >= SIGNIFICANT * allBlocks && blocks > 0;
    const manyBytes = bytes >= SIGNIFICANT * allBytes && bytes > 0;
    let f = 0;
    if (manyBlocks && table.lifetime[i] <= tuth) f |= AllocationFlag.shortLived;
    if (manyBlocks && temporary !== undefined && temporary[i] >= MOSTLY_TEMPORARY * blocks) f |= AllocationFlag.shortLived;
    if (manyBlocks && bytes / blocks <= TINY_BYTES) f |= AllocationFlag.tiny;
    if ((manyBytes || manyBlocks) && (reads === 0 || writes === 0)) f |= AllocationFlag.zeroReadsOrWrites;
    if ((manyBytes || manyBlocks) && reads > 0 && writes > 0 && (reads / bytes <= LOW_ACCESS_PER_BYTE || writes / bytes <= LOW_ACCESS_PER_BYTE)) {
      f |= AllocationFlag.lowAccess;
    }
    const busy = reads / bytes >= HIGH_ACCESS_PER_BYTE || writes / bytes >= HIGH_ACCESS_PER_BYTE;
    if (busy && ((reads > 0 && reads >= SIGNIFICANT * allReads) || (writes > 0 && writes >= SIGNIFICANT * allWrites))) {
      f |= AllocationFlag.highAccess;
    }
    flags[i] = f;
  }
  return flags;
}

/** The names of the flags set in `bits`, in AllocationFlag's order. */
export function allocationFlagNames(bits: number): AllocationFlagName[] {
  return (Object.keys(AllocationFlag) as AllocationFlagName[]).filter((name) => (bits & AllocationFlag[name]) !== 0);
}
