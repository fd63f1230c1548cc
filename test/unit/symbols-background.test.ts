/**
 * Background symbolization (symbols/background.ts): the worker of the built
 * bundle resolves file offsets exactly as the resolver does in this thread;
 * offsets never sent, and everything after the worker is gone, are resolved
 * here. (End to end, `heatline report` on recordings checked against perf
 * report goes through the worker: test/integration/perf-data.test.ts.)
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BackgroundSymbols } from '../../src-main/symbols/background';
import { createBinaryResolver } from '../../src-main/symbols/binary-resolver';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { assertBuilt } from '../helpers/cli';
import { fixtureBuilds } from '../helpers/compile';

const WORKER = join(__dirname, '..', '..', 'out', 'main', 'symbol-worker.js');

/** Every 7th byte of .text as a file offset: addresses in functions, inlined code and padding alike. */
function textOffsets(path: string): number[] {
  const elf = ElfFile.open(path);
  const text = elf.sections.find((s) => s.name === '.text');
  elf.close();
  assert.ok(text, `${path} has a .text`);
  const offsets: number[] = [];
  for (let o = text.offset; o < text.offset + text.size; o += 7) offsets.push(o);
  return offsets;
}

test('the worker resolves like this thread; unsent offsets and a gone worker are resolved here', async () => {
  assertBuilt();
  assert.ok(existsSync(WORKER), `${WORKER} is built by npm run build`);
  const build = fixtureBuilds().find((b) => b.label === 'inline_cpp.cpp -gdwarf-5 -pie');
  assert.ok(build);
  const binary = { path: build.path, buildId: null };
  const offsets = textOffsets(build.path);
  const local = createBinaryResolver({ debuginfodUrls: [] });
  const expected = local.resolveFileOffsets(binary, offsets);
  local.dispose();
  assert.ok(expected.some((r) => r.frames.length > 1), 'the fixture has inlined frames');

  const warnings: string[] = [];
  const background = BackgroundSymbols.start((line) => warnings.push(line), WORKER);
  assert.ok(background, 'the worker starts');
  // Sent in batches as the reader does; the last third is never sent.
  const sent = offsets.slice(0, Math.floor((offsets.length * 2) / 3));
  for (let i = 0; i < sent.length; i += 100) background.resolve(binary, sent.slice(i, i + 100));
  await background.settled();
  let fallbacks = 0;
  const resolver = background.resolver(() => {
    fallbacks++;
    return createBinaryResolver({ debuginfodUrls: [] });
  });
  // Only what the worker did not send needs this thread's resolver.
  assert.deepEqual(resolver.resolveFileOffsets(binary, sent), expected.slice(0, sent.length));
  assert.equal(fallbacks, 0, 'everything sent came back from the worker');
  assert.deepEqual(resolver.locate(binary).binaryPath, build.path);
  assert.deepEqual(resolver.resolveFileOffsets(binary, offsets), expected);
  assert.equal(fallbacks, 1);
  resolver.dispose();
  assert.deepEqual(warnings, []);

  // A worker that is gone: settled() does not hang, and everything is resolved here.
  const gone = BackgroundSymbols.start(() => {}, WORKER);
  assert.ok(gone);
  gone.dispose();
  gone.resolve(binary, offsets);
  await gone.settled();
  const afterwards = gone.resolver(() => createBinaryResolver({ debuginfodUrls: [] }));
  assert.deepEqual(afterwards.resolveFileOffsets(binary, offsets), expected);
  afterwards.dispose();
});

test('without the built worker, background symbolization is off (symbolized in the importer thread)', () => {
  assert.equal(BackgroundSymbols.start(() => {}, join(__dirname, 'no-such-symbol-worker.js')), null);
});
