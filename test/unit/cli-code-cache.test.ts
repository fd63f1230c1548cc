// bin/heatline.js runs the bundle through V8's code cache: the cache is made
// by a first run, used by later ones, and never applied to another bundle
// (V8 itself checks only the source's length): it is headed by the bundle
// file's identity (device, inode, size, modification time).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const launcher = join(__dirname, '..', '..', 'bin', 'heatline.js');
const root = mkdtempSync(join(tmpdir(), 'heatline-code-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A package layout with the real launcher and a tiny bundle in out/main/cli.js. */
function layout(name: string, bundle: string): { bin: string; bundle: string; cache: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'out', 'main'), { recursive: true });
  copyFileSync(launcher, join(dir, 'bin', 'heatline.js'));
  const file = join(dir, 'out', 'main', 'cli.js');
  writeFileSync(file, bundle);
  return { bin: join(dir, 'bin', 'heatline.js'), bundle: file, cache: `${file}.v8-cache` };
}

function run(bin: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

/** The header the launcher writes for the bundle as it is on disk now. */
function identity(file: string): Buffer {
  const stat = statSync(file, { bigint: true });
  return Buffer.from(`heatline ${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs}\n`);
}

// The bundle sees its own module: exports, require, __dirname and argv work as under require().
const bundle = (word: string) =>
  `const { basename } = require('node:path'); module.exports.word = '${word}'; console.log(module.exports.word, basename(__dirname), process.argv.slice(2).join(' '));\n`;

test('a first run writes the cache, headed by the bundle identity; later runs read it and do the same', () => {
  const app = layout('fresh', bundle('alpha'));
  assert.equal(run(app.bin, 'x', 'y'), 'alpha main x y\n');
  assert.ok(existsSync(app.cache), 'the first run leaves a cache');
  const header = identity(app.bundle);
  assert.ok(readFileSync(app.cache).subarray(0, header.length).equals(header));
  const written = readFileSync(app.cache);
  assert.equal(run(app.bin, 'z'), 'alpha main z\n');
  assert.ok(readFileSync(app.cache).equals(written), 'an accepted cache is not rewritten');
});

test('a rebuilt bundle of the same length runs its own code, not the cached one', () => {
  const app = layout('rebuilt', bundle('alpha'));
  run(app.bin);
  writeFileSync(app.bundle, bundle('omega')); // same length as 'alpha', same file: only its time differs
  assert.equal(run(app.bin), 'omega main \n');
  assert.equal(run(app.bin), 'omega main \n', 'and the cache made for it is used for it');
});

test('where the cache cannot be written the run still works and leaves nothing behind', () => {
  // A folder in the cache file's place makes the write fail (permissions would not stop root).
  const app = layout('unwritable', bundle('alpha'));
  mkdirSync(app.cache);
  assert.equal(run(app.bin), 'alpha main \n');
  assert.deepEqual(readdirSync(join(app.bundle, '..')).sort(), ['cli.js', 'cli.js.v8-cache']);
});

test('a corrupt cache file is ignored and replaced', () => {
  const app = layout('corrupt', bundle('alpha'));
  writeFileSync(app.cache, 'not a cache');
  assert.equal(run(app.bin), 'alpha main \n');
  const header = identity(app.bundle);
  assert.ok(readFileSync(app.cache).subarray(0, header.length).equals(header));
});
