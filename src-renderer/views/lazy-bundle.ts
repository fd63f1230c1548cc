/**
 * Loads a bundle built beside app.js (NAME.js and its NAME.css) the first
 * time a view needs it: the source editor (Monaco) and the session terminal
 * (xterm.js) are most of the window's script, and most windows use neither.
 * The import goes by URL, not by module name, so esbuild leaves the bundle
 * out of app.js; callers get its type from a type-only import.
 */

const loading = new Map<string, Promise<unknown>>();

export function loadLazyBundle<Module>(name: string): Promise<Module> {
  const started = loading.get(name);
  if (started !== undefined) return started as Promise<Module>;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL(`./${name}.css`, import.meta.url).href;
  document.head.append(css);
  const url = new URL(`./${name}.js`, import.meta.url).href;
  const promise = (import(/* webpackIgnore: true */ url) as Promise<Module>).catch((error: unknown) => {
    loading.delete(name); // a later attempt may succeed (the file was being rebuilt, say)
    css.remove();
    throw error;
  });
  loading.set(name, promise);
  return promise;
}
