/**
 * Which pages the app trusts: exactly one, its own renderer page loaded from
 * disk. The IPC handlers, the navigation guards and the permission handlers
 * all ask these predicates, so "our page" has one definition.
 *
 * Pure (no Electron import) so that the checks are unit-tested under Node.
 */

import { fileURLToPath } from 'node:url';

/**
 * Is `url` the app's own page (`appUrl`, a file: URL)? Query and fragment do
 * not matter (they cannot change which file runs); the path is compared after
 * decoding, because Chromium and Node may percent-encode a path differently.
 */
export function isAppPage(url: string, appUrl: string): boolean {
  const page = filePathOf(url);
  return page !== null && page === filePathOf(appUrl);
}

function filePathOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // A file URL with a host (file://server/share) is a network path: never ours.
  if (parsed.protocol !== 'file:' || parsed.host !== '') return null;
  parsed.search = '';
  parsed.hash = '';
  try {
    return fileURLToPath(parsed);
  } catch {
    return null;
  }
}

export interface SenderFacts {
  /** The sending frame is the top-level frame of its page (not an iframe). */
  isTopFrame: boolean;
  /** The sending frame's current URL. */
  url: string;
  /** The app's own page, as a file: URL. */
  appUrl: string;
}

/**
 * May this frame call the host? Only the app's page itself, in a top-level
 * frame: an iframe (even one showing our own file) or any other page that
 * somehow got loaded must not reach the host. Whether the frame belongs to one
 * of the app's own windows is checked by the caller, which knows the windows.
 */
export function isTrustedSender({ isTopFrame, url, appUrl }: SenderFacts): boolean {
  return isTopFrame && isAppPage(url, appUrl);
}
