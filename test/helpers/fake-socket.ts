/** Test doubles for the renderer's host transport. */

import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';
import type { ClientMessage, ServerMessage } from '../../src-shared/ws-protocol';
import type { SocketLike } from '../../src-renderer/host-client/socket-client';

/** A socket whose far end the test plays: it sees decoded client messages and sends server messages. */
export class FakeSocket implements SocketLike {
  binaryType: BinaryType = 'blob';
  sent: ClientMessage[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  send(data: Uint8Array) {
    this.sent.push(decodeEnvelope(data) as ClientMessage);
  }
  close() {
    this.onclose?.({} as CloseEvent);
  }
  open() {
    this.onopen?.({} as Event);
  }
  reply(message: ServerMessage) {
    const bytes = encodeEnvelope(message);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    this.onmessage?.({ data: buffer } as MessageEvent);
  }
}

