/**
 * From layout rows to pixels and back. The flame graph scrolls vertically
 * when it is deeper than its viewport; when it is shallower, a classic
 * (root-bottom) graph rests on the floor of the viewport and an icicle
 * hangs from the top. Pure, shared by the painter and hit testing.
 */

import { rowFromTop, type FlameLayout } from './flame-layout';

export interface FlameViewport {
  /** CSS pixels. */
  width: number;
  height: number;
  /** How far the content is scrolled down, in CSS pixels. */
  scrollTop: number;
  rowHeight: number;
}

export function contentHeight(layout: FlameLayout, rowHeight: number): number {
  return layout.depthCount * rowHeight;
}

/** Height of the scrollable area: the content, or the viewport when the content is shorter. */
export function scrollHeight(layout: FlameLayout, viewport: FlameViewport): number {
  return Math.max(viewport.height, contentHeight(layout, viewport.rowHeight));
}

/** Where the first row starts inside the scrollable area. */
function contentTop(layout: FlameLayout, viewport: FlameViewport): number {
  if (layout.orientation === 'root-top') return 0;
  return Math.max(0, viewport.height - contentHeight(layout, viewport.rowHeight));
}

/** The top edge, in viewport pixels, of the row showing call depth `depth`. */
export function yOfDepth(layout: FlameLayout, depth: number, viewport: FlameViewport): number {
  return contentTop(layout, viewport) + rowFromTop(layout, depth) * viewport.rowHeight - viewport.scrollTop;
}

/** The call depth shown at viewport pixel `y`, or -1 for empty space. */
export function depthAtY(layout: FlameLayout, y: number, viewport: FlameViewport): number {
  const row = Math.floor((y + viewport.scrollTop - contentTop(layout, viewport)) / viewport.rowHeight);
  if (row < 0 || row >= layout.depthCount) return -1;
  return layout.orientation === 'root-top' ? row : layout.depthCount - 1 - row;
}
