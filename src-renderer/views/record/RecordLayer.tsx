/**
 * Everything recording adds to the window, in one place for App.tsx: the
 * open dialog (record or attach) — or, where the host does not record, why —
 * and the store's connection to the host's recording events and menu commands.
 */

import { useEffect } from 'react';
import '../../styles/record.css';
import { AttachDialog } from './AttachDialog';
import { Modal } from './Modal';
import { useRecord, useRecordActions } from './record-context';
import { RecordDialog } from './RecordDialog';

export function RecordDialogs() {
  const actions = useRecordActions();
  const dialog = useRecord((state) => state.dialog);
  const off = useRecord((state) => state.off);
  useEffect(() => actions.connect(), [actions]);
  if (dialog !== null && off !== null) return <RecordingOff dialog={dialog} reason={off} />;
  if (dialog === 'record') return <RecordDialog />;
  if (dialog === 'attach') return <AttachDialog />;
  return null;
}

/** In place of Record… or Attach… where the host does not record: the host's one line, which says how to turn it on. */
function RecordingOff({ dialog, reason }: { dialog: 'record' | 'attach'; reason: string }) {
  const actions = useRecordActions();
  return (
    <Modal title={dialog === 'record' ? 'Record' : 'Attach to Process'} testId="recording-off" onClose={actions.closeDialog}>
      <p className="record-error" data-testid="recording-off-reason">
        {reason}
      </p>
    </Modal>
  );
}
