/**
 * Call trees over functions (frames of the same function merge into one node,
 * as `perf report` merges by symbol).
 *
 * Top-down: a node is a call path from the root; self = weight of samples
 * ending exactly there, total = self + totals of its children.
 * Inverted (bottom-up): roots are leaf functions; a node is a path from the
 * leaf towards main. A root's self and total both equal the leaf function's
 * self; deeper nodes have self 0 and total = weight of the samples whose
 * stack passes that way.
 *
 * Nodes are numbered so that a parent always precedes its children, and
 * children are listed hottest first.
 */

import type { IndexIntoFuncTable, Profile } from '../profile/model';
import { funcStackViewOf, type FuncStackTable } from './func-stacks';
import { int32Accumulator } from '../profile/accumulators';

export type IndexIntoCallTree = number;

export interface CallTree {
  length: number;
  func: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  self: Float64Array;
  total: Float64Array;
  /** Children of node n are childList[childStart[n] .. childStart[n+1]). */
  childStart: Int32Array;
  childList: Int32Array;
  /** Nodes with no parent, hottest first. */
  roots: Int32Array;
  /** Sum of root totals: the 100% for percentages. */
  grandTotal: number;
  inverted: boolean;
  /**
   * Per node, 1 when it has children that were not computed (a lazily built
   * tree leaves out the children of light, closed nodes); absent when every
   * node's children are there.
   */
  truncated?: Uint8Array;
  /**
   * Present when child lists are sorted on first use (func-stack-trees.ts):
   * 1 once node n's list is in order. childrenOf does the sorting, so read
   * children only through it. Such a tree may also hold nodes of total 0,
   * which childrenOf leaves out.
   */
  childrenSorted?: Uint8Array;
}

const PAIR_SCALE = 2 ** 26;

class NodeCollector {
  readonly func: number[] = [];
  readonly parent: number[] = [];
  readonly depth: number[] = [];
  readonly self: number[] = [];
  readonly total: number[] = [];
  private readonly index = new Map<number, number>();

  node(parent: IndexIntoCallTree, func: IndexIntoFuncTable): IndexIntoCallTree {
    const key = (parent + 1) * PAIR_SCALE + func;
    let node = this.index.get(key);
    if (node === undefined) {
      node = this.func.length;
      this.func.push(func);
      this.parent.push(parent);
      this.depth.push(parent === -1 ? 0 : this.depth[parent] + 1);
      this.self.push(0);
      this.total.push(0);
      this.index.set(key, node);
    }
    return node;
  }

  finish(inverted: boolean): CallTree {
    const length = this.func.length;
    const total = Float64Array.from(this.total);
    const parent = Int32Array.from(this.parent);
    const childCount = int32Accumulator(length + 1);
    const roots: number[] = [];
    for (let n = 0; n < length; n++) {
      if (total[n] === 0) continue;
      if (parent[n] === -1) roots.push(n);
      else childCount[parent[n]]++;
    }
    const childStart = new Int32Array(length + 1);
    for (let n = 0; n < length; n++) childStart[n + 1] = childStart[n] + childCount[n];
    const fill = childStart.slice(0, length);
    const childList = new Int32Array(childStart[length]);
    for (let n = 0; n < length; n++) {
      if (total[n] === 0 || parent[n] === -1) continue;
      childList[fill[parent[n]]++] = n;
    }
    const hotterFirst = (a: number, b: number) => total[b] - total[a] || a - b;
    for (let n = 0; n < length; n++) {
      const start = childStart[n];
      const end = childStart[n + 1];
      if (end - start > 1) childList.subarray(start, end).sort(hotterFirst);
    }
    roots.sort(hotterFirst);
    let grandTotal = 0;
    for (const root of roots) grandTotal += total[root];
    return {
      length,
      func: Int32Array.from(this.func),
      parent,
      depth: Int32Array.from(this.depth),
      self: Float64Array.from(this.self),
      total,
      childStart,
      childList,
      roots: Int32Array.from(roots),
      grandTotal,
      inverted,
    };
  }
}

export function computeCallTree(profile: Profile, stackWeights: Float64Array): CallTree {
  return computeCallTreeOfStacks(funcStackViewOf(profile), stackWeights);
}

export function computeInvertedCallTree(profile: Profile, stackWeights: Float64Array): CallTree {
  return computeInvertedCallTreeOfStacks(funcStackViewOf(profile), stackWeights);
}

/** The top-down tree of func stacks (see func-stacks.ts), e.g. after transforms; weights are per stack. */
export function computeCallTreeOfStacks(stacks: FuncStackTable, stackWeights: Float64Array): CallTree {
  const nodes = new NodeCollector();
  const nodeOfStack = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const parentNode = prefix === -1 ? -1 : nodeOfStack[prefix];
    const node = nodes.node(parentNode, stacks.func[s]);
    nodeOfStack[s] = node;
    nodes.self[node] += stackWeights[s];
  }
  // Parents precede children, so one backward pass accumulates totals.
  for (let n = nodes.func.length - 1; n >= 0; n--) {
    nodes.total[n] += nodes.self[n];
    const parent = nodes.parent[n];
    if (parent !== -1) nodes.total[parent] += nodes.total[n];
  }
  return nodes.finish(false);
}

export function computeInvertedCallTreeOfStacks(stacks: FuncStackTable, stackWeights: Float64Array): CallTree {
  const nodes = new NodeCollector();
  for (let s = 0; s < stacks.length; s++) {
    const weight = stackWeights[s];
    if (weight === 0) continue;
    let node = -1;
    for (let at = s; at !== -1; at = stacks.prefix[at]) {
      node = nodes.node(node, stacks.func[at]);
      nodes.total[node] += weight;
      if (at === s) nodes.self[node] += weight;
    }
  }
  return nodes.finish(true);
}

/** The children of `node` with any weight, hottest first (ties: lower node first). */
export function childrenOf(tree: CallTree, node: IndexIntoCallTree): Int32Array {
  const all = tree.childList.subarray(tree.childStart[node], tree.childStart[node + 1]);
  const sorted = tree.childrenSorted;
  if (sorted === undefined) return all;
  const { total } = tree;
  if (sorted[node] === 0) {
    if (all.length > 1) all.sort((a, b) => total[b] - total[a] || a - b);
    sorted[node] = 1;
  }
  // Hottest first, so the weightless ones are at the end.
  let end = all.length;
  while (end > 0 && total[all[end - 1]] === 0) end--;
  return end === all.length ? all : all.subarray(0, end);
}
