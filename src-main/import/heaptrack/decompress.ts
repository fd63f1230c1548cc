/**
 * heaptrack writes its data file zstd-compressed (heaptrack.NAME.PID.zst)
 * or, when built without zstd, gzip-compressed (.gz). Both are decompressed
 * here in-process and streamed, chunk by chunk, so a large recording never
 * exists decompressed in memory: zstd with fzstd (pure JS), gzip with
 * node:zlib. The container is told by its magic bytes, never the file name;
 * an uncompressed data file is passed through.
 *
 * A stream that simply stops (a recording cut short, a partial copy) yields
 * everything before the cut and then reports `truncated`, so the importer can
 * keep what was recorded with a warning; invalid compressed data is an
 * ImportError.
 */

import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ImportError } from '../../../src-shared/errors';
import { MAX_ZSTD_WINDOW, zstdWindowSize } from '../zstd-window';

export type Container = 'zstd' | 'gzip' | 'plain';

export function containerOf(head: Uint8Array): Container {
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return 'plain';
}

/** The start of the decompressed content of `head` (a file's first bytes), or null when it does not decompress. */
export function decompressHead(head: Uint8Array, limit = 4096): Uint8Array | null {
  const container = containerOf(head);
  if (container === 'plain') return head.subarray(0, limit);
  try {
    if (container === 'gzip') {
      // Z_SYNC_FLUSH: return what the partial stream holds instead of failing at its cut end.
      return new Uint8Array(gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH })).subarray(0, limit);
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    const zstd = new Decompress((chunk) => {
      parts.push(chunk);
      size += chunk.length;
    });
    try {
      zstd.push(head);
    } catch (error) {
      // Data that decompressed before the error is judged; the import reports the corruption.
      if (size === 0) throw error;
    }
    const out = new Uint8Array(Math.min(size, limit));
    let at = 0;
    for (const part of parts) {
      if (at >= out.length) break;
      const take = part.subarray(0, out.length - at);
      out.set(take, at);
      at += take.length;
    }
    return out;
  } catch {
    return null;
  }
}

export interface DecompressedStream {
  chunks: AsyncIterable<Uint8Array>;
  /** Compressed bytes consumed so far, for progress. */
  readonly consumed: number;
  /** Set once the stream has ended early (after the last chunk was yielded). */
  readonly truncated: boolean;
}

export function decompressChunks(container: Container, input: AsyncIterable<Uint8Array>): DecompressedStream {
  const state = { consumed: 0, truncated: false };
  const counted = (async function* () {
    for await (const chunk of input) {
      state.consumed += chunk.byteLength;
      yield chunk;
    }
  })();
  const chunks = container === 'zstd' ? zstdChunks(counted, state) : container === 'gzip' ? gzipChunks(counted, state) : counted;
  return {
    chunks,
    get consumed() {
      return state.consumed;
    },
    get truncated() {
      return state.truncated;
    },
  };
}

const ZSTD_UNEXPECTED_EOF = 5;

async function* zstdChunks(input: AsyncIterable<Uint8Array>, state: { truncated: boolean }): AsyncIterable<Uint8Array> {
  let out: Uint8Array[] = [];
  const zstd = new Decompress((chunk) => {
    if (chunk.length > 0) out.push(chunk);
  });
  let first = true;
  const push = (chunk: Uint8Array, final: boolean) => {
    if (first && chunk.length > 0) {
      first = false;
      const window = zstdWindowSize(chunk);
      if (window > MAX_ZSTD_WINDOW) {
        throw new ImportError(`corrupt zstd data: its frame asks for a ${Math.round(window / 2 ** 20)} MiB window (zstd itself refuses more than ${MAX_ZSTD_WINDOW / 2 ** 20} MiB without --long)`);
      }
    }
    try {
      zstd.push(chunk, final);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (final && code === ZSTD_UNEXPECTED_EOF) state.truncated = true;
      else throw new ImportError(`corrupt zstd data (${(error as Error).message})`);
    }
  };
  for await (const chunk of input) {
    push(chunk, false);
    yield* drain();
  }
  push(new Uint8Array(0), true);
  yield* drain();

  function* drain(): Generator<Uint8Array> {
    const ready = out;
    out = [];
    yield* ready;
  }
}

async function* gzipChunks(input: AsyncIterable<Uint8Array>, state: { truncated: boolean }): AsyncIterable<Uint8Array> {
  const gunzip = createGunzip();
  let feedError: unknown = null;
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        // Destroyed: the reader stopped (cancelled or failed); leaving the loop closes the file.
        if (gunzip.destroyed) return;
        if (!gunzip.write(chunk)) {
          await new Promise((resolve) => {
            gunzip.once('drain', resolve);
            gunzip.once('close', resolve);
          });
        }
      }
      if (!gunzip.destroyed) gunzip.end();
    } catch (error) {
      feedError = error;
      gunzip.destroy();
    }
  })();
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    if (feedError !== null) throw feedError;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') state.truncated = true;
    else throw new ImportError(`corrupt gzip data (${(error as Error).message})`);
  } finally {
    gunzip.destroy();
    await feeding;
  }
  if (feedError !== null) throw feedError;
}
