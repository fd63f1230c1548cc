/**
 * The timeline's rows: per process a header (collapse, name, pid; with the
 * process's combined activity when collapsed), then its threads (select,
 * hide, name, tid, activity, and under it the thread's markers when the
 * profile has any). Hidden threads stay listed as a thin row, so they can
 * be shown again.
 */

import { memo, useCallback, type PointerEvent as ReactPointerEvent } from 'react';
import type { ProcessGroup } from '../../src-shared/analysis/threads';
import { threadLabel } from '../../src-shared/analysis/threads';
import type { Profile } from '../../src-shared/profile/model';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import type { ActivitySource } from '../canvas/timeline-pyramid';
import type { TimelineTheme } from '../canvas/timeline-painter';
import type { Tick } from '../canvas/time-axis';
import { analysedThreads } from '../store/analysis-service';
import { useAppState, useViewBesidesZoom } from './app-context';
import { TrackGraph } from './TimelineTrack';
import { MARKER_STRIP_HEIGHT, MarkerStrip, type MarkerSelection } from './TimelineMarkers';

const THREAD_HEIGHT = 36;
const PROCESS_HEIGHT = 24;

export interface TimelineTracksProps {
  profile: Profile;
  groups: readonly ProcessGroup[];
  inputOf(thread: number): ActivitySource;
  view: TimeRange;
  width: number;
  ticks: readonly Tick[];
  theme: TimelineTheme;
  onGraphPress(event: ReactPointerEvent, onClick: (event: PointerEvent) => void): void;
  /** Marker hiding and selection; absent when the profile has no markers. */
  markers?: MarkerSelection;
}

export function TimelineTracks({ profile, groups, inputOf, view: window, width, ticks, theme, onGraphPress, markers }: TimelineTracksProps) {
  const view = useViewBesidesZoom();
  const threadsSelected = useAppState((state) => state.threadsSelected);
  const threadHiddenToggled = useAppState((state) => state.threadHiddenToggled);
  const processCollapsedToggled = useAppState((state) => state.processCollapsedToggled);
  const analysed = analysedThreads(profile, view);
  const explicit = view.threads;

  /** A click selects the thread alone (again: all threads); Ctrl/⌘ adds or removes it. */
  const select = useCallback(
    (thread: number, additive: boolean) => {
      if (additive) {
        const current = explicit ?? [];
        const next = current.includes(thread) ? current.filter((t) => t !== thread) : [...current, thread];
        threadsSelected(next.length === 0 ? null : next);
      } else {
        threadsSelected(explicit?.length === 1 && explicit[0] === thread ? null : [thread]);
      }
    },
    [explicit, threadsSelected],
  );

  return (
    <div className="timeline__tracks">
      {groups.map((group) => {
        const collapsed = view.collapsedProcesses.includes(group.pid);
        const visible = group.threads.filter((t) => !view.hiddenThreads.includes(t));
        return (
          <div className="timeline__process" key={group.pid} role="group" aria-label={group.pid >= 0 ? `Process ${group.name} (pid ${group.pid})` : `Process ${group.name}`}>
            <div className="timeline__row timeline__row--process" style={{ height: PROCESS_HEIGHT }}>
              <ProcessLabel group={group} collapsed={collapsed} onToggle={processCollapsedToggled} />
              <div className="timeline__graph-cell" onPointerDown={(event) => onGraphPress(event, () => {})}>
                {collapsed && (
                  <TrackGraph
                    inputs={visible.map(inputOf)}
                    view={window}
                    width={width}
                    height={PROCESS_HEIGHT}
                    scaleMode="process"
                    ticks={ticks}
                    theme={theme}
                  />
                )}
              </div>
            </div>
            {!collapsed &&
              group.threads.map((thread) => {
                const hidden = view.hiddenThreads.includes(thread);
                const name = threadLabel(profile, thread);
                const tid = profile.threads.tid[thread];
                const selected = explicit !== null && explicit.includes(thread);
                const dimmed = analysed !== null && !analysed.includes(thread);
                const markerTable = markers !== undefined ? profile.markers : null;
                const stripHeight = markerTable !== null ? MARKER_STRIP_HEIGHT : 0;
                return (
                  <div
                    key={thread}
                    className={`timeline__row timeline__row--thread${hidden ? ' timeline__row--hidden' : ''}${selected ? ' timeline__row--selected' : ''}${dimmed ? ' timeline__row--dimmed' : ''}`}
                    style={{ height: hidden ? undefined : THREAD_HEIGHT }}
                    data-testid="thread-track"
                    data-thread-name={name}
                  >
                    <ThreadLabel thread={thread} name={name} tid={tid} selected={selected} hidden={hidden} onSelect={select} onToggleHidden={threadHiddenToggled} />
                    {!hidden && (
                      <div
                        className="timeline__graph-cell"
                        onPointerDown={(event) => onGraphPress(event, (e) => select(thread, e.ctrlKey || e.metaKey))}
                      >
                        {/* The marker strip takes the bottom of the row: rows keep one height, which the store's initial timeline size counts on. */}
                        <TrackGraph inputs={[inputOf(thread)]} view={window} width={width} height={THREAD_HEIGHT - stripHeight} scaleMode="thread" ticks={ticks} theme={theme} />
                        {markerTable !== null && markers !== undefined && (
                          <MarkerStrip profile={profile} markers={markerTable} thread={thread} view={window} width={width} selection={markers} />
                        )}
                      </div>
                    )}
                  </div>
                );
              })}
          </div>
        );
      })}
    </div>
  );
}

/*
 * The labels are components of their own, memoized: a zoom or pan step re-renders the track list for
 * the graphs' new window, and the labels' buttons then stay as they are without React rebuilding them.
 */

const ProcessLabel = memo(function ProcessLabel({ group, collapsed, onToggle }: { group: ProcessGroup; collapsed: boolean; onToggle(pid: number): void }) {
  return (
    <div className="timeline__label">
      <button
        type="button"
        className="disclosure"
        aria-expanded={!collapsed}
        aria-label={collapsed ? `Expand ${group.name}` : `Collapse ${group.name}`}
        onClick={() => onToggle(group.pid)}
      >
        {collapsed ? '▸' : '▾'}
      </button>
      <span className="timeline__name" title={group.name}>
        {group.name}
      </span>
      {group.pid >= 0 && <span className="timeline__id">pid {group.pid}</span>}
    </div>
  );
});

interface ThreadLabelProps {
  thread: number;
  name: string;
  tid: number;
  selected: boolean;
  hidden: boolean;
  onSelect(thread: number, additive: boolean): void;
  onToggleHidden(thread: number): void;
}

const ThreadLabel = memo(function ThreadLabel({ thread, name, tid, selected, hidden, onSelect, onToggleHidden }: ThreadLabelProps) {
  return (
    <div className="timeline__label">
      <button
        type="button"
        className="timeline__select"
        aria-pressed={selected}
        title={`${name} (tid ${tid}). Click to analyse only this thread; Ctrl/⌘-click to add it.`}
        onClick={(event) => onSelect(thread, event.ctrlKey || event.metaKey)}
      >
        <span className="timeline__name">{name}</span>
        <span className="timeline__id">tid {tid}</span>
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={hidden ? `Show ${name}` : `Hide ${name}`}
        title={hidden ? 'Show this track' : 'Hide this track (and leave it out of the analysis)'}
        onClick={() => onToggleHidden(thread)}
      >
        {hidden ? 'Show' : 'Hide'}
      </button>
    </div>
  );
});
