/**
 * Transforms (src-shared/analysis/transforms.ts) on profiles written in the
 * collapsed-stack mini-language: each test prints the call tree after the
 * transform ("name total self", children indented) and compares it with the
 * expected picture.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCallTreeOfStacks, computeInvertedCallTreeOfStacks } from '../../src-shared/analysis/call-tree';
import { mapStackWeights } from '../../src-shared/analysis/func-stacks';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import {
  applyTransforms,
  describeTransform,
  transformFuncPath,
  type Transform,
} from '../../src-shared/analysis/transforms';
import type { Profile } from '../../src-shared/profile/model';
import { dedent, funcNamed, nameOf, printTree, profileFromText } from './helpers-analysis';

function treeAfter(profile: Profile, transforms: Transform[], inverted = false): string {
  const transformed = applyTransforms(profile, transforms);
  const weights = mapStackWeights(computeStackWeights(profile), transformed.fromProfileStack, transformed.stacks.length);
  const tree = inverted
    ? computeInvertedCallTreeOfStacks(transformed.stacks, weights)
    : computeCallTreeOfStacks(transformed.stacks, weights);
  return printTree(profile, tree);
}

const sample = `
  main;parse;lex 3
  main;parse 2
  main;render;lex 1
  main;render 4
`;

test('no transforms: the plain call tree', async () => {
  const profile = await profileFromText(sample);
  assert.equal(
    treeAfter(profile, []),
    dedent(`
      main 10 0
        parse 5 2
          lex 3 3
        render 5 4
          lex 1 1
    `),
  );
});

test('merge-function gives the function\'s time to its callers', async () => {
  const profile = await profileFromText(sample);
  const parse = funcNamed(profile, 'parse');
  assert.equal(
    treeAfter(profile, [{ type: 'merge-function', func: parse }]),
    dedent(`
      main 10 2
        render 5 4
          lex 1 1
        lex 3 3
    `),
  );
});

test('merge-function of the only function drops those samples; its callees become roots', async () => {
  const profile = await profileFromText(`
    main 2
    main;work 3
    other 1
  `);
  assert.equal(
    treeAfter(profile, [{ type: 'merge-function', func: funcNamed(profile, 'main') }]),
    dedent(`
      work 3 3
      other 1 1
    `),
  );
});

test('focus-function makes the function the root, merging every call of it', async () => {
  const profile = await profileFromText(sample);
  assert.equal(
    treeAfter(profile, [{ type: 'focus-function', func: funcNamed(profile, 'lex') }]),
    dedent(`
      lex 4 4
    `),
  );
  const deeper = await profileFromText(`
    main;a;work;x 2
    main;b;work;y 3
    main;b 5
    main;work;work;z 1
  `);
  // The outermost work is the root; the inner recursive call stays below it.
  assert.equal(
    treeAfter(deeper, [{ type: 'focus-function', func: funcNamed(deeper, 'work') }]),
    dedent(`
      work 6 0
        y 3 3
        x 2 2
        work 1 0
          z 1 1
    `),
  );
});

test('focus-subtree keeps one call path and makes its last function the root', async () => {
  const profile = await profileFromText(sample);
  const path = ['main', 'render'].map((name) => funcNamed(profile, name));
  assert.equal(
    treeAfter(profile, [{ type: 'focus-subtree', path, inverted: false }]),
    dedent(`
      render 5 4
        lex 1 1
    `),
  );
});

test('focus-subtree on the inverted tree keeps the callers of a leaf path and cuts the stack there', async () => {
  const profile = await profileFromText(sample);
  const path = ['lex', 'parse'].map((name) => funcNamed(profile, name));
  const transforms: Transform[] = [{ type: 'focus-subtree', path, inverted: true }];
  assert.equal(
    treeAfter(profile, transforms, true),
    dedent(`
      parse 3 3
        main 3 0
    `),
  );
  assert.equal(
    treeAfter(profile, transforms),
    dedent(`
      main 3 0
        parse 3 3
    `),
  );
});

test('merge-library removes every function of the library', async () => {
  const profile = await profileFromText(`
    main;printf;vfprintf;write 4
    main;printf 1
    main;compute 5
  `);
  // The collapsed format names no libraries: give printf and vfprintf one by hand.
  const libc = profile.strings.length;
  const strings = [...profile.strings, '/usr/lib/libc.so.6'];
  const library = profile.funcs.library.slice();
  library[funcNamed(profile, 'printf')] = libc;
  library[funcNamed(profile, 'vfprintf')] = libc;
  const withLibc: Profile = { ...profile, strings, funcs: { ...profile.funcs, library } };
  const transform: Transform = { type: 'merge-library', library: libc };
  assert.equal(
    treeAfter(withLibc, [transform]),
    dedent(`
      main 10 1
        compute 5 5
        write 4 4
    `),
  );
  assert.equal(describeTransform(transform, (f) => nameOf(withLibc, f), strings), 'Merge library: libc.so.6');
});

test('collapse-recursion keeps only the outermost call, even through other functions', async () => {
  const profile = await profileFromText(`
    main;fib;fib;fib;leaf 2
    main;fib;helper;fib;leaf 3
    main;fib;helper 1
  `);
  const fib = funcNamed(profile, 'fib');
  assert.equal(
    treeAfter(profile, [{ type: 'collapse-recursion', func: fib }]),
    dedent(`
      main 6 0
        fib 6 0
          leaf 5 5
          helper 1 1
    `),
  );
  assert.equal(
    treeAfter(profile, [{ type: 'collapse-direct-recursion', func: fib }]),
    dedent(`
      main 6 0
        fib 6 0
          helper 4 1
            fib 3 0
              leaf 3 3
          leaf 2 2
    `),
  );
});

test('drop-function drops every sample whose stack contains the function', async () => {
  const profile = await profileFromText(sample);
  assert.equal(
    treeAfter(profile, [{ type: 'drop-function', func: funcNamed(profile, 'lex') }]),
    dedent(`
      main 6 0
        render 4 4
        parse 2 2
    `),
  );
});

test('transforms compose in order', async () => {
  const profile = await profileFromText(sample);
  const transforms: Transform[] = [
    { type: 'focus-function', func: funcNamed(profile, 'main') },
    { type: 'merge-function', func: funcNamed(profile, 'render') },
    { type: 'drop-function', func: funcNamed(profile, 'parse') },
  ];
  assert.equal(
    treeAfter(profile, transforms),
    dedent(`
      main 5 4
        lex 1 1
    `),
  );
});

test('the time range and thread filter apply before the transforms', async () => {
  const profile = await profileFromText(sample);
  const transformed = applyTransforms(profile, [{ type: 'merge-function', func: funcNamed(profile, 'main') }]);
  // Only the first sample (main;parse;lex 3) is on thread 0 and kept by an index filter built by hand.
  const weights = computeStackWeights(profile);
  const onlyLex = new Float64Array(weights.length);
  const lexStack = profile.samples.stack[0];
  onlyLex[lexStack] = weights[lexStack];
  const tree = computeCallTreeOfStacks(transformed.stacks, mapStackWeights(onlyLex, transformed.fromProfileStack, transformed.stacks.length));
  assert.equal(
    printTree(profile, tree),
    dedent(`
      parse 3 0
        lex 3 3
    `),
  );
});

test('a selected call path follows the transform', async () => {
  const profile = await profileFromText(sample);
  const [main, parse, lex, render] = ['main', 'parse', 'lex', 'render'].map((name) => funcNamed(profile, name));
  const path = [main, parse, lex];
  assert.deepEqual(transformFuncPath(profile.funcs, path, { type: 'merge-function', func: parse }), [main, lex]);
  assert.deepEqual(transformFuncPath(profile.funcs, path, { type: 'focus-function', func: parse }), [parse, lex]);
  assert.deepEqual(transformFuncPath(profile.funcs, path, { type: 'focus-subtree', path: [main, parse], inverted: false }), [parse, lex]);
  assert.deepEqual(transformFuncPath(profile.funcs, path, { type: 'focus-subtree', path: [main, render], inverted: false }), []);
  assert.deepEqual(transformFuncPath(profile.funcs, path, { type: 'drop-function', func: lex }), []);
  assert.deepEqual(
    transformFuncPath(profile.funcs, [main, parse, render, parse, lex], { type: 'collapse-recursion', func: parse }),
    [main, parse, lex],
  );
});
