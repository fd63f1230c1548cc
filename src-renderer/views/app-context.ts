/**
 * How components reach the store and the actions: one context, set up in
 * main.tsx. Components that only draw (FlameGraphCanvas) take props instead.
 */

import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ProfileActions } from '../actions/profile-actions';
import type { AnalysisService } from '../store/analysis-service';
import type { AppActions, AppState, AppStore } from '../store/app-store';
import type { SourceService } from '../store/source-service';

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
