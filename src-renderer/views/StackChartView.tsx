/**
 * The time-ordered flame graph (stack chart) of one thread over the
 * selected range: x is time, rows are call depth from the top. Ctrl/⌘ +
 * wheel zooms at the pointer, Shift + wheel or dragging pans, the wheel
 * scrolls deep stacks; a click selects the box's call path everywhere, a
 * right click opens the transforms menu.
 */

import { useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { stackChartBoxAt, stackChartPathOf, type StackChart } from '../../src-shared/analysis/stack-chart';
import { threadLabel } from '../../src-shared/analysis/threads';
import type { Profile } from '../../src-shared/profile/model';
import { heatPalette } from '../canvas/flame-colors';
import type { FlameTheme } from '../canvas/flame-painter';
import { createStackChartPainter, type StackChartPaintInput } from '../canvas/stack-chart-painter';
import { drawBoxAt, visibleStackChartBoxes, type DrawBox, type DrawBoxes } from '../canvas/stack-chart-layout';
import { paintRuler, prepareCanvas, type TimelineTheme } from '../canvas/timeline-painter';
import { formatDuration, panBy, rulerTicks, timeAtX, zoomAround } from '../canvas/time-axis';
import { analysedThreads, stackChartThreadOf } from '../store/analysis-service';
import { funcNamesOf, paletteOf, threadTotalsOf, timeBoundsOf } from '../store/derived';
import { useAppState } from './app-context';
import { CallNodeMenu, type CallNodeMenuTarget } from './CallNodeMenu';
import { FunctionPlaceFacts } from './FunctionPlaceFacts';
import { useAnalysis } from './use-analysis';
import { useColorScheme } from './use-color-scheme';
import { useElementSize } from './use-element-size';
import { useSearchMatches } from './use-search';

const ROW_HEIGHT = 18;
const RULER_HEIGHT = 20;

export function StackChartView({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  const view = useAppState((state) => state.view);
  const viewChanged = useAppState((state) => state.viewChanged);
  const thread = stackChartThreadOf(profile, view, threadTotalsOf(profile));
  const chart = result?.stackChart ?? null;
  const choices = analysedThreads(profile, view) ?? Array.from({ length: profile.threads.length }, (_, t) => t);
  return (
    <div className="stack-chart" data-testid="stack-chart">
      <div className="pane__title stack-chart__title">
        <label>
          Thread{' '}
          <select
            value={thread}
            data-testid="stack-chart-thread"
            onChange={(event) => viewChanged({ stackChartThread: Number(event.target.value) })}
          >
            {choices.map((t) => (
              <option key={t} value={t}>
                {threadLabel(profile, t)} (tid {profile.threads.tid[t]})
              </option>
            ))}
          </select>
        </label>
        <span className="stack-chart__hint">Ctrl + wheel zooms, drag pans, click selects</span>
      </div>
      {chart === null || chart.thread !== thread ? (
        <p className="pane__empty">Analysing…</p>
      ) : chart.length === 0 ? (
        <p className="pane__empty">No samples of this thread in the selection.</p>
      ) : (
        <StackChartOf profile={profile} chart={chart} self={result!.funcCosts.self} />
      )}
    </div>
  );
}

function StackChartOf({ profile, chart, self }: { profile: Profile; chart: StackChart; self: Float64Array }) {
  const stored = useAppState((state) => state.view.stackChartViewport);
  const coloring = useAppState((state) => state.view.flameColoring);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const viewChanged = useAppState((state) => state.viewChanged);
  const callNodeSelected = useAppState((state) => state.callNodeSelected);
  const functionHovered = useAppState((state) => state.functionHovered);
  const colorScheme = useColorScheme();
  const names = funcNamesOf(profile);
  const { dimmed } = useSearchMatches(profile);
  const palette = useMemo(
    () => (coloring === 'heat' ? heatPalette(self, colorScheme) : paletteOf(profile, colorScheme)),
    [coloring, self, colorScheme, profile],
  );

  const frame = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const ruler = useRef<HTMLCanvasElement>(null);
  const painter = useRef<((input: StackChartPaintInput) => void) | null>(null);
  const { width, height } = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const [hover, setHover] = useState<{ box: DrawBox; x: number; y: number } | null>(null);
  const [menu, setMenu] = useState<CallNodeMenuTarget | null>(null);
  const [theme, setTheme] = useState<{ flame: FlameTheme; ruler: TimelineTheme } | null>(null);

  const bounds: TimeRange = useMemo(() => ({ start: chart.startTime, end: chart.endTime }), [chart.startTime, chart.endTime]);
  const viewport = stored !== null && stored.start >= bounds.start && stored.end <= bounds.end ? stored : bounds;
  const origin = timeBoundsOf(profile)?.start ?? bounds.start;

  useEffect(() => {
    if (frame.current === null) return;
    const style = getComputedStyle(frame.current);
    const variable = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const fontFamily = style.fontFamily || 'system-ui, sans-serif';
    setTheme({
      flame: {
        background: variable('--flame-background', '#ffffff'),
        selectedFill: variable('--flame-selected', '#c026d3'),
        selectedText: variable('--flame-selected-text', '#ffffff'),
        hoverOutline: variable('--flame-hover', '#1d1d1f'),
        fontFamily,
      },
      ruler: {
        background: variable('--timeline-background', '#ffffff'),
        grid: variable('--timeline-grid', '#e4e4e8'),
        text: variable('--text-muted', '#6b6b72'),
        categories: [],
        dropped: '',
        highlight: '',
        sampleTick: '',
        fontFamily,
      },
    });
  }, [colorScheme]);

  const firstDepth = Math.floor(scrollTop / ROW_HEIGHT);
  const lastDepth = Math.ceil((scrollTop + height) / ROW_HEIGHT);
  // The frame shown and the one before it: the one before lends its arrays to the next frame.
  const recentBoxes = useRef<DrawBoxes[]>([]);
  const boxes = useMemo(() => {
    const recent = recentBoxes.current;
    const next = visibleStackChartBoxes(chart, viewport, width, firstDepth, lastDepth, recent.length === 2 ? recent.shift()! : null);
    recent.push(next);
    return next;
  }, [chart, viewport, width, firstDepth, lastDepth]);
  const ticks = useMemo(() => rulerTicks(viewport, width, origin), [viewport, width, origin]);

  useLayoutEffect(() => {
    if (canvas.current === null || theme === null || width <= 0 || height <= 0) return;
    painter.current ??= createStackChartPainter(canvas.current);
    painter.current({
      chart,
      boxes,
      funcNames: names,
      palette,
      width,
      height,
      rowHeight: ROW_HEIGHT,
      scrollTop,
      selectedFunc,
      dimmedFuncs: dimmed,
      hovered: hover?.box ?? null,
      theme: theme.flame,
    });
    if (ruler.current !== null) {
      const ctx = prepareCanvas(ruler.current, width, RULER_HEIGHT);
      if (ctx !== null) paintRuler(ctx, ticks, width, RULER_HEIGHT, theme.ruler);
    }
  }, [chart, boxes, names, palette, width, height, scrollTop, selectedFunc, dimmed, hover, theme, ticks]);

  const latest = useRef({ viewport, width, bounds, viewChanged });
  latest.current = { viewport, width, bounds, viewChanged };
  useEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const onWheel = (event: WheelEvent) => {
      const { viewport, width, bounds, viewChanged } = latest.current;
      const x = event.clientX - element.getBoundingClientRect().left;
      const pixels = event.deltaMode === 1 ? 16 : 1;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        viewChanged({ stackChartViewport: zoomAround(viewport, timeAtX(viewport, width, x), Math.exp(event.deltaY * pixels * 0.002), bounds) });
      } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        const delta = (event.deltaX || event.deltaY) * pixels;
        viewChanged({ stackChartViewport: panBy(viewport, (delta * (viewport.end - viewport.start)) / width, bounds) });
      }
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  const hitTest = (clientX: number, clientY: number) => {
    const rect = scroller.current?.getBoundingClientRect();
    if (!rect) return null;
    const x = clientX - rect.left;
    const y = clientY - rect.top;
    const depth = Math.floor((y + scrollTop) / ROW_HEIGHT);
    // Boxes thinner than a pixel are drawn one pixel wide: hit those by their pixel column.
    for (let i = 0; i < boxes.count; i++) {
      const left = Math.floor(boxes.left[i]);
      if (boxes.depth[i] === depth && x >= left && x < Math.max(boxes.right[i], left + 1)) return { box: drawBoxAt(boxes, i), x, y };
    }
    const box = stackChartBoxAt(chart, depth, timeAtX(viewport, width, x));
    return box === -1 ? null : { box: { box, depth, left: x, right: x + 1 }, x, y };
  };

  const onPointerDown = (event: ReactPointerEvent) => {
    if (event.button !== 0) return;
    const startX = event.clientX;
    const from = viewport;
    let dragging = false;
    const move = (e: PointerEvent) => {
      if (!dragging && Math.abs(e.clientX - startX) < 3) return;
      dragging = true;
      viewChanged({ stackChartViewport: panBy(from, ((startX - e.clientX) * (from.end - from.start)) / width, bounds) });
    };
    const up = (e: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      if (dragging) return;
      const hit = hitTest(e.clientX, e.clientY);
      if (hit !== null) callNodeSelected(stackChartPathOf(chart, hit.box.depth, hit.box.box));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const hoveredFunc = hover === null ? -1 : chart.func[hover.box.box];
  useEffect(() => functionHovered(hoveredFunc), [hoveredFunc, functionHovered]);

  return (
    <div className="stack-chart__frame" ref={frame}>
      <canvas className="stack-chart__ruler" ref={ruler} aria-hidden="true" />
      <div
        className="flame-scroller"
        ref={scroller}
        tabIndex={0}
        role="group"
        aria-label="Stack chart"
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        onPointerDown={onPointerDown}
        onMouseMove={(event) => setHover(hitTest(event.clientX, event.clientY))}
        onMouseLeave={() => setHover(null)}
        onContextMenu={(event) => {
          const hit = hitTest(event.clientX, event.clientY);
          if (hit === null) return;
          event.preventDefault();
          setHover(null);
          setMenu({ x: event.clientX, y: event.clientY, path: stackChartPathOf(chart, hit.box.depth, hit.box.box), inverted: false });
        }}
      >
        <canvas className="flame-canvas" ref={canvas} />
        <div style={{ height: Math.max(0, chart.depthCount * ROW_HEIGHT - height) }} aria-hidden="true" />
      </div>
      {hover !== null && (
        <div className="flame-tooltip" role="tooltip" style={{ left: Math.min(hover.x + 14, Math.max(0, width - 300)), top: hover.y + RULER_HEIGHT + 14 }}>
          <BoxDetails profile={profile} chart={chart} box={hover.box.box} />
        </div>
      )}
      {menu !== null && <CallNodeMenu profile={profile} target={menu} onClose={() => setMenu(null)} />}
    </div>
  );
}

function BoxDetails({ profile, chart, box }: { profile: Profile; chart: StackChart; box: number }) {
  const func = chart.func[box];
  const duration = chart.end[box] - chart.start[box];
  return (
    <>
      <div className="flame-tooltip__name">{funcNamesOf(profile)[func]}</div>
      <dl className="flame-tooltip__facts">
        <dt>Duration</dt>
        <dd>{formatDuration(duration, duration / 100)}</dd>
        <FunctionPlaceFacts profile={profile} func={func} />
      </dl>
    </>
  );
}
