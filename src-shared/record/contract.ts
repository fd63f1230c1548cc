/**
 * The host API's recording calls and events (issue 7), spread into
 * src-shared/contract.ts. Kept here so the recording surface reads as one
 * piece: every argument the window sends is bounded (strings, pids, terminal
 * sizes, the password's length), because the window is untrusted.
 *
 * The password travels in exactly one call (providePassword) and in no event,
 * result or error: the host writes it to sudo's prompt and forgets it.
 */

import { z } from 'zod';
import { call } from '../call-spec';
import { durationSeconds, elevationMethods, instrumentOptionsSchema, recordRequestSchema, terminalCols, terminalRows } from './options';
import type {
  PrivilegeDecision,
  ProcessRow,
  RecordCapabilities,
  RecordingEntry,
  RecordingOff,
  RecordingOutcome,
  StartedRecording,
} from './types';

/** Ids the host makes (recorder.ts sessionId): a timestamp, the instrument, a few hex digits. */
export const recordingSessionId = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a session id is 1-100 letters, digits, ., - or _');
/** sudo never needs more; a longer "password" is a mistake or an attack on memory. */
export const MAX_PASSWORD_LENGTH = 1024;
/** One keystroke burst or a paste into the terminal. */
export const MAX_INPUT_LENGTH = 65_536;

export const recordingCalls = {
  /**
   * What this machine can record; `refresh` probes again (after lowering perf_event_paranoid, or installing a tool).
   * Or, where the host does not record, why (every other recording call then fails with that line).
   */
  getRecordCapabilities: call<RecordCapabilities | RecordingOff>()(z.object({ refresh: z.boolean().default(false) }).strict()),
  /** The privilege decision for this request, before Start (its `elevation` field is ignored). */
  checkRecording: call<PrivilegeDecision>()(z.object({ request: recordRequestSchema }).strict()),
  /** Starts a session; output, state, progress and the end arrive as recording* events. */
  startRecording: call<StartedRecording>()(z.object({ request: recordRequestSchema }).strict()),
  /** Ctrl+C to the profiler; the host escalates (SIGTERM, SIGKILL) by itself and says so in state events. */
  stopRecording: call<void>()(z.object({ sessionId: recordingSessionId }).strict()),
  /** Keyboard input from the terminal, to the program's stdin. */
  writeRecordingInput: call<void>()(z.object({ sessionId: recordingSessionId, data: z.string().min(1).max(MAX_INPUT_LENGTH) }).strict()),
  resizeRecording: call<void>()(z.object({ sessionId: recordingSessionId, cols: terminalCols, rows: terminalRows }).strict()),
  /** Answers sudo's prompt in that session's terminal. Never stored, logged or echoed. */
  providePassword: call<void>()(z.object({ sessionId: recordingSessionId, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }).strict()),
  /**
   * Lowers perf_event_paranoid until reboot with one elevated sysctl, to the
   * level the privilege decision for `request` offers (the host decides it,
   * not the window), run as a session of its own: its prompt and output
   * arrive as recording* events under the returned id.
   */
  lowerPerfParanoid: call<StartedRecording>()(
    z.object({ request: recordRequestSchema, method: z.enum(elevationMethods), cols: terminalCols.default(100), rows: terminalRows.default(12) }).strict(),
  ),
  /** The attach dialog's list (CPU % since the previous call), each row with the permission for this instrument. */
  listProcesses: call<ProcessRow[]>()(
    z.object({ options: instrumentOptionsSchema, durationSeconds }).strict(),
  ),
  /** The sessions list, newest first. */
  listRecordings: call<RecordingEntry[]>()(z.object({}).strict()),
} as const;

export const recordingEventSchemas = {
  /** What the session's terminal printed. */
  recordingOutput: z.object({ sessionId: recordingSessionId, data: z.string() }),
  /** starting, running, stopping (with "sent SIGTERM…" style messages), finished, failed. */
  recordingState: z.object({
    sessionId: recordingSessionId,
    state: z.enum(['starting', 'running', 'stopping', 'finished', 'failed']),
    message: z.string().nullable(),
  }),
  /** Every 500 ms: recording time and the size of the file being written. */
  recordingProgress: z.object({ sessionId: recordingSessionId, elapsedMs: z.number(), bytes: z.number().nullable() }),
  /** sudo asks for the password: the window shows its password field. */
  recordingPasswordRequested: z.object({ sessionId: recordingSessionId, attempt: z.number().int() }),
  /** The end: the result (the window opens it), or the failure's one line. */
  recordingFinished: z.custom<RecordingOutcome>((value) => typeof value === 'object' && value !== null && 'sessionId' in value),
} as const;
