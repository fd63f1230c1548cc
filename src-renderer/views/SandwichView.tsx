/**
 * The sandwich of one function (speedscope's Sandwich, Hotspot's
 * Caller/Callee): who called it above, what it called below, each with
 * costs within the current selection. The function is the selected one.
 */

import { useCallback, useEffect, useState } from 'react';
import type { Sandwich } from '../../src-shared/analysis/analyzer';
import type { CallTree } from '../../src-shared/analysis/call-tree';
import type { Profile } from '../../src-shared/profile/model';
import { nodeOfFuncPath } from '../canvas/flame-layout';
import { formatPercent, formatWeightWithUnit } from '../format/numbers';
import { funcNamesOf } from '../store/derived';
import { useAppState } from './app-context';
import { CallTreeTable } from './CallTreeTable';
import { funcPathOf, hottestPathKeys } from './call-tree-rows';
import { useAnalysis } from './use-analysis';
import { useSearchMatches } from './use-search';
import { useDisplayUnit } from './use-display-unit';

export function SandwichView({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  if (selectedFunc < 0) {
    return <p className="pane__empty">Select a function (in the list of functions, or any view) to see its callers and callees.</p>;
  }
  const sandwich = result?.sandwich ?? null;
  if (sandwich === null || sandwich.func !== selectedFunc) return <p className="pane__empty">Analysing…</p>;
  return <SandwichOf profile={profile} sandwich={sandwich} grandTotal={result?.tree.grandTotal ?? 0} />;
}

function SandwichOf({ profile, sandwich, grandTotal }: { profile: Profile; sandwich: Sandwich; grandTotal: number }) {
  const name = funcNamesOf(profile)[sandwich.func];
  const root = sandwich.callees.roots[0];
  const total = root === undefined ? 0 : sandwich.callees.total[root];
  const self = root === undefined ? 0 : sandwich.callees.self[root];
  const unit = useDisplayUnit(profile);
  return (
    <div className="sandwich" data-testid="sandwich">
      <div className="sandwich__title">
        <code>{name}</code>
        <span>
          self {formatWeightWithUnit(self, unit)} ({formatPercent(self, grandTotal)}) · total {formatWeightWithUnit(total, unit)} (
          {formatPercent(total, grandTotal)})
        </span>
      </div>
      <section className="sandwich__half" aria-label={`Callers of ${name}`}>
        <h2 className="sandwich__heading">Callers</h2>
        <SandwichTree profile={profile} tree={sandwich.callers} grandTotal={grandTotal} label={`Callers of ${name}`} testId="sandwich-callers" />
      </section>
      <section className="sandwich__half" aria-label={`Callees of ${name}`}>
        <h2 className="sandwich__heading">Callees</h2>
        <SandwichTree profile={profile} tree={sandwich.callees} grandTotal={grandTotal} label={`Callees of ${name}`} testId="sandwich-callees" />
      </section>
    </div>
  );
}

/** One half: its own open rows and selection (they mean nothing outside this function's sandwich). */
function SandwichTree(props: { profile: Profile; tree: CallTree; grandTotal: number; label: string; testId: string }) {
  const { profile, tree, label, testId } = props;
  const functionHovered = useAppState((state) => state.functionHovered);
  const { matches, query } = useSearchMatches(profile);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selectedPath, setSelectedPath] = useState<readonly number[]>([]);
  const rootFunc = tree.roots.length > 0 ? tree.func[tree.roots[0]] : -1;
  // A new function starts with its hottest path open.
  useEffect(() => {
    setExpanded(tree.roots.length > 0 ? new Set(hottestPathKeys(tree, tree.roots[0])) : new Set());
    setSelectedPath([]);
  }, [rootFunc]); // not on every new tree: the open rows survive a range change
  const onExpand = useCallback((keys: readonly string[], open: boolean) => {
    setExpanded((old) => {
      const next = new Set(old);
      for (const key of keys) {
        if (open) next.add(key);
        else next.delete(key);
      }
      return next;
    });
  }, []);
  const selectedNode = selectedPath.length === 0 ? -1 : nodeOfFuncPath(tree, selectedPath);
  return (
    <CallTreeTable
      profile={profile}
      tree={tree}
      expanded={expanded}
      selectedNode={selectedNode}
      markedFunc={-1}
      percentOf={props.grandTotal}
      matches={query === '' ? null : matches}
      label={label}
      testId={testId}
      onExpand={onExpand}
      onSelect={(node) => setSelectedPath(funcPathOf(tree, node))}
      onHoverFunc={functionHovered}
    />
  );
}
