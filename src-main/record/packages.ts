/**
 * Which package provides a missing tool on the user's system, so a missing
 * profiler is one line naming what to install instead of a spawn ENOENT.
 */

import { UserFacingError } from '../../src-shared/errors';
import type { Capabilities, Distro, ToolName } from './capabilities';

type Hint = Partial<Record<Distro, string>>;

// Install commands per package family. Ubuntu's perf is per kernel release: linux-tools-generic
// follows the default kernel; a custom kernel needs linux-tools-$(uname -r).
const HINTS: Partial<Record<ToolName, Hint>> = {
  perf: {
    debian: 'sudo apt install linux-perf',
    ubuntu: 'sudo apt install linux-tools-common linux-tools-generic',
    fedora: 'sudo dnf install perf',
    arch: 'sudo pacman -S perf',
    unknown: 'install your distribution\'s "perf" (linux-tools) package',
  },
  valgrind: {
    debian: 'sudo apt install valgrind',
    ubuntu: 'sudo apt install valgrind',
    fedora: 'sudo dnf install valgrind',
    arch: 'sudo pacman -S valgrind',
    macos: 'valgrind does not run on current macOS; record allocations on Linux',
    unknown: 'install your distribution\'s "valgrind" package',
  },
  heaptrack: {
    debian: 'sudo apt install heaptrack',
    ubuntu: 'sudo apt install heaptrack',
    fedora: 'sudo dnf install heaptrack',
    arch: 'sudo pacman -S heaptrack',
    macos: 'heaptrack runs only on Linux',
    unknown: 'install your distribution\'s "heaptrack" package',
  },
  strace: {
    debian: 'sudo apt install strace',
    ubuntu: 'sudo apt install strace',
    fedora: 'sudo dnf install strace',
    arch: 'sudo pacman -S strace',
    macos: 'strace runs only on Linux; use dtruss on macOS',
    unknown: 'install your distribution\'s "strace" package',
  },
  'py-spy': {
    arch: 'sudo pacman -S py-spy',
    macos: 'brew install py-spy',
    unknown: 'pip install py-spy (or pipx install py-spy)',
  },
  dtrace: { macos: 'dtrace is part of macOS; check that /usr/sbin/dtrace exists', unknown: 'dtrace is for macOS; use perf on Linux' },
  dtruss: { macos: 'dtruss is part of macOS; check that /usr/bin/dtruss exists', unknown: 'dtruss is for macOS; use strace on Linux' },
  xctrace: { macos: 'xctrace comes with Xcode (the Command Line Tools alone do not have it): install Xcode from the App Store' },
  pkexec: {
    debian: 'sudo apt install pkexec',
    ubuntu: 'sudo apt install pkexec',
    fedora: 'sudo dnf install polkit',
    arch: 'sudo pacman -S polkit',
  },
  sudo: { debian: 'apt install sudo (as root)', ubuntu: 'apt install sudo (as root)', fedora: 'dnf install sudo (as root)', arch: 'pacman -S sudo (as root)' },
  setpriv: {
    debian: 'sudo apt install util-linux',
    ubuntu: 'sudo apt install util-linux',
    fedora: 'sudo dnf install util-linux-core',
    arch: 'sudo pacman -S util-linux',
  },
};
HINTS.heaptrack_print = HINTS.heaptrack;
HINTS.ms_print = HINTS.valgrind;

/** "sudo apt install linux-perf" or the like; a generic line when the tool has no hint for this system. */
export function installHint(tool: ToolName, distro: Distro): string {
  const hint = HINTS[tool];
  return hint?.[distro] ?? hint?.unknown ?? `install "${tool}" with your system's package manager`;
}

export class MissingToolError extends UserFacingError {
  override name = 'MissingToolError';
  constructor(
    readonly tool: ToolName,
    readonly hint: string,
  ) {
    super(`${tool} is not installed: ${hint}`);
  }
}

/** The tool's absolute path, or a MissingToolError naming the package that provides it. */
export function requireTool(caps: Capabilities, tool: ToolName): string {
  const info = caps.tools[tool];
  if (!info) throw new MissingToolError(tool, installHint(tool, caps.distro));
  return info.path;
}
