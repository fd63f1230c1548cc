/**
 * fileSource().chunksInto: a file read through a few reused buffers, with
 * reads running ahead into every buffer but the one the caller is walking.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileSource, hasReusableChunks } from '../../src-main/import/source';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A file of `size` random bytes in a folder removed after the test, and a source over it. */
async function randomFile(t: TestContext, size: number) {
  const dir = mkdtempSync(join(tmpdir(), 'heatline-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'data.bin');
  const bytes = randomBytes(size);
  writeFileSync(path, bytes);
  const source = await fileSource(path);
  assert.ok(hasReusableChunks(source), 'a file is read through reused buffers');
  return { bytes, source };
}

test('a pipe (perf record -o - | heatline report /dev/stdin) is read whole, then like any bytes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heatline-source-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'data.bin');
  const fifo = join(dir, 'fifo');
  const bytes = randomBytes(3_000_001);
  writeFileSync(file, bytes);
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  // The app opens regular files only (a FIFO with no writer would wait forever); the command line reads pipes.
  await assert.rejects(fileSource(fifo), /fifo: not a regular file \(a pipe or device\)/);
  const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo]);
  const written = new Promise((done) => writer.once('exit', done));
  const source = await fileSource(fifo, { pipes: true });
  assert.equal(source.size, bytes.length);
  assert.ok(Buffer.from(source.head).equals(bytes.subarray(0, source.head.length)));
  const read: Buffer[] = [];
  for await (const chunk of source.chunks()) read.push(Buffer.from(chunk));
  assert.ok(Buffer.concat(read).equals(bytes));
  assert.ok(Buffer.from(await source.readRange(1_000_000, 10)).equals(bytes.subarray(1_000_000, 1_000_010)));
  assert.equal(await written, 0, 'the writer wrote it all');
});

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
