/**
 * The recording request's fixed lists and limits, without zod: the record
 * dialog needs these values, and importing options.ts (its schemas) would put
 * zod's ~450 KB into the window's first script. options.ts builds its schemas
 * from these.
 */

export const instrumentIds = ['cpu', 'offcpu', 'syscalls', 'counters', 'heaptrack', 'dhat', 'massif', 'pyspy'] as const;
export type InstrumentId = (typeof instrumentIds)[number];

export const callGraphModes = ['fp', 'dwarf', 'lbr'] as const;
export type CallGraphMode = (typeof callGraphModes)[number];

/** Default perf event list for counters: software events, which every kernel and VM has. */
export const DEFAULT_COUNTER_EVENTS = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults'];

export const elevationMethods = ['pkexec', 'sudo', 'osascript'] as const;
export type ElevationMethod = (typeof elevationMethods)[number];

/** A recording's longest duration: a week. */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;
