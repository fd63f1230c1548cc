/**
 * The host calls' names and IPC channels, without their schemas. The preload
 * needs only these, and importing the contract would bundle zod (~700 KB) into
 * every window's preload. contract.ts checks at compile time that this list
 * and its `hostCalls` table name exactly the same calls.
 */

export const hostCallNames = [
  'getHostInfo',
  'openFile',
  'openBytes',
  'cancelTask',
  'showOpenDialog',
  'listRecent',
  'saveExport',
  // --- source pane calls (issue 5) ---
  'readSource',
  'locateSource',
  'getSourceRemaps',
  'setSourceRemaps',
  'disassemble',
  'closeProfile',
  // --- end source pane calls ---
  // --- recording calls (issue 7) ---
  'getRecordCapabilities',
  'checkRecording',
  'startRecording',
  'stopRecording',
  'writeRecordingInput',
  'resizeRecording',
  'providePassword',
  'lowerPerfParanoid',
  'listProcesses',
  'listRecordings',
  // --- end recording calls ---
] as const;

export type HostCallName = (typeof hostCallNames)[number];

/** IPC channel names carry a prefix so nothing else can collide with them. */
export const channelFor = (name: HostCallName) => `heatline:${name}` as const;
export const EVENT_CHANNEL = 'heatline:event';
