/**
 * An incremental JSON tokenizer: feed it the bytes of a document chunk by
 * chunk and it calls a handler per token (SAX style), so a 100 MB+ DHAT file
 * is read with memory proportional to what the handler keeps, never as one
 * string or one object graph (JSON.parse would need both at once).
 *
 * It checks the full JSON grammar (RFC 8259): a malformed or truncated
 * document ends in a JsonSyntaxError naming the byte offset. A token cut by
 * a chunk boundary is carried over to the next chunk; tokens are bounded
 * (MAX_TOKEN_BYTES) and so is nesting (MAX_DEPTH), so hostile input cannot
 * make it hold unbounded memory.
 */

export interface JsonHandler {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  /** An object member's name; its value's callbacks follow. */
  key(name: string): void;
  string(value: string): void;
  number(value: number): void;
  literal(value: boolean | null): void;
  /**
   * While true, plain integers inside arrays are checked against the grammar
   * but not passed to number(): for a handler that would only look at them
   * to see they are integers (anything else still reaches number()).
   */
  readonly skipArrayIntegers?: boolean;
  /**
   * Optional fast path for an object the handler can read whole by itself
   * (DHAT's program points): called at its '{' (buf[open]); returns the
   * index after its closing brace, having done what the object's callbacks
   * would have, or -1 to have it tokenized as usual. A handler returns an
   * index only for bytes that are a valid JSON object: the grammar check of
   * that object is then its own.
   */
  readWholeObject?(buf: Uint8Array, open: number): number;
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    message: string,
    /** Byte offset in the document where the problem is. */
    readonly offset: number,
    /** True when the document simply stopped early (a cut file). */
    readonly truncated = false,
  ) {
    super(message);
  }
}

/**
 * No DHAT string comes near this: frames are symbol names, and the command
 * line is bounded by Linux's ARG_MAX (2 MiB). A longer token means broken
 * input; the bound also caps the cost of carrying a token across chunks.
 */
const MAX_TOKEN_BYTES = 4 << 20;
const MAX_DEPTH = 512;

// What the grammar allows next.
const enum Expect {
  Value,
  ValueOrEndArray,
  KeyOrEndObject,
  Key,
  Colon,
  CommaOrEnd,
  Done,
}

const OBJECT = 1;
const ARRAY = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

export class JsonScanner {
  private readonly containers = new Uint8Array(MAX_DEPTH);
  private depth = 0;
  private expect = Expect.Value;
  /** Bytes of a token cut by the end of the previous chunk. */
  private pending: Uint8Array | null = null;
  /** Document offset of index 0 of the buffer being scanned; between writes, of the carried token. */
  private base = 0;
  private stopped = false;
  private started = false;
  private readonly keyCache = new Map<number, string>();

  constructor(private readonly handler: JsonHandler) {}

  /** Bytes consumed so far (the offset of the next unread byte). */
  get offset(): number {
    return this.base + (this.pending?.length ?? 0);
  }

  /** Nesting depth at the current point: 1 inside the top-level object or array. */
  get currentDepth(): number {
    return this.depth;
  }

  /** True once the top-level value is complete. */
  get done(): boolean {
    return this.expect === Expect.Done;
  }

  /** Makes write() return at the next token: for sniffing a file's first members. */
  stop(): void {
    this.stopped = true;
  }

  write(bytes: Uint8Array): void {
    // A plain Uint8Array view of a Buffer: scan() then only ever sees one kind of array, so V8 keeps
    // its byte reads monomorphic (Node's Buffer is a subclass with its own map).
    const chunk = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let from = 0;
    if (this.pending !== null) {
      // Finish the carried token with the first bytes of this chunk, joining as few as it takes
      // (copying whole chunks would double the work on a big file).
      const pending = this.pending;
      for (let take = Math.min(chunk.length, 4096); ; take = Math.min(chunk.length, take * 4)) {
        const joined = new Uint8Array(pending.length + take);
        joined.set(pending);
        joined.set(chunk.subarray(0, take), pending.length);
        const end = this.scan(joined, 0, false);
        if (end >= pending.length) {
          // Past the carried token: go on in the chunk itself, from where the scan stopped.
          from = end - pending.length;
          this.base += pending.length;
          this.pending = null;
          break;
        }
        // The scan stopped at the carried token's start (end is 0): it needs more bytes.
        if (take === chunk.length) {
          this.carry(joined, end);
          return;
        }
      }
    }
    const end = this.scan(chunk, from, false);
    if (end < chunk.length) this.carry(chunk, end);
    else this.base += chunk.length;
  }

  /** Keeps buf[end...] (an unfinished token) for the next chunk; `this.base` is buf's offset. */
  private carry(buf: Uint8Array, end: number): void {
    if (buf.length - end > MAX_TOKEN_BYTES) {
      throw new JsonSyntaxError(`byte ${this.base + end}: a string or number longer than ${MAX_TOKEN_BYTES} bytes`, this.base + end);
    }
    this.pending = buf.slice(end);
    this.base += end;
  }

  /** The document is complete: finish a number at its very end, or report truncation. */
  end(): void {
    if (this.stopped) return;
    const rest = this.pending ?? new Uint8Array(0);
    this.pending = null;
    this.base += this.scan(rest, 0, true);
    if (this.expect !== Expect.Done) {
      const what = this.started ? 'the JSON ends early' : 'no JSON value';
      throw new JsonSyntaxError(`${what} (truncated at byte ${this.base})`, this.base, true);
    }
  }

  /**
   * Scans `buf` from `from` (buf[0] is at document offset this.base); returns
   * the index where an unfinished token starts, or buf.length.
   */
  private scan(buf: Uint8Array, from: number, final: boolean): number {
    const h = this.handler;
    const n = buf.length;
    let i = from;
    if (!this.started && this.base === 0 && from === 0 && n > 0 && buf[0] === 0xef) {
      // A UTF-8 byte order mark, which may itself be cut by a chunk boundary.
      if (n < 3 && !final) return 0;
      if (buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    }
    while (i < n) {
      if (this.stopped) return n;
      const c = buf[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      this.started = true;
      if (this.expect === Expect.Done) this.fail(buf, i, 'more data after the end of the JSON value');
      if (this.expect === Expect.ValueOrEndArray) {
        if (c === 0x5d) {
          this.close(false);
          i++;
          continue;
        }
        this.expect = Expect.Value;
      }
      switch (this.expect) {
        case Expect.Colon:
          if (c !== COLON) this.fail(buf, i, "expected ':' after a member name");
          this.expect = Expect.Value;
          i++;
          continue;
        case Expect.CommaOrEnd: {
          const inObject = this.containers[this.depth - 1] === OBJECT;
          if (c === COMMA) {
            this.expect = inObject ? Expect.Key : Expect.Value;
            i++;
            continue;
          }
          if (c === (inObject ? 0x7d : 0x5d)) {
            this.close(inObject);
            i++;
            continue;
          }
          this.fail(buf, i, inObject ? "expected ',' or '}' after a member" : "expected ',' or ']' after an element");
        }
        case Expect.KeyOrEndObject:
        case Expect.Key: {
          if (c === 0x7d && this.expect === Expect.KeyOrEndObject) {
            this.close(true);
            i++;
            continue;
          }
          if (c !== QUOTE) this.fail(buf, i, 'expected a member name in double quotes');
          const close = this.findStringEnd(buf, i);
          if (close < 0) return this.unfinished(buf, i, final, 'a member name');
          h.key(this.decodeKey(buf, i + 1, close));
          this.expect = Expect.Colon;
          i = close + 1;
          continue;
        }
        case Expect.Value: {
          if ((c === MINUS || (c >= ZERO && c <= NINE)) && this.depth > 0 && this.containers[this.depth - 1] === ARRAY) {
            const next = this.integerRun(buf, i);
            if (next !== i) {
              i = next;
              continue;
            }
          }
          if (c === 0x7b && h.readWholeObject !== undefined) {
            const end = h.readWholeObject(buf, i);
            if (end >= 0) {
              this.afterValue();
              i = end;
              continue;
            }
          }
          if (c === 0x7b || c === 0x5b) {
            if (this.depth === MAX_DEPTH) this.fail(buf, i, `nested deeper than ${MAX_DEPTH} levels`);
            const isObject = c === 0x7b;
            this.containers[this.depth++] = isObject ? OBJECT : ARRAY;
            this.expect = isObject ? Expect.KeyOrEndObject : Expect.ValueOrEndArray;
            if (isObject) h.startObject();
            else h.startArray();
            i++;
            continue;
          }
          if (c === QUOTE) {
            const close = this.findStringEnd(buf, i);
            if (close < 0) return this.unfinished(buf, i, final, 'a string');
            const value = this.decodeString(buf, i + 1, close);
            this.afterValue();
            h.string(value);
            i = close + 1;
            continue;
          }
          if (c >= ZERO && c <= NINE) {
            // Fast path for the common case, a short non-negative integer ended within this buffer.
            let j = i;
            let value = 0;
            while (j < n && buf[j] >= ZERO && buf[j] <= NINE) value = value * 10 + (buf[j++] - ZERO);
            const next = buf[j];
            if (j < n && j - i <= 15 && (c !== ZERO || j - i === 1) && next !== DOT && next !== 0x65 && next !== 0x45 && next !== MINUS && next !== PLUS) {
              this.afterValue();
              h.number(value);
              i = j;
              continue;
            }
          }
          if (c === MINUS || (c >= ZERO && c <= NINE)) {
            const stop = numberEnd(buf, i);
            if (stop === n && !final) return this.unfinished(buf, i, final, 'a number');
            const value = parseNumber(buf, i, stop);
            // "-" or "1e" cut off by the end of the file is truncation, not a typo.
            if (value === null && stop === n && final) return this.unfinished(buf, i, final, 'a number');
            if (value === null) this.fail(buf, i, 'a malformed number');
            this.afterValue();
            h.number(value as number);
            i = stop;
            continue;
          }
          const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : null;
          if (literal === null) this.fail(buf, i, 'expected a value');
          const text = literal as string;
          if (n - i < text.length) {
            if (matchesPrefix(buf, i, n, text)) return this.unfinished(buf, i, final, 'a literal');
            this.fail(buf, i, 'expected a value');
          }
          if (!matchesPrefix(buf, i, i + text.length, text)) this.fail(buf, i, 'expected a value');
          this.afterValue();
          h.literal(text === 'true' ? true : text === 'false' ? false : null);
          i += text.length;
          continue;
        }
      }
    }
    return n;
  }

  /**
   * Elements of an array that are plain integers separated by bare commas
   * (DHAT's "fs" and "acc", most of a big file's tokens), read in one tight
   * loop instead of one trip through the grammar's states per token. Returns
   * the index after what it consumed; `from` itself when the first element
   * is not such an integer, and it stops before any element that is not
   * (a fraction, an exponent, a leading zero, 16+ digits, a number cut by the
   * buffer's end, whitespace), which the general path then reads: the
   * grammar checked is the same.
   */
  private integerRun(buf: Uint8Array, from: number): number {
    const h = this.handler;
    const n = buf.length;
    let i = from;
    for (;;) {
      let j = i;
      const negative = buf[j] === MINUS;
      if (negative) j++;
      const digits = j;
      let value = 0;
      while (j < n) {
        const d = buf[j] - ZERO;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        j++;
      }
      const length = j - digits;
      if (j === n || length === 0 || length > 15 || (length > 1 && buf[digits] === ZERO)) return i;
      const stop = buf[j];
      if (stop === COMMA) {
        this.expect = Expect.CommaOrEnd;
        if (h.skipArrayIntegers !== true) h.number(negative ? -value : value);
        // After the comma the grammar wants a value, whatever comes next.
        this.expect = Expect.Value;
        i = j + 1;
        if (this.stopped || i === n) return i;
        const c = buf[i];
        if (c !== MINUS && (c < ZERO || c > NINE)) return i;
      } else if (stop === 0x5d) {
        this.expect = Expect.CommaOrEnd;
        if (h.skipArrayIntegers !== true) h.number(negative ? -value : value);
        this.close(false);
        return j + 1;
      } else {
        return i;
      }
    }
  }

  private afterValue(): void {
    this.expect = this.depth === 0 ? Expect.Done : Expect.CommaOrEnd;
  }

  private close(isObject: boolean): void {
    this.depth--;
    this.afterValue();
    if (isObject) this.handler.endObject();
    else this.handler.endArray();
  }

  /** A token runs past the buffer: carry it over, unless this is the end of the document. */
  private unfinished(buf: Uint8Array, start: number, final: boolean, what: string): number {
    if (final) {
      throw new JsonSyntaxError(`the JSON ends early inside ${what} (truncated at byte ${this.base + buf.length})`, this.base + start, true);
    }
    return start;
  }

  /** Index of the closing quote of the string opening at `open`, or -1 when it is not in `buf`. */
  private findStringEnd(buf: Uint8Array, open: number): number {
    for (let j = open + 1; j < buf.length; j++) {
      const c = buf[j];
      if (c === QUOTE) return j;
      if (c === BACKSLASH) j++;
      else if (c < 0x20) this.fail(buf, j, 'a control character inside a string');
    }
    return -1;
  }

  /**
   * Member names repeat millions of times ("tb", "fs", ...): short ASCII
   * names come from a cache keyed by a hash of their bytes, checked byte
   * for byte, instead of a new string each time.
   */
  private decodeKey(buf: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length > 24) return this.decodeString(buf, start, end);
    let hash = length;
    for (let j = start; j < end; j++) {
      const c = buf[j];
      if (c === BACKSLASH || c >= 0x80) return this.decodeString(buf, start, end);
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    const cached = this.keyCache.get(hash);
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let j = 0; j < length; j++) {
        if (cached.charCodeAt(j) !== buf[start + j]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const key = latin1.decode(buf.subarray(start, end));
    if (this.keyCache.size < 4096) this.keyCache.set(hash, key);
    return key;
  }

  private decodeString(buf: Uint8Array, start: number, end: number): string {
    let plain = true;
    for (let j = start; j < end; j++) {
      const c = buf[j];
      if (c === BACKSLASH || c >= 0x80) {
        plain = false;
        break;
      }
    }
    if (plain) {
      // ASCII without escapes, the common case for frames: latin1 decoding is a straight copy.
      return latin1.decode(buf.subarray(start, end));
    }
    const raw = utf8.decode(buf.subarray(start, end));
    if (raw.indexOf('\\') === -1) return raw;
    try {
      // The raw text has no unescaped quote or control character, so JSON.parse
      // applies exactly JSON's escape rules (\uXXXX, surrogate pairs) to it.
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.fail(buf, start, 'a malformed escape in a string');
    }
  }

  private fail(buf: Uint8Array, index: number, message: string): never {
    const c = buf[index];
    const found = c === undefined ? '' : c >= 0x20 && c < 0x7f ? `, found '${String.fromCharCode(c)}'` : `, found byte 0x${c.toString(16)}`;
    throw new JsonSyntaxError(`byte ${this.base + index}: ${message}${found}`, this.base + index);
  }
}

function matchesPrefix(buf: Uint8Array, from: number, to: number, text: string): boolean {
  for (let j = from; j < to; j++) if (buf[j] !== text.charCodeAt(j - from)) return false;
  return true;
}

/** End of the run of number characters at `start` (grammar checked in parseNumber). */
function numberEnd(buf: Uint8Array, start: number): number {
  let j = start;
  while (j < buf.length) {
    const c = buf[j];
    if ((c >= ZERO && c <= NINE) || c === MINUS || c === PLUS || c === DOT || c === 0x65 || c === 0x45) j++;
    else break;
  }
  return j;
}

/** The number in buf[start, end), or null when it breaks JSON's number grammar. */
function parseNumber(buf: Uint8Array, start: number, end: number): number | null {
  let j = start;
  const negative = buf[j] === MINUS;
  if (negative) j++;
  const intStart = j;
  while (j < end && buf[j] >= ZERO && buf[j] <= NINE) j++;
  const intDigits = j - intStart;
  if (intDigits === 0 || (intDigits > 1 && buf[intStart] === ZERO)) return null;
  if (j === end && intDigits <= 15) {
    // Integers, nearly every DHAT number: exact without building a string.
    let value = 0;
    for (let k = intStart; k < end; k++) value = value * 10 + (buf[k] - ZERO);
    return negative ? -value : value;
  }
  if (j < end && buf[j] === DOT) {
    j++;
    const fracStart = j;
    while (j < end && buf[j] >= ZERO && buf[j] <= NINE) j++;
    if (j === fracStart) return null;
  }
  if (j < end && (buf[j] === 0x65 || buf[j] === 0x45)) {
    j++;
    if (j < end && (buf[j] === PLUS || buf[j] === MINUS)) j++;
    const expStart = j;
    while (j < end && buf[j] >= ZERO && buf[j] <= NINE) j++;
    if (j === expStart) return null;
  }
  if (j !== end) return null;
  return Number(String.fromCharCode(...buf.subarray(start, end)));
}
