/**
 * .debug_abbrev: the per-unit tables that say, for each abbreviation code,
 * a DIE's tag, whether it has children, and its attributes with their forms.
 * Parsed once per table offset (units of one object file share one) and kept
 * as flat arrays, with the total size precomputed when every form has a fixed
 * size, so DIEs that symbolization does not care about are skipped in one step.
 *
 * Spec: DWARF 5, section 7.5.3.
 */

import { fixedFormSize, Form, type FormUnit } from './forms';
import { ByteReader, DwarfError } from './reader';

// Attribute names (DWARF 5, section 7.5.4); unit.ts has the full list, which imports this file.
const AT_LOW_PC = 0x11;
const AT_HIGH_PC = 0x12;
const AT_RANGES = 0x55;

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  /** Attribute names, parallel to `forms`. */
  names: number[];
  forms: number[];
  /** DW_FORM_implicit_const values by attribute position, or null when the abbreviation has none. */
  implicit: number[] | null;
  /** Total size of the attributes when all forms are fixed-size for the unit, else -1. */
  fixedSize: number;
  /**
   * How to step over the attributes when some are variable-sized: runs of
   * fixed-size forms merged into one byte count (>= 0), variable forms as
   * -form. Null when fixedSize says it all.
   */
  skipPlan: number[] | null;
  /** Whether the DIE can hold code: it has DW_AT_ranges, or DW_AT_low_pc with DW_AT_high_pc. */
  mayHaveCode: boolean;
}

/**
 * One table, parsed lazily: entries are scanned up to the code asked for,
 * and only that one is built. Indexing units reads just each unit DIE, and a
 * big debug file has thousands of tables of dozens of entries: scanning
 * records where each entry starts (no objects); an entry becomes an Abbrev
 * the first time a DIE uses it.
 */
export class AbbrevTable {
  /** Built entries: dense by code for the usual small codes, a map for the rest. */
  private readonly dense: (Abbrev | undefined)[] = [];
  private readonly sparse = new Map<number, Abbrev>();
  /** Where each scanned entry starts (after its code): dense by code, a map for the rest; -1 unknown. */
  private readonly denseAt: number[] = [];
  private readonly sparseAt = new Map<number, number>();
  private readonly reader: ByteReader;
  private done = false;

  constructor(
    section: Uint8Array,
    offset: number,
    private readonly unit: FormUnit,
  ) {
    this.reader = new ByteReader(section, true, 0).seek(offset);
  }

  get(code: number): Abbrev {
    const found = code < this.dense.length ? this.dense[code] : this.sparse.get(code);
    if (found) return found;
    let at = this.entryAt(code);
    while (at < 0 && !this.done) {
      if (this.scanNext() === code) at = this.entryAt(code);
    }
    if (at < 0) throw new DwarfError(`abbreviation code ${code} is not in the unit's table`);
    const abbrev = this.build(code, at);
    if (code < 4096) {
      while (this.dense.length <= code) this.dense.push(undefined);
      this.dense[code] = abbrev;
    } else {
      this.sparse.set(code, abbrev);
    }
    return abbrev;
  }

  private entryAt(code: number): number {
    return code < 4096 ? (this.denseAt[code] ?? -1) : (this.sparseAt.get(code) ?? -1);
  }

  /** Steps over the next entry, noting where it starts; its code, or 0 (and done) at the table's end. */
  private scanNext(): number {
    const r = this.reader;
    if (r.pos >= r.length) {
      this.done = true;
      return 0;
    }
    const code = r.uleb();
    if (code === 0) {
      this.done = true;
      return 0;
    }
    // The first entry of a code wins, as before.
    if (this.entryAt(code) < 0) {
      if (code < 4096) {
        while (this.denseAt.length <= code) this.denseAt.push(-1);
        this.denseAt[code] = r.pos;
      } else {
        this.sparseAt.set(code, r.pos);
      }
    }
    r.uleb(); // tag
    r.u8(); // children
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      if (form === Form.implicit_const) r.sleb();
    }
    return code;
  }

  /** Builds the entry of `code` whose tag starts at `at`. */
  private build(code: number, at: number): Abbrev {
    // The table's one reader, moved to the entry and back to where scanning stopped.
    const r = this.reader;
    const scanned = r.pos;
    r.seek(at);
    try {
      return this.buildHere(code, r);
    } finally {
      r.seek(scanned);
    }
  }

  private buildHere(code: number, r: ByteReader): Abbrev {
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const names: number[] = [];
    const forms: number[] = [];
    let implicit: number[] | null = null;
    let fixedSize = 0;
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      if (form === Form.implicit_const) {
        implicit ??= [];
        implicit[names.length] = r.sleb();
      }
      names.push(name);
      forms.push(form);
      const size = fixedFormSize(form, this.unit);
      fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
    }
    let skipPlan: number[] | null = null;
    if (fixedSize < 0) {
      skipPlan = [];
      let run = 0;
      for (const form of forms) {
        const size = fixedFormSize(form, this.unit);
        if (size >= 0) {
          run += size;
          continue;
        }
        if (run > 0) skipPlan.push(run);
        run = 0;
        skipPlan.push(-form);
      }
      if (run > 0) skipPlan.push(run);
    }
    const mayHaveCode = names.includes(AT_RANGES) || (names.includes(AT_LOW_PC) && names.includes(AT_HIGH_PC));
    return { code, tag, hasChildren, names, forms, implicit, fixedSize, skipPlan, mayHaveCode };
  }
}

/** The table at `offset` of .debug_abbrev, for units of `unit`'s address and offset sizes. */
export function parseAbbrevTable(section: Uint8Array, offset: number, unit: FormUnit): AbbrevTable {
  return new AbbrevTable(section, offset, unit);
}
