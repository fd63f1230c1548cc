/**
 * The spare import worker (host/run-import.ts): a worker started before any
 * open, waiting for its job. Checked: a path and an upload imported in it give
 * the profile a fresh worker gives; every import gets a thread of its own
 * (the spare is used once); a failing file fails there with its one line;
 * and a process that keeps a spare still exits on its own.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildReport } from '../../src-shared/report';
import { keepSpareWorker, runImport } from '../../src-main/host/run-import';

let dir: string;
let collapsed: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heatline-spare-'));
  collapsed = join(dir, 'app.collapsed.txt');
  await writeFile(collapsed, 'main;parse;lex 30\nmain;parse 10\nmain;render 60\n');
});
after(() => keepSpareWorker(false));

const topOf = (profile: Parameters<typeof buildReport>[0]) => buildReport(profile).functions.map((f) => [f.name, f.self]);

test('imports in a worker started ahead equal those in a fresh one; each import has its own thread', async () => {
  const fresh = await runImport({ kind: 'path', path: collapsed }, collapsed).profile;
  keepSpareWorker(true);
  // Long enough for the worker to start and load its bundle (through tsx here).
  await sleep(1500);
  const byPath = await runImport({ kind: 'path', path: collapsed }, collapsed).profile;
  assert.deepEqual(topOf(byPath), topOf(fresh));
  // The spare was used up; the next one starts once no import runs, and two imports at once each get a worker.
  const bytes = new Uint8Array(await readFile(collapsed));
  const [uploaded, again] = await Promise.all([
    runImport({ kind: 'bytes', name: 'dropped.txt', bytes }, 'dropped.txt').profile,
    runImport({ kind: 'path', path: collapsed }, collapsed).profile,
  ]);
  assert.deepEqual(topOf(uploaded), topOf(fresh));
  assert.deepEqual(topOf(again), topOf(fresh));
  assert.deepEqual(
    topOf(fresh).find(([name]) => name === 'render'),
    ['render', 60],
  );
});

test('a file that is not a profile fails in the spare worker with its one line', async () => {
  keepSpareWorker(true);
  await sleep(1500);
  const garbage = join(dir, 'garbage.bin');
  await writeFile(garbage, Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));
  await assert.rejects(runImport({ kind: 'path', path: garbage }, garbage).profile, (error: Error) => {
    assert.match(error.message, /garbage\.bin: not a profile Heatline can read/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
});

test('a process keeping a spare worker still exits on its own', () => {
  const script = `require(${JSON.stringify(join(__dirname, '..', '..', 'src-main', 'host', 'run-import.ts'))}).keepSpareWorker(true);`;
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(Date.now() - started < 15_000, 'it did not wait for the spare');
});
