/**
 * The perf_event_paranoid session (src-main/record/lower-paranoid.ts and the
 * host's lowerPerfParanoid) when things go wrong. node-pty is real where it
 * runs anything (it runs /bin/true or /bin/false in place of sudo sysctl, so
 * no test changes the kernel setting); a spawn that throws is node-pty's own
 * failure to start, as it reports a program it cannot exec.
 * - the pty cannot start: the call fails with one line, a 'failed' state
 *   ends the 'starting' one, and no session stays registered;
 * - the probe after sysctl fails: 'failed' state and a recordingFinished
 *   with the one line, no unhandled rejection;
 * - sysctl fails: the same, naming its exit code;
 * - the window closes while the decision is being made: nothing starts.
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawn as realSpawn } from 'node-pty';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createRecordingServices } from '../../src-main/host/record-handlers';
import { startLowerParanoid } from '../../src-main/record/lower-paranoid';
import type { RecordingEvent } from '../../src-main/record/recorder';
import type { RecordingOutcome } from '../../src-shared/record/types';
import { fakeCaps, waitFor } from '../helpers/record';

/** perf_event_paranoid 3: the decision offers lowering it to 2 with sudo. */
const caps = fakeCaps({ perf: { paranoid: 3 } });
const request = { target: { kind: 'launch', command: ['/bin/true'] }, options: { instrument: 'cpu' } };

/** node-pty's spawn, running `program` in place of whatever the session asks for. */
const runInstead = (program: string) => ((_file: string, _args: string[], options: Parameters<typeof realSpawn>[2]) => realSpawn(program, [], options)) as typeof realSpawn;
const cannotStart = (() => {
  throw new Error('posix_spawnp failed.');
}) as typeof realSpawn;

function testHost(spawn: typeof realSpawn) {
  const events: { name: string; payload: { sessionId?: string; state?: string; message?: string | null } }[] = [];
  const recording = createRecordingServices({ dataDir: mkdtempSync(join(tmpdir(), 'heatline-paranoid-')), resourcesDir: '/nonexistent', capabilities: caps, spawn });
  const host = createHost({ mode: 'electron', version: 't', emit: (name, payload) => events.push({ name, payload: payload as never }), mayOpenPath: () => false, recording });
  return { host, events };
}

test('a sysctl session that cannot start: one line, a failed state after starting, nothing left registered', async () => {
  const { host, events } = testHost(cannotStart);
  const outcome = await dispatchCall(host, 'lowerPerfParanoid', { request, method: 'sudo' });
  assert.deepEqual(outcome, { ok: false, error: 'could not run /usr/bin/sudo: internal error: posix_spawnp failed.' });
  const states = events.filter((e) => e.name === 'recordingState').map((e) => e.payload.state);
  assert.deepEqual(states, ['starting', 'failed'], 'the starting state has its end');
  const sessionId = events[0].payload.sessionId!;
  assert.deepEqual(await dispatchCall(host, 'stopRecording', { sessionId }), { ok: false, error: `no running recording ${sessionId}` });
  host.dispose();
});

test('sysctl exits with an error: failed state and finished event name the exit code', async () => {
  const { host, events } = testHost(runInstead('/bin/false'));
  const started = await dispatchCall(host, 'lowerPerfParanoid', { request, method: 'sudo' });
  assert.ok(started.ok);
  const finished = await waitFor('recordingFinished', () => events.find((e) => e.name === 'recordingFinished')?.payload as RecordingOutcome | undefined, 10_000);
  assert.equal(finished.error, 'perf_event_paranoid is still 3: sysctl failed (exit 1)');
  assert.deepEqual(events.filter((e) => e.name === 'recordingState').map((e) => e.payload.state), ['starting', 'failed']);
  host.dispose();
});

test('the probe after sysctl fails: a failed state and a rejected result, never an unhandled rejection', async () => {
  const events: RecordingEvent[] = [];
  const session = startLowerParanoid('sudo', 2, { caps, reprobe: () => Promise.reject(new Error('/proc/sys/kernel/perf_event_paranoid: EACCES\n  at probe')), cwd: '/', cols: 80, rows: 10, spawn: runInstead('/bin/true') }, (event) => events.push(event));
  await assert.rejects(session.result, { message: 'internal error: /proc/sys/kernel/perf_event_paranoid: EACCES' });
  const states = events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? [e.state, e.message] : null));
  assert.deepEqual(states.at(-1), ['failed', 'internal error: /proc/sys/kernel/perf_event_paranoid: EACCES']);
});

test('the window closes while the decision is made: the sysctl never starts and the call says why', async () => {
  let spawned = 0;
  const counting = ((...args: Parameters<typeof realSpawn>) => (spawned++, realSpawn('/bin/true', [], args[2]))) as typeof realSpawn;
  const { host, events } = testHost(counting);
  const call = dispatchCall(host, 'lowerPerfParanoid', { request, method: 'sudo' });
  host.dispose();
  assert.deepEqual(await call, { ok: false, error: 'the window closed while the recording was starting' });
  assert.equal(spawned, 0);
  assert.deepEqual(events, []);
});
