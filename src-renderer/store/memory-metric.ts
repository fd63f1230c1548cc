/**
 * The memory metric a memory profile's call views weigh stacks by (total
 * bytes, blocks, bytes at the peak, leaked bytes), and the unit the views
 * then write weights in: blocks are counts, the others bytes.
 */

import type { AllocationMetric } from '../../src-shared/analysis/allocation-sites';
import type { Profile } from '../../src-shared/profile/model';
import type { DisplayUnit } from '../format/numbers';
import type { ViewState } from './view-state';

export const memoryMetrics: { id: AllocationMetric; label: string; title: string }[] = [
  { id: 'totalBytes', label: 'Total bytes', title: 'Every byte allocated over the run' },
  { id: 'totalBlocks', label: 'Blocks', title: 'Number of allocations' },
  { id: 'peakBytes', label: 'Bytes at peak', title: 'Bytes live when the heap was at its largest' },
  { id: 'endBytes', label: 'Leaked bytes', title: 'Bytes still allocated at exit' },
  { id: 'temporary', label: 'Temporary', title: 'Allocations freed right after being made, nothing allocated in between (heaptrack)' },
];

/** Whether the profile has allocation sites, so the metric and the Sites view apply. */
export function hasAllocationSites(profile: Profile): boolean {
  return profile.allocations !== null && profile.allocations.length > 0;
}

const knownCache = new WeakMap<Profile, AllocationMetric[]>();

/**
 * The metrics the profile's tool measured (any site with a known value):
 * massif knows only bytes at the peak, DHAT the first four, heaptrack all five.
 * Memoized per profile: the views ask on every render.
 */
export function knownMetrics(profile: Profile): AllocationMetric[] {
  let known = knownCache.get(profile);
  if (known === undefined) {
    const table = profile.allocations;
    known = table === null ? [] : memoryMetrics.map((m) => m.id).filter((id) => table[id].some((v) => !Number.isNaN(v)));
    knownCache.set(profile, known);
  }
  return known;
}

/**
 * The metric in effect: the chosen one if the profile knows it, else the
 * first it knows; null (weigh by the samples) for profiles without sites.
 * Always explicit for memory profiles, because what the samples weigh
 * differs by tool (DHAT: total bytes, massif: bytes at the peak).
 */
export function metricOf(profile: Profile, view: ViewState): AllocationMetric | null {
  if (!hasAllocationSites(profile)) return null;
  const known = knownMetrics(profile);
  return known.includes(view.memoryMetric) ? view.memoryMetric : (known[0] ?? null);
}

/** The unit the call views write weights in. */
export function displayUnitOf(profile: Profile, view: ViewState): DisplayUnit {
  const metric = metricOf(profile, view);
  return metric === 'totalBlocks' || metric === 'temporary' ? 'blocks' : profile.meta.unit;
}
