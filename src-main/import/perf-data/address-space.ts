/**
 * Which file each user address of each process came from, as the
 * recording's MMAP/MMAP2 records say, so a sampled address becomes
 * (binary, file offset = address - map start + map pgoff) for symbolization.
 *
 * Semantics follow perf's machine/maps code (tools/perf/util/maps.c,
 * machine.c): maps belong to a process (pid), not a thread; a new map
 * replaces the parts of older ones it overlaps; FORK of a new process copies
 * the parent's maps; exec (COMM with PERF_RECORD_MISC_COMM_EXEC) starts the
 * process over with no maps. Records are applied in file order.
 *
 * Addresses are plain numbers: user space is below 2^53 on every 64-bit
 * architecture perf supports (kernel addresses never come here).
 */

/**
 * What a mapped path is: a file to symbolize from its ELF, anonymous memory
 * (JIT code: symbols come from /tmp/perf-PID.map, keyed by address), or a
 * kernel-provided image no file on disk holds ([vsyscall]). The vdso is an
 * ELF image too: `perf record` keeps a copy in its build-id cache
 * (~/.debug/[vdso]/BUILD-ID/vdso), found by the recorded build-id like any
 * binary's (symbols/locate.ts), so it is a file here.
 */

import { isVdsoPath } from '../../symbols/locate';

export const BinaryKind = { file: 0, anon: 1, special: 2 } as const;
export type BinaryKind = (typeof BinaryKind)[keyof typeof BinaryKind];

export function binaryKindOf(path: string): BinaryKind {
  // "//anon" and "[anon:name]" are anonymous maps; JITs that double-map code use memfd files.
  if (path === '//anon' || path.startsWith('[anon:') || path.startsWith('/memfd:') || path === '[heap]' || path.startsWith('[stack')) return BinaryKind.anon;
  if (isVdsoPath(path)) return BinaryKind.file;
  if (path.startsWith('[')) return BinaryKind.special;
  return BinaryKind.file;
}


/** Binaries as the recording names them; a path with two build-ids is two binaries. */
export class BinaryTable {
  readonly paths: string[] = [];
  readonly kinds: BinaryKind[] = [];
  /** Lowercase hex, or null until the build-id table (read later) supplies one. */
  readonly buildIds: (string | null)[] = [];
  private readonly byKey = new Map<string, number>();

  index(path: string, buildId: string | null): number {
    const key = buildId === null ? path : `${path}\0${buildId}`;
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.paths.length;
      this.paths.push(path);
      this.kinds.push(binaryKindOf(path));
      this.buildIds.push(buildId);
      this.byKey.set(key, index);
    }
    return index;
  }

  get length(): number {
    return this.paths.length;
  }
}

/** One process's maps, sorted by start and never overlapping. Values index AddressSpace's mapping columns. */
interface ProcessMaps {
  starts: number[];
  ends: number[];
  ids: number[];
  /** Index (into starts) of the last lookup's hit: samples hit the same few maps again and again. */
  lastHit: number;
  /** Bumped on every change, so callers' caches of address -> location know when to drop. */
  version: number;
}

export class AddressSpace {
  /** Mapping columns; rows are never removed (a replaced map may still be referenced by a cache). */
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly pgoff: number[] = [];
  readonly binary: number[] = [];
  private readonly processes = new Map<number, ProcessMaps>();
  /** Bumped on every change to any process, so callers can skip per-process version checks while it stays. */
  changes = 0;
  private lastPid = NaN;
  private lastMaps: ProcessMaps | undefined;

  /** Adds a map [start, start + length) of `binary` at file offset `pgoff` to process `pid`. */
  mmap(pid: number, start: number, length: number, pgoff: number, binary: number): void {
    if (!(length > 0)) return;
    const maps = this.mapsOf(pid, true);
    const end = start + length;
    // The first map ending after `start`; ends are sorted because maps do not overlap.
    const first = upperBound(maps.ends, start);
    const replacement: number[] = [];
    let last = first;
    while (last < maps.starts.length && maps.starts[last] < end) last++;
    for (let i = first; i < last; i++) {
      const id = maps.ids[i];
      if (maps.starts[i] < start) replacement.push(this.addRow(maps.starts[i], start, this.pgoff[id], this.binary[id]));
    }
    replacement.push(this.addRow(start, end, pgoff, binary));
    if (last > first && maps.ends[last - 1] > end) {
      const id = maps.ids[last - 1];
      replacement.push(this.addRow(end, maps.ends[last - 1], this.pgoff[id] + (end - maps.starts[last - 1]), this.binary[id]));
    }
    maps.starts.splice(first, last - first, ...replacement.map((id) => this.start[id]));
    maps.ends.splice(first, last - first, ...replacement.map((id) => this.end[id]));
    maps.ids.splice(first, last - first, ...replacement);
    maps.lastHit = 0;
    maps.version++;
    this.changes++;
  }

  /** A new process `child` starts with a copy of `parent`'s maps (threads of one process share them already). */
  fork(child: number, parent: number): void {
    if (child === parent) return;
    const from = this.mapsOf(parent, false);
    const maps = this.mapsOf(child, true);
    maps.starts = from ? from.starts.slice() : [];
    maps.ends = from ? from.ends.slice() : [];
    maps.ids = from ? from.ids.slice() : [];
    maps.lastHit = 0;
    maps.version++;
    this.changes++;
  }

  /** The process replaced its image: its old maps are gone. */
  exec(pid: number): void {
    const maps = this.mapsOf(pid, false);
    if (!maps) return;
    maps.starts = [];
    maps.ends = [];
    maps.ids = [];
    maps.lastHit = 0;
    maps.version++;
    this.changes++;
  }

  /** The mapping row containing `address` in process `pid`, or -1. */
  find(pid: number, address: number): number {
    const maps = this.mapsOf(pid, false);
    if (!maps) return -1;
    const { starts, ends } = maps;
    let i = maps.lastHit;
    if (i < starts.length && starts[i] <= address && address < ends[i]) return maps.ids[i];
    i = upperBound(starts, address) - 1;
    if (i < 0 || address >= ends[i]) return -1;
    maps.lastHit = i;
    return maps.ids[i];
  }

  /** Changes with every mmap/fork/exec of `pid`; -1 for a process with no maps yet. */
  version(pid: number): number {
    return this.mapsOf(pid, false)?.version ?? -1;
  }

  /** File offset of `address` inside mapping row `id`. */
  fileOffset(id: number, address: number): number {
    return address - this.start[id] + this.pgoff[id];
  }

  private addRow(start: number, end: number, pgoff: number, binary: number): number {
    this.start.push(start);
    this.end.push(end);
    this.pgoff.push(pgoff);
    return this.binary.push(binary) - 1;
  }

  private mapsOf(pid: number, create: true): ProcessMaps;
  private mapsOf(pid: number, create: false): ProcessMaps | undefined;
  private mapsOf(pid: number, create: boolean): ProcessMaps | undefined {
    if (pid === this.lastPid && this.lastMaps) return this.lastMaps;
    let maps = this.processes.get(pid);
    if (!maps && create) {
      maps = { starts: [], ends: [], ids: [], lastHit: 0, version: 0 };
      this.processes.set(pid, maps);
    }
    if (maps) {
      this.lastPid = pid;
      this.lastMaps = maps;
    }
    return maps;
  }
}

/** The first index whose value is greater than `value` in an ascending array. */
function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
