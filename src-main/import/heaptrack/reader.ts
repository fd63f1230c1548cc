/**
 * Parses heaptrack's interpreted data file (the text inside the .zst/.gz,
 * written by heaptrack_interpret) and accumulates per-trace costs exactly as
 * heaptrack's analyzer does (src/analyze/accumulatedtracedata.cpp). One line
 * per record, numbers in hex, the first character says what it is:
 *
 *   v 10400 3            heaptrack version, file format version (1 to 3 read here)
 *   X ./prog args        the command line
 *   I 1000 5e27ec        page size, physical pages
 *   s 2f /path/file.c    string (ids count from 1); format 3 prefixes the length
 *   i IP MOD [FN [FILE LINE [FN FILE LINE]...]]  instruction pointer (ids from 1):
 *                        module string, then the innermost function with its file
 *                        and line, then each function it is inlined into, outwards
 *   t IP PARENT          trace node (ids from 1): an ip called from trace PARENT
 *   a SIZE TRACE         allocation info (ids from 0): a size allocated at a trace
 *   + INFO / - INFO      an allocation / a free of allocation info INFO
 *   c MS                 timestamp, milliseconds since start
 *   R PAGES              resident set size, in pages
 *   A                    heaptrack attached to a running process
 *   S suppression, # comment
 *
 * Costs per trace (heaptrack's AllocationData): allocations (count), bytes
 * allocated, leaked (bytes not freed at the end), peak (bytes live at the
 * global peak, the first time the heap reached its maximum) and temporary:
 * a free whose allocation info is that of the allocation right before it,
 * with nothing else freed in between. heaptrack compares allocation-info
 * indexes and resets "the last allocation" to index 0 (not to "none") after
 * every free, so a free of info 0 right after another free counts as
 * temporary; we keep that quirk so the counts equal heaptrack_print's.
 *
 * Raw files (heaptrack --raw, or a recording heaptrack_interpret never saw)
 * hold unresolved addresses and module maps ('x', 'm' lines) and would need
 * ELF/DWARF symbolization; they are rejected with an error for now.
 */

import { ImportError } from '../../../src-shared/errors';
import { growFloat64, growInt32 } from '../../../src-shared/profile/growable';
import { TraceTimelineBuilder, type TraceTimeline } from './timeline';

export interface HeaptrackData {
  heaptrackVersion: number;
  fileVersion: number;
  command: string | null;
  /** Bytes per page, from the 'I' line (NaN when absent). */
  pageSize: number;
  /** String id k is strings[k - 1]. */
  strings: string[];
  /** Instruction pointers (id k at index k - 1); frames of ip i are frame*[frameStart[i] .. frameStart[i + 1]), innermost first. */
  ipAddress: Float64Array;
  ipModule: Int32Array;
  ipFrameStart: Int32Array;
  frameFunction: Int32Array;
  frameFile: Int32Array;
  frameLine: Int32Array;
  /** Trace nodes (id k at index k - 1): an ip id and the parent trace id (0 at the root). */
  traceIp: Int32Array;
  traceParent: Int32Array;
  /** Costs indexed by trace id (index 0: allocations without a backtrace). */
  allocations: Float64Array;
  bytes: Float64Array;
  temporary: Float64Array;
  leaked: Float64Array;
  peak: Float64Array;
  totals: { allocations: number; bytes: number; temporary: number; leaked: number; peak: number; peakTimeMs: number };
  /** When each trace allocated, bucketed (timeline.ts). */
  timeline: TraceTimeline;
  /** Heap: bytes live, the maximum since the previous timestamp. RSS: bytes. Times in ms. */
  heapTime: Float64Array;
  heapValue: Float64Array;
  rssTime: Float64Array;
  rssValue: Float64Array;
  attached: boolean;
  warnings: string[];
}

const NL = 10;
const SPACE = 32;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const utf8 = new TextDecoder('utf-8');

/** A line longer than this is not heaptrack data (its longest lines are strings: symbol names). */
const MAX_LINE_BYTES = 1 << 24;

export class HeaptrackReader {
  private heaptrackVersion = NaN;
  private fileVersion = NaN;
  private command: string | null = null;
  private pageSize = NaN;
  private readonly strings: string[] = [];
  private readonly ipAddress = growFloat64(4096);
  private readonly ipModule = growInt32(4096);
  private readonly ipFrameStart = growInt32(4096);
  private readonly frameFunction = growInt32(4096);
  private readonly frameFile = growInt32(4096);
  private readonly frameLine = growInt32(4096);
  private readonly traceIp = growInt32(4096);
  private readonly traceParent = growInt32(4096);
  private readonly infoSize = growFloat64(4096);
  private readonly infoTrace = growInt32(4096);
  // Per trace id; index 0 stands for "no backtrace".
  private readonly allocations = growFloat64(4096);
  private readonly bytes = growFloat64(4096);
  private readonly temporary = growFloat64(4096);
  private readonly leaked = growFloat64(4096);
  private readonly peak = growFloat64(4096);
  private readonly peakEpochSeen = growFloat64(4096);
  private readonly heapTime = growFloat64(1024);
  private readonly heapValue = growFloat64(1024);
  private readonly rssTime = growFloat64(1024);
  private readonly rssValue = growFloat64(1024);
  private readonly totals = { allocations: 0, bytes: 0, temporary: 0, leaked: 0, peak: 0, peakTimeMs: 0 };
  private readonly timeline = new TraceTimelineBuilder();
  private peakEpoch = 0;
  private lastAllocation = 0;
  private timestamp = 0;
  private intervalMax = 0;
  private eventsSinceTimestamp = false;
  private attached = false;
  private lineNumber = 0;
  private carry: Uint8Array | null = null;
  private readonly warnings: string[] = [];
  // The line being parsed.
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  private lineStart = 0;

  constructor() {
    this.addCosts(); // for trace id 0: allocations without a backtrace
  }

  /** Feeds decompressed bytes. */
  write(chunk: Uint8Array): void {
    let start = 0;
    if (this.carry !== null) {
      const newline = chunk.indexOf(NL);
      const joined = new Uint8Array(this.carry.length + (newline === -1 ? chunk.length : newline + 1));
      joined.set(this.carry);
      joined.set(chunk.subarray(0, joined.length - this.carry.length), this.carry.length);
      if (newline === -1) {
        this.carry = this.checkedCarry(joined);
        return;
      }
      this.carry = null;
      this.line(joined, 0, joined.length - 1);
      start = newline + 1;
    }
    for (let newline = chunk.indexOf(NL, start); newline !== -1; newline = chunk.indexOf(NL, start)) {
      this.line(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.carry = this.checkedCarry(chunk.slice(start));
  }

  /** All data was written; `truncated` when the stream ended early. */
  finish(truncated: boolean): HeaptrackData {
    if (this.carry !== null || truncated) {
      this.warnings.push(`the data ends early, after line ${this.lineNumber} (recording cut short?); kept what was recorded before`);
    }
    if (Number.isNaN(this.fileVersion)) throw new ImportError('no heaptrack data (no "v" version line)');
    const peakEpoch = this.peakEpoch;
    const peak = this.peak;
    for (let t = 0; t < peak.length; t++) if (this.peakEpochSeen.get(t) !== peakEpoch) peak.set(t, this.leaked.get(t));
    if (this.eventsSinceTimestamp) this.heapPoint(this.timestamp + 1);
    if (this.attached) this.warnings.push('heaptrack attached to a running process: allocations made before it attached are not counted');
    if (Number.isNaN(this.pageSize) && this.rssTime.length > 0) this.warnings.push('no page size ("I" line): RSS is left out');
    this.ipFrameStart.push(this.frameFunction.length);
    return {
      heaptrackVersion: this.heaptrackVersion,
      fileVersion: this.fileVersion,
      command: this.command,
      pageSize: this.pageSize,
      strings: this.strings,
      ipAddress: this.ipAddress.finish(),
      ipModule: this.ipModule.finish(),
      ipFrameStart: this.ipFrameStart.finish(),
      frameFunction: this.frameFunction.finish(),
      frameFile: this.frameFile.finish(),
      frameLine: this.frameLine.finish(),
      traceIp: this.traceIp.finish(),
      traceParent: this.traceParent.finish(),
      allocations: this.allocations.finish(),
      bytes: this.bytes.finish(),
      temporary: this.temporary.finish(),
      leaked: this.leaked.finish(),
      peak: peak.finish(),
      totals: { ...this.totals },
      timeline: this.timeline.finish(),
      heapTime: this.heapTime.finish(),
      heapValue: this.heapValue.finish(),
      rssTime: this.rssTime.finish(),
      rssValue: Number.isNaN(this.pageSize) ? new Float64Array(0) : this.rssValue.finish().map((pages) => pages * this.pageSize),
      attached: this.attached,
      warnings: this.warnings,
    };
  }

  private checkedCarry(bytes: Uint8Array): Uint8Array {
    if (bytes.length > MAX_LINE_BYTES) this.fail(`longer than ${MAX_LINE_BYTES} bytes; not heaptrack data`, this.lineNumber + 1);
    return bytes;
  }

  private line(buf: Uint8Array, start: number, end: number): void {
    const n = ++this.lineNumber;
    if (end > start && buf[end - 1] === 13) end--;
    if (end === start) return;
    const kind = buf[start];
    this.buf = buf;
    this.lineStart = start;
    this.pos = start + 1;
    this.end = end;
    if (n === 1 && kind !== 0x76) this.fail('expected the "v" version line first; not heaptrack data');
    switch (kind) {
      case 0x2b: // '+'
        return this.allocate(this.index(this.infoSize.length - 1, 'allocation info'));
      case 0x2d: // '-'
        return this.free(this.index(this.infoSize.length - 1, 'allocation info'));
      case 0x61: {
        // 'a'
        const size = this.hex();
        const trace = this.index(this.traceIp.length, 'trace');
        this.infoSize.push(size);
        this.infoTrace.push(trace);
        return;
      }
      case 0x74: {
        // 't'
        const ip = this.index(this.ipAddress.length, 'instruction pointer');
        const parent = this.index(this.traceIp.length, 'trace');
        this.addTrace(ip, parent);
        return;
      }
      case 0x69: // 'i'
        return this.instructionPointer();
      case 0x73: // 's'
        return this.string();
      case 0x63: {
        // 'c'
        const stamp = this.hex();
        this.heapPoint(stamp);
        this.timestamp = stamp;
        return;
      }
      case 0x52: // 'R'
        this.rssTime.push(this.timestamp);
        this.rssValue.push(this.hex());
        return;
      case 0x76: // 'v'
        return this.version();
      case 0x58: // 'X'
        this.command = utf8.decode(buf.subarray(Math.min(start + 2, end), end));
        return;
      case 0x49: // 'I'
        this.pageSize = this.hex();
        return;
      case 0x41: // 'A'
        this.attached = true;
        return;
      case 0x53: // 'S': an embedded leak suppression; leaks are reported unsuppressed
      case 0x23: // '#'
        return;
      case 0x78: // 'x'
      case 0x6d: // 'm'
        this.fail('raw heaptrack data (unresolved addresses): Heatline reads the files heaptrack writes after heaptrack_interpret, not --raw ones');
        break;
      default:
        this.fail(`unknown record kind "${String.fromCharCode(kind)}"`);
    }
  }

  private version(): void {
    this.heaptrackVersion = this.hex();
    let fileVersion = this.optionalHex();
    // heaptrack 1.0 wrote no file version; it is format 1 (accumulatedtracedata.cpp).
    if (Number.isNaN(fileVersion)) fileVersion = this.heaptrackVersion === 0x010200 ? 1 : 0;
    if (fileVersion < 1) this.fail('heaptrack file format 0 (before heaptrack 1.0) is not supported');
    if (fileVersion > 3) this.fail(`heaptrack file format ${fileVersion} is newer than Heatline reads (1 to 3)`);
    this.fileVersion = fileVersion;
  }

  private string(): void {
    let start = this.pos + 1;
    if (this.fileVersion >= 3) {
      // "s LEN text": the length (hex) lets text hold spaces; the line's end bounds it anyway.
      this.hex();
      start = this.pos + 1;
    }
    this.strings.push(utf8.decode(this.buf.subarray(Math.min(start, this.end), this.end)));
  }

  private instructionPointer(): void {
    this.ipAddress.push(this.hex());
    this.ipModule.push(this.index(this.strings.length, 'string'));
    this.ipFrameStart.push(this.frameFunction.length);
    const fn = this.optionalHex();
    if (Number.isNaN(fn)) return;
    this.checkString(fn);
    let file = this.optionalHex();
    if (Number.isNaN(file)) {
      // A function without a file: heaptrack writes no line either.
      this.pushFrame(fn, 0, 0);
      return;
    }
    let func = fn;
    for (;;) {
      this.checkString(file);
      const line = this.hex();
      this.pushFrame(func, file, line);
      func = this.optionalHex();
      if (Number.isNaN(func)) return;
      this.checkString(func);
      file = this.hex();
    }
  }

  private pushFrame(func: number, file: number, line: number): void {
    this.frameFunction.push(func);
    this.frameFile.push(file);
    this.frameLine.push(line > 0x7fffffff ? 0 : line);
  }

  private addTrace(ip: number, parent: number): void {
    this.traceIp.push(ip);
    this.traceParent.push(parent);
    this.addCosts();
  }

  private addCosts(): void {
    this.allocations.push(0);
    this.bytes.push(0);
    this.temporary.push(0);
    this.leaked.push(0);
    this.peak.push(0);
    this.peakEpochSeen.push(0);
  }

  private allocate(info: number): void {
    const size = this.infoSize.get(info);
    const trace = this.infoTrace.get(info);
    this.syncPeak(trace);
    this.allocations.set(trace, this.allocations.get(trace) + 1);
    this.bytes.set(trace, this.bytes.get(trace) + size);
    this.leaked.set(trace, this.leaked.get(trace) + size);
    this.timeline.allocation(trace, this.timestamp, size);
    const t = this.totals;
    t.allocations++;
    t.bytes += size;
    t.leaked += size;
    if (t.leaked > t.peak) {
      // A new maximum: every trace's current bytes are its peak bytes (read lazily, see syncPeak).
      t.peak = t.leaked;
      t.peakTimeMs = this.timestamp;
      this.peakEpoch++;
    }
    if (t.leaked > this.intervalMax) this.intervalMax = t.leaked;
    this.lastAllocation = info;
    this.eventsSinceTimestamp = true;
  }

  private free(info: number): void {
    const size = this.infoSize.get(info);
    const trace = this.infoTrace.get(info);
    const temporary = this.lastAllocation === info;
    this.lastAllocation = 0; // heaptrack's reset value, see the header
    this.syncPeak(trace);
    this.leaked.set(trace, this.leaked.get(trace) - size);
    this.totals.leaked -= size;
    if (temporary) {
      this.temporary.set(trace, this.temporary.get(trace) + 1);
      this.totals.temporary++;
      this.timeline.temporaryFree(trace, this.timestamp);
    }
    this.eventsSinceTimestamp = true;
  }

  /**
   * Before a trace's bytes change: if the heap peaked since the trace last
   * changed, its current bytes are what it held at that peak. This records
   * every trace's bytes at the (final) global peak in O(1) per event, where
   * heaptrack reads the whole file twice.
   */
  private syncPeak(trace: number): void {
    if (this.peakEpochSeen.get(trace) !== this.peakEpoch) {
      this.peak.set(trace, this.leaked.get(trace));
      this.peakEpochSeen.set(trace, this.peakEpoch);
    }
  }

  private heapPoint(stamp: number): void {
    this.heapTime.push(stamp);
    this.heapValue.push(this.intervalMax);
    this.intervalMax = this.totals.leaked;
    this.eventsSinceTimestamp = false;
  }

  /** The next space-separated hex field; fails when there is none. */
  private hex(): number {
    const value = this.optionalHex();
    if (Number.isNaN(value)) this.fail(`malformed "${String.fromCharCode(this.buf[this.lineStart])}" record (a field is missing)`);
    return value;
  }

  /** The next hex field, or NaN at the end of the line. */
  private optionalHex(): number {
    const buf = this.buf;
    let i = this.pos;
    if (i >= this.end) return NaN;
    if (buf[i] !== SPACE) this.fail('malformed record (expected a space between fields)');
    i++;
    let value = 0;
    const first = i;
    for (; i < this.end; i++) {
      const digit = hexValue(buf[i]);
      if (digit < 0) break;
      value = value * 16 + digit;
    }
    if (i === first || (i < this.end && buf[i] !== SPACE)) this.fail('malformed record (expected a hex number)');
    this.pos = i;
    return value;
  }

  /** A hex id that must be at most `max`. */
  private index(max: number, what: string): number {
    const value = this.hex();
    if (value > max) this.fail(`refers to ${what} ${value.toString(16)}, which was never defined`);
    return value;
  }

  private checkString(id: number): void {
    if (id > this.strings.length) this.fail(`refers to string ${id.toString(16)}, which was never defined`);
  }

  private fail(message: string, lineNumber = this.lineNumber): never {
    throw new ImportError(`line ${lineNumber}: ${message}`);
  }
}
