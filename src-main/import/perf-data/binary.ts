/**
 * Reading perf.data's native-endian integers and C strings from a DataView.
 *
 * perf.data is written in the byte order of the machine that recorded it, so
 * every read takes `le`. u64 fields are read as two u32 halves: most of them
 * (sizes, offsets, times, user addresses) fit a double exactly, and BigInt is
 * kept for the few that may not (kernel addresses, call-chain markers).
 */

export const TWO_32 = 2 ** 32;

/** The largest u64 high half whose value still fits a double exactly (2^53). */
export const MAX_EXACT_HI = 0x1fffff;

/** The low 32 bits of the u64 at `offset`. */
export function u64Lo(view: DataView, offset: number, le: boolean): number {
  return view.getUint32(le ? offset : offset + 4, le);
}

/** The high 32 bits of the u64 at `offset`. */
export function u64Hi(view: DataView, offset: number, le: boolean): number {
  return view.getUint32(le ? offset + 4 : offset, le);
}

/** The u64 at `offset` as a number; exact below 2^53, rounded above (callers that care check u64Hi). */
export function u64(view: DataView, offset: number, le: boolean): number {
  return u64Hi(view, offset, le) * TWO_32 + u64Lo(view, offset, le);
}

/** The u64 at `offset` as a number when it is below 2^53, else -1 (a size or offset no real file has). */
export function u64Exact(view: DataView, offset: number, le: boolean): number {
  const hi = u64Hi(view, offset, le);
  return hi > MAX_EXACT_HI ? -1 : hi * TWO_32 + u64Lo(view, offset, le);
}

/** The u64 at `offset` as a BigInt, for masks and addresses that need all 64 bits. */
export function u64Big(view: DataView, offset: number, le: boolean): bigint {
  return (BigInt(u64Hi(view, offset, le)) << 32n) | BigInt(u64Lo(view, offset, le));
}

/** A 64-bit value from its halves, as lowercase hex without leading zeros. */
export function hexOf(hi: number, lo: number): string {
  if (hi === 0) return lo.toString(16);
  return hi.toString(16) + lo.toString(16).padStart(8, '0');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The NUL-terminated string in bytes[start, end) (the whole range when there is no NUL). */
export function cString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  return utf8.decode(bytes.subarray(start, stop));
}

/** Bytes of a DataView's window, for string reads. */
export function bytesOf(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Number of set bits of a 64-bit mask (the register count of sample_regs_user). */
export function popcount64(mask: bigint): number {
  let count = 0;
  for (let m = BigInt.asUintN(64, mask); m !== 0n; m &= m - 1n) count++;
  return count;
}
