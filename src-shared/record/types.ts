/**
 * What the host tells the window about recording: the privilege decision,
 * the attach dialog's rows, a finished recording, the sessions list and a
 * summary of what this machine can record. Types only (the host is the
 * trusted side); src-main/record produces them, the record views read them.
 */

import type { ElevationMethod, InstrumentId, RecordingFormat, SessionState } from './options';

export type Remedy =
  | { kind: 'elevate'; method: ElevationMethod }
  /** Lower perf_event_paranoid to `level` until reboot with one elevated sysctl, then record as the user. */
  | { kind: 'lower-paranoid'; method: ElevationMethod; level: number };

export type PrivilegeDecision =
  | { kind: 'allowed'; notes: string[] }
  | { kind: 'needs-elevation'; reason: string; notes: string[]; remedies: Remedy[] }
  | { kind: 'impossible'; reason: string };

export type AttachPermission = PrivilegeDecision['kind'];

export interface ProcessInfo {
  pid: number;
  uid: number;
  user: string;
  /** The short name (Linux comm, macOS the executable's base name). */
  name: string;
  /** The full command line, arguments joined by blanks ('' for kernel threads). */
  command: string;
  /** Share of one CPU since the previous list. */
  cpuPercent: number;
  rssBytes: number;
}

/** A row of the attach dialog: the process and whether the chosen instrument may attach to it as the user. */
export interface ProcessRow extends ProcessInfo {
  permission: AttachPermission;
}

export interface RecordingResult {
  sessionId: string;
  path: string;
  format: RecordingFormat;
  label: string;
  command: string;
  startedAt: number;
  durationMs: number;
  /** The terminal output, kept beside the result as <result>.log. */
  logPath: string;
}

/** One line of the sessions list, as the host keeps it across restarts. */
export interface RecordingEntry {
  id: string;
  /** The launched command line, or "pid N (user)" for an attach. */
  command: string;
  instrument: InstrumentId | string;
  /** The plan's label: "perf record: CPU (cycles), fp call graphs, 999 Hz". */
  label: string;
  startedAt: number;
  durationMs: number;
  file: string;
  format: RecordingFormat | string;
  status: 'finished' | 'failed';
  /** The failure's (or an escalated stop's) one line, or null. */
  message: string | null;
}

/** `perf stat` counters, one row per event. */
export interface CounterRow {
  event: string;
  /** null when perf printed <not counted> or <not supported>. */
  value: number | null;
  unit: string;
  status: 'counted' | 'not counted' | 'not supported';
  /** With --repeat: perf's "+- N%" (stddev of the mean / mean); null without --repeat. */
  variancePercent: number | null;
  /** Share of the run time the counter was enabled (below 100 when perf multiplexed counters). */
  enabledPercent: number | null;
  /** perf's derived metric ("0.98 CPUs utilized"), or null. */
  metric: { value: number; unit: string } | null;
}

/** `strace -c`, one row per system call. */
export interface SyscallRow {
  syscall: string;
  calls: number;
  errors: number;
  seconds: number;
  percentTime: number;
}

/**
 * Results that are tables rather than profiles: the window shows them in
 * the session panel instead of opening them in the analysis views.
 */
export type RecordingTable = { kind: 'counters'; rows: CounterRow[] } | { kind: 'syscalls'; rows: SyscallRow[] };

/** How a recording ended, for the window: the result (and its table), or the failure's one line. */
export interface RecordingOutcome {
  sessionId: string;
  result: RecordingResult | null;
  /** Formats the analysis views open (perf.data, dhat, …); false for tables and plain transcripts. */
  opensAsProfile: boolean;
  table: RecordingTable | null;
  error: string | null;
}

export interface ToolAvailability {
  tool: string;
  installed: boolean;
  /** What to install when it is missing ("sudo apt install linux-perf"); null when installed. */
  installHint: string | null;
}

/** One instrument as the record dialog offers it on this machine. */
export interface InstrumentAvailability {
  id: InstrumentId;
  label: string;
  /** The tools that can run it on this platform (cpu: perf on Linux; dtrace and xctrace on macOS). */
  tools: ToolAvailability[];
  /** It can attach to a running process (heaptrack, DHAT and massif only launch). */
  canAttach: boolean;
}

/** What the record dialog needs to know about this machine, probed once by the host. */
export interface RecordCapabilities {
  canRecord: true;
  platform: string;
  userName: string;
  uid: number;
  instruments: InstrumentAvailability[];
  perf: {
    paranoid: number | null;
    dwarfUnwinding: boolean;
    lbr: boolean;
    hardwareCounters: boolean;
  };
  /** Elevation this host can offer at all (the decision per request says which apply). */
  elevation: ElevationMethod[];
  /** Where a launched program starts when the dialog leaves the folder empty. */
  defaultCwd: string;
  /** The sessions list could not be read and starts empty (shown once). */
  storeWarning: string | null;
}

/**
 * This host does not record (browser mode started without --record): the
 * window's Record… and Attach… show `reason` instead of their dialogs.
 */
export interface RecordingOff {
  canRecord: false;
  reason: string;
}

export interface StartedRecording {
  sessionId: string;
  label: string;
  /** Like the sessions list's command. */
  command: string;
  startedAt: number;
}

export type { SessionState };
