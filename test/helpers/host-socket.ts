/** A minimal Node client for browser mode's socket, for tests of the server and the host behind it. */

import WebSocket from 'ws';
import type { CallOutcome } from '../../src-shared/contract';
import { decodeEnvelope, encodeEnvelope } from '../../src-shared/envelope';
import type { ClientMessage, ServerMessage } from '../../src-shared/ws-protocol';

export interface TestSocket {
  call(name: string, args: unknown): Promise<CallOutcome<unknown>>;
  /** A call with more fields in its message (ws-protocol's `upload`). */
  callWith(name: string, args: unknown, extra: Partial<ClientMessage>): Promise<CallOutcome<unknown>>;
  /** The result message as it came (an outcome, or where to download it). */
  callRaw(name: string, args: unknown, extra: Partial<ClientMessage>): Promise<ResultMessage>;
  events: { name: string; payload: unknown }[];
  close(): void;
}

export type ResultMessage = Extract<ServerMessage, { type: 'result' }>;

/** Opens the socket; rejects with the HTTP status when the server refuses the upgrade. */
export function connect(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const pending = new Map<number, (message: ResultMessage) => void>();
    const events: TestSocket['events'] = [];
    let nextId = 1;
    ws.on('unexpected-response', (_request, response) => reject(new Error(`refused with HTTP ${response.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const message = decodeEnvelope(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) as ServerMessage;
      if (message.type === 'event') events.push({ name: message.name, payload: message.payload });
      else pending.get(message.id)?.(message);
    });
    const callRaw = (name: string, args: unknown, extra: Partial<ClientMessage>) =>
      new Promise<ResultMessage>((done) => {
        const id = nextId++;
        pending.set(id, done);
        const message = { ...extra, type: 'call', id, name, args } as ClientMessage;
        ws.send(encodeEnvelope(message));
      });
    const callWith = async (name: string, args: unknown, extra: Partial<ClientMessage>): Promise<CallOutcome<unknown>> => {
      const message = await callRaw(name, args, extra);
      if (!('outcome' in message)) throw new Error(`${name}: the result came as a download`);
      return message.outcome;
    };
    ws.on('open', () =>
      resolve({
        events,
        call: (name, args) => callWith(name, args, {}),
        callWith,
        callRaw,
        close: () => ws.close(),
      }),
    );
  });
}
