/**
 * What the window (or the CLI) asks to record, as runtime schemas: the host
 * checks every request against them, because the window is untrusted.
 *
 * Pure (zod only, no node:*), so the host contract names these schemas and
 * the record dialog builds requests from the same types. Nothing here runs a
 * tool; src-main/record/instruments.ts turns a request into argv.
 */

import { z } from 'zod';
import { callGraphModes, DEFAULT_COUNTER_EVENTS, elevationMethods, MAX_DURATION_SECONDS } from './choices';

export { callGraphModes, DEFAULT_COUNTER_EVENTS, elevationMethods, instrumentIds, MAX_DURATION_SECONDS } from './choices';
export type { CallGraphMode, ElevationMethod, InstrumentId } from './choices';


// perf's event syntax (cpu-clock, sched:sched_switch, cpu/event=0x3c,umask=0/u, L1-dcache-loads:u).
const perfEvent = z.string().regex(/^[A-Za-z0-9_.:\-/=,@]{1,200}$/, 'an event name is letters, digits and _ . : - / = , @');

export const instrumentOptionsSchema = z.discriminatedUnion('instrument', [
  z
    .object({
      instrument: z.literal('cpu'),
      /** perf on Linux; dtrace's profile provider or xctrace's Time Profiler on macOS. */
      tool: z.enum(['perf', 'dtrace', 'xctrace']).default('perf'),
      callGraph: z.enum(callGraphModes).default('fp'),
      /** Samples per second. perf's default is 4000; 999 avoids lockstep with 1 kHz timers. */
      frequency: z.number().int().min(1).max(50_000).default(999),
    })
    .strict(),
  z.object({ instrument: z.literal('offcpu'), callGraph: z.enum(callGraphModes).default('fp') }).strict(),
  z
    .object({
      instrument: z.literal('syscalls'),
      tool: z.enum(['strace', 'dtruss']).default('strace'),
      /** summary: `strace -c -f` counts; timeline: `strace -f -T -tt`, one line per call. */
      mode: z.enum(['summary', 'timeline']).default('summary'),
    })
    .strict(),
  z
    .object({
      instrument: z.literal('counters'),
      events: z.array(perfEvent).min(1).max(64).default(DEFAULT_COUNTER_EVENTS),
      /** perf stat --repeat: runs the command N times and reports the variance of each counter. */
      repeat: z.number().int().min(1).max(100).default(1),
    })
    .strict(),
  z.object({ instrument: z.literal('heaptrack') }).strict(),
  z.object({ instrument: z.literal('dhat') }).strict(),
  z.object({ instrument: z.literal('massif') }).strict(),
  z
    .object({
      instrument: z.literal('pyspy'),
      rate: z.number().int().min(1).max(10_000).default(100),
      /** Also sample native (C) frames. */
      native: z.boolean().default(false),
    })
    .strict(),
]);
export type InstrumentOptions = z.infer<typeof instrumentOptionsSchema>;

/**
 * A string handed to the program as a C string (argv word, folder, env
 * value): node-pty cuts it at a NUL without a word, so a NUL is refused here.
 */
const cString = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !text.includes('\0'), 'contains a NUL character');

/** Bounds of a launch's environment: enough for any real program, far below what could flood the host. */
export const MAX_ENV_VARIABLES = 256;
export const MAX_ENV_VALUE_LENGTH = 32_768;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name is 1-128 letters, digits and _, not starting with a digit');
const envVariables = z
  .record(envName, cString(MAX_ENV_VALUE_LENGTH))
  .refine((env) => Object.keys(env).length <= MAX_ENV_VARIABLES, `at most ${MAX_ENV_VARIABLES} environment variables`);

export const recordTargetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('launch'),
      /** argv: the program then its arguments, never a shell line. */
      command: z.array(cString(8192).min(1)).min(1).max(4096),
      /** Working directory; default the user's home (app) or the current directory (CLI). */
      cwd: cString(4096).min(1).optional(),
      /** Added to (or replacing in) the environment the program inherits. */
      env: envVariables.default({}),
    })
    .strict(),
  z.object({ kind: z.literal('attach'), pid: z.number().int().min(1).max(2 ** 31 - 1) }).strict(),
]);
export type RecordTarget = z.infer<typeof recordTargetSchema>;


/** The terminal's size in characters, as xterm.js reports it (a session's start and every resize). */
export const terminalCols = z.number().int().min(10).max(1000);
export const terminalRows = z.number().int().min(2).max(1000);
/** Stop by itself after this many seconds; null: until Stop (or until a launched program exits). */
export const durationSeconds = z.number().positive().max(MAX_DURATION_SECONDS).nullable().default(null);

export const recordRequestSchema = z
  .object({
    target: recordTargetSchema,
    options: instrumentOptionsSchema,
    durationSeconds,
    /** Run the profiler elevated this way; null: as the user. */
    elevation: z.enum(elevationMethods).nullable().default(null),
    /** Terminal size of the window's xterm.js. */
    cols: terminalCols.default(120),
    rows: terminalRows.default(30),
  })
  .strict();
export type RecordRequest = z.infer<typeof recordRequestSchema>;
/** What a caller writes before defaults are applied (the CLI builds these). */
export type RecordRequestInput = z.input<typeof recordRequestSchema>;

/**
 * Formats a recording produces. Those that are importer ids open in the
 * analysis views, and so does 'strace-timeline' (the strace importer); the
 * others (counters, the syscall summary) are tables that record/outputs/
 * parses.
 */
export type RecordingFormat =
  | 'perf.data'
  | 'collapsed'
  | 'speedscope'
  | 'dhat'
  | 'massif'
  | 'heaptrack'
  | 'perf-stat-csv'
  | 'strace-summary'
  | 'strace-timeline'
  | 'dtruss'
  | 'xctrace-xml';

export type SessionState = 'starting' | 'running' | 'stopping' | 'finished' | 'failed';
