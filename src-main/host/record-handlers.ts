/**
 * The host API's recording calls (issue 7): the record and attach dialogs,
 * the live session, the sessions list. A thin layer over src-main/record:
 * recorder.ts runs each session in a pty and these handlers turn its events
 * into host events for the one window that started it.
 *
 * Sessions run in the host's own process (Electron main, or the `heatline
 * serve` process), not in a separate session host: node-pty is asynchronous
 * and never blocks the event loop, and a utilityProcess would add a second
 * transport for no gain yet (docs/architecture.md, "Recording").
 *
 * Closing the window disposes its sessions (Ctrl+C to a profiler, then the
 * pty is killed). The sudo password goes from the call's argument to the
 * session and nowhere else: no event, error or log line carries it.
 */

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { spawn as spawnPty } from 'node-pty';
import { type EventPayload, type HostEventName, type HostHandlers, type HostMode } from '../../src-shared/contract';
import { UserFacingError, oneLineMessage } from '../../src-shared/errors';
import { instrumentIds, type InstrumentOptions, type RecordingFormat } from '../../src-shared/record/options';
import type {
  InstrumentAvailability,
  RecordCapabilities,
  RecordingOff,
  RecordingOutcome,
  RecordingResult,
  RecordingTable,
  StartedRecording,
} from '../../src-shared/record/types';
import { probeCapabilities, type Capabilities, type ToolName } from '../record/capabilities';
import { instrumentInfo } from '../record/instruments';
import { parsePerfStatCsv } from '../record/outputs/perf-stat';
import { parseStraceSummary } from '../record/outputs/strace';
import { installHint } from '../record/packages';
import { elevationMethods as elevationFor } from '../record/privilege';
import { attachPermission, ProcessLister } from '../record/processes';
import { startLowerParanoid } from '../record/lower-paranoid';
import { checkRecording, startRecording, type RecordingEvent } from '../record/recorder';
import { SessionsStore } from '../record/sessions-store';

/** What every window of one process shares: the probe, the output folder, the sessions list. */
export interface RecordingServices {
  capabilities(refresh?: boolean): Promise<Capabilities>;
  /** Where recordings are written. */
  outputDir: string;
  resourcesDir: string;
  /** A launched program's working directory when the dialog leaves it empty. */
  defaultCwd: string;
  store: SessionsStore;
  /** Files this host produced (this run or an earlier one): browser mode lets the window open these by path. */
  isRecordingResult(path: string): boolean;
  /** Records a result path as openable. */
  addResult(path: string): void;
  /** For tests: shorter stop timeouts, and node-pty's spawn for the sysctl session. */
  interruptGraceMs?: number;
  termGraceMs?: number;
  spawn?: typeof spawnPty;
}

export interface RecordingServicesOptions {
  /** Output folder and sessions list live here (Electron: userData; serve: $XDG_DATA_HOME/heatline). */
  dataDir: string;
  resourcesDir: string;
  defaultCwd?: string;
  /** For tests: a hand-made machine. */
  capabilities?: Capabilities;
  interruptGraceMs?: number;
  termGraceMs?: number;
  spawn?: typeof spawnPty;
}

/** `heatline serve`'s data folder: $HEATLINE_DATA_DIR, else $XDG_DATA_HOME/heatline, else ~/.local/share/heatline. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HEATLINE_DATA_DIR) return resolve(env.HEATLINE_DATA_DIR);
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'heatline');
}

export function createRecordingServices(options: RecordingServicesOptions): RecordingServices {
  let probe: Promise<Capabilities> | null = options.capabilities ? Promise.resolve(options.capabilities) : null;
  // Created on first use: a window that never records leaves no folder behind.
  let store: SessionsStore | null = null;
  const openStore = () => (store ??= new SessionsStore(options.dataDir));
  const added = new Set<string>();
  return {
    capabilities: (refresh = false) => {
      if (probe === null || (refresh && options.capabilities === undefined)) probe = probeCapabilities();
      return probe;
    },
    outputDir: join(options.dataDir, 'recordings'),
    resourcesDir: options.resourcesDir,
    defaultCwd: options.defaultCwd ?? homedir(),
    get store() {
      return openStore();
    },
    isRecordingResult: (path) => {
      const wanted = resolve(path);
      return added.has(wanted) || openStore().list().some((entry) => entry.status === 'finished' && resolve(entry.file) === wanted);
    },
    addResult: (path) => void added.add(resolve(path)),
    interruptGraceMs: options.interruptGraceMs,
    termGraceMs: options.termGraceMs,
    spawn: options.spawn,
  };
}

/**
 * Browser mode records only when asked (`heatline serve --record`): a
 * recording runs any command as this user, and the token URL is all a
 * browser needs, so recording is as opt-in as opening files by path.
 */
export const RECORDING_OFF_IN_BROWSER = 'recording is off in browser mode: start with `heatline serve --record`';

type Emit = <E extends HostEventName>(name: E, payload: EventPayload<E>) => void;

type RecordingHandlerNames =
  | 'getRecordCapabilities'
  | 'checkRecording'
  | 'startRecording'
  | 'stopRecording'
  | 'writeRecordingInput'
  | 'resizeRecording'
  | 'providePassword'
  | 'lowerPerfParanoid'
  | 'listProcesses'
  | 'listRecordings';

export type RecordHandlers = Pick<HostHandlers, RecordingHandlerNames>;

/** What one session of this window answers to: a recording, or the sysctl that lowers perf_event_paranoid. */
interface Controls {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  stop(): void;
  providePassword(password: string): void;
  dispose(): void;
}

/** Formats the analysis views open; the others are tables or transcripts shown in the session panel. */
const PROFILE_FORMATS: ReadonlySet<RecordingFormat> = new Set(['perf.data', 'collapsed', 'speedscope', 'dhat', 'massif', 'heaptrack', 'strace-timeline']);

/**
 * Handlers for one window; `dispose` ends that window's sessions. Without
 * services every call but getRecordCapabilities fails with one line, which
 * in browser mode says how to switch recording on.
 */
export function createRecordHandlers(services: RecordingServices | undefined, emit: Emit, mode: HostMode = 'electron'): { handlers: RecordHandlers; dispose(): void } {
  const sessions = new Map<string, Controls>();
  let lister: ProcessLister | null = null;
  let disposed = false;
  const offReason = mode === 'browser' ? RECORDING_OFF_IN_BROWSER : 'this host cannot record';

  const need = (): RecordingServices => {
    if (services === undefined) throw new UserFacingError(offReason);
    return services;
  };
  const session = (sessionId: string): Controls => {
    need();
    const found = sessions.get(sessionId);
    if (found === undefined) throw new UserFacingError(`no running recording ${sessionId}`);
    return found;
  };

  /** Checked after every await of a starting call: a closed window starts nothing. */
  const stillOpen = () => {
    if (disposed) throw new UserFacingError('the window closed while the recording was starting');
  };
  /**
   * Registers a started session until its result settles, then says how it
   * ended. If the window closed while it was starting, it is ended at once
   * (its pty killed) and the call fails with one line.
   */
  const track = <T>(started: Controls & { id: string; result: Promise<T> }, outcome: (result: T) => Promise<RecordingOutcome>) => {
    const ended = (error: unknown): RecordingOutcome => ({ sessionId: started.id, result: null, opensAsProfile: false, table: null, error: oneLineMessage(error) });
    void started.result
      .then(outcome, (error: unknown) => ended(error))
      .catch((error: unknown) => ended(error))
      .then((final) => {
        sessions.delete(started.id);
        emit('recordingFinished', final);
      });
    if (disposed) {
      started.dispose();
      stillOpen();
    }
    sessions.set(started.id, started);
  };

  const forward = (event: RecordingEvent) => {
    switch (event.type) {
      case 'output':
        return emit('recordingOutput', { sessionId: event.sessionId, data: event.data });
      case 'state':
        return emit('recordingState', { sessionId: event.sessionId, state: event.state, message: event.message });
      case 'progress':
        return emit('recordingProgress', { sessionId: event.sessionId, elapsedMs: event.elapsedMs, bytes: event.bytes });
      case 'passwordRequested':
        return emit('recordingPasswordRequested', { sessionId: event.sessionId, attempt: event.attempt });
    }
  };

  const handlers: RecordHandlers = {
    getRecordCapabilities: async ({ refresh }): Promise<RecordCapabilities | RecordingOff> =>
      services === undefined ? { canRecord: false, reason: offReason } : summarize(await services.capabilities(refresh), services),
    checkRecording: async ({ request }) => checkRecording(request, await need().capabilities()),
    startRecording: async ({ request }): Promise<StartedRecording> => {
      const svc = need();
      const caps = await svc.capabilities();
      stillOpen();
      const recording = await startRecording(
        request,
        {
          caps,
          resourcesDir: svc.resourcesDir,
          outputDir: svc.outputDir,
          cwd: svc.defaultCwd,
          store: svc.store,
          interruptGraceMs: svc.interruptGraceMs,
          termGraceMs: svc.termGraceMs,
        },
        forward,
      );
      // The window may have closed while the recording started: it must not run on with no one to stop it.
      track(recording, (result) => {
        svc.addResult(result.path);
        return outcomeOf(result);
      });
      return { sessionId: recording.id, label: recording.plan.label, command: recording.command, startedAt: recording.startedAt };
    },
    stopRecording: ({ sessionId }) => session(sessionId).stop(),
    writeRecordingInput: ({ sessionId, data }) => session(sessionId).write(data),
    resizeRecording: ({ sessionId, cols, rows }) => session(sessionId).resize(cols, rows),
    providePassword: ({ sessionId, password }) => session(sessionId).providePassword(password),
    lowerPerfParanoid: async ({ request, method, cols, rows }) => {
      const svc = need();
      const caps = await svc.capabilities();
      // Only what the decision for this request offers: the window never names a level of its own.
      const decision = await checkRecording(request, caps);
      stillOpen();
      const remedy = decision.kind === 'needs-elevation' ? decision.remedies.find((r) => r.kind === 'lower-paranoid' && r.method === method) : undefined;
      if (remedy === undefined || remedy.kind !== 'lower-paranoid') throw new UserFacingError(`lowering perf_event_paranoid with ${method} would not help this recording`);
      const paranoid = startLowerParanoid(method, remedy.level, { caps, reprobe: () => svc.capabilities(true), cwd: svc.defaultCwd, cols, rows, spawn: svc.spawn }, forward);
      track(paranoid, async () => ({ sessionId: paranoid.id, result: null, opensAsProfile: false, table: null, error: null }));
      return { sessionId: paranoid.id, label: paranoid.label, command: paranoid.command, startedAt: paranoid.startedAt };
    },
    listProcesses: async ({ options, durationSeconds }) => {
      const caps = await need().capabilities();
      lister ??= new ProcessLister(caps);
      const rows = await lister.list();
      return rows.map((row) => ({ ...row, permission: attachPermission(row, { options, durationSeconds }, caps) }));
    },
    listRecordings: () => need().store.list(),
  };

  return {
    handlers,
    dispose: () => {
      disposed = true;
      for (const controls of sessions.values()) controls.dispose();
      sessions.clear();
    },
  };
}

/** The result as the window needs it: whether it opens as a profile, or the table to show. */
async function outcomeOf(result: RecordingResult): Promise<RecordingOutcome> {
  let table: RecordingTable | null = null;
  let error: string | null = null;
  try {
    if (result.format === 'perf-stat-csv') table = { kind: 'counters', rows: parsePerfStatCsv(await readFile(result.path, 'utf8')) };
    else if (result.format === 'strace-summary') table = { kind: 'syscalls', rows: parseStraceSummary(await readFile(result.path, 'utf8')).slice(0, 500) };
  } catch (cause) {
    error = `${result.path}: ${oneLineMessage(cause)}`;
  }
  return { sessionId: result.sessionId, result, opensAsProfile: PROFILE_FORMATS.has(result.format), table, error };
}

/** Tools per instrument on this platform, in the order the dialog offers them. */
function toolsFor(id: InstrumentOptions['instrument'], platform: NodeJS.Platform): ToolName[] {
  const mac = platform === 'darwin';
  switch (id) {
    case 'cpu':
      return mac ? ['dtrace', 'xctrace'] : ['perf'];
    case 'syscalls':
      return mac ? ['dtruss'] : ['strace'];
    default:
      return instrumentInfo[id].tools as ToolName[];
  }
}

export function summarize(caps: Capabilities, services: Pick<RecordingServices, 'defaultCwd' | 'store'>): RecordCapabilities {
  const instruments: InstrumentAvailability[] = instrumentIds
    .filter((id) => instrumentInfo[id].platforms.includes(caps.platform))
    .map((id) => ({
      id,
      label: instrumentInfo[id].label,
      canAttach: instrumentInfo[id].attach,
      tools: toolsFor(id, caps.platform).map((tool) => ({
        tool,
        installed: caps.tools[tool] !== undefined,
        installHint: caps.tools[tool] !== undefined ? null : installHint(tool, caps.distro),
      })),
    }));
  // Elevation the host could offer for some request (a launch ends by itself, so osascript counts).
  const elevation = elevationFor(caps, { target: { kind: 'launch', command: ['x'], env: {} }, durationSeconds: null });
  return {
    canRecord: true,
    platform: caps.platform,
    userName: caps.userName,
    uid: caps.uid,
    instruments,
    perf: { paranoid: caps.perf.paranoid, dwarfUnwinding: caps.perf.dwarfUnwinding, lbr: caps.perf.lbr, hardwareCounters: caps.perf.hardwareCounters },
    elevation,
    defaultCwd: services.defaultCwd,
    storeWarning: services.store.warning,
  };
}


