/**
 * Browser mode's uploads: a file dropped on the window comes up as the body
 * of one HTTP POST (TOKEN/upload), not inside a WebSocket message. A
 * WebSocket message from a browser is masked byte by byte, and `ws` unmasks
 * in JavaScript (its native helper is optional): a 250 MiB perf.data took
 * ~10 s to arrive that way, against well under a second as a POST body. The
 * POST answers with an id; the window's openBytes call then names that id
 * (ws-protocol's `upload`) and the server puts the bytes into the call's
 * arguments before the host checks them, so the host API is unchanged.
 *
 * The other way, a big call result (a profile's tables) goes down as the
 * body of a GET (TOKEN/download/ID) when the call asked for it: Chromium
 * takes a 21 MB body in about half the time of a 21 MB socket message.
 *
 * Both are parcels: bytes under a random id, taken once, dropped if not
 * taken within a minute; at most a few wait at a time, so a page cannot
 * pile up memory.
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The most bytes one upload may have: one ArrayBuffer holds at most 2 GiB everywhere. */
export const MAX_UPLOAD_BYTES = 2 ** 31 - 1;
const KEEP_MS = 60_000;
const MAX_WAITING = 4;

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Parcels {
  /** Keeps bytes under a new id; null when too many wait already. */
  put(bytes: Uint8Array<ArrayBuffer>): string | null;
  /** Reads the request's body (Content-Length bytes) and keeps it under a new id. */
  receive(request: IncomingMessage): Promise<string>;
  /** The bytes of a parcel, removed from the store; null when the id is unknown, taken or expired. */
  take(id: string): Uint8Array<ArrayBuffer> | null;
  dispose(): void;
}

export function createParcels(keepMs = KEEP_MS): Parcels {
  const waiting = new Map<string, { bytes: Uint8Array<ArrayBuffer>; timer: NodeJS.Timeout }>();
  const put = (bytes: Uint8Array<ArrayBuffer>) => {
    if (waiting.size >= MAX_WAITING) return null;
    const id = randomBytes(16).toString('base64url');
    const timer = setTimeout(() => waiting.delete(id), keepMs);
    timer.unref();
    waiting.set(id, { bytes, timer });
    return id;
  };
  return {
    put,
    async receive(request) {
      const length = Number(request.headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0) throw new UploadError(411, 'an upload needs a Content-Length');
      if (length > MAX_UPLOAD_BYTES) throw new UploadError(413, 'the file is larger than 2 GiB');
      if (waiting.size >= MAX_WAITING) throw new UploadError(429, 'too many uploads waiting to be opened');
      // Its own ArrayBuffer (not Node's shared pool), exactly the file: the import worker takes it over whole.
      const bytes = new Uint8Array(new ArrayBuffer(length));
      let at = 0;
      for await (const chunk of request as AsyncIterable<Buffer>) {
        if (at + chunk.length > length) throw new UploadError(400, 'the upload is longer than its Content-Length');
        bytes.set(chunk, at);
        at += chunk.length;
      }
      if (at !== length) throw new UploadError(400, 'the upload ended early');
      const id = put(bytes);
      if (id === null) throw new UploadError(429, 'too many uploads waiting to be opened');
      return id;
    },
    take(id) {
      const entry = waiting.get(id);
      if (entry === undefined) return null;
      waiting.delete(id);
      clearTimeout(entry.timer);
      return entry.bytes;
    },
    dispose() {
      for (const { timer } of waiting.values()) clearTimeout(timer);
      waiting.clear();
    },
  };
}
