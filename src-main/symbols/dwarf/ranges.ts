/**
 * Address ranges: the range lists of DWARF 2-4 (.debug_ranges) and 5
 * (.debug_rnglists), the .debug_aranges unit index, and RangeIndex, the
 * sorted lookup that every "which unit / which function holds this address"
 * question goes through.
 *
 * Spec: DWARF 5, sections 2.17.3 and 7.25 (rnglists), 6.1.2 (aranges);
 * DWARF 4, 2.17.3 (.debug_ranges).
 */

import { ByteReader, DwarfError, isMaxAddress } from './reader';

const DW_RLE_end_of_list = 0;
const DW_RLE_base_addressx = 1;
const DW_RLE_startx_endx = 2;
const DW_RLE_startx_length = 3;
const DW_RLE_offset_pair = 4;
const DW_RLE_base_address = 5;
const DW_RLE_start_end = 6;
const DW_RLE_start_length = 7;

/** What a range list needs from its unit. */
export interface RangeUnit {
  addressSize: number;
  offsetSize: number;
  /** The unit's base address (DW_AT_low_pc of the unit DIE, else 0). */
  baseAddress: number;
  /** Reads entry `index` of the unit's .debug_addr table. */
  addressAt(index: number): number;
}

/**
 * Appends the [low, high) pairs of the DWARF 2-4 range list at `offset` of
 * .debug_ranges to `out`. Empty ranges are left out.
 */
export function readDebugRanges(r: ByteReader, offset: number, unit: RangeUnit, out: number[]): void {
  r.seek(offset);
  const section = r.data;
  const size = unit.addressSize;
  let base = unit.baseAddress;
  while (r.pos < section.length) {
    const start = r.uint(size);
    const end = r.uint(size);
    if (start === 0 && end === 0) return;
    if (isMaxAddress(start, size)) {
      base = end;
      continue;
    }
    if (end > start) out.push(base + start, base + end);
  }
  throw new DwarfError(`range list at ${offset} has no end`);
}

/** Appends the pairs of the DWARF 5 range list at `offset` of .debug_rnglists to `out`. */
export function readRngList(r: ByteReader, offset: number, unit: RangeUnit, out: number[]): void {
  r.seek(offset);
  const section = r.data;
  const size = unit.addressSize;
  let base = unit.baseAddress;
  const push = (low: number, high: number) => {
    if (high > low) out.push(low, high);
  };
  while (r.pos < section.length) {
    const kind = r.u8();
    switch (kind) {
      case DW_RLE_end_of_list:
        return;
      case DW_RLE_base_addressx:
        base = unit.addressAt(r.uleb());
        break;
      case DW_RLE_startx_endx: {
        const low = unit.addressAt(r.uleb());
        push(low, unit.addressAt(r.uleb()));
        break;
      }
      case DW_RLE_startx_length: {
        const low = unit.addressAt(r.uleb());
        push(low, low + r.uleb());
        break;
      }
      case DW_RLE_offset_pair: {
        const low = r.uleb();
        push(base + low, base + r.uleb());
        break;
      }
      case DW_RLE_base_address:
        base = r.uint(size);
        break;
      case DW_RLE_start_end: {
        const low = r.uint(size);
        push(low, r.uint(size));
        break;
      }
      case DW_RLE_start_length: {
        const low = r.uint(size);
        push(low, low + r.uleb());
        break;
      }
      default:
        throw new DwarfError(`range list at ${offset}: unknown entry kind ${kind}`);
    }
  }
  throw new DwarfError(`range list at ${offset} has no end`);
}

/**
 * The offset in .debug_rnglists of list `index` of a unit whose offsets
 * table starts at `base` (DW_AT_rnglists_base): entries are relative to it.
 */
export function rngListOffset(r: ByteReader, base: number, index: number, offsetSize: number): number {
  r.seek(base);
  r.skip(index * offsetSize);
  return base + r.uint(offsetSize);
}

/**
 * .debug_aranges: for each unit (by its .debug_info offset), the address
 * ranges it covers. Compilers that emit it list every unit with code; units
 * missing here fall back to their own DW_AT_ranges.
 */
export function readAranges(section: Uint8Array, littleEndian: boolean): Map<number, number[]> {
  const result = new Map<number, number[]>();
  const r = new ByteReader(section, littleEndian);
  while (r.pos + 4 <= section.length) {
    const setStart = r.pos;
    const { offsetSize, end } = r.unitLength();
    const version = r.u16();
    const infoOffset = r.uint(offsetSize);
    const addressSize = r.u8();
    const segmentSize = r.u8();
    if (version !== 2 || (addressSize !== 4 && addressSize !== 8) || segmentSize !== 0) {
      r.seek(end); // a set we cannot read: its unit falls back to its own ranges
      continue;
    }
    // Tuples are aligned to twice the address size from the start of the set.
    const tupleSize = 2 * addressSize;
    const headerEnd = r.pos - setStart;
    r.seek(setStart + Math.ceil(headerEnd / tupleSize) * tupleSize);
    const list = result.get(infoOffset) ?? [];
    while (r.pos + tupleSize <= end) {
      const low = r.uint(addressSize);
      const length = r.uint(addressSize);
      if (low === 0 && length === 0) break;
      if (length > 0) list.push(low, low + length);
    }
    result.set(infoOffset, list);
    r.seek(end);
  }
  return result;
}

/**
 * A sorted, disjoint set of [start, end) segments, each naming an id.
 * Built from ranges that may overlap: where they do, the range that starts
 * first keeps the overlap. Among ranges with the same start, `first` keeps
 * the one added first (units, as a linear search over them would); with
 * `smallest`, the shortest wins and, among equal ones, the one added last,
 * which is how binutils picks among functions (GNU as describes a routine
 * and each of its aliases as functions with one and the same range).
 */
export class RangeIndex {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly ids: Int32Array;

  private constructor(starts: Float64Array, ends: Float64Array, ids: Int32Array) {
    this.starts = starts;
    this.ends = ends;
    this.ids = ids;
  }

  static readonly empty = new RangeIndex(new Float64Array(0), new Float64Array(0), new Int32Array(0));

  /** `bounds` holds low, high pairs; `ids[i]` names pair i. */
  static build(bounds: ArrayLike<number>, ids: ArrayLike<number>, ties: 'first' | 'smallest' = 'first'): RangeIndex {
    const n = ids.length;
    if (n === 0) return RangeIndex.empty;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const lengthOf = (i: number) => bounds[2 * i + 1] - bounds[2 * i];
    order.sort(ties === 'first' ? (a, b) => bounds[2 * a] - bounds[2 * b] || a - b : (a, b) => bounds[2 * a] - bounds[2 * b] || lengthOf(a) - lengthOf(b) || b - a);
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const out = new Int32Array(n);
    let count = 0;
    let coveredUntil = -Infinity;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const low = bounds[2 * i];
      const high = bounds[2 * i + 1];
      if (!(high > low) || high <= coveredUntil) continue;
      // The part before coveredUntil belongs to a range sorted earlier.
      starts[count] = Math.max(low, coveredUntil);
      ends[count] = high;
      out[count] = ids[i];
      count++;
      coveredUntil = high;
    }
    return new RangeIndex(starts.slice(0, count), ends.slice(0, count), out.slice(0, count));
  }

  get size(): number {
    return this.ids.length;
  }

  /** The id whose segment holds `address`, or -1. */
  find(address: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= address) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && address < this.ends[i] ? this.ids[i] : -1;
  }
}
