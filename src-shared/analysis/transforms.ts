/**
 * Transforms: edits of the call stacks that the user stacks up from a call
 * tree row's context menu ("merge this function", "focus on this subtree")
 * and that apply to every view. Modelled on the Firefox Profiler's
 * transforms (src/profile-logic/transforms.js), written for our func stacks.
 *
 * Each transform is a pure function of a func stack table (func-stacks.ts):
 * it returns a new table and a map from every old stack to its new stack,
 * or -1 when samples on that stack are dropped. Maps compose, so a whole
 * list of transforms becomes one map from the profile's stacks; per-stack
 * weights (time range, threads) then move through it in one pass. That is
 * why a range change never re-runs transforms.
 *
 * What each does to a sample's stack (root first):
 *
 *   focus-function F       keep from the first (outermost) F down:
 *                          main;a;F;b -> F;b. Samples without F are dropped.
 *   focus-subtree P        keep samples whose stack starts with the path P
 *                          and make P's last function the root:
 *                          P = main;a: main;a;b -> a;b; main;c is dropped.
 *     (inverted)           P is a path of the inverted tree, leaf first:
 *                          keep samples whose stack ends with reverse(P)
 *                          and cut it after P's last function, which
 *                          becomes the leaf: P = [lex, parse]:
 *                          main;parse;lex -> main;parse.
 *   merge-function F       remove F, its time goes to its caller:
 *                          main;F;b -> main;b, main;F -> main.
 *                          A sample whose only function was F is dropped.
 *   merge-library L        merge-function for every function of library L.
 *   collapse-recursion F   keep only the outermost F of a recursion, even
 *                          through other functions: main;F;a;F;b -> main;F;b.
 *   collapse-direct-recursion F
 *                          fold only F calling F directly: F;F;F;a -> F;a.
 *   drop-function F        drop every sample whose stack contains F.
 */

import type { FuncTable, IndexIntoFuncTable, IndexIntoStringTable, Profile } from '../profile/model';
import { computeFuncStacks, FuncStackBuilder, type FuncStackTable, type MappedFuncStacks } from './func-stacks';
import { DEFAULT_INLINED, type InlinedFunctions } from './function-costs';

export type Transform =
  | { type: 'focus-function'; func: IndexIntoFuncTable }
  | { type: 'focus-subtree'; path: readonly IndexIntoFuncTable[]; inverted: boolean }
  | { type: 'merge-function'; func: IndexIntoFuncTable }
  | { type: 'merge-library'; library: IndexIntoStringTable }
  | { type: 'collapse-recursion'; func: IndexIntoFuncTable }
  | { type: 'collapse-direct-recursion'; func: IndexIntoFuncTable }
  | { type: 'drop-function'; func: IndexIntoFuncTable };

export type TransformType = Transform['type'];

export interface TransformResult {
  stacks: FuncStackTable;
  /** Old stack -> new stack, or -1 when the old stack's samples are dropped. */
  map: Int32Array;
}

/**
 * While a pass runs, a stack may map to "empty": every function on it was
 * removed (merged, or above a focus not reached yet). Its samples are
 * dropped but its callees carry on as roots. "Dropped" takes callees along.
 */
const EMPTY = -1;
const DROPPED = -2;

export function applyTransform(funcs: FuncTable, stacks: FuncStackTable, transform: Transform): TransformResult {
  switch (transform.type) {
    case 'focus-function':
      return focusFunction(stacks, transform.func);
    case 'focus-subtree':
      return transform.inverted ? focusInvertedSubtree(stacks, transform.path) : focusSubtree(stacks, transform.path);
    case 'merge-function':
      return mergeFunctions(stacks, (func) => func === transform.func);
    case 'merge-library':
      return mergeFunctions(stacks, (func) => funcs.library[func] === transform.library);
    case 'collapse-recursion':
      return collapseRecursion(stacks, transform.func);
    case 'collapse-direct-recursion':
      return collapseDirectRecursion(stacks, transform.func);
    case 'drop-function':
      return dropFunction(stacks, transform.func);
  }
}

/** The profile's stacks with every transform applied in order, and where each profile stack went. */
export function applyTransforms(profile: Profile, transforms: readonly Transform[], inlined: InlinedFunctions = DEFAULT_INLINED): MappedFuncStacks {
  let { stacks, fromProfileStack } = computeFuncStacks(profile, inlined);
  for (const transform of transforms) {
    const result = applyTransform(profile.funcs, stacks, transform);
    const composed = new Int32Array(fromProfileStack.length);
    for (let s = 0; s < composed.length; s++) {
      const at = fromProfileStack[s];
      composed[s] = at < 0 ? -1 : result.map[at];
    }
    stacks = result.stacks;
    fromProfileStack = composed;
  }
  return { stacks, fromProfileStack };
}

/** Negative markers (EMPTY, DROPPED) all mean "no stack" to the outside. */
function finish(builder: FuncStackBuilder, newOf: Int32Array): TransformResult {
  for (let s = 0; s < newOf.length; s++) if (newOf[s] < 0) newOf[s] = -1;
  return { stacks: builder.finish(), map: newOf };
}

function focusFunction(stacks: FuncStackTable, focus: IndexIntoFuncTable): TransformResult {
  const builder = new FuncStackBuilder(stacks.length);
  const newOf = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const parent = prefix === -1 ? EMPTY : newOf[prefix];
    const func = stacks.func[s];
    if (parent >= 0) newOf[s] = builder.stack(parent, func);
    else newOf[s] = func === focus ? builder.stack(-1, func) : EMPTY;
  }
  return finish(builder, newOf);
}

function focusSubtree(stacks: FuncStackTable, path: readonly IndexIntoFuncTable[]): TransformResult {
  const builder = new FuncStackBuilder(stacks.length);
  const newOf = new Int32Array(stacks.length);
  // For a stack still matching the path (newOf EMPTY): how many of its functions matched.
  const matched = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const func = stacks.func[s];
    const parent = prefix === -1 ? EMPTY : newOf[prefix];
    if (parent === DROPPED) {
      newOf[s] = DROPPED;
    } else if (parent >= 0) {
      newOf[s] = builder.stack(parent, func);
    } else {
      const depth = prefix === -1 ? 0 : matched[prefix];
      if (depth >= path.length || func !== path[depth]) {
        newOf[s] = path.length === 0 ? builder.stack(-1, func) : DROPPED;
      } else if (depth + 1 === path.length) {
        newOf[s] = builder.stack(-1, func);
      } else {
        newOf[s] = EMPTY;
        matched[s] = depth + 1;
      }
    }
  }
  return finish(builder, newOf);
}

/**
 * The table keeps its shape: a kept sample moves to one of its own
 * ancestors, which is already a stack. Stacks left without samples stay in
 * the table; call trees skip stacks of zero weight.
 */
function focusInvertedSubtree(stacks: FuncStackTable, path: readonly IndexIntoFuncTable[]): TransformResult {
  const map = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    let at = s;
    let i = 0;
    for (; i < path.length && at !== -1; i++) {
      if (stacks.func[at] !== path[i]) break;
      if (i < path.length - 1) at = stacks.prefix[at];
    }
    map[s] = i === path.length ? at : -1;
  }
  return { stacks: copyTable(stacks), map };
}

function mergeFunctions(stacks: FuncStackTable, merged: (func: IndexIntoFuncTable) => boolean): TransformResult {
  const builder = new FuncStackBuilder(stacks.length);
  const newOf = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const parent = prefix === -1 ? EMPTY : newOf[prefix];
    const func = stacks.func[s];
    newOf[s] = merged(func) ? parent : builder.stack(parent === EMPTY ? -1 : parent, func);
  }
  return finish(builder, newOf);
}

function collapseRecursion(stacks: FuncStackTable, recursive: IndexIntoFuncTable): TransformResult {
  const builder = new FuncStackBuilder(stacks.length);
  const newOf = new Int32Array(stacks.length);
  // Per new stack: the new stack of the outermost `recursive` on its path, or -1.
  const outermost: number[] = [];
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const parent = prefix === -1 ? -1 : newOf[prefix];
    const func = stacks.func[s];
    const outer = parent === -1 ? -1 : outermost[parent];
    if (func === recursive && outer !== -1) {
      newOf[s] = outer;
    } else {
      const stack = builder.stack(parent, func);
      outermost[stack] = outer !== -1 ? outer : func === recursive ? stack : -1;
      newOf[s] = stack;
    }
  }
  return finish(builder, newOf);
}

function collapseDirectRecursion(stacks: FuncStackTable, recursive: IndexIntoFuncTable): TransformResult {
  const builder = new FuncStackBuilder(stacks.length);
  const newOf = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    const parent = prefix === -1 ? -1 : newOf[prefix];
    const func = stacks.func[s];
    newOf[s] = func === recursive && parent !== -1 && builder.funcOf(parent) === func ? parent : builder.stack(parent, func);
  }
  return finish(builder, newOf);
}

/** Same table; stacks containing the function lose their samples. */
function dropFunction(stacks: FuncStackTable, dropped: IndexIntoFuncTable): TransformResult {
  const map = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const prefix = stacks.prefix[s];
    map[s] = stacks.func[s] === dropped || (prefix !== -1 && map[prefix] === -1) ? -1 : s;
  }
  return { stacks: copyTable(stacks), map };
}

function copyTable(stacks: FuncStackTable): FuncStackTable {
  return { length: stacks.length, func: stacks.func.slice(), prefix: stacks.prefix.slice() };
}

/**
 * Where a call path (functions from the root, as the call tree selects and
 * expands nodes) lands after a transform, so that the selection and the
 * open rows survive adding one. [] when the path no longer exists.
 */
export function transformFuncPath(
  funcs: FuncTable,
  path: readonly IndexIntoFuncTable[],
  transform: Transform,
): IndexIntoFuncTable[] {
  switch (transform.type) {
    case 'focus-function': {
      const at = path.indexOf(transform.func);
      return at === -1 ? [] : path.slice(at);
    }
    case 'focus-subtree': {
      if (transform.inverted) return [...path];
      const prefix = transform.path;
      const starts = prefix.length <= path.length && prefix.every((func, i) => path[i] === func);
      return starts ? path.slice(prefix.length - 1) : [];
    }
    case 'merge-function':
      return path.filter((func) => func !== transform.func);
    case 'merge-library':
      return path.filter((func) => funcs.library[func] !== transform.library);
    case 'collapse-recursion': {
      const first = path.indexOf(transform.func);
      return first === -1 ? [...path] : [...path.slice(0, first), ...path.slice(path.lastIndexOf(transform.func))];
    }
    case 'collapse-direct-recursion':
      return path.filter((func, i) => !(func === transform.func && path[i - 1] === func));
    case 'drop-function':
      return path.includes(transform.func) ? [] : [...path];
  }
}

const verbs: Record<TransformType, string> = {
  'focus-function': 'Focus',
  'focus-subtree': 'Focus subtree',
  'merge-function': 'Merge',
  'merge-library': 'Merge library',
  'collapse-recursion': 'Collapse recursion',
  'collapse-direct-recursion': 'Collapse direct recursion',
  'drop-function': 'Drop',
};

/** A short label for a transform's chip: "Merge: parse", "Merge library: libc.so.6". */
export function describeTransform(transform: Transform, funcName: (func: IndexIntoFuncTable) => string, strings: readonly string[]): string {
  const verb = verbs[transform.type];
  switch (transform.type) {
    case 'merge-library':
      return `${verb}: ${baseName(strings[transform.library] ?? '?')}`;
    case 'focus-subtree': {
      const last = transform.path[transform.path.length - 1];
      return `${transform.inverted ? 'Focus callers' : verb}: ${last === undefined ? '(root)' : funcName(last)}`;
    }
    default:
      return `${verb}: ${funcName(transform.func)}`;
  }
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

/** Two transforms are the same edit (so adding one twice does nothing). */
export function sameTransform(a: Transform, b: Transform): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
