/**
 * The demangler's tree -> text, in GNU c++filt's format (binutils 2.40,
 * default options: parameters shown, standard abbreviations expanded).
 *
 * C++ declarators wrap around the name (`void (*)(int)`, `int (&) [3]`), so a
 * type prints in two halves: the left part (before the declarator's middle)
 * and the right part (after it). A pointer to a function prints the
 * function's left part, `(*`, then `)` and the function's right part.
 *
 * The tree is a DAG (substitutions reuse nodes), so one symbol can expand to
 * exponentially long text: output length and the number of print steps are
 * bounded, and exceeding them fails the whole demangling (the caller then
 * shows the mangled name).
 */

import { CV_CONST, CV_RESTRICT, CV_VOLATILE, PARSE_FAILED, type FunctionNode, type Node } from './itanium-ast';
import { templateOf } from './itanium-parser';
import { printExpression, subexpr, type ExpressionHost } from './itanium-print-expr';

/** Far beyond real names: the longest of 160k names from node, LLVM, clang and Qt prints 8.4k characters. */
const MAX_OUTPUT = 1 << 18;
const MAX_STEPS = 1 << 20;
const MAX_DEPTH = 512;

/** The template arguments `T_` refers to, innermost first (c++filt's template stack). */
interface TemplateFrame {
  args: readonly Node[];
  next: TemplateFrame | null;
}

export function printItanium(node: Node): string {
  const printer = new Printer();
  printer.print(node);
  return printer.out;
}

class Printer implements ExpressionHost {
  out = '';
  private steps = 0;
  private depth = 0;
  /** Inside a lambda's signature, where `T_` prints as `auto:N` (as g++ spells it). */
  private lambdaArgs = 0;
  private templates: TemplateFrame | null = null;
  /** The template-id being printed: a conversion operator's type can refer to its arguments. */
  private currentTemplate: (Node & { k: 'tmpl' }) | null = null;
  /** Template contexts remembered per `T_` printed under a reference (see refParts). */
  private savedScopes: Map<Node, TemplateFrame | null> | null = null;
  /** References and template parameters being printed (re-entry through substitutions). */
  private readonly active = new Map<Node, number>();
  /** The last character emitted. */
  private last = '';
  /** Output length right after a `, ` was taken back (see list), or -1. */
  private staleLength = -1;
  /** The element being printed while expanding a pack expansion, or -1. */
  private packIndex = -1;
  /**
   * Qualifiers of the cv nodes enclosing the type being printed (with no
   * other declarator in between). c++filt prints a qualifier once when a
   * template parameter brings it again: `const T` with T = `int const` is
   * `int const`, and with T = `int const volatile` it is `int volatile const`.
   */
  private pendingCv = 0;

  private enter(): void {
    if (++this.steps > MAX_STEPS || ++this.depth > MAX_DEPTH || this.out.length > MAX_OUTPUT) throw PARSE_FAILED;
  }

  /**
   * c++filt's argument lists: `, ` goes before an item only if it or a later
   * item prints something (empty packs print nothing). c++filt appends the
   * `, ` and takes it back when nothing followed, but still believes the
   * last character is that space; so `<a<b>, (empty pack)>` closes as `>>`,
   * not `> >`. `staleLength` records that state (see lastChar).
   */
  list(items: readonly Node[]): void {
    const savedCv = this.pendingCv;
    this.pendingCv = 0;
    const after: number[] = [];
    for (let i = 0; i < items.length; i++) {
      if (i > 0) {
        this.emit(', ');
        after.push(this.out.length);
      }
      this.print(items[i]);
    }
    for (let i = after.length - 1; i >= 0 && this.out.length === after[i]; i--) {
      this.out = this.out.slice(0, after[i] - 2);
      this.staleLength = this.out.length;
    }
    this.pendingCv = savedCv;
  }

  /** The last character as c++filt sees it: a space right after it took back a `, `. */
  private lastChar(): string {
    return this.out.length === this.staleLength ? ' ' : this.last;
  }

  /**
   * Appends text. The last character is kept on the side: reading it from
   * `out` would flatten the concatenated string each time (quadratic).
   */
  emit(text: string): void {
    if (text.length === 0) return;
    this.out += text;
    this.last = text[text.length - 1];
  }

  /**
   * What a `T_` stands for: an argument of the innermost template being
   * printed (an element of it while expanding a pack), and the context to
   * print that argument in, which is the enclosing one.
   */
  private lookup(node: Node & { k: 'tp' }, frame = this.templates): { arg: Node; frame: TemplateFrame | null } {
    if (frame === null) throw PARSE_FAILED;
    let arg = frame.args[node.idx];
    if (arg === undefined) throw PARSE_FAILED;
    if (arg.k === 'pack') {
      // Outside a pack expansion c++filt shows the first element.
      arg = arg.items[Math.max(this.packIndex, 0)];
      if (arg === undefined) throw PARSE_FAILED;
    }
    return { arg, frame: frame.next };
  }

  /** Whether the type's text continues after the declarator's middle. */
  private hasRight(node: Node, frame = this.templates): boolean {
    switch (node.k) {
      case 'tp': {
        if (this.lambdaArgs > 0) return false;
        const r = this.lookup(node, frame);
        return this.hasRight(r.arg, r.frame);
      }
      case 'fn': case 'arr': return true;
      case 'ref': {
        const saved = node.child.k === 'tp' ? this.savedScopes?.get(node.child) : undefined;
        const useSaved = saved !== undefined && !this.active.has(node) && !this.active.has(node.child);
        return this.hasRight(node.child, useSaved ? saved : frame);
      }
      case 'ptr': case 'cv': case 'vq': return this.hasRight(node.child, frame);
      case 'pm': return this.hasRight(node.mem, frame);
      default: return false;
    }
  }

  /** Whether a pointer to this type needs parentheses: functions and arrays. */
  private wraps(node: Node, frame = this.templates): 'fn' | 'arr' | null {
    switch (node.k) {
      case 'tp': {
        if (this.lambdaArgs > 0) return null;
        const r = this.lookup(node, frame);
        return this.wraps(r.arg, r.frame);
      }
      case 'fn': case 'arr': return node.k;
      case 'cv': case 'vq': return this.wraps(node.child, frame);
      default: return null;
    }
  }

  print(node: Node): void {
    if (isType(node)) {
      this.left(node);
      this.right(node);
    } else {
      this.other(node);
    }
  }

  private left(node: Node): void {
    this.enter();
    const savedCv = this.pendingCv;
    if (node.k !== 'cv' && node.k !== 'tp') this.pendingCv = 0;
    switch (node.k) {
      case 'tp':
        if (this.lambdaArgs > 0) {
          this.emit(`auto:${node.idx + 1}`);
        } else {
          const { arg, frame } = this.lookup(node);
          const saved = this.templates;
          this.templates = frame;
          this.enterNode(node);
          this.left(arg);
          this.leaveNode(node);
          this.templates = saved;
        }
        break;
      case 'ref': {
        const parts = this.refParts(node);
        const saved = this.templates;
        this.templates = parts.frame;
        this.enterNode(node);
        this.left(parts.child);
        const wrap = this.wraps(parts.child);
        if (wrap === 'arr') this.emit(' ');
        if (wrap !== null) this.emit('(');
        this.emit(parts.sigil);
        this.leaveNode(node);
        this.templates = saved;
        break;
      }
      case 'ptr': case 'pm': {
        const child = node.k === 'pm' ? node.mem : node.child;
        this.left(child);
        const wrap = this.wraps(child);
        if (wrap === 'arr') this.emit(' ');
        if (wrap !== null) this.emit('(');
        else if (node.k === 'pm') this.emit(' ');
        if (node.k === 'pm') {
          this.print(node.cls);
          this.emit('::*');
        } else {
          this.emit('*');
        }
        break;
      }
      case 'cv': {
        const own = node.cv & ~this.pendingCv;
        this.pendingCv |= node.cv;
        this.left(node.child);
        this.emit(cvText(own));
        break;
      }
      case 'vq':
        this.left(node.child);
        this.emit(` ${node.name}`);
        if (node.args !== null) this.templateArgs(node.args);
        break;
      case 'fn':
        if (node.ret !== null) {
          this.left(node.ret);
          if (!this.hasRight(node.ret)) this.emit(' ');
        }
        break;
      case 'arr':
        this.left(node.elem);
        break;
      case 'vec':
        this.print(node.elem);
        this.emit(' __vector(');
        if (node.dim !== null) this.print(node.dim);
        this.emit(')');
        break;
      case 'post':
        this.print(node.child);
        this.emit(node.s);
        break;
      case 'expand':
        this.expand(node.child);
        break;
      default:
        this.other(node);
    }
    this.pendingCv = savedCv;
    this.depth--;
  }

  private right(node: Node): void {
    this.enter();
    switch (node.k) {
      case 'tp':
        if (this.lambdaArgs === 0) {
          const { arg, frame } = this.lookup(node);
          const saved = this.templates;
          this.templates = frame;
          this.enterNode(node);
          this.right(arg);
          this.leaveNode(node);
          this.templates = saved;
        }
        break;
      case 'ref': {
        const parts = this.refParts(node);
        const saved = this.templates;
        this.templates = parts.frame;
        this.enterNode(node);
        if (this.wraps(parts.child) !== null) this.emit(')');
        this.right(parts.child);
        this.leaveNode(node);
        this.templates = saved;
        break;
      }
      case 'ptr': case 'pm': {
        const child = node.k === 'pm' ? node.mem : node.child;
        if (this.wraps(child) !== null) this.emit(')');
        this.right(child);
        break;
      }
      case 'cv': case 'vq':
        this.right(node.child);
        break;
      case 'fn':
        this.functionRight(node);
        break;
      case 'arr':
        if (this.last !== ']') this.emit(' ');
        this.emit('[');
        if (node.dim !== null) this.print(node.dim);
        this.emit(']');
        this.right(node.elem);
        break;
      default:
        break;
    }
    this.depth--;
  }

  /** `(params)`, the return type's right part, then qualifiers and exception specs. */
  private functionRight(fn: FunctionNode): void {
    this.emit('(');
    this.list(fn.params);
    this.emit(')');
    if (fn.ret !== null) this.right(fn.ret);
    this.emit(cvText(fn.cv));
    if (fn.ref !== '') this.emit(` ${fn.ref}`);
    for (const exc of fn.exc) this.print(exc);
  }

  /**
   * How c++filt prints a reference to a template parameter. It collapses
   * references (`T&` with T = `int&&` is `int&`), and it remembers the
   * context the parameter was first printed in under a reference: when the
   * same `T_` comes back through a substitution, it is read in that
   * context again, not the current one.
   */
  private refParts(node: Node & { k: 'ref' }): { child: Node; sigil: string; frame: TemplateFrame | null } {
    const child = node.child;
    let frame = this.templates;
    // Not in a lambda's signature: there `T_` is `auto:N`, possibly without template arguments.
    if (child.k !== 'tp' || this.lambdaArgs > 0) return { child, sigil: node.rv ? '&&' : '&', frame };
    this.savedScopes ??= new Map();
    const saved = this.savedScopes.get(child);
    if (saved === undefined) this.savedScopes.set(child, frame);
    else if (!this.active.has(node) && !this.active.has(child)) frame = saved;
    const sub = this.lookup(child, frame).arg;
    if (sub.k === 'ref') {
      if (!sub.rv || node.rv) return { child: sub.child, sigil: sub.rv ? '&&' : '&', frame };
      return { child: sub.child, sigil: '&', frame };
    }
    return { child, sigil: node.rv ? '&&' : '&', frame };
  }

  private enterNode(node: Node): void {
    this.active.set(node, (this.active.get(node) ?? 0) + 1);
  }

  private leaveNode(node: Node): void {
    const n = (this.active.get(node) ?? 1) - 1;
    if (n === 0) this.active.delete(node);
    else this.active.set(node, n);
  }

  /** Prints a pack expansion once per element of the pack it expands, or `pattern...`. */
  expand(pattern: Node): void {
    const pack = this.findPack(pattern, 0);
    if (pack === null) {
      subexpr(this, pattern);
      this.emit('...');
      return;
    }
    const saved = this.packIndex;
    for (let i = 0; i < pack.items.length; i++) {
      if (i > 0) this.emit(', ');
      this.packIndex = i;
      this.print(pattern);
    }
    this.packIndex = saved;
  }

  packLength(node: Node): number {
    return this.findPack(node, 0)?.items.length ?? 0;
  }

  wholePacks(fn: () => void): void {
    const saved = this.packIndex;
    this.packIndex = -1;
    fn();
    this.packIndex = saved;
  }

  private findPack(node: Node, depth: number): (Node & { k: 'pack' }) | null {
    if (depth > 64 || ++this.steps > MAX_STEPS) throw PARSE_FAILED;
    if (node.k === 'tp') {
      if (this.templates === null) throw PARSE_FAILED;
      const arg = this.templates.args[node.idx];
      return arg !== undefined && arg.k === 'pack' ? arg : null;
    }
    if (node.k === 'expand' || node.k === 'lambda' || node.k === 'name' || node.k === 'fparm') return null;
    for (const child of children(node)) {
      const found = this.findPack(child, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }

  private templateArgs(args: readonly Node[]): void {
    if (this.lastChar() === '<') this.emit(' ');
    this.emit('<');
    this.list(args);
    if (this.lastChar() === '>') this.emit(' ');
    this.emit('>');
  }

  /** Names, special names and expressions. */
  private other(node: Node): void {
    this.enter();
    const savedCv = this.pendingCv;
    this.pendingCv = 0;
    switch (node.k) {
      case 'name': case 'op': this.emit(node.s); break;
      case 'qual':
        this.print(node.scope);
        this.emit('::');
        this.print(node.name);
        break;
      case 'tmpl': {
        const saved = this.currentTemplate;
        this.currentTemplate = node;
        this.print(node.name);
        this.templateArgs(node.args);
        this.currentTemplate = saved;
        break;
      }
      case 'ctor':
        if (node.dtor) this.emit('~');
        this.print(node.name);
        break;
      case 'conv': {
        this.emit('operator ');
        // The type may use the operator's own template arguments (`operator T<int>`)...
        const tmpl = this.currentTemplate;
        const saved = this.templates;
        if (tmpl !== null) this.templates = { args: tmpl.args, next: saved };
        if (node.type.k !== 'tmpl') {
          this.print(node.type);
          this.templates = saved;
        } else {
          // ...but c++filt drops them before a template-id type's arguments, so `T_` there
          // fails (`_ZN1AcvN1BIT_EEIdEEv` is not demangled).
          this.print(node.type.name);
          this.templates = saved;
          this.templateArgs(node.type.args);
        }
        break;
      }
      case 'abi':
        this.print(node.name);
        this.emit(`[abi:${node.tag}]`);
        break;
      case 'local':
        this.print(node.fn);
        this.emit('::');
        this.print(node.entity);
        break;
      case 'lambda':
        this.emit('{lambda(');
        this.lambdaArgs++;
        this.list(node.params);
        this.lambdaArgs--;
        this.emit(`)#${node.n}}`);
        break;
      case 'unnamed': this.emit(`{unnamed type#${node.n}}`); break;
      case 'special': case 'global':
        this.emit(node.text);
        this.print(node.child);
        break;
      case 'ctorvt':
        this.emit('construction vtable for ');
        this.print(node.inner);
        this.emit('-in-');
        this.print(node.outer);
        break;
      case 'reftemp':
        this.emit(`reference temporary #${node.n} for `);
        this.print(node.name);
        break;
      case 'enc': {
        // A function template's arguments are what `T_` means in its whole signature.
        this.encoding(node.name, node.fn);
        break;
      }
      case 'mq':
        this.print(node.child);
        this.emit(cvText(node.cv));
        if (node.ref !== '') this.emit(` ${node.ref}`);
        break;
      case 'clone':
        this.print(node.child);
        this.emit(` [clone ${node.suffix}]`);
        break;
      case 'exc':
        this.emit(node.text);
        if (node.args !== null) {
          this.emit('(');
          this.list(node.args);
          this.emit(')');
        }
        break;
      case 'pack': this.list(node.items); break;
      case 'decltype':
        this.emit('decltype (');
        this.print(node.expr);
        this.emit(')');
        break;
      default: printExpression(this, node);
    }
    this.pendingCv = savedCv;
    this.depth--;
  }

  /**
   * `[ret ]name(params)`, with the name inside the return type's declarator
   * if it has one. A function template's arguments are what `T_` means in
   * its return and parameter types, but not in its name: c++filt prints the
   * name in the enclosing context.
   */
  private encoding(nameNode: Node, fn: FunctionNode): void {
    const outer = this.templates;
    const tmpl = templateOf(nameNode);
    const inner = tmpl === null ? outer : { args: tmpl.args, next: outer };
    this.templates = inner;
    if (fn.ret !== null) {
      this.left(fn.ret);
      if (!this.hasRight(fn.ret)) this.emit(' ');
    }
    this.templates = outer;
    this.print(nameNode);
    this.templates = inner;
    this.functionRight(fn);
    this.templates = outer;
  }
}

function cvText(cv: number): string {
  let text = '';
  if (cv & CV_CONST) text += ' const';
  if (cv & CV_VOLATILE) text += ' volatile';
  if (cv & CV_RESTRICT) text += ' restrict';
  return text;
}

function isType(node: Node): boolean {
  switch (node.k) {
    case 'tp': case 'ptr': case 'ref': case 'pm': case 'cv': case 'vq':
    case 'fn': case 'arr': case 'vec': case 'post': case 'expand':
      return true;
    default:
      return false;
  }
}

/** Every child node, for searches that must look everywhere (pack lookup). */
function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null && 'k' in item) out.push(item as Node);
    } else if (typeof value === 'object' && value !== null && 'k' in value) {
      out.push(value as Node);
    }
  }
  return out;
}
