/**
 * What this machine can record, probed once into one typed record
 * (STYLE.md point 11): which profilers and elevation helpers are installed,
 * the kernel's perf settings, whether a polkit agent is there to show
 * pkexec's password dialog. The record dialog enables options from it,
 * privilege.ts decides from it, and tests inject a hand-made one.
 *
 * Probing never throws: a tool that is missing, a file that cannot be read or
 * a version command that hangs becomes "absent" or null, because a machine
 * without perf must still open the record dialog and say what to install.
 */

import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export const toolNames = [
  'perf',
  'valgrind',
  'heaptrack',
  'heaptrack_print',
  'ms_print',
  'strace',
  'py-spy',
  'dtrace',
  'dtruss',
  'xctrace',
  'pkexec',
  'sudo',
  'osascript',
  'sysctl',
  'chown',
  'setpriv',
  'env',
] as const;
export type ToolName = (typeof toolNames)[number];

export interface ToolInfo {
  /** Absolute path, resolved once: elevated commands use it, never a PATH lookup as root. */
  path: string;
  /** The first line of its version output, when the tool has a cheap one (perf, valgrind, strace). */
  version: string | null;
}

/** Package families whose install hints differ (instruments.ts maps tools to package names). */
export type Distro = 'debian' | 'ubuntu' | 'fedora' | 'arch' | 'macos' | 'unknown';

export interface Capabilities {
  platform: NodeJS.Platform;
  distro: Distro;
  /** Who runs Heatline: a target owned by someone else needs elevation. */
  uid: number;
  gid: number;
  userName: string;
  /** Installed tools; a missing one has no key. */
  tools: Partial<Record<ToolName, ToolInfo>>;
  perf: {
    /** /proc/sys/kernel/perf_event_paranoid; null when unreadable or not Linux. */
    paranoid: number | null;
    /** /proc/sys/kernel/kptr_restrict: kernel symbol addresses are hidden when > 0 (for non-root). */
    kptrRestrict: number | null;
    /** perf was built with DWARF unwinding (`perf version --build-options`). */
    dwarfUnwinding: boolean;
    /** A hardware PMU is present (/sys/bus/event_source/devices/cpu): VMs often have only software events. */
    hardwareCounters: boolean;
    /** Last branch records: Intel hardware with a PMU. */
    lbr: boolean;
    /** sched:sched_switch can be opened by this user (tracefs readable), as off-CPU needs. */
    schedSwitchReadable: boolean;
  };
  /**
   * Yama's /proc/sys/kernel/yama/ptrace_scope: 1 lets a user ptrace (strace -p,
   * py-spy --pid) only its own descendants, 2 only with CAP_SYS_PTRACE, 3 never.
   * 0 when Yama is absent; null off Linux.
   */
  ptraceScope: number | null;
  /** A polkit authentication agent runs in this session, so pkexec can show its dialog. */
  polkitAgent: boolean;
  /** macOS System Integrity Protection is on (limits what dtrace sees); null when unknown or not macOS. */
  sipEnabled: boolean | null;
}

export interface ProbeOptions {
  /** The PATH to search (default: process.env.PATH plus the sbin folders, where sysctl lives). */
  path?: string;
  /** For tests: another root than / for /proc, /sys and /etc. */
  root?: string;
}

/** Polkit agents by process name (comm, at most 15 characters). gnome-shell and cinnamon embed one. */
const POLKIT_AGENT_NAMES = [
  'polkit-gnome-au',
  'polkit-kde-auth',
  'polkit-mate-aut',
  'lxpolkit',
  'lxqt-policykit-',
  'xfce-polkit',
  'mate-polkit',
  'polkit-agent-he',
  'gnome-shell',
  'cinnamon',
  'budgie-polkit-d',
  'hyprpolkitagent',
];

const PROBE_TIMEOUT_MS = 3000;

export async function probeCapabilities(options: ProbeOptions = {}): Promise<Capabilities> {
  const root = options.root ?? '/';
  const platform = process.platform;
  const searchPath = options.path ?? [process.env.PATH ?? '', '/usr/sbin', '/sbin', '/usr/local/sbin'].join(delimiter);
  const found = await Promise.all(toolNames.map(async (name) => [name, await which(name, searchPath)] as const));
  const tools: Partial<Record<ToolName, ToolInfo>> = {};
  for (const [name, path] of found) if (path !== null) tools[name] = { path, version: null };
  if (tools.perf) tools.perf.version = await firstLine(tools.perf.path, ['--version']);
  if (tools.valgrind) tools.valgrind.version = await firstLine(tools.valgrind.path, ['--version']);
  if (tools.strace) tools.strace.version = await firstLine(tools.strace.path, ['-V']);
  const buildOptions = tools.perf ? await output(tools.perf.path, ['version', '--build-options']) : '';
  const uid = process.getuid?.() ?? -1;
  const linux = platform === 'linux';
  const cpuinfo = linux ? await readText(join(root, 'proc/cpuinfo')) : null;
  const hardwareCounters = linux && (await exists(join(root, 'sys/bus/event_source/devices/cpu')));
  return {
    platform,
    distro: platform === 'darwin' ? 'macos' : await detectDistro(root),
    uid,
    gid: process.getgid?.() ?? -1,
    userName: await userNameOf(uid, root),
    tools,
    perf: {
      paranoid: linux ? await readInt(join(root, 'proc/sys/kernel/perf_event_paranoid')) : null,
      kptrRestrict: linux ? await readInt(join(root, 'proc/sys/kernel/kptr_restrict')) : null,
      dwarfUnwinding: /^\s*dwarf: \[ on/m.test(buildOptions) || /libdw-dwarf-unwind: \[ on/.test(buildOptions),
      hardwareCounters,
      lbr: hardwareCounters && /GenuineIntel/.test(cpuinfo ?? ''),
      schedSwitchReadable: linux && (await schedSwitchReadable(root)),
    },
    ptraceScope: linux ? ((await readInt(join(root, 'proc/sys/kernel/yama/ptrace_scope'))) ?? 0) : null,
    polkitAgent: linux && (await polkitAgentRunning(root)),
    sipEnabled: platform === 'darwin' ? await sipStatus() : null,
  };
}

/** The absolute path of `name` on `searchPath`, or null. */
export async function which(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here; next folder
    }
  }
  return null;
}

function output(file: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) =>
      resolve(error ? '' : String(stdout)),
    );
  });
}

async function firstLine(file: string, args: string[]): Promise<string | null> {
  const text = (await output(file, args)).split('\n')[0].trim();
  return text === '' ? null : text;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function readInt(path: string): Promise<number | null> {
  const text = await readText(path);
  const value = text === null ? NaN : Number.parseInt(text.trim(), 10);
  return Number.isInteger(value) ? value : null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function detectDistro(root: string): Promise<Distro> {
  const text = (await readText(join(root, 'etc/os-release'))) ?? '';
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1].replace(/["']/g, '') ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  for (const id of ids) {
    if (id === 'ubuntu') return 'ubuntu';
    if (id === 'debian') return 'debian';
    if (id === 'fedora' || id === 'rhel' || id === 'centos') return 'fedora';
    if (id === 'arch') return 'arch';
  }
  return 'unknown';
}

/** The user name for `uid` from /etc/passwd (macOS: $USER), or the number as text. */
export async function userNameOf(uid: number, root = '/'): Promise<string> {
  const passwd = await readText(join(root, 'etc/passwd'));
  const name = passwd === null ? undefined : parsePasswd(passwd).get(uid);
  return name ?? process.env.USER ?? String(uid);
}

/** uid -> name from /etc/passwd text (name:x:uid:...). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const uid = Number(fields[2]);
    if (fields.length >= 3 && fields[0] !== '' && Number.isInteger(uid) && !names.has(uid)) names.set(uid, fields[0]);
  }
  return names;
}

/**
 * Off-CPU recording opens the sched:sched_switch tracepoint, which perf finds
 * through tracefs; most distributions mount it root-only (mode 0700).
 */
async function schedSwitchReadable(root: string): Promise<boolean> {
  for (const base of ['sys/kernel/tracing', 'sys/kernel/debug/tracing']) {
    try {
      await access(join(root, base, 'events/sched/sched_switch/id'), fsConstants.R_OK);
      return true;
    } catch {
      // next mount point
    }
  }
  return false;
}

async function polkitAgentRunning(root: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(join(root, 'proc'));
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readText(join(root, 'proc', entry, 'comm')))?.trim();
    if (comm !== undefined && POLKIT_AGENT_NAMES.includes(comm)) return true;
  }
  return false;
}

async function sipStatus(): Promise<boolean | null> {
  const text = await output('/usr/bin/csrutil', ['status']);
  if (/enabled/i.test(text)) return true;
  if (/disabled/i.test(text)) return false;
  return null;
}
