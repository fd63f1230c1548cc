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
}

/**
 * One table, parsed lazily: entries are read up to the code asked for, so
 * indexing units (which reads only each unit DIE) does not parse whole tables.
 */
export class AbbrevTable {
  /** Dense by code for the usual small codes; a map for the rest. */
  private readonly dense: (Abbrev | undefined)[] = [];
  private readonly sparse = new Map<number, Abbrev>();
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
    while (!this.done) {
      const a = this.parseNext();
      if (a && a.code === code) return a;
    }
    throw new DwarfError(`abbreviation code ${code} is not in the unit's table`);
  }

  private add(a: Abbrev): void {
    if (a.code < 4096) {
      while (this.dense.length <= a.code) this.dense.push(undefined);
      if (!this.dense[a.code]) this.dense[a.code] = a;
    } else if (!this.sparse.has(a.code)) {
      this.sparse.set(a.code, a);
    }
  }

  /** Parses the next entry; null (and done) at the table's end. */
  private parseNext(): Abbrev | null {
    const r = this.reader;
    // A table that runs to the end of the section without its 0 terminator: keep what was read.
    if (r.pos >= r.length) {
      this.done = true;
      return null;
    }
    const code = r.uleb();
    if (code === 0) {
      this.done = true;
      return null;
    }
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
    const a: Abbrev = { code, tag, hasChildren, names, forms, implicit, fixedSize, skipPlan };
    this.add(a);
    return a;
  }
}

/** The table at `offset` of .debug_abbrev, for units of `unit`'s address and offset sizes. */
export function parseAbbrevTable(section: Uint8Array, offset: number, unit: FormUnit): AbbrevTable {
  return new AbbrevTable(section, offset, unit);
}
