/**
 * Wall time and peak memory of a command, measured the same way for Heatline
 * and the tools it is compared with: GNU time's elapsed seconds and maximum
 * resident set size, median of several runs.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Measurement {
  label: string;
  seconds: number;
  peakMiB: number;
  runs: number;
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A table with each tool's time and memory as a ratio to the first row (Heatline). */
export function formatComparison(title: string, rows: Measurement[], fileMiB: number): string {
  const [ours] = rows;
  const lines = [
    title,
    `file: ${fileMiB.toFixed(0)} MiB; medians of ${ours.runs} runs`,
    `${'tool'.padEnd(34)} ${'wall s'.padStart(8)} ${'peak MiB'.padStart(9)} ${'time vs heatline'.padStart(17)}`,
  ];
  for (const row of rows) {
    const ratio =
      row === ours
        ? '1.00x'
        : row.seconds >= ours.seconds
          ? `${(row.seconds / ours.seconds).toFixed(2)}x slower`
          : `${(ours.seconds / row.seconds).toFixed(2)}x faster`;
    lines.push(`${row.label.padEnd(34)} ${row.seconds.toFixed(2).padStart(8)} ${row.peakMiB.toFixed(0).padStart(9)} ${ratio.padStart(17)}`);
  }
  lines.push(`heatline peak memory / file size: ${(ours.peakMiB / fileMiB).toFixed(2)}`);
  return lines.join('\n');
}
