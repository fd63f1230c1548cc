/**
 * One function of a binary, disassembled for the assembly view: the binary
 * is found as the symbolizer finds it (recorded path, build-id caches), the
 * function's range comes from its ELF symbol, and the text from objdump
 * (binutils) on Linux or llvm-objdump elsewhere, run with an argv array,
 * a timeout and a cap on its output. Each instruction carries its file
 * offset, because that is what perf.data frames carry as `address`.
 *
 * objdump -d -l --no-show-raw-insn -C -w prints, per function:
 *
 *   00000000000011e0 <work_40>:
 *   work_40():
 *   /src/cpu_hot.c:38 (discriminator 3)
 *       11f0:	mov    %rax,%rdx
 *       121c:	jne    11f0 <work_40+0x10>
 *
 * Lines holding a path and a line number set the source position of the
 * instructions below them. llvm-objdump (macOS) prints the same with "; "
 * before each position line and tabs in the instructions.
 */

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import type { DisassembleResult, Instruction } from '../../src-shared/contract';
import { SegmentType, type ElfSegment } from '../symbols/elf/elf-file';
import { SymbolTable } from '../symbols/elf/symbols';
import { demangle } from '../symbols/demangle';
import { locateFiles } from '../symbols/locate';

/** Bigger than any real function's listing; a runaway range cannot flood the window. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
const MAX_INSTRUCTIONS = 20_000;
const TIMEOUT_MS = 15_000;
/** Binaries whose symbol tables are kept between calls (a big one's table is a few MiB). */
const MAX_CACHED_BINARIES = 8;

export interface DisassembleRequest {
  /** The binary as the profile names it, and its recorded build-id. */
  library: string;
  buildId: string | null;
  /**
   * Sampled addresses inside the function. When they are file offsets
   * (perf.data), the first that falls in a symbol picks it; otherwise the
   * symbol is found by `functionName` (raw or demangled).
   */
  offsets: readonly number[];
  offsetsAreFileOffsets: boolean;
  functionName: string;
  /** Overrides for tests: the objdump program. */
  objdump?: string;
}

/** A file offset as a virtual address, through the LOAD segment that maps it; null outside every one. */
export function offsetToAddress(segments: readonly ElfSegment[], offset: number): number | null {
  for (const s of segments) {
    if (s.type === SegmentType.LOAD && offset >= s.offset && offset < s.offset + s.filesz) return s.vaddr + (offset - s.offset);
  }
  return null;
}

export function addressToOffset(segments: readonly ElfSegment[], address: number): number | null {
  for (const s of segments) {
    if (s.type === SegmentType.LOAD && address >= s.vaddr && address < s.vaddr + s.filesz) return s.offset + (address - s.vaddr);
  }
  return null;
}

export async function disassembleFunction(request: DisassembleRequest): Promise<DisassembleResult> {
  const binary = loadBinary(request.library, request.buildId);
  if (binary === null) {
    return { kind: 'unavailable', message: `${request.library}: binary not found on this machine (no file at that path or in the build-id caches)` };
  }
  const { symbols } = binary;
  let index = -1;
  if (request.offsetsAreFileOffsets) {
    for (const offset of request.offsets) {
      const address = offsetToAddress(binary.segments, offset);
      index = address === null ? -1 : symbols.lookup(address);
      if (index >= 0) break;
    }
  } else {
    index = binary.symbolNamed(request.functionName);
  }
  const range = index < 0 ? null : { start: symbols.start(index), end: symbols.end(index), name: symbols.name(index) };
  if (range === null || range.end <= range.start) {
    const what = request.offsetsAreFileOffsets ? 'the sampled addresses' : `a function named ${request.functionName}`;
    return { kind: 'unavailable', message: `${binary.path}: no symbol covers ${what} (a stripped binary?)` };
  }
  const program = request.objdump ?? (process.platform === 'linux' ? 'objdump' : 'llvm-objdump');
  const args = [
    '-d',
    '-l',
    '--no-show-raw-insn',
    '-C',
    '-w',
    `--start-address=0x${range.start.toString(16)}`,
    `--stop-address=0x${range.end.toString(16)}`,
    binary.path,
  ];
  const run = await runObjdump(program, args);
  if (run.error !== null) return { kind: 'unavailable', message: `${program}: ${run.error}` };
  const segments = binary.segments;
  const parsed = parseObjdump(run.stdout, (address) => addressToOffset(segments, address));
  const truncated = run.truncated || parsed.length > MAX_INSTRUCTIONS;
  return { kind: 'ok', binaryPath: binary.path, symbol: range.name, instructions: parsed.slice(0, MAX_INSTRUCTIONS), truncated };
}

/**
 * A binary found and its symbols read, kept between calls: finding it
 * (build-id caches, a debug link's CRC) and reading a big symbol table take
 * long enough to stall the host, and the window asks again for every
 * function it shows. The files are closed; only the table and the segments
 * are kept.
 */
class LoadedBinary {
  /** functionName -> symbol index (or -1): a name once searched for is not searched again. */
  private readonly byName = new Map<string, number>();

  constructor(
    readonly path: string,
    /** dev, inode, size and mtime of `path` when it was read: a rebuilt file is read again. */
    readonly identity: string,
    readonly segments: readonly ElfSegment[],
    readonly symbols: SymbolTable,
  ) {}

  symbolNamed(name: string): number {
    let index = this.byName.get(name);
    if (index === undefined) {
      index = symbolNamed(this.symbols, name);
      if (this.byName.size > 1000) this.byName.clear();
      this.byName.set(name, index);
    }
    return index;
  }
}

const loaded = new Map<string, LoadedBinary>();

function fileIdentity(path: string): string | null {
  try {
    const info = statSync(path);
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The binary `library` (build-id `buildId`) as found on this machine, from the cache when it has not changed since; null when not found. */
function loadBinary(library: string, buildId: string | null): LoadedBinary | null {
  const key = `${library}\0${buildId ?? ''}`;
  const cached = loaded.get(key);
  if (cached !== undefined && fileIdentity(cached.path) === cached.identity) {
    loaded.delete(key); // most recently used last
    loaded.set(key, cached);
    return cached;
  }
  loaded.delete(key);
  const { binary, debug } = locateFiles({ path: library, buildId }, { homeDir: homedir(), debugDirs: ['/usr/lib/debug'], debuginfod: null, warn: () => {} });
  try {
    if (binary === null) return null;
    const identity = fileIdentity(binary.path);
    const entry = new LoadedBinary(binary.path, identity ?? '', binary.segments, SymbolTable.fromFiles(debug === null ? [binary] : [binary, debug]));
    loaded.set(key, entry);
    if (loaded.size > MAX_CACHED_BINARIES) loaded.delete(loaded.keys().next().value!);
    return entry;
  } finally {
    binary?.close();
    debug?.close();
  }
}

/** The symbol whose raw or demangled name is `name` (a demangled name may omit the parameter list); -1 when none. */
function symbolNamed(symbols: SymbolTable, name: string): number {
  // Demangling every C++ symbol of a big binary takes seconds: only those whose
  // mangled form spells the name's last identifier can match.
  const identifier = lastIdentifier(name);
  for (let i = 0; i < symbols.size; i++) {
    const raw = symbols.name(i);
    if (raw === name) return i;
    if (!raw.startsWith('_Z') && !raw.startsWith('_R')) continue;
    if (identifier !== null && !raw.includes(identifier)) continue;
    const readable = demangle(raw);
    if (readable === name || readable.replace(/\(.*\)$/, '') === name) return i;
  }
  return -1;
}

/**
 * The identifier of a demangled name's last component, as it appears in the
 * mangled name: `ns::Foo<a::b>::bar(std::string) const` → `bar`,
 * `Foo::~Foo()` → `Foo`. Null when it has none that plain (operators,
 * lambdas), so every symbol is demangled.
 */
export function lastIdentifier(name: string): string | null {
  if (name.includes('operator')) return null;
  let depth = 0;
  let start = 0;
  /** The parameter list of the last component: its first top-level '('. */
  let end = -1;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '(' || c === '<' || c === '[' || c === '{') {
      if (depth === 0 && c === '(' && end < 0) end = i;
      depth++;
    } else if (c === ')' || c === '>' || c === ']' || c === '}') {
      depth--;
    } else if (depth === 0 && c === ':' && name[i + 1] === ':') {
      start = i + 2;
      end = -1;
      i++;
    }
  }
  const component = name.slice(start, end < 0 ? name.length : end).replace(/<.*$/, '').replace(/^~/, '');
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(component) ? component : null;
}

const INSTRUCTION = /^\s*([0-9a-f]+):\s+(\S.*)$/;
/** A source position line: a path, a colon, a line number, maybe " (discriminator N)". */
const POSITION = /^(\/.*|[A-Za-z]:\\.*|[^\s<>][^<>]*):(\d+)(?: \(discriminator \d+\))?$/;
/** A hex number followed by <symbol+0x...>: a branch target (the last one of the operands). */
const TARGET = /(?:^|[\s,*])(?:0x)?([0-9a-f]+) <[^>]*>/g;
/** A trailing comment: binutils' x86 `# 4018 <x>` (an address loaded, not jumped to), AArch64's `// #16`. ARM immediates (`#3`) have no space after '#'. */
const COMMENT = /\s(?:#\s|\/\/).*$/;

/** The branch target address of an instruction's text, or null: `jne 11f0 <f+0x10>`, `cbz x0, 110c <f+0xc>`, `tbnz w1, #3, 110c <f+0xc>`, `bnd jmp 1100 <f>`. */
export function branchTarget(text: string): number | null {
  let last: string | null = null;
  for (const match of text.replace(COMMENT, '').matchAll(TARGET)) last = match[1];
  return last === null ? null : parseInt(last, 16);
}

/** objdump's text as instructions; `toOffset` maps a virtual address to its file offset. */
export function parseObjdump(text: string, toOffset: (address: number) => number | null): Instruction[] {
  const out: Instruction[] = [];
  let file: string | null = null;
  let line = -1;
  for (const row of text.split('\n')) {
    const insn = INSTRUCTION.exec(row);
    if (insn !== null) {
      const address = parseInt(insn[1], 16);
      const body = insn[2].replace(/\s+$/, '').replace(/\t/g, ' ');
      const target = branchTarget(body);
      const targetOffset = target === null ? null : toOffset(target);
      out.push({ offset: toOffset(address) ?? address, address, text: body, file, line, jumpTargetOffset: targetOffset ?? -1 });
      continue;
    }
    // llvm-objdump prefixes its position lines with "; ".
    const plain = row.startsWith('; ') ? row.slice(2) : row;
    const position = POSITION.exec(plain.trim());
    if (position !== null && !plain.endsWith(':') && !plain.startsWith(' ')) {
      file = position[1];
      line = Number(position[2]);
    }
  }
  // Targets outside the listed range are not clickable.
  const offsets = new Set(out.map((i) => i.offset));
  for (const insn of out) if (insn.jumpTargetOffset >= 0 && !offsets.has(insn.jumpTargetOffset)) insn.jumpTargetOffset = -1;
  return out;
}

interface ObjdumpRun {
  stdout: string;
  truncated: boolean;
  error: string | null;
}

/** Runs `program args` (no shell, C locale so its words are the parser's), keeping at most MAX_OUTPUT_BYTES and stopping it after TIMEOUT_MS. */
function runObjdump(program: string, args: string[]): Promise<ObjdumpRun> {
  return new Promise((resolve) => {
    const options = { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' as const, env: { ...process.env, LC_ALL: 'C' } };
    execFile(program, args, options, (error, stdout, stderr) => {
      if (error === null) return resolve({ stdout, truncated: false, error: null });
      const code = (error as NodeJS.ErrnoException).code;
      // Over the cap: keep what came, without its cut-off last line.
      if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') resolve({ stdout: stdout.slice(0, stdout.lastIndexOf('\n') + 1), truncated: true, error: null });
      else if (code === 'ENOENT') resolve({ stdout: '', truncated: false, error: 'not installed (binutils)' });
      else if (error.killed) resolve({ stdout: '', truncated: false, error: `timed out after ${TIMEOUT_MS / 1000} s` });
      else resolve({ stdout: '', truncated: false, error: stderr.trim().split('\n')[0] || `exited with status ${String(error.code)}` });
    });
  });
}
