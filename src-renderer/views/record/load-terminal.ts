/** The terminal bundle (xterm-lib.ts, built as terminal.js and terminal.css), loaded when a session is first shown. */

import { loadLazyBundle } from '../lazy-bundle';
import type * as TerminalModule from './xterm-lib';

export const loadTerminal = (): Promise<typeof TerminalModule> => loadLazyBundle<typeof TerminalModule>('terminal');
