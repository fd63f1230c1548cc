/**
 * Elevated command lines: pkexec, sudo in the session's terminal, or macOS's
 * administrator prompt (osascript). Always argv arrays whose program is one
 * of an allow-list of profilers, by the absolute path probed into
 * Capabilities; the one shell string (osascript's `do shell script`) quotes
 * every element.
 *
 * Who owns what an elevated profiler writes: the session creates the output
 * file empty, as the user, before starting. perf, strace, py-spy and
 * dtrace open an existing file without replacing it (perf renames only a
 * non-empty one to .old), so the file stays the user's and no second
 * elevated command is needed. When a tool did replace it anyway (the owner is
 * root afterwards), `chownArgv` hands it back with one more elevated chown.
 */

import { randomBytes } from 'node:crypto';
import { UserFacingError } from '../../src-shared/errors';
import type { Capabilities, ToolName } from './capabilities';
import type { ElevationMethod } from '../../src-shared/record/options';
import { requireTool } from './packages';

/**
 * The only programs ever run elevated. heaptrack and valgrind are not here:
 * they run the program inside themselves, so elevating them would run the
 * user's program as root, and they never need it for a program they launch.
 */
export const ELEVATABLE_TOOLS: readonly ToolName[] = ['perf', 'strace', 'py-spy', 'dtrace', 'dtruss', 'xctrace', 'sysctl', 'chown'];

export interface ElevatedCommand {
  argv: string[];
  /** sudo's password prompt, unique per session: the session answers it when it sees it in the terminal. */
  promptMarker: string | null;
}

/** A prompt no program prints by chance; no % (sudo expands %u, %h, %p in prompts). */
export function newPromptMarker(): string {
  return `[heatline-sudo-${randomBytes(8).toString('hex')}]`;
}

/** Refuses anything but an allow-listed profiler, named by its probed absolute path. */
export function assertElevatable(argv: readonly string[], caps: Capabilities): ToolName {
  const program = argv[0];
  const tool = ELEVATABLE_TOOLS.find((name) => caps.tools[name]?.path === program);
  if (tool === undefined) throw new UserFacingError(`refusing to run ${program ?? 'nothing'} elevated: only ${ELEVATABLE_TOOLS.join(', ')} may be`);
  return tool;
}

export function elevate(method: ElevationMethod, argv: readonly string[], caps: Capabilities): ElevatedCommand {
  assertElevatable(argv, caps);
  switch (method) {
    case 'pkexec':
      if (caps.platform !== 'linux') throw new UserFacingError('pkexec is for Linux');
      return { argv: [requireTool(caps, 'pkexec'), ...argv], promptMarker: null };
    case 'sudo': {
      // sudo reads the password from the terminal (the session's pty) with echo off; -p sets the prompt we watch for.
      const promptMarker = newPromptMarker();
      return { argv: [requireTool(caps, 'sudo'), '-p', `${promptMarker} `, '--', ...argv], promptMarker };
    }
    case 'osascript':
      if (caps.platform !== 'darwin') throw new UserFacingError('the administrator prompt (osascript) is for macOS');
      return { argv: [requireTool(caps, 'osascript'), '-e', administratorScript(argv)], promptMarker: null };
  }
}

/** `sysctl -w kernel.perf_event_paranoid=LEVEL`, elevated: lasts until reboot. */
export function lowerParanoidCommand(method: ElevationMethod, level: number, caps: Capabilities): ElevatedCommand {
  if (!Number.isInteger(level) || level < -1 || level > 2) throw new UserFacingError(`perf_event_paranoid ${level} is not a level to lower to`);
  return elevate(method, [requireTool(caps, 'sysctl'), '-w', `kernel.perf_event_paranoid=${level}`], caps);
}

/** Hands a result (file or .trace folder) back to the user after an elevated tool replaced it. */
export function chownCommand(method: ElevationMethod, path: string, caps: Capabilities): ElevatedCommand {
  return elevate(method, [requireTool(caps, 'chown'), '-R', '--', `${caps.uid}:${caps.gid}`, path], caps);
}

/** POSIX shell single quotes: everything literal; a ' becomes '\'' (close, escaped quote, reopen). */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An AppleScript string literal: backslash and double quote escaped; other characters are literal. */
export function appleScriptString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `do shell script "<argv, each element shell-quoted>" with administrator privileges`:
 * macOS shows its own password dialog and runs the line with /bin/sh as root.
 * A NUL cannot be passed through either layer, so it is refused.
 */
export function administratorScript(argv: readonly string[]): string {
  if (argv.some((arg) => arg.includes('\0'))) throw new UserFacingError('an argument contains a NUL character');
  const line = argv.map(shellQuote).join(' ');
  return `do shell script ${appleScriptString(line)} with administrator privileges`;
}
