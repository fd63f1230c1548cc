/**
 * How components reach the store and the actions: one context, set up in
 * main.tsx. Components that only draw (FlameGraphCanvas) take props instead.
 */

import { createContext, useContext, useRef } from 'react';
import { useStore } from 'zustand';
import type { ProfileActions } from '../actions/profile-actions';
import type { AnalysisService } from '../store/analysis-service';
import type { AppActions, AppState, AppStore } from '../store/app-store';
import type { SourceService } from '../store/source-service';
import type { ViewState } from '../store/view-state';

export interface AppServices {
  store: AppStore;
  actions: ProfileActions;
  /** The shown selection's call trees, costs and layouts, computed off the UI thread. */
  analysis: AnalysisService;
  /** Source texts, disassembly and remaps from the host, for the source pane. */
  source: SourceService;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (services === null) throw new Error('AppContext is missing: render inside <AppContext value={...}>');
  return services;
}

export function useActions(): ProfileActions {
  return useServices().actions;
}

/** Reads the store; the selector must return stored values (not fresh objects) to avoid re-render loops. */
export function useAppState<T>(selector: (state: AppState & AppActions) => T): T {
  return useStore(useServices().store, selector);
}

/** The view's fields that change on every wheel step of a zoom or pan (the timeline's and the stack chart's). */
const zoomFields: ReadonlySet<string> = new Set<keyof ViewState>(['viewport', 'stackChartViewport']);

/** Whether two views differ in nothing but the zoom fields. */
function sameBesidesZoom(a: ViewState, b: ViewState): boolean {
  for (const key of Object.keys(b) as (keyof ViewState)[]) {
    if (a[key] !== b[key] && !zoomFields.has(key)) return false;
  }
  return true;
}

/**
 * The active tab's view, for components that do not draw the zoomed window
 * (the analysis request, the view options, the track list): it stays the
 * same object while only a zoom or pan changes, so a wheel step does not
 * re-render them. Its viewport fields may be stale: read those with their
 * own selectors.
 */
export function useViewBesidesZoom(): ViewState {
  const kept = useRef<ViewState | null>(null);
  return useAppState((state) => {
    // The same answer for the same views whenever it is asked: what useSyncExternalStore needs of a snapshot.
    if (kept.current === null || !sameBesidesZoom(kept.current, state.view)) kept.current = state.view;
    return kept.current;
  });
}
