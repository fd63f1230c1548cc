/**
 * Attach to Process…: the live process list (refreshed every second, CPU %
 * since the previous refresh), filterable, sortable by any column, the
 * user's own processes first; each row says before anything starts whether
 * the chosen instrument may attach to it as the user.
 */

import { useEffect, useMemo, useState } from 'react';
import type { InstrumentId } from '../../../src-shared/record/options';
import type { AttachPermission, ProcessRow } from '../../../src-shared/record/types';
import { Modal } from './Modal';
import { useRecord, useRecordActions } from './record-context';
import { defaultDraft, draftMemory, optionsOf } from './request-draft';

type Column = 'pid' | 'user' | 'name' | 'command' | 'cpuPercent' | 'rssBytes';
const COLUMNS: { id: Column; label: string; numeric: boolean }[] = [
  { id: 'pid', label: 'PID', numeric: true },
  { id: 'user', label: 'User', numeric: false },
  { id: 'name', label: 'Name', numeric: false },
  { id: 'cpuPercent', label: 'CPU %', numeric: true },
  { id: 'rssBytes', label: 'RSS', numeric: true },
  { id: 'command', label: 'Command line', numeric: false },
];

const PERMISSION_TEXT: Record<AttachPermission, string> = {
  allowed: 'allowed',
  'needs-elevation': 'needs admin',
  impossible: 'not possible',
};

export function AttachDialog() {
  const caps = useRecord((state) => state.caps);
  const actions = useRecordActions();
  const base = draftMemory.draft ?? defaultDraft(caps?.platform ?? 'linux');
  const attachable = caps?.instruments.filter((i) => i.canAttach && i.tools.some((t) => t.installed)) ?? [];
  const [instrument, setInstrument] = useState<InstrumentId>(attachable.some((i) => i.id === base.instrument) ? base.instrument : 'cpu');
  const [rows, setRows] = useState<ProcessRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ column: Column; descending: boolean } | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  const options = useMemo(() => {
    const built = optionsOf({ ...base, instrument });
    return 'error' in built ? optionsOf({ ...defaultDraft(caps?.platform ?? 'linux'), instrument }) : built;
    // `base` is read when the instrument changes: the record dialog's fields cannot change while this one is open.
  }, [instrument, caps?.platform]);

  useEffect(() => {
    if ('error' in options) return;
    let alive = true;
    const refresh = () =>
      actions.listProcesses(options, null).then(
        (list) => alive && (setRows(list), setError(null)),
        (cause: unknown) => alive && setError(cause instanceof Error ? cause.message : String(cause)),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), 1000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [actions, options]);

  const shown = useMemo(() => {
    if (rows === null) return [];
    const needle = filter.trim().toLowerCase();
    const matching = needle === '' ? rows : rows.filter((r) => `${r.pid} ${r.user} ${r.name} ${r.command}`.toLowerCase().includes(needle));
    if (sort === null) return matching; // the host's order: own processes first, busiest first
    const { column, descending } = sort;
    const sign = descending ? -1 : 1;
    return [...matching].sort((a, b) => {
      const x = a[column];
      const y = b[column];
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sign * order || a.pid - b.pid;
    });
  }, [rows, filter, sort]);

  const chosen = shown.find((r) => r.pid === selected) ?? null;
  const pick = (pid: number) => {
    draftMemory.draft = { ...base, instrument, targetKind: 'attach', pid: String(pid) };
    actions.pickPid(pid);
  };
  const sortBy = (column: Column) =>
    setSort((old) => (old?.column === column ? { column, descending: !old.descending } : { column, descending: COLUMNS.find((c) => c.id === column)!.numeric }));

  return (
    <Modal title="Attach to Process" testId="attach-dialog" onClose={actions.closeDialog} wide>
      <div className="record-row attach-toolbar">
        <input type="search" className="record-input" data-testid="process-filter" placeholder="Filter by PID, user, name or command" value={filter} onChange={(e) => setFilter(e.target.value)} autoFocus />
        <label className="record-row">
          <span className="record-label">Instrument</span>
          <select data-testid="attach-instrument" value={instrument} onChange={(e) => setInstrument(e.target.value as InstrumentId)}>
            {attachable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error !== null && <p className="record-error">{error}</p>}
      <div className="attach-table-wrap">
        <table className="attach-table" data-testid="process-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.id} className={c.numeric ? 'attach-table__num' : undefined} aria-sort={sort?.column === c.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" data-testid={`sort-${c.id}`} onClick={() => sortBy(c.id)}>
                    {c.label}
                    {sort?.column === c.id ? (sort.descending ? ' ▾' : ' ▴') : ''}
                  </button>
                </th>
              ))}
              <th>Attach</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr
                key={row.pid}
                data-testid="process-row"
                data-pid={row.pid}
                data-permission={row.permission}
                className={`${row.pid === selected ? 'attach-table__row--selected' : ''} ${row.uid === caps?.uid ? 'attach-table__row--own' : ''}`}
                onClick={() => setSelected(row.pid)}
                onDoubleClick={() => row.permission !== 'impossible' && pick(row.pid)}
                aria-selected={row.pid === selected}
              >
                <td className="attach-table__num">{row.pid}</td>
                <td>{row.user}</td>
                <td>{row.name}</td>
                <td className="attach-table__num">{row.cpuPercent.toFixed(1)}</td>
                <td className="attach-table__num">{formatBytes(row.rssBytes)}</td>
                <td className="attach-table__command" title={row.command}>
                  {row.command}
                </td>
                <td>
                  <span className={`attach-permission attach-permission--${row.permission}`}>{PERMISSION_TEXT[row.permission]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows === null && <p className="record-muted">Reading the process list…</p>}
      </div>
      <div className="record-actions">
        <span className="record-muted">
          {rows === null ? '' : `${shown.length} of ${rows.length} processes`}
          {chosen !== null ? ` · ${chosen.name} (${chosen.pid}): ${PERMISSION_TEXT[chosen.permission]}` : ''}
        </span>
        <button type="button" className="button button--quiet" onClick={actions.closeDialog}>
          Cancel
        </button>
        <button type="button" className="button button--primary" data-testid="attach-pick" disabled={chosen === null || chosen.permission === 'impossible'} onClick={() => chosen && pick(chosen.pid)}>
          Attach…
        </button>
      </div>
    </Modal>
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
