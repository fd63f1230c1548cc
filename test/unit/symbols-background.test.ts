/**
 * Background symbolization (symbols/background.ts): the worker of the built
 * bundle resolves file offsets exactly as the resolver does in this thread;
 * offsets never sent, and everything after the worker is gone, are resolved
 * here; kernel addresses are named from kallsyms under the same build-id
 * rule. (End to end, `heatline report` on recordings checked against perf
 * report goes through the worker: test/integration/perf-data.test.ts.)
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BackgroundSymbols } from '../../src-main/symbols/background';
import { createBinaryResolver } from '../../src-main/symbols/binary-resolver';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { createKernelResolver, readKallsymsIndex, readKernelBuildId } from '../../src-main/symbols/kernel';
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

test('kernel addresses: the worker names them from kallsyms as this thread does, and says why when it does not', async () => {
  assertBuilt();
  const buildId = readKernelBuildId();
  const index = readKallsymsIndex();
  assert.ok(buildId !== null && index !== null && !index.allZero, 'this machine (root) can read its kernel build-id and kallsyms');
  // Addresses inside the first few hundred kallsyms symbols and a little past them.
  const text = readFileSync('/proc/kallsyms', 'utf8');
  const addresses = text
    .split('\n')
    .slice(0, 400)
    .filter((line) => / [tT] /.test(line))
    .map((line) => BigInt(`0x${line.slice(0, line.indexOf(' '))}`) + 3n);
  assert.ok(addresses.length > 10);
  const here = createKernelResolver({ recordedBuildId: buildId, kallsymsIndex: index });
  const expected = addresses.map((address) => here.resolve(address));

  for (const [recorded, warning] of [
    [buildId, null],
    ['00112233445566778899aabbccddeeff00112233', /is not the running kernel/],
  ] as const) {
    const warnings: string[] = [];
    const background = BackgroundSymbols.start((line) => warnings.push(line), WORKER);
    assert.ok(background);
    background.resolveKernel(addresses, recorded, false);
    await background.settled();
    let fallbacks = 0;
    const kernel = background.kernelResolver(() => {
      fallbacks++;
      return { resolveKernelAddresses: (list) => list.map(() => ({ frames: [] })) };
    });
    const results = kernel.resolveKernelAddresses(addresses, recorded);
    background.dispose();
    assert.equal(fallbacks, 0);
    if (warning === null) {
      assert.deepEqual(results, expected);
      assert.deepEqual(warnings, []);
    } else {
      assert.ok(results.every((r) => r.frames.length === 0));
      assert.match(warnings.join('\n'), warning);
    }
  }
});

/** The nice value of each thread of this process: /proc/self/task/TID/stat, field 19. */
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

test('the worker runs at a lower priority than the reader, which keeps its own', async () => {
  assertBuilt();
  const before = threadNiceValues();
  const background = BackgroundSymbols.start(() => {}, WORKER);
  assert.ok(background);
  try {
    await background.settled(); // the worker is up and has answered
    const after = threadNiceValues();
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === 10);
    assert.equal(lowered.length, 1, `one new thread at nice 10: ${JSON.stringify([...after])}`);
    assert.equal(after.get(process.pid), before.get(process.pid), 'the main thread keeps its priority');
  } finally {
    background.dispose();
  }
});
