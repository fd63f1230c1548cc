/**
 * The call tree as the list of rows on screen: roots, and the children of
 * every open row, depth first, hottest first. Pure, so the view only draws
 * the slice that is scrolled into sight.
 */

import { childrenOf, type CallTree, type IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import { heavierChild } from '../../src-shared/analysis/tree-queries';
import type { IndexIntoFuncTable } from '../../src-shared/profile/model';

export interface CallTreeRows {
  length: number;
  node: Int32Array;
  depth: Int32Array;
  /** Path key of each row (functions from the tree's root, comma-separated). */
  key: string[];
}

export function flattenCallTree(tree: CallTree, expanded: ReadonlySet<string>): CallTreeRows {
  const node: number[] = [];
  const depth: number[] = [];
  const key: string[] = [];
  // An explicit stack (children pushed in reverse) keeps deep trees off the call stack.
  const pending: { node: IndexIntoCallTree; depth: number; key: string }[] = [];
  for (let r = tree.roots.length - 1; r >= 0; r--) {
    const root = tree.roots[r];
    pending.push({ node: root, depth: 0, key: String(tree.func[root]) });
  }
  while (pending.length > 0) {
    const row = pending.pop()!;
    node.push(row.node);
    depth.push(row.depth);
    key.push(row.key);
    if (!expanded.has(row.key)) continue;
    const children = childrenOf(tree, row.node);
    for (let c = children.length - 1; c >= 0; c--) {
      const child = children[c];
      if (tree.total[child] === 0) continue;
      pending.push({ node: child, depth: row.depth + 1, key: `${row.key},${tree.func[child]}` });
    }
  }
  return { length: node.length, node: Int32Array.from(node), depth: Int32Array.from(depth), key };
}

/** The functions on the way to `node`, from the tree's root. */
export function funcPathOf(tree: CallTree, node: IndexIntoCallTree): IndexIntoFuncTable[] {
  const path: IndexIntoFuncTable[] = [];
  for (let at = node; at !== -1; at = tree.parent[at]) path.push(tree.func[at]);
  return path.reverse();
}

/**
 * Keys to open so that the heaviest stack below `node` shows (the same
 * path as the heaviest-stack panel): Instruments' "expand heaviest".
 */
export function hottestPathKeys(tree: CallTree, node: IndexIntoCallTree): string[] {
  const keys: string[] = [];
  let key = funcPathOf(tree, node).join(',');
  for (let at = heavierChild(tree, node); at !== -1; at = heavierChild(tree, at)) {
    keys.push(key);
    key = `${key},${tree.func[at]}`;
  }
  return keys;
}
