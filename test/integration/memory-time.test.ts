/**
 * heaptrack's temporary allocations and allocation times in the profile,
 * on a heaptrack recording of the alloc_sites fixture made now, checked
 * against heaptrack_print on the same file:
 *
 * - the allocation table's temporary column sums to heaptrack_print's
 *   "temporary memory allocations", and per allocating function to the
 *   temporary cost of its flame graph output (--flamegraph-cost-type temporary);
 * - the allocation timeline (when each site allocated, bucketed) sums to
 *   heaptrack_print's calls to allocation functions, its temporary count and
 *   its bytes allocated (size histogram), and each site's rows sum to the
 *   site's whole-run columns;
 * - a time range filters the sites: the whole recording gives the whole-run
 *   figures; two ranges split at any bucket add up to them; an empty range
 *   gives nothing; the call views' per-stack weights follow the same range;
 * - massif: the 'snapshots' timeline holds every detailed snapshot ms_print
 *   lists ("Detailed snapshots: [...]"), at its time, its sites summing to
 *   ms_print's useful-heap(B) for that snapshot; a range shows the largest
 *   detailed snapshot in it (the peak's range gives ms_print's peak);
 * - DHAT records no times: a range leaves its sites whole.
 */

import assert from 'node:assert/strict';
import { runTool } from '../helpers/compile';
import { before, test } from 'node:test';
import { allocationsHaveTimes, allocationsInRange } from '../../src-shared/analysis/allocation-range';
import { allocationStackWeights, groupAllocationSites } from '../../src-shared/analysis/allocation-sites';
import type { AllocationTable, Profile } from '../../src-shared/profile/model';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import {
  compileAllocSites,
  heaptrackPrintReport,
  leafFunction,
  ourHeaptrackName,
  recordDhat,
  recordHeaptrack,
  recordMassif,
  type HeaptrackPrintReport,
} from '../helpers/memory-tools';

let binary: string;
let heaptrackFile: string;
let profile: Profile;
let table: AllocationTable;
let reference: HeaptrackPrintReport;

before(async () => {
  binary = await compileAllocSites();
  heaptrackFile = recordHeaptrack(binary, []);
  profile = await loadProfile(await fileSource(heaptrackFile));
  assert.ok(profile.allocations);
  table = profile.allocations;
  reference = heaptrackPrintReport(heaptrackFile);
});

const sum = (column: ArrayLike<number>) => Array.from(column).reduce((a, b) => a + b, 0);

test("temporary allocations: heaptrack_print's total and per function", () => {
  assert.ok(reference.temporary > 0, 'the short-lived site makes temporary allocations');
  assert.equal(sum(table.temporary), reference.temporary);
  const byFunction = new Map<string, number>();
  for (let site = 0; site < table.length; site++) {
    const name = leafFunction(profile, table.stack[site]);
    byFunction.set(name, (byFunction.get(name) ?? 0) + table.temporary[site]);
  }
  for (const [name, costs] of reference.byFunction) {
    if (costs.temporary > 0) assert.equal(byFunction.get(ourHeaptrackName(name, byFunction.keys())), costs.temporary, `temporary allocations of ${name}`);
  }
  const groups = groupAllocationSites(profile, 'function');
  const shortLived = groups.find((g) => g.label === 'short_lived_site');
  assert.equal(shortLived?.temporary, reference.byFunction.get('short_lived_site')?.temporary);
  // The metric weighs the call views too.
  assert.equal(sum(allocationStackWeights(profile, 'temporary')!), reference.temporary);
});

test("the allocation timeline adds up to heaptrack_print's totals and to every site's figures", () => {
  const timeline = table.timeline;
  assert.ok(timeline && timeline.length > 0);
  assert.ok(allocationsHaveTimes(table));
  assert.equal(sum(timeline.blocks), reference.allocations);
  assert.equal(sum(timeline.temporary), reference.temporary);
  assert.equal(sum(timeline.bytes), reference.allocatedBytes);
  for (let r = 1; r < timeline.length; r++) assert.ok(timeline.time[r] >= timeline.time[r - 1], 'rows in time order');
  const bytes = new Float64Array(table.length);
  const blocks = new Float64Array(table.length);
  for (let r = 0; r < timeline.length; r++) {
    bytes[timeline.site[r]] += timeline.bytes[r];
    blocks[timeline.site[r]] += timeline.blocks[r];
  }
  assert.deepEqual(Array.from(bytes), Array.from(table.totalBytes));
  assert.deepEqual(Array.from(blocks), Array.from(table.totalBlocks));
});

test('a time range filters the sites and the call views', () => {
  const timeline = table.timeline!;
  const first = timeline.time[0];
  const end = timeline.time[timeline.length - 1] + timeline.bucket;
  const whole = allocationsInRange(table, { start: first, end });
  assert.deepEqual(Array.from(whole.totalBytes), Array.from(table.totalBytes));
  assert.deepEqual(Array.from(whole.temporary), Array.from(table.temporary));
  assert.ok(whole.peakBytes.every(Number.isNaN), 'peak bytes are whole-run: unknown in a range');

  const empty = allocationsInRange(table, { start: end + 1e9, end: end + 2e9 });
  assert.equal(sum(empty.totalBytes), 0);

  // Split at every distinct bucket: the two halves add up to the whole.
  const starts = [...new Set(Array.from(timeline.time))];
  for (const split of starts) {
    const before = allocationsInRange(table, { start: first, end: split });
    const beforeBlocks = sum(before.totalBlocks);
    const beforeBytes = sum(before.totalBytes);
    const after = allocationsInRange(table, { start: split, end });
    assert.equal(beforeBlocks + sum(after.totalBlocks), reference.allocations, `blocks split at ${split}`);
    assert.equal(beforeBytes + sum(after.totalBytes), reference.allocatedBytes, `bytes split at ${split}`);
  }
  // The call views' weights follow the range.
  const late = { start: starts[starts.length - 1], end };
  assert.equal(sum(allocationStackWeights(profile, 'totalBytes', late)!), sum(allocationsInRange(table, late).totalBytes));
  const grouped = groupAllocationSites(profile, 'function', {}, late);
  assert.equal(sum(grouped.map((g) => g.totalBlocks)), sum(allocationsInRange(table, late).totalBlocks));
});

test('DHAT records no allocation times: a range leaves its sites whole', async () => {
  const dhat = await loadProfile(await fileSource(recordDhat(binary, [], 'heap').file));
  assert.ok(dhat.allocations);
  assert.equal(allocationsHaveTimes(dhat.allocations), false);
  assert.equal(allocationsInRange(dhat.allocations, { start: 0, end: 1 }), dhat.allocations);
});

/** ms_print's detailed snapshots: time and useful-heap(B) from its table, in snapshot order. */
function msPrintDetailed(massifFile: string): { snapshot: number; time: number; useful: number; peak: boolean }[] {
  const text = runTool('ms_print', [massifFile]);
  const list = /Detailed snapshots: \[([^\]]*)\]/.exec(text);
  assert.ok(list, 'ms_print lists detailed snapshots');
  const number = (s: string) => Number(s.replace(/,/g, ''));
  return list[1].split(',').map((entry) => {
    const snapshot = Number(/\d+/.exec(entry)![0]);
    const row = new RegExp(`^\\s*${snapshot}\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+`, 'm').exec(text);
    assert.ok(row, `ms_print's row of snapshot ${snapshot}`);
    return { snapshot, time: number(row[1]), useful: number(row[3]), peak: entry.includes('peak') };
  });
}

test("massif: every detailed snapshot's sites over time, as ms_print lists them; a range shows its largest snapshot", async () => {
  // Several thousand short-lived blocks first, so massif takes detailed snapshots before the peak too.
  const file = recordMassif(binary, ['200000']);
  const massif = await loadProfile(await fileSource(file));
  const table = massif.allocations!;
  const timeline = table.timeline!;
  assert.equal(timeline.kind, 'snapshots');
  const detailed = msPrintDetailed(file);
  assert.ok(detailed.length >= 2, `${detailed.length} detailed snapshots`);
  // Time unit i: the timeline's times are massif's own, as ms_print prints them.
  const bytesAt = new Map<number, number>();
  for (let r = 0; r < timeline.length; r++) bytesAt.set(timeline.time[r], (bytesAt.get(timeline.time[r]) ?? 0) + timeline.bytes[r]);
  for (const s of detailed) {
    if (s.useful === 0) continue; // an empty tree lists no site
    assert.equal(bytesAt.get(s.time), s.useful, `snapshot ${s.snapshot}: sites sum to ms_print's useful heap`);
  }
  const peak = detailed.find((s) => s.peak)!;
  const atPeak = allocationsInRange(table, { start: peak.time, end: peak.time + 1 });
  assert.equal(sum(atPeak.peakBytes), peak.useful);
  const before = detailed.filter((s) => s.time < peak.time && s.useful > 0);
  if (before.length > 0) {
    const largest = Math.max(...before.map((s) => s.useful));
    assert.equal(sum(allocationsInRange(table, { start: 0, end: peak.time }).peakBytes), largest);
  }
  // A range with no detailed snapshot: nothing at its peak.
  const last = detailed[detailed.length - 1].time;
  assert.equal(sum(allocationsInRange(table, { start: last + 1, end: last + 2 }).peakBytes), 0);
});
