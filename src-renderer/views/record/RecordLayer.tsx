/**
 * Everything recording adds to the window, in one place for App.tsx: the
 * open dialog (record or attach), and the store's connection to the host's
 * recording events and menu commands.
 */

import { useEffect } from 'react';
import '../../styles/record.css';
import { AttachDialog } from './AttachDialog';
import { useRecord, useRecordActions } from './record-context';
import { RecordDialog } from './RecordDialog';

export function RecordDialogs() {
  const actions = useRecordActions();
  const dialog = useRecord((state) => state.dialog);
  useEffect(() => actions.connect(), [actions]);
  if (dialog === 'record') return <RecordDialog />;
  if (dialog === 'attach') return <AttachDialog />;
  return null;
}
