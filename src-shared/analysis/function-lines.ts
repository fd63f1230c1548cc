/**
 * Where each function spends its time, as one source line: for the flame
 * graph's tooltip (`file:line`) and wherever a function needs a location.
 *
 * For function f, its hottest line is the line of f's own frames with the most
 * weight over the whole recording, a sample counted once per (f, line) even
 * when recursion repeats the frame. For a leaf that is the line it burns time
 * on; for a caller it is the call site most samples pass through. Only lines
 * in f's own file count (the answer is read as f's file:line); -1 when no
 * frame of f has one.
 */

import type { Profile } from '../profile/model';
import { computeStackWeights } from './sample-filter';
import { PairMap } from '../profile/pair-map';

export function computeHottestLines(profile: Profile): Int32Array {
  const { stacks, frames } = profile;
  const stackWeights = computeStackWeights(profile);
  const entryOf = new PairMap(1024);
  const entryFunc: number[] = [];
  const entryLine: number[] = [];
  const entryWeight: number[] = [];
  const lastStackSeen: number[] = [];
  for (let s = 0; s < stacks.length; s++) {
    const weight = stackWeights[s];
    if (weight === 0) continue;
    for (let at = s; at !== -1; at = stacks.prefix[at]) {
      const frame = stacks.frame[at];
      const line = frames.line[frame];
      if (line < 0 || frames.file[frame] >= 0) continue;
      const func = frames.func[frame];
      let entry = entryOf.get(func, line);
      if (entry === -1) {
        entry = entryFunc.length;
        entryFunc.push(func);
        entryLine.push(line);
        entryWeight.push(0);
        lastStackSeen.push(-1);
        entryOf.set(func, line, entry);
      }
      if (lastStackSeen[entry] === s) continue;
      lastStackSeen[entry] = s;
      entryWeight[entry] += weight;
    }
  }
  const hottest = new Int32Array(profile.funcs.length).fill(-1);
  const best = new Float64Array(profile.funcs.length);
  for (let e = 0; e < entryFunc.length; e++) {
    const func = entryFunc[e];
    // Ties go to the lower line, so the answer does not depend on stack order.
    if (entryWeight[e] > best[func] || (entryWeight[e] === best[func] && entryLine[e] < hottest[func])) {
      best[func] = entryWeight[e];
      hottest[func] = entryLine[e];
    }
  }
  return hottest;
}
