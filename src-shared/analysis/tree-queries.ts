/**
 * Questions answered from a computed call tree, in time proportional to its
 * nodes: function costs, the heaviest stack through a node or a function,
 * and the weight of samples whose stack matches a search.
 */

import type { IndexIntoFuncTable } from '../profile/model';
import { childrenOf, type CallTree, type IndexIntoCallTree } from './call-tree';
import type { FunctionCosts } from './function-costs';
import type { FuncStackTable } from './func-stacks';
import { float64Accumulator } from '../profile/accumulators';

/**
 * Self and total per function from a top-down tree, with the definitions of
 * function-costs.ts: total counts a sample once even when the function
 * recurses, so a node's total is added only when no ancestor has the same
 * function. Walking up from each node costs its depth; call stacks are a
 * few dozen deep, and typed arrays make that cheaper than a depth-first
 * walk with a stack of its own.
 */
export function functionCostsOfTree(tree: CallTree, funcCount: number): FunctionCosts {
  const self = float64Accumulator(funcCount);
  const total = float64Accumulator(funcCount);
  const { func, parent } = tree;
  for (let n = 0; n < tree.length; n++) {
    const f = func[n];
    self[f] += tree.self[n];
    let at = parent[n];
    while (at !== -1 && func[at] !== f) at = parent[at];
    if (at === -1) total[f] += tree.total[n];
  }
  return { self, total, grandTotal: tree.grandTotal };
}

/** Root to `node`. */
export function pathToNode(tree: CallTree, node: IndexIntoCallTree): IndexIntoCallTree[] {
  const path: IndexIntoCallTree[] = [];
  for (let at = node; at !== -1; at = tree.parent[at]) path.push(at);
  return path.reverse();
}

/**
 * The hottest child of `node` if more samples go on into it than stop in
 * `node` itself, else -1: where the heaviest stack goes next. (A hot leaf
 * with a rare interrupt below it ends the stack there, as it should.) In an
 * inverted tree every sample goes on to a caller, so the hottest caller.
 */
export function heavierChild(tree: CallTree, node: IndexIntoCallTree): IndexIntoCallTree {
  const children = childrenOf(tree, node);
  const stopping = tree.inverted ? 0 : tree.self[node];
  return children.length > 0 && tree.total[children[0]] > stopping ? children[0] : -1;
}

/**
 * The heaviest stack through `node`, as Instruments' Extended Detail shows
 * it: the path from the root to the node, then down through the heavier
 * child (heavierChild) while there is one.
 */
export function heaviestStackThrough(tree: CallTree, node: IndexIntoCallTree): IndexIntoCallTree[] {
  if (node < 0) return [];
  const path = pathToNode(tree, node);
  for (let at = heavierChild(tree, node); at !== -1; at = heavierChild(tree, at)) path.push(at);
  return path;
}

/** The node of `func` with the largest total (the heaviest place it runs), or -1. */
export function heaviestNodeOfFunc(tree: CallTree, func: IndexIntoFuncTable): IndexIntoCallTree {
  let best = -1;
  for (let n = 0; n < tree.length; n++) {
    if (tree.func[n] === func && tree.total[n] > 0 && (best === -1 || tree.total[n] > tree.total[best])) best = n;
  }
  return best;
}

/**
 * Functions whose name contains the query (case-insensitive), or any of its
 * comma-separated terms ("parse, lex"), as the Firefox Profiler's search
 * takes them; all zero for an empty query.
 */
export function matchFunctions(names: readonly string[], query: string): Uint8Array {
  const out = new Uint8Array(names.length);
  const needles = query
    .split(',')
    .map((term) => term.trim().toLowerCase())
    .filter((term) => term !== '');
  if (needles.length === 0) return out;
  for (let f = 0; f < names.length; f++) {
    const name = names[f].toLowerCase();
    if (needles.some((needle) => name.includes(needle))) out[f] = 1;
  }
  return out;
}

/** Weight of the samples whose stack has at least one matching function: the search's share. */
export function matchedWeight(stacks: FuncStackTable, weights: Float64Array, matches: Uint8Array): number {
  const contains = new Uint8Array(stacks.length);
  let sum = 0;
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    contains[s] = matches[stacks.func[s]] | (prefix === -1 ? 0 : contains[prefix]);
    if (contains[s]) sum += weights[s];
  }
  return sum;
}
