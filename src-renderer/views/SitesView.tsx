/**
 * The allocation sites of a memory profile, as DHAT's viewer lists them:
 * grouped by stack, allocating function or file:line, sortable by any
 * column, with the wasteful-site flags as badges. Where the format records
 * when allocations happen (heaptrack) a time range keeps the allocations
 * made in it (allocation-range.ts); elsewhere the columns are whole-run
 * figures and the caption says the range does not filter them. Threads
 * never do (sites have none). Clicking a row selects its allocating
 * function, which the function table and flame graph highlight.
 */

import { useMemo } from 'react';
import { allocationsHaveTimes, largestSnapshotTime } from '../../src-shared/analysis/allocation-range';
import {
  defaultShortLivedLifetime,
  groupAllocationSites,
  type SiteColumn,
  type SiteGroup,
  type SiteGrouping,
} from '../../src-shared/analysis/allocation-sites';
import type { Profile } from '../../src-shared/profile/model';
import { formatDuration } from '../canvas/time-axis';
import { formatCount } from '../format/numbers';
import { useAppState } from './app-context';
import { siteColumns, siteRowsToShow, SitesTable } from './SitesTable';

const groupings: { id: SiteGrouping; label: string }[] = [
  { id: 'function', label: 'Function' },
  { id: 'line', label: 'File:line' },
  { id: 'stack', label: 'Stack' },
];

/** Whether the profile's tool measured what the column shows (the site label always is). */
function isMeasured(profile: Profile, column: SiteColumn): boolean {
  const table = profile.allocations;
  if (table === null) return column === 'label';
  const anyKnown = (values: Float64Array) => values.some((v) => !Number.isNaN(v));
  switch (column) {
    case 'lifetime':
      return anyKnown(table.lifetime);
    case 'readsPerByte':
      return anyKnown(table.reads);
    case 'writesPerByte':
      return anyKnown(table.writes);
    case 'label':
      return true;
    default:
      return anyKnown(table[column]);
  }
}

export function SitesView({ profile }: { profile: Profile }) {
  const groupBy = useAppState((state) => state.view.sitesGroupBy);
  const sort = useAppState((state) => state.view.sitesSort);
  const viewChanged = useAppState((state) => state.viewChanged);
  const functionSelected = useAppState((state) => state.functionSelected);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const range = useAppState((state) => state.view.range);
  const timed = allocationsHaveTimes(profile.allocations);
  const filter = timed ? range : null;
  const groups = useMemo(
    () => groupAllocationSites(profile, groupBy, { shortLivedLifetime: defaultShortLivedLifetime(profile) }, filter),
    [profile, groupBy, filter],
  );
  // A column the tool never measured (temporary allocations outside heaptrack; lifetimes, reads and writes
  // outside DHAT; massif's totals) is left out, not shown as dashes: the room goes to the site names.
  const shown = useMemo(() => siteColumns.filter((c) => isMeasured(profile, c.id)), [profile]);
  const rows = useMemo(() => siteRowsToShow(groups, sort), [groups, sort]);

  // Names read best A to Z, figures biggest first; the same column again flips.
  const sortBy = (column: SiteColumn) =>
    viewChanged({ sitesSort: { column, descending: sort.column === column ? !sort.descending : column !== 'label' } });
  const leafFunc = (group: SiteGroup) => (group.stack < 0 ? -1 : profile.frames.func[profile.stacks.frame[group.stack]]);
  const siteCount = profile.allocations?.length ?? 0;

  return (
    <div className="sites">
      <div className="sites__bar">
        <label>
          Group by{' '}
          <select
            data-testid="sites-group-by"
            value={groupBy}
            onChange={(event) => viewChanged({ sitesGroupBy: event.target.value as SiteGrouping })}
          >
            {groupings.map((g) => (
              <option key={g.id} value={g.id}>
                {g.label}
              </option>
            ))}
          </select>
        </label>
        <span className="sites__caption">
          {formatCount(siteCount)} {siteCount === 1 ? 'site' : 'sites'} in {formatCount(rows.length)} {rows.length === 1 ? 'group' : 'groups'} ·{' '}
          <span data-testid="sites-range-note">{rangeNote(profile, timed, range)}</span>
        </span>
      </div>
      <SitesTable
        rows={rows}
        shown={shown}
        sort={sort}
        onSortBy={sortBy}
        eventName={profile.meta.eventName}
        isSelected={(group) => {
          const func = leafFunc(group);
          return func >= 0 && func === selectedFunc;
        }}
        onChoose={(group, selected) => functionSelected(selected ? -1 : leafFunc(group))}
      />
    </div>
  );
}

/** What the table's figures cover: the whole run, or the allocations made in the selected range. */
function rangeNote(profile: Profile, timed: boolean, range: { start: number; end: number } | null): string {
  // (A range can only be set on a timed profile's tracks; the untimed note also tells DHAT users why there is none.)
  if (!timed) return `whole run (${profile.meta.format} records no allocation times, so a time range cannot filter sites)`;
  const snapshots = profile.allocations?.timeline?.kind === 'snapshots';
  if (range === null) return `whole run; select a range on the memory track to see ${snapshots ? 'the largest detailed snapshot' : 'the allocations made'} in it`;
  const span = range.end - range.start;
  if (snapshots) {
    const time = largestSnapshotTime(profile.allocations!.timeline!, range);
    return Number.isNaN(time)
      ? 'no detailed snapshot in the selected range: massif records sites only in those (every 10th snapshot, and the peak; --detailed-freq sets it), so widen the range'
      : `bytes at the largest detailed snapshot in the selected range (time ${formatClock(profile, time, span)})`;
  }
  return `allocations made from ${formatDuration(range.start, span / 100)} to ${formatDuration(range.end, span / 100)} (peak and leaked bytes are whole-run only)`;
}

/** A time on the memory tracks' clock: a duration for heaptrack and massif's ms, else massif's own unit. */
function formatClock(profile: Profile, time: number, span: number): string {
  const unit = /time in (.+)$/.exec(profile.meta.eventName ?? '')?.[1];
  if (profile.meta.format === 'heaptrack' || unit === 'milliseconds' || unit === undefined) return formatDuration(time, span / 100);
  return `${Math.round(time).toLocaleString('en')} ${unit}`;
}
