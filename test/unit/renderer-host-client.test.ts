/**
 * The renderer's host client over both transports, against fakes: the
 * Electron bridge (CallOutcome unwrapped, events dispatched) and the
 * WebSocket (envelopes, request ids, events, a clear error on close).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallOutcome, HostEventName, PreloadBridge } from '../../src-shared/contract';
import { createBridgeClient } from '../../src-renderer/host-client/bridge-client';
import {
  CONNECT_FAILED,
  CONNECTION_LOST,
  createSocketClient,
  socketUrlFor,
} from '../../src-renderer/host-client/socket-client';
import { FakeSocket } from '../helpers/fake-socket';

test('the bridge client unwraps outcomes: values return, failures throw the host line', async () => {
  let emit: (name: HostEventName, payload: unknown) => void = () => {};
  const calls: [string, unknown][] = [];
  const answer = (name: string) => async (args: unknown): Promise<CallOutcome<unknown>> => {
    calls.push([name, args]);
    return name === 'openFile' ? { ok: false, error: 'x.txt: not a profile' } : { ok: true, value: null };
  };
  const bridge = new Proxy(
    {
      on: (listener: (name: HostEventName, payload: unknown) => void) => {
        emit = listener;
        return () => {};
      },
      pathForFile: () => '',
    },
    { get: (target, key: string) => (key in target ? target[key as keyof typeof target] : answer(key)) },
  ) as unknown as PreloadBridge;

  const client = createBridgeClient(bridge);
  assert.equal(await client.showOpenDialog({}), null);
  await assert.rejects(client.openFile({ path: '/tmp/x.txt', taskId: 't1' }), { message: 'x.txt: not a profile' });
  assert.deepEqual(calls, [
    ['showOpenDialog', {}],
    ['openFile', { path: '/tmp/x.txt', taskId: 't1' }],
  ]);

  const seen: unknown[] = [];
  const unsubscribe = client.on('progress', (payload) => seen.push(payload));
  client.on('menuCommand', () => seen.push('wrong event'));
  emit('progress', { taskId: 't1', phase: 'reading', done: 1, total: 2 });
  unsubscribe();
  emit('progress', { taskId: 't1', phase: 'reading', done: 2, total: 2 });
  assert.deepEqual(seen, [{ taskId: 't1', phase: 'reading', done: 1, total: 2 }]);
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('the socket client waits for the socket, matches results by id, and carries bytes as typed arrays', async () => {
  const socket = new FakeSocket();
  const client = createSocketClient({ url: 'ws://127.0.0.1:1/token/ws', openSocket: () => socket });
  assert.equal(socket.binaryType, 'arraybuffer');

  const info = client.getHostInfo({});
  const upload = client.openBytes({ name: 'a.txt', bytes: new Uint8Array([1, 2, 3]), taskId: 't' });
  await tick();
  assert.equal(socket.sent.length, 0, 'nothing is sent before the socket opens');
  socket.open();
  await tick();
  assert.deepEqual(
    socket.sent.map((m) => [m.id, m.name]),
    [
      [1, 'getHostInfo'],
      [2, 'openBytes'],
    ],
  );
  const sentBytes = (socket.sent[1].args as { bytes: Uint8Array }).bytes;
  assert.ok(sentBytes instanceof Uint8Array);
  assert.deepEqual(Array.from(sentBytes), [1, 2, 3]);

  // Answers may come in any order.
  socket.reply({ type: 'result', id: 2, outcome: { ok: false, error: 'a.txt: not a profile' } });
  socket.reply({ type: 'result', id: 1, outcome: { ok: true, value: { mode: 'browser' } } });
  assert.deepEqual(await info, { mode: 'browser' });
  await assert.rejects(upload, { message: 'a.txt: not a profile' });
});

test('the socket client dispatches events to their listeners', async () => {
  const socket = new FakeSocket();
  const client = createSocketClient({ url: 'ws://x/ws', openSocket: () => socket });
  socket.open();
  const seen: unknown[] = [];
  client.on('openRequested', (payload) => seen.push(payload));
  socket.reply({ type: 'event', name: 'openRequested', payload: { path: '/tmp/p.txt' } });
  socket.reply({ type: 'event', name: 'progress', payload: { taskId: 't', phase: 'x', done: 0, total: 0 } });
  assert.deepEqual(seen, [{ path: '/tmp/p.txt' }]);
});

test('a closed socket fails pending and later calls with one clear line, and reports it once', async () => {
  const socket = new FakeSocket();
  const lost: string[] = [];
  const client = createSocketClient({ url: 'ws://x/ws', openSocket: () => socket, onConnectionLost: (m) => lost.push(m) });
  socket.open();
  const pending = client.listRecent({});
  await tick();
  socket.close();
  await assert.rejects(pending, { message: CONNECTION_LOST });
  await assert.rejects(client.listRecent({}), { message: CONNECTION_LOST });
  assert.deepEqual(lost, [CONNECTION_LOST]);
});

test('a socket that never opens fails calls that were waiting for it', async () => {
  const socket = new FakeSocket();
  const client = createSocketClient({ url: 'ws://x/ws', openSocket: () => socket });
  const waiting = client.getHostInfo({});
  socket.close();
  await assert.rejects(waiting, { message: CONNECT_FAILED });

  const throwing = createSocketClient({
    url: 'file:///nowhere',
    openSocket: () => {
      throw new SyntaxError('bad scheme');
    },
  });
  await assert.rejects(throwing.getHostInfo({}), { message: CONNECT_FAILED });
});

test('the socket address is the page address with a ws scheme and the relative path', () => {
  assert.equal(socketUrlFor('http://127.0.0.1:8123/abc_-9/', 'ws'), 'ws://127.0.0.1:8123/abc_-9/ws');
  assert.equal(socketUrlFor('http://127.0.0.1:8123/abc/index.html?x=1#top', 'ws'), 'ws://127.0.0.1:8123/abc/ws');
  assert.equal(socketUrlFor('https://host.example/t/', 'ws'), 'wss://host.example/t/ws');
});
