/**
 * The builder's invariants and the analysis definitions, on profiles built
 * frame by frame (with addresses and lines, which the collapsed mini-language
 * cannot express).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childrenOf, computeCallTree, computeInvertedCallTree, type CallTree } from '../../src-shared/analysis/call-tree';
import { computeFunctionCosts } from '../../src-shared/analysis/function-costs';
import { computeLineCosts } from '../../src-shared/analysis/line-costs';
import { computeStackWeights, computeThreadTotals } from '../../src-shared/analysis/sample-filter';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';

/**
 * main (a.c:10) -> work (a.c:20 or a.c:21) -> leaf (b.c:5); plus recursion
 * main -> work -> work -> leaf. Two threads; times out of order on purpose.
 */
function buildExample(): Profile {
  const b = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 'x', weighted: false });
  const main = b.func('main', { file: 'a.c', library: '/bin/app' });
  const work = b.func('work', { file: 'a.c', library: '/bin/app' });
  const leaf = b.func('leaf', { file: 'b.c', library: '/lib/libb.so' });
  const mainAt10 = b.frame(main, { address: 0x100, line: 10 });
  const workAt20 = b.frame(work, { address: 0x200, line: 20 });
  const workAt21 = b.frame(work, { address: 0x204, line: 21 });
  const leafAt5 = b.frame(leaf, { address: 0x300, line: 5 });
  const t1 = b.thread(101, 100, 'app', 'app');
  const t2 = b.thread(102, 100, 'worker');
  b.sample(b.stackFromRoot([mainAt10, workAt20, leafAt5]), t1, 30);
  b.sample(b.stackFromRoot([mainAt10, workAt21]), t1, 10);
  b.sample(b.stackFromLeaf([leafAt5, workAt21, workAt20, mainAt10]), t2, 20);
  b.sample(b.stackFromRoot([mainAt10, workAt20, leafAt5]), t2, 40);
  return b.finish();
}

function printTree(profile: Profile, tree: CallTree): string {
  const lines: string[] = [];
  const visit = (node: number) => {
    const name = profile.strings[profile.funcs.name[tree.func[node]]];
    lines.push(`${'  '.repeat(tree.depth[node])}${name} self=${tree.self[node]} total=${tree.total[node]}`);
    for (const child of childrenOf(tree, node)) visit(child);
  };
  for (const root of tree.roots) visit(root);
  return lines.join('\n');
}

test('the builder dedupes and keeps prefix[i] < i, and sorts samples by time', () => {
  const profile = buildExample();
  assert.equal(profile.funcs.length, 3);
  assert.equal(profile.frames.length, 4);
  for (let i = 0; i < profile.stacks.length; i++) assert.ok(profile.stacks.prefix[i] < i);
  assert.deepEqual(Array.from(profile.samples.time), [10, 20, 30, 40]);
  assert.equal(profile.meta.startTime, 10);
  assert.equal(profile.meta.endTime, 40);
  assert.equal(profile.threads.length, 2);
  assert.equal(profile.strings[profile.threads.processName[0]], 'app');
});

test('function costs: self at the leaf, total once per sample even through recursion', () => {
  const profile = buildExample();
  const costs = computeFunctionCosts(profile, computeStackWeights(profile));
  const byName = (name: string) => profile.funcs.name.indexOf(profile.strings.indexOf(name));
  assert.equal(costs.grandTotal, 4);
  assert.deepEqual([costs.self[byName('main')], costs.total[byName('main')]], [0, 4]);
  assert.deepEqual([costs.self[byName('work')], costs.total[byName('work')]], [1, 4]);
  assert.deepEqual([costs.self[byName('leaf')], costs.total[byName('leaf')]], [3, 3]);
});

test('top-down and inverted call trees', () => {
  const profile = buildExample();
  const weights = computeStackWeights(profile);
  assert.equal(
    printTree(profile, computeCallTree(profile, weights)),
    ['main self=0 total=4', '  work self=1 total=4', '    leaf self=2 total=2', '    work self=0 total=1', '      leaf self=1 total=1'].join('\n'),
  );
  assert.equal(
    printTree(profile, computeInvertedCallTree(profile, weights)),
    ['leaf self=3 total=3', '  work self=0 total=3', '    main self=0 total=2', '    work self=0 total=1', '      main self=0 total=1', 'work self=1 total=1', '  main self=0 total=1'].join('\n'),
  );
});

test('line costs: self on the leaf line, total once per sample', () => {
  const profile = buildExample();
  const lines = computeLineCosts(profile, computeStackWeights(profile));
  const found = new Map<string, [number, number]>();
  for (let i = 0; i < lines.length; i++) {
    found.set(`${profile.strings[lines.file[i]]}:${lines.line[i]}`, [lines.self[i], lines.total[i]]);
  }
  assert.deepEqual(Object.fromEntries(found), {
    'a.c:10': [0, 4],
    'a.c:20': [0, 3],
    'a.c:21': [1, 2],
    'b.c:5': [3, 3],
  });
});

test('a range and a thread selection filter every cost', () => {
  const profile = buildExample();
  const secondThread = new Set([1]);
  const weights = computeStackWeights(profile, { range: { start: 15, end: 35 }, threads: null });
  assert.equal(computeFunctionCosts(profile, weights).grandTotal, 2);
  const both = computeStackWeights(profile, { range: { start: 15, end: 35 }, threads: secondThread });
  assert.equal(computeFunctionCosts(profile, both).grandTotal, 1);
  assert.deepEqual(Array.from(computeThreadTotals(profile)), [2, 2]);
});
