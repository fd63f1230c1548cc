/**
 * JIT frames from /tmp/perf-<pid>.map: the text file JIT compilers write so
 * profilers can name generated code (node --perf-basic-prof, JVMs with
 * perf-map-agent, .NET with DOTNET_PerfMapEnabled, LuaJIT, ...).
 *
 * Format (tools/perf/Documentation/jit-interface.txt): one line per code
 * region, `START SIZE symbolname`, START and SIZE in hex without `0x` (we
 * also accept `0x`), the name being the rest of the line, spaces included.
 *
 * JITs reuse memory: when code is collected, its addresses can be handed to
 * newly compiled code and a new line is appended for the same range. So for
 * overlapping ranges the line written later wins: it describes what was at
 * that address last, which is what a sample taken late in the run most
 * likely hit. (perf itself keeps whichever it inserted first; for long-lived
 * processes that names reused code after the first function that lived
 * there.)
 *
 * Addresses are user-space addresses (below 2^47 on x86-64 and arm64), so
 * they fit JavaScript numbers exactly; bigints are accepted too.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedAddress } from './types';

export interface PerfMapEntry {
  start: number;
  size: number;
  name: string;
}

export class PerfMap {
  /** Entries in file order. */
  readonly entries: readonly PerfMapEntry[];
  /** Disjoint address ranges, sorted, each naming the entry that owns it. */
  private readonly rangeStart: Float64Array;
  private readonly rangeEnd: Float64Array;
  private readonly rangeOwner: Int32Array;

  private constructor(entries: PerfMapEntry[]) {
    this.entries = entries;
    const { starts, ends, owners } = paint(entries);
    this.rangeStart = starts;
    this.rangeEnd = ends;
    this.rangeOwner = owners;
  }

  /** Parses a perf map's text; malformed lines are skipped. */
  static parse(text: string): PerfMap {
    const entries: PerfMapEntry[] = [];
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      const entry = parseLine(text.slice(pos, end));
      if (entry !== null) entries.push(entry);
      pos = end + 1;
    }
    return new PerfMap(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The entry whose range holds `address` (the latest one where ranges overlap), or null. */
  lookupEntry(address: number | bigint): PerfMapEntry | null {
    const a = typeof address === 'bigint' ? Number(address) : address;
    if (!Number.isFinite(a)) return null;
    let low = 0;
    let high = this.rangeStart.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.rangeStart[mid] <= a) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (found < 0 || a >= this.rangeEnd[found]) return null;
    return this.entries[this.rangeOwner[found]];
  }

  /** The frame for a JIT address; no frames when no entry covers it. */
  lookup(address: number | bigint): ResolvedAddress {
    const entry = this.lookupEntry(address);
    return { frames: entry === null ? [] : [{ name: entry.name, file: null, line: -1 }] };
  }
}

/** `START SIZE name`; null for lines that aren't one. */
function parseLine(line: string): PerfMapEntry | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const m = /^(?:0x)?([0-9a-fA-F]{1,16}) (?:0x)?([0-9a-fA-F]{1,16}) (.*)$/.exec(text);
  if (m === null) return null;
  const start = parseInt(m[1], 16);
  const size = parseInt(m[2], 16);
  // Beyond 2^53 is no user-space address, and could not be represented exactly.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(start + size) || size === 0) return null;
  return { start, size, name: m[3] };
}

/**
 * Splits the address space covered by the entries into disjoint ranges,
 * each owned by the latest entry covering it (a sweep over range boundaries
 * with a heap of the covering entries, latest on top).
 */
function paint(entries: readonly PerfMapEntry[]): { starts: Float64Array; ends: Float64Array; owners: Int32Array } {
  const bounds = new Float64Array(entries.length * 2);
  entries.forEach((e, i) => {
    bounds[2 * i] = e.start;
    bounds[2 * i + 1] = e.start + e.size;
  });
  bounds.sort();
  const byStart = Array.from(entries, (_, i) => i).sort((a, b) => entries[a].start - entries[b].start);
  const heap = new MaxHeap();
  const starts: number[] = [];
  const ends: number[] = [];
  const owners: number[] = [];
  let next = 0;
  for (let b = 0; b < bounds.length; b++) {
    const from = bounds[b];
    if (b > 0 && from === bounds[b - 1]) continue;
    let to = from;
    for (let k = b + 1; k < bounds.length; k++) {
      if (bounds[k] > from) {
        to = bounds[k];
        break;
      }
    }
    if (to === from) break;
    while (next < byStart.length && entries[byStart[next]].start <= from) heap.push(byStart[next++]);
    while (heap.size > 0 && entries[heap.top()].start + entries[heap.top()].size <= from) heap.pop();
    if (heap.size === 0) continue;
    const owner = heap.top();
    const last = owners.length - 1;
    if (last >= 0 && owners[last] === owner && ends[last] === from) {
      ends[last] = to;
    } else {
      starts.push(from);
      ends.push(to);
      owners.push(owner);
    }
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), owners: Int32Array.from(owners) };
}

/** A binary max-heap of entry indices: the latest-written entry on top. */
class MaxHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0];
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] >= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < a.length && a[l] > a[largest]) largest = l;
      if (r < a.length && a[r] > a[largest]) largest = r;
      if (largest === i) return;
      [a[largest], a[i]] = [a[i], a[largest]];
      i = largest;
    }
  }
}

/** Reads `<dir>/perf-<pid>.map`; null when the process wrote none. */
export function loadPerfMap(pid: number, options: { dir?: string } = {}): PerfMap | null {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a process id: ${pid}`);
  const path = join(options.dir ?? '/tmp', `perf-${pid}.map`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return PerfMap.parse(text);
}
