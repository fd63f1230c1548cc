/**
 * Expressions inside Itanium mangled names: template arguments (`X...E`),
 * `decltype` return types, array bounds, literals (`L...E`).
 *
 * They are rare in symbol tables (mostly SFINAE'd function templates), so
 * this covers what GCC and Clang emit and what c++filt (binutils 2.40)
 * prints; the forms c++filt refuses (`ti`, `te`, `nx`, `sP`, `dn`, `fpT`,
 * `fL`) fail here too, so both print the symbol unchanged.
 */

import { BUILTINS, OPERATORS, PARSE_FAILED, type Node } from './itanium-ast';
import type { ItaniumParser } from './itanium-parser';

const isDigit = (c: string) => c >= '0' && c <= '9';

/** Codes c++filt 2.40 does not accept as expression operators. */
const REFUSED = new Set(['ti', 'te', 'nx', 'sP', 'li', 'dX', 'di', 'dx']);

export function parseExpression(p: ItaniumParser): Node {
  p.enter();
  const e = expression(p);
  p.leave();
  return e;
}

function expression(p: ItaniumParser): Node {
  const c = p.peek();
  const c2 = p.next();
  if (c === 'L') return parseExprPrimary(p);
  if (c === 'T') return p.templateParam();
  if (c === 's' && c2 === 'r') {
    p.pos += 2;
    return unresolvedName(p);
  }
  if (c === 's' && c2 === 'p') {
    p.pos += 2;
    return { k: 'expand', child: parseExpression(p) };
  }
  if (c === 'f' && c2 === 'p') {
    p.pos += 2;
    p.cvQualifiers();
    if (p.eat('_')) return { k: 'fparm', n: 1 };
    const n = Number(p.number());
    p.expect('_');
    return { k: 'fparm', n: n + 2 };
  }
  if (isDigit(c) || (c === 'o' && c2 === 'n')) {
    if (c === 'o') p.pos += 2;
    const nm = p.unqualifiedName();
    return p.peek() === 'I' ? { k: 'tmpl', name: nm, args: p.templateArgs() } : nm;
  }
  if ((c === 'i' || c === 't') && c2 === 'l') {
    p.pos += 2;
    const type = c === 't' ? p.type() : null;
    return { k: 'init', type, items: exprList(p, 'E') };
  }
  p.pos += 2;
  const code = c + c2;
  if (code === 'cv') {
    const type = p.type();
    if (p.eat('_')) return { k: 'cast', type, args: exprList(p, 'E'), list: true };
    return { k: 'cast', type, args: [parseExpression(p)], list: false };
  }
  if (code === 'gs') return { k: 'gs', child: parseExpression(p) };
  if (code === 'fl' || code === 'fr' || code === 'fL' || code === 'fR') {
    const op = binaryOperator(p);
    const a = parseExpression(p);
    const b = code === 'fL' || code === 'fR' ? parseExpression(p) : null;
    return { k: 'fold', op, left: code === 'fl', a, b };
  }
  const op = OPERATORS[code];
  if (op === undefined || REFUSED.has(code)) throw PARSE_FAILED;
  switch (code) {
    case 'st': case 'at':
      return { k: 'unary', op: code, arg: p.type() };
    case 'tr':
      return { k: 'throw', arg: null };
    case 'tw':
      return { k: 'throw', arg: parseExpression(p) };
    case 'pp': case 'mm':
      if (p.eat('_')) return { k: 'unary', op: code, arg: parseExpression(p) };
      return { k: 'unary', op: `${code}_post`, arg: parseExpression(p) };
    case 'dl': case 'da':
      return { k: 'delete', global: false, array: code === 'da', arg: parseExpression(p) };
    case 'nw': case 'na': {
      const place = exprList(p, '_');
      const type = p.type();
      let init: Node[] | null = null;
      if (p.peek() === 'p' && p.next() === 'i') {
        p.pos += 2;
        init = exprList(p, 'E');
      } else if (p.peek() === 'i' && p.next() === 'l') {
        init = [parseExpression(p)];
        p.expect('E');
      } else {
        p.expect('E');
      }
      return { k: 'new', global: false, array: code === 'na', place, type, init };
    }
    case 'cl': {
      const fn = parseExpression(p);
      return { k: 'call', fn, args: exprList(p, 'E') };
    }
    case 'cc': case 'dc': case 'sc': case 'rc': {
      const type = p.type();
      return { k: 'binary', op: code, left: type, right: parseExpression(p) };
    }
    case 'dt': case 'pt': {
      const left = parseExpression(p);
      let right = memberName(p);
      if (p.peek() === 'I') right = { k: 'tmpl', name: right, args: p.templateArgs() };
      return { k: 'binary', op: code, left, right };
    }
    case 'qu': {
      const a = parseExpression(p);
      const b = parseExpression(p);
      return { k: 'ternary', op: code, a, b, c: parseExpression(p) };
    }
    default:
      break;
  }
  if (op[1] === 1) return { k: 'unary', op: code, arg: parseExpression(p) };
  if (op[1] === 2) {
    const left = parseExpression(p);
    return { k: 'binary', op: code, left, right: parseExpression(p) };
  }
  throw PARSE_FAILED;
}

/** The operator of a fold expression: any binary operator code. */
function binaryOperator(p: ItaniumParser): string {
  const code = p.peek() + p.next();
  const op = OPERATORS[code];
  if (op === undefined || op[1] !== 2) throw PARSE_FAILED;
  p.pos += 2;
  return code;
}

function memberName(p: ItaniumParser): Node {
  if (p.peek() === 'o' && p.next() === 'n') p.pos += 2;
  return p.unqualifiedName();
}

/** Expressions up to `end` (consumed). */
function exprList(p: ItaniumParser, end: string): Node[] {
  const items: Node[] = [];
  while (!p.eat(end)) {
    if (p.peek() === '') throw PARSE_FAILED;
    items.push(parseExpression(p));
  }
  return items;
}

/**
 * After `sr`: `N <type> <qualifier>+ E <name>`, `<qualifier>+ E <name>`
 * (current ABI) or `<type> <name>` (older compilers), printed `scope::name`.
 * The last two are ambiguous (`sr1A1x`): like c++filt, read the current form
 * first and, if the whole symbol then fails, the caller retries the old one.
 */
function unresolvedName(p: ItaniumParser): Node {
  let scope: Node;
  const c = p.peek();
  if (p.eat('N')) {
    scope = p.type();
    while (!p.eat('E')) {
      if (p.peek() === '') throw PARSE_FAILED;
      let level = p.unqualifiedName();
      if (p.peek() === 'I') level = { k: 'tmpl', name: level, args: p.templateArgs() };
      scope = { k: 'qual', scope, name: level };
    }
  } else if (p.unresolvedState !== 0 && (isDigit(c) || (c >= 'a' && c <= 'z') || c === 'C' || c === 'U' || c === 'L')) {
    p.unresolvedState = -1;
    scope = p.prefix(false);
    p.eat('E');
  } else {
    scope = p.type();
  }
  const qual: Node = { k: 'qual', scope, name: p.unqualifiedName() };
  return p.peek() === 'I' ? { k: 'tmpl', name: qual, args: p.templateArgs() } : qual;
}

/** `L <type> <value> E`, `L <mangled-name> E`, and `LDnE` (a bare nullptr). */
export function parseExprPrimary(p: ItaniumParser): Node {
  p.expect('L');
  if (p.peek() === '_' || p.peek() === 'Z') {
    if (p.eat('_') && p.peek() !== 'Z') throw PARSE_FAILED;
    p.expect('Z');
    const enc = p.encoding();
    p.expect('E');
    return enc;
  }
  const type = p.type();
  if (type.k === 'name' && type.s === 'decltype(nullptr)' && p.eat('E')) return type;
  const start = p.pos;
  if (p.peek() === 'n') p.pos++;
  while (p.peek() !== 'E') {
    if (p.peek() === '') throw PARSE_FAILED;
    p.pos++;
  }
  const value = p.s.slice(start, p.pos);
  p.pos++;
  if (value === '') throw PARSE_FAILED;
  return { k: 'lit', type, value };
}

/** How c++filt prints a literal of some builtin types; null means `(type)value`. */
export function literalText(type: Node, value: string): string | null {
  const neg = value.startsWith('n');
  const digits = neg ? value.slice(1) : value;
  const sign = neg ? '-' : '';
  if (type.k === 'name') {
    const suffix = INT_SUFFIX[type.s];
    if (suffix !== undefined) return `${sign}${digits}${suffix}`;
    if (type.s === 'bool' && !neg && (digits === '0' || digits === '1')) return digits === '1' ? 'true' : 'false';
    if (FLOATS.has(type.s)) return `(${type.s})${sign}[${digits}]`;
  }
  return null;
}

const INT_SUFFIX: Readonly<Record<string, string>> = {
  int: '', 'unsigned int': 'u', long: 'l', 'unsigned long': 'ul', 'long long': 'll', 'unsigned long long': 'ull',
};
const FLOATS = new Set([BUILTINS.f, BUILTINS.d, BUILTINS.e, BUILTINS.g]);
