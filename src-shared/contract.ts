/**
 * The host API: every call the window can make of the Node side, and every
 * event the Node side pushes, with argument schemas that the host checks at
 * run time (the window is untrusted). Result types are compile-time only: the
 * host is the trusted side.
 *
 * Two transports carry this contract: Electron IPC (src-preload, wired in a
 * loop in src-main/electron) and a WebSocket (src-main/web, the renderer's
 * host-client). Both deliver results as `CallOutcome` so that an error arrives
 * as one clean line, never as a transport's stack trace.
 */

import { z } from 'zod';
import { call, type CallSpec } from './call-spec';
import type { HostCallName } from './channels';
import type { SitesPreview } from './analysis/sites-preview';
import type { Profile } from './profile/model';
import { recordingCalls, recordingEventSchemas } from './record/contract';

export { channelFor, EVENT_CHANNEL, hostCallNames, type HostCallName } from './channels';

export type { CallSpec };

const taskId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id is 1-64 letters, digits, - or _');
const filePath = z.string().min(1).max(4096);
const fileName = z.string().min(1).max(255);
/** Uploads in browser mode: at most 2 GiB, the most one ArrayBuffer can hold everywhere. */
const bytes = z.instanceof(Uint8Array).refine((b) => b.byteLength <= 2 ** 31 - 1, 'the file is too large');

/**
 * A browser-mode upload still arriving (src-main/web/uploads.ts): the server
 * passes one to openBytes in place of the bytes, so the import reads the
 * file while the rest of it comes. Only the server can: neither IPC nor the
 * socket's envelope carries a function, so a window's call never holds one.
 */
export interface ArrivingUpload {
  /** The whole file's length (the POST's Content-Length). */
  readonly size: number;
  /**
   * Hands the bytes to `listener` as they come, those already here first,
   * then end or fail; once per upload. The returned function says the rest
   * is not wanted (the import is over): it is then dropped as it comes.
   */
  listen(listener: UploadListener): () => void;
}

export interface UploadListener {
  bytes(chunk: Uint8Array): void;
  /** Every byte came. */
  end(): void;
  /** The upload broke off; `reason` is one line. */
  fail(reason: string): void;
}

const arrivingUpload = z.custom<ArrivingUpload>(
  (value) => typeof (value as ArrivingUpload | null)?.listen === 'function' && Number.isSafeInteger((value as ArrivingUpload).size),
  'expected bytes',
);

export type HostMode = 'electron' | 'browser';

export interface HostInfo {
  mode: HostMode;
  platform: string;
  version: string;
  /** Paths can be opened directly (Electron), or files must be uploaded (browser). */
  canOpenPaths: boolean;
  /** The host can show native open/save dialogs. */
  nativeDialogs: boolean;
}

export interface OpenedProfile {
  profile: Profile;
  /** The host's handle for this profile's source files and binaries (source pane calls); closeProfile frees it. */
  profileId: string;
  /** Where it came from, for the title and Open Recent. */
  name: string;
  path: string | null;
}

export interface RecentFile {
  path: string;
  name: string;
  openedAt: number;
}

// --- source pane types (issue 5) ---
const profileId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a profile id is 1-64 letters, digits, - or _');
const sourceRemap = z.object({ from: filePath, to: filePath }).strict();

export interface SourceRemap {
  /** A path prefix as the debug info spells it. */
  from: string;
  /** The folder that now holds what was under `from`. */
  to: string;
}

/** A source file's text, or why there is none (`refused`: the profile does not name it and it was not picked). */
export type SourceReadResult =
  | { kind: 'found'; path: string; readFrom: string; text: string }
  | { kind: 'not-found'; path: string; tried: string[]; message: string }
  | { kind: 'refused'; path: string; message: string };

export type LocateSourceResult =
  | { kind: 'cancelled' }
  | { kind: 'unavailable'; message: string }
  /** The profile may not name this file (so no dialog was shown). */
  | { kind: 'refused'; message: string }
  | { kind: 'picked'; read: SourceReadResult; remap: SourceRemap | null };

export interface SourceRemaps {
  remaps: SourceRemap[];
  /**
   * The build-ids (or binary paths, without one) the remaps are remembered
   * for; empty when the profile names no binary with source files (DHAT,
   * perf script text): then they last only while the profile is open.
   */
  rememberedFor: string[];
}

export interface Instruction {
  /** File offset in the binary (what perf.data frames carry as `address`). */
  offset: number;
  /** The virtual address objdump prints. */
  address: number;
  text: string;
  /** Source position from the line table, or null / -1. */
  file: string | null;
  line: number;
  /** A jump or call inside this function: the target's file offset; else -1. */
  jumpTargetOffset: number;
}

export type DisassembleResult =
  | { kind: 'ok'; binaryPath: string; symbol: string; instructions: Instruction[]; truncated: boolean }
  | { kind: 'unavailable'; message: string };
// --- end source pane types ---

export const exportFormats = ['speedscope', 'collapsed'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const hostCalls = {
  getHostInfo: call<HostInfo>()(z.object({}).strict()),
  /** Parse the file at `path`; progress arrives as `progress` events under `taskId`. */
  openFile: call<OpenedProfile>()(z.object({ path: filePath, taskId }).strict()),
  /** Parse uploaded bytes (browser mode, or a dropped file without a path). */
  openBytes: call<OpenedProfile>()(z.object({ name: fileName, bytes: z.union([bytes, arrivingUpload]), taskId }).strict()),
  /** Stop a running open; its call then fails with "cancelled". */
  cancelTask: call<void>()(z.object({ taskId }).strict()),
  /** Show the native Open dialog; null when the user cancelled. */
  showOpenDialog: call<string[]>()(z.object({}).strict()),
  listRecent: call<RecentFile[]>()(z.object({}).strict()),
  /** Save exported text via the native Save dialog; the chosen path, or null. */
  saveExport: call<string | null>()(
    z.object({ suggestedName: fileName, format: z.enum(exportFormats), text: z.string().max(2 ** 29) }).strict(),
  ),
  // --- source pane calls (issue 5) ---
  /** The text of a source file the profile's debug info names (or the user picked); see SourceReadResult. */
  readSource: call<SourceReadResult>()(z.object({ profileId, path: filePath }).strict()),
  /** Locate…: the native file dialog; a pick is allowed and implies a remap (remembered). */
  locateSource: call<LocateSourceResult>()(z.object({ profileId, path: filePath }).strict()),
  getSourceRemaps: call<SourceRemaps>()(z.object({ profileId }).strict()),
  /** Replaces the remaps; each `to` must be an existing absolute folder. Remembered per build-id when there is one (see SourceRemaps). */
  setSourceRemaps: call<SourceRemaps>()(z.object({ profileId, remaps: z.array(sourceRemap).max(64) }).strict()),
  /** One function of a binary the profile names, disassembled (objdump), around the given file offsets. */
  disassemble: call<DisassembleResult>()(
    z.object({ profileId, library: filePath, functionName: z.string().max(4096), offsets: z.array(z.number().int().nonnegative()).min(1).max(4096) }).strict(),
  ),
  /** The window closed the profile's tab: forget its source access. */
  closeProfile: call<void>()(z.object({ profileId }).strict()),
  // --- end source pane calls ---
  // --- recording calls (issue 7) ---
  ...recordingCalls,
  // --- end recording calls ---
} as const;

export type HostCalls = typeof hostCalls;

// channels.ts lists the same names for the preload; these fail to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const callNamesMatch: Same<keyof HostCalls, HostCallName> = true;
void callNamesMatch;
export type ArgsOf<K extends HostCallName> = z.infer<HostCalls[K]['args']>;
export type ResultOf<K extends HostCallName> = HostCalls[K] extends CallSpec<z.ZodType, infer R> ? R : never;

export const menuCommands = ['open', 'export-speedscope', 'export-collapsed', 'record', 'attach', 'close-profile'] as const;
export type MenuCommand = (typeof menuCommands)[number];

export const hostEvents = {
  /** Progress of a long task (opening a file). */
  progress: z.object({ taskId, phase: z.string(), done: z.number(), total: z.number() }),
  /**
   * A running open's allocation sites by function, before its profile
   * (analysis/sites-preview.ts). Host to window only, so not checked at run
   * time: the schema just names the type.
   */
  sitesPreview: z.object({ taskId, preview: z.custom<SitesPreview>() }),
  /** The host wants the window to open a file: menu, command line, Finder, Open Recent. */
  openRequested: z.object({ path: filePath }),
  /** A menu item that the window carries out. */
  menuCommand: z.object({ command: z.enum(menuCommands) }),
  // --- recording events (issue 7) ---
  ...recordingEventSchemas,
  // --- end recording events ---
} as const;

export type HostEvents = typeof hostEvents;
export type HostEventName = keyof HostEvents;
export type EventPayload<E extends HostEventName> = z.infer<HostEvents[E]>;

/** What every transport delivers for a call. */
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** The interface the renderer uses, whatever the transport. */
export type HostClient = {
  [K in HostCallName]: (args: ArgsOf<K>) => Promise<ResultOf<K>>;
} & {
  on<E extends HostEventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The implementation the Node side must provide: a missing handler is a compile error. */
export type HostHandlers = {
  [K in HostCallName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> | ResultOf<K>;
};

export const hostEventNames = Object.keys(hostEvents) as HostEventName[];

/**
 * The object the preload exposes as `window.heatline`: the contract's calls,
 * each returning the transport's CallOutcome, an event subscription, and the
 * one Electron-only helper (a dropped File's path).
 */
export type PreloadBridge = {
  [K in HostCallName]: (args: ArgsOf<K>) => Promise<CallOutcome<ResultOf<K>>>;
} & {
  on(listener: (name: HostEventName, payload: unknown) => void): () => void;
  /** Electron's webUtils.getPathForFile for a dropped File ('' when it has none). */
  pathForFile(file: object): string;
};
