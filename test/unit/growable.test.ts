/**
 * The builders' append-only typed arrays (src-shared/profile/growable.ts):
 * whatever mix of push and appendRun fills one, across as many capacity
 * doublings as it takes, finish() holds exactly the values appended, in order.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growInt32 } from '../../src-shared/profile/growable';

test('push and appendRun across capacity doublings keep every value in order', () => {
  const grown = growInt32(4);
  const expected: number[] = [];
  let next = 0;
  for (let round = 0; round < 200; round++) {
    if (round % 3 === 0) {
      grown.push(next);
      expected.push(next++);
    } else {
      // Runs longer than the whole capacity too (round 1 already appends 8 to a capacity of 4).
      const run = Int32Array.from({ length: 1 + ((round * 7) % 23) }, () => next++);
      grown.appendRun(run, run.length - 1); // the last value is not part of the run
      expected.push(...run.subarray(0, run.length - 1));
    }
  }
  assert.equal(grown.length, expected.length);
  assert.deepEqual(Array.from(grown.finish()), expected);
});
