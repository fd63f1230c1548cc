/**
 * Open Recent: a small JSON file in the app's user-data folder, newest first,
 * without duplicates, at most 15 entries; files that no longer exist drop out
 * when the list is read. The OS's own list (macOS Dock menu and Open Recent,
 * GNOME's recent files) is fed through the onAdd/onClear callbacks, which
 * main.ts points at `app.addRecentDocument` / `app.clearRecentDocuments`.
 *
 * No Electron import: the folder and the OS hooks come in as options, so the
 * whole store is unit-tested under Node against a temporary folder.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import type { RecentFile } from '../../src-shared/contract';

export const MAX_RECENT_FILES = 15;

/** The stored file carries a version, so a later format can upgrade it instead of discarding it. */
const STORE_VERSION = 1;

/** The list after opening `path` at `now`: it moves (or goes) to the front, the oldest fall off. */
export function withRecentFile(list: readonly RecentFile[], path: string, now: number, max = MAX_RECENT_FILES): RecentFile[] {
  const entry: RecentFile = { path, name: basename(path), openedAt: now };
  return [entry, ...list.filter((other) => other.path !== path)].slice(0, max);
}

/** The list without files that are gone (deleted, on an unmounted disk). */
export function withoutMissingFiles(list: readonly RecentFile[], exists: (path: string) => boolean): RecentFile[] {
  return list.filter((entry) => exists(entry.path));
}

/**
 * Read the stored JSON leniently: a damaged, foreign or future file gives an
 * empty list rather than an error, because a lost recent list is a small
 * annoyance and a crash at startup is not. Entries that are not well formed
 * are dropped one by one.
 */
export function parseRecentFiles(text: string): RecentFile[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof data !== 'object' || data === null) return [];
  const { version, files } = data as { version?: unknown; files?: unknown };
  if (version !== STORE_VERSION || !Array.isArray(files)) return [];
  const list: RecentFile[] = [];
  for (const item of files as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { path, openedAt } = item as { path?: unknown; openedAt?: unknown };
    if (typeof path !== 'string' || !isAbsolute(path) || typeof openedAt !== 'number' || !Number.isFinite(openedAt)) continue;
    if (list.some((entry) => entry.path === path)) continue;
    list.push({ path, name: basename(path), openedAt });
  }
  return list.slice(0, MAX_RECENT_FILES);
}

export function serializeRecentFiles(list: readonly RecentFile[]): string {
  return `${JSON.stringify({ version: STORE_VERSION, files: list }, null, 2)}\n`;
}

export interface RecentFilesOptions {
  /** The JSON file, e.g. `<userData>/recent-files.json`. */
  file: string;
  /** Tell the OS (app.addRecentDocument). */
  onAdd?: (path: string) => void;
  /** Tell the OS (app.clearRecentDocuments). */
  onClear?: () => void;
  exists?: (path: string) => boolean;
  now?: () => number;
  /** Where a failed write is reported; the store never throws (opening a file must not fail because of it). */
  warn?: (message: string) => void;
}

export interface RecentFilesStore {
  /** Newest first; files that are gone are dropped (and forgotten). */
  list(): RecentFile[];
  add(path: string): void;
  clear(): void;
  /** Called after add/clear, e.g. to rebuild the Open Recent menu. Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

export function createRecentFiles(options: RecentFilesOptions): RecentFilesStore {
  const exists = options.exists ?? existsSync;
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const listeners = new Set<() => void>();
  let cache: RecentFile[] | null = null;

  const load = (): RecentFile[] => {
    if (cache === null) {
      try {
        cache = parseRecentFiles(readFileSync(options.file, 'utf8'));
      } catch {
        cache = []; // no file yet
      }
    }
    return cache;
  };

  const save = (list: RecentFile[]) => {
    cache = list;
    try {
      mkdirSync(dirname(options.file), { recursive: true });
      // Write aside and rename, so a crash mid-write never leaves half a file.
      const temporary = `${options.file}.${process.pid}.tmp`;
      writeFileSync(temporary, serializeRecentFiles(list));
      renameSync(temporary, options.file);
    } catch (error) {
      warn(`heatline: could not save the recent files list: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const changed = () => {
    for (const listener of listeners) listener();
  };

  return {
    list: () => {
      const all = load();
      const present = withoutMissingFiles(all, exists);
      if (present.length !== all.length) save(present);
      return present.map((entry) => ({ ...entry }));
    },
    add: (path) => {
      // Only absolute paths mean the same file tomorrow; anything else is not remembered.
      if (!isAbsolute(path)) return;
      save(withRecentFile(load(), path, now()));
      options.onAdd?.(path);
      changed();
    },
    clear: () => {
      save([]);
      options.onClear?.();
      changed();
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
