/**
 * Helpers for the record-* tests: run a recording through
 * src-main/record/recorder.ts with real tools, collect its events, and wait
 * for things with a deadline so no test can hang.
 *
 * Exports:
 *   probedCaps()                     -> the machine's Capabilities, probed once
 *   recordingsDir(name)              -> a fresh folder under test-artifacts/record/
 *   runRecording(request, options?)  -> { recording, events, result } with every event kept
 *   waitFor(what, check, ms)         -> polls until check() is truthy, or throws naming `what`
 *   outputText(events)               -> the terminal output so far
 *   run(cmd, args, options?)         -> { status, stdout, stderr } of a tool, with a timeout
 *   startFixture(binary, args)       -> a running fixture process (killed by the returned stop())
 *   startServeFor({dataDir, record, user?}) -> `heatline serve [--record]` with its recordings in dataDir, optionally as another user
 *   RESOURCES_DIR
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeCapabilities, type Capabilities } from '../../src-main/record/capabilities';
import type { RecordRequestInput } from '../../src-shared/record/options';
import { startRecording, type Recording, type RecordingEvent, type RecordingResult, type RecorderContext } from '../../src-main/record/recorder';
import { ARTIFACTS_DIR } from './perf';

const REPO_ROOT = resolve(__dirname, '..', '..');
export const RESOURCES_DIR = join(REPO_ROOT, 'resources');

let caps: Promise<Capabilities> | null = null;
export function probedCaps(): Promise<Capabilities> {
  caps ??= probeCapabilities();
  return caps;
}

export function recordingsDir(name: string): string {
  const dir = join(ARTIFACTS_DIR, 'record', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface RunningRecording {
  recording: Recording;
  events: RecordingEvent[];
  /** The result, or the failure's one line as an Error; never rejects unhandled. */
  settled: Promise<{ result: RecordingResult | null; error: Error | null }>;
}

export async function runRecording(
  request: RecordRequestInput,
  options: Partial<RecorderContext> & { outputDir: string },
): Promise<RunningRecording> {
  const events: RecordingEvent[] = [];
  const context: RecorderContext = {
    caps: options.caps ?? (await probedCaps()),
    resourcesDir: RESOURCES_DIR,
    interruptGraceMs: 8000,
    termGraceMs: 3000,
    ...options,
  };
  const recording = await startRecording(request, context, (event) => events.push(event));
  const settled = recording.result.then(
    (result) => ({ result, error: null }),
    (error: Error) => ({ result: null, error }),
  );
  return { recording, events, settled };
}

/** The result within `ms`, or an error naming the recording's last output. */
export async function finished(running: RunningRecording, ms = 60_000): Promise<RecordingResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.recording.dispose();
      reject(new Error(`recording did not finish in ${ms} ms; output:\n${outputText(running.events).slice(-2000)}`));
    }, ms);
  });
  try {
    const { result, error } = await Promise.race([running.settled, timeout]);
    if (error) throw new Error(`recording failed: ${error.message}\noutput:\n${outputText(running.events).slice(-2000)}`);
    return result!;
  } finally {
    clearTimeout(timer);
  }
}

export function outputText(events: RecordingEvent[]): string {
  return events.map((e) => (e.type === 'output' ? e.data : '')).join('');
}

export async function waitFor<T>(what: string, check: () => T | null | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to the end (or kills it after `timeoutMs`), never throwing for a non-zero status. */
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
    // A tool that exits without reading its input (cat FILE) closes the pipe first: that is not a failure.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts a fixture in the background; `ready` resolves at its first output line. */
export function startFixture(binary: string, args: string[], options: { uid?: number; gid?: number } = {}): { child: ChildProcess; ready: Promise<void>; stop: () => void } {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'], uid: options.uid, gid: options.gid });
  const ready = new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} printed nothing in 10 s`)), 10_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.once('exit', () => reject(new Error(`${binary} exited before it was ready`)));
  });
  ready.catch(() => undefined);
  return { child, ready, stop: () => void child.kill('SIGKILL') };
}

/**
 * `heatline serve` for the record e2e tests: its recordings and sessions
 * list go to `dataDir` (HEATLINE_DATA_DIR); with `user`, it runs as that
 * user (runuser, so the user's own uid, groups and HOME), as a person who is
 * not root would run it. Output is kept so a test can search it for secrets.
 */
export function startServeFor(options: { dataDir: string; record: boolean; user?: string; cwd?: string }): Promise<{ url: string; child: ChildProcess; output: () => string; stop(): Promise<void> }> {
  const cli = join(REPO_ROOT, 'bin', 'heatline.js');
  const env = { ...process.env, HEATLINE_DATA_DIR: options.dataDir };
  const serveArgs = ['serve', '--port', '0', ...(options.record ? ['--record'] : [])];
  const [command, args] = options.user
    ? ['runuser', ['-u', options.user, '--', 'env', `HEATLINE_DATA_DIR=${options.dataDir}`, `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, process.execPath, cli, ...serveArgs]]
    : [process.execPath, [cli, ...serveArgs]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command as string, args as string[], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`heatline serve printed no URL in 20 s: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({
        url: match[0],
        child,
        output: () => output,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`heatline serve exited with ${code}: ${output}`)));
  });
}

/** A hand-made machine for unit tests: Linux, a user (uid 1000), perf and friends installed, paranoid 2. */
export function fakeCaps(overrides: Partial<Omit<Capabilities, 'perf'>> & { perf?: Partial<Capabilities['perf']> } = {}): Capabilities {
  const tool = (path: string) => ({ path, version: null });
  const { perf, ...rest } = overrides;
  return {
    platform: 'linux',
    distro: 'debian',
    uid: 1000,
    gid: 1000,
    userName: 'alice',
    tools: {
      perf: tool('/usr/bin/perf'),
      valgrind: tool('/usr/bin/valgrind'),
      heaptrack: tool('/usr/bin/heaptrack'),
      strace: tool('/usr/bin/strace'),
      sudo: tool('/usr/bin/sudo'),
      pkexec: tool('/usr/bin/pkexec'),
      sysctl: tool('/usr/sbin/sysctl'),
      chown: tool('/usr/bin/chown'),
      setpriv: tool('/usr/bin/setpriv'),
      env: tool('/usr/bin/env'),
    },
    ptraceScope: 0,
    polkitAgent: false,
    sipEnabled: null,
    ...rest,
    perf: { paranoid: 2, kptrRestrict: 0, dwarfUnwinding: true, hardwareCounters: false, lbr: false, schedSwitchReadable: false, ...perf },
  };
}

/**
 * Child mode, for the privilege tests: `node --import tsx test/helpers/record.ts child`
 * run as another user (runuser). The first stdin line is a job; later lines
 * are {"password": "..."} answers, as the app's password field would send.
 * Every event and result is printed as one JSON line on stdout.
 *   {"job":"check","request":{...}}                 decision + the error startRecording gives
 *   {"job":"refusal","request":{...},"perfArgs":[]} runs perf as this user; its refusal explained
 *   {"job":"record","request":{...},"outputDir":""} records, answering sudo's prompt
 */
async function child(): Promise<void> {
  const { createInterface } = await import('node:readline');
  const { checkRecording } = await import('../../src-main/record/recorder');
  const { explainRefusal, inspectTarget } = await import('../../src-main/record/privilege');
  const { recordRequestSchema } = await import('../../src-shared/record/options');
  const { SessionsStore } = await import('../../src-main/record/sessions-store');
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const lines = createInterface({ input: process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  const job = JSON.parse((await iterator.next()).value as string) as { job: string; request: RecordRequestInput; outputDir?: string; perfArgs?: string[] };
  const caps = await probedCaps();
  if (job.job === 'check') {
    print({ decision: await checkRecording(job.request, caps) });
    try {
      await startRecording(job.request, { caps, outputDir: '/nonexistent', resourcesDir: RESOURCES_DIR }, () => undefined);
      print({ error: null });
    } catch (error) {
      print({ error: (error as Error).message, name: (error as Error).name });
    }
  } else if (job.job === 'refusal') {
    const perf = await run(caps.tools.perf!.path, job.perfArgs!, { timeoutMs: 20_000 });
    const request = recordRequestSchema.parse(job.request);
    const target = request.target.kind === 'attach' ? await inspectTarget(request.target.pid, caps) : null;
    print({ status: perf.status, stderr: perf.stderr, explanation: explainRefusal(perf.stderr, request, caps, target) });
  } else if (job.job === 'record') {
    const store = new SessionsStore(job.outputDir!);
    const running = await runRecording(job.request, { caps, outputDir: job.outputDir!, store });
    // Answers arrive on stdin; each goes straight to the session, never to stdout.
    void (async () => {
      for await (const line of lines) running.recording.providePassword((JSON.parse(line) as { password: string }).password);
    })();
    const printed = new Set<RecordingEvent>();
    const flush = () => {
      for (const event of running.events) {
        if (printed.has(event)) continue;
        printed.add(event);
        print({ event });
      }
    };
    const timer = setInterval(flush, 50);
    const outcome = await running.settled;
    clearInterval(timer);
    flush();
    print({ result: outcome.result, error: outcome.error?.message ?? null });
  }
  lines.close();
  process.exit(0);
}

if (require.main === module && process.argv[2] === 'child') void child();
