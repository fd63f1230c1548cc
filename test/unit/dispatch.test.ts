import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostCallNames, type HostHandlers } from '../../src-shared/contract';
import { UserFacingError } from '../../src-shared/errors';
import { dispatchCall } from '../../src-main/host/dispatch';

/** Handlers that record what reached them; every contract call must be present (compile-time check). */
function recordingHandlers(calls: string[]): HostHandlers {
  const handlers = {} as Record<string, (args: unknown) => unknown>;
  for (const name of hostCallNames) {
    handlers[name] = (args) => {
      calls.push(name);
      if (name === 'openFile') throw new UserFacingError(`${(args as { path: string }).path}: the file is empty`);
      if (name === 'listRecent') throw new Error('disk on fire\n    at somewhere (file.js:1:1)');
      return null;
    };
  }
  return handlers as unknown as HostHandlers;
}

test('arguments that do not match the schema are refused before any handler runs', async () => {
  const calls: string[] = [];
  const handlers = recordingHandlers(calls);
  const cases: [string, unknown, RegExp][] = [
    ['openFile', { path: '' }, /openFile: bad argument at path/],
    ['openFile', { path: '/tmp/x', taskId: '../../etc' }, /bad argument at taskId/],
    ['openFile', { path: '/tmp/x', taskId: 'a', extra: 1 }, /bad argument/],
    ['openBytes', { name: 'x', bytes: [1, 2, 3], taskId: 'a' }, /bad argument at bytes/],
    // Only the server passes an upload still arriving; a window's message cannot hold its function.
    ['openBytes', { name: 'x', bytes: { size: 3, listen: { toString: 'x' } }, taskId: 'a' }, /bad argument at bytes/],
    ['openFile', 'not an object', /bad argument/],
    ['saveExport', { suggestedName: 'x', format: 'exe', text: '' }, /bad argument at format/],
  ];
  for (const [name, args, error] of cases) {
    const outcome = await dispatchCall(handlers, name, args);
    assert.equal(outcome.ok, false, `${name} ${JSON.stringify(args)}`);
    assert.match((outcome as { error: string }).error, error);
  }
  assert.deepEqual(calls, []);
});

test('unknown calls, including prototype names, are refused', async () => {
  const handlers = recordingHandlers([]);
  for (const name of ['deleteEverything', 'constructor', '__proto__', 'toString', 42]) {
    const outcome = await dispatchCall(handlers, name, {});
    assert.equal(outcome.ok, false);
    assert.match((outcome as { error: string }).error, /unknown host call/);
  }
});

test('valid calls run, and failures come back as one line without a stack', async () => {
  const calls: string[] = [];
  const handlers = recordingHandlers(calls);
  assert.deepEqual(await dispatchCall(handlers, 'getHostInfo', {}), { ok: true, value: null });
  const userError = await dispatchCall(handlers, 'openFile', { path: '/tmp/p.txt', taskId: 'task-1' });
  assert.deepEqual(userError, { ok: false, error: '/tmp/p.txt: the file is empty' });
  const bug = await dispatchCall(handlers, 'listRecent', {});
  assert.equal(bug.ok, false);
  assert.doesNotMatch((bug as { error: string }).error, /\n|file\.js:1:1/);
  assert.match((bug as { error: string }).error, /^internal error: disk on fire/);
  assert.deepEqual(calls, ['getHostInfo', 'openFile', 'listRecent']);
});
