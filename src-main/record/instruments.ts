/**
 * Instruments: how each one turns a request into the profiler's argv, which
 * file it writes, how it is stopped and what to do with its output. Argv
 * arrays only, argv[0] an absolute path: nothing here goes through a shell,
 * and privilege.ts can check argv[0] against its allow-list before elevating.
 *
 * Stopping, per tool (checked by hand and by the record-* tests):
 * - perf record / perf stat / strace / valgrind / py-spy / dtrace / xctrace
 *   write a complete file on SIGINT. Ctrl+C typed into the terminal (the pty)
 *   reaches the profiler and the launched program (one process group), also
 *   when the profiler runs elevated and may not be signalled by us.
 * - strace that launched the program ignores a SIGINT sent to strace alone:
 *   the program must get it too, which Ctrl+C does.
 * - perf stat --repeat starts the next run after Ctrl+C: send it once per run.
 * - heaptrack is a shell script piping the program's events through
 *   heaptrack_interpret into zstd; Ctrl+C kills those helpers too and leaves
 *   an empty file. So only the launched program gets SIGINT, and the script
 *   finishes writing when the program exits.
 */

import { isAbsolute, join, resolve } from 'node:path';
import { UserFacingError } from '../../src-shared/errors';
import { which, type Capabilities, type ToolName } from './capabilities';
import type { InstrumentOptions, RecordRequest, RecordTarget, RecordingFormat } from '../../src-shared/record/options';
import { requireTool } from './packages';

export type StopStrategy =
  /** Type Ctrl+C into the terminal; `perRun`: once more every half second (perf stat --repeat). */
  | { kind: 'interrupt'; perRun: boolean }
  /** SIGINT to the launched program only: the profiler's descendants except these helper process names. */
  | { kind: 'signal-target'; helpers: string[] };

export type FinishStep =
  | { kind: 'none' }
  /** heaptrack appends .zst or .gz (whichever compressor it found) to the name it is given. */
  | { kind: 'heaptrack-suffix' }
  /** dtrace's aggregated stacks (rawPath) become collapsed stacks (the result path). */
  | { kind: 'dtrace-to-collapsed'; rawPath: string }
  /** The .trace bundle is exported to XML by `xctrace export`. */
  | { kind: 'xctrace-export'; tracePath: string; xctrace: string }
  /** The tool prints to the terminal (dtruss): the result is the session's transcript. */
  | { kind: 'transcript' };

export interface RecordPlan {
  /** The profiler: argv[0] is its absolute path. */
  tool: ToolName;
  argv: string[];
  /** Where the result ends up (after `finish`). */
  resultPath: string;
  /** The file the profiler writes; created empty beforehand when `precreate`, so an elevated profiler keeps the user as owner. */
  writtenPath: string;
  precreate: boolean;
  format: RecordingFormat;
  stop: StopStrategy;
  finish: FinishStep;
  /** "perf record: CPU samples, frame pointers, 999 Hz" for the sessions list and status line. */
  label: string;
}

export interface PlanContext {
  caps: Capabilities;
  /** The result file without extension; the instrument adds its own (x.perf.data, x.strace.txt). */
  outputStem: string;
  /** Or exactly this file (CLI -o); heaptrack still appends its compressor's suffix. */
  outputFile?: string;
  /** Folder of resources/dtrace/*.d. */
  resourcesDir: string;
  /** Where a launched command's relative path and the session start (default: process.cwd()). */
  cwd?: string;
  /** PATH used to find the launched command (default: process.env.PATH). */
  userPath?: string;
  /**
   * Set when the profiler will run elevated on Linux: the launched program is
   * started as this user again (setpriv), with its environment additions and
   * working directory passed through `env`, because sudo and pkexec reset both.
   */
  dropTo?: { uid: number; gid: number; home?: string };
}

interface Describe {
  label: string;
  tools: string[];
  /** Which tools can attach to a running process (the others only launch). */
  attach: boolean;
  platforms: NodeJS.Platform[];
}

/** For the record dialog: a label, the tool, and whether the instrument can attach. */
export const instrumentInfo: Record<InstrumentOptions['instrument'], Describe> = {
  cpu: { label: 'CPU sampling', tools: ['perf', 'dtrace', 'xctrace'], attach: true, platforms: ['linux', 'darwin'] },
  offcpu: { label: 'Off-CPU / scheduling', tools: ['perf'], attach: true, platforms: ['linux'] },
  syscalls: { label: 'System calls', tools: ['strace', 'dtruss'], attach: true, platforms: ['linux', 'darwin'] },
  counters: { label: 'Counters (perf stat)', tools: ['perf'], attach: true, platforms: ['linux'] },
  heaptrack: { label: 'Allocations (heaptrack)', tools: ['heaptrack'], attach: false, platforms: ['linux'] },
  dhat: { label: 'Allocations (valgrind DHAT)', tools: ['valgrind'], attach: false, platforms: ['linux'] },
  massif: { label: 'Heap over time (valgrind massif)', tools: ['valgrind'], attach: false, platforms: ['linux'] },
  pyspy: { label: 'Python (py-spy)', tools: ['py-spy'], attach: true, platforms: ['linux', 'darwin'] },
};

/** The profiler binary an instrument runs (argv[0] of its plan). */
export function profilerOf(options: InstrumentOptions): ToolName {
  switch (options.instrument) {
    case 'cpu':
      return options.tool;
    case 'syscalls':
      return options.tool;
    case 'offcpu':
    case 'counters':
      return 'perf';
    case 'heaptrack':
      return 'heaptrack';
    case 'dhat':
    case 'massif':
      return 'valgrind';
    case 'pyspy':
      return 'py-spy';
  }
}

export async function buildPlan(request: RecordRequest, ctx: PlanContext): Promise<RecordPlan> {
  const { options, target } = request;
  const { caps } = ctx;
  const tool = profilerOf(options);
  const info = instrumentInfo[options.instrument];
  if (!info.platforms.includes(caps.platform)) throw new UserFacingError(`${info.label} is not available on ${caps.platform}`);
  if (target.kind === 'attach' && !info.attach) {
    throw new UserFacingError(`${info.label} can only launch a program, not attach to a running one`);
  }
  const profiler = requireTool(caps, tool);
  const out = (extension: string) => ctx.outputFile ?? `${ctx.outputStem}${extension}`;
  const program = target.kind === 'launch' ? await launchArgv(target, ctx) : [];
  const pid = target.kind === 'attach' ? String(target.pid) : '';
  const plan = (p: Omit<RecordPlan, 'tool' | 'writtenPath' | 'precreate' | 'finish'> & Partial<RecordPlan>): RecordPlan => ({
    tool,
    writtenPath: p.resultPath,
    precreate: true,
    finish: { kind: 'none' },
    ...p,
  });
  const interrupt: StopStrategy = { kind: 'interrupt', perRun: false };

  switch (options.instrument) {
    case 'cpu': {
      if (options.tool === 'perf') {
        const resultPath = out('.perf.data');
        const event = caps.perf.hardwareCounters ? 'cycles' : 'cpu-clock';
        const argv = [profiler, 'record', '-e', event, '-F', String(options.frequency), ...callGraphArgs(options.callGraph, caps)];
        argv.push('-o', resultPath, ...(pid ? ['-p', pid] : ['--', ...program]));
        return plan({ argv, resultPath, format: 'perf.data', stop: interrupt, label: `perf record: CPU (${event}), ${options.callGraph} call graphs, ${options.frequency} Hz` });
      }
      if (options.tool === 'dtrace') {
        const resultPath = out('.collapsed.txt');
        const rawPath = `${resultPath}.dtrace`;
        const script = join(ctx.resourcesDir, 'dtrace', 'cpu-profile.d');
        const targetArgs = pid ? ['-p', pid] : ['-c', dtraceCommandString(program)];
        const seconds = request.durationSeconds === null ? 0 : Math.ceil(request.durationSeconds);
        const argv = [profiler, '-q', '-o', rawPath, ...targetArgs, '-s', script, String(options.frequency), String(seconds)];
        return plan({ argv, resultPath, writtenPath: rawPath, format: 'collapsed', stop: interrupt, finish: { kind: 'dtrace-to-collapsed', rawPath }, label: `dtrace profile provider, ${options.frequency} Hz, user stacks` });
      }
      const resultPath = out('.xctrace.xml');
      const tracePath = `${resultPath.replace(/\.xml$/, '')}.trace`;
      const argv = [profiler, 'record', '--template', 'Time Profiler', '--output', tracePath];
      if (request.durationSeconds !== null) argv.push('--time-limit', `${Math.ceil(request.durationSeconds)}s`);
      argv.push(...(pid ? ['--attach', pid] : ['--launch', '--', ...program]));
      return plan({ argv, resultPath, writtenPath: tracePath, precreate: false, format: 'xctrace-xml', stop: interrupt, finish: { kind: 'xctrace-export', tracePath, xctrace: profiler }, label: 'xctrace Time Profiler' });
    }
    case 'offcpu': {
      // Every switch away from a thread is a sample with that thread's stack: where it waited.
      const resultPath = out('.perf.data');
      const argv = [profiler, 'record', '-e', 'sched:sched_switch', '--switch-events', ...callGraphArgs(options.callGraph, caps)];
      argv.push('-o', resultPath, ...(pid ? ['-p', pid] : ['--', ...program]));
      return plan({ argv, resultPath, format: 'perf.data', stop: interrupt, label: `perf record: off-CPU (sched:sched_switch), ${options.callGraph} call graphs` });
    }
    case 'syscalls': {
      if (options.tool === 'strace') {
        const summary = options.mode === 'summary';
        const resultPath = out(summary ? '.strace-summary.txt' : '.strace.txt');
        const timeline = ['-f', '-T', '-tt', ...(straceNamesProcesses(caps) ? ['-Y'] : [])];
        const argv = [profiler, ...(summary ? ['-c', '-f'] : timeline), '-o', resultPath, ...(pid ? ['-p', pid] : ['--', ...program])];
        return plan({ argv, resultPath, format: summary ? 'strace-summary' : 'strace-timeline', stop: interrupt, label: summary ? 'strace -c: system call counts' : 'strace: every system call, timed' });
      }
      // dtruss has no output option: it prints to the terminal, which the session keeps.
      const resultPath = out('.dtruss.txt');
      const argv = [profiler, ...(options.mode === 'summary' ? ['-c', '-f'] : ['-f', '-d', '-e']), ...(pid ? ['-p', pid] : program)];
      return plan({ argv, resultPath, precreate: false, format: 'dtruss', stop: interrupt, finish: { kind: 'transcript' }, label: `dtruss: system calls (${options.mode})` });
    }
    case 'counters': {
      if (pid && options.repeat > 1) throw new UserFacingError('perf stat --repeat runs a command again: it cannot repeat an attached process');
      const resultPath = out('.perf-stat.csv');
      const argv = [profiler, 'stat', '-x', ',', '-e', options.events.join(','), ...(options.repeat > 1 ? ['-r', String(options.repeat)] : [])];
      argv.push('-o', resultPath, ...(pid ? ['-p', pid] : ['--', ...program]));
      return plan({ argv, resultPath, format: 'perf-stat-csv', stop: { kind: 'interrupt', perRun: options.repeat > 1 }, label: `perf stat: ${options.events.join(', ')}${options.repeat > 1 ? `, ${options.repeat} runs` : ''}` });
    }
    case 'heaptrack': {
      // The script splits its -o argument on spaces (unquoted $2), so refuse those paths here.
      const base = (ctx.outputFile ?? `${ctx.outputStem}.heaptrack`).replace(/\.(zst|gz)$/, '');
      if (/\s/.test(base)) throw new UserFacingError(`heaptrack cannot write to a path with spaces: ${base}`);
      // The program path is absolute, so the script cannot take it for an option: no "--" (it does not know it).
      const argv = [profiler, '-o', base, ...program];
      return plan({ argv, resultPath: base, precreate: false, format: 'heaptrack', stop: { kind: 'signal-target', helpers: HEAPTRACK_HELPERS }, finish: { kind: 'heaptrack-suffix' }, label: 'heaptrack: every allocation' });
    }
    case 'dhat': {
      const resultPath = out('.dhat.json');
      return plan({ argv: [profiler, '--tool=dhat', `--dhat-out-file=${resultPath}`, ...program], resultPath, format: 'dhat', stop: interrupt, label: 'valgrind DHAT: allocations and their use' });
    }
    case 'massif': {
      const resultPath = out('.massif.out');
      return plan({ argv: [profiler, '--tool=massif', `--massif-out-file=${resultPath}`, ...program], resultPath, format: 'massif', stop: interrupt, label: 'valgrind massif: heap over time' });
    }
    case 'pyspy': {
      const resultPath = out('.speedscope.json');
      const argv = [profiler, 'record', '--format', 'speedscope', '-o', resultPath, '--rate', String(options.rate), ...(options.native ? ['--native'] : [])];
      argv.push(...(pid ? ['--pid', pid] : ['--', ...program]));
      return plan({ argv, resultPath, format: 'speedscope', stop: interrupt, label: `py-spy: Python stacks, ${options.rate} Hz` });
    }
  }
}

/** heaptrack's helpers (comm, at most 15 characters): they must outlive the program to finish the file. */
const HEAPTRACK_HELPERS = ['heaptrack', 'heaptrack_inter', 'heaptrack_interpret', 'zstd', 'gzip', 'bash', 'sh', 'gdb'];

function callGraphArgs(mode: 'fp' | 'dwarf' | 'lbr', caps: Capabilities): string[] {
  if (mode === 'dwarf' && !caps.perf.dwarfUnwinding) throw new UserFacingError('this perf was built without DWARF unwinding: use frame pointers (fp)');
  if (mode === 'lbr' && !caps.perf.lbr) throw new UserFacingError('LBR call graphs need an Intel CPU with its performance counters visible (not in most VMs)');
  return ['--call-graph', mode];
}

/**
 * The launched program's argv: its path resolved now (as the user, with the
 * user's PATH: root's PATH differs), and when the profiler runs elevated,
 * started as the user again through setpriv with env carrying the
 * environment additions and working directory.
 */
async function launchArgv(target: Extract<RecordTarget, { kind: 'launch' }>, ctx: PlanContext): Promise<string[]> {
  const cwd = target.cwd ?? ctx.cwd ?? process.cwd();
  const [name, ...args] = target.command;
  let path: string | null;
  if (name.includes('/')) path = isAbsolute(name) ? name : resolve(cwd, name);
  else path = await which(name, ctx.userPath ?? process.env.PATH ?? '');
  if (path === null) throw new UserFacingError(`${name}: command not found`);
  if (!ctx.dropTo) return [path, ...args];
  const { uid, gid, home } = ctx.dropTo;
  const setpriv = requireTool(ctx.caps, 'setpriv');
  const env = requireTool(ctx.caps, 'env');
  const assignments = Object.entries({ ...(home ? { HOME: home } : {}), ...target.env }).map(([k, v]) => `${k}=${v}`);
  return [setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', env, `--chdir=${cwd}`, '--', ...assignments, path, ...args];
}

/**
 * dtrace's -c takes one string and splits it on blanks itself, with no
 * quoting: an argument with a blank cannot be passed, so say so rather than
 * run something else.
 */
export function dtraceCommandString(program: string[]): string {
  const blank = program.find((arg) => /\s/.test(arg) || arg === '');
  if (blank !== undefined) throw new UserFacingError(`dtrace -c cannot pass an argument with spaces ("${blank}"); attach to the running program instead`);
  return program.join(' ');
}

/**
 * strace 5.17 and later print each pid's command name (`-Y`: `1234<prog> read(...)`),
 * which names the timeline's threads; strace cuts execve's path at 32 characters,
 * so without it a launched program's thread is often only "pid N".
 */
export function straceNamesProcesses(caps: Capabilities): boolean {
  const match = /version (\d+)\.(\d+)/.exec(caps.tools.strace?.version ?? '');
  if (match === null) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 5 || (major === 5 && minor >= 17);
}
