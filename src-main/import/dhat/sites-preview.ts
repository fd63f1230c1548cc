/**
 * The Sites table's first look at a DHAT file (src-shared/analysis/
 * sites-preview.ts), made as soon as the file is read. The profile's stacks
 * (build.ts) take about as long again on a big file: a compiler's 88k
 * program points have 2.3M frames and 760k distinct stacks, while their
 * allocating functions need only the ~2k frames at their leaves parsed.
 *
 * Each program point is one row here, its stack its allocating frame alone:
 * the frame its profile stack ends at (keptLeafStart, canonical entries, as
 * build.ts picks them), so it groups under the same function.
 */

import { sitesPreviewOf, type SitesPreview } from '../../../src-shared/analysis/sites-preview';
import { meanLifetimes, newDhatBuilder } from './build';
import { FtblEntries, FtblFrames, keptLeafStart } from './ftbl-frames';
import type { DhatData } from './reader';

/**
 * Files with fewer program points than this open in well under a tenth of
 * a second: a preview would only flash before the profile replaces it.
 */
export const SITES_PREVIEW_MIN_PROGRAM_POINTS = 10_000;

/** `entries`: the file's ftbl, whose parsing the profile's build then reuses. */
export function dhatSitesPreview(data: DhatData, sourceName: string, entries = new FtblEntries(data.ftbl)): SitesPreview {
  const { columns, fs, fsStart, ppCount } = data;
  const builder = newDhatBuilder(data.header, sourceName);
  const frames = new FtblFrames(builder, entries);
  // One stack per canonical leaf entry (0: [unknown]), made on first use.
  const stackOfEntry = new Int32Array(entries.count).fill(-1);
  const stack = new Int32Array(ppCount);
  for (let pp = 0; pp < ppCount; pp++) {
    const end = fsStart[pp + 1];
    const kept = keptLeafStart(entries, fs, fsStart[pp], end);
    const entry = kept === end ? 0 : entries.canonical(fs[kept]);
    if (stackOfEntry[entry] < 0) stackOfEntry[entry] = builder.stack(-1, entry === 0 ? frames.unknown : frames.frame(entry, 0));
    stack[pp] = stackOfEntry[entry];
  }
  // The reader's columns, one value per program point, are read here, never changed.
  builder.setAllocations({
    length: ppCount,
    stack,
    totalBytes: columns.tb,
    totalBlocks: columns.tbk,
    peakBytes: columns.gb,
    endBytes: columns.eb,
    reads: columns.rb,
    writes: columns.wb,
    lifetime: meanLifetimes(columns.tl, columns.tbk),
    temporary: new Float64Array(ppCount).fill(NaN),
    timeline: null,
  });
  return sitesPreviewOf(builder.finish());
}
