/**
 * The source pane's link to the host: source texts and disassemblies asked
 * for once per (profile, path) or (profile, function) and kept while the tab
 * is open, remaps read and written, Locate…, and closeProfile when a tab
 * goes away. Fetched data is derived from the host, not state, so it lives
 * here rather than in the app store (like the analysis results).
 */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DisassembleResult, HostClient, LocateSourceResult, SourceReadResult, SourceRemap, SourceRemaps } from '../../src-shared/contract';
import type { AppStore } from './app-store';

export type Fetched<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; message: string };

export interface SourceData {
  /** Key: `${profileId}\0${path}`. */
  texts: ReadonlyMap<string, Fetched<SourceReadResult>>;
  /** Key: `${profileId}\0${library}\0${functionName}`. */
  disassembly: ReadonlyMap<string, Fetched<DisassembleResult>>;
  remaps: ReadonlyMap<string, Fetched<SourceRemaps>>;
}

export interface SourceService {
  store: StoreApi<SourceData>;
  /** Starts reading `path` unless it is read or being read. */
  wantText(profileId: string, path: string): void;
  wantDisassembly(profileId: string, library: string, functionName: string, offsets: readonly number[]): void;
  wantRemaps(profileId: string): void;
  /** Saves remaps; rejects with the host's one line (e.g. a folder that does not exist). Re-reads the texts that were missing. */
  setRemaps(profileId: string, remaps: SourceRemap[]): Promise<void>;
  locate(profileId: string, path: string): Promise<LocateSourceResult>;
  dispose(): void;
}

export const textKey = (profileId: string, path: string) => `${profileId}\0${path}`;
export const asmKey = (profileId: string, library: string, functionName: string) => `${profileId}\0${library}\0${functionName}`;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Offsets sent with a disassembly request at most (the contract's limit). */
const MAX_OFFSETS = 4096;

export function createSourceService(host: HostClient, appStore: AppStore): SourceService {
  const store = createStore<SourceData>()(() => ({ texts: new Map(), disassembly: new Map(), remaps: new Map() }));

  const put = <K extends keyof SourceData>(field: K, key: string, value: SourceData[K] extends ReadonlyMap<string, infer V> ? V : never) => {
    const next = new Map(store.getState()[field] as ReadonlyMap<string, unknown>);
    next.set(key, value);
    store.setState({ [field]: next } as Partial<SourceData>);
  };

  const fetchInto = <K extends keyof SourceData, T>(field: K, key: string, run: () => Promise<T>, force = false) => {
    if (!force && (store.getState()[field] as ReadonlyMap<string, unknown>).has(key)) return;
    put(field, key, { state: 'loading' } as never);
    run().then(
      (value) => put(field, key, { state: 'done', value } as never),
      (error: unknown) => put(field, key, { state: 'failed', message: messageOf(error) } as never),
    );
  };

  const forget = (profileId: string) => {
    const prefix = `${profileId}\0`;
    const drop = (map: ReadonlyMap<string, unknown>) => new Map([...map].filter(([key]) => !key.startsWith(prefix) && key !== profileId));
    const state = store.getState();
    store.setState({
      texts: drop(state.texts) as SourceData['texts'],
      disassembly: drop(state.disassembly) as SourceData['disassembly'],
      remaps: drop(state.remaps) as SourceData['remaps'],
    });
  };

  /** Texts that were not found may be found now (new remaps, a pick): read them again. */
  const rereadMissing = (profileId: string) => {
    for (const [key, fetched] of store.getState().texts) {
      if (!key.startsWith(`${profileId}\0`) || (fetched.state === 'done' && fetched.value.kind === 'found')) continue;
      const path = key.slice(profileId.length + 1);
      fetchInto('texts', key, () => host.readSource({ profileId, path }), true);
    }
  };

  // The host keeps a record per open profile: free it when its tab closes.
  let known = new Set(appStore.getState().tabs.map((tab) => tab.hostProfileId));
  const unsubscribe = appStore.subscribe((state, previous) => {
    if (state.tabs === previous.tabs) return;
    const now = new Set(state.tabs.map((tab) => tab.hostProfileId));
    for (const id of known) {
      if (id === null || now.has(id)) continue;
      forget(id);
      host.closeProfile({ profileId: id }).catch(() => {});
    }
    known = now;
  });

  return {
    store,
    wantText: (profileId, path) => fetchInto('texts', textKey(profileId, path), () => host.readSource({ profileId, path })),
    wantDisassembly: (profileId, library, functionName, offsets) =>
      fetchInto('disassembly', asmKey(profileId, library, functionName), () =>
        host.disassemble({ profileId, library, functionName, offsets: offsets.slice(0, MAX_OFFSETS) }),
      ),
    wantRemaps: (profileId) => fetchInto('remaps', profileId, () => host.getSourceRemaps({ profileId })),
    async setRemaps(profileId, remaps) {
      const saved = await host.setSourceRemaps({ profileId, remaps });
      put('remaps', profileId, { state: 'done', value: saved });
      rereadMissing(profileId);
    },
    async locate(profileId, path) {
      const result = await host.locateSource({ profileId, path });
      if (result.kind === 'picked') {
        put('texts', textKey(profileId, path), { state: 'done', value: result.read });
        fetchInto('remaps', profileId, () => host.getSourceRemaps({ profileId }), true);
        rereadMissing(profileId);
      }
      return result;
    },
    dispose: unsubscribe,
  };
}
