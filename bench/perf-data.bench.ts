/**
 * `heatline report` on a frame-pointer perf.data of about a million samples
 * against `perf report --stdio`, `perf script > /dev/null` and Hotspot's
 * perfparser, on the same file in the same run. Also a --call-graph dwarf
 * recording, and a short recording of a program with tens of MB of DWARF
 * (where the time goes to reading debug info, not samples).
 */

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extraCaCertsNote, extraCaCertsRow, formatComparison, machineLoad, measureInterleaved, requireTool } from './lib/measure';

const root = join(__dirname, '..');
const workDir = join(root, 'bench', 'results');
const PERFPARSER = '/usr/lib/x86_64-linux-gnu/libexec/hotspot-perfparser';
const TARGET_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_000_000);
/** Rounds per tool (BENCH_RUNS): more give steadier medians on a busy machine. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function run(argv: string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr.slice(-400)}`);
  return result.stdout;
}

const DWARF_TARGET_SAMPLES = Number(process.env.BENCH_DWARF_SAMPLES ?? 50_000);

function compileDeepStacks(frameFlags: string[], name: string): string {
  const binary = join(workDir, name);
  run(['gcc', '-O2', '-g', ...frameFlags, '-pthread', join(root, 'bench/programs/deep_stacks.c'), '-o', binary]);
  return binary;
}

/** Records until the file holds about TARGET_SAMPLES samples (two threads, 20 kHz each), once; later runs reuse it. */
export function recordDeepStacks(): string {
  const data = join(workDir, `deep_stacks.${TARGET_SAMPLES}.perf.data`);
  if (existsSync(data)) return data;
  const binary = compileDeepStacks(['-fno-omit-frame-pointer'], 'deep_stacks');
  const seconds = Math.ceil(TARGET_SAMPLES / 36_000);
  console.log(`recording ${TARGET_SAMPLES} samples (~${seconds} s)…`);
  run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '20000', '-g', '-o', data, binary, String(seconds)]);
  return data;
}

/** A --call-graph dwarf recording (8 KiB of stack per sample) of a build without frame pointers, once. */
function recordDeepStacksDwarf(): string {
  const data = join(workDir, `deep_stacks.dwarf.${DWARF_TARGET_SAMPLES}.perf.data`);
  if (existsSync(data)) return data;
  const binary = compileDeepStacks(['-fomit-frame-pointer'], 'deep_stacks_nofp');
  const seconds = Math.ceil(DWARF_TARGET_SAMPLES / 1_800);
  console.log(`recording ${DWARF_TARGET_SAMPLES} dwarf samples (~${seconds} s)…`);
  run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '1000', '--call-graph', 'dwarf', '-o', data, binary, String(seconds)]);
  return data;
}

function heatlineTotal(data: string): number {
  // perf's own headers round the count ("1M"); heatline's total equals perf report's (checked by the tests).
  return (JSON.parse(run([process.execPath, join(root, 'bin/heatline.js'), 'report', data, '--json', '--top', '1'])) as { total: number }).total;
}

/** The row every table here starts with: `heatline report FILE --json`. */
function heatlineReport(data: string): { label: string; argv: string[] } {
  return { label: 'heatline report --json', argv: [process.execPath, join(root, 'bin/heatline.js'), 'report', data, '--json'] };
}

export function benchPerfData(): string {
  requireTool(PERFPARSER, 'hotspot');
  mkdirSync(workDir, { recursive: true });
  const data = recordDeepStacks();
  const samples = heatlineTotal(data);
  const fileMiB = statSync(data).size / 2 ** 20;
  const before = machineLoad();
  const heatline = heatlineReport(data);
  const rows = measureInterleaved([
    heatline,
    { label: 'perf report --stdio', argv: ['perf', 'report', '-i', data, '--stdio', '--no-children'] },
    { label: 'perf script > /dev/null', argv: ['perf', 'script', '-i', data] },
    { label: 'hotspot-perfparser', argv: [PERFPARSER, '--input', data, '--output', '/dev/null'] },
    ...extraCaCertsRow(heatline),
  ], RUNS);
  return `${formatComparison(`perf.data, frame pointers, ${samples} samples`, rows, fileMiB)}${extraCaCertsNote()}\nbefore: ${before}; after: ${machineLoad()}`;
}

export function benchPerfDataDwarf(): string {
  requireTool(PERFPARSER, 'hotspot');
  mkdirSync(workDir, { recursive: true });
  const data = recordDeepStacksDwarf();
  return compareWithPerfparser(data, `perf.data, --call-graph dwarf, ${heatlineTotal(data)} samples`);
}

/**
 * `heatline report`, Hotspot's perfparser and `perf report` on `data`, interleaved, as a table under
 * `title`. `perfLabel` names perf report's row; `peakPerFile` as formatComparison's.
 */
function compareWithPerfparser(data: string, title: string, { perfLabel = 'perf report --stdio', peakPerFile = true } = {}): string {
  const fileMiB = statSync(data).size / 2 ** 20;
  const before = machineLoad();
  const heatline = heatlineReport(data);
  const rows = measureInterleaved([
    heatline,
    { label: 'hotspot-perfparser', argv: [PERFPARSER, '--input', data, '--output', '/dev/null'] },
    { label: perfLabel, argv: ['perf', 'report', '-i', data, '--stdio', '--no-children'] },
    ...extraCaCertsRow(heatline),
  ], RUNS);
  return `${formatComparison(title, rows, fileMiB, peakPerFile)}${extraCaCertsNote()}\nbefore: ${before}; after: ${machineLoad()}`;
}

const BIG_BINARY_UNITS = 30;

/**
 * A C++ program of BIG_BINARY_UNITS translation units (bench/programs/big_unit.cpp, each instantiating
 * standard-library templates), built with -O2 -g, recorded with -g for half a second; once.
 */
async function recordBigBinary(): Promise<string> {
  const dir = join(workDir, 'big-binary');
  const data = join(dir, 'big.perf.data');
  if (existsSync(data)) return data;
  mkdirSync(dir, { recursive: true });
  const units = Array.from({ length: BIG_BINARY_UNITS }, (_, i) => i);
  writeFileSync(
    join(dir, 'main.cpp'),
    `#include <cstdio>\n#include <cstdlib>\n${units.map((i) => `long work_${i}(long);`).join('\n')}\n` +
      `int main(int argc, char** argv) {\n  long n = argc > 1 ? atol(argv[1]) : 200, total = 0;\n` +
      `  for (int round = 0; round < 200; round++) {\n${units.map((i) => `    total += work_${i}(n);`).join('\n')}\n  }\n` +
      `  printf("%ld\\n", total);\n  return 0;\n}\n`,
  );
  console.log(`compiling the big binary (${BIG_BINARY_UNITS} C++ units, a few minutes)…`);
  const objects = units.map((i) => join(dir, `unit${i}.o`));
  // Two compilers at a time: the machine has two cores.
  const compile = promisify(execFile);
  for (let i = 0; i < units.length; i += 2) {
    await Promise.all(units.slice(i, i + 2).map((u) => compile('g++', ['-O2', '-g', `-DUNIT=${u}`, '-c', join(root, 'bench/programs/big_unit.cpp'), '-o', objects[u]])));
  }
  const binary = join(dir, 'big');
  run(['g++', '-O2', '-g', join(dir, 'main.cpp'), ...objects, '-o', binary]);
  run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '1000', '-g', '-o', data, binary, '200']);
  return data;
}

export async function benchPerfDataBigBinary(): Promise<string> {
  requireTool(PERFPARSER, 'hotspot');
  mkdirSync(workDir, { recursive: true });
  const data = await recordBigBinary();
  const debugMiB = statSync(join(workDir, 'big-binary', 'big')).size / 2 ** 20;
  const title = `perf.data of a ${debugMiB.toFixed(0)} MiB C++ binary (-O2 -g, ${BIG_BINARY_UNITS} units), ${heatlineTotal(data)} samples`;
  // perf's default report names functions from the symbol table only: no lines, no inlined frames.
  return compareWithPerfparser(data, title, { perfLabel: 'perf report --stdio (no lines)', peakPerFile: false });
}

/** A one-second -g recording of the deep_stacks program (two threads: about 2000 samples, kernel frames included), once. */
function recordSmall(): string {
  const data = join(workDir, 'deep_stacks.small.perf.data');
  if (existsSync(data)) return data;
  const binary = compileDeepStacks(['-fno-omit-frame-pointer'], 'deep_stacks');
  run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-o', data, binary, '1']);
  return data;
}

/** The everyday case: a short recording, where opening the binaries and kallsyms is most of the work. */
export function benchPerfDataSmall(): string {
  requireTool(PERFPARSER, 'hotspot');
  mkdirSync(workDir, { recursive: true });
  const data = recordSmall();
  return compareWithPerfparser(data, `perf.data, a 1 s recording with -g, ${heatlineTotal(data)} samples`, { peakPerFile: false });
}
