/**
 * Browser mode's uploads (src-main/web/uploads.ts): a file's bytes POSTed to
 * TOKEN/upload/ID under an id the page picks, and an openBytes call naming
 * the id, in either order or at once; the host reads the file while it
 * arrives. Checked with real recordings against perf report's sample count,
 * and that a text profile and a perf.data are parsed before their upload
 * has ended; and the
 * guard: only POSTs from the page's own origin under the token, each upload
 * opened once, ids of the right form, uploads only for openBytes, a refused
 * or broken-off upload failing its call with one line naming the file, a
 * call whose upload never comes failing in time.
 * And the way down: a big result as a download (GET once) when the call allows it.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CallOutcome, OpenedProfile } from '../../src-shared/contract';
import { decodeEnvelope } from '../../src-shared/envelope';
import type { Profile } from '../../src-shared/profile/model';
import type { ServerMessage } from '../../src-shared/ws-protocol';
import { startServer, type RunningServer } from '../../src-main/web/server';
import { connect, type TestSocket } from '../helpers/host-socket';
import { compileFixture, perfReportBySymbol, perfScriptText, recordPerf } from '../helpers/perf';

let server: RunningServer;
let recording: string;
let scriptText: string;
let perfSamples: number;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'heatline-upload-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Heatline</title>');
  // 4 kHz: the file must outgrow the 64 KiB format-detection head by far, however fast this machine runs cpu_hot.
  recording = await recordPerf(await compileFixture('cpu_hot'), [], { callGraph: 'fp', frequency: 4000, out: join(dir, 'cpu_hot.perf.data') });
  scriptText = await perfScriptText(recording);
  perfSamples = (await perfReportBySymbol(recording)).totalSamples;
  server = await startServer({ port: 0, rendererDir: dir, openPaths: [], version: 'test', uploadWaitMs: 1500 });
});
after(() => server.close());

const ownOrigin = () => `http://127.0.0.1:${server.port}`;
const uploadPath = (id: string) => `${new URL(server.url).pathname}upload/${id}`;
const newId = () => randomBytes(16).toString('base64url');
const socketUrl = () => server.url.replace(/^http/, 'ws') + 'ws';

/** A POST whose body the test writes itself; `response` settles with the answer. */
function startPost(path: string, headers: Record<string, string>, method = 'POST'): { request: ClientRequest; response: Promise<{ status: number; body: string }> } {
  let req: ClientRequest | undefined;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    // agent: false, a connection each: the server closes the one of a refused upload.
    req = request({ host: '127.0.0.1', port: server.port, path, method, headers, agent: false }, (answer) => {
      let text = '';
      answer.on('data', (chunk) => (text += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  return { request: req as ClientRequest, response };
}

function post(path: string, body: Uint8Array, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; body: string }> {
  const { request: req, response } = startPost(path, { 'Content-Length': String(body.length), ...headers }, method);
  req.end(body);
  return response;
}

/** The profile an open gave; it must have succeeded. */
const profileOf = (outcome: CallOutcome<unknown>) => {
  assert.ok(outcome.ok, JSON.stringify(outcome).slice(0, 300));
  const { profile, path } = outcome.value as OpenedProfile;
  assert.equal(path, null, 'an upload has no path');
  return profile;
};

test('a perf.data opens through openBytes naming its upload, POSTed before the call or after it, once', async () => {
  const bytes = new Uint8Array(await readFile(recording));
  const socket = await connect(socketUrl(), { Origin: ownOrigin() });
  try {
    // The POST first, whole; then the call.
    const first = newId();
    const uploaded = await post(uploadPath(first), bytes, { Origin: ownOrigin(), 'Content-Type': 'application/octet-stream' });
    assert.equal(uploaded.status, 200, uploaded.body);
    const opened = profileOf(await socket.callWith('openBytes', { name: 'dropped.perf.data', taskId: 'u1' }, { upload: first }));
    assert.equal(opened.meta.format, 'perf.data');
    assert.equal(opened.samples.length, perfSamples, 'the samples perf report counts');

    // The call first (as the page sends it), the POST while it waits.
    const second = newId();
    const call = socket.callWith('openBytes', { name: 'dropped.perf.data', taskId: 'u2' }, { upload: second });
    const uploadedLater = await post(uploadPath(second), bytes, { Origin: ownOrigin() });
    assert.equal(uploadedLater.status, 200, uploadedLater.body);
    assert.equal(profileOf(await call).samples.length, perfSamples);

    const again = await socket.callWith('openBytes', { name: 'dropped.perf.data', taskId: 'u3' }, { upload: first });
    assert.deepEqual(again, { ok: false, error: 'dropped.perf.data: the upload is gone (opened already, or never made): drop the file again' });
    assert.equal((await post(uploadPath(first), bytes, { Origin: ownOrigin() })).status, 409, 'an id is posted to once');
    const malformed = await socket.callWith('openBytes', { name: 'x', taskId: 'u4' }, { upload: 'no-such-upload' });
    assert.match((malformed as { error: string }).error, /^x: the upload is gone/);
    assert.equal((await post(uploadPath('no-such-upload'), bytes, { Origin: ownOrigin() })).status, 404, 'ids have one form');
    const wrongCall = await socket.callWith('openFile', { path: '/etc/passwd', taskId: 'u5' }, { upload: newId() });
    assert.deepEqual(wrongCall, { ok: false, error: 'openFile takes no upload' });
  } finally {
    socket.close();
  }
});

test('a text profile is parsed while its upload is still coming', async () => {
  const text = new Uint8Array(await readFile(scriptText));
  const profile = await openWhileUploading('cpu_hot.perf.txt', text, Math.floor(text.length / 2));
  assert.equal(profile.meta.format, 'perf-script');
  assert.equal(profile.samples.length, perfSamples, 'the samples perf report counts');
});

test('a perf.data is read while its upload is still coming; its features, at the end, after the records', async () => {
  const bytes = new Uint8Array(await readFile(recording));
  // Past the 64 KiB head that detects the format, short of the feature sections at the end.
  const part = Math.floor(bytes.length * 0.8);
  assert.ok(part > 65536 + 4096, `the recording is big enough: ${bytes.length} bytes`);
  const profile = await openWhileUploading('arriving.perf.data', bytes, part);
  assert.equal(profile.samples.length, perfSamples, 'the samples perf report counts');
  assert.ok(profile.meta.command?.includes('cpu_hot'), `the command line, a feature read last: ${profile.meta.command}`);
});

/**
 * Opens `bytes` as the page does (the call and the POST at once), sending the
 * first `part` bytes, then waiting for the host to report progress on them
 * before sending the rest: the profile, once the host has parsed while the
 * upload was still coming.
 */
async function openWhileUploading(name: string, bytes: Uint8Array, part: number): Promise<Profile> {
  const id = newId();
  const socket = await connect(socketUrl(), { Origin: ownOrigin() });
  try {
    const call = socket.callWith('openBytes', { name, taskId: `arriving-${id}` }, { upload: id });
    const { request: req, response } = startPost(uploadPath(id), { Origin: ownOrigin(), 'Content-Length': String(bytes.length) });
    req.write(bytes.subarray(0, part));
    const read = await waitFor(socket, (done, total) => done > 0 && total === bytes.length);
    assert.ok(read <= part, `${read} bytes read of the ${part} sent so far`);
    req.end(bytes.subarray(part));
    assert.equal((await response).status, 200);
    return profileOf(await call);
  } finally {
    socket.close();
  }
}

/** The `done` of the first progress event that passes `test` (within 20 s). */
async function waitFor(socket: TestSocket, test: (done: number, total: number) => boolean): Promise<number> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    for (const { name, payload } of socket.events) {
      const { done, total } = payload as { done: number; total: number };
      if (name === 'progress' && test(done, total)) return done;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no such progress event');
}

test('an upload that breaks off, one refused, one that never comes: the call fails with one line naming the file', async () => {
  const text = new Uint8Array(await readFile(scriptText));
  const socket = await connect(socketUrl(), { Origin: ownOrigin() });
  try {
    const cut = newId();
    const call = socket.callWith('openBytes', { name: 'cut.perf.txt', taskId: 'f1' }, { upload: cut });
    const { request: req, response } = startPost(uploadPath(cut), { Origin: ownOrigin(), 'Content-Length': String(text.length) });
    response.catch(() => {}); // the connection is dropped on purpose
    // Cut past the head (what detects the format), so the parser is reading when the rest fails to come.
    req.write(text.subarray(0, 100_000), () => setTimeout(() => req.destroy(), 100));
    const broken = await call;
    assert.ok(!broken.ok);
    assert.match(broken.error, new RegExp(`^cut\\.perf\\.txt: the upload broke off \\(\\d+ of ${text.length} bytes came\\)$`));

    const huge = newId();
    const refused = socket.callWith('openBytes', { name: 'huge.perf.data', taskId: 'f2' }, { upload: huge });
    const tooBig = startPost(uploadPath(huge), { Origin: ownOrigin(), 'Content-Length': String(2 ** 31) });
    tooBig.request.end();
    assert.equal((await tooBig.response).status, 413);
    assert.deepEqual(await refused, { ok: false, error: 'huge.perf.data: the file is larger than 2 GiB' });

    // The server waits uploadWaitMs (1.5 s here, a minute by default) for a POST that never comes.
    const never = await socket.callWith('openBytes', { name: 'lost.perf.data', taskId: 'f3' }, { upload: newId() });
    assert.deepEqual(never, { ok: false, error: 'lost.perf.data: the upload did not arrive in time: drop the file again' });
  } finally {
    socket.close();
  }
});

test('uploads only from our own page: Origin required and own, POST only, under the token', async () => {
  const body = new Uint8Array([1, 2, 3]);
  assert.equal((await post(uploadPath(newId()), body, {})).status, 403, 'no Origin');
  assert.equal((await post(uploadPath(newId()), body, { Origin: 'http://evil.example' })).status, 403, 'foreign Origin');
  assert.equal((await post(`/not-the-token/upload/${newId()}`, body, { Origin: ownOrigin() })).status, 403, 'no token');
  assert.equal((await post(uploadPath(newId()), body, { Origin: ownOrigin() }, 'PUT')).status, 405);
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
