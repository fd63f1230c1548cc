/**
 * ELF function symbols (.symtab, else .dynsym) compared with
 * `nm --defined-only -S` on fixtures compiled now and on the system libc
 * (whose binary has only .dynsym).
 *
 * nm lists every symbol; Heatline keeps one function symbol per address
 * and sizes them the way perf does (see src-main/symbols/elf/symbols.ts),
 * so the checks are: every function nm lists resolves, at its address, to
 * a symbol that starts there and is one of nm's names for that address;
 * every address the table answers lies in an nm symbol of that start (by
 * its size, or before the next symbol when it has none); and an address
 * that lies in a sized nm function always finds a symbol. Which alias wins
 * is checked on a fixture whose aliases differ in exactly one of perf's
 * criteria each. The PLT stubs' made-up `name@plt` symbols are not nm's:
 * elf-plt.test.ts checks them against objdump.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { SymbolTable } from '../../src-main/symbols/elf/symbols';
import { nm, readelfSections, type NmSymbol } from '../helpers/binutils';
import { artifactDir, compile, fixtureBuilds } from '../helpers/compile';

/** nm's text symbols: T/t (functions and labels in text), W/w (weak), i (ifunc). */
const isText = (s: NmSymbol) => 'TtWwi'.includes(s.type);

function checkAgainstNm(path: string, table: SymbolTable, symbols: NmSymbol[]): { starts: number; sampled: number } {
  const code = readelfSections(path).filter((s) => s.flags.includes('X'));
  // nm's W also marks weak data (data_start): only symbols in executable sections are functions.
  const text = symbols.filter((s) => isText(s) && code.some((c) => s.address >= c.address && s.address < c.address + c.size));
  const namesAt = new Map<number, Set<string>>();
  for (const s of text) {
    if (!namesAt.has(s.address)) namesAt.set(s.address, new Set());
    namesAt.get(s.address)?.add(s.name);
  }
  const failures: string[] = [];
  // Every function start nm lists resolves to a symbol starting there, named as nm names that address.
  let starts = 0;
  for (const [address, names] of namesAt) {
    const i = table.lookup(address);
    starts++;
    if (i < 0 || table.start(i) !== address || !names.has(table.name(i))) {
      failures.push(`0x${address.toString(16)} (${[...names].join(', ')}): we answer ${i < 0 ? 'nothing' : `${table.name(i)} at 0x${table.start(i).toString(16)}`}`);
    }
  }
  // Every 7th address of the executable sections.
  const sorted = [...namesAt.keys()].sort((a, b) => a - b);
  const sizesAt = new Map<number, number>();
  for (const s of text) sizesAt.set(s.address, Math.max(sizesAt.get(s.address) ?? 0, s.size));
  let sampled = 0;
  for (const section of code) {
    for (let a = section.address; a < section.address + section.size; a += 7) {
      sampled++;
      const i = table.lookup(a);
      const coveringSized = text.some((s) => s.size > 0 && a >= s.address && a < s.address + s.size);
      if (i < 0) {
        if (coveringSized) failures.push(`0x${a.toString(16)}: in a sized nm function, but we answer nothing`);
        continue;
      }
      // PLT stubs are not nm symbols: their `name@plt` names are checked against objdump's (elf-plt.test.ts).
      if (table.name(i).endsWith('@plt')) continue;
      const start = table.start(i);
      const size = sizesAt.get(start) ?? -1;
      const next = sorted.find((x) => x > start) ?? Infinity;
      const inside = size > 0 ? a < start + size : a < next;
      if (!namesAt.has(start) || !inside) failures.push(`0x${a.toString(16)}: we answer ${table.name(i)} at 0x${start.toString(16)}, which nm does not extend this far`);
    }
  }
  assert.deepEqual(failures.slice(0, 10), [], path);
  return { starts, sampled };
}

for (const build of fixtureBuilds()) {
  test(`symbols match nm: ${build.label}`, () => {
    const elf = ElfFile.open(build.path);
    const table = SymbolTable.fromFiles([elf]);
    assert.equal(table.source, '.symtab');
    const counts = checkAgainstNm(build.path, table, nm(build.path));
    assert.ok(counts.starts > 10);
    elf.close();
  });
}

test('a stripped binary falls back to .dynsym; libc (only .dynsym on disk) matches nm -D', () => {
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  const elf = ElfFile.open(libc);
  const table = SymbolTable.fromFiles([elf]);
  assert.equal(table.source, '.dynsym');
  const { starts, sampled } = checkAgainstNm(libc, table, nm(libc, { dynamic: true }));
  console.log(`libc: ${starts} function addresses and ${sampled} sampled addresses agree with nm -D`);
  assert.ok(starts > 1000);
  elf.close();
});

test('of several symbols at one address, the one perf would print wins', () => {
  const dir = artifactDir('aliases');
  const source = join(dir, 'aliases.c');
  // Each group puts two names on one function, differing in exactly one of
  // perf's criteria (symbol.c, choose_best_symbol), in both orders where the
  // table order could matter.
  writeFileSync(
    source,
    `
int sink;
/* global beats weak */
int weak_first(int x) { sink = x; return x + 1; }
extern int global_wins(int) __attribute__((alias("weak_first")));
#pragma weak weak_first
/* global beats local */
static int local_loses(int x) { sink = x; return x + 2; }
extern int global_beats_local(int) __attribute__((alias("local_loses")));
/* fewer leading underscores */
int __two_underscores(int x) { sink = x; return x + 3; }
extern int one_underscore_wins(int) __attribute__((alias("__two_underscores")));
/* the longer name, all else equal */
int shorter(int x) { sink = x; return x + 4; }
extern int shorter_but_longer_wins(int) __attribute__((alias("shorter")));
int main(int c, char **v) { (void)v; return weak_first(c) + global_beats_local(c) + __two_underscores(c) + shorter(c) + local_loses(c); }
`,
  );
  const path = compile({ sources: [source], out: join(dir, 'aliases'), flags: ['-O1', '-g'] });
  const elf = ElfFile.open(path);
  const table = SymbolTable.fromFiles([elf]);
  const symbols = nm(path);
  const at = (name: string) => {
    const s = symbols.find((x) => x.name === name);
    assert.ok(s, name);
    return table.name(table.lookup(s.address));
  };
  assert.equal(at('weak_first'), 'global_wins');
  assert.equal(at('local_loses'), 'global_beats_local');
  assert.equal(at('__two_underscores'), 'one_underscore_wins');
  assert.equal(at('shorter'), 'shorter_but_longer_wins');
  checkAgainstNm(path, table, symbols);
  elf.close();
});
