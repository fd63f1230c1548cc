/**
 * The facts `heatline report` prints, as one plain object. Pure, so the CLI,
 * tests and the window compute the same numbers.
 */

import { DEFAULT_INLINED, functionSelfCosts, functionsBySelf, hasInlinedFrames, type InlinedFunctions } from './analysis/function-costs';
import { finishLineCosts, lineSelfCosts, linesBySelf } from './analysis/line-costs';
import { totalsOncePerSampleByKeys } from './analysis/stack-key-totals';
import { computeStackWeights, computeThreadTotals, sumWeights } from './analysis/sample-filter';
import { stringAt, type FormatId, type Profile, type ProfileKind, type WeightUnit } from './profile/model';

export interface ProfileReport {
  format: FormatId;
  kind: ProfileKind;
  unit: WeightUnit;
  /** What was sampled or counted: perf's event ("cpu-clock:pppH"), DHAT's mode ("heap", "copy", "ad-hoc"); null when the format does not say. */
  event: string | null;
  total: number;
  threads: { tid: number; name: string; total: number }[];
  functions: { name: string; file: string | null; self: number; total: number }[];
  /** How `functions` counts inlined functions (function-costs.ts); null when the profile has none. */
  inlined: InlinedFunctions | null;
  lines: { file: string; line: number; self: number; total: number }[];
  allocations: null | { totalBytes: number; totalBlocks: number; peakBytes: number; endBytes: number };
}

/**
 * `inlined`: whose cost an inlined function's samples are (function-costs.ts).
 * By default the function it was inlined into, as `perf report` counts them,
 * so the two tools list the same functions; lines are always the innermost
 * (perf report --sort srcline's).
 */
export function buildReport(profile: Profile, top = 50, inlined: InlinedFunctions = DEFAULT_INLINED): ProfileReport {
  const stackWeights = computeStackWeights(profile);
  // Functions' and lines' totals in one walk of the stack tree (the costliest step on big profiles).
  const functionKeys = functionSelfCosts(profile, stackWeights, inlined);
  const lineKeys = lineSelfCosts(profile, stackWeights);
  const [functionTotals, lineTotals] = totalsOncePerSampleByKeys(profile.stacks.prefix, [functionKeys, lineKeys], stackWeights);
  const functionCosts = { self: functionKeys.self, total: functionTotals, grandTotal: functionKeys.grandTotal };
  const lineCosts = finishLineCosts(lineKeys, lineTotals);
  const threadTotals = computeThreadTotals(profile);

  const threads = Array.from({ length: profile.threads.length }, (_, t) => ({
    tid: profile.threads.tid[t],
    // Memory tools name no threads: their one thread goes by the program's name.
    name: stringAt(profile, profile.threads.name[t] >= 0 ? profile.threads.name[t] : profile.threads.processName[t]),
    total: threadTotals[t],
  })).sort((a, b) => b.total - a.total || a.tid - b.tid);

  const functions = functionsBySelf(functionCosts)
    .slice(0, top)
    .map((f) => ({
      name: stringAt(profile, profile.funcs.name[f]),
      file: profile.funcs.file[f] < 0 ? null : stringAt(profile, profile.funcs.file[f]),
      self: functionCosts.self[f],
      total: functionCosts.total[f],
    }));

  const lines = linesBySelf(lineCosts)
    .slice(0, top)
    .map((i) => ({
      file: stringAt(profile, lineCosts.file[i]),
      line: lineCosts.line[i],
      self: lineCosts.self[i],
      total: lineCosts.total[i],
    }));

  return {
    format: profile.meta.format,
    kind: profile.meta.kind,
    event: profile.meta.eventName ?? null,
    unit: profile.meta.unit,
    total: sumWeights(stackWeights),
    threads,
    functions,
    inlined: hasInlinedFrames(profile) ? inlined : null,
    lines,
    allocations: summarizeAllocations(profile),
  };
}

function summarizeAllocations(profile: Profile): ProfileReport['allocations'] {
  const table = profile.allocations;
  if (table === null) return null;
  const sum = (column: Float64Array) => column.reduce((a, b) => a + b, 0);
  return {
    totalBytes: sum(table.totalBytes),
    totalBlocks: sum(table.totalBlocks),
    peakBytes: sum(table.peakBytes),
    endBytes: sum(table.endBytes),
  };
}

/** The same report as aligned text, for people. */
export function formatReportText(report: ProfileReport, sourceName: string): string {
  const percent = (value: number) => (report.total > 0 ? ((100 * value) / report.total).toFixed(2) + '%' : '-');
  const out: string[] = [];
  const event = report.event === null ? '' : ` (${report.format === 'dhat' ? `${report.event} mode` : report.event})`;
  out.push(`${sourceName}: ${report.format}${event}, ${report.kind}, total ${report.total} ${report.unit}`);
  out.push('');
  out.push('Threads');
  for (const t of report.threads) out.push(`  ${String(t.tid).padStart(8)}  ${percent(t.total).padStart(8)}  ${t.name}`);
  out.push('');
  const inlinedNote = { merged: '; inlined functions count for their callers: --inlined lists them', separate: '; inlined functions listed on their own' };
  out.push(`Functions (by self${report.inlined === null ? '' : inlinedNote[report.inlined]})`);
  out.push(`  ${'self'.padStart(8)}  ${'total'.padStart(8)}  function`);
  for (const f of report.functions) {
    const where = f.file ? `  (${f.file})` : '';
    out.push(`  ${percent(f.self).padStart(8)}  ${percent(f.total).padStart(8)}  ${f.name}${where}`);
  }
  if (report.lines.length > 0) {
    out.push('');
    out.push('Lines (by self)');
    for (const l of report.lines) {
      out.push(`  ${percent(l.self).padStart(8)}  ${percent(l.total).padStart(8)}  ${l.file}:${l.line}`);
    }
  }
  if (report.allocations) {
    out.push('');
    out.push(formatAllocations(report.allocations, report.event));
  }
  return out.join('\n');
}

/**
 * The allocations line. A number the format does not record is NaN in the
 * report (null in --json): massif has only the peak, DHAT's copy and ad-hoc
 * modes no peak or exit. Those print as "unknown", not "NaN". DHAT's copy
 * mode counts copies (memcpy and friends) and its ad-hoc mode the program's
 * own events and units, so those say so.
 */
function formatAllocations(a: NonNullable<ProfileReport['allocations']>, event: string | null): string {
  const n = (value: number) => (Number.isNaN(value) ? 'unknown' : String(value));
  if (event === 'copy') return `Copies: ${n(a.totalBytes)} bytes in ${n(a.totalBlocks)} copies`;
  if (event === 'ad-hoc') return `Events: ${n(a.totalBytes)} units in ${n(a.totalBlocks)} events`;
  return `Allocations: ${n(a.totalBytes)} bytes in ${n(a.totalBlocks)} blocks; peak ${n(a.peakBytes)}; at exit ${n(a.endBytes)}`;
}
