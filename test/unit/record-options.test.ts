/**
 * The recording request's bounds (src-shared/record/options.ts), checked the
 * way the window's arguments arrive: through dispatchCall, so a refusal is
 * the host's one line before any handler runs.
 * - the environment: at most 256 variables, names like a shell's, values
 *   bounded;
 * - NUL in a command word, the folder or an env value is refused (node-pty
 *   would pass a C string cut at the NUL, silently running something else).
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatchCall } from '../../src-main/host/dispatch';
import { createHost } from '../../src-main/host/host';
import { createRecordingServices } from '../../src-main/host/record-handlers';
import { MAX_ENV_VALUE_LENGTH, MAX_ENV_VARIABLES, recordRequestSchema } from '../../src-shared/record/options';
import { fakeCaps } from '../helpers/record';

const launch = (target: object) => ({ target: { kind: 'launch', command: ['/bin/true'], ...target }, options: { instrument: 'cpu' } });

function firstIssue(input: unknown): string | null {
  const parsed = recordRequestSchema.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return `${issue.path.join('.')}: ${issue.message}`;
}

const manyVariables = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`VAR_${i}`, 'x']));

test('the environment is bounded: variable count, name pattern, value length', () => {
  assert.equal(firstIssue(launch({ env: manyVariables(MAX_ENV_VARIABLES) })), null, 'the limit itself is fine');
  assert.equal(firstIssue(launch({ env: manyVariables(MAX_ENV_VARIABLES + 1) })), `target.env: at most ${MAX_ENV_VARIABLES} environment variables`);
  assert.equal(firstIssue(launch({ env: { LONG: 'v'.repeat(MAX_ENV_VALUE_LENGTH) } })), null);
  assert.match(firstIssue(launch({ env: { LONG: 'v'.repeat(MAX_ENV_VALUE_LENGTH + 1) } })) ?? '', /^target\.env\.LONG: /);
  for (const name of ['1ABC', 'A-B', 'A=B', 'A B', '', 'X'.repeat(129), 'É']) {
    assert.match(firstIssue(launch({ env: { [name]: 'x' } })) ?? 'accepted', /^target\.env/, `env name ${JSON.stringify(name)} is refused`);
  }
  assert.equal(firstIssue(launch({ env: { _A9: '', LD_PRELOAD: '/x.so', ['X'.repeat(128)]: 'y' } })), null);
});

test('a NUL in a command word, the folder or an env value is refused, naming where', () => {
  assert.equal(firstIssue(launch({ command: ['/bin/echo', 'a\0b'] })), 'target.command.1: contains a NUL character');
  assert.equal(firstIssue(launch({ command: ['/bin/true\0--help'] })), 'target.command.0: contains a NUL character');
  assert.equal(firstIssue(launch({ cwd: '/tmp\0/etc' })), 'target.cwd: contains a NUL character');
  assert.equal(firstIssue(launch({ env: { A: 'x\0y' } })), 'target.env.A: contains a NUL character');
  assert.equal(firstIssue(launch({ command: ['/bin/echo', 'tab\tand newline\n are fine'], cwd: '/tmp', env: { A: 'x y' } })), null);
});

test('the host refuses such requests with one line before any handler runs', async () => {
  const recording = createRecordingServices({ dataDir: mkdtempSync(join(tmpdir(), 'heatline-opts-')), resourcesDir: '/nonexistent', capabilities: fakeCaps() });
  const host = createHost({ mode: 'electron', version: 't', emit: () => {}, mayOpenPath: () => false, recording });
  for (const call of ['checkRecording', 'startRecording']) {
    const nul = await dispatchCall(host, call, { request: launch({ command: ['/bin/sh', '-c\0rm'] }) });
    assert.equal(nul.ok, false);
    assert.match(!nul.ok ? nul.error : '', new RegExp(`^${call}: bad argument at request\\.target\\.command\\.1: contains a NUL character$`));
    const flood = await dispatchCall(host, call, { request: launch({ env: manyVariables(5000) }) });
    assert.match(!flood.ok ? flood.error : 'accepted', new RegExp(`^${call}: bad argument at request\\.target\\.env: at most 256 environment variables$`));
  }
  host.dispose();
});
