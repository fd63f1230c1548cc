/**
 * xterm.js and its fit addon as one bundle of their own (terminal.js and
 * terminal.css beside app.js), loaded by load-terminal.ts when a session is
 * first shown: most windows never record, and xterm is ~340 KB of script.
 */

import '@xterm/xterm/css/xterm.css';

export { FitAddon } from '@xterm/addon-fit';
export { Terminal } from '@xterm/xterm';
