/**
 * The attach dialog's process list: pid, user, name, command line, CPU % and
 * RSS, the user's own processes first. Linux reads /proc; macOS runs ps.
 *
 * CPU % needs two readings: `ProcessLister` keeps the previous one, so the
 * dialog's once-a-second refresh gives the share of one CPU each process used
 * since the last refresh (100 % = one core busy; more for threaded programs),
 * as top shows it. The first list has 0 everywhere.
 */

import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { parsePasswd } from './capabilities';
import type { Capabilities } from './capabilities';
import type { RecordRequest } from '../../src-shared/record/options';
import type { AttachPermission, ProcessInfo } from '../../src-shared/record/types';
import { decidePrivilege } from './privilege';

export type { ProcessInfo };

interface CpuReading {
  /** Jiffies this process ran (utime + stime). */
  processTicks: Map<number, number>;
  /** Jiffies all CPUs together ran (/proc/stat's first line). */
  totalTicks: number;
}

export class ProcessLister {
  private previous: CpuReading | null = null;

  constructor(private readonly caps: Pick<Capabilities, 'platform' | 'uid'>) {}

  async list(): Promise<ProcessInfo[]> {
    const rows = this.caps.platform === 'linux' ? await this.listLinux() : await listWithPs();
    return ownFirst(rows, this.caps.uid);
  }

  private async listLinux(): Promise<ProcessInfo[]> {
    const [passwd, statText, entries] = await Promise.all([
      readFile('/etc/passwd', 'utf8').catch(() => ''),
      readFile('/proc/stat', 'utf8'),
      readdir('/proc'),
    ]);
    const users = parsePasswd(passwd);
    const cpuLine = statText.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const cpus = statText.split('\n').filter((line) => /^cpu\d/.test(line)).length || 1;
    const reading: CpuReading = { processTicks: new Map(), totalTicks: cpuLine.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) };
    const previous = this.previous;
    // Wall time, in jiffies of one CPU, between the two readings.
    const elapsedPerCpu = previous === null ? 0 : (reading.totalTicks - previous.totalTicks) / cpus;
    const rows = await Promise.all(
      entries.filter((entry) => /^\d+$/.test(entry)).map(async (entry): Promise<ProcessInfo | null> => {
        const pid = Number(entry);
        try {
          const [stat, status, cmdline] = await Promise.all([
            readFile(`/proc/${pid}/stat`, 'utf8'),
            readFile(`/proc/${pid}/status`, 'utf8'),
            readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
          ]);
          const parsed = parseProcStat(stat);
          if (parsed === null) return null;
          const ticks = parsed.utime + parsed.stime;
          reading.processTicks.set(pid, ticks);
          const before = previous?.processTicks.get(pid);
          const cpuPercent = before === undefined || elapsedPerCpu <= 0 ? 0 : Math.max(0, (100 * (ticks - before)) / elapsedPerCpu);
          const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
          const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
          return {
            pid,
            uid,
            user: users.get(uid) ?? String(uid),
            name: parsed.comm,
            command: cmdline.split('\0').filter((arg) => arg !== '').join(' '),
            cpuPercent: Math.round(cpuPercent * 10) / 10,
            rssBytes: rssKb * 1024,
          };
        } catch {
          return null; // exited while we read it
        }
      }),
    );
    this.previous = reading;
    return rows.filter((row): row is ProcessInfo => row !== null);
  }
}

/** The user's processes first, then the rest; busiest first within each. */
export function ownFirst(rows: ProcessInfo[], uid: number): ProcessInfo[] {
  return [...rows].sort((a, b) => Number(b.uid === uid) - Number(a.uid === uid) || b.cpuPercent - a.cpuPercent || a.pid - b.pid);
}

/**
 * /proc/PID/stat: "pid (comm) state ppid ...". comm may hold blanks and
 * parentheses, so it ends at the last ')'. Fields after it are numbered from
 * 3 (state) as in proc(5): ppid 4, utime 14, stime 15.
 */
export function parseProcStat(text: string): { comm: string; ppid: number; utime: number; stime: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return null;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  return { comm: text.slice(open + 1, close), ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
}

/** Linux only: every live descendant of `pid` (children, grandchildren...), with its comm. Sync: used once, at Stop. */
export function descendantsOf(pid: number): { pid: number; comm: string }[] {
  const parents = new Map<number, { ppid: number; comm: string }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (parsed) parents.set(Number(entry), { ppid: parsed.ppid, comm: parsed.comm });
    } catch {
      // exited
    }
  }
  const found: { pid: number; comm: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, info] of parents) {
      if (info.ppid === parent) {
        found.push({ pid: child, comm: info.comm });
        queue.push(child);
      }
    }
  }
  return found;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 5000, maxBuffer: 32 << 20, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) =>
      error ? reject(error) : resolve(String(stdout)),
    ),
  );
}

/**
 * macOS (and other Unixes without /proc): ps computes CPU % itself. comm and
 * args may both hold blanks, so they come from two runs of ps, each with the
 * free-text column last, joined by pid.
 */
async function listWithPs(): Promise<ProcessInfo[]> {
  const [table, names] = await Promise.all([
    run('/bin/ps', ['-axww', '-o', 'pid=,uid=,user=,pcpu=,rss=,args=']),
    run('/bin/ps', ['-ax', '-o', 'pid=,comm=']),
  ]);
  return parsePsOutput(table, names);
}

/** Parses the two ps outputs above; exported for unit tests on sample text. */
export function parsePsOutput(table: string, names: string): ProcessInfo[] {
  const nameOf = new Map<number, string>();
  for (const line of names.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match) nameOf.set(Number(match[1]), match[2].trim().split('/').pop() ?? match[2].trim());
  }
  const rows: ProcessInfo[] = [];
  for (const line of table.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+([\d.,]+)\s+(\d+)\s?(.*)$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const command = match[6].trim();
    rows.push({
      pid,
      uid: Number(match[2]),
      user: match[3],
      name: nameOf.get(pid) ?? command.split(' ')[0].split('/').pop() ?? '',
      command,
      cpuPercent: Number(match[4].replace(',', '.')),
      rssBytes: Number(match[5]) * 1024,
    });
  }
  return rows;
}

export type { AttachPermission };

/** For each row of the attach dialog: may this instrument attach to it as the user? */
export function attachPermission(
  process: Pick<ProcessInfo, 'pid' | 'uid' | 'user'>,
  request: Pick<RecordRequest, 'options' | 'durationSeconds'>,
  caps: Capabilities,
): AttachPermission {
  const target = { kind: 'attach' as const, pid: process.pid };
  return decidePrivilege({ ...request, target }, caps, { pid: process.pid, uid: process.uid, user: process.user }).kind;
}
