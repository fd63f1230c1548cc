/**
 * The two small pieces every pty session of a recording shares: the
 * environment it inherits, and a one-off elevated command (sysctl to lower
 * perf_event_paranoid, chown to hand a root-owned result back) run in a pty
 * of its own, so its password prompt and output reach the same terminal as
 * a recording's.
 */

import type { spawn as spawnPty } from 'node-pty';
import type { ElevatedCommand } from './elevation';
import { PtySession } from './session';

/** The host's environment as strings (unset entries dropped), with `extra` on top and TERM for xterm.js. */
export function ptyEnv(extra: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...Object.fromEntries(inherited), ...extra, TERM: 'xterm-256color' };
}

export interface ElevatedRunOptions {
  cwd: string;
  cols: number;
  rows: number;
  /** Long enough to type a password; the session stops itself after it. */
  durationSeconds: number;
  /** Default ptyEnv(). */
  env?: Record<string, string>;
  /** For tests: node-pty's spawn. */
  spawn?: typeof spawnPty;
}

/** A pty session (not yet started) that runs one elevated command to its end; Stop is Ctrl+C. */
export function elevatedSession(command: ElevatedCommand, options: ElevatedRunOptions): PtySession {
  return new PtySession({
    argv: command.argv,
    cwd: options.cwd,
    env: options.env ?? ptyEnv(),
    cols: options.cols,
    rows: options.rows,
    progressPath: null,
    stop: { kind: 'interrupt', perRun: false },
    durationSeconds: options.durationSeconds,
    promptMarker: command.promptMarker,
    spawn: options.spawn,
  });
}
