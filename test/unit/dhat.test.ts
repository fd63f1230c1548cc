/**
 * The DHAT importer on valgrind DHAT recordings of the alloc_sites fixture,
 * made now in heap, copy and ad-hoc modes.
 *
 * Facts compared, all from the recording itself (the JSON read separately
 * with a plain JSON.parse, and DHAT's own "Total:" summary):
 * - report total and allocations = the sums of tb, tbk, gb and eb over the
 *   program points, and equal DHAT's printed totals;
 * - bytes per allocating function = the tb of the program points whose
 *   first frame below malloc is that function;
 * - the leak site is first by bytes at exit, the peak site first by bytes at
 *   the global peak, the short-lived site is flagged (with the file's tuth);
 * - no stack holds malloc or a valgrind preload frame; frames carry file and
 *   line as the ftbl gives them;
 * - copy and ad-hoc modes: totals equal the sums; ad-hoc counts units.
 */

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AllocationFlag, computeAllocationFlags } from '../../src-shared/analysis/allocation-flags';
import type { Profile } from '../../src-shared/profile/model';
import { buildReport, formatReportText } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { detectImporter } from '../../src-main/import/registry';
import { fileSource } from '../../src-main/import/source';
import { readFileSync } from 'node:fs';
import {
  compileAllocSites,
  functionNamesOnStacks,
  recordDhat,
  sitesBy,
  type DhatSummary,
} from '../helpers/memory-tools';

interface RawPp {
  tb: number;
  tbk: number;
  tl?: number;
  gb?: number;
  eb?: number;
  fs: number[];
}
interface RawDhat {
  tuth?: number;
  pps: RawPp[];
  ftbl: string[];
}

interface Recording {
  file: string;
  summary: DhatSummary;
  raw: RawDhat;
  profile: Profile;
}

const recordings = new Map<string, Recording>();

async function record(binary: string, mode: 'heap' | 'copy' | 'ad-hoc'): Promise<void> {
  const { file, summary } = recordDhat(binary, [], mode);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawDhat;
  recordings.set(mode, { file, summary, raw, profile: await loadProfile(await fileSource(file)) });
}

before(async () => {
  const binary = await compileAllocSites();
  for (const mode of ['heap', 'copy', 'ad-hoc'] as const) await record(binary, mode);
});

const sum = (pps: RawPp[], field: 'tb' | 'tbk' | 'gb' | 'eb') => pps.reduce((total, pp) => total + (pp[field] ?? 0), 0);

/** The function a program point's frames name first, skipping the allocator (what a reader of ftbl sees). */
function siteOf(raw: RawDhat, pp: RawPp): string {
  for (const index of pp.fs) {
    const name = /^0x[0-9A-Fa-f]+: (\S+)/.exec(raw.ftbl[index])?.[1] ?? raw.ftbl[index];
    if (!raw.ftbl[index].includes('vgpreload_') && name !== 'malloc') return name;
  }
  return '[unknown]';
}

test('the recording is detected as DHAT', () => {
  const { file } = recordings.get('heap') as Recording;
  assert.equal(detectImporter(readFileSync(file).subarray(0, 65536))?.id, 'dhat');
});

test('heap mode: totals equal the sums over the program points and DHAT\'s own summary', () => {
  const { raw, summary, profile } = recordings.get('heap') as Recording;
  const report = buildReport(profile, 100);
  assert.equal(report.format, 'dhat');
  assert.equal(report.kind, 'memory');
  assert.equal(report.unit, 'bytes');
  assert.equal(report.total, sum(raw.pps, 'tb'));
  assert.deepEqual(report.allocations, {
    totalBytes: sum(raw.pps, 'tb'),
    totalBlocks: sum(raw.pps, 'tbk'),
    peakBytes: sum(raw.pps, 'gb'),
    endBytes: sum(raw.pps, 'eb'),
  });
  assert.deepEqual(
    [report.total, report.allocations?.totalBlocks, report.allocations?.peakBytes, report.allocations?.endBytes],
    [summary.totalBytes, summary.totalBlocks, summary.gmaxBytes, summary.endBytes],
  );
});

test('heap mode: bytes per allocating function equal the program points\' tb', () => {
  const { raw, profile } = recordings.get('heap') as Recording;
  const expected = new Map<string, number>();
  for (const pp of raw.pps) expected.set(siteOf(raw, pp), (expected.get(siteOf(raw, pp)) ?? 0) + pp.tb);
  const report = buildReport(profile, 1000);
  for (const site of ['short_lived_site', 'leak_site', 'peak_site']) {
    const fn = report.functions.find((f) => f.name === site);
    assert.ok(fn, `${site} is in the function table`);
    assert.equal(fn.self, expected.get(site), `${site}: self bytes`);
    assert.equal(fn.file, 'alloc_sites.c');
  }
  const names = functionNamesOnStacks(profile);
  assert.ok(!names.has('malloc'), 'malloc is dropped from every stack');
  assert.ok(report.functions.every((f) => !f.name.includes('vgpreload')));
});

test('heap mode: leak first at exit, peak first at the global peak, short-lived flagged', () => {
  const { raw, profile } = recordings.get('heap') as Recording;
  assert.equal(sitesBy(profile, 'endBytes')[0].name, 'leak_site');
  assert.equal(sitesBy(profile, 'peakBytes')[0].name, 'peak_site');
  assert.equal(typeof raw.tuth, 'number', 'heap files carry tuth');
  const table = profile.allocations;
  assert.ok(table);
  const flags = computeAllocationFlags(table, { shortLivedLifetime: raw.tuth });
  const flagged = (name: string) => {
    const row = sitesBy(profile, 'totalBlocks').find((s) => s.name === name);
    assert.ok(row, name);
    return (flags[row.row] & AllocationFlag.shortLived) !== 0;
  };
  assert.equal(flagged('short_lived_site'), true, 'many blocks, each freed within tuth instructions');
  assert.equal(flagged('leak_site'), false);
  assert.equal(flagged('peak_site'), false);
});

test('heap mode: frames keep ftbl\'s file and line; lifetime is tl / tbk', () => {
  const { raw, profile } = recordings.get('heap') as Recording;
  const table = profile.allocations;
  assert.ok(table);
  const leaks = raw.pps.filter((pp) => siteOf(raw, pp) === 'leak_site');
  assert.equal(leaks.length, 1, 'one program point allocates in leak_site');
  for (const pp of leaks) {
    const site = siteOf(raw, pp);
    const row = sitesBy(profile, 'totalBytes').find((s) => s.name === site);
    assert.ok(row);
    assert.equal(table.lifetime[row.row], (pp.tl as number) / pp.tbk);
    const text = raw.ftbl[pp.fs.find((i) => raw.ftbl[i].includes('leak_site')) as number];
    const line = Number(/:(\d+)\)$/.exec(text)?.[1]);
    const leaf: number = profile.stacks.frame[table.stack[row.row]];
    assert.equal(profile.frames.line[leaf], line, `${text}: line`);
  }
});

test('copy mode: bytes copied per site; the replaced memcpy is not a site', () => {
  const { raw, summary, profile } = recordings.get('copy') as Recording;
  const report = buildReport(profile, 1000);
  assert.equal(report.unit, 'bytes');
  assert.equal(report.total, sum(raw.pps, 'tb'));
  assert.equal(report.total, summary.totalBytes);
  assert.equal(report.allocations?.totalBlocks, sum(raw.pps, 'tbk'));
  assert.ok(Number.isNaN(report.allocations?.peakBytes), 'copy mode records no peak: NaN (null in --json)');
  const copied = raw.pps.filter((pp) => siteOf(raw, pp) === 'copy_site').reduce((total, pp) => total + pp.tb, 0);
  assert.ok(copied > 0, 'DHAT saw copy_site copy');
  assert.equal(report.functions.find((f) => f.name === 'copy_site')?.self, copied);
  assert.ok(!report.functions.some((f) => /^(memcpy|memmove|mempcpy)/.test(f.name) && f.self > 0), 'memcpy is not a leaf');
  // The text report says these are copies, in DHAT's own words ("Total: N bytes in M blocks" counts copies here).
  const text = formatReportText(report, 'copy.json').split('\n');
  assert.equal(text[0], `copy.json: dhat (copy mode), memory, total ${summary.totalBytes} bytes`);
  assert.equal(text[text.length - 1], `Copies: ${summary.totalBytes} bytes in ${summary.totalBlocks} copies`);
});

test('ad-hoc mode: units per site, unit "samples"', () => {
  const { raw, summary, profile } = recordings.get('ad-hoc') as Recording;
  const report = buildReport(profile, 1000);
  assert.equal(report.unit, 'samples');
  assert.equal(report.total, sum(raw.pps, 'tb'));
  assert.equal(report.total, summary.totalBytes);
  const heap = buildReport((recordings.get('heap') as Recording).profile, 1000);
  // The fixture reports every block as an event of its size, so units per site equal the heap bytes.
  for (const site of ['short_lived_site', 'leak_site', 'peak_site']) {
    assert.equal(report.functions.find((f) => f.name === site)?.self, heap.functions.find((f) => f.name === site)?.self, site);
  }
  const text = formatReportText(report, 'adhoc.json').split('\n');
  assert.equal(text[text.length - 1], `Events: ${summary.totalBytes} units in ${summary.totalBlocks} events`);
});

test('heap mode: the stack table is a prefix tree without duplicates, and each site is its program point\'s frames', () => {
  const { raw, profile } = recordings.get('heap') as Recording;
  const { stacks, frames } = profile;
  // The importer appends stacks without the builder's lookup (newStack), so check the builder's invariants here.
  const seen = new Set<string>();
  for (let s = 0; s < stacks.length; s++) {
    assert.ok(stacks.prefix[s] < s, `stack ${s}: prefix before it`);
    const key = `${stacks.prefix[s]}:${stacks.frame[s]}`;
    assert.ok(!seen.has(key), `stack ${s} repeats (prefix, frame) ${key}`);
    seen.add(key);
  }
  // Each program point's frames, root first, without the allocator and valgrind's preload at the leaf, are its site's stack.
  const table = profile.allocations;
  assert.ok(table);
  const siteFrames = new Set<string>();
  for (let row = 0; row < table.length; row++) {
    const lines: number[] = [];
    for (let s = table.stack[row]; s >= 0; s = stacks.prefix[s]) lines.push(frames.address[stacks.frame[s]]);
    siteFrames.add(lines.join(','));
  }
  for (const pp of raw.pps) {
    let start = 0;
    while (start < pp.fs.length && (/vgpreload_|: (malloc|calloc|realloc|free|operator new)/.test(raw.ftbl[pp.fs[start]]) || pp.fs[start] === 0)) start++;
    const addresses = pp.fs.slice(start).map((i) => parseInt(/^0x([0-9A-Fa-f]+)/.exec(raw.ftbl[i])?.[1] ?? '-1', 16));
    assert.ok(siteFrames.has(addresses.join(',')), `program point with frames ${pp.fs.join(',')} has its stack`);
  }
});
