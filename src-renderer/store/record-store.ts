/**
 * The window's recording state and verbs (issue 7): which dialog is open,
 * what the machine can record, the live sessions (state, elapsed time, file
 * size, a pending password prompt, the outcome) and the sessions list.
 *
 * A store of its own beside the app store: recording has its own life (a
 * session outlives tabs), and the analysis side needs from it only "open
 * this file", which comes in as a dependency. Terminal output is not state:
 * it goes to the live terminal's listener (and a bounded buffer, so a
 * terminal that mounts late still shows the beginning).
 *
 * The password passes through `providePassword` straight to the host and is
 * never kept here.
 */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostClient } from '../../src-shared/contract';
import type { ElevationMethod, InstrumentOptions, RecordRequest } from '../../src-shared/record/options';
import type { PrivilegeDecision, ProcessRow, RecordCapabilities, RecordingEntry, RecordingOutcome, SessionState } from '../../src-shared/record/types';

export type RecordDialog = 'record' | 'attach' | null;

export interface LiveSession {
  id: string;
  /** A recording, or the elevated sysctl that lowers perf_event_paranoid. */
  kind: 'recording' | 'paranoid';
  label: string;
  command: string;
  startedAt: number;
  state: SessionState;
  /** The latest status line from the host (escalation steps, sudo's verdicts). */
  message: string | null;
  elapsedMs: number;
  bytes: number | null;
  /** sudo waits for the password: the attempt number (2+ after a wrong one); null when not asked. */
  passwordAttempt: number | null;
  outcome: RecordingOutcome | null;
}

export interface RecordState {
  dialog: RecordDialog;
  /** The attach dialog was opened from the record dialog (picking a PID for it) rather than from the menu. */
  pickingFor: 'record' | null;
  caps: RecordCapabilities | null;
  /** This host does not record (browser mode without --record): why, shown in place of the dialogs; null otherwise. */
  off: string | null;
  /** Sessions by id, newest last. */
  sessions: readonly LiveSession[];
  /** The one shown in the session panel; null hides the panel. */
  shownSessionId: string | null;
  /** The paranoid-lowering session the record dialog waits on. */
  paranoidSessionId: string | null;
  recordings: readonly RecordingEntry[];
  recordingsOpen: boolean;
  /** The PID the attach dialog picked, for the record dialog. */
  pickedPid: number | null;
  error: string | null;
}

export interface RecordActions {
  /** Subscribes to the host's recording events and menu commands; returns the unsubscribe. */
  connect(): () => void;
  openDialog(dialog: 'record' | 'attach', options?: { pickingFor?: 'record' }): void;
  closeDialog(): void;
  pickPid(pid: number): void;
  refreshCapabilities(refresh?: boolean): Promise<void>;
  /** The privilege decision for this request (the dialog shows it before Start). */
  check(request: RecordRequest): Promise<PrivilegeDecision>;
  /** The attach dialog's rows, with the permission for these options. */
  listProcesses(options: InstrumentOptions, durationSeconds: number | null): Promise<ProcessRow[]>;
  start(request: RecordRequest): Promise<boolean>;
  /** The lower-paranoid remedy of `request`'s decision, with `method`. */
  lowerParanoid(request: RecordRequest, method: ElevationMethod): Promise<void>;
  stop(sessionId: string): Promise<void>;
  providePassword(sessionId: string, password: string): Promise<void>;
  write(sessionId: string, data: string): void;
  resize(sessionId: string, cols: number, rows: number): void;
  showSession(sessionId: string | null): void;
  toggleRecordings(open?: boolean): void;
  loadRecordings(): Promise<void>;
  reopen(entry: RecordingEntry): Promise<void>;
  dismissError(): void;
  /** Terminal output so far, and a listener for what follows. */
  output(sessionId: string): string;
  onOutput(sessionId: string, listener: (data: string) => void): () => void;
}

export type RecordStore = StoreApi<RecordState & RecordActions>;

export interface RecordStoreDeps {
  host: HostClient;
  /** Opens a finished recording in the analysis views (the app's openPath). */
  openPath(path: string): Promise<void>;
}

/** Terminal output kept per session for a terminal that mounts late. */
const OUTPUT_LIMIT = 1 << 20;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRecordStore(deps: RecordStoreDeps): RecordStore {
  const { host } = deps;
  const buffers = new Map<string, string>();
  const listeners = new Map<string, Set<(data: string) => void>>();

  return createStore<RecordState & RecordActions>()((set, get) => {
    const patchSession = (id: string, patch: Partial<LiveSession>) =>
      set((state) => ({ sessions: state.sessions.map((s) => (s.id === id ? { ...s, ...patch } : s)) }));
    const addSession = (session: LiveSession) =>
      set((state) => ({ sessions: [...state.sessions.filter((s) => s.id !== session.id), session] }));
    const fail = (error: unknown) => set({ error: messageOf(error) });

    const finished = (outcome: RecordingOutcome) => {
      const session = get().sessions.find((s) => s.id === outcome.sessionId);
      patchSession(outcome.sessionId, { outcome, passwordAttempt: null, state: outcome.error === null ? 'finished' : 'failed', message: outcome.error ?? session?.message ?? null });
      if (session?.kind === 'paranoid') {
        if (get().paranoidSessionId === outcome.sessionId) set({ paranoidSessionId: null });
        void get().refreshCapabilities(true);
        return;
      }
      void get().loadRecordings();
      if (outcome.result !== null && outcome.opensAsProfile) void deps.openPath(outcome.result.path);
    };

    return {
      dialog: null,
      pickingFor: null,
      caps: null,
      off: null,
      sessions: [],
      shownSessionId: null,
      paranoidSessionId: null,
      recordings: [],
      recordingsOpen: false,
      pickedPid: null,
      error: null,

      connect: () => {
        const unsubscribes = [
          host.on('menuCommand', ({ command }) => {
            if (command === 'record' || command === 'attach') get().openDialog(command);
          }),
          host.on('recordingOutput', ({ sessionId, data }) => {
            const kept = (buffers.get(sessionId) ?? '') + data;
            buffers.set(sessionId, kept.length > OUTPUT_LIMIT ? kept.slice(-OUTPUT_LIMIT) : kept);
            for (const listener of listeners.get(sessionId) ?? []) listener(data);
          }),
          host.on('recordingState', ({ sessionId, state, message }) => patchSession(sessionId, { state, ...(message !== null ? { message } : {}) })),
          host.on('recordingProgress', ({ sessionId, elapsedMs, bytes }) => patchSession(sessionId, { elapsedMs, bytes })),
          host.on('recordingPasswordRequested', ({ sessionId, attempt }) => patchSession(sessionId, { passwordAttempt: attempt })),
          host.on('recordingFinished', finished),
        ];
        return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
      },

      openDialog: (dialog, options = {}) => {
        set({ dialog, pickingFor: options.pickingFor ?? null, error: null });
        if (get().caps === null && get().off === null) void get().refreshCapabilities();
      },
      closeDialog: () => {
        const { pickingFor } = get();
        // Closing the picker returns to the record dialog it was opened from.
        set({ dialog: pickingFor === 'record' ? 'record' : null, pickingFor: null });
      },
      pickPid: (pid) => set({ pickedPid: pid, dialog: 'record', pickingFor: null }),
      refreshCapabilities: async (refresh = false) => {
        try {
          const answer = await host.getRecordCapabilities({ refresh });
          set(answer.canRecord ? { caps: answer, off: null } : { caps: null, off: answer.reason });
        } catch (error) {
          fail(error);
        }
      },

      check: (request) => host.checkRecording({ request }),
      listProcesses: (options, durationSeconds) => host.listProcesses({ options, durationSeconds }),
      start: async (request) => {
        try {
          const started = await host.startRecording({ request });
          addSession({ id: started.sessionId, kind: 'recording', label: started.label, command: started.command, startedAt: started.startedAt, state: 'running', message: null, elapsedMs: 0, bytes: null, passwordAttempt: null, outcome: null });
          set({ shownSessionId: started.sessionId, dialog: null, pickingFor: null, error: null });
          return true;
        } catch (error) {
          fail(error);
          return false;
        }
      },
      lowerParanoid: async (request, method) => {
        try {
          const started = await host.lowerPerfParanoid({ request, method, cols: 100, rows: 12 });
          addSession({ id: started.sessionId, kind: 'paranoid', label: started.label, command: started.command, startedAt: started.startedAt, state: 'running', message: null, elapsedMs: 0, bytes: null, passwordAttempt: null, outcome: null });
          set({ paranoidSessionId: started.sessionId, error: null });
        } catch (error) {
          fail(error);
        }
      },
      stop: (sessionId) => host.stopRecording({ sessionId }).catch(fail),
      providePassword: async (sessionId, password) => {
        // The prompt closes at once; a wrong password asks again with the next attempt number.
        patchSession(sessionId, { passwordAttempt: null });
        await host.providePassword({ sessionId, password }).catch(fail);
      },
      write: (sessionId, data) => void host.writeRecordingInput({ sessionId, data }).catch(() => {}),
      resize: (sessionId, cols, rows) => void host.resizeRecording({ sessionId, cols, rows }).catch(() => {}),
      showSession: (sessionId) => set({ shownSessionId: sessionId }),
      toggleRecordings: (open) => {
        const next = open ?? !get().recordingsOpen;
        set({ recordingsOpen: next });
        if (!next) return;
        void (async () => {
          // Whether this host records at all is known once; the list of a host that does not is its reason.
          if (get().caps === null && get().off === null) await get().refreshCapabilities();
          if (get().off === null) await get().loadRecordings();
        })();
      },
      loadRecordings: async () => {
        try {
          set({ recordings: await host.listRecordings({}) });
        } catch (error) {
          fail(error);
        }
      },
      reopen: (entry) => deps.openPath(entry.file),
      dismissError: () => set({ error: null }),
      output: (sessionId) => buffers.get(sessionId) ?? '',
      onOutput: (sessionId, listener) => {
        let set = listeners.get(sessionId);
        if (set === undefined) listeners.set(sessionId, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    };
  });
}
