/**
 * strace output Heatline cannot make a timeline of, told apart from other
 * text so the message can say what to record instead of "no known format".
 *
 * A line counts as such strace output only in strace's exact call form: an
 * optional pid prefix, an optional whole-second time (-t), then
 * `name(arguments) = result` with a number, hex number or "?" as the result,
 * or `name(arguments <unfinished ...>`, `<... name resumed>`, a signal
 * (`--- SIG... ---`) or an exit (`+++ exited with 0 +++`). Every line of the
 * head must be of this form, and one at least of a form only strace writes
 * (DISTINCTIVE), so notes with "f(x) = 2" in them are not taken for strace's.
 */

import { isStackTraceLine, isSummaryHeader } from './noise';

const PID = String.raw`(?:\[pid\s+\d+\]\s+|\d+(?:<[^>]*>)?\s+)?`;
const WHOLE_SECONDS = String.raw`(\d\d:\d\d:\d\d\s+)?`;
const EXTRAS = String.raw`(?:\[\s*\d+\]\s+)?(?:\[[0-9a-f?]{8,16}\]\s+)?`;
const BODY = String.raw`(?:[A-Za-z_]\w*\(.*(?:\) += (?:-?\d+|0x[0-9a-f]+|\?)(?: .*)?|<unfinished \.\.\.>)|<\.\.\. \w+ resumed>.*|--- SIG.* ---|\+\+\+ .* \+\+\+)`;
const UNTIMED_LINE = new RegExp(`^${PID}${WHOLE_SECONDS}${EXTRAS}${BODY}$`);
/** Forms only strace writes: a -T duration, an errno, execve, a joined call, a signal or an exit. */
const DISTINCTIVE = /<\d+\.\d{6}>$| = -1 E[A-Z]+ \(|\bexecve\(|<unfinished \.\.\.>$|<\.\.\. \w+ resumed>|--- SIG|\+\+\+ (?:exited|killed)/;

/** The lines needed before untimed text is taken for strace's. */
const MIN_LINES = 2;

/**
 * What is wrong with `lines` (a file's head, strace's own messages dropped)
 * when they are strace output without the times Heatline needs, else null.
 */
export function unreadableStraceVariant(lines: readonly string[]): string | null {
  const content = lines.filter((line) => line.trim() !== '' && !isStackTraceLine(line));
  if (content.length > 0 && isSummaryHeader(content[0])) {
    return 'a strace -c summary table without the trace: record with strace -f -T -tt -o FILE (add -C for the summary too)';
  }
  if (content.length < MIN_LINES) return null;
  let wholeSeconds = 0;
  let distinctive = 0;
  for (const line of content) {
    if (isSummaryHeader(line)) break;
    const match = UNTIMED_LINE.exec(line);
    if (match === null) return null;
    if (match[1] !== undefined) wholeSeconds++;
    if (DISTINCTIVE.test(line)) distinctive++;
  }
  if (distinctive === 0) return null;
  return wholeSeconds > 0
    ? 'strace -t output (times in whole seconds): record with strace -f -T -tt (or -ttt)'
    : 'strace output without timestamps: record with strace -f -T -tt (or -ttt)';
}
