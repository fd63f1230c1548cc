/**
 * The window's open/export rules and its store, against a fake host:
 * a failed open keeps the previous profile and shows the host's line, a
 * cancelled one shows nothing, opens asked for meanwhile wait their turn, Electron
 * opens dropped files by path, browser mode uploads bytes, exports go through
 * the native dialog or a download. Also the function table's sort.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createProfileActions,
  exportFileName,
  randomTaskId,
  type ProfileActionsDeps,
} from '../../src-renderer/actions/profile-actions';
import { createAppStore } from '../../src-renderer/store/app-store';
import { funcNamesOf, functionCostsOf, sortFunctions } from '../../src-renderer/store/derived';
import { defaultSourceSelection } from '../../src-renderer/store/source-state';
import type { SitesPreview } from '../../src-shared/analysis/sites-preview';
import type { EventPayload, HostClient, HostEventName, HostInfo, OpenedProfile } from '../../src-shared/contract';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';

function profileFrom(text: string, name = 't.txt'): Profile {
  const b = new ProfileBuilder({ format: 'collapsed', kind: 'cpu', unit: 'samples', sourceName: name, weighted: true });
  const thread = b.thread(1, 1, 'main');
  for (const line of text.trim().split('\n')) {
    const [path, weight] = line.trim().split(' ');
    b.sample(b.stackFromRoot(path.split(';').map((n) => b.frame(b.func(n)))), thread, NaN, Number(weight));
  }
  return b.finish();
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A host whose calls are recorded and answered by the test. */
function fakeHost(info: Partial<HostInfo> = {}) {
  const calls: { name: string; args: Record<string, unknown> }[] = [];
  const answers = new Map<string, Deferred<unknown>>();
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  const answer = (taskId: string) => {
    let entry = answers.get(taskId);
    if (!entry) answers.set(taskId, (entry = deferred()));
    return entry;
  };
  const record = (name: string) => (args: Record<string, unknown>) => {
    calls.push({ name, args });
    if (name === 'getHostInfo') {
      return Promise.resolve({ mode: 'browser', platform: 'linux', version: '0', canOpenPaths: false, nativeDialogs: false, ...info });
    }
    if (name === 'openFile' || name === 'openBytes' || name === 'openUpload') return answer(args.taskId as string).promise;
    if (name === 'showOpenDialog') return Promise.resolve(['/data/chosen.perf']);
    return Promise.resolve(null);
  };
  // Only browser mode's client has openUpload (a File posted as it is).
  const host = new Proxy({} as Record<string, unknown>, {
    get: (_, key: string) =>
      key === 'openUpload' && info.mode === 'electron'
        ? undefined
        : key === 'on'
        ? (event: string, listener: (payload: unknown) => void) => {
            listeners.set(event, [...(listeners.get(event) ?? []), listener]);
            return () => {};
          }
        : record(key),
  }) as unknown as HostClient;
  const emit = <E extends HostEventName>(event: E, payload: EventPayload<E>) =>
    listeners.get(event)?.forEach((listener) => listener(payload));
  return { host, calls, answer, emit };
}

function setup(info: Partial<HostInfo> = {}, overrides: Partial<ProfileActionsDeps> = {}) {
  const fake = fakeHost(info);
  const store = createAppStore();
  const downloads: { name: string; text: string; mimeType: string }[] = [];
  let taskNumber = 0;
  const actions = createProfileActions({
    host: fake.host,
    store,
    pathOfFile: () => null,
    pickFiles: async () => [],
    downloadText: (name, text, mimeType) => downloads.push({ name, text, mimeType }),
    newTaskId: () => `task${++taskNumber}`,
    ...overrides,
  });
  actions.connect();
  return { ...fake, store, actions, downloads };
}

const opened = (profile: Profile, name: string): OpenedProfile => ({ profile, name, path: null, profileId: `id-${name.replace(/[^A-Za-z0-9_-]/g, '_')}` });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('browser mode uploads a dropped File as it is; progress events feed the loading state', async () => {
  const { store, actions, calls, answer, emit } = setup();
  const file = new File(['main;parse 3\n'], 'app.collapsed');
  const done = actions.openFile(file);
  await settle();
  const upload = calls.find((c) => c.name === 'openUpload');
  assert.ok(upload);
  assert.deepEqual(upload.args, { name: 'app.collapsed', file, taskId: 'task1' });
  assert.deepEqual(store.getState().loading, { taskId: 'task1', name: 'app.collapsed', fraction: null, sitesPreview: null });

  emit('progress', { taskId: 'task1', phase: 'reading', done: 1, total: 4 });
  emit('progress', { taskId: 'other', phase: 'reading', done: 3, total: 4 });
  assert.equal(store.getState().loading?.fraction, 0.25);

  const profile = profileFrom('main;parse 3');
  answer('task1').resolve(opened(profile, 'app.collapsed'));
  await done;
  assert.equal(store.getState().profile, profile);
  assert.equal(store.getState().profileName, 'app.collapsed');
  assert.equal(store.getState().loading, null);
});

test("a sites preview of the running open is shown until its profile arrives; another task's is not", async () => {
  const { store, actions, answer, emit } = setup();
  const done = actions.openFile(new File(['x'], 'dhat.out.1'));
  await settle();
  const preview = (siteCount: number): SitesPreview => ({
    format: 'dhat',
    unit: 'bytes',
    eventName: 'heap',
    siteCount,
    labels: [],
    figures: { totalBytes: new Float64Array(), totalBlocks: new Float64Array(), peakBytes: new Float64Array(), endBytes: new Float64Array(), temporary: new Float64Array(), lifetime: new Float64Array(), readsPerByte: new Float64Array(), writesPerByte: new Float64Array() },
    flags: new Int32Array(),
  });
  emit('sitesPreview', { taskId: 'other', preview: preview(1) });
  assert.equal(store.getState().loading?.sitesPreview, null);
  emit('sitesPreview', { taskId: 'task1', preview: preview(2) });
  assert.equal(store.getState().loading?.sitesPreview?.siteCount, 2);
  answer('task1').resolve(opened(profileFrom('main;malloc 3'), 'dhat.out.1'));
  await done;
  assert.equal(store.getState().loading, null, 'the profile replaces the preview');
});

test('Electron opens a dropped file by its path, not by copying its bytes', async () => {
  const { actions, calls, answer } = setup({ mode: 'electron' }, { pathOfFile: () => '/home/me/out.perf' });
  const done = actions.openFile(new File(['x'], 'out.perf'));
  answer('task1').resolve(opened(profileFrom('a 1'), 'out.perf'));
  await done;
  assert.deepEqual(
    calls.filter((c) => c.name.startsWith('open')),
    [{ name: 'openFile', args: { path: '/home/me/out.perf', taskId: 'task1' } }],
  );
});

test('Electron sends the bytes of a dropped file that has no path (dragged from a web page)', async () => {
  const { actions, calls, answer } = setup({ mode: 'electron' });
  const done = actions.openFile(new File(['main;parse 3\n'], 'app.collapsed'));
  await settle();
  answer('task1').resolve(opened(profileFrom('a 1'), 'app.collapsed'));
  await done;
  const open = calls.find((c) => c.name.startsWith('open'));
  assert.equal(open?.name, 'openBytes');
  assert.deepEqual(Array.from(open?.args.bytes as Uint8Array), Array.from(new TextEncoder().encode('main;parse 3\n')));
});

test('a bad file shows the host line in the banner and the open profile stays', async () => {
  const { store, actions, answer } = setup();
  const first = profileFrom('main 1');
  const firstOpen = actions.openPath('/data/good.txt');
  answer('task1').resolve(opened(first, 'good.txt'));
  await firstOpen;

  const badOpen = actions.openPath('/data/garbage.bin');
  answer('task2').reject(new Error('garbage.bin: not a profile Heatline can read'));
  await badOpen;
  assert.equal(store.getState().errorMessage, 'garbage.bin: not a profile Heatline can read');
  assert.equal(store.getState().profile, first);
  assert.equal(store.getState().profileName, 'good.txt');
  store.getState().errorDismissed();
  assert.equal(store.getState().errorMessage, null);
});

test('cancel stops waiting at once and the host\'s "cancelled" shows no error', async () => {
  const { store, actions, calls, answer } = setup();
  const open = actions.openPath('/data/big.perf');
  await actions.cancelLoading();
  assert.equal(store.getState().loading, null);
  assert.deepEqual(calls.find((c) => c.name === 'cancelTask')?.args, { taskId: 'task1' });
  answer('task1').reject(new Error('cancelled'));
  await open;
  assert.equal(store.getState().errorMessage, null);
  assert.equal(store.getState().profile, null);
});

test('opens asked for while one runs wait their turn, and each opens in its own tab (several files named or dropped)', async () => {
  const { store, actions, calls, answer, emit } = setup();
  // serve a.txt b.txt: one openRequested each; a drop of two files: openFiles.
  emit('openRequested', { path: '/data/a.txt' });
  emit('openRequested', { path: '/data/b.txt' });
  const dropped = actions.openFiles([new File(['c 1'], 'c.txt'), new File(['d 1'], 'd.txt')]);
  await settle();
  assert.deepEqual(calls.filter((c) => c.name === 'openFile' || c.name === 'openUpload').map((c) => c.args.taskId), ['task1'], 'one at a time');
  assert.equal(calls.filter((c) => c.name === 'cancelTask').length, 0, 'nothing is cancelled');
  for (const [task, name] of [['task1', 'a.txt'], ['task2', 'b.txt'], ['task3', 'c.txt'], ['task4', 'd.txt']]) {
    assert.equal(store.getState().loading?.taskId, task);
    answer(task).resolve(opened(profileFrom(`${name.slice(0, 1)} 1`), name));
    await settle();
  }
  await dropped;
  assert.deepEqual(store.getState().tabs.map((tab) => tab.name), ['a.txt', 'b.txt', 'c.txt', 'd.txt']);
  assert.equal(store.getState().loading, null);
});

test('Open… uses the native dialog when the host has one, else the page picker', async () => {
  const native = setup({ nativeDialogs: true, mode: 'electron' });
  await settle();
  const nativeOpen = native.actions.requestOpen();
  await settle();
  native.answer('task1').resolve(opened(profileFrom('a 1'), 'chosen.perf'));
  await nativeOpen;
  assert.deepEqual(native.calls.find((c) => c.name === 'openFile')?.args, { path: '/data/chosen.perf', taskId: 'task1' });

  let picked = 0;
  const browser = setup({}, { pickFiles: async () => (picked++, []) });
  await settle();
  await browser.actions.requestOpen();
  assert.equal(picked, 1);
  assert.equal(browser.calls.filter((c) => c.name === 'showOpenDialog').length, 0);
});

test('host events: openRequested opens the path; menu commands export, close, or explain recording', async () => {
  const { store, calls, answer, emit, downloads } = setup();
  emit('openRequested', { path: '/data/from-cli.txt' });
  answer('task1').resolve(opened(profileFrom('main;work 2'), 'from-cli.txt'));
  await settle();
  assert.equal(store.getState().profileName, 'from-cli.txt');
  assert.deepEqual(calls.find((c) => c.name === 'openFile')?.args, { path: '/data/from-cli.txt', taskId: 'task1' });

  emit('menuCommand', { command: 'export-collapsed' });
  await settle();
  assert.deepEqual(downloads, [{ name: 'from-cli.collapsed.txt', text: 'main;work 2\n', mimeType: 'text/plain' }]);

  // Record and Attach belong to the record store (its own test): no banner here.
  emit('menuCommand', { command: 'record' });
  assert.equal(store.getState().errorMessage, null);

  emit('menuCommand', { command: 'close-profile' });
  assert.equal(store.getState().profile, null);
});

test('export goes through the native Save dialog when there is one', async () => {
  const { store, actions, calls } = setup({ nativeDialogs: true, mode: 'electron' });
  await settle();
  store.getState().profileOpened(profileFrom('main;work 2'), 'run.perf.txt');
  await actions.exportAs('speedscope');
  const save = calls.find((c) => c.name === 'saveExport');
  assert.ok(save);
  assert.equal(save.args.suggestedName, 'run.perf.speedscope.json');
  assert.equal(save.args.format, 'speedscope');
  const file = JSON.parse(save.args.text as string);
  assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  assert.deepEqual(file.profiles[0].weights, [2]);
});

test('export names drop the last extension and stay file-name safe', () => {
  assert.equal(exportFileName('perf.script.txt', 'speedscope'), 'perf.script.speedscope.json');
  assert.equal(exportFileName('out', 'collapsed'), 'out.collapsed.txt');
  assert.equal(exportFileName('a/b.txt', 'collapsed'), 'a_b.collapsed.txt');
  assert.equal(exportFileName('', 'collapsed'), 'profile.collapsed.txt');
});

test('task ids satisfy the contract and do not repeat', () => {
  const a = randomTaskId();
  assert.match(a, /^[A-Za-z0-9_-]{1,64}$/);
  assert.notEqual(a, randomTaskId());
});

test('a new profile resets the selection; sorting the same column again flips it', () => {
  const store = createAppStore();
  const state = () => store.getState();
  assert.deepEqual(state().selection.tableSort, { column: 'self', descending: true });
  state().tableSortedBy('self');
  assert.deepEqual(state().selection.tableSort, { column: 'self', descending: false });
  state().tableSortedBy('name');
  assert.deepEqual(state().selection.tableSort, { column: 'name', descending: false });
  state().tableSortedBy('total');
  assert.deepEqual(state().selection.tableSort, { column: 'total', descending: true });
  state().functionSelected(2);
  state().flameZoomed([0, 1]);
  state().profileOpened(profileFrom('a 1'), 'a');
  assert.deepEqual(state().selection, {
    flameZoomPath: [],
    selectedFunc: -1,
    tableSort: { column: 'self', descending: true },
    source: defaultSourceSelection,
  });
});

test('the function table sorts by self, total or name, with stable ties', () => {
  const profile = profileFrom(`
    main;parse;lex 30
    main;parse 10
    main;render;draw 50
    main 10
    Zeta 10
  `);
  const names = funcNamesOf(profile);
  const costs = functionCostsOf(profile);
  const order = (column: 'self' | 'total' | 'name', descending: boolean) =>
    sortFunctions(names, costs, { column, descending }).map((f) => names[f]);
  assert.deepEqual(order('self', true), ['draw', 'lex', 'main', 'parse', 'Zeta', 'render']);
  // render and draw both total 50: the tie goes to the higher self.
  assert.deepEqual(order('total', true), ['main', 'draw', 'render', 'parse', 'lex', 'Zeta']);
  assert.deepEqual(order('name', false), ['draw', 'lex', 'main', 'parse', 'render', 'Zeta']);
  assert.deepEqual(order('name', true), ['Zeta', 'render', 'parse', 'main', 'lex', 'draw']);
});
