/**
 * Reads an ImportSource as text, one callback per line.
 *
 * A callback rather than an async generator per line: `perf script` output
 * runs to tens of millions of lines, and a promise per line costs more than
 * parsing it. Each chunk is decoded once (streaming UTF-8, so a character
 * split across chunks survives), split with indexOf, and every line is a
 * slice of the decoded chunk. Lines end at "\n"; a "\r" before it (CRLF
 * files) is dropped.
 *
 * Progress is reported and cancellation checked once per chunk, which is
 * often enough for a progress bar and costs nothing per line.
 */

import { CancelledError, ImportError } from '../../src-shared/errors';
import { HEAD_BYTES, type ImportOptions, type ImportSource } from './importer';

/**
 * Called per line. `lineNumber` counts from 1. `terminated` is false only
 * for a last line that has no newline after it: importers use it to tell a
 * truncated file ("truncated at line N") from a malformed one ("line N").
 */
export type LineHandler = (line: string, lineNumber: number, terminated: boolean) => void;

export interface ReadLinesResult {
  /** Number of lines delivered. */
  lineCount: number;
  /** False when the content's last line had no newline after it. True for empty content. */
  lastLineTerminated: boolean;
}

/**
 * No profile line is this long; a "line" that is means binary or broken
 * input, and holding it would only end in an out-of-memory crash.
 */
const MAX_LINE_CHARS = 1 << 26;

const CR = 13;

export async function readLines(source: ImportSource, options: ImportOptions, onLine: LineHandler): Promise<ReadLinesResult> {
  const decoder = new TextDecoder('utf-8');
  const { signal, onProgress } = options;
  let carry = '';
  let lineNumber = 0;
  let bytesDone = 0;

  for await (const chunk of source.chunks()) {
    if (signal?.aborted) throw new CancelledError();
    const text = carry + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      onLine(text.slice(start, end), ++lineNumber, true);
      start = newline + 1;
    }
    carry = start === 0 ? text : text.slice(start);
    if (carry.length > MAX_LINE_CHARS) {
      throw new ImportError(`line ${lineNumber + 1}: longer than ${MAX_LINE_CHARS} characters; not a text profile`);
    }
    bytesDone += chunk.byteLength;
    onProgress?.(bytesDone, source.size);
  }
  if (signal?.aborted) throw new CancelledError();

  const rest = carry + decoder.decode();
  if (rest.length === 0) return { lineCount: lineNumber, lastLineTerminated: true };
  const end = rest.charCodeAt(rest.length - 1) === CR ? rest.length - 1 : rest.length;
  onLine(rest.slice(0, end), ++lineNumber, false);
  return { lineCount: lineNumber, lastLineTerminated: false };
}

/**
 * A copy of `text` that shares no memory with the chunk it was sliced from.
 *
 * V8 keeps a slice of a string as a pointer into its parent, so a name kept
 * in a table (an interned function name, a cache key) would keep its whole
 * decoded chunk (a megabyte) alive. Call this on strings that outlive the
 * line, which importers do only when they first meet a name: concatenation
 * makes a new string and slicing it flattens that into fresh memory.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

/**
 * The complete lines at the start of `head` (a file's first bytes), for
 * sniffing, at most `limit` of them. A head shorter than HEAD_BYTES is the
 * whole file, so its last line is complete even without a newline; in a full
 * head the last line may be cut short and is left out.
 */
export function headLines(head: Uint8Array, limit: number): string[] {
  const text = new TextDecoder('utf-8').decode(head);
  const lines = text.split('\n', limit + 1);
  const wholeFile = head.byteLength < HEAD_BYTES;
  if (lines.length > limit) lines.length = limit;
  else if (!wholeFile || lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** True when `head` has a NUL byte: binary data, never a text profile. */
export function hasNulByte(head: Uint8Array): boolean {
  return head.indexOf(0) !== -1;
}
