/**
 * Threads as COMM, FORK and EXIT records describe them, following perf's
 * machine.c: a thread is found by tid; FORK makes a new thread (a reused tid
 * starts over) that inherits its parent's comm; COMM renames it (the exec
 * flag marks a new program image); EXIT ends it. A thread's name is its
 * latest comm; a process's name is the name of its main thread (tid == pid).
 */

export interface ThreadLifetime {
  pid: number;
  tid: number;
  name: string | null;
  processName: string | null;
  /** FORK time, or NaN for threads that existed before the recording. */
  start: number;
  /** EXIT time, or NaN when the thread outlived the recording. */
  end: number;
}

export class Threads {
  readonly pid: number[] = [];
  readonly tid: number[] = [];
  readonly comm: (string | null)[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  private readonly byTid = new Map<number, number>();
  private lastTid = NaN;
  private last = -1;

  get length(): number {
    return this.pid.length;
  }

  /** The thread a sample of (pid, tid) belongs to, created on first sight. */
  index(pid: number, tid: number): number {
    if (tid === this.lastTid && this.pid[this.last] === pid) return this.last;
    let index = this.byTid.get(tid);
    if (index !== undefined && this.pid[index] !== pid) {
      // perf records synthesize pid -1 for threads they could not place; a real pid fills it in.
      if (this.pid[index] === -1) this.pid[index] = pid;
      else index = undefined;
    }
    if (index === undefined) index = this.add(pid, tid, pid === 0 && tid === 0 ? 'swapper' : null, NaN);
    this.lastTid = tid;
    this.last = index;
    return index;
  }

  rename(pid: number, tid: number, name: string): void {
    this.comm[this.index(pid, tid)] = name;
  }

  fork(pid: number, ppid: number, tid: number, ptid: number, time: number): void {
    const parent = this.byTid.get(ptid);
    const parentComm = parent !== undefined && this.pid[parent] === ppid ? this.comm[parent] : null;
    const existing = this.byTid.get(tid);
    // perf synthesizes FORK for threads it found running; do not restart one that already has its state.
    if (existing !== undefined && this.pid[existing] === pid && Number.isNaN(this.end[existing]) && Number.isNaN(this.start[existing])) {
      this.start[existing] = time;
      this.comm[existing] ??= parentComm;
      return;
    }
    this.add(pid, tid, parentComm, time);
  }

  exit(pid: number, tid: number, time: number): void {
    const index = this.byTid.get(tid);
    if (index !== undefined && this.pid[index] === pid) this.end[index] = time;
  }

  /** The comm of the process's main thread, else the thread's own. */
  processName(index: number): string | null {
    const main = this.byTid.get(this.pid[index]);
    const name = main !== undefined && this.pid[main] === this.pid[index] ? this.comm[main] : null;
    return name ?? this.comm[index];
  }

  lifetimes(): ThreadLifetime[] {
    return this.pid.map((pid, i) => ({
      pid,
      tid: this.tid[i],
      name: this.comm[i],
      processName: this.processName(i),
      start: this.start[i],
      end: this.end[i],
    }));
  }

  private add(pid: number, tid: number, comm: string | null, start: number): number {
    const index = this.pid.length;
    this.pid.push(pid);
    this.tid.push(tid);
    this.comm.push(comm);
    this.start.push(start);
    this.end.push(NaN);
    this.byTid.set(tid, index);
    if (tid === this.lastTid) this.lastTid = NaN;
    return index;
  }
}
