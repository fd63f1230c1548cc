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
 * Pyramids are built once per (thread, transforms), and the highlighted
 * function's channel once per (thread, transforms, function), and kept in
 * WeakMaps, so zoom and pan reuse them.
 */

import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { CATEGORY_COUNT } from '../../src-shared/analysis/categories';
import { lowerBound } from '../../src-shared/analysis/threads';
import { addActivity, type Activity, type ActivityInput } from './timeline-activity';
import { float32Accumulator } from '../../src-shared/profile/accumulators';

/** Everything about a track's samples except the window: what a pyramid is built from. */
export type ActivitySource = Omit<ActivityInput, 'view' | 'buckets'>;

/** Channels per bin: the categories, then dropped, and sample starts. */
const DROPPED = CATEGORY_COUNT;
const STARTS = CATEGORY_COUNT + 1;
const CHANNELS = CATEGORY_COUNT + 2;
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

/**
 * The highlighted function's running time is a pyramid of its own, one
 * channel, with the same bins: hovering a function changes only that, and
 * rebuilding every channel of every track on each hover took ~60 ms of the
 * main thread on a million samples.
 */
type HighlightLevels = Float32Array[];

/**
 * Per thread: its pyramid, and the transforms' kept stacks it was built for.
 * A thread's samples belong to one profile, so its stacks' categories and
 * the sampling interval are fixed for them.
 */
const pyramids = new WeakMap<ActivitySource['threadSamples'], { keptStacks: Uint8Array | null; pyramid: Pyramid | null }>();
/** Per source (a thread with one set of transforms and one highlighted function). */
const highlights = new WeakMap<ActivitySource, HighlightLevels | null>();

/**
 * Where each sample's interval [t, t + interval) falls among the level-0
 * bins: the bin it starts in and how much of it is there (the rest, if any,
 * is in the next bin: a bin is wider than an interval). Computed once per
 * thread (8 bytes a sample), so a hover's highlight pass is a few loads
 * per sample.
 */
interface Placement {
  origin: number;
  bins: number;
  firstBin: Int32Array;
  inFirst: Float32Array;
}

const placements = new WeakMap<ActivitySource['threadSamples'], Placement>();

function placementOf(source: ActivitySource): Placement {
  const { threadSamples, interval } = source;
  let placement = placements.get(threadSamples);
  if (placement === undefined) {
    const { time } = threadSamples;
    const origin = time[0];
    const base = interval * BASE_BIN_SAMPLES;
    const bins = Math.ceil((time[time.length - 1] + interval - origin) / base) + 1;
    placement = { origin, bins, ...placeSamples(time, origin, base, interval) };
    placements.set(threadSamples, placement);
  }
  return placement;
}

/*
 * Each loop over the samples or the bins is a function of its own (see
 * docs/architecture.md, "Code on these paths"): V8 compiles a long loop
 * while it runs, and code after it in the same function then had no
 * feedback and bailed out, once per build, a recompilation each time.
 */

function placeSamples(time: Float64Array, origin: number, base: number, interval: number): { firstBin: Int32Array; inFirst: Float32Array } {
  const firstBin = new Int32Array(time.length);
  const inFirst = new Float32Array(time.length);
  for (let k = 0; k < time.length; k++) {
    const a = (time[k] - origin) / base;
    firstBin[k] = Math.floor(a);
    inFirst[k] = Math.max(0, Math.min(interval, (firstBin[k] + 1 - a) * base));
  }
  return { firstBin, inFirst };
}

/** Sums pairs of bins, level by level, until a level has at most 64 bins. */
function buildLevels(level0: Float32Array, channels: number): Float32Array[] {
  const levels = [level0];
  while (levels[levels.length - 1].length / channels > 64) levels.push(sumPairs(levels[levels.length - 1], channels));
  return levels;
}

/**
 * The level above `below`: each bin the sum of two. One flat loop with
 * counters: as a loop per channel inside a loop per bin, V8 compiled the
 * inner loop alone and bailed out at its end, level after level.
 */
function sumPairs(below: Float32Array, channels: number): Float32Array {
  const above = float32Accumulator(Math.ceil(below.length / channels / 2) * channels);
  let to = 0;
  let c = 0;
  let second = false;
  for (let i = 0; i < below.length; i++) {
    above[to + c] += below[i];
    if (++c === channels) {
      c = 0;
      if (second) to += channels;
      second = !second;
    }
  }
  return above;
}

function buildPyramid(source: ActivitySource): Pyramid | null {
  const { threadSamples, sampleStack, stackCategory, keptStacks, interval } = source;
  if (threadSamples.time.length === 0 || !(interval > 0)) return null;
  const placement = placementOf(source);
  const levels = buildLevels(binSamples(placement, threadSamples.index, sampleStack, stackCategory, keptStacks, interval), CHANNELS);
  const binTime = levels.map((_, level) => interval * BASE_BIN_SAMPLES * 2 ** level);
  return { origin: placement.origin, binTime, levels };
}

function buildHighlight(source: ActivitySource): HighlightLevels | null {
  const { threadSamples, sampleStack, keptStacks, highlightStacks, interval } = source;
  if (highlightStacks === null || threadSamples.time.length === 0 || !(interval > 0)) return null;
  return buildLevels(binHighlighted(placementOf(source), threadSamples.index, sampleStack, highlightStacks, keptStacks, interval), 1);
}

/** Level 0 of a pyramid: per bin, each category's running time (or dropped), and the samples that start in it. */
function binSamples(
  { bins, firstBin, inFirst }: Placement,
  sampleIndex: Int32Array,
  sampleStack: Int32Array,
  stackCategory: Uint8Array,
  keptStacks: Uint8Array | null,
  interval: number,
): Float32Array {
  const level0 = float32Accumulator(bins * CHANNELS);
  for (let k = 0; k < firstBin.length; k++) {
    const stack = sampleStack[sampleIndex[k]];
    const channel = keptStacks === null || keptStacks[stack] === 1 ? stackCategory[stack] : DROPPED;
    const at = firstBin[k] * CHANNELS;
    level0[at + channel] += inFirst[k];
    level0[at + STARTS] += 1;
    const rest = interval - inFirst[k];
    if (rest > 0 && firstBin[k] + 1 < bins) level0[at + CHANNELS + channel] += rest;
  }
  return level0;
}

/** Level 0 of a highlight: per bin, the running time of the samples whose stacks are lit. */
function binHighlighted(
  { bins, firstBin, inFirst }: Placement,
  sampleIndex: Int32Array,
  sampleStack: Int32Array,
  highlightStacks: Uint8Array,
  keptStacks: Uint8Array | null,
  interval: number,
): Float32Array {
  const level0 = float32Accumulator(bins);
  for (let k = 0; k < firstBin.length; k++) {
    const stack = sampleStack[sampleIndex[k]];
    if (highlightStacks[stack] !== 1 || (keptStacks !== null && keptStacks[stack] !== 1)) continue;
    level0[firstBin[k]] += inFirst[k];
    const rest = interval - inFirst[k];
    if (rest > 0 && firstBin[k] + 1 < bins) level0[firstBin[k] + 1] += rest;
  }
  return level0;
}

function pyramidOf(source: ActivitySource): Pyramid | null {
  const known = pyramids.get(source.threadSamples);
  if (known !== undefined && known.keptStacks === source.keptStacks) return known.pyramid;
  const pyramid = buildPyramid(source);
  pyramids.set(source.threadSamples, { keptStacks: source.keptStacks, pyramid });
  return pyramid;
}

function highlightOf(source: ActivitySource): HighlightLevels | null {
  let levels = highlights.get(source);
  if (levels === undefined) {
    levels = buildHighlight(source);
    highlights.set(source, levels);
  }
  return levels;
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
  const lit = highlightOf(source)?.[level] ?? null;
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
      if (lit !== null) out.highlight[bucket] += lit[b] * share;
    }
    if (bins[at + STARTS] > 0 && k >= 0 && k < buckets) out.hasSample[k] = 1;
  }
}
