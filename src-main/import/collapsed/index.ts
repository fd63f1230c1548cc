/**
 * Collapsed stacks, the input of flamegraph.pl: one line per call path, root
 * first, frames separated by ";", then a space and a count:
 *
 *   main;parse;lex 42
 *
 * Format: https://github.com/brendangregg/FlameGraph#2-fold-stacks (written
 * by stackcollapse-perf.pl and most flame graph tools). Names may contain
 * spaces, so the count is the last space-separated token. stackcollapse-perf
 * can tag frames with `_[k]` (kernel), `_[j]` (JIT) and `_[i]` (inlined); we
 * strip those tags into the function's kind or the frame's inline depth.
 *
 * Each line becomes one sample whose weight is the count (the unit stays
 * 'samples': the counts are sample counts summed per path). No time, one
 * thread.
 */

import { ImportError } from '../../../src-shared/errors';
import { ProfileBuilder } from '../../../src-shared/profile/builder';
import { FuncKind, type IndexIntoFrameTable, type Profile } from '../../../src-shared/profile/model';
import type { ImportOptions, ImportSource, Importer } from '../importer';
import { detach, hasNulByte, headLines, readLines } from '../text-lines';

/** How many lines of the head sniff() judges. */
const SNIFF_LINES = 20;

/** A frame tag of stackcollapse-perf.pl, stripped from the name. */
interface Tag {
  kind: FuncKind;
  inlined: boolean;
}
const INLINED_TAG = '_[i]';
const TAGS: ReadonlyArray<[suffix: string, tag: Tag]> = [
  ['_[k]', { kind: FuncKind.kernel, inlined: false }],
  ['_[j]', { kind: FuncKind.jit, inlined: false }],
  [INLINED_TAG, { kind: FuncKind.native, inlined: true }],
  // Some tools write the tag without the underscore.
  ['[k]', { kind: FuncKind.kernel, inlined: false }],
];
const UNTAGGED: Tag = { kind: FuncKind.native, inlined: false };

/**
 * Splits "a;b;c 42" into the stack text and the count, or returns a reason
 * why the line is not a collapsed stack. Blank lines are not passed here.
 */
export function splitCollapsedLine(line: string): { stack: string; count: number } | string {
  const space = line.lastIndexOf(' ');
  if (space === -1) return 'expected "frame;frame;... count"';
  const countText = line.slice(space + 1);
  if (!isCount(countText)) return `the count "${countText}" is not a non-negative number`;
  const stack = line.slice(0, space).trimEnd();
  if (stack === '') return 'no stack before the count';
  if (line.charCodeAt(0) === 9 || line.charCodeAt(0) === 32) return 'starts with whitespace';
  return { stack, count: Number(countText) };
}

/** Digits with an optional fraction: "42", "0.5". No signs, exponents or hex. */
function isCount(text: string): boolean {
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && dots === 0 && i > 0 && i < text.length - 1) dots++;
    else return false;
  }
  return digits > 0;
}

function tagOf(name: string): [string, Tag] {
  for (const [suffix, tag] of TAGS) {
    if (name.length > suffix.length && name.endsWith(suffix)) return [name.slice(0, -suffix.length), tag];
  }
  return [name, UNTAGGED];
}

export const collapsedImporter: Importer = {
  id: 'collapsed',
  label: 'collapsed stacks',

  /**
   * Every complete line of the head is a collapsed stack (or blank), and at
   * least one has a ";": one-frame lines alone ("version 2") look too much
   * like ordinary text to claim.
   */
  sniff(head: Uint8Array): boolean {
    if (hasNulByte(head)) return false;
    let stacks = 0;
    let nested = false;
    for (const line of headLines(head, SNIFF_LINES)) {
      if (line.trim() === '') continue;
      const parsed = splitCollapsedLine(line);
      if (typeof parsed === 'string') return false;
      stacks++;
      if (parsed.stack.includes(';')) nested = true;
    }
    return stacks > 0 && nested;
  },

  async import(source: ImportSource, options: ImportOptions): Promise<Profile> {
    const builder = new ProfileBuilder({
      format: 'collapsed',
      kind: 'cpu',
      unit: 'samples',
      sourceName: source.name,
      weighted: true,
    });
    const thread = builder.thread(0, 0);
    // One frame per distinct tagged name and inline depth: repeated paths
    // skip the builder's string-keyed lookups. ";" never occurs in a name.
    const frameOfName = new Map<string, IndexIntoFrameTable>();
    const frameFor = (rawName: string, inlineDepth: number): IndexIntoFrameTable => {
      const key = inlineDepth === 0 ? rawName : `${rawName};${inlineDepth}`;
      let frame = frameOfName.get(key);
      if (frame === undefined) {
        const [name, tag] = tagOf(rawName);
        frame = builder.frame(builder.func(detach(name), { kind: tag.kind }), { inlineDepth });
        frameOfName.set(detach(key), frame);
      }
      return frame;
    };

    await readLines(source, options, (line, lineNumber, terminated) => {
      if (line.trim() === '') return;
      const fail = (what: string) => new ImportError(`${terminated ? 'line' : 'truncated at line'} ${lineNumber}: ${what}`);
      const parsed = splitCollapsedLine(line);
      if (typeof parsed === 'string') throw fail(parsed);
      let stack = -1;
      let inlineDepth = 0;
      for (const rawName of parsed.stack.split(';')) {
        if (rawName === '') throw fail(`empty function name in "${parsed.stack}"`);
        // An `_[i]` frame is inlined into the frame before it (its caller).
        inlineDepth = rawName.endsWith(INLINED_TAG) ? inlineDepth + 1 : 0;
        stack = builder.stack(stack, frameFor(rawName, inlineDepth));
      }
      builder.sample(stack, thread, NaN, parsed.count);
    });

    if (builder.sampleCount === 0) throw new ImportError('no samples');
    return builder.finish();
  },
};
