/**
 * Functions, files, lines and inline chains from DWARF, compared with
 * `addr2line -f -i` on fixtures compiled now (C and C++, DWARF 4 and 5, PIE
 * and not): every 3rd address of every executable section and every
 * function start `nm` lists.
 *
 * The reference is addr2line, with two documented exceptions where
 * binutils 2.40 is wrong and llvm-symbolizer (LLVM's independent reader)
 * agrees with Heatline; a frame passes when it matches addr2line, or when
 * llvm-symbolizer agrees with Heatline on the part addr2line gets wrong:
 *  - file names: for some rows of DWARF 5 line tables addr2line prints the
 *    unit's primary file instead of the header the row names (readelf's
 *    decoded line table and llvm-symbolizer both name the header);
 *  - function names: addr2line picks the function with the smallest range
 *    holding the address, not the innermost DIE, and sometimes names the
 *    caller for an inlined call (e.g. `main` for an inlined `atoi`).
 * Addresses outside every DWARF function and line sequence (alignment
 * padding, _init, the PLT) are left out: addr2line names them after the
 * nearest preceding ELF symbol, whatever its size; the resolver's symbol
 * rules are compared with nm in elf-symbols.test.ts. Likewise the name of
 * a line that no DWARF function covers comes from the symbol table.
 */

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBinaryResolver } from '../../src-main/symbols/binary-resolver';
import { DwarfInfo, type DwarfFrame } from '../../src-main/symbols/dwarf/info';
import { ElfFile } from '../../src-main/symbols/elf/elf-file';
import { addr2line, llvmSymbolizer, llvmSymbolizerDeclarations, nm, readelfSections, type ToolFrame } from '../helpers/binutils';
import { artifactDir, compile, fixtureBuilds } from '../helpers/compile';

function codeRanges(elf: ElfFile): (address: number) => boolean {
  const code = elf.sections.filter((s) => s.flags & 4 && s.size > 0);
  return (a) => code.some((s) => a >= s.addr && a < s.addr + s.size);
}

function openDwarf(path: string, warnings: string[] = []): { elf: ElfFile; dwarf: DwarfInfo } {
  const elf = ElfFile.open(path);
  const dwarf = DwarfInfo.open(elf, { isCode: codeRanges(elf), warn: (w) => warnings.push(w) });
  assert.ok(dwarf, `${path} has DWARF`);
  return { elf, dwarf };
}

/** Every `step`th address of the executable sections, plus every function start. */
function sampleAddresses(path: string, step: number): number[] {
  const set = new Set<number>();
  for (const s of readelfSections(path).filter((x) => x.flags.includes('X'))) {
    for (let a = s.address; a < s.address + s.size; a += step) set.add(a);
  }
  for (const sym of nm(path)) if ('TtWwi'.includes(sym.type)) set.add(sym.address);
  return [...set].sort((a, b) => a - b);
}

/** A clone suffix llvm-symbolizer takes from the symbol table (`.isra.0`, `.cold`...). */
const stripClone = (name: string | null) => (name === null ? null : name.replace(/(\.(isra|part|constprop|cold|lto_priv)(\.\d+)?)+$/, ''));

type Verdict = 'addr2line' | 'llvm-file' | 'llvm-name' | 'mismatch';

function judge(ours: DwarfFrame[], a2l: ToolFrame[], llvm: ToolFrame[]): Verdict {
  // A line without a DWARF function (gcc left a folded function without addresses): addr2line takes
  // the name from the symbol table, as the resolver does; only the position is DWARF's to compare.
  const eq = (x: DwarfFrame, y: ToolFrame) => (x.name === y.name || (x.name === null && ours.length === 1)) && x.file === y.file && x.line === y.line;
  if (ours.length === a2l.length && ours.every((f, i) => eq(f, a2l[i]))) return 'addr2line';
  // Same chain as addr2line except files that llvm-symbolizer confirms.
  if (
    ours.length === a2l.length &&
    ours.length === llvm.length &&
    ours.every((f, i) => f.name === a2l[i].name && f.line === a2l[i].line && (f.file === a2l[i].file || f.file === llvm[i].file))
  ) {
    return 'llvm-file';
  }
  // A different chain, but exactly llvm-symbolizer's (outer name modulo the symbol table's clone suffix).
  if (ours.length === llvm.length && ours.every((f, i) => f.name === stripClone(llvm[i].name) && f.file === llvm[i].file && f.line === llvm[i].line)) {
    return 'llvm-name';
  }
  return 'mismatch';
}

const fmt = (frames: readonly { name: string | null; file: string | null; line: number }[]) =>
  frames.map((f) => `${f.name ?? '??'} @ ${f.file ?? '??'}:${f.line}`).join('  <-  ');

for (const build of fixtureBuilds()) {
  test(`inline chains, names, files and lines match addr2line: ${build.label}`, () => {
    const warnings: string[] = [];
    const { elf, dwarf } = openDwarf(build.path, warnings);
    const addresses = sampleAddresses(build.path, 3);
    const ours = addresses.map((a) => dwarf.lookup(a));
    const a2l = addr2line(build.path, addresses);
    const llvm = llvmSymbolizer(build.path, addresses);
    const counts: Record<Verdict | 'no DWARF', number> = { addr2line: 0, 'llvm-file': 0, 'llvm-name': 0, mismatch: 0, 'no DWARF': 0 };
    const failures: string[] = [];
    let inlined = 0;
    for (let i = 0; i < addresses.length; i++) {
      const frames = ours[i];
      if (frames === null) {
        // addr2line's answer here comes from the symbol table (a name, and at most a file without a line).
        assert.ok(a2l[i].length === 1 && a2l[i][0].line === 0, `0x${addresses[i].toString(16)}: no DWARF for us, but addr2line says ${fmt(a2l[i])}`);
        counts['no DWARF']++;
        continue;
      }
      if (frames.length > 1) inlined++;
      const verdict = judge(frames, a2l[i], llvm[i]);
      counts[verdict]++;
      if (verdict === 'mismatch' && failures.length < 10) {
        failures.push(`0x${addresses[i].toString(16)}\n  heatline:        ${fmt(frames)}\n  addr2line:       ${fmt(a2l[i])}\n  llvm-symbolizer: ${fmt(llvm[i])}`);
      }
    }
    console.log(`${build.label}: ${addresses.length} addresses, ${inlined} inside inlined code:`, counts);
    assert.deepEqual(failures, []);
    assert.ok(counts.addr2line >= 0.9 * (addresses.length - counts['no DWARF']), 'addr2line agrees on at least 90% of the addresses');
    assert.ok(inlined > (build.cxx ? 200 : 5), 'the fixture exercises inlined code');
    assert.deepEqual(warnings, []);
    elf.close();
  });
}

test('the recursion and the always_inline chain resolve as the source says (C++, DWARF 5)', () => {
  const build = fixtureBuilds().find((b) => b.label === 'inline_cpp.cpp -gdwarf-5 -pie');
  assert.ok(build);
  const { elf, dwarf } = openDwarf(build.path);
  const recurse = nm(build.path).find((s) => s.name === '_ZN16heatline_fixture7recurseEim');
  assert.ok(recurse, 'recurse is an out-of-line function');
  // Somewhere in recurse, mix() is inlined, and inside scramble() inside recurse, mix() three deep.
  const chains = new Set<string>();
  for (let a = recurse.address; a < recurse.address + 0x80; a++) chains.add((dwarf.lookup(a) ?? []).map((f) => f.name).join(' <- '));
  assert.ok(chains.has('_ZN16heatline_fixture3mixEm <- _ZN16heatline_fixture7recurseEim'), [...chains].join('\n'));
  assert.ok(chains.has('_ZN16heatline_fixture3mixEm <- _ZN16heatline_fixture8scrambleEmi <- _ZN16heatline_fixture7recurseEim'), [...chains].join('\n'));
  elf.close();
});

test('the resolver maps file offsets and names the outer frame after the ELF symbol, as perf does', () => {
  for (const build of fixtureBuilds().filter((b) => b.cxx)) {
    const elf = ElfFile.open(build.path);
    const symbols = nm(build.path).filter((s) => 'TtWwi'.includes(s.type));
    const resolver = createBinaryResolver({ debuginfodUrls: [], debugDirs: [], homeDir: '/nonexistent' });
    const cold = symbols.find((s) => s.name.endsWith('.cold'));
    assert.ok(cold, `${build.label}: gcc split a .cold part`);
    const load = elf.segments.find((p) => p.type === 1 && p.flags & 1);
    assert.ok(load);
    // The importer's formula: file offset = vaddr - segment vaddr + segment offset.
    const toOffset = (vaddr: number) => vaddr - load.vaddr + load.offset;
    // Names are demangled as perf shows them; binutils' demangler (nm -C) is the reference.
    const demangledAt = new Map(nm(build.path, { demangle: true }).map((s) => [`${s.address}:${s.type}`, s.name]));
    const shownName = (sym: { address: number; type: string; name: string }) => demangledAt.get(`${sym.address}:${sym.type}`);
    const [coldFrames] = resolver.resolveFileOffsets({ path: build.path, buildId: null }, [toOffset(cold.address)]);
    assert.equal(coldFrames.frames.at(-1)?.name, shownName(cold));
    for (const sym of symbols.filter((s) => s.name.includes('recurse') || s.name === 'main')) {
      const [r] = resolver.resolveFileOffsets({ path: build.path, buildId: elf.buildId() }, [toOffset(sym.address)]);
      assert.equal(r.frames.at(-1)?.name, shownName(sym), `${build.label}: ${sym.name}`);
      assert.ok((r.frames.at(-1)?.line ?? -1) > 0);
    }
    resolver.dispose();
    elf.close();
  }
});

test('corrupt debug info never throws, hangs, or drops an address', () => {
  const build = fixtureBuilds().find((b) => b.label === 'inline_cpp.cpp -gdwarf-5 -no-pie');
  assert.ok(build);
  const dir = artifactDir('corrupt');
  const original = readFileSync(build.path);
  const elf = ElfFile.open(build.path);
  const targets = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_rnglists', '.debug_str', '.debug_line_str', '.debug_aranges', '.symtab', '.strtab']
    .map((name) => elf.section(name))
    .filter((s) => s !== undefined);
  const text = elf.section('.text');
  assert.ok(text);
  elf.close();
  const offsets: number[] = [];
  for (let o = text.offset; o < text.offset + text.size; o += 13) offsets.push(o);
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const started = Date.now();
  for (let round = 0; round < 60; round++) {
    const bytes = Buffer.from(original);
    const section = targets[round % targets.length];
    // A few random bytes, sometimes a run of 0xff (huge lengths and offsets).
    const hits = 1 + Math.floor(random() * 8);
    for (let k = 0; k < hits; k++) {
      const at = section.offset + Math.floor(random() * section.size);
      const run = random() < 0.3 ? 4 : 1;
      for (let j = 0; j < run && at + j < bytes.length; j++) bytes[at + j] = random() < 0.5 ? 0xff : Math.floor(random() * 256);
    }
    const path = join(dir, `corrupt-${round}`);
    writeFileSync(path, bytes);
    const resolver = createBinaryResolver({ debuginfodUrls: [], debugDirs: [], homeDir: dir, warn: () => {} });
    const results = resolver.resolveFileOffsets({ path, buildId: null }, offsets);
    assert.equal(results.length, offsets.length);
    for (const r of results) assert.ok(r.frames.length > 0 && r.frames.every((f) => typeof f.name === 'string' && f.name.length > 0), `${section.name}: ${JSON.stringify(r.frames)}`);
    resolver.dispose();
  }
  assert.ok(Date.now() - started < 60_000, 'corrupt files are handled quickly');
  // A truncated file too.
  const cut = join(dir, 'truncated');
  copyFileSync(build.path, cut);
  writeFileSync(cut, original.subarray(0, Math.floor(original.length * 0.6)));
  const resolver = createBinaryResolver({ debuginfodUrls: [], debugDirs: [], homeDir: dir, warn: () => {} });
  const results = resolver.resolveFileOffsets({ path: cut, buildId: null }, offsets);
  assert.equal(results.length, offsets.length);
  resolver.dispose();
});

test('libc with its debug file (libc6-dbg), every 61st address, matches addr2line', () => {
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  const id = ElfFile.open(libc).buildId();
  const debugFile = id ? `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug` : null;
  // npm test installs libc6-dbg (scripts/ensure-system-deps.mjs): a missing debug file is a broken set-up, not a pass.
  assert.ok(debugFile && existsSync(debugFile), `libc's debug file ${debugFile} is missing: apt-get install libc6-dbg`);
  const { elf, dwarf } = openDwarf(debugFile);
  const addresses = sampleAddresses(debugFile, 61).filter((a) => dwarf.lookup(a) !== null);
  const a2l = addr2line(debugFile, addresses);
  const llvm = llvmSymbolizer(debugFile, addresses);
  const counts: Record<Verdict, number> = { addr2line: 0, 'llvm-file': 0, 'llvm-name': 0, mismatch: 0 };
  const failures: string[] = [];
  addresses.forEach((a, i) => {
    const frames = dwarf.lookup(a) ?? [];
    const verdict = judge(frames, a2l[i], llvm[i]);
    counts[verdict]++;
    if (verdict === 'mismatch' && failures.length < 10) failures.push(`0x${a.toString(16)}\n  heatline:        ${fmt(frames)}\n  addr2line:       ${fmt(a2l[i])}\n  llvm-symbolizer: ${fmt(llvm[i])}`);
  });
  console.log(`libc: ${addresses.length} addresses:`, counts);
  assert.deepEqual(failures, []);
  elf.close();
});

/**
 * Every frame's decl file and line against llvm-symbolizer --verbose (its
 * Function start filename and line), over every 3rd address of `path`.
 */
function compareDeclarations(label: string, path: string): void {
  const { elf, dwarf } = openDwarf(path);
  const addresses = sampleAddresses(path, 3);
  const llvm = llvmSymbolizerDeclarations(path, addresses);
  let frames = 0;
  let filesCompared = 0;
  const failures: string[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const ours = dwarf.lookup(addresses[i]);
    // Same chain as llvm's (the test above compares the chains themselves); one without a DIE has no declaration.
    if (ours === null || ours.length !== llvm[i].length || ours[0].name === null) continue;
    ours.forEach((frame, k) => {
      const theirs = llvm[i][k];
      frames++;
      const fileDiffers = theirs.startFile !== null && frame.funcFile !== theirs.startFile;
      if (theirs.startFile !== null) filesCompared++;
      if ((frame.funcLine !== theirs.startLine || fileDiffers) && failures.length < 10) {
        failures.push(`0x${addresses[i].toString(16)} frame ${k} ${frame.name}: ours ${frame.funcFile}:${frame.funcLine}, llvm-symbolizer ${theirs.startFile ?? '(no file)'}:${theirs.startLine}`);
      }
    });
  }
  console.log(`${label}: ${frames} frames, ${filesCompared} with llvm-symbolizer's start file`);
  assert.deepEqual(failures, []);
  // llvm-symbolizer 14 leaves the start file empty for most frames of gcc's DWARF 5 units; every DWARF 4 frame has it.
  if (label.includes('-gdwarf-4')) assert.ok(filesCompared > 0.99 * frames, 'llvm-symbolizer names the start file of the DWARF 4 frames');
  assert.ok(frames > 10, 'frames compared');
  elf.close();
}

for (const build of fixtureBuilds()) {
  test(`each frame's function is declared where llvm-symbolizer says (decl_file, decl_line): ${build.label}`, () => compareDeclarations(build.label, build.path));
}

/**
 * C++ methods defined outside their class: the definition's DIE has a
 * DW_AT_specification to the declaration in the class and only the
 * attributes that differ from it, here decl_line alone (same file).
 */
const OUT_OF_CLASS = `
struct Widget {
  int base;
  int compute(int x) const;
  int scale(int x) const { return x * base + 1; }
};

__attribute__((noinline)) int Widget::compute(int x) const {
  int sum = 0;
  for (int i = 0; i < x; i++) sum += scale(i);
  return sum;
}

int main(int argc, char **) {
  Widget w{argc};
  return w.compute(argc * 1000) & 1;
}
`;

for (const dwarfVersion of ['-gdwarf-4', '-gdwarf-5']) {
  test(`a method defined outside its class is declared where its definition is: ${dwarfVersion}`, () => {
    const dir = artifactDir('out-of-class');
    const source = join(dir, 'widget.cpp');
    writeFileSync(source, OUT_OF_CLASS);
    const binary = compile({ sources: [source], out: join(dir, 'widget'), flags: ['-O2', '-g', dwarfVersion] });
    compareDeclarations(`widget.cpp ${dwarfVersion}`, binary);
    // The definition's line, not the declaration's in the class.
    const symbol = nm(binary).find((s) => s.name === '_ZNK6Widget7computeEi');
    assert.ok(symbol, 'Widget::compute is a symbol');
    const { elf, dwarf } = openDwarf(binary);
    const frames = dwarf.lookup(symbol.address)!;
    assert.equal(frames[frames.length - 1].funcLine, OUT_OF_CLASS.split('\n').findIndex((l) => l.includes('Widget::compute(int x) const {')) + 1);
    elf.close();
  });
}
