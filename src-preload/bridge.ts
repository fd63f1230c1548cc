/**
 * The object exposed to the page as `window.heatline`, built from the
 * contract's table of calls: one method per host call, each forwarding its
 * argument on that call's own `heatline:` channel, plus the event
 * subscription and the dropped-file path helper. No channel is chosen by the
 * page, nothing else of ipcRenderer leaks through, and there is no logic: the
 * host validates every argument (the page is untrusted) and the renderer's
 * host-client unwraps the CallOutcome.
 *
 * A pure function of its three transport functions, so the tests build it
 * without Electron; preload.ts passes the real ones.
 */

import { channelFor, hostCallNames, type HostCallName } from '../src-shared/channels';
import type { HostEventName, PreloadBridge } from '../src-shared/contract';

/** ipcRenderer.invoke, for the bridge's fixed channels only. */
export type Invoke = (channel: ReturnType<typeof channelFor>, args: unknown) => Promise<unknown>;
/** Subscribes to the host's events; returns the unsubscribe. */
export type Subscribe = (listener: (name: HostEventName, payload: unknown) => void) => () => void;

type BridgeCalls = { [K in HostCallName]: PreloadBridge[K] };

export function makeBridge(invoke: Invoke, subscribe: Subscribe, pathForFile: (file: object) => string): PreloadBridge {
  // The loop cannot be typed call by call; the `satisfies` below and the
  // unit test (method names === hostCallNames) keep it honest.
  const calls = Object.fromEntries(
    hostCallNames.map((name) => [name, (args: unknown) => invoke(channelFor(name), args)]),
  ) as BridgeCalls;
  return {
    ...calls,
    on: (listener) => subscribe(listener),
    pathForFile: (file) => pathForFile(file),
  } satisfies PreloadBridge;
}
