/**
 * An ImportSource over a file that is still arriving (a browser-mode upload,
 * src-main/web/uploads.ts): its bytes are written into one buffer of the
 * file's size as they come, and a read waits only for the part it needs. A
 * format read front to back (DHAT, massif, collapsed stacks) is then parsed
 * while the rest of the file is on its way; one that reads its end first
 * waits for it (perf.data reads its feature sections after the records
 * while `arriving`, unless it unwinds user stacks).
 */

import { UserFacingError } from '../../src-shared/errors';
import { HEAD_BYTES, type ImportSource } from './importer';

const CHUNK_BYTES = 1 << 20;

export class ArrivingBytes {
  readonly bytes: Uint8Array;
  private received = 0;
  private failure: Error | null = null;
  private waiting: { until: number; resolve(): void; reject(error: Error): void }[] = [];

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** How many bytes from the start are here. */
  get available(): number {
    return this.received;
  }

  add(chunk: Uint8Array): void {
    if (this.failure !== null) return;
    if (this.received + chunk.byteLength > this.size) {
      this.fail(`the upload is longer than the ${this.size} bytes it announced`);
      return;
    }
    this.bytes.set(chunk, this.received);
    this.received += chunk.byteLength;
    this.wake();
  }

  end(): void {
    if (this.received < this.size) this.fail(`the upload ended early (${this.received} of ${this.size} bytes came)`);
  }

  fail(reason: string): void {
    if (this.failure !== null) return;
    // A one-line reason for the user; the loader puts the file's name before it.
    this.failure = new UserFacingError(reason);
    for (const waiter of this.waiting) waiter.reject(this.failure);
    this.waiting = [];
  }

  /** Resolves once the first `count` bytes are here; rejects with the upload's one-line failure. */
  until(count: number): Promise<void> {
    if (this.received >= Math.min(count, this.size)) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ until: count, resolve, reject }));
  }

  private wake(): void {
    const still = [];
    for (const waiter of this.waiting) {
      if (this.received >= Math.min(waiter.until, this.size)) waiter.resolve();
      else still.push(waiter);
    }
    this.waiting = still;
  }
}

/** The source once its head (what detects the format) is here. */
export async function arrivingSource(name: string, arriving: ArrivingBytes): Promise<ImportSource> {
  const { bytes, size } = arriving;
  try {
    await arriving.until(HEAD_BYTES);
  } catch (error) {
    throw new UserFacingError(`${name}: ${(error as Error).message}`);
  }
  return {
    name,
    size,
    get arriving() {
      return arriving.available < size;
    },
    head: bytes.subarray(0, Math.min(size, HEAD_BYTES)),
    async readRange(offset, length) {
      const end = Math.min(size, offset + length);
      await arriving.until(end);
      return bytes.subarray(offset, end);
    },
    async *chunks(start = 0, end = size) {
      for (let at = start; at < end; ) {
        // Whatever has come past `at`, up to a chunk: the reader works on it while more arrives.
        await arriving.until(at + 1);
        const upTo = Math.min(end, arriving.available, at + CHUNK_BYTES);
        yield bytes.subarray(at, upTo);
        at = upTo;
      }
    },
  };
}
