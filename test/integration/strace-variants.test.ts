/**
 * The strace importer on the ways people record strace other than the
 * recorder's `-f -T -tt -o FILE`, each recorded now from the syscall_threads
 * fixture (two threads, N getppid calls each, a few nanosleeps):
 *
 * - `-C`: the -c summary table appended to the trace. It is skipped, and its
 *   calls per system call (strace's own count of the same run) equal the
 *   importer's. The other recordings add -C too, for the same check.
 * - `-r`: seconds since the previous line. Each call's start equals the sum
 *   of the -r column up to its line (or up to its `<unfinished ...>` line),
 *   summed by awk from the same file.
 * - the trace on stderr (no -o): strace's "Process N attached" messages,
 *   sometimes spliced into a line, and, with -q, lines without a pid for the
 *   first process before it has a second thread.
 * - `-k`, `-i`, `-n`: stack traces, instruction pointers and syscall numbers are skipped.
 * - without -T, without -tt, with -t, or a -c table alone: one line naming
 *   the file and the option to record with.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { compileFixture } from '../helpers/perf';
import { asLines, importedCounts, recordStrace, summaryCounts } from '../helpers/strace';

const CALLS_PER_THREAD = '100';
let binary: string;

before(async () => {
  binary = await compileFixture('syscall_threads');
});

const load = async (file: string): Promise<Profile> => loadProfile(await fileSource(file));

/** The importer's calls per system call equal the -c table's in the same file. */
function assertCountsMatchSummary(profile: Profile, file: string): void {
  assert.deepEqual(asLines(importedCounts(profile)), asLines(summaryCounts(file)));
}

test('-C: the summary table after the trace is skipped; its counts per call equal the trace read', async () => {
  const file = recordStrace('with-summary.txt', ['-C', '-f', '-tt', '-T'], binary, [CALLS_PER_THREAD], 'file');
  assert.match(readFileSync(file, 'utf8'), /^% time +seconds +usecs\/call/m);
  const profile = await load(file);
  assert.equal(profile.meta.format, 'strace');
  assert.deepEqual(profile.meta.warnings, []);
  assertCountsMatchSummary(profile, file);
  assert.equal(importedCounts(profile).get('getppid'), 2 * Number(CALLS_PER_THREAD));
});

/**
 * Per finished call "name start" with start in microseconds since the first
 * line: the running sum of the -r column ($2) at its line, or for a resumed
 * call at its pid's `<unfinished ...>` line. Then "total SUM".
 */
const AWK_RELATIVE = String.raw`
{ split($2, t, "."); sum += t[1] * 1000000 + t[2] }
$NF == "...>" && $(NF-1) == "<unfinished" { started[$1] = sum; next }
$NF ~ /^<[0-9]+\.[0-9]+>$/ {
  if ($3 == "<...") printf "%s %d\n", $4, started[$1]
  else printf "%s %d\n", substr($3, 1, index($3, "(") - 1), sum
}
END { printf "total %d\n", sum }`;

test('-r: relative times are summed: every call starts at the sum of the -r column up to its line', async () => {
  const file = recordStrace('relative.txt', ['-f', '-r', '-T'], binary, [CALLS_PER_THREAD], 'file');
  const awk = execFileSync('awk', [AWK_RELATIVE, file], { encoding: 'utf8' }).trim().split('\n');
  const total = Number(awk.pop()?.split(' ')[1]);
  const profile = await load(file);
  assert.deepEqual(profile.meta.warnings, []);
  const starts = Array.from({ length: profile.samples.length }, (_, i) => {
    const frame = profile.stacks.frame[profile.samples.stack[i]];
    return `${stringAt(profile, profile.funcs.name[profile.frames.func[frame]])} ${profile.samples.time[i] / 1000}`;
  });
  assert.deepEqual(starts.sort(), awk.sort());
  // The whole run is the sum of the column: the last line is the last pid's exit.
  const markers = profile.markers;
  assert.ok(markers !== null);
  assert.equal(markers.time[markers.length - 1] / 1000, total);
  const lastStart = profile.samples.time[profile.samples.length - 1] / 1000;
  assert.ok(lastStart <= total && lastStart > total / 2, `last call at ${lastStart} µs of ${total}`);
});

test('-tt -r: the "(+ seconds)" beside the clock time is skipped', async () => {
  const file = recordStrace('clock-and-relative.txt', ['-C', '-f', '-tt', '-r', '-T'], binary, [CALLS_PER_THREAD], 'file');
  assert.match(readFileSync(file, 'utf8'), /^\d+ +\d\d:\d\d:\d\d\.\d+ \(\+ +\d+\.\d+\) /m);
  const profile = await load(file);
  assert.deepEqual(profile.meta.warnings, []);
  assertCountsMatchSummary(profile, file);
});

/** Pids in "[pid N]" prefixes, and whether some lines have a time but no prefix. */
function prefixes(text: string): { pids: number[]; unprefixed: number } {
  const pids = new Set<number>();
  let unprefixed = 0;
  for (const line of text.split('\n')) {
    const match = /^\[pid\s+(\d+)\]/.exec(line);
    if (match !== null) pids.add(Number(match[1]));
    else if (/^\d\d:\d\d:\d\d\.\d+ /.test(line)) unprefixed++;
  }
  return { pids: [...pids].sort((a, b) => a - b), unprefixed };
}

/** One process with one thread per pid strace showed, counts equal to strace's table. */
async function assertOneProcess(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const { pids, unprefixed } = prefixes(text);
  assert.equal(pids.length, 2, 'the fixture has two threads');
  assert.ok(unprefixed > 0, 'strace printed lines without a pid');
  const profile = await load(file);
  assert.deepEqual(profile.meta.warnings, []);
  assert.deepEqual(Array.from(profile.threads.tid).sort((a, b) => a - b), pids);
  assert.equal(new Set(profile.threads.pid).size, 1, 'one process');
  assert.ok(pids.includes(profile.threads.pid[0]), 'the process is one of the pids');
  for (let t = 0; t < profile.threads.length; t++) assert.equal(stringAt(profile, profile.threads.name[t]), 'syscall_threads');
  assertCountsMatchSummary(profile, file);
}

test('trace on stderr: strace\'s "Process N attached" is skipped, also spliced into a line', async (t) => {
  // strace prints its message whenever the new thread stops first, often in the
  // middle of the clone3 line; record until it does (or say it never did).
  const spliced = /.strace: Process \d+ attached$/m;
  let file = '';
  for (let attempt = 1; attempt <= 10; attempt++) {
    file = recordStrace('stderr.txt', ['-C', '-f', '-tt', '-T'], binary, [CALLS_PER_THREAD], 'stderr');
    if (spliced.test(readFileSync(file, 'utf8'))) break;
  }
  assert.match(readFileSync(file, 'utf8'), /strace: Process \d+ attached$/m);
  await assertOneProcess(file);
  if (!spliced.test(readFileSync(file, 'utf8'))) t.diagnostic('strace did not splice its message into a line in 10 runs: only the whole-line form was read');
});

test('trace on stderr with -q: the unprefixed lines are the first process, one process with a thread per pid', async () => {
  const file = recordStrace('stderr-quiet.txt', ['-q', '-C', '-f', '-tt', '-T'], binary, [CALLS_PER_THREAD], 'stderr');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /strace: /);
  await assertOneProcess(file);
});

for (const [option, shape] of [
  ['-k', /^ > \S+/m],
  ['-i', /^\d+ +\S+ \[[0-9a-f]{16}\] /m],
  ['-n', /^\d+ +\S+ \[ *\d+\] /m],
] as const) {
  test(`${option}: its additions are skipped; counts equal strace's table`, async () => {
    const file = recordStrace(`option${option}.txt`, ['-C', '-f', '-tt', '-T', option], binary, [CALLS_PER_THREAD], 'file');
    assert.match(readFileSync(file, 'utf8'), shape);
    const profile = await load(file);
    assert.deepEqual(profile.meta.warnings, []);
    assertCountsMatchSummary(profile, file);
  });
}

for (const [name, options, message] of [
  ['no-durations.txt', ['-f', '-tt'], /: strace timeline: strace output without -T durations: record with strace -f -T -tt$/],
  ['no-times.txt', ['-f', '-T'], /: strace timeline: strace output without timestamps: record with strace -f -T -tt \(or -ttt\)$/],
  ['whole-seconds.txt', ['-f', '-t', '-T'], /: strace timeline: strace -t output \(times in whole seconds\): record with strace -f -T -tt \(or -ttt\)$/],
  ['summary-only.txt', ['-c', '-f'], /: strace timeline: a strace -c summary table without the trace: record with strace -f -T -tt -o FILE/],
] as const) {
  test(`${options.join(' ')}: one line naming the file and what to record with`, async () => {
    const file = recordStrace(name, [...options], binary, [CALLS_PER_THREAD], 'file');
    await assert.rejects(load(file), (error: Error) => {
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.match(error.message, message);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });
}
