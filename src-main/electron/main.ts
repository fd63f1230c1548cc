/**
 * Heatline's Electron main process: app lifecycle, and the wiring between the
 * window(s), the host API and the OS. Each concern lives in its own module
 * beside this one; this file only composes them:
 *
 *   window.ts        the locked-down BrowserWindow
 *   security.ts      navigation/new-window/webview/permission guards, CSP header
 *   sender-check.ts  what "the app's own page" is
 *   ipc.ts           ipcMain handlers over the contract, sender check, events
 *   menu.ts          the application menu template
 *   open-files.ts    command line, macOS open-file, second instance, Open dialog
 *   recent-files.ts  Open Recent store
 *   save-export.ts   Save dialog + write for exports
 *
 * Each window gets its own host (createHost), disposed when the window
 * closes, so closing a window stops its imports. On macOS the app stays
 * running with no window, as Mac apps do, and the Dock icon opens a new one.
 */

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, Menu, session, shell } from 'electron';
import type { MenuCommand } from '../../src-shared/contract';
import { startEarlyImports, type EarlyImports } from '../host/early-imports';
import { keepSpareWorker } from '../host/run-import';
import { createHost } from '../host/host';
import { createRecordingServices } from '../host/record-handlers';
import { registerHostIpc, windowEvents, type WindowEvents } from './ipc';
import { menuTemplate } from './menu';
import { showOpenProfileDialog, startupFiles, watchOpenRequests } from './open-files';
import { appPaths, type AppPaths } from './paths';
import { createRecentFiles } from './recent-files';
import { saveExportWithDialog } from './save-export';
import { showLocateSourceDialog } from './locate-source';
import { guardWebContents, hardenSession, headerCsp } from './security';
import { createAppWindow } from './window';

const APP_NAME = 'Heatline';

interface AppWindow {
  window: BrowserWindow;
  host: ReturnType<typeof createHost>;
  events: WindowEvents;
}

// The same name in development and when packaged, so both use one user-data
// folder (recent files) and one single-instance lock, which lives there.
app.setName(APP_NAME);
// Every renderer in Chromium's sandbox, whatever some webPreferences might
// say. Only takes effect when called before `ready`.
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another Heatline is running: it gets our command line through its
  // 'second-instance' event and opens the files; this process just leaves.
  app.quit();
}

function start(): void {
  const paths = appPaths(__dirname, process.resourcesPath);

  // Before `ready`, so no web contents is ever created without the guards.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, paths.pageUrl));

  // Files can arrive before `ready` (macOS open-file for the file that
  // launched the app); they wait here until there is a window to send them to.
  let live: OpenTarget | undefined;
  const pendingOpens: string[] = [];
  watchOpenRequests({
    open: (path) => (live !== undefined ? live.open(path) : pendingOpens.push(path)),
    focus: () => live?.focus(),
  });

  // The files on the command line start importing now, while the app gets ready and the window loads;
  // the window's open of each adopts its import (host/early-imports.ts).
  const launchFiles = startupFiles();
  const earlyImports = startEarlyImports(launchFiles);

  void app.whenReady().then(() => {
    live = startWindows(paths, earlyImports);
    for (const path of [...launchFiles, ...pendingOpens.splice(0)]) live.open(path);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

interface OpenTarget {
  open(path: string): void;
  focus(): void;
}

/** Everything that needs `ready`: session policy, IPC, the menu, the first window. */
function startWindows(paths: AppPaths, earlyImports: EarlyImports): OpenTarget {
  const pageHtml = existsSync(paths.page) ? readFileSync(paths.page, 'utf8') : null;
  // Opens start in an import worker that is already up (run-import.ts).
  keepSpareWorker(true);
  hardenSession(session.defaultSession, paths.pageUrl, headerCsp(pageHtml));

  const windows = new Map<number, AppWindow>(); // by webContents id
  const recentFiles = createRecentFiles({
    file: join(app.getPath('userData'), 'recent-files.json'),
    onAdd: (path) => app.addRecentDocument(path),
    onClear: () => app.clearRecentDocuments(),
  });

  // Recordings and their list live beside the other per-user state; packaged apps ship resources/ beside app.asar.
  const recording = createRecordingServices({
    dataDir: app.getPath('userData'),
    resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(__dirname, '..', '..', 'resources'),
  });

  const openWindow = (): AppWindow => {
    const window = createAppWindow(paths);
    const contentsId = window.webContents.id;
    const parent = () => (window.isDestroyed() ? undefined : window);
    const events = windowEvents(window.webContents);
    const host = createHost({
      mode: 'electron',
      version: app.getVersion(),
      emit: events.emit,
      // The desktop app acts for the user on their own machine: any file they
      // can read is theirs to open (browser mode is the one that restricts).
      mayOpenPath: () => true,
      showOpenDialog: () => showOpenProfileDialog(parent()),
      saveExport: (suggestedName, text) => saveExportWithDialog(parent(), suggestedName, text),
      sources: { settingsDir: app.getPath('userData'), pickSourceFile: (path) => showLocateSourceDialog(parent(), path) },
      recentFiles,
      recording,
      earlyImports,
    });
    const entry: AppWindow = { window, host, events };
    windows.set(contentsId, entry);
    window.on('closed', () => {
      windows.delete(contentsId);
      host.dispose();
    });
    return entry;
  };

  /** Where menu commands and opened files go: the focused window, else the newest. */
  const targetWindow = (): AppWindow | undefined => {
    const focused = BrowserWindow.getFocusedWindow();
    return (focused !== null ? windows.get(focused.webContents.id) : undefined) ?? [...windows.values()].at(-1);
  };

  const bringForward = (window: BrowserWindow) => {
    if (window.isMinimized()) window.restore();
    // A window still loading shows itself when ready (window.ts); showing it now would flash white.
    if (window.isVisible()) window.focus();
  };

  const open = (path: string) => {
    const target = targetWindow() ?? openWindow();
    target.events.emit('openRequested', { path });
    bringForward(target.window);
  };

  registerHostIpc({ pageUrl: paths.pageUrl, windowFor: (contents) => windows.get(contents.id) });

  const readme = paths.readmeCandidates.find((candidate) => existsSync(candidate));
  app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });
  const installMenu = () => {
    const template = menuTemplate({
      platform: process.platform,
      isPackaged: app.isPackaged,
      appName: APP_NAME,
      homeDir: homedir(),
      recentFiles: recentFiles.list(),
      canLearnMore: readme !== undefined,
      actions: {
        open: () => {
          showOpenProfileDialog(targetWindow()?.window).then(
            (paths) => paths.forEach((path) => open(path)),
            (error: unknown) => console.error('heatline: the Open dialog failed:', error),
          );
        },
        openRecent: open,
        clearRecent: () => recentFiles.clear(),
        command: (command: MenuCommand) => targetWindow()?.events.emit('menuCommand', { command }),
        about: () => app.showAboutPanel(),
        learnMore: () => {
          if (readme === undefined) return;
          void shell.openPath(readme).then((failure) => failure && console.error(`heatline: could not open ${readme}: ${failure}`));
        },
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  installMenu();
  recentFiles.onChange(installMenu);

  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });

  openWindow();
  return {
    open,
    focus: () => {
      const target = targetWindow();
      if (target !== undefined) bringForward(target.window);
    },
  };
}
