/**
 * Hands the user-code locations the reader finds to background
 * symbolization (symbols/background.ts) while the records stream: after
 * each chunk, the locations added since the last call, one batch per binary,
 * and word of the first kernel location (so kallsyms is read only for
 * recordings that need it).
 *
 * A binary's build-id here is the one symbolize.ts will use: its MMAP2's,
 * else the build-id feature's (read before the records in the file format;
 * in pipe mode it may come later, and then the batch was resolved under
 * another key and symbolization simply does that binary itself).
 */

import type { BackgroundSymbols } from '../../symbols/background';
import { BinaryKind } from './address-space';
import { LocationKind } from './locations';
import type { PerfDataReader } from './records';

export class LocationFeed {
  private sent = 0;

  constructor(
    private readonly reader: PerfDataReader,
    private readonly background: BackgroundSymbols,
  ) {}

  /** Sends the locations found since the last call. */
  sendNew(): void {
    const { locations, binaries } = this.reader;
    const end = locations.length;
    if (end === this.sent) return;
    const batches = new Map<number, number[]>();
    for (let id = this.sent; id < end; id++) {
      if (locations.kind[id] === LocationKind.kernel) this.background.expectKernel();
      if (locations.kind[id] !== LocationKind.user) continue;
      const binary = locations.owner[id];
      if (binaries.kinds[binary] !== BinaryKind.file) continue;
      let offsets = batches.get(binary);
      if (!offsets) batches.set(binary, (offsets = []));
      offsets.push(locations.lo[id]);
    }
    this.sent = end;
    for (const [binary, offsets] of batches) this.background.resolve({ path: binaries.paths[binary], buildId: this.buildIdOf(binary) }, offsets);
  }

  private buildIdOf(binary: number): string | null {
    const { binaries, features } = this.reader;
    const own = binaries.buildIds[binary];
    if (own !== null) return own;
    const path = binaries.paths[binary];
    return features.buildIds.find((entry) => entry.filename === path)?.buildId ?? null;
  }
}
