/** The unit the call views write weights in: the profile's, or blocks when a memory profile is weighed by them. */

import type { Profile } from '../../src-shared/profile/model';
import type { DisplayUnit } from '../format/numbers';
import { displayUnitOf } from '../store/memory-metric';
import { useAppState } from './app-context';

export function useDisplayUnit(profile: Profile): DisplayUnit {
  return useAppState((state) => displayUnitOf(profile, state.view));
}
