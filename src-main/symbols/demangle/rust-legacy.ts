/**
 * Rust's legacy symbol mangling: an Itanium-style nested name whose last
 * element is a hash, `_ZN4core3fmt5write17h0123456789abcdefE`, with
 * punctuation escaped inside the elements (`$LT$` for `<`, `..` for `::`).
 *
 * Printed the way `perf report` shows Rust frames (perf ports
 * rustc-demangle and prints its "alternate" form): elements joined by `::`,
 * escapes decoded, the hash dropped, `core::fmt::write`. c++filt keeps the
 * hash (`core::fmt::write::h0123456789abcdef`); perf is what users of a
 * profiler compare with.
 *
 * Rules: rustc's compiler/rustc_symbol_mangling/src/legacy.rs (the encoder)
 * and rustc-demangle's src/legacy.rs (the decoder whose output perf shows).
 */

/** The demangled name, or null when `symbol` is not a legacy Rust symbol. */
export function demangleRustLegacy(symbol: string): string | null {
  const body = stripLlvmSuffix(symbol);
  let start: number;
  if (body.startsWith('_ZN')) start = 3;
  else if (body.startsWith('__ZN')) start = 4; // macOS adds an underscore
  else return null;
  const elements: string[] = [];
  let i = start;
  for (;;) {
    if (i >= body.length) return null;
    const c = body.charCodeAt(i);
    if (c === 0x45 /* E */) break;
    if (c < 0x30 || c > 0x39) return null;
    let len = 0;
    while (i < body.length && body.charCodeAt(i) >= 0x30 && body.charCodeAt(i) <= 0x39) {
      len = len * 10 + body.charCodeAt(i) - 0x30;
      if (len > body.length) return null;
      i++;
    }
    if (len === 0 || i + len > body.length) return null;
    elements.push(body.slice(i, i + len));
    i += len;
  }
  const rest = body.slice(i + 1);
  // Only symbols ending in rustc's hash are Rust's: other `_ZN...E` names are C++ data symbols.
  if (elements.length < 2 || !isHash(elements[elements.length - 1])) return null;
  if (rest !== '' && !isSymbolLikeSuffix(rest)) return null;
  for (let k = 0; k < i; k++) if (body.charCodeAt(k) > 0x7e) return null;
  return elements.slice(0, -1).map(decodeElement).join('::') + rest;
}

/** `h` and 16 lowercase hex digits: what rustc appends (perf recognises exactly this). */
function isHash(element: string): boolean {
  return /^h[0-9a-f]{16}$/.test(element);
}

/**
 * ThinLTO renames local symbols to `name.llvm.<hex>`: dropped like
 * rustc-demangle does. Other `.suffix` words (LLVM's `.cold`, `.exit.i`)
 * stay in the output after the name. Shared with the v0 demangler.
 */
export function stripLlvmSuffix(symbol: string): string {
  const llvm = symbol.indexOf('.llvm.');
  return llvm >= 0 && /^[0-9A-F@]*$/.test(symbol.slice(llvm + 6)) ? symbol.slice(0, llvm) : symbol;
}

function isSymbolLikeSuffix(rest: string): boolean {
  return rest.startsWith('.') && /^[\x21-\x7e]*$/.test(rest);
}

/**
 * The escapes perf decodes (rustc-demangle's original table). perf prints an
 * element from its first unknown escape on verbatim, so a non-ASCII
 * identifier stays `g$uf6$del` rather than becoming `gödel`; so do we.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',',
  u7e: '~', u20: ' ', u27: "'", u3d: '=', u5b: '[', u5d: ']', u7b: '{', u7d: '}',
  u3b: ';', u2b: '+', u21: '!', u22: '"',
};

/** One path element: `..` is `::`, `$XX$` escapes decode; an unknown escape ends decoding. */
function decodeElement(element: string): string {
  let rest = element.startsWith('_$') ? element.slice(1) : element;
  let out = '';
  while (rest !== '') {
    if (rest.startsWith('.')) {
      const double = rest.startsWith('..');
      out += double ? '::' : '.';
      rest = rest.slice(double ? 2 : 1);
      continue;
    }
    if (rest.startsWith('$')) {
      const end = rest.indexOf('$', 1);
      const decoded = end < 0 ? undefined : ESCAPES[rest.slice(1, end)];
      if (decoded === undefined) break;
      out += decoded;
      rest = rest.slice(end + 1);
      continue;
    }
    const stop = rest.search(/[$.]/);
    out += stop < 0 ? rest : rest.slice(0, stop);
    rest = stop < 0 ? '' : rest.slice(stop);
  }
  return out + rest;
}
