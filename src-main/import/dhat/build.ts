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
import type { IndexIntoFrameTable, IndexIntoFuncTable, Profile } from '../../../src-shared/profile/model';
import { isAllocatorFunction, isValgrindReplacement } from './allocator-frames';
import { programName } from './command-line';
import { frameName, parseValgrindFrame, type ParsedFrame } from './frames';
import type { DhatData } from './reader';

/** The program point columns summed per allocation row. */
const SUMMED = ['tb', 'tbk', 'gb', 'eb', 'rb', 'wb', 'tl'] as const;

/** Frames at the leaf end of a stack that are not the program's code. */
function isDroppedAtLeaf(frame: ParsedFrame): boolean {
  return (frame.name !== null && isAllocatorFunction(frame.name)) || isValgrindReplacement(frame.file, frame.library);
}

/** The profile's functions and frames for ftbl entries, parsed and made once each. */
class FtblFrames {
  private readonly parsed: (ParsedFrame | undefined)[];
  private readonly funcs: Int32Array;
  /** The frame of each entry at inline depth 0 (nearly all uses), -1 until made. */
  private readonly realFrames: Int32Array;
  /** Frames at inline depths above 0, by index * 256 + depth. */
  private readonly inlinedFrames = new Map<number, IndexIntoFrameTable>();
  /** Each entry's code address, -1 when it has none; NaN until parsed. */
  private readonly addresses: Float64Array;
  /** 1: dropped at the leaf end, 0: kept, -1: not known yet. */
  private readonly dropped: Int8Array;
  /** The first entry of each (function, address, line): see canonical. */
  private readonly firstWithKey = new Map<string, number>();

  /** The [unknown] frame, which "[root]" (entry 0) stands for inside a path and an empty path is. */
  readonly unknown: IndexIntoFrameTable;

  constructor(
    private readonly builder: ProfileBuilder,
    private readonly ftbl: string[],
  ) {
    const unknownFunc = builder.func('[unknown]');
    this.unknown = builder.frame(unknownFunc);
    this.firstWithKey.set(`${unknownFunc}:-1:-1`, 0);
    this.parsed = new Array<ParsedFrame | undefined>(ftbl.length);
    this.funcs = new Int32Array(ftbl.length).fill(-1);
    this.realFrames = new Int32Array(ftbl.length).fill(-1);
    this.addresses = new Float64Array(ftbl.length).fill(NaN);
    this.dropped = new Int8Array(ftbl.length).fill(-1);
  }

  get count(): number {
    return this.ftbl.length;
  }

  /**
   * The first entry that makes the same frames as entry `index` (same
   * function, address and line): two such entries are one frame to the
   * builder, so they must be one step in a path. Entries that parse as
   * "[unknown]" give 0, as "[root]" does.
   */
  canonical(index: number): number {
    if (index === 0) return 0;
    const parsed = this.get(index);
    const key = `${this.func(index)}:${parsed.address}:${parsed.line}`;
    let first = this.firstWithKey.get(key);
    if (first === undefined) {
      first = index;
      this.firstWithKey.set(key, first);
    }
    return first;
  }

  droppedAtLeaf(index: number): boolean {
    if (this.dropped[index] < 0) this.dropped[index] = isDroppedAtLeaf(this.get(index)) ? 1 : 0;
    return this.dropped[index] === 1;
  }

  /** The entry's code address; -1 when it has none, as "[root]" (entry 0). */
  address(index: number): number {
    if (index === 0) return -1;
    const address = this.addresses[index];
    return address === address ? address : (this.addresses[index] = this.get(index).address);
  }

  get(index: number): ParsedFrame {
    let frame = this.parsed[index];
    if (frame === undefined) {
      frame = parseValgrindFrame(this.ftbl[index]);
      this.parsed[index] = frame;
    }
    return frame;
  }

  /** The frame of entry `index` at `inlineDepth` (0 to 255). */
  frame(index: number, inlineDepth: number): IndexIntoFrameTable {
    if (inlineDepth === 0) {
      const real = this.realFrames[index];
      return real >= 0 ? real : (this.realFrames[index] = this.make(index, 0));
    }
    const key = index * 256 + inlineDepth;
    let frame = this.inlinedFrames.get(key);
    if (frame === undefined) {
      frame = this.make(index, inlineDepth);
      this.inlinedFrames.set(key, frame);
    }
    return frame;
  }

  private func(index: number): IndexIntoFuncTable {
    let func: IndexIntoFuncTable = this.funcs[index];
    if (func < 0) {
      const parsed = this.get(index);
      func = this.builder.func(frameName(parsed, this.ftbl[index]), { file: parsed.file, library: parsed.library });
      this.funcs[index] = func;
    }
    return func;
  }

  private make(index: number, inlineDepth: number): IndexIntoFrameTable {
    const parsed = this.get(index);
    return this.builder.frame(this.func(index), { address: parsed.address, line: parsed.line, inlineDepth });
  }
}

export function buildDhatProfile(data: DhatData, sourceName: string, warnings: readonly string[]): Profile {
  const { header, columns, fs, fsStart, ftbl, ppCount } = data;
  // Ad-hoc mode counts the program's own units ("bsu": "units"), not bytes.
  const unit = (header.bsu ?? 'bytes') === 'bytes' ? 'bytes' : 'samples';
  const builder = new ProfileBuilder({ format: 'dhat', kind: 'memory', unit, sourceName, weighted: true });
  builder.meta.command = header.cmd;
  builder.meta.eventName = header.mode;
  builder.meta.warnings.push(...warnings);
  const pid = Number.isFinite(header.pid) ? header.pid : 0;
  const thread = builder.thread(pid, pid, null, programName(header.cmd));

  const frames = new FtblFrames(builder, ftbl);
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
    lifetime: tl.map((lifetimes, row) => (tbk[row] > 0 ? lifetimes / tbk[row] : NaN)),
    // DHAT counts no temporary allocations and records no allocation times.
    temporary: new Float64Array(rows).fill(NaN),
    timeline: null,
  });
  return builder.finish();
}

/** Per row, the sum of `column` over its program points (NaN when one of them lacks the field). */
function sumByRow(column: Float64Array, rowOfPp: Int32Array, rows: number): Float64Array {
  const sums = new Float64Array(rows);
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
 * Paths are compared by canonical ftbl entries (FtblFrames.canonical), so
 * two entries that name one frame give one stack, as the builder's own
 * dedupe would; a path decides the inline depth of each of its frames, so
 * equal paths always make equal stacks.
 */
function buildStacks(builder: ProfileBuilder, frames: FtblFrames, fs: Int32Array, fsStart: Int32Array, ppCount: number): Int32Array {
  // Each path root first, all in one array: path[pathStart[pp] ...], canonical entries (0 for [unknown]).
  const pathStart = new Int32Array(ppCount + 1);
  const keptEnd = new Int32Array(ppCount);
  for (let pp = 0; pp < ppCount; pp++) {
    let start = fsStart[pp];
    const end = fsStart[pp + 1];
    // fs is leaf first; drop "[root]" (never a real frame) and the allocator's own frames, unless those are all
    // there is (DHAT run with --num-callers=1): then the allocator is the best-known site, not "[unknown]".
    while (start < end && fs[start] === 0) start++;
    const firstFrame = start;
    while (start < end && frames.droppedAtLeaf(fs[start])) start++;
    if (start === end) start = firstFrame;
    keptEnd[pp] = start;
    // An empty path is the [unknown] stack: one step.
    pathStart[pp + 1] = pathStart[pp] + Math.max(1, end - start);
  }
  const path = new Int32Array(pathStart[ppCount]);
  const canonical = new Int32Array(frames.count).fill(-1);
  let longest = 0;
  for (let pp = 0; pp < ppCount; pp++) {
    const at = pathStart[pp];
    const length = pathStart[pp + 1] - at;
    longest = Math.max(longest, length);
    const kept = keptEnd[pp];
    for (let d = 0, k = fsStart[pp + 1] - 1; d < length; d++, k--) {
      const index = k >= kept ? fs[k] : 0;
      let c = canonical[index];
      if (c < 0) c = canonical[index] = frames.canonical(index);
      path[at + d] = c;
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
      const address = frames.address(c);
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
