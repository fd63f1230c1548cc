/**
 * The fast path for one DHAT program point: reads a `{"tb":…,"fs":[…]}`
 * object straight from the bytes, in one loop, instead of a trip through
 * the tokenizer and the reader's states per token. A big file is nearly all
 * program points (cc1plus: 88k of them, 28 MB), each thirteen members of
 * plain integers, so this is where the import's time goes.
 *
 * It takes only the common shape: the known members (PP_FIELDS, "fs",
 * "acc") holding plain integers (at most 15 digits, no sign, fraction or
 * exponent, except acc's negative run lengths), JSON whitespace anywhere
 * the grammar allows it, and the whole object within the buffer. Anything
 * else — an unknown member, a float, a negative count, a second "fs", an
 * object cut by the chunk's end, a byte out of place — is declined (-1)
 * with nothing kept, and the tokenizer reads that object the general way,
 * which accepts what it may and names the problem otherwise. So the
 * grammar and the checks are the reader's, only faster where they pass.
 */

import { PP_FIELDS } from './program-point-fields';

/** Member numbers: PP_FIELDS indexes, then "fs" (FS), then "acc". */
const FS = PP_FIELDS.length;
const UNKNOWN = -1;

/**
 * Member numbers by name, for names of up to three lowercase letters: the
 * name's letters (a = 1 ... z = 26) are the digits of its index in base 27.
 * An array lookup per member, where a Map's was a visible share of the time.
 */
const MEMBER_BY_CODE = new Int8Array(27 * 27 * 27).fill(UNKNOWN);
[...PP_FIELDS, 'fs', 'acc'].forEach((name, index) => {
  let code = 0;
  for (let i = 0; i < name.length; i++) code = code * 27 + (name.charCodeAt(i) - 0x60);
  MEMBER_BY_CODE[code] = index;
});

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

export class ProgramPointBytes {
  /** The member values of the last point read, by PP_FIELDS index; NaN where absent. */
  readonly values = new Float64Array(PP_FIELDS.length);
  /** Its frame indexes (frames[0 .. frameCount)), leaf first as in "fs". */
  frames = new Int32Array(256);
  frameCount = 0;
  /** The largest of them (-1 for none). */
  maxFrame = -1;

  /** Where the last number read ended (numbers return their value; this is their second result). */
  private numberEnd = 0;

  /**
   * Reads the object opening at buf[open] ('{'). Returns the index after its
   * closing brace with `values` and `frames` filled, or -1 when the general
   * path must read it. Every read is bounds-checked first: a typed array
   * read past its end would send V8 down its slow generic path.
   */
  read(buf: Uint8Array, open: number): number {
    const n = buf.length;
    const values = this.values;
    values.fill(NaN);
    let sawFrames = false;
    let i = skipSpace(buf, open + 1);
    // An empty object has no "fs": the general path says so.
    if (i >= n || buf[i] !== QUOTE) return -1;
    for (;;) {
      // A member name: a few lowercase letters between quotes.
      const nameStart = i + 1;
      let j = nameStart;
      let code = 0;
      while (j < n && j - nameStart < 3) {
        const c = buf[j];
        if (c < 0x61 || c > 0x7a) break;
        code = code * 27 + (c - 0x60);
        j++;
      }
      if (j >= n || buf[j] !== QUOTE) return -1;
      const member = MEMBER_BY_CODE[code];
      if (member === UNKNOWN) return -1;
      i = skipSpace(buf, j + 1);
      if (i >= n || buf[i] !== COLON) return -1;
      i = skipSpace(buf, i + 1);
      if (member < FS) {
        const value = this.readCount(buf, i);
        if (value < 0) return -1;
        values[member] = value;
        i = this.numberEnd;
      } else {
        if (member === FS) {
          if (sawFrames) return -1;
          sawFrames = true;
        }
        i = this.readIntegers(buf, i, member === FS);
        if (i < 0) return -1;
      }
      i = skipSpace(buf, i);
      if (i >= n) return -1;
      const c = buf[i];
      if (c === CLOSE_BRACE) return sawFrames ? i + 1 : -1;
      if (c !== COMMA) return -1;
      i = skipSpace(buf, i + 1);
      if (i >= n || buf[i] !== QUOTE) return -1;
    }
  }

  /**
   * A plain non-negative integer at `from`: its value, with numberEnd set
   * after it; -1 when the number is anything else or runs to the buffer's end.
   */
  private readCount(buf: Uint8Array, from: number): number {
    const n = buf.length;
    let j = from;
    let value = 0;
    while (j < n) {
      const d = buf[j] - ZERO;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      j++;
    }
    const length = j - from;
    if (j >= n || length === 0 || length > 15 || (length > 1 && buf[from] === ZERO)) return -1;
    const next = buf[j];
    // A fraction or an exponent makes it another number.
    if (next === 0x2e || next === 0x65 || next === 0x45) return -1;
    this.numberEnd = j;
    return value;
  }

  /**
   * An array of integers at `from` ("fs" when `keep`, else "acc", whose
   * negative run lengths are read and dropped). Returns the index after ']'
   * or -1.
   */
  private readIntegers(buf: Uint8Array, from: number, keep: boolean): number {
    const n = buf.length;
    if (from >= n || buf[from] !== OPEN_BRACKET) return -1;
    let i = skipSpace(buf, from + 1);
    if (keep) {
      this.frameCount = 0;
      this.maxFrame = -1;
    }
    if (i < n && buf[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      // One integer, read here rather than through readCount: this loop reads most of a file's numbers.
      let j = i;
      if (j < n && buf[j] === MINUS) {
        if (keep) return -1;
        j++;
      }
      const digits = j;
      let value = 0;
      while (j < n) {
        const d = buf[j] - ZERO;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        j++;
      }
      const length = j - digits;
      if (j >= n || length === 0 || length > 15 || (length > 1 && buf[digits] === ZERO)) return -1;
      let c = buf[j];
      if (c === 0x2e || c === 0x65 || c === 0x45) return -1;
      if (keep) {
        // A frame index past int32 is refused by the general path, with its message.
        if (value > 0x7fffffff) return -1;
        if (this.frameCount === this.frames.length) this.growFrames();
        this.frames[this.frameCount++] = value;
        if (value > this.maxFrame) this.maxFrame = value;
      }
      if (c !== COMMA && c !== CLOSE_BRACKET) {
        j = skipSpace(buf, j);
        if (j >= n) return -1;
        c = buf[j];
      }
      if (c === CLOSE_BRACKET) return j + 1;
      if (c !== COMMA) return -1;
      i = skipSpace(buf, j + 1);
    }
  }

  private growFrames(): void {
    const bigger = new Int32Array(this.frames.length * 2);
    bigger.set(this.frames);
    this.frames = bigger;
  }
}

/** The index of the first byte at or after `from` that is not JSON whitespace (buf.length at most). */
function skipSpace(buf: Uint8Array, from: number): number {
  const n = buf.length;
  let i = from;
  while (i < n) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}
