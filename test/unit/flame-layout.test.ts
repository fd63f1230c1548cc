/**
 * The flame graph's pure layout and geometry (src-renderer/canvas): box
 * positions, widths and depths on small profiles written as collapsed
 * stacks, zooming, the pixel threshold, orientation and hit testing.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCallTree, type CallTree } from '../../src-shared/analysis/call-tree';
import { computeStackWeights } from '../../src-shared/analysis/sample-filter';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';
import { depthAtY, scrollHeight, yOfDepth, type FlameViewport } from '../../src-renderer/canvas/flame-geometry';
import {
  boxAt,
  computeFlameLayout,
  funcPathOfNode,
  nodeOfFuncPath,
  rowFromTop,
  type FlameLayout,
  type FlameLayoutOptions,
} from '../../src-renderer/canvas/flame-layout';

/** "main;parse;lex 30" lines, root first, as collapsed stacks: one weighted sample per line. */
function profileFrom(text: string): Profile {
  const b = new ProfileBuilder({ format: 'collapsed', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: true });
  const thread = b.thread(1, 1, 'main');
  for (const line of text.trim().split('\n')) {
    const [path, weight] = line.trim().split(' ');
    const frames = path.split(';').map((name) => b.frame(b.func(name)));
    b.sample(b.stackFromRoot(frames), thread, NaN, Number(weight));
  }
  return b.finish();
}

function treeOf(profile: Profile): CallTree {
  return computeCallTree(profile, computeStackWeights(profile));
}

const wide: Omit<FlameLayoutOptions, 'zoomNode'> = { orientation: 'root-bottom', viewportWidth: 1000, minBoxWidth: 1 };

/** Each box as "depth name x+width", rounded, in output order: what a reader checks by eye. */
function describe(profile: Profile, tree: CallTree, layout: FlameLayout): string[] {
  const out: string[] = [];
  for (let i = 0; i < layout.length; i++) {
    const name = profile.strings[profile.funcs.name[tree.func[layout.node[i]]]];
    out.push(`${layout.depth[i]} ${name} ${+layout.x[i].toFixed(3)}+${+layout.width[i].toFixed(3)}`);
  }
  return out;
}

function nodeNamed(profile: Profile, tree: CallTree, path: string): number {
  const funcs = path.split(';').map((name) => profile.strings.indexOf(name)).map((s) => profile.funcs.name.indexOf(s));
  const node = nodeOfFuncPath(tree, funcs);
  assert.deepEqual(funcPathOfNode(tree, node), funcs, `no node at ${path}`);
  return node;
}

const example = `
  main;parse;lex 30
  main;parse 10
  main;render;draw 50
  main 10
`;

test('boxes are laid out row by row, children hottest first inside their parent, self as the gap', () => {
  const profile = profileFrom(example);
  const tree = treeOf(profile);
  const layout = computeFlameLayout(tree, { ...wide, zoomNode: -1 });
  assert.deepEqual(describe(profile, tree, layout), [
    '0 main 0+1',
    '1 render 0+0.5',
    '1 parse 0.5+0.4',
    '2 draw 0+0.5',
    '2 lex 0.5+0.3',
  ]);
  assert.equal(layout.depthCount, 3);
  assert.deepEqual(Array.from(layout.rowStart), [0, 1, 3, 5]);
  assert.equal(layout.zoomDepth, 0);
});

test('several roots share the first row in proportion to their totals', () => {
  const profile = profileFrom(`
    a;x 3
    b 1
  `);
  const tree = treeOf(profile);
  const layout = computeFlameLayout(tree, { ...wide, zoomNode: -1 });
  assert.deepEqual(describe(profile, tree, layout), ['0 a 0+0.75', '0 b 0.75+0.25', '1 x 0+0.75']);
});

test('zooming makes the node full width and keeps its ancestors as full-width context rows', () => {
  const profile = profileFrom(example);
  const tree = treeOf(profile);
  const parse = nodeNamed(profile, tree, 'main;parse');
  const layout = computeFlameLayout(tree, { ...wide, zoomNode: parse });
  assert.deepEqual(describe(profile, tree, layout), ['0 main 0+1', '1 parse 0+1', '2 lex 0+0.75']);
  assert.equal(layout.zoomDepth, 1);
  assert.equal(layout.depthCount, 3);
});

test('boxes narrower than the pixel threshold are left out, with everything above them', () => {
  const profile = profileFrom(`
    main;big;deep 990
    main;small;deeper 9
    main;tiny 1
  `);
  const tree = treeOf(profile);
  // 1000 px wide: small is 9 px, tiny 1 px.
  const names = (minBoxWidth: number) =>
    describe(profile, tree, computeFlameLayout(tree, { ...wide, minBoxWidth, zoomNode: -1 })).map((d) => d.split(' ')[1]);
  assert.deepEqual(names(1), ['main', 'big', 'small', 'tiny', 'deep', 'deeper']);
  assert.deepEqual(names(2), ['main', 'big', 'small', 'deep', 'deeper']);
  assert.deepEqual(names(10), ['main', 'big', 'deep']);
  // Zooming into small makes it wide enough to show its child again.
  const small = nodeNamed(profile, tree, 'main;small');
  const zoomed = computeFlameLayout(tree, { ...wide, minBoxWidth: 10, zoomNode: small });
  assert.deepEqual(describe(profile, tree, zoomed), ['0 main 0+1', '1 small 0+1', '2 deeper 0+1']);
});

test('an empty tree or a zero-width viewport gives no boxes', () => {
  const profile = profileFrom('main 5');
  const tree = treeOf(profile);
  assert.equal(computeFlameLayout(tree, { ...wide, viewportWidth: 0, zoomNode: -1 }).length, 0);
  const empty = new ProfileBuilder({ format: 'collapsed', kind: 'cpu', unit: 'samples', sourceName: 'e', weighted: false });
  const layout = computeFlameLayout(treeOf(empty.finish()), { ...wide, zoomNode: -1 });
  assert.equal(layout.length, 0);
  assert.equal(layout.depthCount, 0);
});

test('hit testing finds the box under a point, and nothing in the gaps', () => {
  const profile = profileFrom(example);
  const tree = treeOf(profile);
  const layout = computeFlameLayout(tree, { ...wide, zoomNode: -1 });
  const nameAt = (depth: number, x: number) => {
    const box = boxAt(layout, depth, x);
    return box === -1 ? null : profile.strings[profile.funcs.name[tree.func[layout.node[box]]]];
  };
  assert.equal(nameAt(0, 0), 'main');
  assert.equal(nameAt(0, 0.999), 'main');
  assert.equal(nameAt(1, 0.25), 'render');
  assert.equal(nameAt(1, 0.5), 'parse');
  assert.equal(nameAt(1, 0.95), null, "main's self weight is a gap");
  assert.equal(nameAt(2, 0.79), 'lex');
  assert.equal(nameAt(2, 0.81), null);
  assert.equal(nameAt(3, 0.1), null);
  assert.equal(nameAt(-1, 0.1), null);
});

test('orientation decides which row the root is drawn on, and geometry maps rows to pixels and back', () => {
  const profile = profileFrom(example);
  const tree = treeOf(profile);
  const flame = computeFlameLayout(tree, { ...wide, zoomNode: -1 });
  const icicle = computeFlameLayout(tree, { ...wide, orientation: 'root-top', zoomNode: -1 });
  assert.equal(rowFromTop(flame, 0), 2);
  assert.equal(rowFromTop(icicle, 0), 0);

  // Three rows of 20 px in a 100 px viewport: a flame graph rests on the floor, an icicle hangs from the top.
  const viewport: FlameViewport = { width: 1000, height: 100, scrollTop: 0, rowHeight: 20 };
  assert.equal(yOfDepth(flame, 0, viewport), 80);
  assert.equal(yOfDepth(flame, 2, viewport), 40);
  assert.equal(yOfDepth(icicle, 0, viewport), 0);
  assert.equal(depthAtY(flame, 85, viewport), 0);
  assert.equal(depthAtY(flame, 45, viewport), 2);
  assert.equal(depthAtY(flame, 10, viewport), -1, 'empty space above the flames');
  assert.equal(depthAtY(icicle, 25, viewport), 1);
  assert.equal(scrollHeight(flame, viewport), 100);

  // Deeper than the viewport: it scrolls, and scrolling moves the rows.
  const short: FlameViewport = { width: 1000, height: 40, scrollTop: 20, rowHeight: 20 };
  assert.equal(scrollHeight(flame, short), 60);
  assert.equal(yOfDepth(flame, 0, short), 20);
  assert.equal(depthAtY(flame, 5, short), 1);
});

test('a zoom remembered as a path of functions resolves as far as the tree allows', () => {
  const profile = profileFrom(example);
  const tree = treeOf(profile);
  const func = (name: string) => profile.funcs.name.indexOf(profile.strings.indexOf(name));
  const lex = nodeNamed(profile, tree, 'main;parse;lex');
  assert.deepEqual(funcPathOfNode(tree, lex), [func('main'), func('parse'), func('lex')]);
  assert.equal(nodeOfFuncPath(tree, [func('main'), func('parse'), func('lex')]), lex);
  // A path whose tail is gone (say, after filtering) stops at the deepest node that exists.
  assert.equal(nodeOfFuncPath(tree, [func('main'), func('parse'), func('draw')]), nodeNamed(profile, tree, 'main;parse'));
  assert.equal(nodeOfFuncPath(tree, [func('lex')]), -1);
  assert.equal(nodeOfFuncPath(tree, []), -1);
  assert.deepEqual(funcPathOfNode(tree, -1), []);
});
