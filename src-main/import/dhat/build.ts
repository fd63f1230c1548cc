/**
 * DHAT program points -> Profile. Each program point is an allocation site:
 * its frames (leaf first in "fs") become a stack that ends at the allocator's
 * caller (allocator-frames.ts), it becomes one weighted sample (weight = tb,
 * the bytes it allocated, so the flame graph and function table show bytes
 * allocated) and one row of the allocation table:
 *
 *   totalBytes = tb    totalBlocks = tbk   peakBytes = gb (at t-gmax)
 *   endBytes   = eb    reads = rb          writes = wb
 *   lifetime   = tl / tbk  (mean block lifetime, in the file's "tu")
 *
 * Program points whose stacks become equal once allocator frames are dropped
 * share one row, their numbers summed (dhat-rs notes its trimming can merge
 * backtraces too). Sums stay exact, so `heatline report`'s allocations
 * equal the sums of tb, tbk, gb and eb over the file. A field the mode does
 * not record (copy and ad-hoc modes have no gb, eb, rb, wb) stays NaN.
 */

import { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { Profile } from '../../../src-shared/profile/model';
import { programName } from './command-line';
import { FtblEntries, FtblFrames, keptLeafStart } from './ftbl-frames';
import type { DhatData, DhatHeader } from './reader';
import { float64Accumulator } from '../../../src-shared/profile/accumulators';

/** The program point columns summed per allocation row. */
const SUMMED = ['tb', 'tbk', 'gb', 'eb', 'rb', 'wb', 'tl'] as const;

/** A builder for a DHAT file's profile, its meta set from the file's header. */
export function newDhatBuilder(header: DhatHeader, sourceName: string): ProfileBuilder {
  // Ad-hoc mode counts the program's own units ("bsu": "units"), not bytes.
  const unit = (header.bsu ?? 'bytes') === 'bytes' ? 'bytes' : 'samples';
  const builder = new ProfileBuilder({ format: 'dhat', kind: 'memory', unit, sourceName, weighted: true });
  builder.meta.command = header.cmd;
  builder.meta.eventName = header.mode;
  return builder;
}

/** `entries`: the file's ftbl, parsed already where the sites preview needed it (sites-preview.ts). */
export function buildDhatProfile(data: DhatData, sourceName: string, warnings: readonly string[], entries = new FtblEntries(data.ftbl)): Profile {
  const { header, columns, fs, fsStart, ppCount } = data;
  const builder = newDhatBuilder(header, sourceName);
  builder.meta.warnings.push(...warnings);
  const pid = Number.isFinite(header.pid) ? header.pid : 0;
  const thread = builder.thread(pid, pid, null, programName(header.cmd));

  const frames = new FtblFrames(builder, entries);
  const stackOfPp = buildStacks(builder, frames, fs, fsStart, ppCount);

  // One row per distinct stack, in the order of the program points that first have it.
  let stackCount = 0;
  for (let pp = 0; pp < ppCount; pp++) stackCount = Math.max(stackCount, stackOfPp[pp] + 1);
  const rowOfStack = new Int32Array(stackCount).fill(-1);
  const rowOfPp = new Int32Array(ppCount);
  const rowStack = new Int32Array(ppCount);
  let rows = 0;
  for (let pp = 0; pp < ppCount; pp++) {
    const stack = stackOfPp[pp];
    let row = rowOfStack[stack];
    if (row < 0) {
      row = rowOfStack[stack] = rows++;
      rowStack[row] = stack;
    }
    rowOfPp[pp] = row;
  }
  const sums = SUMMED.map((field) => sumByRow(columns[field], rowOfPp, rows));

  const [tb, tbk, gb, eb, rb, wb, tl] = sums;
  for (let row = 0; row < rows; row++) {
    if (tb[row] > 0) builder.sample(rowStack[row], thread, NaN, tb[row]);
  }
  builder.setAllocations({
    length: rows,
    stack: rowStack.slice(0, rows),
    totalBytes: tb,
    totalBlocks: tbk,
    peakBytes: gb,
    endBytes: eb,
    reads: rb,
    writes: wb,
    lifetime: meanLifetimes(tl, tbk),
    // DHAT counts no temporary allocations and records no allocation times.
    temporary: new Float64Array(rows).fill(NaN),
    timeline: null,
  });
  return builder.finish();
}

/** Mean block lifetime per row: its blocks' summed lifetimes over their count (NaN without blocks). */
export function meanLifetimes(lifetimes: Float64Array, blocks: Float64Array): Float64Array {
  return lifetimes.map((sum, row) => (blocks[row] > 0 ? sum / blocks[row] : NaN));
}

/** Per row, the sum of `column` over its program points (NaN when one of them lacks the field). */
function sumByRow(column: Float64Array, rowOfPp: Int32Array, rows: number): Float64Array {
  const sums = float64Accumulator(rows);
  for (let pp = 0; pp < rowOfPp.length; pp++) sums[rowOfPp[pp]] += column[pp];
  return sums;
}

/**
 * The stack of every program point: its frames (leaf first in fs) without
 * the allocator's own frames at the leaf end (allocator-frames.ts) nor
 * "[root]", as a path from the root; [unknown] when nothing is left.
 *
 * A big file has millions of frames but far fewer distinct stacks (cc1plus:
 * 2.3M frames, 760k stacks), and finding each (caller stack, frame) pair in
 * the builder's hash costs a cache miss. So the paths are put in order
 * instead: paths sharing a prefix are then neighbours, each path is its
 * predecessor's shared prefix plus stacks that are new, and those are
 * appended to the builder without a lookup (`newStack`). (Building the tree
 * a level at a time with a counting sort per level was tried too: its reads
 * of fs in group order miss the cache as often as the hash does.)
 *
 * Paths are compared by canonical ftbl entries (FtblEntries.canonical), so
 * two entries that name one frame give one stack, as the builder's own
 * dedupe would; a path decides the inline depth of each of its frames, so
 * equal paths always make equal stacks.
 */
function buildStacks(builder: ProfileBuilder, frames: FtblFrames, fs: Int32Array, fsStart: Int32Array, ppCount: number): Int32Array {
  const { entries } = frames;
  // Each path root first, all in one array: path[pathStart[pp] ...], canonical entries (0 for [unknown]).
  const pathStart = new Int32Array(ppCount + 1);
  const keptEnd = new Int32Array(ppCount);
  for (let pp = 0; pp < ppCount; pp++) {
    const end = fsStart[pp + 1];
    const start = keptLeafStart(entries, fs, fsStart[pp], end);
    keptEnd[pp] = start;
    // An empty path is the [unknown] stack: one step.
    pathStart[pp + 1] = pathStart[pp] + Math.max(1, end - start);
  }
  const path = new Int32Array(pathStart[ppCount]);
  let longest = 0;
  for (let pp = 0; pp < ppCount; pp++) {
    const at = pathStart[pp];
    const length = pathStart[pp + 1] - at;
    longest = Math.max(longest, length);
    const kept = keptEnd[pp];
    for (let d = 0, k = fsStart[pp + 1] - 1; d < length; d++, k--) {
      const index = k >= kept ? fs[k] : 0;
      path[at + d] = entries.canonical(index);
    }
  }
  const order = pathOrder(path, pathStart, ppCount);

  // The previous path's stacks, and the address and inline depth of its frames, by depth from the root.
  const pathStack = new Int32Array(longest);
  const pathAddress = new Float64Array(longest);
  const pathInline = new Int32Array(longest);
  const stackOfPp = new Int32Array(ppCount);
  let previous = -1;
  for (let k = 0; k < ppCount; k++) {
    const pp = order[k];
    const at = pathStart[pp];
    const length = pathStart[pp + 1] - at;
    // Depths shared with the previous path keep its stacks; from the first difference on all are new.
    let depth = 0;
    if (previous >= 0) {
      const before = pathStart[previous];
      const shared = Math.min(length, pathStart[previous + 1] - before);
      while (depth < shared && path[at + depth] === path[before + depth]) depth++;
    }
    for (; depth < length; depth++) {
      const c = path[at + depth];
      // Inline depths (frames.ts, inlineDepthsLeafFirst): from the root, a run of one address is one real frame and the functions inlined into it.
      const address = entries.address(c);
      const inline = depth > 0 && address >= 0 && address === pathAddress[depth - 1] ? pathInline[depth - 1] + 1 : 0;
      const frame = c === 0 ? frames.unknown : frames.frame(c, Math.min(255, inline));
      pathStack[depth] = builder.newStack(depth === 0 ? -1 : pathStack[depth - 1], frame);
      pathAddress[depth] = address;
      pathInline[depth] = inline;
    }
    stackOfPp[pp] = pathStack[length - 1];
    previous = pp;
  }
  return stackOfPp;
}

/** Program points in the order of their paths (lexicographic, a prefix first; ties by program point). */
function pathOrder(path: Int32Array, pathStart: Int32Array, ppCount: number): Int32Array {
  const order = new Int32Array(ppCount);
  for (let pp = 0; pp < ppCount; pp++) order[pp] = pp;
  return order.sort((a, b) => {
    const aEnd = pathStart[a + 1];
    const bEnd = pathStart[b + 1];
    for (let i = pathStart[a], j = pathStart[b]; ; i++, j++) {
      if (i === aEnd) return j === bEnd ? a - b : -1;
      if (j === bEnd) return 1;
      if (path[i] !== path[j]) return path[i] - path[j];
    }
  });
}
