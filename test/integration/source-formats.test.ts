/**
 * Per-line costs for the formats that carry line information besides
 * perf.data (source-host.test.ts covers that one), checked against the tools'
 * own output on recordings made now:
 *   - `perf script -F +srcline` text: per-line self equals
 *     `perf report --sort srcline` on the same perf.data;
 *   - perf.data of a C++ program with forced inlining: per-line self equals
 *     perf report's, and an inlined helper's lines name it;
 *   - DHAT: per-line bytes under the "total bytes" metric equal the sum of
 *     `tb` over the program points whose frames name that line, read
 *     straight from DHAT's JSON (once per point, as totals are defined).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Analyzer, type AnalysisRequest } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { repoRoot } from '../helpers/cli';
import { compile } from '../helpers/compile';
import { compileAllocSites, recordDhat } from '../helpers/memory-tools';
import { compileFixture, perfReportBySrcline, perfScriptText, recordPerf } from '../helpers/perf';

const base: AnalysisRequest = { range: null, threads: null, transforms: [], search: '', inverted: false, sandwichFunc: -1, stackChartThread: -1 };

function fileIndexEndingWith(profile: Profile, name: string): number {
  const found = new Set<number>();
  for (let f = 0; f < profile.funcs.length; f++) {
    const file = profile.funcs.file[f];
    if (file >= 0 && (profile.strings[file] === name || profile.strings[file].endsWith(`/${name}`))) found.add(file);
  }
  assert.equal(found.size, 1, `one file named ${name}: ${[...found].map((i) => profile.strings[i]).join(', ')}`);
  return [...found][0];
}

test('perf script text with srclines: per-line self equals perf report --sort srcline', async () => {
  const perfData = await recordPerf(await compileFixture('cpu_hot'), ['10'], {
    callGraph: 'fp',
    out: join(repoRoot, 'test-artifacts', 'source-formats', 'cpu_hot.perf.data'),
  });
  const text = await perfScriptText(perfData, ['+srcline']);
  const profile = await loadProfile(await fileSource(text));
  const file = fileIndexEndingWith(profile, 'cpu_hot.c');
  const lines = new Analyzer(profile).analyze({ ...base, sourceFile: file }).sourceLines!;
  const perf = await perfReportBySrcline(perfData);
  const perfLines = perf.lines.filter((l) => l.file === 'cpu_hot.c');
  assert.ok(perfLines.length >= 5);
  for (const perfLine of perfLines) {
    const i = lines.line.indexOf(perfLine.line);
    assert.equal(i >= 0 ? lines.self[i] : 0, perfLine.samples, `cpu_hot.c:${perfLine.line}`);
  }
  assert.equal(lines.grandTotal, perf.totalSamples);
});

test('DHAT: per-line bytes under the total-bytes metric equal the tb of the program points through each line', async () => {
  const { file: dhatFile } = recordDhat(await compileAllocSites(), ['2000']);
  const json = JSON.parse(readFileSync(dhatFile, 'utf8')) as { ftbl: string[]; pps: { tb: number; fs: number[] }[] };
  const expected = new Map<number, number>();
  for (const pp of json.pps) {
    const lines = new Set<number>();
    for (const frame of pp.fs) {
      const match = /\(alloc_sites\.c:(\d+)\)$/.exec(json.ftbl[frame]);
      if (match) lines.add(Number(match[1]));
    }
    for (const line of lines) expected.set(line, (expected.get(line) ?? 0) + pp.tb);
  }
  assert.ok(expected.size >= 4, 'DHAT names lines of alloc_sites.c');

  const profile = await loadProfile(await fileSource(dhatFile));
  const file = fileIndexEndingWith(profile, 'alloc_sites.c');
  const costs = new Analyzer(profile).analyze({ ...base, metric: 'totalBytes', sourceFile: file }).sourceLines!;
  const got = new Map(Array.from(costs.line, (line, i) => [line, costs.total[i]]));
  assert.deepEqual([...got].sort((a, b) => a[0] - b[0]), [...expected].sort((a, b) => a[0] - b[0]));
  // The blocks metric moves the same lines to block counts.
  const blocks = new Analyzer(profile).analyze({ ...base, metric: 'totalBlocks', sourceFile: file }).sourceLines!;
  assert.deepEqual(Array.from(blocks.line), Array.from(costs.line));
  assert.ok(blocks.total.every((b, i) => b > 0 && b <= costs.total[i]));
});

test('perf.data with inlined functions: per-line self equals perf report --sort srcline; inlined helpers are named on their lines', async () => {
  const dir = join(repoRoot, 'test-artifacts', 'source-formats');
  const binary = compile({ sources: ['inline_cpp.cpp'], out: join(dir, 'inline_cpp'), flags: ['-O2', '-g', '-fno-omit-frame-pointer'] });
  const perfData = await recordPerf(binary, ['1000', '20000'], { callGraph: 'fp', out: join(dir, 'inline_cpp.perf.data') });
  const profile = await loadProfile(await fileSource(perfData));
  const file = fileIndexEndingWith(profile, 'inline_cpp.cpp');
  const lines = new Analyzer(profile).analyze({ ...base, sourceFile: file }).sourceLines!;
  const perf = await perfReportBySrcline(perfData);
  const perfLines = perf.lines.filter((l) => l.file === 'inline_cpp.cpp');
  assert.ok(perfLines.length >= 3, perf.lines.slice(0, 8).map((l) => l.srcline).join(', '));
  for (const perfLine of perfLines) {
    const i = lines.line.indexOf(perfLine.line);
    assert.equal(i >= 0 ? lines.self[i] : 0, perfLine.samples, `inline_cpp.cpp:${perfLine.line}`);
  }
  // mix() is always inlined: its lines carry cost, and the hover names mix for them.
  const mixLines = new Set<number>();
  for (let i = 0; i < lines.line.length; i++) {
    if (lines.funcs[i].some((c) => profile.strings[profile.funcs.name[c.func]].includes('mix'))) mixLines.add(lines.line[i]);
  }
  assert.ok(mixLines.size >= 1, 'the inlined helper’s lines list it');
});
