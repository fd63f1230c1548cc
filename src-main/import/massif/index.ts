/**
 * massif's output (massif.out.PID), written by valgrind --tool=massif:
 *
 *   desc: --time-unit=B
 *   cmd: ./prog arg
 *   time_unit: i                 i (instructions), ms, or B (bytes allocated)
 *   #-----------
 *   snapshot=0
 *   #-----------
 *   time=0
 *   mem_heap_B=0
 *   mem_heap_extra_B=0
 *   mem_stacks_B=0
 *   heap_tree=empty              empty | detailed | peak, a tree follows the last two (tree.ts)
 *
 * Spec: valgrind's massif/ms_main.c (write_snapshots_to_file) and the
 * massif manual, https://valgrind.org/docs/manual/ms-manual.html
 *
 * What the profile holds:
 * - counters "heap", "extra-heap" and "stacks" (bytes), one point per
 *   snapshot. Times are nanoseconds for ms files; for i and B files
 *   they stay in instructions or bytes allocated (not a time; the model has
 *   no time unit per counter yet), and meta.eventName names the unit.
 * - the PEAK snapshot's tree as allocation sites: one weighted sample and one
 *   allocation row per site, weight and peakBytes = the site's bytes at the
 *   peak. Without a peak snapshot, the largest detailed one stands in (with
 *   a warning). Every detailed tree is kept as the allocation table's
 *   'snapshots' timeline (bytes per site and snapshot), so a range on the
 *   memory track shows the largest snapshot in it.
 *
 * What `total` means for massif: the useful heap bytes live at the peak
 * snapshot (its tree's root, ms_print's useful-heap(B) for that snapshot),
 * not bytes allocated over the run, which massif does not record. So
 * totalBytes, totalBlocks, endBytes, reads, writes and lifetime are NaN.
 */

import { CancelledError, ImportError } from '../../../src-shared/errors';
import { growFloat64, type GrowableArray } from '../../../src-shared/profile/growable';
import type { Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { detach, hasNulByte, headLines, readLines } from '../text-lines';
import { buildMassifProfile } from './build';
import { HeapTreeReader, TreeFormatError, type TreeSite } from './tree';

const SEPARATOR = '#-----------';

/** Nanoseconds per time unit, for the units that are times. */
const NANOSECONDS: Record<string, number> = { ms: 1e6 };
const UNIT_NAMES: Record<string, string> = { i: 'instructions', B: 'bytes allocated', ms: 'milliseconds' };

const SNAPSHOT_FIELDS = ['time', 'mem_heap_B', 'mem_heap_extra_B', 'mem_stacks_B', 'heap_tree'] as const;

export interface MassifData {
  desc: string;
  cmd: string;
  timeUnit: string;
  /** Snapshot columns, one row per complete snapshot, in file order. */
  time: Float64Array;
  heap: Float64Array;
  extraHeap: Float64Array;
  stacks: Float64Array;
  /** The tree used for allocation sites, or null when the file has no detailed snapshot. */
  tree: { snapshot: number; kind: 'peak' | 'detailed'; heap: number; rootBytes: number; sites: TreeSite[] } | null;
  /** Every detailed and peak snapshot's tree, in file order, with the snapshot's time (file unit). */
  trees: { snapshot: number; time: number; sites: TreeSite[] }[];
  warnings: string[];
}

interface Snapshot {
  number: number;
  line: number;
  fields: Map<string, string>;
  tree: HeapTreeReader | null;
  treeKind: 'peak' | 'detailed' | 'empty' | null;
}

class MassifParser {
  desc: string | null = null;
  cmd: string | null = null;
  timeUnit: string | null = null;
  private readonly time: GrowableArray<Float64Array> = growFloat64(256);
  private readonly heap = growFloat64(256);
  private readonly extraHeap = growFloat64(256);
  private readonly stacks = growFloat64(256);
  private current: Snapshot | null = null;
  private best: MassifData['tree'] = null;
  private readonly trees: MassifData['trees'] = [];
  private lastNumber = -1;
  readonly warnings: string[] = [];

  /** Separators since the last "snapshot=N": a second one opens the next snapshot. */
  private separators = 0;
  /** The file ends inside a line (massif ends every line): the first half of that line was not read. */
  private endsMidLine = false;
  /** The last snapshot was cut: its warning already says where the file ends. */
  private cutInSnapshot = false;
  private heapEverUsed = false;

  line(text: string, lineNumber: number, terminated = true): void {
    if (!terminated) {
      this.endsMidLine = true;
      return;
    }
    if (this.timeUnit === null) return this.headerLine(text, lineNumber);
    if (text === SEPARATOR) this.separators++;
    if (text === SEPARATOR || text === '') return;
    const snapshot = this.current;
    if (text.startsWith('snapshot=')) {
      this.separators = 0;
      this.finishSnapshot(lineNumber);
      const number = Number(text.slice(9));
      if (!Number.isSafeInteger(number) || number < 0) this.fail(lineNumber, `"${text}" is not a snapshot number`);
      this.current = { number, line: lineNumber, fields: new Map(), tree: null, treeKind: null };
      return;
    }
    if (snapshot === null) this.fail(lineNumber, `expected "snapshot=N", found "${clip(text)}"`);
    if (snapshot.treeKind !== null) {
      // Tree lines until the next separator.
      if (snapshot.tree === null) return;
      try {
        snapshot.tree.line(text);
      } catch (error) {
        if (error instanceof TreeFormatError) this.fail(lineNumber, `snapshot ${snapshot.number}'s heap tree: ${error.message}`);
        throw error;
      }
      return;
    }
    const eq = text.indexOf('=');
    const key = eq === -1 ? text : text.slice(0, eq);
    const expected = SNAPSHOT_FIELDS[snapshot.fields.size];
    if (key !== expected) this.fail(lineNumber, `expected "${expected}=" in snapshot ${snapshot.number}, found "${clip(text)}"`);
    const value = text.slice(eq + 1);
    snapshot.fields.set(key, value);
    if (key === 'heap_tree') this.startTree(snapshot, value, lineNumber);
    else if (!(Number(value) >= 0) || value.trim() === '') this.fail(lineNumber, `${key} is "${clip(value)}", not a non-negative number`);
  }

  private headerLine(text: string, lineNumber: number): void {
    const expected = this.desc === null ? 'desc: ' : this.cmd === null ? 'cmd: ' : 'time_unit: ';
    if (!text.startsWith(expected.trimEnd())) this.fail(lineNumber, `expected "${expected.trim()}" (massif's header), found "${clip(text)}"`);
    const value = detach(text.slice(expected.length - 1).trim());
    if (this.desc === null && value === 'xtree.produce_report') {
      // Memcheck's --xtree-memory in massif's format: each "snapshot" is another measure (bytes and blocks live,
      // allocated, freed), not a moment, so reading it as a timeline would show a wrong peak.
      this.fail(lineNumber, "a memcheck --xtree-memory report (its snapshots are totals, not a timeline); Heatline reads massif's own output (valgrind --tool=massif)");
    }
    if (this.desc === null) this.desc = value;
    else if (this.cmd === null) this.cmd = value;
    else {
      if (!(value in UNIT_NAMES)) this.fail(lineNumber, `time_unit "${clip(value)}" is not one massif writes (i, ms, B)`);
      this.timeUnit = value;
    }
  }

  private startTree(snapshot: Snapshot, kind: string, lineNumber: number): void {
    if (kind !== 'empty' && kind !== 'detailed' && kind !== 'peak') this.fail(lineNumber, `heap_tree is "${clip(kind)}"; expected empty, detailed or peak`);
    snapshot.treeKind = kind;
    // Every tree is read: the peak's (or the largest detailed one's) makes the sites, all of them the sites over time.
    if (kind === 'peak' || kind === 'detailed') snapshot.tree = new HeapTreeReader();
  }

  /** Completes the current snapshot; at the end of the file, `cut` keeps what was whole. */
  finishSnapshot(lineNumber: number, atEnd = false): void {
    const s = this.current;
    if (s === null) return;
    this.current = null;
    if (s.fields.size < SNAPSHOT_FIELDS.length || (s.tree !== null && !s.tree.complete)) {
      if (!atEnd) this.fail(lineNumber, `snapshot ${s.number} (from line ${s.line}) is incomplete`);
      this.warnings.push(`the file ends inside snapshot ${s.number} (cut short?); kept the ${this.time.length} whole snapshots before it`);
      this.cutInSnapshot = true;
      return;
    }
    if (s.number <= this.lastNumber) this.warnings.push(`snapshot ${s.number} after snapshot ${this.lastNumber}: numbers out of order`);
    this.lastNumber = s.number;
    const value = (key: string) => Number(s.fields.get(key));
    this.time.push(value('time'));
    this.heap.push(value('mem_heap_B'));
    if (value('mem_heap_B') > 0) this.heapEverUsed = true;
    this.extraHeap.push(value('mem_heap_extra_B'));
    this.stacks.push(value('mem_stacks_B'));
    if (s.tree !== null && (s.treeKind === 'peak' || s.treeKind === 'detailed')) {
      s.tree.finish();
      if (s.tree.overfullNodes > 0) this.warnings.push(`snapshot ${s.number}'s tree has ${s.tree.overfullNodes} nodes smaller than their children`);
      this.trees.push({ snapshot: s.number, time: value('time'), sites: s.tree.sites });
      const best = this.best;
      if (s.treeKind === 'peak' || best === null || (best.kind !== 'peak' && value('mem_heap_B') > best.heap)) {
        this.best = { snapshot: s.number, kind: s.treeKind, heap: value('mem_heap_B'), rootBytes: s.tree.rootBytes, sites: s.tree.sites };
      }
    }
  }

  finish(lineNumber: number): MassifData {
    if (this.timeUnit === null) this.fail(lineNumber, 'the file ends inside massif\'s header (desc:, cmd:, time_unit:)');
    const lastNumber = this.current?.number ?? this.lastNumber;
    this.finishSnapshot(lineNumber, true);
    if (this.separators >= 2) {
      // Cut between the next snapshot's opening separator and its "snapshot=N" line.
      this.warnings.push(`the file ends where snapshot ${lastNumber + 1} begins (cut short?); kept the ${this.time.length} whole snapshots before it`);
    } else if (this.endsMidLine && !this.cutInSnapshot) {
      this.warnings.push(`the file ends inside line ${lineNumber} (cut short?); kept the ${this.time.length} whole snapshots before it`);
    }
    if (this.time.length === 0) throw new ImportError('no complete snapshot in the file (cut short?)');
    if (this.best === null) this.warnings.push('no detailed snapshot: memory over time only, no allocation tree');
    else if (this.best.kind !== 'peak') {
      // massif marks a peak whenever the heap was ever used: a file without one (but with a heap) was cut before it.
      const cut = this.heapEverUsed ? ' (cut short?)' : '';
      this.warnings.push(`no peak snapshot${cut}; the allocation tree is snapshot ${this.best.snapshot}'s, the largest detailed one`);
    }
    if (this.best !== null && this.best.rootBytes !== this.best.heap) {
      this.warnings.push(`snapshot ${this.best.snapshot}'s tree holds ${this.best.rootBytes} bytes but its mem_heap_B is ${this.best.heap}`);
    }
    return {
      desc: this.desc ?? '',
      cmd: this.cmd ?? '',
      timeUnit: this.timeUnit,
      time: this.time.finish(),
      heap: this.heap.finish(),
      extraHeap: this.extraHeap.finish(),
      stacks: this.stacks.finish(),
      tree: this.best,
      trees: this.trees,
      warnings: this.warnings,
    };
  }

  private fail(lineNumber: number, message: string): never {
    throw new ImportError(`line ${lineNumber}: ${message}`);
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads a massif file's snapshots and its peak tree. Throws ImportError with one line. */
export async function readMassif(source: ImportSource, options: ImportOptions = {}): Promise<MassifData> {
  const parser = new MassifParser();
  const { lineCount } = await readLines(source, options, (line, lineNumber, terminated) => parser.line(line, lineNumber, terminated));
  if (options.signal?.aborted) throw new CancelledError();
  return parser.finish(lineCount);
}

export const massifImporter: Importer = {
  id: 'massif',
  label: 'massif',
  sniff(head) {
    if (hasNulByte(head)) return false;
    const [desc, cmd, timeUnit] = headLines(head, 3);
    return desc?.startsWith('desc:') === true && cmd?.startsWith('cmd:') === true && timeUnit?.startsWith('time_unit:') === true;
  },
  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const data = await readMassif(source, options);
    return buildMassifProfile(data, source.name, NANOSECONDS[data.timeUnit] ?? NaN, UNIT_NAMES[data.timeUnit]);
  },
};
