/**
 * What the source pane and the assembly view draw: the cost of every line of
 * one file, and of every instruction of one function, over the current
 * selection. Both are pure functions of (profile, per-profile-stack weights);
 * the analyzer makes those weights from the range, threads, memory metric and
 * transforms (see `selectionStackWeights` in analyzer.ts).
 *
 * Lines (same meaning as line-costs.ts):
 *   self  = weight of samples whose leaf frame executes the line;
 *   total = weight of samples with any frame on the line, counted once per
 *           sample (recursion through the line counts once).
 * Inlined frames carry their own function and file, so an inlined helper's
 * lines get their cost in the helper's file; a line a function runs from
 * another file without an inlined call (frameFile()) gets it in that file,
 * under that function. Per line we also keep which
 * functions put cost there (the hover's list): an inlined helper and the
 * function it was inlined into are both named.
 *
 * Merged functions (merge-function / merge-library transforms) are skipped:
 * their frames give no line, and the sample's self goes to the first frame
 * above them that is kept, as their time goes to their caller in the trees.
 *
 * Instructions: for function F, only F's real (not inlined, depth 0) frames
 * have addresses of F's own code. Per address:
 *   self  = weight of samples whose leaf location is that address in F
 *           (the innermost inlined frames there share the address);
 *   total = weight of samples with a frame of F at that address, once per
 *           sample. For callers the address is in the call (perf.data: the
 *           return address minus one) or, for formats that keep return
 *           addresses, just after it: the view attributes it to the
 *           instruction that contains it, or to the call just before it (see
 *           assembly-costs in the renderer).
 */

import { frameFile, type IndexIntoFuncTable, type IndexIntoStringTable, type Profile } from '../profile/model';

export interface FuncLineCost {
  func: IndexIntoFuncTable;
  self: number;
  total: number;
}

/** Costs of the lines of one file that have any, in line order. */
export interface FileLineCosts {
  file: IndexIntoStringTable;
  line: Int32Array;
  self: Float64Array;
  total: Float64Array;
  /** Per entry, the functions with frames on that line, biggest total first. */
  funcs: FuncLineCost[][];
  /** The selection's whole weight: the 100% of every percentage. */
  grandTotal: number;
}

/** Costs of one function's addresses (file offsets for perf.data), in address order. */
export interface InstructionCosts {
  func: IndexIntoFuncTable;
  address: Float64Array;
  self: Float64Array;
  total: Float64Array;
  grandTotal: number;
}

function sum(weights: Float64Array): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  return total;
}

/** `merged[f]` is 1 for functions the transforms merge away; null when none are. */
export function computeFileLineCosts(
  profile: Profile,
  stackWeights: Float64Array,
  file: IndexIntoStringTable,
  merged: Uint8Array | null = null,
): FileLineCosts {
  const { stacks, frames, funcs } = profile;
  // Keyed by line * funcs + func: one entry per (line, function) pair.
  const pairOf = new Map<number, number>();
  const pairLine: number[] = [];
  const pairFunc: number[] = [];
  const pairSelf: number[] = [];
  const pairTotal: number[] = [];
  const pairSeen: number[] = [];
  const lineSeen = new Map<number, number>();
  const lineTotal = new Map<number, number>();
  const lineSelf = new Map<number, number>();
  const funcCount = Math.max(1, funcs.length);
  // Which frames have a line in this file, found once per frame rather than once per stack step.
  const inFile = new Uint8Array(frames.length);
  for (let frame = 0; frame < frames.length; frame++) if (frames.line[frame] >= 0 && frameFile(profile, frame) === file) inFile[frame] = 1;

  for (let s = 0; s < stacks.length; s++) {
    const weight = stackWeights[s];
    if (weight === 0) continue;
    let leaf = true;
    for (let at = s; at !== -1; at = stacks.prefix[at]) {
      const frame = stacks.frame[at];
      const func = frames.func[frame];
      if (merged !== null && merged[func] === 1) continue; // the next kept frame is the leaf
      const isLeaf = leaf;
      leaf = false;
      if (inFile[frame] === 0) continue;
      const line = frames.line[frame];
      const key = line * funcCount + func;
      let pair = pairOf.get(key);
      if (pair === undefined) {
        pair = pairLine.length;
        pairOf.set(key, pair);
        pairLine.push(line);
        pairFunc.push(func);
        pairSelf.push(0);
        pairTotal.push(0);
        pairSeen.push(-1);
      }
      if (isLeaf) {
        pairSelf[pair] += weight;
        lineSelf.set(line, (lineSelf.get(line) ?? 0) + weight);
      }
      if (pairSeen[pair] !== s) {
        pairSeen[pair] = s;
        pairTotal[pair] += weight;
      }
      if (lineSeen.get(line) !== s) {
        lineSeen.set(line, s);
        lineTotal.set(line, (lineTotal.get(line) ?? 0) + weight);
      }
    }
  }

  const lines = [...lineTotal.keys()].sort((a, b) => a - b);
  const entryOf = new Map(lines.map((line, i) => [line, i]));
  const perLine: FuncLineCost[][] = lines.map(() => []);
  for (let p = 0; p < pairLine.length; p++) {
    perLine[entryOf.get(pairLine[p])!].push({ func: pairFunc[p], self: pairSelf[p], total: pairTotal[p] });
  }
  for (const list of perLine) list.sort((a, b) => b.total - a.total || b.self - a.self || a.func - b.func);
  return {
    file,
    line: Int32Array.from(lines),
    self: Float64Array.from(lines, (line) => lineSelf.get(line) ?? 0),
    total: Float64Array.from(lines, (line) => lineTotal.get(line)!),
    funcs: perLine,
    grandTotal: sum(stackWeights),
  };
}

export function computeInstructionCosts(profile: Profile, stackWeights: Float64Array, func: IndexIntoFuncTable): InstructionCosts {
  const { stacks, frames } = profile;
  const entryOf = new Map<number, number>();
  const addresses: number[] = [];
  const self: number[] = [];
  const total: number[] = [];
  const seen: number[] = [];
  for (let s = 0; s < stacks.length; s++) {
    const weight = stackWeights[s];
    if (weight === 0) continue;
    // The leaf location's frames share one address; its real (depth 0) frame is the one that counts as self.
    const leafAt = firstRealAt(profile, s);
    for (let at = s; at !== -1; at = stacks.prefix[at]) {
      const frame = stacks.frame[at];
      if (frames.func[frame] !== func || frames.inlineDepth[frame] !== 0) continue;
      const address = frames.address[frame];
      if (!(address >= 0)) continue;
      let entry = entryOf.get(address);
      if (entry === undefined) {
        entry = addresses.length;
        entryOf.set(address, entry);
        addresses.push(address);
        self.push(0);
        total.push(0);
        seen.push(-1);
      }
      if (at === leafAt) self[entry] += weight;
      if (seen[entry] !== s) {
        seen[entry] = s;
        total[entry] += weight;
      }
    }
  }
  const order = addresses.map((_, i) => i).sort((a, b) => addresses[a] - addresses[b]);
  return {
    func,
    address: Float64Array.from(order, (i) => addresses[i]),
    self: Float64Array.from(order, (i) => self[i]),
    total: Float64Array.from(order, (i) => total[i]),
    grandTotal: sum(stackWeights),
  };
}

/** The stack node of the leaf location's real frame (the first depth-0 frame from the leaf). */
function firstRealAt(profile: Profile, stack: number): number {
  const { stacks, frames } = profile;
  for (let at = stack; at !== -1; at = stacks.prefix[at]) if (frames.inlineDepth[stacks.frame[at]] === 0) return at;
  return -1;
}
