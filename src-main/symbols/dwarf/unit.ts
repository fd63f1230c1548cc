/**
 * One unit of .debug_info: its header, the attributes of its unit DIE (the
 * bases that strx/addrx/rnglistx forms are relative to, the line table
 * offset, the compilation directory, the address ranges), and reading the
 * attributes of any of its DIEs into a reusable record without allocating.
 *
 * Spec: DWARF 5, sections 7.5.1 (unit headers), 3.1.1 (unit DIE attributes),
 * 7.26-7.28 (string offsets, address and range list tables).
 */

import { type Abbrev, type AbbrevTable, parseAbbrevTable } from './abbrev';
import { FormClass, formClass, indirectForm, readFormValue, skipForm, Form } from './forms';
import { readDebugRanges, readRngList, rngListOffset, type RangeUnit } from './ranges';
import { ByteReader, DwarfError, stringAt } from './reader';
import type { DwarfSections } from './sections';

export const Tag = {
  class_type: 0x02,
  entry_point: 0x03,
  lexical_block: 0x0b,
  compile_unit: 0x11,
  structure_type: 0x13,
  union_type: 0x17,
  inlined_subroutine: 0x1d,
  module: 0x1e,
  catch_block: 0x25,
  subprogram: 0x2e,
  try_block: 0x32,
  namespace: 0x39,
  partial_unit: 0x3c,
  skeleton_unit: 0x4a,
} as const;

export const At = {
  sibling: 0x01,
  name: 0x03,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  comp_dir: 0x1b,
  abstract_origin: 0x31,
  decl_file: 0x3a,
  decl_line: 0x3b,
  declaration: 0x3c,
  specification: 0x47,
  ranges: 0x55,
  call_file: 0x58,
  call_line: 0x59,
  linkage_name: 0x6e,
  str_offsets_base: 0x72,
  addr_base: 0x73,
  rnglists_base: 0x74,
  MIPS_linkage_name: 0x2007,
  GNU_addr_base: 0x2133,
} as const;

const DW_UT_compile = 1;
const DW_UT_type = 2;
const DW_UT_partial = 3;
const DW_UT_skeleton = 4;
const DW_UT_split_compile = 5;
const DW_UT_split_type = 6;

/** "Absent" for numeric attribute values (0 is a valid address and offset). */
export const NONE = -1;

/**
 * The attributes of one DIE that symbolization uses, as raw numbers plus the
 * class of their form (see forms.ts). Reused from DIE to DIE.
 */
export class DieRecord {
  offset = 0;
  tag = 0;
  hasChildren = false;
  abbrev: Abbrev | null = null;
  lowPc = NONE;
  lowPcClass: FormClass = FormClass.Other;
  highPc = NONE;
  highPcClass: FormClass = FormClass.Other;
  ranges = NONE;
  rangesClass: FormClass = FormClass.Other;
  name = NONE;
  nameClass: FormClass = FormClass.Other;
  linkageName = NONE;
  linkageClass: FormClass = FormClass.Other;
  /** Absolute .debug_info offsets, NONE when absent, or -2 for a reference into a supplementary file. */
  abstractOrigin = NONE;
  specification = NONE;
  sibling = NONE;
  callFile = NONE;
  callLine = 0;
  /** Where the function is declared: a file index of the unit's line table, and a line (0 = none). */
  declFile = NONE;
  declLine = 0;
  declaration = false;

  reset(): void {
    this.lowPc = this.highPc = this.ranges = this.name = this.linkageName = NONE;
    this.abstractOrigin = this.specification = this.sibling = this.callFile = this.declFile = NONE;
    this.callLine = this.declLine = 0;
    this.declaration = false;
  }
}

export class Unit implements RangeUnit {
  readonly version: number;
  readonly unitType: number;
  readonly offsetSize: 4 | 8;
  readonly addressSize: number;
  readonly abbrevOffset: number;
  /** Offset in .debug_info of the unit DIE, and of the unit's end. */
  readonly dieOffset: number;
  readonly end: number;
  readonly abbrevs: AbbrevTable;

  rootTag = 0;
  baseAddress = 0;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  stmtList = NONE;
  compDir: string | null = null;
  name: string | null = null;
  /** [low, high) pairs the unit DIE claims; empty when it claims none. */
  readonly ranges: number[] = [];

  private constructor(
    readonly sections: DwarfSections,
    readonly offset: number,
    header: { version: number; unitType: number; offsetSize: 4 | 8; addressSize: number; abbrevOffset: number; dieOffset: number; end: number },
    abbrevCache: Map<string, AbbrevTable>,
  ) {
    this.version = header.version;
    this.unitType = header.unitType;
    this.offsetSize = header.offsetSize;
    this.addressSize = header.addressSize;
    this.abbrevOffset = header.abbrevOffset;
    this.dieOffset = header.dieOffset;
    this.end = header.end;
    // Defaults for units that use strx/addrx/rnglistx without naming a base:
    // the first entry after a 32- or 64-bit table header.
    this.strOffsetsBase = this.offsetSize === 8 ? 16 : 8;
    this.addrBase = this.offsetSize === 8 ? 16 : 8;
    this.rnglistsBase = this.offsetSize === 8 ? 20 : 12;
    const key = `${this.abbrevOffset}:${this.addressSize}:${this.offsetSize}:${this.version <= 2 ? 2 : 3}`;
    let abbrevs = abbrevCache.get(key);
    if (!abbrevs) {
      abbrevs = parseAbbrevTable(sections.get('.debug_abbrev'), this.abbrevOffset, this);
      abbrevCache.set(key, abbrevs);
    }
    this.abbrevs = abbrevs;
  }

  /**
   * Reads the unit header at `offset` and its unit DIE. Returns the unit and
   * the offset of the next one; the unit is null for kinds Heatline skips
   * (type units, split units whose DIEs live in .dwo files), and with an
   * error when the unit is unreadable past its length.
   */
  static read(sections: DwarfSections, offset: number, abbrevCache: Map<string, AbbrevTable>): { unit: Unit | null; next: number; error?: Error } {
    const info = sections.get('.debug_info');
    const r = new ByteReader(info, sections.littleEndian).seek(offset);
    const { offsetSize, end } = r.unitLength();
    try {
      return { unit: Unit.readAfterLength(sections, offset, r, offsetSize, end, abbrevCache), next: end };
    } catch (error) {
      // The length was readable, so the next unit still can be found.
      return { unit: null, next: end, error: error as Error };
    }
  }

  private static readAfterLength(sections: DwarfSections, offset: number, r: ByteReader, offsetSize: 4 | 8, end: number, abbrevCache: Map<string, AbbrevTable>): Unit | null {
    const version = r.u16();
    if (version < 2 || version > 5) throw new DwarfError(`unit at ${offset}: unsupported DWARF version ${version}`);
    let unitType = DW_UT_compile;
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      unitType = r.u8();
      addressSize = r.u8();
      abbrevOffset = r.uint(offsetSize);
      if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) r.skip(8); // dwo_id
      else if (unitType === DW_UT_type || unitType === DW_UT_split_type) r.skip(8 + offsetSize); // signature, type offset
    } else {
      abbrevOffset = r.uint(offsetSize);
      addressSize = r.u8();
    }
    if (addressSize !== 4 && addressSize !== 8) throw new DwarfError(`unit at ${offset}: address size ${addressSize}`);
    if (unitType !== DW_UT_compile && unitType !== DW_UT_partial && unitType !== DW_UT_skeleton) return null;
    const unit = new Unit(sections, offset, { version, unitType, offsetSize, addressSize, abbrevOffset, dieOffset: r.pos, end }, abbrevCache);
    unit.readUnitDie();
    return unit;
  }

  /** A reader over .debug_info positioned at `offset`. */
  reader(offset = this.dieOffset): ByteReader {
    return new ByteReader(this.sections.get('.debug_info'), this.sections.littleEndian).seek(offset);
  }

  /**
   * Reads the DIE at the reader's position into `die` and leaves the reader
   * after its attributes. Returns false for a null entry (end of siblings).
   */
  readDie(r: ByteReader, die: DieRecord): boolean {
    die.offset = r.pos;
    const code = r.uleb();
    if (code === 0) return false;
    this.readAttributes(r, this.abbrevs.get(code), die);
    return true;
  }

  /** Reads the attributes of a DIE whose code (for `abbrev`) was just read; die.offset is the caller's. */
  readAttributes(r: ByteReader, abbrev: Abbrev, die: DieRecord): void {
    die.abbrev = abbrev;
    die.tag = abbrev.tag;
    die.hasChildren = abbrev.hasChildren;
    die.reset();
    const { names, forms, implicit } = abbrev;
    for (let i = 0; i < names.length; i++) {
      let form = forms[i];
      if (form === Form.indirect) form = indirectForm(r);
      const ic = implicit === null ? 0 : (implicit[i] ?? 0);
      switch (names[i]) {
        case At.low_pc:
          die.lowPc = readFormValue(r, form, this, ic);
          die.lowPcClass = formClass(form);
          break;
        case At.high_pc:
          die.highPc = readFormValue(r, form, this, ic);
          die.highPcClass = formClass(form);
          break;
        case At.ranges:
          die.ranges = readFormValue(r, form, this, ic);
          die.rangesClass = formClass(form);
          break;
        case At.name:
          die.name = readFormValue(r, form, this, ic);
          die.nameClass = formClass(form);
          break;
        case At.linkage_name:
        case At.MIPS_linkage_name:
          die.linkageName = readFormValue(r, form, this, ic);
          die.linkageClass = formClass(form);
          break;
        case At.abstract_origin:
          die.abstractOrigin = this.reference(readFormValue(r, form, this, ic), form);
          break;
        case At.specification:
          die.specification = this.reference(readFormValue(r, form, this, ic), form);
          break;
        case At.sibling:
          die.sibling = this.reference(readFormValue(r, form, this, ic), form);
          break;
        case At.call_file:
          die.callFile = readFormValue(r, form, this, ic);
          break;
        case At.call_line:
          die.callLine = readFormValue(r, form, this, ic);
          break;
        case At.decl_file:
          die.declFile = readFormValue(r, form, this, ic);
          break;
        case At.decl_line:
          die.declLine = readFormValue(r, form, this, ic);
          break;
        case At.declaration:
          die.declaration = readFormValue(r, form, this, ic) !== 0;
          break;
        default:
          skipForm(r, form, this);
      }
    }
  }

  /** Steps over the attributes of a DIE whose code (for `abbrev`) was just read. */
  skipAttributes(r: ByteReader, abbrev: Abbrev): void {
    const plan = abbrev.skipPlan;
    if (plan === null) {
      r.skip(abbrev.fixedSize);
      return;
    }
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i];
      if (step >= 0) r.skip(step);
      else skipForm(r, -step, this);
    }
  }

  /** Steps over one DIE: null for a null entry, else whether it has children. */
  skipDie(r: ByteReader): boolean | null {
    const code = r.uleb();
    if (code === 0) return null;
    const abbrev = this.abbrevs.get(code);
    this.skipAttributes(r, abbrev);
    return abbrev.hasChildren;
  }

  /** The string value of an attribute read by readDie, or null (absent, or in a supplementary file). */
  string(value: number, cls: FormClass): string | null {
    if (value === NONE) return null;
    switch (cls) {
      case FormClass.InlineString:
        return stringAt(this.sections.get('.debug_info'), value);
      case FormClass.Strp:
        return stringAt(this.sections.get('.debug_str'), value);
      case FormClass.LineStrp:
        return stringAt(this.sections.get('.debug_line_str'), value);
      case FormClass.StringIndex:
        return this.stringIndex(value);
      default:
        return null;
    }
  }

  /** Entry `index` of the unit's string offsets table, as a string. */
  stringIndex(index: number): string | null {
    const r = this.sections.reader('.debug_str_offsets').seek(this.strOffsetsBase);
    r.skip(index * this.offsetSize);
    return stringAt(this.sections.get('.debug_str'), r.uint(this.offsetSize));
  }

  /** Entry `index` of the unit's address table (.debug_addr). */
  addressAt(index: number): number {
    const r = this.sections.reader('.debug_addr').seek(this.addrBase);
    r.skip(index * this.addressSize);
    return r.uint(this.addressSize);
  }

  /** An address attribute's value: itself, or looked up in .debug_addr. */
  address(value: number, cls: FormClass): number {
    return cls === FormClass.AddressIndex ? this.addressAt(value) : value;
  }

  /**
   * Appends the [low, high) pairs a DIE covers to `out`: from DW_AT_ranges,
   * else DW_AT_low_pc with DW_AT_high_pc (an address, or since DWARF 4 a
   * length when its form is a constant). Returns whether it had any.
   */
  dieRanges(die: DieRecord, out: number[]): boolean {
    const before = out.length;
    if (die.ranges !== NONE) {
      this.rangeList(die.ranges, die.rangesClass, out);
    } else if (die.lowPc !== NONE && die.highPc !== NONE) {
      const low = this.address(die.lowPc, die.lowPcClass);
      const high = die.highPcClass === FormClass.Constant ? low + die.highPc : this.address(die.highPc, die.highPcClass);
      if (high > low) out.push(low, high);
    }
    return out.length > before;
  }

  private rangeList(value: number, cls: FormClass, out: number[]): void {
    if (this.version >= 5) {
      const r = this.sections.reader('.debug_rnglists');
      const offset = cls === FormClass.RangeListIndex ? rngListOffset(r, this.rnglistsBase, value, this.offsetSize) : value;
      readRngList(r, offset, this, out);
    } else {
      readDebugRanges(this.sections.reader('.debug_ranges'), value, this, out);
    }
  }

  private reference(value: number, form: number): number {
    switch (formClass(form)) {
      case FormClass.UnitRef:
        return this.offset + value;
      case FormClass.InfoRef:
        return value;
      default:
        return -2; // a supplementary file (dwz) or a type signature: not followed
    }
  }

  /**
   * The unit DIE: its bases come first because its own strx/addrx/rnglistx
   * values are relative to them, whatever order the attributes are in.
   */
  private readUnitDie(): void {
    const r = this.reader();
    const code = r.uleb();
    if (code === 0) return;
    const abbrev = this.abbrevs.get(code);
    this.rootTag = abbrev.tag;
    const values: { name: number; form: number; value: number }[] = [];
    for (let i = 0; i < abbrev.names.length; i++) {
      let form = abbrev.forms[i];
      if (form === Form.indirect) form = indirectForm(r);
      const value = readFormValue(r, form, this, abbrev.implicit?.[i] ?? 0);
      values.push({ name: abbrev.names[i], form, value });
    }
    for (const { name, value } of values) {
      if (name === At.str_offsets_base) this.strOffsetsBase = value;
      else if (name === At.addr_base || name === At.GNU_addr_base) this.addrBase = value;
      else if (name === At.rnglists_base) this.rnglistsBase = value;
    }
    const die = new DieRecord();
    for (const { name, form, value } of values) {
      const cls = formClass(form);
      if (name === At.low_pc) {
        die.lowPc = value;
        die.lowPcClass = cls;
        this.baseAddress = this.address(value, cls);
      } else if (name === At.high_pc) {
        die.highPc = value;
        die.highPcClass = cls;
      } else if (name === At.ranges) {
        die.ranges = value;
        die.rangesClass = cls;
      } else if (name === At.stmt_list) {
        this.stmtList = value;
      } else if (name === At.comp_dir) {
        this.compDir = this.string(value, cls);
      } else if (name === At.name) {
        this.name = this.string(value, cls);
      }
    }
    this.dieRanges(die, this.ranges);
  }
}
