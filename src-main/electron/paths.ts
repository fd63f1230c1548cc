/**
 * Where the built app's files are. scripts/build.mjs bundles this process to
 * out/main/electron-main.js, so everything is found relative to that file's
 * folder, in development (`electron .`) and inside a packaged app.asar alike.
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface AppPaths {
  /** out/preload/preload.js: the sandboxed preload script. */
  preload: string;
  /** out/renderer/index.html: the one page the app shows and trusts. */
  page: string;
  /** `page` as the file: URL the window reports (compare with isAppPage, not ===). */
  pageUrl: string;
  /** Where README.md may be: beside the app resources when packaged, the project root in development. */
  readmeCandidates: string[];
}

/**
 * @param mainDir the bundled main script's folder (`__dirname` in out/main)
 * @param resourcesPath `process.resourcesPath` (the packaged app's resources folder)
 */
export function appPaths(mainDir: string, resourcesPath: string): AppPaths {
  const out = join(mainDir, '..');
  const page = join(out, 'renderer', 'index.html');
  return {
    preload: join(out, 'preload', 'preload.js'),
    page,
    pageUrl: pathToFileURL(page).href,
    readmeCandidates: [join(resourcesPath, 'README.md'), join(out, '..', 'README.md')],
  };
}
