/**
 * Call stacks over functions instead of frames: the table that transforms
 * rewrite and call trees are built from.
 *
 * The profile's stack table is over frames (a function at an address, with
 * a line), so `main -> parse@0x10` and `main -> parse@0x14` are two stacks.
 * Every view here merges frames of one function, as `perf report --sort
 * symbol` does, so the first step is to fold those into one stack each:
 *
 *   profile stacks (frames)          func stacks
 *   0 main@0x1     prefix -1         0 main   prefix -1
 *   1 parse@0x10   prefix 0    ->    1 parse  prefix 0
 *   2 parse@0x14   prefix 0          (stacks 1 and 2 both map to 1)
 *
 * Like the profile's table, prefix[i] < i always holds, so one forward pass
 * visits callers before callees. Built with FuncStackBuilder the table has
 * no duplicate (prefix, func) pairs; `funcStackViewOf` gives a view without
 * that guarantee, which call trees accept too.
 */

import type { IndexIntoFuncTable, IndexIntoStackTable, Profile } from '../profile/model';
import { PairMap } from '../profile/pair-map';
import { DEFAULT_INLINED, type InlinedFunctions } from './function-costs';
import { float64Accumulator } from '../profile/accumulators';

export type IndexIntoFuncStackTable = number;

export interface FuncStackTable {
  length: number;
  func: Int32Array;
  prefix: Int32Array;
}

/** A func stack table and where each of the profile's stacks went (-1: nowhere, its samples are dropped). */
export interface MappedFuncStacks {
  stacks: FuncStackTable;
  /** Profile stack -> func stack, or -1. */
  fromProfileStack: Int32Array;
}

/** A parent with more children than this finds them through a PairMap instead of walking its list. */
const MAX_WALK = 16;

/**
 * Appends func stacks, reusing an existing one for a (prefix, func) pair
 * already seen. Each parent keeps a list of its children, newest first:
 * call trees are narrow, so a short walk finds a child faster than any hash
 * (folding a million deep stacks: ~270 ms with a Map of packed doubles,
 * ~150 ms with a PairMap, ~60 ms walking). A parent with more than MAX_WALK
 * children (a dispatcher calling hundreds of functions) moves to a PairMap,
 * so no walk is ever long.
 */
export class FuncStackBuilder {
  private func: Int32Array;
  private prefix: Int32Array;
  /** Per parent (prefix + 1, so 0 holds the roots): its newest child, or -1. */
  private firstChild: Int32Array;
  /** Per stack: the next older child of its parent, or -1. */
  private nextSibling: Int32Array;
  /** Per parent (prefix + 1): how many children it has. */
  private childCount: Int32Array;
  /** (prefix, func) -> stack for the children of parents past MAX_WALK. */
  private wide: PairMap | null = null;
  private count = 0;

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.func = new Int32Array(size);
    this.prefix = new Int32Array(size);
    this.nextSibling = new Int32Array(size);
    this.firstChild = new Int32Array(size + 1).fill(-1);
    this.childCount = new Int32Array(size + 1);
  }

  get length(): number {
    return this.count;
  }

  funcOf(stack: IndexIntoFuncStackTable): IndexIntoFuncTable {
    return this.func[stack];
  }

  prefixOf(stack: IndexIntoFuncStackTable): IndexIntoFuncStackTable {
    return this.prefix[stack];
  }

  /** The stack `func` called from `prefix` (-1: a root), added if new. */
  stack(prefix: IndexIntoFuncStackTable, func: IndexIntoFuncTable): IndexIntoFuncStackTable {
    const parent = prefix + 1;
    if (this.childCount[parent] > MAX_WALK) {
      const found = this.wide!.get(prefix, func);
      if (found !== -1) return found;
    } else {
      for (let child = this.firstChild[parent]; child !== -1; child = this.nextSibling[child]) {
        if (this.func[child] === func) return child;
      }
    }
    if (this.count === this.func.length) this.grow();
    const stack = this.count++;
    this.func[stack] = func;
    this.prefix[stack] = prefix;
    this.nextSibling[stack] = this.firstChild[parent];
    this.firstChild[parent] = stack;
    const children = ++this.childCount[parent];
    if (children > MAX_WALK) {
      const wide = (this.wide ??= new PairMap());
      // Crossing the limit: every child so far goes into the map; later ones one by one.
      if (children === MAX_WALK + 1) {
        for (let child = stack; child !== -1; child = this.nextSibling[child]) wide.set(prefix, this.func[child], child);
      } else {
        wide.set(prefix, func, stack);
      }
    }
    return stack;
  }

  finish(): FuncStackTable {
    return { length: this.count, func: this.func.slice(0, this.count), prefix: this.prefix.slice(0, this.count) };
  }

  private grow(): void {
    const size = this.func.length * 2;
    const widen = (old: Int32Array, length: number, fill = 0) => {
      const next = new Int32Array(length);
      if (fill !== 0) next.fill(fill, old.length);
      next.set(old);
      return next;
    };
    this.func = widen(this.func, size);
    this.prefix = widen(this.prefix, size);
    this.nextSibling = widen(this.nextSibling, size);
    this.firstChild = widen(this.firstChild, size + 1, -1);
    this.childCount = widen(this.childCount, size + 1);
  }
}

/**
 * The profile's stacks folded to one stack per distinct function path. With
 * `merged` inlined functions (function-costs.ts), a frame inlined into its
 * caller is no step of its own: its stack is its caller's, which then has
 * its samples as self, as perf report counts them.
 */
export function computeFuncStacks(profile: Profile, inlined: InlinedFunctions = DEFAULT_INLINED): MappedFuncStacks {
  const { stacks, frames } = profile;
  const builder = new FuncStackBuilder(stacks.length);
  const fromProfileStack = new Int32Array(stacks.length);
  const merge = inlined === 'merged';
  for (let s: IndexIntoStackTable = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const frame = stacks.frame[s];
    if (merge && prefix !== -1 && frames.inlineDepth[frame] > 0) fromProfileStack[s] = fromProfileStack[prefix];
    else fromProfileStack[s] = builder.stack(prefix === -1 ? -1 : fromProfileStack[prefix], frames.func[frame]);
  }
  return { stacks: builder.finish(), fromProfileStack };
}

/** The profile's stack table read as func stacks, one per profile stack (duplicates kept). */
export function funcStackViewOf(profile: Profile): FuncStackTable {
  const { stacks, frames } = profile;
  const func = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) func[s] = frames.func[stacks.frame[s]];
  return { length: stacks.length, func, prefix: stacks.prefix };
}

/**
 * Per-stack weights moved through a stack map: out[map[s]] += weights[s];
 * stacks mapped to -1 lose their weight.
 */
export function mapStackWeights(weights: Float64Array, map: Int32Array, length: number): Float64Array {
  const out = float64Accumulator(length);
  for (let s = 0; s < map.length; s++) {
    const to = map[s];
    if (to >= 0 && weights[s] !== 0) out[to] += weights[s];
  }
  return out;
}

/** The functions of a stack, root first. */
export function funcPathOfStack(stacks: FuncStackTable, stack: IndexIntoFuncStackTable): IndexIntoFuncTable[] {
  const path: IndexIntoFuncTable[] = [];
  for (let at = stack; at !== -1; at = stacks.prefix[at]) path.push(stacks.func[at]);
  return path.reverse();
}
