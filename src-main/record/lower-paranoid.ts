/**
 * Lowering perf_event_paranoid until reboot: one elevated
 * `sysctl -w kernel.perf_event_paranoid=N` in a pty session of its own (its
 * password prompt and output reach the window like a recording's), then a
 * fresh probe says whether the kernel took it.
 *
 * The level comes from the host's privilege decision (record-handlers.ts
 * checks the request first), never from the window. Like startRecording:
 * a failure to start is thrown (after a 'failed' state), and everything
 * after the start ends as a 'finished' or 'failed' state and a settled
 * `result`, never as an unhandled rejection.
 */

import { randomBytes } from 'node:crypto';
import type { spawn as spawnPty } from 'node-pty';
import { UserFacingError, oneLineMessage } from '../../src-shared/errors';
import type { ElevationMethod } from '../../src-shared/record/options';
import type { Capabilities } from './capabilities';
import { elevatedSession } from './elevated-run';
import { lowerParanoidCommand } from './elevation';
import { commandLine, type RecordingEvent } from './recorder';

export interface LowerParanoidContext {
  caps: Capabilities;
  /** Probes the machine again, to read the level the kernel now has. */
  reprobe(): Promise<Capabilities>;
  cwd: string;
  cols: number;
  rows: number;
  /** For tests: node-pty's spawn. */
  spawn?: typeof spawnPty;
}

export interface ParanoidSession {
  id: string;
  label: string;
  /** The sysctl command line as run (with sudo or pkexec in front). */
  command: string;
  startedAt: number;
  /** Resolves when the kernel has the level; rejects with the one line that says why not. */
  result: Promise<void>;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  stop(): void;
  providePassword(password: string): void;
  dispose(): void;
}

/** Time to type a password; sysctl itself takes no time. */
const SYSCTL_TIMEOUT_SECONDS = 300;

export function startLowerParanoid(method: ElevationMethod, level: number, ctx: LowerParanoidContext, onEvent: (event: RecordingEvent) => void): ParanoidSession {
  const command = lowerParanoidCommand(method, level, ctx.caps);
  const id = `paranoid-${randomBytes(4).toString('hex')}`;
  const emitState = (state: 'starting' | 'running' | 'finished' | 'failed', message: string | null) => onEvent({ type: 'state', sessionId: id, state, message });
  const pty = elevatedSession(command, { cwd: ctx.cwd, cols: ctx.cols, rows: ctx.rows, durationSeconds: SYSCTL_TIMEOUT_SECONDS, spawn: ctx.spawn });
  pty.on('output', (data) => onEvent({ type: 'output', sessionId: id, data }));
  pty.on('status', (message) => emitState('running', message));
  pty.on('passwordRequested', ({ attempt }) => onEvent({ type: 'passwordRequested', sessionId: id, attempt }));

  emitState('starting', `Lowering perf_event_paranoid to ${level} until reboot`);
  const startedAt = Date.now();
  try {
    pty.start();
  } catch (cause) {
    const message = `could not run ${command.argv[0]}: ${oneLineMessage(cause)}`;
    emitState('failed', message);
    throw new UserFacingError(message);
  }

  const result = pty.done
    .then(async (exit) => {
      const now = await ctx.reprobe();
      const paranoid = now.perf.paranoid;
      if (exit.exitCode === 0 && paranoid !== null && paranoid <= level) return paranoid;
      throw new UserFacingError(`perf_event_paranoid is still ${paranoid ?? 'unknown'}: sysctl ${exit.exitCode === 0 ? 'did not change it' : `failed (exit ${exit.exitCode})`}`);
    })
    .then(
      (paranoid) => emitState('finished', `perf_event_paranoid is now ${paranoid} until reboot`),
      (error: unknown) => {
        const message = oneLineMessage(error);
        emitState('failed', message);
        throw error instanceof UserFacingError ? error : new UserFacingError(message);
      },
    );

  return {
    id,
    label: `sysctl kernel.perf_event_paranoid=${level}`,
    command: commandLine(command.argv),
    startedAt,
    result,
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    stop: () => void pty.stop(),
    providePassword: (password) => pty.providePassword(password),
    dispose: () => pty.dispose(),
  };
}
