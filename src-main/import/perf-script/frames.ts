/**
 * Turns the frame and srcline lines of one `perf script` sample into a stack
 * of the profile, without an object per line.
 *
 * Three caches keep the work per repeated line to one Map lookup:
 * - sites: a frame line's text -> (symbol, address, inlined). perf prints
 *   the same line for every sample through the same address.
 * - srclines: a srcline's text -> (file, line).
 * - frames: (site, srcline, inline depth) -> the builder's frame.
 * The current sample's frames sit in reused typed arrays until its end,
 * because a frame's inline depth depends on the frames printed after it.
 *
 * Naming follows perf report: a frame perf could not symbolize is
 * `[unknown]` in its dso (one function per dso; perf report --sort symbol
 * lists each unresolved address on its own instead); kernel dsos give
 * FuncKind.kernel; a function's library is its dso path. perf prints an
 * inlined function without a dso: it gets the dso of the frame it was
 * inlined into.
 *
 * A function's source file is the file of its first srcline. perf prints,
 * for a frame inside code inlined from another file (a header), that other
 * file; the model keeps one file per function, so such frames keep no line
 * (counted in a warning) instead of splitting the function in two.
 */

import type { ProfileBuilder } from '../../../src-shared/profile/builder';
import { FuncKind, type IndexIntoFrameTable, type IndexIntoFuncTable, type IndexIntoStackTable } from '../../../src-shared/profile/model';
import { detach } from '../text-lines';
import { FrameFields, isKernelDso, parseFrame, parseSrcline } from './lines';

const UNKNOWN = '[unknown]';
/** Frame cache keys pack (site, srcline + 1) into one exact double. */
const KEY_SCALE = 2 ** 26;

export class FrameResolver {
  private readonly fields = new FrameFields();

  private readonly siteOfText = new Map<string, number>();
  private readonly siteName: string[] = [];
  private readonly siteDso: (string | null)[] = [];
  /** The site's symbol, -1 until its first sample is finished (see finishStack). */
  private readonly siteSymbol: number[] = [];
  private readonly siteAddress: number[] = [];
  private readonly siteInlined: boolean[] = [];

  private readonly symbolOfKey = new Map<string, number>();
  private readonly symbolName: string[] = [];
  private readonly symbolDso: (string | null)[] = [];
  private readonly symbolFunc: IndexIntoFuncTable[] = [];

  private readonly srclineOfText = new Map<string, number>();
  private readonly srclineFile: (string | null)[] = [];
  private readonly srclineLine: number[] = [];
  private readonly srclineInlined: boolean[] = [];

  private readonly frameOfKey = new Map<number | string, IndexIntoFrameTable>();
  private unknownStack = -1;

  // The current sample, leaf first.
  private count = 0;
  private sites = new Int32Array(256);
  private srclines = new Int32Array(256);
  private inlined = new Uint8Array(256);

  constructor(private readonly builder: ProfileBuilder) {}

  get frameCount(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  /** Adds a call chain line ("\tip sym (dso)"), leaf first; returns null or why it does not parse. */
  pushFrameLine(line: string): string | null {
    return this.pushFrame(line, 1, line);
  }

  /** Adds the sample's own ip printed at the end of its header (no call chain). */
  pushHeaderFrame(line: string, start: number): string | null {
    return this.pushFrame(line, start, line.slice(start));
  }

  /** `key` is the text that determines the frame: the cache key. */
  private pushFrame(line: string, start: number, key: string): string | null {
    let site = this.siteOfText.get(key);
    if (site === undefined) {
      const problem = parseFrame(line, start, this.fields);
      if (problem !== null) return problem;
      site = this.addSite(line);
      this.siteOfText.set(detach(key), site);
    }
    if (this.count === this.sites.length) this.grow();
    this.sites[this.count] = site;
    this.srclines[this.count] = -1;
    this.inlined[this.count] = this.siteInlined[site] ? 1 : 0;
    this.count++;
    return null;
  }

  /** Attaches a srcline to the last frame; false when `line` is not a srcline. */
  attachSrcline(line: string): boolean {
    let srcline = this.srclineOfText.get(line);
    if (srcline === undefined) {
      const parsed = parseSrcline(line);
      if (parsed === null) return false;
      srcline = this.srclineFile.length;
      this.srclineFile.push(parsed.file === null ? null : detach(parsed.file));
      this.srclineLine.push(parsed.line);
      this.srclineInlined.push(parsed.inlined);
      this.srclineOfText.set(detach(line), srcline);
    }
    if (this.count === 0) return false;
    this.srclines[this.count - 1] = srcline;
    if (this.srclineInlined[srcline]) this.inlined[this.count - 1] = 1;
    return true;
  }

  /** The stack of the frames pushed since clear(); a single [unknown] frame when there are none. */
  finishStack(): IndexIntoStackTable {
    if (this.count === 0) return this.unknownSampleStack();
    let stack = -1;
    let depth = 0;
    let callerDso: string | null = null;
    // Root first. perf prints an inlined function's frame before (leafward of)
    // the frame it was inlined into, so depth counts up from each real frame,
    // and an inlined frame, printed without a dso, lives in that frame's dso.
    for (let j = this.count - 1; j >= 0; j--) {
      const site = this.sites[j];
      depth = this.inlined[j] ? depth + 1 : 0;
      if (this.siteSymbol[site] === -1) {
        const dso = this.siteDso[site] ?? (depth > 0 ? callerDso : null);
        this.siteSymbol[site] = this.symbolFor(this.siteName[site], dso);
      }
      if (depth === 0) callerDso = this.siteDso[site];
      stack = this.builder.stack(stack, this.frameFor(site, this.srclines[j], depth));
    }
    this.count = 0;
    return stack;
  }

  private addSite(line: string): number {
    const f = this.fields;
    let name = f.symEnd > f.symStart ? line.slice(f.symStart, f.symEnd) : UNKNOWN;
    let dso: string | null = f.dsoStart >= 0 ? line.slice(f.dsoStart, f.dsoEnd) : null;
    if (dso === UNKNOWN || dso === '') dso = null;
    if (name.startsWith(UNKNOWN)) name = UNKNOWN;
    const site = this.siteName.length;
    this.siteName.push(detach(name));
    this.siteDso.push(dso === null ? null : detach(dso));
    this.siteSymbol.push(-1);
    this.siteAddress.push(f.address);
    this.siteInlined.push(f.inlined);
    return site;
  }

  private symbolFor(name: string, dso: string | null): number {
    const key = `${name}\0${dso ?? ''}`;
    let symbol = this.symbolOfKey.get(key);
    if (symbol === undefined) {
      symbol = this.symbolName.length;
      this.symbolName.push(name);
      this.symbolDso.push(dso);
      this.symbolFunc.push(-1);
      this.symbolOfKey.set(key, symbol);
    }
    return symbol;
  }

  private frameFor(site: number, srcline: number, inlineDepth: number): IndexIntoFrameTable {
    const key = inlineDepth === 0 && site < KEY_SCALE ? site * KEY_SCALE + srcline + 1 : `${site}:${srcline}:${inlineDepth}`;
    let frame = this.frameOfKey.get(key);
    if (frame === undefined) {
      const symbol = this.siteSymbol[site];
      const file = srcline >= 0 ? this.srclineFile[srcline] : null;
      const func = this.funcFor(symbol, file);
      // A srcline in another file than the function's (code taken in without an inlined frame) keeps its file.
      const line = srcline >= 0 && file !== null ? this.srclineLine[srcline] : -1;
      frame = this.builder.frame(func, { address: this.siteAddress[site], line, file, inlineDepth });
      this.frameOfKey.set(key, frame);
    }
    return frame;
  }

  private funcFor(symbol: number, file: string | null): IndexIntoFuncTable {
    if (this.symbolFunc[symbol] === -1) {
      const dso = this.symbolDso[symbol];
      const kind = dso !== null && isKernelDso(dso) ? FuncKind.kernel : FuncKind.native;
      this.symbolFunc[symbol] = this.builder.func(this.symbolName[symbol], { file, library: dso, kind });
    }
    return this.symbolFunc[symbol];
  }

  private unknownSampleStack(): IndexIntoStackTable {
    if (this.unknownStack === -1) {
      this.unknownStack = this.builder.stack(-1, this.builder.frame(this.builder.func(UNKNOWN)));
    }
    return this.unknownStack;
  }

  private grow(): void {
    const size = this.sites.length * 2;
    const sites = new Int32Array(size);
    const srclines = new Int32Array(size);
    const inlined = new Uint8Array(size);
    sites.set(this.sites);
    srclines.set(this.srclines);
    inlined.set(this.inlined);
    this.sites = sites;
    this.srclines = srclines;
    this.inlined = inlined;
  }
}
