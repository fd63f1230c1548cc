import { useMemo } from 'react';
import { matchFunctions } from '../../src-shared/analysis/tree-queries';
import type { Profile } from '../../src-shared/profile/model';
import { funcNamesOf } from '../store/derived';
import { useAppState } from './app-context';

export interface SearchMatches {
  query: string;
  /** Per function: 1 when its name contains the query. */
  matches: Uint8Array;
  /** The complement while a search is on (what views fade); null with no search. */
  dimmed: Uint8Array | null;
}

/** The functions matching the search box, shared by every view that highlights them. */
export function useSearchMatches(profile: Profile): SearchMatches {
  const query = useAppState((state) => state.view.search).trim();
  return useMemo(() => {
    const matches = matchFunctions(funcNamesOf(profile), query);
    if (query === '') return { query, matches, dimmed: null };
    const dimmed = new Uint8Array(matches.length);
    for (let f = 0; f < matches.length; f++) dimmed[f] = matches[f] ^ 1;
    return { query, matches, dimmed };
  }, [profile, query]);
}
