/**
 * The time-ordered flame graph (speedscope's "Time Order", the Firefox
 * Profiler's Stack Chart) of one thread: x is time, each row a call depth,
 * and a box is one uninterrupted stretch during which that function stayed
 * at that depth on the stack.
 *
 * Samples are walked in time order, and a sample lasts until the next one
 * (the last one for one sampling interval). A gap in the samples is the
 * thread off the CPU (perf samples only running threads), but whatever was
 * on its stack before and after stayed there, so a box runs on across the
 * gap; the timeline's activity graph shows the gap itself. Between two
 * samples only the part of the stack that changed closes and opens boxes:
 * the deepest
 * common stack is found by walking both stacks up (func stacks are deduped,
 * so the same index means the same path), so the cost is the number of
 * boxes, not samples times depth.
 *
 * Boxes come out row by row (depth 0 first), each row in time order, so a
 * visible time window in a row is a binary search.
 */

import type { IndexIntoThreadTable, Nanoseconds, SampleTable } from '../profile/model';
import type { FuncStackTable } from './func-stacks';
import { lowerBound, type ThreadSamples } from './threads';

export interface StackChart {
  thread: IndexIntoThreadTable;
  length: number;
  start: Float64Array;
  end: Float64Array;
  func: Int32Array;
  /** Boxes of depth d are rowStart[d] .. rowStart[d + 1]. */
  rowStart: Int32Array;
  depthCount: number;
  /** The time span the chart covers. */
  startTime: Nanoseconds;
  endTime: Nanoseconds;
}

export interface StackChartInput {
  stacks: FuncStackTable;
  /** Profile stack -> func stack (-1: the sample is dropped). */
  fromProfileStack: Int32Array;
  samples: SampleTable;
  threadSamples: ThreadSamples;
  thread: IndexIntoThreadTable;
  start: Nanoseconds;
  end: Nanoseconds;
  interval: Nanoseconds;
}

/** Depth of each func stack: 0 for roots. */
export function computeStackDepths(stacks: FuncStackTable): Int32Array {
  const depth = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    depth[s] = prefix === -1 ? 0 : depth[prefix] + 1;
  }
  return depth;
}

export function computeStackChart(input: StackChartInput, depthOf: Int32Array = computeStackDepths(input.stacks)): StackChart {
  const { stacks, fromProfileStack, samples, threadSamples, start, end } = input;
  const interval = input.interval > 0 ? input.interval : 1;
  const rows: { start: number[]; end: number[]; func: number[] }[] = [];
  const rowAt = (depth: number) => (rows[depth] ??= { start: [], end: [], func: [] });
  // The open boxes: one per depth of the current stack.
  const openStart: number[] = [];
  let current = -1;

  const close = (down: number, time: number) => {
    // Close the boxes of `current` deeper than depth `down`.
    for (let at = current; at !== -1 && depthOf[at] > down; at = stacks.prefix[at]) {
      const row = rowAt(depthOf[at]);
      row.start.push(openStart[depthOf[at]]);
      row.end.push(time);
      row.func.push(stacks.func[at]);
    }
  };
  const open = (stack: number, fromDepth: number, time: number) => {
    for (let at = stack; at !== -1 && depthOf[at] >= fromDepth; at = stacks.prefix[at]) openStart[depthOf[at]] = time;
  };

  const from = lowerBound(threadSamples.time, start);
  const to = lowerBound(threadSamples.time, end);
  for (let k = from; k < to; k++) {
    const time = threadSamples.time[k];
    const stack = fromProfileStack[samples.stack[threadSamples.index[k]]];
    if (stack !== current) {
      // Deepest common stack of current and the new one.
      let a = current;
      let b = stack;
      while (a !== -1 && b !== -1 && depthOf[a] > depthOf[b]) a = stacks.prefix[a];
      while (b !== -1 && a !== -1 && depthOf[b] > depthOf[a]) b = stacks.prefix[b];
      while (a !== b && a !== -1 && b !== -1) {
        a = stacks.prefix[a];
        b = stacks.prefix[b];
      }
      const common = a === b && a !== -1 ? depthOf[a] : -1;
      close(common, time);
      if (stack !== -1) open(stack, common + 1, time);
      current = stack;
    }
  }
  // The window ends: everything still open closes one interval after the last sample.
  if (to > from) close(-1, Math.min(end, threadSamples.time[to - 1] + interval));

  let length = 0;
  for (const row of rows) length += row?.start.length ?? 0;
  const out = { start: new Float64Array(length), end: new Float64Array(length), func: new Int32Array(length) };
  const rowStart = new Int32Array(rows.length + 1);
  let at = 0;
  for (let d = 0; d < rows.length; d++) {
    rowStart[d] = at;
    const row = rows[d];
    if (row === undefined) continue;
    // Boxes close deepest first, so within a row they are already in time order.
    out.start.set(row.start, at);
    out.end.set(row.end, at);
    out.func.set(row.func, at);
    at += row.start.length;
  }
  rowStart[rows.length] = at;
  return { thread: input.thread, length, ...out, rowStart, depthCount: rows.length, startTime: start, endTime: end };
}

/** The box in row `depth` covering `time`, or -1. */
export function stackChartBoxAt(chart: StackChart, depth: number, time: Nanoseconds): number {
  if (depth < 0 || depth >= chart.depthCount) return -1;
  let low = chart.rowStart[depth];
  let high = chart.rowStart[depth + 1] - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (chart.start[mid] <= time) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found !== -1 && time < chart.end[found] ? found : -1;
}

/** The functions from the root down to a box: the call path the box stands for. */
export function stackChartPathOf(chart: StackChart, depth: number, box: number): number[] {
  const path = [chart.func[box]];
  const middle = (chart.start[box] + chart.end[box]) / 2;
  for (let d = depth - 1; d >= 0; d--) {
    const parent = stackChartBoxAt(chart, d, middle);
    if (parent === -1) break;
    path.push(chart.func[parent]);
  }
  return path.reverse();
}
