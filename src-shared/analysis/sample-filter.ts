/**
 * The part of a selection that picks samples: a time range and a set of
 * threads. Every view starts from the per-stack weights this produces, so a
 * filter is applied once, in one pass over the samples.
 */

import type { IndexIntoThreadTable, Nanoseconds, Profile } from '../profile/model';
import { lowerBound } from './threads';
import { float64Accumulator } from '../profile/accumulators';

export interface SampleFilter {
  /** Inclusive start, exclusive end; null for the whole profile. */
  range?: { start: Nanoseconds; end: Nanoseconds } | null;
  /** Threads to keep; null or absent keeps all. */
  threads?: ReadonlySet<IndexIntoThreadTable> | null;
}

/**
 * Sum of sample weights per stack (exact stack, not including callees),
 * keeping only samples that pass the filter.
 */
export function computeStackWeights(profile: Profile, filter: SampleFilter = {}): Float64Array {
  const { samples } = profile;
  const weights = float64Accumulator(profile.stacks.length);
  const range = filter.range ?? null;
  const threads = filter.threads ?? null;
  // Samples are in time order (the builder sorts them), so a range is one slice of them.
  const slice = range !== null && hasTimes(samples.time);
  const from = slice ? lowerBound(samples.time, range.start) : 0;
  const to = slice ? lowerBound(samples.time, range.end) : samples.length;
  for (let i = from; i < to; i++) {
    if (range !== null) {
      const t = samples.time[i];
      if (!(t >= range.start && t < range.end)) continue;
    }
    if (threads !== null && !threads.has(samples.thread[i])) continue;
    weights[samples.stack[i]] += samples.weight === null ? 1 : samples.weight[i];
  }
  return weights;
}

/** Whether the first and last samples have times; otherwise (formats without time) every sample is scanned. */
function hasTimes(times: Float64Array): boolean {
  return times.length > 0 && !Number.isNaN(times[0]) && !Number.isNaN(times[times.length - 1]);
}

/** Total weight per thread, for the thread list and the report. */
export function computeThreadTotals(profile: Profile, filter: SampleFilter = {}): Float64Array {
  const { samples } = profile;
  const totals = float64Accumulator(profile.threads.length);
  const range = filter.range ?? null;
  for (let i = 0; i < samples.length; i++) {
    if (range !== null) {
      const t = samples.time[i];
      if (!(t >= range.start && t < range.end)) continue;
    }
    totals[samples.thread[i]] += samples.weight === null ? 1 : samples.weight[i];
  }
  return totals;
}

export function sumWeights(stackWeights: Float64Array): number {
  let total = 0;
  for (let i = 0; i < stackWeights.length; i++) total += stackWeights[i];
  return total;
}
