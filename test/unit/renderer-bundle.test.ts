/**
 * The window's first script (out/renderer/app.js) stays small: zod, xterm.js
 * and Monaco each once slipped in through one value import and tripled it.
 * The host validates with zod; the terminal and the editor load on first use
 * (views/record/load-terminal.ts, views/source/load-editor.ts). Reads the
 * bundle's source map, which `npm test` builds before the tests run.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const OUT = join(__dirname, '..', '..', 'out', 'renderer');

test('app.js bundles neither zod, xterm.js nor Monaco', (t) => {
  const mapPath = join(OUT, 'app.js.map');
  if (!existsSync(mapPath)) {
    t.skip('out/renderer/app.js.map is missing: run `npm run build` first');
    return;
  }
  const sources: string[] = JSON.parse(readFileSync(mapPath, 'utf8')).sources;
  assert.ok(sources.some((source) => source.includes('src-renderer/main.tsx')), 'the map lists the bundle sources');
  for (const heavy of ['node_modules/zod/', 'node_modules/@xterm/', 'node_modules/monaco-editor/']) {
    const found = sources.filter((source) => source.includes(heavy));
    assert.deepEqual(found.slice(0, 3), [], `${heavy} is in app.js`);
  }
});

test('the lazily loaded bundles are built beside app.js', (t) => {
  if (!existsSync(join(OUT, 'app.js'))) {
    t.skip('out/renderer is missing: run `npm run build` first');
    return;
  }
  for (const file of ['terminal.js', 'terminal.css', 'source-editor.js', 'source-editor.css', 'editor-worker.js']) {
    assert.ok(existsSync(join(OUT, file)), `${file} is missing from out/renderer`);
  }
});
