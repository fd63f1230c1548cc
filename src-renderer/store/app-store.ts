/**
 * The window's state: the open profiles (immutable references, never
 * copied or mutated), one tab each, what is loading, the error banner, and
 * per profile the user's selection and view state (view-state.ts).
 * Everything a view shows beyond this is derived by pure memoized functions
 * (store/derived.ts) or computed by the analysis worker, never stored.
 *
 * `profile`, `profileName`, `selection` and `view` are the active tab's,
 * copied up so that components read one field; every action that changes
 * them writes the tab too (see `patchActive`).
 *
 * A vanilla zustand store, so the open/export logic and its tests run
 * without React; components read it through useAppState (views/app-context).
 */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { sameTransform, transformFuncPath, type Transform } from '../../src-shared/analysis/transforms';
import type { SitesPreview } from '../../src-shared/analysis/sites-preview';
import type { HostInfo } from '../../src-shared/contract';
import type { IndexIntoFuncTable, IndexIntoThreadTable, Profile } from '../../src-shared/profile/model';
import { shownCountersOf } from './derived';
import { hasAllocationSites } from './memory-metric';
import { defaultSourceSelection, type SourceSelection } from './source-state';
import { ancestorKeys, defaultView, pathKey, pathOfKey, type PaneSizes, type ViewState } from './view-state';

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
  /** The file's allocation sites by function, shown until its profile arrives; null when the host sent none. */
  sitesPreview: SitesPreview | null;
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
  /** The source pane: open files, shown tab, assembly function (source-state.ts). */
  source: SourceSelection;
}

/** One open profile. */
export interface ProfileTab {
  id: number;
  profile: Profile;
  name: string;
  selection: Selection;
  view: ViewState;
  /** The host's handle for this profile (source files, disassembly); null when it came from elsewhere. */
  hostProfileId: string | null;
}

export interface AppState {
  hostInfo: HostInfo | null;
  tabs: readonly ProfileTab[];
  /** The shown tab's id; -1 with no profile open. */
  activeTabId: number;
  profile: Profile | null;
  profileName: string;
  loading: Loading | null;
  errorMessage: string | null;
  selection: Selection;
  view: ViewState;
  /** The function under the pointer in any view, for the timeline's highlight; -1 for none. Not per tab. */
  hoveredFunc: IndexIntoFuncTable;
}

export interface AppActions {
  hostInfoReceived(info: HostInfo): void;
  loadingStarted(taskId: string, name: string): void;
  progressReported(taskId: string, done: number, total: number): void;
  sitesPreviewReceived(taskId: string, preview: SitesPreview): void;
  loadingEnded(taskId: string): void;
  /** A new profile opens in a new tab, shown at once, with a fresh selection. */
  profileOpened(profile: Profile, name: string, hostProfileId?: string): void;
  /** Closes the shown tab. */
  profileClosed(): void;
  tabActivated(id: number): void;
  tabClosed(id: number): void;
  errorShown(message: string): void;
  errorDismissed(): void;
  flameZoomed(path: readonly IndexIntoFuncTable[]): void;
  functionSelected(func: IndexIntoFuncTable): void;
  /** Sort by a column; the same column again flips the direction. */
  tableSortedBy(column: SortColumn): void;

  rangeSelected(range: TimeRange | null): void;
  viewportChanged(viewport: TimeRange | null): void;
  /** null: every visible thread. */
  threadsSelected(threads: readonly IndexIntoThreadTable[] | null): void;
  threadHiddenToggled(thread: IndexIntoThreadTable): void;
  processCollapsedToggled(pid: number): void;
  /** Adds a transform (unless the same one is there); selection, open rows and zoom follow it. */
  transformAdded(transform: Transform): void;
  /**
   * Removes the transform at `index` (its chip's ×). The others stay: each
   * names functions or paths, which mean the same without it.
   */
  transformRemoved(index: number): void;
  /**
   * Selects a call node by its path (from the root; from the leaf when
   * `inverted`); its function becomes the selected function and the rows
   * above it open.
   */
  callNodeSelected(path: readonly IndexIntoFuncTable[], inverted?: boolean): void;
  /** Opens or closes rows of the call tree (of the current direction). */
  rowsExpanded(keys: readonly string[], open: boolean): void;
  /** Replaces the open rows of the current direction. */
  expansionReplaced(keys: readonly string[]): void;
  viewChanged(
    patch: Partial<
      Pick<
        ViewState,
        | 'inverted'
        | 'inlined'
        | 'search'
        | 'mainView'
        | 'flameOrientation'
        | 'flameColoring'
        | 'stackChartThread'
        | 'stackChartViewport'
        | 'memoryMetric'
        | 'sitesGroupBy'
        | 'sitesSort'
      >
    >,
  ): void;
  paneResized(pane: keyof PaneSizes, size: number): void;
  functionHovered(func: IndexIntoFuncTable): void;
  /** The source pane's state of the shown tab changes. */
  sourceChanged(source: SourceSelection): void;
}

export type AppStore = StoreApi<AppState & AppActions>;

export const defaultSelection: Selection = {
  flameZoomPath: [],
  selectedFunc: -1,
  tableSort: { column: 'self', descending: true },
  source: defaultSourceSelection,
};

let nextTabId = 1;

type Store = AppState & AppActions;

/** The state patch that shows `tab` (or nothing, for null). */
function showing(tab: ProfileTab | null): Partial<AppState> {
  return tab === null
    ? { activeTabId: -1, profile: null, profileName: '', selection: defaultSelection, view: defaultView }
    : { activeTabId: tab.id, profile: tab.profile, profileName: tab.name, selection: tab.selection, view: tab.view };
}

/** Changes the shown tab's selection and view, in the tab and in the copies at the top. */
function patchActive(state: Store, change: { selection?: Partial<Selection>; view?: Partial<ViewState> }): Partial<AppState> {
  const index = state.tabs.findIndex((tab) => tab.id === state.activeTabId);
  if (index === -1) {
    // No profile open: the choices apply to the window until one opens (which starts afresh).
    return {
      selection: change.selection ? { ...state.selection, ...change.selection } : state.selection,
      view: change.view ? { ...state.view, ...change.view } : state.view,
    };
  }
  const old = state.tabs[index];
  const tab: ProfileTab = {
    ...old,
    selection: change.selection ? { ...old.selection, ...change.selection } : old.selection,
    view: change.view ? { ...old.view, ...change.view } : old.view,
  };
  const tabs = state.tabs.slice();
  tabs[index] = tab;
  return { tabs, selection: tab.selection, view: tab.view };
}

/**
 * A fresh view of `profile`: the timeline just tall enough for its tracks
 * (within reason), and a memory profile on its allocation sites, as
 * dh_view, heaptrack_gui and Instruments' Allocations open on their tables.
 */
function initialView(profile: Profile): ViewState {
  const processes = new Set(profile.threads.pid).size;
  // Memory profiles show their counters (heap, RSS, ...) there instead of threads.
  const counters = shownCountersOf(profile).length;
  const wanted =
    counters > 0 ? TIMELINE_CHROME + counters * COUNTER_ROW : TIMELINE_CHROME + processes * PROCESS_ROW + profile.threads.length * THREAD_ROW;
  return {
    ...defaultView,
    mainView: hasAllocationSites(profile) ? 'sites' : defaultView.mainView,
    panes: { ...defaultView.panes, timeline: Math.max(110, Math.min(defaultView.panes.timeline, wanted)) },
  };
}

/** Heights in the timeline (bar, ruler, borders; process and thread rows), as its stylesheet sets them. */
const TIMELINE_CHROME = 64;
const PROCESS_ROW = 25;
const THREAD_ROW = 37;
const COUNTER_ROW = 41;

function toggled<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

export function createAppStore(): AppStore {
  return createStore<Store>()((set, get) => ({
    hostInfo: null,
    tabs: [],
    activeTabId: -1,
    profile: null,
    profileName: '',
    loading: null,
    errorMessage: null,
    selection: defaultSelection,
    view: defaultView,
    hoveredFunc: -1,

    hostInfoReceived: (info) => set({ hostInfo: info }),
    loadingStarted: (taskId, name) => set({ loading: { taskId, name, fraction: null, sitesPreview: null } }),
    progressReported: (taskId, done, total) => {
      const loading = get().loading;
      if (loading === null || loading.taskId !== taskId) return;
      const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : null;
      set({ loading: { ...loading, fraction } });
    },
    sitesPreviewReceived: (taskId, preview) => {
      const loading = get().loading;
      if (loading === null || loading.taskId !== taskId) return;
      set({ loading: { ...loading, sitesPreview: preview } });
    },
    loadingEnded: (taskId) => {
      if (get().loading?.taskId === taskId) set({ loading: null });
    },
    profileOpened: (profile, name, hostProfileId) =>
      set((state) => {
        const tab: ProfileTab = {
          id: nextTabId++,
          profile,
          name,
          selection: defaultSelection,
          view: initialView(profile),
          hostProfileId: hostProfileId ?? null,
        };
        return { tabs: [...state.tabs, tab], errorMessage: null, ...showing(tab) };
      }),
    profileClosed: () => get().tabClosed(get().activeTabId),
    tabActivated: (id) => set((state) => showing(state.tabs.find((tab) => tab.id === id) ?? null)),
    tabClosed: (id) =>
      set((state) => {
        const index = state.tabs.findIndex((tab) => tab.id === id);
        if (index === -1) return {};
        const tabs = state.tabs.filter((tab) => tab.id !== id);
        if (id !== state.activeTabId) return { tabs };
        return { tabs, hoveredFunc: -1, ...showing(tabs[Math.min(index, tabs.length - 1)] ?? null) };
      }),
    errorShown: (message) => set({ errorMessage: message }),
    errorDismissed: () => set({ errorMessage: null }),
    flameZoomed: (path) => set((state) => patchActive(state, { selection: { flameZoomPath: path } })),
    functionSelected: (func) =>
      set((state) => patchActive(state, { selection: { selectedFunc: func }, view: { selectedPath: [], selectedInvertedPath: [] } })),
    tableSortedBy: (column) =>
      set((state) => {
        const current = state.selection.tableSort;
        // Names read best A to Z; costs hottest first.
        const descending = current.column === column ? !current.descending : column !== 'name';
        return patchActive(state, { selection: { tableSort: { column, descending } } });
      }),

    rangeSelected: (range) => set((state) => patchActive(state, { view: { range, stackChartViewport: null } })),
    viewportChanged: (viewport) => set((state) => patchActive(state, { view: { viewport } })),
    threadsSelected: (threads) => set((state) => patchActive(state, { view: { threads, stackChartThread: -1 } })),
    threadHiddenToggled: (thread) =>
      set((state) => {
        const hiddenThreads = toggled(state.view.hiddenThreads, thread);
        // A hidden thread leaves the selection too; an empty selection means all again.
        const kept = state.view.threads?.filter((t) => !hiddenThreads.includes(t)) ?? null;
        return patchActive(state, { view: { hiddenThreads, threads: kept !== null && kept.length === 0 ? null : kept } });
      }),
    processCollapsedToggled: (pid) =>
      set((state) => patchActive(state, { view: { collapsedProcesses: toggled(state.view.collapsedProcesses, pid) } })),
    transformAdded: (transform) =>
      set((state) => {
        const { profile, view, selection } = state;
        if (profile === null || view.transforms.some((t) => sameTransform(t, transform))) return {};
        const move = (path: readonly IndexIntoFuncTable[]) => transformFuncPath(profile.funcs, path, transform);
        // Open rows keep their old keys too, so removing the transform again finds them open.
        const moveKeys = (keys: ReadonlySet<string>) =>
          new Set([...keys, ...[...keys].map((key) => pathKey(move(pathOfKey(key)))).filter((key) => key !== '')]);
        const selectedPath = move(view.selectedPath);
        const flameZoomPath = move(selection.flameZoomPath);
        // The transformed selection shows: open the rows above it.
        const expanded = moveKeys(view.expanded);
        for (const key of ancestorKeys(selectedPath)) expanded.add(key);
        return patchActive(state, {
          selection: { flameZoomPath },
          view: {
            transforms: [...view.transforms, transform],
            selectedPath,
            expanded,
            expandedInverted: transform.type === 'focus-subtree' && transform.inverted ? new Set() : moveKeys(view.expandedInverted),
          },
        });
      }),
    transformRemoved: (index) =>
      set((state) => patchActive(state, { view: { transforms: state.view.transforms.filter((_, i) => i !== index) } })),
    callNodeSelected: (path, inverted = false) =>
      set((state) => {
        const field = inverted ? 'expandedInverted' : 'expanded';
        const ancestors = ancestorKeys(path);
        const open = state.view[field];
        const expanded = ancestors.every((key) => open.has(key)) ? open : new Set([...open, ...ancestors]);
        return patchActive(state, {
          selection: { selectedFunc: path.length === 0 ? -1 : path[path.length - 1] },
          view: inverted ? { selectedInvertedPath: path, [field]: expanded } : { selectedPath: path, [field]: expanded },
        });
      }),
    rowsExpanded: (keys, open) =>
      set((state) => {
        const field = state.view.inverted ? 'expandedInverted' : 'expanded';
        const next = new Set(state.view[field]);
        for (const key of keys) {
          if (open) next.add(key);
          else next.delete(key);
        }
        return patchActive(state, { view: { [field]: next } });
      }),
    expansionReplaced: (keys) =>
      set((state) => patchActive(state, { view: { [state.view.inverted ? 'expandedInverted' : 'expanded']: new Set(keys) } })),
    viewChanged: (patch) =>
      set((state) => {
        // The view that set the hover may be going away without a mouseleave: nothing stays lit on the timeline.
        const switching = patch.mainView !== undefined && patch.mainView !== state.view.mainView;
        return { ...patchActive(state, { view: patch }), ...(switching ? { hoveredFunc: -1 } : {}) };
      }),
    paneResized: (pane, size) =>
      set((state) => patchActive(state, { view: { panes: { ...state.view.panes, [pane]: Math.round(size) } } })),
    functionHovered: (func) => {
      if (get().hoveredFunc !== func) set({ hoveredFunc: func });
    },
    sourceChanged: (source) => set((state) => patchActive(state, { selection: { source } })),
  }));
}
