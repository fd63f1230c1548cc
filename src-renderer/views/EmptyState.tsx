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
          Heatline reads <strong>perf.data</strong>, <strong>perf script</strong> text, <strong>collapsed stacks</strong>,{' '}
          <strong>DHAT</strong> (<code>dhat.out.*</code>, <code>dhat-heap.json</code>), <strong>massif</strong>,{' '}
          <strong>heaptrack</strong> and <strong>strace</strong> (<code>strace -f -T -tt</code>) output.
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
