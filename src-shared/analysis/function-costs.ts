/**
 * Self and total cost per function.
 *
 * self  = weight of samples whose leaf frame is the function.
 * total = weight of samples whose stack contains the function, counted once
 *         per sample: a recursive function is not counted twice.
 */

import type { IndexIntoFuncTable, Profile } from '../profile/model';
import { totalsOncePerSample } from './stack-key-totals';

export interface FunctionCosts {
  self: Float64Array;
  total: Float64Array;
  /** Sum of all selected weight: the 100% for percentages. */
  grandTotal: number;
}

export function computeFunctionCosts(profile: Profile, stackWeights: Float64Array): FunctionCosts {
  const keyed = functionSelfCosts(profile, stackWeights);
  return { self: keyed.self, total: totalsOncePerSample(profile.stacks.prefix, keyed.keyOfStack, keyed.keyCount, stackWeights), grandTotal: keyed.grandTotal };
}

/** Self costs, and each stack's function as a key for totalsOncePerSample (report.ts walks for functions and lines at once). */
export function functionSelfCosts(profile: Profile, stackWeights: Float64Array): { self: Float64Array; grandTotal: number; keyOfStack: Int32Array; keyCount: number } {
  const { stacks, frames } = profile;
  const self = new Float64Array(profile.funcs.length);
  const keyOfStack = new Int32Array(stacks.length);
  let grandTotal = 0;
  for (let s = 0; s < stacks.length; s++) {
    const func = frames.func[stacks.frame[s]];
    keyOfStack[s] = func;
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
