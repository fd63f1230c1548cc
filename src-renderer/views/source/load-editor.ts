/** The Monaco bundle (monaco-editor.ts, built as source-editor.js and .css), loaded when the source pane first shows a file. */

import { loadLazyBundle } from '../lazy-bundle';
import type * as EditorModule from './monaco-editor';

export const loadSourceEditor = (): Promise<typeof EditorModule> => loadLazyBundle<typeof EditorModule>('source-editor');

export const editorWorkerUrl = (): string => new URL('./editor-worker.js', import.meta.url).href;
