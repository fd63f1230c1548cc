/**
 * A counter track (heap bytes, RSS over time) as an SVG step path. Pure, so
 * it needs no DOM. Counters hold the value from one point until the next,
 * so the line steps rather than slopes. A long series (heaptrack writes one
 * point per allocation) is reduced to each pixel column's first, lowest,
 * highest and last value, so spikes survive and the path stays small.
 */

export interface CounterSeries {
  time: ArrayLike<number>;
  value: ArrayLike<number>;
}

export interface CounterGraph {
  /** SVG path data in a width x height box, y down. */
  path: string;
  /**
   * The filled area under `path`, closed straight down from the first point:
   * nothing was recorded before it, so no slope from the box's corner.
   */
  area: string;
  max: number;
  start: number;
  end: number;
}

/** The earliest and latest finite times of several series: a shared axis for tracks drawn one above another. */
export function seriesBounds(series: readonly CounterSeries[]): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.time.length; i++) {
      const t = s.time[i];
      if (!Number.isFinite(t)) continue;
      if (t < start) start = t;
      if (t > end) end = t;
    }
  }
  return Number.isFinite(start) ? { start, end } : null;
}

/** `axis`: the time span the width shows (default: the series' own first to last time). */
export function counterGraph(series: CounterSeries, width: number, height: number, axis?: { start: number; end: number }): CounterGraph | null {
  const n = Math.min(series.time.length, series.value.length);
  if (n === 0 || width <= 0 || height <= 0) return null;
  let start = Infinity;
  let end = -Infinity;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = series.time[i];
    if (!Number.isFinite(t) || !Number.isFinite(series.value[i])) continue;
    start = Math.min(start, t);
    end = Math.max(end, t);
    max = Math.max(max, series.value[i]);
  }
  if (!Number.isFinite(start)) return null;
  if (axis !== undefined) {
    start = axis.start;
    end = axis.end;
  }
  const span = end > start ? end - start : 1;
  const x = (t: number) => ((t - start) / span) * width;
  // A one-pixel margin keeps the peak's line inside the box.
  const y = (v: number) => height - 1 - (max > 0 ? (v / max) * (height - 2) : 0);
  const parts: string[] = [];
  let column = -1;
  let lo = 0;
  let hi = 0;
  let last = 0;
  let firstX = 0;
  const flush = () => {
    if (column < 0) return;
    // Within one pixel column: down to the lowest, up to the highest, then the last value.
    parts.push(`V${y(lo).toFixed(1)}V${y(hi).toFixed(1)}V${y(last).toFixed(1)}`);
  };
  for (let i = 0; i < n; i++) {
    const t = series.time[i];
    const v = series.value[i];
    if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
    const px = Math.floor(x(t));
    if (px !== column) {
      flush();
      if (column < 0) firstX = x(t);
      parts.push(column < 0 ? `M${x(t).toFixed(1)} ${y(v).toFixed(1)}` : `H${x(t).toFixed(1)}`);
      column = px;
      lo = hi = v;
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    last = v;
  }
  flush();
  parts.push(`H${width}`);
  const path = parts.join('');
  return { path, area: `${path}V${height}H${firstX.toFixed(1)}Z`, max, start, end };
}
