/**
 * Imports that start when the process does: `heatline serve FILE` and the
 * app launched with a file know what the window will open before the window
 * exists. Starting the import then lets it run while the page loads and
 * connects; the window's openFile of that path adopts the running (or
 * finished) import instead of starting another.
 *
 * Each early import is taken once: the first openFile of its path gets it,
 * any later one (a reload, a second window) imports afresh, so every request
 * still gets a profile of its own. An early import that fails fails the
 * openFile that adopts it, with the same one line naming the file.
 */

import { resolve } from 'node:path';
import { oneLineMessage } from '../../src-shared/errors';
import { runImport, type RunningImport } from './run-import';

/** How one early import ended: error is its one line (naming the file), or null when it parsed. */
export interface EarlyImportOutcome {
  path: string;
  error: string | null;
}

export interface EarlyImports {
  /** The early import of this path, removed from the set; null when there is none (or it was taken). */
  take(path: string): RunningImport | null;
  /** Stops the imports nobody took. */
  dispose(): void;
  /** Settles when every early import has ended (a cancelled one counts as an error "cancelled"). */
  settled: Promise<EarlyImportOutcome[]>;
}

export function startEarlyImports(paths: readonly string[], start = runImport): EarlyImports {
  const byPath = new Map<string, RunningImport>();
  const outcomes: Promise<EarlyImportOutcome>[] = [];
  for (const path of paths) {
    const key = resolve(path);
    if (byPath.has(key)) continue;
    const running = start({ kind: 'path', path }, path);
    // Nobody may ever take it: a failure goes to the window that does and to `settled`, never unhandled.
    outcomes.push(running.profile.then(() => ({ path, error: null }), (error: unknown) => ({ path, error: oneLineMessage(error) })));
    byPath.set(key, running);
  }
  return {
    settled: Promise.all(outcomes),
    take(path) {
      const key = resolve(path);
      const running = byPath.get(key) ?? null;
      byPath.delete(key);
      return running;
    },
    dispose() {
      for (const running of byPath.values()) void running.cancel();
      byPath.clear();
    },
  };
}
