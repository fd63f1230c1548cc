/**
 * The timeline at the top of the analysis: a time ruler, then one track per
 * thread grouped by process, each with its CPU activity by category and
 * its sample positions. Drag across tracks to select a range (it filters
 * every view); Ctrl/⌘ + wheel or pinch zooms at the pointer, Shift + wheel
 * or a horizontal swipe pans, dragging the ruler pans; with the timeline
 * focused, + and − (or W, S) zoom, arrows (or A, D) pan, 0 shows all,
 * Escape clears the selection. Clicking a track's name selects that thread
 * (Ctrl/⌘ adds it). Markers (other events of the recording) sit under each
 * thread's activity; the legend hides or shows them per event
 * (TimelineMarkers.tsx).
 */

import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { categoryNames, CATEGORY_COUNT, type Category } from '../../src-shared/analysis/categories';
import type { Profile } from '../../src-shared/profile/model';
import { stacksRunning } from '../canvas/timeline-activity';
import type { ActivitySource } from '../canvas/timeline-pyramid';
import { paintRuler, prepareCanvas, type TimelineTheme } from '../canvas/timeline-painter';
import { formatDuration, panBy, rulerTicks, timeAtX, xAtTime, zoomAround } from '../canvas/time-axis';
import { processGroupsOf, sampleIntervalOf, stackCategoriesOf, stackFuncsOf, threadSamplesOf, timeBoundsOf } from '../store/derived';
import { useAppState } from './app-context';
import { CounterTracks } from './CounterTracks';
import { TimelineTracks } from './TimelineTracks';
import { MarkerLegend, type MarkerSelection } from './TimelineMarkers';
import { useAnalysis } from './use-analysis';
import { useColorScheme } from './use-color-scheme';
import { useElementSize } from './use-element-size';

/** Width of the name column left of the graphs; must match .timeline__label in the stylesheet. */
export const GUTTER = 220;
const RULER_HEIGHT = 22;
/** A press that moves less than this is a click, not a drag. */
const DRAG_THRESHOLD = 3;

function readTheme(element: HTMLElement): TimelineTheme {
  const style = getComputedStyle(element);
  const variable = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: variable('--timeline-background', '#ffffff'),
    grid: variable('--timeline-grid', '#e4e4e8'),
    text: variable('--text-muted', '#6b6b72'),
    categories: [
      variable('--category-user', '#e8590c'),
      variable('--category-library', '#f2a33a'),
      variable('--category-kernel', '#4c8bd6'),
      variable('--category-jit', '#3fa34d'),
    ],
    dropped: variable('--timeline-dropped', '#c8c8ce'),
    highlight: variable('--timeline-highlight', 'rgba(192, 38, 211, 0.75)'),
    sampleTick: variable('--timeline-sample', '#8a8a92'),
    fontFamily: style.fontFamily || 'system-ui, sans-serif',
  };
}

export function Timeline({ profile }: { profile: Profile }) {
  const bounds = timeBoundsOf(profile);
  // Memory profiles' samples have no time, but their heap and RSS counters do.
  if (bounds === null && profile.counters.length > 0) return <CounterTracks profile={profile} />;
  if (bounds === null) {
    return (
      <section className="timeline timeline--empty" aria-label="Timeline">
        <p className="pane__empty">This profile has no timestamps ({profile.meta.format}), so there is no timeline.</p>
      </section>
    );
  }
  return <TimelineWithTime profile={profile} bounds={bounds} />;
}

function TimelineWithTime({ profile, bounds }: { profile: Profile; bounds: TimeRange }) {
  const viewportSetting = useAppState((state) => state.view.viewport);
  const range = useAppState((state) => state.view.range);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const hoveredFunc = useAppState((state) => state.hoveredFunc);
  const rangeSelected = useAppState((state) => state.rangeSelected);
  const viewportChanged = useAppState((state) => state.viewportChanged);
  const functionSelected = useAppState((state) => state.functionSelected);
  const { result, request } = useAnalysis();
  const colorScheme = useColorScheme();

  const root = useRef<HTMLElement>(null);
  const graphColumn = useRef<HTMLDivElement>(null);
  const ruler = useRef<HTMLCanvasElement>(null);
  const { width } = useElementSize(graphColumn);
  const [theme, setTheme] = useState<TimelineTheme | null>(null);
  useEffect(() => {
    if (root.current) setTheme(readTheme(root.current));
  }, [colorScheme]);

  const viewport = viewportSetting ?? bounds;

  // Markers: hidden events and the selected marker are this timeline's own state.
  const [hiddenEvents, setHiddenEvents] = useState<ReadonlySet<number>>(new Set());
  const [selectedMarker, setSelectedMarker] = useState(-1);
  useEffect(() => {
    setHiddenEvents(new Set());
    setSelectedMarker(-1);
  }, [profile]);
  const toggleEvent = useCallback((slot: number) => {
    setHiddenEvents((hidden) => {
      const next = new Set(hidden);
      if (!next.delete(slot)) next.add(slot);
      return next;
    });
  }, []);
  const markerSelection = useMemo((): MarkerSelection | undefined => {
    const markers = profile.markers;
    if (markers === null) return undefined;
    return {
      hidden: hiddenEvents,
      selected: selectedMarker,
      origin: bounds.start,
      onSelect: (row) => {
        setSelectedMarker(row);
        // The marker's leaf function becomes the selection, which the call views highlight.
        const stack = row < 0 ? -1 : markers.stack[row];
        if (stack >= 0) functionSelected(profile.frames.func[profile.stacks.frame[stack]]);
      },
    };
  }, [profile, hiddenEvents, selectedMarker, bounds.start, functionSelected]);

  const ticks = useMemo(() => rulerTicks(viewport, width, bounds.start), [viewport, width, bounds.start]);

  // What the hovered function (or else the selected one) ran on: lit in every track.
  const litFunc = hoveredFunc >= 0 ? hoveredFunc : selectedFunc;
  const litStacks = useMemo(
    () => (litFunc < 0 ? null : stacksRunning(profile.stacks.prefix, stackFuncsOf(profile), litFunc)),
    [profile, litFunc],
  );
  // Without transforms every stack is kept: null then, as before the first result, so the activity pyramids
  // built on the first paint stay valid when the analysis answers (rebuilding them cost ~0.3 s on 1M samples).
  const keptStacks = result !== null && request !== null && request.transforms.length > 0 ? result.keptStacks : null;
  const inputOf = useMemo(() => {
    const threadSamples = threadSamplesOf(profile);
    const interval = sampleIntervalOf(profile);
    const stackCategory = stackCategoriesOf(profile);
    // One source object per thread while the transforms and the highlight stay: the activity pyramids hang on it.
    const cache = new Map<number, ActivitySource>();
    return (thread: number) => {
      let input = cache.get(thread);
      if (input === undefined) {
        input = {
          threadSamples: threadSamples[thread],
          sampleStack: profile.samples.stack,
          stackCategory,
          keptStacks,
          highlightStacks: litStacks,
          interval,
        };
        cache.set(thread, input);
      }
      return input;
    };
  }, [profile, keptStacks, litStacks]);

  useLayoutEffect(() => {
    if (ruler.current === null || theme === null || width <= 0) return;
    const ctx = prepareCanvas(ruler.current, width, RULER_HEIGHT);
    if (ctx !== null) paintRuler(ctx, ticks, width, RULER_HEIGHT, theme);
  }, [ticks, width, theme]);

  // Wheel: React's wheel listeners are passive, and a zoom must not also scroll the page.
  const latest = useRef({ viewport, width, bounds, viewportChanged });
  latest.current = { viewport, width, bounds, viewportChanged };
  useEffect(() => {
    const element = root.current;
    if (element === null) return;
    const onWheel = (event: WheelEvent) => {
      const { viewport, width, bounds, viewportChanged } = latest.current;
      const rect = graphColumn.current?.getBoundingClientRect();
      if (!rect || width <= 0) return;
      const x = event.clientX - rect.left;
      const pixels = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        const factor = Math.exp(event.deltaY * pixels * 0.002);
        viewportChanged(zoomAround(viewport, timeAtX(viewport, width, x), factor, bounds));
      } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        const delta = (event.deltaX || event.deltaY) * pixels;
        viewportChanged(panBy(viewport, (delta * (viewport.end - viewport.start)) / width, bounds));
      }
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  /** A press on the graphs: a drag selects a range; a click is handed back. */
  const startSelect = (event: ReactPointerEvent, onClick: (event: PointerEvent) => void) => {
    if (event.button !== 0 || width <= 0) return;
    const rect = graphColumn.current!.getBoundingClientRect();
    const anchorX = event.clientX;
    const anchor = timeAtX(viewport, width, event.clientX - rect.left);
    let dragging = false;
    let frame = 0;
    let pending: TimeRange | null = null;
    const move = (e: PointerEvent) => {
      if (!dragging && Math.abs(e.clientX - anchorX) < DRAG_THRESHOLD) return;
      dragging = true;
      const time = timeAtX(viewport, width, Math.max(0, Math.min(width, e.clientX - rect.left)));
      pending = { start: Math.max(bounds.start, Math.min(anchor, time)), end: Math.min(bounds.end, Math.max(anchor, time)) };
      // One store update per frame however fast the pointer reports.
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        if (pending) rangeSelected(pending);
      });
    };
    const up = (e: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      if (frame) cancelAnimationFrame(frame);
      if (dragging && pending) rangeSelected(pending.end > pending.start ? pending : null);
      else onClick(e);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    event.preventDefault();
  };

  const startPan = (event: ReactPointerEvent) => {
    if (event.button !== 0 || width <= 0) return;
    const startX = event.clientX;
    const from = viewport;
    const move = (e: PointerEvent) => viewportChanged(panBy(from, ((startX - e.clientX) * (from.end - from.start)) / width, bounds));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    event.preventDefault();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLButtonElement) return;
    const center = (viewport.start + viewport.end) / 2;
    const step = (viewport.end - viewport.start) / 10;
    const actions: Record<string, () => void> = {
      '+': () => viewportChanged(zoomAround(viewport, center, 0.7, bounds)),
      '=': () => viewportChanged(zoomAround(viewport, center, 0.7, bounds)),
      w: () => viewportChanged(zoomAround(viewport, center, 0.7, bounds)),
      '-': () => viewportChanged(zoomAround(viewport, center, 1 / 0.7, bounds)),
      s: () => viewportChanged(zoomAround(viewport, center, 1 / 0.7, bounds)),
      ArrowLeft: () => viewportChanged(panBy(viewport, -step, bounds)),
      a: () => viewportChanged(panBy(viewport, -step, bounds)),
      ArrowRight: () => viewportChanged(panBy(viewport, step, bounds)),
      d: () => viewportChanged(panBy(viewport, step, bounds)),
      '0': () => viewportChanged(null),
      Escape: () => rangeSelected(null),
    };
    const action = actions[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      action();
    }
  };

  const span = viewport.end - viewport.start;
  return (
    <section className="timeline" data-testid="timeline" aria-label="Timeline" ref={root} tabIndex={0} onKeyDown={onKeyDown}>
      <div className="timeline__bar">
        <span className="timeline__range" data-testid="range-label">
          {range === null
            ? `All of ${formatDuration(bounds.end - bounds.start, (bounds.end - bounds.start) / 100)} — drag across the tracks to select`
            : `Selected ${formatDuration(range.start - bounds.start, (range.end - range.start) / 100)} – ${formatDuration(range.end - bounds.start, (range.end - range.start) / 100)} (${formatDuration(range.end - range.start, (range.end - range.start) / 100)})`}
        </span>
        {range !== null && (
          <>
            <button type="button" className="button button--small" onClick={() => viewportChanged(range)}>
              Zoom to selection
            </button>
            <button type="button" className="button button--small button--quiet" onClick={() => rangeSelected(null)}>
              Clear selection
            </button>
          </>
        )}
        <ShowAllButton zoomed={viewportSetting !== null} onClick={() => viewportChanged(null)} />
        {profile.markers !== null && <MarkerLegend profile={profile} markers={profile.markers} hidden={hiddenEvents} onToggle={toggleEvent} />}
        <ul className="timeline__legend" aria-label="Activity colours">
          {Array.from({ length: CATEGORY_COUNT }, (_, c) => (
            <li key={c}>
              <span className={`swatch swatch--category-${c}`} aria-hidden="true" />
              {categoryNames[c as Category]}
            </li>
          ))}
        </ul>
      </div>
      <div className="timeline__ruler-row">
        <div className="timeline__gutter" style={{ width: GUTTER }} />
        <div className="timeline__ruler" ref={graphColumn} onPointerDown={startPan} title="Drag to pan; Ctrl + wheel to zoom">
          <canvas ref={ruler} />
        </div>
      </div>
      <div className="timeline__body">
        {theme !== null && width > 0 && (
          <TimelineTracks
            profile={profile}
            groups={processGroupsOf(profile)}
            inputOf={inputOf}
            view={viewport}
            width={width}
            ticks={ticks}
            theme={theme}
            onGraphPress={startSelect}
            markers={markerSelection}
          />
        )}
        <RangeShade range={range} viewport={viewport} width={width} />
      </div>
      <span className="visually-hidden" aria-live="polite">
        {`Showing ${formatDuration(span, span / 100)}`}
      </span>
    </section>
  );
}

/**
 * Shows the whole profile again. Always there (a button appearing on the
 * first wheel step re-laid out the bar), disabled while nothing is zoomed.
 * That state follows the zoom in a render of its own, a frame late:
 * restyling the button inside the first wheel step's frame cost 1-4 ms of
 * paint there.
 */
function ShowAllButton({ zoomed, onClick }: { zoomed: boolean; onClick(): void }) {
  const enabled = useDeferredValue(zoomed);
  return (
    <button type="button" className="button button--small button--quiet" disabled={!enabled} onClick={onClick} title="Show the whole profile (key: 0)">
      Show all
    </button>
  );
}

/** The selected range over the graphs: the rest is dimmed, the range's edges marked. */
function RangeShade({ range, viewport, width }: { range: TimeRange | null; viewport: TimeRange; width: number }) {
  if (range === null || width <= 0) return null;
  const left = Math.max(0, Math.min(width, xAtTime(viewport, width, range.start)));
  const right = Math.max(0, Math.min(width, xAtTime(viewport, width, range.end)));
  return (
    <div className="timeline__shade" style={{ left: GUTTER, width }} aria-hidden="true" data-testid="range-shade">
      <div className="timeline__shade-out" style={{ left: 0, width: left }} />
      <div className="timeline__shade-in" style={{ left, width: Math.max(1, right - left) }} />
      <div className="timeline__shade-out" style={{ left: right, right: 0 }} />
    </div>
  );
}
