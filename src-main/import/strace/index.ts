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
 *
 * Other ways of recording strace are read too (README.md has the list):
 * strace's own messages, -k stack lines and the -C summary table are skipped
 * (noise.ts), -r times summed (clock.ts), lines without a pid given the first
 * process's (first-process.ts); output without -T or times is refused with
 * what to record instead (variants.ts).
 */

import { ImportError } from '../../../src-shared/errors';
import { ProfileBuilder } from '../../../src-shared/profile/builder';
import { FuncKind, type IndexIntoStackTable, type Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { detach, hasNulByte, headLines, readLines } from '../text-lines';
import { TraceClock } from './clock';
import { NO_PID, UnprefixedLines } from './first-process';
import { isStraceEvidence, parseStraceLine } from './lines';
import { StraceLineJoiner, isStackTraceLine, isSummaryHeader } from './noise';
import { PidFacts, resultOf } from './pid-facts';
import { unreadableStraceVariant } from './variants';

const SNIFF_LINES = 20;

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

/**
 * What the head of a file is: a trace Heatline reads ('trace'), strace
 * output it cannot read (the problem, to say so), or something else (null).
 */
function judgeHead(head: Uint8Array): 'trace' | { problem: string } | null {
  if (hasNulByte(head)) return null;
  const joiner = new StraceLineJoiner();
  const lines: string[] = [];
  headLines(head, SNIFF_LINES).forEach((line, i) => {
    const joined = joiner.push(line, i + 1);
    if (joined !== null) lines.push(joined.text);
  });
  let evidence = 0;
  for (const line of lines) {
    if (line.trim() === '' || isStackTraceLine(line)) continue;
    if (isSummaryHeader(line)) break;
    const parsed = parseStraceLine(line);
    if (parsed === null) {
      evidence = 0;
      break;
    }
    if (isStraceEvidence(parsed)) evidence++;
  }
  if (evidence > 0) return 'trace';
  const problem = unreadableStraceVariant(lines);
  return problem === null ? null : { problem };
}

export const straceImporter: Importer = {
  id: 'strace',
  label: 'strace timeline',

  /**
   * Every complete line of the head parses as a strace -tt line and at least
   * one is a call, signal or exit; or the head is strace output without the
   * times Heatline needs (variants.ts), claimed so that import() can say so.
   * perf script lines ("comm pid [cpu] time:") and collapsed stacks never
   * start with a clock time after an optional pid, nor end in " = result".
   */
  sniff(head: Uint8Array): boolean {
    return judgeHead(head) !== null;
  },

  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const judged = judgeHead(source.head);
    if (judged !== null && judged !== 'trace') throw new ImportError(judged.problem);
    const calls: Call[] = [];
    const markers: Marker[] = [];
    const pending = new Map<number, Pending>();
    const facts = new PidFacts();
    const unprefixed = new UnprefixedLines();
    const joiner = new StraceLineJoiner();
    const clock = new TraceClock();
    let unmatchedResumes = 0;
    let skipped = 0;
    let truncatedLine = 0;
    let inSummary = false;
    let sawDuration = false;
    let sawUnprefixed = false;
    let sawPrefixed = false;

    /** The first process's pid is `pid`: its calls left unfinished before are `pid`'s. */
    const resolveFirst = (pid: number): void => {
      unprefixed.resolve(pid);
      const started = pending.get(NO_PID);
      pending.delete(NO_PID);
      if (started !== undefined && !pending.has(pid)) pending.set(pid, started);
    };

    await readLines(source, options, (physical, physicalNumber, terminated) => {
      if (inSummary || isStackTraceLine(physical)) return;
      if (!terminated) {
        // strace ends every line; one without a newline was cut off mid-write.
        if (physical.trim() !== '') truncatedLine = physicalNumber;
        return;
      }
      const joined = joiner.push(physical, physicalNumber);
      if (joined === null) return;
      const { text: line, lineNumber } = joined;
      if (line.trim() === '') return;
      if (isSummaryHeader(line)) {
        // -C: strace's -c table follows the trace; its counts are the trace's own.
        inSummary = true;
        return;
      }
      const parsed = parseStraceLine(line);
      if (parsed === null) {
        // On stderr (strace's messages, or lines with and without pids), the traced program's own stderr output is mixed in.
        const onStderr = joiner.sawMessages || (sawUnprefixed && sawPrefixed);
        const hint = onStderr ? '; the traced program\'s own output? record with strace -o FILE' : '';
        throw new ImportError(`line ${lineNumber}: not a strace -f -T -tt line (expected "[pid] HH:MM:SS.micro call(...) = result <seconds>")${hint}`);
      }
      if (parsed.pid === null) sawUnprefixed = true;
      else sawPrefixed = true;
      const time = clock.timeOf(parsed, lineNumber);
      const body = parsed.body;
      const pid = unprefixed.keyOf(parsed.pid);
      if (parsed.pid !== null && unprefixed.awaitingPid && !pending.has(NO_PID) && !facts.descendsFrom(pid, NO_PID)) {
        // The first process left no call unfinished, and this pid is not one it cloned: it is the first process.
        resolveFirst(pid);
      }
      facts.see(pid);
      if (parsed.comm !== null && parsed.comm !== '') facts.comm.set(pid, detach(parsed.comm));
      switch (body.kind) {
        case 'call':
          sawDuration = true;
          if (pid === NO_PID && unprefixed.awaitingPid && (body.name === 'getpid' || body.name === 'gettid')) {
            // The first process said its own pid.
            const own = resultOf(body.text);
            if (own !== null && own > 0) resolveFirst(own);
          }
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
          if (pending.get(pid)?.name !== body.name && unprefixed.awaitingPid && pending.get(NO_PID)?.name === body.name) {
            // The first process resumes the call it began before strace printed pids.
            resolveFirst(pid);
          }
          const started = pending.get(pid);
          if (started !== undefined && started.name === body.name) pending.delete(pid);
          else unmatchedResumes++;
          facts.learn(pid, body.name, (started?.text ?? '') + body.text);
          if (body.duration === null) break;
          sawDuration = true;
          // Without its start (attached mid-call), it started `duration` before it ended.
          const start = started?.name === body.name ? started.start : time - body.duration;
          calls.push({ pid, name: detach(body.name), start, duration: body.duration });
          break;
        }
        case 'signal':
        case 'exit':
          markers.push({ pid, time, event: body.kind, detail: detach(body.text) });
          if (body.kind === 'exit') unprefixed.exited(pid);
          break;
        case 'other':
          skipped++;
          break;
      }
    });

    if (calls.length === 0) {
      if (truncatedLine > 0) throw new ImportError(`truncated at line ${truncatedLine} before any finished system call`);
      throw new ImportError(sawDuration ? 'no finished system calls' : 'strace output without -T durations: record with strace -f -T -tt');
    }
    if (unprefixed.resolved === null && facts.order.includes(NO_PID)) {
      // The first process's pid never resumed its call: the first pid it did not clone is it.
      const first = facts.order.find((pid) => pid !== NO_PID && !facts.descendsFrom(pid, NO_PID));
      if (first !== undefined) unprefixed.resolve(first);
    }
    if (unprefixed.resolved !== null) facts.merge(NO_PID, unprefixed.resolved);
    const keyOf = (pid: number): number => unprefixed.canonical(pid);

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
      builder.sample(stack, threadOf.get(keyOf(call.pid)) ?? 0, call.start, call.duration);
    }
    for (const marker of markers) builder.marker(marker.time, threadOf.get(keyOf(marker.pid)) ?? 0, marker.event, -1, marker.detail);

    const warnings = builder.meta.warnings;
    if (truncatedLine > 0) warnings.push(`truncated at line ${truncatedLine}: the unfinished last line is left out`);
    if (pending.size > 0) warnings.push(`${pending.size} system call(s) never finished (the process exited or the trace stopped); left out`);
    if (unmatchedResumes > 0) warnings.push(`${unmatchedResumes} resumed call(s) without their start (attached mid-call?); timed from their duration`);
    if (skipped > 0) warnings.push(`${skipped} line(s) of a form Heatline does not know were skipped`);
    return builder.finish();
  },
};
