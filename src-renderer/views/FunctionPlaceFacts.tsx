/**
 * The tooltip rows that say where a function lives, shared by the flame graph
 * and the stack chart: its file with the line it spends the most time on
 * (the analysis's funcLines; the function's first line when the format gives
 * only that) and its library. Rendered inside a <dl>.
 */

import { stringAt, type Profile } from '../../src-shared/profile/model';
import { useAnalysis } from './use-analysis';

export function FunctionPlaceFacts({ profile, func }: { profile: Profile; func: number }) {
  const { result } = useAnalysis();
  const { funcs } = profile;
  const file = stringAt(profile, funcs.file[func]);
  const library = stringAt(profile, funcs.library[func]);
  const hottest = result?.funcLines[func] ?? -1;
  const line = hottest >= 0 ? hottest : funcs.startLine[func];
  return (
    <>
      {file !== '' && (
        <>
          {/* Say which line it is: the hottest is not where the function is defined. */}
          <dt>{hottest >= 0 ? 'Hottest line' : line >= 0 ? 'Defined at' : 'File'}</dt>
          <dd>{line >= 0 ? `${file}:${line}` : file}</dd>
        </>
      )}
      {library !== '' && (
        <>
          <dt>Library</dt>
          <dd>{library}</dd>
        </>
      )}
    </>
  );
}
