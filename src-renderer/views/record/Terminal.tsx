/**
 * The session's terminal: xterm.js showing what the pty prints (colours
 * and all), sending keystrokes to the program's stdin, and resizing the pty
 * to whatever fits the panel. Output that arrived before it mounted comes
 * from the record store's buffer.
 */

import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { useRecordActions } from './record-context';

export function SessionTerminal({ sessionId, interactive }: { sessionId: string; interactive: boolean }) {
  const actions = useRecordActions();
  const container = useRef<HTMLDivElement>(null);
  const live = useRef(interactive);
  live.current = interactive;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    const terminal = new XTerm({
      convertEol: false,
      cursorBlink: true,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono') || 'monospace',
      fontSize: 12,
      scrollback: 5000,
      theme: dark ? { background: '#1b1b1f', foreground: '#e6e6ea' } : { background: '#fbfbfc', foreground: '#1d1d1f', cursor: '#1d1d1f', selectionBackground: '#c9dafc' },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    terminal.write(actions.output(sessionId));
    const unsubscribe = actions.onOutput(sessionId, (data) => terminal.write(data));
    const input = terminal.onData((data) => {
      if (live.current) actions.write(sessionId, data);
    });
    const resized = terminal.onResize(({ cols, rows }) => {
      if (live.current) actions.resize(sessionId, Math.max(10, cols), Math.max(2, rows));
    });
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    // The pty starts at the dialog's size; tell it the real one now.
    if (live.current) actions.resize(sessionId, Math.max(10, terminal.cols), Math.max(2, terminal.rows));
    return () => {
      observer.disconnect();
      unsubscribe();
      input.dispose();
      resized.dispose();
      terminal.dispose();
    };
  }, [actions, sessionId]);

  return <div ref={container} className="record-terminal" data-testid="record-terminal" />;
}
