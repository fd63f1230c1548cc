/**
 * The flame graph as the store sees it: the call tree of the open profile,
 * zoomed to the stored path, with the selected function highlighted. The
 * drawing itself is FlameGraphCanvas.
 */

import { useCallback, useMemo } from 'react';
import type { CallTree, IndexIntoCallTree } from '../../src-shared/analysis/call-tree';
import { FuncKind, stringAt, type Profile } from '../../src-shared/profile/model';
import { funcPathOfNode, nodeOfFuncPath } from '../canvas/flame-layout';
import { formatPercent, formatWeightWithUnit } from '../format/numbers';
import { callTreeOf, funcNamesOf, paletteOf } from '../store/derived';
import { useAppState } from './app-context';
import { FlameGraphCanvas } from './FlameGraphCanvas';
import { useColorScheme } from './use-color-scheme';

export function FlameGraph({ profile }: { profile: Profile }) {
  const zoomPath = useAppState((state) => state.selection.flameZoomPath);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const flameZoomed = useAppState((state) => state.flameZoomed);
  const colorScheme = useColorScheme();
  const tree = callTreeOf(profile);
  const funcNames = funcNamesOf(profile);
  const zoomNode = useMemo(() => nodeOfFuncPath(tree, zoomPath), [tree, zoomPath]);
  // What is really shown: an old path may resolve only part of the way.
  const shownPath = useMemo(() => funcPathOfNode(tree, zoomNode), [tree, zoomNode]);

  const zoomTo = useCallback((node: IndexIntoCallTree) => flameZoomed(funcPathOfNode(tree, node)), [tree, flameZoomed]);
  const tooltipFor = useCallback(
    (node: IndexIntoCallTree) => <FlameNodeDetails profile={profile} tree={tree} node={node} />,
    [profile, tree],
  );

  if (tree.grandTotal === 0) {
    return <p className="pane__empty">This profile has no samples to draw.</p>;
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
        palette={paletteOf(profile, colorScheme)}
        colorScheme={colorScheme}
        zoomNode={zoomNode}
        selectedFunc={selectedFunc}
        orientation="root-bottom"
        onZoomNode={zoomTo}
        onZoomOut={() => flameZoomed(shownPath.slice(0, -1))}
        tooltipFor={tooltipFor}
      />
    </div>
  );
}

const kindLabels: Partial<Record<FuncKind, string>> = {
  [FuncKind.kernel]: 'kernel',
  [FuncKind.jit]: 'JIT-compiled',
  [FuncKind.interpreted]: 'interpreted',
};

/** The tooltip's content: what the box is and what it costs. */
function FlameNodeDetails({ profile, tree, node }: { profile: Profile; tree: CallTree; node: IndexIntoCallTree }) {
  const func = tree.func[node];
  const { funcs, meta } = profile;
  const file = stringAt(profile, funcs.file[func]);
  const line = funcs.startLine[func];
  const library = stringAt(profile, funcs.library[func]);
  const kind = kindLabels[funcs.kind[func] as FuncKind];
  const cost = (value: number) => `${formatWeightWithUnit(value, meta.unit)} (${formatPercent(value, tree.grandTotal)})`;
  return (
    <>
      <div className="flame-tooltip__name">{stringAt(profile, funcs.name[func], '[unknown]')}</div>
      <dl className="flame-tooltip__facts">
        {file !== '' && (
          <>
            <dt>File</dt>
            <dd>{line >= 0 ? `${file}:${line}` : file}</dd>
          </>
        )}
        {library !== '' && (
          <>
            <dt>Library</dt>
            <dd>{library}</dd>
          </>
        )}
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
