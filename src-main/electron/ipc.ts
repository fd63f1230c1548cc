/**
 * The Electron transport of the host API, main-process side: one
 * `ipcMain.handle` per contract call, registered in a loop (so a call added to
 * the contract is wired with no edit here), and the event channel back.
 *
 * Every call first checks who is asking: the sender must be the top-level
 * frame of one of the app's own windows, showing the app's own page. Anything
 * else (an iframe, a page that got there by some navigation bug, another web
 * contents) is refused before any argument is even looked at. Then
 * dispatchCall validates the arguments against the contract's schema and turns
 * failures into one line, exactly as for the WebSocket transport.
 */

import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  channelFor,
  EVENT_CHANNEL,
  hostCallNames,
  type CallOutcome,
  type HostCallName,
  type HostEventName,
  type HostHandlers,
} from '../../src-shared/contract';
import { dispatchCall } from '../host/dispatch';
import type { HostServices } from '../host/host';
import { isTrustedSender } from './sender-check';

/** What the IPC layer needs of one app window. */
export interface IpcWindow {
  host: HostHandlers;
  events: WindowEvents;
}

export interface HostIpcOptions {
  /** The app's page as a file: URL (AppPaths.pageUrl). */
  pageUrl: string;
  /** The app window that `contents` belongs to; undefined when `contents` is not one of ours. */
  windowFor(contents: WebContents): IpcWindow | undefined;
}

/** Registers the handlers; returns a function that removes them again. */
export function registerHostIpc({ pageUrl, windowFor }: HostIpcOptions): () => void {
  for (const name of hostCallNames) {
    ipcMain.handle(channelFor(name), (event, args: unknown): Promise<CallOutcome<unknown>> | CallOutcome<unknown> => {
      const window = windowFor(event.sender);
      if (window === undefined || !senderIsAppPage(event, pageUrl)) return refuse(name, event);
      window.events.pageCalled();
      return dispatchCall(window.host, name, args);
    });
  }
  return () => {
    for (const name of hostCallNames) ipcMain.removeHandler(channelFor(name));
  };
}

function senderIsAppPage(event: IpcMainInvokeEvent, pageUrl: string): boolean {
  // senderFrame is null when the frame has navigated away or gone since it sent.
  const frame = event.senderFrame;
  return frame !== null && isTrustedSender({ isTopFrame: frame.parent === null, url: frame.url, appUrl: pageUrl });
}

function refuse(name: HostCallName, event: IpcMainInvokeEvent): CallOutcome<never> {
  // Never expected from our own page, so worth a line on stderr when it happens.
  console.warn(`heatline: refused ${name} from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
  return { ok: false, error: `${name}: refused: only the app's own page may call the host` };
}

export interface WindowEvents {
  /** The host's `emit` for this window. */
  emit: HostServices['emit'];
  /** The page made a host call (so it is listening); called by the IPC handlers. */
  pageCalled(): void;
}

/**
 * Events for one window's page, sent on EVENT_CHANNEL as (name, payload).
 *
 * An event is only useful once the page listens, and a page that has just
 * loaded may not yet: events that come early (a file named on the command
 * line, or opened from Finder before the window existed, a menu shortcut
 * pressed while the page loads) are held until the page's first host call.
 * The page subscribes to events before it calls the host (the renderer's
 * connect() does exactly that), so that first call is the moment it is known
 * to be listening; "the page has loaded" is not, because the renderer
 * subscribes from a React effect that may run after the load event. A new
 * document (a reload in development) starts holding again.
 */
export function windowEvents(contents: WebContents): WindowEvents {
  let listening = false;
  const held: [HostEventName, unknown][] = [];
  const send = (name: HostEventName, payload: unknown) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, payload);
  };
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) listening = false;
  });
  return {
    emit: (name, payload) => {
      if (listening) send(name, payload);
      else held.push([name, payload]);
    },
    pageCalled: () => {
      if (listening) return;
      listening = true;
      for (const [name, payload] of held.splice(0)) send(name, payload);
    },
  };
}
