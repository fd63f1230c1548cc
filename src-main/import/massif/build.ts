/**
 * massif snapshots and peak tree -> Profile (see index.ts for what each
 * part means). Sites whose stacks are equal once allocator frames are
 * dropped share one allocation row.
 */

import { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { Profile } from '../../../src-shared/profile/model';
import { isAllocatorFunction, isValgrindReplacement } from '../dhat/allocator-frames';
import { programName } from '../dhat/command-line';
import { frameName, inlineDepthsLeafFirst, parseValgrindFrame, type ParsedFrame } from '../dhat/frames';
import type { MassifData } from './index';
import { BELOW_THRESHOLD, type TreeSite } from './tree';

/**
 * @param nanosecondsPerUnit converts the file's times to nanoseconds; NaN for
 *   units that are not times (instructions, bytes), kept as they are.
 */
export function buildMassifProfile(data: MassifData, sourceName: string, nanosecondsPerUnit: number, unitName: string): Profile {
  const builder = new ProfileBuilder({ format: 'massif', kind: 'memory', unit: 'bytes', sourceName, weighted: true });
  builder.meta.command = data.cmd || null;
  builder.meta.eventName = `massif snapshots, time in ${unitName}`;
  builder.meta.warnings.push(...data.warnings);

  const time = Number.isNaN(nanosecondsPerUnit) ? data.time : data.time.map((t) => t * nanosecondsPerUnit);
  const counter = (name: string, value: Float64Array) => builder.addCounter({ name, unit: 'bytes', time: time.slice(), value });
  counter('heap', data.heap);
  counter('extra-heap', data.extraHeap);
  counter('stacks', data.stacks);

  if (data.tree === null) return builder.finish();
  const thread = builder.thread(0, 0, null, programName(data.cmd));
  const parsed = new Map<string, ParsedFrame>();
  const parse = (text: string): ParsedFrame => {
    let frame = parsed.get(text);
    if (frame === undefined) {
      frame = text === BELOW_THRESHOLD ? { address: -1, name: BELOW_THRESHOLD, file: null, line: -1, library: null } : parseValgrindFrame(text);
      parsed.set(text, frame);
    }
    return frame;
  };
  const isDropped = (frame: ParsedFrame) =>
    (frame.name !== null && isAllocatorFunction(frame.name)) || isValgrindReplacement(frame.file, frame.library);

  const rowOfStack = new Map<number, number>();
  const rowStack: number[] = [];
  const rowBytes: number[] = [];
  const rowOf = (site: TreeSite): number => {
    let start = 0;
    while (start < site.path.length && isDropped(parse(site.path[start]))) start++;
    const texts = site.path.slice(start);
    const frames = texts.map(parse);
    const depths = inlineDepthsLeafFirst(frames.map((f) => f.address));
    const frameIndexes = frames.map((frame, k) => {
      const func = builder.func(frameName(frame, texts[k]), { file: frame.file, library: frame.library });
      return builder.frame(func, { address: frame.address, line: frame.line, inlineDepth: depths[k] });
    });
    const stack = builder.stackFromLeaf(frameIndexes.length > 0 ? frameIndexes : [builder.frame(builder.func('[unknown]'))]);
    let row = rowOfStack.get(stack);
    if (row === undefined) {
      row = rowStack.length;
      rowOfStack.set(stack, row);
      rowStack.push(stack);
      rowBytes.push(0);
    }
    return row;
  };
  for (const site of data.tree.sites) {
    const row = rowOf(site);
    rowBytes[row] += site.bytes;
  }

  const peakRows = rowStack.length;
  for (let row = 0; row < peakRows; row++) builder.sample(rowStack[row], thread, NaN, rowBytes[row]);

  // Every detailed snapshot's sites over time; sites only seen in other snapshots get rows of their own (0 at the peak).
  const snapshots = { site: [] as number[], time: [] as number[], bytes: [] as number[] };
  for (const tree of data.trees) {
    const at = Number.isNaN(nanosecondsPerUnit) ? tree.time : tree.time * nanosecondsPerUnit;
    for (const site of tree.sites) {
      snapshots.site.push(rowOf(site));
      snapshots.time.push(at);
      snapshots.bytes.push(site.bytes);
    }
  }
  while (rowBytes.length < rowStack.length) rowBytes.push(0);
  const n = snapshots.site.length;
  const unknown = () => new Float64Array(rowStack.length).fill(NaN);
  builder.setAllocations({
    length: rowStack.length,
    stack: Int32Array.from(rowStack),
    totalBytes: unknown(),
    totalBlocks: unknown(),
    peakBytes: Float64Array.from(rowBytes),
    endBytes: unknown(),
    reads: unknown(),
    writes: unknown(),
    lifetime: unknown(),
    temporary: unknown(),
    timeline: {
      length: n,
      kind: 'snapshots',
      bucket: 0,
      site: Int32Array.from(snapshots.site),
      time: Float64Array.from(snapshots.time),
      bytes: Float64Array.from(snapshots.bytes),
      blocks: new Float64Array(n).fill(NaN),
      temporary: new Float64Array(n).fill(NaN),
    },
  });
  return builder.finish();
}
