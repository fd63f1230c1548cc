/**
 * Function symbols of an ELF file (.symtab, else .dynsym), as a sorted
 * address index, chosen and sized the way `perf report` does so that
 * Heatline's function names match perf's:
 *
 * - kept: STT_FUNC and STT_GNU_IFUNC symbols defined in an allocated
 *   section, plus STT_NOTYPE labels (not hidden or internal) in a section
 *   whose name contains "text" (assembly routines often have no type);
 *   ARM/AArch64 mapping symbols ($a, $d, $t, $x) are not functions;
 * - a zero-size symbol ends where the next one starts (the last one at the
 *   end of the following page), so hand-written assembly still gets names;
 * - of several symbols at one address, one is kept: non-zero size first,
 *   then typed over NOTYPE, non-weak over weak, global over local, fewer
 *   leading underscores, the longer name, and finally the one listed first
 *   (perf's choose_best_symbol in tools/perf/util/symbol.c);
 * - an address past a symbol's size and before the next symbol belongs to
 *   no symbol;
 * - PLT stubs are named `function@plt` (plt.ts), as perf does.
 *
 * Spec: gabi "Symbol Table" (https://www.sco.com/developers/gabi/latest/ch4.symtab.html).
 */

import { cString, type ElfFile, type ElfSection, Machine, SectionType } from './elf-file';
import { pltSymbols, type PltSymbol } from './plt';

const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STV_INTERNAL = 1;
const STV_HIDDEN = 2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHF_ALLOC = 0x2;
/** How many earlier symbols a lookup checks for one that encloses the address (nested symbols). */
const ENCLOSING_LOOKBACK = 8;

export class SymbolError extends Error {
  override name = 'SymbolError';
}

interface RawSymbol {
  start: number;
  end: number;
  nameOffset: number;
  type: number;
  bind: number;
  /** Position in the table, the last tie-breaker. */
  order: number;
}

export class SymbolTable {
  /** Which table the symbols came from, for messages. */
  readonly source: '.symtab' | '.dynsym' | 'none';
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly nameOffsets: Uint32Array;
  private readonly strings: Uint8Array;
  private readonly nameCache = new Map<number, string>();

  private constructor(source: SymbolTable['source'], symbols: RawSymbol[], strings: Uint8Array) {
    this.source = source;
    this.starts = Float64Array.from(symbols, (s) => s.start);
    this.ends = Float64Array.from(symbols, (s) => s.end);
    this.nameOffsets = Uint32Array.from(symbols, (s) => s.nameOffset);
    this.strings = strings;
  }

  /**
   * The symbols of the first of `files` with a .symtab, else of the first
   * with a .dynsym (a stripped binary keeps only its dynamic symbols).
   * Throws SymbolError for a table that runs past its file.
   */
  static fromFiles(files: ElfFile[]): SymbolTable {
    // The stubs are in the binary itself: a debug file keeps the PLT as an empty (NOBITS) section.
    const plt = files.map(pltSymbols).find((stubs) => stubs.length > 0) ?? [];
    for (const type of [SectionType.SYMTAB, SectionType.DYNSYM]) {
      for (const elf of files) {
        const section = elf.sections.find((s) => s.type === type && s.size > 0);
        if (section) return SymbolTable.read(elf, section, type === SectionType.SYMTAB ? '.symtab' : '.dynsym', plt);
      }
    }
    return new SymbolTable('none', [], new Uint8Array(0));
  }

  get size(): number {
    return this.starts.length;
  }

  /** The symbol holding `address`, or -1. */
  lookup(address: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= address) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 1 - ENCLOSING_LOOKBACK; i--) {
      if (address < this.ends[i] || (address === s[i] && s[i] === this.ends[i])) return i;
    }
    return -1;
  }

  name(i: number): string {
    let name = this.nameCache.get(i);
    if (name === undefined) {
      name = cString(this.strings, this.nameOffsets[i]);
      this.nameCache.set(i, name);
    }
    return name;
  }

  start(i: number): number {
    return this.starts[i];
  }

  end(i: number): number {
    return this.ends[i];
  }

  private static read(elf: ElfFile, section: ElfSection, source: '.symtab' | '.dynsym', plt: PltSymbol[]): SymbolTable {
    const entrySize = elf.is64 ? 24 : 16;
    if (section.entsize !== 0 && section.entsize < entrySize) throw new SymbolError(`${elf.path}: ${source} entry size ${section.entsize}`);
    const stride = section.entsize || entrySize;
    const data = elf.sectionData(section);
    if (data.length < section.size && section.type !== SectionType.NOBITS) throw new SymbolError(`${elf.path}: ${source} is cut short`);
    const strSection = elf.sections[section.link];
    const strings = strSection ? elf.sectionData(strSection) : new Uint8Array(0);
    const view = elf.view(data);
    const le = elf.littleEndian;
    const arm = elf.machine === Machine.ARM || elf.machine === Machine.AARCH64;
    const symbols: RawSymbol[] = [];
    const count = Math.floor(data.length / stride);
    for (let i = 1; i < count; i++) {
      const at = i * stride;
      const nameOffset = view.getUint32(at, le);
      const info = elf.is64 ? data[at + 4] : data[at + 12];
      const other = elf.is64 ? data[at + 5] : data[at + 13];
      const shndx = view.getUint16(elf.is64 ? at + 6 : at + 14, le);
      const value = elf.is64 ? Number(view.getBigUint64(at + 8, le)) : view.getUint32(at + 4, le);
      const size = elf.is64 ? Number(view.getBigUint64(at + 16, le)) : view.getUint32(at + 8, le);
      const type = info & 0xf;
      // A name offset outside the string table (or an empty name) names nothing.
      if (nameOffset === 0 || nameOffset >= strings.length || strings[nameOffset] === 0 || shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
      const home = elf.sections[shndx];
      if (!home || !(home.flags & SHF_ALLOC)) continue;
      if (type === STT_NOTYPE) {
        const visibility = other & 3;
        if (visibility === STV_HIDDEN || visibility === STV_INTERNAL || !home.name.includes('text')) continue;
      } else if (type !== STT_FUNC && type !== STT_GNU_IFUNC) {
        continue;
      }
      if (arm && isArmMappingSymbol(strings, nameOffset)) continue;
      symbols.push({ start: value, end: value + size, nameOffset, type, bind: info >> 4, order: i });
    }
    const names = withPltSymbols(symbols, strings, plt, count);
    return new SymbolTable(source, choose(fixupEnds(symbols), names), names);
  }
}

/** Adds the PLT stubs to `symbols`, their names appended to a copy of the string table, which it returns. */
function withPltSymbols(symbols: RawSymbol[], strings: Uint8Array, plt: PltSymbol[], firstOrder: number): Uint8Array {
  if (plt.length === 0) return strings;
  const encoder = new TextEncoder();
  const names = plt.map((stub) => encoder.encode(stub.name));
  const all = new Uint8Array(strings.length + names.reduce((length, name) => length + name.length + 1, 0));
  all.set(strings);
  let at = strings.length;
  plt.forEach((stub, k) => {
    all.set(names[k], at); // the zero after it is the array's own
    symbols.push({ start: stub.start, end: stub.end, nameOffset: at, type: STT_FUNC, bind: STB_LOCAL, order: firstOrder + k });
    at += names[k].length + 1;
  });
  return all;
}

/** Sorts by address and gives zero-size symbols the gap up to the next one. */
function fixupEnds(symbols: RawSymbol[]): RawSymbol[] {
  symbols.sort((a, b) => a.start - b.start || a.order - b.order);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (s.end !== s.start) continue;
    s.end = i + 1 < symbols.length ? symbols[i + 1].start : roundUpPage(s.start) + 4096;
  }
  return symbols;
}

function roundUpPage(address: number): number {
  return Math.ceil(address / 4096) * 4096;
}

/** Keeps one symbol per address, pairwise in table order as perf does. */
function choose(symbols: RawSymbol[], strings: Uint8Array): RawSymbol[] {
  const out: RawSymbol[] = [];
  for (const s of symbols) {
    const last = out[out.length - 1];
    if (last && last.start === s.start) {
      if (!prefersFirst(last, s, strings)) out[out.length - 1] = s;
    } else {
      out.push(s);
    }
  }
  return out;
}

function prefersFirst(a: RawSymbol, b: RawSymbol, strings: Uint8Array): boolean {
  const sizeA = a.end - a.start;
  const sizeB = b.end - b.start;
  if (sizeA > 0 && sizeB === 0) return true;
  if (sizeA === 0 && sizeB > 0) return false;
  if (a.type !== b.type) {
    if (a.type === STT_NOTYPE) return false;
    if (b.type === STT_NOTYPE) return true;
  }
  const weakA = a.bind === STB_WEAK;
  const weakB = b.bind === STB_WEAK;
  if (weakA !== weakB) return weakB;
  const globalA = a.bind === STB_GLOBAL;
  const globalB = b.bind === STB_GLOBAL;
  if (globalA !== globalB) return globalA;
  const nameA = cString(strings, a.nameOffset);
  const nameB = cString(strings, b.nameOffset);
  const underscoresA = leadingUnderscores(nameA);
  const underscoresB = leadingUnderscores(nameB);
  if (underscoresA !== underscoresB) return underscoresA < underscoresB;
  if (nameA.length !== nameB.length) return nameA.length > nameB.length;
  return true;
}

function leadingUnderscores(name: string): number {
  let n = 0;
  while (n < name.length && name.charCodeAt(n) === 0x5f) n++;
  return n;
}

function isArmMappingSymbol(strings: Uint8Array, offset: number): boolean {
  const c0 = strings[offset];
  const c1 = strings[offset + 1];
  const c2 = strings[offset + 2];
  return c0 === 0x24 /* $ */ && (c1 === 0x61 || c1 === 0x64 || c1 === 0x74 || c1 === 0x78) && (c2 === 0 || c2 === 0x2e || c2 === undefined);
}
