/**
 * Recording strace output of the fixture programs at test time, and strace's
 * own figures to check the importer against: the -c summary table that -C
 * appends to the same file.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { ARTIFACTS_DIR } from './perf';

export const STRACE_ARTIFACTS = join(ARTIFACTS_DIR, 'strace');

/**
 * Runs `strace OPTIONS -- ./BINARY ARGS` in the binary's folder (a short
 * relative path: strace cuts strings at 32 characters) and returns the file
 * the trace is in: `-o FILE` when `to` is 'file', else strace's stderr
 * written to FILE (as `2> FILE` would), strace's own messages and all.
 */
export function recordStrace(file: string, options: string[], binary: string, args: string[], to: 'file' | 'stderr'): string {
  mkdirSync(STRACE_ARTIFACTS, { recursive: true });
  const path = join(STRACE_ARTIFACTS, file);
  const argv = [...options, ...(to === 'file' ? ['-o', path] : []), '--', `./${basename(binary)}`, ...args];
  const result = spawnSync('strace', argv, { cwd: dirname(binary), encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (result.status !== 0) throw new Error(`strace ${argv.join(' ')}: exited with ${result.status ?? result.signal}\n${result.stderr}`);
  if (to === 'stderr') writeFileSync(path, result.stderr);
  return path;
}

/**
 * Calls per system call in the strace -c table in `file` (default columns:
 * "% time  seconds  usecs/call  calls  [errors]  syscall"; the errors column
 * is blank when there are none, so calls is the 4th field and the name the last).
 */
export function summaryCounts(file: string): Map<string, number> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('% time '));
  if (header === -1) throw new Error(`${file}: no strace -c table`);
  const counts = new Map<string, number>();
  for (const line of lines.slice(header + 2)) {
    if (line.startsWith('------')) break;
    const fields = line.trim().split(/\s+/);
    counts.set(fields[fields.length - 1], Number(fields[3]));
  }
  return counts;
}

/** Samples (finished calls) per system call in an imported strace profile. */
export function importedCounts(profile: Profile): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = profile.stacks.frame[profile.samples.stack[i]];
    const name = stringAt(profile, profile.funcs.name[profile.frames.func[frame]]);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** A map as sorted "key value" lines, for deepEqual messages that read well. */
export function asLines(map: Map<string, number>): string[] {
  return [...map].map(([key, value]) => `${key} ${value}`).sort();
}
