/**
 * The views' access to the analysis: ProfileView asks for the shown tab's
 * current selection (useRequestAnalysis), and every view reads the latest
 * result (useAnalysis). A result may answer an older selection while the
 * worker computes the new one; views keep showing it (no blank flash) and
 * `current` says whether it is up to date.
 */

import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import type { AnalysisRequest, AnalysisResult } from '../../src-shared/analysis/analyzer';
import { analysisRequestOf, requestKey } from '../store/analysis-service';
import { threadTotalsOf } from '../store/derived';
import { useAppState, useServices, useViewBesidesZoom } from './app-context';

export interface AnalysisView {
  result: AnalysisResult | null;
  request: AnalysisRequest | null;
  current: boolean;
  millis: number;
  error: string | null;
}

export function useRequestAnalysis(): void {
  const { analysis } = useServices();
  const tabId = useAppState((state) => state.activeTabId);
  const profile = useAppState((state) => state.profile);
  const view = useViewBesidesZoom();
  const selection = useAppState((state) => state.selection);
  const request = useMemo(
    () => (profile === null ? null : analysisRequestOf(profile, view, selection, threadTotalsOf(profile))),
    [profile, view, selection],
  );
  const key = request === null ? '' : requestKey(request);
  useEffect(() => {
    if (request !== null) analysis.want(tabId, request);
    // The key stands for the request's content: a new object with the same content asks nothing new.
  }, [analysis, tabId, key]);
}

export function useAnalysis(): AnalysisView {
  const { analysis } = useServices();
  const tabId = useAppState((state) => state.activeTabId);
  const tab = useStore(analysis.store, (state) => state.byTab.get(tabId));
  return useMemo(
    () => ({
      result: tab?.result ?? null,
      request: tab?.request ?? null,
      current: tab?.request != null && requestKey(tab.request) === tab.wantedKey,
      millis: tab?.millis ?? 0,
      error: tab?.error ?? null,
    }),
    [tab],
  );
}
