/**
 * Hands the user-code locations the reader finds to background
 * symbolization (symbols/background.ts) while the records stream: after
 * each chunk, the locations added since the last call, one batch per binary,
 * and word of the first kernel location (so kallsyms is read only for
 * recordings that need it).
 *
 * At the end of the read, binaries the worker has not seen are not sent:
 * the reader's thread has nothing left to do but wait, so it resolves them
 * itself (all of a short recording's) while the worker reads kallsyms.
 *
 * A binary's build-id here is the one symbolize.ts will use
 * (recorded-build-id.ts; the build-id feature is read before the records in
 * the file format; in pipe mode it may come later, and then the batch was
 * resolved under another key and symbolization simply does that binary
 * itself).
 */

import type { BackgroundSymbols } from '../../symbols/background';
import type { BinaryRef } from '../../symbols/types';
import { BinaryKind } from './address-space';
import { LocationKind } from './locations';
import { recordedBuildIdOf } from './recorded-build-id';
import type { PerfDataReader } from './records';

export class LocationFeed {
  private sent = 0;
  /** Binaries the worker has been given. */
  private readonly sentBinaries = new Set<number>();

  constructor(
    private readonly reader: PerfDataReader,
    private readonly background: BackgroundSymbols,
  ) {}

  /** Sends the locations found since the last call. */
  sendNew(): void {
    for (const [binary, offsets] of this.newBatches()) this.send(binary, offsets);
  }

  /**
   * The read is over: sends what is new of the binaries the worker has, and
   * returns the batches of the others, for the caller to resolve.
   */
  finish(): { binary: BinaryRef; offsets: number[] }[] {
    const here: { binary: BinaryRef; offsets: number[] }[] = [];
    for (const [binary, offsets] of this.newBatches()) {
      if (this.sentBinaries.has(binary)) this.send(binary, offsets);
      else here.push({ binary: this.refOf(binary), offsets });
    }
    return here;
  }

  /** The user-code offsets found since the last call, by binary; announces the first kernel location. */
  private newBatches(): Map<number, number[]> {
    const { locations, binaries } = this.reader;
    const end = locations.length;
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
    return batches;
  }

  private send(binary: number, offsets: number[]): void {
    this.sentBinaries.add(binary);
    this.background.resolve(this.refOf(binary), offsets);
  }

  private refOf(binary: number): BinaryRef {
    return { path: this.reader.binaries.paths[binary], buildId: recordedBuildIdOf(this.reader, binary) };
  }
}
