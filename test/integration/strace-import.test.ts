/**
 * The strace timeline importer on a real `strace -f -T -tt` recording of the
 * syscall_threads fixture (two threads, N getppid calls each, a few
 * nanosleeps), made now with the same argv the recorder uses.
 *
 * Every expectation comes from the same file read by an independent awk
 * program (counting finished calls per name and summing their `<seconds>`),
 * never typed by hand:
 * - per system call, the importer's sample count and total weight equal awk's;
 * - the thread count equals the distinct pids;
 * - `heatline report FILE --json` ranks first the call with awk's largest total.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { sampleWeight, stringAt, type Profile } from '../../src-shared/profile/model';
import { runCli } from '../helpers/cli';
import { ARTIFACTS_DIR, compileFixture } from '../helpers/perf';

const CALLS_PER_THREAD = 100;

/**
 * Per finished call (a line ending in "<seconds>"): its name is the 4th field
 * of a "<... NAME resumed>" line, else the 3rd field up to "(". Prints
 * "name count microseconds" per name, then "pids N".
 */
const AWK_PROGRAM = String.raw`
$NF ~ /^<[0-9]+\.[0-9]+>$/ {
  name = ($3 == "<...") ? $4 : substr($3, 1, index($3, "(") - 1)
  seconds = substr($NF, 2, length($NF) - 2)
  count[name]++
  micros[name] += seconds * 1000000
}
{ pids[$1] = 1 }
END {
  for (name in count) printf "%s %d %.0f\n", name, count[name], micros[name]
  n = 0; for (p in pids) n++
  printf "pids %d\n", n
}`;

interface AwkFacts {
  calls: Map<string, { count: number; micros: number }>;
  pids: number;
}

function awkFacts(file: string): AwkFacts {
  const calls = new Map<string, { count: number; micros: number }>();
  let pids = 0;
  for (const line of execFileSync('awk', [AWK_PROGRAM, file], { encoding: 'utf8' }).trim().split('\n')) {
    const [name, a, b] = line.split(' ');
    if (name === 'pids') pids = Number(a);
    else calls.set(name, { count: Number(a), micros: Number(b) });
  }
  return { calls, pids };
}

/** Per function name: samples and total weight in nanoseconds. */
function importerFacts(profile: Profile): Map<string, { count: number; nanos: number }> {
  const out = new Map<string, { count: number; nanos: number }>();
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = profile.stacks.frame[profile.samples.stack[i]];
    const name = stringAt(profile, profile.funcs.name[profile.frames.func[frame]]);
    const entry = out.get(name) ?? { count: 0, nanos: 0 };
    entry.count++;
    entry.nanos += sampleWeight(profile.samples, i);
    out.set(name, entry);
  }
  return out;
}

let traceFile: string;
let awk: AwkFacts;
let profile: Profile;

before(async () => {
  const binary = await compileFixture('syscall_threads');
  const dir = join(ARTIFACTS_DIR, 'strace');
  mkdirSync(dir, { recursive: true });
  traceFile = join(dir, 'syscall_threads.strace.txt');
  // The recorder's timeline argv (record/instruments.ts), launching the fixture by a
  // short relative path: strace cuts strings at 32 characters, and the thread names come from execve's.
  execFileSync('strace', ['-f', '-T', '-tt', '-o', traceFile, '--', `./${basename(binary)}`, String(CALLS_PER_THREAD)], { cwd: dirname(binary), stdio: 'ignore' });
  awk = awkFacts(traceFile);
  profile = await loadProfile(await fileSource(traceFile));
});

test('the recording shows the fixture: two pids, each making its getppid calls', () => {
  assert.equal(awk.pids, 2);
  assert.equal(awk.calls.get('getppid')?.count, 2 * CALLS_PER_THREAD);
});

test('per system call, sample count and total time equal awk over the same file', () => {
  assert.equal(profile.meta.format, 'strace');
  assert.equal(profile.meta.unit, 'nanoseconds');
  const ours = importerFacts(profile);
  assert.deepEqual([...ours.keys()].sort(), [...awk.calls.keys()].sort());
  for (const [name, expected] of awk.calls) {
    const got = ours.get(name);
    assert.equal(got?.count, expected.count, `${name} calls`);
    assert.equal(Math.round((got?.nanos ?? 0) / 1000), expected.micros, `${name} microseconds`);
  }
});

test('one thread per pid, named after the traced program', () => {
  assert.equal(profile.threads.length, awk.pids);
  for (let t = 0; t < profile.threads.length; t++) assert.equal(stringAt(profile, profile.threads.name[t]), 'syscall_threads');
  assert.match(profile.meta.command ?? '', /syscall_threads 100$/);
  assert.deepEqual(profile.meta.warnings, []);
  // Both pids end with "+++ exited with 0 +++": exit markers on their tracks.
  const markers = profile.markers;
  assert.ok(markers !== null);
  const exits = Array.from(markers.event).filter((e) => stringAt(profile, e) === 'exit').length;
  assert.equal(exits, awk.pids);
});

test('heatline report --json ranks first the call with the largest total per awk', async () => {
  const { status, stdout, stderr } = await runCli(['report', traceFile, '--json']);
  assert.equal(status, 0, stderr);
  const report = JSON.parse(stdout) as { format: string; functions: { name: string; self: number }[] };
  const [largest] = [...awk.calls].sort((a, b) => b[1].micros - a[1].micros);
  assert.equal(report.format, 'strace');
  assert.equal(report.functions[0].name, largest[0]);
  assert.equal(Math.round(report.functions[0].self / 1000), largest[1].micros);
});
