/**
 * totalsOncePerSample (one tree walk) against the definition it replaces:
 * for every sampled stack, walk to the root and add the weight to each key
 * once. Random prefix trees with recursion (keys repeating on a path),
 * stacks without keys, and zero and negative weights.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totalsOncePerSample, totalsOncePerSampleByKeys } from '../../src-shared/analysis/stack-key-totals';

function walkedTotals(prefix: Int32Array, keyOfStack: Int32Array, keyCount: number, weights: Float64Array): Float64Array {
  const totals = new Float64Array(keyCount);
  const lastSeen = new Int32Array(keyCount).fill(-1);
  for (let s = 0; s < prefix.length; s++) {
    if (weights[s] === 0) continue;
    for (let at = s; at !== -1; at = prefix[at]) {
      const key = keyOfStack[at];
      if (key < 0 || lastSeen[key] === s) continue;
      lastSeen[key] = s;
      totals[key] += weights[s];
    }
  }
  return totals;
}

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('totals once per sample equal the per-sample walk on random trees with recursion', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed);
    const n = 1 + Math.floor(next() * 300);
    const keyCount = 1 + Math.floor(next() * 12); // few keys: deep paths repeat them (recursion)
    const prefix = new Int32Array(n);
    const keys = new Int32Array(n);
    const weights = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      // Several roots; parents always earlier (the builder's guarantee); mostly deep chains.
      prefix[s] = s === 0 || next() < 0.05 ? -1 : next() < 0.7 ? s - 1 : Math.floor(next() * s);
      keys[s] = next() < 0.1 ? -1 : Math.floor(next() * keyCount);
      const r = next();
      weights[s] = r < 0.4 ? 0 : r < 0.5 ? -Math.ceil(next() * 5) : Math.ceil(next() * 100);
    }
    assert.deepEqual(totalsOncePerSample(prefix, keys, keyCount, weights), walkedTotals(prefix, keys, keyCount, weights), `seed ${seed}`);
    // A second keying in the same walk (functions and lines at once): each as if walked alone.
    const otherKeys = keys.map((k, s) => (k < 0 ? -1 : (k * 7 + s) % 5));
    const [first, second] = totalsOncePerSampleByKeys(prefix, [{ keyOfStack: keys, keyCount }, { keyOfStack: otherKeys, keyCount: 5 }], weights);
    assert.deepEqual(first, walkedTotals(prefix, keys, keyCount, weights), `seed ${seed}, first keying`);
    assert.deepEqual(second, walkedTotals(prefix, otherKeys, 5, weights), `seed ${seed}, second keying`);
  }
});

test('a recursive key counts each sample once, a key below it in full', () => {
  // main -> f -> f -> g, with samples on the second f (2) and on g (3).
  const prefix = Int32Array.from([-1, 0, 1, 2]);
  const keys = Int32Array.from([0, 1, 1, 2]);
  const weights = Float64Array.from([0, 0, 2, 3]);
  assert.deepEqual(Array.from(totalsOncePerSample(prefix, keys, 3, weights)), [5, 5, 3]);
});
