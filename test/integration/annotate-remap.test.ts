/**
 * Finding sources after the build tree moved: cpu_hot is compiled and
 * recorded in a folder of its own, the folder is renamed, and then the debug
 * path no longer exists. Without a remap, annotate still prints the costs
 * and says on stderr where it looked; with one, the text is back.
 */

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadProfile } from '../../src-main/import/load';
import { fileSource } from '../../src-main/import/source';
import { SourceAccess } from '../../src-main/source/source-files';
import { runCli, repoRoot } from '../helpers/cli';
import { runTool } from '../helpers/compile';
import { FIXTURE_CFLAGS, FIXTURE_PROGRAMS_DIR, recordPerf } from '../helpers/perf';

const base = join(repoRoot, 'test-artifacts', 'annotate-remap');
const builtAt = join(base, 'built-here');
const movedTo = join(base, 'moved-here');
const recording = join(base, 'cpu_hot.perf.data');

before(async () => {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(builtAt, { recursive: true });
  copyFileSync(join(FIXTURE_PROGRAMS_DIR, 'cpu_hot.c'), join(builtAt, 'cpu_hot.c'));
  runTool('gcc', [...FIXTURE_CFLAGS, '-o', join(builtAt, 'cpu_hot'), join(builtAt, 'cpu_hot.c')]);
  await recordPerf(join(builtAt, 'cpu_hot'), ['5'], { callGraph: 'fp', out: recording });
  renameSync(builtAt, movedTo);
});

test('SourceAccess: the debug path is gone; a remap finds the moved file; other paths stay refused', async () => {
  const profile = await loadProfile(await fileSource(recording));
  const named = join(builtAt, 'cpu_hot.c');
  const access = SourceAccess.fromProfile(profile);
  assert.deepEqual(await access.read(named), { kind: 'not-found', path: named, tried: [named] });

  access.setRemaps([{ from: builtAt, to: movedTo }]);
  const read = await access.read(named);
  assert.equal(read.kind, 'found');
  assert.equal(read.kind === 'found' ? read.readFrom : '', join(movedTo, 'cpu_hot.c'));
  assert.match(read.kind === 'found' ? read.text : '', /work_40/);
  assert.equal((await access.read(join(movedTo, 'cpu_hot.c'))).kind, 'refused', 'the new path itself is not named by the profile');
  assert.equal((await access.read(`${builtAt}/../../../package.json`)).kind, 'refused');
});

test('annotate without the source prints the costs and one stderr line; --remap brings the text back', async () => {
  const missing = await runCli(['annotate', recording]);
  assert.equal(missing.status, 0, missing.stderr);
  assert.equal(missing.stderr, `heatline: ${join(builtAt, 'cpu_hot.c')}: source not found (tried ${join(builtAt, 'cpu_hot.c')}; a remap can point to where the sources are)\n`);
  assert.match(missing.stdout, /^\s+\d+\.\d+\s+\d+\.\d+\s+\d+:$/m, 'a costed line without text');

  const remapped = await runCli(['annotate', recording, '--remap', `${builtAt}=${movedTo}`]);
  assert.equal(remapped.status, 0, remapped.stderr);
  assert.equal(remapped.stderr, '');
  assert.match(remapped.stdout, /^\s+\d+\.\d+\s+\d+\.\d+\s+\d+: {3}for \(long i = 0; i < 8 \* UNIT/m);
});
