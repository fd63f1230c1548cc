/**
 * Reads a `--call-graph dwarf` recording through `perf script -D`, for the
 * unwinder's tests, until the perf.data reader can hand out samples itself.
 *
 * -D prints every record as a hex dump followed by perf's parse of it, and
 * for samples also perf's own output — including the call chain perf
 * unwound. So one run gives, per sample, the raw input of our unwinder (user
 * registers by name, the user stack bytes at the offset perf names) and the
 * reference answer (perf's chain), and the mmaps that tell which binary a pc
 * is in. Output format as printed by perf 6.x (tools/perf/util/session.c
 * dump_sample / regs_dump / stack_user__printf).
 *
 * Also compiles fixtures with flags of the test's choosing (helpers/perf.ts
 * builds every fixture with frame pointers, which these tests must avoid).
 */

import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR, FIXTURE_PROGRAMS_DIR } from './perf';

export interface PerfMmap {
  pid: number;
  start: number;
  length: number;
  pgoff: number;
  prot: string;
  path: string;
}

export interface PerfChainFrame {
  /** As perf prints it: the dso-relative address (return address − 1 for callers). */
  address: number;
  /** Symbol without "+0x…"; "[unknown]" when perf has none. */
  symbol: string;
  /** The dso in parentheses, or "inlined" for frames perf expanded from inline info. */
  dso: string;
}

export interface PerfDwarfSample {
  pid: number;
  tid: number;
  ip: number;
  /** attr.sample_regs_user and the ABI perf printed ("64-bit", "32-bit", "none"). */
  regsMask: bigint;
  regsAbi: string;
  /** Register values by perf's name (AX, BX, …, R15 / x0 … pc). */
  regsByName: Map<string, bigint>;
  /** The dumped user stack, cut to its dyn_size; starts at the sampled SP. */
  stack: Uint8Array;
  /** perf's unwound chain, leaf first, kernel frames included. */
  chain: PerfChainFrame[];
}

export interface PerfRawDump {
  samples: PerfDwarfSample[];
  mmaps: PerfMmap[];
}

const RECORD_START = /^0x[0-9a-f]+@\S+ \[0x[0-9a-f]+\]: event: (\d+)$/;
const HEX_LINE = /^\.\s+[0-9a-f]{4,}:  ((?:[0-9a-f]{2} ){1,16})/;
const SAMPLE_LINE = /PERF_RECORD_SAMPLE\([^)]*\): (-?\d+)\/(-?\d+): 0x([0-9a-f]+) /;
const REGS_HEADER = /^\.\.\. user regs: mask 0x([0-9a-f]+) ABI (.+)$/;
const REG_LINE = /^\.\.\.\. (\w+)\s+0x([0-9a-f]+)$/;
const USTACK_LINE = /^\.\.\. ustack: size (\d+), offset 0x([0-9a-f]+)$/;
const CHAIN_LINE = /^\t\s*([0-9a-f]+) (.*) \(([^()]*)\)$/;
const MMAP2_LINE = /PERF_RECORD_MMAP2 (-?\d+)\/-?\d+: \[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ (0x[0-9a-f]+|0) [^\]]*\]: (\S+) (.*)$/;

/** Runs `perf script -i perfData -D` and parses samples (with user regs and stack) and MMAP2 events. */
export async function readPerfRawDump(perfData: string): Promise<PerfRawDump> {
  const child = spawn('perf', ['script', '-i', perfData, '-D'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });

  const samples: PerfDwarfSample[] = [];
  const mmaps: PerfMmap[] = [];
  let raw: number[] | null = null; // bytes of the sample record being dumped
  let sample: PerfDwarfSample | null = null;
  let inChain = false;

  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    const start = RECORD_START.exec(line);
    if (start) {
      raw = start[1] === '9' ? [] : null;
      sample = null;
      inChain = false;
      continue;
    }
    if (raw && sample === null) {
      const hex = HEX_LINE.exec(line);
      if (hex) {
        for (const byte of hex[1].trim().split(' ')) raw.push(parseInt(byte, 16));
        continue;
      }
    }
    const mmap = MMAP2_LINE.exec(line);
    if (mmap) {
      mmaps.push({ pid: Number(mmap[1]), start: Number(BigInt(`0x${mmap[2]}`)), length: parseInt(mmap[3], 16), pgoff: Number(BigInt(mmap[4])), prot: mmap[5], path: mmap[6] });
      continue;
    }
    const header = raw ? SAMPLE_LINE.exec(line) : null;
    if (header) {
      sample = { pid: Number(header[1]), tid: Number(header[2]), ip: Number(BigInt(`0x${header[3]}`)), regsMask: 0n, regsAbi: 'none', regsByName: new Map(), stack: new Uint8Array(0), chain: [] };
      samples.push(sample);
      continue;
    }
    if (!sample || !raw) continue;
    const regs = REGS_HEADER.exec(line);
    if (regs) {
      sample.regsMask = BigInt(`0x${regs[1]}`);
      sample.regsAbi = regs[2];
      continue;
    }
    const reg = REG_LINE.exec(line);
    if (reg) {
      sample.regsByName.set(reg[1], BigInt(`0x${reg[2]}`));
      continue;
    }
    const ustack = USTACK_LINE.exec(line);
    if (ustack) {
      // `offset` is where the stack's u64 size field sits in the record; the bytes follow it.
      const at = parseInt(ustack[2], 16) + 8;
      sample.stack = Uint8Array.from(raw.slice(at, at + Number(ustack[1])));
      continue;
    }
    if (line.startsWith('\t')) {
      const frame = CHAIN_LINE.exec(line);
      if (frame) {
        inChain = true;
        sample.chain.push({ address: parseInt(frame[1], 16), symbol: frame[2].replace(/\+0x[0-9a-f]+$/, ''), dso: frame[3] });
      }
    } else if (inChain && line.trim() === '') {
      sample = null; // perf's chain ends at a blank line
      raw = null;
      inChain = false;
    }
  }
  const status = await exited;
  if (status !== 0) throw new Error(`perf script -i ${perfData} -D: exited with status ${status}\n${stderr.trim()}`);
  return { samples, mmaps };
}

/**
 * Compiles test/fixtures/programs/NAME.c with `flags` (and `compiler`, e.g. a
 * cross compiler) into test-artifacts/build/OUTNAME; rebuilds only when the
 * source or the command changed.
 */
export function compileFixtureWith(name: string, outName: string, flags: readonly string[], compiler = 'gcc'): string {
  const source = join(FIXTURE_PROGRAMS_DIR, `${name}.c`);
  const dir = join(ARTIFACTS_DIR, 'build');
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, outName);
  const stamp = [compiler, ...flags, source].join(' ');
  const stampFile = `${binary}.command`;
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return binary;
  }
  const partial = `${binary}.${process.pid}.tmp`;
  const result = spawnSync(compiler, [...flags, '-o', partial, source], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${compiler} ${flags.join(' ')} ${source}: ${result.error?.message ?? result.stderr}`);
  renameSync(partial, binary);
  writeFileSync(stampFile, stamp);
  return binary;
}

/**
 * Symbolizes ELF vaddrs of one binary with a single `addr2line -a -f -i`
 * call. Returns, per address, its functions innermost first: the inlined
 * ones, then the real function they were inlined into (perf script prints
 * the same expansion). An unknown function is "[unknown]", as perf prints it.
 */
export function addr2lineFrames(binary: string, vaddrs: readonly number[]): string[][] {
  if (vaddrs.length === 0) return [];
  const input = vaddrs.map((a) => `0x${a.toString(16)}`).join('\n');
  const result = spawnSync('addr2line', ['-a', '-f', '-i', '-e', binary], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`addr2line -e ${binary}: ${result.error?.message ?? result.stderr}`);
  const answers: string[][] = [];
  const lines = result.stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^0x[0-9a-f]+$/.test(lines[i])) continue;
    const names: string[] = [];
    // Pairs of (function, file:line) follow until the next address.
    for (let j = i + 1; j + 1 < lines.length && !/^0x[0-9a-f]+$/.test(lines[j]); j += 2) names.push(lines[j] === '??' ? '[unknown]' : lines[j]);
    answers.push(names.length > 0 ? names : ['[unknown]']);
  }
  if (answers.length !== vaddrs.length) throw new Error(`addr2line -e ${binary}: ${answers.length} answers for ${vaddrs.length} addresses`);
  return answers;
}
