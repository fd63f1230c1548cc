/**
 * Markers on the timeline: where each thread's markers (instants of events
 * other than the sampled one, model.ts MarkerTable) fall in the visible
 * window, and how they are painted. Pure layout plus a small painter:
 *
 * - markersByThread: per thread, its marker rows in time order (the table
 *   is in time order, so this is one pass), memoized per table;
 * - layoutMarkers: the visible markers of one thread as pixel columns; two
 *   markers of the same event in one column draw once (the column keeps a
 *   count), so a million context switches cost one box per pixel at most;
 * - markerAt: the marker under a pointer, for hover and click.
 */

import type { IndexIntoStringTable, MarkerTable } from '../../src-shared/profile/model';

export interface MarkerEvents {
  /** Event name string indexes, in order of first appearance: a marker's colour is its event's position here. */
  events: IndexIntoStringTable[];
  /** Per marker row, its event's position in `events`. */
  eventSlot: Uint16Array;
  /** Per event slot, how many markers it has. */
  counts: number[];
  /** Per thread, its marker rows in time order. */
  byThread: Map<number, Int32Array>;
}

const cache = new WeakMap<MarkerTable, MarkerEvents>();

export function markerEventsOf(markers: MarkerTable): MarkerEvents {
  let result = cache.get(markers);
  if (result !== undefined) return result;
  const slotOf = new Map<number, number>();
  const events: number[] = [];
  const counts: number[] = [];
  const eventSlot = new Uint16Array(markers.length);
  const rows = new Map<number, number[]>();
  for (let i = 0; i < markers.length; i++) {
    let slot = slotOf.get(markers.event[i]);
    if (slot === undefined) {
      slot = events.length;
      slotOf.set(markers.event[i], slot);
      events.push(markers.event[i]);
      counts.push(0);
    }
    eventSlot[i] = slot;
    counts[slot]++;
    const thread = markers.thread[i];
    let list = rows.get(thread);
    if (list === undefined) rows.set(thread, (list = []));
    list.push(i);
  }
  const byThread = new Map<number, Int32Array>();
  for (const [thread, list] of rows) byThread.set(thread, Int32Array.from(list));
  result = { events, eventSlot, counts, byThread };
  cache.set(markers, result);
  return result;
}

export interface MarkerColumn {
  /** CSS pixel column. */
  x: number;
  slot: number;
  /** The first marker row drawn in this column (what hover and click pick). */
  row: number;
  count: number;
}

/** First index in `rows` whose marker time is >= t. */
function firstAtOrAfter(rows: Int32Array, time: Float64Array, t: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (time[rows[mid]] < t) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The visible markers of one thread's rows, one entry per (pixel column,
 * event), leaving out hidden event slots. `view` is the visible window.
 */
export function layoutMarkers(
  markers: MarkerTable,
  events: MarkerEvents,
  rows: Int32Array,
  view: { start: number; end: number },
  width: number,
  hidden: ReadonlySet<number>,
): MarkerColumn[] {
  const out: MarkerColumn[] = [];
  const span = view.end - view.start;
  if (span <= 0 || width <= 0) return out;
  // Per slot, the entry of the last column it drew into, so equal columns merge.
  const lastOfSlot = new Map<number, MarkerColumn>();
  for (let k = firstAtOrAfter(rows, markers.time, view.start); k < rows.length; k++) {
    const row = rows[k];
    const t = markers.time[row];
    if (t > view.end) break;
    const slot = events.eventSlot[row];
    if (hidden.has(slot)) continue;
    const x = Math.min(width - 1, Math.floor(((t - view.start) / span) * width));
    const last = lastOfSlot.get(slot);
    if (last !== undefined && last.x === x) {
      last.count++;
      continue;
    }
    const column = { x, slot, row, count: 1 };
    out.push(column);
    lastOfSlot.set(slot, column);
  }
  return out;
}

/** The drawn column nearest to `x` within `reach` pixels, or null. */
export function markerAt(columns: readonly MarkerColumn[], x: number, reach = 3): MarkerColumn | null {
  let best: MarkerColumn | null = null;
  for (const column of columns) {
    const distance = Math.abs(column.x + 0.5 - x);
    if (distance <= reach && (best === null || distance < Math.abs(best.x + 0.5 - x))) best = column;
  }
  return best;
}

/** Colours per event slot; cycles after the last. Distinct from the activity categories' oranges and blue. */
export const markerColors = ['#7c3aed', '#0e9f6e', '#d61f69', '#0891b2', '#a16207', '#4b5563'];

export function markerColor(slot: number): string {
  return markerColors[slot % markerColors.length];
}

/** Paints one strip: a bar per column, the selected marker's column outlined. */
export function paintMarkers(ctx: CanvasRenderingContext2D, columns: readonly MarkerColumn[], width: number, height: number, selectedRow: number): void {
  ctx.clearRect(0, 0, width, height);
  for (const column of columns) {
    ctx.fillStyle = markerColor(column.slot);
    ctx.fillRect(column.x, 1, 2, height - 2);
  }
  const selected = columns.find((c) => c.row === selectedRow);
  if (selected) {
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 1;
    ctx.strokeRect(selected.x - 1.5, 0.5, 5, height - 1);
  }
}
