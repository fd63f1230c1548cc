/**
 * JIT symbol maps as node writes them: `node --perf-basic-prof` runs a small
 * hot loop now, which makes V8 write /tmp/perf-<pid>.map (builtins, bytecode
 * handlers, and the compiled JS functions, the hot one among them). Checked
 * against the file itself read another way (`awk` counts its well-formed
 * lines): every line parses, and a lookup of an entry's start (and of its
 * last byte) names that entry, or the latest entry written over that range
 * when V8 reused the memory. The file is removed afterwards.
 *
 * Overlapping ranges, where the later line wins, are also checked on a map
 * written here, since whether V8 reuses code memory in a short run is luck.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPerfMap, PerfMap } from '../../src-main/symbols/perf-map';
import type { ResolvedFrame } from '../../src-main/symbols/types';
import { artifactDir, runTool } from '../helpers/compile';

const HOT_LOOP = `
function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * (i & 7); return s; }
let total = 0;
for (let k = 0; k < 300; k++) total += hotLoop(20000);
process.stdout.write(String(process.pid) + ' ' + (total > 0));
`;

test("node --perf-basic-prof's map parses, and lookups name its entries", () => {
  const run = spawnSync(process.execPath, ['--perf-basic-prof', '-e', HOT_LOOP], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const pid = Number(run.stdout.split(' ')[0]);
  const path = `/tmp/perf-${pid}.map`;
  try {
    const map = loadPerfMap(pid);
    assert.ok(map !== null, `${path} exists`);
    const lines = Number(runTool('awk', ['$1 ~ /^[0-9a-f]+$/ && $2 ~ /^[0-9a-f]+$/ && NF >= 3 { n++ } END { print n + 0 }', path]).trim());
    assert.ok(lines > 100, `${lines} lines`);
    assert.equal(map.size, lines, 'every line of the map parses');
    assert.ok(map.entries.some((e) => /^JS:[*~^]?hotLoop /.test(e.name)), 'the hot function is in the map');
    assert.ok(map.entries.some((e) => e.name.startsWith('Builtin:')), 'builtins are in the map');
    assert.ok(map.entries.some((e) => e.name.includes(' ')), 'names with spaces are kept whole');

    // The entry a lookup must find: the latest line whose range holds the address.
    const latestAt = (address: number) => {
      for (let i = map.entries.length - 1; i >= 0; i--) {
        const e = map.entries[i];
        if (address >= e.start && address < e.start + e.size) return e;
      }
      return null;
    };
    const failures: string[] = [];
    for (const entry of map.entries) {
      for (const address of [entry.start, entry.start + entry.size - 1]) {
        const expected = latestAt(address);
        const got = map.lookupEntry(address);
        if (got !== expected) failures.push(`${address.toString(16)}: ${got?.name} instead of ${expected?.name}`);
      }
      const frames: ResolvedFrame[] = map.lookup(BigInt(entry.start)).frames;
      assert.deepEqual(frames, [{ name: latestAt(entry.start)?.name, file: null, line: -1 }]);
    }
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} lookups failed`);
    const end = Math.max(...map.entries.map((e) => e.start + e.size));
    assert.deepEqual(map.lookup(end), { frames: [] }, 'no frame past the last entry');
  } finally {
    rmSync(path, { force: true });
  }
});

test('overlapping entries: the line written later names the range', () => {
  const map = PerfMap.parse([
    '1000 100 JS:*first file.js:1',
    '1080 40 JS:*second reused',
    '0x2000 0x10 LazyCompile:third',
    'not a line',
    '1000 10 JS:*third over first',
    '3000 0 zero-sized',
    '',
  ].join('\n'));
  assert.equal(map.size, 4);
  const at = (a: number) => map.lookupEntry(a)?.name ?? null;
  assert.equal(at(0x0fff), null);
  assert.equal(at(0x1000), 'JS:*third over first');
  assert.equal(at(0x100f), 'JS:*third over first');
  assert.equal(at(0x1010), 'JS:*first file.js:1');
  assert.equal(at(0x107f), 'JS:*first file.js:1');
  assert.equal(at(0x1080), 'JS:*second reused');
  assert.equal(at(0x10bf), 'JS:*second reused');
  assert.equal(at(0x10c0), 'JS:*first file.js:1');
  assert.equal(at(0x10ff), 'JS:*first file.js:1');
  assert.equal(at(0x1100), null);
  assert.equal(at(0x2008), 'LazyCompile:third');
  assert.equal(at(0x3000), null);
});

test('a process without a map gives null', () => {
  const dir = artifactDir('perf-map');
  assert.equal(loadPerfMap(4242, { dir }), null);
  writeFileSync(join(dir, 'perf-4242.map'), '10 10 f\n');
  assert.equal(loadPerfMap(4242, { dir })?.lookupEntry(0x12)?.name, 'f');
});
