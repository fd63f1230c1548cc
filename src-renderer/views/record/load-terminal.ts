/**
 * Loads the terminal bundle (xterm-lib.ts, built as terminal.js and
 * terminal.css) the first time a session is shown. As for the source
 * editor, the import goes by URL so esbuild leaves xterm out of app.js.
 */

import type * as TerminalModule from './xterm-lib';

let loading: Promise<typeof TerminalModule> | null = null;

export function loadTerminal(): Promise<typeof TerminalModule> {
  if (loading !== null) return loading;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('./terminal.css', import.meta.url).href;
  document.head.append(css);
  const url = new URL('./terminal.js', import.meta.url).href;
  loading = (import(/* webpackIgnore: true */ url) as Promise<typeof TerminalModule>).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
