/**
 * The DWARF sections of one ELF file, read (and decompressed) on first use.
 * Absent sections read as empty, so "no .debug_rnglists" and "an offset
 * past the end of .debug_rnglists" fail the same bounds check.
 */

import type { ElfFile } from '../elf/elf-file';
import { ByteReader } from './reader';

const EMPTY = new Uint8Array(0);

export type DwarfSectionName =
  | '.debug_info'
  | '.debug_abbrev'
  | '.debug_line'
  | '.debug_str'
  | '.debug_line_str'
  | '.debug_str_offsets'
  | '.debug_addr'
  | '.debug_ranges'
  | '.debug_rnglists'
  | '.debug_aranges';

export class DwarfSections {
  private readonly cache = new Map<DwarfSectionName, Uint8Array>();
  private readonly readers = new Map<DwarfSectionName, ByteReader>();

  constructor(private readonly elf: ElfFile) {}

  get littleEndian(): boolean {
    return this.elf.littleEndian;
  }

  get path(): string {
    return this.elf.path;
  }

  has(name: DwarfSectionName): boolean {
    const s = this.elf.section(name);
    return s !== undefined && s.type !== 8 /* NOBITS: stripped into a debug file */ && s.size > 0;
  }

  get(name: DwarfSectionName): Uint8Array {
    let data = this.cache.get(name);
    if (!data) {
      const s = this.elf.section(name);
      data = s ? this.elf.sectionData(s) : EMPTY;
      this.cache.set(name, data);
    }
    return data;
  }

  /**
   * A reader over a section shared by all its users: callers seek before
   * every use and never hold it across a call that might use it too.
   */
  reader(name: DwarfSectionName): ByteReader {
    let r = this.readers.get(name);
    if (!r) {
      r = new ByteReader(this.get(name), this.littleEndian);
      this.readers.set(name, r);
    }
    return r;
  }
}
