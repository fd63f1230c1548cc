/**
 * The one way importers write a Profile: intern strings, dedupe functions,
 * frames and stacks, append samples. Every importer goes through this so the
 * tables' invariants (prefix[i] < i, -1 sentinels, interned strings) hold in
 * one place.
 */

import { growFloat64, growInt32, growUint8, type GrowableArray } from './growable';
import { PairMap } from './pair-map';
import {
  FuncKind,
  type AllocationTable,
  type CounterTrack,
  type FormatId,
  type IndexIntoFrameTable,
  type IndexIntoFuncTable,
  type IndexIntoStackTable,
  type IndexIntoStringTable,
  type IndexIntoThreadTable,
  type MarkerTable,
  type Nanoseconds,
  type Profile,
  type ProfileKind,
  type ProfileMeta,
  type WeightUnit,
} from './model';

export interface FuncDetails {
  file?: string | null;
  startLine?: number;
  library?: string | null;
  kind?: FuncKind;
}

export interface FrameDetails {
  address?: number;
  line?: number;
  /** The file of `line` when the format knows it per frame; the function's file when absent or the same. */
  file?: string | null;
  inlineDepth?: number;
}

export interface BuilderOptions {
  format: FormatId;
  kind: ProfileKind;
  unit: WeightUnit;
  sourceName: string;
  /** Whether samples carry their own weight (otherwise each counts 1). */
  weighted: boolean;
}

export class ProfileBuilder {
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, IndexIntoStringTable>();

  private readonly funcKey = new Map<string, IndexIntoFuncTable>();
  private readonly funcName = growInt32(256);
  private readonly funcFile = growInt32(256);
  private readonly funcStartLine = growInt32(256);
  private readonly funcLibrary = growInt32(256);
  private readonly funcKind = growUint8(256);

  private readonly frameKey = new Map<string, IndexIntoFrameTable>();
  private readonly frameFunc = growInt32(256);
  private readonly frameAddress = growFloat64(256);
  private readonly frameLine = growInt32(256);
  private readonly frameFile = growInt32(256);
  private readonly frameInlineDepth = growUint8(256);

  // (prefix, frame) -> stack, in typed arrays: millions of lookups per big file, no boxed keys.
  private readonly stackKey = new PairMap(4096);
  private readonly stackFrame = growInt32(1024);
  private readonly stackPrefix = growInt32(1024);

  private readonly sampleStack = growInt32(4096);
  private readonly sampleTime = growFloat64(4096);
  private readonly sampleThread = growInt32(4096);
  private readonly sampleWeight: GrowableArray<Float64Array> | null;

  private readonly threadKey = new Map<string, IndexIntoThreadTable>();
  private readonly threadTid = growInt32(16);
  private readonly threadPid = growInt32(16);
  private readonly threadName = growInt32(16);
  private readonly threadProcessName = growInt32(16);

  private readonly counters: CounterTrack[] = [];
  private allocations: AllocationTable | null = null;
  private readonly markerColumns = new MarkerColumns();
  private timeOutOfOrder = false;

  readonly meta: ProfileMeta;

  constructor(options: BuilderOptions) {
    this.sampleWeight = options.weighted ? growFloat64(4096) : null;
    this.meta = {
      format: options.format,
      kind: options.kind,
      unit: options.unit,
      sourceName: options.sourceName,
      startTime: NaN,
      endTime: NaN,
      command: null,
      host: null,
      eventName: null,
      warnings: [],
    };
  }

  get sampleCount(): number {
    return this.sampleStack.length;
  }

  intern(text: string): IndexIntoStringTable {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, index);
    }
    return index;
  }

  private internOrNone(text: string | null | undefined): IndexIntoStringTable {
    return text === null || text === undefined || text === '' ? -1 : this.intern(text);
  }

  func(name: string, details: FuncDetails = {}): IndexIntoFuncTable {
    const kind = details.kind ?? FuncKind.native;
    const key = `${name}\0${details.file ?? ''}\0${details.library ?? ''}\0${kind}`;
    let index = this.funcKey.get(key);
    if (index === undefined) {
      index = this.funcName.push(this.intern(name));
      this.funcFile.push(this.internOrNone(details.file));
      this.funcStartLine.push(details.startLine ?? -1);
      this.funcLibrary.push(this.internOrNone(details.library));
      this.funcKind.push(kind);
      this.funcKey.set(key, index);
    }
    return index;
  }

  frame(func: IndexIntoFuncTable, details: FrameDetails = {}): IndexIntoFrameTable {
    const address = details.address ?? -1;
    const line = details.line ?? -1;
    const inlineDepth = details.inlineDepth ?? 0;
    // -1 for the function's own file, so a frame's file is stored only where it says something.
    let file = this.internOrNone(details.file);
    if (file === this.funcFile.get(func)) file = -1;
    const key = `${func}:${address}:${line}:${inlineDepth}:${file}`;
    let index = this.frameKey.get(key);
    if (index === undefined) {
      index = this.frameFunc.push(func);
      this.frameAddress.push(address);
      this.frameLine.push(line);
      this.frameFile.push(file);
      this.frameInlineDepth.push(inlineDepth);
      this.frameKey.set(key, index);
    }
    return index;
  }

  /** The stack that is `frame` called from `prefix` (-1 for a root frame). */
  stack(prefix: IndexIntoStackTable, frame: IndexIntoFrameTable): IndexIntoStackTable {
    if (this.stackKey.size < this.stackFrame.length) this.indexNewStacks();
    let index = this.stackKey.get(prefix, frame);
    if (index === -1) {
      index = this.stackFrame.push(frame);
      this.stackPrefix.push(prefix);
      this.stackKey.set(prefix, frame, index);
    }
    return index;
  }

  /**
   * Appends the stack that is `frame` called from `prefix`, which the caller
   * knows is not in the table (an importer that dedupes its stacks as a
   * prefix tree of its own). It skips the hash lookup `stack` makes, a cache
   * miss per call on big profiles; `stack` indexes such stacks before its
   * next lookup, so the two can be mixed.
   */
  newStack(prefix: IndexIntoStackTable, frame: IndexIntoFrameTable): IndexIntoStackTable {
    this.stackPrefix.push(prefix);
    return this.stackFrame.push(frame);
  }

  /** Puts the stacks `newStack` appended (always the last ones) into the lookup table. */
  private indexNewStacks(): void {
    const count = this.stackFrame.length;
    this.stackKey.reserve(count);
    for (let i = this.stackKey.size; i < count; i++) this.stackKey.set(this.stackPrefix.get(i), this.stackFrame.get(i), i);
  }

  /** Room for `count` more stacks: an importer that knows how many it will add spares the step-by-step growth. */
  reserveStacks(count: number): void {
    this.stackKey.reserve(this.stackFrame.length + count);
  }

  /** The stack for frames listed root first (outermost caller first). */
  stackFromRoot(frames: ArrayLike<IndexIntoFrameTable>): IndexIntoStackTable {
    let stack = -1;
    for (let i = 0; i < frames.length; i++) stack = this.stack(stack, frames[i]);
    return stack;
  }

  /** The stack for frames listed leaf first, as perf prints call chains. */
  stackFromLeaf(frames: ArrayLike<IndexIntoFrameTable>): IndexIntoStackTable {
    let stack = -1;
    for (let i = frames.length - 1; i >= 0; i--) stack = this.stack(stack, frames[i]);
    return stack;
  }

  /** A thread, identified by (pid, tid); a later call may name it. */
  thread(tid: number, pid: number, name?: string | null, processName?: string | null): IndexIntoThreadTable {
    const key = `${pid}/${tid}`;
    let index = this.threadKey.get(key);
    if (index === undefined) {
      index = this.threadTid.push(tid);
      this.threadPid.push(pid);
      this.threadName.push(this.internOrNone(name));
      this.threadProcessName.push(this.internOrNone(processName));
      this.threadKey.set(key, index);
    } else {
      if (name) this.threadName.set(index, this.intern(name));
      if (processName) this.threadProcessName.set(index, this.intern(processName));
    }
    return index;
  }

  sample(stack: IndexIntoStackTable, thread: IndexIntoThreadTable, time: Nanoseconds = NaN, weight = 1): void {
    if (stack < 0) throw new Error('a sample needs a stack; use an "[unknown]" frame for empty call chains');
    const count = this.sampleStack.length;
    if (count > 0 && time < this.sampleTime.get(count - 1)) this.timeOutOfOrder = true;
    this.sampleStack.push(stack);
    this.sampleThread.push(thread);
    this.sampleTime.push(time);
    if (this.sampleWeight) this.sampleWeight.push(weight);
    else if (weight !== 1) throw new Error('this profile was built unweighted; pass weighted: true');
  }

  addCounter(track: CounterTrack): void {
    this.counters.push(track);
  }

  setAllocations(table: AllocationTable): void {
    this.allocations = table;
  }

  /** An instant of a non-sampled event on `thread` (see MarkerTable); `stack` -1 when none. */
  marker(time: Nanoseconds, thread: IndexIntoThreadTable, event: string, stack: IndexIntoStackTable = -1, detail?: string | null): void {
    this.markerColumns.push(time, thread, this.intern(event), stack, this.internOrNone(detail));
  }

  finish(): Profile {
    const samples = this.finishSamples();
    const markers = this.markerColumns.finish();
    let start = NaN;
    let end = NaN;
    // The time span covers markers too: a thread that mostly sleeps has its context switches after its last sample.
    for (const column of markers === null ? [samples.time] : [samples.time, markers.time]) {
      for (let i = 0; i < column.length; i++) {
        const t = column[i];
        if (Number.isNaN(t)) continue;
        if (!(t >= start)) start = Number.isNaN(start) ? t : Math.min(start, t);
        if (!(t <= end)) end = Number.isNaN(end) ? t : Math.max(end, t);
      }
    }
    return {
      meta: { ...this.meta, startTime: start, endTime: end, warnings: [...this.meta.warnings] },
      strings: this.strings.slice(),
      funcs: {
        length: this.funcName.length,
        name: this.funcName.finish(),
        file: this.funcFile.finish(),
        startLine: this.funcStartLine.finish(),
        library: this.funcLibrary.finish(),
        kind: this.funcKind.finish(),
      },
      frames: {
        length: this.frameFunc.length,
        func: this.frameFunc.finish(),
        address: this.frameAddress.finish(),
        line: this.frameLine.finish(),
        file: this.frameFile.finish(),
        inlineDepth: this.frameInlineDepth.finish(),
      },
      stacks: {
        length: this.stackFrame.length,
        frame: this.stackFrame.finish(),
        prefix: this.stackPrefix.finish(),
      },
      samples,
      threads: {
        length: this.threadTid.length,
        tid: this.threadTid.finish(),
        pid: this.threadPid.finish(),
        name: this.threadName.finish(),
        processName: this.threadProcessName.finish(),
      },
      counters: this.counters.slice(),
      allocations: this.allocations,
      markers,
    };
  }

  /** Samples sorted by time (stable), since views assume time order. */
  private finishSamples(): Profile['samples'] {
    const stack = this.sampleStack.finish();
    const time = this.sampleTime.finish();
    const thread = this.sampleThread.finish();
    const weight = this.sampleWeight ? this.sampleWeight.finish() : null;
    if (!this.timeOutOfOrder) return { length: stack.length, stack, time, thread, weight };

    const order = Array.from({ length: stack.length }, (_, i) => i);
    order.sort((a, b) => time[a] - time[b] || a - b);
    const pick = <T extends Int32Array | Float64Array>(column: T): T => {
      const out = new (column.constructor as { new (n: number): T })(column.length);
      for (let i = 0; i < order.length; i++) out[i] = column[order[i]];
      return out;
    };
    return {
      length: stack.length,
      stack: pick(stack),
      time: pick(time),
      thread: pick(thread),
      weight: weight ? pick(weight) : null,
    };
  }
}

/** The marker table's columns while building; finished in time order (stable), null when empty. */
class MarkerColumns {
  private readonly time = growFloat64(256);
  private readonly thread = growInt32(256);
  private readonly event = growInt32(256);
  private readonly stack = growInt32(256);
  private readonly detail = growInt32(256);

  push(time: Nanoseconds, thread: number, event: number, stack: number, detail: number): void {
    this.time.push(time);
    this.thread.push(thread);
    this.event.push(event);
    this.stack.push(stack);
    this.detail.push(detail);
  }

  finish(): MarkerTable | null {
    const n = this.time.length;
    if (n === 0) return null;
    const time = this.time.finish();
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
    const pick = <T extends Int32Array | Float64Array>(column: T): T => {
      const out = new (column.constructor as { new (n: number): T })(n);
      for (let i = 0; i < n; i++) out[i] = column[order[i]];
      return out;
    };
    return {
      length: n,
      time: pick(time),
      thread: pick(this.thread.finish()),
      event: pick(this.event.finish()),
      stack: pick(this.stack.finish()),
      detail: pick(this.detail.finish()),
    };
  }
}
