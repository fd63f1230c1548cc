/**
 * Real memory profilers for the importer tests: record the alloc_sites
 * fixture with valgrind's DHAT and massif and with heaptrack, and read each
 * tool's own report of the recording (ms_print, heaptrack_print), so the
 * tests compare Heatline with the tools on the same file instead of with
 * numbers typed by hand.
 *
 * Tools (Debian packages; CI installs them): valgrind (valgrind, ms_print,
 * and <valgrind/dhat.h>, which the fixture includes), heaptrack (heaptrack,
 * heaptrack_print). A missing tool fails the test with the command line; it
 * never skips.
 *
 * Exports:
 *   compileAllocSites()                        -> binary path
 *   recordDhat(binary, args, mode?)            -> { file, summary }  (valgrind --tool=dhat)
 *   recordMassif(binary, args, timeUnit?)      -> massif.out path
 *   recordHeaptrack(binary, args)              -> heaptrack .zst/.gz path
 *   msPrintPeak(massifFile)                    -> ms_print's peak snapshot
 *   heaptrackPrintReport(dataFile)             -> heaptrack_print's totals and per-site costs
 *   sitesBy(profile, column), leafFunction, functionNamesOnStacks: reading allocation rows
 *   scaleDhatFile(recorded, bytes, out)       -> a 100 MB+ DHAT file made from a recorded one
 */

import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringAt, type Profile } from '../../src-shared/profile/model';
import { runTool } from './compile';
import { ARTIFACTS_DIR, compileFixture } from './perf';

const MEMORY_DIR = join(ARTIFACTS_DIR, 'memory');

/** "4,258,304" -> 4258304, as valgrind's tools print numbers. */
const number = (text: string) => Number(text.replace(/,/g, ''));

function freshDir(prefix: string): string {
  mkdirSync(MEMORY_DIR, { recursive: true });
  return mkdtempSync(join(MEMORY_DIR, `${prefix}-`));
}

export function compileAllocSites(): Promise<string> {
  return compileFixture('alloc_sites');
}

export type DhatMode = 'heap' | 'copy' | 'ad-hoc';

/** What DHAT prints when the program ends ("Total: 4,898,304 bytes in 20,065 blocks", "At t-gmax: ..."). */
export interface DhatSummary {
  totalBytes: number;
  totalBlocks: number;
  /** Heap mode only (NaN otherwise). */
  gmaxBytes: number;
  endBytes: number;
}

/**
 * `valgrind --tool=dhat --mode=MODE [options] --dhat-out-file=OUT
 * --log-file=OUT.log binary args` -> OUT, and DHAT's own summary from the log.
 */
export function recordDhat(binary: string, args: string[], mode: DhatMode = 'heap', options: string[] = []): { file: string; summary: DhatSummary } {
  const out = join(freshDir(`dhat-${mode}`), 'dhat.out.json');
  const log = `${out}.log`;
  runTool('valgrind', ['--tool=dhat', `--mode=${mode}`, ...options, `--dhat-out-file=${out}`, `--log-file=${log}`, binary, ...args]);
  if (!existsSync(out)) throw new Error(`valgrind --tool=dhat wrote no ${out}`);
  const text = readFileSync(log, 'utf8');
  const total = /Total:\s+([\d,]+) \S+ in ([\d,]+) /.exec(text);
  if (!total) throw new Error(`valgrind --tool=dhat: no "Total:" line in ${log}`);
  const at = (label: string) => {
    const match = new RegExp(`${label}:\\s+([\\d,]+) bytes`).exec(text);
    return match ? number(match[1]) : NaN;
  };
  return { file: out, summary: { totalBytes: number(total[1]), totalBlocks: number(total[2]), gmaxBytes: at('At t-gmax'), endBytes: at('At t-end') } };
}

/** `valgrind --tool=massif --time-unit=UNIT --massif-out-file=OUT binary args` -> OUT. */
export function recordMassif(binary: string, args: string[], timeUnit: 'i' | 'ms' | 'B' = 'i'): string {
  const out = join(freshDir(`massif-${timeUnit}`), 'massif.out');
  runTool('valgrind', ['--tool=massif', `--time-unit=${timeUnit}`, `--massif-out-file=${out}`, binary, ...args]);
  if (!existsSync(out)) throw new Error(`valgrind --tool=massif wrote no ${out}`);
  return out;
}

/** `heaptrack -o BASE binary args`: heaptrack appends .zst (or .gz when built without zstd). */
export function recordHeaptrack(binary: string, args: string[]): string {
  const base = join(freshDir('heaptrack'), 'heaptrack.alloc_sites');
  runTool('heaptrack', ['-o', base, binary, ...args]);
  for (const suffix of ['.zst', '.gz']) if (existsSync(base + suffix)) return base + suffix;
  throw new Error(`heaptrack -o ${base} wrote neither ${base}.zst nor ${base}.gz`);
}

export interface MsPrintPeak {
  snapshot: number;
  time: number;
  /** ms_print's columns for the peak snapshot, in bytes. */
  totalBytes: number;
  usefulHeapBytes: number;
  extraHeapBytes: number;
  stacksBytes: number;
  /** The peak tree's first level, as ms_print lists it (largest first): function name and bytes. */
  sites: { name: string; bytes: number }[];
}

/** ms_print's report of the peak snapshot (the one "Detailed snapshots: [...]" marks "(peak)"). */
export function msPrintPeak(massifFile: string): MsPrintPeak {
  const text = runTool('ms_print', [massifFile]);
  const detailed = /Detailed snapshots: \[([^\]]*)\]/.exec(text);
  const peakMatch = detailed && /(\d+) \(peak\)/.exec(detailed[1]);
  if (!peakMatch) throw new Error(`ms_print ${massifFile}: no "(peak)" in the detailed snapshot list`);
  const snapshot = Number(peakMatch[1]);
  const lines = text.split('\n');
  const row = new RegExp(`^\\s*${snapshot}\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s*$`);
  const at = lines.findIndex((line) => row.test(line));
  if (at === -1) throw new Error(`ms_print ${massifFile}: no table row for snapshot ${snapshot}`);
  const [, time, total, useful, extra, stacks] = row.exec(lines[at]) as RegExpExecArray;
  const sites: MsPrintPeak['sites'] = [];
  // The tree follows the row: "->98.38% (4,194,304B) 0x10928D: peak_site (alloc_sites.c:59)".
  for (let i = at + 2; i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('---'); i++) {
    const site = /^->[\d.]+% \(([\d,]+)B\) (?:0x[0-9A-Fa-f]+: )?(.*?)(?: \([^()]*\))?$/.exec(lines[i]);
    if (site) sites.push({ name: site[2], bytes: number(site[1]) });
  }
  return {
    snapshot,
    time: number(time),
    totalBytes: number(total),
    usefulHeapBytes: number(useful),
    extraHeapBytes: number(extra),
    stacksBytes: number(stacks),
    sites,
  };
}

export interface HeaptrackPrintReport {
  /** From the summary: "calls to allocation functions: N". */
  allocations: number;
  /** From the summary: "temporary memory allocations: N". */
  temporary: number;
  /** Exact sums of heaptrack_print's flame graph files (the summary rounds bytes to "4.33M"). */
  peakBytes: number;
  leakedBytes: number;
  /** Sum of size x count over heaptrack_print's allocation size histogram (-H). */
  allocatedBytes: number;
  /** The summary's rounded texts, to check the exact sums against. */
  peakText: string;
  leakedText: string;
  /** Per allocating function (the leaf of each flame graph stack, file suffix removed): its costs. */
  byFunction: Map<string, { allocations: number; temporary: number; peak: number; leaked: number }>;
}

type CostType = 'allocations' | 'temporary' | 'leaked' | 'peak';

/**
 * heaptrack_print's numbers for a data file, without suppressions (Heatline
 * reports leaks unsuppressed). One run per flame graph cost type; the first
 * also writes the size histogram.
 */
export function heaptrackPrintReport(dataFile: string): HeaptrackPrintReport {
  const dir = freshDir('heaptrack-print');
  const byFunction: HeaptrackPrintReport['byFunction'] = new Map();
  const totals: Record<CostType, number> = { allocations: 0, temporary: 0, leaked: 0, peak: 0 };
  let summary = '';
  const histogram = join(dir, 'histogram.txt');
  for (const cost of ['allocations', 'temporary', 'leaked', 'peak'] as CostType[]) {
    const stacks = join(dir, `${cost}.stacks`);
    const extra = cost === 'allocations' ? ['-H', histogram] : [];
    summary = runTool('heaptrack_print', [
      '--file', dataFile, '--disable-builtin-suppressions', '--disable-embedded-suppressions',
      '-p', '0', '-a', '0', '-T', '0', '--flamegraph-cost-type', cost, '-F', stacks, ...extra,
    ]);
    for (const line of readFileSync(stacks, 'utf8').split('\n')) {
      const space = line.lastIndexOf(' ');
      if (space === -1) continue;
      const value = Number(line.slice(space + 1));
      const leaf = line.slice(0, space).split(';').filter((frame) => frame !== '').pop() ?? '';
      const name = leaf.replace(/ \([^()]*\)$/, '');
      const entry = byFunction.get(name) ?? { allocations: 0, temporary: 0, peak: 0, leaked: 0 };
      entry[cost] += value;
      byFunction.set(name, entry);
      totals[cost] += value;
    }
  }
  const field = (label: string) => {
    const match = new RegExp(`^${label}: (\\S+)`, 'm').exec(summary);
    if (!match) throw new Error(`heaptrack_print ${dataFile}: no "${label}" in its summary`);
    return match[1];
  };
  let allocatedBytes = 0;
  for (const line of readFileSync(histogram, 'utf8').split('\n')) {
    const [size, count] = line.split('\t').map(Number);
    if (Number.isFinite(size) && Number.isFinite(count)) allocatedBytes += size * count;
  }
  return {
    allocations: Number(field('calls to allocation functions')),
    temporary: Number(field('temporary memory allocations')),
    peakBytes: totals.peak,
    leakedBytes: totals.leaked,
    allocatedBytes,
    peakText: field('peak heap memory consumption'),
    leakedText: field('total memory leaked'),
    byFunction,
  };
}

/**
 * Our name for a function heaptrack_print names `name`: the same, except an
 * unresolved frame, which heaptrack_print shows as its bare address and we
 * as "module@address" (src-main/import/unnamed-code.ts).
 */
export function ourHeaptrackName(name: string, ourNames: Iterable<string>): string {
  if (!/^0x[0-9a-f]+$/.test(name)) return name;
  for (const ours of ourNames) if (ours.endsWith(`@${name}`)) return ours;
  return name;
}

/** heaptrack_print's rounding of a byte count ("4.33M", "64.00K", "512B"), to check an exact number against it. */
export function heaptrackRounded(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && Math.abs(value) > 1000) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
}

/** The function at the leaf of `stack`: for an allocation row, the allocating function. */
export function leafFunction(profile: Profile, stack: number): string {
  return stringAt(profile, profile.funcs.name[profile.frames.func[profile.stacks.frame[stack]]]);
}

/** Allocation rows' allocating functions, ordered by a column (largest first). */
export function sitesBy(profile: Profile, column: 'totalBytes' | 'totalBlocks' | 'peakBytes' | 'endBytes'): { name: string; value: number; row: number }[] {
  const table = profile.allocations;
  if (table === null) throw new Error(`${profile.meta.sourceName}: no allocation table`);
  return Array.from({ length: table.length }, (_, row) => ({ name: leafFunction(profile, table.stack[row]), value: table[column][row], row }))
    .sort((a, b) => b.value - a.value);
}

/** Every function name on any stack of the profile. */
export function functionNamesOnStacks(profile: Profile): Set<string> {
  const names = new Set<string>();
  for (let s = 0; s < profile.stacks.length; s++) names.add(leafFunction(profile, s));
  return names;
}

export interface ScaledDhat {
  file: string;
  bytes: number;
  programPoints: number;
  frames: number;
  /** Sums over the written program points, computed while writing. */
  sums: { tb: number; tbk: number; gb: number; eb: number };
}

/**
 * A big DHAT file made from a recorded one, for the memory test: the
 * recording's heap program points are written again and again, in
 * valgrind's layout, each copy with its own frames (site_N, caller_M) in
 * front of the recorded ones, until the file reaches `targetBytes`. Written
 * piece by piece, so the test itself never holds the file.
 */
export function scaleDhatFile(recorded: string, targetBytes: number, out: string): ScaledDhat {
  const source = JSON.parse(readFileSync(recorded, 'utf8')) as {
    pps: Record<string, number | number[]>[];
    ftbl: string[];
  };
  const fd = openSync(out, 'w');
  let bytes = 0;
  let buffered: string[] = [];
  let bufferedLength = 0;
  const flush = () => {
    writeSync(fd, buffered.join(''));
    buffered = [];
    bufferedLength = 0;
  };
  const write = (text: string) => {
    buffered.push(text);
    bufferedLength += text.length;
    bytes += Buffer.byteLength(text);
    if (bufferedLength > 1 << 20) flush();
  };
  try {
    const header = readFileSync(recorded, 'utf8');
    write(header.slice(0, header.indexOf(',"pps":')));
    write('\n,"pps":\n');
    const sites = 60_000;
    const callers = 40;
    const base = source.ftbl.length;
    const sums = { tb: 0, tbk: 0, gb: 0, eb: 0 };
    let count = 0;
    while (bytes < targetBytes) {
      const pp = source.pps[count % source.pps.length];
      const fs = pp.fs as number[];
      const site = base + (count % sites);
      const caller = base + sites + (Math.floor(count / sites) % callers);
      const numbers = Object.entries(pp)
        .filter(([key]) => key !== 'fs' && key !== 'acc')
        .map(([key, value]) => `"${key}":${value as number}`);
      write(` ${count === 0 ? '[' : ','}{${numbers.join('\n  ,')}\n  ,"fs":[${[fs[0], site, caller, ...fs.slice(1)].join(',')}]\n  }\n`);
      for (const key of ['tb', 'tbk', 'gb', 'eb'] as const) sums[key] += (pp[key] as number | undefined) ?? 0;
      count++;
    }
    write(' ]\n,"ftbl":\n');
    const frames = [...source.ftbl];
    for (let i = 0; i < sites; i++) frames.push(`0x${(0x400000 + i * 16).toString(16).toUpperCase()}: site_${i} (big.c:${i + 1})`);
    for (let i = 0; i < callers; i++) frames.push(`0x${(0x800000 + i * 16).toString(16).toUpperCase()}: caller_${i} (big.c:${i + 100_000})`);
    frames.forEach((frame, i) => write(` ${i === 0 ? '[' : ','}${JSON.stringify(frame)}\n`));
    write(' ]\n}\n');
    flush();
    return { file: out, bytes, programPoints: count, frames: frames.length, sums };
  } finally {
    closeSync(fd);
  }
}
