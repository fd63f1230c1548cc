/**
 * The functions of one unit and what was inlined into them: a tree of
 * DW_TAG_subprogram and DW_TAG_inlined_subroutine DIEs with their address
 * ranges and call sites, built in one pass over the unit's DIEs the first
 * time an address in the unit is asked about.
 *
 * The pass only records DIEs with code; types, variables, parameters and
 * abstract instances are stepped over (through DW_AT_sibling when the
 * producer wrote it). Lexical blocks are transparent: an inlined call inside
 * a block belongs to the enclosing function. Names are not read here: the
 * tree keeps each DIE's offset, and names are looked up for the few frames
 * that are printed.
 *
 * For an address, `chain` answers the innermost inlined call first, then
 * each function it was inlined into, up to the out-of-line function: the
 * frames `addr2line -i` prints.
 */

import { type ByteReader, DwarfError } from './reader';
import { RangeIndex } from './ranges';
import { DieRecord, NONE, Tag, type Unit } from './unit';

export const ScopeKind = { Subprogram: 0, Inlined: 1 } as const;

/** Deeper nesting than this is corrupt input, not code. */
const MAX_DEPTH = 4096;
/** Above this many children, a node gets its own sorted index. */
const LINEAR_CHILDREN = 8;

export class ScopeTree {
  /** The DIE each node is named after: its DW_AT_abstract_origin when it has no name of its own, else itself. */
  readonly die: number[] = [];
  readonly kind: number[] = [];
  readonly parent: number[] = [];
  readonly callFile: number[] = [];
  readonly callLine: number[] = [];
  private readonly rangeStart: number[] = [];
  private readonly rangeEnd: number[] = [];
  private readonly ranges: number[] = [];
  private readonly firstChild: number[] = [];
  private readonly lastChild: number[] = [];
  private readonly nextSibling: number[] = [];
  private readonly childCount: number[] = [];
  private readonly childIndex = new Map<number, RangeIndex>();
  private roots = RangeIndex.empty;

  get size(): number {
    return this.die.length;
  }

  /**
   * Node indexes for `address`, innermost first, ending with the out-of-line
   * function; empty when no function of the unit holds it.
   */
  chain(address: number, out: number[]): void {
    out.length = 0;
    let node = this.roots.find(address);
    if (node < 0) return;
    for (let guard = 0; guard < MAX_DEPTH; guard++) {
      const child = this.findChild(node, address);
      if (child < 0) break;
      node = child;
    }
    for (let n = node; n >= 0; n = this.parent[n]) {
      out.push(n);
      if (this.kind[n] === ScopeKind.Subprogram) break;
    }
  }

  /** Pairs [low, high) of node `n`. */
  nodeRanges(n: number): number[] {
    return this.ranges.slice(this.rangeStart[n], this.rangeEnd[n]);
  }

  /** The length of node `n`'s range holding `address`, or Infinity when none does. */
  private containingLength(n: number, address: number): number {
    const r = this.ranges;
    for (let i = this.rangeStart[n]; i < this.rangeEnd[n]; i += 2) if (address >= r[i] && address < r[i + 1]) return r[i + 1] - r[i];
    return Infinity;
  }

  private findChild(n: number, address: number): number {
    const count = this.childCount[n];
    if (count === 0) return -1;
    if (count <= LINEAR_CHILDREN) {
      // The same choice as the index below: the shortest range holding the address, the later DIE on a tie.
      let best = -1;
      let bestLength = Infinity;
      for (let c = this.firstChild[n]; c >= 0; c = this.nextSibling[c]) {
        const length = this.containingLength(c, address);
        if (length !== Infinity && length <= bestLength) {
          best = c;
          bestLength = length;
        }
      }
      return best;
    }
    let index = this.childIndex.get(n);
    if (!index) {
      index = this.indexOf(this.childrenOf(n));
      this.childIndex.set(n, index);
    }
    return index.find(address);
  }

  private childrenOf(n: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild[n]; c >= 0; c = this.nextSibling[c]) out.push(c);
    return out;
  }

  private indexOf(nodes: number[]): RangeIndex {
    const bounds: number[] = [];
    const ids: number[] = [];
    for (const n of nodes) {
      for (let i = this.rangeStart[n]; i < this.rangeEnd[n]; i += 2) {
        bounds.push(this.ranges[i], this.ranges[i + 1]);
        ids.push(n);
      }
    }
    return RangeIndex.build(bounds, ids, 'smallest');
  }

  private addNode(die: DieRecord, kind: number, parent: number, rangeStart: number): number {
    const n = this.die.length;
    // Inlined copies take their name from the abstract instance: naming them
    // by the origin lets every copy share one name lookup. A DIE with a name
    // of its own (gcc gives out-of-line copies of unified constructors their
    // C1/C2 linkage name) is named by itself.
    const ownName = die.name !== NONE || die.linkageName !== NONE;
    this.die.push(die.abstractOrigin >= 0 && !ownName ? die.abstractOrigin : die.offset);
    this.kind.push(kind);
    this.parent.push(parent);
    this.callFile.push(die.callFile);
    this.callLine.push(die.callLine);
    this.rangeStart.push(rangeStart);
    this.rangeEnd.push(this.ranges.length);
    this.firstChild.push(-1);
    this.lastChild.push(-1);
    this.nextSibling.push(-1);
    this.childCount.push(0);
    if (parent >= 0) {
      if (this.lastChild[parent] < 0) this.firstChild[parent] = n;
      else this.nextSibling[this.lastChild[parent]] = n;
      this.lastChild[parent] = n;
      this.childCount[parent]++;
    }
    return n;
  }

  /**
   * Builds the tree of `unit`. `isCode` filters out ranges that start outside
   * the executable sections (code the linker dropped keeps address 0).
   */
  static parse(unit: Unit, isCode: (address: number) => boolean): ScopeTree {
    const tree = new ScopeTree();
    const r = unit.reader();
    const die = new DieRecord();
    if (!unit.readDie(r, die) || !die.hasChildren) return tree;
    // The function node that children at each open nesting level belong to.
    const parents: number[] = [-1];
    const ranges = tree.ranges;
    while (parents.length > 0 && r.pos < unit.end) {
      const offset = r.pos;
      const code = r.uleb();
      if (code === 0) {
        parents.pop();
        continue;
      }
      const abbrev = unit.abbrevs.get(code);
      const tag = abbrev.tag;
      // Most DIEs are types, variables, parameters and call sites: step over
      // them without decoding anything unless their children must be skipped too.
      if (!isScope(tag) && !abbrev.hasChildren) {
        unit.skipAttributes(r, abbrev);
        continue;
      }
      die.offset = offset;
      unit.readAttributes(r, abbrev, die);
      const parent = parents[parents.length - 1];
      if (tag === Tag.subprogram || tag === Tag.inlined_subroutine || tag === Tag.entry_point) {
        const start = ranges.length;
        if (!die.declaration && unit.dieRanges(die, ranges)) keepCode(ranges, start, isCode);
        if (ranges.length > start) {
          const kind = tag === Tag.inlined_subroutine ? ScopeKind.Inlined : ScopeKind.Subprogram;
          const node = tree.addNode(die, kind, parent, start);
          if (die.hasChildren) parents.push(node);
        } else if (die.hasChildren) {
          skipChildren(unit, r, die);
        }
      } else if (isTransparent(tag)) {
        if (die.hasChildren) parents.push(parent);
      } else if (die.hasChildren) {
        skipChildren(unit, r, die);
      }
      if (parents.length > MAX_DEPTH) throw new DwarfError(`unit at ${unit.offset}: DIEs nest deeper than ${MAX_DEPTH}`);
    }
    const rootBounds: number[] = [];
    const rootIds: number[] = [];
    for (let n = 0; n < tree.size; n++) {
      if (tree.parent[n] >= 0) continue;
      for (let i = tree.rangeStart[n]; i < tree.rangeEnd[n]; i += 2) {
        rootBounds.push(ranges[i], ranges[i + 1]);
        rootIds.push(n);
      }
    }
    tree.roots = RangeIndex.build(rootBounds, rootIds, 'smallest');
    return tree;
  }
}

/** DIEs the tree records or looks inside. */
function isScope(tag: number): boolean {
  return tag === Tag.subprogram || tag === Tag.inlined_subroutine || tag === Tag.entry_point || isTransparent(tag);
}

/** Scopes whose children may hold functions or inlined calls. */
function isTransparent(tag: number): boolean {
  switch (tag) {
    case Tag.lexical_block:
    case Tag.try_block:
    case Tag.catch_block:
    case Tag.namespace:
    case Tag.module:
    case Tag.class_type:
    case Tag.structure_type:
    case Tag.union_type:
      return true;
    default:
      return false;
  }
}

/** Removes, in place, the pairs from `start` on whose low end is not code. */
function keepCode(ranges: number[], start: number, isCode: (address: number) => boolean): void {
  let w = start;
  for (let i = start; i < ranges.length; i += 2) {
    if (!isCode(ranges[i])) continue;
    ranges[w++] = ranges[i];
    ranges[w++] = ranges[i + 1];
  }
  ranges.length = w;
}

/** Moves the reader past the children of `die`: by DW_AT_sibling when it is sane, else DIE by DIE. */
function skipChildren(unit: Unit, r: ByteReader, die: DieRecord): void {
  if (die.sibling !== NONE && die.sibling >= r.pos && die.sibling <= unit.end) {
    r.seek(die.sibling);
    return;
  }
  let depth = 1;
  while (depth > 0) {
    if (r.pos >= unit.end) return;
    const hasChildren = unit.skipDie(r);
    if (hasChildren === null) depth--;
    else if (hasChildren) depth++;
    if (depth > MAX_DEPTH) throw new DwarfError(`unit at ${unit.offset}: DIEs nest deeper than ${MAX_DEPTH}`);
  }
}

