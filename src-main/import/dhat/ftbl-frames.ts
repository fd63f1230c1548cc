/**
 * DHAT's frame table ("ftbl") as the profile's functions and frames: each
 * entry parsed and named once per file (FtblEntries), made into a builder's
 * frame once per builder (FtblFrames), on first use. The sites preview
 * (sites-preview.ts) and the profile's stacks (build.ts) share the parsing,
 * and so name an entry the same way.
 */

import type { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { IndexIntoFrameTable, IndexIntoFuncTable } from '../../../src-shared/profile/model';
import { isAllocatorFunction, isValgrindReplacement } from './allocator-frames';
import { frameName, parseValgrindFrame, type ParsedFrame } from './frames';

/** Frames at the leaf end of a stack that are not the program's code. */
function isDroppedAtLeaf(frame: ParsedFrame): boolean {
  return (frame.name !== null && isAllocatorFunction(frame.name)) || isValgrindReplacement(frame.file, frame.library);
}

/**
 * Each ftbl entry parsed, and the entry that stands for it, worked out once
 * per file and shared by every builder that makes frames of them (the sites
 * preview's and the profile's).
 */
export class FtblEntries {
  private readonly parsed: (ParsedFrame | undefined)[];
  /** Each entry's code address, -1 when it has none; NaN until parsed. */
  private readonly addresses: Float64Array;
  /** 1: dropped at the leaf end, 0: kept, -1: not known yet. */
  private readonly dropped: Int8Array;
  /** Each entry's canonical entry, -1 until worked out. */
  private readonly canonicals: Int32Array;
  /** The first entry of each (function, address, line): see canonical. */
  private readonly firstWithKey = new Map<string, number>();

  constructor(readonly texts: string[]) {
    this.parsed = new Array<ParsedFrame | undefined>(texts.length);
    this.addresses = new Float64Array(texts.length).fill(NaN);
    this.dropped = new Int8Array(texts.length).fill(-1);
    this.canonicals = new Int32Array(texts.length).fill(-1);
    this.firstWithKey.set(canonicalKey(UNKNOWN_NAME, null, null, -1, -1), 0);
  }

  get count(): number {
    return this.texts.length;
  }

  /**
   * The first entry that makes the same frames as entry `index` (same
   * function, address and line: a builder's func and frame keys): two such
   * entries are one frame to the builder, so they must be one step in a
   * path. Entries that parse as "[unknown]" give 0, as "[root]" does.
   */
  canonical(index: number): number {
    const known = this.canonicals[index];
    if (known >= 0) return known;
    if (index === 0) return (this.canonicals[0] = 0);
    const parsed = this.get(index);
    const key = canonicalKey(this.name(index), parsed.file, parsed.library, parsed.address, parsed.line);
    let first = this.firstWithKey.get(key);
    if (first === undefined) {
      first = index;
      this.firstWithKey.set(key, first);
    }
    return (this.canonicals[index] = first);
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

  /** The entry's function name, as its func is named. */
  name(index: number): string {
    return frameName(this.get(index), this.texts[index]);
  }

  get(index: number): ParsedFrame {
    let frame = this.parsed[index];
    if (frame === undefined) {
      frame = parseValgrindFrame(this.texts[index]);
      this.parsed[index] = frame;
    }
    return frame;
  }
}

const UNKNOWN_NAME = '[unknown]';

/** What makes two entries one frame: their func's identity (name, file, library) and the frame's address and line. */
function canonicalKey(name: string, file: string | null, library: string | null, address: number, line: number): string {
  return `${name}\0${file ?? ''}\0${library ?? ''}\0${address}:${line}`;
}

/** The functions and frames one builder makes of ftbl entries, each made once. */
export class FtblFrames {
  private readonly funcs: Int32Array;
  /** The frame of each entry at inline depth 0 (nearly all uses), -1 until made. */
  private readonly realFrames: Int32Array;
  /** Frames at inline depths above 0, by index * 256 + depth. */
  private readonly inlinedFrames = new Map<number, IndexIntoFrameTable>();

  /** The [unknown] frame, which "[root]" (entry 0) stands for inside a path and an empty path is. */
  readonly unknown: IndexIntoFrameTable;

  constructor(
    private readonly builder: ProfileBuilder,
    readonly entries: FtblEntries,
  ) {
    this.unknown = builder.frame(builder.func(UNKNOWN_NAME));
    this.funcs = new Int32Array(entries.count).fill(-1);
    this.realFrames = new Int32Array(entries.count).fill(-1);
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
      const parsed = this.entries.get(index);
      func = this.builder.func(this.entries.name(index), { file: parsed.file, library: parsed.library });
      this.funcs[index] = func;
    }
    return func;
  }

  private make(index: number, inlineDepth: number): IndexIntoFrameTable {
    const parsed = this.entries.get(index);
    return this.builder.frame(this.func(index), { address: parsed.address, line: parsed.line, inlineDepth });
  }
}

/**
 * Where the kept part of a program point's frames fs[start .. end) (leaf
 * first) begins: past "[root]" (never a real frame) and the allocator's own
 * frames, unless those are all there is (DHAT run with --num-callers=1):
 * then the allocator is the best-known site, not "[unknown]". Equal to
 * `end` when nothing is left: the [unknown] stack.
 */
export function keptLeafStart(entries: FtblEntries, fs: Int32Array, start: number, end: number): number {
  while (start < end && fs[start] === 0) start++;
  const firstFrame = start;
  while (start < end && entries.droppedAtLeaf(fs[start])) start++;
  return start === end ? firstFrame : start;
}
