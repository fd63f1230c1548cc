/**
 * Writes small synthetic perf.data files (file or pipe format, either byte
 * order) for unit tests of cases a real recording here cannot produce: every
 * sample_type field at once, big-endian files, unknown record types and
 * features, records in a shuffled order, a header left with data size 0.
 *
 * Layouts follow tools/perf/Documentation/perf.data-file-format.txt and
 * include/uapi/linux/perf_event.h; this is an independent second encoding of
 * them (the reader is tested against real perf output in
 * test/integration/perf-data.test.ts).
 */

export const ST = {
  IP: 1 << 0, TID: 1 << 1, TIME: 1 << 2, ADDR: 1 << 3, READ: 1 << 4, CALLCHAIN: 1 << 5, ID: 1 << 6, CPU: 1 << 7,
  PERIOD: 1 << 8, STREAM_ID: 1 << 9, RAW: 1 << 10, BRANCH_STACK: 1 << 11, REGS_USER: 1 << 12, STACK_USER: 1 << 13,
  WEIGHT: 1 << 14, DATA_SRC: 1 << 15, IDENTIFIER: 1 << 16, TRANSACTION: 1 << 17, REGS_INTR: 1 << 18,
  PHYS_ADDR: 1 << 19, AUX: 1 << 20, CGROUP: 1 << 21, DATA_PAGE_SIZE: 1 << 22, CODE_PAGE_SIZE: 1 << 23,
} as const;

export const PERF_CONTEXT_KERNEL = 2n ** 64n - 128n;
export const PERF_CONTEXT_USER = 2n ** 64n - 512n;

export interface AttrSpec {
  type?: number;
  config?: bigint;
  sampleType: number;
  readFormat?: number;
  sampleIdAll?: boolean;
  branchSampleType?: number;
  regsUser?: bigint;
  stackUser?: number;
  regsIntr?: bigint;
  ids?: number[];
  name?: string;
}

export interface SampleSpec {
  id?: number;
  ip?: bigint;
  pid?: number;
  tid?: number;
  time?: bigint;
  cpu?: number;
  period?: bigint;
  /** read_format values: one u64 each, already laid out (the test knows the format). */
  read?: bigint[];
  callchain?: bigint[];
  raw?: Uint8Array;
  branches?: number;
  regsUser?: { abi: number; regs: bigint[] };
  stackUser?: { data: Uint8Array; dynSize: number };
  regsIntr?: { abi: number; regs: bigint[] };
  aux?: Uint8Array;
}

/** Little byte writer with native-endian integers. */
class Out {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  constructor(private readonly le: boolean) {}
  private room(n: number): number {
    while (this.length + n > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // room() may replace the buffer: take the offset before touching this.bytes / this.view.
  u8(v: number): this {
    const at = this.room(1);
    this.bytes[at] = v;
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v, this.le);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.view.setUint32(at, v >>> 0, this.le);
    return this;
  }
  u64(v: bigint | number): this {
    const at = this.room(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), this.le);
    return this;
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.bytes.set(b, at);
    return this;
  }
  /** A NUL-terminated string padded to 8 bytes. */
  cstr(s: string): this {
    const b = new TextEncoder().encode(s);
    this.raw(b);
    const pad = 8 - (b.length % 8);
    for (let i = 0; i < pad; i++) this.u8(0);
    return this;
  }
  /** perf_header_string: u32 len, then the padded string. */
  headerString(s: string): this {
    const inner = new Out(this.le).cstr(s).finish();
    return this.u32(inner.length).raw(inner);
  }
  setU64(at: number, v: number): void {
    this.view.setBigUint64(at, BigInt(v), this.le);
  }
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export class PerfDataWriter {
  readonly attrs: AttrSpec[] = [];
  private readonly records: Uint8Array[] = [];
  private readonly features = new Map<number, Uint8Array>();

  constructor(readonly le = true) {}

  addAttr(spec: AttrSpec): this {
    this.attrs.push({ sampleIdAll: true, ...spec });
    return this;
  }

  /** One record: header {type, misc, size} + body. */
  record(type: number, misc: number, body: Uint8Array): this {
    this.records.push(new Out(this.le).u32(type).u16(misc).u16(8 + body.length).raw(body).finish());
    return this;
  }

  sample(attr: number, s: SampleSpec, misc = 2): this {
    const a = this.attrs[attr];
    const st = a.sampleType;
    const o = new Out(this.le);
    if (st & ST.IDENTIFIER) o.u64(s.id ?? a.ids?.[0] ?? 0);
    if (st & ST.IP) o.u64(s.ip ?? 0n);
    if (st & ST.TID) o.u32(s.pid ?? 0).u32(s.tid ?? 0);
    if (st & ST.TIME) o.u64(s.time ?? 0n);
    if (st & ST.ADDR) o.u64(0xdead);
    if (st & ST.ID) o.u64(s.id ?? a.ids?.[0] ?? 0);
    if (st & ST.STREAM_ID) o.u64(7);
    if (st & ST.CPU) o.u32(s.cpu ?? 0).u32(0);
    if (st & ST.PERIOD) o.u64(s.period ?? 1n);
    if (st & ST.READ) for (const v of s.read ?? []) o.u64(v);
    if (st & ST.CALLCHAIN) {
      o.u64(s.callchain?.length ?? 0);
      for (const ip of s.callchain ?? []) o.u64(ip);
    }
    if (st & ST.RAW) {
      const raw = s.raw ?? new Uint8Array(4);
      o.u32(raw.length).raw(raw);
    }
    if (st & ST.BRANCH_STACK) {
      const nr = s.branches ?? 0;
      o.u64(nr);
      if ((a.branchSampleType ?? 0) & (1 << 17)) o.u64(3); // hw_idx
      for (let i = 0; i < nr * 3; i++) o.u64(0xbbbb);
    }
    if (st & ST.REGS_USER) {
      o.u64(s.regsUser?.abi ?? 0);
      if (s.regsUser && s.regsUser.abi !== 0) for (const r of s.regsUser.regs) o.u64(r);
    }
    if (st & ST.STACK_USER) {
      const stack = s.stackUser;
      o.u64(stack ? stack.data.length : 0);
      if (stack) o.raw(stack.data).u64(stack.dynSize);
    }
    if (st & ST.WEIGHT) o.u64(99);
    if (st & ST.DATA_SRC) o.u64(5);
    if (st & ST.TRANSACTION) o.u64(6);
    if (st & ST.REGS_INTR) {
      o.u64(s.regsIntr?.abi ?? 0);
      if (s.regsIntr && s.regsIntr.abi !== 0) for (const r of s.regsIntr.regs) o.u64(r);
    }
    if (st & ST.PHYS_ADDR) o.u64(0x1000);
    if (st & ST.AUX) {
      const aux = s.aux ?? new Uint8Array(0);
      o.u64(aux.length).raw(aux);
    }
    if (st & ST.CGROUP) o.u64(1);
    if (st & ST.DATA_PAGE_SIZE) o.u64(4096);
    if (st & ST.CODE_PAGE_SIZE) o.u64(4096);
    return this.record(9, misc, o.finish());
  }

  /** sample_id_all trailer of the first event for non-sample records (TID and TIME only, which is all tests use). */
  private trailer(o: Out, pid: number, tid: number, time: bigint): void {
    const a = this.attrs[0];
    if (!a?.sampleIdAll) return;
    const st = a.sampleType;
    if (st & ST.TID) o.u32(pid).u32(tid);
    if (st & ST.TIME) o.u64(time);
    if (st & ST.ID) o.u64(a.ids?.[0] ?? 0);
    if (st & ST.STREAM_ID) o.u64(0);
    if (st & ST.CPU) o.u32(0).u32(0);
    if (st & ST.IDENTIFIER) o.u64(a.ids?.[0] ?? 0);
  }

  mmap2(pid: number, start: bigint, length: bigint, pgoff: bigint, path: string, time = 0n): this {
    const o = new Out(this.le).u32(pid).u32(pid).u64(start).u64(length).u64(pgoff);
    o.u32(8).u32(1).u64(1234).u64(0).u32(5).u32(2).cstr(path);
    this.trailer(o, pid, pid, time);
    return this.record(10, 2, o.finish());
  }

  comm(pid: number, tid: number, name: string, exec: boolean, time = 0n): this {
    const o = new Out(this.le).u32(pid).u32(tid).cstr(name);
    this.trailer(o, pid, tid, time);
    return this.record(3, exec ? 1 << 13 : 0, o.finish());
  }

  fork(pid: number, ppid: number, tid: number, ptid: number, time: bigint, exit = false): this {
    const o = new Out(this.le).u32(pid).u32(ppid).u32(tid).u32(ptid).u64(time);
    this.trailer(o, pid, tid, time);
    return this.record(exit ? 4 : 7, 0, o.finish());
  }

  finishedRound(): this {
    return this.record(68, 0, new Uint8Array(0));
  }

  /** A feature section's payload (file) or HEADER_FEATURE record (pipe). */
  feature(id: number, payload: Uint8Array): this {
    this.features.set(id, payload);
    return this;
  }

  hostname(name: string): this {
    return this.feature(3, new Out(this.le).headerString(name).finish());
  }

  cmdline(args: string[]): this {
    const o = new Out(this.le).u32(args.length);
    for (const a of args) o.headerString(a);
    return this.feature(11, o.finish());
  }

  private attrBytes(a: AttrSpec): Uint8Array {
    const o = new Out(this.le);
    const flags = (1 << 10) | (a.sampleIdAll ? 1 << 18 : 0);
    o.u32(a.type ?? 1).u32(128).u64(a.config ?? 0n).u64(4000).u64(a.sampleType).u64(a.readFormat ?? 0).u64(flags);
    o.u32(0).u32(0).u64(0).u64(0).u64(a.branchSampleType ?? 0).u64(a.regsUser ?? 0n).u32(a.stackUser ?? 0).u32(0);
    o.u64(a.regsIntr ?? 0n).u32(0).u16(0).u16(0).u32(0).u32(0).u64(0);
    return o.finish(); // 128 bytes (PERF_ATTR_SIZE_VER7)
  }

  /** The file format: header, attrs, ids, data, feature table and sections. */
  toFile(options: { dataSizeZero?: boolean } = {}): Uint8Array {
    const o = new Out(this.le);
    o.raw(new TextEncoder().encode(this.le ? 'PERFILE2' : '2ELIFREP')).u64(104).u64(128 + 16);
    const sectionsAt = o.length;
    for (let i = 0; i < 6; i++) o.u64(0); // attrs, data, event_types
    const features = [...this.features.keys()].sort((x, y) => x - y);
    const bits = [0n, 0n, 0n, 0n];
    for (const f of features) bits[f >> 6] |= 1n << BigInt(f & 63);
    for (const word of bits) o.u64(word);
    // ids, then attrs pointing at them
    const idsAt: number[] = [];
    for (const a of this.attrs) {
      idsAt.push(o.length);
      for (const id of a.ids ?? []) o.u64(id);
    }
    const attrsAt = o.length;
    this.attrs.forEach((a, i) => o.raw(this.attrBytes(a)).u64(idsAt[i]).u64(8 * (a.ids?.length ?? 0)));
    const dataAt = o.length;
    for (const r of this.records) o.raw(r);
    const dataSize = o.length - dataAt;
    const tableAt = o.length;
    for (let i = 0; i < features.length; i++) o.u64(0).u64(0);
    features.forEach((f, i) => {
      const payload = this.features.get(f)!;
      o.setU64(tableAt + 16 * i, o.length);
      o.setU64(tableAt + 16 * i + 8, payload.length);
      o.raw(payload);
    });
    o.setU64(sectionsAt, attrsAt);
    o.setU64(sectionsAt + 8, 144 * this.attrs.length);
    o.setU64(sectionsAt + 16, dataAt);
    o.setU64(sectionsAt + 24, options.dataSizeZero ? 0 : dataSize);
    return o.finish();
  }

  /** The pipe format: a 16-byte header, then HEADER_ATTR and HEADER_FEATURE records before the data records. */
  toPipe(): Uint8Array {
    const o = new Out(this.le);
    o.raw(new TextEncoder().encode(this.le ? 'PERFILE2' : '2ELIFREP')).u64(16);
    const record = (type: number, body: Uint8Array) => o.u32(type).u16(0).u16(8 + body.length).raw(body);
    for (const a of this.attrs) {
      const body = new Out(this.le).raw(this.attrBytes(a));
      for (const id of a.ids ?? []) body.u64(id);
      record(64, body.finish());
    }
    for (const [f, payload] of this.features) record(80, new Out(this.le).u64(f).raw(payload).finish());
    for (const r of this.records) o.raw(r);
    return o.finish();
  }
}
