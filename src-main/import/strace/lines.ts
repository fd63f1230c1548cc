/**
 * One line of `strace -f -T -tt` output, split into its parts. Pure: no
 * state, so the joining of unfinished calls (index.ts) and sniffing share it.
 *
 * A line is
 *
 *   [PID ]TIME BODY            PID "1234" (-f with -o) or "[pid 1234]" (-f to a terminal),
 *                              "1234<comm>" with -Y (strace >= 5.17); absent for a
 *                              process that has no children yet
 *   TIME  16:15:05.642353 (-tt) or 1700000000.642353 (-ttt), or "     0.000305"
 *         (-r: seconds since the previous line, padded to 6 digits before the
 *         point; the importer tells it from -ttt by its size). With -tt/-ttt,
 *         -r adds "(+     0.000305) " after the time, which is skipped.
 *         Then -n's "[ 12] " (syscall number) and -i's "[00007f0f8257bc47] "
 *         (instruction pointer), both skipped.
 *   BODY  getppid()    = 12381 <0.000049>                     a complete call
 *         rseq(0x7f6b, 0x20 <unfinished ...>                   a call another pid interrupted
 *         <... rseq resumed>) = 0 <0.000039>                   its end, on its own line
 *         --- SIGCHLD {si_signo=SIGCHLD, ...} ---              a signal delivered
 *         +++ exited with 0 +++ / +++ killed by SIGKILL +++    the pid's end
 *
 * The duration `<seconds>` (-T) ends a finished call; calls that never return
 * (`exit_group(0) = ?`) have none.
 */

export type StraceBody =
  | { kind: 'call'; name: string; text: string; duration: number }
  /** A call that ended without a duration (exit_group, or `<unavailable>`): no time spent to count. */
  | { kind: 'call-no-duration'; name: string; text: string }
  | { kind: 'unfinished'; name: string; text: string }
  | { kind: 'resumed'; name: string; text: string; duration: number | null }
  | { kind: 'signal'; text: string }
  | { kind: 'exit'; text: string }
  /** Prefix and time were right but the rest is nothing we know ("--- stopped by SIGSTOP ---" forms are signals; this is the rest). */
  | { kind: 'other'; text: string };

export interface StraceLine {
  /** The pid the line is for, or null when strace printed none. */
  pid: number | null;
  /** The pid's command name (-Y), or null. */
  comm: string | null;
  /** Nanoseconds since midnight (-tt), since the epoch (-ttt) or since the previous line (-r). */
  time: number;
  /** 'clock' for HH:MM:SS.micro (-tt), 'seconds' for a bare number (-ttt or -r). */
  clock: 'clock' | 'seconds';
  body: StraceBody;
}

// "[pid 1234] ", "1234<comm> " or "1234 " (strace pads the bracketed form with spaces).
const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)(?:<([^>]*)>)?\s+)?/;
const CLOCK = /^(\d\d):(\d\d):(\d\d)\.(\d{1,9})\s+/;
// Leading spaces: -r pads its seconds ("%6ld"), and a line without a pid starts with them.
const EPOCH = /^\s*(\d+)\.(\d{1,9})\s+/;
/** What follows the time: -r's "(+ seconds)" beside -tt/-ttt, -n's "[ 12]", -i's "[00007f...]" ("[????...]" when unknown). */
const AFTER_TIME = /^(?:\(\+\s*\d+\.\d+\)\s+)?(?:\[\s*\d+\]\s+)?(?:\[[0-9a-f?]{8,16}\]\s+)?/;
const CALL_NAME = /^([A-Za-z_][A-Za-z0-9_]*)\(/;
const RESUMED = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>/;
const DURATION = /<(\d+)\.(\d+)>$/;
const UNFINISHED = '<unfinished ...>';

/** The parts of `line`, or null when it does not start like a strace -tt line. */
export function parseStraceLine(line: string): StraceLine | null {
  const prefix = PREFIX.exec(line);
  const pidText = prefix?.[1] ?? prefix?.[2];
  let rest = line.slice(prefix?.[0].length ?? 0);
  let time: number;
  const clock = CLOCK.exec(rest);
  if (clock !== null) {
    const seconds = Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
    time = seconds * 1e9 + fractionToNanoseconds(clock[4]);
    rest = rest.slice(clock[0].length);
  } else {
    const epoch = EPOCH.exec(rest);
    if (epoch === null) return null;
    time = Number(epoch[1]) * 1e9 + fractionToNanoseconds(epoch[2]);
    rest = rest.slice(epoch[0].length);
  }
  rest = rest.slice(AFTER_TIME.exec(rest)?.[0].length ?? 0);
  const body = parseBody(rest.trimEnd());
  if (body === null) return null;
  return { pid: pidText === undefined ? null : Number(pidText), comm: prefix?.[3] ?? null, time, clock: clock === null ? 'seconds' : 'clock', body };
}

function parseBody(text: string): StraceBody | null {
  if (text.startsWith('---')) return text.endsWith('---') ? { kind: 'signal', text: text.slice(3, -3).trim() } : null;
  if (text.startsWith('+++')) return text.endsWith('+++') ? { kind: 'exit', text: text.slice(3, -3).trim() } : null;
  const resumed = RESUMED.exec(text);
  if (resumed !== null) return { kind: 'resumed', name: resumed[1], text, duration: durationOf(text) };
  const call = CALL_NAME.exec(text);
  if (call === null) return text === '' ? null : { kind: 'other', text };
  const name = call[1];
  if (text.endsWith(UNFINISHED)) return { kind: 'unfinished', name, text: text.slice(0, -UNFINISHED.length) };
  const duration = durationOf(text);
  return duration === null ? { kind: 'call-no-duration', name, text } : { kind: 'call', name, text, duration };
}

/** The `<0.000123>` at the end, in nanoseconds, or null. */
function durationOf(text: string): number | null {
  const match = DURATION.exec(text);
  return match === null ? null : Number(match[1]) * 1e9 + fractionToNanoseconds(match[2]);
}

/** "000123" (microseconds, or however many digits) as nanoseconds. */
function fractionToNanoseconds(digits: string): number {
  return Number(digits.padEnd(9, '0').slice(0, 9));
}

/** True for the body kinds only strace writes; 'other' lines are not evidence of strace. */
export function isStraceEvidence(line: StraceLine): boolean {
  return line.body.kind !== 'other';
}
