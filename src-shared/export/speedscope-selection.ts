/**
 * speedscope's file format for what the analysis window shows: the samples
 * in the selected time range and threads, with the transforms applied (a
 * merged function is gone from the stacks, a dropped sample from the file)
 * and inlined functions merged or not, as the window shows them.
 * Same shape as toSpeedscope (speedscope.ts): one "sampled" profile per
 * thread, frames shared, each sample the function path from the root.
 */

import type { AnalysisRequest } from '../analysis/analyzer';
import { funcPathOfStack } from '../analysis/func-stacks';
import { applyTransforms } from '../analysis/transforms';
import { stringAt, type Profile } from '../profile/model';
import { toSpeedscope, type SpeedscopeFile, type SpeedscopeSampledProfile } from './speedscope';

export type ExportSelection = Pick<AnalysisRequest, 'range' | 'threads' | 'transforms' | 'inlined'>;

export function selectionToSpeedscope(profile: Profile, selection: ExportSelection, exporter = 'heatline'): SpeedscopeFile {
  // The whole-profile file supplies the shared frames (one per function) and the unit.
  const base = toSpeedscope({ ...profile, samples: { ...profile.samples, length: 0 } }, {}, exporter);
  const { stacks, fromProfileStack } = applyTransforms(profile, selection.transforms, selection.inlined);
  const pathCache = new Map<number, number[]>();
  const threads = selection.threads === null ? null : new Set(selection.threads);
  const range = selection.range;
  const { samples } = profile;
  const unit = base.profiles[0]?.unit ?? (profile.meta.unit === 'nanoseconds' ? 'nanoseconds' : profile.meta.unit === 'bytes' ? 'bytes' : 'none');
  const perThread = new Map<number, SpeedscopeSampledProfile>();
  for (let i = 0; i < samples.length; i++) {
    const thread = samples.thread[i];
    if (threads !== null && !threads.has(thread)) continue;
    const time = samples.time[i];
    if (range !== null && !(time >= range.start && time < range.end)) continue;
    const stack = fromProfileStack[samples.stack[i]];
    if (stack < 0) continue;
    let path = pathCache.get(stack);
    if (path === undefined) pathCache.set(stack, (path = funcPathOfStack(stacks, stack)));
    let out = perThread.get(thread);
    if (out === undefined) {
      const name = `${stringAt(profile, profile.threads.name[thread], 'thread')} (tid ${profile.threads.tid[thread]})`;
      out = { type: 'sampled', name, unit, startValue: 0, endValue: 0, samples: [], weights: [] };
      perThread.set(thread, out);
    }
    const weight = samples.weight === null ? 1 : samples.weight[i];
    out.samples.push(path);
    out.weights.push(weight);
    out.endValue += weight;
  }
  return { ...base, profiles: [...perThread.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p) };
}
