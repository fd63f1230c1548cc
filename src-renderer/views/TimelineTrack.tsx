/**
 * One track's activity graph: computes the buckets for the visible window
 * and paints them. Reads no store; Timeline hands it everything.
 */

import { memo, useLayoutEffect, useRef } from 'react';
import type { TimeRange } from '../../src-shared/analysis/analyzer';
import { clearActivity, emptyActivity, peakActivity, type Activity } from '../canvas/timeline-activity';
import { addActivityFast, type ActivitySource } from '../canvas/timeline-pyramid';
import { paintTrack, type TimelineTheme } from '../canvas/timeline-painter';
import type { Tick } from '../canvas/time-axis';

export interface TrackGraphProps {
  /** One entry per thread drawn in this track (a collapsed process draws all of its threads). */
  inputs: readonly ActivitySource[];
  /** The visible window. */
  view: TimeRange;
  width: number;
  height: number;
  /** 'thread': full height is one CPU; 'process': full height is the busiest moment in view. */
  scaleMode: 'thread' | 'process';
  ticks: readonly Tick[];
  theme: TimelineTheme;
}

export const TrackGraph = memo(function TrackGraph({ inputs, view, width, height, scaleMode, ticks, theme }: TrackGraphProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const buffers = useRef<Activity | null>(null);
  useLayoutEffect(() => {
    if (canvas.current === null || width <= 0) return;
    // One bucket per CSS pixel: finer would not show, coarser would blur the edges of phases.
    const buckets = Math.max(1, Math.floor(width));
    let activity = buffers.current;
    if (activity === null || activity.buckets !== buckets) activity = buffers.current = emptyActivity(buckets);
    else clearActivity(activity);
    for (const input of inputs) addActivityFast(activity, input, view);
    const scale = scaleMode === 'thread' ? 1 : Math.max(1, peakActivity(activity));
    paintTrack(canvas.current, { activity, width, height, scale, ticks, theme });
  }, [inputs, view, width, height, scaleMode, ticks, theme]);
  return <canvas className="timeline__graph" ref={canvas} aria-hidden="true" />;
}, sameProps);

/** Inputs arrive as fresh arrays of the same (memoized) entries: compare them item by item. */
function sameProps(a: TrackGraphProps, b: TrackGraphProps): boolean {
  return (
    a.view === b.view &&
    a.width === b.width &&
    a.height === b.height &&
    a.scaleMode === b.scaleMode &&
    a.ticks === b.ticks &&
    a.theme === b.theme &&
    a.inputs.length === b.inputs.length &&
    a.inputs.every((input, i) => input === b.inputs[i])
  );
}
