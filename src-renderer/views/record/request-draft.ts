/**
 * The record dialog's fields, as typed, and how they become a RecordRequest
 * (or the first problem, in words). Pure, so the rules are unit-tested.
 *
 * The command line is split like a shell would split words (blanks, '…',
 * "…", backslash), but nothing is expanded and it is never run by a shell:
 * the host gets an argv array.
 */

import { DEFAULT_COUNTER_EVENTS, MAX_DURATION_SECONDS, type CallGraphMode, type ElevationMethod, type InstrumentId } from '../../../src-shared/record/choices';
import type { InstrumentOptions, RecordRequest } from '../../../src-shared/record/options';

export interface RecordDraft {
  targetKind: 'launch' | 'attach';
  commandLine: string;
  cwd: string;
  /** KEY=VALUE per line. */
  envText: string;
  pid: string;
  instrument: InstrumentId;
  cpuTool: 'perf' | 'dtrace' | 'xctrace';
  callGraph: CallGraphMode;
  frequency: string;
  syscallTool: 'strace' | 'dtruss';
  syscallMode: 'summary' | 'timeline';
  counterEvents: string;
  repeat: string;
  pyspyRate: string;
  pyspyNative: boolean;
  untilStop: boolean;
  seconds: string;
}

export function defaultDraft(platform: string): RecordDraft {
  const mac = platform === 'darwin';
  return {
    targetKind: 'launch',
    commandLine: '',
    cwd: '',
    envText: '',
    pid: '',
    instrument: 'cpu',
    cpuTool: mac ? 'dtrace' : 'perf',
    callGraph: 'fp',
    frequency: '999',
    syscallTool: mac ? 'dtruss' : 'strace',
    syscallMode: 'summary',
    counterEvents: DEFAULT_COUNTER_EVENTS.join(','),
    repeat: '1',
    pyspyRate: '100',
    pyspyNative: false,
    untilStop: true,
    seconds: '10',
  };
}

/**
 * The draft kept while the dialog is closed (the attach picker replaces it
 * for a moment, and reopening Record shows what was typed last time).
 */
export const draftMemory: { draft: RecordDraft | null } = { draft: null };

/** Shell-like word splitting without expansion: "a 'b c' d\ e" -> [a, b c, d e]. */
export function splitCommandLine(line: string): string[] | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) return { error: `the command line has an unclosed ${quote === '"' ? 'double' : 'single'} quote` };
  if (inWord) words.push(word);
  return words;
}

/** KEY=VALUE lines (blank lines and # comments ignored). */
export function parseEnv(text: string): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line : line.slice(0, eq);
    if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { error: `environment: "${line.slice(0, 40)}" is not NAME=value` };
    env[name] = line.slice(eq + 1);
  }
  return { env };
}

function whole(text: string, what: string, min: number, max: number): number | { error: string } {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) return { error: `${what} must be a whole number from ${min} to ${max}` };
  return value;
}

export function optionsOf(draft: RecordDraft): InstrumentOptions | { error: string } {
  switch (draft.instrument) {
    case 'cpu': {
      const frequency = whole(draft.frequency, 'the sampling frequency', 1, 50_000);
      if (typeof frequency !== 'number') return frequency;
      return { instrument: 'cpu', tool: draft.cpuTool, callGraph: draft.callGraph, frequency };
    }
    case 'offcpu':
      return { instrument: 'offcpu', callGraph: draft.callGraph };
    case 'syscalls':
      return { instrument: 'syscalls', tool: draft.syscallTool, mode: draft.syscallMode };
    case 'counters': {
      const events = draft.counterEvents.split(/[\s,]+/).filter((e) => e !== '');
      if (events.length === 0) return { error: 'name at least one perf event' };
      const bad = events.find((e) => !/^[A-Za-z0-9_.:\-/=@]{1,200}$/.test(e));
      if (bad !== undefined) return { error: `"${bad.slice(0, 40)}" is not a perf event name` };
      const repeat = whole(draft.repeat, 'repeat', 1, 100);
      if (typeof repeat !== 'number') return repeat;
      return { instrument: 'counters', events, repeat };
    }
    case 'pyspy': {
      const rate = whole(draft.pyspyRate, 'the sampling rate', 1, 10_000);
      if (typeof rate !== 'number') return rate;
      return { instrument: 'pyspy', rate, native: draft.pyspyNative };
    }
    default:
      return { instrument: draft.instrument };
  }
}

/** The request the host checks and runs, or the first problem with the fields. */
export function buildRequest(
  draft: RecordDraft,
  extra: { elevation: ElevationMethod | null; cols: number; rows: number },
): RecordRequest | { error: string } {
  let target: RecordRequest['target'];
  if (draft.targetKind === 'launch') {
    const command = splitCommandLine(draft.commandLine);
    if ('error' in command) return command;
    if (command.length === 0) return { error: 'type the command to launch' };
    const parsed = parseEnv(draft.envText);
    if ('error' in parsed) return parsed;
    const cwd = draft.cwd.trim();
    target = { kind: 'launch', command, env: parsed.env, ...(cwd !== '' ? { cwd } : {}) };
  } else {
    const pid = whole(draft.pid, 'the process id', 1, 2 ** 31 - 1);
    if (typeof pid !== 'number') return { error: 'pick a process to attach to (or type its PID)' };
    target = { kind: 'attach', pid };
  }
  const options = optionsOf(draft);
  if ('error' in options) return options;
  let durationSeconds: number | null = null;
  if (!draft.untilStop) {
    const seconds = Number(draft.seconds.trim());
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_DURATION_SECONDS) return { error: 'the duration must be a number of seconds above 0' };
    durationSeconds = seconds;
  }
  return { target, options, durationSeconds, elevation: extra.elevation, cols: extra.cols, rows: extra.rows };
}
