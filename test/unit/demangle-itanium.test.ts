/**
 * The C++ demangler against GNU c++filt (binutils), the reference users
 * compare with, on real symbols:
 *
 * - test/fixtures/programs/mangling.cpp, compiled now with g++ -O2
 *   -fno-inline (GCC still emits its `.cold`, `.constprop`, `.isra` clones,
 *   and the standard library's templates stay out of line): every symbol
 *   `nm` lists must demangle exactly as c++filt prints it;
 * - every dynamic symbol of this system's libstdc++ (`nm -D`, with their
 *   `@@GLIBCXX_...` versions as nm prints them): the match rate is reported
 *   and must stay at 99% or more (it is 100% with binutils 2.40);
 * - inputs an attacker could put in a symbol table: truncated and mutated
 *   names, deep nesting, exponential substitutions. They must never throw
 *   and must come back bounded.
 *
 * c++filt runs once per list (names on stdin, one per line), not per name.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demangle } from '../../src-main/symbols/demangle/index';
import { compileCached, runTool } from '../helpers/compile';

/** c++filt's answer for each name, in order. */
function cxxfilt(names: readonly string[]): string[] {
  const lines = runTool('c++filt', [], `${names.join('\n')}\n`).split('\n');
  assert.equal(lines[lines.length - 1], '', 'c++filt output ends with a newline');
  lines.pop();
  assert.equal(lines.length, names.length, 'c++filt answers one line per name');
  return lines;
}

/** The mangled names (`_Z...`, `_GLOBAL_...`) in `nm` output, as nm prints them (versions included). */
function mangledNames(nmOutput: string): string[] {
  const names = new Set<string>();
  for (const line of nmOutput.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[fields.length - 1];
    if (name.startsWith('_Z') || name.startsWith('_GLOBAL_')) names.add(name);
  }
  return [...names].sort();
}

interface Mismatch {
  name: string;
  ours: string;
  cxxfilt: string;
}

function compareWithCxxfilt(names: readonly string[]): { reference: string[]; mismatches: Mismatch[] } {
  const reference = cxxfilt(names);
  const mismatches: Mismatch[] = [];
  names.forEach((name, i) => {
    const ours = demangle(name);
    if (ours !== reference[i]) mismatches.push({ name, ours, cxxfilt: reference[i] });
  });
  return { reference, mismatches };
}

const fixtureBinary = () => compileCached('mangling', { sources: ['mangling.cpp'], flags: ['-std=c++20', '-O2', '-fno-inline'] });

const describe = (m: readonly Mismatch[]) => m.slice(0, 20).map((x) => `${x.name}\n   ours:     ${x.ours}\n   c++filt:  ${x.cxxfilt}`).join('\n');

test('every symbol of the mangling fixture demangles as c++filt prints it', () => {
  const binary = fixtureBinary();
  const names = mangledNames(runTool('nm', [binary]));
  assert.ok(names.length > 500, `the fixture has ${names.length} mangled symbols`);
  const { reference, mismatches } = compareWithCxxfilt(names);
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${names.length} differ from c++filt:\n${describe(mismatches)}`);

  // The constructs the fixture exists for are still in it (a compiler change could drop some).
  const text = reference.join('\n');
  for (const construct of [
    '[clone .cold]', '[clone .constprop.0] [clone .isra.0]', '::{lambda(int)#1}::operator()(int) const',
    '{lambda(auto:1, auto:2&)#2}::operator()<double, int>(double, int&) const', '::{lambda()#3}::operator()() const::{lambda(char)#1}',
    '(anonymous namespace)::', 'non-virtual thunk to ', 'virtual thunk to ', 'guard variable for ', 'vtable for ',
    'typeinfo for ', 'typeinfo name for ', '::operator new(unsigned long)', '::operator()(int) const',
    '::operator<<(int) const', 'Widget::operator bool() const', 'Widget::operator int() const', 'long outer::inner::Box<int>::convert<long>() const',
    // c++filt refuses a conversion to a template-id using the operator's own template parameter.
    '_ZNK5outer5inner3BoxIiEcvNS1_IT_EEIdEEv',
    'decltype (', '(({parm#1}+...))', '[abi:cxx11]', '[abi:v2]', 'std::__cxx11::basic_string<char, ',
    'double (*(*)(int))(double)', 'int (outer::inner::Widget::*)() const', 'int outer::inner::Widget::*',
    'int (&) [3]', 'void (*)() noexcept', '() const volatile', '() &&', 'outer::color<(outer::Color)2>()',
    'outer::null_value<decltype(nullptr)>()', '_Float16', '__float128', 'unsigned __int128', 'char const (&) [2][5]',
    'outer::inner::values<1u, -2l, true, (char)122>()', 'local_class(int)::Counter::next()', '::~Box()',
    '@CXXABI_1.3',
  ]) {
    assert.ok(text.includes(construct), `the fixture's symbols include ${construct}`);
  }
});

test('the system libstdc++ demangles as c++filt prints it (match rate reported)', (t) => {
  let library = runTool('g++', ['-print-file-name=libstdc++.so.6']).trim();
  if (!library.startsWith('/')) library = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';
  const names = mangledNames(runTool('nm', ['-D', library]));
  assert.ok(names.length > 3000, `${library} exports ${names.length} mangled symbols`);
  const { mismatches } = compareWithCxxfilt(names);
  const rate = (names.length - mismatches.length) / names.length;
  t.diagnostic(`libstdc++ (${library}): ${names.length - mismatches.length} of ${names.length} match c++filt (${(100 * rate).toFixed(3)}%)`);
  if (mismatches.length > 0) t.diagnostic(`differences:\n${describe(mismatches)}`);
  assert.ok(rate >= 0.99, `match rate ${(100 * rate).toFixed(3)}% is below 99%:\n${describe(mismatches)}`);
});

test('names that are not mangled, and the @ suffixes perf and nm add, come back as c++filt prints them', () => {
  const names = ['main', '_start', 'memcpy@plt', '_Z3foov@plt', '_ZNSt8ios_base4InitC1Ev@@GLIBCXX_3.4', '_Z', '_Z3foo',
    '_Z3foo.cold', '_GLOBAL__sub_I_main.cpp', '_GLOBAL__I_main', '_GLOBAL__D__Z3barv', '_ZN', 'Z3foov', ''];
  const { mismatches } = compareWithCxxfilt(names.filter((n) => n !== ''));
  assert.equal(mismatches.length, 0, describe(mismatches));
  assert.equal(demangle(''), '');
});

test('untrusted input: truncated, mutated and pathological names never throw and stay bounded', () => {
  const names = mangledNames(runTool('nm', [fixtureBinary()])).filter((n) => !n.includes('@'));
  const inputs: string[] = [];
  // Every prefix of every fixture name: parsing must fail cleanly at each point.
  for (const name of names) for (let i = 2; i < name.length; i++) inputs.push(name.slice(0, i));
  // Deterministic single-character mutations.
  const alphabet = 'SETIJXLNZ_0123456789vipKRODrFA';
  names.forEach((name, k) => {
    for (let i = 2; i < name.length; i += 3) {
      const c = alphabet[(i * 7 + k) % alphabet.length];
      inputs.push(name.slice(0, i) + c + name.slice(i + 1));
    }
  });
  // Deep nesting, beyond any real symbol.
  inputs.push(`_Z1f${'P'.repeat(100_000)}i`, `_Z${'N1a'.repeat(50_000)}E`, `_Z1fI${'I'.repeat(20_000)}iEv`, `_R${'NvNv'.repeat(30_000)}C1a`);
  // Substitutions that double the output at each level: 2^40 characters if printed.
  let exponential = '_ZN1AIS_S_E';
  for (let i = 0; i < 40; i++) exponential += `IS${i.toString(36).toUpperCase()}_S${i.toString(36).toUpperCase()}_E`;
  inputs.push(`${exponential}E`);
  // Huge numbers and lengths.
  inputs.push('_Z99999999999999999999a', '_ZN999999999999foo3barE', '_ZSZZZZZZZZZZZZZZ_', '_ZT_', '_Z1fILi99999999999999999999999EEvv');
  for (const input of inputs) {
    const out = demangle(input);
    assert.equal(typeof out, 'string');
    assert.ok(out.length <= Math.max(input.length, 1 << 18) + 64, `bounded output for ${input.slice(0, 60)}`);
  }
  // Pathological inputs come back unchanged rather than as a partial or giant name.
  assert.equal(demangle(`${exponential}E`), `${exponential}E`);
  assert.equal(demangle(`_Z1f${'P'.repeat(100_000)}i`), `_Z1f${'P'.repeat(100_000)}i`);
});
