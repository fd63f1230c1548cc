/**
 * A call tree as an expandable table: function, self and total (absolute
 * and % of the selection). Only the rows in view are in the DOM. It reads
 * no store: CallTreeView and the sandwich hand it a tree and callbacks.
 *
 * Keyboard (the table is one focus stop, rows are its active descendant):
 * ↑ ↓ move, → opens or goes to the first child, ← closes or goes to the
 * parent, Enter toggles, * opens the hottest path below the selected row,
 * the context-menu key (or Shift+F10) opens the row's menu.
 */

import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { childrenOf, type CallTree, type IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import type { Profile } from '../../src-shared/profile/model';
import { formatPercent, formatWeight, unitName } from '../format/numbers';
import { funcNamesOf } from '../store/derived';
import { flattenCallTree, hottestPathKeys } from './call-tree-rows';
import { useElementSize } from './use-element-size';
import { useDisplayUnit } from './use-display-unit';

/** Must match .call-tree__row's height in the stylesheet. */
const ROW_HEIGHT = 22;
const OVERSCAN = 10;
const INDENT = 14;

export interface CallTreeTableProps {
  profile: Profile;
  tree: CallTree;
  expanded: ReadonlySet<string>;
  /** The selected node, -1 for none. */
  selectedNode: IndexIntoCallTree;
  /** Rows of this function are marked (a function selected elsewhere); -1 for none. */
  markedFunc: number;
  /** Per function: 1 marks it as a search match; null with no search. */
  matches: Uint8Array | null;
  /** The 100% of the percent columns; the tree's own total when absent. */
  percentOf?: number;
  label: string;
  testId: string;
  onExpand(keys: readonly string[], open: boolean): void;
  onSelect(node: IndexIntoCallTree): void;
  onHoverFunc?(func: number): void;
  onContextMenu?(node: IndexIntoCallTree, x: number, y: number): void;
}

export function CallTreeTable(props: CallTreeTableProps) {
  const { profile, tree, expanded, selectedNode, markedFunc, matches, onExpand, onSelect } = props;
  const names = funcNamesOf(profile);
  const rows = useMemo(() => flattenCallTree(tree, expanded), [tree, expanded]);
  const scroller = useRef<HTMLDivElement>(null);
  const { height } = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const idPrefix = useId();
  const unit = useDisplayUnit(profile);

  const selectedRow = useMemo(() => {
    for (let r = 0; r < rows.length; r++) if (rows.node[r] === selectedNode) return r;
    return -1;
  }, [rows, selectedNode]);

  // Keep the selected row in sight when it changes (keyboard, or a click in another view).
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null || selectedRow < 0) return;
    const top = selectedRow * ROW_HEIGHT;
    const header = ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight - header) {
      element.scrollTop = top + ROW_HEIGHT - element.clientHeight + header;
    }
  }, [selectedRow]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  const hasChildren = (node: number) => {
    if (tree.truncated?.[node] === 1) return true;
    const children = childrenOf(tree, node);
    return children.length > 0 && tree.total[children[0]] > 0;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (rows.length === 0) return;
    const row = selectedRow;
    const node = row >= 0 ? rows.node[row] : -1;
    const go = (r: number) => onSelect(rows.node[Math.max(0, Math.min(rows.length - 1, r))]);
    const handled = () => event.preventDefault();
    switch (event.key) {
      case 'ArrowDown':
        handled();
        return go(row + 1);
      case 'ArrowUp':
        handled();
        return go(row < 0 ? 0 : row - 1);
      case 'Home':
        handled();
        return go(0);
      case 'End':
        handled();
        return go(rows.length - 1);
      case 'PageDown':
      case 'PageUp': {
        handled();
        const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
        return go(row + (event.key === 'PageDown' ? page : -page));
      }
      case 'ArrowRight':
        handled();
        if (node < 0) return go(0);
        if (!hasChildren(node)) return;
        if (!expanded.has(rows.key[row])) return onExpand([rows.key[row]], true);
        return go(row + 1);
      case 'ArrowLeft': {
        handled();
        if (node < 0) return;
        if (expanded.has(rows.key[row]) && hasChildren(node)) return onExpand([rows.key[row]], false);
        const parent = tree.parent[node];
        if (parent !== -1) onSelect(parent);
        return;
      }
      case 'Enter':
        handled();
        if (node >= 0 && hasChildren(node)) onExpand([rows.key[row]], !expanded.has(rows.key[row]));
        return;
      case '*':
        handled();
        return onExpand(hottestPathKeys(tree, node >= 0 ? node : tree.roots[0]), true);
      case 'ContextMenu':
      case 'F10':
        if (event.key === 'F10' && !event.shiftKey) return;
        handled();
        if (node >= 0 && props.onContextMenu) {
          const rect = scroller.current?.getBoundingClientRect();
          props.onContextMenu(node, (rect?.left ?? 0) + 40, (rect?.top ?? 0) + (row - first + 1) * ROW_HEIGHT + ROW_HEIGHT);
        }
    }
  };

  const total = props.percentOf ?? tree.grandTotal;
  return (
    <div className="call-tree">
      <div
        className="call-tree__scroller"
        ref={scroller}
        role="tree"
        aria-label={props.label}
        aria-activedescendant={selectedRow >= 0 ? `${idPrefix}-${rows.node[selectedRow]}` : undefined}
        tabIndex={0}
        data-testid={props.testId}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
        onMouseLeave={() => props.onHoverFunc?.(-1)}
      >
        <div className="call-tree__header" role="presentation">
          <span>Function</span>
          {/* Times and bytes carry their own units in each cell (1.01 ms, 2.5 MiB); bare counts name theirs here. */}
          <span className="numeric">Self{unit === 'instructions' || unit === 'blocks' ? ` (${unitName(unit)})` : ''}</span>
          <span className="numeric">Self %</span>
          <span className="numeric">Total</span>
          <span className="numeric">Total %</span>
        </div>
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, i) => {
            const r = first + i;
            const node = rows.node[r];
            const func = tree.func[node];
            const open = expanded.has(rows.key[r]);
            const parentable = hasChildren(node);
            const classes = ['call-tree__row'];
            if (r === selectedRow) classes.push('selected');
            else if (func === markedFunc) classes.push('marked');
            if (matches !== null && matches[func] === 1) classes.push('matched');
            return (
              <div
                key={rows.key[r]}
                id={`${idPrefix}-${node}`}
                className={classes.join(' ')}
                role="treeitem"
                aria-level={rows.depth[r] + 1}
                aria-expanded={parentable ? open : undefined}
                aria-selected={r === selectedRow}
                data-testid="call-tree-row"
                data-func-name={names[func]}
                style={{ top: r * ROW_HEIGHT }}
                onClick={() => onSelect(node)}
                onDoubleClick={() => parentable && onExpand([rows.key[r]], !open)}
                onMouseEnter={() => props.onHoverFunc?.(func)}
                onContextMenu={(event) => {
                  if (!props.onContextMenu) return;
                  event.preventDefault();
                  onSelect(node);
                  props.onContextMenu(node, event.clientX, event.clientY);
                }}
              >
                <span className="call-tree__name" style={{ paddingLeft: 4 + rows.depth[r] * INDENT }} title={names[func]}>
                  <span
                    className="call-tree__twisty"
                    aria-hidden="true"
                    onClick={(event) => {
                      event.stopPropagation();
                      if (parentable) onExpand([rows.key[r]], !open);
                    }}
                  >
                    {parentable ? (open ? '▾' : '▸') : ''}
                  </span>
                  {names[func]}
                </span>
                <span className="numeric">{formatWeight(tree.self[node], unit)}</span>
                <span className="numeric">{formatPercent(tree.self[node], total)}</span>
                <span className="numeric">{formatWeight(tree.total[node], unit)}</span>
                <span className="numeric">
                  <span className="call-tree__bar" style={{ width: `${total > 0 ? (100 * tree.total[node]) / total : 0}%` }} />
                  {formatPercent(tree.total[node], total)}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Opens the hottest path of a tree once when it first shows with nothing open. */
export function useAutoExpand(tree: CallTree | null, expanded: ReadonlySet<string>, onExpand: (keys: readonly string[], open: boolean) => void, token: string) {
  const done = useRef<string | null>(null);
  useEffect(() => {
    if (tree === null || tree.roots.length === 0 || done.current === token) return;
    done.current = token;
    if (expanded.size === 0) onExpand(hottestPathKeys(tree, tree.roots[0]), true);
  }, [tree, expanded, onExpand, token]);
}
