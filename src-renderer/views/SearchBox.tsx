import type { Profile } from '../../src-shared/profile/model';
import { formatCount, formatPercent } from '../format/numbers';
import { useAppState } from './app-context';
import { useAnalysis } from './use-analysis';
import { useSearchMatches } from './use-search';

/**
 * Searches function names in every view: matches stay bright in the flame
 * graph and stack chart, and are marked in the call tree. Says how many
 * functions match and what share of the selected samples runs one.
 */
export function SearchBox({ profile }: { profile: Profile }) {
  const search = useAppState((state) => state.view.search);
  const viewChanged = useAppState((state) => state.viewChanged);
  const { result, current } = useAnalysis();
  const { query, matches } = useSearchMatches(profile);
  let count = 0;
  if (query !== '' && result !== null) {
    for (let f = 0; f < matches.length; f++) if (matches[f] && result.funcCosts.total[f] > 0) count++;
  }
  return (
    <div className="search" role="search">
      <input
        type="search"
        className="search__input"
        placeholder="Search functions"
        title="Names containing the text; several terms separated by commas match any of them"
        aria-label="Search functions"
        data-testid="search"
        value={search}
        onChange={(event) => viewChanged({ search: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape') viewChanged({ search: '' });
        }}
      />
      {query !== '' && result !== null && (
        <span className="search__summary" data-testid="search-summary" aria-live="polite">
          {count === 0
            ? 'No match'
            : `${formatCount(count)} ${count === 1 ? 'function' : 'functions'} · ${current ? formatPercent(result.searchWeight, result.tree.grandTotal) : '…'} of samples`}
        </span>
      )}
    </div>
  );
}
