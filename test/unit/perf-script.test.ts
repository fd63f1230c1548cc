/**
 * The perf script importer on small hand-written inputs in the layouts perf
 * prints (default fields, -F variants, srclines, inlined frames, no call
 * chain) and on broken ones. The real-tool comparison lives in
 * test/integration/perf-script-report.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FuncKind, type Profile } from '../../src-shared/profile/model';
import { buildReport } from '../../src-shared/report';
import { perfScriptImporter } from '../../src-main/import/perf-script';
import { detectImporter } from '../../src-main/import/registry';
import { bytesSource } from '../../src-main/import/source';

const encode = (text: string) => new TextEncoder().encode(text);
const importText = (text: string, options = {}) => perfScriptImporter.import(bytesSource('perf.txt', encode(text)), options);

const str = (profile: Profile, index: number) => (index < 0 ? null : profile.strings[index]);

/** Each sample as "root;...;leaf", from the profile's tables. */
function samplePaths(profile: Profile): string[] {
  return Array.from(profile.samples.stack, (stack) => {
    const names: string[] = [];
    for (let s = stack; s !== -1; s = profile.stacks.prefix[s]) {
      names.unshift(profile.strings[profile.funcs.name[profile.frames.func[profile.stacks.frame[s]]]]);
    }
    return names.join(';');
  });
}

/** The leaf frame of sample i, resolved to plain values. */
function leafOf(profile: Profile, i: number) {
  const frame = profile.stacks.frame[profile.samples.stack[i]];
  const func = profile.frames.func[frame];
  return {
    name: str(profile, profile.funcs.name[func]),
    library: str(profile, profile.funcs.library[func]),
    file: str(profile, profile.funcs.file[func]),
    kind: profile.funcs.kind[func],
    address: profile.frames.address[frame],
    line: profile.frames.line[frame],
    inlineDepth: profile.frames.inlineDepth[frame],
  };
}

const DEFAULT = `cpu_hot  5703   529.208851:    1000000 cpu-clock: 
\t            11db work_40+0xb (/tmp/cpu_hot)
\t            109c main+0x3c (/tmp/cpu_hot)
\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)

cpu_hot  5703   529.209844:    1000000 cpu-clock: 
\t            1210 work_25+0x0 (/tmp/cpu_hot)
\t            109c main+0x3c (/tmp/cpu_hot)
\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)

`;

test('default fields: thread, exact times, event, stacks root first, libraries and addresses', async () => {
  const profile = await importText(DEFAULT);
  assert.equal(profile.meta.format, 'perf-script');
  assert.equal(profile.meta.unit, 'samples');
  assert.equal(profile.meta.eventName, 'cpu-clock');
  assert.equal(profile.samples.weight, null, 'every sample counts 1');
  assert.deepEqual(samplePaths(profile), ['__libc_start_call_main;main;work_40', '__libc_start_call_main;main;work_25']);
  assert.deepEqual([...profile.samples.time], [529_208_851_000, 529_209_844_000]);
  assert.equal(profile.meta.startTime, 529_208_851_000);
  assert.equal(profile.threads.length, 1);
  assert.equal(profile.threads.tid[0], 5703);
  assert.equal(profile.threads.pid[0], -1, 'no pid printed');
  assert.equal(str(profile, profile.threads.name[0]), 'cpu_hot');
  assert.deepEqual(leafOf(profile, 0), {
    name: 'work_40',
    library: '/tmp/cpu_hot',
    file: null,
    kind: FuncKind.native,
    address: 0x11db,
    line: -1,
    inlineDepth: 0,
  });
  assert.deepEqual(profile.meta.warnings, []);
});

test('header variants: pid/tid, cpu, period, no comm, no time, comm with spaces or digits', async () => {
  const frame = '\t            11db work_40+0xb (/tmp/cpu_hot)\n\n';
  const cases: [header: string, expected: { tid: number; pid: number; comm: string | null; time: number }][] = [
    ['cpu_hot  6628/6629 [001]   615.250562:    1000000 cpu-clock: ', { tid: 6629, pid: 6628, comm: 'cpu_hot', time: 615_250_562_000 }],
    ['cpu_hot  6628 [001]   615.250562: cpu-clock: ', { tid: 6628, pid: -1, comm: 'cpu_hot', time: 615_250_562_000 }],
    [' 6387   587.803729: cpu-clock: ', { tid: 6387, pid: -1, comm: null, time: 587_803_729_000 }],
    ['cpu_hot  6387 cpu-clock: ', { tid: 6387, pid: -1, comm: 'cpu_hot', time: NaN }],
    ['Web Content  811/812 [003]  10.5: 250000 cycles:u: ', { tid: 812, pid: 811, comm: 'Web Content', time: 10_500_000_000 }],
    ['Thread 2  900/901   3.000000001: cpu-clock: ', { tid: 901, pid: 900, comm: 'Thread 2', time: 3_000_000_001 }],
    ['kworker/u8:1-ev  77 [000] 100.123456789: cpu-clock: ', { tid: 77, pid: -1, comm: 'kworker/u8:1-ev', time: 100_123_456_789 }],
  ];
  for (const [header, expected] of cases) {
    const profile = await importText(`${header}\n${frame}`);
    assert.equal(profile.threads.tid[0], expected.tid, header);
    assert.equal(profile.threads.pid[0], expected.pid, header);
    assert.equal(str(profile, profile.threads.name[0]), expected.comm, header);
    assert.deepEqual([...profile.samples.time], [expected.time], header);
    assert.deepEqual(samplePaths(profile), ['work_40'], header);
  }
});

test('times are exact to the nanosecond: integer and fraction parsed apart', async () => {
  // 4503599.627370497 s = 2^52 + 1 ns: summing a parsed float of seconds would round it.
  const profile = await importText(`app  1   4503599.627370497: cpu-clock: \n\t  10 f (/bin/app)\n\n`);
  assert.equal(profile.samples.time[0], 2 ** 52 + 1);
});

test('no call chain: the ip on the header line, with -F variants and srclines', async () => {
  const text = [
    '         cpu_hot  6387   587.803729:    1000000 cpu-clock:      558cd36c720e work_40+0x2e (/tmp/hl/cpu_hot)',
    '  cpu_hot.c:38',
    '         cpu_hot  6387   587.804736:    1000000 cpu-clock:      558cd36c7211 work_40+0x31 (/tmp/hl/cpu_hot)',
    '  cpu_hot.c:38',
    '  abcdefghijklmn  6388   587.805735: cpu-clock:      558cd36c71f0 work_25 (/tmp/hl/cpu_hot)',
    '  cpu_hot.c:44',
    '         cpu_hot  6387/6387    587.806736:      558cd36c7204 work_5 (/tmp/hl/cpu_hot)',
    ' 6387   587.807736: cpu-clock:      558cd36c7204 work_5',
    '',
  ].join('\n');
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['work_40', 'work_40', 'work_25', 'work_5', 'work_5']);
  assert.equal(leafOf(profile, 0).address, 0x558cd36c720e);
  assert.equal(leafOf(profile, 0).file, 'cpu_hot.c');
  assert.equal(leafOf(profile, 0).line, 38);
  assert.equal(leafOf(profile, 2).line, 44);
  assert.equal(leafOf(profile, 3).line, -1, 'no srcline printed');
  assert.equal(leafOf(profile, 4).library, null, 'no dso printed');
  const report = buildReport(profile);
  assert.deepEqual(report.lines.map((l) => [l.file, l.line, l.self]), [
    ['cpu_hot.c', 38, 2],
    ['cpu_hot.c', 44, 1],
  ]);
  // The 14-character comm starts with exactly two spaces, like a srcline, and is still a header.
  assert.equal(str(profile, profile.threads.name[1]), 'abcdefghijklmn');
});

test('srclines under call chain frames give each frame its file and line', async () => {
  const text = `cpu_hot  6014   561.843316:    1000000 cpu-clock: 
\t            1201 work_40+0x21 (/tmp/hl/cpu_hot)
  cpu_hot.c:38
\t            1379 round_of_work+0x9 (/tmp/hl/cpu_hot)
  cpu_hot.c:69
\t            109c main+0x3c (/tmp/hl/cpu_hot)
  cpu_hot.c:81
\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)
  ??:0

`;
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['__libc_start_call_main;main;round_of_work;work_40']);
  const report = buildReport(profile);
  assert.deepEqual(
    report.lines.map((l) => `${l.file}:${l.line} ${l.self} ${l.total}`),
    ['cpu_hot.c:38 1 1', 'cpu_hot.c:69 0 1', 'cpu_hot.c:81 0 1'],
  );
  assert.equal(report.functions.find((f) => f.name === '__libc_start_call_main')?.file, null, '??:0 is no file');
});

test("srclines perf prints when addr2line fails (dso[addr], sym+offset) are srclines without a location", async () => {
  const text = `cpu_hot 24583  1126.816094:    1000000 cpu-clock: 
\tffffffff813ae6c0 sched_balance_update_blocked_averages+0x5e0 ([kernel.kallsyms])
  [kernel.kallsyms][ffffffff813ae6c0]
\t            12fb work_10+0x2b (/tmp/cpu_hot)
  work_10+43
\t            109c main+0x3c (/tmp/cpu_hot)
  cpu_hot.c:81

`;
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['main;work_10;sched_balance_update_blocked_averages']);
  assert.deepEqual(
    buildReport(profile).lines.map((l) => `${l.file}:${l.line}`),
    ['cpu_hot.c:81'],
  );
});

test('a srcline in another file than its function keeps the function whole and the line in its own file', async () => {
  const text = `app  1   1.000000: cpu-clock: 
\t  10 work (/bin/app)
  work.c:5

app  1   2.000000: cpu-clock: 
\t  20 work (/bin/app)
  vector.h:90

`;
  const profile = await importText(text);
  const report = buildReport(profile);
  assert.deepEqual(report.functions.map((f) => [f.name, f.file, f.self]), [['work', 'work.c', 2]]);
  assert.deepEqual(report.lines.map((l) => [l.file, l.line]), [['work.c', 5], ['vector.h', 90]]);
  assert.deepEqual(profile.meta.warnings, []);
});

test('inlined frames (perf script --inline): depth counted from the real frame they sit in', async () => {
  const withoutSrclines = `app  1   1.000000: cpu-clock: 
\t            1184 inner (inlined)
\t            1184 step (inlined)
\t            1184 work+0x24 (/tmp/inl)
\t            104c main+0xc (/tmp/inl)

`;
  const withSrclines = `app  1   1.000000: cpu-clock: 
\t            1184 inner
  inl.c:2 (inlined)
\t            1184 step
  inl.c:3 (inlined)
\t            1184 work+0x24 (/tmp/inl)
  inl.c:5
\t            104c main+0xc (/tmp/inl)
  inl.c:8

`;
  for (const text of [withoutSrclines, withSrclines]) {
    const profile = await importText(text);
    assert.deepEqual(samplePaths(profile), ['main;work;step;inner']);
    const depths: Record<string, number> = {};
    for (let s = profile.samples.stack[0]; s !== -1; s = profile.stacks.prefix[s]) {
      const frame = profile.stacks.frame[s];
      depths[profile.strings[profile.funcs.name[profile.frames.func[frame]]]] = profile.frames.inlineDepth[frame];
    }
    assert.deepEqual(depths, { main: 0, work: 0, step: 1, inner: 2 });
  }
  const profile = await importText(withSrclines);
  assert.deepEqual(buildReport(profile).lines[0], { file: 'inl.c', line: 2, self: 1, total: 1 });
  assert.equal(leafOf(profile, 0).library, '/tmp/inl', 'an inlined function lives in the dso it was inlined into');
});

test('an inlined frame as perf 6.1 prints it with dwarf call chains: symoff, then "(inlined)" instead of the dso', async () => {
  const text = `mt 28733  1256.437375:    1000000 cpu-clock: 
\t            11a2 spin+0x12 (/tmp/hl/mt)
\t           27249 __libc_start_call_main+0x79 (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t           27304 __libc_start_main_impl+0x84 (inlined)
\t            10c0 _start+0x20 (/tmp/hl/mt)

`;
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['_start;__libc_start_main_impl;__libc_start_call_main;spin']);
  // perf marks it inlined (its DWARF name differs from the ELF symbol's), and we take perf's word.
  const impl = profile.stacks.frame[profile.stacks.prefix[profile.stacks.prefix[profile.samples.stack[0]]]];
  assert.equal(profile.frames.inlineDepth[impl], 1);
});

test('kernel frames, [unknown] symbols per dso, C++ names, symoff and dsoff', async () => {
  const text = `dd  6070   566.363551:     500000 cpu-clock: 
\tffffffff821e5a80 rep_stos_alternative+0x0 ([kernel.kallsyms])
\tffffffffc0a01234 nft_do_chain+0x44 (/lib/modules/6.1.0/kernel/net/netfilter/nf_tables.ko)
\t            599a [unknown] (/usr/bin/dd)
\t    7f5ec381ac6c [unknown] ([unknown])
\t           41c2e std::vector<int, std::allocator<int> >::push_back(int const&)+0x1e (/usr/lib/libapp.so (deleted))
\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6+0x2724a)

`;
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), [
    '__libc_start_call_main;std::vector<int, std::allocator<int> >::push_back(int const&);[unknown];[unknown];nft_do_chain;rep_stos_alternative',
  ]);
  const funcs = Array.from({ length: profile.funcs.length }, (_, f) => [
    str(profile, profile.funcs.name[f]),
    str(profile, profile.funcs.library[f]),
    profile.funcs.kind[f],
  ]);
  assert.deepEqual(funcs.sort(), [
    ['[unknown]', null, FuncKind.native],
    ['[unknown]', '/usr/bin/dd', FuncKind.native],
    ['__libc_start_call_main', '/usr/lib/x86_64-linux-gnu/libc.so.6', FuncKind.native],
    ['nft_do_chain', '/lib/modules/6.1.0/kernel/net/netfilter/nf_tables.ko', FuncKind.kernel],
    ['rep_stos_alternative', '[kernel.kallsyms]', FuncKind.kernel],
    ['std::vector<int, std::allocator<int> >::push_back(int const&)', '/usr/lib/libapp.so (deleted)', FuncKind.native],
  ]);
});

test('a sample without frames gets one [unknown] frame; no sample is dropped', async () => {
  const text = `app  1   1.000000: cpu-clock: 

app  1   2.000000: cpu-clock: 
\t  10 f (/bin/app)

app  1   3.000000: cpu-clock: 
`;
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['[unknown]', 'f', '[unknown]']);
});

test('several events: the first one is the profile, the others become markers', async () => {
  const text = `app  1   1.000000:    1000000 cpu-clock: 
\t  10 f (/bin/app)

app  1   1.100000:      12345 cycles:u: 
\t  20 g (/bin/app)
  g.c:1

app  1   1.200000:      12399 cycles:u: 
\t  20 g (/bin/app)

app  1   2.000000:    1000000 cpu-clock: 
\t  30 h (/bin/app)

`;
  const profile = await importText(text);
  assert.equal(profile.meta.eventName, 'cpu-clock');
  assert.deepEqual(samplePaths(profile), ['f', 'h']);
  assert.deepEqual(profile.meta.warnings, []);
  const markers = profile.markers!;
  assert.equal(markers.length, 2);
  assert.deepEqual(Array.from(markers.event, (e) => profile.strings[e]), ['cycles:u', 'cycles:u']);
  assert.deepEqual(Array.from(markers.time), [1.1e9, 1.2e9]);
  // Each marker keeps its call chain: leaf g.
  const leaf = (stack: number) => profile.strings[profile.funcs.name[profile.frames.func[profile.stacks.frame[stack]]]];
  assert.deepEqual(Array.from(markers.stack, leaf), ['g', 'g']);
});

test('a tracepoint marker keeps its fields as its detail; without a call chain it has no stack', async () => {
  const text = `app  1 [000]   1.000000:    1000000 cpu-clock: 
	  10 f (/bin/app)

app  1 [000]   1.500000: sched:sched_switch: prev_comm=app prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120

`;
  const profile = await importText(text);
  const markers = profile.markers!;
  assert.equal(markers.length, 1);
  assert.equal(profile.strings[markers.event[0]], 'sched:sched_switch');
  assert.equal(markers.stack[0], -1);
  assert.equal(profile.strings[markers.detail[0]], 'prev_comm=app prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120');
});

test('periods that vary are warned about (shares are by sample count); equal periods are not', async () => {
  const sample = (period: number) => `app  1   1.000000: ${period} cycles: \n\t  10 f (/bin/app)\n\n`;
  assert.deepEqual((await importText(sample(100) + sample(100))).meta.warnings, []);
  const varying = await importText(sample(100) + sample(250));
  assert.match(varying.meta.warnings.join('\n'), /periods vary/);
  assert.equal(buildReport(varying).total, 2, 'the total is still the sample count');
});

test('threads: one per pid/tid, named by the latest comm; the process is named by its main thread', async () => {
  const text = `perf-exec  100/100   1.000000: cpu-clock: 
\t  10 f (/bin/app)

app  100/101   2.000000: cpu-clock: 
\t  10 f (/bin/app)

app  100/100   3.000000: cpu-clock: 
\t  10 f (/bin/app)

`;
  const profile = await importText(text);
  const threads = Array.from({ length: profile.threads.length }, (_, t) => [
    profile.threads.pid[t],
    profile.threads.tid[t],
    str(profile, profile.threads.name[t]),
    str(profile, profile.threads.processName[t]),
  ]);
  assert.deepEqual(threads, [
    [100, 100, 'app', 'app'],
    [100, 101, 'app', 'app'],
  ]);
  assert.deepEqual(Array.from(profile.samples.thread), [0, 1, 0]);
});

test('--show-*-events lines and `# ` header lines are not samples', async () => {
  const text = `# ========
# captured on    : Fri Nov 21 12:00:00 2025
# hostname : vm
# ========
#
app  1 [000]   0.500000: PERF_RECORD_COMM: app:1/1
app  1   1.000000: cpu-clock: 
\t  10 f (/bin/app)

`;
  assert.equal(perfScriptImporter.sniff(encode(text)), true);
  const profile = await importText(text);
  assert.deepEqual(samplePaths(profile), ['f']);
  assert.equal(profile.meta.host, 'vm');
});

test('CRLF line ends', async () => {
  const profile = await importText(DEFAULT.replaceAll('\n', '\r\n'));
  assert.deepEqual(samplePaths(profile), ['__libc_start_call_main;main;work_40', '__libc_start_call_main;main;work_25']);
});

test('malformed input names the line; a bad unterminated last line means truncated', async () => {
  const cases: [string, RegExp][] = [
    [DEFAULT + 'this is not perf output\n', /^line 11: expected a sample header/],
    ['\t  10 f (/bin/app)\n', /^line 1: a stack frame outside a sample/],
    [DEFAULT.replace('\t            109c main', '\tzz main'), /^line 3: expected a stack frame/],
    [DEFAULT + 'cpu_hot  5703   529.2', /^truncated at line 11: /],
    [DEFAULT + 'cpu_hot  5703   529.210842:    1000000 cpu-clock: \n\t            11db work_40+0xb (/tmp/cpu', /^truncated at line 12: a "\(" is never closed/],
    ['cpu_hot  5703   529.208851:    1000000 cpu-clock: \n\t  10 f (/bin/app\n\n', /^line 2: a "\(" is never closed/],
    ['hello 12\n', /^line 1: a sample header needs a time, an event or an ip/],
    ['\n\n', /^no samples$/],
    ['app  1 [000]   0.500000: PERF_RECORD_COMM: app:1/1\n', /^no samples$/],
  ];
  for (const [text, expected] of cases) {
    await assert.rejects(importText(text), (error: Error) => error.name === 'ImportError' && expected.test(error.message), `${expected}: ${text}`);
  }
});

test('an unterminated last line that parses is kept, with a warning', async () => {
  const profile = await importText(DEFAULT.trimEnd());
  assert.equal(profile.samples.length, 2);
  assert.deepEqual(profile.meta.warnings, ['the last line has no newline after it: the file may be truncated']);
});

test('cancellation and progress', async () => {
  const big = DEFAULT.repeat(2000);
  const progress: number[] = [];
  const profile = await importText(big, { onProgress: (done: number) => progress.push(done) });
  assert.equal(profile.samples.length, 4000);
  assert.equal(progress.at(-1), encode(big).byteLength);
  await assert.rejects(importText(big, { signal: AbortSignal.abort() }), { name: 'CancelledError' });
});

test('sniff: perf script layouts yes; collapsed stacks, prose, JSON and binary no', () => {
  const yes = [
    DEFAULT,
    '         cpu_hot  6387   587.803729: cpu-clock:      558cd36c720e work_40 (/tmp/hl/cpu_hot)\n  cpu_hot.c:38\n',
    ' 6387   587.803729: cpu-clock:      558cd36c720e work_40\n',
    '         cpu_hot  6387 cpu-clock:      558cd36c720e work_40 (/tmp/hl/cpu_hot)\n',
    'cpu_hot  6014/6014    561.843316:    1000000 cpu-clock: \n\t            1201 work_40+0x21 (/tmp/hl/cpu_hot)\n',
  ];
  const no = [
    'main;foo;bar 42\nmain;foo 3\n',
    'Hello 12 world: this is text\nand more text\n',
    'hello 12\n',
    '{"traceEvents": []}\n',
    '# just a comment\n',
    '',
  ];
  for (const text of yes) {
    assert.equal(perfScriptImporter.sniff(encode(text)), true, text);
    assert.equal(detectImporter(encode(text))?.id, 'perf-script', text);
  }
  for (const text of no) assert.equal(perfScriptImporter.sniff(encode(text)), false, text);
  const withNul = encode(DEFAULT);
  withNul[5] = 0;
  assert.equal(perfScriptImporter.sniff(withNul), false, 'NUL byte');
});
