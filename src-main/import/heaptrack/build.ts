/**
 * heaptrack costs -> Profile. Each trace that allocated is a site: one
 * weighted sample (weight = bytes it allocated) and one allocation row:
 *
 *   totalBytes = bytes allocated   totalBlocks = allocations
 *   peakBytes  = peak              endBytes    = leaked
 *   temporary  = temporary allocations
 *   reads, writes, lifetime: NaN (heaptrack does not measure them)
 *   timeline   = when each site allocated, in time buckets (timeline.ts)
 *
 * The stack is the trace's frames, innermost inlined function deepest, cut
 * at the allocator's caller (allocator-frames.ts; heaptrack itself starts
 * traces at malloc's caller and skips `operator new`). Frames below main
 * stay: the views can fold them, and dropping them loses nothing's cost.
 * Functions without a symbol are named by their module and address (unnamed-code.ts).
 */

import { unnamedCodeName } from '../unnamed-code';
import { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { AllocationTimeline, IndexIntoStackTable, Profile } from '../../../src-shared/profile/model';
import { isAllocatorFunction } from '../dhat/allocator-frames';
import { programName } from '../dhat/command-line';
import type { HeaptrackData } from './reader';

const NANOSECONDS_PER_MS = 1e6;

export interface HeaptrackProfile {
  profile: Profile;
  /** Temporary allocations per allocation row (the same as the table's temporary column). */
  temporaryBlocks: Float64Array;
}

export function buildHeaptrackProfile(data: HeaptrackData, sourceName: string): HeaptrackProfile {
  const builder = new ProfileBuilder({ format: 'heaptrack', kind: 'memory', unit: 'bytes', sourceName, weighted: true });
  builder.meta.command = data.command;
  builder.meta.warnings.push(...data.warnings);
  const ns = (ms: Float64Array) => ms.map((t) => t * NANOSECONDS_PER_MS);
  builder.addCounter({ name: 'heap', unit: 'bytes', time: ns(data.heapTime), value: data.heapValue });
  if (data.rssValue.length > 0) builder.addCounter({ name: 'rss', unit: 'bytes', time: ns(data.rssTime), value: data.rssValue });
  const thread = builder.thread(0, 0, null, programName(data.command));

  const string = (id: number): string | null => (id === 0 ? null : (data.strings[id - 1] ?? null));
  const traceCount = data.traceIp.length;

  // Frames of each ip, outermost (the real function, inline depth 0) first, and their names.
  const ipFrames: (Int32Array | undefined)[] = [];
  const ipNames: (string[] | undefined)[] = [];
  const framesOf = (ip: number): Int32Array => {
    let frames = ipFrames[ip];
    if (frames !== undefined) return frames;
    if (ip === 0) {
      // heaptrack_interpret writes ip id 0 for a null return address.
      frames = Int32Array.of(builder.frame(builder.func('[unknown]')));
      ipFrames[ip] = frames;
      ipNames[ip] = ['[unknown]'];
      return frames;
    }
    const i = ip - 1;
    const address = data.ipAddress[i];
    const library = string(data.ipModule[i]);
    const start = data.ipFrameStart[i];
    const count = data.ipFrameStart[i + 1] - start;
    const hexName = unnamedCodeName(address, library);
    const names: string[] = [];
    frames = new Int32Array(Math.max(1, count));
    if (count === 0) {
      frames[0] = builder.frame(builder.func(hexName, { library }), { address });
      names.push(hexName);
    }
    for (let k = 0; k < count; k++) {
      // Stored innermost first; the outermost is the real frame.
      const j = start + count - 1 - k;
      const name = string(data.frameFunction[j]) ?? hexName;
      const line = data.frameLine[j];
      const func = builder.func(name, { file: string(data.frameFile[j]), library });
      frames[k] = builder.frame(func, { address, line: line > 0 ? line : -1, inlineDepth: Math.min(255, k) });
      names.push(name);
    }
    ipFrames[ip] = frames;
    ipNames[ip] = names;
    return frames;
  };

  // Full stacks per trace id, built on demand from the root down (parents have smaller ids).
  const traceStack = new Int32Array(traceCount + 1).fill(-2);
  traceStack[0] = -1;
  const chain: number[] = [];
  const stackOf = (trace: number): IndexIntoStackTable => {
    chain.length = 0;
    for (let t = trace; traceStack[t] === -2; t = data.traceParent[t - 1]) chain.push(t);
    for (let c = chain.length - 1; c >= 0; c--) {
      const t = chain[c];
      let stack = traceStack[data.traceParent[t - 1]];
      for (const frame of framesOf(data.traceIp[t - 1])) stack = builder.stack(stack, frame);
      traceStack[t] = stack;
    }
    return traceStack[trace];
  };

  // A site's stack: drop allocator frames from the leaf end, then the rest of the trace.
  let unknownStack = -1;
  const siteStack = (trace: number): IndexIntoStackTable => {
    for (let t = trace; t !== 0; t = data.traceParent[t - 1]) {
      const ip = data.traceIp[t - 1];
      const frames = framesOf(ip);
      const names = ipNames[ip] as string[];
      let keep = frames.length;
      while (keep > 0 && isAllocatorFunction(names[keep - 1])) keep--;
      if (keep === 0) continue;
      let stack = stackOf(data.traceParent[t - 1]);
      for (let k = 0; k < keep; k++) stack = builder.stack(stack, frames[k]);
      return stack;
    }
    if (unknownStack < 0) unknownStack = builder.stack(-1, builder.frame(builder.func('[unknown]')));
    return unknownStack;
  };

  const rowOfStack = new Map<number, number>();
  const rowOfTrace = new Int32Array(traceCount + 1).fill(-1);
  const rows = { stack: [] as number[], bytes: [] as number[], allocations: [] as number[], peak: [] as number[], leaked: [] as number[], temporary: [] as number[] };
  for (let trace = 0; trace <= traceCount; trace++) {
    if (data.allocations[trace] === 0 && data.leaked[trace] === 0 && data.peak[trace] === 0) continue;
    const stack = siteStack(trace);
    let row = rowOfStack.get(stack);
    if (row === undefined) {
      row = rows.stack.length;
      rowOfStack.set(stack, row);
      rows.stack.push(stack);
      rows.bytes.push(0);
      rows.allocations.push(0);
      rows.peak.push(0);
      rows.leaked.push(0);
      rows.temporary.push(0);
    }
    rowOfTrace[trace] = row;
    rows.bytes[row] += data.bytes[trace];
    rows.allocations[row] += data.allocations[trace];
    rows.peak[row] += data.peak[trace];
    rows.leaked[row] += data.leaked[trace];
    rows.temporary[row] += data.temporary[trace];
  }

  for (let row = 0; row < rows.stack.length; row++) {
    if (rows.bytes[row] > 0) builder.sample(rows.stack[row], thread, NaN, rows.bytes[row]);
  }
  const unknown = () => new Float64Array(rows.stack.length).fill(NaN);
  builder.setAllocations({
    length: rows.stack.length,
    stack: Int32Array.from(rows.stack),
    totalBytes: Float64Array.from(rows.bytes),
    totalBlocks: Float64Array.from(rows.allocations),
    peakBytes: Float64Array.from(rows.peak),
    endBytes: Float64Array.from(rows.leaked),
    reads: unknown(),
    writes: unknown(),
    lifetime: unknown(),
    temporary: Float64Array.from(rows.temporary),
    timeline: siteTimeline(data, rowOfTrace),
  });
  return { profile: builder.finish(), temporaryBlocks: Float64Array.from(rows.temporary) };
}

/** The reader's per-trace buckets as per-site rows on the counters' clock (ns); traces without a site drop out. */
function siteTimeline(data: HeaptrackData, rowOfTrace: Int32Array): AllocationTimeline {
  const source = data.timeline;
  let n = 0;
  for (let r = 0; r < source.trace.length; r++) if (rowOfTrace[source.trace[r]] >= 0) n++;
  const out: AllocationTimeline = {
    length: n,
    kind: 'allocated',
    bucket: source.bucketMs * NANOSECONDS_PER_MS,
    site: new Int32Array(n),
    time: new Float64Array(n),
    bytes: new Float64Array(n),
    blocks: new Float64Array(n),
    temporary: new Float64Array(n),
  };
  let k = 0;
  for (let r = 0; r < source.trace.length; r++) {
    const site = rowOfTrace[source.trace[r]];
    if (site < 0) continue;
    out.site[k] = site;
    out.time[k] = source.time[r] * NANOSECONDS_PER_MS;
    out.bytes[k] = source.bytes[r];
    out.blocks[k] = source.blocks[r];
    out.temporary[k] = source.temporary[r];
    k++;
  }
  return out;
}
