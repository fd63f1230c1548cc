/**
 * Call trees of a deduplicated func stack table (func-stacks.ts: no two
 * stacks share a (prefix, func) pair, as FuncStackBuilder and every
 * transform guarantee), built without hashing. The same trees as
 * computeCallTreeOfStacks / computeInvertedCallTreeOfStacks in call-tree.ts,
 * which accept any table, but fast enough for a range drag over a million
 * samples (hundreds of thousands of stacks):
 *
 * - Top-down: in a deduplicated table every stack already is a call path,
 *   so the tree's nodes are the stacks with any weight, in table order.
 * - Inverted: samples are partitioned level by level. The roots group the
 *   weighted stacks by leaf function; each node's children group its
 *   stacks by the function one step further towards the root. A counting
 *   sort per node does the grouping, so the work is the summed depth of the
 *   weighted stacks, in flat arrays. An inverted tree has many more nodes
 *   than stacks (every distinct caller chain of every leaf), most of them
 *   tiny, so it is built lazily: the children of a node lighter than
 *   `minShare` of the total are left out (and the node marked `truncated`)
 *   unless the node is open in the view (`open`, path keys from the leaf).
 *
 * - Top-down, per range: the tree's shape (parents, child lists) depends
 *   only on the table, so a CallTreeSkeleton is built once per table and
 *   each range only adds up weights on it. Child lists are then sorted when
 *   first read (CallTree.childrenSorted): the flame graph and the call tree
 *   read a few hundred nodes of hundreds of thousands.
 *
 * All give nodes with parents first and children hottest first (ties by
 * node index), like call-tree.ts.
 */

import type { CallTree } from './call-tree';
import type { FunctionCosts } from './function-costs';
import type { FuncStackTable } from './func-stacks';
import { float64Accumulator, int32Accumulator } from '../profile/accumulators';

/** Child lists from parent pointers (parents precede children), each list and the roots hottest first. */
function linkChildren(parent: Int32Array, total: Float64Array): { childStart: Int32Array; childList: Int32Array; roots: Int32Array } {
  const length = parent.length;
  const childStart = int32Accumulator(length + 1);
  let rootCount = 0;
  for (let n = 0; n < length; n++) {
    if (parent[n] === -1) rootCount++;
    else childStart[parent[n] + 1]++;
  }
  for (let n = 0; n < length; n++) childStart[n + 1] += childStart[n];
  const fill = childStart.slice(0, length);
  const childList = new Int32Array(childStart[length]);
  const roots = new Int32Array(rootCount);
  let r = 0;
  for (let n = 0; n < length; n++) {
    if (parent[n] === -1) roots[r++] = n;
    else childList[fill[parent[n]]++] = n;
  }
  const hotterFirst = (a: number, b: number) => total[b] - total[a] || a - b;
  for (let n = 0; n < length; n++) {
    const start = childStart[n];
    const end = childStart[n + 1];
    if (end - start > 16) {
      childList.subarray(start, end).sort(hotterFirst);
    } else {
      // Most nodes have a handful of children: an insertion sort in place allocates nothing.
      for (let i = start + 1; i < end; i++) {
        const child = childList[i];
        let j = i - 1;
        while (j >= start && hotterFirst(childList[j], child) > 0) {
          childList[j + 1] = childList[j];
          j--;
        }
        childList[j + 1] = child;
      }
    }
  }
  roots.sort(hotterFirst);
  return { childStart, childList, roots };
}

export function callTreeOfUniqueStacks(stacks: FuncStackTable, weights: Float64Array): CallTree {
  const count = stacks.length;
  const stackTotal = Float64Array.from(weights.subarray(0, count));
  for (let s = count - 1; s >= 0; s--) {
    const prefix = stacks.prefix[s];
    if (prefix !== -1) stackTotal[prefix] += stackTotal[s];
  }
  const nodeOf = new Int32Array(count);
  let length = 0;
  for (let s = 0; s < count; s++) nodeOf[s] = stackTotal[s] > 0 ? length++ : -1;
  const func = new Int32Array(length);
  const parent = new Int32Array(length);
  const depth = new Int32Array(length);
  const self = new Float64Array(length);
  const total = new Float64Array(length);
  for (let s = 0; s < count; s++) {
    const n = nodeOf[s];
    if (n === -1) continue;
    const prefix = stacks.prefix[s];
    const p = prefix === -1 ? -1 : nodeOf[prefix];
    func[n] = stacks.func[s];
    parent[n] = p;
    depth[n] = p === -1 ? 0 : depth[p] + 1;
    self[n] = weights[s];
    total[n] = stackTotal[s];
  }
  const links = linkChildren(parent, total);
  let grandTotal = 0;
  for (const root of links.roots) grandTotal += total[root];
  return { length, func, parent, depth, self, total, ...links, grandTotal, inverted: false };
}

/** Growable columns of the inverted tree's nodes. */
class InvertedNodes {
  length = 0;
  func = new Int32Array(1024);
  parent = new Int32Array(1024);
  depth = new Int32Array(1024);
  self = new Float64Array(1024);
  total = new Float64Array(1024);
  /** The node's samples: items[itemStart[n] .. itemEnd[n]). */
  itemStart = new Int32Array(1024);
  itemEnd = new Int32Array(1024);

  add(func: number, parent: number, depth: number, start: number, end: number): number {
    if (this.length === this.func.length) this.grow();
    const n = this.length++;
    this.func[n] = func;
    this.parent[n] = parent;
    this.depth[n] = depth;
    this.itemStart[n] = start;
    this.itemEnd[n] = end;
    return n;
  }

  private grow(): void {
    const size = this.func.length * 2;
    const grow32 = (old: Int32Array) => {
      const next = new Int32Array(size);
      next.set(old);
      return next;
    };
    const grow64 = (old: Float64Array) => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.func = grow32(this.func);
    this.parent = grow32(this.parent);
    this.depth = grow32(this.depth);
    this.itemStart = grow32(this.itemStart);
    this.itemEnd = grow32(this.itemEnd);
    this.self = grow64(this.self);
    this.total = grow64(this.total);
  }
}

export interface LazyTreeOptions {
  /** Nodes at least this share of the total always get their children. */
  minShare: number;
  /** Path keys ("leaf,caller,...") of nodes whose children are wanted whatever their weight. */
  open: ReadonlySet<string> | null;
}

/** invertedTreeOfUniqueStacks's items (a cursor and a weight each) and working arrays. */
interface InvertedWork {
  stackFunc: Int32Array;
  cursor: Int32Array;
  weight: Float64Array;
  spareCursor: Int32Array;
  spareWeight: Float64Array;
  bucketStart: Int32Array;
  bucketCount: Int32Array;
  touched: number[];
  nodes: InvertedNodes;
}

/**
 * Groups items [start, end) by the function their cursor points at (via
 * the spare arrays, then copied back) and adds one node per group. A
 * function of the module, not a closure made per tree, and each of its
 * loops a function of its own: the JIT optimized the whole while its first
 * long loop ran, before the later loops had ever run, and the optimized
 * code then bailed out at those loops again and again (hundreds of times
 * in a views bench run; range changes of the inverted tree took up to 109
 * ms where 50 is usual).
 */
function groupItems(work: InvertedWork, start: number, end: number, parent: number, depth: number): void {
  if (end - start === 1) {
    // One sample path: the common case deep in the tree, no sorting needed.
    const { nodes, cursor, weight } = work;
    const n = nodes.add(work.stackFunc[cursor[start]], parent, depth, start, end);
    nodes.total[n] = weight[start];
    if (parent === -1) nodes.self[n] = weight[start];
    return;
  }
  countByFunction(work, start, end);
  sortByFunction(work, start, end);
  addGroupNodes(work, start, parent, depth);
}

/** work.touched: the functions of items [start, end) in order of first appearance; bucketCount: items per function. */
function countByFunction(work: InvertedWork, start: number, end: number): void {
  const { stackFunc, cursor, bucketCount, touched } = work;
  touched.length = 0;
  for (let i = start; i < end; i++) {
    const f = stackFunc[cursor[i]];
    if (bucketCount[f]++ === 0) touched.push(f);
  }
}

/** Items [start, end) reordered so each function's are together, in work.touched's order (a counting sort). */
function sortByFunction(work: InvertedWork, start: number, end: number): void {
  const { bucketStart, bucketCount, touched } = work;
  let at = start;
  for (let k = 0; k < touched.length; k++) {
    const f = touched[k];
    bucketStart[f] = at;
    at += bucketCount[f];
  }
  scatterByFunction(work, start, end);
  work.cursor.set(work.spareCursor.subarray(start, end), start);
  work.weight.set(work.spareWeight.subarray(start, end), start);
}

/**
 * Each item of [start, end) to its function's next place in the spare
 * arrays. The loop alone in its function: code the JIT compiles while a
 * long loop runs is kept for that loop, and anything after the loop in it
 * ran on the feedback of that moment, bailing out on each later call.
 */
function scatterByFunction(work: InvertedWork, start: number, end: number): void {
  const { stackFunc, cursor, weight, spareCursor, spareWeight, bucketStart } = work;
  for (let i = start; i < end; i++) {
    const to = bucketStart[stackFunc[cursor[i]]]++;
    spareCursor[to] = cursor[i];
    spareWeight[to] = weight[i];
  }
}

/** A node per function of work.touched, over its items (from `start` on, in sortByFunction's order); resets bucketCount. */
function addGroupNodes(work: InvertedWork, start: number, parent: number, depth: number): void {
  const { weight, bucketCount, touched, nodes } = work;
  let at = start;
  for (let k = 0; k < touched.length; k++) {
    const f = touched[k];
    const count = bucketCount[f];
    const n = nodes.add(f, parent, depth, at, at + count);
    let sum = 0;
    for (let i = at; i < at + count; i++) sum += weight[i];
    nodes.total[n] = sum;
    if (parent === -1) nodes.self[n] = sum;
    at += count;
    bucketCount[f] = 0;
  }
}

export function invertedTreeOfUniqueStacks(
  stacks: FuncStackTable,
  weights: Float64Array,
  funcCount: number,
  lazy: LazyTreeOptions = { minShare: 0, open: null },
): CallTree {
  // Items: the weighted stacks, each with a cursor that walks from the leaf towards the root.
  const { cursor, weight } = weightedItems(stacks.length, weights);
  const itemCount = cursor.length;
  const work: InvertedWork = {
    stackFunc: stacks.func,
    cursor,
    weight,
    spareCursor: new Int32Array(itemCount),
    spareWeight: new Float64Array(itemCount),
    bucketStart: new Int32Array(funcCount),
    bucketCount: int32Accumulator(funcCount),
    touched: [],
    nodes: new InvertedNodes(),
  };
  groupItems(work, 0, itemCount, -1, 0);
  const truncated = growInvertedTree(work, stacks.prefix, lazy, sumOf(weight) * lazy.minShare);
  const { nodes } = work;
  const length = nodes.length;
  const parent = nodes.parent.slice(0, length);
  const total = nodes.total.slice(0, length);
  const links = linkChildren(parent, total);
  let grandTotal = 0;
  for (const root of links.roots) grandTotal += total[root];
  return {
    length,
    func: nodes.func.slice(0, length),
    parent,
    depth: nodes.depth.slice(0, length),
    self: nodes.self.slice(0, length),
    total,
    ...links,
    grandTotal,
    inverted: true,
    truncated: truncatedFlags(length, truncated),
  };
}

/*
 * invertedTreeOfUniqueStacks's loops, each in a function of its own: V8
 * compiles a long loop while it runs, and code after it in the same
 * function then lacks feedback and bails out; in one function, the tree
 * was compiled six times over sixty range changes (docs/architecture.md).
 */

/** The stacks with weight, as items: their indexes (the cursors) and weights. */
function weightedItems(stackCount: number, weights: Float64Array): { cursor: Int32Array; weight: Float64Array } {
  let itemCount = 0;
  for (let s = 0; s < stackCount; s++) if (weights[s] > 0) itemCount++;
  const cursor = new Int32Array(itemCount);
  const weight = new Float64Array(itemCount);
  for (let s = 0, i = 0; s < stackCount; s++) {
    if (weights[s] > 0) {
      cursor[i] = s;
      weight[i++] = weights[s];
    }
  }
  return { cursor, weight };
}

function sumOf(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

/**
 * Breadth first from the roots groupItems made: nodes are appended while
 * the loop runs, parents always before children. A node lighter than
 * `minTotal` and not open keeps no children; returns those of them that had
 * callers to show (the truncated ones).
 */
function growInvertedTree(work: InvertedWork, prefix: Int32Array, lazy: LazyTreeOptions, minTotal: number): number[] {
  const { nodes, cursor } = work;
  const keys: string[] = [];
  const truncated: number[] = [];
  for (let n = 0; n < nodes.length; n++) {
    const start = nodes.itemStart[n];
    const end = nodes.itemEnd[n];
    if (lazy.open !== null || minTotal > 0) {
      const parent = nodes.parent[n];
      keys[n] = parent === -1 ? String(nodes.func[n]) : `${keys[parent]},${nodes.func[n]}`;
      if (nodes.total[n] < minTotal && !(lazy.open?.has(keys[n]) ?? false)) {
        if (anyHasCaller(cursor, prefix, start, end)) truncated.push(n);
        continue;
      }
    }
    const kept = stepToCallers(work, prefix, start, end);
    if (kept > start) groupItems(work, start, kept, n, nodes.depth[n] + 1);
  }
  return truncated;
}

function anyHasCaller(cursor: Int32Array, prefix: Int32Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (prefix[cursor[i]] !== -1) return true;
  return false;
}

/** Steps items [start, end) one caller up, dropping those that reached the root; returns the new end. */
function stepToCallers(work: InvertedWork, prefix: Int32Array, start: number, end: number): number {
  const { cursor, weight } = work;
  let kept = start;
  for (let i = start; i < end; i++) {
    const up = prefix[cursor[i]];
    if (up === -1) continue;
    cursor[kept] = up;
    weight[kept++] = weight[i];
  }
  return kept;
}

function truncatedFlags(length: number, nodes: number[]): Uint8Array | undefined {
  if (nodes.length === 0) return undefined;
  const flags = new Uint8Array(length);
  for (const n of nodes) flags[n] = 1;
  return flags;
}

/** The shape of the top-down tree of a deduplicated table: node n is stack n. */
export interface CallTreeSkeleton {
  length: number;
  func: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  childStart: Int32Array;
  childList: Int32Array;
  roots: Int32Array;
  /** 1 when an ancestor of the node has the same function (its total is already counted there). */
  recursive: Uint8Array;
}

export function callTreeSkeleton(stacks: FuncStackTable): CallTreeSkeleton {
  const length = stacks.length;
  const parent = stacks.prefix.slice(0, length);
  const depth = new Int32Array(length);
  const recursive = new Uint8Array(length);
  const childStart = int32Accumulator(length + 1);
  let rootCount = 0;
  for (let n = 0; n < length; n++) {
    const p = parent[n];
    if (p === -1) {
      rootCount++;
      continue;
    }
    depth[n] = depth[p] + 1;
    childStart[p + 1]++;
    const f = stacks.func[n];
    let at = p;
    while (at !== -1 && stacks.func[at] !== f) at = parent[at];
    recursive[n] = at === -1 ? 0 : 1;
  }
  for (let n = 0; n < length; n++) childStart[n + 1] += childStart[n];
  const fill = childStart.slice(0, length);
  const childList = new Int32Array(childStart[length]);
  const roots = new Int32Array(rootCount);
  for (let n = 0, r = 0; n < length; n++) {
    if (parent[n] === -1) roots[r++] = n;
    else childList[fill[parent[n]]++] = n;
  }
  return { length, func: stacks.func.slice(0, length), parent, depth, childStart, childList, roots, recursive };
}

/**
 * The top-down tree for per-stack `weights` on a skeleton: totals in one
 * backward pass, the shape copied (the result travels to the window and
 * the skeleton stays), children sorted on first use.
 */
export function callTreeOnSkeleton(skeleton: CallTreeSkeleton, weights: Float64Array): CallTree {
  const { length } = skeleton;
  const self = Float64Array.from(weights.subarray(0, length));
  const total = subtreeTotals(skeleton.parent, self);
  const roots = skeleton.roots.filter((root) => total[root] > 0).sort((a, b) => total[b] - total[a] || a - b);
  let grandTotal = 0;
  for (const root of roots) grandTotal += total[root];
  return {
    length,
    func: skeleton.func.slice(),
    parent: skeleton.parent.slice(),
    depth: skeleton.depth.slice(),
    self,
    total,
    childStart: skeleton.childStart.slice(),
    childList: skeleton.childList.slice(),
    roots,
    grandTotal,
    inverted: false,
    childrenSorted: new Uint8Array(length),
  };
}

/**
 * Each node's own weight plus its descendants', in one backward pass
 * (parents precede children). Like the loop below, alone in its function
 * so that V8's on-stack compilation of it leaves no code after it without
 * feedback (docs/architecture.md).
 */
function subtreeTotals(parent: Int32Array, self: Float64Array): Float64Array {
  const total = self.slice();
  for (let n = total.length - 1; n >= 0; n--) if (parent[n] !== -1) total[parent[n]] += total[n];
  return total;
}

/** Function costs of a tree built on `skeleton` (see functionCostsOfTree), in one pass thanks to the recursion flags. */
export function functionCostsOnSkeleton(skeleton: CallTreeSkeleton, tree: CallTree, funcCount: number): FunctionCosts {
  const self = float64Accumulator(funcCount);
  const total = float64Accumulator(funcCount);
  addFunctionCosts(skeleton.func, skeleton.recursive, tree.self, tree.total, self, total);
  return { self, total, grandTotal: tree.grandTotal };
}

function addFunctionCosts(func: Int32Array, recursive: Uint8Array, nodeSelf: Float64Array, nodeTotal: Float64Array, self: Float64Array, total: Float64Array): void {
  for (let n = 0; n < nodeTotal.length; n++) {
    if (nodeTotal[n] === 0) continue;
    const f = func[n];
    self[f] += nodeSelf[n];
    if (recursive[n] === 0) total[f] += nodeTotal[n];
  }
}
