/**
 * The collapsed-stacks importer, and through it the analysis in src-shared:
 * collapsed stacks double as a text mini-language for profiles
 * ("main;foo;bar 10" = 10 samples of that path), so derivations are checked
 * by comparing printed call trees and cost tables with expected text.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childrenOf, computeCallTree, computeInvertedCallTree, type CallTree } from '../../src-shared/analysis/call-tree';
import { computeFunctionCosts, functionsBySelf } from '../../src-shared/analysis/function-costs';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { FuncKind, type Profile } from '../../src-shared/profile/model';
import { buildReport } from '../../src-shared/report';
import { collapsedImporter } from '../../src-main/import/collapsed';
import { perfScriptImporter } from '../../src-main/import/perf-script';
import { bytesSource } from '../../src-main/import/source';

const encode = (text: string) => new TextEncoder().encode(text);

/** A profile from collapsed-stack text; indentation is stripped so tests can indent. */
function profileFromText(text: string): Promise<Profile> {
  const lines = text.split('\n').map((line) => line.trim());
  return collapsedImporter.import(bytesSource('test.collapsed', encode(lines.join('\n'))), {});
}

const nameOf = (profile: Profile, func: number) => profile.strings[profile.funcs.name[func]];

/** One line per node, "name total self", children indented under parents, hottest first. */
function printTree(profile: Profile, tree: CallTree): string {
  const out: string[] = [];
  const visit = (node: number) => {
    out.push(`${'  '.repeat(tree.depth[node])}${nameOf(profile, tree.func[node])} ${tree.total[node]} ${tree.self[node]}`);
    for (const child of childrenOf(tree, node)) visit(child);
  };
  for (const root of tree.roots) visit(root);
  return out.join('\n');
}

/** One line per function, "name self total", by self. */
function printFunctionCosts(profile: Profile): string {
  const costs = computeFunctionCosts(profile, computeStackWeights(profile));
  return functionsBySelf(costs)
    .map((f) => `${nameOf(profile, f)} ${costs.self[f]} ${costs.total[f]}`)
    .join('\n');
}

const dedent = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n');

test('each line is one sample weighted by its count; root first', async () => {
  const profile = await profileFromText(`
    main;parse;lex 3
    main;parse 2
    main;render 5
  `);
  assert.equal(profile.meta.format, 'collapsed');
  assert.equal(profile.meta.kind, 'cpu');
  assert.equal(profile.meta.unit, 'samples');
  assert.equal(profile.samples.length, 3);
  assert.deepEqual([...(profile.samples.weight ?? [])], [3, 2, 5]);
  assert.ok(profile.samples.time.every(Number.isNaN), 'no times');
  assert.ok(Number.isNaN(profile.meta.startTime));
  assert.equal(profile.threads.length, 1);
  assert.equal(buildReport(profile).total, 10);
});

test('call tree, inverted tree and function costs print as expected', async () => {
  const profile = await profileFromText(`
    main;parse;lex 3
    main;parse 2
    main;render;lex 1
    main;render 4
  `);
  const weights = computeStackWeights(profile);
  assert.equal(
    printTree(profile, computeCallTree(profile, weights)),
    dedent(`
    main 10 0
      parse 5 2
        lex 3 3
      render 5 4
        lex 1 1
    `),
  );
  assert.equal(
    printTree(profile, computeInvertedCallTree(profile, weights)),
    dedent(`
    lex 4 4
      parse 3 0
        main 3 0
      render 1 0
        main 1 0
    render 4 4
      main 4 0
    parse 2 2
      main 2 0
    `),
  );
  // Equal self (render, lex): the larger total comes first.
  assert.equal(
    printFunctionCosts(profile),
    dedent(`
    render 4 5
    lex 4 4
    parse 2 5
    main 0 10
    `),
  );
});

test('recursion counts once in a function total, but every level shows in the tree', async () => {
  const profile = await profileFromText(`
    main;fib;fib;fib 6
    main;fib;fib 3
    main;other 1
  `);
  assert.equal(
    printFunctionCosts(profile),
    dedent(`
    fib 9 9
    other 1 1
    main 0 10
    `),
  );
  assert.equal(
    printTree(profile, computeCallTree(profile, computeStackWeights(profile))),
    dedent(`
    main 10 0
      fib 9 0
        fib 9 3
          fib 6 6
      other 1 1
    `),
  );
});

test('names may contain spaces, parentheses and colons; the count is the last token', async () => {
  const profile = await profileFromText(`
    Web Content;std::vector<int, std::allocator<int> >::push_back(int const&) 7
    Web Content;operator new(unsigned long) 2
  `);
  assert.equal(
    printFunctionCosts(profile),
    dedent(`
    std::vector<int, std::allocator<int> >::push_back(int const&) 7 7
    operator new(unsigned long) 2 2
    Web Content 0 9
    `),
  );
});

test('stackcollapse-perf tags: _[k] kernel, _[j] JIT, _[i] inlined into the caller; the tag leaves the name', async () => {
  const profile = await profileFromText(`
    main;helper_[i];deeper_[i];read_[k];sys_read_[k] 4
    main;jitted_[j] 1
    main;main_[k] 1
  `);
  const kinds = new Map<string, number[]>();
  for (let f = 0; f < profile.funcs.length; f++) {
    kinds.set(nameOf(profile, f), [...(kinds.get(nameOf(profile, f)) ?? []), profile.funcs.kind[f]]);
  }
  assert.deepEqual(kinds.get('sys_read'), [FuncKind.kernel]);
  assert.deepEqual(kinds.get('read'), [FuncKind.kernel]);
  assert.deepEqual(kinds.get('jitted'), [FuncKind.jit]);
  assert.deepEqual(kinds.get('helper'), [FuncKind.native]);
  // "main" and "main_[k]" are different functions: same name, different kind.
  assert.deepEqual(kinds.get('main')?.sort(), [FuncKind.native, FuncKind.kernel]);

  const depthOf = (name: string) => {
    for (let fr = 0; fr < profile.frames.length; fr++) if (nameOf(profile, profile.frames.func[fr]) === name) return profile.frames.inlineDepth[fr];
    return -1;
  };
  assert.equal(depthOf('main'), 0);
  assert.equal(depthOf('helper'), 1);
  assert.equal(depthOf('deeper'), 2);
  assert.equal(depthOf('read'), 0);
});

test('CRLF line ends, blank lines and decimal and zero counts', async () => {
  const profile = await collapsedImporter.import(bytesSource('crlf', encode('a;b 1.5\r\n\r\na;c 0\r\na 2\r\n')), {});
  assert.deepEqual([...(profile.samples.weight ?? [])], [1.5, 0, 2]);
  assert.equal(
    printFunctionCosts(profile),
    dedent(`
    a 2 3.5
    b 1.5 1.5
    `),
  );
});

test('malformed lines name their line; an unterminated bad last line is a truncated file', async () => {
  const cases: [string, RegExp][] = [
    ['main;a 1\nmain;b\n', /^line 2: expected "frame;frame;\.\.\. count"$/],
    ['main;a 1\nmain;b -3\n', /^line 2: the count "-3" is not a non-negative number$/],
    ['main;a 1\nmain;;b 3\n', /^line 2: empty function name/],
    ['main;a 1\n\tmain;b 3\n', /^line 2: starts with whitespace$/],
    ['main;a 1\nmain;a 0x10\n', /^line 2: the count "0x10"/],
    ['main;a 1\nmain;b 2\nmain;c', /^truncated at line 3: /],
    ['main;a 1\nmain;b 2\nmain;c 1', /^$/], // a last line without newline that parses is fine
  ];
  for (const [text, expected] of cases) {
    const result = collapsedImporter.import(bytesSource('bad', encode(text)), {});
    if (expected.source === '^$') {
      assert.equal((await result).samples.length, 3);
      continue;
    }
    await assert.rejects(result, (error: Error) => error.name === 'ImportError' && expected.test(error.message), text);
  }
});

test('a file of blank lines has no samples', async () => {
  await assert.rejects(collapsedImporter.import(bytesSource('blank', encode('\n\n  \n')), {}), {
    name: 'ImportError',
    message: 'no samples',
  });
});

test('sniff: claims collapsed stacks, not perf script, prose, or binary data', () => {
  const yes = ['main;foo;bar 42\nmain;foo 3\n', 'swapper;[unknown] 1\n', 'java;Interpreter_[j];read_[k] 5\n', 'a;b 1'];
  const no = [
    'cpu_hot  5703   529.208851:    1000000 cpu-clock: \n\t            11db work_40+0xb (/tmp/cpu_hot)\n\n',
    '         cpu_hot  6387   587.803729: cpu-clock:      558cd36c720e work_40 (/tmp/hl/cpu_hot)\n',
    'version 2\nrelease 3\n', // numbers at line ends, but no stack anywhere
    'Hello world;\nThis is a README with 3 lines\n',
    '{"samples": [1, 2, 3]}\n',
    '',
  ];
  for (const text of yes) assert.equal(collapsedImporter.sniff(encode(text)), true, text);
  for (const text of no) assert.equal(collapsedImporter.sniff(encode(text)), false, text);
  assert.equal(collapsedImporter.sniff(new Uint8Array([0x61, 0x3b, 0x62, 0x20, 0x31, 0x0a, 0x00])), false, 'NUL byte');
  // And the other way round: perf script's sniff leaves collapsed stacks alone.
  for (const text of yes) assert.equal(perfScriptImporter.sniff(encode(text)), false, text);
});
