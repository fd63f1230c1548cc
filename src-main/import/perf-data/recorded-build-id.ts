/**
 * The build-id a recording gives each binary, which is how its file is found
 * (symbols/locate.ts): its MMAP2 record's, else the build-id feature's entry
 * for its path.
 *
 * A vdso left without one, in a recording made on this machine's running
 * kernel, is given this kernel's vdso's: the image the program ran. perf
 * 6.1's `record -z` writes every build-id empty (and the vdso under a
 * temporary file's name), and perf report names vdso code all the same from
 * its own copy.
 */

import { ownVdso } from '../../symbols/own-vdso';
import type { PerfDataReader } from './records';
import { recordedHere } from './sources';

export function recordedBuildIdOf(reader: PerfDataReader, binary: number): string | null {
  const { binaries, features } = reader;
  const fromMmap = binaries.buildIds[binary];
  if (fromMmap) return fromMmap;
  const path = binaries.paths[binary];
  const listed = features.buildIds.find((entry) => entry.filename === path)?.buildId;
  if (listed) return listed;
  // Only `[vdso]`: this process's vdso is the 64-bit one, not a 32-bit process's `[vdso32]`.
  if (path === '[vdso]' && recordedHere(features)) return ownVdso()?.buildId ?? null;
  return null;
}
