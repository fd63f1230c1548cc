// Bundles each process with esbuild into out/: main (CLI, Electron main, import
// worker) as CommonJS for Node, the preload as one sandbox-safe file, the
// renderer as an ES module for the browser. Type-checking is separate (tsc).
import { copyFile, cp, mkdir } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const shared = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

const builds = [
  {
    ...shared,
    entryPoints: {
      cli: 'src-main/cli.ts',
      'electron-main': 'src-main/electron/main.ts',
      'import-worker': 'src-main/host/import-worker.ts',
      'symbol-worker': 'src-main/symbols/symbol-worker.ts',
    },
    outdir: 'out/main',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Every `heatline` command compiles the whole bundle first: minified it compiles in half the time.
    // Names are kept: errors and logs may print a class's name.
    minify: true,
    keepNames: true,
    // Native or Electron-provided modules load at run time; ws's optional speedups are optional.
    external: ['electron', 'node-pty', 'bufferutil', 'utf-8-validate'],
  },
  {
    ...shared,
    entryPoints: { preload: 'src-preload/preload.ts' },
    outdir: 'out/preload',
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    external: ['electron'],
  },
  {
    ...shared,
    // The analysis worker is its own entry: the page starts it as a module worker beside app.js.
    entryPoints: { app: 'src-renderer/main.tsx', 'analysis-worker': 'src-renderer/workers/analysis.worker.ts' },
    outdir: 'out/renderer',
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    jsx: 'automatic',
    // Minified: the page parses ~3x less script before its first paint (the source maps keep it debuggable).
    minify: true,
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
  },
  {
    ...shared,
    // The source pane's editor (Monaco) and its worker: separate entries the window loads only when the pane
    // first shows a file, so the first paint does not wait for ~3 MB of editor (views/source/load-editor.ts).
    // The session terminal (xterm.js) likewise loads when a recording is first shown (views/record/load-terminal.ts).
    entryPoints: {
      'source-editor': 'src-renderer/views/source/monaco-editor.ts',
      'editor-worker': 'monaco-editor/editor/editor.worker.js',
      terminal: 'src-renderer/views/record/xterm-lib.ts',
    },
    outdir: 'out/renderer',
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    minify: true,
    loader: { '.ttf': 'file' },
  },
];

await mkdir('out/renderer', { recursive: true });
await copyFile('src-renderer/index.html', 'out/renderer/index.html');
// "Open in speedscope" runs the speedscope app shipped in its npm package, offline, from our own origin.
await cp('node_modules/speedscope/dist/release', 'out/renderer/speedscope', { recursive: true });
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('build: watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
