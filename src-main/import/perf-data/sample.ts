/**
 * PERF_RECORD_SAMPLE decoding. A sample's body holds the fields its event's
 * sample_type selects, in the fixed order of include/uapi/linux/perf_event.h
 * (enum perf_event_type, PERF_RECORD_SAMPLE):
 *
 *   IDENTIFIER, IP, TID, TIME, ADDR, ID, STREAM_ID, CPU, PERIOD, READ,
 *   CALLCHAIN, RAW, BRANCH_STACK, REGS_USER, STACK_USER, WEIGHT | WEIGHT_STRUCT,
 *   DATA_SRC, TRANSACTION, REGS_INTR, PHYS_ADDR, AUX, CGROUP,
 *   DATA_PAGE_SIZE, CODE_PAGE_SIZE
 *
 * Fields we keep are written into one reused SampleFields (no object per
 * sample); variable-size ones (call chain, raw data, user regs and stack) are
 * kept as offsets into the record, valid until the next record. Fields we do
 * not keep are skipped by their exact size, so later fields stay aligned.
 * Every step is bounds-checked against the record's end: a malformed sample
 * is refused, never read past.
 *
 * The same header also defines the sample_id_all trailer of other records
 * (TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER at the end), read from the end.
 */

import { TWO_32, u64, u64Hi, u64Lo } from './binary';
import type { PerfEventAttr } from './header';

export const SampleType = {
  IP: 1 << 0,
  TID: 1 << 1,
  TIME: 1 << 2,
  ADDR: 1 << 3,
  READ: 1 << 4,
  CALLCHAIN: 1 << 5,
  ID: 1 << 6,
  CPU: 1 << 7,
  PERIOD: 1 << 8,
  STREAM_ID: 1 << 9,
  RAW: 1 << 10,
  BRANCH_STACK: 1 << 11,
  REGS_USER: 1 << 12,
  STACK_USER: 1 << 13,
  WEIGHT: 1 << 14,
  DATA_SRC: 1 << 15,
  IDENTIFIER: 1 << 16,
  TRANSACTION: 1 << 17,
  REGS_INTR: 1 << 18,
  PHYS_ADDR: 1 << 19,
  AUX: 1 << 20,
  CGROUP: 1 << 21,
  DATA_PAGE_SIZE: 1 << 22,
  CODE_PAGE_SIZE: 1 << 23,
  WEIGHT_STRUCT: 1 << 24,
} as const;
/** Every sample_type bit this decoder knows the layout of. */
const KNOWN_SAMPLE_TYPE = (1 << 25) - 1;

const ReadFormat = { TOTAL_TIME_ENABLED: 1, TOTAL_TIME_RUNNING: 2, ID: 4, GROUP: 8, LOST: 16 } as const;
const KNOWN_READ_FORMAT = 31;

/** branch_sample_type bits that change the BRANCH_STACK layout. */
const BRANCH_HW_INDEX = 1 << 17;
const BRANCH_COUNTERS = 1 << 19;

/** PERF_SAMPLE_REGS_ABI_*: how user registers were sampled. */
export const RegsAbi = { NONE: 0, ABI_32: 1, ABI_64: 2 } as const;

/** The fields of the sample being decoded. One instance, rewritten per sample. */
export class SampleFields {
  /** The event id (ID or IDENTIFIER); -1 when the sample has none. */
  id = -1;
  ipHi = 0;
  ipLo = 0;
  pid = -1;
  tid = -1;
  /** Nanoseconds on the recording's clock; NaN without PERF_SAMPLE_TIME. */
  time = NaN;
  cpu = -1;
  /** 1 when the sample carries no period. */
  period = 1;
  /** Byte offset of ips[0] in the record's view, and their count (0: no call chain). */
  callchainOffset = -1;
  callchainLength = 0;
  /** Tracepoint payload (PERF_SAMPLE_RAW): offset and size; -1 / 0 when absent. */
  rawOffset = -1;
  rawSize = 0;
  /** PERF_SAMPLE_REGS_USER: ABI and offset of the first register; -1 when absent or ABI none. */
  regsAbi = 0;
  regsOffset = -1;
  /** PERF_SAMPLE_STACK_USER: offset of the copied stack and its valid length (dyn_size); -1 / 0 when absent. */
  stackOffset = -1;
  stackSize = 0;
}

/** The decoding plan for one event's samples and its records' sample_id_all trailers. */
export class SampleDecoder {
  readonly sampleType: number;
  /** False when sample_type or read_format has bits newer than this decoder: the samples are skipped. */
  readonly decodable: boolean;
  /** Byte offset of the event id in a sample body; -1 when samples carry none. */
  readonly sampleIdOffset: number;
  /** Byte offset of the time in a sample body; -1 without PERF_SAMPLE_TIME. */
  readonly sampleTimeOffset: number;
  /** Bytes from a non-sample record's end back to its id, time, tid; 0 when absent (sample_id_all off, or no such field). */
  readonly trailerIdFromEnd: number;
  readonly trailerTimeFromEnd: number;
  readonly trailerTidFromEnd: number;
  readonly regsUserCount: number;
  private readonly regsIntrCount: number;
  private readonly readFormat: number;
  private readonly branchSampleType: number;
  private readonly hiAt: number;
  private readonly loAt: number;

  constructor(
    readonly attr: PerfEventAttr,
    private readonly le: boolean,
  ) {
    const st = attr.sampleType;
    this.sampleType = st;
    this.decodable = attr.sampleTypeHigh === 0 && (st & ~KNOWN_SAMPLE_TYPE) === 0 && attr.readFormatHigh === 0 && (attr.readFormat & ~KNOWN_READ_FORMAT) === 0;
    this.regsUserCount = attr.regsUserCount;
    this.regsIntrCount = attr.regsIntrCount;
    this.readFormat = attr.readFormat;
    this.branchSampleType = attr.branchSampleType;
    this.hiAt = le ? 4 : 0;
    this.loAt = le ? 0 : 4;

    // perf's evsel id_pos: where the id sits when samples of several events must be told apart.
    const bit = (b: number) => ((st & b) !== 0 ? 8 : 0);
    if (st & SampleType.IDENTIFIER) this.sampleIdOffset = 0;
    else if (st & SampleType.ID) this.sampleIdOffset = bit(SampleType.IP) + bit(SampleType.TID) + bit(SampleType.TIME) + bit(SampleType.ADDR);
    else this.sampleIdOffset = -1;
    this.sampleTimeOffset = st & SampleType.TIME ? bit(SampleType.IDENTIFIER) + bit(SampleType.IP) + bit(SampleType.TID) : -1;

    // The trailer, from the end: IDENTIFIER, CPU, STREAM_ID, ID, TIME, TID.
    let back = 0;
    let idFromEnd = 0;
    let timeFromEnd = 0;
    let tidFromEnd = 0;
    if (attr.sampleIdAll) {
      if (st & SampleType.IDENTIFIER) idFromEnd = back += 8;
      back += bit(SampleType.CPU) + bit(SampleType.STREAM_ID);
      if (st & SampleType.ID) {
        back += 8;
        if (idFromEnd === 0) idFromEnd = back;
      }
      if (st & SampleType.TIME) timeFromEnd = back += 8;
      if (st & SampleType.TID) tidFromEnd = back += 8;
    }
    this.trailerIdFromEnd = idFromEnd;
    this.trailerTimeFromEnd = timeFromEnd;
    this.trailerTidFromEnd = tidFromEnd;
  }

  /** Size in bytes of the trailer (0 without sample_id_all), to find where a record's own body ends. */
  get trailerSize(): number {
    return Math.max(this.trailerTidFromEnd, this.trailerTimeFromEnd, this.trailerIdFromEnd);
  }

  /**
   * Decodes the sample body view[start, end) into `f`. Returns where the
   * known fields end (== end for a well-formed sample), or -1 when a field
   * runs past `end` (then `f` is partly written and must not be used).
   */
  decode(view: DataView, start: number, end: number, f: SampleFields): number {
    const st = this.sampleType;
    const le = this.le;
    const hiAt = this.hiAt;
    const loAt = this.loAt;
    let o = start;
    f.id = -1;
    f.time = NaN;
    f.cpu = -1;
    f.period = 1;
    f.pid = f.tid = -1;
    f.ipHi = f.ipLo = 0;
    f.callchainOffset = -1;
    f.callchainLength = 0;
    f.rawOffset = -1;
    f.rawSize = 0;
    f.regsAbi = 0;
    f.regsOffset = -1;
    f.stackOffset = -1;
    f.stackSize = 0;

    // Fixed-size fields up to READ: one bounds check for all of them.
    if (o + this.fixedPrefixSize() > end) return -1;
    if (st & SampleType.IDENTIFIER) {
      f.id = view.getUint32(o + hiAt, le) * TWO_32 + view.getUint32(o + loAt, le);
      o += 8;
    }
    if (st & SampleType.IP) {
      f.ipHi = view.getUint32(o + hiAt, le);
      f.ipLo = view.getUint32(o + loAt, le);
      o += 8;
    }
    if (st & SampleType.TID) {
      f.pid = view.getInt32(o, le);
      f.tid = view.getInt32(o + 4, le);
      o += 8;
    }
    if (st & SampleType.TIME) {
      f.time = view.getUint32(o + hiAt, le) * TWO_32 + view.getUint32(o + loAt, le);
      o += 8;
    }
    if (st & SampleType.ADDR) o += 8;
    if (st & SampleType.ID) {
      f.id = view.getUint32(o + hiAt, le) * TWO_32 + view.getUint32(o + loAt, le);
      o += 8;
    }
    if (st & SampleType.STREAM_ID) o += 8;
    if (st & SampleType.CPU) {
      f.cpu = view.getUint32(o, le);
      o += 8;
    }
    if (st & SampleType.PERIOD) {
      f.period = view.getUint32(o + hiAt, le) * TWO_32 + view.getUint32(o + loAt, le);
      o += 8;
    }
    if (st & SampleType.READ) {
      o = this.skipRead(view, o, end);
      if (o < 0) return -1;
    }
    if (st & SampleType.CALLCHAIN) {
      const nr = this.count(view, o, end, 8);
      if (nr < 0) return -1;
      f.callchainOffset = o + 8;
      f.callchainLength = nr;
      o += 8 + nr * 8;
    }
    if (st & SampleType.RAW) {
      if (o + 4 > end) return -1;
      const size = view.getUint32(o, le);
      if (o + 4 + size > end) return -1;
      f.rawOffset = o + 4;
      f.rawSize = size;
      o += 4 + size;
    }
    if (st & SampleType.BRANCH_STACK) {
      const nr = this.count(view, o, end, 24);
      if (nr < 0) return -1;
      o += 8 + nr * 24;
      if (this.branchSampleType & BRANCH_HW_INDEX) o += 8;
      if (this.branchSampleType & BRANCH_COUNTERS) o += nr * 8;
      if (o > end) return -1;
    }
    if (st & SampleType.REGS_USER) {
      if (o + 8 > end) return -1;
      f.regsAbi = view.getUint32(o + loAt, le);
      o += 8;
      if (f.regsAbi !== RegsAbi.NONE) {
        f.regsOffset = o;
        o += this.regsUserCount * 8;
      }
    }
    if (st & SampleType.STACK_USER) {
      const size = this.count(view, o, end, 1);
      if (size < 0) return -1;
      o += 8;
      if (size !== 0) {
        // u64 size; char data[size]; u64 dyn_size (only when size != 0): dyn_size is how much was really copied.
        if (o + size + 8 > end) return -1;
        f.stackOffset = o;
        f.stackSize = Math.min(size, u64(view, o + size, le));
        o += size + 8;
      }
    }
    if (st & (SampleType.WEIGHT | SampleType.WEIGHT_STRUCT)) o += 8;
    if (st & SampleType.DATA_SRC) o += 8;
    if (st & SampleType.TRANSACTION) o += 8;
    if (st & SampleType.REGS_INTR) {
      if (o + 8 > end) return -1;
      const abi = view.getUint32(o + loAt, le);
      o += 8;
      if (abi !== RegsAbi.NONE) o += this.regsIntrCount * 8;
    }
    if (st & SampleType.PHYS_ADDR) o += 8;
    if (st & SampleType.AUX) {
      const size = this.count(view, o, end, 1);
      if (size < 0) return -1;
      o += 8 + size;
    }
    if (st & SampleType.CGROUP) o += 8;
    if (st & SampleType.DATA_PAGE_SIZE) o += 8;
    if (st & SampleType.CODE_PAGE_SIZE) o += 8;
    return o <= end ? o : -1;
  }

  private prefixSize = -1;

  /** Bytes of the fields before READ, all fixed-size. */
  private fixedPrefixSize(): number {
    if (this.prefixSize < 0) {
      const st = this.sampleType;
      const fixed = [SampleType.IDENTIFIER, SampleType.IP, SampleType.TID, SampleType.TIME, SampleType.ADDR, SampleType.ID, SampleType.STREAM_ID, SampleType.CPU, SampleType.PERIOD];
      this.prefixSize = fixed.reduce((size, b) => size + ((st & b) !== 0 ? 8 : 0), 0);
    }
    return this.prefixSize;
  }

  /** A u64 count at `o` whose `unit`-byte items must fit before `end`; -1 when they cannot. */
  private count(view: DataView, o: number, end: number, unit: number): number {
    if (o + 8 > end) return -1;
    if (u64Hi(view, o, this.le) !== 0) return -1;
    const nr = u64Lo(view, o, this.le);
    return o + 8 + nr * unit > end ? -1 : nr;
  }

  /** Skips a read_format block (perf_event.h: struct read_format); -1 when it overruns. */
  private skipRead(view: DataView, o: number, end: number): number {
    const rf = this.readFormat;
    const times = ((rf & ReadFormat.TOTAL_TIME_ENABLED) !== 0 ? 8 : 0) + ((rf & ReadFormat.TOTAL_TIME_RUNNING) !== 0 ? 8 : 0);
    const perValue = 8 + ((rf & ReadFormat.ID) !== 0 ? 8 : 0) + ((rf & ReadFormat.LOST) !== 0 ? 8 : 0);
    if ((rf & ReadFormat.GROUP) === 0) return o + times + perValue <= end ? o + times + perValue : -1;
    // { u64 nr; times; { value; id?; lost? } values[nr] }
    const nr = this.count(view, o, end, 1);
    if (nr < 0) return -1;
    const next = o + 8 + times + nr * perValue;
    return next <= end ? next : -1;
  }
}

/**
 * What a DWARF unwinder gets for one sample recorded with
 * `--call-graph dwarf` (PERF_SAMPLE_REGS_USER + PERF_SAMPLE_STACK_USER).
 * `stack` is a view into the record and is valid only during the call.
 */
export interface UserStackSample {
  pid: number;
  tid: number;
  time: number;
  /** The recording machine's architecture (the arch feature: "x86_64", "aarch64", ...), or null. */
  arch: string | null;
  /** Byte order of `stack` and of the machine the registers came from. */
  littleEndian: boolean;
  /** RegsAbi: 1 for a 32-bit task, 2 for a 64-bit one. Samples with ABI none are not unwound. */
  abi: number;
  /** attr.sample_regs_user: bit i set = perf register i (arch/<arch>/include/uapi/asm/perf_regs.h) was sampled. */
  regsMask: bigint;
  /**
   * The sampled registers as the record holds them: one u64 per set bit of
   * `regsMask`, ascending, from regsView[regsOffset] (read them with
   * perfRegsFromView: no bigints per sample).
   */
  regsView: DataView;
  regsOffset: number;
  /** The copied user stack from the sampled stack pointer upwards (dyn_size bytes). */
  stack: Uint8Array;
}

/** Finds the mapping containing a user address of the sample's process, for the unwinder. */
export interface ModuleLookup {
  /** The mapping containing `address` in the sample's process, as an id that is stable for the whole read; -1 for none. */
  find(address: number): number;
  /** What the recording says about mapping `id`. */
  mapping(id: number): { path: string; buildId: string | null; start: number; end: number; pgoff: number };
}

/**
 * The DWARF unwinder as the reader calls it (implemented in src-main/symbols/unwind/).
 * Returns user code addresses, innermost first (the sampled ip first); empty
 * when it cannot unwind. Addresses are plain numbers: user space is below 2^53.
 * The result may be a view of the unwinder's own buffer: read it before the
 * next call.
 */
export interface UserStackUnwinder {
  unwind(sample: UserStackSample, modules: ModuleLookup): ArrayLike<number>;
  /** Releases open binaries once the read is done. */
  dispose?(): void;
}

/**
 * The UserStackSample of the sample just decoded, in one object reused for
 * every sample (the unwinder must not keep it); null without user registers
 * and stack.
 */
export function userStackSample(decoder: SampleDecoder, view: DataView, f: SampleFields, arch: string | null, le: boolean): UserStackSample | null {
  if (f.regsOffset < 0 || f.stackOffset < 0 || f.regsAbi === RegsAbi.NONE) return null;
  const sample = reusedSample;
  sample.pid = f.pid;
  sample.tid = f.tid;
  sample.time = f.time;
  sample.arch = arch;
  sample.littleEndian = le;
  sample.abi = f.regsAbi;
  sample.regsMask = decoder.attr.sampleRegsUser;
  sample.regsView = view;
  sample.regsOffset = f.regsOffset;
  sample.stack = new Uint8Array(view.buffer, view.byteOffset + f.stackOffset, f.stackSize);
  return sample;
}

const reusedSample: UserStackSample = {
  pid: -1,
  tid: -1,
  time: NaN,
  arch: null,
  littleEndian: true,
  abi: 0,
  regsMask: 0n,
  regsView: new DataView(new ArrayBuffer(0)),
  regsOffset: 0,
  stack: new Uint8Array(0),
};
