/**
 * The line reader under the text importers: lines must come out the same
 * however the bytes are chunked (a line, a CRLF or a UTF-8 character split
 * across chunks), with the right numbers, the right "terminated" flag on the
 * last line, progress in bytes, and cancellation between chunks.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, ImportError } from '../../src-shared/errors';
import { HEAD_BYTES, type ImportSource } from '../../src-main/import/importer';
import { detach, hasNulByte, headLines, readLines } from '../../src-main/import/text-lines';

/** A source that hands out `bytes` in chunks of `chunkSize` bytes. */
function chunkedSource(text: string | Uint8Array, chunkSize: number): ImportSource {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return {
    name: 'test.txt',
    size: bytes.byteLength,
    head: bytes.subarray(0, HEAD_BYTES),
    readRange: async (offset, length) => bytes.subarray(offset, offset + length),
    async *chunks(start = 0, end = bytes.byteLength) {
      for (let at = start; at < end; at += chunkSize) yield bytes.subarray(at, Math.min(end, at + chunkSize));
    },
  };
}

interface Collected {
  lines: string[];
  numbers: number[];
  terminated: boolean[];
  lastLineTerminated: boolean;
}

async function collect(source: ImportSource): Promise<Collected> {
  const out: Collected = { lines: [], numbers: [], terminated: [], lastLineTerminated: true };
  const result = await readLines(source, {}, (line, n, terminated) => {
    out.lines.push(line);
    out.numbers.push(n);
    out.terminated.push(terminated);
  });
  assert.equal(result.lineCount, out.lines.length);
  out.lastLineTerminated = result.lastLineTerminated;
  return out;
}

const SAMPLE = 'first line\nsecond, with é and 漢字\r\n\n  indented\tand tabbed\r\nlast without newline';
const SAMPLE_LINES = ['first line', 'second, with é and 漢字', '', '  indented\tand tabbed', 'last without newline'];

test('the same lines whatever the chunk size, including UTF-8 and CRLF split across chunks', async () => {
  for (const chunkSize of [1, 2, 3, 5, 7, 64, 1 << 20]) {
    const got = await collect(chunkedSource(SAMPLE, chunkSize));
    assert.deepEqual(got.lines, SAMPLE_LINES, `chunk size ${chunkSize}`);
    assert.deepEqual(got.numbers, [1, 2, 3, 4, 5]);
    assert.deepEqual(got.terminated, [true, true, true, true, false]);
    assert.equal(got.lastLineTerminated, false);
  }
});

test('a final newline ends the last line: no empty extra line, last line terminated', async () => {
  const got = await collect(chunkedSource('a\r\nb\n', 3));
  assert.deepEqual(got.lines, ['a', 'b']);
  assert.deepEqual(got.terminated, [true, true]);
  assert.equal(got.lastLineTerminated, true);
});

test('empty content gives no lines; a lone newline gives one empty line', async () => {
  assert.deepEqual((await collect(chunkedSource('', 4))).lines, []);
  const one = await collect(chunkedSource('\n', 4));
  assert.deepEqual(one.lines, ['']);
  assert.equal(one.lastLineTerminated, true);
});

test('a lone "\\r" inside a line is kept; only the one before "\\n" goes', async () => {
  assert.deepEqual((await collect(chunkedSource('a\rb\r\n\r\r\n', 2))).lines, ['a\rb', '\r']);
});

test('progress reports bytes consumed, ending at the size', async () => {
  const source = chunkedSource(SAMPLE, 10);
  const reports: [number, number][] = [];
  await readLines(source, { onProgress: (done, total) => reports.push([done, total]) }, () => {});
  assert.ok(reports.length >= Math.ceil(source.size / 10));
  assert.deepEqual(reports.at(-1), [source.size, source.size]);
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i][0] > reports[i - 1][0], 'progress only grows');
});

test('an aborted signal stops reading between chunks with CancelledError', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  await assert.rejects(
    readLines(chunkedSource(text, 16), { signal: controller.signal }, (line) => {
      seen.push(line);
      controller.abort();
    }),
    CancelledError,
  );
  assert.ok(seen.length > 0 && seen.length < 100, `stopped early after ${seen.length} lines`);
  // Already aborted: no line is read at all.
  const none: string[] = [];
  await assert.rejects(readLines(chunkedSource(text, 16), { signal: AbortSignal.abort() }, (l) => none.push(l)), CancelledError);
  assert.deepEqual(none, []);
});

test('errors thrown by the handler propagate unchanged', async () => {
  await assert.rejects(
    readLines(chunkedSource('a\nb\n', 1), {}, (_line, n) => {
      if (n === 2) throw new ImportError('line 2: bad');
    }),
    { name: 'ImportError', message: 'line 2: bad' },
  );
});

test('invalid UTF-8 becomes U+FFFD instead of failing', async () => {
  const got = await collect(chunkedSource(new Uint8Array([0x61, 0xff, 0x62, 0x0a]), 1));
  assert.deepEqual(got.lines, ['a\ufffdb']);
});

test('headLines: complete lines only, unless the head is the whole (short) file', () => {
  const encode = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(headLines(encode('a\r\nb\nc'), 10), ['a', 'b', 'c'], 'short head = whole file: keep the last line');
  assert.deepEqual(headLines(encode('a\nb\n'), 10), ['a', 'b']);
  assert.deepEqual(headLines(encode('a\nb\nc\nd\n'), 2), ['a', 'b']);
  const full = new Uint8Array(HEAD_BYTES).fill(0x78);
  full.set(encode('first\n'), 0);
  assert.deepEqual(headLines(full, 10), ['first'], 'a full head may have cut its last line: drop it');
});

test('hasNulByte and detach', () => {
  assert.equal(hasNulByte(new Uint8Array([1, 2, 0, 3])), true);
  assert.equal(hasNulByte(new TextEncoder().encode('text')), false);
  const long = 'x'.repeat(100) + 'name-of-a-function';
  const slice = long.slice(100);
  assert.equal(detach(slice), 'name-of-a-function');
  assert.equal(detach('short'), 'short');
});
