/**
 * Record…: what to record (launch a command, or attach to a PID picked in
 * the attach dialog), with which instrument and options, for how long. Before
 * Start it shows the host's privilege decision for exactly this request and
 * the remedies it offers (run elevated, or lower perf_event_paranoid until
 * reboot). Instruments whose tool is missing say which package to install.
 */

import { useEffect, useMemo, useState } from 'react';
import type { ElevationMethod } from '../../../src-shared/record/options';
import type { InstrumentAvailability, PrivilegeDecision, RecordCapabilities, Remedy } from '../../../src-shared/record/types';
import { Modal } from './Modal';
import { PasswordPrompt } from './PasswordPrompt';
import { useRecord, useRecordActions } from './record-context';
import { buildRequest, defaultDraft, draftMemory, type RecordDraft } from './request-draft';

/** The terminal size a session starts with; the live terminal resizes it to fit. */
const START_SIZE = { cols: 120, rows: 30 };

export function RecordDialog() {
  const caps = useRecord((state) => state.caps);
  const error = useRecord((state) => state.error);
  const actions = useRecordActions();
  if (caps === null) {
    return (
      <Modal title="Record" testId="record-dialog" onClose={actions.closeDialog}>
        <p className="record-muted">{error ?? 'Looking at what this machine can record…'}</p>
      </Modal>
    );
  }
  return <RecordForm caps={caps} />;
}

function RecordForm({ caps }: { caps: RecordCapabilities }) {
  const actions = useRecordActions();
  const error = useRecord((state) => state.error);
  const paranoidSessionId = useRecord((state) => state.paranoidSessionId);
  const paranoidSession = useRecord((state) => state.sessions.find((s) => s.id === state.paranoidSessionId) ?? null);
  const lastParanoid = useRecord((state) => state.sessions.filter((s) => s.kind === 'paranoid').at(-1) ?? null);
  const [draft, setDraft] = useState<RecordDraft>(() => draftMemory.draft ?? defaultDraft(caps.platform));
  const [decision, setDecision] = useState<PrivilegeDecision | null>(null);
  const [checking, setChecking] = useState(false);
  const [starting, setStarting] = useState(false);
  const update = (patch: Partial<RecordDraft>) => setDraft((old) => ({ ...old, ...patch }));

  useEffect(() => {
    draftMemory.draft = draft;
  }, [draft]);

  const request = useMemo(() => buildRequest(draft, { elevation: null, ...START_SIZE }), [draft]);
  const problem = 'error' in request ? request.error : null;
  const instrument = caps.instruments.find((i) => i.id === draft.instrument);
  const missing = instrument === undefined ? [] : missingTools(instrument, draft);

  // The decision for exactly this request, asked again (briefly later) whenever it or the machine changes.
  useEffect(() => {
    if ('error' in request || missing.length > 0) {
      setDecision(null);
      return;
    }
    let current = true;
    setChecking(true);
    const timer = setTimeout(() => {
      actions
        .check(request)
        .then((answer) => current && setDecision(answer))
        .catch((cause: unknown) => current && setDecision({ kind: 'impossible', reason: cause instanceof Error ? cause.message : String(cause) }))
        .finally(() => current && setChecking(false));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // caps: after lowering perf_event_paranoid the same request may be allowed now.
  }, [request, caps, actions, missing.length]);

  const start = async (elevation: ElevationMethod | null) => {
    const full = buildRequest(draft, { elevation, ...START_SIZE });
    if ('error' in full) return;
    setStarting(true);
    await actions.start(full);
    setStarting(false);
  };

  const canStart = problem === null && missing.length === 0 && decision?.kind === 'allowed' && !checking && !starting;

  return (
    <Modal title="Record" testId="record-dialog" onClose={actions.closeDialog} wide>
      {/* A div, not a form: sudo's password field below is a form of its own, and forms do not nest. */}
      <div
        className="record-form"
        onKeyDown={(event) => {
          // Enter in a one-line field starts, as it would in a form (text areas keep their newlines).
          if (event.key === 'Enter' && event.target instanceof HTMLInputElement && event.target.type === 'text' && canStart) {
            event.preventDefault();
            void start(null);
          }
        }}
      >
        <fieldset className="record-section">
          <legend>Target</legend>
          <div className="record-row record-row--choices">
            <label>
              <input type="radio" name="target" data-testid="target-launch" checked={draft.targetKind === 'launch'} onChange={() => update({ targetKind: 'launch' })} />
              Launch a command
            </label>
            <label>
              <input type="radio" name="target" data-testid="target-attach" checked={draft.targetKind === 'attach'} onChange={() => update({ targetKind: 'attach' })} />
              Attach to a running process
            </label>
          </div>
          {draft.targetKind === 'launch' ? (
            <>
              <label className="record-field">
                <span>Command line</span>
                <input
                  type="text"
                  data-testid="record-command"
                  className="record-input record-input--mono"
                  placeholder="./my-program --input data.txt"
                  value={draft.commandLine}
                  onChange={(e) => update({ commandLine: e.target.value })}
                  spellCheck={false}
                  autoFocus
                />
              </label>
              <label className="record-field">
                <span>Working directory</span>
                <input type="text" data-testid="record-cwd" className="record-input record-input--mono" placeholder={caps.defaultCwd} value={draft.cwd} onChange={(e) => update({ cwd: e.target.value })} spellCheck={false} />
              </label>
              <label className="record-field">
                <span>Environment additions</span>
                <textarea data-testid="record-env" className="record-input record-input--mono" rows={2} placeholder="NAME=value, one per line" value={draft.envText} onChange={(e) => update({ envText: e.target.value })} spellCheck={false} />
              </label>
            </>
          ) : (
            <div className="record-field">
              <span>Process</span>
              <div className="record-row">
                <input type="text" inputMode="numeric" data-testid="record-pid" className="record-input record-input--pid" placeholder="PID" value={draft.pid} onChange={(e) => update({ pid: e.target.value })} />
                <button type="button" className="button" data-testid="pick-process" onClick={() => actions.openDialog('attach', { pickingFor: 'record' })}>
                  Choose process…
                </button>
              </div>
            </div>
          )}
        </fieldset>

        <fieldset className="record-section">
          <legend>Instrument</legend>
          <div className="record-instruments">
            {caps.instruments.map((item) => (
              <InstrumentChoice key={item.id} item={item} draft={draft} onPick={() => update({ instrument: item.id })} />
            ))}
          </div>
          <InstrumentOptions caps={caps} draft={draft} update={update} />
        </fieldset>

        <fieldset className="record-section">
          <legend>Duration</legend>
          <div className="record-row record-row--choices">
            <label>
              <input type="radio" name="duration" data-testid="duration-until-stop" checked={draft.untilStop} onChange={() => update({ untilStop: true })} />
              Until Stop{draft.targetKind === 'launch' ? ' (or the program exits)' : ''}
            </label>
            <label>
              <input type="radio" name="duration" data-testid="duration-seconds" checked={!draft.untilStop} onChange={() => update({ untilStop: false })} />
              For
              <input
                type="text"
                inputMode="decimal"
                data-testid="duration-seconds-input"
                className="record-input record-input--short"
                value={draft.seconds}
                onChange={(e) => update({ seconds: e.target.value, untilStop: false })}
                aria-label="seconds"
              />
              seconds
            </label>
          </div>
        </fieldset>

        <PrivilegeBox
          problem={problem ?? (missing.length > 0 ? missing.map((t) => `${t.tool} is not installed: ${t.installHint}`).join(' ') : null)}
          decision={decision}
          userName={caps.userName}
          checking={checking}
          onElevate={(method) => void start(method)}
          onLower={(remedy) => !('error' in request) && void actions.lowerParanoid(request, remedy.method)}
          busy={starting || paranoidSessionId !== null}
        />
        {paranoidSession !== null && paranoidSession.passwordAttempt !== null && (
          <PasswordPrompt sessionId={paranoidSession.id} attempt={paranoidSession.passwordAttempt} purpose="to lower perf_event_paranoid" />
        )}
        {lastParanoid !== null && (
          <p className="record-muted" data-testid="paranoid-status">
            {lastParanoid.state === 'finished' || lastParanoid.state === 'failed' ? lastParanoid.message : `${lastParanoid.label}: ${lastParanoid.message ?? 'waiting…'}`}
          </p>
        )}
        {error !== null && (
          <p className="record-error" role="alert" data-testid="record-dialog-error">
            {error}
          </p>
        )}

        <div className="record-actions">
          <button type="button" className="button button--quiet" onClick={actions.closeDialog}>
            Cancel
          </button>
          <button type="button" className="button button--primary" data-testid="record-start" disabled={!canStart} onClick={() => void start(null)}>
            {starting ? 'Starting…' : 'Start'}
          </button>
        </div>
      </div>
    </Modal>
  );
}

function missingTools(item: InstrumentAvailability, draft: RecordDraft) {
  const wanted = item.id === 'cpu' ? draft.cpuTool : item.id === 'syscalls' ? draft.syscallTool : null;
  return item.tools.filter((t) => !t.installed && (wanted === null || t.tool === wanted));
}

function InstrumentChoice({ item, draft, onPick }: { item: InstrumentAvailability; draft: RecordDraft; onPick: () => void }) {
  const installed = item.tools.some((t) => t.installed);
  const attachBlocked = draft.targetKind === 'attach' && !item.canAttach;
  const hint = item.tools.find((t) => !t.installed)?.installHint ?? null;
  return (
    <label className={`record-instrument${installed && !attachBlocked ? '' : ' record-instrument--unavailable'}`} data-testid={`instrument-${item.id}`}>
      <input type="radio" name="instrument" checked={draft.instrument === item.id} disabled={!installed || attachBlocked} onChange={onPick} />
      <span className="record-instrument__label">{item.label}</span>
      {!installed && hint !== null && (
        <span className="record-instrument__hint" data-testid="install-hint">
          Not installed: {hint}
        </span>
      )}
      {installed && attachBlocked && <span className="record-instrument__hint">launch only</span>}
    </label>
  );
}

function InstrumentOptions({ caps, draft, update }: { caps: RecordCapabilities; draft: RecordDraft; update: (patch: Partial<RecordDraft>) => void }) {
  const tools = caps.instruments.find((i) => i.id === draft.instrument)?.tools ?? [];
  const callGraph = (
    <div className="record-row record-row--choices" role="radiogroup" aria-label="Call graph">
      <span className="record-label">Call graph</span>
      {(['fp', 'dwarf', 'lbr'] as const).map((mode) => {
        const unavailable = mode === 'dwarf' ? (caps.perf.dwarfUnwinding ? null : 'this perf has no DWARF unwinding') : mode === 'lbr' ? (caps.perf.lbr ? null : 'needs an Intel CPU with visible counters') : null;
        return (
          <label key={mode} title={unavailable ?? undefined} className={unavailable ? 'record-instrument--unavailable' : undefined}>
            <input type="radio" name="callgraph" data-testid={`callgraph-${mode}`} checked={draft.callGraph === mode} disabled={unavailable !== null} onChange={() => update({ callGraph: mode })} />
            {mode === 'fp' ? 'frame pointers' : mode === 'dwarf' ? 'DWARF' : 'LBR'}
          </label>
        );
      })}
    </div>
  );
  switch (draft.instrument) {
    case 'cpu':
      return (
        <div className="record-options" data-testid="instrument-options">
          {tools.length > 1 && (
            <label className="record-row">
              <span className="record-label">Tool</span>
              <select value={draft.cpuTool} onChange={(e) => update({ cpuTool: e.target.value as RecordDraft['cpuTool'] })}>
                {tools.map((t) => (
                  <option key={t.tool} value={t.tool} disabled={!t.installed}>
                    {t.tool}
                    {t.installed ? '' : ' (not installed)'}
                  </option>
                ))}
              </select>
            </label>
          )}
          {draft.cpuTool === 'perf' && callGraph}
          {draft.cpuTool !== 'xctrace' && (
            <label className="record-row">
              <span className="record-label">Frequency</span>
              <input type="text" inputMode="numeric" data-testid="record-frequency" className="record-input record-input--short" value={draft.frequency} onChange={(e) => update({ frequency: e.target.value })} />
              Hz
            </label>
          )}
        </div>
      );
    case 'offcpu':
      return (
        <div className="record-options" data-testid="instrument-options">
          {callGraph}
          <p className="record-muted">Every switch away from a thread (sched:sched_switch) is a sample with its stack: where it waited.</p>
        </div>
      );
    case 'syscalls':
      return (
        <div className="record-options" data-testid="instrument-options">
          <div className="record-row record-row--choices">
            <span className="record-label">Mode</span>
            <label>
              <input type="radio" name="sysmode" data-testid="syscalls-summary" checked={draft.syscallMode === 'summary'} onChange={() => update({ syscallMode: 'summary' })} />
              {draft.syscallTool === 'strace' ? 'counts (strace -c)' : 'counts (dtruss -c)'}
            </label>
            <label>
              <input type="radio" name="sysmode" data-testid="syscalls-timeline" checked={draft.syscallMode === 'timeline'} onChange={() => update({ syscallMode: 'timeline' })} />
              every call, timed
            </label>
          </div>
        </div>
      );
    case 'counters':
      return (
        <div className="record-options" data-testid="instrument-options">
          <label className="record-row">
            <span className="record-label">Events</span>
            <input type="text" data-testid="counter-events" className="record-input record-input--mono" value={draft.counterEvents} onChange={(e) => update({ counterEvents: e.target.value })} spellCheck={false} />
          </label>
          <label className="record-row">
            <span className="record-label">Repeat</span>
            <input type="text" inputMode="numeric" data-testid="counter-repeat" className="record-input record-input--short" value={draft.repeat} onChange={(e) => update({ repeat: e.target.value })} />
            runs (perf stat --repeat: mean and variance)
          </label>
          {!caps.perf.hardwareCounters && <p className="record-muted">No hardware counters here (a VM?): software events only.</p>}
        </div>
      );
    case 'pyspy':
      return (
        <div className="record-options" data-testid="instrument-options">
          <label className="record-row">
            <span className="record-label">Rate</span>
            <input type="text" inputMode="numeric" className="record-input record-input--short" value={draft.pyspyRate} onChange={(e) => update({ pyspyRate: e.target.value })} />
            samples per second
          </label>
          <label className="record-row">
            <input type="checkbox" checked={draft.pyspyNative} onChange={(e) => update({ pyspyNative: e.target.checked })} />
            also native (C) frames
          </label>
        </div>
      );
    default:
      return (
        <p className="record-muted record-options" data-testid="instrument-options">
          {draft.instrument === 'heaptrack' ? 'Every allocation with its stack; launch only.' : draft.instrument === 'dhat' ? 'Allocations and how their bytes are used; runs the program under valgrind (slow).' : 'Heap size over time with snapshots; runs the program under valgrind (slow).'}
        </p>
      );
  }
}

const METHOD_TEXT: Record<ElevationMethod, string> = {
  pkexec: 'pkexec (the system asks for your password)',
  sudo: 'sudo (type your password in Heatline)',
  osascript: 'the administrator prompt',
};

function PrivilegeBox(props: {
  problem: string | null;
  userName: string;
  decision: PrivilegeDecision | null;
  checking: boolean;
  busy: boolean;
  onElevate(method: ElevationMethod): void;
  onLower(remedy: Extract<Remedy, { kind: 'lower-paranoid' }>): void;
}) {
  const { problem, decision, checking } = props;
  if (problem !== null) {
    return (
      <div className="record-privilege record-privilege--problem" data-testid="privilege-decision" data-kind="problem">
        {problem}
      </div>
    );
  }
  if (decision === null) return <div className="record-privilege" data-testid="privilege-decision" data-kind="checking">Checking permissions…</div>;
  const notes = decision.kind === 'impossible' ? [] : decision.notes;
  return (
    <div className={`record-privilege record-privilege--${decision.kind}`} data-testid="privilege-decision" data-kind={checking ? 'checking' : decision.kind} aria-live="polite">
      {decision.kind === 'allowed' && <strong>You can record this as {props.userName}, without extra rights.</strong>}
      {decision.kind === 'impossible' && <strong>{decision.reason}</strong>}
      {decision.kind === 'needs-elevation' && (
        <>
          <strong>Needs administrator rights.</strong> <span data-testid="privilege-reason">{decision.reason}</span>
          <div className="record-remedies">
            {decision.remedies.map((remedy) =>
              remedy.kind === 'elevate' ? (
                <button key={`e-${remedy.method}`} type="button" className="button" data-testid={`remedy-elevate-${remedy.method}`} disabled={props.busy} onClick={() => props.onElevate(remedy.method)}>
                  Record elevated with {METHOD_TEXT[remedy.method]}
                </button>
              ) : (
                <button key={`l-${remedy.method}`} type="button" className="button" data-testid={`remedy-lower-paranoid-${remedy.method}`} disabled={props.busy} onClick={() => props.onLower(remedy)}>
                  Lower perf_event_paranoid to {remedy.level} until reboot ({remedy.method}), then record as you
                </button>
              ),
            )}
          </div>
        </>
      )}
      {notes.map((note) => (
        <p key={note} className="record-muted">
          {note}
        </p>
      ))}
    </div>
  );
}
