/**
 * annotateFunction on a hand-built profile whose per-line numbers can be
 * worked out on paper: a kernel leaf with no file (skipped when picking the
 * hottest), an inlined helper in another file, and recursion through a line.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotateFunction, formatAnnotationText, type Annotation } from '../../src-shared/annotate';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';

function buildProfile(): Profile {
  const b = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  const main = b.func('main', { file: '/src/app.c' });
  const hot = b.func('hot', { file: '/src/app.c' });
  const helper = b.func('helper', { file: '/src/util.h', startLine: 2 });
  const rec = b.func('rec', { file: '/src/app.c' });
  const kernel = b.func('kfunc', { kind: 1 });
  const at = (func: number, line: number, inlineDepth = 0) => b.frame(func, { line, inlineDepth });
  const thread = b.thread(1, 1, 'app');
  const add = (frames: number[], count: number) => {
    const stack = b.stackFromRoot(frames);
    for (let i = 0; i < count; i++) b.sample(stack, thread);
  };
  add([at(main, 10), at(hot, 20)], 5);
  add([at(main, 10), at(hot, 21)], 2);
  add([at(main, 10), at(hot, 22), at(helper, 5, 1)], 3); // helper inlined at hot's line 22
  add([at(main, 12), at(rec, 30), at(rec, 30), at(rec, 31)], 2);
  add([at(main, 10), at(hot, 20), at(kernel, -1)], 6);
  return b.finish();
}

function annotate(profile: Profile, functionName?: string): Annotation {
  const result = annotateFunction(profile, computeStackWeights(profile), { functionName });
  if (!result.ok) throw new Error(result.error);
  return result.annotation;
}

const costed = (a: Annotation) => a.lines.filter((l) => l.total > 0).map((l) => `${l.line} ${l.self} ${l.total}`);

test('the default is the hottest function by self that has lines; a file-less kernel leaf is skipped', async () => {
  const a = annotate(buildProfile());
  assert.equal(a.func.name, 'hot');
  assert.equal(a.file, '/src/app.c');
  assert.deepEqual(a.func, { name: 'hot', self: 7, total: 16 });
  assert.equal(a.grandTotal, 18);
  // Line 20: self 5 (the leaf), total 5 + the 6 kernel samples below it. Line 22: the inlined helper's 3, as total only.
  assert.deepEqual(costed(a), ['20 5 11', '21 2 2', '22 0 3']);
  assert.equal(a.hottestLine, 20);
  assert.equal(a.firstLine, 17, 'three lines of context above');
  assert.equal(a.lastLine, 25, 'and below');
  assert.equal(a.lines.length, 9, 'every line of the range, context included');
});

test('recursion through a line counts once in its total', async () => {
  const a = annotate(buildProfile(), 'rec');
  assert.deepEqual(costed(a), ['30 0 2', '31 2 2']);
  assert.equal(a.hottestLine, 31);
});

test('an inlined helper is annotated in its own file, from its start line when known', async () => {
  const a = annotate(buildProfile(), 'helper');
  assert.equal(a.file, '/src/util.h');
  assert.deepEqual(costed(a), ['5 3 3']);
  assert.equal(a.firstLine, 1, 'start line 2 less the context, never below 1');
  assert.equal(a.lastLine, 8);
});

test('an unknown name, and a function without lines, are errors', async () => {
  const profile = buildProfile();
  const unknown = annotateFunction(profile, computeStackWeights(profile), { functionName: 'nope' });
  assert.deepEqual(unknown, { ok: false, error: 'no function named "nope" in this profile' });
  const noLines = annotateFunction(profile, computeStackWeights(profile), { functionName: 'kfunc' });
  assert.equal(noLines.ok, false);
  assert.match(noLines.ok ? '' : noLines.error, /kfunc has no sampled source lines/);
});

test('text: percentages of the profile total beside the source; without source only costed lines', async () => {
  const a = annotate(buildProfile(), 'rec');
  const source = Array.from({ length: 40 }, (_, i) => `code ${i + 1}`);
  const text = formatAnnotationText(a, source).split('\n');
  assert.match(text[0], /^rec {2}\(\/src\/app\.c\) {2}self 11\.11% {2}total 11\.11% {2}of 18 samples$/);
  assert.equal(text.length, 2 + (a.lastLine - a.firstLine + 1));
  assert.ok(text.includes('           11.11  30: code 30'), text.join('\n'));
  assert.ok(text.includes('  11.11    11.11  31: code 31'), text.join('\n'));
  assert.ok(text.includes('                  27: code 27'), 'context lines have blank costs');

  const bare = formatAnnotationText(a, null).split('\n');
  assert.deepEqual(bare.slice(2), ['           11.11  30:', '  11.11    11.11  31:']);
});
