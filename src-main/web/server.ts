/**
 * Browser mode (`heatline serve`): the built renderer and the host API over a
 * WebSocket, for looking at profiles from a browser (a headless server, or a
 * laptop over an SSH tunnel), and how the renderer is tested end to end.
 *
 * Security: bound to 127.0.0.1 only; everything lives under a random token
 * path (http://127.0.0.1:PORT/TOKEN/), and any request outside it, or with a
 * Host or Origin header that is not this server's own, gets 403. That stops
 * other local users' guesses, DNS rebinding (Host) and other web pages'
 * cross-site requests and sockets (Origin).
 *
 * Recording is off unless asked for (`heatline serve --record`): it runs
 * any command as this user for whoever holds the URL, so it is as opt-in as
 * opening files by path. When on, each window (socket) gets its own
 * sessions, ended when the socket closes; the sessions list and output
 * folder are shared.
 *
 * The files named on the command line start importing at once
 * (host/early-imports.ts), so the import runs while the browser loads the
 * page; the first window's open of each adopts it.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallOutcome, EventPayload, HostEventName } from '../../src-shared/contract';
import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';
import { oneLineMessage } from '../../src-shared/errors';
import type { ClientMessage, ServerMessage } from '../../src-shared/ws-protocol';
import { DOWNLOAD_RELATIVE_PATH, UPLOAD_RELATIVE_PATH, WS_RELATIVE_PATH } from '../../src-shared/ws-protocol';
import { dispatchCall } from '../host/dispatch';
import { startEarlyImports, type EarlyImportOutcome } from '../host/early-imports';
import { keepSpareWorker } from '../host/run-import';
import { createHost } from '../host/host';
import { createRecordingServices, defaultDataDir, type RecordingServices } from '../host/record-handlers';
import { createParcels } from './downloads';
import { createIncomingUploads, UploadError } from './uploads';

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Files named on the command line: the only paths a browser may open, and opened in each new window (imported from the start). */
  openPaths: string[];
  version: string;
  /** Recording from the window (issue 7): off unless true (`heatline serve --record`). */
  record?: boolean;
  /** With `record`: the services to use; default: recordings under defaultDataDir(). */
  recording?: RecordingServices;
  /** Results at least this big go as a download when the call allows it (downloads.ts); default 1 MiB. */
  downloadMinBytes?: number;
  /** How long an upload waits for its other half, the POST or the openBytes call (uploads.ts); default a minute. */
  uploadWaitMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** How the imports of the files named on the command line, started with the server, ended. */
  earlyImports: Promise<EarlyImportOutcome[]>;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
/** A call's message (an upload through the socket, as before uploads.ts) may be large; 2 GiB is the most one ArrayBuffer holds everywhere. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const openPaths = options.openPaths.map((path) => resolve(path));
  // Before anything else: the import then overlaps the listen, the page load and the socket's connect.
  const earlyImports = startEarlyImports(openPaths);
  // A dropped file's import then starts in a worker that is already up (run-import.ts).
  keepSpareWorker(true);
  const uploads = createIncomingUploads(options.uploadWaitMs);
  const downloads = createParcels();
  const downloadMinBytes = options.downloadMinBytes ?? 2 ** 20;
  // out/main/cli.js -> the package's resources/ (dtrace scripts).
  const recording = options.record
    ? (options.recording ?? createRecordingServices({ dataDir: defaultDataDir(), resourcesDir: join(__dirname, '..', '..', 'resources'), defaultCwd: process.cwd() }))
    : undefined;
  let port = options.port;

  const isOwnHost = (host: string | undefined) => host === `${LOOPBACK}:${port}` || host === `localhost:${port}`;
  const isOwnOrigin = (origin: string | undefined) =>
    origin === `http://${LOOPBACK}:${port}` || origin === `http://localhost:${port}`;
  /** The path after /TOKEN, or null when the request does not carry the token. */
  const pathUnderToken = (url: string | undefined): string | null => {
    const path = (url ?? '').split('?')[0];
    const match = /^\/([^/]+)(\/.*)?$/.exec(path);
    if (!match || !sameSecret(match[1], token)) return null;
    return match[2] ?? '';
  };

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch(() => send(response, 500, 'internal error'));
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rest = pathUnderToken(request.url);
    if (!isOwnHost(request.headers.host) || rest === null) return send(response, 403, 'forbidden');
    if (request.headers.origin !== undefined && !isOwnOrigin(request.headers.origin)) return send(response, 403, 'forbidden');
    if (rest.startsWith(`/${UPLOAD_RELATIVE_PATH}`)) return receiveUpload(request, response, rest.slice(UPLOAD_RELATIVE_PATH.length + 1));
    if (rest.startsWith(`/${DOWNLOAD_RELATIVE_PATH}`)) return sendDownload(request, response, rest.slice(DOWNLOAD_RELATIVE_PATH.length + 1));
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed');
    // Relative asset URLs need the trailing slash to resolve under the token.
    if (rest === '') {
      response.writeHead(302, { Location: `/${token}/` }).end();
      return;
    }
    const file = resolveAsset(rendererDir, rest === '/' ? '/index.html' : rest);
    if (file === null) return send(response, 404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return send(response, 404, 'not found');
    }
    response.writeHead(200, {
      ...securityHeaders(port),
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.byteLength,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  /** A file's bytes for the openBytes call naming `id` (uploads.ts): only POSTs from our own page, which always send Origin. */
  async function receiveUpload(request: IncomingMessage, response: ServerResponse, id: string): Promise<void> {
    if (request.method !== 'POST') return send(response, 405, 'method not allowed');
    if (!isOwnOrigin(request.headers.origin)) return send(response, 403, 'forbidden');
    try {
      await uploads.receive(id, request);
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end('{}');
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      send(response, error.status, error.message);
      // The rest of a refused body is not read: close the connection instead.
      request.destroy();
    }
  }

  /** A result kept for its page to GET, once (uploads.ts). */
  function sendDownload(request: IncomingMessage, response: ServerResponse, id: string): void {
    if (request.method !== 'GET') return send(response, 405, 'method not allowed');
    const bytes = downloads.take(id);
    if (bytes === null) return send(response, 404, 'not found');
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Cache-Control': 'no-store' });
    response.end(bytes);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const rest = pathUnderToken(request.url);
    const allowed =
      rest === `/${WS_RELATIVE_PATH}` && isOwnHost(request.headers.host) && isOwnOrigin(request.headers.origin);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket): void {
    const sendMessage = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeEnvelope(message));
    };
    /** A big result the call allows as a download goes as one (a GET body); the socket says where. */
    const sendResult = (id: number, outcome: CallOutcome<unknown>, download: boolean) => {
      if (ws.readyState !== ws.OPEN) return;
      const bytes = encodeEnvelope({ type: 'result', id, outcome } satisfies ServerMessage);
      const parcel = download && bytes.byteLength >= downloadMinBytes ? downloads.put(bytes as Uint8Array<ArrayBuffer>) : null;
      ws.send(parcel === null ? bytes : encodeEnvelope({ type: 'result', id, download: parcel } satisfies ServerMessage));
    };
    const host = createHost({
      mode: 'browser',
      version: options.version,
      emit: <E extends HostEventName>(name: E, payload: EventPayload<E>) => sendMessage({ type: 'event', name, payload }),
      // Files named on the command line, and the recordings this host made (the window opens its own results).
      mayOpenPath: (path) => openPaths.includes(resolve(path)) || (recording?.isRecordingResult(path) ?? false),
      recording,
      earlyImports,
    });
    ws.on('message', (data, isBinary) => {
      void (async () => {
        const message = isBinary ? readClientMessage(data) : null;
        if (message === null) {
          ws.close(1003, 'expected a binary call envelope');
          return;
        }
        const outcome =
          message.upload === undefined
            ? await dispatchCall(host, message.name, message.args)
            : await dispatchUploadCall(message, message.upload);
        sendResult(message.id, outcome, message.download === true);
      })();
    });
    /** openBytes naming an upload: the upload, as it arrives, goes into the arguments, which the host then checks as usual. */
    const dispatchUploadCall = async (message: ClientMessage, id: string): Promise<CallOutcome<unknown>> => {
      if (message.name !== 'openBytes') return { ok: false, error: `${message.name} takes no upload` };
      const args = typeof message.args === 'object' && message.args !== null ? (message.args as Record<string, unknown>) : {};
      let upload;
      try {
        upload = await uploads.take(id);
      } catch (error) {
        const name = typeof args.name === 'string' ? `${args.name.slice(0, 255)}: ` : '';
        return { ok: false, error: `${name}${oneLineMessage(error)}` };
      }
      return dispatchCall(host, message.name, { ...args, bytes: upload });
    };
    ws.on('close', () => host.dispose());
    // A new window opens the files named on the command line.
    for (const path of openPaths) sendMessage({ type: 'event', name: 'openRequested', payload: { path } });
  }

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port, LOOPBACK, () => resolveListen());
    });
  } catch (error) {
    earlyImports.dispose();
    keepSpareWorker(false);
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}/${token}/`,
    port,
    earlyImports: earlyImports.settled,
    close: () =>
      new Promise<void>((done) => {
        earlyImports.dispose();
        keepSpareWorker(false);
        uploads.dispose();
        downloads.dispose();
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function readClientMessage(data: unknown): ClientMessage | null {
  const parts = Array.isArray(data) ? data : [data];
  const bytes = Buffer.concat(parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part as ArrayBuffer))));
  try {
    const message = decodeEnvelope(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as ClientMessage;
    if (message?.type !== 'call' || typeof message.id !== 'number') return null;
    if (message.upload !== undefined && typeof message.upload !== 'string') return null;
    if (message.download !== undefined && typeof message.download !== 'boolean') return null;
    return message;
  } catch {
    return null;
  }
}

/** A file inside the renderer folder, or null for anything that would escape it. */
function resolveAsset(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = normalize(join(root, decoded));
  return file.startsWith(root + sep) ? file : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self' ws://${LOOPBACK}:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

function send(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(`${text}\n`);
}
