/**
 * Shared by the analysis unit tests: profiles from the collapsed-stack
 * mini-language ("main;parse;lex 3" = 3 samples of that path) and trees
 * printed as text, so a test states its expectation as a picture of the tree.
 */

import type { AnalysisRequest } from '../../src-shared/analysis/analyzer';
import { childrenOf, type CallTree } from '../../src-shared/analysis/call-tree';
import type { Profile } from '../../src-shared/profile/model';
import { collapsedImporter } from '../../src-main/import/collapsed';
import { bytesSource } from '../../src-main/import/source';

/** An analysis of the whole profile (no range, threads, transforms or search), with `overrides`. */
export function analysisRequest(overrides: Partial<AnalysisRequest> = {}): AnalysisRequest {
  return { range: null, threads: null, transforms: [], search: '', inverted: false, sandwichFunc: -1, stackChartThread: -1, ...overrides };
}

/** A profile from collapsed-stack text; indentation and blank lines are ignored. */
export function profileFromText(text: string): Promise<Profile> {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return collapsedImporter.import(bytesSource('test.collapsed', new TextEncoder().encode(lines.join('\n'))), {});
}

export const nameOf = (profile: Profile, func: number): string => profile.strings[profile.funcs.name[func]];

/** The function index of a name (the test profiles have one function per name). */
export function funcNamed(profile: Profile, name: string): number {
  for (let f = 0; f < profile.funcs.length; f++) if (nameOf(profile, f) === name) return f;
  throw new Error(`no function named ${name}`);
}

/** One line per node, "name total self", children indented two spaces under parents, hottest first. */
export function printTree(profile: Profile, tree: CallTree): string {
  const out: string[] = [];
  const visit = (node: number, depth: number) => {
    out.push(`${'  '.repeat(depth)}${nameOf(profile, tree.func[node])} ${tree.total[node]} ${tree.self[node]}`);
    for (const child of childrenOf(tree, node)) visit(child, depth + 1);
  };
  for (const root of tree.roots) visit(root, 0);
  return out.join('\n');
}

/** Expected text as written in a test: blank lines dropped, the common indentation removed. */
export function dedent(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join('\n');
}
