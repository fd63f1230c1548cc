/**
 * `strace -f -T -tt` (or -ttt) output: the recorder's system call timeline
 * (record/instruments.ts, instrument `syscalls` in timeline mode), or any
 * such file dropped on the window. Line grammar: lines.ts.
 *
 * The profile is what a system-call tracer shows: one thread per pid, one
 * sample per finished call at the time it started, weighted by its duration
 * in nanoseconds, with the stack [syscall name]. The flame graph, call tree
 * and function table then rank system calls by time spent in them, and the
 * timeline shows which call each pid was in when. Calls another pid's line
 * interrupted (`<unfinished ...>` ... `<... name resumed>`) are joined into
 * one. Signals and exits become markers on their pid's track.
 *
 * Threads are named by strace -Y's command names when present, else after
 * the program their pid (or the pid that cloned it) exec'd, else "pid N".
 * strace cuts strings at 32 characters (-s), so a long program path may be
 * cut short: then the name is taken from whichever of execve's path and
 * argv[0] is whole, or not at all. A clone with CLONE_THREAD makes a thread of the
 * cloning pid's process. Since a child's first lines can come before its
 * parent's clone returns, calls are collected first and threads made at the
 * end.
 */

import { basename } from 'node:path';
import { ImportError } from '../../../src-shared/errors';
import { ProfileBuilder } from '../../../src-shared/profile/builder';
import { FuncKind, type IndexIntoStackTable, type Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { detach, hasNulByte, headLines, readLines } from '../text-lines';
import { isStraceEvidence, parseStraceLine } from './lines';

const SNIFF_LINES = 20;
const DAY = 86_400e9;
/** The key of lines strace printed without a pid (the first process before it had children). */
const NO_PID = -1;

interface Call {
  pid: number;
  name: string;
  start: number;
  duration: number;
}

interface Pending {
  name: string;
  start: number;
  text: string;
}

interface Marker {
  pid: number;
  time: number;
  event: 'signal' | 'exit';
  detail: string;
}

/** What the lines tell about pids: programs exec'd, who cloned whom. */
class PidFacts {
  readonly order: number[] = [];
  private readonly seen = new Set<number>();
  readonly program = new Map<number, string>();
  /** strace -Y's command name per pid, the latest seen. */
  readonly comm = new Map<number, string>();
  /** The first pid seen; the profile's command is its latest exec (setpriv and env exec the program in turn). */
  private first: number | null = null;
  readonly parent = new Map<number, number>();
  /** Thread group leader of pids cloned with CLONE_THREAD. */
  readonly leader = new Map<number, number>();
  command: string | null = null;

  see(pid: number): void {
    if (!this.seen.has(pid)) {
      this.seen.add(pid);
      this.order.push(pid);
      this.first ??= pid;
    }
  }

  /** Learns from one finished call's whole text (arguments and result). */
  learn(pid: number, name: string, text: string): void {
    const result = resultOf(text);
    if (name === 'execve' || name === 'execveat') {
      if (result !== 0) return;
      const strings = quotedStrings(text);
      const whole = strings.find((s) => !s.cut && s.text.length > 0 && !s.text.endsWith('/'));
      if (whole !== undefined) this.program.set(pid, basename(whole.text));
      if (pid === this.first) this.command = strings.slice(1).map((s) => s.text + (s.cut ? '...' : '')).join(' ');
    } else if ((name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork') && result !== null && result > 0) {
      this.parent.set(result, pid);
      if (text.includes('CLONE_THREAD')) this.leader.set(result, this.leader.get(pid) ?? pid);
    }
  }

  /** The name of `pid`: its -Y command name, else its own exec's, else its cloner's (a few generations up). */
  nameOf(pid: number): string | null {
    const comm = this.comm.get(pid);
    if (comm !== undefined) return comm;
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = this.parent.get(p), hops++) {
      const program = this.program.get(p);
      if (program !== undefined) return program;
    }
    return null;
  }
}

/** The number after the last " = " of a finished call, or null ("= ?", "= 0x7f..." count as non-numbers except hex). */
function resultOf(text: string): number | null {
  const at = text.lastIndexOf(') = ');
  if (at === -1) return null;
  const match = /^(-?\d+)\b/.exec(text.slice(at + 4));
  return match === null ? null : Number(match[1]);
}

/**
 * execve's path and then its argv strings: `execve("/bin/ls", ["ls", "-l"], ...`.
 * `cut` marks a string strace shortened (`"..."...`).
 */
function quotedStrings(text: string): { text: string; cut: boolean }[] {
  const path = /^\w+\("((?:[^"\\]|\\.)*)"(\.\.\.)?, \[/.exec(text);
  if (path === null) return [];
  const out = [{ text: unescape(path[1]), cut: path[2] !== undefined }];
  const item = /\s*"((?:[^"\\]|\\.)*)"(\.\.\.)?\s*([,\]])/y;
  item.lastIndex = path[0].length;
  for (let match = item.exec(text); match !== null; match = item.exec(text)) {
    out.push({ text: unescape(match[1]), cut: match[2] !== undefined });
    if (match[3] === ']') break;
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

export const straceImporter: Importer = {
  id: 'strace',
  label: 'strace timeline',

  /**
   * Every complete line of the head parses as a strace -tt line and at least
   * one is a call, signal or exit. perf script lines ("comm pid [cpu] time:")
   * and collapsed stacks never start with a clock time after an optional pid.
   */
  sniff(head: Uint8Array): boolean {
    if (hasNulByte(head)) return false;
    let evidence = 0;
    for (const line of headLines(head, SNIFF_LINES)) {
      if (line.trim() === '') continue;
      const parsed = parseStraceLine(line);
      if (parsed === null) return false;
      if (isStraceEvidence(parsed)) evidence++;
    }
    return evidence > 0;
  },

  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const calls: Call[] = [];
    const markers: Marker[] = [];
    const pending = new Map<number, Pending>();
    const facts = new PidFacts();
    let unmatchedResumes = 0;
    let skipped = 0;
    let truncatedLine = 0;
    // -tt has no date: a time far below the previous one is the next day.
    let lastTime = NaN;
    let dayOffset = 0;

    await readLines(source, options, (line, lineNumber, terminated) => {
      if (line.trim() === '') return;
      const parsed = parseStraceLine(line);
      if (!terminated) {
        // strace ends every line; one without a newline was cut off mid-write.
        truncatedLine = lineNumber;
        return;
      }
      if (parsed === null) {
        throw new ImportError(`line ${lineNumber}: not a strace -f -T -tt line (expected "[pid] HH:MM:SS.micro call(...) = result <seconds>")`);
      }
      if (parsed.time + dayOffset < lastTime - DAY / 2) dayOffset += DAY;
      const time = parsed.time + dayOffset;
      lastTime = time;
      const pid = parsed.pid ?? NO_PID;
      facts.see(pid);
      if (parsed.comm !== null && parsed.comm !== '') facts.comm.set(pid, detach(parsed.comm));
      const body = parsed.body;
      switch (body.kind) {
        case 'call':
          calls.push({ pid, name: detach(body.name), start: time, duration: body.duration });
          facts.learn(pid, body.name, body.text);
          break;
        case 'call-no-duration':
          facts.learn(pid, body.name, body.text);
          break;
        case 'unfinished':
          pending.set(pid, { name: detach(body.name), start: time, text: body.text });
          break;
        case 'resumed': {
          const started = pending.get(pid);
          if (started !== undefined && started.name === body.name) pending.delete(pid);
          else unmatchedResumes++;
          facts.learn(pid, body.name, (started?.text ?? '') + body.text);
          if (body.duration === null) break;
          // Without its start (attached mid-call), it started `duration` before it ended.
          const start = started?.name === body.name ? started.start : time - body.duration;
          calls.push({ pid, name: detach(body.name), start, duration: body.duration });
          break;
        }
        case 'signal':
        case 'exit':
          markers.push({ pid, time, event: body.kind, detail: detach(body.text) });
          break;
        case 'other':
          skipped++;
          break;
      }
    });

    if (calls.length === 0) throw new ImportError(truncatedLine > 0 ? `truncated at line ${truncatedLine} before any finished system call` : 'no finished system calls (was strace run with -T?)');

    const builder = new ProfileBuilder({ format: 'strace', kind: 'cpu', unit: 'nanoseconds', sourceName: source.name, weighted: true });
    builder.meta.eventName = 'system calls';
    builder.meta.command = facts.command;
    const threadOf = new Map<number, number>();
    for (const pid of facts.order) {
      const program = facts.nameOf(pid);
      const label = pid === NO_PID ? (program ?? 'traced process') : (program ?? `pid ${pid}`);
      const leader = facts.leader.get(pid) ?? pid;
      const tid = pid === NO_PID ? 0 : pid;
      threadOf.set(pid, builder.thread(tid, leader === NO_PID ? 0 : leader, label, facts.nameOf(leader)));
    }
    const stackOf = new Map<string, IndexIntoStackTable>();
    for (const call of calls) {
      let stack = stackOf.get(call.name);
      if (stack === undefined) {
        stack = builder.stack(-1, builder.frame(builder.func(call.name, { kind: FuncKind.kernel, library: 'syscall' })));
        stackOf.set(call.name, stack);
      }
      builder.sample(stack, threadOf.get(call.pid) ?? 0, call.start, call.duration);
    }
    for (const marker of markers) builder.marker(marker.time, threadOf.get(marker.pid) ?? 0, marker.event, -1, marker.detail);

    const warnings = builder.meta.warnings;
    if (truncatedLine > 0) warnings.push(`truncated at line ${truncatedLine}: the unfinished last line is left out`);
    if (pending.size > 0) warnings.push(`${pending.size} system call(s) never finished (the process exited or the trace stopped); left out`);
    if (unmatchedResumes > 0) warnings.push(`${unmatchedResumes} resumed call(s) without their start (attached mid-call?); timed from their duration`);
    if (skipped > 0) warnings.push(`${skipped} line(s) of a form Heatline does not know were skipped`);
    return builder.finish();
  },
};
