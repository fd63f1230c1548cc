/** sessions-store.ts: survives a restart, is bounded, and a corrupt file starts a fresh list with a warning. */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRecordArgs } from '../../src-main/record/record-command';
import { SESSIONS_FILE, SessionsStore, type SessionEntry } from '../../src-main/record/sessions-store';

const entry = (id: string): SessionEntry => ({ id, command: './prog 1', instrument: 'cpu', label: 'perf record', startedAt: 1, durationMs: 2, file: `/r/${id}.perf.data`, format: 'perf.data', status: 'finished', message: null });

test('the list survives a restart, newest first, bounded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatline-store-'));
  const store = new SessionsStore(dir, 3);
  for (const id of ['a', 'b', 'c', 'd']) store.add(entry(id));
  const again = new SessionsStore(dir, 3);
  assert.deepEqual(again.list().map((e) => e.id), ['d', 'c', 'b']);
  assert.equal(again.warning, null);
  again.remove('c');
  assert.deepEqual(new SessionsStore(dir).list().map((e) => e.id), ['d', 'b']);
});

test('a corrupt file is set aside and the list starts empty with a warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatline-store-'));
  writeFileSync(join(dir, SESSIONS_FILE), '{"version":1,"sessions":[{"id":');
  const store = new SessionsStore(dir);
  assert.deepEqual(store.list(), []);
  assert.match(store.warning ?? '', /could not be read/);
  assert.ok(readdirSync(dir).some((name) => name.startsWith(`${SESSIONS_FILE}.corrupt-`)));
  store.add(entry('x'));
  assert.ok(existsSync(join(dir, SESSIONS_FILE)));
  assert.deepEqual(new SessionsStore(dir).list().map((e) => e.id), ['x']);
});

test('heatline record arguments become a request', () => {
  const launch = parseRecordArgs(['--instrument', 'counters', '--repeat', '3', '--events', 'task-clock,page-faults', '-o', 'out.csv', '--', './prog', '-x', '5']);
  assert.deepEqual(launch.input.options, { instrument: 'counters', events: ['task-clock', 'page-faults'], repeat: 3 });
  assert.deepEqual(launch.input.target, { kind: 'launch', command: ['./prog', '-x', '5'], cwd: process.cwd() });
  assert.equal(launch.outputFile, join(process.cwd(), 'out.csv'));
  const attach = parseRecordArgs(['--pid', '42', '--duration', '2', '--call-graph', 'dwarf', '--sudo']);
  assert.deepEqual([attach.input.target, attach.input.durationSeconds, attach.input.elevation], [{ kind: 'attach', pid: 42 }, 2, 'sudo']);
  assert.throws(() => parseRecordArgs(['--pid', '42', '--', 'x']), /either --pid/);
  assert.throws(() => parseRecordArgs(['--instrument', 'gpu', '--', 'x']), /--instrument takes/);
  assert.throws(() => parseRecordArgs([]), /needs a command/);
});
