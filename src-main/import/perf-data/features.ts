/**
 * perf.data feature sections ("header features"): where and on what the
 * recording was made, and the build-ids of the binaries it touched. In a
 * file they are sections after the data; in pipe mode each arrives as a
 * PERF_RECORD_HEADER_FEATURE record with the same payload.
 *
 * Layouts: tools/perf/Documentation/perf.data-file-format.txt and
 * tools/perf/util/header.c (write_* / process_*). Strings are
 * `u32 len; char str[len]` (NUL-padded); string lists are `u32 nr` + strings.
 * Unknown features are skipped; a malformed one is skipped with a warning.
 */

import { bytesOf, cString, u64 } from './binary';
import { parseAttr, readIds } from './header';

export const Feature = {
  TRACING_DATA: 1,
  BUILD_ID: 2,
  HOSTNAME: 3,
  OSRELEASE: 4,
  VERSION: 5,
  ARCH: 6,
  NRCPUS: 7,
  CPUDESC: 8,
  CPUID: 9,
  TOTAL_MEM: 10,
  CMDLINE: 11,
  EVENT_DESC: 12,
  SAMPLE_TIME: 21,
} as const;

/** build_id_event's misc bit saying byte 20 of build_id holds its length (newer perf). */
const MISC_BUILD_ID_SIZE = 1 << 15;
export const CPUMODE_MASK = 7;
export const CPUMODE_KERNEL = 1;

export interface BuildIdEntry {
  /** -1 for the host (guests have their pid). */
  pid: number;
  /** PERF_RECORD_MISC_CPUMODE of the record: 1 kernel (the kernel or a module), 2 user. */
  cpumode: number;
  /** Lowercase hex. */
  buildId: string;
  filename: string;
}

export interface EventDesc {
  name: string;
  ids: number[];
}

export interface PerfFeatures {
  hostname: string | null;
  osRelease: string | null;
  perfVersion: string | null;
  arch: string | null;
  cpuDesc: string | null;
  nrCpusOnline: number | null;
  nrCpusAvailable: number | null;
  totalMemKb: number | null;
  /** perf's own argv as recorded: ["/usr/bin/perf", "record", ...]. */
  cmdline: string[] | null;
  eventDescs: EventDesc[];
  buildIds: BuildIdEntry[];
  /** First and last sample time (ns), when perf wrote them. */
  sampleTime: { first: number; last: number } | null;
}

export function emptyFeatures(): PerfFeatures {
  return {
    hostname: null,
    osRelease: null,
    perfVersion: null,
    arch: null,
    cpuDesc: null,
    nrCpusOnline: null,
    nrCpusAvailable: null,
    totalMemKb: null,
    cmdline: null,
    eventDescs: [],
    buildIds: [],
    sampleTime: null,
  };
}

class Malformed extends Error {}

/** A bounds-checked reader over one feature's bytes: any overrun throws Malformed. */
class Cursor {
  private readonly bytes: Uint8Array;
  at = 0;
  constructor(
    readonly view: DataView,
    readonly le: boolean,
  ) {
    this.bytes = bytesOf(view);
  }
  get left(): number {
    return this.view.byteLength - this.at;
  }
  need(n: number): number {
    if (!(n >= 0) || this.at + n > this.view.byteLength) throw new Malformed();
    const at = this.at;
    this.at += n;
    return at;
  }
  u32(): number {
    return this.view.getUint32(this.need(4), this.le);
  }
  u64(): number {
    return u64(this.view, this.need(8), this.le);
  }
  string(): string {
    const len = this.u32();
    const at = this.need(len);
    return cString(this.bytes, at, at + len);
  }
  stringList(): string[] {
    const nr = this.u32();
    if (nr * 4 > this.left) throw new Malformed();
    const list: string[] = [];
    for (let i = 0; i < nr; i++) list.push(this.string());
    return list;
  }
}

/**
 * Applies one feature's payload to `features`. Returns a warning line when
 * the payload is malformed (the feature is then ignored), else null.
 */
export function readFeature(features: PerfFeatures, id: number, view: DataView, le: boolean): string | null {
  const c = new Cursor(view, le);
  try {
    switch (id) {
      case Feature.HOSTNAME:
        features.hostname = c.string();
        break;
      case Feature.OSRELEASE:
        features.osRelease = c.string();
        break;
      case Feature.VERSION:
        features.perfVersion = c.string();
        break;
      case Feature.ARCH:
        features.arch = c.string();
        break;
      case Feature.CPUDESC:
        features.cpuDesc = c.string();
        break;
      case Feature.NRCPUS:
        // header.c write_nrcpus: the available (present) count first, then the online count.
        features.nrCpusAvailable = c.u32();
        features.nrCpusOnline = c.u32();
        break;
      case Feature.TOTAL_MEM:
        features.totalMemKb = c.u64();
        break;
      case Feature.CMDLINE:
        features.cmdline = c.stringList();
        break;
      case Feature.EVENT_DESC:
        features.eventDescs = readEventDescs(c);
        break;
      case Feature.BUILD_ID:
        features.buildIds.push(...readBuildIds(view, le));
        break;
      case Feature.SAMPLE_TIME:
        features.sampleTime = { first: c.u64(), last: c.u64() };
        break;
      default:
        // Topologies, caches, PMU mappings, tracing data, ...: nothing a profile shows yet.
        break;
    }
    return null;
  } catch (error) {
    if (error instanceof Malformed || error instanceof RangeError) return `header section ${featureName(id)} is malformed; skipped`;
    throw error;
  }
}

function readEventDescs(c: Cursor): EventDesc[] {
  const nr = c.u32();
  const attrSize = c.u32();
  if (attrSize < 8 || nr * (attrSize + 8) > c.left) throw new Malformed();
  const descs: EventDesc[] = [];
  for (let i = 0; i < nr; i++) {
    const attrAt = c.need(attrSize);
    parseAttr(c.view, attrAt, attrSize, c.le); // only its size is checked: the header's attrs are the ones used
    const nrIds = c.u32();
    const name = c.string();
    if (nrIds * 8 > c.left) throw new Malformed();
    const idsAt = c.need(nrIds * 8);
    descs.push({ name, ids: readIds(c.view, idsAt, nrIds, c.le) });
  }
  return descs;
}

/**
 * A run of build_id_event records (the BUILD_ID feature, or one
 * PERF_RECORD_HEADER_BUILD_ID record in pipe mode):
 *   header{u32 type; u16 misc; u16 size} | s32 pid | u8 build_id[24] | char filename[]
 */
export function readBuildIds(view: DataView, le: boolean): BuildIdEntry[] {
  const bytes = bytesOf(view);
  const entries: BuildIdEntry[] = [];
  let at = 0;
  while (at + 8 <= view.byteLength) {
    const misc = view.getUint16(at + 4, le);
    const size = view.getUint16(at + 6, le);
    if (size < 36 || at + size > view.byteLength) throw new Malformed();
    const idLength = misc & MISC_BUILD_ID_SIZE ? Math.min(20, bytes[at + 12 + 20]) : 20;
    let buildId = '';
    for (let i = 0; i < idLength; i++) buildId += bytes[at + 12 + i].toString(16).padStart(2, '0');
    entries.push({
      pid: view.getInt32(at + 8, le),
      cpumode: misc & CPUMODE_MASK,
      buildId,
      filename: cString(bytes, at + 36, at + size),
    });
    at += size;
  }
  return entries;
}

const FEATURE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Feature).map(([name, id]) => [id, name.toLowerCase()]));

export function featureName(id: number): string {
  return FEATURE_NAMES[id] ?? `#${id}`;
}

/** The recorded kernel's build-id (perf's build-id table entry for `[kernel.kallsyms]`), or null. */
export function recordedKernelBuildId(features: PerfFeatures): string | null {
  return features.buildIds.find((b) => b.cpumode === CPUMODE_KERNEL && b.filename.startsWith('[kernel.kallsyms]'))?.buildId ?? null;
}
