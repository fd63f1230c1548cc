/**
 * A stripped binary (`strip --strip-all`: no .symtab, no DWARF): perf report
 * gives one bare address per sampled instruction; Heatline gives one row per
 * function, found by the binary's call frame information (.eh_frame survives
 * stripping), named `<binary>+0x<function start>`.
 *
 * Checked against perf report on the same recording and nm on the same
 * build before stripping: every row is a function nm names, starting where
 * nm says, with the samples of exactly the addresses perf report lists inside
 * it (nm's start to the next symbol's).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { buildReport } from '../../src-shared/report';
import { artifactDir, runTool } from '../helpers/compile';
import { compileFixture, FIXTURE_CFLAGS, perfReportBySymbol, recordPerf } from '../helpers/perf';
import { compileFixtureWith } from '../helpers/perf-data';

/** nm's text symbols of `binary`, sorted by address: each spans to the next one. */
function textSymbols(binary: string): { start: number; name: string }[] {
  return runTool('nm', ['--defined-only', binary])
    .split('\n')
    .map((line) => /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ start: Number.parseInt(match[1], 16), name: match[2] }))
    .sort((a, b) => a.start - b.start);
}

test("a stripped binary: one row per function by its CFI, with perf report's samples of that function's addresses", async () => {
  const built = await compileFixture('cpu_hot');
  // Stripped by the linker (-s), so its build-id is its own: perf (and Heatline) cannot find the unstripped
  // build by build-id in ~/.debug, where other tests' recordings put it.
  const stripped = await compileFixtureWith('cpu_hot', 'stripped', [...FIXTURE_CFLAGS, '-s']);
  const dir = artifactDir('perf-data-stripped');
  assert.doesNotMatch(runTool('readelf', ['-S', stripped]), /\.symtab|\.debug_info/, 'no symbols, no DWARF');
  const text = (binary: string) => {
    const out = join(dir, `${basename(binary)}.text`);
    runTool('objcopy', ['-O', 'binary', '--only-section=.text', binary, out]);
    return readFileSync(out);
  };
  assert.ok(text(stripped).equals(text(built)), 'the same code as the unstripped build, so nm of that build names its functions');
  // The text segment is mapped at its file offset, so perf's addresses (offsets in the mapping) are nm's vaddrs.
  assert.match(runTool('readelf', ['-lW', stripped]), /LOAD +0x0*1000 0x0*1000 /, 'text loaded at file offset 0x1000');

  const data = await recordPerf(stripped, ['10'], { frequency: 2000, out: join(dir, 'stripped.perf.data') });
  const symbols = textSymbols(built);
  const functionAt = (address: number) => {
    let found: { start: number; name: string } | null = null;
    for (const symbol of symbols) if (symbol.start <= address) found = symbol;
    return found;
  };

  // perf report's bare addresses, summed per function of the unstripped build.
  const perf = await perfReportBySymbol(data);
  const expected = new Map<string, number>();
  for (const row of perf.functions) {
    if (!/^0x[0-9a-f]+$/.test(row.name)) continue;
    const fn = functionAt(Number.parseInt(row.name, 16));
    assert.ok(fn !== null, `${row.name} lies in a function nm names`);
    const name = `${basename(stripped)}+0x${fn.start.toString(16)}`;
    expected.set(name, (expected.get(name) ?? 0) + row.samples);
  }
  assert.ok(expected.size >= 5, `the five work functions are sampled (${[...expected.keys()].join(', ')})`);

  const report = buildReport(await loadProfile(await fileSource(data)), 1000);
  const rows = report.functions.filter((f) => f.name.startsWith(`${basename(stripped)}+0x`));
  // Callers too (main, round_of_work: no self cost) are named after their function's start.
  const starts = rows.map((f) => Number.parseInt(f.name.split('+')[1], 16));
  assert.deepEqual(starts.filter((start) => functionAt(start)?.start !== start), [], 'every row starts where nm puts a function');
  assert.ok(rows.some((f) => f.name === `${basename(stripped)}+0x${symbols.find((s) => s.name === 'main')?.start.toString(16)}`), 'main is a caller row');
  const ours = new Map(rows.filter((f) => f.self > 0).map((f) => [f.name, f.self]));
  assert.deepEqual(ours, expected);
  // The five work functions, hottest first, are the rows named after work_40 ... work_5's starts.
  const topFive = [...ours].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name]) => functionAt(Number.parseInt(name.split('+')[1], 16))?.name);
  assert.deepEqual(topFive, ['work_40', 'work_25', 'work_15', 'work_10', 'work_5']);
});
