/** ImportSources over a file on disk (streamed) or bytes already in memory (browser uploads). */

import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { open, readdir, stat } from 'node:fs/promises';
import { UserFacingError } from '../../src-shared/errors';
import { HEAD_BYTES, type ImportSource } from './importer';

const CHUNK_BYTES = 1 << 20;

/**
 * An ImportSource that can also read into the caller's buffer. A reader that
 * copies whatever it keeps of a chunk (perf.data) streams a file of hundreds
 * of MB through one buffer this way, instead of a new 1 MiB chunk per step.
 */
export interface ReusableChunks {
  /**
   * Like chunks(), but each chunk is a view of one of `buffers` (two or
   * more), taken in turn: while the caller works on one chunk the next ones
   * are read into the others. A chunk is overwritten once the next one has
   * been asked for: keep nothing of it.
   */
  chunksInto(buffers: readonly Uint8Array[], start: number, end: number): AsyncIterable<Uint8Array>;
}

export function hasReusableChunks(source: ImportSource): source is ImportSource & ReusableChunks {
  return typeof (source as Partial<ReusableChunks>).chunksInto === 'function';
}

/**
 * A file's bytes, streamed (with ReusableChunks). With `pipes` (the command
 * line), a pipe or device is read whole first, as `perf report -i -` does; the
 * app opens regular files only: a FIFO with no writer would wait forever.
 */
export async function fileSource(path: string, options: { pipes?: boolean } = {}): Promise<ImportSource> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return await perfThreadsDirectory(path);
    if (!info.isFile()) {
      // A pipe (perf record -o - | heatline report -) has no size and cannot be read twice: read it whole.
      if (options.pipes === true) return bytesSource(path, await readStream(path));
      throw new UserFacingError(`${path}: not a regular file (a pipe or device); save it to a file first`);
    }
    size = info.size;
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError(`${path}: ${describeFsError(error)}`);
  }
  const readRange = async (offset: number, length: number): Promise<Uint8Array> => {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, done);
    } finally {
      await handle.close();
    }
  };
  let head: Uint8Array;
  try {
    head = await readRange(0, HEAD_BYTES);
  } catch (error) {
    throw new UserFacingError(`${path}: ${describeFsError(error)}`);
  }
  const source: ImportSource & ReusableChunks = {
    name: path,
    size,
    head,
    readRange,
    chunks: (start = 0, end = size) =>
      end <= start
        ? emptyChunks()
        : (createReadStream(path, { highWaterMark: CHUNK_BYTES, start, end: end - 1 }) as AsyncIterable<Uint8Array>),
    chunksInto: (buffers, start, end) => chunksInto(path, buffers, start, Math.min(end, size)),
  };
  return source;
}

async function* chunksInto(path: string, buffers: readonly Uint8Array[], start: number, end: number): AsyncIterable<Uint8Array> {
  if (end <= start) return;
  const handle = await open(path, 'r');
  let at = start;
  // Reading ahead into every buffer but the caller's keeps the copies from the page cache (in the thread
  // pool) ahead of the caller's work, even when a read is late because both cores are busy.
  const reads: { buffer: Uint8Array; asked: number; done: Promise<{ bytesRead: number }> }[] = [];
  const readInto = (buffer: Uint8Array) => {
    if (at >= end) return;
    const asked = Math.min(buffer.length, end - at);
    reads.push({ buffer, asked, done: handle.read(buffer, 0, asked, at) });
    at += asked;
  };
  try {
    for (let i = 1; i < buffers.length; i++) readInto(buffers[i]);
    let free = buffers[0]; // the one the caller is done with
    while (reads.length > 0) {
      readInto(free);
      const read = reads.shift()!;
      const { bytesRead } = await read.done;
      if (bytesRead > 0) yield read.buffer.subarray(0, bytesRead);
      if (bytesRead < read.asked) return; // the file shrank: what follows is not there
      free = read.buffer;
    }
  } finally {
    // A caller that stops early leaves reads running into buffers: let them end before closing the file.
    await Promise.all(reads.map((read) => read.done.catch(() => undefined)));
    await handle.close();
  }
}

/** Everything a pipe or device gives until its end, at most MAX_STREAM_BYTES. */
async function readStream(path: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_STREAM_BYTES) throw new UserFacingError(`${path}: more than 2 GiB from a pipe; save it to a file first`);
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/** One ArrayBuffer holds at most 2 GiB everywhere. */
const MAX_STREAM_BYTES = 2 ** 31 - 1;

export function bytesSource(name: string, bytes: Uint8Array): ImportSource {
  return {
    name,
    size: bytes.byteLength,
    head: bytes.subarray(0, HEAD_BYTES),
    readRange: async (offset, length) => bytes.subarray(offset, offset + length),
    async *chunks(start = 0, end = bytes.byteLength) {
      for (let at = start; at < end; at += CHUNK_BYTES) yield bytes.subarray(at, Math.min(end, at + CHUNK_BYTES));
    },
  };
}

async function* emptyChunks(): AsyncIterable<Uint8Array> {}

/**
 * A directory opened as a profile: what `perf record --threads` writes, a
 * `data` file (header, attributes, features, and perf's own records) and
 * `data.0`, `data.1`, ... with the records each of its threads wrote.
 */
async function perfThreadsDirectory(path: string): Promise<ImportSource> {
  const names = await readdir(path);
  const parts = names
    .filter((name) => /^data\.\d+$/.test(name))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  if (!names.includes('data') || parts.length === 0) throw new UserFacingError(`${path}: is a directory, not a profile`);
  const main = await fileSource(join(path, 'data'));
  const threadDataFiles = await Promise.all(parts.map((name) => fileSource(join(path, name))));
  return { ...main, name: path, threadDataFiles };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a profile';
  return (error as Error)?.message ?? String(error);
}
