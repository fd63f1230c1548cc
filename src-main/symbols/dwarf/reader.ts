/**
 * A bounds-checked cursor over one DWARF section. Debug files come from the
 * machine that recorded the profile, from caches and from the network, so
 * every read checks its length and a bad offset throws DwarfError (which the
 * resolver turns into a warning and `lib+0xoffset` frames) instead of
 * reading garbage or looping.
 *
 * Values are JS numbers: 64-bit fields are exact up to 2^53, which covers
 * every user-space address and section offset; larger values (tombstones,
 * -1 markers) come back rounded, and callers that care test them through
 * `isMaxAddress` instead of comparing exactly.
 */

export class DwarfError extends Error {
  override name = 'DwarfError';
}

const TWO_32 = 0x1_0000_0000;
const decoder = new TextDecoder('utf-8');

export class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    readonly littleEndian = true,
    pos = 0,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = pos;
  }

  get length(): number {
    return this.data.length;
  }

  /** Throws unless `n` bytes can be read at the cursor. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.data.length || this.pos < 0) {
      throw new DwarfError(`read of ${n} bytes at ${this.pos} runs past the end of the section (${this.data.length})`);
    }
  }

  seek(pos: number): this {
    if (pos < 0 || pos > this.data.length || !Number.isInteger(pos)) throw new DwarfError(`offset ${pos} is outside the section (${this.data.length})`);
    this.pos = pos;
    return this;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    if (this.pos >= this.data.length) this.need(1);
    return this.data[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const d = this.data;
    const p = this.pos;
    this.pos += 3;
    return this.littleEndian ? d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) : (d[p] << 16) | (d[p + 1] << 8) | d[p + 2];
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const a = this.view.getUint32(this.pos, this.littleEndian);
    const b = this.view.getUint32(this.pos + 4, this.littleEndian);
    this.pos += 8;
    return this.littleEndian ? b * TWO_32 + a : a * TWO_32 + b;
  }

  /** An unsigned value of `size` bytes (1, 2, 4 or 8): addresses and offsets. */
  uint(size: number): number {
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
        throw new DwarfError(`unsupported field size ${size}`);
    }
  }

  uleb(): number {
    const d = this.data;
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= d.length) this.need(1);
      const byte = d[this.pos++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
      // A LEB128 longer than 10 bytes is not a 64-bit value: corrupt input.
      if (scale > 2 ** 70) throw new DwarfError(`LEB128 at ${this.pos} is too long`);
    }
  }

  sleb(): number {
    const d = this.data;
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      if (this.pos >= d.length) this.need(1);
      byte = d[this.pos++];
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 70) throw new DwarfError(`LEB128 at ${this.pos} is too long`);
    } while (byte & 0x80);
    return byte & 0x40 ? result - scale : result;
  }

  /** Skips a LEB128 without decoding it. */
  skipLeb(): void {
    const d = this.data;
    const start = this.pos;
    while (this.pos < d.length && d[this.pos] & 0x80) this.pos++;
    if (this.pos >= d.length) {
      this.pos = start;
      throw new DwarfError(`unterminated LEB128 at ${start}`);
    }
    this.pos++;
  }

  /** A NUL-terminated string at the cursor. */
  cstr(): string {
    const end = this.data.indexOf(0, this.pos);
    if (end < 0) throw new DwarfError(`unterminated string at ${this.pos}`);
    const s = decodeRange(this.data, this.pos, end);
    this.pos = end + 1;
    return s;
  }

  skipCstr(): void {
    const end = this.data.indexOf(0, this.pos);
    if (end < 0) throw new DwarfError(`unterminated string at ${this.pos}`);
    this.pos = end + 1;
  }

  /**
   * Reads a unit's initial length: returns the offset size (4 or 8) and the
   * end of the unit, checked against the section.
   */
  unitLength(): { offsetSize: 4 | 8; end: number } {
    let length = this.u32();
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = this.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      throw new DwarfError(`reserved unit length 0x${length.toString(16)} at ${this.pos - 4}`);
    }
    const end = this.pos + length;
    if (end > this.data.length) throw new DwarfError(`unit at ${this.pos} claims ${length} bytes, past the end of the section`);
    return { offsetSize, end };
  }
}

/** UTF-8 text of data[start, end). */
export function decodeRange(data: Uint8Array, start: number, end: number): string {
  // Most names are ASCII: building them by char codes avoids TextDecoder's
  // per-call overhead, which dominates for short strings.
  if (end - start < 64) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = data[i];
      if (c >= 0x80) return decoder.decode(data.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(data.subarray(start, end));
}

/** The NUL-terminated string at `offset` of a string section; throws when outside it. */
export function stringAt(section: Uint8Array, offset: number): string {
  if (offset < 0 || offset >= section.length || !Number.isInteger(offset)) {
    throw new DwarfError(`string offset ${offset} is outside the string section (${section.length})`);
  }
  const end = section.indexOf(0, offset);
  if (end < 0) throw new DwarfError(`unterminated string at ${offset}`);
  return decodeRange(section, offset, end);
}

/** True for the all-ones address of `size` bytes (a base-address selector or a tombstone). */
export function isMaxAddress(value: number, size: number): boolean {
  return size >= 8 ? value >= 2 ** 64 - 2 ** 12 : value === 2 ** (size * 8) - 1;
}
