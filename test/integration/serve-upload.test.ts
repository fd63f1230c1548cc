/**
 * Browser mode's uploads (src-main/web/uploads.ts): a file's bytes POSTed to
 * TOKEN/upload, then opened by an openBytes call naming the upload. Checked
 * with a real perf recording against perf report's sample count; and the
 * guard: only POSTs from the page's own origin under the token, each upload
 * opened once, an unknown id refused with one line, uploads only for openBytes.
 * And the way down: a big result as a download (GET once) when the call allows it.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OpenedProfile } from '../../src-shared/contract';
import { decodeEnvelope } from '../../src-shared/envelope';
import type { ServerMessage } from '../../src-shared/ws-protocol';
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

test('a big result goes as a download when the call allows it: GET once, under the token; otherwise on the socket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heatline-download-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Heatline</title>');
  // Every result counts as big here: the threshold is the server's option.
  const small = await startServer({ port: 0, rendererDir: dir, openPaths: [recording], version: 'test', downloadMinBytes: 1 });
  const get = (path: string) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: small.port, path }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  const socket = await connect(small.url.replace(/^http/, 'ws') + 'ws', { Origin: `http://127.0.0.1:${small.port}` });
  try {
    const inline = await socket.callRaw('openFile', { path: recording, taskId: 'd0' }, {});
    assert.ok('outcome' in inline && inline.outcome.ok, 'without download: true the result comes on the socket');

    const pointer = await socket.callRaw('openFile', { path: recording, taskId: 'd1' }, { download: true });
    assert.ok('download' in pointer, JSON.stringify(pointer).slice(0, 200));
    const downloadPath = `${new URL(small.url).pathname}download/${pointer.download}`;
    const fetched = await get(downloadPath);
    assert.equal(fetched.status, 200);
    const message = decodeEnvelope(new Uint8Array(fetched.body.buffer, fetched.body.byteOffset, fetched.body.byteLength)) as ServerMessage;
    assert.ok(message.type === 'result' && 'outcome' in message && message.outcome.ok);
    assert.equal(message.id, pointer.id);
    const { profile } = message.outcome.value as OpenedProfile;
    assert.equal(profile.samples.length, perfSamples, 'the same profile, perf report\'s sample count');
    assert.ok(profile.samples.stack instanceof Int32Array, 'tables arrive as typed arrays');

    assert.equal((await get(downloadPath)).status, 404, 'taken once');
    assert.equal((await get(`${new URL(small.url).pathname}download/no-such-download`)).status, 404);
    assert.equal((await get(`/not-the-token/download/${pointer.download}`)).status, 403);
  } finally {
    socket.close();
    await small.close();
  }
});
