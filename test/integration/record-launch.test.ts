/**
 * Launch-record the fixture programs under every Linux instrument, through
 * the same recorder the window uses (a pty session), and check each result
 * with the tool's own reader:
 * - perf CPU: perf report's top function is cpu_hot's work_40, and our
 *   perf.data importer opens the file and agrees;
 * - perf off-CPU: sleepy's nap() is in the sched_switch stacks (perf script);
 * - strace -c: until_killed's most frequent call is getppid; the timeline
 *   lists getppid() calls;
 * - perf stat --repeat 3: task-clock counted, with a variance;
 * - heaptrack / DHAT / massif: heaptrack_print, JSON.parse and ms_print read
 *   the files and name alloc_sites' leak_site / peak_site;
 * - a missing tool is one line naming its package (recorder and CLI).
 */

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { before, test } from 'node:test';
import { buildReport } from '../../src-shared/report';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { probeCapabilities } from '../../src-main/record/capabilities';
import { parsePerfStatCsv } from '../../src-main/record/outputs/perf-stat';
import { parseStraceSummary } from '../../src-main/record/outputs/strace';
import { MissingToolError } from '../../src-main/record/packages';
import { runRecordCommand } from '../../src-main/record/record-command';
import { startRecording } from '../../src-main/record/recorder';
import { compileFixture, perfReportBySymbol } from '../helpers/perf';
import { finished, probedCaps, recordingsDir, RESOURCES_DIR, run, runRecording } from '../helpers/record';

let dir: string;
const bin: Record<string, string> = {};

before(async () => {
  dir = recordingsDir('launch');
  for (const name of ['cpu_hot', 'sleepy', 'until_killed', 'alloc_sites']) bin[name] = await compileFixture(name);
});

const launch = (name: string, ...args: string[]) => ({ kind: 'launch' as const, command: [bin[name], ...args] });

test('perf CPU sampling: the file perf report reads has work_40 on top, and it opens in Heatline', async () => {
  const r = await runRecording({ target: launch('cpu_hot', '15'), options: { instrument: 'cpu', frequency: 999 } }, { outputDir: dir });
  const result = await finished(r);
  assert.equal(result.format, 'perf.data');
  const perf = await perfReportBySymbol(result.path);
  assert.equal(perf.functions[0].name, 'work_40');
  const profile = await loadProfile(await fileSource(result.path));
  assert.equal(buildReport(profile, 5).functions[0].name, 'work_40');
  // The sessions' state went starting -> running -> finished, with progress on the way.
  const states = r.events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
  assert.deepEqual(states, ['starting', 'running', 'finished']);
});

test('perf off-CPU: sleepy waits in nap()', async () => {
  const r = await runRecording({ target: launch('sleepy', '200'), options: { instrument: 'offcpu' } }, { outputDir: dir });
  const result = await finished(r);
  const script = await run('perf', ['script', '-i', result.path]);
  assert.equal(script.status, 0, script.stderr);
  assert.match(script.stdout, /sched:sched_switch/);
  assert.match(script.stdout, /\bnap\b/);
});

test('strace -c summary: getppid is the most frequent call; the timeline has one line per call', async () => {
  // At least 300 rounds (one getppid each), however little CPU a loaded machine gives the 0.3 s.
  const summary = await finished(await runRecording({ target: launch('until_killed', '0.3', '300'), options: { instrument: 'syscalls', mode: 'summary' } }, { outputDir: dir }));
  assert.equal(summary.format, 'strace-summary');
  const rows = parseStraceSummary(readFileSync(summary.path, 'utf8'));
  assert.equal(rows[0].syscall, 'getppid');
  assert.ok(rows[0].calls > 100, `only ${rows[0].calls} getppid calls`);
  const timeline = await finished(await runRecording({ target: launch('until_killed', '0.2'), options: { instrument: 'syscalls', mode: 'timeline' } }, { outputDir: dir }));
  assert.match(readFileSync(timeline.path, 'utf8'), /^\d+(<[^>\n]*>)? +\d\d:\d\d:\d\d\.\d{6} getppid\(\) += \d+(<[^>\n]*>)? <\d+\.\d+>$/m);
});

test('perf stat --repeat 3: counters as a table with variance', async () => {
  const r = await runRecording({ target: launch('cpu_hot', '2'), options: { instrument: 'counters', events: ['task-clock', 'context-switches', 'page-faults'], repeat: 3 } }, { outputDir: dir });
  const rows = parsePerfStatCsv(readFileSync((await finished(r)).path, 'utf8'));
  assert.deepEqual(rows.map((row) => row.event), ['task-clock', 'context-switches', 'page-faults']);
  assert.ok((rows[0].value ?? 0) > 10, 'task-clock in msec');
  assert.equal(rows[0].unit, 'msec');
  for (const row of rows) assert.equal(typeof row.variancePercent, 'number');
});

test('heaptrack: heaptrack_print reads the file and finds leak_site', async () => {
  const result = await finished(await runRecording({ target: launch('alloc_sites', '2000'), options: { instrument: 'heaptrack' } }, { outputDir: dir }));
  assert.match(result.path, /\.heaptrack\.(zst|gz)$/);
  const printed = await run('heaptrack_print', ['-f', result.path]);
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /leak_site/);
});

test('valgrind DHAT and massif: the files parse and name the allocation sites', async () => {
  const dhat = await finished(await runRecording({ target: launch('alloc_sites', '2000'), options: { instrument: 'dhat' } }, { outputDir: dir }));
  const json = JSON.parse(readFileSync(dhat.path, 'utf8')) as { dhatFileVersion: number; ftbl: string[] };
  assert.equal(typeof json.dhatFileVersion, 'number');
  assert.ok(json.ftbl.some((frame) => frame.includes('leak_site')));
  const massif = await finished(await runRecording({ target: launch('alloc_sites', '2000'), options: { instrument: 'massif' } }, { outputDir: dir }));
  const printed = await run('ms_print', [massif.path]);
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /peak_site/);
});

test('a missing tool is named with its package, by the recorder and by heatline record', async () => {
  const caps = await probeCapabilities({ path: '/nonexistent' });
  assert.equal(caps.tools.perf, undefined);
  await assert.rejects(
    startRecording({ target: launch('cpu_hot', '1'), options: { instrument: 'cpu' } }, { caps, outputDir: dir, resourcesDir: RESOURCES_DIR }, () => undefined),
    (error: unknown) => error instanceof MissingToolError && error.message === `perf is not installed: ${expectedPerfHint(caps.distro)}`,
  );
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk) => (text += chunk));
  const code = await runRecordCommand(['--instrument', 'massif', '--', bin.cpu_hot], {
    stdout: new PassThrough(),
    stderr,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    report: async () => undefined,
    resourcesDir: RESOURCES_DIR,
    caps: { ...(await probedCaps()), tools: {} },
  });
  assert.equal(code, 1);
  assert.equal(text.trim().split('\n').length, 1);
  assert.match(text, /^heatline: valgrind is not installed: .*valgrind/);
});

function expectedPerfHint(distro: string): string {
  return distro === 'debian' ? 'sudo apt install linux-perf' : distro === 'ubuntu' ? 'sudo apt install linux-tools-common linux-tools-generic' : 'x';
}

test('results are files of the user running Heatline', async () => {
  const result = await finished(await runRecording({ target: launch('cpu_hot', '1'), options: { instrument: 'cpu' } }, { outputDir: dir }));
  assert.equal(statSync(result.path).uid, process.getuid?.());
  assert.ok(statSync(result.logPath).size > 0);
});
