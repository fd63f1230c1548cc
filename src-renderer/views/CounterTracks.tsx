/**
 * Memory over time for profiles whose samples have no time (massif,
 * heaptrack): one row per counter track, each on its own time axis in the
 * tool's time unit, since there is no sample timeline to share.
 */

import { useMemo, useRef } from 'react';
import type { CounterTrack, Profile } from '../../src-shared/profile/model';
import { counterGraph } from '../canvas/counter-graph';
import { formatWeight } from '../format/numbers';
import { useElementSize } from './use-element-size';

const TRACK_HEIGHT = 40;
/** Must match .counter-track__label's width in the stylesheet. */
const LABEL_WIDTH = 170;

function CounterRow({ track, width }: { track: CounterTrack; width: number }) {
  const graph = useMemo(() => counterGraph(track, width, TRACK_HEIGHT), [track, width]);
  const peak = graph === null ? '' : track.unit === 'bytes' ? formatWeight(graph.max, 'bytes') : `${graph.max} ${track.unit}`;
  return (
    <div className="counter-track" data-testid="counter-track" data-counter-name={track.name}>
      <div className="counter-track__label">
        <span className="counter-track__name">{track.name}</span>
        <span className="counter-track__peak">peak {peak}</span>
      </div>
      <svg className="counter-track__graph" width={width} height={TRACK_HEIGHT} aria-label={`${track.name} over time, peak ${peak}`}>
        {graph !== null && <path d={`${graph.path}V${TRACK_HEIGHT}H0Z`} className="counter-track__area" />}
        {graph !== null && <path d={graph.path} className="counter-track__line" />}
      </svg>
    </div>
  );
}

/** Whether a track ever leaves zero: massif writes a stacks track even when it did not measure stacks. */
function hasData(track: CounterTrack): boolean {
  return track.value.some((v) => v !== 0 && !Number.isNaN(v));
}

export function CounterTracks({ profile }: { profile: Profile }) {
  const column = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(column);
  const tracks = useMemo(() => profile.counters.filter(hasData), [profile]);
  return (
    <section className="timeline counter-tracks" aria-label="Memory over time">
      <div className="counter-tracks__rows" ref={column}>
        {tracks.length === 0 && <p className="pane__empty">Every memory counter of this profile stays at zero.</p>}
        {width > 0 && tracks.map((track) => <CounterRow key={track.name} track={track} width={Math.max(0, width - LABEL_WIDTH)} />)}
      </div>
    </section>
  );
}
