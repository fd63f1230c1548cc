/**
 * The perf.data file header, the event attributes (perf_event_attr + ids) and
 * the table of feature sections; the pipe-mode header too.
 *
 * Layouts: tools/perf/Documentation/perf.data-file-format.txt and
 * include/uapi/linux/perf_event.h in the Linux tree
 * (https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/tools/perf/Documentation/perf.data-file-format.txt).
 *
 *   file:  magic "PERFILE2" | size | attr_size | attrs{offset,size} | data{offset,size}
 *          | event_types{offset,size} | 256 feature bits        (104 bytes)
 *          then attrs: [perf_event_attr (attr_size - 16) | ids{offset,size}] * n,
 *          the data section, and after it one {offset,size} per set feature bit.
 *   pipe:  magic | size = 16, then records; attrs and features arrive as
 *          HEADER_ATTR / HEADER_FEATURE records in the stream (see records.ts).
 *
 * The magic also gives the byte order: "PERFILE2" read as a little-endian u64
 * is 0x32454c4946524550; a big-endian file shows it byte-swapped ("2ELIFREP").
 */

import { ImportError } from '../../../src-shared/errors';
import type { ImportSource } from '../importer';
import { popcount64, u64, u64Big, u64Exact, u64Hi, u64Lo, viewOf } from './binary';

const MAGIC = 'PERFILE2';
const MAGIC_SWAPPED = '2ELIFREP';
export const FILE_HEADER_SIZE = 104;
/** Headers written before feature bits existed stop after event_types (perf still reads them). */
const OLD_FILE_HEADER_SIZE = 72;
export const PIPE_HEADER_SIZE = 16;
/** Each attr entry ends with the perf_file_section of its ids. */
const IDS_SECTION_SIZE = 16;
/** The first published perf_event_attr (PERF_ATTR_SIZE_VER0); attrs declaring size 0 mean this. */
const ATTR_SIZE_VER0 = 64;
/** More ids than this per file means a corrupt table (perf has one per event per CPU or thread). */
const MAX_IDS = 1 << 22;

export interface FileSection {
  offset: number;
  size: number;
}

export interface PerfHeader {
  littleEndian: boolean;
  pipe: boolean;
  /** Bytes per attr entry (attr + ids section); 0 in pipe mode. */
  attrEntrySize: number;
  attrs: FileSection;
  data: FileSection;
  /** Feature ids whose bit is set, ascending: their sections follow the data section in this order. */
  features: number[];
}

/**
 * The fields of one perf_event_attr that reading needs. sample_type and the
 * flag words fit 32 bits today; `sampleTypeHigh` keeps bits 32..63 so a file
 * from a future kernel with new sample fields is recognised as undecodable
 * rather than misread (`readFormatHigh` likewise).
 */
export interface PerfEventAttr {
  type: number;
  config: bigint;
  samplePeriod: number;
  freq: boolean;
  sampleType: number;
  sampleTypeHigh: number;
  readFormat: number;
  readFormatHigh: number;
  sampleIdAll: boolean;
  excludeCallchainUser: boolean;
  branchSampleType: number;
  sampleRegsUser: bigint;
  regsUserCount: number;
  sampleStackUser: number;
  sampleRegsIntr: bigint;
  regsIntrCount: number;
  /** Sample ids of this event (one per CPU or thread it was opened on). */
  ids: number[];
  /** From the event_desc feature or an EVENT_UPDATE record; null until known. */
  name: string | null;
}

/** True when `head` starts with a perf.data magic in either byte order. */
export function sniffPerfData(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const magic = String.fromCharCode(...head.subarray(0, 8));
  return magic === MAGIC || magic === MAGIC_SWAPPED;
}

/** Reads and checks the file or pipe header; an ImportError (one line) when it is cut or not a header. */
export async function readPerfHeader(source: ImportSource): Promise<PerfHeader> {
  const head = await source.readRange(0, FILE_HEADER_SIZE);
  if (head.length < 16 || !sniffPerfData(head)) throw new ImportError('not a perf.data file (no PERFILE2 magic)');
  const magic = String.fromCharCode(...head.subarray(0, 8));
  const le = magic === MAGIC;
  const view = viewOf(head);
  const size = u64Exact(view, 8, le);
  if (size === PIPE_HEADER_SIZE) {
    return { littleEndian: le, pipe: true, attrEntrySize: 0, attrs: { offset: 0, size: 0 }, data: { offset: PIPE_HEADER_SIZE, size: source.size - PIPE_HEADER_SIZE }, features: [] };
  }
  if (size !== FILE_HEADER_SIZE && size !== OLD_FILE_HEADER_SIZE) {
    throw new ImportError(size < 0 ? 'the header gives an impossible header size (corrupt file)' : `unsupported perf.data header size ${size} (expected ${FILE_HEADER_SIZE})`);
  }
  if (head.length < size) throw new ImportError(`the file is cut inside its header (${source.size} bytes)`);

  const attrEntrySize = u64Exact(view, 16, le);
  const attrs = section(view, 24, le);
  const data = section(view, 40, le);
  if (attrEntrySize <= IDS_SECTION_SIZE || attrEntrySize > 4096) throw new ImportError(`the header gives an impossible event attribute size${attrEntrySize < 0 ? '' : ` (${attrEntrySize})`} (corrupt file)`);
  if (attrs.offset < 0 || attrs.size <= 0 || attrs.offset + attrs.size > source.size) throw new ImportError('the event attributes lie outside the file (cut or not a perf.data file)');
  if (data.offset < 0 || data.size < 0 || data.offset > source.size) throw new ImportError('the data section lies outside the file (cut or not a perf.data file)');

  const features: number[] = [];
  if (size === FILE_HEADER_SIZE) {
    // 256 bits in four u64 words: flags, flags1[3]. Bit i of word w is feature 64 * w + i.
    for (let word = 0; word < 4; word++) {
      for (let half = 0; half < 2; half++) {
        const bits = half === 0 ? u64Lo(view, 72 + 8 * word, le) : u64Hi(view, 72 + 8 * word, le);
        for (let bit = 0; bit < 32; bit++) if (bits & (1 << bit)) features.push(64 * word + 32 * half + bit);
      }
    }
  }
  return { littleEndian: le, pipe: false, attrEntrySize, attrs, data, features };
}

function section(view: DataView, offset: number, le: boolean): FileSection {
  return { offset: u64Exact(view, offset, le), size: u64Exact(view, offset + 8, le) };
}

/**
 * One perf_event_attr from `available` bytes at `offset`. Fields past the
 * attr's own size (older perf) read as zero, as the kernel treats them.
 */
export function parseAttr(view: DataView, offset: number, available: number, le: boolean): PerfEventAttr {
  const declared = view.getUint32(offset + 4, le) || ATTR_SIZE_VER0;
  const size = Math.min(declared, available);
  const has = (end: number) => end <= size;
  const word64 = (at: number) => (has(at + 8) ? u64Big(view, offset + at, le) : 0n);
  const flags = has(48) ? u64Lo(view, offset + 40, le) : 0;
  const sampleRegsUser = word64(80);
  const sampleRegsIntr = word64(96);
  return {
    type: has(4) ? view.getUint32(offset, le) : 0,
    config: word64(8),
    samplePeriod: has(24) ? u64(view, offset + 16, le) : 0,
    freq: (flags & (1 << 10)) !== 0,
    sampleType: has(32) ? u64Lo(view, offset + 24, le) : 0,
    sampleTypeHigh: has(32) ? u64Hi(view, offset + 24, le) : 0,
    readFormat: has(40) ? u64Lo(view, offset + 32, le) : 0,
    readFormatHigh: has(40) ? u64Hi(view, offset + 32, le) : 0,
    sampleIdAll: (flags & (1 << 18)) !== 0,
    excludeCallchainUser: (flags & (1 << 22)) !== 0,
    branchSampleType: has(80) ? u64Lo(view, offset + 72, le) : 0,
    sampleRegsUser,
    regsUserCount: popcount64(sampleRegsUser),
    sampleStackUser: has(92) ? view.getUint32(offset + 88, le) : 0,
    sampleRegsIntr,
    regsIntrCount: popcount64(sampleRegsIntr),
    ids: [],
    name: null,
  };
}

/** The attrs of a (non-pipe) file with their ids. ImportError when none can be read. */
export async function readAttrs(source: ImportSource, header: PerfHeader, warnings: string[]): Promise<PerfEventAttr[]> {
  const table = await source.readRange(header.attrs.offset, header.attrs.size);
  const view = viewOf(table);
  const le = header.littleEndian;
  const count = Math.floor(table.length / header.attrEntrySize);
  if (count === 0) throw new ImportError('the file names no events');
  const attrs: PerfEventAttr[] = [];
  let totalIds = 0;
  for (let i = 0; i < count; i++) {
    const at = i * header.attrEntrySize;
    const attr = parseAttr(view, at, header.attrEntrySize - IDS_SECTION_SIZE, le);
    const ids = section(view, at + header.attrEntrySize - IDS_SECTION_SIZE, le);
    const nIds = Math.floor(ids.size / 8);
    if (ids.offset < 0 || ids.size < 0 || ids.offset + ids.size > source.size || totalIds + nIds > MAX_IDS) {
      warnings.push(`the id table of event ${i + 1} lies outside the file; its samples may not be told apart`);
    } else if (nIds > 0) {
      const bytes = await source.readRange(ids.offset, nIds * 8);
      attr.ids = readIds(viewOf(bytes), 0, Math.floor(bytes.length / 8), le);
      totalIds += nIds;
    }
    attrs.push(attr);
  }
  return attrs;
}

/** `count` u64 ids at `offset`. Ids are small counters the kernel hands out; the rare huge one is rounded (only used as a key). */
export function readIds(view: DataView, offset: number, count: number, le: boolean): number[] {
  const ids: number[] = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = u64(view, offset + 8 * i, le);
  return ids;
}

/** The feature sections' locations, from the table after the data section. Entries outside the file are dropped with a warning. */
export async function readFeatureTable(source: ImportSource, header: PerfHeader, warnings: string[]): Promise<Map<number, FileSection>> {
  const sections = new Map<number, FileSection>();
  if (header.features.length === 0 || header.data.size === 0) return sections;
  const tableOffset = header.data.offset + header.data.size;
  const table = await source.readRange(tableOffset, header.features.length * 16);
  if (table.length < header.features.length * 16) {
    warnings.push('the header sections (host, command line, build-ids, event names) are missing: the file is cut');
    return sections;
  }
  const view = viewOf(table);
  let bad = 0;
  header.features.forEach((feature, i) => {
    const where = section(view, 16 * i, header.littleEndian);
    if (where.offset < 0 || where.size < 0 || where.offset + where.size > source.size) bad++;
    else sections.set(feature, where);
  });
  if (bad > 0) warnings.push(`${bad} header section(s) lie outside the file and were skipped`);
  return sections;
}

/** perf's names for the generic events (include/uapi/linux/perf_event.h: perf_hw_id, perf_sw_ids). */
const HARDWARE_NAMES = ['cycles', 'instructions', 'cache-references', 'cache-misses', 'branch-instructions', 'branch-misses', 'bus-cycles', 'stalled-cycles-frontend', 'stalled-cycles-backend', 'ref-cycles'];
const SOFTWARE_NAMES = ['cpu-clock', 'task-clock', 'page-faults', 'context-switches', 'cpu-migrations', 'minor-faults', 'major-faults', 'alignment-faults', 'emulation-faults', 'dummy', 'bpf-output', 'cgroup-switches'];
export const PERF_TYPE_HARDWARE = 0;
export const PERF_TYPE_SOFTWARE = 1;

/** The event's name: the recorded one, else perf's generic name, else "type/config". */
export function eventName(attr: PerfEventAttr): string {
  if (attr.name) return attr.name;
  const config = Number(attr.config);
  if (attr.type === PERF_TYPE_HARDWARE && HARDWARE_NAMES[config]) return HARDWARE_NAMES[config];
  if (attr.type === PERF_TYPE_SOFTWARE && SOFTWARE_NAMES[config]) return SOFTWARE_NAMES[config];
  return `${attr.type}/0x${attr.config.toString(16)}`;
}
