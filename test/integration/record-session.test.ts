/**
 * The pty session with real tools and the until_killed / echo_stdin
 * fixtures:
 * - attach perf to a running process for 2 s: its hot function is spin_hot;
 * - Stop in the middle of a run (perf, strace, DHAT) leaves a complete file
 *   that the tool's own reader accepts, without escalating;
 * - a profiler that does not stop on Ctrl+C is sent SIGTERM after the grace
 *   time, and the session says so;
 * - the process list has the fixture's pid, with CPU % and its command;
 * - the terminal shows the program's output and passes typed input to it.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parseStraceSummary } from '../../src-main/record/outputs/strace';
import { ProcessLister } from '../../src-main/record/processes';
import { compileFixture, hottestUserFunction, perfReportBySymbol } from '../helpers/perf';
import { finished, outputText, probedCaps, recordingsDir, run, runRecording, startFixture, waitFor } from '../helpers/record';

let dir: string;
const bin: Record<string, string> = {};
const cleanups: (() => void)[] = [];

before(async () => {
  dir = recordingsDir('session');
  for (const name of ['until_killed', 'echo_stdin']) bin[name] = await compileFixture(name);
});
after(() => cleanups.forEach((cleanup) => cleanup()));

test('attach perf to a running process for 2 s: spin_hot is its hot function', async () => {
  const fixture = startFixture(bin.until_killed, ['20']);
  cleanups.push(fixture.stop);
  await fixture.ready;
  const started = Date.now();
  const r = await runRecording({ target: { kind: 'attach', pid: fixture.child.pid! }, options: { instrument: 'cpu' }, durationSeconds: 2 }, { outputDir: dir });
  const result = await finished(r, 30_000);
  assert.ok(Date.now() - started < 15_000);
  assert.ok(result.durationMs >= 1900, `stopped after ${result.durationMs} ms`);
  assert.equal(hottestUserFunction(await perfReportBySymbol(result.path)), 'spin_hot');
  assert.equal(fixture.child.exitCode, null, 'the attached program keeps running');
  assert.ok(r.events.some((e) => e.type === 'state' && e.message?.startsWith('Time is up')));
  fixture.stop();
});

test('Stop in the middle of a run leaves complete files (perf, strace -c, DHAT)', async () => {
  const cases = [
    { options: { instrument: 'cpu' as const }, check: async (path: string) => assert.equal(hottestUserFunction(await perfReportBySymbol(path)), 'spin_hot') },
    { options: { instrument: 'syscalls' as const }, check: async (path: string) => assert.equal(parseStraceSummary(readFileSync(path, 'utf8'))[0].syscall, 'getppid') },
    { options: { instrument: 'dhat' as const }, check: async (path: string) => assert.ok(JSON.parse(readFileSync(path, 'utf8')).dhatFileVersion) },
  ];
  for (const { options, check } of cases) {
    const r = await runRecording({ target: { kind: 'launch', command: [bin.until_killed, '30'] }, options }, { outputDir: dir });
    await waitFor('the program to start', () => outputText(r.events).includes('until_killed ready'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    r.recording.stop();
    const result = await finished(r, 30_000);
    assert.ok(result.durationMs < 10_000, `${options.instrument}: took ${result.durationMs} ms to stop`);
    await check(result.path);
    const states = r.events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
    assert.deepEqual(states.slice(-2), ['stopping', 'finished'], options.instrument);
    assert.ok(!r.events.some((e) => e.type === 'state' && /SIGTERM|SIGKILL/.test(e.message ?? '')), `${options.instrument} needed escalation`);
  }
});

test('a profiler that ignores Ctrl+C gets SIGTERM after the grace time, and the session says so', async () => {
  // strace that launched a program ignores SIGINT itself, and this shell ignores it too.
  const shell = ['/bin/sh', '-c', "trap '' INT; echo looping; while :; do sleep 0.05; done"];
  const r = await runRecording({ target: { kind: 'launch', command: shell }, options: { instrument: 'syscalls' } }, { outputDir: dir, interruptGraceMs: 1000, termGraceMs: 2000 });
  await waitFor('the shell to start', () => outputText(r.events).includes('looping'));
  r.recording.stop();
  const result = await finished(r, 20_000);
  assert.ok(r.events.some((e) => e.type === 'state' && /did not stop 1 s after Ctrl\+C: sending SIGTERM/.test(e.message ?? '')));
  const finishedState = [...r.events].reverse().find((e) => e.type === 'state');
  assert.match(finishedState?.type === 'state' ? (finishedState.message ?? '') : '', /Stopped with SIGTERM/);
  assert.ok(parseStraceSummary(readFileSync(result.path, 'utf8')).length > 0);
});

test("the process list has the fixture's pid, its command line and CPU use", async () => {
  const fixture = startFixture(bin.until_killed, ['10', 'marker-arg']);
  cleanups.push(fixture.stop);
  await fixture.ready;
  const lister = new ProcessLister(await probedCaps());
  await lister.list();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rows = await lister.list();
  const row = rows.find((p) => p.pid === fixture.child.pid);
  assert.ok(row, 'the fixture is listed');
  assert.equal(row.name, 'until_killed');
  assert.equal(row.command, `${bin.until_killed} 10 marker-arg`);
  assert.equal(row.user, (await probedCaps()).userName);
  assert.ok(row.cpuPercent > 20, `cpu ${row.cpuPercent}%`);
  assert.ok(row.rssBytes > 0);
  // Own processes first.
  const uid = process.getuid!();
  const firstOther = rows.findIndex((p) => p.uid !== uid);
  assert.ok(firstOther === -1 || rows.slice(firstOther).every((p) => p.uid !== uid));
  fixture.stop();
});

test('the terminal shows the program output and passes typed input to it', async () => {
  const r = await runRecording({ target: { kind: 'launch', command: [bin.echo_stdin, '20'] }, options: { instrument: 'syscalls' } }, { outputDir: dir });
  await waitFor('the prompt', () => outputText(r.events).includes('echo_stdin ready'));
  r.recording.resize(100, 40);
  r.recording.write('hello heatline\r');
  await waitFor('the echo', () => outputText(r.events).includes('echo_stdin got: hello heatline'));
  r.recording.write('quit\r');
  const result = await finished(r, 20_000);
  assert.match(outputText(r.events), /echo_stdin bye/);
  const rows = parseStraceSummary(readFileSync(result.path, 'utf8'));
  assert.ok(rows.some((row) => row.syscall === 'read'));
  const log = await run('cat', [result.logPath]);
  assert.match(log.stdout, /echo_stdin got: hello heatline/);
});
