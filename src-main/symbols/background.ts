/**
 * Symbolization in a worker thread, started while the perf.data records
 * still stream.
 *
 * Opening a binary's symbol table and DWARF (decompressing sections,
 * indexing units, parsing line tables) is a fixed cost per binary that does
 * not depend on the samples, and the reader finds most addresses early (hot
 * code is sampled at once). So the reader hands new (binary, file offset)
 * pairs to a worker as it finds them (resolve()), the worker resolves them on
 * the other core, and when the records are read, settled() waits for the
 * rest. The profile is then built from resolver(), which answers from what
 * the worker sent, and resolves anything else (an offset never sent, or the
 * worker failed) in this thread with an ordinary resolver.
 *
 * Kernel addresses go the same way at the end of the read: the worker has
 * read and indexed /proc/kallsyms meanwhile, from the moment the reader met
 * the first kernel address (many recordings have none, and the kernel
 * formats that file slowly).
 *
 * The worker is the bundle's symbol-worker.js; where it is not built (tests
 * running the TypeScript sources) start() returns null and symbolization
 * stays in this thread, as before.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { KernelReference } from './kernel';
import type { BinaryRef, BinaryResolver, ResolvedAddress } from './types';

export type ToSymbolWorker =
  | { type: 'resolve'; path: string; buildId: string | null; offsets: number[] }
  | { type: 'kernel-ahead' }
  | { type: 'kernel'; addresses: bigint[]; recordedBuildId: string | null; allowWithoutBuildId: boolean; reference: KernelReference | null }
  | { type: 'flush' };

export type FromSymbolWorker =
  | { type: 'resolved'; path: string; buildId: string | null; offsets: number[]; results: ResolvedAddress[]; located: BinaryLocation }
  | { type: 'kernel-resolved'; addresses: bigint[]; results: ResolvedAddress[] }
  | { type: 'warning'; line: string }
  | { type: 'flushed' };

/** What symbolization asks of the kernel (perf-data/symbolize.ts KernelSymbolizer). */
export interface KernelAddressResolver {
  resolveKernelAddresses(addresses: readonly bigint[], buildId: string | null, reference?: KernelReference | null): ResolvedAddress[];
}

interface BinaryLocation {
  binaryPath: string | null;
  debugPath: string | null;
}

const keyOf = (ref: BinaryRef) => `${ref.path}\0${ref.buildId ?? ''}`;

export class BackgroundSymbols {
  /** Per binary: file offset -> what the worker resolved there. */
  private readonly results = new Map<string, Map<number, ResolvedAddress>>();
  private readonly located = new Map<string, BinaryLocation>();
  private readonly kernelResults = new Map<bigint, ResolvedAddress>();
  private failed = false;
  private waiting: (() => void)[] = [];
  private kernelAhead = false;

  /** A worker resolving with this machine's files; null where the worker bundle is not built or cannot start. */
  static start(warn: (line: string) => void, script = join(__dirname, 'symbol-worker.js')): BackgroundSymbols | null {
    if (!existsSync(script)) return null;
    try {
      return new BackgroundSymbols(new Worker(script), warn);
    } catch {
      return null;
    }
  }

  private constructor(
    private readonly worker: Worker,
    private readonly warn: (line: string) => void,
  ) {
    worker.on('message', (message: FromSymbolWorker) => this.receive(message));
    // A worker that dies resolves nothing more: what it did not send is resolved in this thread.
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  /** Asks for `offsets` of `binary` to be resolved in the background. */
  resolve(binary: BinaryRef, offsets: number[]): void {
    if (this.failed || offsets.length === 0) return;
    this.post({ type: 'resolve', path: binary.path, buildId: binary.buildId, offsets });
  }

  /** Kernel addresses will be asked for: the worker starts reading kallsyms now (once). */
  expectKernel(): void {
    if (this.kernelAhead || this.failed) return;
    this.kernelAhead = true;
    this.post({ type: 'kernel-ahead' });
  }

  /**
   * Asks for kernel addresses to be named from this machine's kallsyms, which
   * the worker has been reading since expectKernel() (or reads now). The same
   * checks as in this thread decide whether the names are used
   * (createKernelResolver).
   */
  resolveKernel(addresses: bigint[], recordedBuildId: string | null, allowWithoutBuildId: boolean, reference: KernelReference | null = null): void {
    if (this.failed || addresses.length === 0) return;
    this.post({ type: 'kernel', addresses, recordedBuildId, allowWithoutBuildId, reference });
  }

  /** Resolves when everything asked so far has come back (or the worker failed). */
  settled(): Promise<void> {
    if (this.failed) return Promise.resolve();
    return new Promise((done) => {
      this.waiting.push(done);
      this.post({ type: 'flush' });
    });
  }

  /** A resolver answering from the worker's results, and from `fallback()` (made on first need) for anything else. */
  resolver(fallback: () => BinaryResolver): BinaryResolver {
    let local: BinaryResolver | null = null;
    const inThisThread = () => (local ??= fallback());
    return {
      resolveFileOffsets: (binary, fileOffsets) => {
        const key = keyOf(binary);
        let known = this.results.get(key);
        const missing = known ? fileOffsets.filter((offset) => !known!.has(offset)) : fileOffsets;
        if (missing.length > 0) {
          const results = inThisThread().resolveFileOffsets(binary, missing);
          // Kept with the worker's: a binary resolved here ahead of symbolization is not resolved twice.
          if (!known) this.results.set(key, (known = new Map()));
          missing.forEach((offset, i) => known!.set(offset, results[i]));
        }
        return fileOffsets.map((offset) => known?.get(offset) ?? { frames: [] });
      },
      locate: (binary) => this.located.get(keyOf(binary)) ?? inThisThread().locate(binary),
      dispose: () => {
        local?.dispose();
        this.dispose();
      },
    };
  }

  /** A kernel resolver answering from the worker's results, and from `fallback()` (made on first need) for anything else. */
  kernelResolver(fallback: () => KernelAddressResolver): KernelAddressResolver {
    return {
      resolveKernelAddresses: (addresses, buildId, reference) => {
        const missing = addresses.filter((address) => !this.kernelResults.has(address));
        const here = new Map<bigint, ResolvedAddress>();
        if (missing.length > 0) {
          const results = fallback().resolveKernelAddresses(missing, buildId, reference);
          missing.forEach((address, i) => here.set(address, results[i]));
        }
        return addresses.map((address) => this.kernelResults.get(address) ?? here.get(address) ?? { frames: [] });
      },
    };
  }

  dispose(): void {
    this.failed = true;
    void this.worker.terminate();
    this.release();
  }

  private post(message: ToSymbolWorker): void {
    try {
      this.worker.postMessage(message);
    } catch {
      this.fail();
    }
  }

  private receive(message: FromSymbolWorker): void {
    if (message.type === 'warning') {
      this.warn(message.line);
    } else if (message.type === 'resolved') {
      const key = keyOf(message);
      let known = this.results.get(key);
      if (!known) this.results.set(key, (known = new Map()));
      message.offsets.forEach((offset, i) => known.set(offset, message.results[i]));
      this.located.set(key, message.located);
    } else if (message.type === 'kernel-resolved') {
      message.addresses.forEach((address, i) => this.kernelResults.set(address, message.results[i]));
    } else {
      this.waiting.shift()?.();
    }
  }

  private fail(): void {
    this.failed = true;
    this.release();
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
}
