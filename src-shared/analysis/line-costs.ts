/**
 * Self and total cost per source line (file, line).
 *
 * self  = weight of samples whose leaf frame executes that line.
 * total = weight of samples with any frame on that line, counted once per
 *         sample (recursion through the same line counts once).
 * A frame's file is its function's file: inlined frames carry their own
 * function, so an inlined helper's lines land in the helper's file.
 * Frames without a known line (-1) or file contribute nothing.
 */

import type { IndexIntoStringTable, Profile } from '../profile/model';

export interface LineCosts {
  length: number;
  file: Int32Array;
  line: Int32Array;
  self: Float64Array;
  total: Float64Array;
}

const LINE_SCALE = 2 ** 24;

export function computeLineCosts(profile: Profile, stackWeights: Float64Array): LineCosts {
  const { stacks, frames, funcs } = profile;
  const indexOfKey = new Map<number, number>();
  const file: number[] = [];
  const line: number[] = [];
  const self: number[] = [];
  const total: number[] = [];
  const lastStackSeen: number[] = [];

  const entryFor = (fileIndex: IndexIntoStringTable, lineNumber: number): number => {
    const key = fileIndex * LINE_SCALE + lineNumber;
    let entry = indexOfKey.get(key);
    if (entry === undefined) {
      entry = file.length;
      file.push(fileIndex);
      line.push(lineNumber);
      self.push(0);
      total.push(0);
      lastStackSeen.push(-1);
      indexOfKey.set(key, entry);
    }
    return entry;
  };

  for (let s = 0; s < stacks.length; s++) {
    const weight = stackWeights[s];
    if (weight === 0) continue;
    for (let at = s; at !== -1; at = stacks.prefix[at]) {
      const frame = stacks.frame[at];
      const lineNumber = frames.line[frame];
      const fileIndex = funcs.file[frames.func[frame]];
      if (lineNumber < 0 || fileIndex < 0) continue;
      const entry = entryFor(fileIndex, lineNumber);
      if (at === s) self[entry] += weight;
      if (lastStackSeen[entry] === s) continue;
      lastStackSeen[entry] = s;
      total[entry] += weight;
    }
  }
  return {
    length: file.length,
    file: Int32Array.from(file),
    line: Int32Array.from(line),
    self: Float64Array.from(self),
    total: Float64Array.from(total),
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
