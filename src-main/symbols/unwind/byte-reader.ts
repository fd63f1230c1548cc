/**
 * A bounds-checked cursor over CFI bytes, and the DW_EH_PE_* pointer
 * encodings of .eh_frame and .eh_frame_hdr.
 *
 * Binaries are untrusted input: every read checks its bounds and throws
 * CfiError instead of reading past the data, so a corrupt table costs one
 * failed lookup, never a crash. Values are JavaScript numbers: 64-bit fields
 * are exact up to 2^53, which covers every user-space address.
 *
 * Spec: LSB Core, "Exception Frames" (DWARF Exception Header Encoding), and
 * DWARF 5 section 7.6 (LEB128).
 */

export class CfiError extends Error {
  override name = 'CfiError';
}

const TWO_32 = 0x1_0000_0000;

export class ByteReader {
  readonly view: DataView;
  pos: number;

  /**
   * Reads `data` from `pos` up to (not including) `end`. `view` may pass a
   * DataView of `data` made earlier: readers are made per FDE, and a DataView
   * per reader would cost more than the parsing.
   */
  constructor(
    readonly data: Uint8Array,
    pos = 0,
    public end = data.length,
    readonly littleEndian = true,
    view?: DataView,
  ) {
    this.view = view ?? new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = pos;
    if (end > data.length || pos < 0) throw new CfiError('reader range outside the data');
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) throw new CfiError(`truncated CFI at byte ${at}`);
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  u8(): number {
    return this.data[this.need(1)];
  }
  u16(): number {
    return this.view.getUint16(this.need(2), this.littleEndian);
  }
  s16(): number {
    return this.view.getInt16(this.need(2), this.littleEndian);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), this.littleEndian);
  }
  s32(): number {
    return this.view.getInt32(this.need(4), this.littleEndian);
  }
  /** Exact below 2^53; larger values lose low bits (they are never user addresses). */
  u64(): number {
    const at = this.need(8);
    const lo = this.view.getUint32(at + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(at + (this.littleEndian ? 4 : 0), this.littleEndian);
    return hi * TWO_32 + lo;
  }
  s64(): number {
    const at = this.need(8);
    const lo = this.view.getUint32(at + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getInt32(at + (this.littleEndian ? 4 : 0), this.littleEndian);
    return hi * TWO_32 + lo;
  }
  /** A 4- or 8-byte unsigned field (DWARF offsets, addresses). */
  unsigned(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        throw new CfiError(`unsupported field size ${size}`);
    }
  }

  /** ULEB128; values past 2^53 are rejected rather than silently rounded. */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
      if (scale > 2 ** 56) throw new CfiError('ULEB128 too long');
    }
    if (result > Number.MAX_SAFE_INTEGER) throw new CfiError('ULEB128 out of range');
    return result;
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 63) throw new CfiError('SLEB128 too long');
    } while (byte & 0x80);
    if (byte & 0x40) result -= scale; // sign-extend from the last group's top bit
    if (!Number.isSafeInteger(result)) throw new CfiError('SLEB128 out of range');
    return result;
  }

  /** A NUL-terminated ASCII string (augmentation strings). */
  cString(maxLength = 64): string {
    let text = '';
    for (;;) {
      const byte = this.u8();
      if (byte === 0) return text;
      if (text.length >= maxLength) throw new CfiError('string too long');
      text += String.fromCharCode(byte);
    }
  }
}

/** DW_EH_PE_* values (LSB, Table "DWARF Exception Header value format / application"). */
export const PE = {
  absptr: 0x00,
  uleb128: 0x01,
  udata2: 0x02,
  udata4: 0x03,
  udata8: 0x04,
  sleb128: 0x09,
  sdata2: 0x0a,
  sdata4: 0x0b,
  sdata8: 0x0c,
  pcrel: 0x10,
  textrel: 0x20,
  datarel: 0x30,
  funcrel: 0x40,
  aligned: 0x50,
  indirect: 0x80,
  omit: 0xff,
} as const;

/**
 * The addresses the relative encodings are relative to. `sectionAddress` is
 * the vaddr of byte 0 of the reader's data (pcrel adds the field's own
 * position to it). A base left undefined makes that encoding an error.
 */
export interface PointerBases {
  sectionAddress: number;
  text?: number;
  data?: number;
  func?: number;
}

/** Byte size of an encoding's value format, or 0 for the variable-length LEB128 forms. */
export function encodedSize(encoding: number, addressSize: number): number {
  switch (encoding & 0x0f) {
    case PE.absptr:
      return addressSize;
    case PE.udata2:
    case PE.sdata2:
      return 2;
    case PE.udata4:
    case PE.sdata4:
      return 4;
    case PE.udata8:
    case PE.sdata8:
      return 8;
    default:
      return 0;
  }
}

/** Reads a value in the format part (low nibble) of `encoding`, without applying any base. */
export function readEncodedValue(reader: ByteReader, encoding: number, addressSize: number): number {
  switch (encoding & 0x0f) {
    case PE.absptr:
      return reader.unsigned(addressSize);
    case PE.uleb128:
      return reader.uleb();
    case PE.udata2:
      return reader.u16();
    case PE.udata4:
      return reader.u32();
    case PE.udata8:
      return reader.u64();
    case PE.sleb128:
      return reader.sleb();
    case PE.sdata2:
      return reader.s16();
    case PE.sdata4:
      return reader.s32();
    case PE.sdata8:
      return reader.s64();
    default:
      throw new CfiError(`unknown pointer format 0x${encoding.toString(16)}`);
  }
}

/**
 * Reads an encoded pointer and applies its base. DW_EH_PE_indirect is
 * refused: it names a pointer in loaded memory (personality routines use it),
 * which an offline unwinder never needs to follow; callers that only skip the
 * field use `skipEncodedPointer`.
 */
export function readEncodedPointer(reader: ByteReader, encoding: number, addressSize: number, bases: PointerBases): number {
  if (encoding === PE.omit) throw new CfiError('omitted pointer read');
  if (encoding & PE.indirect) throw new CfiError('indirect pointer');
  if ((encoding & 0x70) === PE.aligned) {
    const misalign = (bases.sectionAddress + reader.pos) % addressSize;
    if (misalign) reader.skip(addressSize - misalign);
  }
  const fieldAddress = bases.sectionAddress + reader.pos;
  const value = readEncodedValue(reader, encoding, addressSize);
  let base: number | undefined;
  switch (encoding & 0x70) {
    case PE.absptr:
    case PE.aligned:
      base = 0;
      break;
    case PE.pcrel:
      base = fieldAddress;
      break;
    case PE.textrel:
      base = bases.text;
      break;
    case PE.datarel:
      base = bases.data;
      break;
    case PE.funcrel:
      base = bases.func;
      break;
  }
  if (base === undefined) throw new CfiError(`pointer application 0x${(encoding & 0x70).toString(16)} has no base here`);
  const result = base + value;
  // Relative forms wrap modulo 2^64 on the machine; an address below zero is a corrupt table.
  return addressSize === 4 ? result >>> 0 : result;
}

/**
 * Steps over an encoded pointer without interpreting it (LSDA and personality
 * fields). DW_EH_PE_aligned assumes the section itself is address-aligned,
 * which every linker guarantees for .eh_frame.
 */
export function skipEncodedPointer(reader: ByteReader, encoding: number, addressSize: number): void {
  if (encoding === PE.omit) return;
  if ((encoding & 0x70) === PE.aligned) {
    const misalign = reader.pos % addressSize;
    if (misalign) reader.skip(addressSize - misalign);
  }
  readEncodedValue(reader, encoding, addressSize);
}
