/**
 * Browser mode's openBytes with an upload URL (host-client/socket-client.ts):
 * the bytes go up as a POST under an id the page picks, and the socket call
 * naming that id goes at the same time, its arguments without the bytes; the
 * call's answer settles the open, unless the POST fails first (one line
 * naming the file). Other calls are untouched. With a download URL, a
 * result the server sent as a download is fetched and settles its call.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEnvelope } from '../../src-shared/envelope';
import { createSocketClient } from '../../src-renderer/host-client/socket-client';
import { FakeSocket } from '../helpers/fake-socket';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('openBytes posts the bytes under a fresh id and calls with that id and no bytes at once; other calls go as before', async () => {
  const socket = new FakeSocket();
  const posted: [string, number[]][] = [];
  let finishPost = () => {};
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload/',
    postUpload: async (url, body) => {
      posted.push([url, Array.from(new Uint8Array(await body.arrayBuffer()))]);
      await new Promise<void>((resolve) => (finishPost = resolve));
    },
  });
  socket.onopen?.({} as Event);
  const opening = client.openBytes({ name: 'a.data', bytes: new Uint8Array([4, 5, 6]), taskId: 't1' });
  void client.openFile({ path: '/x', taskId: 't2' });
  void client.openBytes({ name: 'b.data', bytes: new Uint8Array([7]), taskId: 't3' });
  await tick();
  await tick();
  const byName = Object.fromEntries(socket.sent.map((m) => [m.args && (m.args as { name?: string }).name, m]));
  const id = byName['a.data'].upload as string;
  assert.match(id, /^[A-Za-z0-9_-]{22}$/, '16 random bytes in base64url');
  assert.notEqual(byName['b.data'].upload, id, 'each upload its own id');
  assert.deepEqual(posted[0], [`http://127.0.0.1:1/token/upload/${id}`, [4, 5, 6]]);
  assert.deepEqual(byName['a.data'].args, { name: 'a.data', taskId: 't1' }, 'the call went before the POST had finished');
  const openFile = socket.sent.find((m) => m.name === 'openFile');
  assert.deepEqual(openFile?.args, { path: '/x', taskId: 't2' });
  assert.equal(openFile?.upload, undefined);

  // The call's answer settles the open, once the POST is through too.
  finishPost();
  socket.reply({ type: 'result', id: byName['a.data'].id, outcome: { ok: false, error: 'a.data: not a profile Heatline can read' } });
  await assert.rejects(opening, { message: 'a.data: not a profile Heatline can read' });
});

test('openUpload posts the File as it is and calls openBytes with its upload id', async () => {
  const socket = new FakeSocket();
  const posted: [string, Blob][] = [];
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload/',
    postUpload: async (url, body) => {
      posted.push([url, body]);
    },
  });
  socket.onopen?.({} as Event);
  const file = new File(['main;parse 3\n'], 'app.collapsed');
  const opening = client.openUpload!({ name: 'app.collapsed', file, taskId: 't3' });
  await tick();
  assert.equal(posted[0][1], file, 'the File itself is the body, not a copy read by the page');
  const [call] = socket.sent;
  assert.deepEqual([call.name, call.args], ['openBytes', { name: 'app.collapsed', taskId: 't3' }]);
  assert.equal(posted[0][0], `http://127.0.0.1:1/token/upload/${call.upload}`);
  socket.reply({ type: 'result', id: call.id, outcome: { ok: true, value: { name: 'app.collapsed' } } });
  assert.deepEqual(await opening, { name: 'app.collapsed' });
  // Without an upload URL (a socket carrying the bytes itself) there is no openUpload.
  assert.equal(createSocketClient({ url: 'ws://127.0.0.1:1/token/ws', openSocket: () => new FakeSocket() }).openUpload, undefined);
});

test('a POST that fails before the call is answered: one line naming the file', async () => {
  const socket = new FakeSocket();
  const client = createSocketClient({
    url: 'ws://127.0.0.1:1/token/ws',
    openSocket: () => socket,
    uploadUrl: 'http://127.0.0.1:1/token/upload/',
    postUpload: async () => {
      throw new Error('Failed to fetch');
    },
  });
  socket.onopen?.({} as Event);
  await assert.rejects(client.openBytes({ name: 'big.data', bytes: new Uint8Array(1), taskId: 't' }), {
    message: 'big.data: the upload to the Heatline server failed (Failed to fetch)',
  });
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
  socket.reply({ type: 'result', id: 1, download: 'd1' });
  socket.reply({ type: 'result', id: 2, download: 'd2' });
  socket.reply({ type: 'result', id: 3, download: 'gone' });
  const value = (await first) as unknown as { tables: Int32Array };
  assert.ok(value.tables instanceof Int32Array);
  assert.deepEqual(Array.from(value.tables), [7, 8]);
  await assert.rejects(second, { message: 'x.data: not a profile' });
  await assert.rejects(third, /^Error: The Heatline server's answer could not be downloaded \(HTTP 404\)$/);
  assert.deepEqual(fetched, ['http://127.0.0.1:1/token/download/d1', 'http://127.0.0.1:1/token/download/d2', 'http://127.0.0.1:1/token/download/gone']);
});
