import { useActions, useAppState } from './app-context';
import { ExportMenu } from './ExportMenu';
import { RecordButton, RecordingsButton } from './RecordButton';

export function Toolbar() {
  const actions = useActions();
  const hasProfile = useAppState((state) => state.profile !== null);
  return (
    <header className="toolbar">
      <div className="toolbar__brand" aria-label="Heatline">
        <span className="toolbar__logo" aria-hidden="true" />
        Heatline
      </div>
      <div className="toolbar__actions">
        <button type="button" className="button" onClick={() => void actions.requestOpen()}>
          Open…
        </button>
        <RecordButton />
        <RecordingsButton />
        {hasProfile && (
          <>
            <ExportMenu />
            <button type="button" className="button button--quiet" onClick={actions.closeProfile}>
              Close
            </button>
          </>
        )}
      </div>
    </header>
  );
}
