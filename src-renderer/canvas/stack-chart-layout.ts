/**
 * Which stack chart boxes to draw for a visible time window, in pixels.
 * Pure: the painter draws exactly this list, and tests check it.
 *
 * A row can hold hundreds of thousands of boxes; most are thinner than a
 * pixel when zoomed out. Boxes in a row are sorted and do not overlap, so
 * their ends are sorted too: after a box thinner than a pixel, one is drawn
 * for that pixel column and a binary search jumps to the first box that
 * reaches the next column. A row then costs at most its width in pixels
 * (times a logarithm), however many boxes it has.
 */

import type { TimeRange } from '../../src-shared/analysis/analyzer';
import type { StackChart } from '../../src-shared/analysis/stack-chart';

export interface DrawBox {
  box: number;
  depth: number;
  /** Pixel columns [left, right). */
  left: number;
  right: number;
}

/**
 * The boxes to draw, as columns: a frame zoomed out over a million samples
 * has tens of thousands, and an object each made the garbage collector
 * pause wheel steps for up to 8 ms.
 */
export interface DrawBoxes {
  count: number;
  box: Int32Array;
  depth: Int32Array;
  /** Pixel columns [left, right). */
  left: Float64Array;
  right: Float64Array;
}

export function drawBoxAt(boxes: DrawBoxes, i: number): DrawBox {
  return { box: boxes.box[i], depth: boxes.depth[i], left: boxes.left[i], right: boxes.right[i] };
}

function emptyDrawBoxes(capacity: number): DrawBoxes {
  return { count: 0, box: new Int32Array(capacity), depth: new Int32Array(capacity), left: new Float64Array(capacity), right: new Float64Array(capacity) };
}

function pushDrawBox(out: DrawBoxes, box: number, depth: number, left: number, right: number): DrawBoxes {
  if (out.count === out.box.length) out = grown(out);
  const i = out.count++;
  out.box[i] = box;
  out.depth[i] = depth;
  out.left[i] = left;
  out.right[i] = right;
  return out;
}

/** `boxes` in twice the room (apart from pushDrawBox, whose every call runs, so it stays small enough to inline). */
function grown(boxes: DrawBoxes): DrawBoxes {
  const bigger = emptyDrawBoxes(Math.max(64, 2 * boxes.box.length));
  bigger.box.set(boxes.box);
  bigger.depth.set(boxes.depth);
  bigger.left.set(boxes.left);
  bigger.right.set(boxes.right);
  bigger.count = boxes.count;
  return bigger;
}

/** The first box in row [from, to) whose end is after `time`. */
function firstEndingAfter(ends: Float64Array, from: number, to: number, time: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ends[mid] <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * firstEndingAfter for a `time` usually a few boxes past `from`: steps of
 * 1, 2, 4, ... find a box ending after it, then a binary search between the
 * last two steps. A pixel column zoomed out holds tens of boxes, so this
 * costs a few steps where a search of the whole rest of the row took ~18.
 */
function nextEndingAfter(ends: Float64Array, from: number, to: number, time: number): number {
  let low = from;
  let high = from;
  for (let step = 1; high < to && ends[high] <= time; step *= 2) {
    low = high + 1;
    high = from + step;
  }
  return firstEndingAfter(ends, low, Math.min(high, to), time);
}

/**
 * Row by row, left to right in each row. `spare` is a result no longer
 * shown, whose arrays are filled again when they are big enough: the room
 * for a frame is 1-2 MB, and a new one per wheel step kept the collector
 * busy during zooms.
 */
export function visibleStackChartBoxes(chart: StackChart, view: TimeRange, width: number, firstDepth: number, lastDepth: number, spare: DrawBoxes | null = null): DrawBoxes {
  const span = view.end - view.start;
  if (!(span > 0) || width <= 0) return emptyDrawBoxes(0);
  // Room for the most a row can give: a box per pixel column, and one more starting in each column after
  // a thinner one (zoomed out, rows come near that). Growing is a fallback.
  const first = Math.max(0, firstDepth);
  const last = Math.min(chart.depthCount - 1, lastDepth);
  const capacity = Math.max(64, Math.max(0, last - first + 1) * (2 * Math.ceil(width) + 2));
  let out = spare !== null && spare.box.length >= capacity ? { ...spare, count: 0 } : emptyDrawBoxes(capacity);
  for (let depth = first; depth <= last; depth++) out = layoutRow(out, chart, depth, view.start, view.end, width / span, width);
  return out;
}

/**
 * One row's boxes, appended to `out` (returned: grown when full). A
 * function of its own so that the JIT optimizes it after a few rows of a
 * frame: as a loop nested in the loop over rows, the first frames ran it
 * unoptimized, each row's exit from the inner loop dropping its on-stack
 * optimization again (the first wheel step of a zoom took 16-22 ms).
 * x = (time - viewStart) * scale is written out rather than a closure: a
 * closure made per call was inlined as that one function, and the next
 * call's new one threw the optimized code away ("wrong call target").
 */
function layoutRow(out: DrawBoxes, chart: StackChart, depth: number, viewStart: number, viewEnd: number, scale: number, width: number): DrawBoxes {
  const rowEnd = chart.rowStart[depth + 1];
  let box = firstEndingAfter(chart.end, chart.rowStart[depth], rowEnd, viewStart);
  while (box < rowEnd && chart.start[box] < viewEnd) {
    const left = Math.max(0, (chart.start[box] - viewStart) * scale);
    const right = Math.min(width, (chart.end[box] - viewStart) * scale);
    if (right - left >= 1) {
      out = pushDrawBox(out, box, depth, left, right);
      box++;
    } else {
      const column = Math.floor(left);
      out = pushDrawBox(out, box, depth, column, column + 1);
      box = nextEndingAfter(chart.end, box + 1, rowEnd, viewStart + (column + 1) / scale);
    }
  }
  return out;
}
