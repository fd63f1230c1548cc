/**
 * Parsers for the three kinds of line in `perf script` output. They record
 * offsets into the line instead of cutting strings, so a header or a cached
 * frame costs no allocation; the importer cuts names only the first time it
 * meets them. Each returns null when the line parses, or a short reason.
 *
 * The layout, from tools/perf/builtin-script.c and util/evsel_fprintf.c
 * (https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/tools/perf):
 *
 *   cpu_hot  6014 [001]   561.843316:    1000000 cpu-clock:       header
 *   \t            1201 work_40+0x21 (/tmp/cpu_hot)                   frame (leaf first)
 *     cpu_hot.c:38                                                 srcline of that frame
 *
 * Header fields appear in a fixed order, each optional (-F picks them):
 * comm (may hold spaces; right-aligned when there is no call chain), then
 * `tid` or `pid/tid`, `[cpu]`, `secs.frac:`, period, `event:`, and then,
 * without a call chain, the sample's own `ip sym (dso)` on the same line.
 * A frame is `ip [sym[+0xoff]] [(dso[+0xoff])]`; an inlined function's
 * frame has no dso but ends with ` (inlined)` (after its srcline, when
 * srclines are printed).
 */

const SPACE = 32;
const TAB = 9;
const COLON = 58;
const OPEN = 40;
const CLOSE = 41;

const isSpace = (c: number) => c === SPACE || c === TAB;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHexDigit = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function skipSpaces(line: string, i: number): number {
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

function tokenEnd(line: string, i: number): number {
  while (i < line.length && !isSpace(line.charCodeAt(i))) i++;
  return i;
}

function allDigits(line: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) if (!isDigit(line.charCodeAt(i))) return false;
  return true;
}

function digitsValue(line: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (line.charCodeAt(i) - 48);
  return value;
}

/** The fields of a header line. One instance is reused for every line. */
export class HeaderFields {
  /** comm is line.slice(commStart, commEnd); empty when not printed. */
  commStart = 0;
  commEnd = 0;
  /** -1 when not printed. A lone number is the tid (perf's default field). */
  pid = -1;
  tid = -1;
  cpu = -1;
  /** Nanoseconds; NaN when not printed. */
  time = NaN;
  /** NaN when not printed. */
  period = NaN;
  /** The event name, without its ':', is line.slice(eventStart, eventEnd); empty when not printed. */
  eventStart = 0;
  eventEnd = 0;
  /** Where what follows the fields starts (the sample's ip, or tracepoint data); line.length if nothing. */
  restStart = 0;

  reset(): void {
    this.commStart = this.commEnd = 0;
    this.pid = this.tid = this.cpu = -1;
    this.time = this.period = NaN;
    this.eventStart = this.eventEnd = 0;
    this.restStart = 0;
  }
}

const NS_PER_DIGIT = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/**
 * `secs.frac:` to nanoseconds, or NaN. The two parts are read as separate
 * integers so the result is exact (while it stays below 2^53 ns, 104 days:
 * perf's default clock counts from boot).
 */
function timeToken(line: string, start: number, end: number): number {
  if (end - start < 4 || line.charCodeAt(end - 1) !== COLON) return NaN;
  const dot = line.indexOf('.', start);
  if (dot <= start || dot >= end - 2 || !allDigits(line, start, dot) || !allDigits(line, dot + 1, end - 1)) return NaN;
  const fractionDigits = Math.min(end - 1 - (dot + 1), 9);
  const seconds = digitsValue(line, start, dot);
  const fraction = digitsValue(line, dot + 1, dot + 1 + fractionDigits);
  return seconds * 1e9 + fraction * NS_PER_DIGIT[fractionDigits];
}

/** Index of the "/" in a `pid/tid` token, `end` in a lone `tid`, or -1 when the token is neither. */
function threadSlash(line: string, start: number, end: number): number {
  const slash = line.indexOf('/', start);
  if (slash !== -1 && slash < end) return allDigits(line, start, slash) && allDigits(line, slash + 1, end) ? slash : -1;
  return allDigits(line, start, end) ? end : -1;
}

function isThreadToken(line: string, start: number, end: number): boolean {
  return threadSlash(line, start, end) !== -1;
}

/** Reads a `tid` or `pid/tid` token into out.pid/out.tid. */
function readThread(line: string, start: number, end: number, out: HeaderFields): void {
  const slash = threadSlash(line, start, end);
  if (slash === end) {
    out.tid = digitsValue(line, start, end);
  } else {
    out.pid = digitsValue(line, start, slash);
    out.tid = digitsValue(line, slash + 1, end);
  }
}

function isCpuToken(line: string, start: number, end: number): boolean {
  return line.charCodeAt(start) === 91 && line.charCodeAt(end - 1) === 93 && allDigits(line, start + 1, end - 1);
}

/** An event token: a name ending with ':' ("cpu-clock:", "sched:sched_switch:", "cycles:u:"). */
function isEventToken(line: string, start: number, end: number): boolean {
  return end - start >= 2 && line.charCodeAt(end - 1) === COLON && line.charCodeAt(start) !== COLON;
}

/**
 * True when the thread-like token ending at `end` is followed by another one
 * and then a cpu or time token: then it is part of a comm such as
 * "Thread 2", and the next token is the real thread id.
 */
function isNumberInComm(line: string, end: number): boolean {
  const next = skipSpaces(line, end);
  const nextEnd = tokenEnd(line, next);
  if (!isThreadToken(line, next, nextEnd)) return false;
  const after = skipSpaces(line, nextEnd);
  const afterEnd = tokenEnd(line, after);
  return after < afterEnd && (isCpuToken(line, after, afterEnd) || !Number.isNaN(timeToken(line, after, afterEnd)));
}

/**
 * Parses a header line into `out`. Succeeds on anything with a thread id or
 * a time in the right place; the importer decides whether the line carries
 * enough (a time, an event or an ip) to be a sample.
 */
export function parseHeader(line: string, out: HeaderFields): string | null {
  out.reset();
  let i = skipSpaces(line, 0);
  out.commStart = out.commEnd = i;
  // comm: every token before the first tid, cpu or time token.
  let sawThread = false;
  while (i < line.length) {
    const end = tokenEnd(line, i);
    if (isThreadToken(line, i, end) && !isNumberInComm(line, end)) {
      readThread(line, i, end, out);
      sawThread = true;
      i = skipSpaces(line, end);
      break;
    }
    if (isCpuToken(line, i, end) || !Number.isNaN(timeToken(line, i, end))) break;
    out.commEnd = end;
    i = skipSpaces(line, end);
  }
  let end = tokenEnd(line, i);
  if (i < line.length && isCpuToken(line, i, end)) {
    out.cpu = digitsValue(line, i + 1, end - 1);
    i = skipSpaces(line, end);
    end = tokenEnd(line, i);
  }
  const time = i < line.length ? timeToken(line, i, end) : NaN;
  if (!Number.isNaN(time)) {
    out.time = time;
    i = skipSpaces(line, end);
    end = tokenEnd(line, i);
  }
  if (!sawThread && Number.isNaN(out.time)) return 'expected a sample header (comm, thread id, time) or a stack frame';
  // A number followed by an event is the period; without the event it is the ip.
  if (allDigits(line, i, end)) {
    const next = skipSpaces(line, end);
    const nextEnd = tokenEnd(line, next);
    if (isEventToken(line, next, nextEnd)) {
      out.period = digitsValue(line, i, end);
      i = next;
      end = nextEnd;
    }
  }
  if (i < line.length && isEventToken(line, i, end)) {
    out.eventStart = i;
    out.eventEnd = end - 1;
    i = skipSpaces(line, end);
  }
  out.restStart = i;
  return null;
}

/** Where the parts of a frame are in its line. One instance is reused. */
export class FrameFields {
  address = 0;
  /** The symbol without +0xoff; symStart === symEnd when not printed. */
  symStart = 0;
  symEnd = 0;
  /** The dso without parentheses or +0xoff; -1 when not printed. */
  dsoStart = -1;
  dsoEnd = -1;
  inlined = false;
}

/**
 * Parses `ip [sym[+0xoff]] [(dso)]` starting at `start`. The dso is the
 * parenthesised group at the end, preceded by a space: a C++ name can hold
 * parentheses too ("operator()"), but not a space before its last group.
 */
export function parseFrame(line: string, start: number, out: FrameFields): string | null {
  const addressStart = skipSpaces(line, start);
  let i = addressStart;
  while (i < line.length && isHexDigit(line.charCodeAt(i))) i++;
  if (i === addressStart || (i < line.length && !isSpace(line.charCodeAt(i)))) return 'expected a stack frame: hex address, symbol, (dso)';
  if (i - addressStart > 16) return 'the frame address has more than 16 hex digits';
  // Kernel addresses exceed 2^53, so they lose their lowest bits as doubles; the model stores doubles.
  out.address = parseInt(line.slice(addressStart, i), 16);
  const symStart = skipSpaces(line, i);
  let end = line.length;
  while (end > symStart && isSpace(line.charCodeAt(end - 1))) end--;

  out.inlined = false;
  out.dsoStart = out.dsoEnd = -1;
  let symEnd = end;
  if (end > symStart && line.charCodeAt(end - 1) === CLOSE) {
    const open = matchingOpen(line, symStart, end - 1);
    if (open !== -1 && (open === symStart || isSpace(line.charCodeAt(open - 1)))) {
      symEnd = open;
      if (line.startsWith('inlined)', open + 1) && open + 9 === end) out.inlined = true;
      else {
        out.dsoStart = open + 1;
        out.dsoEnd = withoutOffset(line, open + 1, end - 1);
      }
    }
  } else if (unbalanced(line, symStart, end)) {
    return 'a "(" is never closed: the line is cut short';
  }
  while (symEnd > symStart && isSpace(line.charCodeAt(symEnd - 1))) symEnd--;
  out.symStart = symStart;
  out.symEnd = withoutOffset(line, symStart, symEnd);
  return null;
}

/** Index of the "(" that the ")" at `close` closes, or -1. */
function matchingOpen(line: string, from: number, close: number): number {
  let depth = 0;
  for (let k = close; k >= from; k--) {
    const c = line.charCodeAt(k);
    if (c === CLOSE) depth++;
    else if (c === OPEN && --depth === 0) return k;
  }
  return -1;
}

function unbalanced(line: string, start: number, end: number): boolean {
  let depth = 0;
  for (let k = start; k < end; k++) {
    const c = line.charCodeAt(k);
    if (c === OPEN) depth++;
    else if (c === CLOSE) depth--;
  }
  return depth > 0;
}

/** `end`, moved back over a trailing "+0x<hex>" (perf's symoff and dsoff). */
function withoutOffset(line: string, start: number, end: number): number {
  let k = end;
  while (k > start && isHexDigit(line.charCodeAt(k - 1))) k--;
  if (k < end && k - 3 >= start && line.charCodeAt(k - 1) === 120 && line.charCodeAt(k - 2) === 48 && line.charCodeAt(k - 3) === 43) {
    return k - 3;
  }
  return end;
}

export interface Srcline {
  /** null for perf's "??" (unknown). */
  file: string | null;
  /** -1 when unknown. */
  line: number;
  /** The srcline ended with " (inlined)": its frame is an inlined function. */
  inlined: boolean;
}

const INLINED_SUFFIX = ' (inlined)';
const UNKNOWN_LINE = { file: null, line: -1 } as const;
const headerScratch = new HeaderFields();

/**
 * A srcline (two spaces, then `file.c:12`), or null when the line is not
 * one. Call it only for a line that follows a frame. perf prints `??:0`
 * when it does not know, and, when addr2line fails, `dso[addr]` or
 * `sym+offset` instead: those are srclines without a location. What else
 * starts with two spaces is a header whose right-aligned comm happens to
 * leave exactly two.
 */
export function parseSrcline(line: string): Srcline | null {
  if (line.length < 3 || line.charCodeAt(0) !== SPACE || line.charCodeAt(1) !== SPACE || isSpace(line.charCodeAt(2))) return null;
  let text = line.slice(2).trimEnd();
  const inlined = text.endsWith(INLINED_SUFFIX);
  if (inlined) text = text.slice(0, -INLINED_SUFFIX.length);
  const discriminator = text.indexOf(' (discriminator ');
  if (discriminator !== -1 && text.endsWith(')')) text = text.slice(0, discriminator);
  const colon = text.lastIndexOf(':');
  if (colon > 0 && allDigits(text, colon + 1, text.length)) {
    const file = text.slice(0, colon);
    const number = digitsValue(text, colon + 1, text.length);
    if (file === '??' || number === 0) return { ...UNKNOWN_LINE, inlined };
    return { file, line: number, inlined };
  }
  if (looksLikeHeader(line)) return null;
  return { ...UNKNOWN_LINE, inlined };
}

function looksLikeHeader(line: string): boolean {
  const h = headerScratch;
  return parseHeader(line, h) === null && (!Number.isNaN(h.time) || h.eventEnd > h.eventStart || h.restStart < line.length);
}

/** True for perf's kernel dsos: the kernel image and modules. */
export function isKernelDso(dso: string): boolean {
  return dso.startsWith('[kernel.') || dso.startsWith('[guest.kernel') || /\.ko(\.[a-z]+)?$/.test(dso);
}

export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isSpace(line.charCodeAt(i))) return false;
  return true;
}
