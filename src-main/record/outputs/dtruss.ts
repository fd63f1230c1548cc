/**
 * dtruss output (macOS dtruss(1m), a dtrace script). With -f each line
 * starts with "PID/0xTHREAD:"; -d adds RELATIVE (microseconds since start)
 * and -e ELAPSD (microseconds in the call) before the call itself:
 *
 *   PID/THRD  RELATIVE  ELAPSD SYSCALL(args)                    = return
 *   4711/0x1a2b:      1043      12 open("/etc/hosts\0", 0x0, 0x0)   = 3 0
 *
 * With -c it ends with a count table ("CALL  COUNT" then "name  N" lines).
 * Lines that are neither (the program's own output shares the terminal,
 * dtrace warnings) are skipped.
 */

export interface DtrussCall {
  pid: number | null;
  thread: string | null;
  relativeUs: number | null;
  elapsedUs: number | null;
  syscall: string;
  args: string;
  result: string;
}

export interface DtrussOutput {
  calls: DtrussCall[];
  /** From the -c table when present, otherwise counted from the calls. */
  counts: Map<string, number>;
}

const CALL = /^\s*(?:(\d+)\/(0x[0-9a-fA-F]+):\s+)?(?:(\d+)\s+)?(?:(\d+)\s+)?([A-Za-z_][\w]*)\((.*)\)\s+=\s+(.*?)\s*$/;

export function parseDtruss(text: string, options: { relative: boolean; elapsed: boolean } = { relative: true, elapsed: true }): DtrussOutput {
  const calls: DtrussCall[] = [];
  const table = new Map<string, number>();
  let inTable = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*CALL\s+COUNT\s*$/.test(line)) {
      inTable = true;
      continue;
    }
    if (inTable) {
      const row = /^\s*([A-Za-z_]\w*)\s+(\d+)\s*$/.exec(line);
      if (row) table.set(row[1], (table.get(row[1]) ?? 0) + Number(row[2]));
      continue;
    }
    const match = CALL.exec(line);
    if (!match) continue;
    // Which numbers are present depends on -d / -e: with both, RELATIVE comes first.
    const numbers = [match[3], match[4]].filter((n) => n !== undefined).map(Number);
    const relativeUs = options.relative ? (numbers.shift() ?? null) : null;
    const elapsedUs = options.elapsed ? (numbers.shift() ?? null) : null;
    calls.push({
      pid: match[1] === undefined ? null : Number(match[1]),
      thread: match[2] ?? null,
      relativeUs,
      elapsedUs,
      syscall: match[5],
      args: match[6],
      result: match[7],
    });
  }
  let counts = table;
  if (counts.size === 0) {
    counts = new Map();
    for (const call of calls) counts.set(call.syscall, (counts.get(call.syscall) ?? 0) + 1);
  }
  return { calls, counts };
}
