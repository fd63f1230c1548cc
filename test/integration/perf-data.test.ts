/**
 * The native perf.data reader against perf itself, on recordings made here
 * and now: every expected number comes from perf's own output on the same
 * file (`perf report`, `perf script`), none is typed by hand.
 *
 * Facts compared:
 * - total samples (perf report's sample count) and samples per event;
 * - samples per thread (pid/tid) and per dso of the sampled ip, which checks
 *   the call chain's leaf, the mmap bookkeeping and perf's time ordering of
 *   records (a sample written before its binary's MMAP must still find it);
 * - thread names (each tid's latest comm), process names, and thread
 *   lifetimes (FORK/EXIT times as perf prints them);
 * - the top 5 functions by self cost, once symbol resolvers are wired in.
 * Recordings: frame pointers (-g), pipe mode (-o -), two events with a
 * tracepoint, many sample fields at once, and a DWARF (--call-graph dwarf)
 * leader-sampled group.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from '../../src-shared/report';
import { frameFile, type Profile } from '../../src-shared/profile/model';
import { loadProfile } from '../../src-main/import/load';
import { readPerfData } from '../../src-main/import/perf-data';
import { fileSource } from '../../src-main/import/source';
import { compileFixture, perfReportBySrcline, perfReportBySymbol, perfScriptText, recordPerf } from '../helpers/perf';
import {
  compileFixtureWith,
  countBy,
  dsoName,
  perfReportChildren,
  perfReportThreads,
  perfScriptSamples,
  profileSamples,
  recordPerfPipe,
  recordPerfThreadsDirectory,
  recordPerfWith,
  type PerfScriptSample,
} from '../helpers/perf-data';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function load(path: string): Promise<Profile> {
  return loadProfile(await fileSource(path));
}

/** The per-thread and per-dso sample counts of perf script and of the profile must be equal. */
function assertSameSamples(profile: Profile, perf: PerfScriptSample[]): void {
  const ours = profileSamples(profile);
  assert.equal(ours.length, perf.length, 'total samples');
  assert.deepEqual(countBy(ours, (s) => `${s.pid}/${s.tid}`), countBy(perf, (s) => `${s.pid}/${s.tid}`), 'samples per pid/tid');
  assert.deepEqual(countBy(ours, (s) => dsoName(s.dso)), countBy(perf, (s) => dsoName(s.dso)), 'samples per dso of the sampled ip');
}

/** Each thread's name as perf report --sort pid prints it: the comm perf holds at the end, i.e. the latest. */
async function perfThreadNames(data: string): Promise<Map<number, string>> {
  return new Map((await perfReportThreads(data)).map((t) => [t.tid, t.comm]));
}

function threadNames(profile: Profile): Map<number, string> {
  const names = new Map<number, string>();
  for (let t = 0; t < profile.threads.length; t++) names.set(profile.threads.tid[t], profile.strings[profile.threads.name[t]]);
  return names;
}

test('cpu_hot with frame pointers: totals, threads and dsos equal perf report / perf script', async () => {
  const data = await recordPerf(await compileFixture('cpu_hot'), ['10'], { frequency: 2000 });
  const profile = await load(data);
  assert.equal(profile.meta.format, 'perf.data');
  assert.equal(profile.meta.eventName, 'cpu-clock');
  const report = await perfReportBySymbol(data);
  assert.equal(profile.samples.length, report.totalSamples);
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  for (let i = 1; i < profile.samples.length; i++) assert.ok(profile.samples.time[i] >= profile.samples.time[i - 1], 'samples in time order');
});

test('top 5 functions by self cost are perf report\'s, in order, within 1 point', async () => {
  const data = await recordPerf(await compileFixture('cpu_hot'), ['10'], { frequency: 2000 });
  const ours = buildReport(await load(data), 5);
  const perf = await perfReportBySymbol(data);
  assert.deepEqual(ours.functions.map((f) => f.name), perf.functions.slice(0, 5).map((f) => f.name));
  ours.functions.forEach((f, i) => assert.ok(Math.abs((100 * f.self) / ours.total - perf.functions[i].percent) <= 1, `${f.name} share`));
});

test('named threads: names, process names, counts and lifetimes as perf sees them', async () => {
  const data = await recordPerf(await compileFixture('threads'), [], { frequency: 2000 });
  const { profile, threads } = await readPerfData(await fileSource(data));
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  const names = await perfThreadNames(data);
  assert.deepEqual(threadNames(profile), names);
  assert.ok([...names.values()].includes('hl-alpha'), 'the fixture named its threads');

  // Every thread of the process carries the main thread's name as its process name.
  for (let t = 0; t < profile.threads.length; t++) {
    assert.equal(profile.strings[profile.threads.processName[t]], names.get(profile.threads.pid[t]));
  }

  // FORK and EXIT times, as perf script --show-task-events prints them (seconds with 6 decimals).
  const task = spawnSync('perf', ['script', '-i', data, '--show-task-events', '-F', 'pid,tid,time'], { encoding: 'utf8' });
  const events = [...task.stdout.matchAll(/(\d+\.\d+): PERF_RECORD_(FORK|EXIT)\((\d+):(\d+)\)/g)];
  assert.ok(events.length >= 4, 'perf saw the workers start and end');
  for (const [, seconds, kind, , tid] of events) {
    const ours = threads.find((l) => l.tid === Number(tid));
    assert.ok(ours, `thread ${tid} is known`);
    const time = kind === 'FORK' ? ours.start : ours.end;
    assert.ok(Math.abs(time / 1e9 - Number(seconds)) < 2e-6, `${kind} time of ${tid}: ${time} vs ${seconds}`);
  }
});

test('a perf record --threads directory (data, data.0, data.1, ...): the samples, threads, names and hottest function perf sees', async () => {
  const recorded = await recordPerfThreadsDirectory(await compileFixture('threads'), [], 'threads-dir.perf.data', 2000);
  if ('reason' in recorded) {
    console.log(`# ${recorded.reason}: nothing to compare`);
    return;
  }
  const { dir } = recorded;
  const profile = await load(dir);
  assertSameSamples(profile, await perfScriptSamples(dir, 'cpu-clock'));
  assert.deepEqual(threadNames(profile), await perfThreadNames(dir));
  // The files hold different CPUs' records: delivered merged, in time order.
  for (let i = 1; i < profile.samples.length; i++) assert.ok(profile.samples.time[i] >= profile.samples.time[i - 1], 'samples in time order');
  // The fixture spends nearly all its time in one function; the rest are ties of a sample or two.
  const perf = await perfReportBySymbol(dir);
  const ours = buildReport(profile, 1);
  assert.equal(ours.functions[0].name, perf.functions[0].name, 'the hottest function');
  assert.ok(Math.abs((100 * ours.functions[0].self) / ours.total - perf.functions[0].percent) <= 1, 'its share');
});

test('pipe mode (perf record -o -): same samples, threads and names', async () => {
  const data = await recordPerfPipe(await compileFixture('threads'), [], 'threads-pipe.perf.data', 2000);
  const profile = await load(data);
  assert.equal(profile.samples.length, (await perfReportBySymbol(data)).totalSamples);
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  assert.deepEqual(threadNames(profile), await perfThreadNames(data));
  assert.equal(profile.meta.eventName, 'cpu-clock');
});

test('two events (cpu-clock + sched:sched_switch) stay separate sample sets', async () => {
  const binary = await compileFixture('threads');
  const data = await recordPerfWith(['-e', 'cpu-clock', '-e', 'sched:sched_switch', '-g', '--', binary], 'threads-two-events.perf.data');
  const { profile, events } = await readPerfData(await fileSource(data));
  const perEvent = countBy(spawnSync('perf', ['script', '-i', data, '-G', '-F', 'event'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim()), (l) => l.trim().replace(/:$/, ''));
  assert.deepEqual(Object.fromEntries(events.filter((e) => e.samples > 0).map((e) => [e.name, e.samples])), perEvent);
  assert.equal(profile.samples.length, perEvent['cpu-clock']);
  assert.match(profile.meta.warnings.join('\n'), /sched:sched_switch \(\d+ samples\)/);
});

test('many sample fields at once are skipped correctly (addr, raw, regs, phys addr, cgroup, page sizes, weight)', async () => {
  const binary = await compileFixture('cpu_hot');
  const args = ['-e', 'cpu-clock', '-g', '-d', '--phys-data', '--data-page-size', '--code-page-size', '-R', '--sample-cpu', '-W'];
  const data = await recordPerfWith([...args, '--intr-regs=ax,bx', '--user-regs=sp,ip', '--all-cgroups', '--', binary, '5'], 'cpu_hot-many-fields.perf.data');
  const profile = await load(data);
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  // A busy machine can make the kernel drop samples (a warning of its own); no other warning may come.
  assert.deepEqual(profile.meta.warnings.filter((w) => !/the kernel lost \d+ samples/.test(w)), [], 'every sample decoded to its last byte');
});

test('DWARF call graph with a leader-sampled group (READ group, user regs and stack)', async () => {
  const binary = await compileFixture('cpu_hot');
  const data = await recordPerfWith(['-e', '{cpu-clock,task-clock}:S', '--call-graph', 'dwarf,4096', '--', binary, '5'], 'cpu_hot-dwarf-group.perf.data');
  const profile = await load(data);
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  assert.equal(buildReport(profile).total, profile.samples.length);
  // A busy machine can make the kernel drop samples (a warning of its own); no other warning may come.
  assert.deepEqual(profile.meta.warnings.filter((w) => !/the kernel lost \d+ samples/.test(w)), [], 'every sample decoded to its last byte');
});

test('--call-graph dwarf without frame pointers: inclusive shares equal perf report --children', async () => {
  // deep_stack is built without frame pointers: only the CFI unwinder can find main -> a -> b -> c -> hot.
  const binary = await compileFixtureWith('deep_stack', 'nofp', ['-O2', '-g', '-fomit-frame-pointer']);
  const data = await recordPerfWith(['-e', 'cpu-clock', '-F', '1000', '--call-graph', 'dwarf', '--', binary, '60'], 'deep_stack-nofp-dwarf.perf.data');
  const report = buildReport(await load(data), 1000);
  // Two functions may share a name (the program's _start and the dynamic loader's): each of perf's rows below
  // is the larger, so ours takes the larger too, whichever order equal self costs come in.
  const ours = new Map<string, number>();
  for (const f of report.functions) ours.set(f.name, Math.max(ours.get(f.name) ?? 0, (100 * f.total) / report.total));
  // Rows perf names "(inlined)" need the libraries' debug info, which this machine may lack: not compared.
  const perf = (await perfReportChildren(data)).filter((row) => row.children >= 5 && !row.name.endsWith('(inlined)'));
  assert.ok(perf.some((row) => row.name === 'hot') && perf.some((row) => row.name === 'c'), 'perf unwound the fixture');
  for (const row of perf) assert.ok(Math.abs((ours.get(row.name) ?? 0) - row.children) <= 1, `${row.name}: ours ${ours.get(row.name)?.toFixed(2)}%, perf ${row.children}%`);

  // A caller's frame is its call site, as perf's unwinder gives it (the return address minus one):
  // the line after each call here is another line, so a return address would name the wrong one.
  const profile = await load(data);
  for (const name of ['a', 'b', 'c']) {
    assert.equal(mostCommonCallerLine(profile, name), await perfScriptCallerLine(data, name), `the line ${name}() calls from`);
  }
});

test('frame-pointer callers are call sites too: a, b and c call from the lines perf\'s DWARF unwinder names', async () => {
  // The same binary (built with frame pointers) recorded both ways: perf's DWARF unwinder gives each caller at
  // its call site (return address - 1); a frame-pointer chain holds return addresses, which Heatline moves back
  // into the call the same way, so both recordings put a caller on the line of its call.
  const binary = await compileFixture('deep_stack');
  const fp = await recordPerf(binary, ['60'], { frequency: 1000 });
  const dwarf = await recordPerf(binary, ['60'], { callGraph: 'dwarf', frequency: 1000 });
  const profile = await load(fp);
  // hot() sets up no frame of its own (a leaf), so a frame-pointer walk from it skips c, in perf as here.
  const callers = ['a', 'b', 'c'].filter((name) => mostCommonCallerLine(profile, name) !== null);
  assert.ok(callers.includes('a') && callers.includes('b'), `callers found in the frame-pointer chains: ${callers.join(', ')}`);
  for (const name of callers) {
    const expected = await perfScriptCallerLine(dwarf, name);
    assert.ok(expected !== null, `perf unwound ${name} as a caller`);
    assert.equal(mostCommonCallerLine(profile, name), expected, `the line ${name}() calls from`);
  }
});

/** The source line of `name`'s frames that have a callee, weighted by samples, as `file:line` (file's last part). */
function mostCommonCallerLine(profile: Profile, name: string): string | null {
  const { stacks, frames, funcs, samples } = profile;
  const lines = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    for (let s = stacks.prefix[samples.stack[i]]; s >= 0; s = stacks.prefix[s]) {
      const frame = stacks.frame[s];
      const func = frames.func[frame];
      if (profile.strings[funcs.name[func]] !== name) continue;
      const file = frameFile(profile, frame) >= 0 ? profile.strings[frameFile(profile, frame)].split('/').pop() : '?';
      const key = `${file}:${frames.line[frame]}`;
      lines.set(key, (lines.get(key) ?? 0) + 1);
    }
  }
  return [...lines].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
}

/** The same from `perf script`'s call chains (srcline of each entry, the leaf left out). */
async function perfScriptCallerLine(data: string, name: string): Promise<string | null> {
  const text = readFileSync(await perfScriptText(data, ['ip', 'sym', 'srcline']), 'utf8');
  const lines = new Map<string, number>();
  for (const sample of text.split(/\n\s*\n/)) {
    const entries = [...sample.matchAll(/^\s+[0-9a-f]+ (\S+?)(?:\+0x[0-9a-f]+)?\n\s+(\S+:\d+)/gm)];
    for (const [, symbol, srcline] of entries.slice(1)) {
      if (symbol !== name) continue;
      const key = srcline.split('/').pop()!;
      lines.set(key, (lines.get(key) ?? 0) + 1);
    }
  }
  return [...lines].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
}

test('a function that runs lines of another file (an #include in its body) is one function, as perf report says; each line keeps its file', async () => {
  const binary = await compileFixture('included_body');
  const data = await recordPerf(binary, ['300'], { frequency: 2000 });
  const profile = await load(data);
  const ours = buildReport(profile, 5);
  const perf = await perfReportBySymbol(data);
  const top = perf.functions[0];
  assert.equal(top.name, 'mix_all', 'perf sees the fixture spend its time in mix_all');
  const rows = ours.functions.filter((f) => f.name === top.name);
  assert.equal(rows.length, 1, `one ${top.name}, not one per file its lines are in`);
  assert.ok(Math.abs((100 * rows[0].self) / ours.total - top.percent) <= 1, `${top.name}'s share: ${(100 * rows[0].self) / ours.total} against perf's ${top.percent}`);
  // The function is where it is defined: the file, and the line llvm-symbolizer gives as its start.
  assert.ok(rows[0].file?.endsWith('/included_body.c'), `mix_all's file: ${rows[0].file}`);
  const func = Array.from({ length: profile.funcs.length }, (_, f) => f).find((f) => profile.strings[profile.funcs.name[f]] === top.name)!;
  const symbol = spawnSync('nm', [binary], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.endsWith(' T mix_all'))!.split(' ')[0];
  const start = /Function start line: (\d+)/.exec(spawnSync('llvm-symbolizer', ['--verbose', `--obj=${binary}`, `0x${symbol}`], { encoding: 'utf8' }).stdout)?.[1];
  assert.equal(profile.funcs.startLine[func], Number(start), 'the start line is the definition\'s');
  // Lines: perf's hottest source lines, in order and with their files, most of them in the .inc file.
  // perf names no line in libc without its debug info (??:0), where Heatline may: as many of ours as perf names.
  const perfLines = (await perfReportBySrcline(data)).lines.filter((l) => l.line > 0).slice(0, 3);
  assert.ok(perfLines.length >= 2 && perfLines.some((l) => l.file.endsWith('included_body.inc')), 'perf puts lines in the included file');
  const ourLines = ours.lines.slice(0, perfLines.length);
  assert.deepEqual(ourLines.map((l) => `${l.file.split('/').pop()}:${l.line}`), perfLines.map((l) => `${l.file.split('/').pop()}:${l.line}`));
  ourLines.forEach((l, i) => assert.ok(Math.abs((100 * l.self) / ours.total - perfLines[i].percent) <= 1, `${l.file}:${l.line} share`));
});

/** How many PERF_RECORD_COMPRESSED / COMPRESSED2 records (81, 83) a little-endian perf.data file's data section holds. */
function compressedBatches(path: string): number {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = Number(view.getBigUint64(40, true));
  const end = start + Number(view.getBigUint64(48, true));
  let batches = 0;
  for (let pos = start; pos + 8 <= end; pos += view.getUint16(pos + 6, true)) {
    const type = view.getUint32(pos, true);
    if (type === 81 || type === 83) batches++;
    if (view.getUint16(pos + 6, true) < 8) break;
  }
  return batches;
}

test('perf record -z (zstd-compressed records): samples, threads and top functions equal perf report / perf script', async () => {
  const binary = await compileFixture('cpu_hot');
  const data = await recordPerfWith(['-z', '-e', 'cpu-clock', '-F', '20000', '-g', '--', binary, '10'], 'cpu_hot-zstd.perf.data');
  // Several batches: the zstd stream runs across them and records are cut between two batches' output.
  assert.ok(compressedBatches(data) >= 3, `perf wrote ${compressedBatches(data)} compressed batches`);
  const profile = await load(data);
  // Only the compressed stream's own problems: a sample may land in a binary perf kept no copy of (the vdso, now and
  // then), which is warned about as in any recording and is not what this test is about.
  assert.deepEqual(profile.meta.warnings.filter((w) => /compress/.test(w)), [], 'every compressed batch decoded');
  const report = await perfReportBySymbol(data);
  assert.equal(profile.samples.length, report.totalSamples);
  assertSameSamples(profile, await perfScriptSamples(data, 'cpu-clock'));
  assert.deepEqual(threadNames(profile), await perfThreadNames(data));
  const ours = buildReport(profile, 3);
  assert.deepEqual(ours.functions.map((f) => f.name), report.functions.slice(0, 3).map((f) => f.name));
  ours.functions.forEach((f, i) => assert.ok(Math.abs((100 * f.self) / ours.total - report.functions[i].percent) <= 1, `${f.name} share`));
});

test("lost samples are counted once, as perf report's Total Lost Samples", async () => {
  // A small ring buffer and 8 KiB stack copies at 4 kHz: the kernel drops samples (smaller buffers until it does).
  // perf 6.x records the losses twice, as LOST records while they happen and LOST_SAMPLES totals at the end.
  const binary = await compileFixture('cpu_hot');
  let data = '';
  let lost = 0;
  for (const pages of ['8', '4', '2']) {
    data = await recordPerfWith(['-m', pages, '-e', 'cpu-clock', '-F', '4000', '--call-graph', 'dwarf', '--', binary, '10'], `cpu_hot-lost-${pages}.perf.data`);
    const perfReport = spawnSync('perf', ['report', '-i', data, '--stdio', '--sort', 'comm'], { encoding: 'utf8' }).stdout;
    lost = Number(/^# Total Lost Samples: (\d+)$/m.exec(perfReport)?.[1] ?? 0);
    if (lost > 0) break;
  }
  assert.ok(lost > 0, 'perf report counts lost samples');
  const stats = spawnSync('perf', ['report', '-i', data, '--stats'], { encoding: 'utf8' }).stdout;
  assert.match(stats, /^\s+LOST events:\s+[1-9]/m, 'LOST records while recording');
  assert.match(stats, /^\s+LOST_SAMPLES events:\s+[1-9]/m, 'and LOST_SAMPLES totals at the end');
  const profile = await load(data);
  assert.deepEqual(profile.meta.warnings.filter((w) => /lost/.test(w)), [`the kernel lost ${lost} samples while recording (perf's buffers were full)`]);
});

/** Every vdso function perf report names has our name and self samples; no vdso address is left unnamed. */
async function assertVdsoNamedAsPerfReport(data: string, profile: Profile): Promise<void> {
  const report = await perfReportBySymbol(data);
  const vdsoFunctions = report.functions.filter((f) => f.name.startsWith('__vdso_'));
  assert.ok(vdsoFunctions.length >= 2, `perf report names vdso functions: ${report.functions.slice(0, 5).map((f) => f.name).join(', ')}`);
  const ours = buildReport(profile, 1000);
  for (const expected of vdsoFunctions) {
    const found = ours.functions.find((f) => f.name === expected.name);
    assert.ok(found, `${expected.name} is a function of ours`);
    assert.equal(found.self, expected.samples, `${expected.name}: self samples`);
  }
  assert.ok(!ours.functions.some((f) => f.name.startsWith('[vdso]+')), 'no vdso address is left unnamed');
}

/** Loads `path` with HOME an empty folder: perf's build-id cache (~/.debug) is not there to find binaries in. */
async function loadWithoutPerfCache(path: string): Promise<Profile> {
  const home = process.env.HOME;
  process.env.HOME = mkdtempSync(join(tmpdir(), 'heatline-empty-home-'));
  try {
    return await load(path); // the symbol worker starts here and takes this HOME
  } finally {
    process.env.HOME = home;
  }
}

test("vdso code is named from perf's copy of the vdso, as perf report names it", async () => {
  const binary = await compileFixture('clock_calls');
  const data = await recordPerfWith(['-e', 'cpu-clock', '-F', '2000', '-g', '--', binary, '2'], 'clock_calls.perf.data');
  await assertVdsoNamedAsPerfReport(data, await load(data));
});

test("without perf's copy of the vdso (another user's ~/.debug, perf 6.1's -z), it is named from this kernel's own", async () => {
  const binary = await compileFixture('clock_calls');
  // The recorded build-id is this kernel's vdso's; only ~/.debug is missing.
  const plain = await recordPerfWith(['-e', 'cpu-clock', '-F', '2000', '-g', '--', binary, '2'], 'clock_calls-home.perf.data');
  await assertVdsoNamedAsPerfReport(plain, await loadWithoutPerfCache(plain));
  // perf 6.1's record -z writes every build-id empty: a recording made here ran this kernel's vdso.
  const compressed = await recordPerfWith(['-z', '-e', 'cpu-clock', '-F', '2000', '-g', '--', binary, '2'], 'clock_calls-zstd.perf.data');
  await assertVdsoNamedAsPerfReport(compressed, await loadWithoutPerfCache(compressed));
});

test('--call-graph dwarf through the vdso: samples in it keep their callers, as perf report --children counts them', async () => {
  // Most of clock_calls' samples are in the vdso, which has no file: its CFI comes from the copy of it the
  // build-id finds (perf's in ~/.debug, or this kernel's own). Unwound by frame pointers instead, a sample at
  // a vdso function's entry (before it saves rbp) loses its caller.
  const binary = await compileFixtureWith('clock_calls', 'nofp', ['-O2', '-g', '-fomit-frame-pointer']);
  const data = await recordPerfWith(['-e', 'cpu-clock', '-F', '2000', '--call-graph', 'dwarf', '--', binary, '20'], 'clock_calls-dwarf.perf.data');
  const perf = await perfReportChildren(data);
  const perfMain = perf.find((row) => row.name === 'main');
  assert.ok(perfMain && perf.some((row) => row.name.startsWith('__vdso_') && row.self > 20), `perf unwound through the vdso: ${JSON.stringify(perf.slice(0, 6))}`);
  const report = buildReport(await load(data), 1000);
  const main = report.functions.find((f) => f.name === 'main');
  assert.ok(main, 'main is a function of ours');
  // Unwound without the vdso's CFI, ~0.7 points of main's share were missing here: about 1 vdso sample in 100.
  assert.ok(Math.abs((100 * main.total) / report.total - perfMain.children) <= 0.2, `main: ours ${((100 * main.total) / report.total).toFixed(2)}%, perf ${perfMain.children}%`);
});

test('frame-pointer chains through a signal handler name its trampoline, __restore_rt, as perf report does', async () => {
  // The handler returns to the first byte of __restore_rt: its call site (return address - 1) is the nop glibc
  // puts before it, which no symbol covers.
  const binary = await compileFixture('signal_fp');
  const data = await recordPerfWith(['-e', 'cpu-clock', '-F', '2000', '-g', '--', binary, '1'], 'signal_fp.perf.data');
  const perf = (await perfReportChildren(data)).find((row) => row.name === '__restore_rt');
  assert.ok(perf && perf.children > 5, `perf report --children shows __restore_rt: ${JSON.stringify(perf)}`);
  const report = buildReport(await load(data), 100000);
  const ours = report.functions.find((f) => f.name === '__restore_rt');
  assert.ok(ours, 'a __restore_rt function');
  assert.ok(Math.abs((100 * ours.total) / report.total - perf.children) <= 1, `__restore_rt total ${(100 * ours.total) / report.total}% vs perf's ${perf.children}%`);
});
