import type { Profile } from '../../src-shared/profile/model';
import { useAppState } from './app-context';
import { FlameGraph } from './FlameGraph';
import { FunctionTable } from './FunctionTable';
import { ProfileHeader } from './ProfileHeader';

/** The analysis of one profile: facts on top, the flame graph beside the function table. */
export function ProfileView({ profile }: { profile: Profile }) {
  const name = useAppState((state) => state.profileName);
  return (
    <div className="profile-view">
      <ProfileHeader profile={profile} name={name} />
      <div className="profile-view__panes">
        <section className="pane pane--flame" aria-label="Flame graph">
          <FlameGraph profile={profile} />
        </section>
        <section className="pane pane--table" aria-label="Functions">
          <FunctionTable profile={profile} />
        </section>
      </div>
    </div>
  );
}
