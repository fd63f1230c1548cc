/**
 * Browser mode's transport: one WebSocket to `heatline serve`, every frame a
 * binary envelope (src-shared/envelope.ts) so profile tables arrive as typed
 * arrays. Calls carry an id and resolve when the result with that id
 * arrives; events go to the hub. When the socket closes, every pending and
 * later call fails with one clear line instead of hanging.
 *
 * openBytes with an `uploadUrl`: the bytes go up as one HTTP POST under an id
 * the page picks, and the call naming that id goes at the same time, so the
 * host parses the file while it arrives (src-main/web/uploads.ts says why a
 * POST: a browser's socket message of 250 MiB took ~10 s to arrive, a POST
 * body well under one). openUpload does the same with a File as it is: the
 * page does not read it first (28 MB took the page ~0.1 s to read). With a
 * `downloadUrl`, calls allow their result to come as a download, which the
 * server uses for big ones (a profile's tables): the socket then says where
 * to GET the result's envelope.
 */

import type { CallOutcome, OpenedProfile } from '../../src-shared/contract';
import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';
import type { ClientMessage, ServerMessage } from '../../src-shared/ws-protocol';
import { buildHostClient, EventHub, type WindowHostClient } from './build-client';

/** The part of a WebSocket this transport uses; tests pass a fake. */
export interface SocketLike {
  binaryType: BinaryType;
  send(data: Uint8Array): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export interface SocketClientOptions {
  url: string;
  /** Called once when the connection cannot be made or is lost, with a line for the error banner. */
  onConnectionLost?: (message: string) => void;
  openSocket?: (url: string) => SocketLike;
  /** Where to POST openBytes' bytes, + the upload's id (browser mode: TOKEN/upload/); absent: they go inside the socket message. */
  uploadUrl?: string;
  /** Posts a body to `url`, resolving once the server has it all; tests pass a fake. */
  postUpload?: (url: string, body: Blob) => Promise<void>;
  /** Where results sent as downloads are (browser mode: TOKEN/download/); absent: every result comes on the socket. */
  downloadUrl?: string;
  /** GETs a download; tests pass a fake. */
  fetchDownload?: (url: string) => Promise<ArrayBuffer>;
}

export const CONNECT_FAILED = 'Cannot connect to the Heatline server. Is `heatline serve` still running?';
export const CONNECTION_LOST = 'Lost the connection to the Heatline server. Restart `heatline serve` and reload this page.';
const UNREADABLE = 'The Heatline server sent a message this window cannot read; reload the page.';
const UNREADABLE_DOWNLOAD = 'The Heatline server\'s answer could not be downloaded';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export function createSocketClient(options: SocketClientOptions): WindowHostClient {
  const events = new EventHub();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: string | null = null;
  let isOpen = false;

  // Calls made before the socket opens wait on this; it rejects if the connection fails first.
  let markOpen: (ws: SocketLike) => void = () => {};
  let markFailed: (error: Error) => void = () => {};
  const opened = new Promise<SocketLike>((resolve, reject) => {
    markOpen = resolve;
    markFailed = reject;
  });
  opened.catch(() => {}); // nobody may be waiting; the failure is reported through `fail`.

  const fail = (message: string) => {
    if (failure !== null) return;
    failure = message;
    markFailed(new Error(message));
    for (const call of pending.values()) call.reject(new Error(message));
    pending.clear();
    options.onConnectionLost?.(message);
  };

  const receive = (ws: SocketLike, event: MessageEvent) => {
    let message: ServerMessage;
    try {
      if (!(event.data instanceof ArrayBuffer)) throw new Error('not a binary frame');
      message = decodeEnvelope(new Uint8Array(event.data)) as ServerMessage;
    } catch {
      fail(UNREADABLE);
      ws.close();
      return;
    }
    if (message.type === 'event') {
      events.emit(message.name, message.payload);
      return;
    }
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    if ('download' in message) {
      void download(message.download).then(
        (outcome) => settle(call, outcome),
        (error: unknown) => call.reject(new Error(`${UNREADABLE_DOWNLOAD} (${error instanceof Error ? error.message : String(error)})`)),
      );
      return;
    }
    settle(call, message.outcome);
  };

  const settle = (call: Pending, outcome: CallOutcome<unknown>) => {
    if (outcome.ok) call.resolve(outcome.value);
    else call.reject(new Error(outcome.error));
  };

  const download = async (where: string): Promise<CallOutcome<unknown>> => {
    if (options.downloadUrl === undefined) throw new Error('this window asked for no downloads');
    const bytes = await (options.fetchDownload ?? fetchBytes)(options.downloadUrl + encodeURIComponent(where));
    const message = decodeEnvelope(new Uint8Array(bytes)) as ServerMessage;
    if (message.type !== 'result' || !('outcome' in message)) throw new Error('not a result');
    return message.outcome;
  };

  try {
    const ws = (options.openSocket ?? ((url) => new WebSocket(url) as SocketLike))(options.url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      isOpen = true;
      markOpen(ws);
    };
    ws.onclose = () => fail(isOpen ? CONNECTION_LOST : CONNECT_FAILED);
    // An error event is always followed by close, which says what happened.
    ws.onerror = () => {};
    ws.onmessage = (event) => receive(ws, event);
  } catch {
    // A page not served over http(s) has no server to connect to.
    fail(CONNECT_FAILED);
  }

  const uploadUrl = options.uploadUrl;
  const postUpload = options.postUpload ?? postBytes;

  const send = async (message: Omit<ClientMessage, 'id'>): Promise<unknown> => {
    const ws = await opened;
    if (failure !== null) throw new Error(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(encodeEnvelope({ ...message, id }));
    });
  };

  const allowDownload = options.downloadUrl !== undefined ? { download: true } : {};

  /**
   * Posts the file and, at once, opens it by the upload's id. The call's
   * answer says how the open went (the server fails it when the upload
   * breaks off or is refused); a POST that fails first is reported instead,
   * as the server may never have seen it.
   */
  const openUploaded = async (name: string, taskId: string, body: Blob): Promise<unknown> => {
    if (failure !== null) throw new Error(failure);
    const upload = newUploadId();
    const opened = send({ type: 'call', name: 'openBytes', args: { name, taskId }, upload, ...allowDownload });
    const posted = postUpload(uploadUrl + upload, body).then(
      () => opened,
      (error: unknown) => {
        throw new Error(`${name}: the upload to the Heatline server failed (${error instanceof Error ? error.message : String(error)})`);
      },
    );
    return Promise.race([opened, posted]);
  };

  const client: WindowHostClient = buildHostClient(async (name, args) => {
    if (failure !== null) throw new Error(failure);
    if (name === 'openBytes' && uploadUrl !== undefined) {
      const { bytes, ...rest } = args as { name: string; bytes: Uint8Array; taskId: string };
      return openUploaded(rest.name, rest.taskId, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    }
    return send({ type: 'call', name, args, ...allowDownload });
  }, events);
  if (uploadUrl !== undefined) {
    client.openUpload = async ({ name, file, taskId }) => (await openUploaded(name, taskId, file)) as OpenedProfile;
  }
  return client;
}

/**
 * POSTs a body as it is (no encoding); the server answers once it has all of
 * it, or with a line of text. The body is a Blob (a File is one): Chromium
 * streams a Blob upload (250 MiB in ~1.5 s here) where an ArrayBuffer body
 * went at ~16 MiB/s and crashed the page at 250 MiB.
 */
async function postBytes(url: string, body: Blob): Promise<void> {
  const response = await fetch(url, { method: 'POST', body });
  if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
}

/** 16 random bytes in base64url (22 characters): the id the server expects (src-main/web/uploads.ts). */
function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** The socket's address for a page served at http://127.0.0.1:PORT/TOKEN/. */
export function socketUrlFor(pageUrl: string, relativePath: string): string {
  const url = new URL(relativePath, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}
