/**
 * The flame graph (or icicle) as the store sees it: the call tree of the
 * current selection from the analysis worker, zoomed to the stored path,
 * coloured by category or by self cost, with the selected function
 * highlighted and search non-matches faded. The drawing itself is
 * FlameGraphCanvas.
 */

import { useCallback, useMemo, useState } from 'react';
import type { CallTree, IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import { FuncKind, stringAt, type Profile } from '../../src-shared/profile/model';
import { heatPalette } from '../canvas/flame-colors';
import { funcPathOfNode, nodeOfFuncPath } from '../canvas/flame-layout';
import { formatPercent, formatWeightWithUnit } from '../format/numbers';
import { funcNamesOf, paletteOf } from '../store/derived';
import { useAppState } from './app-context';
import { CallNodeMenu, type CallNodeMenuTarget } from './CallNodeMenu';
import { FlameGraphCanvas } from './FlameGraphCanvas';
import { FunctionPlaceFacts } from './FunctionPlaceFacts';
import { useAnalysis } from './use-analysis';
import { useColorScheme } from './use-color-scheme';
import { useSearchMatches } from './use-search';
import { useDisplayUnit } from './use-display-unit';

export function FlameGraph({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  if (result === null) return <p className="pane__empty">Analysing…</p>;
  return <FlameGraphOf profile={profile} tree={result.tree} self={result.funcCosts.self} />;
}

function FlameGraphOf({ profile, tree, self }: { profile: Profile; tree: CallTree; self: Float64Array }) {
  const zoomPath = useAppState((state) => state.selection.flameZoomPath);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const orientation = useAppState((state) => state.view.flameOrientation);
  const coloring = useAppState((state) => state.view.flameColoring);
  const flameZoomed = useAppState((state) => state.flameZoomed);
  const callNodeSelected = useAppState((state) => state.callNodeSelected);
  const functionHovered = useAppState((state) => state.functionHovered);
  const colorScheme = useColorScheme();
  const funcNames = funcNamesOf(profile);
  const { dimmed } = useSearchMatches(profile);
  const [menu, setMenu] = useState<CallNodeMenuTarget | null>(null);
  const palette = useMemo(
    () => (coloring === 'heat' ? heatPalette(self, colorScheme) : paletteOf(profile, colorScheme)),
    [coloring, self, colorScheme, profile],
  );
  const zoomNode = useMemo(() => nodeOfFuncPath(tree, zoomPath), [tree, zoomPath]);
  // What is really shown: an old path may resolve only part of the way.
  const shownPath = useMemo(() => funcPathOfNode(tree, zoomNode), [tree, zoomNode]);

  const zoomTo = useCallback(
    (node: IndexIntoCallTree) => {
      const path = funcPathOfNode(tree, node);
      flameZoomed(path);
      callNodeSelected(path);
    },
    [tree, flameZoomed, callNodeSelected],
  );
  const onHoverNode = useCallback((node: IndexIntoCallTree) => functionHovered(node < 0 ? -1 : tree.func[node]), [tree, functionHovered]);
  const onContextMenuNode = useCallback(
    (node: IndexIntoCallTree, x: number, y: number) => setMenu({ x, y, path: funcPathOfNode(tree, node), inverted: false }),
    [tree],
  );
  const tooltipFor = useCallback(
    (node: IndexIntoCallTree) => <FlameNodeDetails profile={profile} tree={tree} node={node} />,
    [profile, tree],
  );

  if (tree.grandTotal === 0) {
    return <p className="pane__empty">No samples in this selection.</p>;
  }
  return (
    <div className="flame">
      <nav className="breadcrumbs" aria-label="Flame graph zoom">
        <ol>
          <li>
            <button
              type="button"
              className="breadcrumbs__item"
              aria-current={shownPath.length === 0 ? 'page' : undefined}
              onClick={() => flameZoomed([])}
            >
              All
            </button>
          </li>
          {shownPath.map((func, i) => (
            <li key={i}>
              <button
                type="button"
                className="breadcrumbs__item"
                aria-current={i === shownPath.length - 1 ? 'page' : undefined}
                title={funcNames[func]}
                onClick={() => flameZoomed(shownPath.slice(0, i + 1))}
              >
                {funcNames[func]}
              </button>
            </li>
          ))}
        </ol>
        {shownPath.length === 0 && <span className="breadcrumbs__hint">Click a box to zoom in</span>}
      </nav>
      <FlameGraphCanvas
        tree={tree}
        funcNames={funcNames}
        palette={palette}
        colorScheme={colorScheme}
        zoomNode={zoomNode}
        selectedFunc={selectedFunc}
        dimmedFuncs={dimmed}
        orientation={orientation === 'icicle' ? 'root-top' : 'root-bottom'}
        onZoomNode={zoomTo}
        onZoomOut={() => flameZoomed(shownPath.slice(0, -1))}
        tooltipFor={tooltipFor}
        onHoverNode={onHoverNode}
        onContextMenuNode={onContextMenuNode}
      />
      {menu !== null && <CallNodeMenu profile={profile} target={menu} onClose={() => setMenu(null)} />}
    </div>
  );
}

const kindLabels: Partial<Record<FuncKind, string>> = {
  [FuncKind.kernel]: 'kernel',
  [FuncKind.jit]: 'JIT-compiled',
  [FuncKind.interpreted]: 'interpreted',
};

/** The tooltip's content: what the box is and what it costs. */
export function FlameNodeDetails({ profile, tree, node }: { profile: Profile; tree: CallTree; node: IndexIntoCallTree }) {
  const func = tree.func[node];
  const kind = kindLabels[profile.funcs.kind[func] as FuncKind];
  const unit = useDisplayUnit(profile);
  const cost = (value: number) => `${formatWeightWithUnit(value, unit)} (${formatPercent(value, tree.grandTotal)})`;
  return (
    <>
      <div className="flame-tooltip__name">{stringAt(profile, profile.funcs.name[func], '[unknown]')}</div>
      <dl className="flame-tooltip__facts">
        <FunctionPlaceFacts profile={profile} func={func} />
        {kind !== undefined && (
          <>
            <dt>Kind</dt>
            <dd>{kind}</dd>
          </>
        )}
        <dt>Self</dt>
        <dd>{cost(tree.self[node])}</dd>
        <dt>Total</dt>
        <dd>{cost(tree.total[node])}</dd>
      </dl>
    </>
  );
}
