/**
 * Line tables (.debug_line, DWARF 4 and 5) compared row by row with
 * `readelf --debug-dump=decodedline` on fixtures compiled now, and on the
 * system libc's debug file when the machine has one (libc6-dbg).
 *
 * readelf prints every row the line program emits; an address answers with
 * the last row emitted at that address within its sequence (as binutils'
 * addr2line does), and an end-of-sequence row ends the coverage. So for
 * every address readelf lists we expect the line and file base name of the
 * last row at that address, and nothing at a sequence end that no other
 * sequence starts at. Full paths are compared with addr2line in
 * dwarf-inline.test.ts.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { DwarfInfo } from '../../src-main/symbols/dwarf/info';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { readelfDecodedLines, type DecodedLineRow } from '../helpers/binutils';
import { fixtureBuilds, runTool } from '../helpers/compile';

interface Expected {
  address: number;
  line: number;
  file: string;
}

/**
 * readelf's rows reduced to what a lookup answers: per address the last row
 * of its run (line -1 for a sequence end). Sequences at address 0 are code
 * the linker dropped, which Heatline ignores.
 */
function expectedRows(rows: DecodedLineRow[]): Expected[] {
  const out: Expected[] = [];
  let sequenceStart = true;
  let skipping = false;
  for (const row of rows) {
    if (sequenceStart) {
      skipping = row.address === 0;
      sequenceStart = false;
    }
    if (!skipping) {
      const last = out[out.length - 1];
      const entry = { address: row.address, line: row.line, file: row.file };
      if (last && last.address === row.address) out[out.length - 1] = entry;
      else out.push(entry);
    }
    if (row.line === -1) sequenceStart = true;
  }
  return out;
}

function compareWithReadelf(path: string, sampleEvery = 1): { checked: number; ends: number } {
  const elf = ElfFile.open(path);
  const code = elf.sections.filter((s) => s.flags & 4 && s.size > 0);
  const isCode = (a: number) => code.some((s) => a >= s.addr && a < s.addr + s.size);
  const warnings: string[] = [];
  const dwarf = DwarfInfo.open(elf, { isCode, warn: (w) => warnings.push(w) });
  assert.ok(dwarf);
  const expected = expectedRows(readelfDecodedLines(path));
  assert.ok(expected.length > 0);
  const starts = new Set(expected.filter((e) => e.line !== -1).map((e) => e.address));
  let checked = 0;
  let ends = 0;
  const failures: string[] = [];
  for (let i = 0; i < expected.length; i += sampleEvery) {
    const e = expected[i];
    const table = dwarf.lineTableFor(e.address);
    if (e.line === -1) {
      if (starts.has(e.address)) continue; // the next sequence starts where this one ends
      ends++;
      const row = table ? table.lookup(e.address) : -1;
      if (row >= 0) failures.push(`0x${e.address.toString(16)}: a sequence ends here, but we answer line ${table?.line[row]}`);
      continue;
    }
    checked++;
    const row = table ? table.lookup(e.address) : -1;
    if (!table || row < 0) {
      failures.push(`0x${e.address.toString(16)}: readelf has ${e.file}:${e.line}, we have nothing`);
      continue;
    }
    const file = table.filePath(table.file[row]);
    if (table.line[row] !== e.line || basename(file ?? '') !== e.file) {
      failures.push(`0x${e.address.toString(16)}: readelf ${e.file}:${e.line}, we ${file}:${table.line[row]}`);
    }
    if (failures.length >= 10) break;
  }
  assert.deepEqual(failures, [], path);
  assert.deepEqual(warnings, []);
  elf.close();
  return { checked, ends };
}

for (const build of fixtureBuilds()) {
  test(`every line table row matches readelf --debug-dump=decodedline: ${build.label}`, () => {
    const { checked, ends } = compareWithReadelf(build.path);
    console.log(`${build.label}: ${checked} addresses and ${ends} sequence ends checked`);
    assert.ok(checked > (build.cxx ? 500 : 30));
  });
}

test('the DWARF version under test is the one asked for', () => {
  for (const build of fixtureBuilds()) {
    const want = build.label.includes('-gdwarf-4') ? 4 : 5;
    const header = runTool('readelf', ['--debug-dump=rawline', build.path]);
    assert.match(header, new RegExp(`DWARF Version:\\s+${want}`), build.label);
    const elf = ElfFile.open(build.path);
    const dwarf = DwarfInfo.open(elf);
    assert.ok(dwarf);
    for (const table of dwarf.allLineTables()) assert.equal(table.version, want, build.label);
    elf.close();
  }
});

const LIBC_DEBUG = (() => {
  try {
    const id = ElfFile.open('/usr/lib/x86_64-linux-gnu/libc.so.6').buildId();
    return id ? `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug` : null;
  } catch {
    return null;
  }
})();

test('libc debug info (libc6-dbg: gcc 12, DWARF 5, compressed sections, relative comp_dir), every 20th row', () => {
  // npm test installs libc6-dbg (scripts/ensure-system-deps.mjs): a missing debug file is a broken set-up, not a pass.
  assert.ok(LIBC_DEBUG && existsSync(LIBC_DEBUG), `libc's debug file ${LIBC_DEBUG} is missing: apt-get install libc6-dbg`);
  const { checked } = compareWithReadelf(LIBC_DEBUG, 20);
  console.log(`libc: ${checked} rows checked`);
  assert.ok(checked > 1000);
});
