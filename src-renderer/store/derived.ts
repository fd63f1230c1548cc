/**
 * Everything the views show that is not state: pure functions of the
 * profile (and the selection), memoized so that a re-render with the same
 * inputs costs nothing. Memoized per profile object in a WeakMap, so closing
 * a profile frees its derived data too.
 *
 * These run on the UI thread for now; they are the functions an analysis
 * worker will run when profiles grow large enough to need one.
 */

import { computeCallTree, type CallTree } from '../../src-shared/analysis/call-tree';
import { computeFunctionCosts, functionsBySelf, type FunctionCosts } from '../../src-shared/analysis/function-costs';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { stringAt, type IndexIntoFuncTable, type Profile } from '../../src-shared/profile/model';
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

/** Remembers the last call only: enough for a value that depends on the profile and one setting. */
function memoizeLast<Args extends unknown[], T>(compute: (...args: Args) => T): (...args: Args) => T {
  let lastArgs: Args | null = null;
  let lastValue: T;
  return (...args) => {
    if (lastArgs === null || args.length !== lastArgs.length || args.some((arg, i) => arg !== lastArgs![i])) {
      lastValue = compute(...args);
      lastArgs = args;
    }
    return lastValue;
  };
}

/** Whole-profile weights per stack; the start of every view until selections filter samples. */
export const stackWeightsOf = memoizeByProfile((profile) => computeStackWeights(profile));

export const callTreeOf = memoizeByProfile((profile): CallTree => computeCallTree(profile, stackWeightsOf(profile)));

export const functionCostsOf = memoizeByProfile(
  (profile): FunctionCosts => computeFunctionCosts(profile, stackWeightsOf(profile)),
);

/** Display names per function; '[unknown]' where a format gave none. */
export const funcNamesOf = memoizeByProfile((profile): string[] =>
  Array.from({ length: profile.funcs.length }, (_, f) => stringAt(profile, profile.funcs.name[f], '[unknown]')),
);

const lightPalette = memoizeByProfile((profile) => paletteForProfile(profile, 'light'));
const darkPalette = memoizeByProfile((profile) => paletteForProfile(profile, 'dark'));

export function paletteOf(profile: Profile, scheme: ColorScheme): Palette {
  return scheme === 'dark' ? darkPalette(profile) : lightPalette(profile);
}

const nameOrder = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

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
    case 'name':
      return funcs.sort((a, b) => sign * nameOrder.compare(names[a], names[b]) || a - b);
  }
}

const sortFunctionsMemo = memoizeLast(sortFunctions);

export function sortedFunctionsOf(profile: Profile, sort: TableSort): IndexIntoFuncTable[] {
  return sortFunctionsMemo(funcNamesOf(profile), functionCostsOf(profile), sort);
}
