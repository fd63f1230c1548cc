/**
 * The strace timeline importer on short texts in strace's exact forms: pid
 * prefixes ("1234 ", "[pid 1234] ", none), unfinished/resumed joining,
 * signals and exits as markers, sniffing, bad and truncated input. Recorded
 * strace output is checked in test/integration/strace-import.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { detectImporter } from '../../src-main/import/registry';
import { bytesSource } from '../../src-main/import/source';
import { straceImporter } from '../../src-main/import/strace';
import { parseStraceLine } from '../../src-main/import/strace/lines';
import { stringAt, type Profile } from '../../src-shared/profile/model';

const encode = (text: string) => new TextEncoder().encode(text);
const importText = (text: string): Promise<Profile> => straceImporter.import(bytesSource('t.strace.txt', encode(text)), {});

/** "name pid start duration" per sample, in sample order. */
function samplesOf(profile: Profile): string[] {
  const out: string[] = [];
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = profile.stacks.frame[profile.samples.stack[i]];
    const name = stringAt(profile, profile.funcs.name[profile.frames.func[frame]]);
    const tid = profile.threads.tid[profile.samples.thread[i]];
    out.push(`${name} ${tid} ${profile.samples.time[i]} ${profile.samples.weight?.[i]}`);
  }
  return out;
}

const threadNames = (profile: Profile) => Array.from(profile.threads.name, (n) => stringAt(profile, n));

test('line forms: pid prefixes, -tt and -ttt times, durations', () => {
  assert.deepEqual(parseStraceLine('12 10:00:01.000002 getppid() = 1 <0.000123>'), {
    pid: 12,
    comm: null,
    time: 36001e9 + 2000,
    clock: 'clock',
    body: { kind: 'call', name: 'getppid', text: 'getppid() = 1 <0.000123>', duration: 123000 },
  });
  assert.equal(parseStraceLine('[pid   345] 10:00:01.5 getpid() = 345 <0.000001>')?.pid, 345);
  assert.equal(parseStraceLine('10:00:01.500000 getpid() = 345 <0.000001>')?.pid, null);
  const withComm = parseStraceLine('345<my worker> 10:00:01.5 getpid() = 345 <0.000001>');
  assert.equal(withComm?.pid, 345);
  assert.equal(withComm?.comm, 'my worker');
  assert.equal(parseStraceLine('1700000000.000001 getpid() = 3 <0.000001>')?.time, 1700000000e9 + 1000);
  assert.equal(parseStraceLine('9 10:00:00.000000 exit_group(0)     = ?')?.body.kind, 'call-no-duration');
  assert.equal(parseStraceLine('main;foo 42'), null);
  assert.equal(parseStraceLine('st 12384 [000] 1234.567890: cpu-clock:'), null);
});

test('unfinished and resumed lines of one pid join into one call timed from the resumed duration', async () => {
  const profile = await importText(
    [
      '100 10:00:00.000000 execve("/usr/bin/prog", ["prog", "-x"], 0x7ffe /* 3 vars */) = 0 <0.000300>',
      '100 10:00:00.001000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_THREAD|CLONE_SETTLS, child_tid=0x7f}, 88 <unfinished ...>',
      '101 10:00:00.001100 rseq(0x7f, 0x20, 0, 0x53053053 <unfinished ...>',
      '100 10:00:00.001200 <... clone3 resumed>) = 101 <0.000250>',
      '101 10:00:00.001300 <... rseq resumed>) = 0 <0.000150>',
      '101 10:00:00.002000 openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory) <0.000010>',
      '101 10:00:00.003000 exit(0)           = ?',
      '101 10:00:00.003100 +++ exited with 0 +++',
      '100 10:00:00.004000 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---',
      '100 10:00:00.005000 exit_group(0)     = ?',
      '100 10:00:00.005100 +++ exited with 0 +++',
      '',
    ].join('\n'),
  );
  const t0 = 36000e9;
  assert.deepEqual(samplesOf(profile), [
    `execve 100 ${t0} 300000`,
    `clone3 100 ${t0 + 1e6} 250000`,
    `rseq 101 ${t0 + 1.1e6} 150000`,
    `openat 101 ${t0 + 2e6} 10000`,
  ]);
  // The cloned thread is named after the program its cloner exec'd, in the cloner's process.
  assert.deepEqual(threadNames(profile), ['prog', 'prog']);
  assert.deepEqual(Array.from(profile.threads.pid), [100, 100]);
  assert.equal(profile.meta.command, 'prog -x');
  assert.equal(profile.meta.unit, 'nanoseconds');
  assert.equal(profile.meta.format, 'strace');
  assert.deepEqual(profile.meta.warnings, []);
  const markers = profile.markers;
  assert.ok(markers !== null);
  const events = Array.from({ length: markers.length }, (_, i) => `${stringAt(profile, markers.event[i])} ${profile.threads.tid[markers.thread[i]]} ${stringAt(profile, markers.detail[i])}`);
  assert.deepEqual(events, ['exit 101 exited with 0', 'signal 100 SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED}', 'exit 100 exited with 0']);
});

test('[pid N] prefixes: unprefixed lines are the first process, which says its pid with getpid', async () => {
  const profile = await importText(
    [
      '10:00:00.000000 execve("./a.out", ["./a.out"], 0x7ffe /* 3 vars */) = 0 <0.000100>',
      '10:00:00.001000 getpid()                = 7 <0.000002>',
      '[pid  8] 10:00:00.002000 getppid()       = 7 <0.000003>',
      '[pid  7] 10:00:00.002500 write(1, "hi\\n", 3) = 3 <0.000004>',
    ].join('\n') + '\n',
  );
  assert.deepEqual(threadNames(profile), ['a.out', 'pid 8']);
  assert.deepEqual(Array.from(profile.threads.tid), [7, 8]);
  assert.equal(profile.samples.length, 4);
  assert.deepEqual(profile.meta.warnings, []);
});

test('-Y command names name the threads; a cut-short program path names none', async () => {
  const profile = await importText(
    [
      '7<strace> 10:00:00.000000 execve("/a/very/long/path/that/strace/cu"..., ["/a/very/long/path/that/strace/cu"...], 0x7ffe /* 3 vars */) = 0 <0.000100>',
      '7<prog> 10:00:00.001000 getpid() = 7 <0.000002>',
      '8<io-worker> 10:00:00.002000 getppid() = 7 <0.000003>',
      '9 10:00:00.003000 execve("/a/very/long/path/that/strace/cu"..., ["/a/very/long/path/that/strace/cu"...], 0x7ffe /* 3 vars */) = 0 <0.000100>',
    ].join('\n') + '\n',
  );
  assert.deepEqual(threadNames(profile), ['prog', 'io-worker', 'pid 9']);
  assert.equal(profile.meta.command, '/a/very/long/path/that/strace/cu...');
});

test('a call left unfinished is left out with a warning; a resume without its start is timed back from its end', async () => {
  const profile = await importText(
    [
      '5 10:00:00.000000 <... nanosleep resumed>NULL) = 0 <0.002000>',
      '5 10:00:00.001000 read(0,  <unfinished ...>',
      '6 10:00:00.001500 getppid() = 5 <0.000001>',
    ].join('\n') + '\n',
  );
  assert.deepEqual(samplesOf(profile), [`nanosleep 5 ${36000e9 - 2e6} 2000000`, `getppid 6 ${36000e9 + 1.5e6} 1000`]);
  assert.equal(profile.meta.warnings.length, 2);
  assert.match(profile.meta.warnings.join('\n'), /1 system call\(s\) never finished/);
  assert.match(profile.meta.warnings.join('\n'), /1 resumed call\(s\) without their start/);
});

test('a truncated last line keeps the complete calls and warns', async () => {
  const profile = await importText('5 10:00:00.000000 getppid() = 1 <0.000001>\n5 10:00:00.000100 getppid() = 1 <0.0000');
  assert.equal(profile.samples.length, 1);
  assert.deepEqual(profile.meta.warnings, ['truncated at line 2: the unfinished last line is left out']);
});

test('sniffing: strace output is claimed, perf script and collapsed stacks are not', () => {
  assert.equal(detectImporter(encode('123 10:00:00.000000 getppid() = 1 <0.000001>\n'))?.id, 'strace');
  assert.equal(detectImporter(encode('1700000000.000001 getppid() = 1 <0.000001>\n'))?.id, 'strace');
  assert.equal(detectImporter(encode('main;foo 42\nmain;bar 7\n'))?.id, 'collapsed');
  assert.equal(detectImporter(encode('cpu_hot 4242 [001] 12345.678901:     250000 cpu-clock:\n\t    55d0 work_40+0x10 (/bin/x)\n\n'))?.id, 'perf-script');
  assert.equal(straceImporter.sniff(encode('hello world\n')), false);
});

test('a file that is not strace output fails with one line naming the file', async () => {
  // Good lines past the head sniff() reads, then one that is not strace's.
  const text = '123 10:00:00.000000 getppid() = 1 <0.000001>\n'.repeat(30) + 'this is not strace\n';
  await assert.rejects(loadProfile(bytesSource('notes.txt', encode(text))), (error: Error) => {
    assert.match(error.message, /^notes\.txt: strace timeline: line 31: not a strace -f -T -tt line/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
  await assert.rejects(loadProfile(bytesSource('plain.txt', encode('just some text\n'))), (error: Error) => {
    assert.match(error.message, /^plain\.txt: not a profile Heatline can read/);
    return true;
  });
});
