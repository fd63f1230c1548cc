/**
 * Export: the window hands over the exported text and a suggested file name;
 * the user picks where it goes in the native Save dialog, and the file is
 * written here. The suggested name comes from the (untrusted) page, so only
 * its last path component is used, and only as the dialog's starting name:
 * nothing is written without the user choosing the path.
 */

import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { app, dialog, type BrowserWindow, type FileFilter, type SaveDialogOptions } from 'electron';
import { UserFacingError } from '../../src-shared/errors';

const FILTER_NAMES: Record<string, string> = { json: 'JSON', txt: 'Text', folded: 'Collapsed stacks' };

export async function saveExportWithDialog(parent: BrowserWindow | undefined, suggestedName: string, text: string): Promise<string | null> {
  const given = basename(suggestedName.replace(/\\/g, '/'));
  const name = given === '' || given === '.' || given === '..' ? 'profile.txt' : given;
  const extension = extname(name).slice(1).toLowerCase();
  const filters: FileFilter[] = extension
    ? [{ name: FILTER_NAMES[extension] ?? extension.toUpperCase(), extensions: [extension] }, { name: 'All files', extensions: ['*'] }]
    : [];
  const options: SaveDialogOptions = {
    title: 'Export Profile',
    defaultPath: join(app.getPath('documents'), name),
    filters,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const result = parent === undefined ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(parent, options);
  if (result.canceled || !result.filePath) return null;
  try {
    await writeFile(result.filePath, text, 'utf8');
  } catch (error) {
    // A full disk or a read-only folder is the user's to fix, not an internal error.
    throw new UserFacingError(`could not write ${result.filePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result.filePath;
}
