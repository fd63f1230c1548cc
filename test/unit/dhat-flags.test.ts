/**
 * src-shared/analysis/allocation-flags.ts against the definitions in DHAT's
 * viewer (valgrind dhat/dh_view.js, gSelectData): each flag on synthetic
 * allocation tables, at and just past its threshold, and the significance
 * rule (0.5% of all blocks, bytes, reads or writes). The recorded-data
 * checks (the fixture's short-lived site) are in dhat.test.ts,
 * dhat-rs.test.ts and heaptrack.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocationFlagNames, computeAllocationFlags, type AllocationFlagOptions } from '../../src-shared/analysis/allocation-flags';
import type { AllocationTable } from '../../src-shared/profile/model';

interface Row {
  bytes: number;
  blocks: number;
  reads?: number;
  writes?: number;
  lifetime?: number;
}

/** A table of the given sites plus a big neutral one that sets the totals. */
function table(rows: Row[]): AllocationTable {
  const all: Row[] = [...rows, { bytes: 1e6, blocks: 1000, reads: 2e6, writes: 2e6, lifetime: 1e9 }];
  const column = (pick: (row: Row) => number | undefined) => Float64Array.from(all, (row) => pick(row) ?? NaN);
  return {
    length: all.length,
    stack: Int32Array.from(all, (_, i) => i),
    totalBytes: column((r) => r.bytes),
    totalBlocks: column((r) => r.blocks),
    peakBytes: column(() => 0),
    endBytes: column(() => 0),
    reads: column((r) => r.reads),
    writes: column((r) => r.writes),
    lifetime: column((r) => r.lifetime),
    temporary: column(() => NaN),
    timeline: null,
  };
}

function flagsOf(rows: Row[], options: AllocationFlagOptions = {}): string[][] {
  const flags = computeAllocationFlags(table(rows), options);
  return rows.map((_, i) => allocationFlagNames(flags[i]));
}

test('short-lived: avg lifetime <= tuth, on >= 0.5% of all blocks', () => {
  const rows = [
    { bytes: 3200, blocks: 100, reads: 3200, writes: 3200, lifetime: 500 },
    { bytes: 3200, blocks: 100, reads: 3200, writes: 3200, lifetime: 501 },
    { bytes: 160, blocks: 5, reads: 160, writes: 160, lifetime: 1 }, // 5 of 1210 blocks: < 0.5%
  ];
  assert.deepEqual(flagsOf(rows, { shortLivedLifetime: 500 }), [['shortLived'], [], []]);
  assert.deepEqual(flagsOf(rows), [[], [], []], 'no threshold, no short-lived flag');
});

test('short-lived from heaptrack: at least half the allocations temporary', () => {
  const rows = [
    { bytes: 3200, blocks: 100 },
    { bytes: 3200, blocks: 100 },
  ];
  assert.deepEqual(flagsOf(rows, { temporaryBlocks: [50, 49, 0] }), [['shortLived'], []]);
});

test('tiny: avg size <= 16 bytes', () => {
  const rows = [
    { bytes: 1600, blocks: 100, reads: 1600, writes: 1600 },
    { bytes: 1700, blocks: 100, reads: 1700, writes: 1700 },
  ];
  assert.deepEqual(flagsOf(rows), [['tiny'], []]);
});

test('never read or never written; low access; high access', () => {
  const rows = [
    { bytes: 100_000, blocks: 2, reads: 0, writes: 100_000 },
    { bytes: 100_000, blocks: 2, reads: 100_000, writes: 0 },
    { bytes: 100_000, blocks: 2, reads: 40_000, writes: 100_000 },
    { bytes: 100_000, blocks: 2, reads: 40_001, writes: 40_001 },
    { bytes: 100, blocks: 1, reads: 100_000, writes: 100 },
    { bytes: 100, blocks: 1, reads: 99_999, writes: 100 },
  ];
  assert.deepEqual(flagsOf(rows), [['zeroReadsOrWrites'], ['zeroReadsOrWrites'], ['lowAccess'], [], ['highAccess'], []]);
});

test('unknown numbers (NaN) raise no flag', () => {
  const rows = [{ bytes: 100_000, blocks: 100 }];
  assert.deepEqual(flagsOf(rows, { shortLivedLifetime: 500 }), [[]]);
});
