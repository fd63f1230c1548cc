/**
 * How the window writes numbers: counts with thousands separators, weights in
 * the profile's unit (time and bytes scaled to a readable magnitude), and
 * percentages of the profile total. Pure, so tests pin the exact text.
 *
 * The locale is fixed to en-US on purpose: a profiler's numbers are compared
 * with the CLI's and other tools' output, and those do not localise.
 */

import type { WeightUnit } from '../../src-shared/profile/model';

/** A profile's unit, or blocks: a memory profile's views weighed by allocation counts. */
export type DisplayUnit = WeightUnit | 'blocks';

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fractionFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 1234567 -> "1,234,567"; fractional weights keep up to two decimals. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? countFormat.format(value) : fractionFormat.format(value);
}

/** Three significant digits, at most two decimals: 1.23, 12.3, 123, 1234. */
function threeDigits(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(decimals);
}

const timeSteps: [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];

function formatNanoseconds(ns: number): string {
  for (const [size, suffix] of timeSteps) if (Math.abs(ns) >= size) return `${threeDigits(ns / size)} ${suffix}`;
  return `${formatCount(Math.round(ns))} ns`;
}

const byteSteps: [number, string][] = [
  [2 ** 40, 'TiB'],
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

function formatBytes(bytes: number): string {
  for (const [size, suffix] of byteSteps) if (Math.abs(bytes) >= size) return `${threeDigits(bytes / size)} ${suffix}`;
  return `${formatCount(Math.round(bytes))} B`;
}

/**
 * A weight as a table cell shows it: counts bare (the column header names the
 * unit), time and bytes with their scaled suffix.
 */
export function formatWeight(value: number, unit: DisplayUnit): string {
  switch (unit) {
    case 'nanoseconds':
      return formatNanoseconds(value);
    case 'bytes':
      return formatBytes(value);
    case 'samples':
    case 'instructions':
    case 'blocks':
      return formatCount(value);
  }
}

/** The unit's name for a count, singular for exactly one. */
export function unitName(unit: DisplayUnit, count = 2): string {
  const singular = { samples: 'sample', instructions: 'instruction', nanoseconds: 'ns', bytes: 'byte', blocks: 'block' }[unit];
  return count === 1 || unit === 'nanoseconds' ? singular : `${singular}s`;
}

/** A weight that stands alone (tooltip, header): "1,234 samples", "12.3 ms", "1.50 MiB". */
export function formatWeightWithUnit(value: number, unit: DisplayUnit): string {
  if (unit === 'samples' || unit === 'instructions' || unit === 'blocks') return `${formatCount(value)} ${unitName(unit, value)}`;
  return formatWeight(value, unit);
}

/**
 * `part` as a percentage of `whole`: one decimal, "<0.1%" for a tiny but
 * non-zero share (so it never reads as nothing), "–" when there is no whole.
 */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '–';
  const percent = (100 * part) / whole;
  if (percent === 0) return '0%';
  if (percent < 0.1) return '<0.1%';
  if (percent >= 99.95 && percent <= 100) return '100%';
  return `${percent.toFixed(1)}%`;
}
