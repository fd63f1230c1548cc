/** A minimal Node client for browser mode's socket, for tests of the server and the host behind it. */

import WebSocket from 'ws';
import type { CallOutcome } from '../../src-shared/contract';
import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';
import type { ClientMessage, ServerMessage } from '../../src-shared/ws-protocol';

export interface TestSocket {
  call(name: string, args: unknown): Promise<CallOutcome<unknown>>;
  /** A call with more fields in its message (ws-protocol's `upload`). */
  callWith(name: string, args: unknown, extra: Partial<ClientMessage>): Promise<CallOutcome<unknown>>;
  events: { name: string; payload: unknown }[];
  close(): void;
}

/** Opens the socket; rejects with the HTTP status when the server refuses the upgrade. */
export function connect(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const pending = new Map<number, (outcome: CallOutcome<unknown>) => void>();
    const events: TestSocket['events'] = [];
    let nextId = 1;
    ws.on('unexpected-response', (_request, response) => reject(new Error(`refused with HTTP ${response.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const message = decodeEnvelope(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) as ServerMessage;
      if (message.type === 'event') events.push({ name: message.name, payload: message.payload });
      else pending.get(message.id)?.(message.outcome);
    });
    const callWith = (name: string, args: unknown, extra: Partial<ClientMessage>) =>
      new Promise<CallOutcome<unknown>>((done) => {
        const id = nextId++;
        pending.set(id, done);
        const message = { ...extra, type: 'call', id, name, args } as ClientMessage;
        ws.send(encodeEnvelope(message));
      });
    ws.on('open', () =>
      resolve({
        events,
        call: (name, args) => callWith(name, args, {}),
        callWith,
        close: () => ws.close(),
      }),
    );
  });
}
