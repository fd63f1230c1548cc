/**
 * Everything the views show that is not state: pure functions of the
 * profile (and the selection), memoized so that a re-render with the same
 * inputs costs nothing. Memoized per profile object in a WeakMap, so closing
 * a profile frees its derived data too.
 *
 * The costly per-selection analysis (call trees, costs, layouts) runs in the
 * analysis worker (store/analysis-service.ts); what is here is computed once
 * per profile, or is cheap.
 */

import { computeFunctionCosts, functionsBySelf, hasInlinedFrames as hasInlinedFramesOf, type FunctionCosts } from '../../src-shared/analysis/function-costs';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { computeFuncCategories, computeStackCategories } from '../../src-shared/analysis/categories';
import { computeStackWeights, computeThreadTotals, sumWeights } from '../../src-shared/analysis/sample-filter';
import {
  computeThreadSamples,
  estimateSampleInterval,
  groupThreadsByProcess,
  type ProcessGroup,
  type ThreadSamples,
} from '../../src-shared/analysis/threads';
import { stringAt, type CounterTrack, type IndexIntoFuncTable, type Profile } from '../../src-shared/profile/model';
import { paletteForProfile, type ColorScheme, type Palette } from '../canvas/flame-colors';
import type { TableSort } from './app-store';

function memoizeByProfile<T>(compute: (profile: Profile) => T): (profile: Profile) => T {
  const cache = new WeakMap<Profile, T>();
  return (profile) => {
    let value = cache.get(profile);
    if (value === undefined) {
      value = compute(profile);
      cache.set(profile, value);
    }
    return value;
  };
}

/** Whole-profile weights per stack (the views use the analysis worker's, filtered by the selection). */
export const stackWeightsOf = memoizeByProfile((profile) => computeStackWeights(profile));

export const functionCostsOf = memoizeByProfile(
  (profile): FunctionCosts => computeFunctionCosts(profile, stackWeightsOf(profile)),
);

/** Whether any frame is a function inlined into another (the views then offer to show them on their own). */
export const hasInlinedFrames = memoizeByProfile(hasInlinedFramesOf);

/** Display names per function; '[unknown]' where a format gave none. */
export const funcNamesOf = memoizeByProfile((profile): string[] =>
  Array.from({ length: profile.funcs.length }, (_, f) => stringAt(profile, profile.funcs.name[f], '[unknown]')),
);

const lightPalette = memoizeByProfile((profile) => paletteForProfile(profile, 'light'));
const darkPalette = memoizeByProfile((profile) => paletteForProfile(profile, 'dark'));

export function paletteOf(profile: Profile, scheme: ColorScheme): Palette {
  return scheme === 'dark' ? darkPalette(profile) : lightPalette(profile);
}

/** Made on first use: an ICU collator takes ~2 ms to make, on the window's way to its first paint. */
let nameOrder: Intl.Collator | undefined;

/**
 * Functions with any cost in table order. Ties fall back to the other cost
 * and then to the function index, so the order never flickers between renders.
 */
export function sortFunctions(
  names: readonly string[],
  costs: FunctionCosts,
  sort: TableSort,
): IndexIntoFuncTable[] {
  const funcs = functionsBySelf(costs);
  const sign = sort.descending ? -1 : 1;
  const { self, total } = costs;
  switch (sort.column) {
    case 'self':
      return funcs.sort((a, b) => sign * (self[a] - self[b] || total[a] - total[b]) || a - b);
    case 'total':
      return funcs.sort((a, b) => sign * (total[a] - total[b] || self[a] - self[b]) || a - b);
    case 'name': {
      const collator = (nameOrder ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true }));
      return funcs.sort((a, b) => sign * collator.compare(names[a], names[b]) || a - b);
    }
  }
}

/** Each thread's samples in time order, the sampling interval, and per-stack categories: the timeline's inputs. */
export const threadSamplesOf = memoizeByProfile((profile): ThreadSamples[] => computeThreadSamples(profile));

export const sampleIntervalOf = memoizeByProfile((profile): number => estimateSampleInterval(profile, threadSamplesOf(profile)));

export const funcCategoriesOf = memoizeByProfile((profile): Uint8Array => computeFuncCategories(profile));

export const stackCategoriesOf = memoizeByProfile((profile): Uint8Array => computeStackCategories(profile, funcCategoriesOf(profile)));

export const processGroupsOf = memoizeByProfile((profile): ProcessGroup[] => groupThreadsByProcess(profile));

export const threadTotalsOf = memoizeByProfile((profile): Float64Array => computeThreadTotals(profile));

/** The header's total: the threads' totals summed, without a weight per stack (a DHAT file has 760k stacks). */
export const totalWeightOf = memoizeByProfile((profile) => sumWeights(threadTotalsOf(profile)));

/** Per profile stack, its leaf-to-root function column (frames resolved once). */
export const stackFuncsOf = memoizeByProfile((profile): Int32Array => {
  const { stacks, frames } = profile;
  const out = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) out[s] = frames.func[stacks.frame[s]];
  return out;
});

/**
 * The profile's whole time span, widened by one sampling interval so the
 * last sample's interval shows; null for formats without time.
 */
export const timeBoundsOf = memoizeByProfile((profile): TimeRange | null => {
  const { startTime, endTime } = profile.meta;
  if (!Number.isFinite(startTime) || !Number.isFinite(endTime)) return null;
  const interval = sampleIntervalOf(profile);
  const end = endTime + (Number.isFinite(interval) ? interval : 0);
  return { start: startTime, end: end > startTime ? end : startTime + 1 };
});

/**
 * The memory counters (heap, RSS, ...) the timeline shows: those that ever
 * leave zero (massif writes a stacks track even when it did not measure stacks).
 */
export const shownCountersOf = memoizeByProfile((profile): CounterTrack[] =>
  profile.counters.filter((track) => track.value.some((v) => v !== 0 && !Number.isNaN(v))),
);
