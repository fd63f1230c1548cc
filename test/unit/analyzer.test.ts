/**
 * The analyzer behind every view (src-shared/analysis/analyzer.ts): function
 * costs read off the tree agree with the direct definition, the sandwich
 * shows callers and callees, the stack chart's boxes follow time, and a
 * range or thread selection filters before the transforms.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analyzer } from '../../src-shared/analysis/analyzer';
import { computeCallTreeOfStacks, computeInvertedCallTreeOfStacks } from '../../src-shared/analysis/call-tree';
import { callTreeOfUniqueStacks, invertedTreeOfUniqueStacks } from '../../src-shared/analysis/func-stack-trees';
import { mapStackWeights } from '../../src-shared/analysis/func-stacks';
import { computeFunctionCosts } from '../../src-shared/analysis/function-costs';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { stackChartBoxAt, stackChartPathOf } from '../../src-shared/analysis/stack-chart';
import { applyTransforms } from '../../src-shared/analysis/transforms';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';
import { analysisRequest, dedent, funcNamed, nameOf, printTree, profileFromText } from './helpers-analysis';

const request = analysisRequest;

/**
 * Samples every 1 ms on two threads, written as "time thread path":
 * main runs phaseA for 3 ms then phaseB for 2 ms; the worker runs spin.
 */
function timedProfile(lines: string): Profile {
  const builder = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  const threads = new Map<string, number>();
  for (const line of lines.trim().split('\n')) {
    const [time, threadName, path] = line.trim().split(/\s+/);
    let thread = threads.get(threadName);
    if (thread === undefined) threads.set(threadName, (thread = builder.thread(100 + threads.size, 100, threadName, 'app')));
    const frames = path.split(';').map((name) => builder.frame(builder.func(name)));
    builder.sample(builder.stackFromRoot(frames), thread, Number(time) * 1e6);
  }
  return builder.finish();
}

const phases = `
  0 main main;phaseA;work
  1 main main;phaseA;work
  2 main main;phaseA
  3 main main;phaseB;work
  4 main main;phaseB;work
  0 worker start;spin
  1 worker start;spin
`;

test('function costs from the tree match the direct computation, recursion counted once', async () => {
  const profile = await profileFromText(`
    main;fib;fib;fib;leaf 2
    main;fib;helper;fib 3
    main;other 4
    main 1
  `);
  const direct = computeFunctionCosts(profile, computeStackWeights(profile));
  const { funcCosts } = new Analyzer(profile).analyze(request());
  assert.deepEqual([...funcCosts.self], [...direct.self]);
  assert.deepEqual([...funcCosts.total], [...direct.total]);
  assert.equal(funcCosts.grandTotal, 10);
  assert.equal(funcCosts.total[funcNamed(profile, 'fib')], 5);
});

test('the range and the thread selection filter every result', () => {
  const profile = timedProfile(phases);
  const analyzer = new Analyzer(profile);
  const onlyB = analyzer.analyze(request({ range: { start: 3e6, end: 5e6 }, threads: [0] }));
  assert.equal(
    printTree(profile, onlyB.tree),
    dedent(`
      main 2 0
        phaseB 2 0
          work 2 2
    `),
  );
  const worker = analyzer.analyze(request({ threads: [1] }));
  assert.equal(printTree(profile, worker.tree), 'start 2 0\n  spin 2 2');
});

test('the inverted tree lists leaf functions first', () => {
  const profile = timedProfile(phases);
  const { invertedTree } = new Analyzer(profile).analyze(request({ inverted: true, threads: [0] }));
  assert.ok(invertedTree);
  assert.equal(
    printTree(profile, invertedTree),
    dedent(`
      work 4 4
        phaseA 2 0
          main 2 0
        phaseB 2 0
          main 2 0
      phaseA 1 1
        main 1 0
    `),
  );
});

test('the sandwich shows a function\'s callers above and callees below', async () => {
  const profile = await profileFromText(`
    main;parse;lex;next 3
    main;render;lex 1
    main;parse 2
  `);
  const { sandwich } = new Analyzer(profile).analyze(request({ sandwichFunc: funcNamed(profile, 'lex') }));
  assert.ok(sandwich);
  assert.equal(
    printTree(profile, sandwich.callers),
    dedent(`
      lex 4 1
        parse 3 0
          main 3 0
        render 1 0
          main 1 0
    `),
  );
  assert.equal(printTree(profile, sandwich.callees), 'lex 4 1\n  next 3 3');
});

test('the search reports the share of samples with a matching function', () => {
  const profile = timedProfile(phases);
  const analyzer = new Analyzer(profile);
  assert.equal(analyzer.analyze(request({ search: 'PHASE' })).searchWeight, 5);
  assert.equal(analyzer.analyze(request({ search: 'spin' })).searchWeight, 2);
  assert.equal(analyzer.analyze(request({ search: '' })).searchWeight, 0);
  // Several terms, comma-separated: any of them (phaseB's 2 samples and spin's 2).
  assert.equal(analyzer.analyze(request({ search: 'phaseB, spin' })).searchWeight, 4);
  assert.equal(analyzer.analyze(request({ search: ' , ' })).searchWeight, 0);
});

test('the stack chart has one box per uninterrupted stretch, in time order per depth', () => {
  const profile = timedProfile(phases);
  const { stackChart } = new Analyzer(profile).analyze(request({ stackChartThread: 0 }));
  assert.ok(stackChart);
  const rows = Array.from({ length: stackChart.depthCount }, (_, d) => {
    const boxes: string[] = [];
    for (let b = stackChart.rowStart[d]; b < stackChart.rowStart[d + 1]; b++) {
      boxes.push(`${nameOf(profile, stackChart.func[b])}@${stackChart.start[b] / 1e6}-${stackChart.end[b] / 1e6}`);
    }
    return boxes.join(' ');
  });
  assert.deepEqual(rows, ['main@0-5', 'phaseA@0-3 phaseB@3-5', 'work@0-2 work@3-5']);
  const box = stackChartBoxAt(stackChart, 2, 3.5e6);
  assert.deepEqual(stackChartPathOf(stackChart, 2, box).map((f) => nameOf(profile, f)), ['main', 'phaseB', 'work']);
});

test('stack chart boxes run on across a gap in the samples while the stack stays', () => {
  const profile = timedProfile(`
    0 main main;a
    1 main main;a
    10 main main;a;b
    11 main main;c
  `);
  const { stackChart } = new Analyzer(profile).analyze(request({ stackChartThread: 0 }));
  assert.ok(stackChart);
  const row = (d: number) =>
    Array.from({ length: stackChart.rowStart[d + 1] - stackChart.rowStart[d] }, (_, i) => {
      const b = stackChart.rowStart[d] + i;
      return `${nameOf(profile, stackChart.func[b])}@${stackChart.start[b] / 1e6}-${stackChart.end[b] / 1e6}`;
    }).join(' ');
  assert.equal(row(0), 'main@0-12');
  assert.equal(row(1), 'a@0-11 c@11-12');
  assert.equal(row(2), 'b@10-11');
});

test('transforms apply to the stack chart and mark dropped stacks', () => {
  const profile = timedProfile(phases);
  const phaseA = funcNamed(profile, 'phaseA');
  const result = new Analyzer(profile).analyze(
    request({ stackChartThread: 0, transforms: [{ type: 'drop-function', func: phaseA }] }),
  );
  assert.equal(result.tree.grandTotal, 4);
  assert.equal(result.stackChart?.start[0], 3e6);
  const dropped = [...result.keptStacks].filter((kept) => kept === 0).length;
  assert.equal(dropped, 2, 'the stacks main;phaseA and main;phaseA;work');
});

test('the fast trees of deduplicated stacks equal the general ones; the lazy inverted tree opens on demand', async () => {
  // A pseudo-random profile with shared prefixes and recursion.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const names = ['main', 'a', 'b', 'c', 'd', 'e'];
  const lines = Array.from({ length: 60 }, () => {
    const depth = 1 + Math.floor(next() * 6);
    const path = ['main', ...Array.from({ length: depth }, () => names[1 + Math.floor(next() * 5)])];
    return `${path.join(';')} ${1 + Math.floor(next() * 9)}`;
  });
  const profile = await profileFromText(lines.join('\n'));
  const { stacks, fromProfileStack } = applyTransforms(profile, []);
  const weights = mapStackWeights(computeStackWeights(profile), fromProfileStack, stacks.length);
  assert.equal(printTree(profile, callTreeOfUniqueStacks(stacks, weights)), printTree(profile, computeCallTreeOfStacks(stacks, weights)));
  const fullInverted = invertedTreeOfUniqueStacks(stacks, weights, profile.funcs.length);
  assert.equal(printTree(profile, fullInverted), printTree(profile, computeInvertedCallTreeOfStacks(stacks, weights)));
  assert.equal(fullInverted.truncated, undefined);

  // Lazy: only roots, until a root is opened.
  const roots = invertedTreeOfUniqueStacks(stacks, weights, profile.funcs.length, { minShare: 1, open: null });
  assert.equal(roots.length, roots.roots.length);
  assert.ok(roots.truncated && [...roots.roots].every((r) => roots.truncated![r] === 1));
  const first = roots.roots[0];
  const opened = invertedTreeOfUniqueStacks(stacks, weights, profile.funcs.length, { minShare: 1, open: new Set([String(roots.func[first])]) });
  const full = fullInverted.roots[0];
  assert.equal(opened.childStart[opened.roots[0] + 1] - opened.childStart[opened.roots[0]], fullInverted.childStart[full + 1] - fullInverted.childStart[full]);
});
