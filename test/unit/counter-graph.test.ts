/**
 * The memory tracks' step graph (src-renderer/canvas/counter-graph.ts): a
 * value holds until the next point, a pixel column keeps its spikes, and the
 * filled area starts at the first point, not at the box's corner.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counterGraph, seriesBounds } from '../../src-renderer/canvas/counter-graph';

test('a counter steps from point to point and holds its last value to the right edge', () => {
  const graph = counterGraph({ time: [0, 50, 100], value: [0, 10, 5] }, 100, 22);
  assert.ok(graph);
  assert.equal(graph.max, 10);
  // y = 21 - v / max * 20: 0 -> 21, 10 -> 1, 5 -> 11.
  assert.equal(graph.path, 'M0.0 21.0V21.0V21.0V21.0H50.0V1.0V1.0V1.0H100.0V11.0V11.0V11.0H100');
});

test('the filled area closes straight down from the first point (no slope from the corner before it)', () => {
  const graph = counterGraph({ time: [30, 60, 90], value: [4, 8, 8] }, 120, 22, { start: 0, end: 120 });
  assert.ok(graph);
  assert.ok(graph.path.startsWith('M30.0 '), graph.path);
  assert.equal(graph.area, `${graph.path}V22H30.0Z`);
});

test('points that fall in one pixel column keep their lowest and highest values', () => {
  const time = Array.from({ length: 100 }, (_, i) => i / 100);
  const value = time.map((_, i) => (i === 40 ? 1000 : 10));
  const graph = counterGraph({ time, value }, 10, 22);
  assert.ok(graph);
  assert.equal(graph.max, 1000);
  assert.match(graph.path, /V1\.0/, 'the spike reaches the top of the box');
});

test('tracks share one time axis: the earliest and latest finite times of all series', () => {
  assert.deepEqual(seriesBounds([{ time: [5, 9], value: [1, 1] }, { time: [NaN, 2, 7], value: [1, 1, 1] }]), { start: 2, end: 9 });
  assert.equal(seriesBounds([{ time: [], value: [] }]), null);
  assert.equal(counterGraph({ time: [], value: [] }, 100, 22), null);
});
