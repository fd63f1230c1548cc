import { describeTransform } from '../../src-shared/analysis/transforms';
import type { Profile } from '../../src-shared/profile/model';
import { funcNamesOf } from '../store/derived';
import { useAppState } from './app-context';

/** The transforms in effect, in order, each removable. They filter every view. */
export function TransformChips({ profile }: { profile: Profile }) {
  const transforms = useAppState((state) => state.view.transforms);
  const transformRemoved = useAppState((state) => state.transformRemoved);
  if (transforms.length === 0) return null;
  const names = funcNamesOf(profile);
  return (
    <ul className="chips" aria-label="Transforms" data-testid="transform-chips">
      {transforms.map((transform, i) => {
        const label = describeTransform(transform, (func) => names[func], profile.strings);
        return (
          <li key={i} className="chip" data-testid="transform-chip">
            <span className="chip__label" title={label}>
              {label}
            </span>
            <button type="button" className="chip__remove" aria-label={`Remove ${label}`} onClick={() => transformRemoved(i)}>
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
