/**
 * One profiler run in a pseudo-terminal (node-pty): the program's own output
 * and any password prompt appear in the window's terminal, typed input
 * reaches the program, and Stop is what a person would do, Ctrl+C.
 *
 * Why Ctrl+C through the terminal rather than kill(profiler, SIGINT): the
 * terminal delivers SIGINT to its whole foreground process group, i.e. the
 * profiler and the program it launched, which some tools need (strace that
 * launched a program ignores a SIGINT of its own), and it reaches a profiler
 * running as root, which we may not signal. If the profiler is still running
 * `interruptGraceMs` later, the session says so and sends SIGTERM to the
 * group, then SIGKILL, then closes the terminal (a hang-up reaches even a
 * pkexec'd root process).
 *
 * sudo's prompt: the elevated argv carries a unique prompt marker
 * (elevation.ts). When the marker shows up in the output it is replaced by a
 * readable line, and the password given to `providePassword` is written to
 * the terminal, where sudo reads it with echo off. The password is held as a
 * Buffer only until then and zeroed after the write; it is never part of an
 * event, the transcript, argv or the environment. (node-pty copies what it
 * writes into its own queue, a copy released after the write.)
 */

import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { spawn as spawnPty, type IPty } from 'node-pty';
import type { StopStrategy } from './instruments';
import { descendantsOf } from './processes';

export interface SessionSpec {
  argv: string[];
  cwd: string;
  /** The whole environment of the profiler. */
  env: Record<string, string>;
  cols: number;
  rows: number;
  /** Reported as `bytes` in progress events; null when there is no single file to watch. */
  progressPath: string | null;
  stop: StopStrategy;
  /** Stop by itself after this many seconds; null: until stop() or the profiler exits. */
  durationSeconds: number | null;
  /** sudo's prompt to answer (elevation.ts), or null. */
  promptMarker: string | null;
  /**
   * The profiler's process name under sudo (perf): after the password is
   * typed, the duration starts once that process exists, i.e. sudo accepted
   * the password. Without it (or off Linux) the duration restarts 3 s after the answer.
   */
  profilerName?: string;
  /** What the terminal shows in place of the marker (default SUDO_PROMPT_TEXT; the CLI says "type it here"). */
  promptText?: string;
  /** How much output to keep for the transcript; the oldest is dropped beyond it. Default 1 MiB. */
  transcriptLimit?: number;
  /** After Ctrl+C, how long before SIGTERM (default 15 s: perf may write for a while), then before SIGKILL (default 5 s). */
  interruptGraceMs?: number;
  termGraceMs?: number;
  /** Progress events every so often (default 500 ms). */
  progressIntervalMs?: number;
  /** For tests: node-pty's spawn. */
  spawn?: typeof spawnPty;
}

export interface SessionExit {
  exitCode: number;
  /** The signal that ended the profiler (node-pty reports 0 for none). */
  signal: number;
  /** What ended it: it finished by itself, stop() was called, or the duration ran out. */
  endedBy: 'program' | 'stop' | 'duration';
  /** The strongest step stop() had to take. */
  escalation: 'none' | 'SIGTERM' | 'SIGKILL' | 'hangup';
  elapsedMs: number;
  /** The terminal output, prompt markers replaced, at most `transcriptLimit` characters (the end). */
  transcript: string;
}

export interface SessionEventMap {
  /** Terminal output, for xterm.js. */
  output: [data: string];
  /** One line for the status bar: the escalation steps, sudo's verdicts. */
  status: [message: string];
  progress: [progress: { elapsedMs: number; bytes: number | null }];
  /** sudo asks for the password and none is queued; `attempt` 2+ means the previous one was wrong. */
  passwordRequested: [request: { attempt: number }];
  exit: [exit: SessionExit];
}

/** Shown in the terminal in place of sudo's marker prompt. */
export const SUDO_PROMPT_TEXT = '[sudo] password (type it in Heatline\'s password field): ';

export class PtySession extends EventEmitter<SessionEventMap> {
  readonly done: Promise<SessionExit>;
  private pty: IPty | null = null;
  private resolveDone!: (exit: SessionExit) => void;
  private startedAt = 0;
  private transcript = '';
  private held = '';
  private endedBy: SessionExit['endedBy'] = 'program';
  private escalation: SessionExit['escalation'] = 'none';
  private timers: NodeJS.Timeout[] = [];
  private exited = false;
  private password: Buffer | null = null;
  private promptWaiting = false;
  private attempts = 0;
  private durationTimer: NodeJS.Timeout | null = null;

  constructor(private readonly spec: SessionSpec) {
    super();
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get pid(): number | null {
    return this.pty?.pid ?? null;
  }

  /** Spawns the profiler. Throws when it cannot be started (node-pty reports a missing binary here). */
  start(): void {
    const { argv, cwd, env, cols, rows } = this.spec;
    this.startedAt = Date.now();
    const pty = (this.spec.spawn ?? spawnPty)(argv[0], argv.slice(1), { name: 'xterm-256color', cols, rows, cwd, env });
    this.pty = pty;
    pty.onData((data) => this.onData(data));
    pty.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal ?? 0));
    const every = this.spec.progressIntervalMs ?? 500;
    this.timers.push(setInterval(() => void this.reportProgress(), every));
    this.startDurationTimer();
  }

  /**
   * The duration counts recording time: it starts at spawn, and again when
   * sudo's password has been typed (time at a password prompt is not
   * recording; a Ctrl+C there would cancel sudo instead of stopping perf).
   */
  private startDurationTimer(): void {
    if (this.durationTimer !== null) clearTimeout(this.durationTimer);
    this.durationTimer = null;
    if (this.spec.durationSeconds === null || this.exited || this.endedBy !== 'program') return;
    this.durationTimer = setTimeout(() => void this.stop('duration'), this.spec.durationSeconds * 1000);
    this.timers.push(this.durationTimer);
  }

  /** Typed input (xterm.js onData) for the program. */
  write(data: string): void {
    if (!this.exited) this.pty?.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.exited) this.pty?.resize(cols, rows);
  }

  /**
   * sudo's password: written at its prompt (now, if it is waiting), then
   * zeroed. Only meaningful for a session started with a prompt marker.
   */
  providePassword(password: string): void {
    if (this.spec.promptMarker === null || this.exited) return;
    this.password?.fill(0);
    this.password = Buffer.from(`${password}\n`, 'utf8');
    if (this.promptWaiting) this.answerPrompt();
  }

  /** Ctrl+C (or SIGINT to the program), then escalate; resolves when the profiler has exited. */
  stop(why: 'stop' | 'duration' = 'stop'): Promise<SessionExit> {
    if (this.exited || this.endedBy !== 'program' || this.pty === null) return this.done;
    this.endedBy = why;
    this.status(why === 'duration' ? 'Time is up: stopping the profiler (Ctrl+C)…' : 'Stopping the profiler (Ctrl+C)…');
    this.interrupt();
    if (this.spec.stop.kind === 'interrupt' && this.spec.stop.perRun) {
      // perf stat --repeat starts its next run after each Ctrl+C: one per remaining run.
      this.timers.push(setInterval(() => this.interrupt(), 500));
    }
    const interruptGrace = this.spec.interruptGraceMs ?? 15_000;
    const termGrace = this.spec.termGraceMs ?? 5_000;
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    this.timers.push(
      setTimeout(() => {
        this.escalation = 'SIGTERM';
        this.status(`The profiler did not stop ${seconds(interruptGrace)} after Ctrl+C: sending SIGTERM.`);
        this.signalGroup('SIGTERM');
      }, interruptGrace),
      setTimeout(() => {
        this.escalation = 'SIGKILL';
        this.status(`Still running ${seconds(termGrace)} after SIGTERM: killing it (SIGKILL); its file may be incomplete.`);
        this.signalGroup('SIGKILL');
      }, interruptGrace + termGrace),
      setTimeout(() => {
        // A root process we may not signal still dies of a hang-up when its terminal goes away.
        this.escalation = 'hangup';
        this.status('The profiler ignored SIGKILL (it runs as another user): closing its terminal.');
        this.pty?.kill('SIGHUP');
        (this.pty as unknown as { destroy?: () => void } | null)?.destroy?.();
      }, interruptGrace + termGrace + 2_000),
    );
    return this.done;
  }

  /** The window closed: end everything now, without waiting for a file. */
  dispose(): void {
    this.password?.fill(0);
    this.password = null;
    if (this.exited || this.pty === null) return;
    this.endedBy = 'stop';
    this.escalation = 'SIGKILL';
    this.signalGroup('SIGKILL');
    this.pty.kill('SIGHUP');
  }

  private interrupt(): void {
    if (this.exited || this.pty === null) return;
    if (this.spec.stop.kind === 'signal-target') {
      const helpers = this.spec.stop.helpers;
      const targets = descendantsOf(this.pty.pid).filter((p) => !helpers.includes(p.comm));
      for (const target of targets) trySignal(target.pid, 'SIGINT');
      if (targets.length > 0) return;
    }
    // The terminal's interrupt character: SIGINT to its foreground process group.
    this.pty.write('\x03');
  }

  /** node-pty's child leads its own session and process group, so -pid reaches everything it started. */
  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pty === null || this.exited) return;
    if (!trySignal(-this.pty.pid, signal)) trySignal(this.pty.pid, signal);
  }

  private onData(data: string): void {
    const marker = this.spec.promptMarker;
    let text = this.held + data;
    this.held = '';
    if (marker !== null) {
      let at: number;
      while ((at = text.indexOf(marker)) !== -1) {
        // sudo prints "marker " (we gave it a trailing blank); drop the blank with it.
        const end = text.startsWith(' ', at + marker.length) ? at + marker.length + 1 : at + marker.length;
        text = text.slice(0, at) + (this.spec.promptText ?? SUDO_PROMPT_TEXT) + text.slice(end);
        this.onPrompt();
      }
      // A marker cut in two by chunking: hold its beginning back until the rest arrives.
      for (let keep = Math.min(marker.length - 1, text.length); keep > 0; keep--) {
        if (marker.startsWith(text.slice(text.length - keep))) {
          this.held = text.slice(text.length - keep);
          text = text.slice(0, text.length - keep);
          break;
        }
      }
      if (/Sorry, try again\./.test(text)) this.status('sudo: wrong password, try again.');
      if (/incorrect password attempts?/.test(text)) this.status('sudo: too many wrong passwords.');
    }
    if (text === '') return;
    this.appendTranscript(text);
    this.emit('output', text);
  }

  private onPrompt(): void {
    this.attempts++;
    this.promptWaiting = true;
    if (this.durationTimer !== null) clearTimeout(this.durationTimer);
    this.durationTimer = null;
    // A password queued before the first prompt answers it; after a wrong one, ask again.
    if (this.password !== null && this.attempts === 1) this.answerPrompt();
    else {
      this.password?.fill(0);
      this.password = null;
      this.emit('passwordRequested', { attempt: this.attempts });
    }
  }

  private answerPrompt(): void {
    if (this.password === null || this.pty === null) return;
    this.promptWaiting = false;
    this.pty.write(this.password);
    this.password.fill(0);
    this.password = null;
    this.startDurationWhenProfilerRuns();
  }

  private startDurationWhenProfilerRuns(): void {
    const name = this.spec.profilerName?.slice(0, 15);
    const started = Date.now();
    const poll = setInterval(() => {
      if (this.promptWaiting || this.exited) return clearInterval(poll);
      const running = name !== undefined && process.platform === 'linux' && this.pty !== null && descendantsOf(this.pty.pid).some((p) => p.comm === name);
      if (running || (name === undefined && Date.now() - started >= 3000) || Date.now() - started >= 60_000) {
        clearInterval(poll);
        this.startDurationTimer();
      }
    }, 100);
    this.timers.push(poll);
  }

  private appendTranscript(text: string): void {
    const limit = this.spec.transcriptLimit ?? 1 << 20;
    this.transcript += text;
    if (this.transcript.length > limit) this.transcript = this.transcript.slice(this.transcript.length - limit);
  }

  private async reportProgress(): Promise<void> {
    let bytes: number | null = null;
    if (this.spec.progressPath !== null) {
      try {
        const info = await stat(this.spec.progressPath);
        bytes = info.isFile() ? info.size : null;
      } catch {
        bytes = 0;
      }
    }
    if (!this.exited) this.emit('progress', { elapsedMs: Date.now() - this.startedAt, bytes });
  }

  private status(message: string): void {
    this.emit('status', message);
  }

  private onExit(exitCode: number, signal: number): void {
    if (this.exited) return;
    this.exited = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.password?.fill(0);
    this.password = null;
    if (this.held !== '') {
      this.appendTranscript(this.held);
      this.emit('output', this.held);
      this.held = '';
    }
    const exit: SessionExit = {
      exitCode,
      signal,
      endedBy: this.endedBy,
      escalation: this.escalation,
      elapsedMs: Date.now() - this.startedAt,
      transcript: this.transcript,
    };
    this.emit('exit', exit);
    this.resolveDone(exit);
  }
}

/** kill(2) that reports instead of throwing: ESRCH (gone) and EPERM (root's) are expected here. */
function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
