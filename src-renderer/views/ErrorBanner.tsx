import { useAppState } from './app-context';

/** The host's one-line message for a failure. The open profile, if any, stays below it. */
export function ErrorBanner() {
  const message = useAppState((state) => state.errorMessage);
  const dismiss = useAppState((state) => state.errorDismissed);
  if (message === null) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <span className="error-banner__icon" aria-hidden="true">
        !
      </span>
      <span className="error-banner__message">{message}</span>
      <button type="button" className="button button--quiet" onClick={dismiss} aria-label="Dismiss error">
        Dismiss
      </button>
    </div>
  );
}
