/**
 * Wall time and peak memory of a command, measured the same way for Heatline
 * and the tools it is compared with: GNU time's elapsed seconds (or, run
 * interleaved, the bench's own clock around GNU time) and maximum resident
 * set size, median of several runs.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface Measurement {
  label: string;
  seconds: number;
  peakMiB: number;
  runs: number;
  /** Median user + system CPU seconds, when measured (measureInterleaved). */
  cpuSeconds?: number;
}

const GNU_TIME = '/usr/bin/time';

export function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`bench needs ${path}: apt-get install ${pkg}`);
}

/** Runs `argv` `runs` times (stdout discarded) and returns the medians. */
export function measure(label: string, argv: string[], runs = 3): Measurement {
  requireTool(GNU_TIME, 'time');
  const seconds: number[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(GNU_TIME, ['-f', 'HEATLINE_BENCH %e %M', ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: toolEnvironment,
      maxBuffer: 64 << 20,
    });
    const match = /HEATLINE_BENCH ([\d.]+) (\d+)/.exec(result.stderr.toString());
    if (result.status !== 0 || !match) {
      throw new Error(`${label} failed (${argv.join(' ')}): ${result.stderr.toString().slice(-500)}`);
    }
    seconds.push(Number(match[1]));
    peaks.push(Number(match[2]) / 1024);
  }
  return { label, seconds: median(seconds), peakMiB: median(peaks), runs };
}

/**
 * Runs every command once per round, `runs` rounds, so that load from other
 * work on a shared machine falls on all of them alike, and returns each
 * one's medians, CPU time (user + system) included: on a busy machine the
 * wall time waits for a core, the CPU time much less.
 */
export function measureInterleaved(commands: { label: string; argv: string[]; env?: NodeJS.ProcessEnv }[], runs = 3): Measurement[] {
  requireTool(GNU_TIME, 'time');
  const samples = commands.map(() => ({ seconds: [] as number[], cpu: [] as number[], peaks: [] as number[] }));
  for (let round = 0; round < runs; round++) {
    commands.forEach(({ label, argv, env }, i) => {
      // Wall time from our own clock: GNU time's %e has 10 ms steps, coarse for runs of half a second.
      const began = process.hrtime.bigint();
      const result = spawnSync(GNU_TIME, ['-f', 'HEATLINE_BENCH %e %U %S %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, env: env ?? toolEnvironment });
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      const match = /HEATLINE_BENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr.toString());
      if (result.status !== 0 || !match) throw new Error(`${label} failed (${argv.join(' ')}): ${result.stderr.toString().slice(-500)}`);
      samples[i].seconds.push(seconds);
      samples[i].cpu.push(Number(match[2]) + Number(match[3]));
      samples[i].peaks.push(Number(match[4]) / 1024);
    });
  }
  return commands.map(({ label }, i) => ({
    label,
    seconds: median(samples[i].seconds),
    cpuSeconds: median(samples[i].cpu),
    peakMiB: median(samples[i].peaks),
    runs,
  }));
}

/**
 * The environment the compared tools run in: this one without
 * NODE_EXTRA_CA_CERTS. Node reads and parses every certificate that file
 * names when it starts, before any script runs: about 33 ms on these VMs,
 * whose environment sets it machine-wide (a proxy's CA bundle), for every
 * node process and no other tool. `heatline report` makes no TLS
 * connection. Benches that time short runs add a row for Heatline with the
 * setting (extraCaCertsRow), so both figures are printed.
 */
export const toolEnvironment: NodeJS.ProcessEnv = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();

/** `command` once more, labelled as run with NODE_EXTRA_CA_CERTS, when this environment sets it; else nothing. */
export function extraCaCertsRow(command: { label: string; argv: string[] }): { label: string; argv: string[]; env: NodeJS.ProcessEnv }[] {
  return process.env.NODE_EXTRA_CA_CERTS ? [{ label: `${command.label} (CA certs)`, argv: command.argv, env: process.env }] : [];
}

/** A line under a table with an extraCaCertsRow, saying what it is; '' without. */
export function extraCaCertsNote(): string {
  return process.env.NODE_EXTRA_CA_CERTS ? '\ntools run without NODE_EXTRA_CA_CERTS, which this environment sets (bench/lib/measure.ts); "(CA certs)" with it' : '';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A table with each tool's time and memory as a ratio to the first row (Heatline); `peakPerFile` adds
 * Heatline's peak memory over the file's size (meaningless for a tiny file).
 */
export function formatComparison(title: string, rows: Measurement[], fileMiB: number, peakPerFile = true): string {
  const [ours] = rows;
  const cpu = ours.cpuSeconds !== undefined;
  const lines = [
    title,
    `file: ${fileMiB >= 1 ? `${fileMiB.toFixed(0)} MiB` : `${(fileMiB * 1024).toFixed(0)} KiB`}; medians of ${ours.runs} runs${cpu ? ' (interleaved)' : ''}`,
    `${'tool'.padEnd(34)} ${'wall s'.padStart(8)} ${cpu ? `${'cpu s'.padStart(7)} ` : ''}${'peak MiB'.padStart(9)} ${'time vs heatline'.padStart(17)}${cpu ? ` ${'cpu vs heatline'.padStart(16)}` : ''}`,
  ];
  for (const row of rows) {
    const cpuColumns = cpu ? ` ${(row.cpuSeconds ?? NaN).toFixed(2).padStart(7)}` : '';
    const cpuRatio = cpu ? ` ${(row === ours ? '1.00x' : ratio(row.cpuSeconds ?? NaN, ours.cpuSeconds ?? NaN)).padStart(16)}` : '';
    lines.push(
      `${row.label.padEnd(34)} ${row.seconds.toFixed(3).padStart(8)}${cpuColumns} ${row.peakMiB.toFixed(0).padStart(9)} ${(row === ours ? '1.00x' : ratio(row.seconds, ours.seconds)).padStart(17)}${cpuRatio}`,
    );
  }
  if (peakPerFile) lines.push(`heatline peak memory / file size: ${(ours.peakMiB / fileMiB).toFixed(2)}`);
  return lines.join('\n');
}

function ratio(theirs: number, ours: number): string {
  return theirs >= ours ? `${(theirs / ours).toFixed(2)}x slower` : `${(ours / theirs).toFixed(2)}x faster`;
}

/** The machine's load averages (1, 5, 15 min) and core count, to print next to figures from a shared machine. */
export function machineLoad(): string {
  const [one, five, fifteen] = loadavg();
  return `load average ${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)} on ${availableParallelism()} cores`;
}
