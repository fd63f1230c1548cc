/**
 * Rust's v0 symbol mangling (`_R...`, RFC 2603; `-C symbol-mangling-version=v0`,
 * and what recent toolchains build the standard library with):
 * https://rust-lang.github.io/rfcs/2603-rust-symbol-name-mangling-v0.html
 * and the rustc book's "v0 Symbol Format" chapter.
 *
 * Printed as `perf report` shows Rust frames: perf carries a port of
 * rustc-demangle and prints its "alternate" form, which leaves out the crate
 * disambiguators (`core::fmt::write`, not `core[a1b2c3]::fmt::write`) and the
 * type suffixes of constants (`Foo::<3>`, not `Foo::<3usize>`). c++filt
 * prints the long form.
 *
 * The printer reads the symbol as it prints (backreferences point back into
 * the symbol, so the text is re-read at that offset). Untrusted input:
 * nesting is bounded, and so is the output, which backreferences could make
 * exponentially long.
 */

import { stripLlvmSuffix } from './rust-legacy';
import { decodePunycode, quote, unsignedText, type Ident } from './rust-v0-text';

const MAX_DEPTH = 500;
const MAX_OUTPUT = 1 << 18;
const U64_MAX = 18446744073709551615;

const FAILED = new Error('not a valid Rust v0 symbol');

const BASIC_TYPES: Readonly<Record<string, string>> = {
  b: 'bool', c: 'char', e: 'str', u: '()', a: 'i8', s: 'i16', l: 'i32', x: 'i64',
  n: 'i128', i: 'isize', h: 'u8', t: 'u16', m: 'u32', y: 'u64', o: 'u128', j: 'usize',
  f: 'f32', d: 'f64', z: '!', p: '_', v: '...',
};

/** The demangled name, or null when `symbol` is not a valid v0 symbol. */
export function demangleRustV0(symbol: string): string | null {
  const stripped = stripLlvmSuffix(symbol);
  let start: number;
  if (stripped.startsWith('_R')) start = 2;
  else if (stripped.startsWith('__R')) start = 3; // macOS adds an underscore
  else return null;
  const inner = stripped.slice(start);
  const first = inner.charCodeAt(0);
  if (!(first >= 0x41 && first <= 0x5a)) return null; // paths start with an uppercase tag
  for (let i = 0; i < inner.length; i++) if (inner.charCodeAt(i) > 0x7e) return null;
  try {
    const printer = new V0Printer(inner);
    printer.path(true);
    // The instantiating crate, if any, is not printed.
    if (/[A-Z]/.test(printer.peek())) {
      printer.silent++;
      printer.path(false);
      printer.silent--;
    }
    const suffix = inner.slice(printer.pos);
    if (suffix !== '' && !(suffix.startsWith('.') && /^[\x21-\x7e]*$/.test(suffix))) return null;
    return printer.out + suffix;
  } catch (err) {
    if (err === FAILED || err instanceof RangeError) return null;
    throw err;
  }
}


class V0Printer {
  pos = 0;
  out = '';
  /** > 0 while parsing without printing (an impl's own path). */
  silent = 0;
  private depth = 0;
  private boundLifetimes = 0;

  constructor(private readonly s: string) {}

  peek(): string {
    return this.pos < this.s.length ? this.s[this.pos] : '';
  }

  private next(): string {
    if (this.pos >= this.s.length) throw FAILED;
    return this.s[this.pos++];
  }

  private eat(c: string): boolean {
    if (this.s[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private print(text: string): void {
    if (this.silent > 0) return;
    this.out += text;
    if (this.out.length > MAX_OUTPUT) throw FAILED;
  }

  private push(): void {
    if (++this.depth > MAX_DEPTH) throw FAILED;
  }

  private pop(): void {
    this.depth--;
  }

  /** `_` is 0, otherwise base-62 digits and `_`, plus one. */
  private integer62(): number {
    if (this.eat('_')) return 0;
    let x = 0;
    while (!this.eat('_')) {
      const c = this.next().charCodeAt(0);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x7a) d = 10 + c - 0x61;
      else if (c >= 0x41 && c <= 0x5a) d = 36 + c - 0x41;
      else throw FAILED;
      x = x * 62 + d;
      if (x > U64_MAX) throw FAILED;
    }
    return x + 1;
  }

  private optInteger62(tag: string): number {
    return this.eat(tag) ? this.integer62() + 1 : 0;
  }

  private disambiguator(): number {
    return this.optInteger62('s');
  }

  private ident(): Ident {
    const punycode = this.eat('u');
    const first = this.next().charCodeAt(0) - 0x30;
    if (first < 0 || first > 9) throw FAILED;
    let len = first;
    if (len !== 0) {
      while (this.pos < this.s.length && this.s.charCodeAt(this.pos) >= 0x30 && this.s.charCodeAt(this.pos) <= 0x39) {
        len = len * 10 + this.s.charCodeAt(this.pos++) - 0x30;
        if (len > this.s.length) throw FAILED;
      }
    }
    this.eat('_');
    if (this.pos + len > this.s.length) throw FAILED;
    const text = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    if (!punycode) return { ascii: text, punycode: '' };
    const sep = text.lastIndexOf('_');
    const ident = sep < 0 ? { ascii: '', punycode: text } : { ascii: text.slice(0, sep), punycode: text.slice(sep + 1) };
    if (ident.punycode === '') throw FAILED;
    return ident;
  }

  private printIdent(ident: Ident): void {
    if (ident.punycode === '') {
      this.print(ident.ascii);
      return;
    }
    const decoded = decodePunycode(ident);
    if (decoded !== null) this.print(decoded);
    else this.print(`punycode{${ident.ascii === '' ? '' : `${ident.ascii}-`}${ident.punycode}}`);
  }

  /** Follows a `B` backreference: runs `fn` at the referenced offset, then comes back. */
  private backref(fn: () => void): void {
    const tagAt = this.pos - 1;
    const target = this.integer62();
    if (target >= tagAt) throw FAILED;
    if (this.silent > 0) return; // only printing needs the target
    const resume = this.pos;
    this.pos = target;
    this.push();
    fn();
    this.pop();
    this.pos = resume;
  }

  path(inValue: boolean): void {
    this.push();
    const tag = this.next();
    switch (tag) {
      case 'C': {
        this.disambiguator();
        this.printIdent(this.ident());
        break;
      }
      case 'N': {
        const ns = this.next();
        if (!/[A-Za-z]/.test(ns)) throw FAILED;
        this.path(inValue);
        const dis = this.disambiguator();
        const name = this.ident();
        const named = name.ascii !== '' || name.punycode !== '';
        if (ns >= 'A' && ns <= 'Z') {
          this.print(`::{${ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns}`);
          if (named) {
            this.print(':');
            this.printIdent(name);
          }
          this.print(`#${dis}}`);
        } else if (named) {
          this.print('::');
          this.printIdent(name);
        }
        break;
      }
      case 'M': case 'X': case 'Y': {
        if (tag !== 'Y') {
          // The impl's own path (where it is written) is not part of the printed name.
          this.disambiguator();
          this.silent++;
          this.path(false);
          this.silent--;
        }
        this.print('<');
        this.type();
        if (tag !== 'M') {
          this.print(' as ');
          this.path(false);
        }
        this.print('>');
        break;
      }
      case 'I': {
        this.path(inValue);
        this.print(inValue ? '::<' : '<');
        this.list(() => this.genericArg(), ', ');
        this.print('>');
        break;
      }
      case 'B':
        this.backref(() => this.path(inValue));
        break;
      default:
        throw FAILED;
    }
    this.pop();
  }

  private list(item: () => void, sep: string): number {
    let count = 0;
    while (!this.eat('E')) {
      if (this.pos >= this.s.length) throw FAILED;
      if (count > 0) this.print(sep);
      item();
      count++;
    }
    return count;
  }

  private genericArg(): void {
    if (this.eat('L')) this.lifetime(this.integer62());
    else if (this.eat('K')) this.constant(false);
    else this.type();
  }

  /** `'_` for 0; otherwise bound lifetimes count back from the innermost binder: `'a`, `'b`, ... */
  private lifetime(index: number): void {
    if (this.silent > 0) return;
    if (index === 0) {
      this.print("'_");
      return;
    }
    const depth = this.boundLifetimes - index;
    if (depth < 0) throw FAILED;
    this.print(depth < 26 ? `'${String.fromCharCode(0x61 + depth)}` : `'_${depth}`);
  }

  /** An optional `G` binder: prints `for<'a, 'b> ` and makes those lifetimes visible to `fn`. */
  private binder(fn: () => void): void {
    const bound = this.optInteger62('G');
    if (this.silent > 0) {
      fn();
      return;
    }
    if (bound > 0) {
      this.print('for<');
      for (let i = 0; i < bound; i++) {
        if (i > 0) this.print(', ');
        this.boundLifetimes++;
        this.lifetime(1);
      }
      this.print('> ');
    }
    fn();
    this.boundLifetimes -= bound;
  }

  private type(): void {
    const tag = this.next();
    const basic = BASIC_TYPES[tag];
    if (basic !== undefined) {
      this.print(basic);
      return;
    }
    this.push();
    switch (tag) {
      case 'R': case 'Q':
        this.print('&');
        if (this.eat('L')) {
          const lt = this.integer62();
          if (lt !== 0) {
            this.lifetime(lt);
            this.print(' ');
          }
        }
        if (tag === 'Q') this.print('mut ');
        this.type();
        break;
      case 'P': case 'O':
        this.print(tag === 'P' ? '*const ' : '*mut ');
        this.type();
        break;
      case 'A': case 'S':
        this.print('[');
        this.type();
        if (tag === 'A') {
          this.print('; ');
          this.constant(true);
        }
        this.print(']');
        break;
      case 'T': {
        this.print('(');
        const count = this.list(() => this.type(), ', ');
        this.print(count === 1 ? ',)' : ')');
        break;
      }
      case 'F':
        this.binder(() => this.fnSignature());
        break;
      case 'D': {
        this.print('dyn ');
        this.binder(() => {
          this.list(() => this.dynTrait(), ' + ');
        });
        if (!this.eat('L')) throw FAILED;
        const lt = this.integer62();
        if (lt !== 0) {
          this.print(' + ');
          this.lifetime(lt);
        }
        break;
      }
      case 'B':
        this.backref(() => this.type());
        break;
      case 'W':
        this.type();
        this.print(' is ');
        this.pattern();
        break;
      default:
        this.pos--;
        this.path(false);
    }
    this.pop();
  }

  private fnSignature(): void {
    const isUnsafe = this.eat('U');
    let abi: string | null = null;
    if (this.eat('K')) {
      if (this.eat('C')) {
        abi = 'C';
      } else {
        const id = this.ident();
        if (id.ascii === '' || id.punycode !== '') throw FAILED;
        abi = id.ascii;
      }
    }
    if (isUnsafe) this.print('unsafe ');
    // `-` in ABI names was mangled as `_`.
    if (abi !== null) this.print(`extern "${abi.split('_').join('-')}" `);
    this.print('fn(');
    this.list(() => this.type(), ', ');
    this.print(')');
    if (!this.eat('u')) {
      this.print(' -> ');
      this.type();
    }
  }

  /** A trait object's trait, with its associated type bindings inside the `<...>`. */
  private dynTrait(): void {
    let open = this.pathMaybeOpenGenerics();
    while (this.eat('p')) {
      this.print(open ? ', ' : '<');
      open = true;
      this.printIdent(this.ident());
      this.print(' = ');
      this.type();
    }
    if (open) this.print('>');
  }

  private pathMaybeOpenGenerics(): boolean {
    if (this.eat('B')) {
      let open = false;
      this.backref(() => {
        open = this.pathMaybeOpenGenerics();
      });
      return open;
    }
    if (this.eat('I')) {
      this.path(false);
      this.print('<');
      this.list(() => this.genericArg(), ', ');
      return true;
    }
    this.path(false);
    return false;
  }

  private pattern(): void {
    const tag = this.next();
    if (tag === 'R') {
      this.constant(false);
      this.print('..=');
      this.constant(false);
    } else if (tag === 'O') {
      this.push();
      this.pattern();
      while (!this.eat('E')) {
        if (this.pos >= this.s.length) throw FAILED;
        this.print(' | ');
        this.pattern();
      }
      this.pop();
    } else if (tag === 'N') {
      this.print('!null');
    } else {
      throw FAILED;
    }
  }

  /** A const generic argument; anything but a literal needs braces outside an expression. */
  private constant(inValue: boolean): void {
    const tag = this.next();
    this.push();
    let braced = false;
    const openBrace = () => {
      if (inValue) return;
      braced = true;
      this.print('{');
    };
    switch (tag) {
      case 'p': this.print('_'); break;
      case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
        this.print(unsignedText(this.hexNibbles()));
        break;
      case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
        if (this.eat('n')) this.print('-');
        this.print(unsignedText(this.hexNibbles()));
        break;
      case 'b': {
        const v = this.hexNibbles().replace(/^0+/, '');
        if (v === '') this.print('false');
        else if (v === '1') this.print('true');
        else throw FAILED;
        break;
      }
      case 'c': {
        const v = this.hexNibbles().replace(/^0+/, '');
        const code = v === '' ? 0 : v.length > 8 ? -1 : parseInt(v, 16);
        if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw FAILED;
        this.print(quote("'", String.fromCodePoint(code)));
        break;
      }
      case 'e':
        // A `str` value: `*"..."` (the literal itself has type `&str`).
        openBrace();
        this.print('*');
        this.stringLiteral();
        break;
      case 'R': case 'Q':
        if (tag === 'R' && this.eat('e')) {
          this.stringLiteral();
        } else {
          openBrace();
          this.print(tag === 'R' ? '&' : '&mut ');
          this.constant(true);
        }
        break;
      case 'A':
        openBrace();
        this.print('[');
        this.list(() => this.constant(true), ', ');
        this.print(']');
        break;
      case 'T': {
        openBrace();
        this.print('(');
        const count = this.list(() => this.constant(true), ', ');
        this.print(count === 1 ? ',)' : ')');
        break;
      }
      case 'V':
        openBrace();
        this.path(true);
        this.adtFields();
        break;
      case 'B':
        this.backref(() => this.constant(inValue));
        break;
      default:
        throw FAILED;
    }
    if (braced) this.print('}');
    this.pop();
  }

  private adtFields(): void {
    const kind = this.next();
    if (kind === 'U') return;
    if (kind === 'T') {
      this.print('(');
      this.list(() => this.constant(true), ', ');
      this.print(')');
    } else if (kind === 'S') {
      this.print(' { ');
      this.list(() => {
        this.disambiguator();
        this.printIdent(this.ident());
        this.print(': ');
        this.constant(true);
      }, ', ');
      this.print(' }');
    } else {
      throw FAILED;
    }
  }

  private hexNibbles(): string {
    const start = this.pos;
    for (;;) {
      const c = this.next();
      if (c === '_') break;
      if (!/[0-9a-f]/.test(c)) throw FAILED;
    }
    return this.s.slice(start, this.pos - 1);
  }

  private stringLiteral(): void {
    const hex = this.hexNibbles();
    if (hex.length % 2 !== 0) throw FAILED;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw FAILED;
    }
    this.print(quote('"', text));
  }
}
