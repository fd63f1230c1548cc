/**
 * The window's state: the open profile (an immutable reference, never
 * copied or mutated), what is loading, the error banner, and the user's
 * selection. Everything a view shows beyond this is derived by pure memoized
 * functions (store/derived.ts), never stored.
 *
 * A vanilla zustand store, so the open/export logic and its tests run
 * without React; components read it through useAppState (views/app-context).
 */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostInfo } from '../../src-shared/contract';
import type { IndexIntoFuncTable, Profile } from '../../src-shared/profile/model';

export type SortColumn = 'name' | 'self' | 'total';

export interface TableSort {
  column: SortColumn;
  descending: boolean;
}

export interface Loading {
  taskId: string;
  /** The file being opened, for the progress line. */
  name: string;
  /** Done / total in [0, 1]; null until the host reports a size. */
  fraction: number | null;
}

export interface Selection {
  /**
   * The zoomed flame-graph node as its path of functions from the root
   * (empty: not zoomed). A path, not a node index, so it survives a
   * recomputed call tree.
   */
  flameZoomPath: readonly IndexIntoFuncTable[];
  /** The function highlighted in the table and the flame graph; -1 for none. */
  selectedFunc: IndexIntoFuncTable;
  tableSort: TableSort;
}

export interface AppState {
  hostInfo: HostInfo | null;
  profile: Profile | null;
  profileName: string;
  loading: Loading | null;
  errorMessage: string | null;
  selection: Selection;
}

export interface AppActions {
  hostInfoReceived(info: HostInfo): void;
  loadingStarted(taskId: string, name: string): void;
  progressReported(taskId: string, done: number, total: number): void;
  loadingEnded(taskId: string): void;
  /** A new profile replaces the old one; the selection starts afresh. */
  profileOpened(profile: Profile, name: string): void;
  profileClosed(): void;
  errorShown(message: string): void;
  errorDismissed(): void;
  flameZoomed(path: readonly IndexIntoFuncTable[]): void;
  functionSelected(func: IndexIntoFuncTable): void;
  /** Sort by a column; the same column again flips the direction. */
  tableSortedBy(column: SortColumn): void;
}

export type AppStore = StoreApi<AppState & AppActions>;

export const defaultSelection: Selection = {
  flameZoomPath: [],
  selectedFunc: -1,
  tableSort: { column: 'self', descending: true },
};

export function createAppStore(): AppStore {
  return createStore<AppState & AppActions>()((set, get) => ({
    hostInfo: null,
    profile: null,
    profileName: '',
    loading: null,
    errorMessage: null,
    selection: defaultSelection,

    hostInfoReceived: (info) => set({ hostInfo: info }),
    loadingStarted: (taskId, name) => set({ loading: { taskId, name, fraction: null } }),
    progressReported: (taskId, done, total) => {
      const loading = get().loading;
      if (loading === null || loading.taskId !== taskId) return;
      const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : null;
      set({ loading: { ...loading, fraction } });
    },
    loadingEnded: (taskId) => {
      if (get().loading?.taskId === taskId) set({ loading: null });
    },
    profileOpened: (profile, name) =>
      set({ profile, profileName: name, errorMessage: null, selection: defaultSelection }),
    profileClosed: () => set({ profile: null, profileName: '', selection: defaultSelection }),
    errorShown: (message) => set({ errorMessage: message }),
    errorDismissed: () => set({ errorMessage: null }),
    flameZoomed: (path) => set((state) => ({ selection: { ...state.selection, flameZoomPath: path } })),
    functionSelected: (func) => set((state) => ({ selection: { ...state.selection, selectedFunc: func } })),
    tableSortedBy: (column) =>
      set((state) => {
        const current = state.selection.tableSort;
        // Names read best A to Z; costs hottest first.
        const descending = current.column === column ? !current.descending : column !== 'name';
        return { selection: { ...state.selection, tableSort: { column, descending } } };
      }),
  }));
}
