/**
 * Glue between a recording's mmap table and the unwinder: one CfiTable per
 * binary for the whole import, and the load bias of a mapping.
 */

import { ElfError, SegmentType, type ElfFile } from '../elf/elf-file';
import { CfiTable } from './cfi';

/**
 * CFI tables keyed by binary (path + build-id), so 50k samples parse each
 * binary's CFI once and share its row cache. Failures are cached too: a
 * missing binary is not looked for again on every frame.
 */
export class CfiCache {
  private readonly tables = new Map<string, CfiTable | null>();

  /**
   * The CFI of a binary; `open` runs only on the first request for this key
   * and returns the binary (and optionally its separate debug file, for
   * .debug_frame) or null when it cannot be found.
   */
  get(path: string, buildId: string | null, open: () => { elf: ElfFile; debugElf?: ElfFile | null } | null): CfiTable | null {
    const key = `${buildId ?? ''}\0${path}`;
    let table = this.tables.get(key);
    if (table === undefined) {
      try {
        const files = open();
        table = files ? CfiTable.fromElf(files.elf, files.debugElf) : null;
      } catch (error) {
        if (!(error instanceof ElfError)) throw error;
        table = null;
      }
      this.tables.set(key, table);
    }
    return table;
  }

  clear(): void {
    this.tables.clear();
  }
}

/**
 * The load bias of one mapping (runtime address − ELF vaddr), from an mmap
 * record: the mapping [start, start + length) shows the file from offset
 * `pgoff`. The PT_LOAD segment whose file bytes overlap the mapped range
 * (executable ones first) gives vaddr − offset. Null when none does.
 */
export function mappingBias(elf: ElfFile, start: number, length: number, pgoff: number): number | null {
  const loads = elf.segments.filter((p) => p.type === SegmentType.LOAD && p.filesz > 0);
  const overlapping = loads.filter((p) => p.offset < pgoff + length && p.offset + p.filesz > pgoff);
  const segment = overlapping.find((p) => p.flags & 1 /* PF_X */) ?? overlapping[0];
  if (!segment) return null;
  // runtime(f) = start + (f − pgoff) and vaddr(f) = f + (vaddr − offset), for any file offset f in the segment.
  return start - pgoff - (segment.vaddr - segment.offset);
}
