/**
 * The host API's implementation, shared by both transports. What differs
 * between Electron and browser mode (dialogs, recent files, which paths may be
 * opened) comes in as HostServices, so this file has no Electron import and is
 * tested in plain Node.
 */

import type {
  ArrivingUpload,
  EventPayload,
  HostEventName,
  HostHandlers,
  HostInfo,
  HostMode,
  OpenedProfile,
  RecentFile,
} from '../../src-shared/contract';
import { UserFacingError } from '../../src-shared/errors';
import type { EarlyImports } from './early-imports';
import type { ImportJob } from './import-worker';
import { runImport, type RunningImport } from './run-import';
import { createSourceHost, type SourceServices } from './source-handlers';
import { createRecordHandlers, type RecordingServices } from './record-handlers';

export interface HostServices {
  mode: HostMode;
  version: string;
  emit<E extends HostEventName>(name: E, payload: EventPayload<E>): void;
  /** May the window open this path? Electron: yes; browser mode: only files named on the command line. */
  mayOpenPath(path: string): boolean;
  showOpenDialog?: () => Promise<string[]>;
  saveExport?: (suggestedName: string, text: string) => Promise<string | null>;
  recentFiles?: { list(): RecentFile[]; add(path: string): void };
  /** The source pane (issue 5): settings folder for remaps, the Locate… dialog. */
  sources?: SourceServices;
  /** Recording (issue 7): shared by the windows of one process; absent where the host cannot record. */
  recording?: RecordingServices;
  /** Files named when the process started, already importing: openFile of such a path adopts its import. */
  earlyImports?: Pick<EarlyImports, 'take'>;
}

export function createHost(services: HostServices): HostHandlers & { dispose(): void } {
  const running = new Map<string, RunningImport>();
  const sources = createSourceHost(services.sources ?? {});
  const recording = createRecordHandlers(services.recording, services.emit, services.mode);

  /** Runs `job` in a worker under `taskId` (or adopts `early`, an import already running for the path). */
  const importInWorker = async (
    taskId: string,
    job: ImportJob,
    name: string,
    path: string | null,
    early: RunningImport | null = null,
    upload?: ArrivingUpload,
  ): Promise<OpenedProfile> => {
    if (running.has(taskId)) {
      void early?.cancel();
      throw new UserFacingError(`task ${taskId} is already running`);
    }
    const task = early ?? runImport(job, name, upload);
    running.set(taskId, task);
    task.setProgressListener((done, total) => services.emit('progress', { taskId, phase: 'reading', done, total }));
    task.setSitesPreviewListener((preview) => services.emit('sitesPreview', { taskId, preview }));
    let profile;
    try {
      profile = await task.profile;
    } finally {
      running.delete(taskId);
    }
    if (path !== null) services.recentFiles?.add(path);
    return { profile, name: profile.meta.sourceName, path, profileId: sources.register(profile, path === null ? 'uploaded' : 'opened-by-path') };
  };

  return {
    getHostInfo: (): HostInfo => ({
      mode: services.mode,
      platform: process.platform,
      version: services.version,
      canOpenPaths: services.mode === 'electron',
      nativeDialogs: services.showOpenDialog !== undefined,
    }),
    openFile: ({ path, taskId }) => {
      if (!services.mayOpenPath(path)) {
        throw new UserFacingError(`${path}: this host opens only files uploaded from the window or named when it started`);
      }
      return importInWorker(taskId, { kind: 'path', path }, path, path, services.earlyImports?.take(path) ?? null);
    },
    openBytes: ({ name, bytes, taskId }) =>
      bytes instanceof Uint8Array
        ? importInWorker(taskId, { kind: 'bytes', name, bytes }, name, null)
        : importInWorker(taskId, { kind: 'arriving', name, size: bytes.size }, name, null, null, bytes),
    cancelTask: async ({ taskId }) => {
      await running.get(taskId)?.cancel();
    },
    showOpenDialog: async () => {
      if (!services.showOpenDialog) throw new UserFacingError('this host has no native Open dialog');
      return services.showOpenDialog();
    },
    listRecent: () => services.recentFiles?.list() ?? [],
    saveExport: async ({ suggestedName, text }) => {
      if (!services.saveExport) throw new UserFacingError('this host has no native Save dialog');
      return services.saveExport(suggestedName, text);
    },
    // --- source pane handlers (issue 5) ---
    ...sources.handlers,
    // --- end source pane handlers ---
    // --- recording handlers (issue 7) ---
    ...recording.handlers,
    // --- end recording handlers ---
    dispose: () => {
      for (const task of running.values()) void task.cancel();
      running.clear();
      recording.dispose();
    },
  };
}
