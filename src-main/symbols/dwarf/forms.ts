/**
 * DWARF attribute forms: how many bytes each takes and what its value means.
 * A DIE's attributes can only be walked by knowing the size of every form in
 * it, so every form of DWARF 2-5 and the GNU extensions in use is listed here
 * and skippable, including the ones Heatline never interprets (blocks,
 * expressions, type signatures). An unknown form makes the rest of the unit
 * unreadable and throws.
 *
 * Spec: DWARF 5, section 7.5.6 and table 7.6 (https://dwarfstd.org/dwarf5std.html);
 * GNU extensions from gcc's include/dwarf2.def.
 */

import { type ByteReader, DwarfError } from './reader';

export const Form = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  ref_sup4: 0x1c,
  strp_sup: 0x1d,
  data16: 0x1e,
  line_strp: 0x1f,
  ref_sig8: 0x20,
  implicit_const: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  ref_sup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
  GNU_addr_index: 0x1f01,
  GNU_str_index: 0x1f02,
  GNU_ref_alt: 0x1f20,
  GNU_strp_alt: 0x1f21,
} as const;

/** What a form's value is, which decides how the caller interprets the number. */
export const FormClass = {
  /** A target address. */
  Address: 0,
  /** An index into .debug_addr (from addr_base). */
  AddressIndex: 1,
  /** An unsigned or signed constant. */
  Constant: 2,
  /** An offset from the start of the current unit. */
  UnitRef: 3,
  /** An offset into .debug_info. */
  InfoRef: 4,
  /** A reference into a supplementary (dwz) file: not followed. */
  AltRef: 5,
  /** The position in the unit's section of an inline NUL-terminated string. */
  InlineString: 6,
  /** An offset into .debug_str. */
  Strp: 7,
  /** An offset into .debug_line_str. */
  LineStrp: 8,
  /** An index into .debug_str_offsets (from str_offsets_base). */
  StringIndex: 9,
  /** A string in a supplementary (dwz) file: not followed. */
  AltString: 10,
  /** An offset into another section (line table, ranges, ...). */
  SecOffset: 11,
  /** An index into the unit's range list offsets (from rnglists_base). */
  RangeListIndex: 12,
  Flag: 13,
  /** Blocks, expressions, signatures, 16-byte data: skipped. */
  Other: 14,
} as const;
export type FormClass = (typeof FormClass)[keyof typeof FormClass];

export interface FormUnit {
  version: number;
  offsetSize: number;
  addressSize: number;
}

/** The class of `form`'s value; throws for an unknown form. */
export function formClass(form: number): FormClass {
  switch (form) {
    case Form.addr:
      return FormClass.Address;
    case Form.addrx:
    case Form.addrx1:
    case Form.addrx2:
    case Form.addrx3:
    case Form.addrx4:
    case Form.GNU_addr_index:
      return FormClass.AddressIndex;
    case Form.data1:
    case Form.data2:
    case Form.data4:
    case Form.data8:
    case Form.sdata:
    case Form.udata:
    case Form.implicit_const:
      return FormClass.Constant;
    case Form.ref1:
    case Form.ref2:
    case Form.ref4:
    case Form.ref8:
    case Form.ref_udata:
      return FormClass.UnitRef;
    case Form.ref_addr:
      return FormClass.InfoRef;
    case Form.ref_sup4:
    case Form.ref_sup8:
    case Form.GNU_ref_alt:
      return FormClass.AltRef;
    case Form.string:
      return FormClass.InlineString;
    case Form.strp:
      return FormClass.Strp;
    case Form.line_strp:
      return FormClass.LineStrp;
    case Form.strx:
    case Form.strx1:
    case Form.strx2:
    case Form.strx3:
    case Form.strx4:
    case Form.GNU_str_index:
      return FormClass.StringIndex;
    case Form.strp_sup:
    case Form.GNU_strp_alt:
      return FormClass.AltString;
    case Form.sec_offset:
    case Form.loclistx:
      return FormClass.SecOffset;
    case Form.rnglistx:
      return FormClass.RangeListIndex;
    case Form.flag:
    case Form.flag_present:
      return FormClass.Flag;
    case Form.block:
    case Form.block1:
    case Form.block2:
    case Form.block4:
    case Form.exprloc:
    case Form.ref_sig8:
    case Form.data16:
      return FormClass.Other;
    default:
      throw new DwarfError(`unknown attribute form 0x${form.toString(16)}`);
  }
}

/**
 * The size in bytes of a form whose size is fixed for a unit, or -1 for a
 * variable-sized one (LEB128s, strings, blocks, indirect). Abbreviations whose
 * forms are all fixed are skipped in one step.
 */
export function fixedFormSize(form: number, unit: FormUnit): number {
  switch (form) {
    case Form.flag_present:
    case Form.implicit_const:
      return 0;
    case Form.data1:
    case Form.ref1:
    case Form.flag:
    case Form.strx1:
    case Form.addrx1:
      return 1;
    case Form.data2:
    case Form.ref2:
    case Form.strx2:
    case Form.addrx2:
      return 2;
    case Form.strx3:
    case Form.addrx3:
      return 3;
    case Form.data4:
    case Form.ref4:
    case Form.ref_sup4:
    case Form.strx4:
    case Form.addrx4:
      return 4;
    case Form.data8:
    case Form.ref8:
    case Form.ref_sig8:
    case Form.ref_sup8:
      return 8;
    case Form.data16:
      return 16;
    case Form.addr:
      return unit.addressSize;
    case Form.ref_addr:
      // DWARF 2 sized DW_FORM_ref_addr like an address; 3 and later like an offset.
      return unit.version <= 2 ? unit.addressSize : unit.offsetSize;
    case Form.strp:
    case Form.line_strp:
    case Form.sec_offset:
    case Form.strp_sup:
    case Form.GNU_ref_alt:
    case Form.GNU_strp_alt:
      return unit.offsetSize;
    default:
      return -1;
  }
}

/** Steps over one attribute value of `form`. */
export function skipForm(r: ByteReader, form: number, unit: FormUnit): void {
  const size = fixedFormSize(form, unit);
  if (size >= 0) {
    r.skip(size);
    return;
  }
  switch (form) {
    case Form.sdata:
    case Form.udata:
    case Form.ref_udata:
    case Form.strx:
    case Form.addrx:
    case Form.loclistx:
    case Form.rnglistx:
    case Form.GNU_addr_index:
    case Form.GNU_str_index:
      r.skipLeb();
      return;
    case Form.string:
      r.skipCstr();
      return;
    case Form.block1:
      r.skip(r.u8());
      return;
    case Form.block2:
      r.skip(r.u16());
      return;
    case Form.block4:
      r.skip(r.u32());
      return;
    case Form.block:
    case Form.exprloc:
      r.skip(r.uleb());
      return;
    case Form.indirect:
      skipForm(r, indirectForm(r), unit);
      return;
    default:
      throw new DwarfError(`unknown attribute form 0x${form.toString(16)}`);
  }
}

/** Reads the real form of a DW_FORM_indirect attribute (which cannot nest forever). */
export function indirectForm(r: ByteReader): number {
  const form = r.uleb();
  if (form === Form.indirect || form === Form.implicit_const) throw new DwarfError('DW_FORM_indirect names an impossible form');
  return form;
}

/**
 * Reads the numeric value of a form that has one: addresses, indexes,
 * constants, references, offsets, flags, and for DW_FORM_string the
 * position of the string (which it steps over). Other forms are skipped and
 * read as 0. `implicitConst` is the value stored in the abbreviation.
 */
export function readFormValue(r: ByteReader, form: number, unit: FormUnit, implicitConst: number): number {
  switch (form) {
    case Form.addr:
      return r.uint(unit.addressSize);
    case Form.data1:
    case Form.ref1:
    case Form.flag:
    case Form.strx1:
    case Form.addrx1:
      return r.u8();
    case Form.data2:
    case Form.ref2:
    case Form.strx2:
    case Form.addrx2:
      return r.u16();
    case Form.strx3:
    case Form.addrx3:
      return r.u24();
    case Form.data4:
    case Form.ref4:
    case Form.ref_sup4:
    case Form.strx4:
    case Form.addrx4:
      return r.u32();
    case Form.data8:
    case Form.ref8:
    case Form.ref_sup8:
      return r.u64();
    case Form.sdata:
      return r.sleb();
    case Form.udata:
    case Form.ref_udata:
    case Form.strx:
    case Form.addrx:
    case Form.loclistx:
    case Form.rnglistx:
    case Form.GNU_addr_index:
    case Form.GNU_str_index:
      return r.uleb();
    case Form.strp:
    case Form.line_strp:
    case Form.sec_offset:
    case Form.strp_sup:
    case Form.GNU_ref_alt:
    case Form.GNU_strp_alt:
      return r.uint(unit.offsetSize);
    case Form.ref_addr:
      return r.uint(unit.version <= 2 ? unit.addressSize : unit.offsetSize);
    case Form.flag_present:
      return 1;
    case Form.implicit_const:
      return implicitConst;
    case Form.string: {
      const at = r.pos;
      r.skipCstr();
      return at;
    }
    default:
      skipForm(r, form, unit);
      return 0;
  }
}
