/**
 * The reference answers for the symbolization tests, from the real tools:
 * `addr2line -a -f -i` (functions, files, lines, inline chains), `nm`
 * (symbols), `readelf --debug-dump=decodedline` (line tables) and
 * `llvm-symbolizer --inlining` (and its --verbose declarations). Each parser keeps the tool's own meaning;
 * the tests state where Heatline deliberately differs.
 */

import { runTool } from './compile';

export interface ToolFrame {
  /** Function name, or null where the tool printed `??`. */
  name: string | null;
  /** File path, or null for `??`. */
  file: string | null;
  /** Line, 0 where the tool printed `?` or 0. */
  line: number;
}

const hex = (a: number) => `0x${a.toString(16)}`;

/** `file:line (discriminator N)` -> file, line. */
function parseLocation(text: string): { file: string | null; line: number } {
  const clean = text.replace(/ \(discriminator \d+\)$/, '');
  const colon = clean.lastIndexOf(':');
  const file = colon < 0 ? clean : clean.slice(0, colon);
  const line = colon < 0 ? 0 : Number.parseInt(clean.slice(colon + 1), 10);
  return { file: file === '??' ? null : file, line: Number.isFinite(line) ? line : 0 };
}

/** `addr2line -a -f -i [-C] -e binary` for every address (link-time virtual addresses). */
export function addr2line(binary: string, addresses: readonly number[], options: { demangle?: boolean } = {}): ToolFrame[][] {
  const args = ['-a', '-f', '-i', ...(options.demangle ? ['-C'] : []), '-e', binary];
  const out = runTool('addr2line', args, addresses.map(hex).join('\n') + '\n');
  const lines = out.split('\n');
  const results: ToolFrame[][] = [];
  let i = 0;
  while (i < lines.length) {
    if (!/^0x[0-9a-f]+$/.test(lines[i])) {
      i++;
      continue;
    }
    i++;
    const frames: ToolFrame[] = [];
    while (i + 1 < lines.length && !/^0x[0-9a-f]+$/.test(lines[i]) && lines[i] !== '') {
      const name = lines[i] === '??' ? null : lines[i];
      frames.push({ name, ...parseLocation(lines[i + 1]) });
      i += 2;
    }
    results.push(frames);
  }
  if (results.length !== addresses.length) throw new Error(`addr2line answered ${results.length} of ${addresses.length} addresses`);
  return results;
}

/** `llvm-symbolizer --inlining --functions=linkage` answers, in the same shape. */
export function llvmSymbolizer(binary: string, addresses: readonly number[]): ToolFrame[][] {
  const out = runTool('llvm-symbolizer', ['--inlining', '--functions=linkage', '--no-demangle', `--obj=${binary}`], addresses.map(hex).join('\n') + '\n');
  return out
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.trim().split('\n');
      const frames: ToolFrame[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const { file, line } = parseLocation(lines[i + 1].replace(/:\d+$/, '')); // drop the column
        frames.push({ name: lines[i] === '??' ? null : lines[i], file, line });
      }
      return frames;
    });
}

/** Where a frame's function is declared, as `llvm-symbolizer --verbose` prints it. */
export interface ToolDeclaration {
  name: string | null;
  /** "Function start filename"; null where the tool prints it empty. */
  startFile: string | null;
  /** "Function start line"; 0 where the tool prints none. */
  startLine: number;
}

/** `llvm-symbolizer --verbose --inlining --functions=linkage`: each address's frames (innermost first) with their declarations. */
export function llvmSymbolizerDeclarations(binary: string, addresses: readonly number[]): ToolDeclaration[][] {
  const out = runTool('llvm-symbolizer', ['--verbose', '--inlining', '--functions=linkage', '--no-demangle', `--obj=${binary}`], addresses.map(hex).join('\n') + '\n');
  const answers = out.split('\n\n').filter((block) => block.trim() !== '');
  if (answers.length !== addresses.length) throw new Error(`llvm-symbolizer answered ${answers.length} of ${addresses.length} addresses`);
  return answers.map((block) => {
    const frames: ToolDeclaration[] = [];
    for (const line of block.split('\n')) {
      if (line.trim() === '') continue;
      if (!line.startsWith(' ')) {
        frames.push({ name: line === '??' ? null : line, startFile: null, startLine: 0 });
        continue;
      }
      const frame = frames[frames.length - 1];
      const field = /^\s+([^:]+):\s*(.*)$/.exec(line);
      if (field === null || frame === undefined) continue;
      const [, key, value] = field;
      if (key === 'Function start filename') frame.startFile = value === '' ? null : value;
      if (key === 'Function start line') frame.startLine = Number.parseInt(value, 10) || 0;
    }
    return frames;
  });
}

export interface NmSymbol {
  address: number;
  /** st_size, or 0 when nm prints none. */
  size: number;
  type: string;
  name: string;
}

/** `nm --defined-only -S [-D]`: every defined symbol, with its size. Versions (`@GLIBC_2.2.5`) are cut off. */
export function nm(binary: string, options: { dynamic?: boolean; demangle?: boolean } = {}): NmSymbol[] {
  const out = runTool('nm', ['--defined-only', '-S', ...(options.dynamic ? ['-D'] : []), ...(options.demangle ? ['-C'] : []), binary]);
  const symbols: NmSymbol[] = [];
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) (?:([0-9a-f]+) )?(\S) (.+)$/.exec(line);
    if (m) symbols.push({ address: Number.parseInt(m[1], 16), size: m[2] ? Number.parseInt(m[2], 16) : 0, type: m[3], name: m[4].replace(/@.*$/, '') });
  }
  return symbols;
}

export interface DecodedLineRow {
  /** The file's base name as readelf prints it in the row. */
  file: string;
  /** Line number, or -1 for an end-of-sequence row. */
  line: number;
  address: number;
}

/** `readelf --debug-dump=decodedline -W`: every row of every line table, in order. */
export function readelfDecodedLines(binary: string): DecodedLineRow[] {
  const out = runTool('readelf', ['--debug-dump=decodedline', '-W', binary]);
  const rows: DecodedLineRow[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(\s|$)/.exec(line);
    if (m) rows.push({ file: m[1], line: m[2] === '-' ? -1 : Number(m[2]), address: Number.parseInt(m[3], 16) });
  }
  return rows;
}

/** Sections of a binary from `readelf -SW`: name, address, size, flags. */
export function readelfSections(binary: string): { name: string; address: number; size: number; flags: string }[] {
  const out = runTool('readelf', ['-SW', binary]);
  const sections: { name: string; address: number; size: number; flags: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)/.exec(line);
    if (m) sections.push({ name: m[1], address: Number.parseInt(m[2], 16), size: Number.parseInt(m[3], 16), flags: m[4] });
  }
  return sections;
}
