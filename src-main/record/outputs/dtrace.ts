/**
 * resources/dtrace/cpu-profile.d's output, `printa(@stacks)` of an
 * aggregation keyed by ustack(): for each distinct stack, its frames one per
 * line, leaf first, as "module`function+0xoffset" (or a bare address when
 * dtrace could not name it), then the count on a line of its own; blank lines
 * between entries (dtrace(1), "Aggregations"; "ustack").
 *
 * We turn it into collapsed stacks (root first, ";"-joined, then the count),
 * which the collapsed importer opens.
 */

export interface StackCount {
  /** Root first. */
  frames: string[];
  count: number;
}

export function parseDtraceStacks(text: string): StackCount[] {
  const entries: StackCount[] = [];
  let frames: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^\d+$/.test(line)) {
      if (frames.length > 0) entries.push({ frames: frames.reverse(), count: Number(line) });
      frames = [];
    } else {
      frames.push(frameName(line));
    }
  }
  return entries;
}

/** "a.out`work_40+0x1f" -> "work_40"; "libfoo.dylib`0x1234" and bare "0x1234" keep the module and address. */
export function frameName(frame: string): string {
  const tick = frame.indexOf('`');
  if (tick === -1) return frame;
  const symbol = frame.slice(tick + 1).replace(/\+0x[0-9a-fA-F]+$/, '');
  return /^0x[0-9a-fA-F]+$/.test(symbol) ? frame : symbol;
}

/** Collapsed stacks text; ";" inside a name (rare, C++ operators) would split a frame, so it becomes ":". */
export function toCollapsed(entries: StackCount[]): string {
  return entries.map((e) => `${e.frames.map((f) => f.replace(/;/g, ':')).join(';')} ${e.count}\n`).join('');
}
