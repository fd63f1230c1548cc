/**
 * The app's window: one BrowserWindow showing out/renderer/index.html with the
 * renderer locked down. Navigation, new windows and permissions are denied
 * for every web contents in security.ts; this file only makes the window.
 */

import { BrowserWindow } from 'electron';
import type { AppPaths } from './paths';

export function createAppWindow(paths: AppPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    title: 'Heatline',
    // Shown once the first frame is painted, so there is no white flash.
    show: false,
    webPreferences: {
      preload: paths.preload,
      // The page gets no Node and no Electron: only what the preload exposes
      // through contextBridge (window.heatline), in a Chromium-sandboxed process.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A file dropped outside the renderer's drop zone must not replace the app.
      navigateOnDragDrop: false,
      // Profiles hold symbol names, not prose; the spellchecker would only download dictionaries.
      spellcheck: false,
    },
  });

  window.once('ready-to-show', () => window.show());
  // If the page cannot load (a broken build), show the window anyway rather
  // than leave an invisible process, and say why on stderr.
  window.webContents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    if (!isMainFrame) return;
    console.error(`heatline: could not load ${url}: ${description} (${code})`);
    if (!window.isDestroyed()) window.show();
  });

  window.loadFile(paths.page).catch(() => {
    // Reported by did-fail-load above; the rejection carries nothing more.
  });
  return window;
}
