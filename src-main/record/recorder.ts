/**
 * One recording from request to result, for the session host (the app) and
 * `heatline record` alike: check the request, decide privileges, build the
 * plan, run it in a pty session, finish the file, hand it back to the user if
 * an elevated tool took it, remember it in the sessions list, and report all
 * of it as events (output, state, progress, password requests).
 *
 * Errors before the start (bad request, missing tool, needs elevation) are
 * thrown as UserFacingError; errors after it arrive as a 'failed' state and
 * a rejected `result`, both with the same one line.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname } from 'node:path';
import type { spawn as spawnPty } from 'node-pty';
import { UserFacingError, oneLineMessage } from '../../src-shared/errors';
import type { Capabilities } from './capabilities';
import { elevatedSession, ptyEnv } from './elevated-run';
import { chownCommand, elevate, type ElevatedCommand } from './elevation';
import { finishResult, prepareOutput } from './finish';
import { buildPlan, type RecordPlan } from './instruments';
import { recordRequestSchema, type RecordRequest, type RecordRequestInput, type SessionState } from '../../src-shared/record/options';
import type { RecordingResult } from '../../src-shared/record/types';
import { decidePrivilege, elevationMethods, explainRefusal, inspectTarget, type PrivilegeDecision, type TargetProcess } from './privilege';
import { PtySession, type SessionExit } from './session';
import type { SessionsStore } from './sessions-store';

export interface RecorderContext {
  caps: Capabilities;
  /** Folder of resources/ (dtrace scripts). */
  resourcesDir: string;
  /** Where recordings are written, as <id>.<ext>. */
  outputDir: string;
  /** Exactly this result file instead (CLI -o). */
  outputFile?: string;
  /** A launched program's default working directory (app: home; CLI: the current directory). */
  cwd?: string;
  store?: SessionsStore | null;
  /** For tests: node-pty's spawn, and shorter stop timeouts. */
  spawn?: typeof spawnPty;
  interruptGraceMs?: number;
  termGraceMs?: number;
  /** What the terminal shows at sudo's password prompt (session.ts SUDO_PROMPT_TEXT by default). */
  sudoPromptText?: string;
}

export type RecordingEvent =
  | { type: 'output'; sessionId: string; data: string }
  | { type: 'state'; sessionId: string; state: SessionState; message: string | null }
  | { type: 'progress'; sessionId: string; elapsedMs: number; bytes: number | null }
  | { type: 'passwordRequested'; sessionId: string; attempt: number };

export type { RecordingResult };

export interface Recording {
  id: string;
  plan: RecordPlan;
  /** The command line as the sessions list shows it (quoted where a word has blanks), or "pid N (user)". */
  command: string;
  /** When the profiler was spawned (ms since the epoch), as the result and the sessions list say. */
  startedAt: number;
  result: Promise<RecordingResult>;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  stop(): void;
  providePassword(password: string): void;
  dispose(): void;
}

/** Thrown when the request needs rights the user did not choose to use; carries the dialog's decision. */
export class NeedsElevationError extends UserFacingError {
  override name = 'NeedsElevationError';
  constructor(readonly decision: Extract<PrivilegeDecision, { kind: 'needs-elevation' }>) {
    super(decision.reason);
  }
}

/** What the dialog shows before Start: the privilege decision for this request. */
/** The request with its defaults, or a UserFacingError naming the first problem. */
export function parseRecordRequest(input: RecordRequestInput): RecordRequest {
  const parsed = recordRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserFacingError(`bad recording request: ${issue.path.join('.') || 'request'}: ${issue.message}`);
}

export async function checkRecording(input: RecordRequestInput, caps: Capabilities): Promise<PrivilegeDecision> {
  const request = parseRecordRequest(input);
  const target = request.target.kind === 'attach' ? await inspectTarget(request.target.pid, caps) : null;
  return decidePrivilege(request, caps, target);
}

export async function startRecording(input: RecordRequestInput, ctx: RecorderContext, onEvent: (event: RecordingEvent) => void): Promise<Recording> {
  const request = parseRecordRequest(input);
  const { caps } = ctx;
  const target = request.target.kind === 'attach' ? await inspectTarget(request.target.pid, caps) : null;
  const decision = decidePrivilege(request, caps, target);
  if (decision.kind === 'impossible') throw new UserFacingError(decision.reason);
  if (decision.kind === 'needs-elevation' && request.elevation === null) throw new NeedsElevationError(decision);
  if (request.elevation !== null && !elevationMethods(caps, request).includes(request.elevation)) {
    throw new UserFacingError(`${request.elevation} is not available here for this recording`);
  }

  const id = sessionId(request);
  mkdirSync(ctx.outputFile ? dirname(ctx.outputFile) : ctx.outputDir, { recursive: true });
  const elevated = request.elevation !== null;
  const launch = request.target.kind === 'launch' ? request.target : null;
  const plan = await buildPlan(request, {
    caps,
    outputStem: `${ctx.outputDir}/${id}`,
    outputFile: ctx.outputFile,
    resourcesDir: ctx.resourcesDir,
    cwd: ctx.cwd,
    dropTo: elevated && launch && caps.platform === 'linux' ? { uid: caps.uid, gid: caps.gid, home: process.env.HOME } : undefined,
  });
  await prepareOutput(plan);
  const command: ElevatedCommand = elevated ? elevate(request.elevation!, plan.argv, caps) : { argv: plan.argv, promptMarker: null };
  const env = ptyEnv(launch && !elevated ? launch.env : {});
  const shownCommand = describe(request, target);
  const cwd = launch?.cwd ?? ctx.cwd ?? homedir();

  let stopping = false;
  let disposed = false;
  const emitState = (state: SessionState, message: string | null = null) => onEvent({ type: 'state', sessionId: id, state, message });
  const wire = (session: PtySession) => {
    session.on('output', (data) => onEvent({ type: 'output', sessionId: id, data }));
    session.on('status', (message) => emitState(session === main && stopping ? 'stopping' : 'running', message));
    session.on('passwordRequested', ({ attempt }) => onEvent({ type: 'passwordRequested', sessionId: id, attempt }));
  };
  const main = new PtySession({
    argv: command.argv,
    cwd,
    env,
    cols: request.cols,
    rows: request.rows,
    progressPath: plan.writtenPath,
    stop: plan.stop,
    durationSeconds: request.durationSeconds,
    promptMarker: command.promptMarker,
    promptText: ctx.sudoPromptText,
    profilerName: basename(plan.argv[0]),
    transcriptLimit: plan.finish.kind === 'transcript' ? 256 << 20 : 1 << 20,
    interruptGraceMs: ctx.interruptGraceMs,
    termGraceMs: ctx.termGraceMs,
    spawn: ctx.spawn,
  });
  let current = main;
  wire(main);
  main.on('progress', ({ elapsedMs, bytes }) => onEvent({ type: 'progress', sessionId: id, elapsedMs, bytes }));
  emitState('starting', plan.label);
  const startedAt = Date.now();
  try {
    main.start();
  } catch (cause) {
    const message = `could not run ${plan.argv[0]}: ${oneLineMessage(cause)}`;
    emitState('failed', message);
    throw new UserFacingError(message);
  }
  emitState('running', null);

  const finish = async (exit: SessionExit): Promise<RecordingResult> => {
    const logPath = `${plan.resultPath}.log`;
    writeFileSync(logPath, exit.transcript, { mode: 0o600 });
    const refusal = explainRefusal(exit.transcript, request, caps, target);
    if (refusal !== null) throw new UserFacingError(refusal);
    const finished = await finishResult(plan, exit.transcript);
    if (elevated) {
      // The pre-created file normally stays ours; if the tool replaced it, hand it back (one more elevated command).
      const owner = (await stat(finished.path)).uid;
      if (owner !== caps.uid) {
        emitState('stopping', `The file belongs to root: giving it back to ${caps.userName}…`);
        const chown = chownCommand(request.elevation!, finished.path, caps);
        current = elevatedSession(chown, { cwd, cols: request.cols, rows: request.rows, durationSeconds: 120, spawn: ctx.spawn });
        wire(current);
        current.start();
        await current.done;
        if ((await stat(finished.path)).uid !== caps.uid) throw new UserFacingError(`${finished.path} still belongs to root; hand it back with: sudo chown ${caps.uid}:${caps.gid} ${finished.path}`);
      }
    }
    const note = disposed
      ? 'Ended with its window: the profiler was killed, so the file may be incomplete.'
      : exit.escalation === 'none'
        ? null
        : `Stopped with ${exit.escalation} after Ctrl+C did not stop it: the file may be incomplete.`;
    const result: RecordingResult = { sessionId: id, path: finished.path, format: finished.format, label: plan.label, command: shownCommand, startedAt, durationMs: exit.elapsedMs, logPath };
    ctx.store?.add({ id, command: result.command, instrument: request.options.instrument, label: plan.label, startedAt, durationMs: exit.elapsedMs, file: result.path, format: result.format, status: 'finished', message: note });
    emitState('finished', note);
    return result;
  };

  const result = main.done.then(finish).catch((error: unknown) => {
    const message = oneLineMessage(error);
    ctx.store?.add({ id, command: shownCommand, instrument: request.options.instrument, label: plan.label, startedAt, durationMs: Date.now() - startedAt, file: plan.resultPath, format: plan.format, status: 'failed', message });
    emitState('failed', message);
    throw error instanceof UserFacingError ? error : new UserFacingError(message);
  });

  return {
    id,
    plan,
    command: shownCommand,
    startedAt,
    result,
    write: (data) => current.write(data),
    resize: (cols, rows) => current.resize(cols, rows),
    stop: () => {
      if (stopping) return;
      stopping = true;
      emitState('stopping', null);
      void main.stop();
    },
    providePassword: (password) => current.providePassword(password),
    dispose: () => {
      disposed = true;
      main.dispose();
      current.dispose();
    },
  };
}

/** "2026-11-21T12-30-05-cpu-1a2b": sortable, readable in a file name, unique. */
function sessionId(request: RecordRequest): string {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  return `${stamp}-${request.options.instrument}-${randomBytes(2).toString('hex')}`;
}

/** The command line for the sessions list (quoted where a word has blanks), or "pid N (user)". */
function describe(request: RecordRequest, target: TargetProcess | null): string {
  if (request.target.kind === 'attach') return `pid ${request.target.pid}${target?.user ? ` (${target.user})` : ''}`;
  return commandLine(request.target.command);
}

/** Words joined by blanks, a word with blanks or quotes in double quotes: for reading, not for a shell. */
export function commandLine(words: readonly string[]): string {
  return words.map((word) => (/[\s'"]/.test(word) ? JSON.stringify(word) : word)).join(' ');
}
