/**
 * Which pid strace's unprefixed lines are for.
 *
 * strace prints a pid before a line only while it traces more than one
 * process (always with -o and -f). Written to stderr (no -o), the lines from
 * before the first clone and after the last other pid exited have none:
 *
 *   04:56:48.079423 clone3({flags=CLONE_VM|...} <unfinished ...>
 *   [pid 25441] 04:56:48.079473 rseq(0x7fc074954fe0, 0x20, 0, 0x53053053 <unfinished ...>
 *   [pid 25440] 04:56:48.079489 <... clone3 resumed> => {parent_tid=[25441]}, 88) = 25441 <0.000057>
 *
 * Until its pid shows, the first process is keyed NO_PID. Its pid is the one
 * that resumes the call it left unfinished unprefixed, or, when it left none,
 * the first prefixed pid that is not one it (or its children) cloned. Later
 * unprefixed lines are the only pid still alive.
 */

/** The key of the first process's lines while its pid is unknown. */
export const NO_PID = -1;

export class UnprefixedLines {
  /** The first process's pid, once known. */
  resolved: number | null = null;
  /** Pids seen and not yet exited ("+++ exited ... +++"). */
  private readonly live = new Set<number>();

  /** The key for a line with `pid` (null: unprefixed). */
  keyOf(pid: number | null): number {
    if (pid !== null) {
      this.live.add(pid);
      return pid;
    }
    if (this.live.size === 1) return this.live.values().next().value as number;
    if (this.live.size === 0 && this.resolved === null) {
      this.live.add(NO_PID);
      return NO_PID;
    }
    return this.resolved ?? NO_PID;
  }

  /** True while unprefixed lines were seen and their pid is unknown. */
  get awaitingPid(): boolean {
    return this.resolved === null && this.live.has(NO_PID);
  }

  exited(key: number): void {
    this.live.delete(key);
  }

  resolve(pid: number): void {
    this.resolved = pid;
    if (this.live.delete(NO_PID)) this.live.add(pid);
  }

  /** `key` with NO_PID replaced by the resolved pid. */
  canonical(key: number): number {
    return key === NO_PID && this.resolved !== null ? this.resolved : key;
  }
}
