/**
 * Memory over time for profiles whose samples have no time (massif,
 * heaptrack): one row per counter track, all on one time axis (the tool's
 * clock). Dragging across the tracks selects a range that the sites table,
 * the allocation flame graph and the call tree follow (allocation-range.ts):
 * heaptrack's show the allocations made in it, massif's the largest
 * detailed snapshot in it. A file without either (massif with no detailed
 * snapshot) says so, and dragging does nothing.
 */

import { useMemo, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import { allocationsHaveTimes } from '../../src-shared/analysis/allocation-range';
import type { CounterTrack, Profile } from '../../src-shared/profile/model';
import { counterGraph, seriesBounds } from '../canvas/counter-graph';
import { formatDuration, rulerTicks } from '../canvas/time-axis';
import { formatWeight } from '../format/numbers';
import { shownCountersOf } from '../store/derived';
import { useAppState } from './app-context';
import { useElementSize } from './use-element-size';

const TRACK_HEIGHT = 40;
/** Must match .counter-track__label's width in the stylesheet. */
const LABEL_WIDTH = 170;
/** A press that moves less than this is a click (clears the range), not a drag. */
const DRAG_THRESHOLD = 3;

interface Axis {
  start: number;
  end: number;
}

function CounterRow({ track, width, axis }: { track: CounterTrack; width: number; axis: Axis }) {
  const graph = useMemo(() => counterGraph(track, width, TRACK_HEIGHT, axis), [track, width, axis]);
  const peak = graph === null ? '' : track.unit === 'bytes' ? formatWeight(graph.max, 'bytes') : `${graph.max} ${track.unit}`;
  return (
    <div className="counter-track" data-testid="counter-track" data-counter-name={track.name}>
      <div className="counter-track__label">
        <span className="counter-track__name">{track.name}</span>
        <span className="counter-track__peak">peak {peak}</span>
      </div>
      <svg className="counter-track__graph" width={width} height={TRACK_HEIGHT} aria-label={`${track.name} over time, peak ${peak}`}>
        {graph !== null && <path d={graph.area} className="counter-track__area" />}
        {graph !== null && <path d={graph.path} className="counter-track__line" />}
      </svg>
    </div>
  );
}

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });

/** heaptrack's clock is nanoseconds since start; massif's may be instructions or bytes (its event name says). */
function isTimeClock(profile: Profile): boolean {
  return profile.meta.format === 'heaptrack' || /time in milliseconds/.test(profile.meta.eventName ?? '');
}

/** massif's clock when it is not a time: "instructions", "bytes allocated". */
function clockUnit(profile: Profile): string {
  return /time in (.+)$/.exec(profile.meta.eventName ?? '')?.[1] ?? '';
}

export function CounterTracks({ profile }: { profile: Profile }) {
  const column = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(column);
  const range = useAppState((state) => state.view.range);
  const rangeSelected = useAppState((state) => state.rangeSelected);
  const tracks = shownCountersOf(profile);
  // The axis spans the counters and the allocations' time buckets (heaptrack buckets allocations made before its first timestamp at 0).
  const axis = useMemo(() => {
    const timeline = profile.allocations?.timeline;
    const bounds = seriesBounds(timeline ? [...tracks, { time: timeline.time, value: timeline.time }] : tracks);
    return bounds === null || !timeline ? bounds : { start: bounds.start, end: Math.max(bounds.end, timeline.time[timeline.length - 1] + timeline.bucket) };
  }, [profile, tracks]);
  const selectable = allocationsHaveTimes(profile.allocations);
  const graphWidth = Math.max(0, width - LABEL_WIDTH);

  const timeClock = isTimeClock(profile);
  const format = (t: number, step: number) => (timeClock ? formatDuration(t, step) : `${Math.round(t).toLocaleString('en')} ${clockUnit(profile)}`);
  // Ruler ticks in another clock are short numbers ("1.5M"), its unit said once beside them:
  // "1,500,000 instructions" at every tick overlaps the next one.
  const tickLabel = (t: number, step: number) => (timeClock ? formatDuration(t, step) : COMPACT.format(t));
  const snapshots = profile.allocations?.timeline?.kind === 'snapshots';

  /** Drag across the graphs: a range of the tracks' clock, kept in the view like the CPU timeline's. */
  const startSelect = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!selectable || axis === null || event.button !== 0 || graphWidth <= 0) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const timeAt = (clientX: number) => {
      const x = Math.max(0, Math.min(graphWidth, clientX - rect.left - LABEL_WIDTH));
      return axis.start + (x / graphWidth) * (axis.end - axis.start);
    };
    if (event.clientX - rect.left < LABEL_WIDTH) return;
    const anchorX = event.clientX;
    const anchor = timeAt(event.clientX);
    let dragging = false;
    const move = (e: PointerEvent) => {
      if (!dragging && Math.abs(e.clientX - anchorX) < DRAG_THRESHOLD) return;
      dragging = true;
      const t = timeAt(e.clientX);
      rangeSelected({ start: Math.min(anchor, t), end: Math.max(anchor, t) });
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      if (!dragging) rangeSelected(null);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    event.preventDefault();
  };

  const span = axis === null ? 0 : axis.end - axis.start;
  // The ruler's ticks, and their spacing for the labels' precision.
  const ticks = axis === null ? [] : rulerTicks(axis, graphWidth, 0);
  const tickSpacing = ticks.length > 1 ? ticks[1].time - ticks[0].time : span;
  const x = (t: number) => (axis === null || span <= 0 ? 0 : ((t - axis.start) / span) * graphWidth);
  const shown = selectable ? range : null;
  return (
    <section className="timeline counter-tracks" aria-label="Memory over time" data-testid="memory-tracks">
      <div className="timeline__bar">
        <span className="timeline__range" data-testid="range-label">
          {!selectable
            ? `${profile.meta.format} records no allocation times here: the sites and call views cover the whole run`
            : shown === null
              ? snapshots
                ? 'Drag across the memory tracks to see the largest detailed snapshot in a range'
                : 'Drag across the memory tracks to see the allocations made in a range'
              : `${snapshots ? 'Largest snapshot in' : 'Allocations made'} ${format(shown.start, (shown.end - shown.start) / 100)} – ${format(shown.end, (shown.end - shown.start) / 100)}`}
        </span>
        {shown !== null && (
          <button type="button" className="button button--small button--quiet" onClick={() => rangeSelected(null)}>
            Clear selection
          </button>
        )}
      </div>
      <div
        className={`counter-tracks__rows${selectable ? ' counter-tracks__rows--selectable' : ''}`}
        ref={column}
        onPointerDown={startSelect}
        title={selectable ? 'Drag to select the allocations made in a range' : undefined}
      >
        {tracks.length === 0 && <p className="pane__empty">Every memory counter of this profile stays at zero.</p>}
        {width > 0 && axis !== null && tracks.length > 0 && (
          <div className="counter-tracks__ruler" aria-hidden="true" data-testid="memory-ruler">
            {!timeClock && <span className="counter-tracks__unit">{clockUnit(profile)}</span>}
            {ticks.map((tick) => (
              <span key={tick.time} className="counter-tracks__tick" style={{ left: LABEL_WIDTH + tick.x }}>
                {tickLabel(tick.time, tickSpacing)}
              </span>
            ))}
          </div>
        )}
        {width > 0 && axis !== null && tracks.map((track) => <CounterRow key={track.name} track={track} width={graphWidth} axis={axis} />)}
        {shown !== null && axis !== null && graphWidth > 0 && (
          <div className="timeline__shade" style={{ left: LABEL_WIDTH, width: graphWidth }} aria-hidden="true" data-testid="range-shade">
            <div className="timeline__shade-out" style={{ left: 0, width: Math.max(0, x(shown.start)) }} />
            <div className="timeline__shade-in" style={{ left: x(shown.start), width: Math.max(1, x(shown.end) - x(shown.start)) }} />
            <div className="timeline__shade-out" style={{ left: Math.min(graphWidth, x(shown.end)), right: 0 }} />
          </div>
        )}
      </div>
    </section>
  );
}
