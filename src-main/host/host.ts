/**
 * The host API's implementation, shared by both transports. What differs
 * between Electron and browser mode (dialogs, recent files, which paths may be
 * opened) comes in as HostServices, so this file has no Electron import and is
 * tested in plain Node.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  EventPayload,
  HostEventName,
  HostHandlers,
  HostInfo,
  HostMode,
  OpenedProfile,
  RecentFile,
} from '../../src-shared/contract';
import { CancelledError, UserFacingError } from '../../src-shared/errors';
import type { Profile } from '../../src-shared/profile/model';
import type { ImportJob, WorkerReply } from './import-worker';
import { createSourceHost, type SourceServices } from './source-handlers';
import { createRecordHandlers, type RecordingServices } from './record-handlers';

export interface HostServices {
  mode: HostMode;
  version: string;
  emit<E extends HostEventName>(name: E, payload: EventPayload<E>): void;
  /** May the window open this path? Electron: yes; browser mode: only files named on the command line. */
  mayOpenPath(path: string): boolean;
  showOpenDialog?: () => Promise<string | null>;
  saveExport?: (suggestedName: string, text: string) => Promise<string | null>;
  recentFiles?: { list(): RecentFile[]; add(path: string): void };
  /** The source pane (issue 5): settings folder for remaps, the Locate… dialog. */
  sources?: SourceServices;
  /** Recording (issue 7): shared by the windows of one process; absent where the host cannot record. */
  recording?: RecordingServices;
}

export function createHost(services: HostServices): HostHandlers & { dispose(): void } {
  const running = new Map<string, Worker>();
  const sources = createSourceHost(services.sources ?? {});
  const recording = createRecordHandlers(services.recording, services.emit, services.mode);

  const importInWorker = async (taskId: string, job: ImportJob, name: string, path: string | null): Promise<OpenedProfile> => {
    if (running.has(taskId)) throw new UserFacingError(`task ${taskId} is already running`);
    const profile = await new Promise<Profile>((resolve, reject) => {
      const worker = startImportWorker(job);
      running.set(taskId, worker);
      let settled = false;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        running.delete(taskId);
        action();
        void worker.terminate();
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'progress') {
          services.emit('progress', { taskId, phase: 'reading', done: reply.done, total: reply.total });
        } else if (reply.type === 'done') {
          settle(() => resolve(reply.profile));
        } else {
          settle(() => reject(new UserFacingError(reply.message)));
        }
      });
      worker.on('error', (error: Error) => settle(() => reject(new UserFacingError(`${name}: ${error.message}`))));
      worker.on('exit', () => settle(() => reject(new CancelledError())));
    });
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
      return importInWorker(taskId, { kind: 'path', path }, path, path);
    },
    openBytes: ({ name, bytes, taskId }) => importInWorker(taskId, { kind: 'bytes', name, bytes }, name, null),
    cancelTask: async ({ taskId }) => {
      await running.get(taskId)?.terminate();
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
      for (const worker of running.values()) void worker.terminate();
      running.clear();
      recording.dispose();
    },
  };
}

/**
 * The bundled worker sits beside the bundled host (out/main). When the host
 * runs from source (tests through tsx), the worker is started through tsx's
 * CommonJS loader: worker threads do not take `--import` from execArgv.
 */
function startImportWorker(job: ImportJob): Worker {
  const transferList = job.kind === 'bytes' ? [job.bytes.buffer as ArrayBuffer] : [];
  const bundled = join(__dirname, 'import-worker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: job, transferList });
  const source = join(__dirname, 'import-worker.ts');
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`;
  return new Worker(bootstrap, { eval: true, workerData: job, transferList });
}
