/**
 * The sandboxed preload: exposes `window.heatline` (see bridge.ts) and
 * nothing else. In a sandboxed renderer only 'electron' can be required here;
 * scripts/build.mjs bundles the contract in.
 */

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL } from '../src-shared/channels';
import type { HostEventName } from '../src-shared/contract';
import { makeBridge } from './bridge';

const bridge = makeBridge(
  (channel, args) => ipcRenderer.invoke(channel, args),
  (listener) => {
    // The IpcRendererEvent (which carries `sender`, i.e. ipcRenderer) never reaches the page.
    const forward = (_event: IpcRendererEvent, name: HostEventName, payload: unknown) => listener(name, payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
  // Electron removed File.path; this is how a dropped file's path is read now.
  (file) => webUtils.getPathForFile(file as File),
);

contextBridge.exposeInMainWorld('heatline', bridge);
