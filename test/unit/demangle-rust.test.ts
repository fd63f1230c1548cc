/**
 * The Rust demanglers against perf, whose frames users compare with:
 * test/fixtures/programs/mangling.rs is compiled now with rustc's legacy
 * mangling (the default) and with `-C symbol-mangling-version=v0`, and every
 * function symbol `nm` lists must demangle to a name `perf probe -F` lists
 * for that binary. `perf probe -F` prints the names of a binary's symbols
 * through the same demangler as `perf report` (rustc-demangle's rules,
 * without hashes or crate disambiguators). It prints them sorted and
 * without their mangled form, so the comparison is by multiset: each of
 * our names must be one perf prints, as many times as we print it.
 *
 * c++filt is not the reference here: it keeps the hash of legacy names and
 * the crate disambiguators of v0 names (`core[a1b2c3]::fmt::write`), which
 * perf leaves out.
 *
 * Needs rustc (Debian: `apt-get install rustc`; bookworm's 1.63 supports
 * both manglings) and perf (linux-perf).
 *
 * Also: the v0 examples of RFC 2603 (Appendix B and the impl-path example;
 * expected text from the RFC, in the printed form: `, ` between arguments
 * and `::<` after a value path), Punycode (RFC 3492), the legacy escapes
 * rustc's legacy mangler writes, and inputs that must come back unchanged.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { demangle } from '../../src-main/symbols/demangle/index';
import { artifactDir, FIXTURE_PROGRAMS_DIR, runTool } from '../helpers/compile';

let buildDir: string | null = null;

function build(mangling: 'legacy' | 'v0'): string {
  buildDir ??= artifactDir('demangle-rust');
  const out = join(buildDir, `mangling-${mangling}`);
  const flags = mangling === 'v0' ? ['-C', 'symbol-mangling-version=v0'] : [];
  runTool('rustc', ['--edition', '2021', '-C', 'opt-level=0', ...flags, '-o', out, join(FIXTURE_PROGRAMS_DIR, 'mangling.rs')]);
  return out;
}

/** Function symbols (`nm` types T/t, W/w, i) the binary defines. */
function functionSymbols(binary: string): string[] {
  const names: string[] = [];
  for (const line of runTool('nm', ['--defined-only', binary]).split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length === 3 && 'TtWwi'.includes(fields[1])) names.push(fields[2]);
  }
  return names;
}

function perfNames(binary: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of runTool('perf', ['probe', '-F', '-x', binary, '--filter', '*']).split('\n')) {
    if (name !== '') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function checkAgainstPerf(binary: string, isRustSymbol: (name: string) => boolean): { rust: string[]; demangled: Map<string, string> } {
  const symbols = functionSymbols(binary);
  const perf = perfNames(binary);
  const ours = new Map<string, number>();
  const demangled = new Map<string, string>();
  for (const symbol of symbols) {
    const name = demangle(symbol);
    demangled.set(symbol, name);
    ours.set(name, (ours.get(name) ?? 0) + 1);
  }
  const missing = [...ours].filter(([name, n]) => (perf.get(name) ?? 0) < n).map(([name]) => name);
  const examples = missing.slice(0, 15).map((name) => `${name}   (from ${[...demangled].find(([, d]) => d === name)?.[0]})`);
  assert.equal(missing.length, 0, `${missing.length} of ${ours.size} names are not among perf's:\n${examples.join('\n')}`);
  const rust = symbols.filter(isRustSymbol);
  for (const symbol of rust) assert.notEqual(demangled.get(symbol), symbol, `${symbol} is demangled`);
  return { rust, demangled };
}

test('legacy-mangled Rust symbols demangle as perf prints them', () => {
  const binary = build('legacy');
  const isLegacy = (s: string) => /^_ZN.*17h[0-9a-f]{16}E/.test(s);
  const { rust, demangled } = checkAgainstPerf(binary, isLegacy);
  const ours = rust.filter((s) => s.includes('8mangling'));
  assert.ok(ours.length >= 20, `the fixture crate has ${ours.length} legacy symbols`);
  const names = new Set(demangled.values());
  for (const expected of [
    'mangling::main', '<mangling::Point as core::fmt::Display>::fmt', '<mangling::Wrapper<T> as mangling::Shape>::area',
    'mangling::boxed_iter::{{closure}}', 'mangling::nested::deeper::with_static',
    // perf leaves a non-ASCII identifier escaped in legacy names.
    'mangling::g$uf6$del::escher::bach',
  ]) {
    assert.ok(names.has(expected), `demangled names include ${expected}`);
  }
});

test('v0-mangled Rust symbols demangle as perf prints them', () => {
  const binary = build('v0');
  const { rust, demangled } = checkAgainstPerf(binary, (s) => s.startsWith('_R'));
  assert.ok(rust.filter((s) => s.includes('8mangling')).length >= 20, 'the fixture crate has v0 symbols');
  const names = new Set(demangled.values());
  for (const expected of [
    'mangling::sized::<3>', 'mangling::flag::<true, \'x\'>', 'mangling::signed::<-5>', 'mangling::gödel::escher::bach',
    'mangling::generic::<(u8, char, [i16; 3])>', 'mangling::generic::<&[u64]>', 'mangling::main::{closure#2}::{closure#0}',
    'mangling::takes_many::<unsafe extern "C" fn(i32) -> i32, fn(for<\'a> fn(&\'a str) -> &\'a str) -> usize>',
    'mangling::takes_many::<*mut usize, *const mangling::Point>', '<mangling::Point as core::fmt::Display>::fmt',
    '<mangling::Wrapper<u8>>::map::<u32, mangling::main::{closure#0}>',
  ]) {
    assert.ok(names.has(expected), `demangled names include ${expected}`);
  }
});

test('RFC 2603 examples, Punycode and legacy escapes', () => {
  const cases: [string, string][] = [
    // RFC 2603, Appendix B (crate `mycrate[1234]`) and "Items Within Generic Impls".
    ['_RNvNtNtCs1234_7mycrate3foo3bar3baz', 'mycrate::foo::bar::baz'],
    ['_RNvNvMCs1234_7mycrateINtCs1234_7mycrate3FoopE3bar4QUUX', '<mycrate::Foo<_>>::bar::QUUX'],
    ['_RNvNvXCs1234_7mycrateINtCs1234_7mycrate3FoopENtNtC3std5clone5Clone5clone4QUUX', '<mycrate::Foo<_> as std::clone::Clone>::clone::QUUX'],
    ['_RNvNvCs1234_7mycrate4QUUX3FOO', 'mycrate::QUUX::FOO'],
    ['_RNvNvXs2_C7mycrateINtC7mycrate3FoopEINtNtC3std7convert4FrompE4from3MSG', '<mycrate::Foo<_> as std::convert::From<_>>::from::MSG'],
    // `gödel` is `gdel-5qa` in Punycode (RFC 3492); v0 writes the `-` as `_`.
    ['_RNvNtNtC7mycrateu8gdel_5qa6escher4bach', 'mycrate::gödel::escher::bach'],
    // ThinLTO's `.llvm.<hex>` is dropped; other suffixes are kept.
    ['_RNvC9backtrace3foo.llvm.A5310EB9', 'backtrace::foo'],
    ['_RNvNtNtNtNtCs92dm3009vxr_4rand4rngs7adapter9reseeding4fork23FORK_HANDLER_REGISTERED.0.0', 'rand::rngs::adapter::reseeding::fork::FORK_HANDLER_REGISTERED.0.0'],
    // Legacy: rustc's escapes ($LT$, $u20$, `..` for `::`), the hash dropped.
    ['_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$3bar17h0123456789abcdefE', "<Test + 'static as foo::Bar<Test>>::bar"],
    ['_ZN4core3fmt5write17h05af221e174051e9E.llvm.9D1C9369', 'core::fmt::write'],
    ['_ZN4core5slice9index_mut17haf9727c2edfbc47bE.exit.i.i', 'core::slice::index_mut.exit.i.i'],
  ];
  for (const [mangled, expected] of cases) assert.equal(demangle(mangled), expected, mangled);
});

test('invalid, recursive and exploding Rust symbols come back unchanged', () => {
  let exploding = '_RMC0';
  for (let i = 0; i < 30; i++) exploding += 'T';
  exploding += 'p';
  for (let i = 30; i >= 1; i--) exploding += `B${(i + 2).toString(36)}_E`;
  for (const input of [
    '_RNvB_1a', // a backreference to itself
    '_RMC0RB2_', // a type that refers to itself
    '_R', '_RN', '_RNvC', '_RC3fo', '_RNvC3foo3ba', '_RINvC3foo3bar', '_RC3foo moocow', '_ZN3fooE.llvm moocow',
    `_R${'Nv'.repeat(5000)}C1a${'1b'.repeat(5000)}`, // nesting beyond any real symbol
    exploding, // backreferences doubling the output 30 times
    '_ZN3foo3barE', // no hash: not a Rust symbol (and no C++ function either)
  ]) {
    const out = demangle(input);
    assert.ok(out === input || input === '_ZN3foo3barE', `${input.slice(0, 40)} comes back unchanged (got ${out.slice(0, 80)})`);
  }
  // Without a hash element, `_ZN...E` is C++ (a data symbol), as c++filt prints it.
  assert.equal(demangle('_ZN3foo3barE'), 'foo::bar');
});
