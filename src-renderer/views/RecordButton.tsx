import { useRecord, useRecordActions } from './record/record-context';

/** Record…: opens the record dialog (in the toolbar and the empty state). */
export function RecordButton() {
  const actions = useRecordActions();
  return (
    <button type="button" className="button" data-testid="record-button" onClick={() => actions.openDialog('record')}>
      Record…
    </button>
  );
}

/**
 * Shows or hides the recordings list, and says how many sessions are
 * running, so a recording hidden behind a profile is not forgotten.
 */
export function RecordingsButton() {
  const actions = useRecordActions();
  const running = useRecord((state) => state.sessions.filter((s) => s.kind === 'recording' && s.state !== 'finished' && s.state !== 'failed').length);
  return (
    <button type="button" className="button button--quiet" data-testid="recordings-button" onClick={() => actions.toggleRecordings()}>
      Recordings{running > 0 ? ` (${running} running)` : ''}
    </button>
  );
}
