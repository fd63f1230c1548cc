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

import { useMemo, useRef, useState } from 'react';
import { allocationFlagNames, type AllocationFlagName } from '../../src-shared/analysis/allocation-flags';
import { allocationsHaveTimes, largestSnapshotTime } from '../../src-shared/analysis/allocation-range';
import {
  defaultShortLivedLifetime,
  groupAllocationSites,
  sortSiteGroups,
  type SiteColumn,
  type SiteGroup,
  type SiteGrouping,
} from '../../src-shared/analysis/allocation-sites';
import type { Profile } from '../../src-shared/profile/model';
import { formatDuration } from '../canvas/time-axis';
import { formatCount, formatWeight } from '../format/numbers';
import { useAppState } from './app-context';
import { useElementSize } from './use-element-size';

/** Must match the row height in the stylesheet: the spacers are computed from it. */
const ROW_HEIGHT = 22;
const OVERSCAN_ROWS = 12;

const groupings: { id: SiteGrouping; label: string }[] = [
  { id: 'function', label: 'Function' },
  { id: 'line', label: 'File:line' },
  { id: 'stack', label: 'Stack' },
];

const columns: { id: SiteColumn; label: string; title: string }[] = [
  { id: 'label', label: 'Site', title: 'Allocating function, file:line or stack (leaf first)' },
  { id: 'totalBytes', label: 'Bytes', title: 'Bytes allocated over the whole run' },
  { id: 'totalBlocks', label: 'Blocks', title: 'Number of allocations' },
  { id: 'peakBytes', label: 'At peak', title: 'Bytes live when the heap was at its largest' },
  { id: 'endBytes', label: 'Leaked', title: 'Bytes still allocated at exit' },
  { id: 'temporary', label: 'Temporary', title: 'Allocations freed right after being made, with nothing allocated in between (heaptrack)' },
  { id: 'lifetime', label: 'Avg lifetime', title: 'Mean lifetime of a block' },
  { id: 'readsPerByte', label: 'Reads/B', title: 'Bytes read per byte allocated' },
  { id: 'writesPerByte', label: 'Writes/B', title: 'Bytes written per byte allocated' },
];

const flagTitles: Record<AllocationFlagName, string> = {
  shortLived: 'Blocks freed soon after allocation: a candidate for reuse or the stack',
  tiny: 'Blocks of 16 bytes or less: allocator overhead dominates',
  zeroReadsOrWrites: 'Some of this memory is never read or never written',
  lowAccess: 'Read or written at most 0.4 times per byte',
  highAccess: 'Read or written 1000 times per byte or more',
};

function flagLabel(name: AllocationFlagName, group: SiteGroup): string {
  switch (name) {
    case 'shortLived':
      return 'short-lived';
    case 'tiny':
      return 'tiny';
    case 'zeroReadsOrWrites':
      return group.readsPerByte === 0 ? 'never read' : 'never written';
    case 'lowAccess':
      return 'low access';
    case 'highAccess':
      return 'high access';
  }
}

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

/**
 * Column widths in px. The site names take the rest, at least SITE_NAME_MIN_WIDTH (narrower panes scroll
 * sideways): with all of DHAT's columns the table fits the default window's pane.
 */
const SITE_NAME_MIN_WIDTH = 170;
const FLAGS_WIDTH = 190;
/** Room for the number and for the header with its sort arrow ("Temporary ▼" ran into "Leaked" at 76 px). */
const columnWidth = (column: SiteColumn) => (column === 'lifetime' ? 104 : column === 'temporary' ? 100 : column === 'peakBytes' || column === 'writesPerByte' ? 86 : 80);
function tableMinWidth(shown: readonly { id: SiteColumn }[]): number {
  return SITE_NAME_MIN_WIDTH + shown.slice(1).reduce((width, column) => width + columnWidth(column.id), 0) + FLAGS_WIDTH;
}

/** 1225900 -> "1.23M": lifetimes in instructions run to billions and the column is narrow. */
function formatCompact(value: number): string {
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (value >= size) return `${(value / size).toPrecision(3)}${suffix}`;
  }
  return formatCount(Math.round(value));
}

/** The lifetime column's unit depends on the tool: valgrind's DHAT counts instructions, dhat-rs microseconds. */
function formatLifetime(profile: Profile, value: number): string {
  if (Number.isNaN(value)) return '–';
  if (profile.meta.eventName?.startsWith('rust')) return formatWeight(value * 1000, 'nanoseconds');
  return `${formatCompact(value)} instr`;
}

/** Accesses per byte; a tiny non-zero share reads "<0.01" so it is not mistaken for never. */
function formatRatio(value: number): string {
  if (Number.isNaN(value)) return '–';
  if (value === 0) return '0';
  if (value < 0.01) return '<0.01';
  return value >= 100 ? formatCount(Math.round(value)) : value.toFixed(2);
}

function cell(profile: Profile, group: SiteGroup, column: SiteColumn): string {
  switch (column) {
    case 'label':
      return group.label;
    case 'totalBlocks':
    case 'temporary':
      return Number.isNaN(group[column]) ? '–' : formatCount(group[column]);
    case 'lifetime':
      return formatLifetime(profile, group.lifetime);
    case 'readsPerByte':
    case 'writesPerByte':
      return formatRatio(group[column]);
    default:
      return Number.isNaN(group[column]) ? '–' : formatWeight(group[column], 'bytes');
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
  const shown = useMemo(() => columns.filter((c) => isMeasured(profile, c.id)), [profile]);
  // Sites with nothing to show (none allocated in the range; massif sites absent from the peak or the range's snapshot) are left out.
  const rows = useMemo(
    () => sortSiteGroups(groups.filter((g) => g.totalBytes > 0 || g.totalBlocks > 0 || g.peakBytes > 0 || g.endBytes > 0 || g.temporary > 0), sort.column, sort.descending),
    [groups, sort],
  );

  const scroller = useRef<HTMLDivElement>(null);
  const { height } = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN_ROWS);

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
      <div className="sites__scroller" data-testid="sites-table" ref={scroller} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <table className="function-table__table sites__table" style={{ minWidth: tableMinWidth(shown) }} aria-rowcount={rows.length + 1}>
          <colgroup>
            <col />
            {shown.slice(1).map((column) => (
              <col key={column.id} style={{ width: columnWidth(column.id) }} />
            ))}
            <col style={{ width: FLAGS_WIDTH }} />
          </colgroup>
          <thead>
            <tr>
              {shown.map((column) => {
                const active = sort.column === column.id;
                return (
                  <th
                    key={column.id}
                    scope="col"
                    className={column.id === 'label' ? undefined : 'numeric'}
                    title={column.title}
                    aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
                  >
                    <button type="button" className="sort-button" data-testid={`sites-sort-${column.id}`} onClick={() => sortBy(column.id)}>
                      {column.label}
                      <span className="sort-button__arrow" aria-hidden="true">
                        {active ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
              <th scope="col" className="sites__flags-head">
                Flags
              </th>
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr className="spacer" style={{ height: first * ROW_HEIGHT }} aria-hidden="true" />}
            {rows.slice(first, last).map((group, i) => {
              const func = leafFunc(group);
              const selected = func >= 0 && func === selectedFunc;
              return (
                <tr
                  key={group.key}
                  data-testid="site-row"
                  data-site-label={group.label}
                  aria-rowindex={first + i + 2}
                  aria-selected={selected}
                  className={selected ? 'selected' : undefined}
                  tabIndex={0}
                  onClick={() => functionSelected(selected ? -1 : func)}
                  onKeyDown={(event) => {
                    if (event.key !== 'Enter' && event.key !== ' ') return;
                    event.preventDefault();
                    functionSelected(selected ? -1 : func);
                  }}
                >
                  {shown.map((column) => (
                    <td
                      key={column.id}
                      className={column.id === 'label' ? 'function-table__name' : 'numeric'}
                      title={column.id === 'label' ? group.label : undefined}
                    >
                      {cell(profile, group, column.id)}
                    </td>
                  ))}
                  <td className="sites__flags" title={allocationFlagNames(group.flags).map((name) => flagLabel(name, group)).join(', ')}>
                    {allocationFlagNames(group.flags).map((name) => (
                      <span key={name} className={`site-flag site-flag--${name}`} title={flagTitles[name]}>
                        {flagLabel(name, group)}
                      </span>
                    ))}
                  </td>
                </tr>
              );
            })}
            {last < rows.length && <tr className="spacer" style={{ height: (rows.length - last) * ROW_HEIGHT }} aria-hidden="true" />}
          </tbody>
        </table>
      </div>
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
