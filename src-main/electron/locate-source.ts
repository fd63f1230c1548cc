/**
 * Locate… in the source pane: a native Open dialog for the one source file
 * the debug info names but that is not where it says. The dialog starts in
 * the nearest folder of the missing path that still exists.
 */

import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';

export async function showLocateSourceDialog(parent: BrowserWindow | undefined, missingPath: string): Promise<string | null> {
  let folder = dirname(missingPath);
  while (folder !== dirname(folder) && !existsSync(folder)) folder = dirname(folder);
  const options: OpenDialogOptions = {
    title: `Locate ${basename(missingPath)}`,
    defaultPath: folder,
    buttonLabel: 'Use This File',
    properties: ['openFile'],
  };
  const result = parent === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(parent, options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
