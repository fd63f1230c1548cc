/**
 * The Electron transport: the preload's `window.heatline` bridge. Each call
 * arrives as a CallOutcome; a failure becomes a thrown Error carrying the
 * host's one-line message, which the window shows as is.
 */

import type { CallOutcome, HostClient, PreloadBridge } from '../../src-shared/contract';
import { buildHostClient, EventHub } from './build-client';

export function unwrapOutcome<T>(outcome: CallOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new Error(outcome.error);
}

export function createBridgeClient(bridge: PreloadBridge): HostClient {
  const events = new EventHub();
  bridge.on((name, payload) => events.emit(name, payload));
  return buildHostClient(async (name, args) => {
    const calls = bridge as unknown as Record<string, (args: unknown) => Promise<CallOutcome<unknown>>>;
    return unwrapOutcome(await calls[name](args));
  }, events);
}
