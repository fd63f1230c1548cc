/**
 * The markers' layout (src-renderer/canvas/timeline-markers.ts): per thread
 * in time order, only the visible window, one entry per pixel column and
 * event with a count, hidden events left out, and the hit test.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MarkerTable } from '../../src-shared/profile/model';
import { layoutMarkers, markerAt, markerEventsOf } from '../../src-renderer/canvas/timeline-markers';

// Thread 0: event 7 at 0, 1, 2, 50 and event 9 at 2; thread 1: event 7 at 60.
const table: MarkerTable = {
  length: 6,
  time: Float64Array.of(0, 1, 2, 2, 50, 60),
  thread: Int32Array.of(0, 0, 0, 0, 0, 1),
  event: Int32Array.of(7, 7, 7, 9, 7, 7),
  stack: Int32Array.of(-1, -1, -1, -1, -1, -1),
  detail: Int32Array.of(-1, -1, -1, -1, -1, -1),
};

test('events in order of first appearance, counted, rows per thread', () => {
  const events = markerEventsOf(table);
  assert.deepEqual(events.events, [7, 9]);
  assert.deepEqual(events.counts, [5, 1]);
  assert.deepEqual(Array.from(events.byThread.get(0)!), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(events.byThread.get(1)!), [5]);
  assert.equal(markerEventsOf(table), events, 'memoized per table');
});

test('one entry per pixel column and event; the window and hidden events filter', () => {
  const events = markerEventsOf(table);
  const rows = events.byThread.get(0)!;
  // 100 time units over 10 pixels: times 0, 1, 2 share column 0.
  const columns = layoutMarkers(table, events, rows, { start: 0, end: 100 }, 10, new Set());
  assert.deepEqual(
    columns.map((c) => [c.x, c.slot, c.count]),
    [
      [0, 0, 3],
      [0, 1, 1],
      [5, 0, 1],
    ],
  );
  // Zoomed to [1.5, 60): only the markers at 2 and 50.
  const zoomed = layoutMarkers(table, events, rows, { start: 1.5, end: 60 }, 100, new Set());
  assert.deepEqual(zoomed.reduce((n, c) => n + c.count, 0), 3);
  assert.ok(zoomed.every((c) => c.x >= 0 && c.x < 100));
  // Event 9 hidden.
  const hidden = layoutMarkers(table, events, rows, { start: 0, end: 100 }, 10, new Set([1]));
  assert.ok(hidden.every((c) => c.slot === 0));
  // Hit test: the column within reach, nearest first.
  assert.equal(markerAt(columns, 5.4)?.x, 5);
  assert.equal(markerAt(columns, 3.2, 1), null);
});
