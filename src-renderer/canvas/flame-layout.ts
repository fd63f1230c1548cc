/**
 * The flame graph's layout: which boxes exist, at which call depth, and where
 * they sit horizontally, in [0, 1] units of the drawing's width. Pure and free
 * of the DOM, so the painter, hit testing and tests share one answer.
 *
 * A box is a call-tree node. Its width is its total weight over the weight of
 * the zoom root (or over the whole tree when not zoomed). Children sit left to
 * right inside their parent in the tree's order (hottest first, as
 * speedscope's "left heavy" view), leaving the parent's self weight as the gap
 * on the right. When zoomed, the zoom root's ancestors are kept as full-width
 * context rows below it (as flamegraph.pl does), so the way back stays visible.
 *
 * Boxes are emitted row by row, left to right within a row, so row `d` is the
 * slice rowStart[d] .. rowStart[d + 1] and hit testing is a binary search.
 */

import { childrenOf, type CallTree, type IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import type { IndexIntoFuncTable } from '../../src-shared/profile/model';

/** Where the root row goes: 'root-bottom' is the classic flame graph, 'root-top' an icicle. */
export type FlameOrientation = 'root-bottom' | 'root-top';

export type IndexIntoFlameLayout = number;

export interface FlameLayoutOptions {
  /** The node that fills the full width; -1 for the whole tree. */
  zoomNode: IndexIntoCallTree;
  orientation: FlameOrientation;
  /** Width of the drawing in CSS pixels. */
  viewportWidth: number;
  /** Boxes narrower than this many pixels are left out, and so are their descendants. */
  minBoxWidth: number;
}

export interface FlameLayout {
  length: number;
  node: Int32Array;
  /** Call depth: 0 for the tree's roots. */
  depth: Int32Array;
  /** Left edge and width in [0, 1] of the drawing's width. */
  x: Float64Array;
  width: Float64Array;
  /** Boxes of depth d are rowStart[d] .. rowStart[d + 1]; length is depthCount + 1. */
  rowStart: Int32Array;
  depthCount: number;
  /** Rows with depth < zoomDepth are the zoom root's ancestors, shown for context. */
  zoomDepth: number;
  orientation: FlameOrientation;
}

/** The zoom root's ancestors, root first, not including the zoom root. */
function ancestorsOf(tree: CallTree, node: IndexIntoCallTree): IndexIntoCallTree[] {
  const chain: IndexIntoCallTree[] = [];
  for (let at = node === -1 ? -1 : tree.parent[node]; at !== -1; at = tree.parent[at]) chain.push(at);
  return chain.reverse();
}

export function computeFlameLayout(tree: CallTree, options: FlameLayoutOptions): FlameLayout {
  const { zoomNode, orientation } = options;
  const minWidth = options.viewportWidth > 0 ? options.minBoxWidth / options.viewportWidth : Infinity;
  const ancestors = ancestorsOf(tree, zoomNode);
  const capacity = tree.length + ancestors.length;
  const node = new Int32Array(capacity);
  const depth = new Int32Array(capacity);
  const x = new Float64Array(capacity);
  const width = new Float64Array(capacity);
  const rowStarts: number[] = [];
  let length = 0;

  const push = (n: IndexIntoCallTree, d: number, left: number, w: number) => {
    node[length] = n;
    depth[length] = d;
    x[length] = left;
    width[length] = w;
    length++;
  };

  for (const ancestor of ancestors) {
    rowStarts.push(length);
    push(ancestor, rowStarts.length - 1, 0, 1);
  }
  const zoomDepth = ancestors.length;

  // The first laid-out row: the zoom root alone, or every root side by side.
  const scale = zoomNode === -1 ? tree.grandTotal : tree.total[zoomNode];
  if (scale > 0) {
    rowStarts.push(length);
    if (zoomNode !== -1) {
      if (1 >= minWidth) push(zoomNode, zoomDepth, 0, 1);
    } else {
      let left = 0;
      for (const root of tree.roots) {
        const w = tree.total[root] / scale;
        // Siblings come hottest first, so the first one too narrow ends the row.
        if (w < minWidth) break;
        push(root, zoomDepth, left, w);
        left += w;
      }
    }
  }

  // Breadth first: each row's children, parent by parent, fill the next row.
  let rowBegin = rowStarts.length > zoomDepth ? rowStarts[zoomDepth] : length;
  let rowEnd = length;
  while (rowEnd > rowBegin) {
    const childDepth = depth[rowBegin] + 1;
    rowStarts.push(length);
    for (let parentBox = rowBegin; parentBox < rowEnd; parentBox++) {
      let left = x[parentBox];
      for (const child of childrenOf(tree, node[parentBox])) {
        const w = tree.total[child] / scale;
        if (w < minWidth) break;
        push(child, childDepth, left, w);
        left += w;
      }
    }
    rowBegin = rowEnd;
    rowEnd = length;
  }
  // The loop opened one row too many (the empty one after the deepest).
  if (rowStarts.length > 0 && rowStarts[rowStarts.length - 1] === length) rowStarts.pop();

  const depthCount = rowStarts.length;
  rowStarts.push(length);
  return {
    length,
    node: node.slice(0, length),
    depth: depth.slice(0, length),
    x: x.slice(0, length),
    width: width.slice(0, length),
    rowStart: Int32Array.from(rowStarts),
    depthCount,
    zoomDepth,
    orientation,
  };
}

/** The visual row, counted from the top of the drawing, that shows call depth `depth`. */
export function rowFromTop(layout: FlameLayout, depth: number): number {
  return layout.orientation === 'root-top' ? depth : layout.depthCount - 1 - depth;
}

/** The box at horizontal position `x` (in [0, 1]) on the row of call depth `depth`, or -1. */
export function boxAt(layout: FlameLayout, depth: number, x: number): IndexIntoFlameLayout {
  if (!(depth >= 0 && depth < layout.depthCount)) return -1;
  // The last box in the row whose left edge is at or before x.
  let low = layout.rowStart[depth];
  let high = layout.rowStart[depth + 1] - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (layout.x[mid] <= x) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found === -1 || x >= layout.x[found] + layout.width[found]) return -1;
  return found;
}

/** The functions from the root down to `node`: how the store remembers a zoom across trees. */
export function funcPathOfNode(tree: CallTree, node: IndexIntoCallTree): IndexIntoFuncTable[] {
  const path: IndexIntoFuncTable[] = [];
  for (let at = node; at !== -1; at = tree.parent[at]) path.push(tree.func[at]);
  return path.reverse();
}

/**
 * The node reached by following `path` (functions, root first) down the tree:
 * the deepest node that matches a prefix of the path, -1 when not even the
 * first function is a root. A tree built with other filters may lack the
 * deepest part of an old zoom; the nearest ancestor is the useful answer.
 */
export function nodeOfFuncPath(tree: CallTree, path: readonly IndexIntoFuncTable[]): IndexIntoCallTree {
  let found = -1;
  let candidates: ArrayLike<number> = tree.roots;
  for (const func of path) {
    let next = -1;
    for (let i = 0; i < candidates.length; i++) {
      if (tree.func[candidates[i]] === func) {
        next = candidates[i];
        break;
      }
    }
    if (next === -1) break;
    found = next;
    candidates = childrenOf(tree, next);
  }
  return found;
}
