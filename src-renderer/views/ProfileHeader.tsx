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

/** One line of facts about the open profile. */
export function ProfileHeader({ profile, name }: { profile: Profile; name: string }) {
  const { meta } = profile;
  const total = totalWeightOf(profile);
  const threads = profile.threads.length;
  const facts = [
    formatLabels[meta.format] ?? meta.format,
    formatWeightWithUnit(total, meta.unit),
    meta.eventName,
    `${formatCount(threads)} ${threads === 1 ? 'thread' : 'threads'}`,
  ].filter((fact): fact is string => fact !== null && fact !== '');
  return (
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
        <span className="profile-header__warnings" title={meta.warnings.join('\n')}>
          {meta.warnings.length === 1 ? '1 warning' : `${meta.warnings.length} warnings`}
        </span>
      )}
    </div>
  );
}
