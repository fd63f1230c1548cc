/** ImportSources over a file on disk (streamed) or bytes already in memory (browser uploads). */

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { UserFacingError } from '../../src-shared/errors';
import { HEAD_BYTES, type ImportSource } from './importer';

const CHUNK_BYTES = 1 << 20;

export async function fileSource(path: string): Promise<ImportSource> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UserFacingError(`${path}: is a directory, not a profile`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError(`${path}: ${describeFsError(error)}`);
  }
  const handle = await open(path, 'r');
  let head: Uint8Array;
  try {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
  return {
    name: path,
    size,
    head,
    chunks: () => createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
  };
}

export function bytesSource(name: string, bytes: Uint8Array): ImportSource {
  return {
    name,
    size: bytes.byteLength,
    head: bytes.subarray(0, HEAD_BYTES),
    async *chunks() {
      for (let at = 0; at < bytes.byteLength; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
    },
  };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a profile';
  return (error as Error)?.message ?? String(error);
}
