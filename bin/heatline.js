#!/usr/bin/env node
// The `heatline` command: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('heatline: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(1);
}
require(cli);
