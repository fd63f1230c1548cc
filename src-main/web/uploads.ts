/**
 * Browser mode's uploads: a file dropped on the window comes up as the body
 * of one HTTP POST (TOKEN/upload/ID), not inside a WebSocket message. A
 * WebSocket message from a browser is masked byte by byte, and `ws` unmasks
 * in JavaScript (its native helper is optional): a 250 MiB perf.data took
 * ~10 s to arrive that way, against well under a second as a POST body.
 *
 * The page picks the upload's id (16 random bytes) and, at the same time,
 * POSTs the file under it and calls openBytes naming it (ws-protocol's
 * `upload`). Whichever reaches the server first waits for the other; the
 * call then gets the upload as an ArrivingUpload (contract.ts), so the
 * import reads the file while it is still coming: a 28 MB DHAT file used to
 * wait ~0.1 s for its last byte before the first one was parsed.
 *
 * Nothing waits forever: an upload not opened, or a call whose POST has not
 * begun, is dropped after a minute; at most a few are open at a time, so a
 * page cannot pile up memory. A refused POST (too large, no length) fails
 * the call that names it with the same line.
 */

import type { IncomingMessage } from 'node:http';
import type { ArrivingUpload, UploadListener } from '../../src-shared/contract';
import { UserFacingError } from '../../src-shared/errors';

/** The most bytes one upload may have: one ArrayBuffer holds at most 2 GiB everywhere. */
export const MAX_UPLOAD_BYTES = 2 ** 31 - 1;
/** An upload id: 16 random bytes in base64url, as the page makes them. */
export const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;
const WAIT_MS = 60_000;
const MAX_OPEN = 4;

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface IncomingUploads {
  /**
   * Reads the POST's body for upload `id` and passes it on as it comes.
   * Resolves once the whole body is here; throws UploadError (the status to
   * answer, one line) when the POST is refused or breaks off.
   */
  receive(id: string, request: IncomingMessage): Promise<void>;
  /** The upload `id` for the openBytes call naming it, once its POST has begun; rejects with one line. */
  take(id: string): Promise<ArrivingUpload>;
  dispose(): void;
}

/** One upload: its bytes kept until someone listens, then handed on as they come. */
class Upload implements ArrivingUpload {
  size = -1;
  private readonly early: Uint8Array[] = [];
  private listener: UploadListener | null = null;
  private outcome: { ended: true } | { failed: string } | null = null;
  private unwanted = false;

  push(chunk: Uint8Array): void {
    if (this.unwanted) return;
    if (this.listener === null) this.early.push(chunk);
    else this.listener.bytes(chunk);
  }

  finish(outcome: { ended: true } | { failed: string }): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    if (this.listener !== null && !this.unwanted) this.tell(this.listener);
  }

  /** Nobody will read it: keep nothing more. */
  drop(): void {
    this.unwanted = true;
    this.early.length = 0;
  }

  listen(listener: UploadListener): () => void {
    if (this.listener !== null) throw new Error('an upload is read once');
    this.listener = listener;
    for (const chunk of this.early) listener.bytes(chunk);
    this.early.length = 0;
    if (this.outcome !== null) this.tell(listener);
    return () => this.drop();
  }

  private tell(listener: UploadListener): void {
    if (this.outcome === null) return;
    if ('ended' in this.outcome) listener.end();
    else listener.fail(this.outcome.failed);
  }
}

interface Entry {
  upload: Upload;
  /** The call waiting for the POST to begin. */
  waiter: { resolve(upload: Upload): void; reject(error: Error): void } | null;
  /** Why the POST was refused, for a call that comes later. */
  refused: string | null;
  posted: boolean;
  taken: boolean;
  timer: NodeJS.Timeout;
}

/** How many ids of uploads already opened are remembered, to refuse a second call naming one at once. */
const REMEMBERED_IDS = 256;

export function createIncomingUploads(waitMs = WAIT_MS): IncomingUploads {
  const entries = new Map<string, Entry>();
  const used = new Set<string>();

  const remove = (id: string) => {
    const entry = entries.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    entries.delete(id);
    used.add(id);
    if (used.size > REMEMBERED_IDS) used.delete(used.values().next().value as string);
  };

  /** A new entry, gone after `waitMs` unless both sides have come by then. */
  const open = (id: string): Entry => {
    const timer = setTimeout(() => {
      const entry = entries.get(id);
      if (entry === undefined) return;
      entry.waiter?.reject(new UserFacingError('the upload did not arrive in time: drop the file again'));
      entry.upload.drop();
      entries.delete(id);
    }, waitMs);
    timer.unref();
    const entry: Entry = { upload: new Upload(), waiter: null, refused: null, posted: false, taken: false, timer };
    entries.set(id, entry);
    return entry;
  };

  /** Both sides have come: the entry's work is the upload's now, and a late duplicate finds nothing. */
  const settled = (id: string, entry: Entry) => {
    if (entry.posted && entry.taken) remove(id);
  };

  const refuse = (id: string, entry: Entry, error: UploadError): never => {
    entry.refused = error.message;
    entry.waiter?.reject(new UserFacingError(error.message));
    entry.waiter = null;
    entry.upload.drop();
    if (entry.taken) remove(id);
    throw error;
  };

  return {
    async receive(id, request) {
      if (!UPLOAD_ID.test(id)) throw new UploadError(404, 'not found');
      let entry = entries.get(id);
      if (entry?.posted || used.has(id)) throw new UploadError(409, 'this upload has come already');
      if (entry === undefined) {
        if (entries.size >= MAX_OPEN) throw new UploadError(429, 'too many uploads waiting to be opened');
        entry = open(id);
      }
      entry.posted = true;
      const length = Number(request.headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0) refuse(id, entry, new UploadError(411, 'an upload needs a Content-Length'));
      if (length > MAX_UPLOAD_BYTES) refuse(id, entry, new UploadError(413, 'the file is larger than 2 GiB'));
      const { upload } = entry;
      upload.size = length;
      entry.waiter?.resolve(upload);
      entry.waiter = null;
      settled(id, entry);

      let at = 0;
      try {
        for await (const chunk of request as AsyncIterable<Buffer>) {
          if (at + chunk.length > length) throw new UploadError(400, 'the upload is longer than its Content-Length');
          upload.push(chunk);
          at += chunk.length;
        }
        if (at !== length) throw new UploadError(400, 'the upload ended early');
      } catch (error) {
        const reason = error instanceof UploadError ? error.message : 'the upload broke off';
        upload.finish({ failed: `${reason} (${at} of ${length} bytes came)` });
        throw error instanceof UploadError ? error : new UploadError(400, reason);
      }
      upload.finish({ ended: true });
    },

    take(id) {
      let entry = entries.get(id);
      if (entry === undefined) {
        if (!UPLOAD_ID.test(id) || used.has(id)) return Promise.reject(new UserFacingError('the upload is gone (opened already, or never made): drop the file again'));
        if (entries.size >= MAX_OPEN) return Promise.reject(new UserFacingError('too many uploads waiting to be opened'));
        entry = open(id);
      }
      if (entry.taken) return Promise.reject(new UserFacingError('the upload is gone (opened already): drop the file again'));
      entry.taken = true;
      if (entry.refused !== null) {
        remove(id);
        return Promise.reject(new UserFacingError(entry.refused));
      }
      if (entry.posted) {
        settled(id, entry);
        return Promise.resolve(entry.upload);
      }
      const waiting = entry;
      return new Promise<ArrivingUpload>((resolve, reject) => {
        waiting.waiter = { resolve, reject };
      });
    },

    dispose() {
      for (const [id, entry] of entries) {
        entry.waiter?.reject(new UserFacingError('the server is closing'));
        entry.upload.drop();
        remove(id);
      }
    },
  };
}
