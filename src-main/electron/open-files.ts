/**
 * Every way a file reaches the app from outside its window: the command line
 * at startup, macOS's `open-file` (Finder, the Dock icon, `open -a Heatline`),
 * a second launch while the app is running (its command line is forwarded by
 * the single-instance lock), and File > Open…. All of them end in one
 * `open(path)` callback; main.ts turns that into an `openRequested` event, so
 * the window's own loading UI (progress, errors) runs the same way for all.
 * Files dropped on the window never come here: the renderer takes their path
 * from the preload's pathForFile.
 */

import { app, dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import { filesFromArgv } from './command-line';

export interface OpenRequestHandlers {
  open(path: string): void;
  /** A second launch: bring the existing window forward (it may also have sent files). */
  focus(): void;
}

/** The files on this process's own command line. */
export function startupFiles(): string[] {
  return filesFromArgv(process.argv, { defaultApp: process.defaultApp === true, cwd: process.cwd() });
}

/**
 * Call before `ready`: macOS sends `open-file` for the file that launched the
 * app before the app is ready, and an event without a listener is lost.
 */
export function watchOpenRequests(handlers: OpenRequestHandlers): void {
  app.on('open-file', (event, path) => {
    // Tells macOS the file is handled (otherwise it reports that it could not be opened).
    event.preventDefault();
    handlers.open(path);
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    handlers.focus();
    // The second instance ran the same executable the same way, so it was
    // started as a default app exactly when this one was.
    for (const path of filesFromArgv(argv, { defaultApp: process.defaultApp === true, cwd: workingDirectory })) {
      handlers.open(path);
    }
  });
}

/**
 * The native Open dialog. "All profiles" lists the usual names, but formats
 * are detected from the bytes and some tools name files with no extension to
 * speak of (massif.out.12345, callgrind.out.<pid>), so "All files" is there too.
 */
export async function showOpenProfileDialog(parent: BrowserWindow | undefined): Promise<string[]> {
  const options: OpenDialogOptions = {
    title: 'Open Profile',
    // Several at once open as several tabs.
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'All profiles', extensions: ['data', 'json', 'txt', 'perf', 'folded', 'collapsed', 'out', 'gz', 'zst'] },
      { name: 'perf.data', extensions: ['data'] },
      { name: 'JSON (DHAT, speedscope)', extensions: ['json'] },
      { name: 'Text (perf script, collapsed stacks)', extensions: ['txt', 'perf', 'folded', 'collapsed'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = parent === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(parent, options);
  return result.canceled ? [] : result.filePaths;
}
