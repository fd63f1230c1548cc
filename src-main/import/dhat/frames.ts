/**
 * Frame descriptions as valgrind prints them (DHAT's ftbl, massif's trees)
 * and as dhat-rs writes them into its ftbl:
 *
 *   0x4AA1D9F: _nl_normalize_codeset (l10nflist.c:332)       valgrind, with debug info
 *   0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)
 *   0x4005F4: ??? (in /usr/bin/prog)                          no symbol
 *   0x4005F4: ???                                             nothing known
 *   0x10c1e4108: heap::main (heap.rs:9:5)                    dhat-rs: file:line:column
 *   0x10c1e4108: ??? (???:0:0)                               dhat-rs, unresolved
 *
 * Sources: valgrind coregrind/m_debuginfo/debuginfo.c (VG_(describe_IP)),
 * dhat-rs src/lib.rs (`"{:?}: {:#} ({:#}:{}:{})"` in Globals::finish).
 *
 * The location is the LAST parenthesised group, opened by " (": C++ names
 * carry their own parentheses ("Encoder::tokenize(std::istream&) (in
 * /usr/bin/gosdt)"). Columns are parsed but the model has no column, so
 * they are dropped.
 */

import { unnamedCodeName } from '../unnamed-code';

export interface ParsedFrame {
  /** The code address; -1 when the text has none. */
  address: number;
  /** The function name; null for "???" (the caller names it by its address). */
  name: string | null;
  file: string | null;
  /** Source line; -1 when unknown. */
  line: number;
  /** The object file ("in /lib/libc.so.6"), when valgrind had no line info. */
  library: string | null;
}

const ADDRESS = /^0x([0-9a-fA-F]{1,16}): /;
const FILE_LINE = /^(.+?):(\d+)(?::\d+)?$/;

export function parseValgrindFrame(text: string): ParsedFrame {
  const frame: ParsedFrame = { address: -1, name: null, file: null, line: -1, library: null };
  let rest = text;
  const address = ADDRESS.exec(text);
  if (address !== null) {
    frame.address = parseInt(address[1], 16);
    rest = text.slice(address[0].length);
  }
  const open = locationStart(rest);
  let name = rest;
  if (open !== -1) {
    name = rest.slice(0, open - 1);
    const location = rest.slice(open + 1, -1);
    if (location.startsWith('in ')) {
      frame.library = location.slice(3) || null;
    } else {
      const fileLine = FILE_LINE.exec(location);
      if (fileLine !== null) {
        const line = Number(fileLine[2]);
        if (fileLine[1] !== '???') frame.file = fileLine[1];
        if (line > 0 && line <= 0x7fffffff) frame.line = line;
      } else if (location !== '???') {
        // Not a location after all: part of the name.
        name = rest;
      }
    }
  }
  name = name.trim();
  frame.name = name === '' || name === '???' ? null : name;
  return frame;
}

/** Index of the "(" that opens the final "(...)" when it follows a space; -1 otherwise. */
function locationStart(text: string): number {
  if (!text.endsWith(')')) return -1;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i > 0 && text.charCodeAt(i - 1) === 32 ? i : -1;
  }
  return -1;
}

/** The name a frame is shown by: its function, or its binary and address when the function is unknown. */
export function frameName(frame: ParsedFrame, fallback: string): string {
  if (frame.name !== null) return frame.name;
  return frame.address >= 0 ? unnamedCodeName(frame.address, frame.library) : fallback;
}

/**
 * Inline depths for frames listed leaf first. valgrind and dhat-rs print an
 * inlined call as extra frames with the same address as the real frame that
 * contains them, innermost first, so a run of equal addresses is one real
 * frame (the run's last, depth 0) and the functions inlined into it (depth
 * 1 for the outermost inlined one, counting inwards), as the model wants.
 */
export function inlineDepthsLeafFirst(addresses: ArrayLike<number>): Uint8Array {
  const depths = new Uint8Array(addresses.length);
  let runEnd = addresses.length - 1;
  for (let i = addresses.length - 1; i >= 0; i--) {
    if (i === addresses.length - 1 || addresses[i] < 0 || addresses[i] !== addresses[i + 1]) runEnd = i;
    depths[i] = Math.min(255, runEnd - i);
  }
  return depths;
}
