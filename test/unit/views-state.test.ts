/**
 * The analysis window's state and its pure drawing inputs: tabs keep their
 * own view state; transforms move the selection with them; the request to
 * the analysis follows the view; the time axis, activity buckets and
 * stack chart culling give the expected numbers.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analyzer } from '../../src-shared/analysis/analyzer';
import { CATEGORY_COUNT, Category, categoryOfLibrary } from '../../src-shared/analysis/categories';
import { computeThreadSamples } from '../../src-shared/analysis/threads';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';
import { visibleStackChartBoxes } from '../../src-renderer/canvas/stack-chart-layout';
import { addActivity, clearActivity, emptyActivity, stacksRunning } from '../../src-renderer/canvas/timeline-activity';
import { formatDuration, panBy, rulerTicks, tickStep, zoomAround } from '../../src-renderer/canvas/time-axis';
import { addActivityFast } from '../../src-renderer/canvas/timeline-pyramid';
import { analysisRequestOf } from '../../src-renderer/store/analysis-service';
import { createAppStore } from '../../src-renderer/store/app-store';
import { threadTotalsOf } from '../../src-renderer/store/derived';
import { flattenCallTree, hottestPathKeys } from '../../src-renderer/views/call-tree-rows';
import { analysisRequest, funcNamed, profileFromText } from './helpers-analysis';

/** One sample per millisecond on one thread, "path" per line in order. */
function timed(paths: string[]): Profile {
  const builder = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  const thread = builder.thread(7, 7, 'main', 'app');
  paths.forEach((path, i) => {
    const frames = path.split(';').map((name) => builder.frame(builder.func(name, name === 'memcpy' ? { library: '/usr/lib/libc.so.6' } : {})));
    builder.sample(builder.stackFromRoot(frames), thread, i * 1e6);
  });
  return builder.finish();
}

test('each open profile is a tab with its own view state; closing shows the neighbour', async () => {
  const store = createAppStore();
  const state = () => store.getState();
  const a = await profileFromText('main;a 1');
  const b = await profileFromText('main;b 1');
  state().profileOpened(a, 'a');
  state().rangeSelected({ start: 1, end: 2 });
  state().viewChanged({ mainView: 'call-tree', search: 'x' });
  const tabA = state().activeTabId;
  state().profileOpened(b, 'b');
  assert.equal(state().profile, b);
  assert.equal(state().view.range, null, 'a new tab starts afresh');
  assert.equal(state().view.mainView, 'flame');
  state().tabActivated(tabA);
  assert.equal(state().profile, a);
  assert.deepEqual(state().view.range, { start: 1, end: 2 });
  assert.equal(state().view.search, 'x');
  state().profileClosed();
  assert.equal(state().profile, b);
  assert.equal(state().tabs.length, 1);
  state().tabClosed(state().activeTabId);
  assert.equal(state().profile, null);
});

test('a memory profile opens on its allocation sites, a CPU profile on the flame graph', async () => {
  const builder = new ProfileBuilder({ format: 'dhat', kind: 'memory', unit: 'bytes', sourceName: 'm', weighted: true });
  const thread = builder.thread(1, 1, 'main');
  const stack = builder.stackFromRoot([builder.frame(builder.func('main')), builder.frame(builder.func('alloc'))]);
  builder.sample(stack, thread, NaN, 64);
  const one = Float64Array.of(64);
  builder.setAllocations({ length: 1, stack: Int32Array.of(stack), totalBytes: one, totalBlocks: Float64Array.of(1), peakBytes: one, endBytes: one, reads: one, writes: one, lifetime: one, temporary: Float64Array.of(NaN), timeline: null });
  const store = createAppStore();
  store.getState().profileOpened(builder.finish(), 'dhat-heap.json');
  assert.equal(store.getState().view.mainView, 'sites');
  store.getState().profileOpened(await profileFromText('main;a 1'), 'cpu');
  assert.equal(store.getState().view.mainView, 'flame');
});

test('adding a transform moves the selected path and the open rows with it; chips remove one at a time', async () => {
  const profile = await profileFromText('main;parse;lex 3\nmain;render 1');
  const [main, parse, lex, render] = ['main', 'parse', 'lex', 'render'].map((name) => funcNamed(profile, name));
  const store = createAppStore();
  const state = () => store.getState();
  state().profileOpened(profile, 'p');
  state().callNodeSelected([main, parse, lex]);
  assert.deepEqual([...state().view.expanded].sort(), ['0', '0,1'].map((k) => k.replace('0', String(main)).replace('1', String(parse))).sort());
  assert.equal(state().selection.selectedFunc, lex);
  state().transformAdded({ type: 'merge-function', func: parse });
  assert.deepEqual(state().view.selectedPath, [main, lex]);
  assert.ok(state().view.expanded.has(String(main)));
  state().transformAdded({ type: 'merge-function', func: parse });
  assert.equal(state().view.transforms.length, 1, 'the same transform twice is one chip');
  state().transformAdded({ type: 'drop-function', func: render });
  state().transformRemoved(0);
  assert.deepEqual(state().view.transforms, [{ type: 'drop-function', func: render }]);
});

test('the analysis request asks only for what the shown view needs', async () => {
  const profile = await profileFromText('main;a 1');
  const store = createAppStore();
  const state = () => store.getState();
  state().profileOpened(profile, 'p');
  const request = () => analysisRequestOf(profile, state().view, state().selection, threadTotalsOf(profile));
  assert.equal(request().inverted, false);
  state().viewChanged({ inverted: true });
  assert.equal(request().inverted, false, 'the flame graph needs no inverted tree');
  state().viewChanged({ mainView: 'call-tree' });
  assert.equal(request().inverted, true);
  state().functionSelected(1);
  assert.equal(request().sandwichFunc, -1);
  state().viewChanged({ mainView: 'sandwich' });
  assert.equal(request().sandwichFunc, 1);
  state().threadHiddenToggled(0);
  assert.deepEqual(request().threads, []);
});

test('call tree rows: open rows show their children; the hottest path opens to where time is spent', async () => {
  const profile = await profileFromText('main;parse;lex 3\nmain;parse 1\nmain;render 2');
  const tree = new Analyzer(profile).analyze(analysisRequest()).tree;
  const keys = hottestPathKeys(tree, tree.roots[0]);
  const main = funcNamed(profile, 'main');
  const parse = funcNamed(profile, 'parse');
  assert.deepEqual(keys, [`${main}`, `${main},${parse}`]);
  const rows = flattenCallTree(tree, new Set(keys));
  assert.deepEqual([...rows.depth], [0, 1, 2, 1]);
  assert.equal(flattenCallTree(tree, new Set()).length, 1);
});

test('time axis: zoom keeps the time under the pointer, pan stays in bounds, ticks are round', () => {
  const bounds = { start: 0, end: 1e9 };
  const zoomed = zoomAround(bounds, 250e6, 0.5, bounds);
  assert.deepEqual(zoomed, { start: 125e6, end: 625e6 });
  assert.deepEqual(panBy(zoomed, -1e9, bounds), { start: 0, end: 500e6 });
  assert.equal(tickStep(1e9, 1000, 90), 100e6);
  const ticks = rulerTicks({ start: 0, end: 1e9 }, 1000, 0);
  assert.deepEqual(
    ticks.map((t) => t.label).slice(0, 3),
    ['0 ms', '100 ms', '200 ms'],
  );
  assert.equal(formatDuration(1_500_000, 500_000), '1.5 ms');
  assert.equal(formatDuration(2e9, 1e9), '2 s');
  assert.equal(formatDuration(2_032_647_000, 1_000), '2,032,647 µs', 'long numbers grouped');
  assert.equal(formatDuration(1_250_000, 50_000), '1250 µs');
});

test('activity: each sample covers one interval of its bucket, by category; dropped and lit samples apart', () => {
  const profile = timed(['main;work', 'main;work', 'main;memcpy', 'main;work']);
  const interval = 1e6;
  const stackCategory = new Uint8Array(profile.stacks.length);
  for (let s = 0; s < profile.stacks.length; s++) {
    const func = profile.frames.func[profile.stacks.frame[s]];
    stackCategory[s] = categoryOfLibrary(profile.strings[profile.funcs.library[func]] ?? '');
  }
  const activity = emptyActivity(2);
  const stackFunc = Int32Array.from(profile.stacks.frame, (frame) => profile.frames.func[frame]);
  addActivity(activity, {
    threadSamples: computeThreadSamples(profile)[0],
    sampleStack: profile.samples.stack,
    stackCategory,
    keptStacks: null,
    highlightStacks: stacksRunning(profile.stacks.prefix, stackFunc, funcNamed(profile, 'memcpy')),
    view: { start: 0, end: 4e6 },
    buckets: 2,
    interval,
  });
  const at = (category: number, bucket: number) => activity.cpu[category * 2 + bucket];
  assert.equal(at(Category.user, 0), 1);
  assert.equal(at(Category.user, 1), 0.5);
  assert.equal(at(Category.library, 1), 0.5);
  assert.deepEqual([...activity.highlight], [0, 0.5]);
  assert.equal(CATEGORY_COUNT, 4);
});

test('stack chart culling draws at most one box per pixel column however many boxes there are', () => {
  // 10,000 alternating one-sample boxes in one row under main.
  const profile = timed(Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? 'main;a' : 'main;b')));
  const chart = new Analyzer(profile).analyze({
    range: null,
    threads: null,
    transforms: [],
    search: '',
    inverted: false,
    sandwichFunc: -1,
    stackChartThread: 0,
  }).stackChart!;
  assert.equal(chart.rowStart[2] - chart.rowStart[1], 10_000);
  const boxes = visibleStackChartBoxes(chart, { start: 0, end: 10_000e6 }, 500, 0, 5);
  const row1 = boxes.depth.subarray(0, boxes.count).filter((depth) => depth === 1).length;
  assert.ok(row1 > 100 && row1 <= 500, `${row1} boxes drawn in 500 px`);
  const zoomedIn = visibleStackChartBoxes(chart, { start: 0, end: 10e6 }, 500, 1, 1);
  assert.equal(zoomedIn.count, 10);
  assert.equal(zoomedIn.left[1], 50);
  // A spare frame lends its arrays when they have the room, and the boxes are the same as in new ones.
  const reused = visibleStackChartBoxes(chart, { start: 0, end: 10e6 }, 500, 1, 1, boxes);
  assert.equal(reused.box.buffer, boxes.box.buffer, "the spare frame's arrays are filled again");
  assert.notEqual(reused, boxes, 'a new frame object, so a view drawing on a change of it sees one');
  const fields = (b: typeof boxes) => [b.count, ...[b.box, b.depth, b.left, b.right].map((column) => Array.from(column.subarray(0, b.count)))];
  assert.deepEqual(fields(reused), fields(zoomedIn));
  const tooSmall = visibleStackChartBoxes(chart, { start: 0, end: 10_000e6 }, 500, 0, 5, zoomedIn);
  assert.notEqual(tooSmall.box.buffer, zoomedIn.box.buffer, 'a spare without the room is not used');
  assert.deepEqual(fields(tooSmall), fields(visibleStackChartBoxes(chart, { start: 0, end: 10_000e6 }, 500, 0, 5)));
});

test('the stack chart layout skips to the next pixel column exactly as walking every box would', () => {
  // One row of 20,000 boxes of random widths (a tenth of a pixel to tens of pixels), some with gaps.
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0, t = 0; i < 20_000; i++) {
    const length = random() < 0.9 ? 1 + random() * 20 : 50 + random() * 4000;
    t += random() < 0.1 ? random() * 30 : 0;
    start.push(t);
    end.push(t + length);
    t += length;
  }
  const chart = {
    thread: 0,
    length: start.length,
    start: Float64Array.from(start),
    end: Float64Array.from(end),
    func: new Int32Array(start.length),
    rowStart: Int32Array.from([0, start.length]),
    depthCount: 1,
    startTime: 0,
    endTime: end[end.length - 1],
  };
  for (const view of [{ start: 0, end: chart.endTime }, { start: chart.endTime * 0.3, end: chart.endTime * 0.31 }, { start: 12_345, end: 500_000 }]) {
    const width = 900;
    const scale = width / (view.end - view.start);
    // Every box, in order: one wider than a pixel is drawn as it is; one thinner takes its pixel column, and
    // the boxes that end before the next column are under it.
    const expected: number[][] = [];
    let nextColumnTime = -Infinity;
    for (let box = 0; box < chart.length; box++) {
      if (chart.end[box] <= view.start || chart.start[box] >= view.end || chart.end[box] <= nextColumnTime) continue;
      const left = Math.max(0, (chart.start[box] - view.start) * scale);
      const right = Math.min(width, (chart.end[box] - view.start) * scale);
      if (right - left >= 1) {
        expected.push([box, left, right]);
      } else {
        expected.push([box, Math.floor(left), Math.floor(left) + 1]);
        nextColumnTime = view.start + (Math.floor(left) + 1) / scale;
      }
    }
    const boxes = visibleStackChartBoxes(chart, view, width, 0, 0);
    const actual = Array.from({ length: boxes.count }, (_, i) => [boxes.box[i], boxes.left[i], boxes.right[i]]);
    assert.ok(expected.length > 100, `${expected.length} boxes in view`);
    assert.deepEqual(actual, expected);
  }
});

test('the activity pyramid gives the same graph as reading every sample', () => {
  // 20,000 samples at 1 ms, category by position, so the graph has structure.
  const paths = Array.from({ length: 20_000 }, (_, i) => (i % 7 < 2 ? 'main;memcpy' : 'main;work'));
  const profile = timed(paths);
  const stackCategory = new Uint8Array(profile.stacks.length);
  for (let s = 0; s < profile.stacks.length; s++) {
    const func = profile.frames.func[profile.stacks.frame[s]];
    stackCategory[s] = categoryOfLibrary(profile.strings[profile.funcs.library[func]] ?? '');
  }
  const threadSamples = computeThreadSamples(profile)[0];
  const stacksWith = (name: string) =>
    Uint8Array.from({ length: profile.stacks.length }, (_, s) => (profile.strings[profile.funcs.name[profile.frames.func[profile.stacks.frame[s]]]] === name ? 1 : 0));
  const view = { start: 1234e6, end: 17_000e6 };
  // Without transforms or highlight; then two highlighted functions in turn over one kept set (the
  // pyramid is shared, the highlight channel is not), and the transforms' dropped stacks.
  const cases = [
    { keptStacks: null, highlightStacks: null, lit: false },
    { keptStacks: null, highlightStacks: stacksWith('memcpy'), lit: true },
    { keptStacks: null, highlightStacks: stacksWith('work'), lit: true },
    { keptStacks: stacksWith('work'), highlightStacks: stacksWith('work'), lit: true },
    // Dropped samples are not lit.
    { keptStacks: stacksWith('work'), highlightStacks: stacksWith('memcpy'), lit: false },
  ];
  for (const { keptStacks, highlightStacks, lit } of cases) {
    const source = { threadSamples, sampleStack: profile.samples.stack, stackCategory, keptStacks, highlightStacks, interval: 1e6 };
    const direct = emptyActivity(300);
    addActivity(direct, { ...source, view, buckets: 300 });
    const fast = emptyActivity(300);
    addActivityFast(fast, source, view);
    // Bins are spread evenly over the pixels they overlap: a little smoothing, never a different graph.
    const near = (name: string, a: Float32Array, b: Float32Array) => {
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 0.05, `${name}[${i}]: ${a[i]} vs ${b[i]}`);
    };
    near('cpu', direct.cpu, fast.cpu);
    near('dropped', direct.dropped, fast.dropped);
    near('highlight', direct.highlight, fast.highlight);
    const sum = (a: Float32Array) => a.reduce((x, y) => x + y, 0);
    assert.equal(sum(fast.highlight) > 10, lit, `highlighted time ${sum(fast.highlight)}`);
    if (keptStacks !== null) assert.ok(sum(fast.dropped) > 10, 'the transforms dropped some samples in the window');
    assert.deepEqual(fast.hasSample, direct.hasSample);
    // A track refills one set of buffers on every wheel step: cleared, they hold only the new view.
    const reused = emptyActivity(300);
    addActivityFast(reused, source, view);
    clearActivity(reused);
    addActivityFast(reused, source, { start: 30_000e6, end: 40_000e6 }); // after the last sample
    assert.deepEqual(reused, emptyActivity(300), 'nothing of the view before is left');
    clearActivity(reused);
    addActivityFast(reused, source, view);
    assert.deepEqual(reused, fast);
  }
});

test('switching the main view clears the hovered function (the view that set it goes away without a mouseleave)', async () => {
  const store = createAppStore();
  const state = () => store.getState();
  state().profileOpened(await profileFromText('main;a 1'), 'a');
  state().functionHovered(0);
  state().viewChanged({ search: 'a' });
  assert.equal(state().hoveredFunc, 0, 'a change within the view keeps it');
  state().viewChanged({ mainView: 'flame' });
  assert.equal(state().hoveredFunc, 0, 'the same view again keeps it');
  state().viewChanged({ mainView: 'call-tree' });
  assert.equal(state().hoveredFunc, -1);
});
