/**
 * One import in a worker thread (import-worker.ts): the file or uploaded
 * bytes go in, the Profile comes back with its buffers transferred. Used by
 * the host for every open, and by early-imports.ts to start a file named on
 * the command line before any window asks for it.
 *
 * A host keeps one worker started ahead (keepSpareWorker): its thread is up
 * and the importers' bundle compiled, so an open does not wait ~0.1 s for
 * that. Each import still gets a fresh thread of its own (the spare is used
 * once, then ends like any import worker), and the next spare is started
 * only when no import runs, not to take the second core from one.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SitesPreview } from '../../src-shared/analysis/sites-preview';
import type { ArrivingUpload, UploadListener } from '../../src-shared/contract';
import { CancelledError, UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import type { ArrivingMessage, ImportJob, WorkerReply } from './import-worker';

export type ProgressListener = (done: number, total: number) => void;
export type SitesPreviewListener = (preview: SitesPreview) => void;

export interface RunningImport {
  /** The parsed profile; rejects with a UserFacingError (one line naming the file) or a CancelledError. */
  readonly profile: Promise<Profile>;
  /** Who hears the progress from now on; a listener set late hears the latest report at once. */
  setProgressListener(listener: ProgressListener): void;
  /** Who hears the sites preview (import-worker.ts), if the import makes one; a listener set late hears it at once. */
  setSitesPreviewListener(listener: SitesPreviewListener): void;
  /** Stops the worker; `profile` then rejects with CancelledError (unless it had already settled). */
  cancel(): Promise<void>;
}

let spare: Worker | null = null;
let spareWanted = false;
let importsRunning = 0;

/** Keeps a worker waiting for the next import from now on (a host calls it), or stops doing so. */
export function keepSpareWorker(keep: boolean): void {
  spareWanted = keep;
  if (keep) startSpareIfIdle();
  else {
    void spare?.terminate();
    spare = null;
  }
}

function startSpareIfIdle(): void {
  if (!spareWanted || spare !== null || importsRunning > 0) return;
  const worker = startImportWorker();
  // A spare that dies (it should not) is simply not there for the next import.
  worker.once('exit', () => {
    if (spare === worker) spare = null;
  });
  worker.on('error', () => {});
  // Waiting for a job must not keep the process alive.
  worker.unref();
  spare = worker;
}

/** Imports `job` in a worker; for an `arriving` job, `upload` is where its bytes come from (uploads.ts). */
export function runImport(job: ImportJob, name: string, upload?: ArrivingUpload): RunningImport {
  const worker = spare ?? startImportWorker();
  spare = null;
  worker.ref();
  worker.postMessage(job, job.kind === 'bytes' ? [job.bytes.buffer as ArrayBuffer] : []);
  const stopUpload = job.kind === 'arriving' && upload !== undefined ? upload.listen(forwardTo(worker)) : () => {};
  importsRunning++;
  let listener: ProgressListener | null = null;
  let latest: [done: number, total: number] | null = null;
  let previewListener: SitesPreviewListener | null = null;
  let preview: SitesPreview | null = null;
  const profile = new Promise<Profile>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      // An import that ended before its upload did (a bad file, cancelled) wants none of the rest.
      stopUpload();
      action();
      void worker.terminate();
      importsRunning--;
      startSpareIfIdle();
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'progress') {
        latest = [reply.done, reply.total];
        listener?.(reply.done, reply.total);
      } else if (reply.type === 'sitesPreview') {
        preview = reply.preview;
        previewListener?.(reply.preview);
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
    setSitesPreviewListener(next) {
      previewListener = next;
      if (preview !== null) next(preview);
    },
    cancel: async () => {
      await worker.terminate();
    },
  };
}

/**
 * An upload's bytes to the worker as they come. Each chunk is copied into a
 * buffer of its own, which is transferred: a chunk may be a view into a
 * bigger buffer, which a message would copy whole.
 */
function forwardTo(worker: Worker): UploadListener {
  const post = (message: ArrivingMessage, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  return {
    bytes(chunk) {
      const copy = new Uint8Array(chunk);
      post({ type: 'bytes', bytes: copy }, [copy.buffer]);
    },
    end: () => post({ type: 'end' }),
    fail: (reason) => post({ type: 'fail', reason }),
  };
}

/**
 * A worker waiting for its job (posted to it). The bundled worker sits beside
 * the bundled host (out/main). When the host runs from source (tests through
 * tsx), the worker is started through tsx's CommonJS loader: worker threads
 * do not take `--import` from execArgv.
 */
function startImportWorker(): Worker {
  const bundled = join(__dirname, 'import-worker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const source = join(__dirname, 'import-worker.ts');
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`;
  return new Worker(bootstrap, { eval: true });
}
