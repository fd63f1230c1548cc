/**
 * Browser mode's WebSocket protocol. Every frame is binary, an envelope
 * (envelope.ts) holding one of these messages, so typed arrays travel as bytes.
 *
 * The server lives at http://127.0.0.1:PORT/TOKEN/ : the page, its assets and
 * the socket (TOKEN/ws) all sit under the token path, so relative URLs in the
 * page carry the token without any code, and every other path gets 403.
 */

import type { CallOutcome, HostCallName, HostEventName } from './contract';

/**
 * `upload`: openBytes only. The id the page gave the file's bytes (16 random
 * bytes, base64url), which it POSTs to UPLOAD_RELATIVE_PATH + id at the same
 * time; the server puts the upload in as `args.bytes`, and the host reads it
 * as it arrives (a browser's socket message is slow to unmask, a POST body
 * is not).
 */
export type ClientMessage = {
  type: 'call';
  id: number;
  name: HostCallName;
  args: unknown;
  upload?: string;
  /** The result may come as a download (a big profile): see ServerMessage's `download`. */
  download?: boolean;
};

export type ServerMessage =
  | { type: 'result'; id: number; outcome: CallOutcome<unknown> }
  /** The result is the envelope at DOWNLOAD_RELATIVE_PATH + `download` (a GET, once): big bodies arrive faster than big socket messages. */
  | { type: 'result'; id: number; download: string }
  | { type: 'event'; name: HostEventName; payload: unknown };

/** The socket's path relative to the page: `new URL(WS_RELATIVE_PATH, location.href)` with ws: scheme. */
export const WS_RELATIVE_PATH = 'ws';
/** Where the page POSTs a file's bytes (`upload/ID`, application/octet-stream); 200 once they have all come. */
export const UPLOAD_RELATIVE_PATH = 'upload/';
/** Where the page GETs a result sent as a download (`download/ID`). */
export const DOWNLOAD_RELATIVE_PATH = 'download/';
