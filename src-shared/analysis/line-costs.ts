/**
 * Self and total cost per source line (file, line).
 *
 * self  = weight of samples whose leaf frame executes that line.
 * total = weight of samples with any frame on that line, counted once per
 *         sample (recursion through the same line counts once).
 * A frame's file is its own when the format gives one (a line the function
 * runs from another file, frameFile()), else its function's: inlined frames
 * carry their own function, so an inlined helper's lines land in the
 * helper's file.
 * Frames without a known line (-1) or file contribute nothing.
 */

import { frameFile, type IndexIntoStringTable, type Profile } from '../profile/model';
import { totalsOncePerSample } from './stack-key-totals';
import { float64Accumulator } from '../profile/accumulators';

export interface LineCosts {
  length: number;
  file: Int32Array;
  line: Int32Array;
  self: Float64Array;
  total: Float64Array;
}

const LINE_SCALE = 2 ** 24;

export function computeLineCosts(profile: Profile, stackWeights: Float64Array): LineCosts {
  const keyed = lineSelfCosts(profile, stackWeights);
  return finishLineCosts(keyed, totalsOncePerSample(profile.stacks.prefix, keyed.keyOfStack, keyed.keyCount, stackWeights));
}

/** Per distinct (file, line): self costs, and each stack's line as a key for totalsOncePerSample. */
export interface LineSelfCosts {
  file: number[];
  line: number[];
  self: Float64Array;
  keyOfStack: Int32Array;
  keyCount: number;
}

export function lineSelfCosts(profile: Profile, stackWeights: Float64Array): LineSelfCosts {
  const { stacks, frames } = profile;
  // One entry per distinct (file, line), found once per frame rather than once per stack step.
  const indexOfKey = new Map<number, number>();
  const file: number[] = [];
  const line: number[] = [];
  const entryOfFrame = new Int32Array(frames.length);
  for (let frame = 0; frame < frames.length; frame++) {
    const lineNumber = frames.line[frame];
    const fileIndex: IndexIntoStringTable = frameFile(profile, frame);
    if (lineNumber < 0 || fileIndex < 0) {
      entryOfFrame[frame] = -1;
      continue;
    }
    const key = fileIndex * LINE_SCALE + lineNumber;
    let entry = indexOfKey.get(key);
    if (entry === undefined) {
      entry = file.length;
      file.push(fileIndex);
      line.push(lineNumber);
      indexOfKey.set(key, entry);
    }
    entryOfFrame[frame] = entry;
  }

  const self = float64Accumulator(file.length);
  const keyOfStack = new Int32Array(stacks.length);
  for (let s = 0; s < stacks.length; s++) {
    const entry = entryOfFrame[stacks.frame[s]];
    keyOfStack[s] = entry;
    if (entry >= 0) self[entry] += stackWeights[s];
  }
  return { file, line, self, keyOfStack, keyCount: file.length };
}

/** The lines some sample reached, with their totals, numbered in first-seen order of the frames. */
export function finishLineCosts(keyed: LineSelfCosts, total: Float64Array): LineCosts {
  const { file, line, self } = keyed;
  const kept: number[] = [];
  for (let entry = 0; entry < file.length; entry++) if (total[entry] !== 0 || self[entry] !== 0) kept.push(entry);
  return {
    length: kept.length,
    file: Int32Array.from(kept, (entry) => file[entry]),
    line: Int32Array.from(kept, (entry) => line[entry]),
    self: Float64Array.from(kept, (entry) => self[entry]),
    total: Float64Array.from(kept, (entry) => total[entry]),
  };
}

/** Line entries hottest self first (ties: total, then file and line). */
export function linesBySelf(costs: LineCosts): number[] {
  return Array.from({ length: costs.length }, (_, i) => i).sort(
    (a, b) =>
      costs.self[b] - costs.self[a] ||
      costs.total[b] - costs.total[a] ||
      costs.file[a] - costs.file[b] ||
      costs.line[a] - costs.line[b],
  );
}
