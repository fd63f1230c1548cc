/**
 * heaptrack data files (heaptrack.NAME.PID.zst or .gz): the allocations,
 * frees, stacks, heap and RSS over time that `heaptrack PROGRAM` records.
 *
 * Spec (heaptrack has no written one; these are the reader and writers):
 *   https://invent.kde.org/sdk/heaptrack/-/blob/master/src/analyze/accumulatedtracedata.cpp
 *   https://invent.kde.org/sdk/heaptrack/-/blob/master/src/interpret/heaptrack_interpret.cpp
 *   https://invent.kde.org/sdk/heaptrack/-/blob/master/src/track/libheaptrack.cpp
 *
 * decompress.ts undoes zstd or gzip in-process, streamed; reader.ts parses
 * the records and accumulates costs per trace as heaptrack does; build.ts
 * makes the Profile. Symbols are heaptrack's own: `heaptrack` runs
 * heaptrack_interpret, which resolves every address to function, file and
 * line before the file is written. Raw files are rejected (reader.ts).
 *
 * Kept: per site bytes, allocations, peak, leaked and temporary
 * allocations, and when each site allocated (bucketed, timeline.ts) so a
 * time range filters the sites. Not kept: the peak's time, suppressions.
 * Leaks are reported without heaptrack's suppressions.
 */

import { CancelledError } from '../../../src-shared/errors';
import type { Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { buildHeaptrackProfile } from './build';
import { containerOf, decompressChunks, decompressHead } from './decompress';
import { MAX_ZSTD_WINDOW, zstdWindowSize } from '../zstd-window';
import { HeaptrackReader, type HeaptrackData } from './reader';

/** First line "v VERSION[ FORMAT]", then a record heaptrack writes next (interpreted or raw). */
const HEAD = /^v [0-9a-f]+(?: [0-9a-f]+)?\r?\n[XxAIsm#]/;

/** Decompresses and parses a heaptrack file. Throws ImportError with one line. */
export async function readHeaptrack(source: ImportSource, options: ImportOptions = {}): Promise<HeaptrackData> {
  const stream = decompressChunks(containerOf(source.head), source.chunks());
  const reader = new HeaptrackReader();
  for await (const chunk of stream.chunks) {
    if (options.signal?.aborted) throw new CancelledError();
    reader.write(chunk);
    options.onProgress?.(stream.consumed, source.size);
  }
  if (options.signal?.aborted) throw new CancelledError();
  return reader.finish(stream.truncated);
}

export const heaptrackImporter: Importer = {
  id: 'heaptrack',
  label: 'heaptrack',
  sniff(head) {
    // A zstd frame asking for an impossible window is no other format's: taken, so the import says what is wrong.
    if (containerOf(head) === 'zstd' && zstdWindowSize(head) > MAX_ZSTD_WINDOW) return true;
    const text = decompressHead(head, 256);
    if (text === null) return false;
    return HEAD.test(String.fromCharCode(...text));
  },
  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    return buildHeaptrackProfile(await readHeaptrack(source, options), source.name).profile;
  },
};
