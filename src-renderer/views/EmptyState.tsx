import { useActions } from './app-context';
import { RecordButton } from './RecordButton';

/** What the window shows with no profile open: how to get one in. */
export function EmptyState() {
  const actions = useActions();
  return (
    <section className="empty-state" data-testid="empty-state" aria-labelledby="empty-state-title">
      <div className="empty-state__card">
        <div className="empty-state__icon" aria-hidden="true">
          <span className="empty-state__bar empty-state__bar--1" />
          <span className="empty-state__bar empty-state__bar--2" />
          <span className="empty-state__bar empty-state__bar--3" />
        </div>
        <h1 id="empty-state-title" className="empty-state__title">
          Drop a profile here
        </h1>
        <p className="empty-state__formats">
          Heatline reads <strong>perf script</strong> text (<code>perf script &gt; out.perf</code>) and{' '}
          <strong>collapsed stacks</strong> (<code>main;parse;lex 30</code>). More formats are coming.
        </p>
        <div className="empty-state__actions">
          <button type="button" className="button button--primary" onClick={() => void actions.requestOpen()}>
            Open…
          </button>
          <RecordButton />
        </div>
      </div>
    </section>
  );
}
