/**
 * Text in a strace trace file that is not a trace line, and is skipped:
 *
 * - strace's own messages. Without -o, strace writes the trace to stderr, and
 *   its messages ("strace: Process 25409 attached") go there too, even in the
 *   middle of a line it has half written:
 *
 *     04:56:47.906461 clone3({flags=...}strace: Process 25409 attached
 *      => {parent_tid=[25409]}, 88) = 25409 <0.000232>
 *
 *   The line's rest follows on the next line (strace ends a half-written line
 *   with " <unfinished ...>" before it prints another pid's), so the two
 *   halves are joined (StraceLineJoiner).
 * - -k's stack trace lines (" > /lib/libc.so.6(write+0x14) [0x1234]") after each call.
 * - -C's (or -c with the trace on stderr) summary table at the end: its
 *   header ("% time     seconds  usecs/call     calls    errors syscall"),
 *   rules, rows and "total" line. Everything from its header on is the table.
 */

/** strace's own message at the end of a line: "strace: Process N attached" (or detached), never inside a quoted string. */
const OWN_MESSAGE_AT_END = /strace: Process \d+ (?:attached|detached|suspended)[^"]*$/;

/** One logical trace line and the physical line it started on. */
export interface JoinedLine {
  text: string;
  lineNumber: number;
}

/** Joins the halves of lines strace's own messages cut in two, and drops the messages. */
export class StraceLineJoiner {
  private carry: JoinedLine | null = null;
  /** True once a message showed: the trace was written to stderr, with the program's own stderr output. */
  sawMessages = false;

  /** The logical line `line` completes, or null when it was a message or half a line. */
  push(line: string, lineNumber: number): JoinedLine | null {
    if (line.startsWith('strace: ')) {
      this.sawMessages = true;
      return null;
    }
    const message = OWN_MESSAGE_AT_END.exec(line);
    if (message !== null) {
      this.sawMessages = true;
      const before = line.slice(0, message.index);
      this.carry = { text: (this.carry?.text ?? '') + before, lineNumber: this.carry?.lineNumber ?? lineNumber };
      return null;
    }
    if (this.carry === null) return { text: line, lineNumber };
    const joined = { text: this.carry.text + line, lineNumber: this.carry.lineNumber };
    this.carry = null;
    return joined;
  }
}

/** A -k stack trace line. */
export function isStackTraceLine(line: string): boolean {
  return line.startsWith(' > ');
}

/** Column titles of strace -c's table (-U picks and orders them; "shortest"/"longest" since strace 5.x). */
const SUMMARY_COLUMN = String.raw`(?:% time|seconds|shortest|longest|usecs/call|calls|errors|syscall)`;
const SUMMARY_HEADER = new RegExp(String.raw`^\s*${SUMMARY_COLUMN}(?:\s+${SUMMARY_COLUMN})*\s*$`);

/** The header of strace -c's summary table, or the line strace puts before one per personality. */
export function isSummaryHeader(line: string): boolean {
  return (SUMMARY_HEADER.test(line) && /calls|syscall/.test(line)) || /^System call usage summary for /.test(line);
}
