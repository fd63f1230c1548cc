/**
 * What each perf.data record does to the reader's state: one switch over
 * record types (include/uapi/linux/perf_event.h enum perf_event_type, plus
 * perf's own user types from tools/lib/perf/include/perf/event.h).
 *
 *   SAMPLE           -> a call path (locations) + thread + time per sample
 *   MMAP, MMAP2      -> the process's address space (address-space.ts)
 *   COMM, FORK, EXIT -> thread names and lifetimes (threads.ts)
 *   LOST, LOST_SAMPLES, THROTTLE -> counts for warnings
 *   HEADER_ATTR, HEADER_FEATURE, HEADER_BUILD_ID, EVENT_UPDATE -> the pipe
 *                       format's header, arriving in the stream
 * Anything else is skipped by its size. No record is trusted: fields are
 * read only inside the record, and a malformed one is counted and skipped.
 */

import { AddressSpace, BinaryTable } from './address-space';
import { ChainCache, NOT_FOUND, PREFIX_STEP } from './chains';
import { CompressedRecords } from './compressed';
import { bytesOf, cString, u64, u64Exact, u64Hi } from './binary';
import { Float64Column, Int32Column } from './columns';
import { emptyFeatures, readBuildIds, readFeature, type PerfFeatures } from './features';
import { parseAttr, readIds, type PerfEventAttr } from './header';
import { CallPaths, Locations } from './locations';
import { OrderedQueue } from './ordered';
import { recordedBuildIdOf } from './recorded-build-id';
import { SampleDecoder, SampleFields, userStackSample, type ModuleLookup, type UserStackUnwinder } from './sample';
import type { KernelReference } from '../../symbols/kernel';
import { Threads } from './threads';

/**
 * Record types (perf_event.h; perf's own from 64 up). A const enum: its values are inlined, so the reader's
 * switch compares numbers, not property loads that deoptimize it when a rare record type first comes.
 */
const enum RecordType {
  MMAP = 1,
  LOST = 2,
  COMM = 3,
  EXIT = 4,
  THROTTLE = 5,
  UNTHROTTLE = 6,
  FORK = 7,
  SAMPLE = 9,
  MMAP2 = 10,
  LOST_SAMPLES = 13,
  HEADER_ATTR = 64,
  HEADER_TRACING_DATA = 66,
  HEADER_BUILD_ID = 67,
  FINISHED_ROUND = 68,
  AUXTRACE = 71,
  EVENT_UPDATE = 78,
  HEADER_FEATURE = 80,
  COMPRESSED = 81,
  COMPRESSED2 = 83,
}

/** Types we know and deliberately ignore (no warning): READ, AUX, SWITCH, KSYMBOL, ID_INDEX, THREAD_MAP, ... */
const IGNORED_TYPES = new Set([8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 65, 68, 69, 70, 72, 73, 74, 75, 76, 77, 79, 82]);

const MISC_COMM_EXEC = 1 << 13;
const MISC_MMAP_DATA = 1 << 13;
const MISC_MMAP_BUILD_ID = 1 << 14;
// Local constants (not imported) in the per-sample path: see locations.ts.
const TWO_32 = 2 ** 32;
const MAX_EXACT_HI = 0x1fffff;
const CPUMODE_MASK = 7;
const CPUMODE_KERNEL = 1;
const CPUMODE_USER = 2;
/** perf's own record types (HEADER_ATTR and up) are not kernel events: they are never reordered. */
const USER_TYPE_START = 64;
const MALFORMED = -1;
const UNKNOWN_EVENT = -2;
/** perf_event.h PERF_EVENT_UPDATE__NAME. */
const EVENT_UPDATE_NAME = 2;

/**
 * Call-chain context markers (PERF_CONTEXT_*: -32 HV, -128 KERNEL, -512 USER,
 * -2048 GUEST, -2176 GUEST_KERNEL, -2560 GUEST_USER) are u64 values >= -4095:
 * high half all ones, low half >= 0xfffff001. Each switches the cpumode of
 * the entries after it.
 */
const MARKER_MIN_LO = 0xfffff001;
function cpumodeOfMarker(lo: number): number {
  switch (lo) {
    case 0xffffff80:
      return CPUMODE_KERNEL;
    case 0xfffffe00:
      return CPUMODE_USER;
    default:
      return -1; // hypervisor, guest, or a marker newer than this reader: not host code
  }
}

export interface Counts {
  /** Samples the kernel dropped, as its ring buffers overflowed (LOST records). */
  lostChunks: number;
  /**
   * The same losses as perf counts them at the end of a recording (LOST_SAMPLES
   * records, perf 6.x): where present these are the total (perf report's "Total
   * Lost Samples"), and adding the LOST records would count every loss twice.
   */
  lostSamples: number;
  throttled: number;
  /** Records whose fields ran past their size, or samples of an event with an unknown layout. */
  malformed: number;
  /** Samples whose event id matches no event. */
  unknownEvent: number;
  unknownTypes: number;
  /** Samples that arrived before any event was described (pipe mode). */
  beforeAttrs: number;
  /** Samples with bytes after their last known field. */
  looseSamples: number;
}

/**
 * A caller's call site from its return address (hi, lo): the return address
 * is the instruction after the call, which may be another line or the start
 * of an inlined function; the byte before it is in the call, as perf's
 * unwinders (libdw, libunwind) and gdb name a caller. The high half borrows
 * when lo is 0.
 */
function callSiteHi(hi: number, lo: number): number {
  return lo === 0 ? (hi - 1) >>> 0 : hi;
}

function callSiteLo(lo: number): number {
  return (lo - 1) >>> 0;
}

export class PerfDataReader {
  readonly attrs: PerfEventAttr[] = [];
  readonly features: PerfFeatures = emptyFeatures();
  readonly threads = new Threads();
  readonly binaries = new BinaryTable();
  readonly space = new AddressSpace();
  readonly locations = new Locations(this.space, this.binaries);
  readonly paths = new CallPaths();
  readonly counts: Counts = { lostChunks: 0, lostSamples: 0, throttled: 0, malformed: 0, unknownEvent: 0, unknownTypes: 0, beforeAttrs: 0, looseSamples: 0 };
  readonly warnings: string[] = [];
  /** Where the recorded kernel's text was (its MMAP), to relocate kallsyms; null when not recorded. */
  kernelReference: KernelReference | null = null;

  /** Sample columns: call-path node, thread, time, event index (emptied by releaseSamples once the profile has them). */
  sampleNode = new Int32Column();
  sampleThread = new Int32Column();
  sampleTime = new Float64Column();
  sampleEvent = new Int32Column();
  /** Samples per event. */
  readonly eventSamples: number[] = [];
  /** Per event: its first sample's period, and whether a later one differed (perf report weighs by period). */
  readonly eventFirstPeriod: number[] = [];
  readonly eventPeriodsVary: boolean[] = [];

  private decoders: SampleDecoder[] = [];
  private readonly idToEvent = new Map<number, number>();
  private readonly fields = new SampleFields();
  private chains = new ChainCache();
  /** The same for unwound (--call-graph dwarf) paths, by their locations. */
  private unwoundChains = new ChainCache();
  /** perf record -z batches, decompressed into this.handle (compressed.ts). */
  private readonly compressed: CompressedRecords;
  private scratch = new Int32Array(256);
  /** walkCallers()'s per-word cpumodes, reused. */
  private wordModes = new Int32Array(256);
  /** ... and whether each is an exact pc (the first word of its context) rather than a return address. */
  private wordExact = new Uint8Array(256);
  private readonly hiAt: number;
  private readonly loAt: number;
  private readonly lookup: ModuleLookup & { pid: number };
  private readonly queue: OrderedQueue;

  constructor(
    private readonly le: boolean,
    private readonly unwinder: UserStackUnwinder | null = null,
  ) {
    this.hiAt = le ? 4 : 0;
    this.loAt = le ? 0 : 4;
    this.queue = new OrderedQueue(this.process, le);
    this.compressed = new CompressedRecords(this.handle, le, this.released);
    const space = this.space;
    const binaries = this.binaries;
    this.lookup = {
      pid: -1,
      find(address: number) {
        return space.find(this.pid, address);
      },
      // The build-id symbolization finds the binary by (recorded-build-id.ts), not only its MMAP2's: the vdso has
      // no file, and without one its copy in ~/.debug (or this kernel's own) is not found, nor its CFI.
      mapping: (m: number) => {
        const b = space.binary[m];
        return { path: binaries.paths[b], buildId: recordedBuildIdOf(this, b), start: space.start[m], end: space.end[m], pgoff: space.pgoff[m] };
      },
    };
  }

  addAttr(attr: PerfEventAttr): void {
    const event = this.attrs.length;
    if (event > 255) {
      this.warnings.push('more than 256 events: the rest are ignored');
      return;
    }
    this.attrs.push(attr);
    this.decoders.push(new SampleDecoder(attr, this.le));
    this.eventSamples.push(0);
    this.eventFirstPeriod.push(NaN);
    this.eventPeriodsVary.push(false);
    for (const id of attr.ids) if (!this.idToEvent.has(id)) this.idToEvent.set(id, event);
  }

  /**
   * Takes one record from the stream (see stream.ts) and returns the length
   * of a payload that follows it. Records with a time wait in the ordering
   * queue (ordered.ts); perf's own records and untimed ones apply at once.
   */
  readonly handle = (view: DataView, pos: number, type: number, misc: number, size: number): number => {
    if (type === RecordType.FINISHED_ROUND) {
      this.queue.finishRound();
      return 0;
    }
    // Where the record's time is; the queue reads it there (a double passed along would be boxed per record).
    // perf's own records (user types) apply at once, and so do those without a usable time (none, 0 or ~0:
    // synthesized ones). One call for all of them: a second call site first reached mid-file, after the
    // optimizing compiler saw this code, would deoptimize the reader.
    const timeAt =
      type >= USER_TYPE_START ? -1 : type === RecordType.SAMPLE ? this.sampleTimeAt(view, pos, size) : this.trailerTimeAt(pos, size, view);
    if (timeAt < 0 || !this.queue.push(view, pos, size, timeAt)) return this.process(view, pos, type, misc, size);
    return 0;
  };

  /** The stream is about to reuse the bytes it handed over: the ordering queue copies what it keeps of them. */
  readonly released = (): void => this.queue.detach();

  /** The profile builder has copied the samples: free the columns before it makes its final arrays (peak memory). */
  releaseSamples(): void {
    this.sampleNode = new Int32Column(16);
    this.sampleThread = new Int32Column(16);
    this.sampleTime = new Float64Column(16);
    this.sampleEvent = new Int32Column(16);
  }

  /** The end of the data: apply what still waits for its turn. */
  finish(): void {
    this.queue.flushAll();
    const compressedProblem = this.compressed.warning();
    if (compressedProblem) this.warnings.push(compressedProblem);
    // Lookup structures only the read needs: free them before the profile is built (peak memory).
    this.queue.release();
    this.chains = new ChainCache();
    this.paths.seal();
    this.locations.dropCaches();
    this.unwoundChains = new ChainCache();
  }

  /** Applies one record to the state, in time order. */
  private readonly process = (view: DataView, pos: number, type: number, misc: number, size: number): number => {
    switch (type) {
      case RecordType.SAMPLE:
        this.sample(view, pos, misc, size);
        return 0;
      case RecordType.MMAP:
      case RecordType.MMAP2:
        this.mmap(view, pos, type, misc, size);
        return 0;
      case RecordType.COMM:
        this.comm(view, pos, misc, size);
        return 0;
      case RecordType.FORK:
      case RecordType.EXIT:
        if (size < 32) this.counts.malformed++;
        else {
          // { header; u32 pid, ppid; u32 tid, ptid; u64 time; sample_id }
          const le = this.le;
          const pid = view.getInt32(pos + 8, le);
          const ppid = view.getInt32(pos + 12, le);
          const tid = view.getInt32(pos + 16, le);
          const ptid = view.getInt32(pos + 20, le);
          // perf dates thread events by their sample_id time (machine.c); the body's own time is the fallback.
          const trailer = this.trailerTime(view, pos, size);
          const time = trailer > 0 ? trailer : u64(view, pos + 24, le);
          if (type === RecordType.EXIT) this.threads.exit(pid, tid, time);
          else {
            this.threads.fork(pid, ppid, tid, ptid, time);
            if (pid !== ppid) this.space.fork(pid, ppid);
          }
        }
        return 0;
      case RecordType.LOST:
        if (size >= 24) this.counts.lostChunks += u64(view, pos + 16, this.le);
        return 0;
      case RecordType.LOST_SAMPLES:
        // Not those a BPF filter dropped on purpose (misc bit 15), as perf report counts them.
        if (size >= 16 && (misc & 0x8000) === 0) this.counts.lostSamples += u64(view, pos + 8, this.le);
        return 0;
      case RecordType.THROTTLE:
        this.counts.throttled++;
        return 0;
      case RecordType.UNTHROTTLE:
        return 0;
      case RecordType.HEADER_ATTR:
        this.headerAttr(view, pos, size);
        return 0;
      case RecordType.HEADER_FEATURE:
        if (size >= 16) {
          const warning = readFeature(this.features, u64(view, pos + 8, this.le), new DataView(view.buffer, view.byteOffset + pos + 16, size - 16), this.le);
          if (warning) this.warnings.push(warning);
        }
        return 0;
      case RecordType.HEADER_BUILD_ID:
        try {
          this.features.buildIds.push(...readBuildIds(new DataView(view.buffer, view.byteOffset + pos, size), this.le));
        } catch {
          this.counts.malformed++;
        }
        return 0;
      case RecordType.EVENT_UPDATE:
        if (size > 24 && u64(view, pos + 8, this.le) === EVENT_UPDATE_NAME) {
          const event = this.idToEvent.get(u64(view, pos + 16, this.le));
          if (event !== undefined) this.attrs[event].name = cString(bytesOf(view), pos + 24, pos + size);
        }
        return 0;
      case RecordType.HEADER_TRACING_DATA:
        // struct { header; u32 size; } then `size` bytes of tracing data (already 8-byte aligned by perf).
        return size >= 12 ? view.getUint32(pos + 8, this.le) : 0;
      case RecordType.AUXTRACE: {
        // struct auxtrace_event { header; u64 size; ... } then `size` bytes of trace data.
        const payload = size >= 16 ? u64Exact(view, pos + 8, this.le) : 0;
        return payload > 0 ? payload : 0;
      }
      case RecordType.COMPRESSED:
        this.compressed.push(bytesOf(view).subarray(pos + 8, pos + size));
        return 0;
      case RecordType.COMPRESSED2: {
        // { header; u64 data_size; data; } padded to 8 bytes: data_size says how much is data.
        const dataSize = size >= 16 ? u64Exact(view, pos + 8, this.le) : -1;
        if (dataSize < 0 || dataSize > size - 16) this.counts.malformed++;
        else this.compressed.push(bytesOf(view).subarray(pos + 16, pos + 16 + dataSize));
        return 0;
      }
      default:
        if (!IGNORED_TYPES.has(type)) this.counts.unknownTypes++;
        return 0;
    }
  };

  private sample(view: DataView, pos: number, misc: number, size: number): void {
    const decoders = this.decoders;
    if (decoders.length === 0) {
      this.counts.beforeAttrs++;
      return;
    }
    const event = this.eventOf(view, pos, size);
    if (event < 0) {
      if (event === MALFORMED) this.counts.malformed++;
      else this.counts.unknownEvent++;
      return;
    }
    const decoder = decoders[event];
    const f = this.fields;
    const fieldsEnd = decoder.decodable ? decoder.decode(view, pos + 8, pos + size, f) : -1;
    if (fieldsEnd < 0) {
      this.counts.malformed++;
      return;
    }
    // The kernel sizes samples exactly; bytes left over mean a layout this reader gets wrong.
    if (fieldsEnd !== pos + size) this.counts.looseSamples++;
    const thread = this.threads.index(f.pid, f.tid);
    const node = this.callPath(view, decoder, misc, f);
    this.sampleNode.push(node);
    this.sampleThread.push(thread);
    this.sampleTime.push(f.time);
    this.sampleEvent.push(event);
    if (this.eventSamples[event]++ === 0) this.eventFirstPeriod[event] = f.period;
    else if (f.period !== this.eventFirstPeriod[event]) this.eventPeriodsVary[event] = true;
  }

  /** The event a sample belongs to: an index into attrs, MALFORMED, or UNKNOWN_EVENT. */
  private eventOf(view: DataView, pos: number, size: number): number {
    const decoders = this.decoders;
    if (decoders.length <= 1) return decoders.length - 1;
    // perf requires every event to carry its id at the same place (evlist__valid_sample_type); use the first's.
    // Without ids perf cannot tell the events apart either, and neither can we: all go to the first.
    const at = decoders[0].sampleIdOffset;
    if (at < 0) return 0;
    if (8 + at + 8 > size) return MALFORMED;
    return this.idToEvent.get(u64(view, pos + 8 + at, this.le)) ?? UNKNOWN_EVENT;
  }

  /** Where a sample's time is in the view, for ordering; -1 when it has none (or is malformed: it is delivered, and refused, at once). */
  private sampleTimeAt(view: DataView, pos: number, size: number): number {
    const event = this.eventOf(view, pos, size);
    if (event < 0) return -1;
    const at = this.decoders[event].sampleTimeOffset;
    return at >= 0 && 8 + at + 8 <= size ? pos + 8 + at : -1;
  }

  /**
   * The call-path node of a sample: its call chain (or its ip), as locations, root first.
   *
   * A chain is [context markers] leaf [callers...]. Samples repeat the same callers
   * massively while the leaf ip moves around inside a loop, so the callers part is
   * looked up whole by its raw words (chains.ts) and only a new one is walked frame
   * by frame; the leaf is then one more step in the tree.
   */
  private callPath(view: DataView, decoder: SampleDecoder, misc: number, f: SampleFields): number {
    if (this.unwinder !== null && f.stackOffset >= 0) return this.unwoundPath(view, decoder, misc, f);
    const le = this.le;
    const pid = f.pid;
    const nr = f.callchainLength;
    let cpumode = misc & CPUMODE_MASK;
    let leaf = 0;
    let hi = 0;
    let lo = 0;
    for (let o = f.callchainOffset; leaf < nr; leaf++, o += 8) {
      hi = view.getUint32(o + this.hiAt, le);
      lo = view.getUint32(o + this.loAt, le);
      if (hi !== 0xffffffff || lo < MARKER_MIN_LO) break;
      cpumode = cpumodeOfMarker(lo);
    }
    if (leaf === nr) return this.paths.child(-1, this.location(misc & CPUMODE_MASK, pid, f.ipHi, f.ipLo));

    let parent = -1;
    const callers = nr - leaf - 1;
    if (callers > 0) {
      const callersAt = f.callchainOffset + 8 * (leaf + 1);
      const version = this.space.version(pid);
      parent = this.chains.find(view, callersAt, callers, pid, version, cpumode);
      if (parent === NOT_FOUND) parent = this.walkCallers(view, callersAt, callers, cpumode, pid);
    }
    return this.paths.child(parent, this.location(cpumode, pid, hi, lo));
  }

  /**
   * The node of the `nr` caller words at view[offset...] (leaf first) that
   * chains.find() just missed: from the deepest outer part of them that is
   * stored, one frame at a time toward the leaf, storing the outer parts on
   * the way (see chains.ts).
   */
  private walkCallers(view: DataView, offset: number, nr: number, cpumode: number, pid: number): number {
    const le = this.le;
    const { hiAt, loAt } = this;
    // The mode each word is read in: set by the nearest context marker on its leaf side. The word right
    // after a marker is the pc where that context was left (user code entering the kernel), not a return
    // address; the callers' first word follows the leaf, so it is one.
    if (nr > this.wordModes.length) {
      this.wordModes = new Int32Array(2 * nr);
      this.wordExact = new Uint8Array(2 * nr);
    }
    const modes = this.wordModes;
    const exact = this.wordExact;
    let mode = cpumode;
    let afterMarker = false;
    for (let i = 0, o = offset; i < nr; i++, o += 8) {
      modes[i] = mode;
      exact[i] = afterMarker ? 1 : 0;
      const lo = view.getUint32(o + loAt, le);
      afterMarker = lo >= MARKER_MIN_LO && view.getUint32(o + hiAt, le) === 0xffffffff;
      if (afterMarker) mode = cpumodeOfMarker(lo);
    }
    // The outer `depth` words end at word nr - depth, read in modes[nr - depth], as an exact pc or not: both
    // are part of what the stored node means, so both go into the key (the mode in bits 0-2, exactness bit 3).
    let depth = (nr - 1) & ~(PREFIX_STEP - 1);
    let node = -1;
    for (; depth > 0; depth -= PREFIX_STEP) {
      const known = this.chains.knownPrefix(depth, modes[nr - depth] | (exact[nr - depth] << 3));
      if (known !== NOT_FOUND) {
        node = known;
        break;
      }
    }
    // Cache hits are looked up right here, not through location(): see chainLocations().
    const userCache = this.locations.userCache(pid);
    const kernelCache = this.locations.kernelCache;
    for (let d = depth + 1; d <= nr; d++) {
      const i = nr - d;
      const o = offset + 8 * i;
      const hi = view.getUint32(o + hiAt, le);
      const lo = view.getUint32(o + loAt, le);
      const wordMode = modes[i];
      if (hi !== 0xffffffff || lo < MARKER_MIN_LO) {
        // A caller's frame is its call site (callSiteHi); an exact pc or a 0 word (no address) stays as it is.
        const asIs = exact[i] === 1 || (hi === 0 && lo === 0);
        const siteHi = asIs ? hi : callSiteHi(hi, lo);
        const siteLo = asIs ? lo : callSiteLo(lo);
        let location = -1;
        if (wordMode === CPUMODE_USER) location = userCache.get(siteHi, siteLo);
        else if (wordMode === CPUMODE_KERNEL) location = kernelCache.get(siteHi, siteLo);
        node = this.paths.child(node, location >= 0 ? location : this.location(wordMode, pid, siteHi, siteLo));
      }
      if ((d & (PREFIX_STEP - 1)) === 0 || d === nr) this.chains.add(d, nr, wordMode | (exact[i] << 3), node);
    }
    return node;
  }

  /** --call-graph dwarf: the kernel's chain (kernel part only) plus the user frames unwound from the stack copy. */
  private unwoundPath(view: DataView, decoder: SampleDecoder, misc: number, f: SampleFields): number {
    const pid = f.pid;
    let count = this.chainLocations(view, f.callchainOffset, f.callchainLength, misc & CPUMODE_MASK, pid, 0);
    this.lookup.pid = pid;
    const user = this.unwinder !== null ? userStackSample(decoder, view, f, this.features.arch, this.le) : null;
    const pcs = user && this.unwinder ? this.unwinder.unwind(user, this.lookup) : [];
    this.reserveScratch(count + pcs.length + 1);
    const scratch = this.scratch;
    // As in chainLocations(): the process's cache fetched once, hits looked up right here.
    const locations = this.locations;
    const userCache = locations.userCache(pid);
    for (let i = 0; i < pcs.length; i++) {
      const pc = pcs[i];
      const hi = Math.floor(pc / TWO_32);
      const lo = pc >>> 0;
      const location = hi <= MAX_EXACT_HI ? userCache.get(hi, lo) : -1;
      scratch[count++] = location >= 0 ? location : locations.userMiss(pid, hi, lo, userCache);
    }
    if (count === 0) scratch[count++] = this.location(misc & CPUMODE_MASK, pid, f.ipHi, f.ipLo);
    return this.unwoundNode(count);
  }

  /**
   * The call-path node of scratch[0, count) (leaf first); -1 for no frames.
   * As for frame-pointer chains: the whole path is looked up by a hash of its
   * locations, else its deepest stored outer part, and only the frames below
   * that are walked (chains.ts).
   */
  private unwoundNode(count: number): number {
    if (count === 0) return -1;
    const scratch = this.scratch;
    const chains = this.unwoundChains;
    let node = chains.findLocations(scratch, count);
    if (node !== NOT_FOUND) return node;
    let depth = (count - 1) & ~(PREFIX_STEP - 1);
    node = -1;
    for (; depth > 0; depth -= PREFIX_STEP) {
      const known = chains.knownPrefix(depth, 0);
      if (known !== NOT_FOUND) {
        node = known;
        break;
      }
    }
    for (let d = depth + 1; d <= count; d++) {
      node = this.paths.child(node, scratch[count - d]);
      if ((d & (PREFIX_STEP - 1)) === 0 || d === count) chains.add(d, count, 0, node);
    }
    return node;
  }

  /**
   * Writes the locations of the `nr` call-chain words at view[offset...] to
   * scratch[count...], leaf first, skipping context markers (each switches
   * the cpumode of the words after it); returns the new count.
   */
  private chainLocations(view: DataView, offset: number, nr: number, cpumode: number, pid: number, count: number): number {
    const le = this.le;
    this.reserveScratch(count + nr + 1);
    const scratch = this.scratch;
    // Cache hits are looked up right here, not through location(): a u32 above 2^31 passed to a
    // call that is not inlined is boxed, and this loop runs once per frame of every new chain.
    const userCache = this.locations.userCache(pid);
    const kernelCache = this.locations.kernelCache;
    // The first word, and the first after each marker, are exact pcs; the others return addresses.
    let exact = true;
    for (let i = 0, o = offset; i < nr; i++, o += 8) {
      const hi = view.getUint32(o + this.hiAt, le);
      const lo = view.getUint32(o + this.loAt, le);
      if (hi === 0xffffffff && lo >= MARKER_MIN_LO) {
        cpumode = cpumodeOfMarker(lo);
        exact = true;
        continue;
      }
      const asIs = exact || (hi === 0 && lo === 0);
      const siteHi = asIs ? hi : callSiteHi(hi, lo);
      const siteLo = asIs ? lo : callSiteLo(lo);
      exact = false;
      let location = -1;
      if (cpumode === CPUMODE_USER) location = userCache.get(siteHi, siteLo);
      else if (cpumode === CPUMODE_KERNEL) location = kernelCache.get(siteHi, siteLo);
      scratch[count++] = location >= 0 ? location : this.location(cpumode, pid, siteHi, siteLo);
    }
    return count;
  }

  private reserveScratch(length: number): void {
    if (length > this.scratch.length) {
      const bigger = new Int32Array(Math.max(length, 2 * this.scratch.length));
      bigger.set(this.scratch);
      this.scratch = bigger;
    }
  }

  private location(cpumode: number, pid: number, hi: number, lo: number): number {
    if (cpumode === CPUMODE_KERNEL) return this.locations.kernel(hi, lo);
    if (cpumode === CPUMODE_USER) return this.locations.user(pid, hi, lo);
    // Unknown mode (no marker, no misc): the upper half of the address space is the kernel's on x86-64 and arm64.
    if (cpumode === 0) return hi >= 0x80000000 ? this.locations.kernel(hi, lo) : this.locations.user(pid, hi, lo);
    return this.locations.unmapped(hi, lo);
  }

  /**
   * MMAP:  { header; u32 pid, tid; u64 addr, len, pgoff; char filename[]; sample_id }
   * MMAP2: { header; u32 pid, tid; u64 addr, len, pgoff;
   *          u32 maj, min; u64 ino, ino_generation  |  u8 build_id_size, 3 pad, u8 build_id[20];
   *          u32 prot, flags; char filename[]; sample_id }
   */
  private mmap(view: DataView, pos: number, type: number, misc: number, size: number): void {
    const nameAt = type === RecordType.MMAP ? 40 : 72;
    if (size <= nameAt) {
      this.counts.malformed++;
      return;
    }
    const le = this.le;
    const pid = view.getInt32(pos + 8, le);
    const cpumode = misc & CPUMODE_MASK;
    if (pid === -1 && cpumode === CPUMODE_KERNEL) this.kernelMap(view, pos, nameAt, size);
    // Kernel and module maps (pid -1) are resolved through kallsyms, data maps hold no code, guests are not ours.
    if (pid === -1 || (misc & MISC_MMAP_DATA) !== 0 || (cpumode !== CPUMODE_USER && cpumode !== 0)) return;
    if (u64Hi(view, pos + 16, le) > MAX_EXACT_HI || u64Hi(view, pos + 24, le) > MAX_EXACT_HI || u64Hi(view, pos + 32, le) > MAX_EXACT_HI) return;
    const start = u64(view, pos + 16, le);
    const length = u64(view, pos + 24, le);
    const pgoff = u64(view, pos + 32, le);
    const bytes = bytesOf(view);
    let buildId: string | null = null;
    if (type === RecordType.MMAP2 && (misc & MISC_MMAP_BUILD_ID) !== 0) {
      const idSize = Math.min(20, bytes[pos + 40]);
      buildId = '';
      for (let i = 0; i < idSize; i++) buildId += bytes[pos + 44 + i].toString(16).padStart(2, '0');
    }
    const path = cString(bytes, pos + nameAt, pos + size);
    this.space.mmap(pid, start, length, pgoff, this.binaries.index(path, buildId));
  }

  /**
   * The kernel's own map, `[kernel.kallsyms]_text` (or `_stext`): its pgoff
   * is where that symbol was, which relocates kallsyms to the recorded boot
   * (symbols/kernel.ts).
   */
  private kernelMap(view: DataView, pos: number, nameAt: number, size: number): void {
    const name = cString(bytesOf(view), pos + nameAt, pos + size);
    const prefix = '[kernel.kallsyms]';
    if (!name.startsWith(prefix) || name.length === prefix.length) return;
    this.kernelReference = { symbol: name.slice(prefix.length), address: view.getBigUint64(pos + 32, this.le) };
  }

  /** COMM: { header; u32 pid, tid; char comm[]; sample_id }. The exec flag means a new program image. */
  private comm(view: DataView, pos: number, misc: number, size: number): void {
    if (size <= 16) {
      this.counts.malformed++;
      return;
    }
    const le = this.le;
    const pid = view.getInt32(pos + 8, le);
    const tid = view.getInt32(pos + 12, le);
    const name = cString(bytesOf(view), pos + 16, pos + size);
    this.threads.rename(pid, tid, name);
    if (misc & MISC_COMM_EXEC) {
      this.space.exec(pid);
      // A program started by `perf record CMD` was forked before recording began: its exec is its start.
      const thread = this.threads.index(pid, tid);
      if (Number.isNaN(this.threads.start[thread])) this.threads.start[thread] = this.trailerTime(view, pos, size);
    }
  }

  /** The sample_id_all time at the end of a non-sample record; NaN when the event has none. */
  private trailerTime(view: DataView, pos: number, size: number): number {
    const at = this.trailerTimeAt(pos, size, view);
    return at < 0 ? NaN : u64(view, at, this.le);
  }

  /** Where the sample_id_all time of a non-sample record is; -1 when the event has none. */
  private trailerTimeAt(pos: number, size: number, view?: DataView): number {
    let decoder = this.decoders[0];
    if (!decoder) return -1;
    if (view && this.decoders.length > 1 && decoder.trailerIdFromEnd > 0 && decoder.trailerIdFromEnd <= size - 8) {
      const event = this.idToEvent.get(u64(view, pos + size - decoder.trailerIdFromEnd, this.le));
      if (event !== undefined) decoder = this.decoders[event];
    }
    const back = decoder.trailerTimeFromEnd;
    return back === 0 || back > size - 8 ? -1 : pos + size - back;
  }

  /** Pipe mode: HEADER_ATTR { header; perf_event_attr attr; u64 id[]; } with attr.size bytes of attr. */
  private headerAttr(view: DataView, pos: number, size: number): void {
    if (size < 8 + 64) {
      this.counts.malformed++;
      return;
    }
    const attrSize = Math.min(view.getUint32(pos + 12, this.le) || 64, size - 8);
    const attr = parseAttr(view, pos + 8, attrSize, this.le);
    attr.ids = readIds(view, pos + 8 + attrSize, Math.floor((size - 8 - attrSize) / 8), this.le);
    this.addAttr(attr);
  }
}
