/**
 * Collapsed stacks ("main;parse;lex 42"), the input of flamegraph.pl and most
 * flame graph tools: one line per distinct function path, root first, with
 * its summed weight. Functions, not frames: addresses and lines are dropped.
 */

import { computeStackWeights, type SampleFilter } from '../analysis/sample-filter';
import type { Profile } from '../profile/model';

export function toCollapsed(profile: Profile, filter: SampleFilter = {}): string {
  const { stacks, frames, funcs, strings } = profile;
  const stackWeights = computeStackWeights(profile, filter);
  const pathOfStack: string[] = new Array(stacks.length);
  const weightOfPath = new Map<string, number>();
  for (let s = 0; s < stacks.length; s++) {
    // Semicolons separate frames in this format, so one inside a name would split it.
    const name = strings[funcs.name[frames.func[stacks.frame[s]]]].replaceAll(';', ':');
    const prefix = stacks.prefix[s];
    pathOfStack[s] = prefix === -1 ? name : `${pathOfStack[prefix]};${name}`;
    if (stackWeights[s] > 0) weightOfPath.set(pathOfStack[s], (weightOfPath.get(pathOfStack[s]) ?? 0) + stackWeights[s]);
  }
  let out = '';
  for (const [path, weight] of weightOfPath) out += `${path} ${weight}\n`;
  return out;
}
