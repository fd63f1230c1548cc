/**
 * Activity graphs at any zoom in time proportional to the pixels, not the
 * samples: per thread, a pyramid of time bins (as map tiles or mipmaps).
 * Level 0 bins are four sampling intervals wide and hold, per channel, the
 * running time the samples cover in them; each level above sums pairs of
 * the level below. A window wider than a few samples per pixel reads the
 * coarsest level whose bins are still no wider than a pixel, spreading each
 * bin over the pixels it overlaps; a narrower window reads the samples
 * themselves (timeline-activity.ts). Zoomed out over a million samples a
 * frame then reads a few thousand bins.
 *
 * Pyramids are built once per (thread, transforms, highlighted function)
 * and kept in a WeakMap on the source object, so zoom and pan reuse them.
 */

import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { CATEGORY_COUNT } from '../../src-shared/analysis/categories';
import { lowerBound } from '../../src-shared/analysis/threads';
import { addActivity, type Activity, type ActivityInput } from './timeline-activity';

/** Everything about a track's samples except the window: what a pyramid is built from. */
export type ActivitySource = Omit<ActivityInput, 'view' | 'buckets'>;

/** Channels per bin: the categories, then dropped, highlighted, and sample starts. */
const DROPPED = CATEGORY_COUNT;
const LIT = CATEGORY_COUNT + 1;
const STARTS = CATEGORY_COUNT + 2;
const CHANNELS = CATEGORY_COUNT + 3;
const BASE_BIN_SAMPLES = 4;
/** With at most this many samples per pixel the samples are read directly. */
const DIRECT_SAMPLES_PER_PIXEL = 4;

interface Pyramid {
  origin: number;
  /** Bin width per level. */
  binTime: number[];
  /** Per level: bins × CHANNELS values, bin-major. */
  levels: Float32Array[];
}

const pyramids = new WeakMap<ActivitySource, Pyramid | null>();

function buildPyramid(source: ActivitySource): Pyramid | null {
  const { threadSamples, sampleStack, stackCategory, keptStacks, highlightStacks, interval } = source;
  const { time } = threadSamples;
  if (time.length === 0 || !(interval > 0)) return null;
  const origin = time[0];
  const base = interval * BASE_BIN_SAMPLES;
  const bins = Math.ceil((time[time.length - 1] + interval - origin) / base) + 1;
  const level0 = new Float32Array(bins * CHANNELS);
  for (let k = 0; k < time.length; k++) {
    const stack = sampleStack[threadSamples.index[k]];
    const kept = keptStacks === null || keptStacks[stack] === 1;
    const channel = kept ? stackCategory[stack] : DROPPED;
    const lit = kept && highlightStacks !== null && highlightStacks[stack] === 1;
    // The sample's interval [t, t + interval) falls in one bin or straddles two.
    const a = (time[k] - origin) / base;
    const first = Math.floor(a);
    const inFirst = Math.min(interval, (first + 1 - a) * base);
    for (let j = 0; j < 2; j++) {
      const cover = j === 0 ? inFirst : interval - inFirst;
      if (cover <= 0 || first + j >= bins) continue;
      const at = (first + j) * CHANNELS;
      level0[at + channel] += cover;
      if (lit) level0[at + LIT] += cover;
    }
    level0[first * CHANNELS + STARTS] += 1;
  }
  const levels = [level0];
  const binTime = [base];
  while (levels[levels.length - 1].length / CHANNELS > 64) {
    const below = levels[levels.length - 1];
    const belowBins = below.length / CHANNELS;
    const above = new Float32Array(Math.ceil(belowBins / 2) * CHANNELS);
    for (let b = 0; b < belowBins; b++) {
      const to = (b >> 1) * CHANNELS;
      const from = b * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) above[to + c] += below[from + c];
    }
    levels.push(above);
    binTime.push(binTime[binTime.length - 1] * 2);
  }
  return { origin, binTime, levels };
}

function pyramidOf(source: ActivitySource): Pyramid | null {
  let pyramid = pyramids.get(source);
  if (pyramid === undefined) {
    pyramid = buildPyramid(source);
    pyramids.set(source, pyramid);
  }
  return pyramid;
}

/** Adds a track's activity in `view` to `out`, from the samples or the pyramid, whichever is cheaper. */
export function addActivityFast(out: Activity, source: ActivitySource, view: TimeRange): void {
  const buckets = out.buckets;
  const span = view.end - view.start;
  if (!(span > 0) || buckets <= 0) return;
  const times = source.threadSamples.time;
  const inView = lowerBound(times, view.end) - lowerBound(times, view.start - source.interval);
  const bucketTime = span / buckets;
  const pyramid = inView > buckets * DIRECT_SAMPLES_PER_PIXEL ? pyramidOf(source) : null;
  if (pyramid === null || pyramid.binTime[0] > bucketTime) {
    addActivity(out, { ...source, view, buckets });
    return;
  }
  let level = 0;
  while (level + 1 < pyramid.levels.length && pyramid.binTime[level + 1] <= bucketTime) level++;
  const bins = pyramid.levels[level];
  const binTime = pyramid.binTime[level];
  const binCount = bins.length / CHANNELS;
  const firstBin = Math.max(0, Math.floor((view.start - pyramid.origin) / binTime));
  const lastBin = Math.min(binCount - 1, Math.floor((view.end - pyramid.origin) / binTime));
  for (let b = firstBin; b <= lastBin; b++) {
    const at = b * CHANNELS;
    // The bin in bucket units; it is at most one bucket wide, so it touches one or two.
    const a = (pyramid.origin + b * binTime - view.start) / bucketTime;
    const z = a + binTime / bucketTime;
    const k = Math.floor(a);
    for (let j = 0; j < 2; j++) {
      const bucket = k + j;
      if (bucket < 0 || bucket >= buckets) continue;
      const overlap = Math.min(z, bucket + 1) - Math.max(a, bucket);
      if (overlap <= 0) continue;
      // Covered time in the bin, as bucket units, times the part of the bin over this bucket.
      const share = overlap / (z - a) / bucketTime;
      for (let c = 0; c < CATEGORY_COUNT; c++) out.cpu[c * buckets + bucket] += bins[at + c] * share;
      out.dropped[bucket] += bins[at + DROPPED] * share;
      out.highlight[bucket] += bins[at + LIT] * share;
    }
    if (bins[at + STARTS] > 0 && k >= 0 && k < buckets) out.hasSample[k] = 1;
  }
}
