/**
 * Line costs (src-shared/analysis/source-costs.ts) as the editor shows them:
 * fixed-width gutter texts "self self%  total total%", a heat between 0 and
 * 1 (the line's self over the file's hottest self; lines with only total
 * get a faint heat from their total), and the hover's list of functions.
 * Pure, so it is unit-tested without Monaco.
 */

import type { FileLineCosts } from '../../../src-shared/analysis/source-costs';
import type { Profile } from '../../../src-shared/profile/model';
import { stringAt } from '../../../src-shared/profile/model';
import { formatPercent, formatWeight, type DisplayUnit } from '../../format/numbers';
import type { EditorLineCost } from './monaco-editor';

export interface LineLabels {
  costs: EditorLineCost[];
  /** Characters the gutter needs (labels plus the line number). */
  gutterChars: number;
  /** The line with the most self (ties: most total, then the lower line); -1 when none. */
  hottestLine: number;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Markdown special characters in function names (templates, operators) are escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}

export function lineLabels(profile: Profile, costs: FileLineCosts, unit: DisplayUnit, lineCount: number): LineLabels {
  const n = costs.line.length;
  const whole = costs.grandTotal;
  const selfAbs = Array.from(costs.self, (v) => formatWeight(v, unit));
  const totalAbs = Array.from(costs.total, (v) => formatWeight(v, unit));
  const selfPct = Array.from(costs.self, (v) => formatPercent(v, whole));
  const totalPct = Array.from(costs.total, (v) => formatPercent(v, whole));
  const width = (list: string[]) => list.reduce((w, s) => Math.max(w, s.length), 1);
  const [wSelf, wTotal, wSelfPct, wTotalPct] = [width(selfAbs), width(totalAbs), width(selfPct), width(totalPct)];
  let maxSelf = 0;
  let maxTotal = 0;
  let hottest = -1;
  for (let i = 0; i < n; i++) {
    maxTotal = Math.max(maxTotal, costs.total[i]);
    if (hottest === -1 || costs.self[i] > costs.self[hottest] || (costs.self[i] === costs.self[hottest] && costs.total[i] > costs.total[hottest])) hottest = i;
    maxSelf = Math.max(maxSelf, costs.self[i]);
  }
  const out: EditorLineCost[] = [];
  for (let i = 0; i < n; i++) {
    const line = costs.line[i];
    if (line < 1 || line > lineCount) continue; // a stale line table can name lines the file no longer has
    const selfHeat = maxSelf > 0 ? costs.self[i] / maxSelf : 0;
    const totalHeat = maxTotal > 0 ? (0.25 * costs.total[i]) / maxTotal : 0;
    const funcs = costs.funcs[i]
      .map((c) => {
        const name = escapeMarkdown(stringAt(profile, profile.funcs.name[c.func], '[unknown]'));
        return `- **${name}**: self ${formatWeight(c.self, unit)} (${formatPercent(c.self, whole)}), total ${formatWeight(c.total, unit)} (${formatPercent(c.total, whole)})`;
      })
      .join('\n');
    out.push({
      line,
      selfText: `${pad(selfAbs[i], wSelf)} ${pad(selfPct[i], wSelfPct)}`,
      totalText: `${pad(totalAbs[i], wTotal)} ${pad(totalPct[i], wTotalPct)}`,
      heat: Math.max(selfHeat, totalHeat),
      hover: `**Line ${line}**: self ${selfAbs[i]} (${selfPct[i]}), total ${totalAbs[i]} (${totalPct[i]})\n\nFunctions on this line:\n${funcs}`,
    });
  }
  const numberChars = String(Math.max(1, lineCount)).length;
  const labelChars = n === 0 ? 0 : wSelf + 1 + wSelfPct + 2 + wTotal + 1 + wTotalPct + 2;
  return {
    costs: out,
    gutterChars: labelChars + numberChars + 1,
    hottestLine: hottest === -1 || costs.self[hottest] === 0 ? (n > 0 ? costs.line[costs.total.indexOf(maxTotal)] : -1) : costs.line[hottest],
  };
}
