/**
 * instruments.ts: the argv each instrument runs (argv arrays, absolute
 * program paths, the output file where the tool is told to write), how it
 * stops, and the package hint for a missing tool.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan, type PlanContext } from '../../src-main/record/instruments';
import { recordRequestSchema, type RecordRequestInput } from '../../src-shared/record/options';
import { installHint, MissingToolError } from '../../src-main/record/packages';
import { fakeCaps } from '../helpers/record';

const ctx: PlanContext = { caps: fakeCaps(), outputStem: '/rec/s1', resourcesDir: '/res', cwd: '/home/alice' };
const launch = { kind: 'launch', command: ['/bin/prog', 'a b'] } as const;
const plan = (input: Omit<RecordRequestInput, 'target'> & { target?: RecordRequestInput['target'] }, c = ctx) =>
  buildPlan(recordRequestSchema.parse({ target: launch, ...input }), c);

test('perf CPU: software clock when there is no PMU, the call graph and frequency asked for, the program after --', async () => {
  const p = await plan({ options: { instrument: 'cpu', callGraph: 'dwarf', frequency: 2000 } });
  assert.deepEqual(p.argv, ['/usr/bin/perf', 'record', '-e', 'cpu-clock', '-F', '2000', '--call-graph', 'dwarf', '-o', '/rec/s1.perf.data', '--', '/bin/prog', 'a b']);
  assert.equal(p.format, 'perf.data');
  assert.deepEqual(p.stop, { kind: 'interrupt', perRun: false });
  const withPmu = await plan({ options: { instrument: 'cpu' } }, { ...ctx, caps: fakeCaps({ perf: { hardwareCounters: true } }) });
  assert.equal(withPmu.argv[3], 'cycles');
});

test('attach uses -p / --pid; launch-only instruments refuse to attach', async () => {
  const p = await plan({ target: { kind: 'attach', pid: 42 }, options: { instrument: 'syscalls', mode: 'timeline' } });
  assert.deepEqual(p.argv, ['/usr/bin/strace', '-f', '-T', '-tt', '-o', '/rec/s1.strace.txt', '-p', '42']);
  await assert.rejects(plan({ target: { kind: 'attach', pid: 42 }, options: { instrument: 'dhat' } }), /can only launch/);
});

test('strace timeline: -Y (command names per pid) only where strace has it, from 5.17', async () => {
  const withVersion = (version: string | null) => ({ ...ctx, caps: fakeCaps({ tools: { ...fakeCaps().tools, strace: { path: '/usr/bin/strace', version } } }) });
  const timeline = { options: { instrument: 'syscalls', mode: 'timeline' } } as const;
  assert.deepEqual((await plan(timeline, withVersion('strace -- version 6.1'))).argv.slice(0, 6), ['/usr/bin/strace', '-f', '-T', '-tt', '-Y', '-o']);
  assert.deepEqual((await plan(timeline, withVersion('strace -- version 5.17'))).argv[4], '-Y');
  assert.deepEqual((await plan(timeline, withVersion('strace -- version 5.16'))).argv[4], '-o');
  assert.deepEqual((await plan(timeline, withVersion(null))).argv[4], '-o');
  assert.ok(!(await plan({ options: { instrument: 'syscalls', mode: 'summary' } }, withVersion('strace -- version 6.1'))).argv.includes('-Y'));
});

test('perf stat: CSV mode, the events, --repeat, and one Ctrl+C per run to stop', async () => {
  const p = await plan({ options: { instrument: 'counters', events: ['task-clock', 'page-faults'], repeat: 3 } });
  assert.deepEqual(p.argv, ['/usr/bin/perf', 'stat', '-x', ',', '-e', 'task-clock,page-faults', '-r', '3', '-o', '/rec/s1.perf-stat.csv', '--', '/bin/prog', 'a b']);
  assert.deepEqual(p.stop, { kind: 'interrupt', perRun: true });
  assert.throws(() => recordRequestSchema.parse({ target: launch, options: { instrument: 'counters', events: ['a;rm -rf /'] } }));
});

test('off-CPU records sched_switch with switch events', async () => {
  const p = await plan({ options: { instrument: 'offcpu' } });
  assert.deepEqual(p.argv.slice(0, 6), ['/usr/bin/perf', 'record', '-e', 'sched:sched_switch', '--switch-events', '--call-graph']);
});

test('valgrind tools and heaptrack: output options, heaptrack stops through its program only', async () => {
  assert.deepEqual((await plan({ options: { instrument: 'dhat' } })).argv, ['/usr/bin/valgrind', '--tool=dhat', '--dhat-out-file=/rec/s1.dhat.json', '/bin/prog', 'a b']);
  assert.deepEqual((await plan({ options: { instrument: 'massif' } })).argv, ['/usr/bin/valgrind', '--tool=massif', '--massif-out-file=/rec/s1.massif.out', '/bin/prog', 'a b']);
  const h = await plan({ options: { instrument: 'heaptrack' } });
  assert.deepEqual(h.argv, ['/usr/bin/heaptrack', '-o', '/rec/s1.heaptrack', '/bin/prog', 'a b']);
  assert.equal(h.stop.kind, 'signal-target');
  assert.deepEqual(h.finish, { kind: 'heaptrack-suffix' });
  await assert.rejects(plan({ options: { instrument: 'heaptrack' } }, { ...ctx, outputStem: '/my recs/x' }), /spaces/);
});

test('an elevated launch runs the program as the user again, with its environment and folder', async () => {
  const p = await plan(
    { target: { kind: 'launch', command: ['/bin/prog'], cwd: '/work', env: { MODE: 'fast' } }, options: { instrument: 'cpu' } },
    { ...ctx, dropTo: { uid: 1000, gid: 1000, home: '/home/alice' } },
  );
  const program = p.argv.slice(p.argv.indexOf('--') + 1);
  assert.deepEqual(program, ['/usr/bin/setpriv', '--reuid=1000', '--regid=1000', '--init-groups', '--', '/usr/bin/env', '--chdir=/work', '--', 'HOME=/home/alice', 'MODE=fast', '/bin/prog']);
});

test('a command is found on PATH or named as not found', async () => {
  const p = await plan({ target: { kind: 'launch', command: ['sh', '-c', 'true'] }, options: { instrument: 'syscalls' } });
  assert.match(p.argv[p.argv.indexOf('--') + 1], /^\/.*\/sh$/);
  await assert.rejects(plan({ target: { kind: 'launch', command: ['no-such-program-xyz'] }, options: { instrument: 'cpu' } }), /no-such-program-xyz: command not found/);
});

test('macOS: dtrace script with frequency and duration; xctrace attach; dtruss from the transcript', async () => {
  const mac = fakeCaps({ platform: 'darwin', distro: 'macos', tools: { dtrace: { path: '/usr/sbin/dtrace', version: null }, xctrace: { path: '/usr/bin/xctrace', version: null }, dtruss: { path: '/usr/bin/dtruss', version: null } } });
  const d = await plan({ target: { kind: 'launch', command: ['/bin/prog', 'x'] }, options: { instrument: 'cpu', tool: 'dtrace', frequency: 997 }, durationSeconds: 5 }, { ...ctx, caps: mac });
  assert.deepEqual(d.argv, ['/usr/sbin/dtrace', '-q', '-o', '/rec/s1.collapsed.txt.dtrace', '-c', '/bin/prog x', '-s', '/res/dtrace/cpu-profile.d', '997', '5']);
  assert.equal(d.format, 'collapsed');
  // The default launch has an argument with a blank, which dtrace -c cannot pass.
  await assert.rejects(plan({ options: { instrument: 'cpu', tool: 'dtrace' } }, { ...ctx, caps: mac }), /spaces/);
  const x = await plan({ target: { kind: 'attach', pid: 7 }, options: { instrument: 'cpu', tool: 'xctrace' }, durationSeconds: 2.5 }, { ...ctx, caps: mac });
  assert.deepEqual(x.argv, ['/usr/bin/xctrace', 'record', '--template', 'Time Profiler', '--output', '/rec/s1.xctrace.trace', '--time-limit', '3s', '--attach', '7']);
  const t = await plan({ target: { kind: 'attach', pid: 7 }, options: { instrument: 'syscalls', tool: 'dtruss', mode: 'timeline' } }, { ...ctx, caps: mac });
  assert.deepEqual(t.argv, ['/usr/bin/dtruss', '-f', '-d', '-e', '-p', '7']);
  assert.deepEqual(t.finish, { kind: 'transcript' });
});

test('a missing tool names the package that provides it on this distribution', async () => {
  const noPerf = fakeCaps({ tools: {} });
  await assert.rejects(plan({ options: { instrument: 'cpu' } }, { ...ctx, caps: noPerf }), (error: unknown) => {
    assert.ok(error instanceof MissingToolError);
    assert.equal(error.message, 'perf is not installed: sudo apt install linux-perf');
    return true;
  });
  assert.equal(installHint('perf', 'fedora'), 'sudo dnf install perf');
  assert.equal(installHint('perf', 'ubuntu'), 'sudo apt install linux-tools-common linux-tools-generic');
  assert.equal(installHint('valgrind', 'arch'), 'sudo pacman -S valgrind');
  assert.equal(installHint('heaptrack', 'debian'), 'sudo apt install heaptrack');
  assert.equal(installHint('py-spy', 'debian'), 'pip install py-spy (or pipx install py-spy)');
  assert.match(installHint('xctrace', 'macos'), /Xcode/);
});

test('lbr and dwarf are refused when this machine cannot do them', async () => {
  await assert.rejects(plan({ options: { instrument: 'cpu', callGraph: 'lbr' } }), /LBR/);
  await assert.rejects(plan({ options: { instrument: 'cpu', callGraph: 'dwarf' } }, { ...ctx, caps: fakeCaps({ perf: { dwarfUnwinding: false } }) }), /DWARF/);
});
