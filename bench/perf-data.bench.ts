/**
 * `heatline report` on a frame-pointer perf.data of about a million samples
 * against `perf report --stdio`, `perf script > /dev/null` and Hotspot's
 * perfparser, on the same file in the same run.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatComparison, measure, requireTool } from './lib/measure';

const root = join(__dirname, '..');
const workDir = join(root, 'bench', 'results');
const PERFPARSER = '/usr/lib/x86_64-linux-gnu/libexec/hotspot-perfparser';
const TARGET_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_000_000);

function run(argv: string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr.slice(-400)}`);
  return result.stdout;
}

/** Records until the file holds about TARGET_SAMPLES samples (two threads, 20 kHz each), once; later runs reuse it. */
function recordDeepStacks(): string {
  const data = join(workDir, `deep_stacks.${TARGET_SAMPLES}.perf.data`);
  if (existsSync(data)) return data;
  const binary = join(workDir, 'deep_stacks');
  run(['gcc', '-O2', '-g', '-fno-omit-frame-pointer', '-pthread', join(root, 'bench/programs/deep_stacks.c'), '-o', binary]);
  const seconds = Math.ceil(TARGET_SAMPLES / 36_000);
  console.log(`recording ${TARGET_SAMPLES} samples (~${seconds} s)…`);
  run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '20000', '-g', '-o', data, binary, String(seconds)]);
  return data;
}

export function benchPerfData(): string {
  requireTool(PERFPARSER, 'hotspot');
  mkdirSync(workDir, { recursive: true });
  const data = recordDeepStacks();
  // perf's own headers round the count ("1M"); heatline's total equals perf report's (checked by the tests).
  const samples = (JSON.parse(run([process.execPath, join(root, 'bin/heatline.js'), 'report', data, '--json', '--top', '1'])) as { total: number }).total;
  const fileMiB = statSync(data).size / 2 ** 20;
  const rows = [
    measure('heatline report --json', [process.execPath, join(root, 'bin/heatline.js'), 'report', data, '--json']),
    measure('perf report --stdio', ['perf', 'report', '-i', data, '--stdio', '--no-children']),
    measure('perf script > /dev/null', ['perf', 'script', '-i', data]),
    measure('hotspot-perfparser', [PERFPARSER, '--input', data, '--output', '/dev/null']),
  ];
  return formatComparison(`perf.data, frame pointers, ${samples} samples`, rows, fileMiB);
}
