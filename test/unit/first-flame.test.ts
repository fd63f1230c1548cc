/**
 * The window's path to the first flame graph (issue 4's open time): the
 * analysis service asks for a new tab's analysis as the tab opens, before
 * any view does; the first answer may leave the hottest lines for later
 * (AnalyzeOptions.deferFuncLines) and the service merges them in when they
 * come; func stacks fold the same however they are indexed.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analyzer, type AnalysisRequest, type AnalysisResult } from '../../src-shared/analysis/analyzer';
import { computeFuncStacks, FuncStackBuilder } from '../../src-shared/analysis/func-stacks';
import { computeHottestLines } from '../../src-shared/analysis/function-lines';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';
import { analysisRequestOf, createAnalysisService } from '../../src-renderer/store/analysis-service';
import { createAppStore } from '../../src-renderer/store/app-store';
import { threadTotalsOf } from '../../src-renderer/store/derived';
import type { AnalysisClient, FuncLinesListener, ResultListener } from '../../src-renderer/workers/analysis-client';
import { analysisRequest } from './helpers-analysis';

/** main calls work from lines 10 (2 samples) and 12 (3, and 1 in main itself); work runs lines 5 (2) and 7 (3). */
function lineProfile(): Profile {
  const b = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 'x', weighted: false });
  const main = b.func('main', { file: 'a.c' });
  const work = b.func('work', { file: 'a.c' });
  const thread = b.thread(1, 1);
  const at = (func: number, line: number, address: number) => b.frame(func, { line, address });
  const stacks = [
    [at(main, 10, 0x10), at(work, 5, 0x50)],
    [at(main, 10, 0x14), at(work, 5, 0x50)],
    [at(main, 12, 0x20), at(work, 7, 0x70)],
    [at(main, 12, 0x20), at(work, 7, 0x70)],
    [at(main, 12, 0x20), at(work, 7, 0x70)],
    [at(main, 12, 0x24)],
  ];
  stacks.forEach((frames, i) => b.sample(b.stackFromRoot(frames), thread, i * 1e6));
  return b.finish();
}

const wholeProfile = analysisRequest();

test('func stacks: frames of one function fold into one stack per function path', () => {
  const profile = lineProfile();
  const { stacks, fromProfileStack } = computeFuncStacks(profile);
  // main, main>work: two func stacks, whatever the addresses and lines.
  assert.equal(stacks.length, 2);
  assert.deepEqual([...stacks.prefix], [-1, 0]);
  for (let s = 0; s < profile.stacks.length; s++) {
    const func = profile.frames.func[profile.stacks.frame[s]];
    assert.equal(stacks.func[fromProfileStack[s]], func);
  }
});

test('func stack builder: narrow and wide parents (past its walk limit), through growth, agree with a plain map', () => {
  const builder = new FuncStackBuilder(16);
  const reference = new Map<string, number>();
  // A deterministic mix: roots and a dispatcher (stack 0) with up to 200 distinct callees, deep chains elsewhere.
  let seed = 12345;
  const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 20_000; i++) {
    const size = builder.length;
    const prefix = size === 0 || random(10) === 0 ? -1 : random(3) === 0 ? 0 : random(size);
    const func = prefix === 0 ? random(200) : random(6);
    const key = `${prefix}:${func}`;
    const stack = builder.stack(prefix, func);
    const known = reference.get(key);
    if (known === undefined) {
      assert.equal(stack, reference.size, 'a new pair gets the next index');
      reference.set(key, stack);
    } else {
      assert.equal(stack, known, `pair ${key} found again`);
    }
    assert.equal(builder.funcOf(stack), func);
    assert.equal(builder.prefixOf(stack), prefix);
  }
  assert.equal(builder.length, reference.size);
  const table = builder.finish();
  for (const [key, stack] of reference) assert.equal(`${table.prefix[stack]}:${table.func[stack]}`, key);
});

test('deferred hottest lines: a stand-in first, the real ones from funcLines(), then in every later answer', () => {
  const profile = lineProfile();
  const analyzer = new Analyzer(profile);
  const first = analyzer.analyze(wholeProfile, { deferFuncLines: true });
  assert.equal(first.funcLinesPending, true);
  assert.deepEqual([...first.funcLines], [-1, -1]);
  assert.equal(first.tree.grandTotal, 6, 'the tree is complete without them');
  const lines = analyzer.funcLines();
  assert.deepEqual([...lines], [...computeHottestLines(profile)]);
  assert.deepEqual([...lines], [12, 7]);
  const later = analyzer.analyze(wholeProfile, { deferFuncLines: true });
  assert.equal(later.funcLinesPending, undefined, 'computed once: nothing to defer any more');
  assert.deepEqual([...later.funcLines], [12, 7]);
  assert.deepEqual([...new Analyzer(profile).analyze(wholeProfile).funcLines], [12, 7], 'without the option: as before');
});

/** A client that records what the service asks and lets the test answer, as the worker would. */
function fakeClient() {
  const asked: { profileId: number; request: AnalysisRequest; onResult: ResultListener }[] = [];
  const funcLinesListeners = new Map<number, FuncLinesListener>();
  const client: AnalysisClient = {
    open: (profileId, _profile, onFuncLines) => void (onFuncLines && funcLinesListeners.set(profileId, onFuncLines)),
    close: () => {},
    request: (profileId, request, onResult) => void asked.push({ profileId, request, onResult }),
    mode: () => 'worker',
  };
  return { client, asked, funcLinesListeners };
}

test('a new tab\'s analysis is asked for as it opens; the hottest lines are merged in when they come', () => {
  const profile = lineProfile();
  const store = createAppStore();
  const { client, asked, funcLinesListeners } = fakeClient();
  const service = createAnalysisService(store, client);
  store.getState().profileOpened(profile, 'x');
  const tabId = store.getState().activeTabId;

  // Asked before any view rendered, and exactly what the views will ask (so their request is no new one).
  assert.equal(asked.length, 1);
  const { view, selection } = store.getState();
  assert.deepEqual(asked[0].request, analysisRequestOf(profile, view, selection, threadTotalsOf(profile)));
  service.want(tabId, analysisRequestOf(profile, view, selection, threadTotalsOf(profile)));
  assert.equal(asked.length, 1, 'the views\' identical request is not sent again');

  const analyzer = new Analyzer(profile);
  const answer = (request: AnalysisRequest): AnalysisResult => analyzer.analyze(request, { deferFuncLines: true });
  asked[0].onResult(answer(asked[0].request), asked[0].request, 1);
  const first = service.store.getState().byTab.get(tabId)!.result!;
  assert.equal(first.funcLinesPending, true);

  funcLinesListeners.get(tabId)!(analyzer.funcLines());
  const merged = service.store.getState().byTab.get(tabId)!.result!;
  assert.notEqual(merged.funcLinesPending, true);
  assert.deepEqual([...merged.funcLines], [12, 7]);
  assert.equal(merged.tree, first.tree, 'the same tree: only the lines changed');

  // A later answer that came without them (another analyzer, say) gets the known ones.
  service.want(tabId, { ...asked[0].request, search: 'work' });
  const pending = new Analyzer(profile).analyze(asked[1].request, { deferFuncLines: true });
  asked[1].onResult(pending, asked[1].request, 1);
  assert.deepEqual([...service.store.getState().byTab.get(tabId)!.result!.funcLines], [12, 7]);
  service.dispose();
});
