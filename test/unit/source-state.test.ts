/**
 * The source pane's state rules: selecting a function opens its file at the
 * given line (once per file, oldest tabs closed past the limit), keeps the
 * assembly tab in front when it is shown, and points the assembly at the
 * function; closing a tab shows its neighbour; only what shows is asked of
 * the analysis worker; tabs remember their pane; closing a profile's tab
 * tells the host.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAppStore } from '../../src-renderer/store/app-store';
import { createSourceService } from '../../src-renderer/store/source-service';
import { closeFile, defaultSourceSelection, otherFilesOf, showFile, showFunction, sourceRequestOf } from '../../src-renderer/store/source-state';
import type { HostClient } from '../../src-shared/contract';
import { ProfileBuilder } from '../../src-shared/profile/builder';
import type { Profile } from '../../src-shared/profile/model';

function profileWithFiles(): { profile: Profile } {
  const b = new ProfileBuilder({ format: 'perf.data', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  const thread = b.thread(1, 1);
  const funcs = ['a', 'b', 'c'].map((name) => b.func(name, { file: `/src/${name}.c`, library: '/bin/app', startLine: 7 }));
  const nofile = b.func('nofile', { library: '/lib/libc.so' });
  const stack = b.stackFromRoot([...funcs, nofile].map((func) => b.frame(func, { address: 1, line: 3 })));
  b.sample(stack, thread, 0);
  const profile = b.finish();
  return { profile };
}

const funcOf = (profile: Profile, name: string) => Array.from(profile.funcs.name).findIndex((n) => profile.strings[n] === name);

test('showFunction opens the file at the line once, follows with the assembly, and keeps the assembly tab in front', () => {
  const { profile } = profileWithFiles();
  const a = funcOf(profile, 'a');
  const b = funcOf(profile, 'b');
  const open = { ...defaultSourceSelection, open: true };
  const s1 = showFunction(profile, open, a, 12);
  assert.deepEqual(s1.files, [profile.funcs.file[a]]);
  assert.deepEqual(s1.shown, { kind: 'file', file: profile.funcs.file[a] });
  assert.equal(s1.asmFunc, a);
  assert.deepEqual(s1.reveal, { file: profile.funcs.file[a], line: 12, nonce: 1 });
  const s2 = showFunction(profile, s1, a, -1);
  assert.deepEqual(s2.files, s1.files, 'no second tab for the same file');
  assert.equal(s2.reveal?.line, 7, 'no hottest line: the function’s first line');
  assert.equal(s2.reveal?.nonce, 2);
  const onAsm = showFunction(profile, { ...s2, shown: { kind: 'asm' } }, b, 4);
  assert.deepEqual(onAsm.shown, { kind: 'asm' });
  assert.equal(onAsm.asmFunc, b);
  assert.equal(onAsm.files.length, 2);
  const nofile = showFunction(profile, s2, funcOf(profile, 'nofile'), 3);
  assert.deepEqual(nofile.files, s2.files);
  assert.equal(nofile.asmFunc, funcOf(profile, 'nofile'));
});

test('closeFile shows the neighbour, then the assembly; the request carries only what shows', () => {
  const { profile } = profileWithFiles();
  let s = { ...defaultSourceSelection, open: true };
  for (const name of ['a', 'b', 'c']) s = showFunction(profile, s, funcOf(profile, name), 3);
  const [fa, fb, fc] = s.files;
  assert.deepEqual(s.shown, { kind: 'file', file: fc });
  assert.deepEqual(sourceRequestOf(s), { sourceFile: fc });
  s = closeFile(s, fc);
  assert.deepEqual(s.shown, { kind: 'file', file: fb });
  s = closeFile(closeFile(s, fa), fb);
  assert.deepEqual(s.shown, { kind: 'asm' });
  assert.deepEqual(sourceRequestOf(s), { asmFunc: funcOf(profile, 'c') });
  assert.deepEqual(sourceRequestOf({ ...s, open: false }), {}, 'a hidden pane costs nothing');
});

test('each tab keeps its own pane; closing a tab closes its profile on the host', async () => {
  const { profile } = profileWithFiles();
  const store = createAppStore();
  const closed: string[] = [];
  const host = { closeProfile: async ({ profileId }: { profileId: string }) => void closed.push(profileId) } as unknown as HostClient;
  const service = createSourceService(host, store);
  store.getState().profileOpened(profile, 'one', 'id-one');
  store.getState().sourceChanged({ ...store.getState().selection.source, open: true });
  const first = store.getState().activeTabId;
  store.getState().profileOpened(profile, 'two', 'id-two');
  assert.equal(store.getState().selection.source.open, false, 'a new tab starts with the pane closed');
  store.getState().tabActivated(first);
  assert.equal(store.getState().selection.source.open, true);
  store.getState().tabClosed(first);
  assert.deepEqual(closed, ['id-one']);
  service.dispose();
});

test('the other files a function runs lines of, most frames first; showing one opens its tab', () => {
  const b = new ProfileBuilder({ format: 'perf.data', kind: 'cpu', unit: 'samples', sourceName: 't', weighted: false });
  const thread = b.thread(1, 1);
  const work = b.func('work', { file: '/src/work.c', library: '/bin/app' });
  const frames = [
    b.frame(work, { address: 1, line: 3 }),
    b.frame(work, { address: 2, line: 5, file: '/src/body.inc' }),
    b.frame(work, { address: 3, line: 6, file: '/src/body.inc' }),
    b.frame(work, { address: 4, line: 9, file: '/usr/include/vector.h' }),
    b.frame(work, { address: 5, line: 4, file: '/src/work.c' }),
  ];
  for (const frame of frames) b.sample(b.stackFromRoot([frame]), thread, 0);
  const profile = b.finish();
  const names = (files: number[]) => files.map((file) => profile.strings[file]);
  assert.deepEqual(names(otherFilesOf(profile, work)), ['/src/body.inc', '/usr/include/vector.h']);
  assert.deepEqual(otherFilesOf(profile, -1), []);

  const opened = showFunction(profile, { ...defaultSourceSelection, open: true }, work, 3);
  const inc = otherFilesOf(profile, work)[0];
  const shown = showFile(opened, inc);
  assert.deepEqual(shown.shown, { kind: 'file', file: inc });
  assert.deepEqual(names([...shown.files]), ['/src/work.c', '/src/body.inc']);
  assert.equal(showFile(shown, inc).files.length, 2, 'an open file is not opened twice');
});
