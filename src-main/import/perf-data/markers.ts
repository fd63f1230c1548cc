/**
 * Events besides the shown one become timeline markers. A recording of
 * `perf record -e cpu-clock -e sched:sched_switch -g` keeps cpu-clock as the
 * profile's samples (the first event with samples, as perf report shows
 * first) and every sched_switch sample as a marker on its thread, at its
 * time, with its call chain as the marker's stack, so the timeline shows
 * where each thread went to sleep.
 *
 * Two hooks in assemble.ts: markOtherEvents before symbolization (so the
 * markers' call paths and threads are symbolized and named with the rest)
 * and addEventMarkers once the builder's stacks and threads exist.
 */

import type { ProfileBuilder } from '../../../src-shared/profile/builder';
import { eventName } from './header';
import type { PerfDataReader } from './records';

/** Marks the call-path nodes and threads that other events' samples use. */
export function markOtherEvents(reader: PerfDataReader, shown: number, usedNode: Uint8Array, usedThread: Uint8Array): void {
  const paths = reader.paths;
  for (let i = 0; i < reader.sampleNode.length; i++) {
    if (reader.sampleEvent.get(i) === shown) continue;
    usedThread[reader.sampleThread.get(i)] = 1;
    for (let node = reader.sampleNode.get(i); node >= 0 && !usedNode[node]; node = paths.parent.get(node)) usedNode[node] = 1;
  }
}

/**
 * One marker per sample of a non-shown event. `stackOf` maps call-path
 * nodes to builder stacks, `threadOf` reader threads to builder threads.
 */
export function addEventMarkers(builder: ProfileBuilder, reader: PerfDataReader, shown: number, stackOf: Int32Array, threadOf: Int32Array): void {
  const names = reader.attrs.map((attr) => eventName(attr));
  for (let i = 0; i < reader.sampleNode.length; i++) {
    const event = reader.sampleEvent.get(i);
    if (event === shown) continue;
    const thread = threadOf[reader.sampleThread.get(i)];
    if (thread < 0) continue;
    const node = reader.sampleNode.get(i);
    builder.marker(reader.sampleTime.get(i), thread, names[event], node >= 0 ? stackOf[node] : -1);
  }
}
