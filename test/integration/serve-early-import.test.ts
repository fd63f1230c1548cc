/**
 * `heatline serve FILE` starts importing FILE with the server, not when a
 * window asks: the window's openFile of that path adopts the finished (or
 * running) import. Checked on a real perf recording against `perf report`'s
 * sample count, and by changing the file after the early import: the first
 * window still gets the profile read at start, a second open reads afresh
 * (one profile per request). A file that cannot be parsed fails the same way
 * early as late: one line naming the file, for the CLI and the window.
 */

import assert from 'node:assert/strict';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OpenedProfile } from '../../src-shared/contract';
import { startServer, type RunningServer } from '../../src-main/web/server';
import { connect } from '../helpers/host-socket';
import { compileFixture, perfReportBySymbol, recordPerf } from '../helpers/perf';

let dir: string;
let recording: string;
let perfSamples: number;
const servers: RunningServer[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heatline-early-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Heatline</title>');
  const binary = await compileFixture('cpu_hot');
  recording = await recordPerf(binary, [], { callGraph: 'fp', out: join(dir, 'cpu_hot.perf.data') });
  perfSamples = (await perfReportBySymbol(recording)).totalSamples;
});
after(async () => {
  for (const server of servers) await server.close();
});

async function serve(openPaths: string[]): Promise<RunningServer> {
  const server = await startServer({ port: 0, rendererDir: dir, openPaths, version: 'test' });
  servers.push(server);
  return server;
}

const socketOf = (server: RunningServer) =>
  connect(server.url.replace(/^http/, 'ws') + 'ws', { Origin: `http://127.0.0.1:${server.port}` });

test('the named file is imported before any window connects; the first open adopts that import', async () => {
  const named = join(dir, 'named.perf.data');
  await copyFile(recording, named);
  const server = await serve([named]);
  assert.deepEqual(await server.earlyImports, [{ path: named, error: null }], 'imported with the server, before any socket');

  // The file changes after the early import: the first window still gets what was read at start...
  await writeFile(named, 'this is not a profile any more\n');
  const socket = await socketOf(server);
  try {
    assert.deepEqual(socket.events.filter((e) => e.name === 'openRequested').map((e) => e.payload), [{ path: named }]);
    const first = await socket.call('openFile', { path: named, taskId: 'early' });
    assert.equal(first.ok, true, JSON.stringify(first).slice(0, 300));
    const { profile, path } = (first as { value: OpenedProfile }).value;
    assert.equal(path, named);
    assert.equal(profile.meta.format, 'perf.data');
    assert.equal(profile.samples.length, perfSamples, 'the samples perf report counts');
    assert.ok(profile.samples.stack instanceof Int32Array, 'tables arrive as typed arrays');

    // ...and any later open of the path reads it afresh: one profile per request, never a shared one.
    const second = await socket.call('openFile', { path: named, taskId: 'again' });
    assert.equal(second.ok, false);
    assert.match((second as { error: string }).error, new RegExp(`^${named.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    assert.doesNotMatch((second as { error: string }).error, /\n/);
  } finally {
    socket.close();
  }
});

test('an early import that fails: one line naming the file, for the CLI and for the window that opens it', async () => {
  const bad = join(dir, 'bad.data');
  await writeFile(bad, 'neither perf.data nor any other format\n');
  const server = await serve([bad]);
  const [outcome] = await server.earlyImports;
  assert.equal(outcome.path, bad);
  assert.ok(outcome.error !== null && outcome.error.startsWith(`${bad}: `), String(outcome.error));
  assert.doesNotMatch(outcome.error, /\n|internal error/);

  const socket = await socketOf(server);
  try {
    const opened = await socket.call('openFile', { path: bad, taskId: 'bad' });
    assert.deepEqual(opened, { ok: false, error: outcome.error });
  } finally {
    socket.close();
  }
});

test('a window that cancels the adopted import gets "cancelled", and the server still serves a fresh open', async () => {
  const named = join(dir, 'cancel.perf.data');
  await copyFile(recording, named);
  const server = await serve([named]);
  const socket = await socketOf(server);
  try {
    const opening = socket.call('openFile', { path: named, taskId: 'to-cancel' });
    await socket.call('cancelTask', { taskId: 'to-cancel' });
    const cancelled = await opening;
    // The import may have finished before the cancel arrived; either way the answer is one of these two.
    if (!cancelled.ok) assert.equal((cancelled as { error: string }).error, 'cancelled');
    const fresh = await socket.call('openFile', { path: named, taskId: 'fresh' });
    assert.equal(fresh.ok, true, JSON.stringify(fresh).slice(0, 300));
    assert.equal((fresh as { value: OpenedProfile }).value.profile.samples.length, perfSamples);
  } finally {
    socket.close();
  }
});
