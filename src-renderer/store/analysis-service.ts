/**
 * Joins the store to the analysis worker: each open tab's profile goes to
 * the worker once; the shown tab's selection becomes an AnalysisRequest
 * (a pure function of the view state, `analysisRequestOf`), and the latest
 * result per tab is kept here, outside the app store, because it is derived
 * data, not state. Views read it with useAnalysis (views/use-analysis.ts).
 *
 * A newly opened tab's first request goes out here, as the tab appears in
 * the store, not from the views' effect: React's first render of the
 * profile (the timeline's activity graphs: ~0.3 s for a million samples)
 * then runs while the worker computes the flame graph, not before it. The
 * first answer comes without the hottest lines (AnalyzeOptions.
 * deferFuncLines); they follow in a message of their own and are merged in.
 */

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AllocationMetric } from '../../src-shared/analysis/allocation-sites';
import type { AnalysisRequest, AnalysisResult } from '../../src-shared/analysis/analyzer';
import type { Profile } from '../../src-shared/profile/model';
import type { AnalysisClient } from '../workers/analysis-client';
import type { AppStore, Selection } from './app-store';
import { threadTotalsOf } from './derived';
import { metricOf } from './memory-metric';
import { sourceRequestOf } from './source-state';
import type { ViewState } from './view-state';

export interface TabAnalysis {
  /** The latest result and the request it answers (it may be older than the current one). */
  result: AnalysisResult | null;
  request: AnalysisRequest | null;
  /** Key of the request last asked for; result is current when requestKey(request) equals it. */
  wantedKey: string;
  millis: number;
  error: string | null;
}

export interface AnalysisState {
  byTab: ReadonlyMap<number, TabAnalysis>;
}

export interface AnalysisService {
  store: StoreApi<AnalysisState>;
  /** Asks for the analysis of a tab's current selection (a no-op when that is already asked for). */
  want(tabId: number, request: AnalysisRequest): void;
  mode(): 'worker' | 'window';
  dispose(): void;
}

export function requestKey(request: AnalysisRequest): string {
  return JSON.stringify(request);
}

/** The threads the views analyse: the selection, or every thread not hidden (null when that is all). */
export function analysedThreads(profile: Profile, view: ViewState): readonly number[] | null {
  if (view.threads !== null) return view.threads;
  if (view.hiddenThreads.length === 0) return null;
  const visible: number[] = [];
  for (let t = 0; t < profile.threads.length; t++) if (!view.hiddenThreads.includes(t)) visible.push(t);
  return visible;
}

/** The thread whose stack chart shows: the chosen one, else the first analysed one with the most samples. */
export function stackChartThreadOf(profile: Profile, view: ViewState, threadTotals: Float64Array): number {
  if (view.stackChartThread >= 0) return view.stackChartThread;
  const candidates = analysedThreads(profile, view) ?? Array.from({ length: profile.threads.length }, (_, t) => t);
  let best = -1;
  for (const t of candidates) if (best === -1 || threadTotals[t] > threadTotals[best]) best = t;
  return best;
}

/** What the shown views need from the analysis, and nothing more. */
export function analysisRequestOf(profile: Profile, view: ViewState, selection: Selection, threadTotals: Float64Array): AnalysisRequest {
  return {
    range: view.range,
    threads: analysedThreads(profile, view),
    transforms: view.transforms,
    inlined: view.inlined,
    search: view.search.trim(),
    inverted: view.inverted && view.mainView === 'call-tree',
    invertedOpen: view.inverted && view.mainView === 'call-tree' ? [...view.expandedInverted].sort() : [],
    sandwichFunc: view.mainView === 'sandwich' ? selection.selectedFunc : -1,
    stackChartThread: view.mainView === 'stack-chart' ? stackChartThreadOf(profile, view, threadTotals) : -1,
    ...metricRequest(metricOf(profile, view)),
    ...sourceRequestOf(selection.source),
  };
}

/** The request's metric field: absent (weigh by the samples) for profiles without allocation sites. */
function metricRequest(metric: AllocationMetric | null): Pick<AnalysisRequest, 'metric'> {
  return metric === null ? {} : { metric };
}

const emptyTab: TabAnalysis = { result: null, request: null, wantedKey: '', millis: 0, error: null };

export function createAnalysisService(appStore: AppStore, client: AnalysisClient): AnalysisService {
  const store = createStore<AnalysisState>()(() => ({ byTab: new Map() }));
  const opened = new Set<number>();
  /** Hottest lines per tab, once the worker has sent them. */
  const funcLinesOf = new Map<number, Int32Array>();

  const update = (tabId: number, change: Partial<TabAnalysis>) => {
    const byTab = new Map(store.getState().byTab);
    byTab.set(tabId, { ...(byTab.get(tabId) ?? emptyTab), ...change });
    store.setState({ byTab });
  };

  /** A result with the hottest lines filled in, when it came without them and they are known. */
  const withFuncLines = (tabId: number, result: AnalysisResult): AnalysisResult => {
    const funcLines = funcLinesOf.get(tabId);
    return result.funcLinesPending && funcLines !== undefined ? { ...result, funcLines, funcLinesPending: false } : result;
  };

  const funcLinesArrived = (tabId: number, funcLines: Int32Array) => {
    if (!opened.has(tabId)) return;
    funcLinesOf.set(tabId, funcLines);
    const result = store.getState().byTab.get(tabId)?.result;
    if (result) update(tabId, { result: withFuncLines(tabId, result) });
  };

  const want = (tabId: number, request: AnalysisRequest) => {
    const key = requestKey(request);
    if (store.getState().byTab.get(tabId)?.wantedKey === key) return;
    update(tabId, { wantedKey: key });
    client.request(
      tabId,
      request,
      (result, answered, millis) => {
        if (!opened.has(tabId)) return;
        // Same transforms, same kept stacks: keep the old array so the timeline's caches stay valid.
        const previous = store.getState().byTab.get(tabId);
        if (previous?.result && previous.request && JSON.stringify(previous.request.transforms) === JSON.stringify(answered.transforms)) {
          result.keptStacks = previous.result.keptStacks;
        }
        update(tabId, { result: withFuncLines(tabId, result), request: answered, millis, error: null });
      },
      (message) => update(tabId, { error: message }),
    );
  };

  // Profiles enter and leave the worker with their tabs; a new tab's first analysis is asked for at once.
  const syncTabs = () => {
    const tabs = appStore.getState().tabs;
    for (const tab of tabs) {
      if (!opened.has(tab.id)) {
        opened.add(tab.id);
        client.open(tab.id, tab.profile, (funcLines) => funcLinesArrived(tab.id, funcLines));
        want(tab.id, analysisRequestOf(tab.profile, tab.view, tab.selection, threadTotalsOf(tab.profile)));
      }
    }
    for (const id of [...opened]) {
      if (tabs.some((tab) => tab.id === id)) continue;
      opened.delete(id);
      funcLinesOf.delete(id);
      client.close(id);
      const byTab = new Map(store.getState().byTab);
      byTab.delete(id);
      store.setState({ byTab });
    }
  };
  syncTabs();
  const unsubscribe = appStore.subscribe((state, previous) => {
    if (state.tabs !== previous.tabs) syncTabs();
  });

  return {
    store,
    want,
    mode: () => client.mode(),
    dispose: unsubscribe,
  };
}
