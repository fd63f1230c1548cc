/**
 * The profile from what the reader collected: the shown event's samples,
 * their call paths turned into the builder's stacks once every location is
 * symbolized, threads named, and the reader's counts turned into warnings.
 * (Why these choices match `perf report`: see index.ts.)
 */

import { ProfileBuilder } from '../../../src-shared/profile/builder';
import type { ImportSource } from '../importer';
import { recordedKernelBuildId } from './features';
import { PERF_TYPE_SOFTWARE, eventName } from './header';
import type { PerfDataResult } from './index';
import { recordedBuildIdOf } from './recorded-build-id';
import type { PerfDataReader } from './records';
import { LocationKind } from './locations';
import { symbolizeLocations, type LocationFrames, type PerfSymbolSources } from './symbolize';
import { PairMap } from '../../../src-shared/profile/pair-map';
import { addEventMarkers, markOtherEvents } from './markers';

export function assemble(source: ImportSource, reader: PerfDataReader, sources: PerfSymbolSources): PerfDataResult {
  const { attrs, features, counts } = reader;
  nameEvents(reader);
  const shown = Math.max(0, reader.eventSamples.findIndex((n) => n > 0));
  const builder = new ProfileBuilder({ format: 'perf.data', kind: 'cpu', unit: 'samples', sourceName: source.name, weighted: false });
  const meta = builder.meta;
  meta.warnings.push(...reader.warnings);
  meta.eventName = eventName(attrs[shown]);
  meta.host = features.hostname;
  meta.command = features.cmdline ? features.cmdline.join(' ') : null;

  // Keep only what the shown event's samples use.
  const n = reader.sampleNode.length;
  const paths = reader.paths;
  const usedNode = new Uint8Array(paths.length);
  const usedThread = new Uint8Array(reader.threads.length);
  for (let i = 0; i < n; i++) {
    if (reader.sampleEvent.get(i) !== shown) continue;
    usedThread[reader.sampleThread.get(i)] = 1;
    for (let node = reader.sampleNode.get(i); node >= 0 && !usedNode[node]; node = paths.parent.get(node)) usedNode[node] = 1;
  }
  const periodsVary = reader.eventPeriodsVary[shown] === true;
  markOtherEvents(reader, shown, usedNode, usedThread); // other events' samples become markers (markers.ts)
  const usedLocation = new Uint8Array(reader.locations.length);
  for (let node = 0; node < paths.length; node++) if (usedNode[node]) usedLocation[paths.location.get(node)] = 1;

  const kernelBuildId = recordedKernelBuildId(features);
  for (let b = 0; b < reader.binaries.length; b++) reader.binaries.buildIds[b] = recordedBuildIdOf(reader, b);
  const located = symbolizeLocations(reader.locations, reader.binaries, builder, sources, kernelBuildId, reader.kernelReference, usedLocation);
  // Every location has its frames: let the binaries' symbol and DWARF tables go before the big stack tables are built.
  sources.binaries?.dispose();
  meta.binaries = reader.binaries.paths.map((path, b) => ({ path, buildId: reader.binaries.buildIds[b] })); // source pane (issue 5)

  // Builder stacks per used call-path node; parents come first (parent < node). At least one stack per node.
  // Most nodes' frames are their own: a node whose path holds only locations with frames no other location
  // has (user code: frames carry the binary and file offset) can have no twin elsewhere in the tree, so its
  // stacks are appended without the builder's lookup (a cache miss per stack on big profiles). The rest
  // (kernel symbols and "[kernel]", JIT and unmapped addresses) are deduplicated here.
  const ownFrames = locationsWithOwnFrames(reader, located, usedLocation);
  const onlyOwnFrames = new Uint8Array(paths.length);
  const shared = new PairMap(1024);
  const stackOf = new Int32Array(paths.length).fill(-1);
  const topFrame = new Int32Array(paths.length).fill(-1);
  for (let node = 0; node < paths.length; node++) {
    if (!usedNode[node]) continue;
    const parent = paths.parent.get(node);
    let stack = parent >= 0 ? stackOf[parent] : -1;
    let top = parent >= 0 ? topFrame[parent] : -1;
    const location = paths.location.get(node);
    const own = ownFrames[location] === 1 && (parent < 0 || onlyOwnFrames[parent] === 1);
    onlyOwnFrames[node] = own ? 1 : 0;
    for (let k = located.start[location]; k < located.start[location + 1]; k++) {
      const frame = located.frames[k];
      // Unresolved kernel frames are all "[kernel]": one per run, not one per address.
      if (frame === located.kernelFallbackFrame && top === frame) continue;
      if (own) {
        stack = builder.newStack(stack, frame);
      } else {
        let next = shared.get(stack, frame);
        if (next < 0) shared.set(stack, frame, (next = builder.newStack(stack, frame)));
        stack = next;
      }
      top = frame;
    }
    stackOf[node] = stack;
    topFrame[node] = top;
  }

  const threads = reader.threads;
  const threadOf = new Int32Array(threads.length).fill(-1);
  for (let t = 0; t < threads.length; t++) {
    if (usedThread[t]) threadOf[t] = builder.thread(threads.tid[t], threads.pid[t], threads.comm[t], threads.processName(t));
  }
  for (let i = 0; i < n; i++) {
    if (reader.sampleEvent.get(i) !== shown) continue;
    builder.sample(stackOf[reader.sampleNode.get(i)], threadOf[reader.sampleThread.get(i)], reader.sampleTime.get(i));
  }
  addEventMarkers(builder, reader, shown, stackOf, threadOf);
  reader.releaseSamples();

  const events = attrs.map((attr, i) => ({ name: eventName(attr), samples: reader.eventSamples[i], shown: i === shown && reader.eventSamples[i] > 0 }));
  const others = events.filter((e, i) => i !== shown && e.samples > 0);
  if (others.length > 0) meta.warnings.push(`also recorded, shown as timeline markers: ${others.map((e) => `${e.name} (${e.samples} samples)`).join(', ')}`);
  if (periodsVary && !(attrs[shown].type === PERF_TYPE_SOFTWARE && attrs[shown].config <= 1n)) {
    meta.warnings.push(`shares are by sample count; the sample periods of ${meta.eventName} vary, and perf report weighs by period`);
  }
  const lost = counts.lostSamples > 0 ? counts.lostSamples : counts.lostChunks;
  if (lost > 0) meta.warnings.push(`the kernel lost ${lost} samples while recording (perf's buffers were full)`);
  if (counts.throttled > 0) meta.warnings.push(`sampling was throttled ${counts.throttled} times (too high a frequency for this machine)`);
  if (counts.malformed > 0) meta.warnings.push(`${counts.malformed} malformed records were skipped`);
  if (counts.unknownEvent > 0) meta.warnings.push(`${counts.unknownEvent} samples name no recorded event and were skipped`);
  if (counts.beforeAttrs > 0) meta.warnings.push(`${counts.beforeAttrs} samples came before any event description and were skipped`);
  if (counts.looseSamples > 0) meta.warnings.push(`${counts.looseSamples} samples had bytes after their last known field (an unexpected sample layout)`);
  if (counts.unknownTypes > 0) meta.warnings.push(`${counts.unknownTypes} records of unknown types were skipped`);

  return { profile: builder.finish(), threads: threads.lifetimes(), features, events };
}

/** Names from the event_desc feature (matched by id, else by position). */
function nameEvents(reader: PerfDataReader): void {
  const descs = reader.features.eventDescs;
  reader.attrs.forEach((attr, i) => {
    if (attr.name) return;
    const byId = descs.find((d) => d.ids.some((id) => attr.ids.includes(id)));
    attr.name = byId?.name ?? (descs.length === reader.attrs.length ? descs[i].name : null);
  });
}

/**
 * 1 for each used user-code location whose first frame no other location has:
 * its stacks cannot coincide with another node's (see the stack loop above).
 * Two binaries of one path (rebuilt between runs) can give two locations the
 * same frame; those, and all other kinds, are 0.
 */
function locationsWithOwnFrames(reader: PerfDataReader, located: LocationFrames, used: Uint8Array): Uint8Array {
  const { locations } = reader;
  const own = new Uint8Array(locations.length);
  let frameCount = 0;
  for (let i = 0; i < located.frames.length; i++) frameCount = Math.max(frameCount, located.frames[i] + 1);
  const firstFrameOwner = new Int32Array(frameCount).fill(-1);
  for (let location = 0; location < locations.length; location++) {
    if (!used[location] || located.start[location] === located.start[location + 1]) continue;
    const first = located.frames[located.start[location]];
    const owner = firstFrameOwner[first];
    if (owner === -1) {
      firstFrameOwner[first] = location;
      own[location] = locations.kind[location] === LocationKind.user ? 1 : 0;
    } else {
      own[location] = 0;
      own[owner] = 0;
    }
  }
  return own;
}
