/**
 * privilege.ts and elevation.ts: the decision before Start, perf's own
 * refusal turned into the same explanation, the allow-list, and the
 * quoting of macOS's administrator prompt (checked by running the quoted
 * line through /bin/sh and comparing the argv it receives).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { administratorScript, appleScriptString, chownCommand, elevate, lowerParanoidCommand, shellQuote } from '../../src-main/record/elevation';
import { recordRequestSchema, type RecordRequestInput } from '../../src-shared/record/options';
import { decidePrivilege, explainRefusal } from '../../src-main/record/privilege';
import { fakeCaps } from '../helpers/record';

const req = (input: RecordRequestInput) => recordRequestSchema.parse(input);
const attachCpu = req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'cpu' } });
const rootProcess = { pid: 1, uid: 0, user: 'root' };
const ownProcess = { pid: 1, uid: 1000, user: 'alice' };

test("another user's process needs elevation, said in plain words; only elevation is offered", () => {
  const decision = decidePrivilege(attachCpu, fakeCaps({ polkitAgent: true }), rootProcess);
  assert.equal(decision.kind, 'needs-elevation');
  if (decision.kind !== 'needs-elevation') return;
  assert.equal(decision.reason, 'Process 1 belongs to root; perf may watch only your own processes without administrator rights.');
  assert.deepEqual(decision.remedies, [
    { kind: 'elevate', method: 'pkexec' },
    { kind: 'elevate', method: 'sudo' },
  ]);
});

test('pkexec is offered only with a polkit agent; with no way to elevate it is impossible', () => {
  const noAgent = decidePrivilege(attachCpu, fakeCaps(), rootProcess);
  assert.deepEqual(noAgent.kind === 'needs-elevation' && noAgent.remedies, [{ kind: 'elevate', method: 'sudo' }]);
  const none = decidePrivilege(attachCpu, fakeCaps({ tools: { perf: { path: '/usr/bin/perf', version: null } } }), rootProcess);
  assert.equal(none.kind, 'impossible');
});

test('paranoid 3 blocks perf for users; lowering it to 2 is offered; own processes at 2 are fine with a note', () => {
  const caps3 = fakeCaps({ perf: { paranoid: 3 } });
  const decision = decidePrivilege(attachCpu, caps3, ownProcess);
  assert.equal(decision.kind, 'needs-elevation');
  assert.ok(decision.kind === 'needs-elevation' && decision.remedies.some((r) => r.kind === 'lower-paranoid' && r.level === 2 && r.method === 'sudo'));
  const ok = decidePrivilege(attachCpu, fakeCaps(), ownProcess);
  assert.equal(ok.kind, 'allowed');
  assert.match(ok.kind === 'allowed' ? ok.notes.join() : '', /Kernel frames are left out/);
  assert.equal(decidePrivilege(attachCpu, fakeCaps({ uid: 0 }), rootProcess).kind, 'allowed');
});

test('off-CPU needs a readable tracefs and paranoid -1', () => {
  const offcpu = req({ target: { kind: 'launch', command: ['/bin/true'] }, options: { instrument: 'offcpu' } });
  const closed = decidePrivilege(offcpu, fakeCaps(), null);
  assert.equal(closed.kind, 'needs-elevation');
  assert.match(closed.kind === 'needs-elevation' ? closed.reason : '', /readable only by root/);
  const readable = decidePrivilege(offcpu, fakeCaps({ perf: { schedSwitchReadable: true, paranoid: 1 } }), null);
  assert.ok(readable.kind === 'needs-elevation' && readable.remedies.some((r) => r.kind === 'lower-paranoid' && r.level === -1));
  assert.equal(decidePrivilege(offcpu, fakeCaps({ perf: { schedSwitchReadable: true, paranoid: -1 } }), null).kind, 'allowed');
});

test('ptrace: strace -p on an own process under Yama scope 1 needs elevation; scope 3 is impossible', () => {
  const strace = req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'syscalls' } });
  assert.equal(decidePrivilege(strace, fakeCaps(), ownProcess).kind, 'allowed');
  assert.equal(decidePrivilege(strace, fakeCaps({ ptraceScope: 1 }), ownProcess).kind, 'needs-elevation');
  assert.equal(decidePrivilege(strace, fakeCaps({ ptraceScope: 3 }), ownProcess).kind, 'impossible');
});

test('a process that is gone, and launch-only tools asked to attach, are impossible', () => {
  assert.equal(decidePrivilege(attachCpu, fakeCaps(), { pid: 1, uid: null, user: null }).kind, 'impossible');
  assert.equal(decidePrivilege(req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'massif' } }), fakeCaps(), ownProcess).kind, 'impossible');
});

test('macOS: dtrace needs root, osascript only when the recording ends by itself, SIP noted', () => {
  const mac = fakeCaps({ platform: 'darwin', distro: 'macos', sipEnabled: true, tools: { dtrace: { path: '/usr/sbin/dtrace', version: null }, sudo: { path: '/usr/bin/sudo', version: null }, osascript: { path: '/usr/bin/osascript', version: null } } });
  const untilStop = decidePrivilege(req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'cpu', tool: 'dtrace' } }), mac, ownProcess);
  assert.ok(untilStop.kind === 'needs-elevation');
  assert.deepEqual(untilStop.kind === 'needs-elevation' && untilStop.remedies.map((r) => r.method), ['sudo']);
  assert.match(untilStop.kind === 'needs-elevation' ? untilStop.notes.join() : '', /System Integrity Protection/);
  const timed = decidePrivilege(req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'cpu', tool: 'dtrace' }, durationSeconds: 3 }), mac, ownProcess);
  assert.deepEqual(timed.kind === 'needs-elevation' && timed.remedies.map((r) => r.method), ['sudo', 'osascript']);
});

test("perf's own refusal becomes the dialog's explanation", () => {
  const perfSays = `Error:\nAccess to performance monitoring and observability operations is limited.\nConsider adjusting /proc/sys/kernel/perf_event_paranoid setting\nperf_event_paranoid setting is 2:\n`;
  const caps = fakeCaps();
  const expected = decidePrivilege(attachCpu, caps, rootProcess);
  assert.equal(explainRefusal(perfSays, attachCpu, caps, rootProcess), expected.kind === 'needs-elevation' ? expected.reason : 'x');
  // When our probe had said yes (a setting changed since), perf's own numbers are quoted.
  assert.match(explainRefusal(perfSays, attachCpu, caps, ownProcess) ?? '', /perf_event_paranoid is 2/);
  assert.equal(explainRefusal('[ perf record: Captured and wrote 0.1 MB ]', attachCpu, caps, rootProcess), null);
  const strace = req({ target: { kind: 'attach', pid: 1 }, options: { instrument: 'syscalls' } });
  assert.match(explainRefusal('strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted', strace, caps, rootProcess) ?? '', /belongs to root/);
});

test('elevation: argv arrays from the allow-list only; sudo with a unique prompt marker', () => {
  const caps = fakeCaps({ polkitAgent: true });
  const sudo = elevate('sudo', ['/usr/bin/perf', 'record', '-o', '/x'], caps);
  assert.ok(sudo.promptMarker !== null && /^\[heatline-sudo-[0-9a-f]{16}\]$/.test(sudo.promptMarker));
  assert.deepEqual(sudo.argv, ['/usr/bin/sudo', '-p', `${sudo.promptMarker} `, '--', '/usr/bin/perf', 'record', '-o', '/x']);
  assert.notEqual(elevate('sudo', ['/usr/bin/perf'], caps).promptMarker, sudo.promptMarker);
  assert.deepEqual(elevate('pkexec', ['/usr/bin/strace', '-p', '1'], caps).argv, ['/usr/bin/pkexec', '/usr/bin/strace', '-p', '1']);
  assert.throws(() => elevate('sudo', ['/usr/bin/valgrind', 'x'], caps), /refusing to run \/usr\/bin\/valgrind elevated/);
  assert.throws(() => elevate('sudo', ['perf', 'record'], caps), /refusing/); // not the probed absolute path
  assert.throws(() => elevate('sudo', ['/tmp/perf'], caps), /refusing/);
  assert.deepEqual(lowerParanoidCommand('pkexec', 1, caps).argv, ['/usr/bin/pkexec', '/usr/sbin/sysctl', '-w', 'kernel.perf_event_paranoid=1']);
  assert.throws(() => lowerParanoidCommand('pkexec', 5, caps));
  assert.deepEqual(chownCommand('pkexec', '/r/x.data', caps).argv, ['/usr/bin/pkexec', '/usr/bin/chown', '-R', '--', '1000:1000', '/r/x.data']);
});

test("osascript: every element is shell-quoted inside an AppleScript string", () => {
  const nasty = ['/usr/sbin/dtrace', "it's", 'a "b" \\c', '$(rm -rf ~)', '`x`', 'semi;colon', 'new\nline', '', '*'];
  const script = administratorScript(nasty);
  assert.match(script, /^do shell script ".*" with administrator privileges$/s);
  // Undo the AppleScript literal, then let a real sh split the line: it must give back the same argv.
  const literal = /^do shell script (".*") with administrator privileges$/s.exec(script)![1];
  const line = literal.slice(1, -1).replace(/\\(["\\])/g, '$1');
  assert.equal(appleScriptString(line), literal);
  const echoed = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${line.split(' ').slice(1).join(' ')}`], { encoding: 'utf8' });
  assert.deepEqual(echoed.stdout.split('\0').slice(0, -1), nasty.slice(1));
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  assert.throws(() => administratorScript(['/usr/sbin/dtrace', 'a\0b']), /NUL/);
});
