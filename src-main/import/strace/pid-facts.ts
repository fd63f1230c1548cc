/**
 * What a strace trace's lines tell about its pids: the programs they exec'd,
 * who cloned whom, strace -Y's command names. The importer names threads and
 * groups them into processes from these at the end.
 */

import { basename } from 'node:path';

/** What the lines tell about pids: programs exec'd, who cloned whom. */
export class PidFacts {
  readonly order: number[] = [];
  private readonly seen = new Set<number>();
  readonly program = new Map<number, string>();
  /** strace -Y's command name per pid, the latest seen. */
  readonly comm = new Map<number, string>();
  /** The first pid seen; the profile's command is its latest exec (setpriv and env exec the program in turn). */
  private first: number | null = null;
  readonly parent = new Map<number, number>();
  /** Thread group leader of pids cloned with CLONE_THREAD. */
  readonly leader = new Map<number, number>();
  command: string | null = null;

  see(pid: number): void {
    if (!this.seen.has(pid)) {
      this.seen.add(pid);
      this.order.push(pid);
      this.first ??= pid;
    }
  }

  /** Learns from one finished call's whole text (arguments and result). */
  learn(pid: number, name: string, text: string): void {
    const result = resultOf(text);
    if (name === 'execve' || name === 'execveat') {
      if (result !== 0) return;
      const strings = quotedStrings(text);
      const whole = strings.find((s) => !s.cut && s.text.length > 0 && !s.text.endsWith('/'));
      if (whole !== undefined) this.program.set(pid, basename(whole.text));
      if (pid === this.first) this.command = strings.slice(1).map((s) => s.text + (s.cut ? '...' : '')).join(' ');
    } else if ((name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork') && result !== null && result > 0) {
      this.parent.set(result, pid);
      if (text.includes('CLONE_THREAD')) this.leader.set(result, this.leader.get(pid) ?? pid);
    }
  }

  /** True when `pid` was cloned by `ancestor` or by a pid `ancestor` cloned (a few generations down). */
  descendsFrom(pid: number, ancestor: number): boolean {
    for (let p = this.parent.get(pid), hops = 0; p !== undefined && hops < 64; p = this.parent.get(p), hops++) {
      if (p === ancestor) return true;
    }
    return false;
  }

  /** Makes what was learnt under `from` (the first process, before its pid showed) `to`'s. */
  merge(from: number, to: number): void {
    const at = this.order.indexOf(from);
    if (at !== -1) {
      const later = this.order.indexOf(to);
      if (later !== -1) this.order.splice(later, 1);
      this.order.splice(this.order.indexOf(from), 1, to);
    }
    this.seen.delete(from);
    this.seen.add(to);
    if (this.first === from) this.first = to;
    for (const table of [this.program, this.comm]) {
      const value = table.get(from);
      if (value !== undefined && !table.has(to)) table.set(to, value);
      table.delete(from);
    }
    for (const table of [this.parent, this.leader]) {
      const own = table.get(from);
      if (own !== undefined && !table.has(to)) table.set(to, own);
      table.delete(from);
      for (const [pid, value] of table) if (value === from) table.set(pid, to);
    }
  }

  /** The name of `pid`: its -Y command name, else its own exec's, else its cloner's (a few generations up). */
  nameOf(pid: number): string | null {
    const comm = this.comm.get(pid);
    if (comm !== undefined) return comm;
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = this.parent.get(p), hops++) {
      const program = this.program.get(p);
      if (program !== undefined) return program;
    }
    return null;
  }
}

/**
 * The number after the last ") = " of a finished call, or null ("= ?" and
 * "= 0x7f..." are not numbers). strace pads short calls to a column:
 * "fork()                  = 1234".
 */
export function resultOf(text: string): number | null {
  let result: number | null = null;
  for (const match of text.matchAll(/\) += (-?\d+)\b/g)) result = Number(match[1]);
  return result;
}

/**
 * execve's path and then its argv strings: `execve("/bin/ls", ["ls", "-l"], ...`.
 * `cut` marks a string strace shortened (`"..."...`).
 */
function quotedStrings(text: string): { text: string; cut: boolean }[] {
  const path = /^\w+\("((?:[^"\\]|\\.)*)"(\.\.\.)?, \[/.exec(text);
  if (path === null) return [];
  const out = [{ text: unescape(path[1]), cut: path[2] !== undefined }];
  const item = /\s*"((?:[^"\\]|\\.)*)"(\.\.\.)?\s*([,\]])/y;
  item.lastIndex = path[0].length;
  for (let match = item.exec(text); match !== null; match = item.exec(text)) {
    out.push({ text: unescape(match[1]), cut: match[2] !== undefined });
    if (match[3] === ']') break;
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

