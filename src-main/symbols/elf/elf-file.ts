/**
 * A lazy ELF reader: headers, sections and segments are parsed on open; the
 * bytes of a section are read only when asked for (binaries and their debug
 * files can be gigabytes). Reads are synchronous: symbolization runs in a
 * worker thread, and positional sync reads keep the callers simple.
 *
 * Spec: the System V ABI "ELF" chapter (gabi), and <elf.h>.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export class ElfError extends Error {
  override name = 'ElfError';
}

export const SectionType = { NOBITS: 8, SYMTAB: 2, DYNSYM: 11, NOTE: 7 } as const;
export const SegmentType = { LOAD: 1, NOTE: 4 } as const;
export const Machine = { X86_64: 62, AARCH64: 183, I386: 3, ARM: 40 } as const;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const NT_GNU_BUILD_ID = 3;

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

/** Where an ELF file's bytes come from: a file read as they are needed, or an image in memory. */
interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset`, in a new array the caller may keep. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

class FileBytes implements ByteSource {
  readonly size: number;

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const got = readSync(this.fd, buffer, done, length - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, done);
  }

  close(): void {
    closeSync(this.fd);
  }
}

class MemoryBytes implements ByteSource {
  readonly size: number;

  constructor(private readonly image: Uint8Array) {
    this.size = image.length;
  }

  read(offset: number, length: number): Uint8Array {
    return this.image.slice(offset, offset + length);
  }

  close(): void {}
}

export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly machine: number;
  /** e_type: 2 executable, 3 shared object or PIE. */
  readonly type: number;
  readonly sections: ElfSection[];
  readonly segments: ElfSegment[];
  readonly fileSize: number;
  private readonly bytes: ByteSource;
  private readonly sectionCache = new Map<ElfSection, Uint8Array>();

  /** `path` names the file, or for an image from memory, what it is (messages show it). */
  private constructor(readonly path: string, bytes: ByteSource) {
    this.bytes = bytes;
    this.fileSize = bytes.size;
    const ident = this.read(0, 64);
    if (ident.length < 52 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
      throw new ElfError(`${path}: not an ELF file`);
    }
    this.is64 = ident[4] === 2;
    this.littleEndian = ident[5] === 1;
    const header = this.view(ident);
    this.type = header.getUint16(16, this.littleEndian);
    this.machine = header.getUint16(18, this.littleEndian);
    this.segments = this.readSegments(header);
    this.sections = this.readSections(header);
  }

  /** Opens an ELF file; throws ElfError when it is not one (or is cut short). */
  static open(path: string): ElfFile {
    const fd = openSync(path, 'r');
    let bytes: FileBytes;
    try {
      bytes = new FileBytes(fd);
    } catch (error) {
      closeSync(fd);
      throw new ElfError(`${path}: unreadable ELF (${(error as Error).message})`);
    }
    return ElfFile.over(path, bytes);
  }

  /** An ELF image already in memory, such as the vdso this process was given (symbols/own-vdso.ts). */
  static fromImage(label: string, image: Uint8Array): ElfFile {
    return ElfFile.over(label, new MemoryBytes(image));
  }

  private static over(path: string, bytes: ByteSource): ElfFile {
    try {
      return new ElfFile(path, bytes);
    } catch (error) {
      bytes.close();
      if (error instanceof ElfError) throw error;
      throw new ElfError(`${path}: unreadable ELF (${(error as Error).message})`);
    }
  }

  close(): void {
    this.bytes.close();
    this.sectionCache.clear();
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Uint8Array {
    return this.bytes.read(offset, Math.max(0, Math.min(length, this.fileSize - offset)));
  }

  view(bytes: Uint8Array): DataView {
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's contents, decompressed when SHF_COMPRESSED (zlib); NOBITS sections are empty. */
  sectionData(section: ElfSection): Uint8Array {
    const cached = this.sectionCache.get(section);
    if (cached) return cached;
    let data = section.type === SectionType.NOBITS ? new Uint8Array(0) : this.read(section.offset, section.size);
    if (section.flags & SHF_COMPRESSED) data = this.decompress(section, data);
    this.sectionCache.set(section, data);
    return data;
  }

  /** The GNU build-id as lowercase hex, from the note section or PT_NOTE segments. */
  buildId(): string | null {
    const notes: Uint8Array[] = [];
    for (const s of this.sections) if (s.type === SectionType.NOTE) notes.push(this.sectionData(s));
    if (notes.length === 0) for (const p of this.segments) if (p.type === SegmentType.NOTE) notes.push(this.read(p.offset, p.filesz));
    for (const note of notes) {
      const id = findGnuNote(note, NT_GNU_BUILD_ID, this.littleEndian);
      if (id) return Buffer.from(id).toString('hex');
    }
    return null;
  }

  /** The .gnu_debuglink name and CRC, naming a separate debug file. */
  debugLink(): { file: string; crc: number } | null {
    const section = this.section('.gnu_debuglink');
    if (!section) return null;
    const data = this.sectionData(section);
    const end = data.indexOf(0);
    if (end <= 0) return null;
    const crcAt = (end + 4) & ~3;
    if (crcAt + 4 > data.length) return null;
    return { file: Buffer.from(data.subarray(0, end)).toString('utf8'), crc: this.view(data).getUint32(crcAt, this.littleEndian) };
  }

  /** The virtual address that file offset `offset` is loaded at, via the PT_LOAD segments. */
  fileOffsetToVaddr(offset: number): number | null {
    for (const p of this.segments) {
      if (p.type === SegmentType.LOAD && offset >= p.offset && offset < p.offset + p.filesz) return offset - p.offset + p.vaddr;
    }
    return null;
  }

  /** The lowest PT_LOAD vaddr minus its offset: what a 0-based mapping of the file is shifted by. */
  loadBias(): number {
    const first = this.segments.find((p) => p.type === SegmentType.LOAD);
    return first ? first.vaddr - first.offset : 0;
  }

  private readSegments(header: DataView): ElfSegment[] {
    const le = this.littleEndian;
    const phoff = this.is64 ? Number(header.getBigUint64(32, le)) : header.getUint32(28, le);
    const phentsize = header.getUint16(this.is64 ? 54 : 42, le);
    const phnum = header.getUint16(this.is64 ? 56 : 44, le);
    if (phoff === 0 || phnum === 0) return [];
    const table = this.view(this.read(phoff, phentsize * phnum));
    const segments: ElfSegment[] = [];
    for (let i = 0; i < phnum && (i + 1) * phentsize <= table.byteLength; i++) {
      const at = i * phentsize;
      segments.push(
        this.is64
          ? {
              type: table.getUint32(at, le),
              flags: table.getUint32(at + 4, le),
              offset: Number(table.getBigUint64(at + 8, le)),
              vaddr: Number(table.getBigUint64(at + 16, le)),
              filesz: Number(table.getBigUint64(at + 32, le)),
              memsz: Number(table.getBigUint64(at + 40, le)),
            }
          : {
              type: table.getUint32(at, le),
              offset: table.getUint32(at + 4, le),
              vaddr: table.getUint32(at + 8, le),
              filesz: table.getUint32(at + 16, le),
              memsz: table.getUint32(at + 20, le),
              flags: table.getUint32(at + 24, le),
            },
      );
    }
    return segments;
  }

  private readSections(header: DataView): ElfSection[] {
    const le = this.littleEndian;
    const shoff = this.is64 ? Number(header.getBigUint64(40, le)) : header.getUint32(32, le);
    const shentsize = header.getUint16(this.is64 ? 58 : 46, le);
    const shnum = header.getUint16(this.is64 ? 60 : 48, le);
    const shstrndx = header.getUint16(this.is64 ? 62 : 50, le);
    if (shoff === 0 || shnum === 0) return [];
    const table = this.view(this.read(shoff, shentsize * shnum));
    const raw: (Omit<ElfSection, 'name'> & { nameOffset: number })[] = [];
    for (let i = 0; i < shnum && (i + 1) * shentsize <= table.byteLength; i++) {
      const at = i * shentsize;
      const word = (o32: number, o64: number) => (this.is64 ? Number(table.getBigUint64(at + o64, le)) : table.getUint32(at + o32, le));
      raw.push({
        nameOffset: table.getUint32(at, le),
        type: table.getUint32(at + 4, le),
        flags: word(8, 8),
        addr: word(12, 16),
        offset: word(16, 24),
        size: word(20, 32),
        link: table.getUint32(at + (this.is64 ? 40 : 24), le),
        info: table.getUint32(at + (this.is64 ? 44 : 28), le),
        entsize: word(36, 56),
      });
    }
    const names = shstrndx < raw.length ? this.read(raw[shstrndx].offset, raw[shstrndx].size) : new Uint8Array(0);
    return raw.map(({ nameOffset, ...rest }) => ({ ...rest, name: cString(names, nameOffset) }));
  }

  private decompress(section: ElfSection, data: Uint8Array): Uint8Array {
    const view = this.view(data);
    const type = view.getUint32(0, this.littleEndian);
    const headerSize = this.is64 ? 24 : 12;
    if (type !== ELFCOMPRESS_ZLIB) {
      throw new ElfError(`${this.path}: section ${section.name} uses compression type ${type}, which Heatline cannot read yet`);
    }
    return new Uint8Array(inflateSync(data.subarray(headerSize)));
  }
}

/** The NUL-terminated string at `offset` in a string table. */
export function cString(table: Uint8Array, offset: number): string {
  if (offset < 0 || offset >= table.length) return '';
  let end = offset;
  while (end < table.length && table[end] !== 0) end++;
  return Buffer.from(table.buffer, table.byteOffset + offset, end - offset).toString('utf8');
}

/** The descriptor of the first GNU note of `type` in a notes blob. */
function findGnuNote(notes: Uint8Array, type: number, littleEndian: boolean): Uint8Array | null {
  const view = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  let at = 0;
  while (at + 12 <= notes.length) {
    const nameSize = view.getUint32(at, littleEndian);
    const descSize = view.getUint32(at + 4, littleEndian);
    const noteType = view.getUint32(at + 8, littleEndian);
    const nameAt = at + 12;
    const descAt = nameAt + ((nameSize + 3) & ~3);
    if (descAt + descSize > notes.length) return null;
    const name = cString(notes, nameAt);
    if (name === 'GNU' && noteType === type) return notes.subarray(descAt, descAt + descSize);
    at = descAt + ((descSize + 3) & ~3);
  }
  return null;
}
