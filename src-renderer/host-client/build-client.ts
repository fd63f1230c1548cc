/**
 * What both transports share: the list of call names, the event hub, and
 * turning "invoke a call by name" into the typed HostClient.
 *
 * The names are listed here rather than read from the contract's `hostCalls`
 * so the renderer imports the contract for its types only: its values carry
 * zod, which the window does not need (the host validates). `satisfies`
 * keeps the list exact: a call added to the contract and missing here, or a
 * name here that the contract lacks, is a compile error.
 */

import type { EventPayload, HostCallName, HostClient, HostEventName, OpenedProfile } from '../../src-shared/contract';

const callNames = {
  getHostInfo: true,
  openFile: true,
  openBytes: true,
  cancelTask: true,
  showOpenDialog: true,
  listRecent: true,
  saveExport: true,
  // source pane (issue 5)
  readSource: true,
  locateSource: true,
  getSourceRemaps: true,
  setSourceRemaps: true,
  disassemble: true,
  closeProfile: true,
  // recording (issue 7)
  getRecordCapabilities: true,
  checkRecording: true,
  startRecording: true,
  stopRecording: true,
  writeRecordingInput: true,
  resizeRecording: true,
  providePassword: true,
  lowerPerfParanoid: true,
  listProcesses: true,
  listRecordings: true,
} as const satisfies Record<HostCallName, true>;

type Listener = (payload: unknown) => void;

/** Listeners per event name; a throwing listener does not stop the others. */
export class EventHub {
  private readonly listeners = new Map<HostEventName, Set<Listener>>();

  on<E extends HostEventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as Listener;
    set.add(entry);
    return () => set.delete(entry);
  }

  emit(event: HostEventName, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`heatline: a listener for "${event}" failed`, error);
      }
    }
  }
}

export type Invoke = (name: HostCallName, args: unknown) => Promise<unknown>;

/** The window's HostClient: the contract's calls, plus what only browser mode has. */
export type WindowHostClient = HostClient & {
  /** Browser mode: openBytes for a File sent up as it is, so the page never reads it into memory first. */
  openUpload?(args: { name: string; file: Blob; taskId: string }): Promise<OpenedProfile>;
};

export function buildHostClient(invoke: Invoke, events: EventHub): HostClient {
  const client: Record<string, unknown> = {
    on: events.on.bind(events),
  };
  for (const name of Object.keys(callNames) as HostCallName[]) {
    client[name] = (args: unknown) => invoke(name, args);
  }
  return client as HostClient;
}
