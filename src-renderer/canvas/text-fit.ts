/**
 * Fitting a label into a box: the longest prefix of the text that fits, with
 * an ellipsis. The measuring function is passed in, so this runs (and is
 * tested) without a canvas.
 */

export const ELLIPSIS = '…';

export type MeasureText = (text: string) => number;

/**
 * `text` if it fits in `maxWidth`, else its longest prefix plus an ellipsis
 * that fits, else '' (a lone ellipsis tells the reader nothing).
 */
export function fitText(text: string, maxWidth: number, measure: MeasureText): string {
  if (maxWidth <= 0 || text === '') return '';
  if (measure(text) <= maxWidth) return text;
  // Binary search over the prefix length: widths grow with length.
  let low = 1;
  let high = text.length - 1;
  let best = '';
  while (low <= high) {
    const mid = (low + high) >> 1;
    const candidate = text.slice(0, mid) + ELLIPSIS;
    if (measure(candidate) <= maxWidth) {
      best = candidate;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** A measurer that remembers widths: function names repeat across boxes and frames. */
export function cachedMeasure(measure: MeasureText, limit = 20_000): MeasureText {
  const widths = new Map<string, number>();
  return (text) => {
    let width = widths.get(text);
    if (width === undefined) {
      width = measure(text);
      if (widths.size >= limit) widths.clear();
      widths.set(text, width);
    }
    return width;
  };
}
