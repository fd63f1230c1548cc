/**
 * `strace -c` summaries (strace(1), -c): a table of system calls with
 * % time, seconds, usecs/call, calls, errors and name, between dashed rules,
 * ending with a "total" row. With -f the counts cover every traced process.
 * strace prints one table per personality when a program switches (e.g.
 * "System call usage summary for 32 bit mode:"); their rows are summed.
 */

import type { SyscallRow } from '../../../src-shared/record/types';

export type { SyscallRow };

const ROW = /^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(?:(\d+)\s+)?(\S+)\s*$/;

/** Rows most-called first; the "total" row left out. */
export function parseStraceSummary(text: string): SyscallRow[] {
  const bySyscall = new Map<string, SyscallRow>();
  for (const line of text.split('\n')) {
    const match = ROW.exec(line);
    if (!match || match[6] === 'total') continue;
    const row = bySyscall.get(match[6]) ?? { syscall: match[6], calls: 0, errors: 0, seconds: 0, percentTime: 0 };
    row.percentTime += Number(match[1]);
    row.seconds += Number(match[2]);
    row.calls += Number(match[4]);
    row.errors += Number(match[5] ?? 0);
    bySyscall.set(row.syscall, row);
  }
  return [...bySyscall.values()].sort((a, b) => b.calls - a.calls || b.seconds - a.seconds);
}

export function formatSyscallTable(rows: SyscallRow[]): string {
  const header = ['calls', 'errors', 'seconds', 'syscall'];
  const cells = rows.map((r) => [String(r.calls), r.errors === 0 ? '' : String(r.errors), r.seconds.toFixed(6), r.syscall]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((cell, i) => (i < 3 ? cell.padStart(widths[i]) : cell)).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}
