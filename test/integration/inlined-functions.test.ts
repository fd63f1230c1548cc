/**
 * Whose cost an inlined function's samples are, on the C++ fixture with an
 * inlined hot helper (inline_cpp.cpp: mix() is always inlined into
 * recurse()), recorded now with perf -g:
 *
 * - by default, as `perf report --sort symbol` counts them: every function
 *   perf lists at 2% self or more has its share within a point, and the
 *   hottest is perf's, in `heatline report`, the report module and the
 *   analysis (the window with "Inlined functions" unticked) alike;
 * - with `--inlined` (the window's default, the box ticked), mix() is a
 *   function of its own with the self cost that recurse() then lacks;
 * - the hottest line is perf report --sort srcline's either way.
 */

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Analyzer } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';
import { buildReport, type ProfileReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { repoRoot, runCli } from '../helpers/cli';
import { compile } from '../helpers/compile';
import { perfReportBySrcline, perfReportBySymbol, recordPerf, withoutParameters, type PerfReportBySymbol } from '../helpers/perf';
import { analysisRequest } from '../unit/helpers-analysis';

let perfData: string;
let profile: Profile;
let perf: PerfReportBySymbol;

before(async () => {
  const dir = join(repoRoot, 'test-artifacts', 'inlined-functions');
  mkdirSync(dir, { recursive: true });
  const binary = compile({ sources: ['inline_cpp.cpp'], out: join(dir, 'inline_cpp'), flags: ['-O2', '-g', '-fno-omit-frame-pointer'] });
  perfData = await recordPerf(binary, ['1000', '60000'], { callGraph: 'fp', out: join(dir, 'inline_cpp.perf.data') });
  profile = await loadProfile(await fileSource(perfData));
  perf = await perfReportBySymbol(perfData);
});

/** Self share (%) per function name without its parameters, as perf prints C++ names. */
function sharesOf(report: ProfileReport): Map<string, number> {
  const shares = new Map<string, number>();
  for (const f of report.functions) {
    const name = withoutParameters(f.name);
    shares.set(name, (shares.get(name) ?? 0) + (100 * f.self) / report.total);
  }
  return shares;
}

function assertPerfShares(report: ProfileReport, label: string): void {
  assert.equal(report.total, perf.totalSamples, `${label}: total samples`);
  const ours = sharesOf(report);
  const hot = perf.functions.filter((f) => f.percent >= 2);
  assert.ok(hot.some((f) => f.name.endsWith('recurse')), `perf sees the time in recurse: ${perf.functions.slice(0, 3).map((f) => f.name)}`);
  for (const row of hot) {
    const share = ours.get(withoutParameters(row.name)) ?? 0;
    assert.ok(Math.abs(share - row.percent) <= 1, `${label}: ${row.name} ${share.toFixed(2)}% against perf's ${row.percent}%`);
  }
  assert.equal(withoutParameters(report.functions[0].name), withoutParameters(perf.functions[0].name), `${label}: the hottest function`);
}

test('by default an inlined function is its caller\'s cost, as perf report counts it: report module, CLI and window agree', async () => {
  const report = buildReport(profile, 20);
  assertPerfShares(report, 'report module');
  assert.ok(!report.functions.some((f) => withoutParameters(f.name).endsWith('::mix')), 'mix is no function of its own');

  const cli = await runCli(['report', perfData, '--json', '--top', '20']);
  assert.equal(cli.status, 0, cli.stderr);
  const json = JSON.parse(cli.stdout) as ProfileReport;
  assertPerfShares(json, 'heatline report');
  assert.equal(json.inlined, 'merged');
  // The text report says how it counts them.
  const text = await runCli(['report', perfData, '--top', '3']);
  assert.match(text.stdout, /^Functions \(by self; inlined functions count for their callers: --inlined lists them\)$/m);

  // The analysis behind the window (function table, flame graph), merged as there when unticked, counts the same.
  const { funcCosts } = new Analyzer(profile).analyze(analysisRequest());
  assert.deepEqual(costsByName(funcCosts.self), costsByName(buildReport(profile, 1e9), 'self'), 'self per function');
  assert.deepEqual(costsByName(funcCosts.total), costsByName(buildReport(profile, 1e9), 'total'), 'total per function');
});

test('--inlined and the window\'s "Inlined functions" (its default) give mix() its own self cost, which recurse() then lacks', async () => {
  const merged = buildReport(profile, 20);
  const separate = buildReport(profile, 20, 'separate');
  const selfOf = (report: ProfileReport, suffix: string) =>
    report.functions.filter((f) => withoutParameters(f.name).endsWith(suffix)).reduce((sum, f) => sum + f.self, 0);
  const mix = selfOf(separate, '::mix');
  assert.ok(mix / separate.total >= 0.02, `mix's own self: ${mix} of ${separate.total}`);
  // Sample by sample: a leaf inlined into recurse (mix, mostly) is recurse's when merged.
  const { samples, stacks, frames, funcs } = profile;
  let inlinedIntoRecurse = 0;
  for (let i = 0; i < samples.length; i++) {
    let at = samples.stack[i];
    if (frames.inlineDepth[stacks.frame[at]] === 0) continue;
    while (frames.inlineDepth[stacks.frame[at]] > 0) at = stacks.prefix[at];
    if (withoutParameters(profile.strings[funcs.name[frames.func[stacks.frame[at]]]]).endsWith('::recurse')) inlinedIntoRecurse++;
  }
  assert.ok(inlinedIntoRecurse >= mix * 0.9, `${inlinedIntoRecurse} inlined leaves in recurse, mix has ${mix}`);
  assert.equal(selfOf(merged, '::recurse'), selfOf(separate, '::recurse') + inlinedIntoRecurse, 'what is inlined into recurse is its own when merged');

  const cli = await runCli(['report', perfData, '--json', '--top', '20', '--inlined']);
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual((JSON.parse(cli.stdout) as ProfileReport).functions, separate.functions);
  assert.equal(separate.inlined, 'separate');

  const { funcCosts } = new Analyzer(profile).analyze(analysisRequest({ inlined: 'separate' }));
  assert.deepEqual(costsByName(funcCosts.self), costsByName(buildReport(profile, 1e9, 'separate'), 'self'), 'self per function, inlined shown');

  // Lines are the innermost either way: perf report --sort srcline's hottest.
  const hottestLine = (await perfReportBySrcline(perfData)).lines[0];
  for (const report of [merged, separate]) {
    assert.equal(`${report.lines[0].file.split('/').pop()}:${report.lines[0].line}`, hottestLine.srcline.split('/').pop());
  }
});

/** Non-zero costs summed per function name: from the window's per-function column, or from a report's rows. */
function costsByName(costs: Float64Array): Map<string, number>;
function costsByName(report: ProfileReport, column: 'self' | 'total'): Map<string, number>;
function costsByName(source: Float64Array | ProfileReport, column?: 'self' | 'total'): Map<string, number> {
  const out = new Map<string, number>();
  const add = (name: string, cost: number) => {
    if (cost !== 0) out.set(name, (out.get(name) ?? 0) + cost);
  };
  if (source instanceof Float64Array) source.forEach((cost, f) => add(profile.strings[profile.funcs.name[f]], cost));
  else for (const f of source.functions) add(f.name, f[column!]);
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}
