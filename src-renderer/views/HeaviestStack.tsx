/**
 * The heaviest stack through the selection, as Instruments' Extended Detail
 * shows it: the selected call node's path from the root, then the hottest
 * callee at each level down to a leaf. With only a function selected, its
 * heaviest call node; with nothing selected, the heaviest stack of all.
 * Clicking a frame selects it in every view.
 */

import { heaviestNodeOfFunc, heaviestStackThrough } from '../../src-shared/analysis/tree-queries';
import type { Profile } from '../../src-shared/profile/model';
import { stringAt } from '../../src-shared/profile/model';
import { nodeOfFuncPath } from '../canvas/flame-layout';
import { formatPercent } from '../format/numbers';
import { funcNamesOf } from '../store/derived';
import { useAppState } from './app-context';
import { funcPathOf } from './call-tree-rows';
import { useAnalysis } from './use-analysis';

export function HeaviestStack({ profile }: { profile: Profile }) {
  const { result } = useAnalysis();
  const selectedPath = useAppState((state) => state.view.selectedPath);
  const selectedFunc = useAppState((state) => state.selection.selectedFunc);
  const callNodeSelected = useAppState((state) => state.callNodeSelected);
  const functionHovered = useAppState((state) => state.functionHovered);
  const tree = result?.tree ?? null;
  if (tree === null || tree.roots.length === 0) return <p className="pane__empty">No stack to show.</p>;

  const anchor =
    selectedPath.length > 0
      ? nodeOfFuncPath(tree, selectedPath)
      : selectedFunc >= 0
        ? heaviestNodeOfFunc(tree, selectedFunc)
        : tree.roots[0];
  const stack = heaviestStackThrough(tree, anchor);
  const names = funcNamesOf(profile);
  return (
    <div className="heaviest" data-testid="heaviest-stack">
      <div className="pane__title">Heaviest stack{anchor >= 0 && selectedFunc >= 0 ? ` through ${names[tree.func[anchor]]}` : ''}</div>
      <ol className="heaviest__frames">
        {stack.map((node, depth) => {
          const func = tree.func[node];
          const library = stringAt(profile, profile.funcs.library[func]).split('/').pop();
          return (
            <li key={node}>
              <button
                type="button"
                className={node === anchor && selectedFunc >= 0 ? 'heaviest__frame heaviest__frame--anchor' : 'heaviest__frame'}
                data-testid="heaviest-frame"
                title={`${names[func]}${library ? ` — ${library}` : ''}`}
                onClick={() => callNodeSelected(funcPathOf(tree, node))}
                onMouseEnter={() => functionHovered(func)}
                onMouseLeave={() => functionHovered(-1)}
              >
                <span className="heaviest__depth">{depth}</span>
                <span className="heaviest__name">{names[func]}</span>
                <span className="heaviest__share">{formatPercent(tree.total[node], tree.grandTotal)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
