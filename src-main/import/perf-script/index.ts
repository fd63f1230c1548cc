/**
 * `perf script` text output: a header line per sample, then (with -g) its
 * call chain, one frame per line, leaf first, and a blank line. See lines.ts
 * for the layout and frames.ts for how frames are named.
 *
 * Upstream: tools/perf/Documentation/perf-script.txt and
 * tools/perf/builtin-script.c in the Linux tree.
 *
 * Weights. Every sample counts 1 and the unit is 'samples', so `heatline
 * report` totals equal perf report's "# Samples: N". perf report's
 * percentages are shares of the summed period instead; they are the same
 * shares whenever every sample has the same period, as with cpu-clock or
 * task-clock (and any event recorded with a fixed -c). When periods vary
 * (hardware events sampled by frequency), a warning says the shares are by
 * sample count. Weighting by period would make the totals the event count,
 * and the model has no unit for cycles.
 *
 * Several events in one file: the first event's samples become the profile
 * and the others' samples become timeline markers (model.ts MarkerTable) on
 * their thread, with their call chain as the marker's stack and, for
 * tracepoints, their fields ("prev_comm=... ==> next_comm=...") as the
 * marker's detail.
 */

import { ImportError } from '../../../src-shared/errors';
import { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { IndexIntoThreadTable, Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { detach, hasNulByte, headLines, readLines } from '../text-lines';
import { FrameResolver } from './frames';
import { FrameFields, HeaderFields, isBlank, parseFrame, parseHeader, parseSrcline } from './lines';

const TAB = 9;
const SPACE = 32;
const HASH = 35;
const SNIFF_LINES = 40;
const HOSTNAME_PREFIX = '# hostname : ';

interface ThreadSeen {
  index: IndexIntoThreadTable;
  pid: number;
  comm: string;
}

class PerfScriptParser {
  readonly builder: ProfileBuilder;
  private readonly frames: FrameResolver;
  private readonly header = new HeaderFields();

  private inSample = false;
  /** The sample's event when it is not the first event: the sample becomes a marker. */
  private markerEvent: string | null = null;
  private markerDetail: string | null = null;
  private sampleThread = -1;
  private sampleTime = NaN;
  /** The sample's frame came from its header line; a call chain replaces it. */
  private headerFrame = false;
  /** The previous line was a frame: only then can a srcline come next. */
  private lastWasFrame = false;

  private firstEvent: string | null = null;
  private firstPeriod = NaN;
  private periodsVary = false;

  private readonly threadByTid = new Map<number, ThreadSeen>();
  private readonly threadsSeen: { tid: number; pid: number }[] = [];
  private readonly processNames = new Map<number, string>();

  constructor(sourceName: string) {
    this.builder = new ProfileBuilder({ format: 'perf-script', kind: 'cpu', unit: 'samples', sourceName, weighted: false });
    this.frames = new FrameResolver(this.builder);
  }

  /** Handles one line; returns null, or why the line is malformed. */
  line(line: string): string | null {
    const first = line.charCodeAt(0);
    if (first === TAB) return this.frameLine(line);
    if (first === HASH) return this.commentLine(line);
    if (line.length === 0 || isBlank(line)) {
      this.finishSample();
      this.lastWasFrame = false;
      return null;
    }
    if (first === SPACE && this.lastWasFrame && line.charCodeAt(1) === SPACE) {
      if (this.frames.attachSrcline(line)) {
        this.lastWasFrame = false;
        return null;
      }
    }
    return this.headerLine(line);
  }

  /** `perf script --header` prints the perf.data header as "# key : value" lines first. */
  private commentLine(line: string): null {
    if (line.startsWith(HOSTNAME_PREFIX)) this.builder.meta.host = line.slice(HOSTNAME_PREFIX.length).trim() || null;
    return null;
  }

  private frameLine(line: string): string | null {
    if (!this.inSample) return 'a stack frame outside a sample (no header line before it)';
    this.lastWasFrame = true;
    if (this.headerFrame) {
      // The header's trailing text was not the sample's ip (it was tracepoint data).
      this.frames.clear();
      this.headerFrame = false;
    }
    return this.frames.pushFrameLine(line);
  }

  private headerLine(line: string): string | null {
    const h = this.header;
    const problem = parseHeader(line, h);
    if (problem !== null) return problem;
    this.finishSample();
    this.lastWasFrame = false;
    const hasEvent = h.eventEnd > h.eventStart;
    if (hasEvent && line.startsWith('PERF_RECORD_', h.eventStart)) return null; // --show-*-events lines
    let hasIp = false;
    if (h.restStart < line.length) {
      hasIp = this.frames.pushHeaderFrame(line, h.restStart) === null;
      this.headerFrame = hasIp;
      this.lastWasFrame = hasIp;
    }
    if (!hasEvent && Number.isNaN(h.time) && !hasIp) return 'a sample header needs a time, an event or an ip';

    this.inSample = true;
    this.markerEvent = this.isFirstEvent(line, hasEvent) ? null : detach(line.slice(h.eventStart, h.eventEnd));
    this.markerDetail = null;
    if (this.markerEvent !== null && h.restStart < line.length && line.includes('=', h.restStart)) {
      // A tracepoint's fields, not an ip: the marker's detail; its call chain (if any) follows.
      this.frames.clear();
      this.headerFrame = false;
      this.lastWasFrame = false;
      this.markerDetail = detach(line.slice(h.restStart).trim());
    }
    this.sampleTime = h.time;
    this.sampleThread = this.threadOf(line);
    if (this.markerEvent === null) this.notePeriod(h.period);
    return null;
  }

  /** True when the header's event is the file's first, or names no event (-F without `event`). */
  private isFirstEvent(line: string, hasEvent: boolean): boolean {
    if (!hasEvent) return true;
    const h = this.header;
    if (this.firstEvent === null) {
      this.firstEvent = detach(line.slice(h.eventStart, h.eventEnd));
      this.builder.meta.eventName = this.firstEvent;
      return true;
    }
    const length = h.eventEnd - h.eventStart;
    return length === this.firstEvent.length && line.startsWith(this.firstEvent, h.eventStart);
  }

  private threadOf(line: string): IndexIntoThreadTable {
    const h = this.header;
    const seen = this.threadByTid.get(h.tid);
    const commLength = h.commEnd - h.commStart;
    if (seen !== undefined && seen.pid === h.pid && seen.comm.length === commLength && line.startsWith(seen.comm, h.commStart)) {
      return seen.index;
    }
    const comm = detach(line.slice(h.commStart, h.commEnd));
    // A later comm renames the thread (exec changes it): the builder keeps the last.
    const index = this.builder.thread(h.tid, h.pid, comm === '' ? null : comm);
    if (seen === undefined || seen.index !== index) this.threadsSeen.push({ tid: h.tid, pid: h.pid });
    this.threadByTid.set(h.tid, { index, pid: h.pid, comm });
    if (h.pid >= 0 && h.pid === h.tid && comm !== '') this.processNames.set(h.pid, comm);
    return index;
  }

  private notePeriod(period: number): void {
    if (Number.isNaN(period)) return;
    if (Number.isNaN(this.firstPeriod)) this.firstPeriod = period;
    else if (period !== this.firstPeriod) this.periodsVary = true;
  }

  private finishSample(): void {
    if (!this.inSample) return;
    this.inSample = false;
    this.headerFrame = false;
    if (this.markerEvent === null) {
      this.builder.sample(this.frames.finishStack(), this.sampleThread, this.sampleTime);
      return;
    }
    const stack = this.frames.frameCount > 0 ? this.frames.finishStack() : -1;
    this.builder.marker(this.sampleTime, this.sampleThread, this.markerEvent, stack, this.markerDetail);
  }

  finish(lastLineTerminated: boolean): Profile {
    this.finishSample();
    const { builder } = this;
    if (builder.sampleCount === 0) throw new ImportError('no samples');
    for (const { tid, pid } of this.threadsSeen) {
      const processName = this.processNames.get(pid);
      if (processName !== undefined) builder.thread(tid, pid, null, processName);
    }
    const warnings = builder.meta.warnings;
    if (this.periodsVary) {
      warnings.push("sample periods vary: shares are by sample count, while perf report's are by period");
    }
    if (!lastLineTerminated) warnings.push('the last line has no newline after it: the file may be truncated');
    return builder.finish();
  }
}

/**
 * The head starts (after any `# ...` header lines) with a sample: a header
 * line with a time, or with an event and the sample's ip, or one followed by
 * a call chain; every line up to the limit is a header, frame or srcline.
 */
function sniffPerfScript(head: Uint8Array): boolean {
  if (hasNulByte(head)) return false;
  const header = new HeaderFields();
  const frame = new FrameFields();
  let samples = 0;
  let convincing = false;
  let afterFrame = false;
  for (const line of headLines(head, SNIFF_LINES)) {
    if (samples === 0 && line.startsWith('#')) continue;
    if (isBlank(line)) {
      afterFrame = false;
      continue;
    }
    if (line.charCodeAt(0) === TAB) {
      if (samples === 0 || parseFrame(line, 1, frame) !== null) return false;
      convincing = true;
      afterFrame = true;
      continue;
    }
    if (afterFrame && parseSrcline(line) !== null) {
      afterFrame = false;
      continue;
    }
    if (parseHeader(line, header) !== null) return false;
    const hasEvent = header.eventEnd > header.eventStart;
    const hasIp = header.restStart < line.length && parseFrame(line, header.restStart, frame) === null;
    if (!Number.isNaN(header.time) || (hasEvent && hasIp)) convincing = true;
    else if (!hasEvent) return false;
    afterFrame = hasIp;
    samples++;
  }
  return samples > 0 && convincing;
}

export const perfScriptImporter: Importer = {
  id: 'perf-script',
  label: 'perf script output',
  sniff: sniffPerfScript,

  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const parser = new PerfScriptParser(source.name);
    const { lastLineTerminated } = await readLines(source, options, (line, lineNumber, terminated) => {
      const problem = parser.line(line);
      if (problem !== null) throw new ImportError(`${terminated ? 'line' : 'truncated at line'} ${lineNumber}: ${problem}`);
    });
    return parser.finish(lastLineTerminated);
  },
};
