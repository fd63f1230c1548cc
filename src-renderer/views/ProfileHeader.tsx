import { useState } from 'react';
import type { Profile } from '../../src-shared/profile/model';
import { formatCount, formatWeightWithUnit } from '../format/numbers';
import { totalWeightOf } from '../store/derived';

const formatLabels: Record<Profile['meta']['format'], string> = {
  'perf.data': 'perf.data',
  'perf-script': 'perf script',
  collapsed: 'collapsed stacks',
  dhat: 'DHAT',
  massif: 'massif',
  heaptrack: 'heaptrack',
  callgrind: 'callgrind',
  cachegrind: 'cachegrind',
  cpuprofile: 'Chrome .cpuprofile',
  'chrome-trace': 'Chrome trace',
  speedscope: 'speedscope',
  pprof: 'pprof',
  strace: 'strace',
};

/**
 * One line of facts about the open profile, and what the import warns about:
 * the first warning is on that line (a cut file says so where it is seen),
 * the button shows them all.
 */
export function ProfileHeader({ profile, name }: { profile: Profile; name: string }) {
  const { meta } = profile;
  const [warningsShown, setWarningsShown] = useState(false);
  const total = totalWeightOf(profile);
  const threads = profile.threads.length;
  const facts = [
    formatLabels[meta.format] ?? meta.format,
    formatWeightWithUnit(total, meta.unit),
    meta.eventName,
    `${formatCount(threads)} ${threads === 1 ? 'thread' : 'threads'}`,
  ].filter((fact): fact is string => fact !== null && fact !== '');
  return (
    <>
    <div className="profile-header">
      <h1 className="profile-header__name" title={name}>
        {name}
      </h1>
      <ul className="profile-header__facts" aria-label="Profile facts">
        {facts.map((fact) => (
          <li key={fact}>{fact}</li>
        ))}
        {meta.command !== null && (
          <li className="profile-header__command" title={meta.command}>
            <code>{meta.command}</code>
          </li>
        )}
      </ul>
      {meta.warnings.length > 0 && (
        <button
          type="button"
          className="profile-header__warnings"
          data-testid="profile-warnings"
          aria-expanded={warningsShown}
          onClick={() => setWarningsShown(!warningsShown)}
        >
          <strong>{meta.warnings.length === 1 ? '1 warning' : `${meta.warnings.length} warnings`}:</strong>{' '}
          <span className="profile-header__first-warning">{meta.warnings[0]}</span>
          <span aria-hidden="true">{warningsShown ? ' ▴' : ' ▾'}</span>
        </button>
      )}
    </div>
    {warningsShown && (
      <ul className="profile-warnings" data-testid="profile-warning-list">
        {meta.warnings.map((warning, i) => (
          <li key={i}>{warning}</li>
        ))}
      </ul>
    )}
    </>
  );
}
