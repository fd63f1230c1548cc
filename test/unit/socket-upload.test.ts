/**
 * Browser mode's openBytes with an upload URL (host-client/socket-client.ts):
 * the bytes go up as a POST first and the socket call names the upload, its
 * arguments without the bytes; a failed upload is one line naming the file
 * and sends no call. Other calls are untouched. With a download URL, a
 * result the server sent as a download is fetched and settles its call.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEnvelope } from '../../src-shared/envelope';
import type { ServerMessage } from '../../src-shared/ws-protocol';
import { createSocketClient } from '../../src-renderer/host-client/socket-client';
import { FakeSocket } from '../helpers/fake-socket';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('openBytes posts the bytes, then calls with the upload id and no bytes; other calls go as before', async () => {
  const socket = new FakeSocket();
  const posted: [string, number[]][] = [];
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload',
    postUpload: async (url, body) => {
      posted.push([url, Array.from(new Uint8Array(await body.arrayBuffer()))]);
      return 'upload-7';
    },
  });
  socket.onopen?.({} as Event);
  void client.openBytes({ name: 'a.data', bytes: new Uint8Array([4, 5, 6]), taskId: 't1' });
  void client.openFile({ path: '/x', taskId: 't2' });
  await tick();
  await tick();
  assert.deepEqual(posted, [['http://127.0.0.1:1/token/upload', [4, 5, 6]]]);
  const byName = Object.fromEntries(socket.sent.map((m) => [m.name, m]));
  assert.deepEqual(byName.openBytes.args, { name: 'a.data', taskId: 't1' });
  assert.equal(byName.openBytes.upload, 'upload-7');
  assert.deepEqual(byName.openFile.args, { path: '/x', taskId: 't2' });
  assert.equal(byName.openFile.upload, undefined);
});

test('openUpload posts the File as it is, then calls openBytes with the upload id', async () => {
  const socket = new FakeSocket();
  const posted: Blob[] = [];
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload',
    postUpload: async (_url, body) => {
      posted.push(body);
      return 'upload-9';
    },
  });
  socket.onopen?.({} as Event);
  const file = new File(['main;parse 3\n'], 'app.collapsed');
  void client.openUpload!({ name: 'app.collapsed', file, taskId: 't3' });
  await tick();
  assert.equal(posted[0], file, 'the File itself is the body, not a copy read by the page');
  assert.deepEqual(socket.sent.map((m) => [m.name, m.args, m.upload]), [['openBytes', { name: 'app.collapsed', taskId: 't3' }, 'upload-9']]);
  // Without an upload URL (a socket carrying the bytes itself) there is no openUpload.
  assert.equal(createSocketClient({ url: 'ws://127.0.0.1:1/token/ws', openSocket: () => new FakeSocket() }).openUpload, undefined);
});

test('a failed upload: one line naming the file, and no call is sent', async () => {
  const socket = new FakeSocket();
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload',
    postUpload: async () => {
      throw new Error('the file is larger than 2 GiB');
    },
  });
  socket.onopen?.({} as Event);
  await assert.rejects(client.openBytes({ name: 'big.data', bytes: new Uint8Array(1), taskId: 't' }), {
    message: 'big.data: the upload to the Heatline server failed (the file is larger than 2 GiB)',
  });
  assert.deepEqual(socket.sent, []);
});

test('with a download URL calls allow downloads; a result sent as one is fetched and settles the call', async () => {
  const socket = new FakeSocket();
  const fetched: string[] = [];
  const downloads = new Map<string, Uint8Array>([
    ['d1', encodeEnvelope({ type: 'result', id: 1, outcome: { ok: true, value: { tables: new Int32Array([7, 8]) } } })],
    ['d2', encodeEnvelope({ type: 'result', id: 2, outcome: { ok: false, error: 'x.data: not a profile' } })],
  ]);
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    downloadUrl: 'http://127.0.0.1:1/token/download/',
    fetchDownload: async (url) => {
      fetched.push(url);
      const bytes = downloads.get(url.split('/').pop()!);
      if (bytes === undefined) throw new Error('HTTP 404');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  });
  socket.onopen?.({} as Event);
  const first = client.openFile({ path: '/a', taskId: 'a' });
  const second = client.openFile({ path: '/b', taskId: 'b' });
  const third = client.openFile({ path: '/c', taskId: 'c' });
  await tick();
  assert.deepEqual(socket.sent.map((m) => m.download), [true, true, true]);
  const reply = (message: ServerMessage) => {
    const bytes = encodeEnvelope(message);
    socket.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) } as MessageEvent);
  };
  reply({ type: 'result', id: 1, download: 'd1' });
  reply({ type: 'result', id: 2, download: 'd2' });
  reply({ type: 'result', id: 3, download: 'gone' });
  const value = (await first) as unknown as { tables: Int32Array };
  assert.ok(value.tables instanceof Int32Array);
  assert.deepEqual(Array.from(value.tables), [7, 8]);
  await assert.rejects(second, { message: 'x.data: not a profile' });
  await assert.rejects(third, /^Error: The Heatline server's answer could not be downloaded \(HTTP 404\)$/);
  assert.deepEqual(fetched, ['http://127.0.0.1:1/token/download/d1', 'http://127.0.0.1:1/token/download/d2', 'http://127.0.0.1:1/token/download/gone']);
});
