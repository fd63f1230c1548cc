/**
 * The massif importer on massif recordings of the alloc_sites fixture made
 * now, with each time unit massif offers (i, B, ms), against ms_print's
 * report of the same file.
 *
 * Facts compared:
 * - total and allocations.peakBytes = ms_print's useful-heap(B) for the
 *   snapshot it marks "(peak)" (what `total` means for massif);
 * - the peak site is first by peak bytes, as in ms_print's peak tree, and
 *   each allocating function's bytes equal ms_print's first-level entries;
 * - memory over time: one counter point per snapshot (counted in the file),
 *   and at the peak's time the heap and extra-heap counters hold ms_print's
 *   numbers; times are nanoseconds for ms, instructions or bytes otherwise;
 * - a file cut mid-snapshot imports what was whole, with a warning; broken
 *   lines are one-line errors naming the line.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import { buildReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { detectImporter } from '../../src-main/import/registry';
import { bytesSource, fileSource } from '../../src-main/import/source';
import { runTool } from '../helpers/compile';
import { compileAllocSites, functionNamesOnStacks, msPrintPeak, recordMassif, sitesBy, type MsPrintPeak } from '../helpers/memory-tools';

type Unit = 'i' | 'B' | 'ms';
const recordings = new Map<Unit, { file: string; text: string; peak: MsPrintPeak; profile: Profile }>();

before(async () => {
  const binary = await compileAllocSites();
  for (const unit of ['i', 'B', 'ms'] as const) {
    const file = recordMassif(binary, [], unit);
    recordings.set(unit, { file, text: readFileSync(file, 'utf8'), peak: msPrintPeak(file), profile: await loadProfile(await fileSource(file)) });
  }
});

const get = (unit: Unit) => recordings.get(unit) as NonNullable<ReturnType<typeof recordings.get>>;

test('the recording is detected as massif', () => {
  assert.equal(detectImporter(new TextEncoder().encode(get('i').text.slice(0, 65536)))?.id, 'massif');
});

for (const unit of ['i', 'B', 'ms'] as const) {
  test(`time unit ${unit}: total is ms_print's useful heap at the peak; sites as ms_print lists them`, () => {
    const { peak, profile } = get(unit);
    const report = buildReport(profile, 100);
    assert.equal(report.format, 'massif');
    assert.equal(report.unit, 'bytes');
    assert.equal(report.total, peak.usefulHeapBytes);
    assert.equal(report.allocations?.peakBytes, peak.usefulHeapBytes);
    assert.ok(Number.isNaN(report.allocations?.totalBytes), 'massif does not record bytes allocated over the run');
    assert.equal(profile.meta.warnings.length, 0, profile.meta.warnings.join('; '));

    assert.equal(peak.sites[0]?.name, 'peak_site', "ms_print's largest site at the peak");
    assert.equal(sitesBy(profile, 'peakBytes')[0].name, 'peak_site');
    const expected = new Map<string, number>();
    for (const site of peak.sites) if (!site.name.startsWith('in ')) expected.set(site.name, (expected.get(site.name) ?? 0) + site.bytes);
    assert.ok(expected.has('leak_site'), 'the leaked blocks are live at the peak');
    for (const [name, bytes] of expected) {
      assert.equal(report.functions.find((f) => f.name === name)?.self, bytes, `${name}: bytes at the peak`);
    }
    assert.ok(!functionNamesOnStacks(profile).has('malloc'));
  });

  test(`time unit ${unit}: heap, extra-heap and stacks over time, one point per snapshot`, () => {
    const { text, peak, profile } = get(unit);
    const snapshots = text.split('\n').filter((line) => line.startsWith('snapshot=')).length;
    const counter = (name: string) => {
      const track = profile.counters.find((c) => c.name === name);
      assert.ok(track, `counter ${name}`);
      assert.equal(track.unit, 'bytes');
      assert.equal(track.time.length, snapshots);
      return track;
    };
    const heap = counter('heap');
    const extra = counter('extra-heap');
    counter('stacks');
    const scale = unit === 'ms' ? 1e6 : 1;
    const at = Array.from(heap.time).findIndex((t, i) => t === peak.time * scale && heap.value[i] === peak.usefulHeapBytes);
    assert.ok(at >= 0, `a heap point at ms_print's peak time ${peak.time} ${unit}`);
    assert.equal(extra.value[at], peak.extraHeapBytes);
    assert.match(profile.meta.eventName ?? '', unit === 'i' ? /instructions/ : unit === 'B' ? /bytes allocated/ : /milliseconds/);
  });
}

async function importText(text: string): Promise<Profile> {
  return loadProfile(bytesSource('massif.out.99', new TextEncoder().encode(text)));
}

async function assertOneLineError(text: string, problem: RegExp): Promise<void> {
  await assert.rejects(importText(text), (error: unknown) => {
    assert.ok(error instanceof UserFacingError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /^massif\.out\.99: massif: /);
    assert.match(error.message, problem);
    return true;
  });
}

test('a file cut mid-snapshot keeps the whole snapshots, with a warning', { timeout: 20_000 }, async () => {
  const { text, peak } = get('i');
  const lines = text.split('\n');
  const peakTree = lines.indexOf('heap_tree=peak');
  assert.ok(peakTree > 0);
  // Cut inside the peak snapshot's tree: the tree is incomplete, the largest detailed one stands in.
  const cutTree = await importText(lines.slice(0, peakTree + 2).join('\n'));
  assert.match(cutTree.meta.warnings.join('\n'), /ends inside snapshot \d+ \(cut short\?\)/);
  assert.match(cutTree.meta.warnings.join('\n'), /no peak snapshot \(cut short\?\); the allocation tree is snapshot \d+'s/);
  assert.equal(cutTree.counters[0].time.length, lines.filter((l) => l.startsWith('snapshot=')).length - 1);
  // Cut among the fields of the peak snapshot.
  const cutFields = await importText(lines.slice(0, peakTree - 2).join('\n'));
  assert.match(cutFields.meta.warnings.join('\n'), /ends inside snapshot/);
  // Cut inside the first snapshot: nothing to keep.
  await assertOneLineError(lines.slice(0, 8).join('\n'), /no complete snapshot in the file \(cut short\?\)/);
  assert.ok(peak.usefulHeapBytes > 0);
});

test('cut at any byte: the whole snapshots before the cut, with a warning that says so (an error only before the first)', { timeout: 60_000 }, async () => {
  const { text } = get('i');
  const bytes = new TextEncoder().encode(text);
  const firstWhole = text.indexOf('heap_tree=', text.indexOf('snapshot=0')) + 'heap_tree=empty\n'.length;
  const snapshots = text.split('\n').filter((l) => l.startsWith('snapshot=')).length;
  const problems: string[] = [];
  for (let cut = 1; cut < bytes.length; cut += 37) {
    let profile: Profile;
    try {
      profile = await loadProfile(bytesSource('massif.out.99', bytes.subarray(0, cut)));
    } catch (error) {
      const expected = /massif: (line \d+: the file ends inside massif's header|no complete snapshot in the file \(cut short\?\))$|not a profile Heatline can read/;
      if (cut >= firstWhole + 1 || !(error instanceof UserFacingError) || !expected.test(error.message)) problems.push(`${cut}: ${String(error)}`);
      continue;
    }
    const kept = profile.counters[0].time.length;
    // A cut between two snapshots after the peak leaves a file like a whole one: nothing can tell.
    const looksWhole = text.startsWith('#-----------\nsnapshot=', cut) && text.slice(0, cut).includes('heap_tree=peak');
    if (!profile.meta.warnings.some((w) => /\(cut short\?\)/.test(w)) && !looksWhole && cut < bytes.length) {
      problems.push(`${cut}: no warning of the cut (${profile.meta.warnings.join('; ')})`);
    }
    if (kept > snapshots) problems.push(`${cut}: ${kept} snapshots of ${snapshots}`);
  }
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} cuts went wrong`);
});

test("memcheck's --xtree-memory report in massif's format is not read as a timeline: one line says what it is", { timeout: 60_000 }, async () => {
  const binary = await compileAllocSites();
  const out = join(mkdtempSync(join(tmpdir(), 'heatline-xtree-')), 'xtmemory.ms');
  runTool('valgrind', ['-q', '--tool=memcheck', '--xtree-memory=full', `--xtree-memory-file=${out}`, binary]);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^desc: xtree\.produce_report\n/, 'the report memcheck wrote');
  await assertOneLineError(text, /line 1: a memcheck --xtree-memory report \(its snapshots are totals, not a timeline\)/);
});

test('broken lines: one line naming the line and the problem', { timeout: 20_000 }, async () => {
  const { text } = get('i');
  await assertOneLineError(text.replace('time_unit: i', 'time_unit: fortnights'), /line 3: time_unit "fortnights"/);
  await assertOneLineError(text.replace('mem_heap_B=0', 'mem_heap_B=lots'), /line \d+: mem_heap_B is "lots", not a non-negative number/);
  await assertOneLineError(text.replace(/\nmem_heap_extra_B=[^\n]*/, ''), /expected "mem_heap_extra_B=" in snapshot 0/);
  await assertOneLineError(text.replace(/\n n1: /, '\n n1 '), /heap tree: a heap tree line must look like/);
  await assertOneLineError(text.replace(/\n( +)n0: /, '\n$1$1n0: '), /heap tree: a node at depth \d+ where depth \d+ comes next/);
  await assertOneLineError(text.replace('heap_tree=peak', 'heap_tree=sideways'), /heap_tree is "sideways"/);
});

test('sniff: massif files only', () => {
  const sniff = (t: string) => detectImporter(new TextEncoder().encode(t))?.id;
  assert.equal(sniff('desc: (none)\ncmd: ./a\ntime_unit: i\n#-----------\n'), 'massif');
  assert.notEqual(sniff('cmd: ./a\ndesc: x\ntime_unit: i\n'), 'massif');
  assert.notEqual(sniff('desc: something else entirely\n'), 'massif');
});
