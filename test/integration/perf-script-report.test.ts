/**
 * Heatline's perf script importer against perf's own report, on one
 * recording of the cpu_hot fixture made now with frame pointers.
 *
 * Facts compared (every expectation comes from perf's output on the same
 * perf.data, none is typed by hand):
 * - the total equals perf report's sample count;
 * - the top 5 functions by self are perf report's top 5, in order, each
 *   share within 1 percentage point of perf's;
 * - the same holds for -F variants (header fields, symoff, srclines, no
 *   call chain), so the layout does not change the numbers;
 * - with srclines, the hottest line is perf report's hottest srcline.
 */

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Profile } from '../../src-shared/profile/model';
import { buildReport, type ProfileReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import {
  compileFixture,
  perfReportBySrcline,
  perfReportBySymbol,
  perfScriptText,
  recordPerf,
  type PerfReportBySymbol,
} from '../helpers/perf';

let perfData: string;
let perfBySymbol: PerfReportBySymbol;

before(async () => {
  const binary = await compileFixture('cpu_hot');
  // 20 rounds: about 0.8 s, 800 samples at 1000 Hz.
  perfData = await recordPerf(binary, ['20'], { callGraph: 'fp', frequency: 1000 });
  perfBySymbol = await perfReportBySymbol(perfData);
  // The comparison means something only if perf itself sees the fixture's shape.
  assert.ok(perfBySymbol.totalSamples >= 300, `perf recorded only ${perfBySymbol.totalSamples} samples`);
});

async function importScript(fields?: string[], hideCallGraph = false): Promise<{ profile: Profile; report: ProfileReport }> {
  const text = await perfScriptText(perfData, fields, { hideCallGraph });
  const profile = await loadProfile(await fileSource(text));
  return { profile, report: buildReport(profile, 1000) };
}

/** Totals equal; top 5 by self are perf's, in order, with shares within 1 point. */
function assertMatchesPerfReport(report: ProfileReport, label: string): void {
  assert.equal(report.unit, 'samples', label);
  assert.equal(report.total, perfBySymbol.totalSamples, `${label}: total samples`);
  const ours = report.functions.slice(0, 5);
  const theirs = perfBySymbol.functions.slice(0, 5);
  assert.deepEqual(
    ours.map((f) => f.name),
    theirs.map((f) => f.name),
    `${label}: top 5 functions by self, in order`,
  );
  for (let i = 0; i < theirs.length; i++) {
    const share = (100 * ours[i].self) / report.total;
    assert.ok(
      Math.abs(share - theirs[i].percent) <= 1,
      `${label}: ${ours[i].name} has ${share.toFixed(2)}% of samples, perf report says ${theirs[i].percent}%`,
    );
  }
}

test('default perf script: total and top 5 functions agree with perf report', async () => {
  const { profile, report } = await importScript();
  assertMatchesPerfReport(report, 'default fields');
  assert.equal(profile.meta.eventName, 'cpu-clock');
  assert.deepEqual(profile.meta.warnings, []);
  // One process, one thread: its total is everything.
  assert.deepEqual(
    report.threads.map((t) => t.total),
    [report.total],
  );
  // Times are perf's seconds-with-fraction in ns, increasing, over about the run's length.
  const seconds = (profile.meta.endTime - profile.meta.startTime) / 1e9;
  assert.ok(seconds > 0.2 && seconds < 10, `recording spans ${seconds} s`);
});

test('-F variants give the same numbers: comm/tid/time fields, pid and symoff, srcline, and no call chain', async () => {
  const variants: [string, string[], boolean][] = [
    ['-F comm,tid,time,event,ip,sym,dso', ['comm', 'tid', 'time', 'event', 'ip', 'sym', 'dso'], false],
    ['-F comm,pid,tid,time,period,event,ip,sym,dso,symoff', ['comm', 'pid', 'tid', 'time', 'period', 'event', 'ip', 'sym', 'dso', 'symoff'], false],
    ['-F +srcline', ['+srcline'], false],
    ['-G -F comm,tid,time,event,ip,sym,dso (no call chain)', ['comm', 'tid', 'time', 'event', 'ip', 'sym', 'dso'], true],
  ];
  for (const [label, fields, hideCallGraph] of variants) {
    const { profile, report } = await importScript(fields, hideCallGraph);
    assertMatchesPerfReport(report, label);
    if (fields.includes('pid')) {
      // perf printed pid/tid: the main thread names the process.
      assert.equal(profile.strings[profile.threads.processName[0]], profile.strings[profile.threads.name[0]], label);
    }
  }
});

test('with srclines, the hottest line is the srcline perf report finds hottest', async () => {
  const perfLines = await perfReportBySrcline(perfData);
  const { report } = await importScript(['comm', 'tid', 'time', 'event', 'ip', 'sym', 'dso', 'srcline']);
  assertMatchesPerfReport(report, '-F ...,srcline');
  assert.equal(perfLines.totalSamples, report.total);
  const hottest = perfLines.lines[0];
  assert.ok(hottest.line > 0, `perf knows the hottest line: ${hottest.srcline}`);
  // A clear winner, so the comparison cannot flip on a tie.
  assert.ok(hottest.samples > (perfLines.lines[1]?.samples ?? 0), 'perf has one hottest line');
  const ours = report.lines[0];
  assert.equal(`${ours.file}:${ours.line}`, hottest.srcline);
  assert.equal(ours.self, hottest.samples, 'samples on the hottest line');
});
