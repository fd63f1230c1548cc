/**
 * The session's terminal: xterm.js showing what the pty prints (colours
 * and all), sending keystrokes to the program's stdin, and resizing the pty
 * to whatever fits the panel. Output that arrived before it mounted comes
 * from the record store's buffer. xterm itself loads on first use
 * (load-terminal.ts).
 */

import { useEffect, useRef } from 'react';
import { loadTerminal } from './load-terminal';
import { useRecordActions } from './record-context';
import type * as TerminalModule from './xterm-lib';

export function SessionTerminal({ sessionId, interactive }: { sessionId: string; interactive: boolean }) {
  const actions = useRecordActions();
  const container = useRef<HTMLDivElement>(null);
  const live = useRef(interactive);
  live.current = interactive;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    let cleanup: (() => void) | null = null;
    let unmounted = false;
    loadTerminal().then(
      (lib) => {
        if (!unmounted) cleanup = mountTerminal(lib, element);
      },
      (error: unknown) => {
        element.textContent = `The terminal could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
    return () => {
      unmounted = true;
      cleanup?.();
    };
  }, [actions, sessionId]);

  function mountTerminal({ Terminal: XTerm, FitAddon }: typeof TerminalModule, element: HTMLDivElement): () => void {
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
  }

  return <div ref={container} className="record-terminal" data-testid="record-terminal" />;
}
