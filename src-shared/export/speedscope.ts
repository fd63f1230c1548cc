/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json,
 * shipped in the speedscope package as dist/release/file-format-schema.json):
 * one "sampled" profile per thread, frames shared, each sample a list of
 * frame indexes from the root.
 */

import type { SampleFilter } from '../analysis/sample-filter';
import { stringAt, type Profile, type WeightUnit } from '../profile/model';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'none' | 'nanoseconds' | 'microseconds' | 'milliseconds' | 'seconds' | 'bytes';
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

const unitFor: Record<WeightUnit, SpeedscopeSampledProfile['unit']> = {
  samples: 'none',
  instructions: 'none',
  nanoseconds: 'nanoseconds',
  bytes: 'bytes',
};

export function toSpeedscope(profile: Profile, filter: SampleFilter = {}, exporter = 'heatline'): SpeedscopeFile {
  const { samples, stacks, frames, funcs } = profile;
  // speedscope frames are our functions; a frame at a different address of the same function is the same box.
  const frameList: SpeedscopeFrame[] = Array.from({ length: funcs.length }, (_, f) => {
    const frame: SpeedscopeFrame = { name: stringAt(profile, funcs.name[f]) };
    if (funcs.file[f] >= 0) frame.file = stringAt(profile, funcs.file[f]);
    if (funcs.startLine[f] >= 0) frame.line = funcs.startLine[f];
    return frame;
  });
  const pathCache = new Map<number, number[]>();
  const pathOf = (stack: number): number[] => {
    let path = pathCache.get(stack);
    if (path === undefined) {
      path = [];
      for (let at = stack; at !== -1; at = stacks.prefix[at]) path.push(frames.func[stacks.frame[at]]);
      path.reverse();
      pathCache.set(stack, path);
    }
    return path;
  };

  const perThread = new Map<number, SpeedscopeSampledProfile>();
  const range = filter.range ?? null;
  for (let i = 0; i < samples.length; i++) {
    const thread = samples.thread[i];
    if (filter.threads && !filter.threads.has(thread)) continue;
    const time = samples.time[i];
    if (range !== null && !(time >= range.start && time < range.end)) continue;
    let out = perThread.get(thread);
    if (out === undefined) {
      out = {
        type: 'sampled',
        name: threadLabel(profile, thread),
        unit: unitFor[profile.meta.unit],
        startValue: 0,
        endValue: 0,
        samples: [],
        weights: [],
      };
      perThread.set(thread, out);
    }
    const weight = samples.weight === null ? 1 : samples.weight[i];
    out.samples.push(pathOf(samples.stack[i]));
    out.weights.push(weight);
    out.endValue += weight;
  }
  const profiles = [...perThread.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: frameList },
    profiles,
    name: profile.meta.sourceName,
    activeProfileIndex: 0,
    exporter,
  };
}

function threadLabel(profile: Profile, thread: number): string {
  const name = stringAt(profile, profile.threads.name[thread], 'thread');
  return `${name} (tid ${profile.threads.tid[thread]})`;
}
