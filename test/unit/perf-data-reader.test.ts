/**
 * The perf.data reader on synthetic files (helpers/perf-data-writer.ts), for
 * what a recording on this machine cannot show: every sample_type field at
 * once, big-endian files, kernel addresses above 2^53, records out of order
 * within a round, several events told apart by id, inlined frames and
 * batched symbolization, unknown records and features, records cut by chunk
 * boundaries, cancel and progress.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, ImportError } from '../../src-shared/errors';
import { frameFile, stringAt, type Profile } from '../../src-shared/profile/model';
import type { ImportSource } from '../../src-main/import/importer';
import { readPerfData, type PerfSymbolSources } from '../../src-main/import/perf-data';
import { sniffPerfData } from '../../src-main/import/perf-data/header';
import { bytesSource, type ReusableChunks } from '../../src-main/import/source';
import type { BinaryRef, ResolvedAddress } from '../../src-main/symbols/types';
import { PERF_CONTEXT_KERNEL, PERF_CONTEXT_USER, PerfDataWriter, ST } from '../helpers/perf-data-writer';

const BASE = 0x55550000_0000n;
const APP = '/opt/app/bin/app';

/** Source over bytes with a chosen chunk size, to cut records at every possible place. */
function chunkedSource(bytes: Uint8Array, chunk: number): ImportSource {
  const source = bytesSource('test.data', bytes);
  return {
    ...source,
    async *chunks(start = 0, end = bytes.length) {
      for (let at = start; at < end; at += chunk) yield bytes.slice(at, Math.min(end, at + chunk));
    },
  };
}

/** Each sample's stack as "root;...;leaf" of function names. */
function stacks(profile: Profile): string[] {
  const out: string[] = [];
  for (let i = 0; i < profile.samples.length; i++) {
    const names: string[] = [];
    for (let s = profile.samples.stack[i]; s >= 0; s = profile.stacks.prefix[s]) {
      names.unshift(stringAt(profile, profile.funcs.name[profile.frames.func[profile.stacks.frame[s]]]));
    }
    out.push(names.join(';'));
  }
  return out;
}

/** A writer with one cpu-clock event of the given sample_type and the app mapped at BASE (file offset 0x1000 at BASE). */
function withApp(sampleType: number, le = true, extra: Partial<Parameters<PerfDataWriter['addAttr']>[0]> = {}): PerfDataWriter {
  return new PerfDataWriter(le).addAttr({ sampleType, ids: [11], ...extra }).comm(42, 42, 'app', true, 5n).mmap2(42, BASE, 0x10000n, 0x1000n, APP, 6n);
}

const ALL_FIELDS =
  ST.IDENTIFIER | ST.IP | ST.TID | ST.TIME | ST.ADDR | ST.ID | ST.STREAM_ID | ST.CPU | ST.PERIOD | ST.READ | ST.CALLCHAIN | ST.RAW |
  ST.BRANCH_STACK | ST.REGS_USER | ST.STACK_USER | ST.WEIGHT | ST.DATA_SRC | ST.TRANSACTION | ST.REGS_INTR | ST.PHYS_ADDR |
  ST.AUX | ST.CGROUP | ST.DATA_PAGE_SIZE | ST.CODE_PAGE_SIZE;

for (const le of [true, false]) {
  test(`every sample field is skipped by its exact size (${le ? 'little' : 'big'}-endian)`, async () => {
    const w = withApp(ALL_FIELDS, le, { readFormat: 1 | 4, branchSampleType: 1 << 17, regsUser: 0b111n, stackUser: 64, regsIntr: 0b11n });
    for (let i = 0; i < 3; i++) {
      w.sample(0, {
        ip: BASE + 0x10n,
        pid: 42,
        tid: 43,
        time: 100n + BigInt(i),
        period: 250000n,
        read: [1n, 2n, 3n],
        callchain: [PERF_CONTEXT_USER, BASE + 0x10n, BASE + 0x200n + BigInt(i)],
        raw: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        branches: 2,
        regsUser: { abi: 2, regs: [1n, 2n, 3n] },
        stackUser: { data: new Uint8Array(64), dynSize: 48 },
        regsIntr: { abi: 2, regs: [4n, 5n] },
        aux: new Uint8Array(16),
      });
    }
    const { profile } = await readPerfData(bytesSource('t', w.toFile()));
    // The caller is its call site, the return address minus one.
    assert.deepEqual(stacks(profile), ['app+0x11ff;app+0x1010', 'app+0x1200;app+0x1010', 'app+0x1201;app+0x1010']);
    assert.deepEqual([...profile.samples.time], [100, 101, 102]);
    assert.equal(profile.threads.tid[0], 43);
    assert.equal(profile.meta.warnings.length, 0, profile.meta.warnings.join('; '));
  });
}

test('kernel addresses reach the kernel resolver with all 64 bits; unresolved ones collapse into one [kernel] frame', async () => {
  const kernelIps = [0xffffffff81000010n, 0xffffffff81000021n, 0xffffffffc0de0001n];
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
  w.sample(0, { ip: kernelIps[0], pid: 42, tid: 42, time: 100n, callchain: [PERF_CONTEXT_KERNEL, ...kernelIps, PERF_CONTEXT_USER, BASE + 0x20n] }, 1);
  const seen: bigint[] = [];
  const sources: PerfSymbolSources = {
    kernel: {
      resolveKernelAddresses(addresses) {
        seen.push(...addresses);
        return addresses.map((a) => ({ frames: a === kernelIps[0] ? [{ name: 'do_thing', file: null, line: -1 }] : [] }));
      },
    },
  };
  const { profile } = await readPerfData(bytesSource('t', w.toFile()), {}, { symbols: () => sources });
  // Every address once, in any order (the reader meets a chain's callers before its leaf): the sampled ip as it
  // is, the callers at their call sites (return address - 1), the user pc after the marker as it is.
  assert.deepEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), [kernelIps[0], kernelIps[1] - 1n, kernelIps[2] - 1n]);
  assert.deepEqual(stacks(profile), ['app+0x1020;[kernel];do_thing']);
  assert.equal(profile.funcs.kind[profile.frames.func[profile.stacks.frame[profile.samples.stack[0]]]], 1 /* kernel */);
});

test('symbolization: one batch per binary, inlined frames by depth, missing binaries named file+offset with a warning', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN).mmap2(42, BASE + 0x100000n, 0x1000n, 0n, '/lib/libgone.so', 7n);
  for (let i = 0; i < 4; i++) w.sample(0, { pid: 42, tid: 42, time: BigInt(100 + i), callchain: [PERF_CONTEXT_USER, BASE + 0x10n + BigInt(i % 2), BASE + 0x100010n, BASE + 0x300n] });
  const calls: { binary: BinaryRef; offsets: readonly number[] }[] = [];
  const sources: PerfSymbolSources = {
    binaries: {
      resolveFileOffsets(binary, offsets): ResolvedAddress[] {
        calls.push({ binary, offsets });
        if (binary.path !== APP) return offsets.map(() => ({ frames: [] }));
        return offsets.map((o) =>
          o === 0x12ff ? { frames: [{ name: 'main', file: 'app.c', line: 3 }] } : { frames: [{ name: 'leaf_inl', file: 'app.h', line: 9 }, { name: 'work', file: 'app.c', line: 20 }] },
        );
      },
      locate: (binary) => ({ binaryPath: binary.path === APP ? APP : null, debugPath: null }),
      dispose() {},
    },
  };
  const { profile } = await readPerfData(bytesSource('t', w.toFile()), {}, { symbols: () => sources });
  assert.deepEqual(
    calls.map((c) => [c.binary.path, [...c.offsets].sort((a, b) => a - b)]),
    [
      // Callers at their call sites: the return address minus one.
      [APP, [0x1010, 0x1011, 0x12ff]],
      ['/lib/libgone.so', [0xf]],
    ],
  );
  assert.deepEqual(new Set(stacks(profile)), new Set(['main;libgone.so+0xf;work;leaf_inl']));
  const leafFrame = profile.stacks.frame[profile.samples.stack[0]];
  assert.equal(profile.frames.inlineDepth[leafFrame], 1);
  assert.equal(profile.frames.line[leafFrame], 9);
  assert.match(profile.meta.warnings.join('\n'), /1 binary was not found on this machine, or not as recorded \(libgone\.so\)/);
});

test('one function per name and binary, whatever file each of its lines is in; a line in no known file is no line', async () => {
  // Leaf offsets 0x1010-0x1013: `work` declared in work.c at two of them and not at the others (lines outside its
  // DIE), `helper` declared nowhere, first met with a garbage file name (null) and then in helper.h.
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
  for (let i = 0; i < 6; i++) w.sample(0, { pid: 42, tid: 42, time: BigInt(100 + i), callchain: [PERF_CONTEXT_USER, BASE + 0x10n + BigInt(i)] });
  const frameAt: Record<number, ResolvedAddress['frames'][number]> = {
    0x1010: { name: 'work', file: 'other.h', line: 3 },
    0x1011: { name: 'work', file: '/src/work.c', line: 10, funcFile: '/src/work.c', funcLine: 8 },
    0x1012: { name: 'work', file: 'gen.inc', line: 2, funcFile: '/src/work.c', funcLine: 8 },
    0x1013: { name: 'helper', file: null, line: 7 },
    0x1014: { name: 'helper', file: 'helper.h', line: 4 },
    0x1015: { name: 'helper', file: 'other.h', line: 5 },
  };
  const sources: PerfSymbolSources = {
    binaries: {
      resolveFileOffsets: (binary, offsets) => offsets.map((o) => ({ frames: frameAt[o] ? [frameAt[o]] : [] })),
      locate: (binary) => ({ binaryPath: binary.path, debugPath: null }),
      dispose() {},
    },
  };
  const { profile } = await readPerfData(bytesSource('t', w.toFile()), {}, { symbols: () => sources });
  const funcsNamed = (name: string) => Array.from({ length: profile.funcs.length }, (_, f) => f).filter((f) => stringAt(profile, profile.funcs.name[f]) === name);
  const [work] = funcsNamed('work');
  const [helper] = funcsNamed('helper');
  assert.deepEqual([funcsNamed('work').length, funcsNamed('helper').length], [1, 1], 'one row each');
  assert.equal(stringAt(profile, profile.funcs.file[work]), '/src/work.c', 'the declared file, also for the address outside the DIE');
  assert.equal(profile.funcs.startLine[work], 8);
  assert.equal(stringAt(profile, profile.funcs.file[helper]), 'helper.h', 'the first known file of its lines');
  const lineAt = (offset: number) => {
    const frame = profile.stacks.frame[profile.samples.stack[offset - 0x1010]];
    return `${stringAt(profile, frameFile(profile, frame), '?')}:${profile.frames.line[frame]}`;
  };
  assert.deepEqual([0x1010, 0x1011, 0x1012, 0x1013, 0x1014, 0x1015].map(lineAt), ['other.h:3', '/src/work.c:10', 'gen.inc:2', 'helper.h:-1', 'helper.h:4', 'other.h:5']);
});

test('call chains that share outer frames: every stack is read word by word, whatever was seen before', async () => {
  // Random chains over few addresses, so deep chains share outer parts in every combination (the reader
  // reuses known outer parts, chains.ts), with context markers inside some chains: the same words read
  // after a USER marker are user code, and kernel code without one. Expected stacks are built here word by word.
  let state = 7;
  const next = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const userWord = (k: number) => BASE + 0x100n + BigInt(k);
  // Several kernel addresses share a symbol, so sibling paths through them must be merged into one stack.
  const kernelName = (address: bigint) => `k_${address % 3n}`;
  const kernelWord = (k: number) => 0xffffffff81000000n + BigInt(k);
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
  const expected: string[] = [];
  for (let i = 0; i < 400; i++) {
    const kernelSample = next(3) === 0;
    const chain: bigint[] = [kernelSample ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER];
    const names: string[] = [];
    let kernel = kernelSample;
    const depth = 1 + next(40);
    for (let d = 0; d < depth; d++) {
      // The leaf and the first word after a marker are exact pcs; every other word is a return address, read at
      // its call site (minus one).
      let exact = d === 0;
      if (kernel && d > 0 && next(6) === 0) {
        chain.push(PERF_CONTEXT_USER);
        kernel = false;
        exact = true;
      }
      // Few distinct words; the same raw value is a kernel word or a user word by the mode it is read in.
      const k = next(d < depth - 8 ? 2 : 5);
      const word = kernel ? kernelWord(k) : userWord(k);
      chain.push(kernel && next(4) === 0 ? userWord(k) : word);
      const site = chain[chain.length - 1] - (exact ? 0n : 1n);
      names.unshift(kernel ? kernelName(site) : `app+0x${(site - BASE + 0x1000n).toString(16)}`);
    }
    w.sample(0, { pid: 42, tid: 42, time: BigInt(100 + i), callchain: chain }, kernelSample ? 1 : 2);
    expected.push(names.join(';'));
  }
  const sources: PerfSymbolSources = {
    kernel: { resolveKernelAddresses: (addresses) => addresses.map((a) => ({ frames: [{ name: kernelName(a), file: null, line: -1 }] })) },
  };
  const { profile } = await readPerfData(bytesSource('t', w.toFile()), {}, { symbols: () => sources });
  assert.deepEqual(stacks(profile), expected);
  const pairs = new Set<string>();
  for (let s = 0; s < profile.stacks.length; s++) pairs.add(`${profile.stacks.prefix[s]}:${profile.stacks.frame[s]}`);
  assert.equal(pairs.size, profile.stacks.length, 'no two stacks are the same frame under the same prefix');
});

for (const order of ['kernel sample first', 'user sample first']) {
  test(`a caller word read as an exact pc and as a return address are different frames, whichever comes first (${order})`, async () => {
    // X is the pc where user code entered the kernel in one chain (right after the USER marker: as it is) and a
    // return address in the other (its call site, X - 1); the outer words A, B, C are the same in both, so the
    // reader's cache of outer parts (chains.ts) meets the same words read two ways.
    const [X, A, B, C] = [0x500n, 0x600n, 0x700n, 0x800n].map((o) => BASE + o);
    const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
    const kernelSample = (time: bigint) => w.sample(0, { pid: 42, tid: 42, time, callchain: [PERF_CONTEXT_KERNEL, 0xffffffff81000010n, 0xffffffff81000020n, PERF_CONTEXT_USER, X, A, B, C] }, 1);
    const userSample = (time: bigint) => w.sample(0, { pid: 42, tid: 42, time, callchain: [PERF_CONTEXT_USER, BASE + 0x40n, BASE + 0x900n, X, A, B, C] }, 2);
    if (order === 'kernel sample first') {
      kernelSample(100n);
      userSample(101n);
    } else {
      userSample(100n);
      kernelSample(101n);
    }
    const sources: PerfSymbolSources = { kernel: { resolveKernelAddresses: (addresses) => addresses.map(() => ({ frames: [{ name: 'k', file: null, line: -1 }] })) } };
    const { profile } = await readPerfData(bytesSource('t', w.toFile()), {}, { symbols: () => sources });
    const kernelStack = 'app+0x17ff;app+0x16ff;app+0x15ff;app+0x1500;k;k';
    const userStack = 'app+0x17ff;app+0x16ff;app+0x15ff;app+0x14ff;app+0x18ff;app+0x1040';
    assert.deepEqual(stacks(profile), order === 'kernel sample first' ? [kernelStack, userStack] : [userStack, kernelStack]);
  });
}

test('a zero word in a frame-pointer chain stays address 0, not 0 - 1', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
  w.sample(0, { pid: 42, tid: 42, time: 100n, callchain: [PERF_CONTEXT_USER, BASE + 0x40n, 0n] });
  const { profile } = await readPerfData(bytesSource('t', w.toFile()));
  assert.deepEqual(stacks(profile), ['0x0000000000000000;app+0x1040']);
});

test('records out of time order within a round are applied in time order (a sample before its MMAP)', async () => {
  const w = new PerfDataWriter().addAttr({ sampleType: ST.IP | ST.TID | ST.TIME, ids: [1] });
  w.comm(42, 42, 'app', true, 5n).finishedRound();
  w.sample(0, { ip: BASE + 0x10n, pid: 42, tid: 42, time: 300n }); // CPU 1's buffer, drained first
  w.mmap2(42, BASE, 0x1000n, 0n, APP, 200n); // CPU 0's buffer
  w.finishedRound();
  w.sample(0, { ip: BASE + 0x11n, pid: 42, tid: 42, time: 400n }).finishedRound();
  const { profile } = await readPerfData(bytesSource('t', w.toFile()));
  assert.deepEqual(stacks(profile), ['app+0x10', 'app+0x11']);
});

test('queued records survive the reuse of the read buffers (records cut anywhere, rounds out of order)', async () => {
  // Like fileSource().chunksInto: the buffers taken in turn. Each is filled with garbage before it is
  // read into again, so a queued record still pointing into it would come out wrong.
  function reusingSource(bytes: Uint8Array, chunk: number): ImportSource & ReusableChunks {
    return {
      ...bytesSource('t', bytes),
      async *chunksInto(buffers, start, end) {
        let turn = 0;
        for (let at = start; at < end; at += chunk) {
          const buffer = buffers[turn].subarray(0, Math.min(chunk, end - at));
          buffer.fill(0xa5);
          buffer.set(bytes.subarray(at, at + buffer.length));
          turn = (turn + 1) % buffers.length;
          yield buffer;
        }
      },
    };
  }
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN);
  for (let round = 0; round < 6; round++) {
    // Two "CPU buffers" per round, the later one drained first.
    for (const cpu of [1, 0]) {
      for (let i = 0; i < 5; i++) {
        const time = BigInt(1000 + round * 100 + i * 2 + cpu);
        w.sample(0, { pid: 42, tid: 42, time, callchain: [PERF_CONTEXT_USER, BASE + BigInt(i + cpu), ...Array.from({ length: round + i }, (_, d) => BASE + 0x100n + BigInt(d))] });
      }
    }
    w.finishedRound();
  }
  const bytes = w.toFile();
  const expected = await readPerfData(bytesSource('t', bytes));
  assert.equal(expected.profile.samples.length, 60);
  assert.deepEqual([...expected.profile.samples.time], [...expected.profile.samples.time].sort((a, b) => a - b));
  for (const chunk of [8, 24, 100, 257, 4096]) {
    const { profile } = await readPerfData(reusingSource(bytes, chunk));
    assert.deepEqual(stacks(profile), stacks(expected.profile), `chunk ${chunk}`);
    assert.deepEqual([...profile.samples.time], [...expected.profile.samples.time], `chunk ${chunk}`);
    assert.equal(profile.meta.warnings.length, 0, profile.meta.warnings.join('; '));
  }
});

test('exec drops the process maps, fork of a process copies them; names follow COMM', async () => {
  const w = new PerfDataWriter().addAttr({ sampleType: ST.IP | ST.TID | ST.TIME, ids: [1] });
  w.comm(42, 42, 'sh', true, 1n).mmap2(42, BASE, 0x1000n, 0n, '/bin/sh', 2n);
  w.fork(50, 42, 50, 42, 3n); // a child process: inherits /bin/sh and the name
  w.sample(0, { ip: BASE + 0x1n, pid: 50, tid: 50, time: 4n });
  w.comm(42, 42, 'app', true, 5n); // the parent execs: /bin/sh is gone from it
  w.sample(0, { ip: BASE + 0x2n, pid: 42, tid: 42, time: 6n });
  w.fork(42, 42, 43, 42, 7n).comm(42, 43, 'worker', false, 8n);
  w.sample(0, { ip: BASE + 0x3n, pid: 42, tid: 43, time: 9n });
  w.fork(42, 42, 43, 42, 10n, true);
  const { profile, threads } = await readPerfData(bytesSource('t', w.toFile()));
  assert.deepEqual(stacks(profile), ['sh+0x1', '0x0000555500000002', '0x0000555500000003']);
  const names = Array.from({ length: profile.threads.length }, (_, t) => `${profile.threads.tid[t]}:${stringAt(profile, profile.threads.name[t])}/${stringAt(profile, profile.threads.processName[t])}`);
  assert.deepEqual(names.sort(), ['42:app/app', '43:worker/app', '50:sh/sh']);
  const worker = threads.find((t) => t.tid === 43)!;
  assert.deepEqual([worker.start, worker.end], [7, 10]);
  assert.equal(threads.find((t) => t.tid === 42)!.start, 1, 'exec time stands for the start of a process forked before recording');
});

test('several events: samples are told apart by id; the first event with samples is shown, the others named', async () => {
  const w = new PerfDataWriter()
    .addAttr({ sampleType: ST.IDENTIFIER | ST.IP | ST.TID | ST.TIME, ids: [7, 8] })
    .addAttr({ type: 2, config: 300n, sampleType: ST.IDENTIFIER | ST.IP | ST.TID | ST.TIME, ids: [9] })
    .feature(12, eventDesc(['cpu-clock', 'sched:sched_switch'], [[7, 8], [9]]));
  w.sample(0, { id: 8, ip: 0x10n, pid: 1, tid: 1, time: 1n });
  w.sample(1, { id: 9, ip: 0x20n, pid: 1, tid: 1, time: 2n });
  w.sample(1, { id: 9, ip: 0x20n, pid: 1, tid: 1, time: 3n });
  w.sample(0, { id: 99, ip: 0x30n, pid: 1, tid: 1, time: 4n });
  const { profile, events } = await readPerfData(bytesSource('t', w.toFile()));
  assert.deepEqual(events, [
    { name: 'cpu-clock', samples: 1, shown: true },
    { name: 'sched:sched_switch', samples: 2, shown: false },
  ]);
  assert.equal(profile.samples.length, 1);
  assert.equal(profile.meta.eventName, 'cpu-clock');
  assert.match(profile.meta.warnings.join('\n'), /sched:sched_switch \(2 samples\)/);
  assert.match(profile.meta.warnings.join('\n'), /1 samples name no recorded event/);
});

/** EVENT_DESC payload: u32 nr, u32 attr_size, then per event attr, u32 nr_ids, name string, ids. */
function eventDesc(names: string[], ids: number[][]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  u32(names.length);
  u32(64);
  names.forEach((name, i) => {
    for (let b = 0; b < 64; b++) parts.push(b === 4 ? 64 : 0);
    u32(ids[i].length);
    const padded = name.length + 1 + ((8 - ((name.length + 1) % 8)) % 8);
    u32(padded);
    for (let c = 0; c < padded; c++) parts.push(c < name.length ? name.charCodeAt(c) : 0);
    for (const id of ids[i]) for (let b = 0; b < 8; b++) parts.push(b === 0 ? id : 0);
  });
  return new Uint8Array(parts);
}

test('unknown record types and feature sections are skipped, not fatal; features are read', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME).hostname('build-7').cmdline(['/usr/bin/perf', 'record', './app']).feature(200, new Uint8Array([1, 2, 3]));
  w.record(200, 0, new Uint8Array(16)).sample(0, { ip: BASE + 0x10n, pid: 42, tid: 42, time: 9n });
  const { profile, features } = await readPerfData(bytesSource('t', w.toFile()));
  assert.equal(profile.samples.length, 1);
  assert.equal(profile.meta.host, 'build-7');
  assert.equal(profile.meta.command, '/usr/bin/perf record ./app');
  assert.deepEqual(features.cmdline, ['/usr/bin/perf', 'record', './app']);
  assert.match(profile.meta.warnings.join('\n'), /1 records of unknown types were skipped/);
});

test('pipe format, big-endian: the same profile as the file format', async () => {
  const make = (le: boolean) => {
    const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN, le).hostname('h');
    for (let i = 0; i < 5; i++) w.sample(0, { pid: 42, tid: 42, time: BigInt(10 + i), callchain: [PERF_CONTEXT_USER, BASE + BigInt(i), BASE + 0x100n] });
    return w;
  };
  const file = await readPerfData(bytesSource('t', make(true).toFile()));
  const pipe = await readPerfData(bytesSource('t', make(false).toPipe()));
  assert.deepEqual(stacks(pipe.profile), stacks(file.profile));
  assert.equal(pipe.profile.meta.host, 'h');
  assert.equal(file.profile.samples.length, 5);
});

test('records cut by chunk boundaries read the same at every chunk size', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME | ST.CALLCHAIN | ST.STACK_USER, true, { stackUser: 200 });
  for (let i = 0; i < 20; i++) w.sample(0, { pid: 42, tid: 42, time: BigInt(i + 10), callchain: [BASE + BigInt(i)], stackUser: { data: new Uint8Array(200), dynSize: 100 } });
  const bytes = w.toFile();
  const expected = stacks((await readPerfData(bytesSource('t', bytes))).profile);
  assert.equal(expected.length, 20);
  for (const chunk of [1, 3, 7, 8, 64, 333]) assert.deepEqual(stacks((await readPerfData(chunkedSource(bytes, chunk))).profile), expected, `chunk ${chunk}`);
});

test('a header with data size 0 (perf killed): the records are read to the end, with a warning', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME);
  for (let i = 0; i < 3; i++) w.sample(0, { ip: BASE + 0x10n, pid: 42, tid: 42, time: BigInt(i + 10) });
  const { profile } = await readPerfData(bytesSource('t', w.toFile({ dataSizeZero: true })));
  assert.equal(profile.samples.length, 3);
  assert.match(profile.meta.warnings.join('\n'), /no data size/);
});

test('progress is reported up to the end; an aborted signal cancels', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME);
  for (let i = 0; i < 50; i++) w.sample(0, { ip: BASE, pid: 42, tid: 42, time: BigInt(i + 10) });
  const bytes = w.toFile();
  const seen: [number, number][] = [];
  await readPerfData(chunkedSource(bytes, 100), { onProgress: (done, total) => seen.push([done, total]) });
  assert.ok(seen.length > 5);
  assert.ok(seen.every(([done, total]) => done <= total && total === bytes.length));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(readPerfData(chunkedSource(bytes, 100), { signal: controller.signal }), CancelledError);
});

test('sniff takes the magic in either byte order only; a cut header is a one-line ImportError', async () => {
  const bytes = withApp(ST.IP).toFile();
  assert.ok(sniffPerfData(bytes));
  assert.ok(sniffPerfData(new PerfDataWriter(false).toPipe()));
  assert.ok(!sniffPerfData(new TextEncoder().encode('PERFILE1 is not it')));
  for (const cut of [8, 20, 103]) await assert.rejects(readPerfData(bytesSource('t', bytes.subarray(0, cut))), ImportError);
});

test('corrupt perf record -z data: the records before it are kept and one warning names the problem', async () => {
  const w = withApp(ST.IP | ST.TID | ST.TIME).sample(0, { ip: BASE + 0x10n, pid: 42, tid: 42, time: 9n });
  // A zstd frame header (magic, descriptor, window) and a block of the reserved type 3, which no decoder accepts.
  const garbage = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x48, 0x07, 0x00, 0x00, ...new Array<number>(23).fill(0)]);
  w.record(81, 0, garbage).record(81, 0, garbage).sample(0, { ip: BASE + 0x20n, pid: 42, tid: 42, time: 10n });
  const { profile } = await readPerfData(bytesSource('t', w.toFile()));
  assert.equal(profile.samples.length, 2, 'plain records around the batches are read');
  const warnings = profile.meta.warnings.join('\n');
  assert.match(warnings, /compressed records \(perf record -z\) are corrupt after 0 decompressed bytes: 1 later batches were skipped/);
});
