/** PairMap against a Map of the same pairs: growth, overwrites, clear, reserve, keys above 2^31 and negative ones. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairMap } from '../../src-shared/profile/pair-map';

test('PairMap answers like a Map through growth, overwrites, clear and reserve', () => {
  let state = 99;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const map = new PairMap(4);
  const reference = new Map<string, number>();
  const keyOf = (a: number, b: number) => `${a >>> 0},${b >>> 0}`;
  // Few distinct a's and b's, so lookups hit existing keys as often as new ones; unsigned values above 2^31 too.
  const pick = () => [next() % 300, next() % 7 === 0 ? 0xfffff000 + (next() % 50) : next() % 300] as const;
  for (let step = 0; step < 60_000; step++) {
    const [a, b] = pick();
    if (step === 20_000) {
      map.clear();
      reference.clear();
    }
    if (step === 30_000) map.reserve(100_000);
    if (next() % 3 === 0) {
      const value = step % 5 === 0 ? 0 : next() % 2 ** 31 === 2 ** 31 - 1 ? 0 : next() % (2 ** 31 - 1);
      map.set(a, b, value);
      reference.set(keyOf(a, b), value);
    } else {
      assert.equal(map.get(a, b), reference.get(keyOf(a, b)) ?? -1, `step ${step}: (${a}, ${b})`);
      // The same key given as signed 32-bit gives the same answer.
      assert.equal(map.get(a | 0, b | 0), map.get(a, b));
    }
  }
  assert.equal(map.size, reference.size);
});
