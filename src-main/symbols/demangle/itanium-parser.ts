/**
 * Itanium C++ ABI mangled names -> the tree in itanium-ast.ts.
 *
 * A recursive-descent parser over the grammar of the ABI's section 5.1
 * (https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling). Where the
 * grammar leaves room, it follows what GNU c++filt (binutils) accepts, because
 * its output is what users compare with: for example a constructor is named
 * after the last source name read outside template arguments, and names
 * c++filt refuses (a data symbol with a clone suffix, `_ZGR..._`) fail here too.
 *
 * Input is untrusted (symbol tables of arbitrary binaries): recursion depth is
 * bounded, numbers are range-checked, and every failure throws PARSE_FAILED,
 * which the entry point turns into "print the name unchanged".
 */

import { CV_CONST, CV_RESTRICT, CV_VOLATILE, name, OPERATORS, PARSE_FAILED, type FunctionNode, type Node } from './itanium-ast';
import { parseExpression, parseExprPrimary } from './itanium-expr';
import { parseType } from './itanium-types';


/** Nesting limit: real names nest a few dozen levels; c++filt has a similar limit. */
const MAX_DEPTH = 256;

/** Standard abbreviations, expanded the way c++filt does by default (its "verbose" mode). */
const STD_SUBS: Readonly<Record<string, { text: string; last: string | null }>> = {
  t: { text: 'std', last: null },
  a: { text: 'std::allocator', last: 'allocator' },
  b: { text: 'std::basic_string', last: 'basic_string' },
  s: { text: 'std::basic_string<char, std::char_traits<char>, std::allocator<char> >', last: 'basic_string' },
  i: { text: 'std::basic_istream<char, std::char_traits<char> >', last: 'basic_istream' },
  o: { text: 'std::basic_ostream<char, std::char_traits<char> >', last: 'basic_ostream' },
  d: { text: 'std::basic_iostream<char, std::char_traits<char> >', last: 'basic_iostream' },
};

const SPECIAL_T: Readonly<Record<string, string>> = {
  V: 'vtable for ', T: 'VTT for ', I: 'typeinfo for ', S: 'typeinfo name for ',
  F: 'typeinfo fn for ', J: 'java Class for ', A: 'template parameter object for ',
};

const isDigit = (c: string) => c >= '0' && c <= '9';
const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isLower = (c: string) => c >= 'a' && c <= 'z';

export class ItaniumParser {
  pos = 0;
  readonly subs: Node[] = [];
  /** The last source name read (outside template arguments): names constructors. */
  lastName: Node | null = null;
  /** Parsing the type of a conversion operator: `T_ I...E` there leaves the args to the operator. */
  inConversion = false;
  /**
   * How to read `sr <digit>...` (see itanium-expr.ts): 1 = try the current
   * ABI's `sr <qualifiers> E <name>`, -1 = that was tried (so a failure
   * retries the whole symbol with 0), 0 = the old `sr <type> <name>`.
   */
  unresolvedState = 1;
  private depth = 0;

  constructor(readonly s: string) {}

  /** The next character, or '' at the end. */
  peek(): string {
    return this.pos < this.s.length ? this.s[this.pos] : '';
  }

  /** The character after the next one, or ''. */
  next(): string {
    return this.pos + 1 < this.s.length ? this.s[this.pos + 1] : '';
  }

  eat(c: string): boolean {
    if (this.s[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  expect(c: string): void {
    if (!this.eat(c)) throw PARSE_FAILED;
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) throw PARSE_FAILED;
  }

  leave(): void {
    this.depth--;
  }

  /** `<number>`: decimal, optionally negative (`n` prefix). Returned as text, range-checked. */
  number(allowNegative = false): string {
    let neg = false;
    if (allowNegative && this.eat('n')) neg = true;
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    if (this.pos === start || this.pos - start > 15) throw PARSE_FAILED;
    const digits = this.s.slice(start, this.pos);
    return neg ? `-${digits}` : digits;
  }

  /** `_` = 0, `<n>_` = n + 1 (template parameters, lambda numbers, discriminators of seq ids). */
  compactNumber(): number {
    if (this.eat('_')) return 0;
    const n = Number(this.number());
    this.expect('_');
    return n + 1;
  }

  addSub(node: Node): void {
    this.subs.push(node);
  }

  /** `<mangled-name>` without its `_Z` (already consumed): the whole symbol. */
  parseTopLevel(): Node {
    return this.encoding();
  }

  /** `<encoding> ::= <name> <bare-function-type> | <name> | <special-name>`. */
  encoding(): Node {
    this.enter();
    const c = this.peek();
    if (c === 'T' || (c === 'G' && 'VRATtr'.includes(this.next()))) {
      const special = this.specialName();
      this.leave();
      return special;
    }
    const nm = this.name();
    const entity = templateOf(nm);
    let result: Node = nm;
    const next = this.peek();
    if (next !== '' && next !== 'E') {
      const fn = this.bareFunctionType(entity !== null && !isCtorDtorOrConversion(entity.name));
      const { base, mq } = splitMemberQualifiers(nm);
      if (mq !== null) {
        fn.cv = mq.cv;
        fn.ref = mq.ref;
      }
      result = { k: 'enc', name: base, fn };
    }
    this.leave();
    return result;
  }

  /** `[<return type>] <parameter types>+`, with the lone `v` meaning "no parameters". */
  bareFunctionType(hasReturn: boolean): FunctionNode {
    const ret = hasReturn ? this.type() : null;
    const params: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '' || c === 'E' || c === '.') break;
      if ((c === 'R' || c === 'O') && this.next() === 'E') break;
      params.push(this.type());
    }
    if (params.length === 0) throw PARSE_FAILED;
    if (params.length === 1 && params[0].k === 'name' && params[0].s === 'void') params.length = 0;
    return { k: 'fn', ret, params, cv: 0, ref: '', exc: [] };
  }

  private specialName(): Node {
    if (this.eat('T')) {
      const c = this.peek();
      this.pos++;
      if (SPECIAL_T[c] !== undefined) return { k: 'special', text: SPECIAL_T[c], child: c === 'A' ? this.templateArg() : this.type() };
      switch (c) {
        case 'h': this.callOffset('h'); return { k: 'special', text: 'non-virtual thunk to ', child: this.encoding() };
        case 'v': this.callOffset('v'); return { k: 'special', text: 'virtual thunk to ', child: this.encoding() };
        case 'c':
          this.callOffset(this.peekAdvance());
          this.callOffset(this.peekAdvance());
          return { k: 'special', text: 'covariant return thunk to ', child: this.encoding() };
        case 'C': {
          const outer = this.type();
          this.number();
          this.expect('_');
          return { k: 'ctorvt', inner: this.type(), outer };
        }
        case 'H': return { k: 'special', text: 'TLS init function for ', child: this.name() };
        case 'W': return { k: 'special', text: 'TLS wrapper function for ', child: this.name() };
        default: throw PARSE_FAILED;
      }
    }
    this.expect('G');
    const c = this.peekAdvance();
    switch (c) {
      case 'V': return { k: 'special', text: 'guard variable for ', child: this.name() };
      case 'R': {
        const nm = this.name();
        // c++filt reads an optional number and no `_`, so `_ZGR1x_` (what GCC emits) fails there too.
        const start = this.pos;
        while (isDigit(this.peek())) this.pos++;
        return { k: 'reftemp', name: nm, n: this.pos > start ? String(Number(this.s.slice(start, this.pos))) : '0' };
      }
      case 'A': return { k: 'special', text: 'hidden alias for ', child: this.encoding() };
      case 'T': {
        const kind = this.peekAdvance();
        if (kind !== 't' && kind !== 'n') throw PARSE_FAILED;
        return { k: 'special', text: kind === 't' ? 'transaction clone for ' : 'non-transaction clone for ', child: this.encoding() };
      }
      default: throw PARSE_FAILED;
    }
  }

  peekAdvance(): string {
    const c = this.peek();
    if (c === '') throw PARSE_FAILED;
    this.pos++;
    return c;
  }

  /** `<call-offset>`: `h <number> _` or `v <number> _ <number> _`; not printed. */
  private callOffset(kind: string): void {
    if (kind === 'h') {
      this.number(true);
      this.expect('_');
    } else if (kind === 'v') {
      this.number(true);
      this.expect('_');
      this.number(true);
      this.expect('_');
    } else {
      throw PARSE_FAILED;
    }
  }

  /** `<name>`: nested, local, unscoped (maybe `St`-prefixed), or an unscoped template. */
  name(): Node {
    this.enter();
    let result: Node;
    const c = this.peek();
    if (c === 'N') {
      result = this.nestedName();
    } else if (c === 'Z') {
      result = this.localName();
    } else {
      let nm: Node;
      let fromSub = false;
      if (c === 'S') {
        if (this.next() === 't') {
          this.pos += 2;
          nm = { k: 'qual', scope: name('std'), name: this.unqualifiedName() };
        } else {
          nm = this.substitution();
          fromSub = true;
        }
      } else {
        nm = this.unqualifiedName();
      }
      if (this.peek() === 'I') {
        if (!fromSub) this.addSub(nm);
        nm = { k: 'tmpl', name: nm, args: this.templateArgs() };
      }
      result = nm;
    }
    this.leave();
    return result;
  }

  /** `N [<CV>] [<ref>] <prefix> <unqualified-name> E`, member qualifiers kept in a wrapper. */
  private nestedName(): Node {
    this.expect('N');
    const cv = this.cvQualifiers();
    let ref: '' | '&' | '&&' = '';
    if (this.eat('R')) ref = '&';
    else if (this.eat('O')) ref = '&&';
    const ret = this.prefix(true);
    this.pos++;
    return cv !== 0 || ref !== '' ? { k: 'mq', child: ret, cv, ref } : ret;
  }

  /** `<prefix>` components up to (not including) an `E`; with `addSubs`, each but the last is a candidate. */
  prefix(addSubs: boolean): Node {
    let ret: Node | null = null;
    for (;;) {
      const c = this.peek();
      if (c === '') throw PARSE_FAILED;
      if (c === 'E') break;
      let comp: Node;
      if (c === 'D' && (this.next() === 't' || this.next() === 'T')) {
        if (ret !== null) throw PARSE_FAILED;
        comp = this.type();
      } else if (c === 'I') {
        if (ret === null) throw PARSE_FAILED;
        comp = { k: 'tmpl', name: ret, args: this.templateArgs() };
        ret = null;
      } else if (c === 'T') {
        comp = this.templateParam();
      } else if (c === 'S') {
        comp = this.substitution();
      } else if (c === 'M') {
        // A closure's "data member initializer" prefix: no text of its own.
        if (ret === null) throw PARSE_FAILED;
        this.pos++;
        continue;
      } else {
        comp = this.unqualifiedName();
      }
      ret = ret === null ? comp : { k: 'qual', scope: ret, name: comp };
      if (addSubs && c !== 'S' && this.peek() !== 'E') this.addSub(ret);
    }
    if (ret === null) throw PARSE_FAILED;
    return ret;
  }

  /** `Z <encoding> E <entity> [<discriminator>]` or `Z <encoding> E s [<discriminator>]`. */
  private localName(): Node {
    this.expect('Z');
    const fn = this.encoding();
    // c++filt does not print the enclosing function's return type.
    if (fn.k === 'enc') fn.fn.ret = null;
    this.expect('E');
    if (this.eat('s')) {
      this.discriminator();
      return { k: 'local', fn, entity: name('string literal') };
    }
    let defaultArg = -1;
    if (this.eat('d')) defaultArg = this.compactNumber();
    let entity = this.name();
    if (entity.k !== 'lambda' && entity.k !== 'unnamed') this.discriminator();
    if (defaultArg >= 0) entity = { k: 'qual', scope: name(`{default arg#${defaultArg + 1}}`), name: entity };
    return { k: 'local', fn, entity };
  }

  /** `_ <digit>` or `__ <number> _`; not printed. */
  private discriminator(): void {
    if (!this.eat('_')) return;
    const twoUnderscores = this.eat('_');
    const n = this.number();
    if (twoUnderscores && n.length > 1) this.expect('_');
  }

  /** `<unqualified-name>` followed by any `B <source-name>` ABI tags. */
  unqualifiedName(): Node {
    const c = this.peek();
    let ret: Node;
    if (isDigit(c)) {
      ret = this.sourceName();
    } else if (isLower(c)) {
      ret = this.operatorName();
    } else if (c === 'C' || c === 'D') {
      if (c === 'D' && this.next() === 'C') {
        this.pos += 2;
        const names: string[] = [];
        do names.push(this.identifier()); while (!this.eat('E'));
        ret = name(`[${names.join(', ')}]`);
      } else {
        ret = this.ctorDtorName();
      }
    } else if (c === 'L') {
      this.pos++;
      ret = this.sourceName();
      this.discriminator();
    } else if (c === 'U') {
      ret = this.unnamedTypeName();
    } else {
      throw PARSE_FAILED;
    }
    while (this.peek() === 'B') {
      this.pos++;
      ret = { k: 'abi', name: ret, tag: this.identifier() };
    }
    return ret;
  }

  /** `<length> <identifier>`; the anonymous namespace gets c++filt's spelling. */
  identifier(): string {
    const len = Number(this.number());
    if (len === 0 || this.pos + len > this.s.length) throw PARSE_FAILED;
    const id = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    if (len >= 10 && id.startsWith('_GLOBAL_') && '._$'.includes(id.charAt(8)) && id.charAt(9) === 'N') {
      return '(anonymous namespace)';
    }
    return id;
  }

  sourceName(): Node {
    const node = name(this.identifier());
    this.lastName = node;
    return node;
  }

  private ctorDtorName(): Node {
    const dtor = this.peekAdvance() === 'D';
    const kind = this.peekAdvance();
    if (dtor ? !'01245'.includes(kind) : !'12345I'.includes(kind)) throw PARSE_FAILED;
    if (kind === 'I') {
      // Inheriting constructor `CI1 <base>`: like c++filt, named after the base's last name.
      const variant = this.peekAdvance();
      if (!'12'.includes(variant)) throw PARSE_FAILED;
      this.type();
    }
    if (this.lastName === null) throw PARSE_FAILED;
    return { k: 'ctor', name: this.lastName, dtor };
  }

  /** `Ut [<number>] _` unnamed type, `Ul <lambda-sig> E [<number>] _` closure type. */
  private unnamedTypeName(): Node {
    this.expect('U');
    const kind = this.peekAdvance();
    if (kind === 't') {
      // c++filt makes an unnamed type a substitution candidate of its own, but not a closure type.
      const unnamed: Node = { k: 'unnamed', n: this.compactNumber() + 1 };
      this.addSub(unnamed);
      return unnamed;
    }
    if (kind !== 'l') throw PARSE_FAILED;
    const params: Node[] = [];
    while (!this.eat('E')) {
      if (this.peek() === '') throw PARSE_FAILED;
      params.push(this.type());
    }
    if (params.length === 1 && params[0].k === 'name' && params[0].s === 'void') params.length = 0;
    return { k: 'lambda', params, n: this.compactNumber() + 1 };
  }

  /** `<operator-name>`, including `cv <type>` conversions and `v <digit> <source-name>`. */
  private operatorName(): Node {
    const c1 = this.peekAdvance();
    const c2 = this.peekAdvance();
    if (c1 === 'v' && isDigit(c2)) return { k: 'op', s: `operator ${this.identifier()}` };
    if (c1 === 'c' && c2 === 'v') {
      const was = this.inConversion;
      this.inConversion = true;
      const type = this.type();
      this.inConversion = was;
      return { k: 'conv', type };
    }
    const op = OPERATORS[c1 + c2];
    if (op === undefined || c1 + c2 === 'li') throw PARSE_FAILED;
    const text = op[0].trimEnd();
    return { k: 'op', s: isLower(text.charAt(0)) ? `operator ${text}` : `operator${text}` };
  }

  /** `[r] [V] [K]` as CV_* flags. */
  cvQualifiers(): number {
    let cv = 0;
    if (this.eat('r')) cv |= CV_RESTRICT;
    if (this.eat('V')) cv |= CV_VOLATILE;
    if (this.eat('K')) cv |= CV_CONST;
    return cv;
  }

  /** `<substitution>`: `S_`, `S<seq-id>_`, or a standard abbreviation. */
  substitution(): Node {
    this.expect('S');
    const c = this.peek();
    if (c === '_' || isDigit(c) || isUpper(c)) {
      let index = 0;
      if (c !== '_') {
        let id = 0;
        while (this.peek() !== '_') {
          const d = this.peekAdvance();
          const v = isDigit(d) ? d.charCodeAt(0) - 48 : isUpper(d) ? d.charCodeAt(0) - 55 : -1;
          if (v < 0 || id > 1e9) throw PARSE_FAILED;
          id = id * 36 + v;
        }
        index = id + 1;
      }
      this.pos++;
      const node = this.subs[index];
      if (node === undefined) throw PARSE_FAILED;
      return node;
    }
    const std = STD_SUBS[c];
    if (std === undefined) throw PARSE_FAILED;
    this.pos++;
    if (std.last !== null) this.lastName = name(std.last);
    return name(std.text);
  }

  /** `T_` / `T <n> _`. */
  templateParam(): Node {
    this.expect('T');
    return { k: 'tp', idx: this.compactNumber() };
  }

  /** `I <template-arg>+ E` (also `J...E` packs). Keeps lastName: args don't name constructors. */
  templateArgs(): Node[] {
    const open = this.peekAdvance();
    if (open !== 'I' && open !== 'J') throw PARSE_FAILED;
    this.enter();
    const heldLastName = this.lastName;
    const args: Node[] = [];
    while (!this.eat('E')) {
      if (this.peek() === '') throw PARSE_FAILED;
      args.push(this.templateArg());
    }
    this.lastName = heldLastName;
    this.leave();
    return args;
  }

  templateArg(): Node {
    const c = this.peek();
    if (c === 'X') {
      this.pos++;
      const e = parseExpression(this);
      this.expect('E');
      return e;
    }
    if (c === 'L') return parseExprPrimary(this);
    if (c === 'I' || c === 'J') return { k: 'pack', items: this.templateArgs() };
    return this.type();
  }

  /** `<type>` (see itanium-types.ts). */
  type(): Node {
    this.enter();
    const result = parseType(this);
    this.leave();
    return result;
  }
}

/**
 * A function's member qualifiers (`NK...E`) belong after its parameters:
 * split them from the name, also when they sit on a local name's entity.
 */
function splitMemberQualifiers(node: Node): { base: Node; mq: { cv: number; ref: '' | '&' | '&&' } | null } {
  if (node.k === 'mq') return { base: node.child, mq: node };
  if (node.k === 'local' && node.entity.k === 'mq') {
    return { base: { k: 'local', fn: node.fn, entity: node.entity.child }, mq: node.entity };
  }
  return { base: node, mq: null };
}

/**
 * The template whose arguments `T_` refers to in a function's signature: the
 * name itself when it is a template-id, or a local name's entity. Mirrors
 * which names c++filt treats as templates (its "has return type" test).
 */
export function templateOf(node: Node): { name: Node; args: Node[] } | null {
  let n = node;
  for (;;) {
    if (n.k === 'local') n = n.entity;
    else if (n.k === 'mq') n = n.child;
    else break;
  }
  return n.k === 'tmpl' ? n : null;
}

export function isCtorDtorOrConversion(node: Node): boolean {
  let n = node;
  while (n.k === 'qual' || n.k === 'local') n = n.k === 'qual' ? n.name : n.entity;
  if (n.k === 'abi') n = n.name;
  return n.k === 'ctor' || n.k === 'conv';
}
