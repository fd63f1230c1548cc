/**
 * Worker-thread entry: parse one file (or uploaded bytes) off the host's main
 * thread, post progress (and a sites preview, where the importer makes one),
 * then post the Profile with its typed arrays
 * transferred, not copied. The job comes as the first message, so a worker
 * can be started before anyone knows what it will import (run-import.ts).
 */

import { parentPort } from 'node:worker_threads';
import type { SitesPreview } from '../../src-shared/analysis/sites-preview';
import { oneLineMessage } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import { ArrivingBytes, arrivingSource } from '../import/arriving-source';
import type { ImportSource } from '../import/importer';
import { loadProfile } from '../import/load';
import { bytesSource, fileSource } from '../import/source';

/** `arriving`: an upload still coming in; its bytes follow as ArrivingMessages (run-import.ts). */
export type ImportJob =
  | { kind: 'path'; path: string }
  | { kind: 'bytes'; name: string; bytes: Uint8Array }
  | { kind: 'arriving'; name: string; size: number };

export type ArrivingMessage = { type: 'bytes'; bytes: Uint8Array } | { type: 'end' } | { type: 'fail'; reason: string };

export type WorkerReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'sitesPreview'; preview: SitesPreview }
  | { type: 'done'; profile: Profile }
  | { type: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  port.once('message', (job: ImportJob) => {
    let arriving: ArrivingBytes | null = null;
    if (job.kind === 'arriving') {
      const bytes = (arriving = new ArrivingBytes(job.size));
      port.on('message', (message: ArrivingMessage) => {
        if (message.type === 'bytes') bytes.add(message.bytes);
        else if (message.type === 'end') bytes.end();
        else bytes.fail(message.reason);
      });
    }
    runJob(job, arriving, (reply, transfer = []) => port.postMessage(reply, transfer));
  });
}

async function sourceOf(job: ImportJob, arriving: ArrivingBytes | null): Promise<ImportSource> {
  if (job.kind === 'path') return fileSource(job.path);
  if (job.kind === 'bytes') return bytesSource(job.name, job.bytes);
  return arrivingSource(job.name, arriving as ArrivingBytes);
}

function runJob(job: ImportJob, arriving: ArrivingBytes | null, post: (reply: WorkerReply, transfer?: ArrayBuffer[]) => void): void {
  let lastReport = 0;
  const onProgress = (done: number, total: number) => {
    const now = Date.now();
    if (now - lastReport < 50 && done < total) return;
    lastReport = now;
    post({ type: 'progress', done, total });
  };
  (async () => {
    const source = await sourceOf(job, arriving);
    const onSitesPreview = (preview: SitesPreview) => post({ type: 'sitesPreview', preview });
    const profile = await loadProfile(source, { onProgress, onSitesPreview });
    post({ type: 'done', profile }, transferablesOf(profile));
  })().catch((error: unknown) => post({ type: 'error', message: oneLineMessage(error) }));
}

/** Every distinct ArrayBuffer under the profile, so postMessage moves rather than copies them. */
export function transferablesOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) transferablesOf(item, found);
  }
  return [...found];
}
