/**
 * The strace importer on short texts in the exact forms strace writes when
 * not recording as the recorder does (the lines are cut from real recordings
 * of syscall_threads, shortened): strace's own messages spliced into lines,
 * unprefixed lines of the first process, -r times, and text that only looks
 * like strace's. Recorded output is checked in
 * test/integration/strace-variants.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectImporter } from '../../src-main/import/registry';
import { bytesSource } from '../../src-main/import/source';
import { straceImporter } from '../../src-main/import/strace';
import { StraceLineJoiner } from '../../src-main/import/strace/noise';
import { stringAt, type Profile } from '../../src-shared/profile/model';

const encode = (text: string) => new TextEncoder().encode(text);
const importLines = (lines: string[]): Promise<Profile> => straceImporter.import(bytesSource('t.txt', encode(lines.join('\n') + '\n')), {});

/** "name tid start" per sample, in time order. */
function samplesOf(profile: Profile): string[] {
  return Array.from({ length: profile.samples.length }, (_, i) => {
    const frame = profile.stacks.frame[profile.samples.stack[i]];
    const name = stringAt(profile, profile.funcs.name[profile.frames.func[frame]]);
    return `${name} ${profile.threads.tid[profile.samples.thread[i]]} ${profile.samples.time[i]}`;
  });
}

const CLONE = 'clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS, child_tid=0x7efe0120f990}';

test('the joiner drops strace\'s messages and joins the halves of the line one cut', () => {
  const joiner = new StraceLineJoiner();
  const physical = [
    `04:56:47.906461 ${CLONE}strace: Process 25409 attached`,
    ' => {parent_tid=[25409]}, 88) = 25409 <0.000232>',
    'strace: Process 25410 attached',
    '[pid 25409] 04:56:47.906726 rseq(0x7efe0120ffe0, 0x20, 0, 0x53053053 <unfinished ...>',
    '[pid 25408] 04:56:47.947407 write(2, "strace: Process 1 attached", 26 <unfinished ...>',
  ];
  const logical = physical.map((line, i) => joiner.push(line, i + 1));
  assert.deepEqual(logical, [
    null,
    { text: `04:56:47.906461 ${CLONE} => {parent_tid=[25409]}, 88) = 25409 <0.000232>`, lineNumber: 1 },
    null,
    { text: physical[3], lineNumber: 4 },
    // In a quoted string it is the program's text, not strace's message.
    { text: physical[4], lineNumber: 5 },
  ]);
});

test('stderr trace: the unprefixed first process is the pid that resumes its unfinished call', async () => {
  const profile = await importLines([
    '04:56:48.079000 execve("./syscall_threads", ["./syscall_threads", "20"], 0x7ffd /* 35 vars */) = 0 <0.000200>',
    `04:56:48.079423 ${CLONE} <unfinished ...>`,
    '[pid 25441] 04:56:48.079473 rseq(0x7fc074954fe0, 0x20, 0, 0x53053053 <unfinished ...>',
    '[pid 25440] 04:56:48.079489 <... clone3 resumed> => {parent_tid=[25441]}, 88) = 25441 <0.000057>',
    '[pid 25441] 04:56:48.079508 <... rseq resumed>) = 0 <0.000026>',
    '[pid 25441] 04:56:48.081000 +++ exited with 0 +++',
    '04:56:48.081477 getppid()               = 25437 <0.000004>',
    '04:56:48.081588 +++ exited with 0 +++',
  ]);
  assert.deepEqual(profile.meta.warnings, []);
  assert.deepEqual(Array.from(profile.threads.tid), [25440, 25441]);
  assert.deepEqual(Array.from(profile.threads.pid), [25440, 25440]);
  const t0 = (4 * 3600 + 56 * 60 + 48) * 1e9;
  assert.deepEqual(samplesOf(profile), [
    `execve 25440 ${t0 + 79000e3}`,
    `clone3 25440 ${t0 + 79423e3}`,
    `rseq 25441 ${t0 + 79473e3}`,
    // After the other pid exited, strace prints no prefix again: the one pid left.
    `getppid 25440 ${t0 + 81477e3}`,
  ]);
});

test('stderr trace: with no call left unfinished, the first pid that is not its clone is the first process', async () => {
  const profile = await importLines([
    '04:56:48.030000 execve("./syscall_threads", ["./syscall_threads", "20"], 0x7ffd /* 35 vars */) = 0 <0.000200>',
    `04:56:48.030681 ${CLONE} => {parent_tid=[25429]}, 88) = 25429 <0.000071>`,
    '[pid 25429] 04:56:48.030865 rseq(0x7fdf8b070fe0, 0x20, 0, 0x53053053) = 0 <0.000010>',
    '[pid 25428] 04:56:48.030903 getppid()   = 25425 <0.000008>',
  ]);
  assert.deepEqual(profile.meta.warnings, []);
  assert.deepEqual(Array.from(profile.threads.tid), [25428, 25429]);
  assert.deepEqual(
    Array.from(profile.threads.name, (n) => stringAt(profile, n)),
    ['syscall_threads', 'syscall_threads'],
  );
});

test('-r: seconds since the previous line are summed from the first line', async () => {
  const profile = await importLines([
    '24756      0.000000 execve("./p", ["./p"], 0x7ffc /* 35 vars */) = 0 <0.003397>',
    '24756      0.003605 getppid(  <unfinished ...>',
    '24757      0.000387 getppid()          = 24756 <0.000053>',
    '24756      0.000114 <... getppid resumed>) = 1 <0.000047>',
    '24756      1.000000 +++ exited with 0 +++',
  ]);
  assert.deepEqual(samplesOf(profile), ['execve 24756 0', 'getppid 24756 3605000', 'getppid 24757 3992000']);
  assert.equal(profile.markers?.time[0], 1_004_106_000);
});

test('-ttt times stay seconds since 1970; a file that changes its time form fails naming the line', async () => {
  const epoch = await importLines(['5 1700000000.000001 getpid() = 5 <0.000001>', '5 1700000000.000101 getpid() = 5 <0.000001>']);
  assert.deepEqual(samplesOf(epoch), [`getpid 5 ${1700000000e9 + 1000}`, `getpid 5 ${1700000000e9 + 101000}`]);
  await assert.rejects(importLines(['5 10:00:00.000001 getpid() = 5 <0.000001>', '5 1700000000.000101 getpid() = 5 <0.000001>']), /^ImportError: line 2: its time \(-ttt seconds since 1970\) is not of the form the file started with \(-tt clock time\)$/);
});

test('text that only looks like strace output is not claimed', () => {
  assert.equal(straceImporter.sniff(encode('f(x) = 2x\ng(x) = x + 1\n')), false);
  assert.equal(straceImporter.sniff(encode('f(x) = 2\n')), false);
  assert.equal(straceImporter.sniff(encode('notes:\nf(x) = 2\ng(x) = 3\n')), false);
  assert.equal(straceImporter.sniff(encode('f(x) = 2\ng(x) = 3\n')), false);
  assert.equal(detectImporter(encode('main;read(int) 12\nmain;write 3\n'))?.id, 'collapsed');
  // strace's call form without times is claimed, so that import() can say what is missing.
  assert.equal(straceImporter.sniff(encode('brk(NULL) = 0x55ce3732d000 <0.000006>\nclose(3) = 0 <0.000002>\n')), true);
});

test('a stderr trace with the program\'s own output in it fails naming the line and the likely cause', async () => {
  await assert.rejects(
    importLines([
      `05:13:55.816500 ${CLONE} => {parent_tid=[12877]}, 88) = 12877 <0.000071>`,
      '05:13:55.816566 futex(0x7fa5340d0990, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 12877, NULL, FUTEX_BITSET_MATCH_ANY <unfinished ...>',
      '[pid 12877] 05:13:55.817640 write(2, "worker says hello\\n", 18worker says hello',
      ') = 18 <0.000007>',
    ]),
    /^ImportError: line 4: not a strace -f -T -tt line \(.*\); the traced program's own output\? record with strace -o FILE$/,
  );
});

test('-tt times past midnight continue on the next day', async () => {
  const profile = await importLines(['5 23:59:59.999000 getpid() = 5 <0.000001>', '5 00:00:00.001000 getpid() = 5 <0.000001>']);
  assert.deepEqual(samplesOf(profile), [`getpid 5 ${86_400e9 - 1e6}`, `getpid 5 ${86_400e9 + 1e6}`]);
});
