/**
 * .debug_line: one unit's line number program (DWARF 2 to 5), run through the
 * state machine into a sorted address -> (file, line) table.
 *
 * The table keeps, like binutils' addr2line, the last row of a run of rows at
 * the same address, and ends every sequence with a marker row so an address
 * past a sequence's end finds nothing. Sequences that start outside the code
 * (functions the linker discarded are left at address 0) or overlap an
 * earlier one are dropped, so stale debug info cannot shadow live code.
 *
 * File names are made absolute the way addr2line prints them: the file's
 * directory, itself under the compilation directory when relative, with no
 * further normalisation (`/src/./a.c` stays as it is).
 *
 * Spec: DWARF 5, section 6.2 (and DWARF 4, 6.2, for the older header).
 */

import { Form, FormClass, formClass, readFormValue } from './forms';
import { ByteReader, DwarfError, stringAt } from './reader';

const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6;
const DW_LNS_set_basic_block = 7;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
const DW_LNS_set_prologue_end = 10;
const DW_LNS_set_epilogue_begin = 11;
const DW_LNS_set_isa = 12;

/** C0 controls, DEL, and bytes that were not UTF-8 (decoded as U+FFFD): never a source path that can be opened. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f\ufffd]/;

const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;
const DW_LNE_set_discriminator = 4;

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/** What the line program needs from its unit and the file's other sections. */
export interface LineProgramContext {
  debugLine: Uint8Array;
  /** .debug_line_str and .debug_str (empty when absent). */
  lineStr: Uint8Array;
  str: Uint8Array;
  littleEndian: boolean;
  /** DW_AT_comp_dir of the unit, or null. */
  compDir: string | null;
  /** The unit's address size, for DWARF < 5 headers that do not carry one. */
  addressSize: number;
  /** Resolves DW_FORM_strx* in v5 entry formats through the unit's string offsets; null when unknown. */
  stringIndex?: (index: number) => string | null;
  /** False for addresses outside the file's executable sections; sequences starting there are dropped. */
  isCode?: (address: number) => boolean;
}

interface FileEntry {
  name: string;
  dir: number;
}

export class LineTable {
  /** Row addresses, ascending. */
  readonly address: Float64Array;
  /** File number of each row, or -1 for the end-of-sequence markers. */
  readonly file: Int32Array;
  readonly line: Int32Array;
  readonly version: number;
  private readonly dirs: string[];
  private readonly files: (FileEntry | undefined)[];
  private readonly compDir: string | null;
  private readonly pathCache: (string | null | undefined)[] = [];
  /** [low, high) of each kept sequence, in address order. */
  readonly sequences: number[];

  constructor(parts: { address: Float64Array; file: Int32Array; line: Int32Array; version: number; dirs: string[]; files: (FileEntry | undefined)[]; compDir: string | null; sequences: number[] }) {
    this.address = parts.address;
    this.file = parts.file;
    this.line = parts.line;
    this.version = parts.version;
    this.dirs = parts.dirs;
    this.files = parts.files;
    this.compDir = parts.compDir;
    this.sequences = parts.sequences;
  }

  get rowCount(): number {
    return this.address.length;
  }

  /** The row covering `address`, or -1 when no sequence covers it. */
  lookup(address: number): number {
    const a = this.address;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= address) lo = mid + 1;
      else hi = mid;
    }
    const row = lo - 1;
    return row >= 0 && this.file[row] >= 0 ? row : -1;
  }

  /**
   * The path of file number `index` as the unit numbers them (from 1 before
   * DWARF 5, from 0 since), or null when the number is invalid.
   */
  filePath(index: number): string | null {
    if (!(index >= 0 && index < this.files.length)) return null;
    const cached = this.pathCache[index];
    if (cached !== undefined) return cached;
    const path = this.computePath(index);
    this.pathCache[index] = path;
    return path;
  }

  private computePath(index: number): string | null {
    const entry = this.files[index];
    // A name with control characters or undecodable bytes is no file: garbage some JIT writers put in the
    // line tables they generate (perf inject --jit images of node's jitdump), which readelf prints as it is.
    if (!entry || CONTROL_CHARACTER.test(entry.name)) return null;
    if (entry.name.startsWith('/')) return entry.name;
    // Before DWARF 5 directory 0 meant "the compilation directory"; since,
    // entry 0 holds it explicitly. Both land in dirs[] the same way here.
    const dir = this.version >= 5 ? this.dirs[entry.dir] : entry.dir === 0 ? undefined : this.dirs[entry.dir - 1];
    const base = dir === undefined || !dir.startsWith('/') ? this.compDir : null;
    if (base && dir) return `${base}/${dir}/${entry.name}`;
    if (base) return `${base}/${entry.name}`;
    if (dir) return `${dir}/${entry.name}`;
    return entry.name;
  }
}

/** Parses and runs the line program at `offset` of .debug_line. */
export function parseLineTable(ctx: LineProgramContext, offset: number): LineTable {
  const r = new ByteReader(ctx.debugLine, ctx.littleEndian).seek(offset);
  const { offsetSize, end } = r.unitLength();
  const version = r.u16();
  if (version < 2 || version > 5) throw new DwarfError(`line table at ${offset}: unsupported version ${version}`);
  let addressSize = ctx.addressSize;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.uint(offsetSize);
  const programStart = r.pos + headerLength;
  if (programStart > end) throw new DwarfError(`line table at ${offset}: header runs past the unit`);
  const minInstLength = r.u8();
  const maxOps = version >= 4 ? r.u8() || 1 : 1;
  r.u8(); // default_is_stmt: is_stmt does not change which line an address belongs to
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  const standardLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) standardLengths.push(r.u8());

  const dirs: string[] = [];
  const files: (FileEntry | undefined)[] = [];
  if (version >= 5) {
    readEntryTable(r, ctx, offsetSize, (path) => dirs.push(path.name));
    readEntryTable(r, ctx, offsetSize, (entry) => files.push(entry));
  } else {
    for (;;) {
      const dir = r.cstr();
      if (dir === '') break;
      dirs.push(dir);
    }
    files.push(undefined); // file numbers start at 1 before DWARF 5
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = r.uleb();
      r.uleb(); // modification time
      r.uleb(); // length
      files.push({ name, dir });
    }
  }

  // Plain arrays while running the program (appending to them is cheap), typed arrays in the table.
  const rowAddress: number[] = [];
  const rowFile: number[] = [];
  const rowLine: number[] = [];
  const sequences: { first: number; end: number; low: number; high: number }[] = [];

  r.seek(programStart);
  let address = 0;
  let opIndex = 0;
  let file = 1;
  let line = 1;
  let seqFirst = 0;
  const emit = (endMarker: boolean) => {
    const n = rowAddress.length;
    // Several rows at one address within a sequence: the last one wins (as in binutils).
    if (n > seqFirst && rowAddress[n - 1] === address) {
      rowFile[n - 1] = endMarker ? -1 : file;
      rowLine[n - 1] = line;
      return;
    }
    rowAddress.push(address);
    rowFile.push(endMarker ? -1 : file);
    rowLine.push(line);
  };
  const advance = (operationAdvance: number) => {
    if (maxOps === 1) {
      address += minInstLength * operationAdvance;
    } else {
      address += minInstLength * Math.floor((opIndex + operationAdvance) / maxOps);
      opIndex = (opIndex + operationAdvance) % maxOps;
    }
  };
  const reset = () => {
    address = 0;
    opIndex = 0;
    file = 1;
    line = 1;
    seqFirst = rowAddress.length;
  };

  while (r.pos < end) {
    const opcode = r.u8();
    if (opcode >= opcodeBase) {
      if (lineRange === 0) throw new DwarfError(`line table at ${offset}: line_range is 0`);
      const adjusted = opcode - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line += lineBase + (adjusted % lineRange);
      emit(false);
    } else if (opcode === 0) {
      const length = r.uleb();
      const next = r.pos + length;
      if (length === 0 || next > end) throw new DwarfError(`line table at ${offset}: bad extended opcode length ${length}`);
      const sub = r.u8();
      if (sub === DW_LNE_end_sequence) {
        emit(true);
        const first = seqFirst;
        sequences.push({ first, end: rowAddress.length, low: rowAddress[first], high: address });
        reset();
      } else if (sub === DW_LNE_set_address) {
        address = r.uint(length - 1 === 8 || length - 1 === 4 || length - 1 === 2 ? length - 1 : addressSize);
        opIndex = 0;
      } else if (sub === DW_LNE_define_file) {
        const name = r.cstr();
        const dir = r.uleb();
        files.push({ name, dir });
      } else if (sub === DW_LNE_set_discriminator) {
        // Discriminators tell basic blocks on one line apart; addr2line prints them, we do not use them.
      }
      r.seek(next);
    } else {
      switch (opcode) {
        case DW_LNS_copy:
          emit(false);
          break;
        case DW_LNS_advance_pc:
          advance(r.uleb());
          break;
        case DW_LNS_advance_line:
          line += r.sleb();
          break;
        case DW_LNS_set_file:
          file = r.uleb();
          break;
        case DW_LNS_const_add_pc:
          if (lineRange === 0) throw new DwarfError(`line table at ${offset}: line_range is 0`);
          advance(Math.floor((255 - opcodeBase) / lineRange));
          break;
        case DW_LNS_fixed_advance_pc:
          address += r.u16();
          opIndex = 0;
          break;
        case DW_LNS_set_column:
        case DW_LNS_set_isa:
          r.skipLeb();
          break;
        case DW_LNS_negate_stmt:
        case DW_LNS_set_basic_block:
        case DW_LNS_set_prologue_end:
        case DW_LNS_set_epilogue_begin:
          break;
        default:
          // An opcode this version does not define: its operand count is in the header.
          for (let i = 0; i < standardLengths[opcode]; i++) r.skipLeb();
      }
    }
  }

  return buildTable(ctx, version, dirs, files, rowAddress, rowFile, rowLine, sequences);
}

/** Sorts the sequences, drops dead and overlapping ones, and lays the rows out in address order. */
function buildTable(
  ctx: LineProgramContext,
  version: number,
  dirs: string[],
  files: (FileEntry | undefined)[],
  address: number[],
  file: number[],
  line: number[],
  sequences: { first: number; end: number; low: number; high: number }[],
): LineTable {
  const kept = sequences.filter((s) => s.end > s.first && s.high > s.low && (!ctx.isCode || ctx.isCode(s.low)));
  kept.sort((a, b) => a.low - b.low || a.first - b.first);
  let total = 0;
  let coveredUntil = -Infinity;
  const chosen: typeof kept = [];
  for (const s of kept) {
    if (s.low < coveredUntil) continue;
    chosen.push(s);
    coveredUntil = s.high;
    total += s.end - s.first;
  }
  const outAddress = new Float64Array(total);
  const outFile = new Int32Array(total);
  const outLine = new Int32Array(total);
  let n = 0;
  const bounds: number[] = [];
  for (const s of chosen) {
    bounds.push(s.low, s.high);
    for (let i = s.first; i < s.end; i++) {
      // A sequence starting where the previous ended replaces its end marker.
      if (n > 0 && outAddress[n - 1] === address[i]) n--;
      outAddress[n] = address[i];
      outFile[n] = file[i];
      outLine[n] = line[i];
      n++;
    }
  }
  return new LineTable({
    address: outAddress.subarray(0, n),
    file: outFile.subarray(0, n),
    line: outLine.subarray(0, n),
    version,
    dirs,
    files,
    compDir: ctx.compDir,
    sequences: bounds,
  });
}

/** Reads a DWARF 5 directory or file name table: its entry format, then the entries. */
function readEntryTable(r: ByteReader, ctx: LineProgramContext, offsetSize: number, add: (entry: FileEntry) => void): void {
  const formatCount = r.u8();
  const kinds: number[] = [];
  const forms: number[] = [];
  for (let i = 0; i < formatCount; i++) {
    kinds.push(r.uleb());
    forms.push(r.uleb());
  }
  const count = r.uleb();
  const unit = { version: 5, offsetSize, addressSize: ctx.addressSize };
  for (let i = 0; i < count; i++) {
    let name = '';
    let dir = 0;
    for (let k = 0; k < kinds.length; k++) {
      const form = forms[k];
      if (form === Form.indirect || form === Form.implicit_const) throw new DwarfError(`line table entry uses form 0x${form.toString(16)}`);
      const value = readFormValue(r, form, unit, 0);
      if (kinds[k] === DW_LNCT_path) name = entryString(ctx, form, value) ?? '';
      else if (kinds[k] === DW_LNCT_directory_index) dir = value;
    }
    add({ name, dir });
  }
}

function entryString(ctx: LineProgramContext, form: number, value: number): string | null {
  switch (formClass(form)) {
    case FormClass.InlineString:
      return stringAt(ctx.debugLine, value);
    case FormClass.LineStrp:
      return stringAt(ctx.lineStr, value);
    case FormClass.Strp:
      return stringAt(ctx.str, value);
    case FormClass.StringIndex:
      return ctx.stringIndex ? ctx.stringIndex(value) : null;
    default:
      return null;
  }
}
