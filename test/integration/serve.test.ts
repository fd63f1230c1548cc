/**
 * Browser mode's guard: only requests under the token path, with this
 * server's own Host and (when sent) Origin, get through; the socket also
 * needs its own Origin. Then the host behind it works over the socket.
 */

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OpenedProfile } from '../../src-shared/contract';
import { startServer, type RunningServer } from '../../src-main/web/server';
import { connect } from '../helpers/host-socket';

let server: RunningServer;
let dir: string;
let namedFile: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heatline-serve-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Heatline</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  namedFile = join(dir, 'named.collapsed');
  await writeFile(namedFile, 'main;work 3\nmain 1\n');
  server = await startServer({ port: 0, rendererDir: dir, openPaths: [namedFile], version: 'test' });
});
after(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tokenPath = () => new URL(server.url).pathname; // "/TOKEN/"
const wsUrl = () => server.url.replace(/^http/, 'ws') + 'ws';
const ownOrigin = () => `http://127.0.0.1:${server.port}`;

test('the URL it prints is on loopback and opens the page', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/$/);
  const page = await get(tokenPath());
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Heatline<\/title>/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  assert.equal((await get(`${tokenPath()}app.js`)).status, 200);
  assert.equal((await get(tokenPath().slice(0, -1))).status, 302);
});

test('requests without the token, or with a foreign Host or Origin, get 403', async () => {
  const token = tokenPath().slice(1, -1);
  // The token with its last character changed (to one it is not: a random token ends in "x" once in 64).
  const wrongLast = token.endsWith('x') ? 'y' : 'x';
  assert.equal((await get('/')).status, 403);
  assert.equal((await get('/index.html')).status, 403);
  assert.equal((await get(`/${token.slice(0, -1)}${wrongLast}/`)).status, 403);
  assert.equal((await get(`/${token}x/`)).status, 403);
  assert.equal((await get(tokenPath(), { Host: 'evil.example:80' })).status, 403);
  assert.equal((await get(tokenPath(), { Host: `attacker.example:${server.port}` })).status, 403);
  assert.equal((await get(tokenPath(), { Origin: 'http://evil.example' })).status, 403);
  assert.equal((await get(tokenPath(), { Origin: ownOrigin() })).status, 200);
});

test('paths that climb out of the renderer folder are not served', async () => {
  for (const path of ['..%2f..%2f..%2fetc%2fpasswd', '%2e%2e/%2e%2e/etc/passwd', '..%5c..%5cetc%5cpasswd', 'a%00.js']) {
    const response = await get(`${tokenPath()}${path}`);
    assert.notEqual(response.status, 200, path);
    assert.doesNotMatch(response.body, /root:/);
  }
});

test('a socket with a foreign Origin, no Origin, or no token is refused', async () => {
  await assert.rejects(connect(wsUrl(), { Origin: 'http://evil.example' }), /HTTP 403/);
  await assert.rejects(connect(wsUrl()), /HTTP 403/);
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/ws`, { Origin: ownOrigin() }), /HTTP 403/);
  await assert.rejects(connect(wsUrl(), { Origin: ownOrigin(), Host: `evil.example:${server.port}` }), /HTTP 403/);
});

test('over its own socket the host answers, validates and parses uploads', async () => {
  const socket = await connect(wsUrl(), { Origin: ownOrigin() });
  try {
    const info = await socket.call('getHostInfo', {});
    assert.deepEqual(info.ok && { mode: (info.value as { mode: string }).mode }, { mode: 'browser' });

    const bad = await socket.call('openBytes', { name: 'x', bytes: 'not bytes', taskId: 't1' });
    assert.equal(bad.ok, false);

    const text = new TextEncoder().encode('main;parse;lex 3\nmain;parse 1\n');
    const opened = await socket.call('openBytes', { name: 'upload.txt', bytes: text, taskId: 't2' });
    assert.equal(opened.ok, true, JSON.stringify(opened));
    const { profile } = (opened as { value: OpenedProfile }).value;
    assert.equal(profile.meta.format, 'collapsed');
    assert.ok(profile.stacks.prefix instanceof Int32Array, 'tables arrive as typed arrays');

    const elsewhere = await socket.call('openFile', { path: '/etc/passwd', taskId: 't3' });
    assert.equal(elsewhere.ok, false);
    assert.match((elsewhere as { error: string }).error, /opens only files uploaded/);

    assert.deepEqual(socket.events.filter((e) => e.name === 'openRequested').map((e) => e.payload), [{ path: namedFile }]);
    const named = await socket.call('openFile', { path: namedFile, taskId: 't4' });
    assert.equal(named.ok, true, JSON.stringify(named));
  } finally {
    socket.close();
  }
});
