/**
 * A horizontal time axis: the visible window of a profile's clock mapped to
 * pixels, how zoom and pan move that window, and where the ruler's ticks go.
 * Pure, shared by the timeline and the stack chart, tested in Node.
 */

import type { TimeRange } from '../../src-shared/analysis/analyzer';

/** The smallest window one can zoom to: 10 µs. Closer than that shows nothing new for sampled data. */
export const MIN_SPAN = 10_000;

export function timeAtX(view: TimeRange, width: number, x: number): number {
  return view.start + ((view.end - view.start) * x) / Math.max(1, width);
}

export function xAtTime(view: TimeRange, width: number, time: number): number {
  return ((time - view.start) / (view.end - view.start)) * width;
}

/** `view` moved (not resized) to lie inside `bounds` as far as it can. */
function clampInto(view: TimeRange, bounds: TimeRange): TimeRange {
  const span = Math.min(view.end - view.start, bounds.end - bounds.start);
  let start = Math.max(bounds.start, Math.min(view.start, bounds.end - span));
  if (!Number.isFinite(start)) start = bounds.start;
  return { start, end: start + span };
}

/**
 * Zoom by `factor` (<1 zooms in) keeping the time at `anchor` where it is,
 * as map applications do under the pointer.
 */
export function zoomAround(view: TimeRange, anchor: number, factor: number, bounds: TimeRange): TimeRange {
  const span = view.end - view.start;
  const newSpan = Math.min(bounds.end - bounds.start, Math.max(MIN_SPAN, span * factor));
  const share = span > 0 ? (anchor - view.start) / span : 0.5;
  const start = anchor - share * newSpan;
  return clampInto({ start, end: start + newSpan }, bounds);
}

export function panBy(view: TimeRange, delta: number, bounds: TimeRange): TimeRange {
  return clampInto({ start: view.start + delta, end: view.end + delta }, bounds);
}

export function isWholeRange(view: TimeRange, bounds: TimeRange): boolean {
  return view.start <= bounds.start && view.end >= bounds.end;
}

export interface Tick {
  time: number;
  x: number;
  label: string;
}

const STEPS = [1, 2, 5];

/** The smallest 1/2/5 × 10^k nanoseconds step that leaves `minSpacing` pixels between ticks. */
export function tickStep(span: number, width: number, minSpacing: number): number {
  const wanted = (span * minSpacing) / Math.max(1, width);
  let power = 10 ** Math.floor(Math.log10(Math.max(1, wanted)));
  for (;;) {
    for (const step of STEPS) if (step * power >= wanted) return step * power;
    power *= 10;
  }
}

/**
 * A duration in the largest unit that needs at most one decimal at this
 * step, and only the decimals the step needs: with a 2 ms step "12 ms",
 * with 0.5 ms "12.5 ms", with 1 s "3 s", with 50 µs "1250 µs".
 */
export function formatDuration(ns: number, step: number): string {
  const units: [number, string][] = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
    [1, 'ns'],
  ];
  const [size, suffix] = units.find(([size]) => step > size / 10) ?? units[units.length - 1];
  const decimals = Math.min(3, Math.max(0, Math.ceil(-Math.log10(step / size) - 1e-9)));
  const value = ns / size;
  // Deep in a long recording a fine step gives "2032647 µs": group the digits of such long numbers.
  if (Math.abs(value) >= 10_000) return `${value.toLocaleString('en', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })} ${suffix}`;
  return `${value.toFixed(decimals)} ${suffix}`;
}

/** Ticks of the ruler for the visible window; labels count from `origin` (the profile's start). */
export function rulerTicks(view: TimeRange, width: number, origin: number, minSpacing = 90): Tick[] {
  const span = view.end - view.start;
  if (!(span > 0) || width <= 0) return [];
  const step = tickStep(span, width, minSpacing);
  const first = Math.ceil((view.start - origin) / step) * step + origin;
  const ticks: Tick[] = [];
  for (let time = first; time <= view.end; time += step) {
    ticks.push({ time, x: xAtTime(view, width, time), label: formatDuration(time - origin, step) });
  }
  return ticks;
}
