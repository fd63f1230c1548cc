/**
 * sudo's password, typed into the app: sent once to the host (which writes
 * it to sudo's prompt in the pty) and cleared from the field at once. It is
 * never put in the store, a log, or the terminal.
 */

import { useRef, useState } from 'react';
import { useRecordActions } from './record-context';

export function PasswordPrompt({ sessionId, attempt, purpose }: { sessionId: string; attempt: number; purpose: string }) {
  const actions = useRecordActions();
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  return (
    <form
      className="record-password"
      data-testid="password-prompt"
      onSubmit={(event) => {
        event.preventDefault();
        if (value === '') return;
        const password = value;
        setValue('');
        if (input.current) input.current.value = '';
        void actions.providePassword(sessionId, password);
      }}
    >
      <label>
        <span>
          {attempt > 1 ? 'Sorry, try again. ' : ''}Your password for sudo, {purpose}:
        </span>
        <input ref={input} type="password" autoComplete="off" data-testid="password-field" value={value} onChange={(e) => setValue(e.target.value)} autoFocus maxLength={1024} />
      </label>
      <button type="submit" className="button button--primary" data-testid="password-submit" disabled={value === ''}>
        Authenticate
      </button>
    </form>
  );
}
