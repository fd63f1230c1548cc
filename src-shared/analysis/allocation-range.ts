/**
 * A memory profile's allocation sites restricted to a time range, for the
 * formats whose allocation table has a `timeline` (model.ts):
 *
 * - heaptrack ('allocated'): a site's bytes, blocks and temporary
 *   allocations are those made in the range (summed over the buckets that
 *   start in it). Bytes at the peak, leaked bytes, lifetimes and accesses are
 *   whole-run facts no range can split, so they read unknown (NaN) there.
 * - massif ('snapshots'): the range's largest detailed snapshot stands for
 *   the peak: each site's peakBytes is what it held then (0 when no detailed
 *   snapshot falls in the range).
 *
 * DHAT records no times: its whole-run table stays, and the views say so
 * rather than pretend to filter.
 */

import type { AllocationTable, AllocationTimeline, Nanoseconds } from '../profile/model';
import { lowerBound } from './threads';
import { float64Accumulator } from '../profile/accumulators';

export interface AllocationTimeRange {
  start: Nanoseconds;
  end: Nanoseconds;
}

/** Whether a range can filter this table. */
export function allocationsHaveTimes(table: AllocationTable | null): boolean {
  return table !== null && table.timeline !== null && table.timeline.length > 0;
}

const cache = new WeakMap<AllocationTable, { start: number; end: number; table: AllocationTable }>();

/**
 * The sites' figures for allocations made in `range` (start inclusive, end
 * exclusive, by bucket start); the table itself when the range is null or
 * the table has no times. The last result per table is kept: the views ask
 * for the same range several times per change.
 */
export function allocationsInRange(table: AllocationTable, range: AllocationTimeRange | null): AllocationTable {
  const timeline = table.timeline;
  if (range === null || timeline === null) return table;
  const cached = cache.get(table);
  if (cached !== undefined && cached.start === range.start && cached.end === range.end) return cached.table;

  const inRange = timeline.kind === 'snapshots' ? largestSnapshotIn(table, timeline, range) : allocatedIn(table, timeline, range);
  cache.set(table, { start: range.start, end: range.end, table: inRange });
  return inRange;
}

/** The time of the range's largest snapshot (by the bytes its rows hold), or NaN when none is in it. */
export function largestSnapshotTime(timeline: AllocationTimeline, range: AllocationTimeRange): number {
  let bestTime = NaN;
  let bestBytes = -1;
  let r = lowerBound(timeline.time, range.start);
  while (r < timeline.length && timeline.time[r] < range.end) {
    const time = timeline.time[r];
    let bytes = 0;
    for (; r < timeline.length && timeline.time[r] === time; r++) bytes += timeline.bytes[r];
    if (bytes > bestBytes) {
      bestBytes = bytes;
      bestTime = time;
    }
  }
  return bestTime;
}

function largestSnapshotIn(table: AllocationTable, timeline: AllocationTimeline, range: AllocationTimeRange): AllocationTable {
  const peak = float64Accumulator(table.length);
  const time = largestSnapshotTime(timeline, range);
  if (!Number.isNaN(time)) {
    for (let r = lowerBound(timeline.time, time); r < timeline.length && timeline.time[r] === time; r++) peak[timeline.site[r]] += timeline.bytes[r];
  }
  return { ...table, peakBytes: peak, timeline: null };
}

function allocatedIn(table: AllocationTable, timeline: AllocationTimeline, range: AllocationTimeRange): AllocationTable {
  const n = table.length;
  const bytes = float64Accumulator(n);
  const blocks = float64Accumulator(n);
  const temporary = float64Accumulator(n);
  // Rows are in time order: the range is one slice of them.
  const from = lowerBound(timeline.time, range.start);
  for (let r = from; r < timeline.length && timeline.time[r] < range.end; r++) {
    const site = timeline.site[r];
    bytes[site] += timeline.bytes[r];
    blocks[site] += timeline.blocks[r];
    temporary[site] += timeline.temporary[r];
  }
  const unknown = () => new Float64Array(n).fill(NaN);
  return {
    length: n,
    stack: table.stack,
    totalBytes: bytes,
    totalBlocks: blocks,
    peakBytes: unknown(),
    endBytes: unknown(),
    reads: unknown(),
    writes: unknown(),
    lifetime: unknown(),
    temporary,
    timeline: null,
  };
}

