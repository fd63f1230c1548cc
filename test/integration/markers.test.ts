/**
 * Timeline markers from a recording with two events, made now:
 * `perf record -e cpu-clock -e sched:sched_switch -g` of the threads fixture
 * (three named threads) and of sleepy (which waits in nap()). cpu-clock is
 * the profile's samples; every sched_switch sample becomes a marker.
 *
 * Facts compared with perf's own output on the same file:
 * - markers per thread and event = `perf script -F tid,event` counts of the
 *   non-cpu-clock lines; samples per thread = its cpu-clock lines;
 * - sleepy: the markers whose stack passes through nap() = the sched_switch
 *   samples whose call chain perf script prints with nap in it;
 * - the perf script importer reading `perf script` of the same file gives
 *   the same marker counts per thread, and the tracepoint's fields
 *   (prev_comm=... ==> next_comm=...) as each marker's detail.
 *
 * Tracepoints need a readable tracefs (CI runs as root); without it the
 * tests skip and say why.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import type { Profile } from '../../src-shared/profile/model';
import { compileFixture, perfScriptText } from '../helpers/perf';
import { recordPerfWith } from '../helpers/perf-data';

let unavailable: string | false = false;
let threadsData = '';
let sleepyData = '';

before(async () => {
  const probe = spawnSync('perf', ['record', '-e', 'sched:sched_switch', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    unavailable = `perf cannot record the sched:sched_switch tracepoint here (tracefs not readable?): ${probe.stderr.trim().split('\n')[0]}`;
    console.log(`# skipping markers tests: ${unavailable}`);
    return;
  }
  const events = ['-e', 'cpu-clock', '-e', 'sched:sched_switch', '-g', '--'];
  threadsData = await recordPerfWith([...events, await compileFixture('threads')], 'threads-markers.perf.data');
  sleepyData = await recordPerfWith([...events, await compileFixture('sleepy'), '100'], 'sleepy-markers.perf.data');
});

/** "tid event" -> count from `perf script -F tid,event`. */
function perfCounts(data: string): Map<string, number> {
  const out = spawnSync('perf', ['script', '-i', data, '-F', 'tid,event'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(out.status, 0, out.stderr);
  const counts = new Map<string, number>();
  for (const line of out.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+):\s*$/.exec(line);
    if (!match) continue;
    const key = `${match[1]} ${match[2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The same counts from the profile: markers by their event, samples as the profile's event. */
function profileCounts(profile: Profile): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (let i = 0; i < profile.samples.length; i++) add(`${profile.threads.tid[profile.samples.thread[i]]} ${profile.meta.eventName}`);
  const markers = profile.markers;
  if (markers !== null) {
    for (let i = 0; i < markers.length; i++) add(`${profile.threads.tid[markers.thread[i]]} ${profile.strings[markers.event[i]]}`);
  }
  return counts;
}

const sorted = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => (a < b ? -1 : 1));

function stackFunctions(profile: Profile, stack: number): string[] {
  const names: string[] = [];
  for (let s = stack; s >= 0; s = profile.stacks.prefix[s]) names.push(profile.strings[profile.funcs.name[profile.frames.func[profile.stacks.frame[s]]]]);
  return names;
}

test('perf.data: sched_switch samples are markers on their threads, as many as perf script lists', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const profile = await loadProfile(await fileSource(threadsData));
  assert.equal(profile.meta.eventName, 'cpu-clock');
  const perf = perfCounts(threadsData);
  assert.ok([...perf.keys()].some((k) => k.endsWith(' sched:sched_switch')), 'the recording has context switches');
  assert.deepEqual(sorted(profileCounts(profile)), sorted(perf));
  const markers = profile.markers!;
  for (let i = 1; i < markers.length; i++) assert.ok(markers.time[i] >= markers.time[i - 1], 'markers in time order');
  assert.ok(markers.time[0] >= profile.meta.startTime - 1e9 && markers.time[markers.length - 1] <= profile.meta.endTime + 1e9, 'markers on the samples clock');
});

test("perf.data: sleepy's markers carry their call chain through nap(), as perf script prints it", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const profile = await loadProfile(await fileSource(sleepyData));
  const text = spawnSync('perf', ['script', '-i', sleepyData, '-F', 'event,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  // Samples are blank-line separated: header (event) then the chain.
  const blocks = text.split(/\n\s*\n/).filter((b) => /sched:sched_switch:/.test(b));
  const perfWithNap = blocks.filter((b) => /\snap\b/.test(b)).length;
  assert.ok(perfWithNap > 0, 'perf shows nap in sleepy\'s context switches');
  const markers = profile.markers!;
  let oursWithNap = 0;
  for (let i = 0; i < markers.length; i++) if (markers.stack[i] >= 0 && stackFunctions(profile, markers.stack[i]).includes('nap')) oursWithNap++;
  assert.equal(oursWithNap, perfWithNap);
  assert.equal(markers.length, blocks.length);
});

test('perf script text: the same markers, with the tracepoint fields as detail', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const text = await perfScriptText(threadsData);
  const profile = await loadProfile(await fileSource(text));
  const perf = perfCounts(threadsData);
  // The perf script importer takes the file's first event as the samples; every other line is a marker.
  assert.deepEqual(sorted(profileCounts(profile)), sorted(perf));
  const markers = profile.markers!;
  const first = sorted(perf).find(([k]) => k.endsWith(' sched:sched_switch'));
  assert.ok(first);
  for (let i = 0; i < markers.length; i++) {
    if (profile.strings[markers.event[i]] !== 'sched:sched_switch') continue;
    assert.match(profile.strings[markers.detail[i]] ?? '', /^prev_comm=.* ==> next_comm=/);
  }
});
