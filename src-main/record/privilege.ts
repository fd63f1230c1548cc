/**
 * Before a recording starts: may this user run this instrument on this
 * target on this machine? The answer is allowed, needs elevation (with the
 * reason in plain sentences and what the dialog can offer), or impossible.
 * The same reasons explain a profiler's own refusal (perf's "Access to
 * performance monitoring ... is limited", strace's "Operation not
 * permitted") when one gets through anyway, so the user reads one story.
 *
 * Linux rules, for a user other than root:
 * - perf on another user's process needs CAP_PERFMON / CAP_SYS_PTRACE: only
 *   elevation helps (perf_event_paranoid does not lift the ptrace check).
 * - perf_event_paranoid 3 (Debian's and Ubuntu's patch) forbids perf to
 *   users; 2 allows user-space sampling of one's own processes; kernel
 *   frames need 1 or less; raw tracepoints (off-CPU's sched_switch) need -1
 *   and a readable tracefs.
 * - ptrace (strace -p, py-spy --pid) is limited by Yama's ptrace_scope:
 *   1 only descendants, 2 only with CAP_SYS_PTRACE, 3 nobody.
 * macOS: dtrace, dtruss and py-spy need root; SIP hides protected programs.
 */

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Capabilities } from './capabilities';
import { userNameOf } from './capabilities';
import { profilerOf } from './instruments';
import type { ElevationMethod, RecordRequest } from '../../src-shared/record/options';
import type { PrivilegeDecision, Remedy } from '../../src-shared/record/types';

export interface TargetProcess {
  pid: number;
  /** Real uid of the process; null when it does not exist (or cannot be seen). */
  uid: number | null;
  /** Its owner's name, for the explanation. */
  user: string | null;
}

export type { PrivilegeDecision, Remedy };

/** The owner of `pid` (Linux: /proc/PID/status; macOS: ps). */
export async function inspectTarget(pid: number, caps: Capabilities): Promise<TargetProcess> {
  let uid: number | null = null;
  if (caps.platform === 'linux') {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^Uid:\s+(\d+)/m.exec(status);
      uid = match ? Number(match[1]) : null;
    } catch {
      uid = null;
    }
  } else {
    const text = await new Promise<string>((resolve) =>
      execFile('/bin/ps', ['-o', 'uid=', '-p', String(pid)], { timeout: 3000 }, (error, stdout) => resolve(error ? '' : String(stdout))),
    );
    uid = /^\s*\d+\s*$/.test(text) ? Number(text.trim()) : null;
  }
  return { pid, uid, user: uid === null ? null : await userNameOf(uid) };
}

/** What the record dialog shows before Start, for this request as the user (the `elevation` field is ignored). */
export function decidePrivilege(request: Pick<RecordRequest, 'target' | 'options' | 'durationSeconds'>, caps: Capabilities, target: TargetProcess | null): PrivilegeDecision {
  const { options } = request;
  const attach = request.target.kind === 'attach';
  if (attach && target !== null && target.uid === null) return { kind: 'impossible', reason: `There is no process ${target.pid} (it may have exited).` };
  const tool = profilerOf(options);
  const notes: string[] = [];
  const blocks: string[] = [];
  let paranoidFix: number | null = null;
  const root = caps.uid === 0;
  const otherUser = attach && target !== null && target.uid !== null && target.uid !== caps.uid;
  const ownerText = target?.user ?? String(target?.uid);

  if (caps.platform === 'darwin') {
    if (tool === 'dtrace' || tool === 'dtruss' || tool === 'py-spy') {
      if (!root) blocks.push(`${tool} needs administrator rights on macOS.`);
      if (caps.sipEnabled && tool !== 'py-spy') notes.push('System Integrity Protection is on: programs that ship with macOS cannot be traced.');
    } else if (otherUser && !root) {
      blocks.push(`Process ${target?.pid} belongs to ${ownerText}; recording another user's process needs administrator rights.`);
    }
  } else if (tool === 'perf') {
    const paranoid = caps.perf.paranoid ?? 2;
    if (!root) {
      if (otherUser) blocks.push(`Process ${target?.pid} belongs to ${ownerText}; perf may watch only your own processes without administrator rights.`);
      if (options.instrument === 'offcpu') {
        if (!caps.perf.schedSwitchReadable || paranoid > -1) {
          blocks.push(
            `Off-CPU recording reads the scheduler's sched_switch tracepoint, which needs administrator rights here` +
              (caps.perf.schedSwitchReadable ? ` (perf_event_paranoid is ${paranoid}; it must be -1).` : ' (the kernel tracing folder is readable only by root).'),
          );
          if (caps.perf.schedSwitchReadable && !otherUser) paranoidFix = -1;
        }
      } else if (paranoid > 2) {
        blocks.push(`perf_event_paranoid is ${paranoid} on this machine, which forbids perf to ordinary users.`);
        if (!otherUser) paranoidFix = 2;
      }
      if (options.instrument !== 'offcpu' && paranoid >= 2) notes.push(`Kernel frames are left out: perf_event_paranoid is ${paranoid} (kernel profiling needs 1 or less).`);
      else if ((caps.perf.kptrRestrict ?? 0) > 0) notes.push(`Kernel function names are hidden (kptr_restrict is ${caps.perf.kptrRestrict}).`);
    }
    if (options.instrument !== 'counters' && 'callGraph' in options && options.callGraph === 'lbr' && !caps.perf.lbr) {
      return { kind: 'impossible', reason: 'LBR call graphs need an Intel CPU whose performance counters are visible (most VMs hide them).' };
    }
  } else if (tool === 'strace' || tool === 'py-spy') {
    const scope = caps.ptraceScope ?? 0;
    if (scope >= 3) return { kind: 'impossible', reason: `Yama's ptrace_scope is 3: no process can be traced until the next reboot.` };
    if (!root) {
      if (otherUser) blocks.push(`Process ${target?.pid} belongs to ${ownerText}; tracing another user's process needs administrator rights.`);
      else if (attach && scope >= 1) blocks.push(`Yama's ptrace_scope is ${scope}: a running process can be traced only with administrator rights (or by its parent).`);
    }
  } else if (attach) {
    return { kind: 'impossible', reason: `${tool} can only launch a program; it cannot attach to a running one.` };
  }

  if (blocks.length === 0) return { kind: 'allowed', notes };
  const methods = elevationMethods(caps, request);
  const remedies: Remedy[] = methods.map((method) => ({ kind: 'elevate', method }));
  if (paranoidFix !== null && caps.tools.sysctl) {
    for (const method of methods) if (method !== 'osascript') remedies.push({ kind: 'lower-paranoid', method, level: paranoidFix });
  }
  const reason = blocks.join(' ');
  if (remedies.length === 0) {
    const missing = caps.platform === 'darwin' ? 'sudo is not available' : 'neither sudo nor pkexec (with a polkit agent running) is available';
    return { kind: 'impossible', reason: `${reason} Heatline cannot ask for them: ${missing}.` };
  }
  return { kind: 'needs-elevation', reason, notes, remedies };
}

/**
 * How this machine can elevate: pkexec only with a polkit agent to show its
 * dialog; sudo whenever installed (the password goes through the app's own
 * field into the terminal); osascript on macOS only when the recording ends
 * by itself, because a process started through it can be neither
 * interrupted nor signalled by us.
 */
export function elevationMethods(caps: Capabilities, request: Pick<RecordRequest, 'target' | 'durationSeconds'>): ElevationMethod[] {
  const methods: ElevationMethod[] = [];
  if (caps.platform === 'linux' && caps.tools.pkexec && caps.polkitAgent) methods.push('pkexec');
  if (caps.tools.sudo) methods.push('sudo');
  const endsByItself = request.durationSeconds !== null || request.target.kind === 'launch';
  if (caps.platform === 'darwin' && caps.tools.osascript && endsByItself) methods.push('osascript');
  return methods;
}

const REFUSALS: { tool: string; pattern: RegExp }[] = [
  { tool: 'perf', pattern: /Access to performance monitoring and observability operations is limited/ },
  { tool: 'perf', pattern: /perf_event_paranoid setting is/ },
  { tool: 'perf', pattern: /No permission to enable .* event/ },
  { tool: 'perf', pattern: /Permission error (mapping pages|- are you root)/ },
  { tool: 'perf', pattern: /You may not have permission to collect/ },
  { tool: 'perf', pattern: /No permissions to read .*tracing/ },
  { tool: 'strace', pattern: /attach: ptrace\(PTRACE_(SEIZE|ATTACH), \d+\): Operation not permitted/ },
  { tool: 'py-spy', pattern: /Permission denied|requires root|Operation not permitted/ },
  { tool: 'dtrace', pattern: /DTrace requires additional privileges|dtrace: failed to initialize dtrace/ },
];

/**
 * When a profiler refused to start for lack of rights, the explanation the
 * dialog would have shown; null when `output` is not such a refusal.
 */
export function explainRefusal(
  output: string,
  request: Pick<RecordRequest, 'target' | 'options' | 'durationSeconds'>,
  caps: Capabilities,
  target: TargetProcess | null,
): string | null {
  const tool = profilerOf(request.options);
  const family = tool === 'dtruss' ? 'dtrace' : tool;
  if (!REFUSALS.some((refusal) => refusal.tool === family && refusal.pattern.test(output))) return null;
  const decision = decidePrivilege(request, caps, target);
  if (decision.kind !== 'allowed') return decision.reason;
  // The probe said yes but the tool said no (a setting changed since, or a rule we do not model).
  const paranoid = /perf_event_paranoid setting is (-?\d+)/.exec(output)?.[1];
  if (paranoid !== undefined) return `perf was refused: perf_event_paranoid is ${paranoid} on this machine, which forbids this recording to ordinary users.`;
  return `${tool} was refused the rights it needs for this recording; run it elevated.`;
}
