/**
 * Which files a command line asks the app to open. The same function reads
 * our own argv at startup and a second instance's argv (forwarded by
 * Electron's single-instance lock), so both behave alike.
 *
 * Pure (no Electron import) so that it is unit-tested under Node.
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ArgvContext {
  /**
   * `process.defaultApp`: true when Electron runs an unpackaged app as
   * `electron <app path> ...` (development), where the first non-switch
   * argument is the app itself, not a file to open.
   */
  defaultApp: boolean;
  /** Relative paths are resolved against the directory of the shell that ran the command. */
  cwd: string;
}

/**
 * The absolute paths of the files named on the command line, in order,
 * without duplicates. Skipped: argv[0] (the executable), the app path in
 * development, and every switch: Electron and Chromium add their own
 * (`--inspect=0`, `--remote-debugging-port=0`, `--allow-file-access-from-files`,
 * and old macOS Finder's `-psn_0_1234`) and they always come as one
 * `--name=value` word. After `--` every word is a file, so a file named
 * `-x` can still be opened. Linux desktop files pass `file://` URIs (`%U`);
 * those become paths, other URI schemes are ignored.
 */
export function filesFromArgv(argv: readonly string[], { defaultApp, cwd }: ArgvContext): string[] {
  const files: string[] = [];
  let appPathPending = defaultApp;
  let switchesEnded = false;
  for (const word of argv.slice(1)) {
    if (!switchesEnded && word === '--') {
      switchesEnded = true;
      continue;
    }
    if (!switchesEnded && word.startsWith('-')) continue;
    if (appPathPending) {
      appPathPending = false;
      continue;
    }
    const path = pathOfWord(word, cwd);
    if (path !== null && !files.includes(path)) files.push(path);
  }
  return files;
}

function pathOfWord(word: string, cwd: string): string | null {
  if (word === '') return null;
  if (/^file:\/\//i.test(word)) {
    try {
      return fileURLToPath(word);
    } catch {
      return null; // file://host/... (a network share) or a malformed URI
    }
  }
  // Any other scheme (http:, sftp:, a custom protocol) is not a local file.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(word)) return null;
  return resolve(cwd, word);
}
