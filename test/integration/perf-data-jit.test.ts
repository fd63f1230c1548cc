/**
 * JIT code in perf.data, the two ways node (and JVMs) make it readable, on
 * recordings made here and now and checked against `perf report` on the
 * same file:
 * - `node --perf-basic-prof`: V8 writes /tmp/perf-PID.map, which perf report
 *   and Heatline both read for addresses in anonymous memory;
 * - `node --perf-prof` then `perf inject --jit`: V8 writes a jitdump, and
 *   perf inject turns each compiled function into an ELF image of its own
 *   (jitted-PID-N.so), so a function compiled twice is in two images. perf
 *   report shows it as one row; so must Heatline. Some of those images carry
 *   line tables whose file names are garbage (control characters, as
 *   readelf prints them too): no such name may reach the profile.
 *
 * The map file, the jitdump and the images are removed afterwards.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FuncKind, sampleWeight, stringAt, type Profile } from '../../src-shared/profile/model';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { artifactDir } from '../helpers/compile';
import { perfReportBySymbol, withoutParameters } from '../helpers/perf';
import { perfReportThreads } from '../helpers/perf-data';

const FIB = `
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
let total = 0;
for (let i = 0; i < 40; i++) total += fib(27);
process.stdout.write(String(process.pid) + ' ' + total);
`;

/** perf record -g of node running FIB with `nodeFlags`, in `dir` (where a jitdump lands); returns the data file and node's pid. */
function recordNode(dir: string, nodeFlags: string[]): { data: string; pid: number } {
  writeFileSync(join(dir, 'fib.js'), FIB);
  const data = join(dir, 'perf.data');
  const run = spawnSync('perf', ['record', '-q', '-k', '1', '-e', 'cpu-clock', '-F', '2000', '-g', '-o', data, '--', process.execPath, ...nodeFlags, 'fib.js'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return { data, pid: Number(run.stdout.split(' ')[0]) };
}

/** Every function row named `name`, as indexes into funcs. */
function funcsNamed(profile: Profile, test: (name: string) => boolean): number[] {
  const found: number[] = [];
  for (let f = 0; f < profile.funcs.length; f++) if (test(stringAt(profile, profile.funcs.name[f]))) found.push(f);
  return found;
}

/**
 * Self share per symbol as perf report --sort sym counts it: each sample goes
 * to the real (not inlined) function of its leaf, where Heatline's own
 * function list gives it to the innermost inlined one (libc's debug info
 * inlines __pthread_rwlock_rdunlock into pthread_rwlock_unlock). Rows that
 * share a name are one symbol here, as they are one row in perf's list.
 */
function selfBySymbol(profile: Profile): Map<string, number> {
  const { samples, stacks, frames, funcs } = profile;
  const weights = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const weight = sampleWeight(samples, i);
    total += weight;
    let at = samples.stack[i];
    while (at >= 0 && frames.inlineDepth[stacks.frame[at]] > 0) at = stacks.prefix[at];
    if (at < 0) continue;
    const name = withoutParameters(stringAt(profile, funcs.name[frames.func[stacks.frame[at]]]));
    weights.set(name, (weights.get(name) ?? 0) + weight);
  }
  return new Map([...weights].map(([name, weight]) => [name, (100 * weight) / total]));
}

/** perf's rows of 2% self or more have the same share here within a point, and the hottest is the same. */
async function assertSameHotFunctions(profile: Profile, data: string): Promise<void> {
  const perf = await perfReportBySymbol(data);
  assert.equal(profile.samples.length, perf.totalSamples, 'total samples');
  const ours = selfBySymbol(profile);
  const hot = perf.functions.filter((f) => f.percent >= 2);
  assert.ok(hot.length > 0, 'perf has hot functions');
  for (const row of hot) {
    const share = ours.get(withoutParameters(row.name)) ?? 0;
    assert.ok(Math.abs(share - row.percent) <= 1, `${row.name}: ours ${share.toFixed(2)}%, perf ${row.percent}%`);
  }
  const hottest = [...ours].sort((a, b) => b[1] - a[1])[0][0];
  assert.equal(hottest, withoutParameters(perf.functions[0].name), 'the hottest function');
}

test('node --perf-basic-prof: JIT functions from /tmp/perf-PID.map, as perf report names and counts them', async () => {
  const dir = artifactDir('perf-basic-prof');
  const { data, pid } = recordNode(dir, ['--perf-basic-prof']);
  try {
    const profile = await loadProfile(await fileSource(data));
    await assertSameHotFunctions(profile, data);
    // node's threads (main, V8 workers, libuv) carry the names perf gives them.
    for (const thread of await perfReportThreads(data)) {
      const t = Array.from(profile.threads.tid).indexOf(thread.tid);
      assert.ok(t >= 0, `thread ${thread.tid} is in the profile`);
      assert.equal(stringAt(profile, profile.threads.name[t]), thread.comm, `thread ${thread.tid}'s name`);
    }
    const fib = funcsNamed(profile, (name) => /^JS:[*~^]?fib /.test(name));
    assert.ok(fib.length > 0, 'the JS function is named from the map');
    for (const f of fib) assert.equal(profile.funcs.kind[f], FuncKind.jit, 'JIT code is JIT');
  } finally {
    rmSync(`/tmp/perf-${pid}.map`, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node --perf-prof + perf inject --jit: a function compiled into several images is one JIT function', async () => {
  const dir = artifactDir('perf-inject-jit');
  try {
    const { data } = recordNode(dir, ['--perf-prof', '--interpreted-frames-native-stack']);
    const injected = join(dir, 'perf.jit.data');
    const inject = spawnSync('perf', ['inject', '--jit', '-i', data, '-o', injected], { cwd: dir, encoding: 'utf8' });
    assert.equal(inject.status, 0, inject.stderr);
    const images = readdirSync(dir).filter((name) => /^jitted-\d+-\d+\.so$/.test(name));
    assert.ok(images.length > 1, `perf inject wrote the images (${images.length})`);

    const profile = await loadProfile(await fileSource(injected));
    await assertSameHotFunctions(profile, injected);
    const optimized = funcsNamed(profile, (name) => /^JS:\*fib /.test(name));
    assert.equal(optimized.length, 1, 'one row for the optimized fib, however many times it was compiled');
    assert.equal(profile.funcs.kind[optimized[0]], FuncKind.jit);
    assert.equal(profile.funcs.library[optimized[0]], -1, 'JIT images are not libraries');
    for (const path of profile.strings) assert.ok(!/[\u0000-\u001f\u007f\ufffd]/.test(path), `no garbage file names: ${JSON.stringify(path)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
