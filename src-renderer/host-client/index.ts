/**
 * The renderer's one way to reach the host. In Electron the preload exposes
 * `window.heatline`; in browser mode there is no bridge and the page talks to
 * `heatline serve` over a WebSocket. Both give the same HostClient.
 */

import type { PreloadBridge } from '../../src-shared/contract';
import type { WindowHostClient } from './build-client';
import { DOWNLOAD_RELATIVE_PATH, UPLOAD_RELATIVE_PATH, WS_RELATIVE_PATH } from '../../src-shared/ws-protocol';
import { createBridgeClient } from './bridge-client';
import { createSocketClient, socketUrlFor } from './socket-client';

declare global {
  interface Window {
    /** Present only in Electron, put there by src-preload. */
    heatline?: PreloadBridge;
  }
}

export interface HostClientOptions {
  /** Browser mode only: the connection to the server failed or closed. */
  onConnectionLost?: (message: string) => void;
}

export function createHostClient(options: HostClientOptions = {}): WindowHostClient {
  if (window.heatline !== undefined) return createBridgeClient(window.heatline);
  return createSocketClient({
    url: socketUrlFor(location.href, WS_RELATIVE_PATH),
    uploadUrl: new URL(UPLOAD_RELATIVE_PATH, location.href).toString(),
    downloadUrl: new URL(DOWNLOAD_RELATIVE_PATH, location.href).toString(),
    onConnectionLost: options.onConnectionLost,
  });
}

/** Electron's path for a dropped File, or null in browser mode or when the file has no path. */
export function pathOfDroppedFile(file: File): string | null {
  const path = window.heatline?.pathForFile(file) ?? '';
  return path === '' ? null : path;
}
