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

import { spawn } from 'node:child_process';
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
  const located = locateFiles(
    { path: request.library, buildId: request.buildId },
    { homeDir: homedir(), debugDirs: ['/usr/lib/debug'], debuginfod: null, warn: () => {} },
  );
  const { binary, debug } = located;
  try {
    if (binary === null) {
      return { kind: 'unavailable', message: `${request.library}: binary not found on this machine (no file at that path or in the build-id caches)` };
    }
    const symbols = SymbolTable.fromFiles(debug === null ? [binary] : [binary, debug]);
    let index = -1;
    if (request.offsetsAreFileOffsets) {
      for (const offset of request.offsets) {
        const address = offsetToAddress(binary.segments, offset);
        index = address === null ? -1 : symbols.lookup(address);
        if (index >= 0) break;
      }
    } else {
      index = symbolNamed(symbols, request.functionName);
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
    const run = await runBounded(program, args);
    if (run.error !== null) return { kind: 'unavailable', message: `${program}: ${run.error}` };
    const segments = binary.segments;
    const parsed = parseObjdump(run.stdout, (address) => addressToOffset(segments, address));
    const truncated = run.truncated || parsed.length > MAX_INSTRUCTIONS;
    return { kind: 'ok', binaryPath: binary.path, symbol: range.name, instructions: parsed.slice(0, MAX_INSTRUCTIONS), truncated };
  } finally {
    binary?.close();
    debug?.close();
  }
}

/** The symbol whose raw or demangled name is `name` (a demangled name may omit the parameter list); -1 when none. */
function symbolNamed(symbols: SymbolTable, name: string): number {
  for (let i = 0; i < symbols.size; i++) {
    const raw = symbols.name(i);
    if (raw === name) return i;
    if (!raw.startsWith('_Z') && !raw.startsWith('_R')) continue;
    const readable = demangle(raw);
    if (readable === name || readable.replace(/\(.*\)$/, '') === name) return i;
  }
  return -1;
}

const INSTRUCTION = /^\s*([0-9a-f]+):\s+(\S.*)$/;
/** A source position line: a path, a colon, a line number, maybe " (discriminator N)". */
const POSITION = /^(\/.*|[A-Za-z]:\\.*|[^\s<>][^<>]*):(\d+)(?: \(discriminator \d+\))?$/;
/** The first hex number after the mnemonic, followed by <symbol+0x...>: a branch target. */
const TARGET = /^\S+\s+\*?(?:0x)?([0-9a-f]+) <[^>]*>/;

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
      const target = TARGET.exec(body);
      const targetOffset = target === null ? null : toOffset(parseInt(target[1], 16));
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

interface BoundedRun {
  stdout: string;
  truncated: boolean;
  error: string | null;
}

/** Runs `program args` (no shell), keeping at most MAX_OUTPUT_BYTES of stdout and killing it after TIMEOUT_MS. */
function runBounded(program: string, args: string[]): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      if (size + chunk.length > MAX_OUTPUT_BYTES) {
        chunks.push(chunk.subarray(0, MAX_OUTPUT_BYTES - size));
        truncated = true;
        child.kill();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ stdout: '', truncated: false, error: error.code === 'ENOENT' ? 'not installed (binutils)' : error.message });
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(chunks).toString('utf8');
      if (truncated || code === 0) resolve({ stdout, truncated, error: null });
      else if (signal === 'SIGTERM') resolve({ stdout: '', truncated: false, error: `timed out after ${TIMEOUT_MS / 1000} s` });
      else resolve({ stdout: '', truncated: false, error: stderr.trim().split('\n')[0] || `exited with status ${code}` });
    });
  });
}
