/**
 * `xctrace export --xpath '/trace-toc/run[@number="1"]/data/table[@schema="time-profile"]'`
 * of a Time Profiler recording: a <trace-query-result> whose <node> holds a
 * <schema> and one <row> per sample. Each value element may carry id="N" on
 * first use; later rows refer to it as <tag ref="N"/> (that is how xctrace
 * keeps repeated threads and backtraces small). A row's <backtrace> holds
 * <frame name=".." addr=".."> elements, leaf first; <weight> is in
 * nanoseconds; an empty cell is <sentinel/>.
 *
 * We need only rows, weights and backtraces, so a small tag scanner does;
 * the result becomes collapsed stacks (root first, weight in samples).
 */

import type { StackCount } from './dtrace';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

/** Elements and text only: comments, processing instructions and doctypes are skipped. */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g;
  let last = 0;
  for (let match = tag.exec(text); match !== null; match = tag.exec(text)) {
    stack[stack.length - 1].text += decode(text.slice(last, match.index));
    last = tag.lastIndex;
    if (match[2] === undefined) continue;
    if (match[1] === '/') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of match[3].matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]] = decode(a[2] ?? a[3]);
    const element: XmlElement = { name: match[2], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(element);
    if (match[4] !== '/') stack.push(element);
  }
  return root;
}

function* walk(element: XmlElement): Generator<XmlElement> {
  yield element;
  for (const child of element.children) yield* walk(child);
}

/** Samples per distinct backtrace, root first; `weightNs` sums the rows' weights. */
export function parseTimeProfile(xml: string): (StackCount & { weightNs: number })[] {
  const root = parseXml(xml);
  const byId = new Map<string, XmlElement>();
  for (const element of walk(root)) if (element.attrs.id !== undefined) byId.set(element.attrs.id, element);
  const resolve = (element: XmlElement) => (element.attrs.ref !== undefined ? (byId.get(element.attrs.ref) ?? element) : element);
  const stacks = new Map<string, StackCount & { weightNs: number }>();
  for (const row of walk(root)) {
    if (row.name !== 'row') continue;
    const cells = row.children.map(resolve);
    const backtrace = cells.find((c) => c.name === 'backtrace' || c.name === 'tagged-backtrace');
    if (backtrace === undefined) continue;
    const frames = [...walk(backtrace)]
      .filter((e) => e.name === 'frame')
      .map(resolve)
      .map((frame) => frame.attrs.name ?? frame.attrs.addr ?? '??')
      .reverse();
    if (frames.length === 0) continue;
    const weight = cells.find((c) => c.name === 'weight');
    const weightNs = weight ? Number(weight.text.trim()) || 0 : 0;
    const key = frames.join(';');
    const entry = stacks.get(key) ?? { frames, count: 0, weightNs: 0 };
    entry.count++;
    entry.weightNs += weightNs;
    stacks.set(key, entry);
  }
  return [...stacks.values()];
}
