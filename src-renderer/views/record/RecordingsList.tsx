/**
 * The recordings made from this app (kept by the host across restarts):
 * command, instrument, start, duration, file; re-open one in a new tab, or
 * bring back a running session's terminal.
 */

import { useRecord, useRecordActions } from './record-context';
import { formatElapsed } from './SessionPanel';

const PROFILE_FORMATS = new Set(['perf.data', 'collapsed', 'speedscope', 'dhat', 'massif', 'heaptrack', 'strace-timeline']);

export function RecordingsList() {
  const open = useRecord((state) => state.recordingsOpen);
  const entries = useRecord((state) => state.recordings);
  const live = useRecord((state) => state.sessions);
  const off = useRecord((state) => state.off);
  const actions = useRecordActions();
  if (!open) return null;
  const running = live.filter((s) => s.kind === 'recording' && s.state !== 'finished' && s.state !== 'failed');
  return (
    <aside className="recordings" data-testid="recordings-list" aria-label="Recordings">
      <header className="recordings__bar">
        <h2>Recordings</h2>
        <button type="button" className="button button--quiet" aria-label="Close the recordings list" onClick={() => actions.toggleRecordings(false)}>
          ×
        </button>
      </header>
      {running.map((s) => (
        <button key={s.id} type="button" className="recordings__running" onClick={() => actions.showSession(s.id)}>
          ● {s.label} — {s.command} (running: show)
        </button>
      ))}
      {off !== null && (
        <p className="record-error" data-testid="recording-off-reason">
          {off}
        </p>
      )}
      {off === null && entries.length === 0 && <p className="record-muted">No recordings yet. Record… starts one.</p>}
      <ul className="recordings__list">
        {entries.map((entry) => {
          const reopenable = entry.status === 'finished' && PROFILE_FORMATS.has(entry.format);
          return (
            <li key={entry.id} className="recordings__item" data-testid="recording-row" data-status={entry.status}>
              <div className="recordings__command" title={entry.command}>
                {entry.command}
              </div>
              <div className="record-muted">
                {entry.label} · {new Date(entry.startedAt).toLocaleString()} · {formatElapsed(entry.durationMs)}
              </div>
              <div className="recordings__file" title={entry.file}>
                {entry.file}
              </div>
              {entry.message !== null && <div className={entry.status === 'failed' ? 'record-error' : 'record-muted'}>{entry.message}</div>}
              <button
                type="button"
                className="button"
                data-testid="recording-reopen"
                disabled={!reopenable}
                title={reopenable ? 'Open this recording in a new tab' : entry.status === 'failed' ? 'This recording failed' : 'A table, not a profile: the file holds it'}
                onClick={() => void actions.reopen(entry)}
              >
                Open
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
