/**
 * Reads DHAT's JSON (dhatFileVersion 2) from JsonScanner events into flat
 * columns, one row per program point, without building a JS object per
 * program point or per frame. What each field means is documented in the
 * header comment of valgrind's dhat/dh_main.c ("File format notes"); dhat-rs
 * writes the same fields (its DhatJson/PpInfoJson structs in src/lib.rs).
 *
 * Checks, each a one-line error: the members DHAT's own viewer requires
 * (dh_view.js checkFields/checkPP), their types (numbers are non-negative
 * integers, flags booleans, names strings), and frame indexes inside ftbl.
 * Members we do not know are skipped whatever their type, so a newer
 * producer's additions do not break the import.
 *
 * Dropped (the model has no place for them; see the importer's header):
 * the access histograms ("acc"), read only to check they are numbers.
 */

import { growFloat64, growInt32 } from '../../../src-shared/profile/growable';
import type { JsonHandler } from './json-scanner';
import { ProgramPointBytes } from './program-point-bytes';
import { PP_FIELDS, type PpField } from './program-point-fields';

const PP_FIELD_INDEX = new Map<string, number>(PP_FIELDS.map((f, i) => [f, i]));

/** The file's header members. Numbers are NaN and strings null when absent. */
export interface DhatHeader {
  dhatFileVersion: number;
  mode: string | null;
  verb: string | null;
  bklt: boolean | null;
  bkacc: boolean | null;
  bu: string | null;
  bsu: string | null;
  bksu: string | null;
  tu: string | null;
  Mtu: string | null;
  tuth: number;
  cmd: string | null;
  pid: number;
  te: number;
  tg: number;
}

export interface DhatData {
  header: DhatHeader;
  ppCount: number;
  /** One column per PP_FIELDS entry; NaN where the program point lacks the field. */
  columns: Record<PpField, Float64Array>;
  /** Frames of program point i are fs[fsStart[i] .. fsStart[i + 1]), leaf first. */
  fsStart: Int32Array;
  fs: Int32Array;
  ftbl: string[];
}

/** A problem in the file's content, with where it is; the importer turns it into an ImportError. */
export class DhatFormatError extends Error {
  override name = 'DhatFormatError';
}

const STRING_MEMBERS = new Set(['mode', 'verb', 'bu', 'bsu', 'bksu', 'tu', 'Mtu', 'cmd']);
const BOOLEAN_MEMBERS = new Set(['bklt', 'bkacc']);
const NUMBER_MEMBERS = new Set(['dhatFileVersion', 'tuth', 'pid', 'te', 'tg']);

// Where the reader is in the document.
const enum At {
  Start,
  Root,
  RootValue,
  Pps,
  Pp,
  PpValue,
  Fs,
  Acc,
  Ftbl,
  Skip,
  End,
}

type Value = string | number | boolean | null | 'object' | 'array';

function describe(value: Value): string {
  if (value === 'object' || value === 'array') return `an ${value}`;
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

export class DhatReader implements JsonHandler {
  readonly header: DhatHeader = {
    dhatFileVersion: NaN,
    mode: null,
    verb: null,
    bklt: null,
    bkacc: null,
    bu: null,
    bsu: null,
    bksu: null,
    tu: null,
    Mtu: null,
    tuth: NaN,
    cmd: null,
    pid: NaN,
    te: NaN,
    tg: NaN,
  };
  private readonly columns = PP_FIELDS.map(() => growFloat64(4096));
  private readonly fsStart = growInt32(4096);
  private readonly fs = growInt32(16384);
  private readonly ftbl: string[] = [];
  private readonly seenRoot = new Set<string>();

  /** Inside "acc": its integers only need to be integers, which the scanner checks (see JsonHandler). */
  skipArrayIntegers = false;
  /** Program points in the common shape, read straight from the bytes (null: every one through the tokenizer). */
  private readonly fastPath: ProgramPointBytes | null;

  private at = At.Start;
  private rootKey = '';
  private ppKey = '';
  /** PP_FIELDS index of ppKey, -1 for fs, acc and unknown members. */
  private ppField = -1;
  private ppCount = 0;
  /** Values of the program point being read, by PP_FIELDS index. */
  private readonly pp = new Float64Array(PP_FIELDS.length);
  private ppHasFs = false;
  private skipDepth = 0;
  private skipReturn = At.Root;
  /** The largest frame index met, checked against ftbl's length at the end. */
  private maxFrameIndex = -1;
  /** The program point that names it. */
  private maxFramePp = -1;

  /** `fastPath: false` reads every program point through the tokenizer (the tests compare the two). */
  constructor(options: { fastPath?: boolean } = {}) {
    this.fastPath = options.fastPath === false ? null : new ProgramPointBytes();
  }

  /** A short description of where the reader is, for truncation messages. */
  get where(): string {
    switch (this.at) {
      case At.Pps:
      case At.Pp:
      case At.PpValue:
      case At.Fs:
      case At.Acc:
        return `inside pps[${this.ppCount}]`;
      case At.Ftbl:
        return `inside ftbl[${this.ftbl.length}]`;
      case At.Start:
        return 'before the top-level object';
      default:
        return 'inside the top-level object';
    }
  }

  /** True once `dhatFileVersion` has been read as a member of the top-level object. */
  get sawVersion(): boolean {
    return this.seenRoot.has('dhatFileVersion');
  }

  startObject(): void {
    switch (this.at) {
      case At.Start:
        this.at = At.Root;
        return;
      case At.Skip:
        this.skipDepth++;
        return;
      case At.Pps:
        this.pp.fill(NaN);
        this.ppHasFs = false;
        this.at = At.Pp;
        return;
      default:
        this.unexpected('object');
    }
  }

  endObject(): void {
    if (this.at === At.Skip) return this.skipEnd();
    if (this.at === At.Root) {
      this.at = At.End;
      return;
    }
    if (this.at !== At.Pp) this.unexpected('object');
    if (!this.ppHasFs) throw new DhatFormatError(`pps[${this.ppCount}] has no "fs" (its frames)`);
    this.addProgramPoint(this.pp);
    this.at = At.Pps;
  }

  /** See JsonHandler.readWholeObject: a program point in the common shape (program-point-bytes.ts). */
  readWholeObject(buf: Uint8Array, open: number): number {
    if (this.at !== At.Pps || this.fastPath === null) return -1;
    const point = this.fastPath;
    const end = point.read(buf, open);
    if (end < 0) return -1;
    this.fsStart.push(this.fs.length);
    this.fs.appendRun(point.frames, point.frameCount);
    if (point.maxFrame > this.maxFrameIndex) {
      this.maxFrameIndex = point.maxFrame;
      this.maxFramePp = this.ppCount;
    }
    this.addProgramPoint(point.values);
    return end;
  }

  private addProgramPoint(values: Float64Array): void {
    for (let f = 0; f < PP_FIELDS.length; f++) this.columns[f].push(values[f]);
    this.ppCount++;
  }

  private addFrame(index: number): void {
    this.fs.push(index);
    if (index > this.maxFrameIndex) {
      this.maxFrameIndex = index;
      this.maxFramePp = this.ppCount;
    }
  }

  startArray(): void {
    switch (this.at) {
      case At.RootValue:
        if (this.rootKey === 'pps') this.at = At.Pps;
        else if (this.rootKey === 'ftbl') this.at = At.Ftbl;
        else this.unexpected('array');
        return;
      case At.PpValue:
        if (this.ppKey === 'fs') {
          if (this.ppHasFs) throw new DhatFormatError(`pps[${this.ppCount}] has "fs" twice`);
          this.ppHasFs = true;
          this.fsStart.push(this.fs.length);
          this.at = At.Fs;
        } else if (this.ppKey === 'acc') {
          this.at = At.Acc;
          this.skipArrayIntegers = true;
        } else {
          this.unexpected('array');
        }
        return;
      case At.Skip:
        this.skipDepth++;
        return;
      default:
        this.unexpected('array');
    }
  }

  endArray(): void {
    switch (this.at) {
      case At.Skip:
        return this.skipEnd();
      case At.Pps:
      case At.Ftbl:
        this.at = At.Root;
        return;
      case At.Fs:
      case At.Acc:
        this.at = At.Pp;
        this.skipArrayIntegers = false;
        return;
      default:
        this.unexpected('array');
    }
  }

  key(name: string): void {
    if (this.at === At.Root) {
      if (this.seenRoot.has(name)) throw new DhatFormatError(`"${name}" appears twice in the top-level object`);
      this.seenRoot.add(name);
      this.rootKey = name;
      this.at = At.RootValue;
      if (!STRING_MEMBERS.has(name) && !BOOLEAN_MEMBERS.has(name) && !NUMBER_MEMBERS.has(name) && name !== 'pps' && name !== 'ftbl') {
        this.skip(At.Root);
      }
    } else if (this.at === At.Pp) {
      this.ppKey = name;
      this.ppField = PP_FIELD_INDEX.get(name) ?? -1;
      this.at = At.PpValue;
      if (this.ppField < 0 && name !== 'fs' && name !== 'acc') this.skip(At.Pp);
    }
    // Keys inside skipped values need nothing.
  }

  string(value: string): void {
    if (this.at === At.Skip) return this.skipScalar();
    if (this.at === At.Ftbl) {
      this.ftbl.push(value);
      return;
    }
    if (this.at === At.RootValue && STRING_MEMBERS.has(this.rootKey)) {
      (this.header as unknown as Record<string, string>)[this.rootKey] = value;
      this.at = At.Root;
      return;
    }
    this.unexpected(value);
  }

  number(value: number): void {
    switch (this.at) {
      case At.Skip:
        return this.skipScalar();
      case At.Fs:
        if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
          throw new DhatFormatError(`pps[${this.ppCount}].fs has ${value}, not a frame index`);
        }
        this.addFrame(value);
        return;
      case At.Acc:
        // Histogram entries: counts, or negative run lengths. Not kept.
        if (!Number.isInteger(value)) throw new DhatFormatError(`pps[${this.ppCount}].acc has ${value}, not an integer`);
        return;
      case At.PpValue: {
        const field = this.ppField;
        if (field < 0) return this.unexpected(value);
        if (!(value >= 0 && Number.isInteger(value))) this.count(value, `pps[${this.ppCount}].${this.ppKey}`);
        this.pp[field] = value;
        this.at = At.Pp;
        return;
      }
      case At.RootValue:
        if (!NUMBER_MEMBERS.has(this.rootKey)) return this.unexpected(value);
        if (this.rootKey === 'dhatFileVersion' && value !== 2) {
          // Fail before a later version's different layout gives a confusing error.
          throw new DhatFormatError(`dhatFileVersion ${value} is not supported (Heatline reads version 2)`);
        }
        (this.header as unknown as Record<string, number>)[this.rootKey] = this.count(value, this.rootKey);
        this.at = At.Root;
        return;
      default:
        this.unexpected(value);
    }
  }

  literal(value: boolean | null): void {
    if (this.at === At.Skip) return this.skipScalar();
    if (this.at === At.RootValue && BOOLEAN_MEMBERS.has(this.rootKey) && value !== null) {
      (this.header as unknown as Record<string, boolean>)[this.rootKey] = value;
      this.at = At.Root;
      return;
    }
    this.unexpected(value);
  }

  /** The columns, once the scanner has seen the whole document; checks what needs all of it. */
  finish(): DhatData {
    const h = this.header;
    if (!this.sawVersion) throw new DhatFormatError('no "dhatFileVersion" member');
    if (h.dhatFileVersion !== 2) throw new DhatFormatError(`dhatFileVersion ${h.dhatFileVersion} is not supported (Heatline reads version 2)`);
    const required = ['mode', 'verb', 'bklt', 'bkacc', 'tu', 'Mtu', 'cmd', 'pid', 'te', 'pps', 'ftbl'];
    if (h.bklt) required.push('tg', 'tuth');
    const missing = required.filter((name) => !this.seenRoot.has(name));
    if (missing.length > 0) throw new DhatFormatError(`the top-level object has no ${missing.map((m) => `"${m}"`).join(', ')}`);
    if (this.maxFrameIndex >= this.ftbl.length) {
      throw new DhatFormatError(`pps[${this.maxFramePp}] names frame ${this.maxFrameIndex}, but ftbl has ${this.ftbl.length} entries`);
    }
    const columns = Object.fromEntries(PP_FIELDS.map((f, i) => [f, this.columns[i].finish()])) as Record<PpField, Float64Array>;
    this.checkPresent(columns, ['tb', 'tbk'], 'always');
    if (h.bklt) this.checkPresent(columns, ['mb', 'mbk', 'gb', 'gbk', 'eb', 'ebk'], 'when "bklt" is true');
    if (h.bkacc) this.checkPresent(columns, ['rb', 'wb'], 'when "bkacc" is true');
    this.fsStart.push(this.fs.length);
    return { header: h, ppCount: this.ppCount, columns, fsStart: this.fsStart.finish(), fs: this.fs.finish(), ftbl: this.ftbl };
  }

  private checkPresent(columns: Record<PpField, Float64Array>, fields: PpField[], when: string): void {
    for (const field of fields) {
      const column = columns[field];
      for (let i = 0; i < column.length; i++) {
        if (Number.isNaN(column[i])) throw new DhatFormatError(`pps[${i}] has no "${field}" (required ${when})`);
      }
    }
  }

  /** A byte or block count: a non-negative integer. */
  private count(value: number, where: string): number {
    if (!Number.isInteger(value) || value < 0) throw new DhatFormatError(`${where} is ${value}; expected a non-negative integer`);
    return value;
  }

  private skip(returnTo: At): void {
    this.skipReturn = returnTo;
    this.skipDepth = 0;
    this.at = At.Skip;
  }

  private skipScalar(): void {
    if (this.skipDepth === 0) this.at = this.skipReturn;
  }

  private skipEnd(): void {
    if (--this.skipDepth === 0) this.at = this.skipReturn;
  }

  private unexpected(value: Value): never {
    switch (this.at) {
      case At.Start:
        throw new DhatFormatError(`the document is ${describe(value)}, not a DHAT object`);
      case At.RootValue:
        throw new DhatFormatError(`"${this.rootKey}" is ${describe(value)}; expected ${expectedRoot(this.rootKey)}`);
      case At.Pps:
        throw new DhatFormatError(`pps[${this.ppCount}] is ${describe(value)}; expected an object`);
      case At.PpValue:
        throw new DhatFormatError(`pps[${this.ppCount}].${this.ppKey} is ${describe(value)}; expected ${this.ppKey === 'fs' || this.ppKey === 'acc' ? 'an array of integers' : 'a number'}`);
      case At.Fs:
      case At.Acc:
        throw new DhatFormatError(`pps[${this.ppCount}].${this.at === At.Fs ? 'fs' : 'acc'} holds ${describe(value)}; expected integers`);
      case At.Ftbl:
        throw new DhatFormatError(`ftbl[${this.ftbl.length}] is ${describe(value)}; expected a string`);
      default:
        throw new DhatFormatError(`unexpected ${describe(value)}`);
    }
  }
}

function expectedRoot(key: string): string {
  if (key === 'pps') return 'an array of program points';
  if (key === 'ftbl') return 'an array of strings';
  if (STRING_MEMBERS.has(key)) return 'a string';
  if (BOOLEAN_MEMBERS.has(key)) return 'true or false';
  return 'a number';
}
