import { useActions, useAppState } from './app-context';

/** The file being opened, how far along, and a way to stop. */
export function ProgressStrip() {
  const loading = useAppState((state) => state.loading);
  const actions = useActions();
  if (loading === null) return null;
  // Once a sites preview is shown the file has been read; what is left (its stacks) reports no progress.
  const building = loading.sitesPreview !== null;
  const percent = loading.fraction === null || building ? null : Math.round(loading.fraction * 100);
  return (
    <div className="progress" data-testid="progress">
      <span className="progress__label">
        Opening <strong>{loading.name}</strong>
        {building ? ' — read; building its stacks…' : percent === null ? '…' : ` — ${percent}%`}
      </span>
      <progress
        className="progress__bar"
        aria-label={`Opening ${loading.name}`}
        max={100}
        value={percent ?? undefined}
      />
      <button type="button" className="button button--quiet" onClick={() => void actions.cancelLoading()}>
        Cancel
      </button>
    </div>
  );
}
