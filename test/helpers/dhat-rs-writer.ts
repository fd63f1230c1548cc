/**
 * Writes DHAT JSON the way Rust's dhat crate does, for a scripted run of a
 * Rust program: no Rust toolchain is needed to test the dhat-rs flavour of
 * the format, and the file follows the crate's own code, not a guess.
 *
 * Followed from dhat-rs src/lib.rs (https://github.com/nnethercote/dhat-rs):
 * - the bookkeeping of `Globals` and `PpInfo`: update_counts_for_alloc
 *   (realloc counts a block of the new size, its bytes change by the
 *   delta), update_counts_for_dealloc, check_for_global_peak (on every
 *   dealloc, shrinking realloc, and at the end), lifetimes of blocks still
 *   live added at the end; tl in microseconds;
 * - the header of `DhatJson`: mode "rust-heap" / "rust-ad-hoc", verb
 *   "Allocated", bklt = heap, bkacc false, tu "µs", Mtu "s", tuth 10 (heap
 *   only), ad-hoc units (bu/bsu/bksu), tg only for heap, in field order;
 * - frames as `format!("{:?}: {:#} ({:#}:{}:{})", ip, name, file, line, col)`
 *   after trimming the backtrace to one allocator frame at the top (the
 *   caller builds backtraces that way: see first_symbol_to_show);
 * - serde_json::to_writer_pretty's layout: two-space indent, `"key": value`.
 */

import { writeFileSync } from 'node:fs';

export interface RustFrame {
  ip: number;
  name: string;
  file: string;
  line: number;
  column: number;
}

/** One step of the scripted program; `at` is microseconds since the profiler started. */
export type HeapEvent =
  | { at: number; alloc: string; size: number; backtrace: RustFrame[] }
  | { at: number; realloc: string; size: number }
  | { at: number; free: string };

export interface AdHocEvent {
  weight: number;
  backtrace: RustFrame[];
}

/** What dhat-rs prints to stderr when the profiler stops ("dhat: Total: ..."). */
export interface DhatRsTotals {
  totalBytes: number;
  totalBlocks: number;
  maxBytes: number;
  maxBlocks: number;
  currBytes: number;
  currBlocks: number;
}

export function frameText(frame: RustFrame): string {
  return `0x${frame.ip.toString(16)}: ${frame.name} (${frame.file}:${frame.line}:${frame.column})`;
}

interface Pp {
  totalBytes: number;
  totalBlocks: number;
  currBytes: number;
  currBlocks: number;
  maxBytes: number;
  maxBlocks: number;
  atGmaxBytes: number;
  atGmaxBlocks: number;
  lifetimes: number;
  fs: number[];
}

class Frames {
  readonly table = ['[root]'];
  private readonly index = new Map<string, number>([['[root]', 0]]);
  of(backtrace: RustFrame[]): number[] {
    return backtrace.map((frame) => {
      const text = frameText(frame);
      let i = this.index.get(text);
      if (i === undefined) {
        i = this.table.length;
        this.table.push(text);
        this.index.set(text, i);
      }
      return i;
    });
  }
}

/** Replays `events` through dhat-rs's heap bookkeeping and writes dhat-heap.json to `path`. */
export function writeDhatRsHeap(path: string, run: { cmd: string; pid: number; endAt: number; events: HeapEvent[] }): DhatRsTotals {
  const frames = new Frames();
  const pps: Pp[] = [];
  const ppOfBacktrace = new Map<string, Pp>();
  const live = new Map<string, { pp: Pp; size: number; since: number }>();
  const g = { totalBytes: 0, totalBlocks: 0, currBytes: 0, currBlocks: 0, maxBytes: 0, maxBlocks: 0, tgmax: 0 };

  const checkForGlobalPeak = () => {
    if (g.currBytes === g.maxBytes) {
      for (const pp of pps) {
        pp.atGmaxBytes = pp.currBytes;
        pp.atGmaxBlocks = pp.currBlocks;
      }
    }
  };
  const countAlloc = (pp: Pp, size: number, delta: number | null, at: number) => {
    g.totalBlocks++;
    g.totalBytes += size;
    if (delta === null) {
      g.currBlocks++;
      g.currBytes += size;
    } else {
      g.currBytes += delta;
    }
    if (g.currBytes >= g.maxBytes) {
      g.maxBlocks = g.currBlocks;
      g.maxBytes = g.currBytes;
      g.tgmax = at;
    }
    pp.totalBlocks++;
    pp.totalBytes += size;
    if (delta === null) {
      pp.currBlocks++;
      pp.currBytes += size;
    } else {
      pp.currBytes += delta;
    }
    if (pp.currBytes >= pp.maxBytes) {
      pp.maxBlocks = pp.currBlocks;
      pp.maxBytes = pp.currBytes;
    }
  };

  for (const event of run.events) {
    if ('alloc' in event) {
      const fs = frames.of(event.backtrace);
      const key = fs.join(',');
      let pp = ppOfBacktrace.get(key);
      if (pp === undefined) {
        pp = { totalBytes: 0, totalBlocks: 0, currBytes: 0, currBlocks: 0, maxBytes: 0, maxBlocks: 0, atGmaxBytes: 0, atGmaxBlocks: 0, lifetimes: 0, fs };
        pps.push(pp);
        ppOfBacktrace.set(key, pp);
      }
      live.set(event.alloc, { pp, size: event.size, since: event.at });
      countAlloc(pp, event.size, null, event.at);
    } else if ('realloc' in event) {
      const block = live.get(event.realloc);
      if (block === undefined) throw new Error(`realloc of unknown block ${event.realloc}`);
      if (event.size < block.size) checkForGlobalPeak();
      // dhat-rs re-records the block at the realloc: its lifetime restarts, the old one is not counted.
      live.set(event.realloc, { pp: block.pp, size: event.size, since: event.at });
      countAlloc(block.pp, event.size, event.size - block.size, event.at);
    } else {
      const block = live.get(event.free);
      if (block === undefined) throw new Error(`free of unknown block ${event.free}`);
      live.delete(event.free);
      checkForGlobalPeak();
      g.currBlocks--;
      g.currBytes -= block.size;
      block.pp.currBlocks--;
      block.pp.currBytes -= block.size;
      block.pp.lifetimes += event.at - block.since;
    }
  }
  checkForGlobalPeak();
  for (const block of live.values()) block.pp.lifetimes += run.endAt - block.since;

  const json = {
    dhatFileVersion: 2,
    mode: 'rust-heap',
    verb: 'Allocated',
    bklt: true,
    bkacc: false,
    tu: 'µs',
    Mtu: 's',
    tuth: 10,
    cmd: run.cmd,
    pid: run.pid,
    tg: g.tgmax,
    te: run.endAt,
    pps: pps.map((pp) => ({
      tb: pp.totalBytes,
      tbk: pp.totalBlocks,
      tl: pp.lifetimes,
      mb: pp.maxBytes,
      mbk: pp.maxBlocks,
      gb: pp.atGmaxBytes,
      gbk: pp.atGmaxBlocks,
      eb: pp.currBytes,
      ebk: pp.currBlocks,
      fs: pp.fs,
    })),
    ftbl: frames.table,
  };
  // serde_json's to_writer_pretty: the same layout as JSON.stringify with two spaces.
  writeFileSync(path, JSON.stringify(json, null, 2));
  return { totalBytes: g.totalBytes, totalBlocks: g.totalBlocks, maxBytes: g.maxBytes, maxBlocks: g.maxBlocks, currBytes: g.currBytes, currBlocks: g.currBlocks };
}

/** Writes dhat-ad-hoc.json for ad hoc events (dhat::ad_hoc_event(weight) calls). */
export function writeDhatRsAdHoc(path: string, run: { cmd: string; pid: number; endAt: number; events: AdHocEvent[] }): void {
  const frames = new Frames();
  const pps = new Map<string, { tb: number; tbk: number; fs: number[] }>();
  for (const event of run.events) {
    const fs = frames.of(event.backtrace);
    const key = fs.join(',');
    const pp = pps.get(key) ?? { tb: 0, tbk: 0, fs };
    pp.tb += event.weight;
    pp.tbk += 1;
    pps.set(key, pp);
  }
  const json = {
    dhatFileVersion: 2,
    mode: 'rust-ad-hoc',
    verb: 'Allocated',
    bklt: false,
    bkacc: false,
    bu: 'unit',
    bsu: 'units',
    bksu: 'events',
    tu: 'µs',
    Mtu: 's',
    cmd: run.cmd,
    pid: run.pid,
    te: run.endAt,
    pps: [...pps.values()],
    ftbl: frames.table,
  };
  writeFileSync(path, JSON.stringify(json, null, 2));
}
