/**
 * Worker side of perf-data.fuzz.test.ts: imports mutated copies of recorded
 * perf.data files (with the reader itself, so any error that is not a
 * one-line UserFacingError counts, not only what load.ts would let through), one case at a time, and reports each case's start and end
 * so the test can kill a case that hangs. Runs in a worker with a heap limit,
 * so an allocation sized by untrusted input shows up as a crash.
 */

import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { UserFacingError } from '../../src-shared/errors';
import { readPerfData } from '../../src-main/import/perf-data';
import { bytesSource } from '../../src-main/import/source';
import { manyImportsConfig } from '../helpers/perf-data';

export interface FuzzJob {
  files: string[];
  seed: number;
  budgetMs: number;
}

export type FuzzReply =
  | { type: 'start'; index: number; description: string }
  | { type: 'done'; index: number }
  | { type: 'failure'; index: number; description: string; problem: string }
  | { type: 'finished'; cases: number; errors: number; imported: number };

/** mulberry32: small, seeded, good enough to pick offsets. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTREMES = [0n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 32n - 1n, 2n ** 16n - 1n, 7n, 8n];

/** One mutation of `original`; returns the bytes and a description to replay it. */
function mutate(original: Uint8Array, random: () => number): { bytes: Uint8Array; description: string } {
  const pick = (n: number) => Math.floor(random() * n);
  const bytes = original.slice();
  const steps: string[] = [];
  const kind = pick(4);
  // The header and attribute area is small but dense with sizes and offsets: aim there a third of the time.
  const offset = () => (random() < 0.33 ? pick(Math.min(bytes.length, 1024)) : pick(bytes.length));
  if (kind === 0 || kind === 3) {
    const flips = 1 + pick(8);
    for (let i = 0; i < flips; i++) {
      const at = offset();
      const mask = 1 + pick(255);
      bytes[at] ^= mask;
      steps.push(`xor ${at} ${mask}`);
    }
  }
  if (kind === 1 || kind === 3) {
    const at = offset() & ~7;
    const value = EXTREMES[pick(EXTREMES.length)];
    if (at + 8 <= bytes.length) {
      new DataView(bytes.buffer).setBigUint64(at, value, true);
      steps.push(`u64 ${at} = ${value}`);
    }
  }
  let length = bytes.length;
  if (kind === 2 || (kind === 3 && random() < 0.5)) {
    length = pick(bytes.length);
    steps.push(`cut ${length}`);
  }
  return { bytes: bytes.subarray(0, length), description: steps.join(', ') };
}

const port = parentPort;
if (port) {
  const job = workerData as FuzzJob;
  const post = (reply: FuzzReply) => port.postMessage(reply);
  const files = job.files.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }));
  void (async () => {
    const random = prng(job.seed);
    const deadline = Date.now() + job.budgetMs;
    let index = 0;
    let errors = 0;
    let imported = 0;
    while (Date.now() < deadline) {
      const file = files[Math.floor(random() * files.length)];
      const { bytes, description: steps } = mutate(file.bytes, random);
      const description = `${file.path}: ${steps}`;
      post({ type: 'start', index, description });
      try {
        await readPerfData(bytesSource('fuzz.data', bytes), {}, manyImportsConfig);
        imported++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof UserFacingError) || message.includes('\n') || message.includes('internal error')) {
          post({ type: 'failure', index, description, problem: error instanceof Error ? (error.stack ?? message) : message });
          return;
        }
        errors++;
      }
      post({ type: 'done', index });
      index++;
    }
    post({ type: 'finished', cases: index, errors, imported });
  })();
}
