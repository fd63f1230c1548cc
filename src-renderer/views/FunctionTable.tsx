/**
 * Every function with any cost in the current selection (range, threads,
 * transforms), sortable by name, self or total. Only the
 * rows in view (plus a margin) are in the DOM, between two spacer rows that
 * keep the scroll height right, so 50,000 functions scroll as smoothly as 50.
 * Clicking a row selects its function, which the flame graph highlights.
 */

import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { IndexIntoFuncTable, Profile } from '../../src-shared/profile/model';
import { formatCount, formatPercent, formatWeight, formatWeightWithUnit } from '../format/numbers';
import type { SortColumn } from '../store/app-store';
import type { FunctionCosts } from '../../src-shared/analysis/function-costs';
import { funcNamesOf, sortFunctions } from '../store/derived';
import { useAppState } from './app-context';
import { useAnalysis } from './use-analysis';
import { useElementSize } from './use-element-size';
import { useSearchMatches } from './use-search';
import { useDisplayUnit } from './use-display-unit';

/** Must match the row height in the stylesheet: the spacers are computed from it. */
const ROW_HEIGHT = 22;
const OVERSCAN_ROWS = 12;

interface Column {
  label: string;
  sortsBy: SortColumn;
  numeric: boolean;
  /** The percent columns sort like their value column; only the value column shows the arrow. */
  showsSort: boolean;
}

const columns: Column[] = [
  { label: 'Function', sortsBy: 'name', numeric: false, showsSort: true },
  { label: 'Self', sortsBy: 'self', numeric: true, showsSort: true },
  { label: 'Self %', sortsBy: 'self', numeric: true, showsSort: false },
  { label: 'Total', sortsBy: 'total', numeric: true, showsSort: true },
  { label: 'Total %', sortsBy: 'total', numeric: true, showsSort: false },
];

/** A narrow table's: the percentages only, so names are readable (each percentage's tooltip has the amount). */
const narrowColumns: Column[] = [
  { label: 'Function', sortsBy: 'name', numeric: false, showsSort: true },
  { label: 'Self %', sortsBy: 'self', numeric: true, showsSort: true },
  { label: 'Total %', sortsBy: 'total', numeric: true, showsSort: true },
];

/**
 * Narrower than this, the amounts' columns go: beside the flame graph (420 px) the four number columns
 * left a name ~130 px, which cut `std::vector<...>::push_back` or `libfoo.so+0x1a2b0` to the same prefix.
 */
const AMOUNTS_MIN_WIDTH = 560;

export function FunctionTable({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  if (result === null) return <p className="pane__empty">Analysing…</p>;
  return <FunctionTableOf profile={profile} costs={result.funcCosts} />;
}

function FunctionTableOf({ profile, costs }: { profile: Profile; costs: FunctionCosts }) {
  const sort = useAppState((state) => state.selection.tableSort);
  const functionHovered = useAppState((state) => state.functionHovered);
  const { matches, query } = useSearchMatches(profile);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const functionSelected = useAppState((state) => state.functionSelected);
  const tableSortedBy = useAppState((state) => state.tableSortedBy);
  const names = funcNamesOf(profile);
  const rows = useMemo(() => sortFunctions(names, costs, sort), [names, costs, sort]);
  const unit = useDisplayUnit(profile);

  const scroller = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(scroller);
  const withAmounts = width >= AMOUNTS_MIN_WIDTH;
  const shownColumns = withAmounts ? columns : narrowColumns;
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN_ROWS);

  const toggle = (func: IndexIntoFuncTable) => functionSelected(func === selectedFunc ? -1 : func);

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, func: IndexIntoFuncTable) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(func);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      // As in the call tree: the arrows move the selection, so the flame graph and source pane follow.
      const sibling = event.key === 'ArrowDown' ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
      const next = rows[rows.indexOf(func) + (event.key === 'ArrowDown' ? 1 : -1)];
      if (next !== undefined) functionSelected(next);
      if (sibling instanceof HTMLTableRowElement && sibling.tabIndex >= 0) sibling.focus();
    }
  };

  return (
    <div className="function-table">
      <div className="function-table__caption">
        {formatCount(rows.length)} {rows.length === 1 ? 'function' : 'functions'} ·{' '}
        <span data-testid="selection-total">{formatWeightWithUnit(costs.grandTotal, unit)}</span> in the selection
      </div>
      <div
        className="function-table__scroller"
        data-testid="function-table"
        ref={scroller}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <table className="function-table__table" aria-rowcount={rows.length + 1}>
          <colgroup>
            <col />
            {withAmounts && <col className="function-table__col-number" />}
            <col className={withAmounts ? 'function-table__col-percent' : 'function-table__col-sorted-percent'} />
            {withAmounts && <col className="function-table__col-number" />}
            <col className={withAmounts ? 'function-table__col-percent' : 'function-table__col-sorted-percent'} />
          </colgroup>
          <thead>
            <tr>
              {shownColumns.map((column) => {
                const active = sort.column === column.sortsBy && column.showsSort;
                const direction = sort.descending ? 'descending' : 'ascending';
                return (
                  <th
                    key={column.label}
                    scope="col"
                    className={column.numeric ? 'numeric' : undefined}
                    aria-sort={active ? direction : undefined}
                  >
                    <button type="button" className="sort-button" onClick={() => tableSortedBy(column.sortsBy)}>
                      {column.label}
                      <span className="sort-button__arrow" aria-hidden="true">
                        {active ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr className="spacer" style={{ height: first * ROW_HEIGHT }} aria-hidden="true" />}
            {rows.slice(first, last).map((func, i) => {
              const selected = func === selectedFunc;
              const matched = query !== '' && matches[func] === 1;
              return (
                <tr
                  key={func}
                  data-testid="function-row"
                  aria-rowindex={first + i + 2}
                  aria-selected={selected}
                  className={[selected ? 'selected' : '', matched ? 'matched' : ''].join(' ').trim() || undefined}
                  tabIndex={0}
                  onClick={() => toggle(func)}
                  onMouseEnter={() => functionHovered(func)}
                  onMouseLeave={() => functionHovered(-1)}
                  onKeyDown={(event) => onRowKey(event, func)}
                >
                  <td className="function-table__name" title={names[func]}>
                    {names[func]}
                  </td>
                  {withAmounts && <td className="numeric">{formatWeight(costs.self[func], unit)}</td>}
                  <td className="numeric" title={withAmounts ? undefined : `self ${formatWeightWithUnit(costs.self[func], unit)}`}>
                    {formatPercent(costs.self[func], costs.grandTotal)}
                  </td>
                  {withAmounts && <td className="numeric">{formatWeight(costs.total[func], unit)}</td>}
                  <td className="numeric" title={withAmounts ? undefined : `total ${formatWeightWithUnit(costs.total[func], unit)}`}>
                    {formatPercent(costs.total[func], costs.grandTotal)}
                  </td>
                </tr>
              );
            })}
            {last < rows.length && (
              <tr className="spacer" style={{ height: (rows.length - last) * ROW_HEIGHT }} aria-hidden="true" />
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
