/**
 * Threads as the timeline lists them: grouped by process, and each thread's
 * samples as a time-sorted index so a time window is two binary searches.
 */

import { stringAt, type IndexIntoSampleTable, type IndexIntoThreadTable, type Nanoseconds, type Profile } from '../profile/model';

export interface ProcessGroup {
  pid: number;
  name: string;
  /** Threads of the process, the main thread (tid == pid) first, then by tid. */
  threads: IndexIntoThreadTable[];
}

/** Processes by pid; formats without pids (-1 or 0) put each thread in a group of its own pid value. */
export function groupThreadsByProcess(profile: Profile): ProcessGroup[] {
  const { threads } = profile;
  const byPid = new Map<number, IndexIntoThreadTable[]>();
  for (let t = 0; t < threads.length; t++) {
    const pid = threads.pid[t];
    let list = byPid.get(pid);
    if (list === undefined) byPid.set(pid, (list = []));
    list.push(t);
  }
  const groups: ProcessGroup[] = [];
  for (const [pid, list] of byPid) {
    list.sort((a, b) => Number(threads.tid[b] === pid) - Number(threads.tid[a] === pid) || threads.tid[a] - threads.tid[b]);
    const main = list[0];
    // Without pids (perf script's default fields) the threads' process is unknown: do not name it after one of them.
    const name =
      pid < 0 ? 'Unknown process' : stringAt(profile, threads.processName[main]) || stringAt(profile, threads.name[main]) || 'process';
    groups.push({ pid, name, threads: list });
  }
  return groups.sort((a, b) => a.pid - b.pid);
}

export function threadLabel(profile: Profile, thread: IndexIntoThreadTable): string {
  return stringAt(profile, profile.threads.name[thread], 'thread');
}

/** Each thread's samples in time order (the sample table is already time-sorted), with their times. */
export interface ThreadSamples {
  index: Int32Array;
  time: Float64Array;
}

export function computeThreadSamples(profile: Profile): ThreadSamples[] {
  const { samples, threads } = profile;
  const counts = new Int32Array(threads.length);
  for (let i = 0; i < samples.length; i++) counts[samples.thread[i]]++;
  const out: ThreadSamples[] = Array.from({ length: threads.length }, (_, t) => ({
    index: new Int32Array(counts[t]),
    time: new Float64Array(counts[t]),
  }));
  const fill = new Int32Array(threads.length);
  for (let i = 0; i < samples.length; i++) {
    const t = samples.thread[i];
    const at = fill[t]++;
    out[t].index[at] = i;
    out[t].time[at] = samples.time[i];
  }
  return out;
}

/** The first position in sorted `times` whose time is >= `time`. */
export function lowerBound(times: Float64Array, time: Nanoseconds): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid] < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The usual time between two samples of one running thread: the median gap
 * over up to 20,000 consecutive pairs. A sample stands for that much time in
 * the activity graph and the stack chart. NaN without times.
 */
export function estimateSampleInterval(profile: Profile, threadSamples: ThreadSamples[]): Nanoseconds {
  const gaps: number[] = [];
  const budget = 20_000;
  for (const { time } of threadSamples) {
    const step = Math.max(1, Math.floor(time.length / budget));
    for (let i = 1; i < time.length && gaps.length < budget * 4; i += step) {
      const gap = time[i] - time[i - 1];
      if (gap > 0) gaps.push(gap);
    }
  }
  if (gaps.length === 0) {
    const { startTime, endTime } = profile.meta;
    return profile.samples.length > 1 && endTime > startTime ? (endTime - startTime) / profile.samples.length : NaN;
  }
  gaps.sort((a, b) => a - b);
  return gaps[(gaps.length - 1) >> 1];
}

/** Samples of a thread in [start, end): positions into its ThreadSamples arrays. */
export function sampleWindow(samples: ThreadSamples, start: Nanoseconds, end: Nanoseconds): { from: IndexIntoSampleTable; to: IndexIntoSampleTable } {
  return { from: lowerBound(samples.time, start), to: lowerBound(samples.time, end) };
}
