export const RECORD_NOT_YET = 'Recording is not available yet. For now, record with perf and open the file here.';

/**
 * Record… is shown so the window's shape does not change when recording
 * arrives, but it is disabled and says why. aria-disabled rather than the
 * disabled attribute: the button stays focusable and hoverable, so keyboard
 * and mouse users alike can read the reason.
 */
export function RecordButton() {
  return (
    <button type="button" className="button" aria-disabled="true" title={RECORD_NOT_YET}>
      Record…
    </button>
  );
}
