#!/usr/bin/env node
// The `heatline` command: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
'use strict';
const { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('heatline: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(1);
}
runWithCodeCache(cli);

/**
 * require(file), but with V8's code cache: compiling the ~1 MB bundle and
 * its functions costs about a tenth of a second per run, a large share of a
 * `heatline report` on a small file. The cache is written beside the bundle
 * when a run ends without a usable one (after the run, so it holds the
 * functions that run compiled), and skipped silently where that folder is
 * read-only. V8 checks only the source's length, so the file starts with
 * the bundle's identity: its device, inode, size and modification time (to
 * the nanosecond), which every build changes, as make trusts them. (A
 * SHA-256 of the source cost 5 ms a run, most of it loading node:crypto.)
 */
function runWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const stat = statSync(file, { bigint: true });
  const hash = Buffer.from(`heatline ${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs}\n`);
  const cacheFile = file + '.v8-cache';
  let cached;
  try {
    const bytes = readFileSync(cacheFile);
    if (bytes.length > hash.length && bytes.subarray(0, hash.length).equals(hash)) cached = bytes.subarray(hash.length);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached });
  if (cached === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(temporary, Buffer.concat([hash, script.createCachedData()]));
        renameSync(temporary, cacheFile); // whole or not at all, when several runs end at once
      } catch {
        rmSync(temporary, { force: true }); // a read-only install: run without the cache
      }
    });
  }
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  module.loaded = true;
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file));
}
