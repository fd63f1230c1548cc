/**
 * Per-line costs of one function's source, the numbers behind
 * `heatline annotate` and (later) the window's source pane. Pure: the caller
 * reads the source text, if it can, and lays it beside these lines.
 *
 * Per line (from computeLineCosts, over the same stack weights):
 *   self  = weight of samples whose leaf frame executes this line: time spent
 *           on the line itself.
 *   total = weight of samples with any frame on this line, counted once per
 *           sample (a recursive call through the line counts once): the
 *           line's own time plus everything it calls.
 * Inlined frames carry their own function and file, so a helper inlined into
 * the function puts its self on the helper's lines (possibly in another
 * file); the call site's line in this function gets it as total only.
 * A line's costs are the line's, whichever function executes it: the range
 * is chosen from the function's own frames, but a lambda or nested function
 * defined inside it shows its lines' costs too, as it should in a source view.
 * Percentages are of the profile's total selected weight.
 */

import { computeFunctionCosts, functionsBySelf, type FunctionCosts } from './analysis/function-costs';
import { computeLineCosts, type LineCosts } from './analysis/line-costs';
import { sumWeights } from './analysis/sample-filter';
import { stringAt, type IndexIntoFuncTable, type Profile, type WeightUnit } from './profile/model';

export interface AnnotatedLine {
  line: number;
  self: number;
  total: number;
}

export interface Annotation {
  func: { name: string; self: number; total: number };
  /** The source file as the profile names it (the debug info's path). */
  file: string;
  /** The profile's total weight: the 100% of every percentage. */
  grandTotal: number;
  unit: WeightUnit;
  /** Inclusive range shown; lines without cost in it are context. */
  firstLine: number;
  lastLine: number;
  /** Every line of the range in order, zero where nothing was sampled. */
  lines: AnnotatedLine[];
  /** The line with the most self (ties: most total, then the lower number). */
  hottestLine: number;
}

export type AnnotateResult = { ok: true; annotation: Annotation } | { ok: false; error: string };

/** Lines of context above and below the costed range, as perf annotate shows some. */
export const DEFAULT_CONTEXT = 3;

export interface AnnotateOptions {
  /** Annotate this function; otherwise the hottest by self that has line information. */
  functionName?: string;
  context?: number;
}

export function annotateFunction(profile: Profile, stackWeights: Float64Array, options: AnnotateOptions = {}): AnnotateResult {
  // Inlined functions on their own: an inlined helper's cost is on its own source lines, which it annotates.
  const functionCosts = computeFunctionCosts(profile, stackWeights, 'separate');
  const lineCosts = computeLineCosts(profile, stackWeights);
  const context = Math.max(0, options.context ?? DEFAULT_CONTEXT);

  const func =
    options.functionName === undefined
      ? hottestWithLines(profile, functionCosts)
      : namedFunction(profile, functionCosts, options.functionName);
  if (typeof func === 'string') return { ok: false, error: func };

  const fileIndex = profile.funcs.file[func];
  const own = costedLinesOf(profile, stackWeights, func);
  if (fileIndex < 0 || own.length === 0) {
    return { ok: false, error: `${stringAt(profile, profile.funcs.name[func])} has no sampled source lines (no debug line information)` };
  }

  // From the function's first line when the format records it, else from its first costed line.
  const startLine = profile.funcs.startLine[func];
  const low = startLine > 0 && startLine <= own[0] ? startLine : own[0];
  const firstLine = Math.max(1, low - context);
  const lastLine = own[own.length - 1] + context;

  const byLine = costsInFile(lineCosts, fileIndex, firstLine, lastLine);
  const lines: AnnotatedLine[] = [];
  for (let line = firstLine; line <= lastLine; line++) {
    const cost = byLine.get(line);
    lines.push({ line, self: cost?.self ?? 0, total: cost?.total ?? 0 });
  }
  const hottest = lines.reduce((best, l) => (l.self > best.self || (l.self === best.self && l.total > best.total) ? l : best));

  return {
    ok: true,
    annotation: {
      func: { name: stringAt(profile, profile.funcs.name[func]), self: functionCosts.self[func], total: functionCosts.total[func] },
      file: stringAt(profile, fileIndex),
      grandTotal: sumWeights(stackWeights),
      unit: profile.meta.unit,
      firstLine,
      lastLine,
      lines,
      hottestLine: hottest.line,
    },
  };
}

/** The hottest function by self whose samples carry lines; a kernel or stripped function has nothing to show. */
function hottestWithLines(profile: Profile, costs: FunctionCosts): IndexIntoFuncTable | string {
  const hasLines = functionsWithLines(profile);
  for (const f of functionsBySelf(costs)) if (hasLines[f] === 1) return f;
  return 'no sampled function has source line information (was the program built with -g?)';
}

/**
 * Several rows can share a name (the same symbol in two libraries, or a
 * static function in two files): the one with the most self wins, as the
 * user asking by name most likely means the one that costs.
 */
function namedFunction(profile: Profile, costs: FunctionCosts, name: string): IndexIntoFuncTable | string {
  let best = -1;
  for (let f = 0; f < profile.funcs.length; f++) {
    if (stringAt(profile, profile.funcs.name[f]) !== name) continue;
    if (best === -1 || costs.self[f] > costs.self[best] || (costs.self[f] === costs.self[best] && costs.total[f] > costs.total[best])) best = f;
  }
  return best === -1 ? `no function named "${name}" in this profile` : best;
}

function functionsWithLines(profile: Profile): Uint8Array {
  const has = new Uint8Array(profile.funcs.length);
  for (let fr = 0; fr < profile.frames.length; fr++) {
    const f = profile.frames.func[fr];
    if (profile.frames.line[fr] >= 0 && profile.frames.file[fr] < 0 && profile.funcs.file[f] >= 0) has[f] = 1;
  }
  return has;
}

/** The sorted distinct lines of its own file that the function's frames executed in samples with weight. */
function costedLinesOf(profile: Profile, stackWeights: Float64Array, func: IndexIntoFuncTable): number[] {
  const { stacks, frames } = profile;
  // A stack with weight makes all its prefixes part of some sampled stack.
  const live = new Uint8Array(stacks.length);
  for (let s = stacks.length - 1; s >= 0; s--) {
    if (stackWeights[s] !== 0) live[s] = 1;
    if (live[s] === 1 && stacks.prefix[s] !== -1) live[stacks.prefix[s]] = 1;
  }
  const lines = new Set<number>();
  for (let s = 0; s < stacks.length; s++) {
    if (live[s] === 0) continue;
    const frame = stacks.frame[s];
    if (frames.func[frame] === func && frames.line[frame] > 0 && frames.file[frame] < 0) lines.add(frames.line[frame]);
  }
  return [...lines].sort((a, b) => a - b);
}

function costsInFile(costs: LineCosts, fileIndex: number, first: number, last: number): Map<number, { self: number; total: number }> {
  const out = new Map<number, { self: number; total: number }>();
  for (let i = 0; i < costs.length; i++) {
    if (costs.file[i] !== fileIndex || costs.line[i] < first || costs.line[i] > last) continue;
    out.set(costs.line[i], { self: costs.self[i], total: costs.total[i] });
  }
  return out;
}

/**
 * The annotation as text, like `perf annotate --stdio`'s source view: a
 * header, then `self% total% lineno: text` per line. `source` is the file's
 * lines (index 0 = line 1), or null when it was not found: then only lines
 * with cost are printed, since blank context lines would say nothing.
 */
export function formatAnnotationText(a: Annotation, source: string[] | null): string {
  const percent = (value: number) => (a.grandTotal > 0 ? ((100 * value) / a.grandTotal).toFixed(2) : '-');
  const cell = (value: number) => (value === 0 ? '' : percent(value)).padStart(7);
  const width = String(a.lastLine).length;
  const out: string[] = [];
  out.push(`${a.func.name}  (${a.file})  self ${percent(a.func.self)}%  total ${percent(a.func.total)}%  of ${a.grandTotal} ${a.unit}`);
  out.push(`${'self%'.padStart(7)}  ${'total%'.padStart(7)}  ${'line'.padStart(width)}: source`);
  for (const l of a.lines) {
    const text = source?.[l.line - 1]?.replace(/\r$/, '');
    // Context is only worth a line when there is text; a costed line always shows (the file may have changed since).
    if (text === undefined && l.total === 0 && l.self === 0) continue;
    out.push(`${cell(l.self)}  ${cell(l.total)}  ${String(l.line).padStart(width)}: ${text ?? ''}`.trimEnd());
  }
  return out.join('\n');
}
