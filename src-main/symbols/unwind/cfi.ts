/**
 * Call frame information of one binary: CIEs and FDEs from .eh_frame (the
 * loaded, GNU-extended form) and .debug_frame (the DWARF form, v1/v3/v4),
 * found by code address.
 *
 * Lookup uses .eh_frame_hdr's sorted table when the binary has one (every
 * linked binary does) and otherwise scans the section once into a sorted
 * index. .debug_frame, from the binary or its separate debug file, is the
 * fallback for code .eh_frame does not cover. Computed rows are kept with
 * the span of addresses each covers, because a profile samples the same hot
 * code over and over.
 *
 * Specs: LSB Core "Exception Frames" (.eh_frame, augmentations,
 * .eh_frame_hdr); DWARF 5 section 6.4.1 (CIE/FDE layout, .debug_frame).
 */

import type { ElfFile, ElfSection } from '../elf/elf-file';
import { ByteReader, CfiError, encodedSize, PE, readEncodedPointer, readEncodedValue, skipEncodedPointer, type PointerBases } from './byte-reader';
import { computeRowSpan, type CfaRow, type CfaRowSpan } from './cfa-program';
import { archOfMachine, type UnwindArch } from './registers';

export interface Cie {
  offset: number;
  version: number;
  augmentation: string;
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  addressSize: number;
  /** Encoding of the FDEs' pc_begin (and set_loc) in .eh_frame. */
  fdeEncoding: number;
  /** 'z': FDEs carry an augmentation-data block. */
  hasAugmentationData: boolean;
  /** 'S': frames described by this CIE are signal trampolines. */
  signalFrame: boolean;
  instStart: number;
  instEnd: number;
}

export interface Fde {
  offset: number;
  cie: Cie;
  /** [pcBegin, pcEnd) in ELF vaddrs. */
  pcBegin: number;
  pcEnd: number;
  instStart: number;
  instEnd: number;
  section: CfiSection;
}

export interface CfiSection {
  kind: 'eh_frame' | 'debug_frame';
  data: Uint8Array;
  bases: PointerBases;
  addressSize: number;
  littleEndian: boolean;
  /** A DataView of `data`, shared by every reader of the section. */
  view: DataView;
}

/** FDE start addresses, sorted, with each FDE's offset in its section (ends known only when scanned). */
interface FdeIndex {
  starts: Float64Array;
  offsets: Float64Array;
}

const RECENT_SLOTS = 4096;

class SectionTable {
  private readonly cies = new Map<number, Cie | null>();
  private readonly fdes = new Map<number, Fde | null>();
  private index: FdeIndex | null = null;

  constructor(
    readonly section: CfiSection,
    private readonly makeIndex: (table: SectionTable) => FdeIndex,
  ) {}

  /** The FDE covering `pc`, or null. */
  find(pc: number): Fde | null {
    this.index ??= this.makeIndex(this);
    const { starts, offsets } = this.index;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= pc) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const fde = this.fdeAt(offsets[found]);
    return fde && pc >= fde.pcBegin && pc < fde.pcEnd ? fde : null;
  }

  /** Every FDE in section order (for scanning into an index, and for tests). */
  *entries(): Generator<Fde> {
    const { data } = this.section;
    let offset = 0;
    while (offset + 4 <= data.length) {
      let header: EntryHeader;
      try {
        header = readEntryHeader(this.section, offset);
      } catch (error) {
        if (error instanceof CfiError) return;
        throw error;
      }
      if (header.terminator) return;
      if (!header.isCie) {
        const fde = this.fdeAt(offset);
        if (fde) yield fde;
      }
      offset = header.end;
    }
  }

  fdeAt(offset: number): Fde | null {
    let fde = this.fdes.get(offset);
    if (fde === undefined) {
      fde = this.parseFde(offset);
      this.fdes.set(offset, fde);
    }
    return fde;
  }

  private cieAt(offset: number): Cie | null {
    let cie = this.cies.get(offset);
    if (cie === undefined) {
      cie = guard(() => parseCie(this.section, offset));
      this.cies.set(offset, cie);
    }
    return cie;
  }

  private parseFde(offset: number): Fde | null {
    return guard(() => {
      const section = this.section;
      const header = readEntryHeader(section, offset);
      if (header.terminator || header.isCie) return null;
      const cieOffset = section.kind === 'eh_frame' ? header.idPos - header.id : header.id;
      const cie = this.cieAt(cieOffset);
      if (!cie) return null;
      const reader = new ByteReader(section.data, header.bodyStart, header.end, section.littleEndian, section.view);
      let pcBegin: number;
      let pcRange: number;
      if (section.kind === 'eh_frame') {
        pcBegin = readEncodedPointer(reader, cie.fdeEncoding, cie.addressSize, section.bases);
        pcRange = readEncodedValue(reader, cie.fdeEncoding & 0x0f, cie.addressSize);
      } else {
        pcBegin = reader.unsigned(cie.addressSize);
        pcRange = reader.unsigned(cie.addressSize);
      }
      if (cie.hasAugmentationData) reader.skip(reader.uleb());
      if (!(pcRange > 0) || pcBegin <= 0) return null; // empty, or a discarded function (pc_begin 0)
      return { offset, cie, pcBegin, pcEnd: pcBegin + pcRange, instStart: reader.pos, instEnd: header.end, section };
    });
  }
}

interface EntryHeader {
  terminator: boolean;
  isCie: boolean;
  /** Where the CIE id / CIE pointer field sits, and its value. */
  idPos: number;
  id: number;
  bodyStart: number;
  end: number;
}

function readEntryHeader(section: CfiSection, offset: number): EntryHeader {
  const reader = new ByteReader(section.data, offset, section.data.length, section.littleEndian, section.view);
  let length = reader.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = reader.u64();
    offsetSize = 8;
  }
  if (length === 0) {
    // A zero length ends .eh_frame; in .debug_frame it is an empty entry to skip.
    return { terminator: section.kind === 'eh_frame', isCie: false, idPos: reader.pos, id: 0, bodyStart: reader.pos, end: reader.pos };
  }
  const end = reader.pos + length;
  if (end > section.data.length) throw new CfiError(`CFI entry at ${offset} runs past its section`);
  const idPos = reader.pos;
  // .eh_frame always uses a 4-byte CIE id / pointer; .debug_frame follows the 32/64-bit DWARF format.
  const idSize = section.kind === 'eh_frame' ? 4 : offsetSize;
  const id = reader.unsigned(idSize);
  const isCie = section.kind === 'eh_frame' ? id === 0 : idSize === 4 ? id === 0xffffffff : id === 2 ** 64;
  return { terminator: false, isCie, idPos, id, bodyStart: reader.pos, end };
}

function parseCie(section: CfiSection, offset: number): Cie | null {
  const header = readEntryHeader(section, offset);
  if (!header.isCie) return null;
  const reader = new ByteReader(section.data, header.bodyStart, header.end, section.littleEndian, section.view);
  const version = reader.u8();
  if (version !== 1 && version !== 3 && version !== 4) return null;
  const augmentation = reader.cString();
  let addressSize = section.addressSize;
  if (version === 4) {
    addressSize = reader.u8();
    const segmentSelectorSize = reader.u8();
    if (segmentSelectorSize !== 0 || (addressSize !== 4 && addressSize !== 8)) return null;
  }
  const codeAlign = reader.uleb();
  const dataAlign = reader.sleb();
  const raReg = version === 1 ? reader.u8() : reader.uleb();
  let fdeEncoding: number = PE.absptr;
  let signalFrame = false;
  const hasAugmentationData = augmentation.startsWith('z');
  if (hasAugmentationData) {
    const dataLength = reader.uleb();
    const dataEnd = reader.pos + dataLength;
    if (dataEnd > header.end) return null;
    for (const letter of augmentation.slice(1)) {
      switch (letter) {
        case 'R':
          fdeEncoding = reader.u8();
          break;
        case 'L':
          reader.u8(); // LSDA encoding: the LSDA pointer sits in the FDE's augmentation data, skipped by length
          break;
        case 'P':
          skipEncodedPointer(reader, reader.u8(), addressSize);
          break;
        case 'S':
          signalFrame = true;
          break;
        case 'B': // aarch64: return address signed with the B key (stripping does not depend on the key)
        case 'G': // aarch64: MTE-tagged stack frame
          break;
        default:
          return null; // an augmentation we do not know may change the FDE layout: refuse rather than guess
      }
    }
    reader.pos = dataEnd;
  } else if (augmentation !== '') {
    return null; // pre-'z' GCC augmentations ("eh") and unknown ones
  }
  // pc_begin must be a direct value: an indirect one points into loaded memory we do not have.
  if (fdeEncoding === PE.omit || fdeEncoding & PE.indirect) return null;
  return { offset, version, augmentation, codeAlign, dataAlign, raReg, addressSize, fdeEncoding, hasAugmentationData, signalFrame, instStart: reader.pos, instEnd: header.end };
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function guard<T>(parse: () => T | null): T | null {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CfiError) return null;
    throw error;
  }
}

/** Scans every FDE once and sorts them by start address. */
function scanIndex(table: SectionTable): FdeIndex {
  const found: Fde[] = [...table.entries()];
  found.sort((a, b) => a.pcBegin - b.pcBegin);
  return { starts: Float64Array.from(found, (f) => f.pcBegin), offsets: Float64Array.from(found, (f) => f.offset) };
}

/**
 * Decodes .eh_frame_hdr's binary-search table (LSB "EH Frame Header"), or
 * returns null when it is absent, in an encoding without a fixed size, or
 * does not point into `ehFrame` — the caller then scans instead.
 */
function headerIndex(hdr: Uint8Array, hdrAddress: number, ehFrame: ElfSection, littleEndian: boolean, addressSize: number): FdeIndex | null {
  return guard(() => {
    const reader = new ByteReader(hdr, 0, hdr.length, littleEndian);
    const bases: PointerBases = { sectionAddress: hdrAddress, data: hdrAddress };
    if (reader.u8() !== 1) return null;
    const framePtrEncoding = reader.u8();
    const countEncoding = reader.u8();
    const tableEncoding = reader.u8();
    if (framePtrEncoding === PE.omit || countEncoding === PE.omit || tableEncoding === PE.omit) return null;
    const framePtr = readEncodedPointer(reader, framePtrEncoding, addressSize, bases);
    if (framePtr !== ehFrame.addr) return null;
    const count = readEncodedPointer(reader, countEncoding, addressSize, bases);
    const fieldSize = encodedSize(tableEncoding, addressSize);
    if (fieldSize === 0 || tableEncoding & PE.indirect || !Number.isSafeInteger(count) || count < 0) return null;
    if (reader.pos + count * 2 * fieldSize > hdr.length) return null;
    const starts = new Float64Array(count);
    const offsets = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      starts[i] = readEncodedPointer(reader, tableEncoding, addressSize, bases);
      const fdeOffset = readEncodedPointer(reader, tableEncoding, addressSize, bases) - ehFrame.addr;
      if (fdeOffset < 0 || fdeOffset >= ehFrame.size) return null;
      offsets[i] = fdeOffset;
      if (i > 0 && starts[i] < starts[i - 1]) return null; // not sorted: not a search table we can trust
    }
    return { starts, offsets };
  });
}

/**
 * The CFI of one binary. Build it once per binary (see CfiCache) and reuse it
 * for every sample: FDEs, CIEs and rows are cached inside.
 */
export class CfiTable {
  readonly arch: UnwindArch | null;
  private readonly tables: SectionTable[] = [];
  /**
   * The rows computed so far, per FDE, with the addresses each covers: a
   * leaf pc is new in nearly every sample, and a cache per pc ran the FDE's
   * CFA program again and made a new row for each.
   */
  private readonly spans = new Map<Fde, CfaRowSpan[]>();
  /**
   * A direct-mapped memo in front of `spans`, by the vaddr's low bits: the
   * unwinder asks once per frame, mostly for the same few return addresses,
   * and a slot compare is much cheaper than finding the FDE.
   */
  private readonly recentVaddrs = new Float64Array(RECENT_SLOTS).fill(-1);
  private readonly recentRows: (CfaRow | null)[] = new Array<CfaRow | null>(RECENT_SLOTS).fill(null);

  private constructor(arch: UnwindArch | null) {
    this.arch = arch;
  }

  /**
   * Reads the CFI of `elf`, and the .debug_frame of `debugElf` (its separate
   * debug file) when given. Sections are read now; FDEs are parsed on demand.
   */
  static fromElf(elf: ElfFile, debugElf?: ElfFile | null): CfiTable {
    const table = new CfiTable(archOfMachine(elf.machine));
    const addressSize = elf.is64 ? 8 : 4;
    const ehFrame = elf.section('.eh_frame');
    if (ehFrame && ehFrame.type !== 8 /* NOBITS */ && ehFrame.size > 0) {
      const text = elf.section('.text');
      const got = elf.section('.got');
      const data = elf.sectionData(ehFrame);
      const section: CfiSection = {
        kind: 'eh_frame',
        data,
        bases: { sectionAddress: ehFrame.addr, text: text?.addr, data: got?.addr },
        addressSize,
        littleEndian: elf.littleEndian,
        view: viewOf(data),
      };
      const hdr = elf.section('.eh_frame_hdr');
      const hdrIndex = hdr && hdr.type !== 8 ? headerIndex(elf.sectionData(hdr), hdr.addr, ehFrame, elf.littleEndian, addressSize) : null;
      table.tables.push(new SectionTable(section, (t) => hdrIndex ?? scanIndex(t)));
    }
    for (const file of debugElf && debugElf !== elf ? [elf, debugElf] : [elf]) {
      const debugFrame = file.section('.debug_frame');
      if (!debugFrame || debugFrame.type === 8 || debugFrame.size === 0) continue;
      const data = file.sectionData(debugFrame);
      const section: CfiSection = {
        kind: 'debug_frame',
        data,
        bases: { sectionAddress: 0 },
        addressSize,
        littleEndian: file.littleEndian,
        view: viewOf(data),
      };
      table.tables.push(new SectionTable(section, scanIndex));
      break; // the binary's own .debug_frame wins; a debug file's is the same data
    }
    return table;
  }

  /** Whether any CFI was found at all. */
  get empty(): boolean {
    return this.tables.length === 0;
  }

  /** The FDE covering an ELF vaddr: .eh_frame first, then .debug_frame. */
  findFde(vaddr: number): Fde | null {
    for (const table of this.tables) {
      const fde = table.find(vaddr);
      if (fde) return fde;
    }
    return null;
  }

  /** The CFI row in effect at an ELF vaddr (cached), or null when no usable CFI covers it. */
  rowAt(vaddr: number): CfaRow | null {
    const slot = vaddr & (RECENT_SLOTS - 1);
    if (this.recentVaddrs[slot] === vaddr) return this.recentRows[slot];
    const fde = this.findFde(vaddr);
    const row = fde ? this.rowInFde(fde, vaddr) : null;
    this.recentVaddrs[slot] = vaddr;
    this.recentRows[slot] = row;
    return row;
  }

  private rowInFde(fde: Fde, vaddr: number): CfaRow | null {
    let spans = this.spans.get(fde);
    if (spans === undefined) this.spans.set(fde, (spans = []));
    for (const span of spans) if (vaddr >= span.row.loc && vaddr < span.end) return span.row;
    const span = computeRowSpan(fde, vaddr, this.arch);
    if (span === null) return null; // malformed: not kept, and rare
    spans.push(span);
    return span.row;
  }

  /** Every FDE of every section, in section order (tests compare them with readelf). */
  *allFdes(): Generator<Fde> {
    for (const table of this.tables) yield* table.entries();
  }
}
