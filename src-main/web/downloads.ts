/**
 * Browser mode's downloads: a big call result (a profile's tables) goes down
 * as the body of a GET (TOKEN/download/ID) when the call asked for it, not
 * inside a socket message: Chromium takes a 21 MB body in about half the time
 * of a 21 MB socket message.
 *
 * A download is a parcel: bytes under a random id, taken once, dropped if not
 * taken within a minute; at most a few wait at a time, so a page cannot pile
 * up memory.
 */

import { randomBytes } from 'node:crypto';

const KEEP_MS = 60_000;
const MAX_WAITING = 4;

export interface Parcels {
  /** Keeps bytes under a new id; null when too many wait already. */
  put(bytes: Uint8Array<ArrayBuffer>): string | null;
  /** The bytes of a parcel, removed from the store; null when the id is unknown, taken or expired. */
  take(id: string): Uint8Array<ArrayBuffer> | null;
  dispose(): void;
}

export function createParcels(keepMs = KEEP_MS): Parcels {
  const waiting = new Map<string, { bytes: Uint8Array<ArrayBuffer>; timer: NodeJS.Timeout }>();
  return {
    put(bytes) {
      if (waiting.size >= MAX_WAITING) return null;
      const id = randomBytes(16).toString('base64url');
      const timer = setTimeout(() => waiting.delete(id), keepMs);
      timer.unref();
      waiting.set(id, { bytes, timer });
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
