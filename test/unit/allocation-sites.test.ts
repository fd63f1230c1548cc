/**
 * src-shared/analysis/allocation-sites.ts on a hand-built memory profile:
 * grouping by stack, function and file:line, the per-group sums and means,
 * flags on groups, sorting (unknowns last), the per-stack weights of a site
 * column, and the analyzer weighing its trees by one.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllocationFlag } from '../../src-shared/analysis/allocation-flags';
import {
  allocationStackWeights,
  groupAllocationSites,
  sortSiteGroups,
  type SiteGroup,
} from '../../src-shared/analysis/allocation-sites';
import { Analyzer } from '../../src-shared/analysis/analyzer';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';

interface Site {
  /** Root first: "main;parse;alloc@12" (leaf line after @). */
  path: string;
  bytes: number;
  blocks: number;
  peak: number;
  end: number;
  reads: number;
  writes: number;
  lifetime: number;
}

/** A DHAT-like profile: one weighted sample (total bytes) and one allocation row per site. */
function memoryProfile(sites: Site[]): Profile {
  const builder = new ProfileBuilder({ format: 'dhat', kind: 'memory', unit: 'bytes', sourceName: 'm', weighted: true });
  const thread = builder.thread(1, 1, 'main');
  const stacks = sites.map((site) =>
    builder.stackFromRoot(
      site.path.split(';').map((part) => {
        const [name, line] = part.split('@');
        return builder.frame(builder.func(name, { file: `${name}.c` }), { line: line === undefined ? -1 : Number(line) });
      }),
    ),
  );
  sites.forEach((site, i) => builder.sample(stacks[i], thread, NaN, site.bytes));
  const column = (pick: (site: Site) => number) => Float64Array.from(sites, pick);
  builder.setAllocations({
    length: sites.length,
    stack: Int32Array.from(stacks),
    totalBytes: column((s) => s.bytes),
    totalBlocks: column((s) => s.blocks),
    peakBytes: column((s) => s.peak),
    endBytes: column((s) => s.end),
    reads: column((s) => s.reads),
    writes: column((s) => s.writes),
    lifetime: column((s) => s.lifetime),
    temporary: column(() => NaN),
    timeline: null,
  });
  return builder.finish();
}

const known = { reads: 2000, writes: 2000, lifetime: 1e6 };
const sites: Site[] = [
  // Two sites in alloc, at different lines and from different callers.
  { path: 'main;parse;alloc@12', bytes: 1000, blocks: 10, peak: 100, end: 0, ...known, lifetime: 100 },
  { path: 'main;lex;alloc@12', bytes: 3000, blocks: 30, peak: 0, end: 0, ...known, lifetime: 500 },
  { path: 'main;lex;alloc@20', bytes: 2000, blocks: 20, peak: 0, end: 2000, reads: 0, writes: 2000, lifetime: 1e6 },
  { path: 'main;grow', bytes: 100_000, blocks: 1, peak: 100_000, end: 0, reads: NaN, writes: NaN, lifetime: NaN },
];

const byLabel = (groups: SiteGroup[]) => new Map(groups.map((g) => [g.label, g]));

test('by stack: one group per site, labelled leaf first', () => {
  const labels = groupAllocationSites(memoryProfile(sites), 'stack').map((g) => g.label);
  // lex's two sites differ only in the leaf frame's line: different stacks, so different groups.
  assert.deepEqual(labels.sort(), ['alloc ← lex ← main', 'alloc ← lex ← main', 'alloc ← parse ← main', 'grow ← main']);
});

test('by function: sums bytes, blocks, peak and leak; lifetime is the mean over blocks', () => {
  const groups = byLabel(groupAllocationSites(memoryProfile(sites), 'function'));
  assert.deepEqual([...groups.keys()].sort(), ['alloc', 'grow']);
  const alloc = groups.get('alloc')!;
  assert.equal(alloc.siteCount, 3);
  assert.equal(alloc.totalBytes, 6000);
  assert.equal(alloc.totalBlocks, 60);
  assert.equal(alloc.peakBytes, 100);
  assert.equal(alloc.endBytes, 2000);
  assert.equal(alloc.lifetime, (100 * 10 + 500 * 30 + 1e6 * 20) / 60);
  assert.equal(alloc.readsPerByte, 4000 / 6000);
  assert.equal(alloc.writesPerByte, 6000 / 6000);
  const grow = groups.get('grow')!;
  assert.ok(Number.isNaN(grow.lifetime) && Number.isNaN(grow.readsPerByte), 'unknown stays unknown');
});

test('by file:line: the leaf frame\'s file and line', () => {
  const groups = byLabel(groupAllocationSites(memoryProfile(sites), 'line'));
  assert.deepEqual([...groups.keys()].sort(), ['alloc.c:12', 'alloc.c:20', 'grow.c:?']);
  assert.equal(groups.get('alloc.c:12')!.totalBytes, 4000);
  assert.equal(groups.get('alloc.c:12')!.siteCount, 2);
});

test('flags are computed on groups', () => {
  const groups = byLabel(groupAllocationSites(memoryProfile(sites), 'line', { shortLivedLifetime: 500 }));
  // Line 12: 40 blocks of 100 B living (100*10 + 500*30)/40 = 400 <= 500.
  assert.equal(groups.get('alloc.c:12')!.flags & AllocationFlag.shortLived, AllocationFlag.shortLived);
  // Line 20: never read.
  assert.equal(groups.get('alloc.c:20')!.flags & AllocationFlag.zeroReadsOrWrites, AllocationFlag.zeroReadsOrWrites);
  // NaN reads and lifetime raise nothing.
  assert.equal(groups.get('grow.c:?')!.flags, 0);
  // Without the threshold, nothing is short-lived.
  const plain = byLabel(groupAllocationSites(memoryProfile(sites), 'line'));
  assert.equal(plain.get('alloc.c:12')!.flags & AllocationFlag.shortLived, 0);
});

test('sorting by any column, unknowns last both ways', () => {
  const groups = groupAllocationSites(memoryProfile(sites), 'line');
  const labels = (column: Parameters<typeof sortSiteGroups>[1], descending: boolean) =>
    sortSiteGroups(groups, column, descending).map((g) => g.label);
  assert.deepEqual(labels('endBytes', true), ['alloc.c:20', 'grow.c:?', 'alloc.c:12']);
  assert.deepEqual(labels('peakBytes', true)[0], 'grow.c:?');
  assert.deepEqual(labels('totalBlocks', false), ['grow.c:?', 'alloc.c:20', 'alloc.c:12']);
  assert.deepEqual(labels('lifetime', true), ['alloc.c:20', 'alloc.c:12', 'grow.c:?']);
  assert.deepEqual(labels('lifetime', false), ['alloc.c:12', 'alloc.c:20', 'grow.c:?']);
  assert.deepEqual(labels('label', false), ['alloc.c:12', 'alloc.c:20', 'grow.c:?']);
  assert.equal(groups.length, 3, 'sorting copies');
});

test('stack weights of a site column; the analyzer weighs its tree by them', () => {
  const profile = memoryProfile(sites);
  const leaked = allocationStackWeights(profile, 'endBytes')!;
  assert.equal(leaked.reduce((a, b) => a + b, 0), 2000);
  const analyzer = new Analyzer(profile);
  const base = { range: null, threads: null, transforms: [], search: '', inverted: false, sandwichFunc: -1, stackChartThread: -1 };
  assert.equal(analyzer.analyze(base).tree.grandTotal, 106_000, 'default: the samples, total bytes');
  assert.equal(analyzer.analyze({ ...base, metric: 'endBytes' }).tree.grandTotal, 2000);
  const blocks = analyzer.analyze({ ...base, metric: 'totalBlocks' });
  assert.equal(blocks.tree.grandTotal, 61);
  const names = profile.strings;
  const lex = profile.funcs.name.findIndex((n) => names[n] === 'lex');
  assert.equal(blocks.funcCosts.total[lex], 50);
  assert.equal(allocationStackWeights(memoryProfile([]), 'totalBytes')?.length, 0);
});
