/**
 * The profile model: one table per concept, each column a typed array, all
 * strings interned in one table. A million samples are a handful of flat
 * buffers that cross threads and processes without copying object graphs.
 *
 * Every index column uses -1 as "none". Tables are append-only while a
 * profile is built (see builder.ts) and immutable afterwards.
 *
 * Worked example: two samples of `main -> parse -> lex` and one of
 * `main -> parse`, all on thread 7:
 *
 *   strings: ['main', 'parse', 'lex', 'app', 'worker']
 *   funcs:   name [0, 1, 2]   library [3, 3, 3]        (all in 'app')
 *   frames:  func [0, 1, 2]   (one frame per function here; with addresses,
 *                              several frames can share a function)
 *   stacks:  frame [0, 1, 2]  prefix [-1, 0, 1]        stack 2 = main;parse;lex
 *   samples: stack [2, 2, 1]  thread [0, 0, 0]  weight null (1 each)
 *   threads: tid [7]  name [4]
 */

export type IndexIntoStringTable = number;
export type IndexIntoFuncTable = number;
export type IndexIntoFrameTable = number;
export type IndexIntoStackTable = number;
export type IndexIntoThreadTable = number;
export type IndexIntoSampleTable = number;
/** Time since the Unix epoch or since boot, as the recording's clock gives it. */
export type Nanoseconds = number;
export type Bytes = number;

/** What each sample's weight counts; `total`, self and total in reports use it. */
export type WeightUnit = 'samples' | 'nanoseconds' | 'instructions' | 'bytes';

export type ProfileKind = 'cpu' | 'memory';

/** Format ids as `heatline report` prints them. */
export type FormatId =
  | 'perf.data'
  | 'perf-script'
  | 'collapsed'
  | 'dhat'
  | 'massif'
  | 'heaptrack'
  | 'callgrind'
  | 'cachegrind'
  | 'cpuprofile'
  | 'chrome-trace'
  | 'speedscope'
  | 'pprof'
  | 'strace';

/** Where a function's code comes from; the views colour by it. */
export const FuncKind = {
  native: 0,
  kernel: 1,
  jit: 2,
  interpreted: 3,
} as const;
export type FuncKind = (typeof FuncKind)[keyof typeof FuncKind];

/**
 * Functions. One row per distinct (name, file, library, kind).
 * `file` and `library` are string indexes or -1; `startLine` is -1 when unknown.
 */
export interface FuncTable {
  length: number;
  name: Int32Array;
  file: Int32Array;
  startLine: Int32Array;
  library: Int32Array;
  kind: Uint8Array;
}

/**
 * Frames: a function at a code address. `address` is -1 when the format has
 * none (collapsed stacks); `line` is the source line executing in this frame,
 * -1 when unknown. `inlineDepth` is 0 for a real frame and 1.. for functions
 * inlined into it (outermost first).
 *
 * `file` is where `line` is when that is not the function's own file, else
 * -1: a function can run lines of another file without an inlined call of
 * its own (an #include inside its body, a #line directive as in bison's
 * parsers, Rust's MIR inlining), and stays one function. frameFile() reads
 * the two together.
 */
export interface FrameTable {
  length: number;
  func: Int32Array;
  address: Float64Array;
  line: Int32Array;
  file: Int32Array;
  inlineDepth: Uint8Array;
}

/**
 * Call stacks as a prefix tree: stack i is `frame[i]` called from stack
 * `prefix[i]` (-1 at the root). The builder guarantees prefix[i] < i, so one
 * forward pass visits callers before callees.
 */
export interface StackTable {
  length: number;
  frame: Int32Array;
  prefix: Int32Array;
}

/**
 * Samples in time order. `weight` is null when every sample counts 1
 * (the profile's unit is then 'samples'); otherwise one weight per sample in
 * the profile's unit. `time` is NaN for formats without time (collapsed).
 */
export interface SampleTable {
  length: number;
  stack: Int32Array;
  time: Float64Array;
  weight: Float64Array | null;
  thread: Int32Array;
}

/** Threads. `name` and `processName` are string indexes (-1 when unknown). */
export interface ThreadTable {
  length: number;
  tid: Int32Array;
  pid: Int32Array;
  name: Int32Array;
  processName: Int32Array;
}

/** A named series over time: heap bytes, RSS, CPU %. */
export interface CounterTrack {
  name: string;
  unit: string;
  time: Float64Array;
  value: Float64Array;
}

/**
 * Allocation sites of a memory profile, one row per allocating stack.
 * `lifetime` is the mean lifetime of the site's blocks in the format's time
 * unit (NaN when unknown); reads and writes are bytes accessed (NaN when the
 * tool did not count them). `temporary` counts heaptrack's temporary
 * allocations (freed right after being made, nothing allocated in between);
 * NaN for tools that do not record them. `timeline` is null when the format
 * does not record when allocations happen (DHAT, massif).
 */
export interface AllocationTable {
  length: number;
  stack: Int32Array;
  totalBytes: Float64Array;
  totalBlocks: Float64Array;
  peakBytes: Float64Array;
  endBytes: Float64Array;
  reads: Float64Array;
  writes: Float64Array;
  lifetime: Float64Array;
  temporary: Float64Array;
  timeline: AllocationTimeline | null;
}

export type IndexIntoAllocationTable = number;

/**
 * Memory per site over time, rows in time order, `time` on the profile's
 * counters' clock. Two kinds:
 *
 * 'allocated' (heaptrack): one row per (site, time bucket) in which the
 * site allocated, in bounded memory. `time` is the bucket's start, `bucket`
 * every bucket's width; a range selects the rows whose bucket starts in it.
 * Blocks and bytes are those allocated in the bucket, temporary the
 * temporary allocations among them.
 * Example: site 3 allocated 2 blocks of 16 bytes at 5 ms and one at 12 ms,
 * with 10 ms buckets:  site [3, 3]  time [0, 10e6]  blocks [2, 1]  bytes [32, 16]
 *
 * 'snapshots' (massif): one row per (detailed snapshot, site): `bytes` live
 * at that snapshot; `bucket` 0, blocks and temporary NaN. A range selects
 * the largest snapshot in it (what massif's peak is to the whole run).
 */
export interface AllocationTimeline {
  length: number;
  kind: 'allocated' | 'snapshots';
  bucket: Nanoseconds;
  site: Int32Array;
  time: Float64Array;
  bytes: Float64Array;
  blocks: Float64Array;
  temporary: Float64Array;
}

/**
 * Markers: instants of events other than the sampled one, drawn on their
 * thread's timeline track (perf's sched:sched_switch next to cpu-clock
 * samples, for example). One row per event occurrence, in time order.
 * `event` is a string index (the event's name), `stack` the call stack
 * recorded with it (-1 when none), `detail` a string index of a one-line
 * description (tracepoint fields; -1 when none).
 *
 * Example: two context switches of thread 0 with a stack each, one of thread 1
 * without:  time [10, 20, 30]  thread [0, 0, 1]  event [5, 5, 5]  stack [4, 9, -1]
 */
export interface MarkerTable {
  length: number;
  time: Float64Array;
  thread: Int32Array;
  event: Int32Array;
  stack: Int32Array;
  detail: Int32Array;
}

export interface ProfileMeta {
  format: FormatId;
  kind: ProfileKind;
  unit: WeightUnit;
  /** The file's base name, for titles and error lines. */
  sourceName: string;
  /** Earliest and latest sample (or marker) time; NaN when the format has no time. */
  startTime: Nanoseconds;
  endTime: Nanoseconds;
  /** The profiled command line, when the format records it. */
  command: string | null;
  host: string | null;
  /** Name of the sampled event (cpu-clock, cycles, ...), when known. */
  eventName: string | null;
  /** Non-fatal problems met while importing, one line each. */
  warnings: string[];
  /** The binaries the recording names, with their build-ids when known (perf.data): for disassembly and per-build remaps. */
  binaries?: { path: string; buildId: string | null }[];
}

export interface Profile {
  meta: ProfileMeta;
  strings: string[];
  funcs: FuncTable;
  frames: FrameTable;
  stacks: StackTable;
  samples: SampleTable;
  threads: ThreadTable;
  counters: CounterTrack[];
  allocations: AllocationTable | null;
  /** Events besides the sampled one, as instants on the timeline; null when the recording has none. */
  markers: MarkerTable | null;
}

/** The string at `index`, or `fallback` for -1. */
export function stringAt(profile: Profile, index: IndexIntoStringTable, fallback = ''): string {
  return index < 0 ? fallback : (profile.strings[index] ?? fallback);
}

/** The file of frame `frame`'s line: its own when it has one, else its function's (-1 when neither is known). */
export function frameFile(profile: Profile, frame: IndexIntoFrameTable): IndexIntoStringTable {
  const own = profile.frames.file[frame];
  return own >= 0 ? own : profile.funcs.file[profile.frames.func[frame]];
}

/** Weight of sample `i`: 1 unless the profile carries weights. */
export function sampleWeight(samples: SampleTable, i: IndexIntoSampleTable): number {
  return samples.weight === null ? 1 : samples.weight[i];
}
