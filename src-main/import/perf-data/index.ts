/**
 * perf.data, read natively: no `perf` needed, so a recording made on a Linux
 * server opens anywhere.
 *
 * Format: tools/perf/Documentation/perf.data-file-format.txt and
 * include/uapi/linux/perf_event.h in the Linux tree
 * (https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/tools/perf/Documentation/perf.data-file-format.txt).
 *
 * One streaming pass over the data section (records.ts) collects locations,
 * call paths and per-sample columns; then every binary is symbolized once
 * with all its offsets (symbolize.ts) and the profile is built. A `perf
 * record --threads` directory is its `data` file, whose data section is
 * followed by the records of `data.0`, `data.1`, ... (source.ts).
 *
 * Matching `perf report`:
 * - The profile's samples are those of the first event that has samples;
 *   other events become timeline markers (markers.ts) and are named in a warning.
 * - Unit 'samples', weight 1. perf report's percentages are by period; for
 *   cpu-clock and task-clock every period is equal, so the shares are the
 *   same. When periods vary (hardware events in frequency mode) a warning
 *   says that shares are by count.
 * - The leaf of a stack is the first real entry of the call chain (the
 *   sampled ip), so self cost lands where perf report --no-children puts it.
 * - A thread's name is its latest comm; the process's name is its main
 *   thread's. Samples keep perf's time order (the builder sorts by time).
 */

import { basename } from 'node:path';
import { CancelledError, ImportError } from '../../../src-shared/errors';
import { BackgroundSymbols } from '../../symbols/background';
import type { Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { assemble } from './assemble';
import { viewOf } from './binary';
import { createDwarfUnwinder } from './dwarf-unwinder';
import { readFeature, recordedKernelBuildId, type PerfFeatures } from './features';
import { readAttrs, readFeatureTable, readPerfHeader, sniffPerfData, type PerfHeader } from './header';
import { LocationFeed } from './prefetch';
import { PerfDataReader } from './records';
import { SampleType, type UserStackUnwinder } from './sample';
import { defaultSymbolSources, recordedHere, type RecordingFacts } from './sources';
import { RecordSplitter, streamRecords } from './stream';
import type { PerfSymbolSources } from './symbolize';
import type { ThreadLifetime } from './threads';

export type { PerfSymbolSources } from './symbolize';
export { defaultSymbolSources, type RecordingFacts } from './sources';
export type { ThreadLifetime } from './threads';
export type { UserStackSample, UserStackUnwinder, ModuleLookup } from './sample';

export interface PerfDataConfig {
  /** Symbol sources; made per import (they hold open files) and disposed after it. `warn` takes one line per problem. */
  symbols?: (warn: (line: string) => void, recording: RecordingFacts) => PerfSymbolSources;
  /** For --call-graph dwarf recordings; made per import, disposed after the read. */
  unwinder?: (warn: (line: string) => void) => UserStackUnwinder | null;
}

export interface PerfDataResult {
  profile: Profile;
  /** Every thread the recording mentions, with FORK/EXIT times, for the timeline (the model has no columns for them yet). */
  threads: ThreadLifetime[];
  features: PerfFeatures;
  /** Each recorded event and how many samples it has; `shown` marks the profile's. */
  events: { name: string; samples: number; shown: boolean }[];
}

export async function readPerfData(source: ImportSource, options: ImportOptions = {}, config: PerfDataConfig = {}): Promise<PerfDataResult> {
  const header = await readPerfHeader(source);
  const symbolWarnings: string[] = [];
  const warn = (line: string) => symbolWarnings.push(line);
  const unwinder = config.unwinder?.(warn) ?? null;
  try {
    return await readWith(source, options, config, header, unwinder, symbolWarnings);
  } finally {
    unwinder?.dispose?.();
  }
}

async function readWith(
  source: ImportSource,
  options: ImportOptions,
  config: PerfDataConfig,
  header: PerfHeader,
  unwinder: UserStackUnwinder | null,
  symbolWarnings: string[],
): Promise<PerfDataResult> {
  const le = header.littleEndian;
  const reader = new PerfDataReader(le, unwinder);
  const warnings = reader.warnings;

  const start = header.data.offset;
  let end = start + header.data.size;
  let lateFeatures: (() => Promise<void>) | null = null;
  if (!header.pipe) {
    for (const attr of await readAttrs(source, header, warnings)) reader.addAttr(attr);
    const readFeatures = async () => {
      for (const [id, where] of await readFeatureTable(source, header, warnings)) {
        const warning = readFeature(reader.features, id, viewOf(await source.readRange(where.offset, where.size)), le);
        if (warning) warnings.push(warning);
      }
    };
    // The feature sections follow the records. Of a file still arriving (an upload) they come last: its records
    // are read as they come and the features after them, unless user stacks are to be unwound (that needs the
    // recording's arch, a feature, from the first sample on).
    const unwindsUserStacks = reader.attrs.some((attr) => (attr.sampleType & SampleType.STACK_USER) !== 0);
    if (source.arriving === true && !unwindsUserStacks) lateFeatures = readFeatures;
    else await readFeatures();
    if (header.data.size === 0 && source.size > start) {
      // perf writes the sizes when it finishes; killed, it leaves 0 with the records already written.
      end = source.size;
      warnings.push('the header gives no data size (perf was interrupted?): read the records up to the end of the file');
    }
  }
  const available = Math.min(end, source.size);
  const thisMachine = config.symbols === defaultSymbolSources;
  // With this machine's symbols, resolve user code on the other core as it is found, and read kallsyms
  // there meanwhile (symbols/background.ts).
  const background = thisMachine ? BackgroundSymbols.start((line) => symbolWarnings.push(line)) : null;
  try {
    return await readRecords(source, options, config, reader, { start, end, available, le }, background, symbolWarnings, lateFeatures);
  } finally {
    background?.dispose();
  }
}

async function readRecords(
  source: ImportSource,
  options: ImportOptions,
  config: PerfDataConfig,
  reader: PerfDataReader,
  { start, end, available, le }: { start: number; end: number; available: number; le: boolean },
  background: BackgroundSymbols | null,
  symbolWarnings: string[],
  lateFeatures: (() => Promise<void>) | null,
): Promise<PerfDataResult> {
  const warnings = reader.warnings;
  // With the features still to come, the worker is given binaries once their build-ids are known: after the read.
  const readingFeed = background && lateFeatures === null ? new LocationFeed(reader, background) : null;
  const released = readingFeed
    ? () => {
        reader.released();
        readingFeed.sendNew();
      }
    : reader.released;
  let feed = readingFeed;
  const result = await streamRecords(source, start, available, le, reader.handle, options, released);
  const unread = end - start - result.consumed;
  /** The first "the data ends early" warning, to say why there are no samples. */
  const cuts: string[] = [];
  if (result.stop === 'corrupt') {
    cuts.push(`corrupt record at byte ${start + result.consumed}: the last ${unread} bytes of the ${end - start}-byte data section were not read`);
  } else if (unread > 0) {
    cuts.push(`truncated: ${unread} bytes of the ${end - start}-byte data section were not read (the file is cut)`);
  }
  cuts.push(...(await readThreadDataFiles(source, reader, le, options, released)));
  if (lateFeatures !== null) {
    await lateFeatures();
    if (background) feed = new LocationFeed(reader, background);
  }
  warnings.push(...cuts);
  reader.finish();
  if (reader.attrs.length === 0) throw new ImportError('the recording describes no events (cut before its first records?)');
  if (reader.eventSamples.every((count) => count === 0)) {
    // As perf report ("has no samples!"): an empty window would say nothing of why.
    throw new ImportError(cuts.length > 0 ? `no samples: ${cuts[0]}` : 'no samples: perf recorded none (did the program run, and the event fire?)');
  }

  const facts = { hostname: reader.features.hostname, osRelease: reader.features.osRelease };
  const recording = { ...facts, background };
  const sources = config.symbols?.((line) => symbolWarnings.push(line), recording) ?? {};
  try {
    if (feed && background) {
      const here = feed.finish();
      background.resolveKernel(reader.locations.kernelAddresses(), recordedKernelBuildId(reader.features), recordedHere(facts), reader.kernelReference);
      // Binaries first met at the end of the read (all of a short recording's): this thread would only
      // wait, so it resolves them now, while the worker reads kallsyms and finishes what it was sent.
      for (const { binary, offsets } of here) sources.binaries?.resolveFileOffsets(binary, offsets);
      await background.settled();
    }
    const result = assemble(source, reader, sources);
    const shown = symbolWarnings.slice(0, MAX_SYMBOL_WARNINGS);
    if (symbolWarnings.length > shown.length) shown.push(`(${symbolWarnings.length - shown.length} more symbol warnings)`);
    result.profile.meta.warnings.push(...shown);
    return result;
  } finally {
    sources.binaries?.dispose();
  }
}

/**
 * `perf record --threads`: the records of the data.N files after those of
 * `data`. Each file holds some CPUs' records, so their times interleave.
 * They carry no FINISHED_ROUND: the ordering queue delivers them merged, in
 * time order, at the end, or its older half early once it holds
 * MAX_QUEUED_BYTES (ordered.ts), as perf report does. So that no file's
 * records run far ahead of another's, the files are read a chunk at a time,
 * the one furthest behind (by the share of it read) next: they move through
 * the recording's time together. Returns a warning per file that ends early.
 */
async function readThreadDataFiles(source: ImportSource, reader: PerfDataReader, le: boolean, options: ImportOptions, released: () => void): Promise<string[]> {
  const parts = (source.threadDataFiles ?? []).filter((part) => part.size > 0);
  const total = source.size + parts.reduce((sum, part) => sum + part.size, 0);
  const streams = parts.map((part) => ({
    part,
    splitter: new RecordSplitter(reader.handle, le, released),
    chunks: part.chunks(0, part.size)[Symbol.asyncIterator](),
    seen: 0,
    open: true,
    corrupt: false,
  }));
  let done = source.size;
  try {
    for (;;) {
      let next: (typeof streams)[number] | null = null;
      for (const s of streams) if (s.open && (next === null || s.seen / s.part.size < next.seen / next.part.size)) next = s;
      if (next === null) break;
      if (options.signal?.aborted) throw new CancelledError();
      const chunk = await next.chunks.next();
      if (chunk.done) {
        next.open = false;
        continue;
      }
      next.seen += chunk.value.length;
      done += chunk.value.length;
      if (!next.splitter.feed(chunk.value)) {
        next.open = false;
        next.corrupt = true;
        await next.chunks.return?.();
      }
      options.onProgress?.(done, total);
    }
  } finally {
    for (const s of streams) if (s.open) await s.chunks.return?.();
  }
  const cuts: string[] = [];
  for (const { part, splitter, corrupt } of streams) {
    const unread = part.size - splitter.consumed;
    const name = basename(part.name);
    if (corrupt) cuts.push(`${name}: corrupt record at byte ${splitter.consumed}: its last ${unread} bytes were not read`);
    else if (unread > 0) cuts.push(`${name}: truncated: its last ${unread} bytes were not read (the file is cut)`);
  }
  return cuts;
}

/** At most this many lines of the resolvers' own warnings reach the profile (a system-wide recording touches hundreds of binaries). */
const MAX_SYMBOL_WARNINGS = 8;

export function createPerfDataImporter(config: PerfDataConfig): Importer {
  return {
    id: 'perf.data',
    label: 'perf.data',
    sniff: sniffPerfData,
    async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
      return (await readPerfData(source, options, config)).profile;
    },
  };
}

export const perfDataImporter: Importer = createPerfDataImporter({ symbols: defaultSymbolSources, unwinder: createDwarfUnwinder });
