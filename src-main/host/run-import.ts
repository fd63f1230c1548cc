/**
 * One import in a worker thread (import-worker.ts): the file or uploaded
 * bytes go in, the Profile comes back with its buffers transferred. Used by
 * the host for every open, and by early-imports.ts to start a file named on
 * the command line before any window asks for it.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import type { ImportJob, WorkerReply } from './import-worker';

export type ProgressListener = (done: number, total: number) => void;

export interface RunningImport {
  /** The parsed profile; rejects with a UserFacingError (one line naming the file) or a CancelledError. */
  readonly profile: Promise<Profile>;
  /** Who hears the progress from now on; a listener set late hears the latest report at once. */
  setProgressListener(listener: ProgressListener): void;
  /** Stops the worker; `profile` then rejects with CancelledError (unless it had already settled). */
  cancel(): Promise<void>;
}

export function runImport(job: ImportJob, name: string): RunningImport {
  const worker = startImportWorker(job);
  let listener: ProgressListener | null = null;
  let latest: [done: number, total: number] | null = null;
  const profile = new Promise<Profile>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      void worker.terminate();
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'progress') {
        latest = [reply.done, reply.total];
        listener?.(reply.done, reply.total);
      } else if (reply.type === 'done') {
        settle(() => resolve(reply.profile));
      } else {
        settle(() => reject(new UserFacingError(reply.message)));
      }
    });
    worker.on('error', (error: Error) => settle(() => reject(new UserFacingError(`${name}: ${error.message}`))));
    worker.on('exit', () => settle(() => reject(new CancelledError())));
  });
  return {
    profile,
    setProgressListener(next) {
      listener = next;
      if (latest !== null) next(latest[0], latest[1]);
    },
    cancel: async () => {
      await worker.terminate();
    },
  };
}

/**
 * The bundled worker sits beside the bundled host (out/main). When the host
 * runs from source (tests through tsx), the worker is started through tsx's
 * CommonJS loader: worker threads do not take `--import` from execArgv.
 */
function startImportWorker(job: ImportJob): Worker {
  const transferList = job.kind === 'bytes' ? [job.bytes.buffer as ArrayBuffer] : [];
  const bundled = join(__dirname, 'import-worker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: job, transferList });
  const source = join(__dirname, 'import-worker.ts');
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`;
  return new Worker(bootstrap, { eval: true, workerData: job, transferList });
}
