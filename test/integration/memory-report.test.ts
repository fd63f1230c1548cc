/**
 * `heatline report --json` on memory profiles, as a user runs it: the
 * alloc_sites fixture recorded now under valgrind DHAT, massif and
 * heaptrack, each report checked against the tool's own numbers:
 *
 * - DHAT: kind "memory", unit "bytes", total = sum of tb; allocations =
 *   sums of tb, tbk, gb, eb over the program points (a plain JSON.parse of
 *   the file); functions' self in bytes allocated, leaf = malloc's caller.
 * - massif: total and allocations.peakBytes = ms_print's useful heap at the
 *   peak; what massif does not record is null.
 * - heaptrack: allocations = heaptrack_print's calls, peak and leaked bytes;
 *   total = bytes allocated (its size histogram's sum).
 * - bad input (a cut DHAT file, a broken massif line, corrupt zstd): exit 1
 *   and one line on stderr naming the file.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { before, test } from 'node:test';
import type { ProfileReport } from '../../src-shared/report';
import { runCli, type CliResult } from '../helpers/cli';
import {
  compileAllocSites,
  heaptrackPrintReport,
  msPrintPeak,
  recordDhat,
  recordHeaptrack,
  recordMassif,
} from '../helpers/memory-tools';

let dhatFile: string;
let massifFile: string;
let heaptrackFile: string;

before(async () => {
  const binary = await compileAllocSites();
  dhatFile = recordDhat(binary, [], 'heap').file;
  massifFile = recordMassif(binary, []);
  heaptrackFile = recordHeaptrack(binary, []);
});

async function reportOf(file: string): Promise<ProfileReport> {
  const result = await runCli(['report', file, '--json', '--top', '100']);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ProfileReport;
}

test('DHAT: total and allocations are the sums over the program points', async () => {
  const report = await reportOf(dhatFile);
  const raw = JSON.parse(readFileSync(dhatFile, 'utf8')) as { pps: Record<string, number>[]; cmd: string };
  const sum = (field: string) => raw.pps.reduce((total, pp) => total + pp[field], 0);
  assert.equal(report.format, 'dhat');
  assert.equal(report.kind, 'memory');
  assert.equal(report.unit, 'bytes');
  assert.equal(report.total, sum('tb'));
  assert.deepEqual(report.allocations, { totalBytes: sum('tb'), totalBlocks: sum('tbk'), peakBytes: sum('gb'), endBytes: sum('eb') });
  assert.deepEqual(report.functions.slice(0, 3).map((f) => f.name).sort(), ['leak_site', 'peak_site', 'short_lived_site']);
  assert.ok(!report.functions.some((f) => f.name === 'malloc'));
  // DHAT names no threads: the one thread goes by the program DHAT ran.
  assert.deepEqual(report.threads.map((t) => t.name), [basename(raw.cmd.split(' ')[0])]);
});

test('DHAT with --num-callers=1 (only the allocator recorded): sites are the allocators, not [unknown]', async () => {
  const { file } = recordDhat(await compileAllocSites(), [], 'heap', ['--num-callers=1']);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { pps: { tb: number; fs: number[] }[]; ftbl: string[] };
  // What DHAT recorded: one frame per program point, the allocator (valgrind's "0x...: malloc (in ...)").
  const expected = new Map<string, number>();
  for (const pp of raw.pps) {
    const name = /^0x[0-9A-F]+: (\S+)/.exec(raw.ftbl[pp.fs[0]])?.[1] ?? '?';
    expected.set(name, (expected.get(name) ?? 0) + pp.tb);
  }
  assert.ok(raw.pps.every((pp) => pp.fs.length === 1), 'one frame per program point');
  const report = await reportOf(file);
  assert.deepEqual(new Map(report.functions.filter((f) => f.self > 0).map((f) => [f.name, f.self])), expected);
});

test("massif: total is ms_print's peak; unrecorded numbers are null", async () => {
  const report = await reportOf(massifFile);
  const peak = msPrintPeak(massifFile);
  assert.equal(report.format, 'massif');
  assert.equal(report.kind, 'memory');
  assert.equal(report.total, peak.usefulHeapBytes);
  assert.deepEqual(report.allocations, { totalBytes: null, totalBlocks: null, peakBytes: peak.usefulHeapBytes, endBytes: null });
  assert.equal(report.functions[0].name, 'peak_site');
});

test("heaptrack: heaptrack_print's totals", async () => {
  const report = await reportOf(heaptrackFile);
  const reference = heaptrackPrintReport(heaptrackFile);
  assert.equal(report.format, 'heaptrack');
  assert.equal(report.total, reference.allocatedBytes);
  assert.deepEqual(report.allocations, {
    totalBytes: reference.allocatedBytes,
    totalBlocks: reference.allocations,
    peakBytes: reference.peakBytes,
    endBytes: reference.leakedBytes,
  });
});

function assertOneLineError(result: CliResult, file: string, problem: RegExp): void {
  assert.equal(result.status, 1, `exit status; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
  assert.match(lines[0], problem);
}

test('bad input: one line on stderr, exit 1', async () => {
  const cutDhat = `${dhatFile}.cut.json`;
  const text = readFileSync(dhatFile, 'utf8');
  writeFileSync(cutDhat, text.slice(0, Math.floor(text.length / 2)));
  assertOneLineError(await runCli(['report', cutDhat]), cutDhat, /DHAT JSON: the JSON ends early/);

  const brokenMassif = `${massifFile}.broken`;
  writeFileSync(brokenMassif, readFileSync(massifFile, 'utf8').replace('mem_heap_B=0', 'mem_heap_B=?'));
  assertOneLineError(await runCli(['report', brokenMassif]), brokenMassif, /massif: line \d+: mem_heap_B is "\?"/);

  const compressed = readFileSync(heaptrackFile);
  const corrupt = Buffer.concat([compressed, Buffer.from(compressed.map((byte, i) => (i === 4 ? byte ^ 0xff : byte)))]);
  const corruptFile = `${heaptrackFile}.corrupt.zst`;
  writeFileSync(corruptFile, corrupt);
  assertOneLineError(await runCli(['report', corruptFile]), corruptFile, /heaptrack: corrupt zstd data/);
});
