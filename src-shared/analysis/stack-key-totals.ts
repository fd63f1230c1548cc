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
 *   2. one depth-first walk that knows which keys are on the current path:
 *      a stack whose key is not already on the path above it is an outermost
 *      occurrence and adds its subtree weight. Deeper occurrences of the same
 *      key (recursion) are inside that subtree, so each sample counts once.
 * Both passes are linear in the number of stacks.
 */

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

/** Several keyings of the same stacks (functions and lines, say) in one walk. */
export function totalsOncePerSampleByKeys(
  prefix: Int32Array,
  keyings: readonly { keyOfStack: Int32Array; keyCount: number }[],
  stackWeights: Float64Array,
): Float64Array[] {
  const n = prefix.length;
  const subtree = Float64Array.from(stackWeights.subarray(0, n));
  for (let s = n - 1; s >= 0; s--) {
    const parent = prefix[s];
    if (parent >= 0) subtree[parent] += subtree[s];
  }

  // Children as one flat array (CSR): the children of s are child[firstChild[s], firstChild[s + 1]).
  const firstChild = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) if (prefix[s] >= 0) firstChild[prefix[s] + 1]++;
  for (let s = 0; s < n; s++) firstChild[s + 1] += firstChild[s];
  const child = new Int32Array(firstChild[n]);
  const filled = firstChild.slice(0, n);
  for (let s = 0; s < n; s++) if (prefix[s] >= 0) child[filled[prefix[s]]++] = s;

  const keys = keyings.map((k) => k.keyOfStack);
  const totals = keyings.map((k) => new Float64Array(k.keyCount));
  const onPath = keyings.map((k) => new Int32Array(k.keyCount));
  const kinds = keyings.length;
  // The walk's path: stack nodes and, per node, the next child to visit.
  const path = new Int32Array(n);
  const nextChild = new Int32Array(n);
  const enter = (node: number) => {
    for (let i = 0; i < kinds; i++) {
      const key = keys[i][node];
      if (key < 0) continue;
      if (onPath[i][key] === 0) totals[i][key] += subtree[node];
      onPath[i][key]++;
    }
  };
  const leave = (node: number) => {
    for (let i = 0; i < kinds; i++) {
      const key = keys[i][node];
      if (key >= 0) onPath[i][key]--;
    }
  };
  for (let root = 0; root < n; root++) {
    if (prefix[root] !== -1) continue;
    let depth = 0;
    path[0] = root;
    nextChild[0] = firstChild[root];
    enter(root);
    while (depth >= 0) {
      const node = path[depth];
      const at = nextChild[depth];
      if (at < firstChild[node + 1]) {
        nextChild[depth] = at + 1;
        const next = child[at];
        depth++;
        path[depth] = next;
        nextChild[depth] = firstChild[next];
        enter(next);
      } else {
        leave(node);
        depth--;
      }
    }
  }
  return totals;
}
