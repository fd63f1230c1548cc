/**
 * The timeline's markers (events other than the sampled one, such as
 * sched:sched_switch next to cpu-clock): a strip under each thread's
 * activity with one coloured bar per marker (per pixel column and event),
 * a legend whose entries hide or show an event, and a tooltip with the
 * event, its time, its thread, the leaf function of its stack and the
 * tracepoint's fields. Clicking a marker selects it and its leaf function
 * (the call views highlight that function), as Instruments and the Firefox
 * Profiler select a marker. Markers follow the timeline's zoom and pan.
 */

import { useLayoutEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { threadLabel } from '../../src-shared/analysis/threads';
import { stringAt, type MarkerTable, type Profile } from '../../src-shared/profile/model';
import { prepareCanvas } from '../canvas/timeline-painter';
import { layoutMarkers, markerAt, markerColor, markerEventsOf, paintMarkers, type MarkerColumn } from '../canvas/timeline-markers';
import { formatDuration } from '../canvas/time-axis';
import { formatCount } from '../format/numbers';

/** Height of a thread's marker strip, CSS pixels. */
export const MARKER_STRIP_HEIGHT = 10;

export interface MarkerSelection {
  /** Hidden event slots (markerEventsOf order). */
  hidden: ReadonlySet<number>;
  /** The selected marker row, -1 for none. */
  selected: number;
  onSelect(row: number): void;
  /** The profile's time origin, for "12.5 ms" times in the tooltip. */
  origin: number;
}

/** The leaf function name of a marker's stack, or null when it has none. */
function leafName(profile: Profile, stack: number): string | null {
  if (stack < 0) return null;
  return stringAt(profile, profile.funcs.name[profile.frames.func[profile.stacks.frame[stack]]], '[unknown]');
}

export function MarkerStrip({
  profile,
  markers,
  thread,
  view,
  width,
  selection,
}: {
  profile: Profile;
  markers: MarkerTable;
  thread: number;
  view: TimeRange;
  width: number;
  selection: MarkerSelection;
}) {
  const events = markerEventsOf(markers);
  const rows = events.byThread.get(thread);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ column: MarkerColumn; x: number; y: number } | null>(null);
  const columns = useMemo(
    () => (rows === undefined ? [] : layoutMarkers(markers, events, rows, view, width, selection.hidden)),
    [markers, events, rows, view, width, selection.hidden],
  );
  useLayoutEffect(() => {
    if (canvas.current === null || width <= 0) return;
    const ctx = prepareCanvas(canvas.current, width, MARKER_STRIP_HEIGHT);
    if (ctx !== null) paintMarkers(ctx, columns, width, MARKER_STRIP_HEIGHT, selection.selected);
  }, [columns, width, selection.selected]);

  const columnAt = (event: ReactPointerEvent<HTMLCanvasElement>) => markerAt(columns, event.clientX - event.currentTarget.getBoundingClientRect().left);
  const shownCount = columns.reduce((sum, c) => sum + c.count, 0);
  return (
    <div className="timeline__markers">
      <canvas
        ref={canvas}
        className="timeline__marker-strip"
        data-testid="marker-strip"
        data-thread-name={threadLabel(profile, thread)}
        data-tid={profile.threads.tid[thread]}
        data-marker-count={shownCount}
        aria-label={`${formatCount(shownCount)} markers of ${threadLabel(profile, thread)} in view`}
        onPointerMove={(event) => {
          const column = columnAt(event);
          setHover(column === null ? null : { column, x: event.clientX, y: event.clientY });
        }}
        onPointerLeave={() => setHover(null)}
        onPointerDown={(event) => {
          const column = columnAt(event);
          if (column === null) return; // a press between markers starts a range selection as elsewhere
          event.stopPropagation();
          selection.onSelect(column.row === selection.selected ? -1 : column.row);
        }}
      />
      {hover !== null && <MarkerTooltip profile={profile} markers={markers} column={hover.column} x={hover.x} y={hover.y} origin={selection.origin} />}
    </div>
  );
}

function MarkerTooltip({ profile, markers, column, x, y, origin }: { profile: Profile; markers: MarkerTable; column: MarkerColumn; x: number; y: number; origin: number }) {
  const row = column.row;
  const leaf = leafName(profile, markers.stack[row]);
  const detail = markers.detail[row] >= 0 ? stringAt(profile, markers.detail[row]) : null;
  return (
    <div className="marker-tooltip" data-testid="marker-tooltip" style={{ left: x + 14, top: y + 14 }} role="tooltip">
      <div className="marker-tooltip__name">
        <span className="swatch" style={{ background: markerColor(column.slot) }} aria-hidden="true" />
        {stringAt(profile, markers.event[row])}
      </div>
      <dl className="flame-tooltip__facts">
        <dt>Time</dt>
        <dd>{formatDuration(markers.time[row] - origin, 1000)}</dd>
        <dt>Thread</dt>
        <dd>{threadLabel(profile, markers.thread[row])}</dd>
        <dt>Stack leaf</dt>
        <dd data-testid="marker-tooltip-leaf">{leaf ?? 'no stack recorded'}</dd>
        {detail !== null && (
          <>
            <dt>Fields</dt>
            <dd>{detail}</dd>
          </>
        )}
        {column.count > 1 && (
          <>
            <dt>Here</dt>
            <dd>{formatCount(column.count)} markers in this pixel; zoom in to tell them apart</dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** The legend: one toggle per event, with its colour and count. */
export function MarkerLegend({ profile, markers, hidden, onToggle }: { profile: Profile; markers: MarkerTable; hidden: ReadonlySet<number>; onToggle(slot: number): void }) {
  const events = markerEventsOf(markers);
  return (
    <ul className="timeline__legend timeline__marker-legend" aria-label="Markers">
      {events.events.map((event, slot) => (
        <li key={event}>
          <button
            type="button"
            className="marker-toggle"
            data-testid="marker-legend-item"
            data-event={stringAt(profile, event)}
            data-count={events.counts[slot]}
            aria-pressed={!hidden.has(slot)}
            title={hidden.has(slot) ? 'Show these markers' : 'Hide these markers'}
            onClick={() => onToggle(slot)}
          >
            <span className="swatch" style={{ background: hidden.has(slot) ? 'transparent' : markerColor(slot), borderColor: markerColor(slot) }} aria-hidden="true" />
            {stringAt(profile, event)} ({formatCount(events.counts[slot])})
          </button>
        </li>
      ))}
    </ul>
  );
}
