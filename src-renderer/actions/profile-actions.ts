/**
 * The window's verbs: open (a path, a dropped or chosen file, the Open
 * dialog), cancel, export, close; plus the wiring of host events (progress,
 * sites previews, openRequested, menu commands) to them. Everything the window does with the
 * host goes through here, so the rules live in one place:
 *   - one open at a time: opens asked for meanwhile (several files dropped
 *     or named on the command line, a second drop) wait their turn, and
 *     each opens in a tab of its own; Cancel stops the one running;
 *   - a failed open shows the host's one-line message and leaves the
 *     previous profile open; a cancelled one shows nothing;
 *   - Electron opens dropped files by path (no copy of the bytes through
 *     IPC); browser mode uploads the File as it is (host.openUpload).
 * DOM-specific pieces (file picker, download, path of a File) come in as
 * dependencies, so this runs and is tested without a browser.
 */

import type { ExportFormat, OpenedProfile } from '../../src-shared/contract';
import { toCollapsed } from '../../src-shared/export/collapsed';
import { toSpeedscope } from '../../src-shared/export/speedscope';
import { selectionToSpeedscope, type ExportSelection } from '../../src-shared/export/speedscope-selection';
import type { WindowHostClient } from '../host-client/build-client';
import { analysedThreads } from '../store/analysis-service';
import type { AppStore } from '../store/app-store';

export interface ProfileActionsDeps {
  host: WindowHostClient;
  store: AppStore;
  /** Electron's path for a dropped File; null when it has none (or in browser mode). */
  pathOfFile(file: File): string | null;
  /** Lets the user choose files in the page (browser mode's Open…); none when cancelled. */
  pickFiles(): Promise<File[]>;
  /** Saves text as a download (browser mode's export). */
  downloadText(name: string, text: string, mimeType: string): void;
  newTaskId?: () => string;
}

export interface ProfileActions {
  /** Subscribes to host events and asks for the host's capabilities; returns the unsubscribe. */
  connect(): () => void;
  /** Open…: the native dialog when the host has one, else the page's file picker. */
  requestOpen(): Promise<void>;
  openPath(path: string): Promise<void>;
  openFile(file: File): Promise<void>;
  /** Several files (one drop): each in its own tab, one after another. */
  openFiles(files: readonly File[]): Promise<void>;
  cancelLoading(): Promise<void>;
  exportAs(format: ExportFormat): Promise<void>;
  closeProfile(): void;
}

/** 32 hex digits: matches the contract's task id rule, and works where crypto.randomUUID does not. */
export function randomTaskId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const exportDetails: Record<ExportFormat, { suffix: string; mimeType: string }> = {
  speedscope: { suffix: '.speedscope.json', mimeType: 'application/json' },
  collapsed: { suffix: '.collapsed.txt', mimeType: 'text/plain' },
};

/** "perf.script.txt" -> "perf.script.speedscope.json": the profile's name without its last extension. */
export function exportFileName(profileName: string, format: ExportFormat): string {
  const base = profileName.replace(/\.[A-Za-z0-9]{1,12}$/, '').replace(/[\\/]/g, '_').slice(0, 200) || 'profile';
  return base + exportDetails[format].suffix;
}

/**
 * The file's text. With a selection (the analysis window's range, threads
 * and transforms), speedscope files hold just that; collapsed stacks keep
 * the range and threads (the format has no way to say "merged").
 */
export function exportText(profile: Parameters<typeof toCollapsed>[0], format: ExportFormat, selection?: ExportSelection): string {
  if (selection === undefined) return format === 'speedscope' ? JSON.stringify(toSpeedscope(profile)) : toCollapsed(profile);
  if (format === 'speedscope') return JSON.stringify(selectionToSpeedscope(profile, selection));
  return toCollapsed(profile, { range: selection.range, threads: selection.threads === null ? null : new Set(selection.threads) });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createProfileActions(deps: ProfileActionsDeps): ProfileActions {
  const { host, store } = deps;
  const newTaskId = deps.newTaskId ?? randomTaskId;
  const state = () => store.getState();
  const isCurrent = (taskId: string) => state().loading?.taskId === taskId;

  /** The last open asked for, while any runs or waits: opens run one after another. */
  let last: Promise<void> | null = null;
  const runOpen = (name: string, start: (taskId: string) => Promise<OpenedProfile | null>): Promise<void> => {
    // With none running, it starts now (its loading state shows at once); else after the last one asked for.
    const turn = last === null ? runOneOpen(name, start) : last.then(() => runOneOpen(name, start));
    last = turn;
    void turn.then(() => {
      if (last === turn) last = null;
    });
    return turn;
  };

  /** Runs one open under a fresh task id; `start` may return null when there is nothing to open after all. */
  const runOneOpen = async (name: string, start: (taskId: string) => Promise<OpenedProfile | null>) => {
    const taskId = newTaskId();
    state().loadingStarted(taskId, name);
    try {
      const opened = await start(taskId);
      if (opened !== null && isCurrent(taskId)) state().profileOpened(opened.profile, opened.name, opened.profileId);
    } catch (error) {
      const message = messageOf(error);
      // A cancelled or superseded open is not an error the user needs to read about.
      if (isCurrent(taskId) && message !== 'cancelled') state().errorShown(message);
    } finally {
      state().loadingEnded(taskId);
    }
  };

  const openPath = (path: string) => runOpen(baseName(path), (taskId) => host.openFile({ path, taskId }));

  const openFiles = async (files: readonly File[]) => {
    await Promise.all(files.map((file) => openFile(file)));
  };

  const openFile = async (file: File) => {
    const path = deps.pathOfFile(file);
    if (path !== null) return openPath(path);
    const name = file.name.slice(-255) || 'unnamed';
    const { openUpload } = host;
    if (openUpload !== undefined) return runOpen(name, (taskId) => openUpload({ name, file, taskId }));
    return runOpen(name, async (taskId) => {
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (error) {
        throw new Error(`${name}: cannot read the file (${messageOf(error)})`);
      }
      // Cancelled while reading: do not upload.
      if (!isCurrent(taskId)) return null;
      return host.openBytes({ name, bytes, taskId });
    });
  };

  const requestOpen = async () => {
    try {
      if (state().hostInfo?.nativeDialogs) {
        const paths = await host.showOpenDialog({});
        await Promise.all(paths.map((path) => openPath(path)));
      } else {
        await openFiles(await deps.pickFiles());
      }
    } catch (error) {
      state().errorShown(messageOf(error));
    }
  };

  const cancelLoading = async () => {
    const loading = state().loading;
    if (loading === null) return;
    // The window stops waiting at once; the host's "cancelled" answer is then ignored.
    state().loadingEnded(loading.taskId);
    await host.cancelTask({ taskId: loading.taskId }).catch((error) => state().errorShown(messageOf(error)));
  };

  const exportAs = async (format: ExportFormat) => {
    const { profile, profileName, hostInfo, view } = state();
    if (profile === null) return;
    try {
      const selection = { range: view.range, threads: analysedThreads(profile, view), transforms: view.transforms, inlined: view.inlined };
      const text = exportText(profile, format, selection);
      const suggestedName = exportFileName(profileName, format);
      if (hostInfo?.nativeDialogs) await host.saveExport({ suggestedName, format, text });
      else deps.downloadText(suggestedName, text, exportDetails[format].mimeType);
    } catch (error) {
      state().errorShown(messageOf(error));
    }
  };

  const closeProfile = () => state().profileClosed();

  const connect = () => {
    const unsubscribes = [
      host.on('progress', ({ taskId, done, total }) => state().progressReported(taskId, done, total)),
      host.on('sitesPreview', ({ taskId, preview }) => state().sitesPreviewReceived(taskId, preview)),
      host.on('openRequested', ({ path }) => void openPath(path)),
      host.on('menuCommand', ({ command }) => {
        switch (command) {
          case 'open':
            return void requestOpen();
          case 'export-speedscope':
            return void exportAs('speedscope');
          case 'export-collapsed':
            return void exportAs('collapsed');
          case 'close-profile':
            return closeProfile();
          case 'record':
          case 'attach':
            return; // the record store opens its dialogs (store/record-store.ts)
        }
      }),
    ];
    host
      .getHostInfo({})
      .then((info) => state().hostInfoReceived(info))
      .catch((error) => state().errorShown(messageOf(error)));
    return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
  };

  return { connect, requestOpen, openPath, openFile, openFiles, cancelLoading, exportAs, closeProfile };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
