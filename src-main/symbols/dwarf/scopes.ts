/**
 * The functions of one unit and what was inlined into them: a tree of
 * DW_TAG_subprogram and DW_TAG_inlined_subroutine DIEs with their address
 * ranges and call sites, built the first time an address in the unit is
 * asked about.
 *
 * The first pass records the unit's functions and steps over their bodies
 * (through DW_AT_sibling when the producer wrote it); a function's body, the
 * tree of what was inlined into it, is read the first time an address in
 * that function is asked about. Most of a unit's DIEs are in function
 * bodies (inlined calls, their parameters, variables and call sites), and a
 * recording samples a few functions of each unit it touches.
 *
 * Only DIEs with code are recorded; types, variables, parameters and
 * abstract instances are stepped over. Lexical blocks are transparent: an
 * inlined call inside a block belongs to the enclosing function. Names are
 * not read here: the tree keeps each DIE's offset, and names are looked up
 * for the few frames that are printed.
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
  /** Per node: where its body's DIEs start while they are unread, else -1. */
  private readonly bodyAt: number[] = [];
  private readonly childIndex = new Map<number, RangeIndex>();
  private roots = RangeIndex.empty;

  private constructor(
    private readonly unit: Unit,
    private readonly isCode: (address: number) => boolean,
  ) {}

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
    this.readBody(node);
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

  /** Reads function `n`'s body into the tree, if it is still unread. */
  private readBody(n: number): void {
    const at = this.bodyAt[n];
    if (at < 0) return;
    this.bodyAt[n] = -1;
    const r = this.unit.reader();
    r.seek(at);
    this.readScopes(r, n, false);
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
    this.bodyAt.push(-1);
    if (parent >= 0) {
      if (this.lastChild[parent] < 0) this.firstChild[parent] = n;
      else this.nextSibling[this.lastChild[parent]] = n;
      this.lastChild[parent] = n;
      this.childCount[parent]++;
    }
    return n;
  }

  /**
   * The tree of `unit`, with its functions' bodies still unread. `isCode`
   * filters out ranges that start outside the executable sections (code the
   * linker dropped keeps address 0).
   */
  static parse(unit: Unit, isCode: (address: number) => boolean): ScopeTree {
    const tree = new ScopeTree(unit, isCode);
    const r = unit.reader();
    const die = new DieRecord();
    if (!unit.readDie(r, die) || !die.hasChildren) return tree;
    tree.readScopes(r, -1, true);
    const ranges = tree.ranges;
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

  /**
   * Reads the DIEs from `r` up to the end of `top`'s children (the unit's
   * top level for -1), adding the functions and inlined calls among them.
   * With `deferBodies`, a function's children are stepped over and read by
   * readBody() when an address in it is asked about.
   */
  private readScopes(r: ByteReader, top: number, deferBodies: boolean): void {
    const unit = this.unit;
    const die = new DieRecord();
    // The function node that children at each open nesting level belong to.
    const parents: number[] = [top];
    const ranges = this.ranges;
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
      // A function without code (a member function's declaration in its class, an abstract instance of
      // an inline function) holds none inside either: C++ units have hundreds of thousands of them.
      if (isFunction(tag) && !abbrev.mayHaveCode) {
        unit.skipAttributes(r, abbrev);
        if (abbrev.hasChildren) skipChildDies(unit, r);
        continue;
      }
      if (isTransparent(tag)) {
        unit.skipAttributes(r, abbrev);
        if (abbrev.hasChildren) parents.push(parents[parents.length - 1]);
        if (parents.length > MAX_DEPTH) throw new DwarfError(`unit at ${unit.offset}: DIEs nest deeper than ${MAX_DEPTH}`);
        continue;
      }
      die.offset = offset;
      unit.readAttributes(r, abbrev, die);
      const parent = parents[parents.length - 1];
      if (isFunction(tag)) {
        const start = ranges.length;
        if (!die.declaration && unit.dieRanges(die, ranges)) keepCode(ranges, start, this.isCode);
        if (ranges.length > start) {
          const kind = tag === Tag.inlined_subroutine ? ScopeKind.Inlined : ScopeKind.Subprogram;
          const node = this.addNode(die, kind, parent, start);
          if (!die.hasChildren) continue;
          if (deferBodies && kind === ScopeKind.Subprogram) {
            this.bodyAt[node] = r.pos;
            skipChildren(unit, r, die);
          } else {
            parents.push(node);
          }
        } else if (die.hasChildren) {
          skipChildren(unit, r, die);
        }
      } else if (die.hasChildren) {
        skipChildren(unit, r, die);
      }
      if (parents.length > MAX_DEPTH) throw new DwarfError(`unit at ${unit.offset}: DIEs nest deeper than ${MAX_DEPTH}`);
    }
  }
}

/** DIEs the tree records or looks inside. */
function isScope(tag: number): boolean {
  return isFunction(tag) || isTransparent(tag);
}

/** DIEs that may be functions or inlined calls with code. */
function isFunction(tag: number): boolean {
  return tag === Tag.subprogram || tag === Tag.inlined_subroutine || tag === Tag.entry_point;
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
  skipChildDies(unit, r);
}

/** Moves the reader past the children of the DIE just read, DIE by DIE. */
function skipChildDies(unit: Unit, r: ByteReader): void {
  let depth = 1;
  while (depth > 0) {
    if (r.pos >= unit.end) return;
    const hasChildren = unit.skipDie(r);
    if (hasChildren === null) depth--;
    else if (hasChildren) depth++;
    if (depth > MAX_DEPTH) throw new DwarfError(`unit at ${unit.offset}: DIEs nest deeper than ${MAX_DEPTH}`);
  }
}

