/**
 * DWARF for one ELF file: address -> frames, innermost inlined call first,
 * each with its function name and source position, as `addr2line -f -i`
 * answers.
 *
 * Opening reads only the unit lengths and indexes units by the addresses
 * they cover: from .debug_aranges when it lists the unit (its DIEs are then
 * not read until needed: a big debug file has thousands of units and a
 * profile touches a few), else from the unit DIE's DW_AT_ranges /
 * low_pc-high_pc. A unit's DIE tree and line table are parsed the first
 * time one of its addresses is asked about, and a unit that turns out to be
 * corrupt is reported once and then answers nothing, so one bad unit costs
 * the frames of its own addresses only.
 *
 * Names follow binutils: a linkage name (DW_AT_linkage_name, or the older
 * DW_AT_MIPS_linkage_name) wins over DW_AT_name, looked up through
 * DW_AT_abstract_origin and DW_AT_specification; callers demangle.
 */

import type { ElfFile } from '../elf/elf-file';
import type { AbbrevTable } from './abbrev';
import { type LineTable, parseLineTable } from './line-table';
import { RangeIndex, readAranges } from './ranges';
import { ByteReader, DwarfError } from './reader';
import { ScopeTree } from './scopes';
import { DwarfSections } from './sections';
import { DieRecord, NONE, Unit } from './unit';

/** One frame of an address; line 0 means the compiler gave no line. */
export interface DwarfFrame {
  /** The function's linkage name when it has one, else its name; null when unnamed. */
  name: string | null;
  /** Where `line` is: the line table's file at the address, or the call site's for an outer frame. */
  file: string | null;
  line: number;
  /**
   * Where the function itself is declared (DW_AT_decl_file, decl_line), null
   * and 0 when the debug info does not say. Not always `file`: code a
   * function took from elsewhere without an inlined-call scope (an #include
   * inside its body, a #line directive, Rust's MIR inlining) has line rows
   * in another file while still being this function.
   */
  funcFile: string | null;
  funcLine: number;
}

interface Declaration {
  file: string | null;
  line: number;
}

export interface DwarfInfoOptions {
  /** False for addresses outside executable sections (see line-table.ts). */
  isCode?: (address: number) => boolean;
  warn?: (message: string) => void;
}

interface ParsedUnit {
  scopes: ScopeTree;
  lines: LineTable | null;
}

/** References (abstract_origin, specification) followed at most this deep. */
const MAX_NAME_DEPTH = 16;

export class DwarfInfo {
  private readonly sections: DwarfSections;
  /** Where every unit starts in .debug_info, ascending (read from the unit lengths alone). */
  private readonly unitOffsets: number[] = [];
  /** Units by index, read on first use: undefined = not read yet, null = a kind Heatline skips or unreadable. */
  private readonly units: (Unit | null | undefined)[] = [];
  private readonly abbrevCache = new Map<string, AbbrevTable>();
  /** The index's own [low, high) bounds and unit ids, kept to extend it with rangeless units. */
  private readonly indexBounds: number[] = [];
  private readonly indexIds: number[] = [];
  private unitIndex: RangeIndex;
  /** Units that claim no addresses; searched through their line tables on a miss. */
  private rangeless: number[] = [];
  private readonly parsed = new Map<number, ParsedUnit | null>();
  private readonly names = new Map<number, { name: string | null; linkage: boolean }>();
  private readonly declarations = new Map<number, Declaration>();
  private readonly isCode: (address: number) => boolean;
  private readonly warn: (message: string) => void;
  private readonly chain: number[] = [];

  private constructor(elf: ElfFile, options: DwarfInfoOptions) {
    this.sections = new DwarfSections(elf);
    this.isCode = options.isCode ?? (() => true);
    this.warn = options.warn ?? (() => {});
    this.findUnits();
    // A unit that .debug_aranges describes is indexed by it and its DIE is read only when one of
    // its addresses is asked about: a big debug file (libc's) has thousands of units, and a
    // profile touches a few. The others are read now, for their own ranges.
    const aranges = this.sections.has('.debug_aranges') ? this.tryAranges() : null;
    const bounds = this.indexBounds;
    const ids = this.indexIds;
    this.unitOffsets.forEach((offset, i) => {
      let ranges = aranges?.get(offset) ?? [];
      if (ranges.length === 0) {
        const unit = this.unit(i);
        if (!unit) return;
        ranges = unit.ranges;
        if (ranges.length === 0 && unit.stmtList !== NONE) this.rangeless.push(i);
      }
      for (let k = 0; k < ranges.length; k += 2) {
        bounds.push(ranges[k], ranges[k + 1]);
        ids.push(i);
      }
    });
    this.unitIndex = RangeIndex.build(bounds, ids);
  }

  /** DWARF of `elf`, or null when it has no .debug_info. Throws DwarfError when even the unit headers are unreadable. */
  static open(elf: ElfFile, options: DwarfInfoOptions = {}): DwarfInfo | null {
    const sections = new DwarfSections(elf);
    if (!sections.has('.debug_info')) return null;
    return new DwarfInfo(elf, options);
  }

  get unitCount(): number {
    return this.unitOffsets.length;
  }

  /**
   * The frames at `address` (a link-time virtual address), innermost first,
   * or null when no unit describes it.
   */
  lookup(address: number): DwarfFrame[] | null {
    const u = this.unitFor(address);
    if (u < 0) return null;
    const parsed = this.parse(u);
    if (!parsed) return null;
    const { scopes, lines } = parsed;
    try {
      scopes.chain(address, this.chain);
      const row = lines ? lines.lookup(address) : -1;
      if (this.chain.length === 0 && row < 0) return null;
      let file = row >= 0 && lines ? lines.filePath(lines.file[row]) : null;
      let line = row >= 0 && lines ? lines.line[row] : 0;
      if (this.chain.length === 0) return [{ name: null, file, line, funcFile: null, funcLine: 0 }];
      const frames: DwarfFrame[] = [];
      for (const n of this.chain) {
        const declared = this.declarationOf(scopes.die[n], 0);
        frames.push({ name: this.nameOf(scopes.die[n]), file, line, funcFile: declared.file, funcLine: declared.line });
        // The caller's position is the call site of this inlined call.
        const callFile = scopes.callFile[n];
        file = callFile !== NONE && lines ? lines.filePath(callFile) : null;
        line = scopes.callLine[n];
      }
      return frames;
    } catch (error) {
      this.fail(u, error);
      return null;
    }
  }

  /** The line table of the unit covering `address` (tests compare it with readelf). */
  lineTableFor(address: number): LineTable | null {
    const u = this.unitFor(address);
    return u < 0 ? null : this.parse(u)?.lines ?? null;
  }

  /** Every unit's line table, for tests; corrupt units are skipped. */
  allLineTables(): LineTable[] {
    const out: LineTable[] = [];
    for (let u = 0; u < this.unitOffsets.length; u++) {
      const lines = this.parse(u)?.lines;
      if (lines) out.push(lines);
    }
    return out;
  }

  /** The name of the function DIE at `offset` of .debug_info (memoised). */
  nameOf(offset: number): string | null {
    return this.nameInfo(offset, 0).name;
  }

  private nameInfo(offset: number, depth: number): { name: string | null; linkage: boolean } {
    const cached = this.names.get(offset);
    if (cached) return cached;
    let result: { name: string | null; linkage: boolean } = { name: null, linkage: false };
    const unit = this.unitAt(offset);
    if (unit) {
      const die = new DieRecord();
      if (unit.readDie(unit.reader(offset), die)) {
        const linkage = unit.string(die.linkageName, die.linkageClass) || null;
        if (linkage) {
          result = { name: linkage, linkage: true };
        } else {
          const own = unit.string(die.name, die.nameClass) || null;
          const ref = die.abstractOrigin >= 0 ? die.abstractOrigin : die.specification;
          const next = ref >= 0 && ref !== offset && depth < MAX_NAME_DEPTH ? this.nameInfo(ref, depth + 1) : null;
          result = next && (next.linkage || own === null) ? next : { name: own, linkage: false };
        }
      }
    }
    this.names.set(offset, result);
    return result;
  }

  /**
   * Where the function DIE at `offset` is declared (memoised): the file and
   * the line each from the DIE's own DW_AT_decl_file / decl_line, else from
   * its abstract origin (an inlined or out-of-line instance), else from its
   * specification (a C++ method's declaration in its class). Each attribute
   * on its own: a method defined outside its class, in the class's file,
   * carries only the decl_line that differs. A file index is read in the
   * line table of the unit that holds the attribute. A DIE that cannot be
   * read declares nothing; it does not fail the lookup.
   */
  private declarationOf(offset: number, depth: number): Declaration {
    const cached = this.declarations.get(offset);
    if (cached) return cached;
    let file: string | null = null;
    let line = 0;
    try {
      const u = this.unitIndexAt(offset);
      const unit = u < 0 ? null : this.unit(u);
      const die = new DieRecord();
      if (unit && unit.readDie(unit.reader(offset), die)) {
        if (die.declFile !== NONE) file = this.parse(u)?.lines?.filePath(die.declFile) ?? null;
        line = die.declLine;
        for (const ref of [die.abstractOrigin, die.specification]) {
          if (file !== null && line > 0) break;
          if (ref < 0 || ref === offset || depth >= MAX_NAME_DEPTH) continue;
          const origin = this.declarationOf(ref, depth + 1);
          file ??= origin.file;
          if (line <= 0) line = origin.line;
        }
      }
    } catch (error) {
      if (!(error instanceof DwarfError || error instanceof RangeError)) throw error;
    }
    const result = { file, line };
    this.declarations.set(offset, result);
    return result;
  }

  private unitAt(offset: number): Unit | null {
    const u = this.unitIndexAt(offset);
    return u < 0 ? null : this.unit(u);
  }

  /** The index of the unit whose DIEs hold `offset`, or -1. */
  private unitIndexAt(offset: number): number {
    const offsets = this.unitOffsets;
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    const unit = lo > 0 ? this.unit(lo - 1) : null;
    return unit && offset >= unit.dieOffset && offset < unit.end ? lo - 1 : -1;
  }

  /** Unit `u`, its header and unit DIE read on first use; null for kinds Heatline skips and unreadable units (warned once). */
  private unit(u: number): Unit | null {
    let unit = this.units[u];
    if (unit !== undefined) return unit;
    const offset = this.unitOffsets[u];
    unit = null;
    try {
      const read = Unit.read(this.sections, offset, this.abbrevCache);
      unit = read.unit;
      if (read.error) this.warn(`${this.sections.path}: DWARF unit at 0x${offset.toString(16)} is unreadable: ${read.error.message}`);
    } catch (error) {
      if (!(error instanceof DwarfError || error instanceof RangeError)) throw error;
      this.warn(`${this.sections.path}: DWARF unit at 0x${offset.toString(16)} is unreadable: ${error.message}`);
    }
    this.units[u] = unit;
    return unit;
  }

  private unitFor(address: number): number {
    const u = this.unitIndex.find(address);
    if (u >= 0 || this.rangeless.length === 0) return u;
    this.indexRangelessUnits();
    return this.unitIndex.find(address);
  }

  /**
   * Units without ranges (some producers omit them) get the ranges of their
   * line table's sequences, once, on the first address no other unit claims.
   */
  private indexRangelessUnits(): void {
    const extraBounds: number[] = [];
    const extraIds: number[] = [];
    for (const u of this.rangeless) {
      const seq = this.parse(u)?.lines?.sequences ?? [];
      for (let k = 0; k < seq.length; k += 2) {
        extraBounds.push(seq[k], seq[k + 1]);
        extraIds.push(u);
      }
    }
    this.rangeless = [];
    if (extraIds.length === 0) return;
    this.unitIndex = RangeIndex.build([...this.indexBounds, ...extraBounds], [...this.indexIds, ...extraIds]);
  }

  private parse(u: number): ParsedUnit | null {
    const known = this.parsed.get(u);
    if (known !== undefined) return known;
    const unit = this.unit(u);
    if (!unit) {
      this.parsed.set(u, null);
      return null;
    }
    let result: ParsedUnit | null = null;
    try {
      const lines =
        unit.stmtList === NONE
          ? null
          : parseLineTable(
              {
                debugLine: this.sections.get('.debug_line'),
                lineStr: this.sections.get('.debug_line_str'),
                str: this.sections.get('.debug_str'),
                littleEndian: this.sections.littleEndian,
                compDir: unit.compDir,
                addressSize: unit.addressSize,
                stringIndex: (i) => unit.stringIndex(i),
                isCode: this.isCode,
              },
              unit.stmtList,
            );
      result = { scopes: ScopeTree.parse(unit, this.isCode), lines };
    } catch (error) {
      this.fail(u, error);
    }
    this.parsed.set(u, result);
    return result;
  }

  private fail(u: number, error: unknown): void {
    this.parsed.set(u, null);
    const unit = this.units[u];
    this.warn(`${this.sections.path}: DWARF unit at 0x${this.unitOffsets[u].toString(16)} (${unit?.name ?? 'unnamed'}) is unreadable: ${(error as Error).message}`);
  }

  /** Where each unit starts, from the unit lengths alone (DIEs are read by unit()). */
  private findUnits(): void {
    const info = this.sections.get('.debug_info');
    const r = new ByteReader(info, this.sections.littleEndian);
    let offset = 0;
    while (offset + 11 <= info.length) {
      try {
        const { end } = r.seek(offset).unitLength();
        this.unitOffsets.push(offset);
        this.units.push(undefined);
        if (end <= offset) break;
        offset = end;
      } catch (error) {
        // Without a readable length the next unit cannot be found: keep the units read so far.
        if (!(error instanceof DwarfError || error instanceof RangeError)) throw error;
        this.warn(`${this.sections.path}: .debug_info is unreadable from offset 0x${offset.toString(16)}: ${error.message}`);
        break;
      }
    }
  }

  private tryAranges(): Map<number, number[]> | null {
    try {
      return readAranges(this.sections.get('.debug_aranges'), this.sections.littleEndian);
    } catch (error) {
      this.warn(`${this.sections.path}: .debug_aranges is unreadable (${(error as Error).message}); using the units' own ranges`);
      return null;
    }
  }
}
