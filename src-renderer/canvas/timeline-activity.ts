/**
 * The activity graph of a timeline track: for each pixel column (bucket) of
 * the visible window, the share of that time the thread spent on the CPU,
 * split by what it was running (user code, libraries, kernel, JIT).
 *
 * A sample stands for one sampling interval of running from its time on
 * (perf samples only running threads), so a bucket's CPU share is the part
 * of it those intervals cover. That reads the same at every zoom: zoomed
 * out, a bucket holds many samples and the graph is their density; zoomed
 * in, one sample spreads over several buckets as a plateau.
 *
 * Only samples inside the window are visited (two binary searches), so the
 * cost of a frame is the visible samples plus the buckets.
 */

import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { CATEGORY_COUNT } from '../../src-shared/analysis/categories';
import { lowerBound, type ThreadSamples } from '../../src-shared/analysis/threads';

export interface ActivityInput {
  threadSamples: ThreadSamples;
  /** The profile's samples.stack. */
  sampleStack: Int32Array;
  /** Per profile stack: its category (categories.ts). */
  stackCategory: Uint8Array;
  /** Per profile stack: 1 when the transforms keep it; null keeps all. */
  keptStacks: Uint8Array | null;
  /** Per profile stack: 1 when it runs the highlighted function; null for none. */
  highlightStacks: Uint8Array | null;
  view: TimeRange;
  buckets: number;
  interval: number;
}

export interface Activity {
  buckets: number;
  /** CPU share per category and bucket: cpu[category * buckets + bucket], in [0, 1] for one thread. */
  cpu: Float32Array;
  /** Share of samples the transforms drop. */
  dropped: Float32Array;
  /** Share running the highlighted function. */
  highlight: Float32Array;
  /** Whether any sample starts in the bucket: the "sample positions" strip. */
  hasSample: Uint8Array;
}

export function emptyActivity(buckets: number): Activity {
  return {
    buckets,
    cpu: new Float32Array(CATEGORY_COUNT * buckets),
    dropped: new Float32Array(buckets),
    highlight: new Float32Array(buckets),
    hasSample: new Uint8Array(buckets),
  };
}

/** Empties `activity` for reuse: a track refills the same buffers on every wheel step instead of making new ones. */
export function clearActivity(activity: Activity): void {
  activity.cpu.fill(0);
  activity.dropped.fill(0);
  activity.highlight.fill(0);
  activity.hasSample.fill(0);
}

/** Adds one thread's activity into `out` (several threads add up, as a process track does). */
export function addActivity(out: Activity, input: ActivityInput): void {
  const { threadSamples, sampleStack, stackCategory, keptStacks, highlightStacks, view, interval } = input;
  const buckets = out.buckets;
  const span = view.end - view.start;
  if (!(span > 0) || buckets <= 0 || !(interval > 0)) return;
  const bucketTime = span / buckets;
  const from = lowerBound(threadSamples.time, view.start - interval);
  const to = lowerBound(threadSamples.time, view.end);

  for (let k = from; k < to; k++) {
    const time = threadSamples.time[k];
    const stack = sampleStack[threadSamples.index[k]];
    const kept = keptStacks === null || keptStacks[stack] === 1;
    const lit = highlightStacks !== null && highlightStacks[stack] === 1;
    const target = kept ? out.cpu : out.dropped;
    const offset = kept ? stackCategory[stack] * buckets : 0;
    // The interval [time, time + interval) clipped to the window, in bucket units.
    const a = Math.max(0, (time - view.start) / bucketTime);
    const b = Math.min(buckets, (time + interval - view.start) / bucketTime);
    if (b <= a) continue;
    const first = Math.floor(a);
    if (time >= view.start) out.hasSample[Math.min(buckets - 1, first)] = 1;
    const last = Math.min(buckets - 1, Math.ceil(b) - 1);
    for (let bucket = first; bucket <= last; bucket++) {
      const cover = Math.min(b, bucket + 1) - Math.max(a, bucket);
      target[offset + bucket] += cover;
      if (lit && kept) out.highlight[bucket] += cover;
    }
  }
}

/** The largest total CPU share of any bucket: 1 for a busy thread, up to the thread count for a process. */
export function peakActivity(activity: Activity): number {
  let peak = 0;
  for (let bucket = 0; bucket < activity.buckets; bucket++) {
    let sum = activity.dropped[bucket];
    for (let c = 0; c < CATEGORY_COUNT; c++) sum += activity.cpu[c * activity.buckets + bucket];
    if (sum > peak) peak = sum;
  }
  return peak;
}

/** Per profile stack: 1 when the stack runs `func` anywhere on it. */
export function stacksRunning(stackPrefix: Int32Array, stackFunc: Int32Array, func: number): Uint8Array {
  const out = new Uint8Array(stackPrefix.length);
  for (let s = 0; s < stackPrefix.length; s++) {
    const prefix = stackPrefix[s];
    out[s] = stackFunc[s] === func || (prefix !== -1 && out[prefix] === 1) ? 1 : 0;
  }
  return out;
}
