/**
 * Names for the PLT stubs of an ELF file (`strlen@plt`), which no symbol
 * table lists. perf report and objdump make them up the same way; without
 * them a sample in a stub would fall to the zero-size symbol before the PLT
 * (`_init`), which perf never shows. Interpreters and libraries built with
 * semantic interposition (libpython) spend a few percent there.
 *
 * x86-64: every stub jumps through a GOT slot, `jmp *disp32(%rip)` (after an
 * optional endbr64 and bnd prefix), in .plt, .plt.sec (IBT) and .plt.got.
 * The slot is what a JUMP_SLOT (lazy binding) or GLOB_DAT relocation of a
 * dynamic symbol fills in, so decoding the jump names the stub whatever the
 * linker's layout. aarch64: .plt is a 32-byte header, then one 16-byte stub
 * per .rela.plt entry in order (the layout ld.bfd and lld both emit).
 *
 * Spec: the x86-64 and AArch64 psABIs ("Procedure Linkage Table").
 */

import { cString, type ElfFile, type ElfSection, Machine, SectionType } from './elf-file';

const SHT_RELA = 4;
const SHT_REL = 9;
const R_X86_64_GLOB_DAT = 6;
const R_X86_64_JUMP_SLOT = 7;
const R_AARCH64_JUMP_SLOT = 1026;
const AARCH64_PLT_HEADER = 32;
const AARCH64_PLT_ENTRY = 16;
/** The bytes of endbr64, which IBT-enabled stubs start with. */
const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];

export interface PltSymbol {
  start: number;
  end: number;
  name: string;
}

/** The stubs of `elf` with the dynamic symbol each one calls; [] when it has no PLT (or an unknown machine). */
export function pltSymbols(elf: ElfFile): PltSymbol[] {
  if (!elf.is64 || !elf.littleEndian) return [];
  if (elf.machine === Machine.X86_64) return x86PltSymbols(elf);
  if (elf.machine === Machine.AARCH64) return aarch64PltSymbols(elf);
  return [];
}

function x86PltSymbols(elf: ElfFile): PltSymbol[] {
  const sections = ['.plt', '.plt.sec', '.plt.got'].map((name) => codeSection(elf, name)).filter((s) => s !== undefined);
  // No stubs here (a static binary, a debug file's empty sections): the relocations are not read at all.
  if (sections.length === 0) return [];
  const slotNames = new Map<number, string>();
  for (const relocation of dynamicRelocations(elf)) {
    if (relocation.type === R_X86_64_JUMP_SLOT || relocation.type === R_X86_64_GLOB_DAT) slotNames.set(relocation.offset, relocation.name);
  }
  if (slotNames.size === 0) return [];
  const symbols: PltSymbol[] = [];
  for (const section of sections) {
    const bytes = elf.sectionData(section);
    const step = section.entsize >= 8 ? section.entsize : 16;
    for (let at = 0; at + step <= bytes.length; at += step) {
      const slot = jumpSlotOf(bytes, at, section.addr + at);
      const target = slot === null ? undefined : slotNames.get(slot);
      if (target !== undefined) symbols.push({ start: section.addr + at, end: section.addr + at + step, name: `${target}@plt` });
    }
  }
  return symbols;
}

/** The GOT slot the stub at bytes[at] jumps through (`[endbr64] [bnd] jmp *disp32(%rip)`), or null. */
function jumpSlotOf(bytes: Uint8Array, at: number, address: number): number | null {
  let i = at;
  if (ENDBR64.every((b, k) => bytes[i + k] === b)) i += 4;
  if (bytes[i] === 0xf2) i++; // bnd
  if (bytes[i] !== 0xff || bytes[i + 1] !== 0x25) return null;
  const disp = bytes[i + 2] | (bytes[i + 3] << 8) | (bytes[i + 4] << 16) | (bytes[i + 5] << 24);
  // RIP-relative: from the end of the 6-byte instruction.
  return address + (i - at) + 6 + disp;
}

function aarch64PltSymbols(elf: ElfFile): PltSymbol[] {
  const plt = codeSection(elf, '.plt');
  const relaPlt = elf.section('.rela.plt');
  if (!plt || !relaPlt) return [];
  const symbols: PltSymbol[] = [];
  let index = 0;
  for (const relocation of relocationsIn(elf, relaPlt)) {
    if (relocation.type !== R_AARCH64_JUMP_SLOT) continue;
    const start = plt.addr + AARCH64_PLT_HEADER + index * AARCH64_PLT_ENTRY;
    index++;
    if (start + AARCH64_PLT_ENTRY > plt.addr + plt.size) break;
    if (relocation.name !== '') symbols.push({ start, end: start + AARCH64_PLT_ENTRY, name: `${relocation.name}@plt` });
  }
  return symbols;
}

/** A section of code with its bytes in this file (a debug file keeps its PLT as NOBITS). */
function codeSection(elf: ElfFile, name: string): ElfSection | undefined {
  const section = elf.section(name);
  return section && section.type !== SectionType.NOBITS && section.size > 0 ? section : undefined;
}

interface Relocation {
  offset: number;
  type: number;
  name: string;
}

/** The relocations of every REL/RELA section that refers to the dynamic symbol table. */
function dynamicRelocations(elf: ElfFile): Relocation[] {
  const dynsym = elf.sections.findIndex((s) => s.type === SectionType.DYNSYM);
  if (dynsym < 0) return [];
  return elf.sections.filter((s) => (s.type === SHT_RELA || s.type === SHT_REL) && s.link === dynsym).flatMap((s) => relocationsIn(elf, s));
}

/** Elf64_Rela / Elf64_Rel entries of `section`, with the names of their dynamic symbols ('' for none). */
function relocationsIn(elf: ElfFile, section: ElfSection): Relocation[] {
  const symbolsSection = elf.sections[section.link];
  if (!symbolsSection || symbolsSection.type !== SectionType.DYNSYM || section.type === SectionType.NOBITS) return [];
  const symbols = elf.sectionData(symbolsSection);
  const stringsSection = elf.sections[symbolsSection.link];
  const strings = stringsSection ? elf.sectionData(stringsSection) : new Uint8Array(0);
  const data = elf.sectionData(section);
  const view = elf.view(data);
  const symbolView = elf.view(symbols);
  const entrySize = section.entsize || (section.type === SHT_RELA ? 24 : 16);
  const relocations: Relocation[] = [];
  for (let at = 0; at + 16 <= data.length; at += entrySize) {
    const offset = Number(view.getBigUint64(at, true));
    const type = view.getUint32(at + 8, true);
    const symbol = view.getUint32(at + 12, true);
    const nameAt = symbol * 24; // Elf64_Sym: st_name is its first word
    const nameOffset = symbol > 0 && nameAt + 4 <= symbols.length ? symbolView.getUint32(nameAt, true) : 0;
    relocations.push({ offset, type, name: nameOffset > 0 && nameOffset < strings.length ? cString(strings, nameOffset) : '' });
  }
  return relocations;
}
