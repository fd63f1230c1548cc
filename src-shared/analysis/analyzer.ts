/**
 * Everything the analysis views show, for one profile and one selection:
 * the call tree (top-down, and inverted when asked), function costs, the
 * search's share, the sandwich of a function and the time-ordered stack
 * chart of a thread. The analysis worker runs this; the window runs it in
 * place when workers are unavailable. It is a pure function of (profile,
 * request); the class only remembers intermediate tables between requests:
 *
 *   transforms -> transformed func stacks, and which profile stacks they
 *                 keep                        (kept per transform list)
 *
 * so moving the range reads the samples in it once, straight into weights
 * of the transformed stacks, and builds the trees from those.
 */

import { computeHottestLines } from './function-lines';
import type { IndexIntoFuncTable, IndexIntoStringTable, IndexIntoThreadTable, Nanoseconds, Profile } from '../profile/model';
import { stringAt } from '../profile/model';
import { allocationStackWeights, type AllocationMetric } from './allocation-sites';
import type { CallTree } from './call-tree';
import {
  callTreeOfUniqueStacks,
  callTreeOnSkeleton,
  callTreeSkeleton,
  functionCostsOnSkeleton,
  invertedTreeOfUniqueStacks,
  type CallTreeSkeleton,
} from './func-stack-trees';
import { DEFAULT_INLINED, type FunctionCosts, type InlinedFunctions } from './function-costs';
import { mapStackWeights, type FuncStackTable, type MappedFuncStacks } from './func-stacks';
import { computeStackChart, computeStackDepths, type StackChart } from './stack-chart';
import { computeThreadSamples, estimateSampleInterval, lowerBound, type ThreadSamples } from './threads';
import { applyTransform, applyTransforms, type Transform } from './transforms';
import { matchedWeight, matchFunctions } from './tree-queries';
import { computeFileLineCosts, computeInstructionCosts, type FileLineCosts, type InstructionCosts } from './source-costs';
import { float64Accumulator } from '../profile/accumulators';

export interface TimeRange {
  /** Inclusive start and exclusive end, in the profile's clock. */
  start: Nanoseconds;
  end: Nanoseconds;
}

export interface AnalysisRequest {
  /** null: the whole profile. */
  range: TimeRange | null;
  /** Threads to include; null: all. */
  threads: readonly IndexIntoThreadTable[] | null;
  transforms: readonly Transform[];
  /** Whose cost an inlined function's samples are (function-costs.ts); absent: `merged`, as perf report counts them. */
  inlined?: InlinedFunctions;
  /** Substring of function names to highlight; '' for none. */
  search: string;
  /** Whether the inverted (bottom-up) tree is wanted too. */
  inverted: boolean;
  /** Path keys of the inverted tree's open rows: their children are computed however light (see func-stack-trees.ts). */
  invertedOpen?: readonly string[];
  /** The function whose callers and callees are wanted; -1 for none. */
  sandwichFunc: IndexIntoFuncTable;
  /** The thread whose stack chart is wanted; -1 for none. */
  stackChartThread: IndexIntoThreadTable;
  /**
   * Memory profiles: weigh stacks by this allocation-site column instead of
   * the samples (whose weight is total bytes). Absent: the samples.
   */
  metric?: AllocationMetric;
  /** The source pane's file (a string index): its lines' costs are wanted. Absent or -1: none. */
  sourceFile?: IndexIntoStringTable;
  /** The assembly view's function: its instructions' costs are wanted. Absent or -1: none. */
  asmFunc?: IndexIntoFuncTable;
}

export interface Sandwich {
  func: IndexIntoFuncTable;
  /** Inverted: the function at the root, its callers below it. */
  callers: CallTree;
  /** Top-down: the function at the root, what it calls below it. */
  callees: CallTree;
}

export interface AnalysisResult {
  tree: CallTree;
  invertedTree: CallTree | null;
  funcCosts: FunctionCosts;
  /** Weight of the samples with a function matching the search. */
  searchWeight: number;
  sandwich: Sandwich | null;
  stackChart: StackChart | null;
  /** Per profile stack: 1 when the transforms keep its samples (the timeline greys the others). */
  keptStacks: Uint8Array;
  /** Per function, its hottest source line over the whole recording, or -1 (function-lines.ts). */
  funcLines: Int32Array;
  /**
   * True when funcLines is a stand-in (all -1) because they were deferred
   * (AnalyzeOptions.deferFuncLines); `Analyzer.funcLines()` gives the real ones.
   */
  funcLinesPending?: boolean;
  /** Costs of the lines of `request.sourceFile` over the selection (source-costs.ts), or null. */
  sourceLines: FileLineCosts | null;
  /** Costs of the addresses of `request.asmFunc` over the selection, or null. */
  asmCosts: InstructionCosts | null;
}

export interface AnalyzeOptions {
  /**
   * Leave the hottest lines out (a stand-in, funcLinesPending) when they are
   * not computed yet: they cost a walk of every stack to its root (~0.2 s on
   * a million deep samples) and the first flame graph does not need them.
   * The worker sends them right after its first answer.
   */
  deferFuncLines?: boolean;
}

const TRANSFORM_CACHE_SIZE = 4;

/** Transformed stacks and what is computed from them once: kept profile stacks, stack depths, the tree's shape. */
type Transformed = MappedFuncStacks & { kept?: Uint8Array; depth?: Int32Array; skeleton?: CallTreeSkeleton };
/** Inverted-tree nodes under 0.2 % of the selection get their callers only when opened. */
const INVERTED_MIN_SHARE = 0.002;

export class Analyzer {
  private readonly transformed = new Map<string, Transformed>();
  private threadSamples: ThreadSamples[] | null = null;
  private interval = NaN;
  private names: string[] | null = null;
  private hottestLines: Int32Array | null = null;

  constructor(readonly profile: Profile) {}

  analyze(request: AnalysisRequest, options: AnalyzeOptions = {}): AnalysisResult {
    const { profile } = this;
    const transformed = this.transformedStacks(request.transforms, request.inlined ?? DEFAULT_INLINED);
    const { stacks } = transformed;
    const weights = this.selectedWeights(request, transformed.fromProfileStack, stacks.length);
    transformed.skeleton ??= callTreeSkeleton(stacks);
    const tree = callTreeOnSkeleton(transformed.skeleton, weights);
    const funcCosts = functionCostsOnSkeleton(transformed.skeleton, tree, profile.funcs.length);
    const search = request.search.trim();
    const searchWeight = search === '' ? 0 : matchedWeight(stacks, weights, matchFunctions(this.funcNames(), search));
    transformed.kept ??= keptOf(transformed.fromProfileStack);
    // A copy: the result's buffers are transferred away, the cache keeps its own.
    const keptStacks = transformed.kept.slice();
    const deferLines = options.deferFuncLines === true && this.hottestLines === null;
    return {
      tree,
      invertedTree: request.inverted
        ? invertedTreeOfUniqueStacks(stacks, weights, profile.funcs.length, {
            minShare: INVERTED_MIN_SHARE,
            open: new Set(request.invertedOpen ?? []),
          })
        : null,
      funcCosts,
      searchWeight,
      sandwich: request.sandwichFunc >= 0 ? this.sandwich(stacks, weights, request.sandwichFunc) : null,
      stackChart: request.stackChartThread >= 0 ? this.stackChart(request, transformed) : null,
      keptStacks,
      // Computed once per profile; a copy because the result's buffers are transferred away.
      funcLines: deferLines ? new Int32Array(profile.funcs.length).fill(-1) : this.funcLines(),
      ...(deferLines ? { funcLinesPending: true } : {}),
      ...this.sourceCosts(request, transformed),
    };
  }

  /** Per function, its hottest line over the whole recording (computed once; a copy, for transferring). */
  funcLines(): Int32Array {
    return (this.hottestLines ??= computeHottestLines(this.profile)).slice();
  }

  /**
   * Lines and instructions need frames, which the transformed func stacks no
   * longer have: they are computed over the profile's own stacks, weighted by
   * the range, threads and metric, with the stacks the transforms drop zeroed
   * and merged functions skipped (source-costs.ts).
   */
  private sourceCosts(request: AnalysisRequest, transformed: MappedFuncStacks): Pick<AnalysisResult, 'sourceLines' | 'asmCosts'> {
    const file = request.sourceFile ?? -1;
    const func = request.asmFunc ?? -1;
    if (file < 0 && func < 0) return { sourceLines: null, asmCosts: null };
    const { profile } = this;
    const weights = this.selectedWeights(request, null, profile.stacks.length);
    const kept = transformed.fromProfileStack;
    for (let s = 0; s < weights.length; s++) if (kept[s] < 0) weights[s] = 0;
    let merged: Uint8Array | null = null;
    for (const transform of request.transforms) {
      if (transform.type !== 'merge-function' && transform.type !== 'merge-library') continue;
      merged ??= new Uint8Array(profile.funcs.length);
      for (let f = 0; f < profile.funcs.length; f++) {
        if (transform.type === 'merge-function' ? f === transform.func : profile.funcs.library[f] === transform.library) merged[f] = 1;
      }
    }
    return {
      sourceLines: file >= 0 ? computeFileLineCosts(profile, weights, file, merged) : null,
      asmCosts: func >= 0 ? computeInstructionCosts(profile, weights, func) : null,
    };
  }

  private transformedStacks(transforms: readonly Transform[], inlined: InlinedFunctions): Transformed {
    const key = `${inlined} ${JSON.stringify(transforms)}`;
    let entry = this.transformed.get(key);
    if (entry === undefined) {
      entry = applyTransforms(this.profile, transforms, inlined);
      if (this.transformed.size >= TRANSFORM_CACHE_SIZE) this.transformed.delete(this.transformed.keys().next().value!);
      this.transformed.set(key, entry);
    }
    return entry;
  }

  /**
   * Weight per transformed stack (`map`: profile stack -> target stack; null:
   * the profile's own stacks) of the samples in the range and threads.
   * Samples are in time order, so the range is one slice of them (found by
   * binary search); each sample adds to its stack's transformed stack.
   */
  private selectedWeights(request: AnalysisRequest, map: Int32Array | null, length: number): Float64Array {
    const { samples } = this.profile;
    const out = float64Accumulator(length);
    const siteWeights = request.metric === undefined ? null : allocationStackWeights(this.profile, request.metric, request.range);
    if (siteWeights !== null) {
      // Sites have no thread; a range splits them only where the format records allocation times (allocation-range.ts).
      for (let s = 0; s < siteWeights.length; s++) {
        const to = map === null ? s : map[s];
        if (siteWeights[s] !== 0 && to >= 0) out[to] += siteWeights[s];
      }
      return out;
    }
    const range = request.range;
    const timed = samples.length > 0 && !Number.isNaN(samples.time[0]) && !Number.isNaN(samples.time[samples.length - 1]);
    if (range !== null && !timed) return out;
    const from = range === null ? 0 : lowerBound(samples.time, range.start);
    const to = range === null ? samples.length : lowerBound(samples.time, range.end);
    let wanted: Uint8Array | null = null;
    if (request.threads !== null) {
      wanted = new Uint8Array(this.profile.threads.length);
      for (const t of request.threads) wanted[t] = 1;
    }
    addSampleWeights(samples, from, to, map, wanted, out);
    return out;
  }

  private funcNames(): string[] {
    const { profile } = this;
    this.names ??= Array.from({ length: profile.funcs.length }, (_, f) => stringAt(profile, profile.funcs.name[f], '[unknown]'));
    return this.names;
  }

  /**
   * Callees: the samples through the function, from its outermost call down
   * (focus-function). Callers: the same samples cut after that outermost
   * call, inverted, so the function is the root and its callers hang below.
   * Both roots weigh the function's total.
   */
  private sandwich(stacks: FuncStackTable, weights: Float64Array, func: IndexIntoFuncTable): Sandwich {
    const focused = applyTransform(this.profile.funcs, stacks, { type: 'focus-function', func });
    const callees = callTreeOfUniqueStacks(focused.stacks, mapStackWeights(weights, focused.map, focused.stacks.length));
    const cut = new Int32Array(stacks.length);
    for (let s = 0; s < stacks.length; s++) {
      const prefix = stacks.prefix[s];
      const outer = prefix === -1 ? -1 : cut[prefix];
      cut[s] = outer !== -1 ? outer : stacks.func[s] === func ? s : -1;
    }
    const callers = invertedTreeOfUniqueStacks(stacks, mapStackWeights(weights, cut, stacks.length), this.profile.funcs.length);
    // Cut there, every sample ends in the function, which would make all its time "self";
    // the root shows the function's real self time instead.
    if (callers.roots.length === 1 && callees.roots.length === 1) callers.self[callers.roots[0]] = callees.self[callees.roots[0]];
    return { func, callers, callees };
  }

  private stackChart(request: AnalysisRequest, transformed: Transformed): StackChart {
    const { profile } = this;
    this.threadSamples ??= computeThreadSamples(profile);
    if (Number.isNaN(this.interval)) this.interval = estimateSampleInterval(profile, this.threadSamples);
    transformed.depth ??= computeStackDepths(transformed.stacks);
    const thread = request.stackChartThread;
    const range = request.range ?? { start: profile.meta.startTime, end: profile.meta.endTime + (this.interval || 1) };
    return computeStackChart(
      {
        stacks: transformed.stacks,
        fromProfileStack: transformed.fromProfileStack,
        samples: profile.samples,
        threadSamples: this.threadSamples[thread] ?? { index: new Int32Array(0), time: new Float64Array(0) },
        thread,
        start: range.start,
        end: range.end,
        interval: this.interval,
      },
      transformed.depth,
    );
  }
}

/**
 * Samples [from, to) of the wanted threads (null: all) added to their
 * stacks' weights, through `map` (null: the profile's own stacks). The loop
 * is alone in its function: inside selectedWeights, V8 compiled it anew on
 * every range change while it ran (on-stack replacement), and code after it
 * then lacked feedback and bailed out (docs/architecture.md).
 */
function addSampleWeights(samples: Profile['samples'], from: number, to: number, map: Int32Array | null, wanted: Uint8Array | null, out: Float64Array): void {
  const { stack, thread, weight } = samples;
  for (let i = from; i < to; i++) {
    if (wanted !== null && wanted[thread[i]] === 0) continue;
    const s = map === null ? stack[i] : map[stack[i]];
    if (s >= 0) out[s] += weight === null ? 1 : weight[i];
  }
}

/** 1 per profile stack the transforms keep. A plain loop: Uint8Array.from with a callback took ~80 ms on 600k stacks. */
function keptOf(fromProfileStack: Int32Array): Uint8Array {
  const kept = new Uint8Array(fromProfileStack.length);
  for (let s = 0; s < kept.length; s++) kept[s] = fromProfileStack[s] >= 0 ? 1 : 0;
  return kept;
}

/** Every ArrayBuffer in a result, so a worker can transfer instead of copying. */
export function resultBuffers(result: AnalysisResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown) => {
    if (ArrayBuffer.isView(value)) buffers.add(value.buffer as ArrayBuffer);
    else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) visit(item);
  };
  visit(result);
  return [...buffers];
}
