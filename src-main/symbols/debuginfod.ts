/**
 * A debuginfod client: fetches a binary or its debug info by build-id from
 * the servers in DEBUGINFOD_URLS (GET <url>/buildid/<id>/debuginfo and
 * /executable) into a local cache, <cacheDir>/<build-id>/<kind>.
 *
 * Symbolization is synchronous (it runs in a worker thread and is called
 * once per binary), so the download runs in a short-lived worker thread
 * while this thread waits on a shared flag with a timeout: a server that
 * hangs costs the timeout, never the import. Each (build-id, kind) is asked
 * for once per client; failures are remembered so a profile with a hundred
 * libraries missing from the server does not wait a hundred timeouts.
 *
 * Protocol: https://sourceware.org/elfutils/Debuginfod.html
 */

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export type DebuginfodKind = 'debuginfo' | 'executable';

export interface DebuginfodOptions {
  /** Server base URLs (http or https), tried in order. */
  urls: string[];
  /** Where downloads are kept: <cacheDir>/<build-id>/<kind>. */
  cacheDir: string;
  /** How long a request may go without any data before it is given up, in milliseconds. */
  timeoutMs: number;
  warn: (line: string) => void;
}

/** The URLs of DEBUGINFOD_URLS (space-separated), keeping only http(s) ones. */
export function parseDebuginfodUrls(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\s+/)
    .filter((u) => /^https?:\/\//.test(u))
    .map((u) => u.replace(/\/+$/, ''));
}

/** The request URL for one build-id and kind on one server. */
export function debuginfodUrl(server: string, buildId: string, kind: DebuginfodKind): string {
  return `${server.replace(/\/+$/, '')}/buildid/${buildId}/${kind}`;
}

/** The cache path of one build-id and kind. */
export function debuginfodCachePath(cacheDir: string, buildId: string, kind: DebuginfodKind): string {
  return join(cacheDir, buildId, kind);
}

/**
 * Runs in the worker: streams the response to <dest>.part, then renames it
 * into place (so a half-written file is never taken for a cached one).
 * Shared flag: [0] 1 done, 2 HTTP error, 3 network error; [1] the HTTP
 * status; [2] a progress counter, bumped by the headers and every chunk, so
 * the waiting thread can tell a slow download from a dead one.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
(async () => {
  const { url, dest, idleMs, flag, maxBytes } = workerData;
  const state = new Int32Array(flag);
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), idleMs);
  const progress = () => {
    Atomics.add(state, 2, 1);
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  let result = 3;
  const part = dest + '.part-' + process.pid;
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    progress();
    if (!response.ok || !response.body) {
      state[1] = response.status;
      result = 2;
    } else {
      const fd = fs.openSync(part, 'w');
      let total = 0;
      try {
        for await (const chunk of response.body) {
          total += chunk.length;
          if (total > maxBytes) throw new Error('response larger than ' + maxBytes + ' bytes');
          fs.writeSync(fd, chunk);
          progress();
        }
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(part, dest);
      result = 1;
    }
  } catch (error) {
    try { fs.unlinkSync(part); } catch {}
  }
  clearTimeout(timer);
  Atomics.store(state, 0, result);
  Atomics.notify(state, 0);
})();
`;

/** Debug files are large, but a response past this is not one. */
const MAX_BYTES = 8 * 1024 ** 3;

export class DebuginfodClient {
  private readonly failed = new Set<string>();

  constructor(private readonly options: DebuginfodOptions) {}

  get enabled(): boolean {
    return this.options.urls.length > 0;
  }

  /**
   * The local path of `kind` for `buildId`: from the cache, or downloaded
   * now; null when no server has it (or none answered in time).
   */
  fetch(buildId: string, kind: DebuginfodKind): string | null {
    if (!/^[0-9a-f]{2,128}$/.test(buildId)) return null; // never build a path or URL from anything else
    const dest = debuginfodCachePath(this.options.cacheDir, buildId, kind);
    if (existsSync(dest) && statSync(dest).size > 0) return dest;
    const key = `${buildId}/${kind}`;
    if (!this.enabled || this.failed.has(key)) return null;
    mkdirSync(join(this.options.cacheDir, buildId), { recursive: true });
    for (const server of this.options.urls) {
      const url = debuginfodUrl(server, buildId, kind);
      const outcome = downloadSync(url, dest, this.options.timeoutMs);
      if (outcome === 'ok') return dest;
      if (outcome !== 'not found') this.options.warn(`debuginfod: ${url}: ${outcome}`);
    }
    this.failed.add(key);
    return null;
  }
}

/**
 * Downloads `url` to `dest`, blocking this thread while the download makes
 * progress, and for at most `idleMs` without any.
 */
function downloadSync(url: string, dest: string, idleMs: number): string {
  const flag = new SharedArrayBuffer(12);
  const state = new Int32Array(flag);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url, dest, idleMs, flag, maxBytes: MAX_BYTES } });
  worker.unref();
  let seen = -1;
  let lastProgress = Date.now();
  try {
    while (Atomics.load(state, 0) === 0) {
      Atomics.wait(state, 0, 0, 200);
      const tick = Atomics.load(state, 2);
      if (tick !== seen) {
        seen = tick;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > idleMs + 1000) {
        // The worker's own idle timer should have fired; the extra second covers its start-up.
        return `no answer for ${idleMs} ms`;
      }
    }
  } finally {
    void worker.terminate();
  }
  switch (Atomics.load(state, 0)) {
    case 1:
      return 'ok';
    case 2:
      return state[1] === 404 ? 'not found' : `HTTP ${state[1]}`;
    default:
      return 'request failed or timed out';
  }
}
