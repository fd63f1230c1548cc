/** The per-function hottest line behind the flame graph tooltip's file:line (src-shared/analysis/function-lines.ts). */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeHottestLines } from '../../src-shared/analysis/function-lines';
import { ProfileBuilder } from '../../src-shared/profile/builder';

test('a leaf takes the line it burns time on, a caller its busiest call site; recursion counts once', () => {
  const b = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 'x', weighted: false });
  const main = b.func('main', { file: 'a.c' });
  const walk = b.func('walk', { file: 'a.c' });
  const leaf = b.func('leaf', { file: 'b.c' });
  const noLines = b.func('stripped', { library: 'libx.so' });
  const thread = b.thread(1, 1);
  const at = (func: number, line: number) => b.frame(func, { line });
  // main calls walk from line 10 (one sample) and line 12 (two samples);
  // walk recurses through its line 30, then calls leaf, which runs line 5 twice and line 7 once.
  b.sample(b.stackFromRoot([at(main, 10), at(walk, 30), at(leaf, 7)]), thread, 1);
  b.sample(b.stackFromRoot([at(main, 12), at(walk, 30), at(walk, 30), at(walk, 31), at(leaf, 5)]), thread, 2);
  b.sample(b.stackFromRoot([at(main, 12), at(walk, 31), at(leaf, 5)]), thread, 3);
  b.sample(b.stackFromRoot([at(main, 12), b.frame(noLines)]), thread, 4);
  const lines = computeHottestLines(b.finish());
  assert.equal(lines[main], 12, 'main: three samples pass line 12, one passes line 10');
  assert.equal(lines[leaf], 5);
  // walk: line 30 in two samples (the recursion's repeat counts once), line 31 in two: the tie goes to the lower line.
  assert.equal(lines[walk], 30);
  assert.equal(lines[noLines], -1);
});
