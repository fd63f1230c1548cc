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
import { growFloat64, growInt32 } from '../../../src-shared/profile/growable';
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

class FtblFrames {
  private readonly parsed: (ParsedFrame | undefined)[];
  private readonly funcs: Int32Array;
  private readonly realFrames: Int32Array;

  constructor(
    private readonly builder: ProfileBuilder,
    private readonly ftbl: string[],
  ) {
    this.parsed = new Array<ParsedFrame | undefined>(ftbl.length);
    this.funcs = new Int32Array(ftbl.length).fill(-1);
    this.realFrames = new Int32Array(ftbl.length).fill(-1);
    this.dropped = new Int8Array(ftbl.length).fill(-1);
  }

  /** 1: dropped at the leaf end, 0: kept, -1: not known yet. */
  private readonly dropped: Int8Array;

  droppedAtLeaf(index: number): boolean {
    if (this.dropped[index] < 0) this.dropped[index] = isDroppedAtLeaf(this.get(index)) ? 1 : 0;
    return this.dropped[index] === 1;
  }

  address(index: number): number {
    return this.get(index).address;
  }

  get(index: number): ParsedFrame {
    let frame = this.parsed[index];
    if (frame === undefined) {
      frame = parseValgrindFrame(this.ftbl[index]);
      this.parsed[index] = frame;
    }
    return frame;
  }

  frame(index: number, inlineDepth: number): IndexIntoFrameTable {
    if (inlineDepth === 0 && this.realFrames[index] >= 0) return this.realFrames[index];
    const parsed = this.get(index);
    let func: IndexIntoFuncTable = this.funcs[index];
    if (func < 0) {
      func = this.builder.func(frameName(parsed, this.ftbl[index]), { file: parsed.file, library: parsed.library });
      this.funcs[index] = func;
    }
    const frame = this.builder.frame(func, { address: parsed.address, line: parsed.line, inlineDepth });
    if (inlineDepth === 0) this.realFrames[index] = frame;
    return frame;
  }
}

export function buildDhatProfile(data: DhatData, sourceName: string, warnings: readonly string[]): Profile {
  const { header, columns, fs, fsStart, ftbl } = data;
  // Ad-hoc mode counts the program's own units ("bsu": "units"), not bytes.
  const unit = (header.bsu ?? 'bytes') === 'bytes' ? 'bytes' : 'samples';
  const builder = new ProfileBuilder({ format: 'dhat', kind: 'memory', unit, sourceName, weighted: true });
  builder.meta.command = header.cmd;
  builder.meta.eventName = header.mode;
  builder.meta.warnings.push(...warnings);
  const pid = Number.isFinite(header.pid) ? header.pid : 0;
  const thread = builder.thread(pid, pid, null, programName(header.cmd));

  const frames = new FtblFrames(builder, ftbl);
  const unknown = builder.frame(builder.func('[unknown]'));
  // Row of each stack (stack ids are dense), -1 for none yet.
  const rowOfStack: number[] = [];
  const rowStack = growInt32(1024);
  const input = SUMMED.map((field) => columns[field]);
  const sums = SUMMED.map(() => growFloat64(1024));
  const stackFrames: number[] = [];

  for (let pp = 0; pp < data.ppCount; pp++) {
    let start = fsStart[pp];
    const end = fsStart[pp + 1];
    // fs is leaf first; drop the allocator's own frames (and "[root]", which is never a real frame).
    while (start < end && (fs[start] === 0 || frames.droppedAtLeaf(fs[start]))) start++;
    // Inline depths (frames.ts, inlineDepthsLeafFirst): walk root to leaf, counting runs of one address.
    stackFrames.length = end - start;
    let runAddress = NaN;
    let depth = 0;
    for (let k = end - 1; k >= start; k--) {
      const address = fs[k] === 0 ? -1 : frames.address(fs[k]);
      depth = address >= 0 && address === runAddress ? depth + 1 : 0;
      runAddress = address;
      stackFrames[k - start] = fs[k] === 0 ? unknown : frames.frame(fs[k], Math.min(255, depth));
    }
    const stack = builder.stackFromLeaf(stackFrames.length > 0 ? stackFrames : [unknown]);

    let row = rowOfStack[stack] ?? -1;
    if (row === -1) {
      row = rowStack.push(stack);
      rowOfStack[stack] = row;
      for (const sum of sums) sum.push(0);
    }
    for (let f = 0; f < sums.length; f++) sums[f].set(row, sums[f].get(row) + input[f][pp]);
  }

  const [tb, tbk, gb, eb, rb, wb, tl] = sums.map((sum) => sum.finish());
  for (let row = 0; row < rowStack.length; row++) {
    if (tb[row] > 0) builder.sample(rowStack.get(row), thread, NaN, tb[row]);
  }
  builder.setAllocations({
    length: rowStack.length,
    stack: rowStack.finish(),
    totalBytes: tb,
    totalBlocks: tbk,
    peakBytes: gb,
    endBytes: eb,
    reads: rb,
    writes: wb,
    lifetime: tl.map((lifetimes, row) => (tbk[row] > 0 ? lifetimes / tbk[row] : NaN)),
    // DHAT counts no temporary allocations and records no allocation times.
    temporary: new Float64Array(rowStack.length).fill(NaN),
    timeline: null,
  });
  return builder.finish();
}
