/**
 * The table of allocation site groups: one row per group, a column per
 * figure the tool measured, DHAT's flags as badges, only the rows in view
 * in the DOM (a compiler under DHAT has 88k stack sites). Used by the
 * Sites view (SitesView.tsx) and, while a big file's profile is still
 * being built, by its preview (SitesPreviewView.tsx), so the two look the
 * same.
 */

import { useRef, useState } from 'react';
import { allocationFlagNames, type AllocationFlagName } from '../../src-shared/analysis/allocation-flags';
import { sortSiteGroups, type SiteColumn, type SiteGroup } from '../../src-shared/analysis/allocation-sites';
import { formatCount, formatWeight } from '../format/numbers';
import { useElementSize } from './use-element-size';

/** Must match the row height in the stylesheet: the spacers are computed from it. */
const ROW_HEIGHT = 22;
const OVERSCAN_ROWS = 12;

export interface SiteColumnSpec {
  id: SiteColumn;
  label: string;
  title: string;
}

export const siteColumns: readonly SiteColumnSpec[] = [
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

/** The lifetime column's unit depends on the tool: valgrind's DHAT counts instructions, dhat-rs (modes "rust-…") microseconds. */
function formatLifetime(eventName: string | null, value: number): string {
  if (Number.isNaN(value)) return '–';
  if (eventName?.startsWith('rust')) return formatWeight(value * 1000, 'nanoseconds');
  return `${formatCompact(value)} instr`;
}

/** Accesses per byte; a tiny non-zero share reads "<0.01" so it is not mistaken for never. */
function formatRatio(value: number): string {
  if (Number.isNaN(value)) return '–';
  if (value === 0) return '0';
  if (value < 0.01) return '<0.01';
  return value >= 100 ? formatCount(Math.round(value)) : value.toFixed(2);
}

function cell(eventName: string | null, group: SiteGroup, column: SiteColumn): string {
  switch (column) {
    case 'label':
      return group.label;
    case 'totalBlocks':
    case 'temporary':
      return Number.isNaN(group[column]) ? '–' : formatCount(group[column]);
    case 'lifetime':
      return formatLifetime(eventName, group.lifetime);
    case 'readsPerByte':
    case 'writesPerByte':
      return formatRatio(group[column]);
    default:
      return Number.isNaN(group[column]) ? '–' : formatWeight(group[column], 'bytes');
  }
}

/**
 * The groups a table lists, sorted: those with nothing to show (none
 * allocated in the range; massif sites absent from the peak or the range's
 * snapshot) are left out.
 */
export function siteRowsToShow(groups: readonly SiteGroup[], sort: { column: SiteColumn; descending: boolean }): SiteGroup[] {
  const withFigures = groups.filter((g) => g.totalBytes > 0 || g.totalBlocks > 0 || g.peakBytes > 0 || g.endBytes > 0 || g.temporary > 0);
  return sortSiteGroups(withFigures, sort.column, sort.descending);
}

export interface SitesTableProps {
  /** In the order shown. */
  rows: readonly SiteGroup[];
  /** The columns to show, the site label first. */
  shown: readonly SiteColumnSpec[];
  sort: { column: SiteColumn; descending: boolean };
  /** A header click; without it the headers only show the order. */
  onSortBy?: (column: SiteColumn) => void;
  /** The profile's event name: the lifetime column's clock (formatLifetime). */
  eventName: string | null;
  /** Whether a row is the selected one, and what choosing it does; without them rows are not chosen. */
  isSelected?: (group: SiteGroup) => boolean;
  onChoose?: (group: SiteGroup, selected: boolean) => void;
}

export function SitesTable({ rows, shown, sort, onSortBy, eventName, isSelected, onChoose }: SitesTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const { height } = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN_ROWS);

  return (
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
              const arrow = (
                <span className="sort-button__arrow" aria-hidden="true">
                  {active ? (sort.descending ? '▼' : '▲') : ''}
                </span>
              );
              return (
                <th
                  key={column.id}
                  scope="col"
                  className={column.id === 'label' ? undefined : 'numeric'}
                  title={column.title}
                  aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {onSortBy === undefined ? (
                    <span className="sort-button">
                      {column.label}
                      {arrow}
                    </span>
                  ) : (
                    <button type="button" className="sort-button" data-testid={`sites-sort-${column.id}`} onClick={() => onSortBy(column.id)}>
                      {column.label}
                      {arrow}
                    </button>
                  )}
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
            const selected = isSelected?.(group) ?? false;
            const choose = onChoose === undefined ? undefined : () => onChoose(group, selected);
            const flagNames = allocationFlagNames(group.flags);
            return (
              <tr
                key={group.key}
                data-testid="site-row"
                data-site-label={group.label}
                aria-rowindex={first + i + 2}
                aria-selected={choose === undefined ? undefined : selected}
                className={selected ? 'selected' : undefined}
                tabIndex={choose === undefined ? undefined : 0}
                onClick={choose}
                onKeyDown={
                  choose === undefined
                    ? undefined
                    : (event) => {
                        if (event.key !== 'Enter' && event.key !== ' ') return;
                        event.preventDefault();
                        choose();
                      }
                }
              >
                {shown.map((column) => (
                  <td
                    key={column.id}
                    className={column.id === 'label' ? 'function-table__name' : 'numeric'}
                    title={column.id === 'label' ? group.label : undefined}
                  >
                    {cell(eventName, group, column.id)}
                  </td>
                ))}
                <td className="sites__flags" title={flagNames.map((name) => flagLabel(name, group)).join(', ')}>
                  {flagNames.map((name) => (
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
  );
}
