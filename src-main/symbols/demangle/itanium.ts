/**
 * Itanium C++ ABI demangling (GCC and Clang on Linux and macOS): `_Z...`
 * symbols, their GCC clone suffixes (`.cold`, `.isra.0`, `.constprop.0`),
 * and the old `_GLOBAL__I_` / `_GLOBAL__D_` static constructor names,
 * printed exactly as GNU c++filt (binutils 2.40) prints them by default.
 *
 * The work is split: itanium-parser.ts (with itanium-types.ts and
 * itanium-expr.ts) builds a tree (itanium-ast.ts); itanium-printer.ts (with
 * itanium-print-expr.ts) prints it.
 */

import { PARSE_FAILED, type Node } from './itanium-ast';
import { ItaniumParser } from './itanium-parser';
import { printItanium } from './itanium-printer';

const isLower = (c: string) => c >= 'a' && c <= 'z';
const isDigit = (c: string) => c >= '0' && c <= '9';

/** The demangled text, or null when `symbol` is not a name c++filt would demangle. */
export function demangleItanium(symbol: string): string | null {
  try {
    const node = parseSymbol(symbol);
    return node === null ? null : printItanium(node);
  } catch (err) {
    if (err === PARSE_FAILED) return null;
    // A RangeError from a pathological input (call stack) must not escape either.
    if (err instanceof RangeError) return null;
    throw err;
  }
}

function parseSymbol(symbol: string): Node | null {
  if (symbol.startsWith('_Z')) {
    const p = new ItaniumParser(symbol);
    const node = parseMangled(p);
    if (node !== null || p.unresolvedState !== -1) return node;
    // An `sr` was read the current ABI's way and the symbol failed: try the old way.
    const retry = new ItaniumParser(symbol);
    retry.unresolvedState = 0;
    return parseMangled(retry);
  }
  // `_GLOBAL_` + one of `._$` + `I` (constructors) or `D` (destructors) + `_` + a name.
  if (symbol.startsWith('_GLOBAL_') && '._$'.includes(symbol.charAt(8)) && 'ID'.includes(symbol.charAt(9)) && symbol.charAt(10) === '_') {
    const text = symbol.charAt(9) === 'I' ? 'global constructors keyed to ' : 'global destructors keyed to ';
    const rest = symbol.slice(11);
    if (!rest.startsWith('_Z')) return { k: 'global', text, child: { k: 'name', s: rest } };
    const p = new ItaniumParser(rest);
    p.pos = 2;
    // c++filt ignores whatever follows the encoding here.
    return { k: 'global', text, child: p.encoding() };
  }
  return null;
}

function parseMangled(p: ItaniumParser): Node | null {
  p.pos = 2;
  let node: Node;
  try {
    node = p.parseTopLevel();
  } catch (err) {
    if (err === PARSE_FAILED) return null;
    throw err;
  }
  while (p.peek() === '.' && (isLower(p.next()) || isDigit(p.next()) || p.next() === '_')) {
    node = { k: 'clone', child: node, suffix: cloneSuffix(p) };
  }
  return p.pos === p.s.length ? node : null;
}

/** `.name[.N]*` or `.N[.N]*` after a function: c++filt prints each as ` [clone .suffix]`. */
function cloneSuffix(p: ItaniumParser): string {
  const s = p.s;
  const start = p.pos;
  let end = start;
  if (s.charAt(end) === '.' && (isLower(s.charAt(end + 1)) || isDigit(s.charAt(end + 1)) || s.charAt(end + 1) === '_')) {
    end += 2;
    while (isLower(s.charAt(end)) || isDigit(s.charAt(end)) || s.charAt(end) === '_') end++;
  }
  while (s.charAt(end) === '.' && isDigit(s.charAt(end + 1))) {
    end += 2;
    while (isDigit(s.charAt(end))) end++;
  }
  p.pos = end;
  return s.slice(start, end);
}
