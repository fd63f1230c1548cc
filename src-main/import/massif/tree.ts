/**
 * One snapshot's heap tree, as massif writes it under heap_tree=detailed or
 * heap_tree=peak:
 *
 *   n3: 4258304 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 *    n1: 4194304 0x10928D: peak_site (alloc_sites.c:59)
 *     n0: 4194304 0x1090B1: main (alloc_sites.c:71)
 *    n1: 64000 0x109241: leak_site (alloc_sites.c:50)
 *     n0: 64000 0x1090AC: main (alloc_sites.c:70)
 *    n0: 0 in 1 place, below massif's threshold (1.00%)
 *
 * "nN:" is the node's child count, the number its bytes, one space of
 * indentation per level. The tree is inverted: depth 1 lists the functions
 * that called the allocator, each child is a caller of its parent, so the
 * path from depth 1 down to a node is a call stack, leaf first.
 * "in N places, [all] below massif's threshold" aggregates the callers too
 * small to list.
 *
 * Source: massif/ms_main.c (pp_snapshot_SXPt) in valgrind.
 *
 * The reader checks the child counts and the indentation, and turns the tree
 * into sites: every node contributes its bytes minus its children's (so a
 * leaf contributes all its bytes, and a node cut by --depth what its listed
 * children do not cover), at the stack from depth 1 to that node.
 */

import { detach } from '../text-lines';

export const BELOW_THRESHOLD = "[below massif's threshold]";

/** A node as read: its text is a frame description, or BELOW_THRESHOLD. */
interface OpenNode {
  text: string;
  bytes: number;
  remaining: number;
  childBytes: number;
}

/** An allocation site from a tree: frame texts leaf first (depth 1 first) and its bytes. */
export interface TreeSite {
  path: string[];
  bytes: number;
}

export class TreeFormatError extends Error {
  override name = 'TreeFormatError';
}

const NODE_LINE = /^( *)n(\d+): (\d+)(?: (.*))?$/;
const BELOW = /^in \d+ places?, (?:all )?below massif's threshold/;

export class HeapTreeReader {
  private readonly open: OpenNode[] = [];
  readonly sites: TreeSite[] = [];
  private started = false;
  /** The root's bytes: the heap this tree accounts for. */
  rootBytes = 0;
  /** Nodes whose children add up to more than the node (never in a file massif wrote). */
  overfullNodes = 0;

  /** True once every node the child counts promised has been read. */
  get complete(): boolean {
    return this.started && this.open.every((node) => node.remaining === 0);
  }

  /** Reads one tree line; throws TreeFormatError for a line that breaks the tree's shape. */
  line(text: string): void {
    const match = NODE_LINE.exec(text);
    if (match === null) throw new TreeFormatError('a heap tree line must look like "nN: BYTES description"');
    const depth = match[1].length;
    const children = Number(match[2]);
    const bytes = Number(match[3]);
    if (!Number.isSafeInteger(children) || !Number.isSafeInteger(bytes)) throw new TreeFormatError('a number out of range');
    this.closeFinished();
    if (!this.started) {
      if (depth !== 0) throw new TreeFormatError('the tree does not start at depth 0');
      this.started = true;
      this.rootBytes = bytes;
    } else {
      const parent = this.open[this.open.length - 1];
      if (parent === undefined) throw new TreeFormatError('more nodes than the tree root announced');
      if (depth !== this.open.length) throw new TreeFormatError(`a node at depth ${depth} where depth ${this.open.length} comes next`);
      parent.remaining--;
      parent.childBytes += bytes;
    }
    const description = match[4] ?? '';
    const frameText = depth > 0 && BELOW.test(description) ? BELOW_THRESHOLD : detach(description);
    this.open.push({ text: frameText, bytes, remaining: children, childBytes: 0 });
  }

  /** Call at the end of the tree: closes the last nodes. */
  finish(): void {
    if (!this.complete) throw new TreeFormatError('the tree ends before all the nodes its child counts announce');
    while (this.open.length > 0) this.closeTop();
  }

  private closeFinished(): void {
    while (this.open.length > 0 && this.open[this.open.length - 1].remaining === 0) this.closeTop();
  }

  private closeTop(): void {
    const depth = this.open.length - 1;
    const node = this.open[depth];
    const own = node.bytes - node.childBytes;
    if (own < 0) this.overfullNodes++;
    if (own > 0) {
      // Depth 0 is the allocator itself: bytes not below any listed caller have no stack.
      const path = depth === 0 ? [] : this.open.slice(1).map((n) => n.text);
      this.sites.push({ path, bytes: own });
    }
    this.open.pop();
  }
}
