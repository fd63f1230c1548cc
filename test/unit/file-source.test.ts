/**
 * fileSource().chunksInto: a file read through a few reused buffers, with
 * reads running ahead into every buffer but the one the caller is walking.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileSource } from '../../src-main/import/source';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A file of `size` random bytes in a folder removed after the test, and a source over it. */
async function randomFile(t: TestContext, size: number) {
  const dir = mkdtempSync(join(tmpdir(), 'heatline-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'data.bin');
  const bytes = randomBytes(size);
  writeFileSync(path, bytes);
  return { bytes, source: await fileSource(path) };
}

test('chunksInto gives the range in order, and a chunk stays intact while the reads ahead land in the other buffers', async (t) => {
  const { bytes, source } = await randomFile(t, 300_007);

  for (const buffers of [2, 3, 4]) {
    for (const [start, end] of [
      [0, bytes.length],
      [13, 250_001],
      [4096, 4096 + 3 * 8192],
    ]) {
      const label = `${buffers} buffers, [${start}, ${end})`;
      const pieces: Buffer[] = [];
      for await (const chunk of source.chunksInto(Array.from({ length: buffers }, () => new Uint8Array(8192)), start, end)) {
        const before = Buffer.from(chunk);
        await nextTurn(); // the reads ahead complete meanwhile
        await nextTurn();
        assert.deepEqual(Buffer.from(chunk), before, `${label}: the chunk being walked was overwritten`);
        pieces.push(before);
      }
      assert.ok(Buffer.concat(pieces).equals(bytes.subarray(start, end)), label);
      assert.ok(pieces.length >= Math.ceil((end - start) / 8192), label);
    }
  }
});

test('chunksInto: a caller that stops early leaves no read running, and an empty range gives nothing', async (t) => {
  const { bytes, source } = await randomFile(t, 100_000);

  let seen = 0;
  for await (const chunk of source.chunksInto([new Uint8Array(4096), new Uint8Array(4096), new Uint8Array(4096)], 0, bytes.length)) {
    seen += chunk.length;
    if (seen >= 8192) break; // the generator's cleanup waits for the reads in flight, then closes the file
  }
  assert.equal(seen, 8192);
  let empty = 0;
  for await (const chunk of source.chunksInto([new Uint8Array(16), new Uint8Array(16)], 500, 500)) empty += chunk.length;
  assert.equal(empty, 0);
  // Reading past the end stops at the end of the file.
  const tail: Buffer[] = [];
  for await (const chunk of source.chunksInto([new Uint8Array(4096), new Uint8Array(4096)], 99_000, 200_000)) tail.push(Buffer.from(chunk));
  assert.ok(Buffer.concat(tail).equals(bytes.subarray(99_000)));
});
