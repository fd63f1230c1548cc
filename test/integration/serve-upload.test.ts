/**
 * Browser mode's uploads (src-main/web/uploads.ts): a file's bytes POSTed to
 * TOKEN/upload, then opened by an openBytes call naming the upload. Checked
 * with a real perf recording against perf report's sample count; and the
 * guard: only POSTs from the page's own origin under the token, each upload
 * opened once, an unknown id refused with one line, uploads only for openBytes.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OpenedProfile } from '../../src-shared/contract';
import { startServer, type RunningServer } from '../../src-main/web/server';
import { connect } from '../helpers/host-socket';
import { compileFixture, perfReportBySymbol, recordPerf } from '../helpers/perf';

let server: RunningServer;
let recording: string;
let perfSamples: number;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heatline-upload-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Heatline</title>');
  recording = await recordPerf(await compileFixture('cpu_hot'), [], { callGraph: 'fp', out: join(dir, 'cpu_hot.perf.data') });
  perfSamples = (await perfReportBySymbol(recording)).totalSamples;
  server = await startServer({ port: 0, rendererDir: dir, openPaths: [], version: 'test' });
});
after(() => server.close());

const ownOrigin = () => `http://127.0.0.1:${server.port}`;
const uploadPath = () => `${new URL(server.url).pathname}upload`;

function post(path: string, body: Uint8Array, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { 'Content-Length': String(body.length), ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a POSTed perf.data opens through openBytes naming the upload, once', async () => {
  const bytes = new Uint8Array(await readFile(recording));
  const uploaded = await post(uploadPath(), bytes, { Origin: ownOrigin(), 'Content-Type': 'application/octet-stream' });
  assert.equal(uploaded.status, 200, uploaded.body);
  const { id } = JSON.parse(uploaded.body) as { id: string };
  assert.match(id, /^[A-Za-z0-9_-]{16,}$/);

  const socket = await connect(server.url.replace(/^http/, 'ws') + 'ws', { Origin: ownOrigin() });
  try {
    const opened = await socket.callWith('openBytes', { name: 'dropped.perf.data', taskId: 'u1' }, { upload: id });
    assert.equal(opened.ok, true, JSON.stringify(opened).slice(0, 300));
    const { profile, path } = (opened as { value: OpenedProfile }).value;
    assert.equal(path, null, 'an upload has no path');
    assert.equal(profile.meta.format, 'perf.data');
    assert.equal(profile.samples.length, perfSamples, 'the samples perf report counts');

    const again = await socket.callWith('openBytes', { name: 'dropped.perf.data', taskId: 'u2' }, { upload: id });
    assert.equal(again.ok, false);
    assert.match((again as { error: string }).error, /^the upload is gone/);
    const unknown = await socket.callWith('openBytes', { name: 'x', taskId: 'u3' }, { upload: 'no-such-upload' });
    assert.match((unknown as { error: string }).error, /^the upload is gone/);
    const wrongCall = await socket.callWith('openFile', { path: '/etc/passwd', taskId: 'u4' }, { upload: id });
    assert.deepEqual(wrongCall, { ok: false, error: 'openFile takes no upload' });
  } finally {
    socket.close();
  }
});

test('uploads only from our own page: Origin required and own, POST only, under the token', async () => {
  const body = new Uint8Array([1, 2, 3]);
  assert.equal((await post(uploadPath(), body, {})).status, 403, 'no Origin');
  assert.equal((await post(uploadPath(), body, { Origin: 'http://evil.example' })).status, 403, 'foreign Origin');
  assert.equal((await post('/not-the-token/upload', body, { Origin: ownOrigin() })).status, 403, 'no token');
  assert.equal((await post(uploadPath(), body, { Origin: ownOrigin() }, 'PUT')).status, 405);
});
