/**
 * Printing the expressions inside Itanium names (decltype return types,
 * template arguments, array bounds) the way c++filt (binutils 2.40) does:
 * operands in parentheses unless they are names or function parameters,
 * `(a>b)` wrapped once more, casts as `static_cast<T>(x)`. Split from
 * itanium-printer.ts, which hosts it through ExpressionHost.
 */

import { OPERATORS, type Node } from './itanium-ast';
import { literalText } from './itanium-expr';

/** What expression printing needs from the printer. */
export interface ExpressionHost {
  emit(text: string): void;
  print(node: Node): void;
  /** Comma-separated items, as c++filt's argument lists. */
  list(items: readonly Node[]): void;
  /** A pack expansion: the pattern once per pack element. */
  expand(pattern: Node): void;
  /** The length of the pack a template parameter in `node` stands for, 0 when none. */
  packLength(node: Node): number;
  /** Runs `fn` with whole packs in scope rather than the element being expanded. */
  wholePacks(fn: () => void): void;
}

/** An operand: in parentheses unless it is a name or a function parameter (as c++filt). */
export function subexpr(p: ExpressionHost, node: Node): void {
  const simple = node.k === 'name' || node.k === 'qual' || node.k === 'init' || node.k === 'fparm';
  if (!simple) p.emit('(');
  p.print(node);
  if (!simple) p.emit(')');
}

function argsInParens(p: ExpressionHost, items: readonly Node[]): void {
  p.emit('(');
  p.list(items);
  p.emit(')');
}

export function printExpression(p: ExpressionHost, node: Node): void {
  switch (node.k) {
    case 'lit': {
      const text = literalText(node.type, node.value);
      if (text !== null) {
        p.emit(text);
      } else {
        p.emit('(');
        p.print(node.type);
        p.emit(node.value.startsWith('n') ? `)-${node.value.slice(1)}` : `)${node.value}`);
      }
      break;
    }
    case 'fparm': p.emit(`{parm#${node.n}}`); break;
    case 'gs':
      p.emit('::');
      p.print(node.child);
      break;
    case 'unary': unary(p, node); break;
    case 'binary': binary(p, node); break;
    case 'ternary':
      subexpr(p, node.a);
      p.emit('?');
      subexpr(p, node.b);
      p.emit(' : ');
      subexpr(p, node.c);
      break;
    case 'call':
      subexpr(p, node.fn.k === 'enc' ? node.fn.name : node.fn);
      argsInParens(p, node.args);
      break;
    case 'cast':
      p.emit('(');
      p.print(node.type);
      p.emit(')');
      if (node.list) argsInParens(p, node.args);
      else subexpr(p, node.args[0]);
      break;
    case 'init':
      if (node.type !== null) p.print(node.type);
      p.emit('{');
      p.list(node.items);
      p.emit('}');
      break;
    case 'new':
      p.emit('new ');
      if (node.place.length > 0) {
        argsInParens(p, node.place);
        p.emit(' ');
      }
      p.print(node.type);
      if (node.init !== null) {
        if (node.init.length === 1 && node.init[0].k === 'init' && node.init[0].type === null) p.print(node.init[0]);
        else argsInParens(p, node.init);
      }
      break;
    case 'delete':
      p.emit(node.array ? 'delete[] ' : 'delete ');
      subexpr(p, node.arg);
      break;
    case 'throw':
      p.emit('throw');
      if (node.arg !== null) {
        p.emit(' ');
        subexpr(p, node.arg);
      }
      break;
    case 'fold': fold(p, node); break;
    case 'expand': p.expand(node.child); break;
    default: p.print(node);
  }
}

function unary(p: ExpressionHost, node: Node & { k: 'unary' }): void {
  const { op, arg } = node;
  if (op === 'pp_post' || op === 'mm_post') {
    subexpr(p, arg);
    p.emit(op === 'pp_post' ? '++' : '--');
    return;
  }
  if (op === 'sZ') {
    // `sizeof...(T)` prints the pack's length, as c++filt does (0 when T is no pack).
    p.emit(String(p.packLength(arg)));
    return;
  }
  p.emit(OPERATORS[op][0]);
  if (op === 'st' || op === 'at') {
    p.emit('(');
    p.print(arg);
    p.emit(')');
  } else if (op === 'ad' && arg.k === 'enc' && arg.name.k === 'qual' && arg.fn.cv === 0 && arg.fn.ref === '') {
    p.print(arg.name); // `&A::f`: the address of a member, without its parameter list
  } else {
    subexpr(p, arg);
  }
}

function binary(p: ExpressionHost, node: Node & { k: 'binary' }): void {
  const { op, left, right } = node;
  const text = OPERATORS[op][0];
  if (op === 'sc' || op === 'dc' || op === 'cc' || op === 'rc') {
    p.emit(`${text}<`);
    p.print(left);
    p.emit('>(');
    p.print(right);
    p.emit(')');
    return;
  }
  // A `>` inside template arguments would end them: c++filt adds parentheses.
  if (op === 'gt') p.emit('(');
  subexpr(p, left);
  if (op === 'ix') {
    p.emit('[');
    p.print(right);
    p.emit(']');
  } else {
    p.emit(text);
    subexpr(p, right);
  }
  if (op === 'gt') p.emit(')');
}

function fold(p: ExpressionHost, node: Node & { k: 'fold' }): void {
  const op = OPERATORS[node.op][0];
  // A fold prints the whole pack: `(... + {parm#1})`, not one element.
  p.wholePacks(() => {
    if (node.b === null && node.left) {
      p.emit(`(...${op}`);
      subexpr(p, node.a);
      p.emit(')');
    } else {
      p.emit('(');
      subexpr(p, node.a);
      p.emit(`${op}...`);
      if (node.b !== null) {
        p.emit(op);
        subexpr(p, node.b);
      }
      p.emit(')');
    }
  });
}
