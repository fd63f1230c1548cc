/**
 * Total cost per key (a function, a source line, ...) counted once per
 * sample: the weight of the samples whose stack holds that key anywhere.
 *
 * Walking every sampled stack to its root costs the sum of all stack depths
 * (tens of millions of steps for a million deep samples). The stack table is
 * a prefix tree, so instead:
 *   1. each stack's subtree weight (its own samples plus its descendants'),
 *      summed leaf to root in one backward pass (the builder guarantees
 *      prefix[i] < i);
 *   2. one depth-first pass that knows which keys are on the current path:
 *      a stack whose key is not already on the path above it is an outermost
 *      occurrence and adds its subtree weight. Deeper occurrences of the same
 *      key (recursion) are inside that subtree, so each sample counts once.
 * Every pass is linear in the number of stacks, over typed arrays only.
 */

import { float64Accumulator, int32Accumulator } from '../profile/accumulators';

/**
 * totals[k] = weight of samples whose stack contains a stack node with key k.
 * keyOfStack[s] is the key of stack s, or -1 for none (its samples still count
 * for the keys above it).
 */
export function totalsOncePerSample(
  prefix: Int32Array,
  keyOfStack: Int32Array,
  keyCount: number,
  stackWeights: Float64Array,
): Float64Array {
  return totalsOncePerSampleByKeys(prefix, [{ keyOfStack, keyCount }], stackWeights)[0];
}

/** Several keyings of the same stacks (functions and lines, say), over one ordering of the tree. */
export function totalsOncePerSampleByKeys(
  prefix: Int32Array,
  keyings: readonly { keyOfStack: Int32Array; keyCount: number }[],
  stackWeights: Float64Array,
): Float64Array[] {
  const n = prefix.length;
  // Subtree weights and sizes (in stacks), leaf to root: prefix[s] < s.
  const subtree = Float64Array.from(stackWeights.subarray(0, n));
  const size = new Int32Array(n).fill(1);
  for (let s = n - 1; s >= 0; s--) {
    const parent = prefix[s];
    if (parent >= 0) {
      subtree[parent] += subtree[s];
      size[parent] += size[s];
    }
  }
  // Depth-first (pre)order without a walk: a stack's place is its parent's place plus one plus the sizes of
  // its earlier siblings, handed out root to leaf (nextPlace[p]: where p's next child goes).
  const order = new Int32Array(n);
  const nextPlace = new Int32Array(n);
  let nextRoot = 0;
  for (let s = 0; s < n; s++) {
    const parent = prefix[s];
    const place = parent >= 0 ? nextPlace[parent] : nextRoot;
    if (parent >= 0) nextPlace[parent] += size[s];
    else nextRoot += size[s];
    order[place] = s;
    nextPlace[s] = place + 1;
  }
  return keyings.map(({ keyOfStack, keyCount }) => outermostTotals(order, size, keyOfStack, keyCount, subtree));
}

/**
 * The walk of step 2 for one keying, over the stacks in depth-first order:
 * the path is a stack of the stacks entered and not yet left (a stack is
 * left once the order passes its subtree), and onPath counts each key on it.
 */
function outermostTotals(order: Int32Array, size: Int32Array, keyOfStack: Int32Array, keyCount: number, subtree: Float64Array): Float64Array {
  const totals = float64Accumulator(keyCount);
  const onPath = int32Accumulator(keyCount);
  const path = new Int32Array(order.length);
  const pathEnd = new Int32Array(order.length);
  let depth = 0;
  for (let i = 0; i < order.length; i++) {
    while (depth > 0 && pathEnd[depth - 1] <= i) {
      const key = keyOfStack[path[--depth]];
      if (key >= 0) onPath[key]--;
    }
    const s = order[i];
    const key = keyOfStack[s];
    if (key >= 0) {
      if (onPath[key] === 0) totals[key] += subtree[s];
      onPath[key]++;
    }
    path[depth] = s;
    pathEnd[depth++] = i + size[s];
  }
  return totals;
}
