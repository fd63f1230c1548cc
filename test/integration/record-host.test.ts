/**
 * The host's recording calls with the real tools, as a window would use
 * them (through dispatchCall, the entry every transport uses):
 * - strace -c on until_killed: the events arrive in order (state, output,
 *   progress, finished) and the outcome carries strace's table, getppid
 *   first as in strace's own file; the result is then openable by path in
 *   browser mode and listed in the sessions list, with the same command
 *   line and start time the window got when it started;
 * - Stop through the host on a running perf recording gives a complete file;
 * - lowerPerfParanoid runs `sysctl -w kernel.perf_event_paranoid=2` through
 *   sudo in a pty (as root, sudo does not ask) and the host's probe sees the
 *   new level; the setting is put back afterwards. Root only (sysctl);
 * - a window closed while its recording starts leaves nothing running.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createRecordingServices } from '../../src-main/host/record-handlers';
import { parseStraceSummary } from '../../src-main/record/outputs/strace';
import type { EventPayload, HostEventName } from '../../src-shared/contract';
import { recordRequestSchema } from '../../src-shared/record/options';
import type { RecordingOutcome, StartedRecording } from '../../src-shared/record/types';
import { compileFixture, hottestUserFunction, perfReportBySymbol } from '../helpers/perf';
import { recordingsDir, RESOURCES_DIR, waitFor } from '../helpers/record';

function setup(name: string) {
  const events: { name: HostEventName; payload: unknown }[] = [];
  const recording = createRecordingServices({ dataDir: recordingsDir(name), resourcesDir: RESOURCES_DIR, interruptGraceMs: 8000, termGraceMs: 3000 });
  const host = createHost({
    mode: 'browser',
    version: 't',
    emit: <E extends HostEventName>(event: E, payload: EventPayload<E>) => void events.push({ name: event, payload }),
    mayOpenPath: (path) => recording.isRecordingResult(path),
    recording,
  });
  const finished = (sessionId: string) =>
    waitFor('recordingFinished', () => events.find((e) => e.name === 'recordingFinished' && (e.payload as RecordingOutcome).sessionId === sessionId)?.payload as RecordingOutcome | undefined, 60_000);
  return { host, events, recording, finished };
}

async function call<T>(host: ReturnType<typeof createHost>, name: string, args: unknown): Promise<T> {
  const outcome = await dispatchCall(host, name, args);
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
  return outcome.value as T;
}

test('strace -c through the host: events in order, the table as strace wrote it, the result listed and openable', async () => {
  const binary = await compileFixture('until_killed');
  const { host, events, recording, finished } = setup('host-strace');
  // A word with a blank: the session panel (StartedRecording) and the sessions list must show the same line.
  const request = recordRequestSchema.parse({ target: { kind: 'launch', command: [binary, '1', 'two words'] }, options: { instrument: 'syscalls', mode: 'summary' } });
  const started = await call<StartedRecording>(host, 'startRecording', { request });
  assert.equal(started.command, `${binary} 1 "two words"`);
  const outcome = await finished(started.sessionId);
  assert.equal(outcome.error, null);
  assert.equal(outcome.opensAsProfile, false);
  const names = events.filter((e) => (e.payload as { sessionId?: string }).sessionId === started.sessionId).map((e) => e.name);
  assert.equal(names[0], 'recordingState');
  assert.ok(names.includes('recordingOutput'), 'the terminal output arrives');
  assert.equal(names.at(-1), 'recordingFinished');
  const fromStrace = parseStraceSummary(readFileSync(outcome.result!.path, 'utf8'));
  assert.equal(outcome.table?.kind, 'syscalls');
  assert.deepEqual(outcome.table?.rows, fromStrace);
  assert.equal(fromStrace[0].syscall, 'getppid');
  assert.ok(recording.isRecordingResult(outcome.result!.path));
  const list = await call<{ id: string; file: string; status: string; command: string; startedAt: number }[]>(host, 'listRecordings', {});
  assert.deepEqual(list.map((e) => [e.id, e.file, e.status, e.command, e.startedAt]), [[started.sessionId, outcome.result!.path, 'finished', started.command, started.startedAt]]);
  assert.equal(outcome.result!.command, started.command);
  host.dispose();
});

test('Stop through the host ends a perf recording with a complete file', async () => {
  const binary = await compileFixture('until_killed');
  const { host, events, finished } = setup('host-stop');
  const request = recordRequestSchema.parse({ target: { kind: 'launch', command: [binary, '30'] }, options: { instrument: 'cpu' } });
  const started = await call<StartedRecording>(host, 'startRecording', { request });
  await waitFor('1 s of recording', () => events.some((e) => e.name === 'recordingProgress' && (e.payload as { elapsedMs: number }).elapsedMs >= 1000));
  await call(host, 'stopRecording', { sessionId: started.sessionId });
  const outcome = await finished(started.sessionId);
  assert.equal(outcome.error, null);
  assert.equal(outcome.opensAsProfile, true);
  assert.equal(hottestUserFunction(await perfReportBySymbol(outcome.result!.path)), 'spin_hot');
  assert.ok(events.some((e) => e.name === 'recordingState' && (e.payload as { state: string }).state === 'stopping'));
  host.dispose();
});

const PARANOID = '/proc/sys/kernel/perf_event_paranoid';
test('lowerPerfParanoid runs one elevated sysctl and the probe sees the new level', { skip: process.getuid?.() !== 0 ? 'changes a kernel setting: run as root' : false }, async () => {
  const original = readFileSync(PARANOID, 'utf8').trim();
  writeFileSync(PARANOID, '3');
  try {
    const { host, finished, recording } = setup('host-paranoid');
    assert.equal((await call<{ perf: { paranoid: number } }>(host, 'getRecordCapabilities', { refresh: true })).perf.paranoid, 3);
    // A user asks (the host decides as this user would be decided for: a hand-made machine where sudo is the way).
    const probe = recording.capabilities;
    recording.capabilities = async (refresh) => ({ ...(await probe(refresh)), uid: 4321, gid: 4321, userName: 'alice' });
    const request = recordRequestSchema.parse({ target: { kind: 'launch', command: ['/bin/true'] }, options: { instrument: 'cpu' } });
    const started = await call<StartedRecording>(host, 'lowerPerfParanoid', { request, method: 'sudo' });
    const outcome = await finished(started.sessionId);
    assert.equal(outcome.error, null);
    assert.equal(readFileSync(PARANOID, 'utf8').trim(), '2');
    assert.equal((await call<{ perf: { paranoid: number } }>(host, 'getRecordCapabilities', { refresh: false })).perf.paranoid, 2, 'probed again after the change');
    host.dispose();
  } finally {
    writeFileSync(PARANOID, original);
  }
});

/** Processes whose command line holds `word` (read from /proc), for checking that nothing outlived its window. */
function processesWith(word: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(word)) found.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return found;
}

test('a window closed while its recording starts: the call fails with one line and neither profiler nor program runs on', async () => {
  const binary = await compileFixture('until_killed');
  // Closed at two moments: before startRecording runs (the capabilities probe), and inside it (its 'starting' state).
  for (const moment of ['before', 'starting'] as const) {
    const { host, events } = setup(`host-dispose-${moment}`);
    const seconds = `${30 + Math.floor(Math.random() * 1000) / 1000}`; // a word no other process has
    if (moment === 'starting') {
      const emit = events.push.bind(events);
      events.push = (...items) => {
        if (items.some((e) => e.name === 'recordingState' && (e.payload as { state: string }).state === 'starting')) host.dispose();
        return emit(...items);
      };
    }
    const request = recordRequestSchema.parse({ target: { kind: 'launch', command: [binary, seconds] }, options: { instrument: 'syscalls', mode: 'summary' } });
    const outcome = dispatchCall(host, 'startRecording', { request });
    if (moment === 'before') host.dispose();
    assert.deepEqual(await outcome, { ok: false, error: 'the window closed while the recording was starting' }, moment);
    try {
      await waitFor(`no process left with ${seconds} (closed ${moment})`, () => processesWith(seconds).length === 0, 10_000);
    } finally {
      for (const pid of processesWith(seconds)) process.kill(pid, 'SIGKILL');
    }
  }
});
