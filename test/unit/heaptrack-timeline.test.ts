/**
 * The heaptrack allocation timeline stays bounded: when its rows pass the
 * budget the buckets widen and merge, keeping every sum, the time order and
 * each row's bucket alignment. (Its sums on a real recording are checked
 * against heaptrack_print in test/integration/memory-time.test.ts.)
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceTimelineBuilder } from '../../src-main/import/heaptrack/timeline';

test('rows stay within the budget; sums, order and bucket alignment survive merging', () => {
  const budget = 64;
  const builder = new TraceTimelineBuilder(budget);
  let blocks = 0;
  let bytes = 0;
  let temporary = 0;
  // Three traces allocating every millisecond for two seconds: 6000 (trace, ms) pairs.
  for (let ms = 0; ms < 2000; ms++) {
    for (let trace = 1; trace <= 3; trace++) {
      builder.allocation(trace, ms, trace * 8);
      blocks++;
      bytes += trace * 8;
      if (trace === 2) {
        builder.temporaryFree(trace, ms);
        temporary++;
      }
    }
  }
  const timeline = builder.finish();
  assert.ok(timeline.trace.length <= budget, `${timeline.trace.length} rows`);
  assert.ok(timeline.bucketMs > 1, 'buckets widened');
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  assert.equal(sum(timeline.blocks), blocks);
  assert.equal(sum(timeline.bytes), bytes);
  assert.equal(sum(timeline.temporary), temporary);
  for (let r = 0; r < timeline.time.length; r++) {
    assert.equal(timeline.time[r] % timeline.bucketMs, 0, 'row starts on a bucket boundary');
    if (r > 0) assert.ok(timeline.time[r] >= timeline.time[r - 1], 'time order');
  }
  // One row per (trace, bucket).
  const keys = new Set(Array.from(timeline.trace, (t, r) => `${t}@${timeline.time[r]}`));
  assert.equal(keys.size, timeline.trace.length);
});
