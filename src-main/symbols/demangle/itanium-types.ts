/**
 * `<type>` in Itanium mangled names: builtin, qualified, function, array,
 * pointer-to-member, template parameter, decltype, pack expansion, vector
 * and vendor types, and which of them become substitution candidates.
 * Part of the parser (itanium-parser.ts), split out for size.
 */

import { BUILTINS, D_BUILTINS, name, PARSE_FAILED, type FunctionNode, type Node } from './itanium-ast';
import { parseExpression } from './itanium-expr';
import type { ItaniumParser } from './itanium-parser';

/** Builtin types are leaves no one mutates: one shared node each. */
const BUILTIN_NODES = new Map(Object.entries(BUILTINS).map(([code, text]) => [code, name(text)]));

const isDigit = (c: string) => c >= '0' && c <= '9';
const isUpper = (c: string) => c >= 'A' && c <= 'Z';

/** A `<type>`, adding substitution candidates as the ABI says (depth is counted by the caller). */
export function parseType(p: ItaniumParser): Node {
  const c = p.peek();
  if (c === 'r' || c === 'V' || c === 'K') {
    const cv = p.cvQualifiers();
    let inner: Node;
    if (startsFunctionType(p)) {
      // cv on a function type qualifies its `this`; the unqualified type is no candidate.
      const fn = qualifiedFunctionType(p);
      fn.cv |= cv;
      inner = fn;
    } else {
      inner = { k: 'cv', child: p.type(), cv };
    }
    p.addSub(inner);
    return inner;
  }
  const builtin = BUILTIN_NODES.get(c);
  if (builtin !== undefined) {
    p.pos++;
    return builtin;
  }
  let ret: Node;
  switch (c) {
    case 'u':
      p.pos++;
      ret = name(p.identifier());
      break;
    case 'F':
      ret = functionType(p);
      break;
    case 'N': case 'Z': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      ret = p.name();
      break;
    case 'A':
      ret = arrayType(p);
      break;
    case 'M': {
      p.pos++;
      const cls = p.type();
      ret = { k: 'pm', cls, mem: p.type() };
      break;
    }
    case 'T':
      ret = p.templateParam();
      if (p.peek() === 'I' && !p.inConversion) {
        p.addSub(ret);
        ret = { k: 'tmpl', name: ret, args: p.templateArgs() };
      }
      break;
    case 'S': {
      const next = p.next();
      if (next === '_' || isDigit(next) || isUpper(next)) {
        ret = p.substitution();
        if (p.peek() !== 'I') return ret;
        ret = { k: 'tmpl', name: ret, args: p.templateArgs() };
      } else {
        ret = p.name();
        if (ret.k === 'name') return ret; // a bare standard abbreviation is no new candidate
      }
      break;
    }
    case 'P': p.pos++; ret = { k: 'ptr', child: p.type() }; break;
    case 'R': p.pos++; ret = { k: 'ref', child: p.type(), rv: false }; break;
    case 'O': p.pos++; ret = { k: 'ref', child: p.type(), rv: true }; break;
    case 'C': p.pos++; ret = { k: 'post', child: p.type(), s: ' _Complex' }; break;
    case 'G': p.pos++; ret = { k: 'post', child: p.type(), s: ' _Imaginary' }; break;
    case 'U': {
      p.pos++;
      const qual = p.identifier();
      const args = p.peek() === 'I' ? p.templateArgs() : null;
      ret = { k: 'vq', child: p.type(), name: qual, args };
      break;
    }
    case 'D': {
      ret = dType(p);
      if (ret.k === 'name') return ret;
      break;
    }
    default:
      throw PARSE_FAILED;
  }
  p.addSub(ret);
  return ret;
}

function startsFunctionType(p: ItaniumParser): boolean {
  return p.peek() === 'F' || (p.peek() === 'D' && 'oOwx'.includes(p.next()));
}

/** `[<exception-spec>] [Dx] F ... E`: a function type and what qualifies it. */
function qualifiedFunctionType(p: ItaniumParser): FunctionNode {
  const exc: Node[] = [];
  while (p.peek() === 'D') {
    const c = p.next();
    p.pos += 2;
    if (c === 'o') exc.push({ k: 'exc', text: ' noexcept', args: null });
    else if (c === 'x') exc.push({ k: 'exc', text: ' transaction_safe', args: null });
    else if (c === 'O') {
      const e = parseExpression(p);
      p.expect('E');
      exc.push({ k: 'exc', text: ' noexcept', args: [e] });
    } else if (c === 'w') {
      const types: Node[] = [];
      while (!p.eat('E')) {
        if (p.peek() === '') throw PARSE_FAILED;
        types.push(p.type());
      }
      exc.push({ k: 'exc', text: ' throw', args: types });
    } else {
      throw PARSE_FAILED;
    }
  }
  const fn = functionType(p);
  fn.exc = exc;
  return fn;
}

/** The `D...` types; builtins come back as plain names (no substitution candidates). */
function dType(p: ItaniumParser): Node {
  const c = p.next();
  if ('oOwx'.includes(c)) return qualifiedFunctionType(p);
  p.pos += 2;
  if (D_BUILTINS[c] !== undefined) return name(D_BUILTINS[c]);
  switch (c) {
    case 'F': {
      const bits = p.number();
      if (p.eat('b')) {
        if (bits !== '16') throw PARSE_FAILED;
        return name('std::bfloat16_t');
      }
      if (p.eat('x')) return name(`_Float${bits}x`);
      p.expect('_');
      return name(`_Float${bits}`);
    }
    case 't': case 'T': {
      const expr = parseExpression(p);
      p.expect('E');
      return { k: 'decltype', expr };
    }
    case 'p':
      return { k: 'expand', child: p.type() };
    case 'v': {
      let dim: Node | null;
      if (p.eat('_')) dim = parseExpression(p);
      else dim = name(p.number());
      p.expect('_');
      return { k: 'vec', elem: p.type(), dim };
    }
    default:
      throw PARSE_FAILED;
  }
}

/** `F [Y] <bare-function-type> [<ref-qualifier>] E`; c++filt refuses `Y`, so do we. */
function functionType(p: ItaniumParser): FunctionNode {
  p.expect('F');
  const fn = p.bareFunctionType(true);
  if (p.eat('R')) fn.ref = '&';
  else if (p.eat('O')) fn.ref = '&&';
  p.expect('E');
  return fn;
}

/** `A <number> _ <type>`, `A <expression> _ <type>`, `A _ <type>`. */
function arrayType(p: ItaniumParser): Node {
  p.expect('A');
  let dim: Node | null = null;
  const c = p.peek();
  if (c !== '_') dim = isDigit(c) ? name(p.number()) : parseExpression(p);
  p.expect('_');
  return { k: 'arr', elem: p.type(), dim };
}
