/**
 * The only memory an offline unwinder can read: the copy of the user stack
 * perf took at the sample (PERF_SAMPLE_STACK_USER), starting at the sampled
 * stack pointer. Reads outside it answer "unknown" (NaN / null), never 0.
 * Little-endian only: both supported architectures run little-endian Linux.
 */

const TWO_32 = 0x1_0000_0000;

export class StackMemory {
  start = 0;
  /** One past the last dumped byte's address. */
  end = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  /** A DataView of the bytes' whole buffer, kept while samples come from the same buffer. */
  private view = new DataView(this.bytes.buffer);
  /** Where the dump starts in `view`. */
  private base = 0;

  /**
   * `start` is the sampled stack pointer; `bytes` the dumped bytes, cut to
   * the dump's dyn_size (the part the kernel actually copied).
   */
  constructor(start = 0, bytes: Uint8Array = new Uint8Array(0)) {
    this.reset(start, bytes);
  }

  /** Points this reader at another sample's stack (no allocation when the bytes share a buffer). */
  reset(start: number, bytes: Uint8Array): void {
    this.start = start;
    this.end = start + bytes.length;
    this.bytes = bytes;
    if (this.view.buffer !== bytes.buffer) this.view = new DataView(bytes.buffer);
    this.base = bytes.byteOffset;
  }

  contains(address: number, size: number): boolean {
    return address >= this.start && address + size <= this.end;
  }

  /** The u64 at `address`, exact below 2^53; NaN when it is not in the dump. */
  readU64(address: number): number {
    const at = address - this.start;
    if (!(at >= 0 && at + 8 <= this.bytes.length)) return Number.NaN;
    return this.view.getUint32(this.base + at + 4, true) * TWO_32 + this.view.getUint32(this.base + at, true);
  }

  /** Like readU64, keeping only the low 48 bits (aarch64 return addresses carry a PAC above them). */
  readU48(address: number): number {
    const at = address - this.start;
    if (!(at >= 0 && at + 8 <= this.bytes.length)) return Number.NaN;
    return (this.view.getUint32(this.base + at + 4, true) & 0xffff) * TWO_32 + this.view.getUint32(this.base + at, true);
  }

  /** A 1-, 2-, 4- or 8-byte unsigned value as a bigint (for DWARF expressions); null when outside the dump. */
  readBig(address: number, size: number): bigint | null {
    const at = address - this.start;
    if (!(at >= 0 && at + size <= this.bytes.length)) return null;
    const p = this.base + at;
    switch (size) {
      case 1:
        return BigInt(this.bytes[at]);
      case 2:
        return BigInt(this.view.getUint16(p, true));
      case 4:
        return BigInt(this.view.getUint32(p, true));
      case 8:
        return this.view.getBigUint64(p, true);
      default:
        return null;
    }
  }
}
