/**
 * perf's own view of a perf.data file, sample by sample, for the perf.data
 * reader's tests; and pipe-mode recording (`perf record -o -`), which
 * helpers/perf.ts does not do.
 *
 * Per-sample facts come from `perf script -G` (one header line per sample):
 *
 *   cpu_hot 13601/13601   897.748333:  ffffffff81360012 ([kernel.kallsyms])
 *   comm    pid/tid       time:        ip               (dso of the ip)
 *
 * so tests count samples per thread, per comm and per dso the way perf does,
 * and compare with the importer's profile on the same file.
 */

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import type { PerfDataConfig } from '../../src-main/import/perf-data';
import { createDwarfUnwinder } from '../../src-main/import/perf-data/dwarf-unwinder';
import { createBinaryResolver } from '../../src-main/symbols/binary-resolver';
import { ARTIFACTS_DIR, FIXTURE_PROGRAMS_DIR } from './perf';

const RECORDINGS_DIR = join(ARTIFACTS_DIR, 'recordings');

/**
 * The importer's configuration for tests that import hundreds of variants
 * of one file (truncation, fuzzing): binaries and DWARF unwinding as in the
 * app, but one resolver and one unwinder shared by every import (each would
 * otherwise re-read the same binaries), no debuginfod (a mutated build-id
 * must not reach the network), and no kallsyms (parsing it takes longer than
 * reading these files).
 */
const sharedBinaries = createBinaryResolver({ debuginfodUrls: [] });
const sharedUnwinder = createDwarfUnwinder();
export const manyImportsConfig: PerfDataConfig = {
  symbols: () => ({ binaries: { ...sharedBinaries, dispose() {} } }),
  unwinder: () => ({ unwind: (sample, modules) => sharedUnwinder.unwind(sample, modules) }),
};

function run(command: string, args: string[], stdoutFile?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = stdoutFile === undefined ? null : openSync(stdoutFile, 'w');
    const child = spawn(command, args, { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const done = () => fd !== null && closeSync(fd);
    child.on('error', (error) => {
      done();
      reject(new Error(`${command} ${args.join(' ')}: ${error.message}`));
    });
    child.on('close', (code) => {
      done();
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')}: exited with ${code}\n${stderr.trim()}`));
    });
  });
}

/** `perf record -e cpu-clock -F freq -g -o - -- binary args > out`: the pipe format. Returns out. */
export async function recordPerfPipe(binary: string, args: string[], name: string, frequency = 1000): Promise<string> {
  mkdirSync(RECORDINGS_DIR, { recursive: true });
  const out = join(RECORDINGS_DIR, name);
  const partial = `${out}.${process.pid}.tmp`;
  await run('perf', ['record', '-e', 'cpu-clock', '-F', String(frequency), '-g', '-o', '-', '--', binary, ...args], partial);
  renameSync(partial, out);
  return out;
}

/**
 * `perf record --threads -e cpu-clock -F freq -g -o DIR -- binary args`: a
 * directory (data, data.0, data.1, ...). Returns DIR, or a reason string when
 * this perf writes no such directory (before 5.18 it has no --threads).
 */
export async function recordPerfThreadsDirectory(binary: string, args: string[], name: string, frequency = 1000): Promise<{ dir: string } | { reason: string }> {
  mkdirSync(RECORDINGS_DIR, { recursive: true });
  const dir = join(RECORDINGS_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  const recorded = spawnSync('perf', ['record', '-q', '--threads', '-e', 'cpu-clock', '-F', String(frequency), '-g', '-o', dir, '--', binary, ...args], { encoding: 'utf8' });
  if (recorded.status !== 0 || !existsSync(join(dir, 'data.0'))) return { reason: `perf record --threads wrote no directory here: ${recorded.stderr.trim().split('\n')[0]}` };
  return { dir };
}

/** Any perf record command line (args after `perf record`), writing `-o out`. Returns out. */
export async function recordPerfWith(args: string[], name: string): Promise<string> {
  mkdirSync(RECORDINGS_DIR, { recursive: true });
  const out = join(RECORDINGS_DIR, name);
  const partial = `${out}.${process.pid}.tmp`;
  await run('perf', ['record', '-o', partial, ...args]);
  renameSync(partial, out);
  return out;
}

export interface PerfScriptSample {
  comm: string;
  pid: number;
  tid: number;
  event: string;
  /** The dso of the sampled ip as perf names it: a path, "[kernel.kallsyms]", "[unknown]". */
  dso: string;
}

/**
 * Every sample, as `perf script -G -F comm,pid,tid,time,event,ip,dso` prints
 * them; only those of `event` when given (a leader-sampled group prints one
 * line per member).
 */
export async function perfScriptSamples(perfData: string, event?: string): Promise<PerfScriptSample[]> {
  const out = `${perfData}.samples.txt`;
  await run('perf', ['script', '-i', perfData, '-G', '-F', 'comm,pid,tid,time,event,ip,dso'], out);
  const samples: PerfScriptSample[] = [];
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\s*(.*?)\s+(-?\d+)\/(-?\d+)\s+\d+\.\d+:\s+(\S+):\s+[0-9a-f]+\s+\((.*)\)\s*$/.exec(line);
    if (m) samples.push({ comm: m[1], pid: Number(m[2]), tid: Number(m[3]), event: m[4], dso: m[5] });
    else if (line.trim() !== '') throw new Error(`perf script: unexpected line: ${line}`);
  }
  return event === undefined ? samples : samples.filter((s) => s.event === event);
}

export interface PerfReportThread {
  tid: number;
  /** The thread's comm when perf finished reading: its latest one. */
  comm: string;
  samples: number;
}

/** `perf report --sort pid -n`: samples per thread of the first event, named "tid:comm" by perf. */
export async function perfReportThreads(perfData: string): Promise<PerfReportThread[]> {
  const stdout = await run('perf', ['report', '-i', perfData, '--stdio', '--no-children', '--sort', 'pid', '-n', '-g', 'none', '--percent-limit', '0']);
  const threads: PerfReportThread[] = [];
  let sections = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# Samples:') && ++sections > 1) break;
    const m = /^\s+\d+\.\d+%\s+(\d+)\s+(\d+):(.*?)\s*$/.exec(line);
    if (m) threads.push({ tid: Number(m[2]), comm: m[3], samples: Number(m[1]) });
  }
  if (threads.length === 0) throw new Error(`perf report --sort pid: no rows\n${stdout.slice(0, 2000)}`);
  return threads;
}

/** Counts of `key` over items, as a plain sorted object (stable for deepEqual). */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What the profile says about each sample: its thread and the library of its leaf frame (perf's dso names). */
export function profileSamples(profile: Profile): { pid: number; tid: number; thread: string; dso: string }[] {
  const { samples, stacks, frames, funcs, threads } = profile;
  return Array.from({ length: samples.length }, (_, i) => {
    const t = samples.thread[i];
    const func = frames.func[stacks.frame[samples.stack[i]]];
    const library = funcs.library[func];
    return {
      pid: threads.pid[t],
      tid: threads.tid[t],
      thread: stringAt(profile, threads.name[t]),
      dso: library < 0 ? '[unknown]' : stringAt(profile, library),
    };
  });
}

/** perf shortens nothing in `perf script`'s dso; compare by base name so a moved artifacts dir does not matter. */
export function dsoName(dso: string): string {
  return dso.startsWith('[') ? dso : basename(dso);
}

/** Compiles test/fixtures/programs/NAME.c with `flags` into test-artifacts/build/NAME-TAG (helpers/perf.ts always keeps frame pointers). */
export async function compileFixtureWith(name: string, tag: string, flags: string[]): Promise<string> {
  const dir = join(ARTIFACTS_DIR, 'build');
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, `${name}-${tag}`);
  const partial = `${binary}.${process.pid}.tmp`;
  await run('gcc', [...flags, '-o', partial, join(FIXTURE_PROGRAMS_DIR, `${name}.c`)]);
  renameSync(partial, binary);
  return binary;
}

export interface PerfChildrenRow {
  name: string;
  /** Share of samples whose call chain contains the function (perf's "Children"). */
  children: number;
  self: number;
}

/** `perf report --children --sort symbol`: inclusive and self shares per function of the first event. */
export async function perfReportChildren(perfData: string): Promise<PerfChildrenRow[]> {
  const stdout = await run('perf', ['report', '-i', perfData, '--stdio', '--children', '--sort', 'symbol', '-g', 'none', '--percent-limit', '0']);
  const rows: PerfChildrenRow[] = [];
  let sections = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# Samples:') && ++sections > 1) break;
    const m = /^\s+(\d+\.\d+)%\s+(\d+\.\d+)%\s+\[.\] (.*?)\s*$/.exec(line);
    // perf pads the symbol column and may add IPC columns after it: the name ends at the first run of spaces.
    if (m) rows.push({ name: m[3].split(/\s{2,}/)[0], children: Number(m[1]), self: Number(m[2]) });
  }
  if (rows.length === 0) throw new Error(`perf report --children: no rows\n${stdout.slice(0, 2000)}`);
  return rows;
}
