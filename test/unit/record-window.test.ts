/**
 * The window's side of recording, without a browser:
 * - the record dialog's fields become requests the host's own schema accepts
 *   (shell-like word splitting without expansion, NAME=value lines, bounds);
 * - the host's recording calls refuse bad arguments before any handler
 *   runs, and never repeat a password in an error;
 * - the capabilities summary names the package of a missing tool;
 * - the record store follows the host's events (state, progress, sudo's
 *   prompt, the outcome), opens a finished profile, and keeps no password;
 * - a browser-mode host without recording (serve without --record) refuses
 *   every recording call with the line that says how to turn it on, and the
 *   store keeps that line for Record… and Attach… instead of their dialogs.
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createRecordingServices, RECORDING_OFF_IN_BROWSER } from '../../src-main/host/record-handlers';
import { createRecordStore } from '../../src-renderer/store/record-store';
import { buildRequest, defaultDraft, parseEnv, splitCommandLine, type RecordDraft } from '../../src-renderer/views/record/request-draft';
import type { EventPayload, HostClient, HostEventName } from '../../src-shared/contract';
import { recordRequestSchema } from '../../src-shared/record/options';
import type { RecordingOutcome } from '../../src-shared/record/types';
import { fakeCaps, waitFor } from '../helpers/record';

test('command lines split like a shell splits words, with nothing expanded', () => {
  assert.deepEqual(splitCommandLine(`./prog --name 'a b' "c \\"d\\"" e\\ f $HOME *`), ['./prog', '--name', 'a b', 'c "d"', 'e f', '$HOME', '*']);
  assert.deepEqual(splitCommandLine(`  x  ''  `), ['x', '']);
  assert.deepEqual(splitCommandLine(''), []);
  assert.deepEqual(splitCommandLine(`sh -c 'echo "hi"`), { error: 'the command line has an unclosed single quote' });
  assert.deepEqual(parseEnv('A=1\n# note\n\nB_2=x=y\n'), { env: { A: '1', B_2: 'x=y' } });
  assert.deepEqual(parseEnv('1A=2'), { error: 'environment: "1A=2" is not NAME=value' });
});

test('the dialog builds requests the host schema accepts, or names the first problem', () => {
  const draft = (patch: Partial<RecordDraft>): RecordDraft => ({ ...defaultDraft('linux'), ...patch });
  const size = { elevation: null, cols: 120, rows: 30 };
  const launch = buildRequest(draft({ commandLine: `/bin/prog 'a b'`, cwd: ' /tmp ', envText: 'X=1', instrument: 'counters', counterEvents: 'task-clock, page-faults', repeat: '3', untilStop: false, seconds: '2.5' }), size);
  assert.ok(!('error' in launch));
  assert.deepEqual(recordRequestSchema.parse(launch), launch, 'exactly what the host validates, defaults included');
  assert.deepEqual(launch.target, { kind: 'launch', command: ['/bin/prog', 'a b'], env: { X: '1' }, cwd: '/tmp' });
  assert.deepEqual(launch.options, { instrument: 'counters', events: ['task-clock', 'page-faults'], repeat: 3 });
  assert.equal(launch.durationSeconds, 2.5);

  const attach = buildRequest(draft({ targetKind: 'attach', pid: '4242', instrument: 'cpu', callGraph: 'dwarf', frequency: '99' }), { ...size, elevation: 'sudo' });
  assert.ok(!('error' in attach));
  assert.deepEqual(recordRequestSchema.parse(attach), attach);
  assert.deepEqual(attach.options, { instrument: 'cpu', tool: 'perf', callGraph: 'dwarf', frequency: 99 });
  assert.equal(attach.elevation, 'sudo');

  assert.deepEqual(buildRequest(draft({ commandLine: '  ' }), size), { error: 'type the command to launch' });
  assert.deepEqual(buildRequest(draft({ targetKind: 'attach', pid: '12x' }), size), { error: 'pick a process to attach to (or type its PID)' });
  assert.deepEqual(buildRequest(draft({ commandLine: 'x', frequency: '0' }), size), { error: 'the sampling frequency must be a whole number from 1 to 50000' });
  assert.deepEqual(buildRequest(draft({ commandLine: 'x', instrument: 'counters', counterEvents: 'cycles;rm' }), size), { error: '"cycles;rm" is not a perf event name' });
  assert.deepEqual(buildRequest(draft({ commandLine: 'x', untilStop: false, seconds: '-1' }), size), { error: 'the duration must be a number of seconds above 0' });
});

function testHost(caps = fakeCaps({ uid: process.getuid!(), gid: process.getgid!() })) {
  const events: { name: string; payload: unknown }[] = [];
  const recording = createRecordingServices({ dataDir: mkdtempSync(join(tmpdir(), 'heatline-rec-')), resourcesDir: '/nonexistent', capabilities: caps });
  const host = createHost({ mode: 'browser', version: 't', emit: (name, payload) => events.push({ name, payload }), mayOpenPath: () => false, recording });
  return { host, events, recording };
}

test('recording calls refuse bad arguments before a handler runs, and never echo a password', async () => {
  const { host } = testHost();
  const secret = 'S3cret-'.repeat(200);
  const long = await dispatchCall(host, 'providePassword', { sessionId: 'abc', password: secret });
  assert.equal(long.ok, false);
  assert.ok(!long.ok && !long.error.includes('S3cret'), 'a too long password is refused without quoting it');
  const unknown = await dispatchCall(host, 'providePassword', { sessionId: 'abc', password: 'S3cret' });
  assert.deepEqual(unknown, { ok: false, error: 'no running recording abc' });
  assert.match(JSON.stringify(await dispatchCall(host, 'stopRecording', { sessionId: '../x y' })), /a session id is/);
  assert.match(JSON.stringify(await dispatchCall(host, 'resizeRecording', { sessionId: 'a', cols: 5, rows: 10 })), /bad argument at cols/);
  assert.match(JSON.stringify(await dispatchCall(host, 'writeRecordingInput', { sessionId: 'a', data: 'x'.repeat(70_000) })), /bad argument at data/);
  const badPid = { request: { target: { kind: 'attach', pid: -4 }, options: { instrument: 'cpu' } } };
  assert.match(JSON.stringify(await dispatchCall(host, 'checkRecording', badPid)), /bad argument at request\.target\.pid/);
  // The level comes from the host's decision, never from the window; and only when lowering would help.
  const launch = { target: { kind: 'launch', command: ['/bin/true'] }, options: { instrument: 'cpu' } };
  assert.match(JSON.stringify(await dispatchCall(host, 'lowerPerfParanoid', { request: launch, method: 'sudo', level: -1 })), /bad argument/);
  const noHelp = await dispatchCall(host, 'lowerPerfParanoid', { request: launch, method: 'sudo' });
  assert.deepEqual(noHelp, { ok: false, error: 'lowering perf_event_paranoid with sudo would not help this recording' });
  assert.match(JSON.stringify(await dispatchCall(host, 'startRecording', { request: { target: { kind: 'launch', command: ['sh', '-c', 'x'] }, options: { instrument: 'cpu' }, extra: 1 } })), /bad argument/);
  host.dispose();
});

test('capabilities name the package of a missing tool; another user\'s process needs elevation, before anything starts', async () => {
  const caps = fakeCaps({ uid: 4321, gid: 4321, userName: 'alice' });
  delete caps.tools.heaptrack;
  const { host } = testHost(caps);
  const summary = await host.getRecordCapabilities({ refresh: false });
  assert.ok(summary.canRecord);
  const heaptrack = summary.instruments.find((i) => i.id === 'heaptrack')!;
  assert.deepEqual(heaptrack.tools, [{ tool: 'heaptrack', installed: false, installHint: 'sudo apt install heaptrack' }]);
  assert.deepEqual(summary.instruments.find((i) => i.id === 'cpu')!.tools.map((t) => t.tool), ['perf'], 'dtrace and xctrace only on macOS');
  assert.deepEqual(summary.elevation, ['sudo']);
  const decision = await host.checkRecording({ request: recordRequestSchema.parse({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'cpu' } }) });
  assert.equal(decision.kind, 'needs-elevation');
  const rows = await host.listProcesses({ options: { instrument: 'cpu', tool: 'perf', callGraph: 'fp', frequency: 999 }, durationSeconds: null });
  const init = rows.find((r) => r.pid === 1)!;
  assert.equal(init.permission, 'needs-elevation', 'pid 1 is root\'s, not alice\'s');
  assert.deepEqual(await host.listRecordings({}), []);
  host.dispose();
});

/** A host client whose events the test emits and whose calls it answers. */
function fakeClient() {
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  const calls: { name: string; args: unknown }[] = [];
  const client = new Proxy({} as HostClient, {
    get: (_, name: string) => {
      if (name === 'on')
        return (event: string, listener: (payload: unknown) => void) => {
          listeners.set(event, [...(listeners.get(event) ?? []), listener]);
          return () => undefined;
        };
      return async (args: unknown) => {
        calls.push({ name, args });
        if (name === 'startRecording') return { sessionId: 's1', label: 'perf record', command: '/bin/prog', startedAt: 1 };
        if (name === 'listRecordings') return [];
        return undefined;
      };
    },
  });
  const emit = <E extends HostEventName>(name: E, payload: EventPayload<E>) => (listeners.get(name) ?? []).forEach((l) => l(payload));
  return { client, emit, calls };
}

test('the record store follows a session from start to its result, and keeps no password', async () => {
  const { client, emit, calls } = fakeClient();
  const opened: string[] = [];
  const store = createRecordStore({ host: client, openPath: async (path) => void opened.push(path) });
  store.getState().connect();
  emit('menuCommand', { command: 'attach' });
  assert.equal(store.getState().dialog, 'attach');
  const request = recordRequestSchema.parse({ target: { kind: 'launch', command: ['/bin/prog'] }, options: { instrument: 'cpu' } });
  assert.equal(await store.getState().start(request), true);
  assert.equal(store.getState().shownSessionId, 's1');
  assert.equal(store.getState().dialog, null);

  emit('recordingOutput', { sessionId: 's1', data: 'hello ' });
  const seen: string[] = [];
  store.getState().onOutput('s1', (data) => seen.push(data));
  emit('recordingOutput', { sessionId: 's1', data: 'world' });
  assert.equal(store.getState().output('s1'), 'hello world', 'a terminal mounted late gets the beginning');
  assert.deepEqual(seen, ['world']);

  emit('recordingProgress', { sessionId: 's1', elapsedMs: 1500, bytes: 4096 });
  emit('recordingPasswordRequested', { sessionId: 's1', attempt: 1 });
  let session = store.getState().sessions[0];
  assert.deepEqual([session.elapsedMs, session.bytes, session.passwordAttempt], [1500, 4096, 1]);
  await store.getState().providePassword('s1', 'hunter2-secret');
  assert.equal(store.getState().sessions[0].passwordAttempt, null);
  assert.deepEqual(calls.find((c) => c.name === 'providePassword')?.args, { sessionId: 's1', password: 'hunter2-secret' });
  assert.ok(!JSON.stringify(store.getState()).includes('hunter2'), 'the password is not in the store');

  emit('recordingState', { sessionId: 's1', state: 'stopping', message: 'Sent SIGTERM' });
  assert.equal(store.getState().sessions[0].message, 'Sent SIGTERM');
  const outcome: RecordingOutcome = {
    sessionId: 's1',
    result: { sessionId: 's1', path: '/data/s1.perf.data', format: 'perf.data', label: 'perf record', command: '/bin/prog', startedAt: 1, durationMs: 1500, logPath: '/data/s1.perf.data.log' },
    opensAsProfile: true,
    table: null,
    error: null,
  };
  emit('recordingFinished', outcome);
  session = store.getState().sessions[0];
  assert.equal(session.state, 'finished');
  assert.deepEqual(opened, ['/data/s1.perf.data']);
  emit('recordingFinished', { ...outcome, sessionId: 's1', result: { ...outcome.result!, format: 'perf-stat-csv' }, opensAsProfile: false });
  assert.deepEqual(opened, ['/data/s1.perf.data'], 'a table is shown, not opened');
});

test('browser mode without --record: every recording call is refused with one line, and the store shows it for Record… and Attach…', async () => {
  const host = createHost({ mode: 'browser', version: 't', emit: () => {}, mayOpenPath: () => false });
  assert.equal(RECORDING_OFF_IN_BROWSER, 'recording is off in browser mode: start with `heatline serve --record`');
  assert.deepEqual(await dispatchCall(host, 'getRecordCapabilities', {}), { ok: true, value: { canRecord: false, reason: RECORDING_OFF_IN_BROWSER } });
  const request = { target: { kind: 'launch', command: ['/bin/true'] }, options: { instrument: 'cpu' } };
  const refused: [string, unknown][] = [
    ['checkRecording', { request }],
    ['startRecording', { request }],
    ['lowerPerfParanoid', { request, method: 'sudo' }],
    ['listProcesses', { options: { instrument: 'cpu' } }],
    ['listRecordings', {}],
    ['stopRecording', { sessionId: 'x' }],
  ];
  for (const [name, args] of refused) assert.deepEqual(await dispatchCall(host, name, args), { ok: false, error: RECORDING_OFF_IN_BROWSER }, name);

  // The store, talking to that host as the window does.
  const client = new Proxy({} as HostClient, {
    get: (_, name: string) =>
      name === 'on'
        ? () => () => undefined
        : async (args: unknown) => {
            const outcome = await dispatchCall(host, name, args);
            if (!outcome.ok) throw new Error(outcome.error);
            return outcome.value;
          },
  });
  const store = createRecordStore({ host: client, openPath: async () => {} });
  store.getState().openDialog('attach');
  await waitFor('the host says recording is off', () => store.getState().off !== null);
  assert.equal(store.getState().off, RECORDING_OFF_IN_BROWSER);
  assert.equal(store.getState().caps, null);
  store.getState().toggleRecordings(true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(store.getState().error, null, 'the recordings list is not asked for (its reason is shown instead)');

  // Electron keeps recording on: the same call answers with the machine's capabilities.
  const electron = createHost({ mode: 'electron', version: 't', emit: () => {}, mayOpenPath: () => true, recording: testHost().recording });
  const caps = await electron.getRecordCapabilities({ refresh: false });
  assert.equal(caps.canRecord, true);
  host.dispose();
  electron.dispose();
});
