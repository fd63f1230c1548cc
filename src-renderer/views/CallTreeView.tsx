/**
 * The call tree of the current selection, top-down or inverted (bottom-up:
 * the functions that were running, then who called them). Rows open and
 * select through the store, so the choice survives tab switches and follows
 * transforms; the right-click menu makes transforms.
 */

import { useCallback, useState } from 'react';
import type { CallTree } from '../../src-shared/analysis/call-tree';
import type { Profile } from '../../src-shared/profile/model';
import { nodeOfFuncPath } from '../canvas/flame-layout';
import { useAppState } from './app-context';
import { CallNodeMenu, type CallNodeMenuTarget } from './CallNodeMenu';
import { CallTreeTable, useAutoExpand } from './CallTreeTable';
import { funcPathOf } from './call-tree-rows';
import { useAnalysis } from './use-analysis';
import { useSearchMatches } from './use-search';

export function CallTreeView({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  const inverted = useAppState((state) => state.view.inverted);
  const tree = result === null ? null : inverted ? result.invertedTree : result.tree;
  if (tree === null) return <p className="pane__empty">Analysing…</p>;
  if (tree.grandTotal === 0) return <p className="pane__empty">No samples in this selection.</p>;
  return <ConnectedCallTree profile={profile} tree={tree} />;
}

function ConnectedCallTree({ profile, tree }: { profile: Profile; tree: CallTree }) {
  const inverted = tree.inverted;
  const tabId = useAppState((state) => state.activeTabId);
  const expanded = useAppState((state) => (inverted ? state.view.expandedInverted : state.view.expanded));
  const selectedPath = useAppState((state) => (inverted ? state.view.selectedInvertedPath : state.view.selectedPath));
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const rowsExpanded = useAppState((state) => state.rowsExpanded);
  const callNodeSelected = useAppState((state) => state.callNodeSelected);
  const functionHovered = useAppState((state) => state.functionHovered);
  const { matches, query } = useSearchMatches(profile);
  const [menu, setMenu] = useState<CallNodeMenuTarget | null>(null);

  const onExpand = useCallback((keys: readonly string[], open: boolean) => rowsExpanded(keys, open), [rowsExpanded]);
  useAutoExpand(tree, expanded, onExpand, `${tabId}:${inverted}`);
  const selectedNode = selectedPath.length === 0 ? -1 : nodeOfFuncPath(tree, selectedPath);

  return (
    <>
      <CallTreeTable
        profile={profile}
        tree={tree}
        expanded={expanded}
        selectedNode={selectedNode}
        markedFunc={selectedNode === -1 ? selectedFunc : -1}
        matches={query === '' ? null : matches}
        label={inverted ? 'Inverted call tree: functions that ran, then their callers' : 'Call tree'}
        testId="call-tree"
        onExpand={onExpand}
        onSelect={(node) => callNodeSelected(funcPathOf(tree, node), inverted)}
        onHoverFunc={functionHovered}
        onContextMenu={(node, x, y) => setMenu({ x, y, path: funcPathOf(tree, node), inverted })}
      />
      {menu !== null && <CallNodeMenu profile={profile} target={menu} onClose={() => setMenu(null)} />}
    </>
  );
}
