/**
 * Self and total cost per function.
 *
 * self  = weight of samples whose leaf frame is the function.
 * total = weight of samples whose stack contains the function, counted once
 *         per sample: a recursive function is not counted twice.
 *
 * A function inlined into another is a frame of its own in the profile (at
 * inline depth > 0). Whose cost its samples are is a choice (InlinedFunctions):
 * `perf report --sort symbol` gives them to the function they were inlined
 * into (the symbol the code is in), Hotspot to the inlined function itself.
 */

import type { IndexIntoFuncTable, Profile } from '../profile/model';
import { totalsOncePerSample } from './stack-key-totals';
import { float64Accumulator } from '../profile/accumulators';

/**
 * `merged`: an inlined function's cost goes to the function it was inlined
 * into, as perf report counts it. `separate`: it stays with the inlined
 * function, which is then a function of its own in every view.
 */
export type InlinedFunctions = 'merged' | 'separate';

/** How reports and views count inlined functions unless told otherwise: as perf report does. */
export const DEFAULT_INLINED: InlinedFunctions = 'merged';

/** Whether any frame is a function inlined into another (only then does InlinedFunctions change anything). */
export function hasInlinedFrames(profile: Profile): boolean {
  return profile.frames.inlineDepth.some((depth) => depth > 0);
}

/**
 * Per profile stack, the function its cost counts for: its frame's, or with
 * `merged` that of its nearest frame that is not inlined (itself or one of
 * the callers above it at the same address).
 */
export function costFuncOfStacks(profile: Profile, inlined: InlinedFunctions): Int32Array {
  const { stacks, frames } = profile;
  const funcOf = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const frame = stacks.frame[s];
    const prefix = stacks.prefix[s];
    // prefix < s: the caller's function is already known.
    funcOf[s] = inlined === 'merged' && frames.inlineDepth[frame] > 0 && prefix >= 0 ? funcOf[prefix] : frames.func[frame];
  }
  return funcOf;
}

export interface FunctionCosts {
  self: Float64Array;
  total: Float64Array;
  /** Sum of all selected weight: the 100% for percentages. */
  grandTotal: number;
}

export function computeFunctionCosts(profile: Profile, stackWeights: Float64Array, inlined: InlinedFunctions = DEFAULT_INLINED): FunctionCosts {
  const keyed = functionSelfCosts(profile, stackWeights, inlined);
  return { self: keyed.self, total: totalsOncePerSample(profile.stacks.prefix, keyed.keyOfStack, keyed.keyCount, stackWeights), grandTotal: keyed.grandTotal };
}

/** Self costs, and each stack's function as a key for totalsOncePerSample (report.ts walks for functions and lines at once). */
export function functionSelfCosts(
  profile: Profile,
  stackWeights: Float64Array,
  inlined: InlinedFunctions = DEFAULT_INLINED,
): { self: Float64Array; grandTotal: number; keyOfStack: Int32Array; keyCount: number } {
  const self = float64Accumulator(profile.funcs.length);
  const keyOfStack = costFuncOfStacks(profile, inlined);
  let grandTotal = 0;
  for (let s = 0; s < keyOfStack.length; s++) {
    const func = keyOfStack[s];
    const weight = stackWeights[s];
    if (weight === 0) continue;
    grandTotal += weight;
    self[func] += weight;
  }
  return { self, grandTotal, keyOfStack, keyCount: profile.funcs.length };
}

/** Functions with any cost, hottest self first (ties: total, then index). */
export function functionsBySelf(costs: FunctionCosts): IndexIntoFuncTable[] {
  const indexes: number[] = [];
  for (let f = 0; f < costs.total.length; f++) if (costs.total[f] > 0) indexes.push(f);
  return indexes.sort((a, b) => costs.self[b] - costs.self[a] || costs.total[b] - costs.total[a] || a - b);
}
