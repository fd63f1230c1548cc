/**
 * Text helpers of the Rust v0 demangler (rust-v0.ts): Punycode identifiers,
 * quoted char and string constants, integer constants.
 */

/** An identifier as mangled: its ASCII part and, for `u`-prefixed ones, the Punycode insertions. */
export interface Ident {
  ascii: string;
  punycode: string;
}

/** An unsigned value from hex nibbles: decimal when it fits in a u64, else `0x...` as written. */
export function unsignedText(hex: string): string {
  const digits = hex.replace(/^0+/, '');
  if (digits.length > 16) return `0x${hex}`;
  return digits === '' ? '0' : BigInt(`0x${digits}`).toString();
}

/**
 * A quoted char or string constant, escaped as perf's demangler does: Rust's
 * `escape_debug`, with every non-ASCII character written `\u{...}` (its C
 * port has no Unicode tables).
 */
export function quote(q: string, text: string): string {
  let out = q;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (code < 0x20 || code >= 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out + q;
}

/**
 * RFC 3492 Punycode (Bootstring with Punycode's parameters), as v0 encodes
 * non-ASCII identifiers. Null when invalid or longer than rustc-demangle
 * decodes (128 characters): the caller prints `punycode{...}` instead.
 */
export function decodePunycode(ident: Ident): string | null {
  const base = 36;
  const tMin = 1;
  const tMax = 26;
  const skew = 38;
  let damp = 700;
  let bias = 72;
  let n = 0x80;
  let i = 0;
  const out = [...ident.ascii].map((c) => c.codePointAt(0)!);
  const input = ident.punycode;
  let k = 0;
  while (k < input.length) {
    let delta = 0;
    let w = 1;
    for (let t = base; ; t += base) {
      if (k >= input.length) return null;
      const c = input.charCodeAt(k++);
      const digit = c >= 0x61 && c <= 0x7a ? c - 0x61 : c >= 0x30 && c <= 0x39 ? 26 + c - 0x30 : -1;
      if (digit < 0) return null;
      delta += digit * w;
      if (delta > 0x7fffffff) return null;
      const threshold = Math.min(Math.max(t - bias, tMin), tMax);
      if (digit < threshold) break;
      w *= base - threshold;
      if (w > 0x7fffffff) return null;
    }
    const len = out.length + 1;
    i += delta;
    n += Math.floor(i / len);
    i %= len;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || out.length >= 128) return null;
    out.splice(i, 0, n);
    i++;
    if (k >= input.length) break;
    // Bias adaptation.
    delta = Math.floor(delta / damp);
    damp = 2;
    delta += Math.floor(delta / len);
    let shift = 0;
    while (delta > ((base - tMin) * tMax) >> 1) {
      delta = Math.floor(delta / (base - tMin));
      shift += base;
    }
    bias = shift + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
  }
  return String.fromCodePoint(...out);
}
