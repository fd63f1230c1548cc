/**
 * Loads the Monaco bundle (source-editor.js and .css beside app.js) the
 * first time the source pane needs it. The import goes by URL, not by module
 * name, so esbuild leaves it out of app.js; the type comes from the module
 * itself by a type-only import.
 */

import type * as EditorModule from './monaco-editor';

let loading: Promise<typeof EditorModule> | null = null;

export function loadSourceEditor(): Promise<typeof EditorModule> {
  if (loading !== null) return loading;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('./source-editor.css', import.meta.url).href;
  document.head.append(css);
  const url = new URL('./source-editor.js', import.meta.url).href;
  loading = (import(/* webpackIgnore: true */ url) as Promise<typeof EditorModule>).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export const editorWorkerUrl = (): string => new URL('./editor-worker.js', import.meta.url).href;
