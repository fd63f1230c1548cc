/**
 * PLT stubs get perf's `name@plt` names (symbols/elf/plt.ts), checked
 * against objdump's labels for the same stubs, on binaries built here in
 * the layouts linkers emit: lazy .plt, IBT's .plt.sec, .plt.got, stripped,
 * and aarch64.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { SymbolTable } from '../../src-main/symbols/elf/symbols';
import { artifactDir, runTool } from '../helpers/compile';

const SOURCE = join(__dirname, '..', 'fixtures', 'programs', 'plt_calls.c');

/** objdump's `<name@plt>` labels in the PLT sections: address -> name. */
function objdumpPltLabels(objdump: string, binary: string): Map<number, string> {
  const sections = runTool('readelf', ['-SW', binary]);
  const present = ['.plt', '.plt.sec', '.plt.got'].filter((name) => new RegExp(`\\s${name.replace(/\./g, '\\.')}\\s`).test(sections));
  const out = runTool(objdump, ['-d', ...present.flatMap((name) => ['-j', name]), binary]);
  const labels = new Map<number, string>();
  for (const match of out.matchAll(/^([0-9a-f]+) <([^>]+@plt)>:$/gm)) labels.set(Number.parseInt(match[1], 16), match[2]);
  return labels;
}

const builds: { label: string; compiler: string; objdump: string; flags: string[] }[] = [
  { label: 'x86-64, lazy .plt and .plt.got', compiler: 'gcc', objdump: 'objdump', flags: ['-O2'] },
  { label: 'x86-64, IBT (.plt.sec)', compiler: 'gcc', objdump: 'objdump', flags: ['-O2', '-fcf-protection=full', '-Wl,-z,ibtplt'] },
  { label: 'x86-64, bound now', compiler: 'gcc', objdump: 'objdump', flags: ['-O2', '-Wl,-z,now'] },
  { label: 'x86-64, stripped (dynamic symbols only)', compiler: 'gcc', objdump: 'objdump', flags: ['-O2', '-s'] },
  { label: 'aarch64', compiler: 'aarch64-linux-gnu-gcc', objdump: 'aarch64-linux-gnu-objdump', flags: ['-O2'] },
];

for (const build of builds) {
  test(`PLT stubs are named as objdump names them: ${build.label}`, () => {
    const binary = join(artifactDir('plt'), 'plt_calls');
    runTool(build.compiler, [...build.flags, SOURCE, '-o', binary]);
    const labels = objdumpPltLabels(build.objdump, binary);
    assert.ok(labels.size >= 4, `objdump names at least the four libc calls: ${[...labels.values()].join(', ')}`);
    const elf = ElfFile.open(binary);
    try {
      const symbols = SymbolTable.fromFiles([elf]);
      for (const [address, name] of labels) {
        for (const at of [address, address + 4]) {
          const index = symbols.lookup(at);
          assert.equal(index >= 0 ? symbols.name(index) : null, name, `0x${at.toString(16)}`);
        }
      }
      const named = [...labels.values()].filter((name) => /^(qsort|strlen|printf|rand)@plt$/.test(name));
      assert.equal(named.length, 4, `the calls of the fixture go through stubs: ${[...labels.values()].join(', ')}`);
    } finally {
      elf.close();
    }
  });
}
