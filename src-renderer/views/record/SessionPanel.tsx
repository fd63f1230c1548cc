/**
 * The live session, docked under the analysis views: the terminal, a
 * status line (state, elapsed time, size of the file being written, the
 * host's latest message: escalation steps, sudo's verdicts), Stop, sudo's
 * password field when asked, and at the end the result: opened in a new tab
 * by itself, or shown here when it is a table (counters, system calls).
 */

import type { RecordingTable } from '../../../src-shared/record/types';
import type { LiveSession } from '../../store/record-store';
import { formatBytes } from './AttachDialog';
import { PasswordPrompt } from './PasswordPrompt';
import { useRecord, useRecordActions } from './record-context';
import { SessionTerminal } from './Terminal';

export function SessionPanel() {
  const session = useRecord((state) => state.sessions.find((s) => s.id === state.shownSessionId) ?? null);
  if (session === null) return null;
  return <SessionView session={session} />;
}

const STATE_TEXT: Record<LiveSession['state'], string> = {
  starting: 'Starting',
  running: 'Recording',
  stopping: 'Stopping',
  finished: 'Finished',
  failed: 'Failed',
};

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}.${Math.floor((ms % 1000) / 100)}`;
}

function SessionView({ session }: { session: LiveSession }) {
  const actions = useRecordActions();
  const done = session.state === 'finished' || session.state === 'failed';
  const outcome = session.outcome;
  return (
    <section className="record-session" data-testid="record-session" data-state={session.state} aria-label="Recording session">
      <header className="record-session__bar">
        <span className={`record-dot record-dot--${session.state}`} aria-hidden="true" />
        <strong>{STATE_TEXT[session.state]}</strong>
        <span className="record-session__label" title={session.command}>
          {session.label} — {session.command}
        </span>
        <span className="record-session__status" data-testid="record-status">
          <span data-testid="record-elapsed">{formatElapsed(session.elapsedMs)}</span>
          {session.bytes !== null && <span data-testid="record-bytes"> · {formatBytes(session.bytes)} written</span>}
          {session.message !== null && <span data-testid="record-message"> · {session.message}</span>}
        </span>
        {!done && (
          <>
            <button type="button" className="button button--danger" data-testid="record-stop" disabled={session.state === 'stopping'} onClick={() => void actions.stop(session.id)}>
              {session.state === 'stopping' ? 'Stopping…' : 'Stop'}
            </button>
            {/* It keeps recording; Recordings brings it back. */}
            <button type="button" className="button button--quiet" data-testid="record-session-hide" title="Keep recording; show it again from Recordings" onClick={() => actions.showSession(null)}>
              Hide
            </button>
          </>
        )}
        {done && (
          <button type="button" className="button button--quiet" data-testid="record-session-close" onClick={() => actions.showSession(null)}>
            Close
          </button>
        )}
      </header>
      {session.passwordAttempt !== null && <PasswordPrompt sessionId={session.id} attempt={session.passwordAttempt} purpose="to run the profiler elevated" />}
      <div className="record-session__body">
        <SessionTerminal sessionId={session.id} interactive={!done} />
        {outcome !== null && (
          <div className="record-result" data-testid="record-result">
            {outcome.error !== null && (
              <p className="record-error" role="alert" data-testid="record-failure">
                {outcome.error}
              </p>
            )}
            {outcome.result !== null && (
              <p className="record-muted" data-testid="record-result-path">
                {outcome.opensAsProfile ? 'Opened in a new tab: ' : 'Saved: '}
                <code>{outcome.result.path}</code>
              </p>
            )}
            {outcome.table !== null && <ResultTable table={outcome.table} />}
          </div>
        )}
      </div>
    </section>
  );
}

function ResultTable({ table }: { table: RecordingTable }) {
  if (table.kind === 'counters') {
    const withVariance = table.rows.some((r) => r.variancePercent !== null);
    return (
      <table className="record-table" data-testid="record-result-table" data-kind="counters">
        <thead>
          <tr>
            <th>Event</th>
            <th className="attach-table__num">Value</th>
            <th>Unit</th>
            {withVariance && <th className="attach-table__num">± variance</th>}
            <th>Metric</th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.event} data-testid="result-row">
              <td>{row.event}</td>
              <td className="attach-table__num">{row.value === null ? `<${row.status}>` : row.value.toLocaleString('en-US', { maximumFractionDigits: 2 })}</td>
              <td>{row.unit}</td>
              {withVariance && <td className="attach-table__num">{row.variancePercent === null ? '' : `${row.variancePercent.toFixed(2)} %`}</td>}
              <td>{row.metric === null ? '' : `${row.metric.value.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${row.metric.unit}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <table className="record-table" data-testid="record-result-table" data-kind="syscalls">
      <thead>
        <tr>
          <th>System call</th>
          <th className="attach-table__num">Calls</th>
          <th className="attach-table__num">Errors</th>
          <th className="attach-table__num">Seconds</th>
          <th className="attach-table__num">% time</th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr key={row.syscall} data-testid="result-row">
            <td>{row.syscall}</td>
            <td className="attach-table__num">{row.calls}</td>
            <td className="attach-table__num">{row.errors || ''}</td>
            <td className="attach-table__num">{row.seconds.toFixed(6)}</td>
            <td className="attach-table__num">{row.percentTime.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
