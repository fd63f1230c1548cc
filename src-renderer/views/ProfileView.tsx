/**
 * The analysis of one profile, as in Instruments: facts on top, the
 * timeline (range and thread selection), then the chosen view beside the
 * function list and the heaviest stack. Every view is a function of the
 * profile and the selection; the analysis worker computes what they draw.
 */

import { useEffect, useState } from 'react';
import type { Profile } from '../../src-shared/profile/model';
import { timeBoundsOf } from '../store/derived';
import { hasAllocationSites } from '../store/memory-metric';
import { useAppState, useServices } from './app-context';
import { CallTreeView } from './CallTreeView';
import { FlameGraph } from './FlameGraph';
import { FunctionTable } from './FunctionTable';
import { HeaviestStack } from './HeaviestStack';
import { ProfileHeader } from './ProfileHeader';
import { SandwichView } from './SandwichView';
import { SearchBox } from './SearchBox';
import { SitesView } from './SitesView';
import { SpeedscopeView } from './SpeedscopeView';
import { Splitter } from './Splitter';
import { StackChartView } from './StackChartView';
import { SourcePane, SourcePaneToggle } from './source/SourcePane';
import { Timeline } from './Timeline';
import { TransformChips } from './TransformChips';
import { useAnalysis, useRequestAnalysis } from './use-analysis';
import { InlinedToggle, MemoryMetricSelector, ViewOptions, ViewSwitcher } from './ViewSwitcher';

/** Asks for the analysis of the current selection; a component of its own so that every view change does not re-render the window. */
function AnalysisRequester() {
  useRequestAnalysis();
  return null;
}

/**
 * False until the frame after the analysis first answered (or failed). The
 * timeline and the side panes (function table, heaviest stack) wait for it:
 * while the worker computes the first flame graph the window's thread stays
 * free, the first answer's commit draws the flame graph alone, and the rest
 * follows in the next task. On a million samples the timeline's activity
 * graphs (~0.3 s) and the tables (~0.2 s) no longer come before the flame graph.
 */
function useAfterFirstAnswer(answered: boolean): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    if (!answered || after) return;
    let timer = 0;
    // After the frame that shows the flame graph, not inside it.
    const frame = requestAnimationFrame(() => (timer = window.setTimeout(() => setAfter(true), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [answered, after]);
  return after;
}

export function ProfileView({ profile }: { profile: Profile }) {
  const name = useAppState((state) => state.profileName);
  const panes = useAppState((state) => state.view.panes);
  const hasTimeline = timeBoundsOf(profile) !== null || profile.counters.length > 0;
  const mainView = useAppState((state) => state.view.mainView);
  const paneResized = useAppState((state) => state.paneResized);
  const source = useAppState((state) => state.selection.source);
  const sourceChanged = useAppState((state) => state.sourceChanged);
  const { result, current, error, millis } = useAnalysis();
  const restShown = useAfterFirstAnswer(result !== null || error !== null);
  const { analysis } = useServices();
  return (
    <div
      className="profile-view"
      data-testid="profile-view"
      data-analysis={current ? 'ready' : 'computing'}
      data-analysis-runs-in={analysis.mode()}
      data-analysis-ms={millis.toFixed(1)}
    >
      <AnalysisRequester />
      <ProfileHeader profile={profile} name={name} />
      {error !== null && <div className="analysis-error">Analysis failed: {error}</div>}
      {/* Without times or counters the timeline is one line saying so, not a pane to resize. */}
      <div className="profile-view__timeline" style={hasTimeline ? { height: panes.timeline } : { height: 'auto', paddingBottom: 6 }}>
        {restShown && <Timeline profile={profile} />}
      </div>
      {hasTimeline && (
        <Splitter direction="row" label="Resize the timeline" size={panes.timeline} min={60} max={700} sign={1} onResize={(size) => paneResized('timeline', size)} />
      )}
      <div className="analysis-bar">
        <ViewSwitcher profile={profile} />
        <ViewOptions />
        <MemoryMetricSelector profile={profile} />
        <InlinedToggle profile={profile} />
        <SourcePaneToggle />
        <div className="analysis-bar__spacer" />
        <TransformChips profile={profile} />
        <SearchBox profile={profile} />
      </div>
      <div className="profile-view__panes">
        <div className="main-column">
        <section className="pane pane--main" aria-label="Analysis view">
          {mainView === 'flame' && <FlameGraph profile={profile} />}
          {mainView === 'stack-chart' && <StackChartView profile={profile} />}
          {mainView === 'call-tree' && <CallTreeView profile={profile} />}
          {mainView === 'sandwich' && <SandwichView profile={profile} />}
          {mainView === 'speedscope' && <SpeedscopeView profile={profile} />}
          {mainView === 'sites' && hasAllocationSites(profile) && <SitesView profile={profile} />}
        </section>
        {source.open && (
          <>
            <Splitter direction="row" label="Resize the source pane" size={source.height} min={120} max={1200} sign={-1} onResize={(height) => sourceChanged({ ...source, height: Math.round(height) })} />
            <div className="source-slot" style={{ height: source.height }}>
              <SourcePane profile={profile} />
            </div>
          </>
        )}
        </div>
        <Splitter direction="column" label="Resize the side panel" size={panes.side} min={240} max={900} sign={-1} onResize={(size) => paneResized('side', size)} />
        <div className="side-column" style={{ width: panes.side }}>
          <section className="pane pane--table" aria-label="Functions">
            {restShown ? <FunctionTable profile={profile} /> : <p className="pane__empty">Analysing…</p>}
          </section>
          <Splitter direction="row" label="Resize the heaviest stack" size={panes.detail} min={60} max={600} sign={-1} onResize={(size) => paneResized('detail', size)} />
          <section className="pane pane--detail" aria-label="Heaviest stack" style={{ height: panes.detail }}>
            {restShown && <HeaviestStack profile={profile} />}
          </section>
        </div>
      </div>
    </div>
  );
}
